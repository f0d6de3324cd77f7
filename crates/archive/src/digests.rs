//! The digests recorded for every blob (size, SHA512, BLAKE2B, SHA256), computed in one
//! pass while the blob is written.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use blake2::Blake2b512;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256, Sha512};

use crate::key::hex;

/// Size and hashes of one stored blob; hashes are lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BlobDigests {
    /// Size in bytes.
    pub size: u64,
    /// SHA-512 (the blob's address).
    pub sha512: String,
    /// BLAKE2b-512, as Manifest `BLAKE2B`.
    pub blake2b: String,
    /// SHA-256.
    pub sha256: String,
}

impl BlobDigests {
    /// Hashes a whole reader in one pass.
    pub fn of_reader<R: Read>(mut reader: R) -> io::Result<BlobDigests> {
        let mut hasher = BlobHasher::default();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            hasher.update(&buf[..n]);
        }
        Ok(hasher.finish())
    }

    /// Hashes a file in one pass.
    pub fn of_file(path: &Path) -> io::Result<BlobDigests> {
        Self::of_reader(File::open(path)?)
    }

    /// Hashes a byte string.
    pub fn of_bytes(data: &[u8]) -> BlobDigests {
        let mut hasher = BlobHasher::default();
        hasher.update(data);
        hasher.finish()
    }
}

/// One-pass hasher for [`BlobDigests`].
#[derive(Default)]
pub(crate) struct BlobHasher {
    size: u64,
    sha512: Sha512,
    blake2b: Blake2b512,
    sha256: Sha256,
}

impl BlobHasher {
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.size += data.len() as u64;
        self.sha512.update(data);
        self.blake2b.update(data);
        self.sha256.update(data);
    }

    pub(crate) fn finish(self) -> BlobDigests {
        BlobDigests {
            size: self.size,
            sha512: hex(&self.sha512.finalize()),
            blake2b: hex(&self.blake2b.finalize()),
            sha256: hex(&self.sha256.finalize()),
        }
    }
}

/// A writer that hashes everything written through it.
pub(crate) struct HashingWriter<W> {
    inner: W,
    hasher: BlobHasher,
}

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: BlobHasher::default(),
        }
    }

    pub(crate) fn finish(self) -> (W, BlobDigests) {
        (self.inner, self.hasher.finish())
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
