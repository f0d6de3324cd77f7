//! File digests used by binpkgs: MD5 and SHA1 (the `Packages` index), BLAKE2B and SHA512
//! (GPKG `Manifest`), computed in one streaming pass.

use std::io::{self, Read, Write};

use blake2::Digest;

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    s
}

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

/// A writer computing all four digests.
#[derive(Default)]
pub struct Hasher {
    size: u64,
    md5: md5::Md5,
    sha1: sha1::Sha1,
    blake2b: blake2::Blake2b512,
    sha512: sha2::Sha512,
}

impl Hasher {
    /// A fresh hasher.
    pub fn new() -> Hasher {
        Hasher::default()
    }

    /// Feeds bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.size += data.len() as u64;
        self.md5.update(data);
        self.sha1.update(data);
        self.blake2b.update(data);
        self.sha512.update(data);
    }

    /// The digests of everything fed so far.
    pub fn finish(self) -> Digests {
        Digests {
            size: self.size,
            md5: hex(&self.md5.finalize()),
            sha1: hex(&self.sha1.finalize()),
            blake2b: hex(&self.blake2b.finalize()),
            sha512: hex(&self.sha512.finalize()),
        }
    }

    /// Hashes a whole stream.
    pub fn digest_reader<R: Read>(mut reader: R) -> io::Result<Digests> {
        let mut h = Hasher::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        Ok(h.finish())
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
