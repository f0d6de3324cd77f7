//! Manifest2, fetchables, mirror expansion, downloading with resume and streaming verification
