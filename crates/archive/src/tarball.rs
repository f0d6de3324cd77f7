//! The deterministic tarball writer.
//!
//! Entries are written in byte-wise path order with GNU headers: fixed mtime, uid and gid
//! 0, no user or group names, mode 0755 for directories and executables, 0644 for other
//! files, 0777 for symbolic links. Long names use GNU long-name records (themselves fixed).
//! The stream is compressed with the fixed presets of [`Compression`].

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use crate::archive::{Archive, Entry};
use crate::error::{ArchiveError, Result};
use crate::name::Compression;

/// Writes `archive` as a compressed tarball into `out` and returns `out`.
pub(crate) fn write_archive<W: Write>(archive: &Archive, out: W) -> Result<W> {
    let compression = archive.final_name().compression();
    let to_io = |e: io::Error| ArchiveError::io("compress", archive.final_name().as_str(), e);
    match compression {
        Compression::Gzip => {
            let mut enc = flate2::GzBuilder::new()
                .mtime(0)
                .write(out, flate2::Compression::best());
            write_tar(archive, &mut enc)?;
            enc.finish().map_err(to_io)
        }
        Compression::Bzip2 => {
            let mut enc = bzip2::write::BzEncoder::new(out, bzip2::Compression::best());
            write_tar(archive, &mut enc)?;
            enc.finish().map_err(to_io)
        }
        Compression::Xz => {
            let mut enc = xz2::write::XzEncoder::new(out, 6);
            write_tar(archive, &mut enc)?;
            enc.finish().map_err(to_io)
        }
        Compression::Zstd => {
            let mut enc = zstd::stream::write::Encoder::new(out, 19).map_err(to_io)?;
            enc.include_checksum(true).map_err(to_io)?;
            write_tar(archive, &mut enc)?;
            enc.finish().map_err(to_io)
        }
    }
}

/// Writes the uncompressed tar stream of `archive` into `out`.
pub(crate) fn write_tar(archive: &Archive, out: &mut dyn Write) -> Result<()> {
    let name = archive.final_name().as_str();
    let mut builder = tar::Builder::new(out);
    for (path, entry) in archive.entries() {
        let mut header = tar::Header::new_gnu();
        header.set_mtime(archive.mtime());
        header.set_uid(0);
        header.set_gid(0);
        let write_err = |e: io::Error| ArchiveError::io("write tar entry", path.as_str(), e);
        match entry {
            Entry::Dir => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_mode(0o755);
                header.set_size(0);
                builder
                    .append_data(&mut header, format!("{path}/"), io::empty())
                    .map_err(write_err)?;
            }
            Entry::Bytes { data, executable } => {
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(file_mode(*executable));
                header.set_size(data.len() as u64);
                builder
                    .append_data(&mut header, path, data.as_slice())
                    .map_err(write_err)?;
            }
            Entry::File { source, executable } => {
                let file = File::open(source).map_err(|e| ArchiveError::io("open", source, e))?;
                let len = file
                    .metadata()
                    .map_err(|e| ArchiveError::io("stat", source, e))?
                    .len();
                header.set_entry_type(tar::EntryType::Regular);
                header.set_mode(file_mode(*executable));
                header.set_size(len);
                let reader = ExactReader {
                    inner: file.take(len),
                    remaining: len,
                };
                builder
                    .append_data(&mut header, path, reader)
                    .map_err(|e| input_error(e, source, len, path))?;
            }
            Entry::Symlink { target } => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_mode(0o777);
                header.set_size(0);
                builder
                    .append_link(&mut header, path, target)
                    .map_err(write_err)?;
            }
        }
    }
    builder
        .finish()
        .map_err(|e| ArchiveError::io("finish tar", name, e))?;
    Ok(())
}

fn file_mode(executable: bool) -> u32 {
    if executable { 0o755 } else { 0o644 }
}

/// Marker message of the error [`ExactReader`] returns on a short file.
const SHORT_READ: &str = "input ended before the size recorded in its header";

fn input_error(e: io::Error, source: &Path, len: u64, path: &str) -> ArchiveError {
    if e.kind() == io::ErrorKind::UnexpectedEof && e.to_string() == SHORT_READ {
        ArchiveError::InputChanged {
            path: source.to_owned(),
            expected: len,
        }
    } else {
        ArchiveError::io("write tar entry", path, e)
    }
}

/// Reads exactly `remaining` bytes, failing if the file is shorter (it shrank since its
/// size went into the header; the tar would otherwise be silently corrupt).
struct ExactReader<R> {
    inner: R,
    remaining: u64,
}

impl<R: Read> Read for ExactReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 {
            return Ok(0);
        }
        let n = self.inner.read(buf)?;
        if n == 0 && !buf.is_empty() {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, SHORT_READ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tar_headers_are_normalised() {
        let mut a = Archive::new("t.tar.gz").unwrap();
        a.add_bytes("top/file", b"abc".to_vec()).unwrap();
        a.add_bytes_with_mode("top/bin", b"#!/bin/sh\n".to_vec(), true)
            .unwrap();
        a.add_symlink("top/link", "file").unwrap();
        let long = format!("top/{}", "x".repeat(150));
        a.add_bytes(&long, b"long".to_vec()).unwrap();
        let mut raw = Vec::new();
        write_tar(&a, &mut raw).unwrap();
        let mut ar = tar::Archive::new(raw.as_slice());
        let mut seen = Vec::new();
        for e in ar.entries().unwrap() {
            let e = e.unwrap();
            let h = e.header();
            assert_eq!(h.mtime().unwrap(), 0);
            assert_eq!(h.uid().unwrap(), 0);
            assert_eq!(h.gid().unwrap(), 0);
            assert_eq!(h.username_bytes().unwrap_or_default(), b"");
            assert_eq!(h.groupname_bytes().unwrap_or_default(), b"");
            let p = e.path().unwrap().to_string_lossy().into_owned();
            let mode = h.mode().unwrap();
            seen.push((p, mode));
        }
        let want = vec![
            ("top/".to_owned(), 0o755),
            ("top/bin".to_owned(), 0o755),
            ("top/file".to_owned(), 0o644),
            ("top/link".to_owned(), 0o777),
            (long.clone(), 0o644),
        ];
        assert_eq!(seen, want);
    }

    #[test]
    fn gzip_header_has_no_name_or_mtime() {
        let mut a = Archive::new("t.tar.gz").unwrap();
        a.add_bytes("f", b"x".to_vec()).unwrap();
        let out = write_archive(&a, Vec::new()).unwrap();
        assert_eq!(&out[..3], &[0x1f, 0x8b, 8]);
        assert_eq!(out[3], 0, "FLG: no FNAME/FCOMMENT/FEXTRA");
        assert_eq!(&out[4..8], &[0, 0, 0, 0], "MTIME 0");
    }
}
