//! File digests used by binpkgs: MD5 and SHA1 (the `Packages` index), BLAKE2B and SHA512
//! (GPKG `Manifest`), computed in one streaming pass by strata-fetch's multi-hasher.

use std::io::{self, Read, Write};

use strata_fetch::hash::{HashAlgorithm, MultiHasher};

/// Lower-case hex of `bytes` (strata-fetch's encoder).
pub use strata_fetch::hash::to_hex as hex;

/// The algorithms a binpkg needs, computed in one pass by strata-fetch's [`MultiHasher`].
const BINPKG_HASHES: [HashAlgorithm; 4] = [
    HashAlgorithm::Md5,
    HashAlgorithm::Sha1,
    HashAlgorithm::Blake2b,
    HashAlgorithm::Sha512,
];

/// Digests of one stream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Digests {
    /// Bytes hashed.
    pub size: u64,
    /// MD5 hex.
    pub md5: String,
    /// SHA1 hex.
    pub sha1: String,
    /// BLAKE2B (512-bit) hex.
    pub blake2b: String,
    /// SHA512 hex.
    pub sha512: String,
}

impl Digests {
    /// The hex digest for a Manifest hash name (`BLAKE2B`, `SHA512`, `MD5`, `SHA1`).
    pub fn by_name(&self, name: &str) -> Option<&str> {
        match name {
            "BLAKE2B" => Some(&self.blake2b),
            "SHA512" => Some(&self.sha512),
            "MD5" => Some(&self.md5),
            "SHA1" => Some(&self.sha1),
            _ => None,
        }
    }
}

/// A writer computing all four digests (a [`MultiHasher`] over MD5, SHA1, BLAKE2B and
/// SHA512).
#[derive(Debug)]
pub struct Hasher(MultiHasher);

impl Default for Hasher {
    fn default() -> Hasher {
        Hasher(MultiHasher::new(BINPKG_HASHES))
    }
}

impl Hasher {
    /// A fresh hasher.
    pub fn new() -> Hasher {
        Hasher::default()
    }

    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The digests of everything fed so far.
    pub fn finish(self) -> Digests {
        Digests::from(&self.0.finish())
    }

    /// Hashes a whole stream.
    pub fn digest_reader<R: Read>(reader: R) -> io::Result<Digests> {
        let mut h = Hasher::new();
        h.0.update_reader(reader)?;
        Ok(h.finish())
    }
}

impl From<&strata_fetch::Digests> for Digests {
    /// The size and the four binpkg hashes of strata-fetch digests (absent ones empty).
    fn from(d: &strata_fetch::Digests) -> Digests {
        let hex_of = |a: HashAlgorithm| d.get(a).map(hex).unwrap_or_default();
        Digests {
            size: d.size().unwrap_or(0),
            md5: hex_of(HashAlgorithm::Md5),
            sha1: hex_of(HashAlgorithm::Sha1),
            blake2b: hex_of(HashAlgorithm::Blake2b),
            sha512: hex_of(HashAlgorithm::Sha512),
        }
    }
}

impl Write for Hasher {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_input_digests_match_the_gpkg_1_manifest_line() {
        let d = Hasher::new().finish();
        assert_eq!(d.md5, "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(d.sha1, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(
            d.blake2b,
            "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce"
        );
        assert!(d.sha512.starts_with("cf83e1357eefb8bdf1542850d66d8007"));
    }
}
