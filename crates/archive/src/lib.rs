//! The dynamic-archive store: deterministic archives stored by name plus key, content-addressed blobs
