//! The digests recorded for every blob (size, SHA512, BLAKE2B, SHA256), computed in one
//! pass while the blob is written, with strata-fetch's [`MultiHasher`].

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use strata_fetch::hash::{Digests, HashAlgorithm, MultiHasher, from_hex};

/// The algorithms computed for every blob.
pub const BLOB_HASHES: [HashAlgorithm; 3] = [
    HashAlgorithm::Sha512,
    HashAlgorithm::Blake2b,
    HashAlgorithm::Sha256,
];

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
    pub fn of_reader<R: Read>(reader: R) -> io::Result<BlobDigests> {
        let mut hasher = MultiHasher::new(BLOB_HASHES);
        hasher.update_reader(reader)?;
        Ok(Self::from_digests(&hasher.finish()))
    }

    /// Hashes a file in one pass.
    pub fn of_file(path: &Path) -> io::Result<BlobDigests> {
        Self::of_reader(File::open(path)?)
    }

    /// Hashes a byte string.
    pub fn of_bytes(data: &[u8]) -> BlobDigests {
        let mut hasher = MultiHasher::new(BLOB_HASHES);
        hasher.update(data);
        Self::from_digests(&hasher.finish())
    }

    /// Takes size, SHA512, BLAKE2B and SHA256 from fetch [`Digests`] (missing values
    /// become 0 / empty).
    pub fn from_digests(d: &Digests) -> BlobDigests {
        BlobDigests {
            size: d.size().unwrap_or(0),
            sha512: d.hex("SHA512").unwrap_or_default(),
            blake2b: d.hex("BLAKE2B").unwrap_or_default(),
            sha256: d.hex("SHA256").unwrap_or_default(),
        }
    }

    /// These digests as fetch [`Digests`] (size, BLAKE2B, SHA256, SHA512).
    pub fn to_digests(&self) -> Digests {
        let mut d = Digests::new(Some(self.size));
        for (alg, hex) in [
            (HashAlgorithm::Sha512, &self.sha512),
            (HashAlgorithm::Blake2b, &self.blake2b),
            (HashAlgorithm::Sha256, &self.sha256),
        ] {
            if let Some(raw) = from_hex(hex) {
                d.insert(alg, raw);
            }
        }
        d
    }
}

/// A writer that hashes everything written through it.
pub(crate) struct HashingWriter<W>(strata_fetch::hash::HashingWriter<W>);

impl<W: Write> HashingWriter<W> {
    pub(crate) fn new(inner: W) -> Self {
        HashingWriter(strata_fetch::hash::HashingWriter::new(
            inner,
            MultiHasher::new(BLOB_HASHES),
        ))
    }

    pub(crate) fn finish(self) -> (W, BlobDigests) {
        let (w, d) = self.0.finish();
        (w, BlobDigests::from_digests(&d))
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}
