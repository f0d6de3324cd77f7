//! One-pass multi-hashing and the [`Digests`] a Manifest records for a file.
//!
//! A [`MultiHasher`] feeds every byte once into all requested algorithms and counts the size,
//! so a download or an existing file is read exactly once however many hashes the Manifest
//! lists. Hash names are the ones Manifest2 and Portage's `checksum.py` use (`BLAKE2B`,
//! `SHA512`, ...); values are lower-case hex.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;
use std::str::FromStr;

use blake2::{Blake2b512, Blake2s256};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

/// A hash algorithm this crate can compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlgorithm {
    /// BLAKE2b with a 512-bit digest (`BLAKE2B`).
    Blake2b,
    /// BLAKE2s with a 256-bit digest (`BLAKE2S`).
    Blake2s,
    /// MD5 (`MD5`); legacy, still accepted when verifying.
    Md5,
    /// SHA-1 (`SHA1`); legacy, also used by Portage's mirror-layout tests.
    Sha1,
    /// SHA-256 (`SHA256`).
    Sha256,
    /// SHA-512 (`SHA512`).
    Sha512,
}

impl HashAlgorithm {
    /// Every supported algorithm, in Manifest (name) order.
    pub const ALL: [HashAlgorithm; 6] = [
        HashAlgorithm::Blake2b,
        HashAlgorithm::Blake2s,
        HashAlgorithm::Md5,
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha512,
    ];

    /// The Manifest / Portage name, e.g. `BLAKE2B`.
    pub fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Blake2b => "BLAKE2B",
            HashAlgorithm::Blake2s => "BLAKE2S",
            HashAlgorithm::Md5 => "MD5",
            HashAlgorithm::Sha1 => "SHA1",
            HashAlgorithm::Sha256 => "SHA256",
            HashAlgorithm::Sha512 => "SHA512",
        }
    }

    /// Looks an algorithm up by its Manifest name (exact, upper case).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Digest length in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            HashAlgorithm::Blake2b | HashAlgorithm::Sha512 => 64,
            HashAlgorithm::Blake2s | HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Md5 => 16,
        }
    }

    /// Hashes one byte string and returns the lower-case hex digest.
    pub fn hex_digest(self, data: &[u8]) -> String {
        let mut h = MultiHasher::new([self]);
        h.update(data);
        let d = h.finish();
        d.hex(self.name()).unwrap_or_default()
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error for an unknown hash name given to [`HashAlgorithm::from_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported hash algorithm {0:?}")]
pub struct UnknownHash(pub String);

impl FromStr for HashAlgorithm {
    type Err = UnknownHash;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::from_name(s).ok_or_else(|| UnknownHash(s.to_owned()))
    }
}

/// The default hash set Portage writes for new Manifest entries (`BLAKE2B SHA512`).
pub const DEFAULT_MANIFEST_HASHES: [HashAlgorithm; 2] =
    [HashAlgorithm::Blake2b, HashAlgorithm::Sha512];

/// Lower-case hex encoding.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// Decodes hex (either case). Returns `None` on odd length or a non-hex digit.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    fn nib(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    b.chunks_exact(2)
        .map(|p| Some((nib(p[0])? << 4) | nib(p[1])?))
        .collect()
}

/// Size and named hashes of one file: what a Manifest entry records, or what hashing a file
/// produced.
///
/// Hash names are kept as strings so that entries with algorithms this crate cannot compute
/// (`RMD160`, `WHIRLPOOL`, ...) survive a parse/write round trip; they iterate in name order,
/// the order Portage and gemato write them in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Digests {
    size: Option<u64>,
    hashes: BTreeMap<Cow<'static, str>, Vec<u8>>,
}

impl Digests {
    /// Empty digests with an optional size.
    pub fn new(size: Option<u64>) -> Self {
        Digests {
            size,
            hashes: BTreeMap::new(),
        }
    }

    /// Size in bytes, when known.
    pub fn size(&self) -> Option<u64> {
        self.size
    }

    /// Sets the size.
    pub fn set_size(&mut self, size: Option<u64>) {
        self.size = size;
    }

    /// Adds or replaces a hash by algorithm (raw digest bytes).
    pub fn insert(&mut self, algorithm: HashAlgorithm, value: Vec<u8>) {
        self.hashes.insert(Cow::Borrowed(algorithm.name()), value);
    }

    /// Adds or replaces a hash by name, including names this crate cannot compute.
    pub fn insert_named(&mut self, name: impl Into<String> + AsRef<str>, value: Vec<u8>) {
        let key = match HashAlgorithm::from_name(name.as_ref()) {
            Some(a) => Cow::Borrowed(a.name()),
            None => Cow::Owned(name.into()),
        };
        self.hashes.insert(key, value);
    }

    /// Builder form of [`Digests::insert`].
    pub fn with(mut self, algorithm: HashAlgorithm, value: Vec<u8>) -> Self {
        self.insert(algorithm, value);
        self
    }

    /// Raw digest for an algorithm.
    pub fn get(&self, algorithm: HashAlgorithm) -> Option<&[u8]> {
        self.get_named(algorithm.name())
    }

    /// Raw digest by hash name.
    pub fn get_named(&self, name: &str) -> Option<&[u8]> {
        self.hashes.get(name).map(Vec::as_slice)
    }

    /// Lower-case hex digest by hash name.
    pub fn hex(&self, name: &str) -> Option<String> {
        self.get_named(name).map(to_hex)
    }

    /// `(name, raw digest)` pairs in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.hashes.iter().map(|(k, v)| (k.as_ref(), v.as_slice()))
    }

    /// Number of hashes (the size does not count).
    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    /// True when no hash is recorded (a size alone may be).
    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    /// The recorded hashes this crate can compute.
    pub fn supported_algorithms(&self) -> Vec<HashAlgorithm> {
        self.hashes
            .keys()
            .filter_map(|k| HashAlgorithm::from_name(k))
            .collect()
    }

    /// True when every hash both sides record (and the size, when both know it) agrees, and
    /// they share at least one hash or a size.
    pub fn matches(&self, other: &Digests) -> bool {
        let mut shared = false;
        if let (Some(a), Some(b)) = (self.size, other.size) {
            if a != b {
                return false;
            }
            shared = true;
        }
        for (name, value) in &self.hashes {
            if let Some(o) = other.hashes.get(name) {
                if o != value {
                    return false;
                }
                shared = true;
            }
        }
        shared
    }

    /// Checks `actual` (computed from file contents) against these expected digests.
    ///
    /// The size is compared first. Then every hash recorded here that this crate supports
    /// must be present in `actual` and equal; at least one supported hash must be recorded,
    /// and every algorithm in `required` must be recorded. Unsupported recorded hashes are
    /// skipped, as Portage skips hashes it has no implementation for.
    pub fn verify(&self, actual: &Digests, required: &[HashAlgorithm]) -> Result<(), VerifyError> {
        if let Some(expected) = self.size {
            match actual.size {
                Some(got) if got != expected => {
                    return Err(VerifyError::Size { expected, got });
                }
                None => return Err(VerifyError::NotComputed("size".into())),
                _ => {}
            }
        }
        for r in required {
            if self.get(*r).is_none() {
                return Err(VerifyError::MissingRequired(*r));
            }
        }
        let supported = self.supported_algorithms();
        if supported.is_empty() {
            return Err(VerifyError::NoVerifiableHash {
                recorded: self.hashes.keys().map(|k| k.to_string()).collect(),
            });
        }
        for alg in supported {
            let want = self.get(alg).unwrap_or_default();
            let Some(got) = actual.get(alg) else {
                return Err(VerifyError::NotComputed(alg.name().into()));
            };
            if want != got {
                return Err(VerifyError::Hash {
                    algorithm: alg,
                    expected: to_hex(want),
                    got: to_hex(got),
                });
            }
        }
        Ok(())
    }
}

/// Why a file does not match its expected [`Digests`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The size differs.
    #[error("size mismatch: expected {expected} bytes, got {got}")]
    Size {
        /// Expected size.
        expected: u64,
        /// Actual size.
        got: u64,
    },
    /// A hash differs.
    #[error("{algorithm} mismatch: expected {expected}, got {got}")]
    Hash {
        /// The algorithm.
        algorithm: HashAlgorithm,
        /// Expected hex digest.
        expected: String,
        /// Actual hex digest.
        got: String,
    },
    /// A hash the policy requires is not recorded.
    #[error("required hash {0} is not recorded")]
    MissingRequired(HashAlgorithm),
    /// None of the recorded hashes is one this crate can compute.
    #[error("insufficient data for checksum verification: no supported hash among {recorded:?}")]
    NoVerifiableHash {
        /// The recorded hash names.
        recorded: Vec<String>,
    },
    /// The computed digests lack a value that was expected (a caller error: hash with
    /// [`Digests::supported_algorithms`] of the expected digests).
    #[error("{0} was not computed")]
    NotComputed(String),
}

enum State {
    Blake2b(Box<Blake2b512>),
    Blake2s(Box<Blake2s256>),
    Md5(Box<Md5>),
    Sha1(Box<Sha1>),
    Sha256(Box<Sha256>),
    Sha512(Box<Sha512>),
}

impl State {
    fn new(a: HashAlgorithm) -> Self {
        match a {
            HashAlgorithm::Blake2b => State::Blake2b(Box::default()),
            HashAlgorithm::Blake2s => State::Blake2s(Box::default()),
            HashAlgorithm::Md5 => State::Md5(Box::default()),
            HashAlgorithm::Sha1 => State::Sha1(Box::default()),
            HashAlgorithm::Sha256 => State::Sha256(Box::default()),
            HashAlgorithm::Sha512 => State::Sha512(Box::default()),
        }
    }
    fn update(&mut self, data: &[u8]) {
        match self {
            State::Blake2b(h) => h.update(data),
            State::Blake2s(h) => h.update(data),
            State::Md5(h) => h.update(data),
            State::Sha1(h) => h.update(data),
            State::Sha256(h) => h.update(data),
            State::Sha512(h) => h.update(data),
        }
    }
    fn finish(self) -> Vec<u8> {
        match self {
            State::Blake2b(h) => h.finalize().to_vec(),
            State::Blake2s(h) => h.finalize().to_vec(),
            State::Md5(h) => h.finalize().to_vec(),
            State::Sha1(h) => h.finalize().to_vec(),
            State::Sha256(h) => h.finalize().to_vec(),
            State::Sha512(h) => h.finalize().to_vec(),
        }
    }
}

/// Computes several hashes and the size in one pass over the data.
pub struct MultiHasher {
    states: Vec<(HashAlgorithm, State)>,
    size: u64,
}

impl fmt::Debug for MultiHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MultiHasher")
            .field(
                "algorithms",
                &self.states.iter().map(|s| s.0).collect::<Vec<_>>(),
            )
            .field("size", &self.size)
            .finish()
    }
}

impl MultiHasher {
    /// A hasher for the given algorithms (duplicates are ignored).
    pub fn new(algorithms: impl IntoIterator<Item = HashAlgorithm>) -> Self {
        let mut states: Vec<(HashAlgorithm, State)> = Vec::new();
        for a in algorithms {
            if !states.iter().any(|s| s.0 == a) {
                states.push((a, State::new(a)));
            }
        }
        MultiHasher { states, size: 0 }
    }

    /// Feeds bytes into every hash.
    pub fn update(&mut self, data: &[u8]) {
        self.size += data.len() as u64;
        for (_, s) in &mut self.states {
            s.update(data);
        }
    }

    /// Bytes fed so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Finishes every hash; the result carries the byte count as its size.
    pub fn finish(self) -> Digests {
        let mut d = Digests::new(Some(self.size));
        for (a, s) in self.states {
            d.insert(a, s.finish());
        }
        d
    }

    /// Reads `reader` to its end, hashing everything.
    pub fn update_reader<R: Read>(&mut self, mut reader: R) -> io::Result<()> {
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => return Ok(()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            self.update(&buf[..n]);
        }
    }
}

/// Hashes a whole reader in one pass.
pub fn hash_reader<R: Read>(
    reader: R,
    algorithms: impl IntoIterator<Item = HashAlgorithm>,
) -> io::Result<Digests> {
    let mut h = MultiHasher::new(algorithms);
    h.update_reader(reader)?;
    Ok(h.finish())
}

/// Files at least this big are hashed with one thread per algorithm by [`hash_file`].
pub const PARALLEL_HASH_MIN_SIZE: u64 = 4 << 20;

/// Hashes a reader in one pass with one thread per algorithm (the reader is still read
/// once; each chunk is shared with every hashing thread).
pub fn hash_reader_parallel<R: Read>(
    mut reader: R,
    algorithms: impl IntoIterator<Item = HashAlgorithm>,
) -> io::Result<Digests> {
    let mut algs: Vec<HashAlgorithm> = Vec::new();
    for a in algorithms {
        if !algs.contains(&a) {
            algs.push(a);
        }
    }
    std::thread::scope(|scope| {
        let mut senders = Vec::new();
        let mut workers = Vec::new();
        for a in &algs {
            let (tx, rx) = std::sync::mpsc::sync_channel::<std::sync::Arc<Vec<u8>>>(4);
            senders.push(tx);
            let a = *a;
            workers.push(scope.spawn(move || {
                let mut state = State::new(a);
                for chunk in rx {
                    state.update(&chunk);
                }
                (a, state.finish())
            }));
        }
        let mut size = 0u64;
        loop {
            let mut buf = vec![0u8; 1 << 20];
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            buf.truncate(n);
            size += n as u64;
            let chunk = std::sync::Arc::new(buf);
            for tx in &senders {
                // A worker only stops early by panicking, which join reports below.
                let _ = tx.send(chunk.clone());
            }
        }
        drop(senders);
        let mut d = Digests::new(Some(size));
        for w in workers {
            let (a, v) = w
                .join()
                .map_err(|_| io::Error::other("a hashing thread panicked"))?;
            d.insert(a, v);
        }
        Ok(d)
    })
}

/// Hashes a file in one pass (one thread per algorithm for big files when more than one
/// algorithm is asked for and the machine has several cores).
pub fn hash_file(
    path: &Path,
    algorithms: impl IntoIterator<Item = HashAlgorithm>,
) -> io::Result<Digests> {
    let file = File::open(path)?;
    let len = file.metadata()?.len();
    hash_open_file(file, len, algorithms)
}

/// [`hash_file`] of an already opened file of `len` bytes.
pub(crate) fn hash_open_file(
    file: File,
    len: u64,
    algorithms: impl IntoIterator<Item = HashAlgorithm>,
) -> io::Result<Digests> {
    let algs: Vec<HashAlgorithm> = algorithms.into_iter().collect();
    let big = len >= PARALLEL_HASH_MIN_SIZE;
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    if big && algs.len() > 1 && cores > 1 {
        hash_reader_parallel(file, algs)
    } else {
        hash_reader(file, algs)
    }
}

/// Checks a file on disk against expected digests: the size (from metadata) first, so a
/// wrong-sized file is rejected without being read; then every supported hash in one read.
pub fn verify_file(
    path: &Path,
    expected: &Digests,
    required: &[HashAlgorithm],
) -> Result<(), VerifyFileError> {
    let io_err = |source| VerifyFileError::Io {
        path: path.to_owned(),
        source,
    };
    // One open and one fstat: the size checked is the size of the file then hashed.
    let file = File::open(path).map_err(io_err)?;
    let len = file.metadata().map_err(io_err)?.len();
    if let Some(want) = expected.size()
        && len != want
    {
        return Err(VerifyFileError::Mismatch {
            path: path.to_owned(),
            source: VerifyError::Size {
                expected: want,
                got: len,
            },
        });
    }
    let actual = hash_open_file(file, len, expected.supported_algorithms()).map_err(io_err)?;
    expected
        .verify(&actual, required)
        .map_err(|source| VerifyFileError::Mismatch {
            path: path.to_owned(),
            source,
        })
}

/// Error from [`verify_file`].
#[derive(Debug, thiserror::Error)]
pub enum VerifyFileError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The file does not match.
    #[error("{path}: {source}")]
    Mismatch {
        /// The file.
        path: std::path::PathBuf,
        /// What differs.
        source: VerifyError,
    },
}

/// A writer adaptor that hashes everything written through it.
pub struct HashingWriter<W> {
    inner: W,
    hasher: MultiHasher,
}

impl<W: Write> HashingWriter<W> {
    /// Wraps `inner`, continuing from an existing hasher state (e.g. one that already hashed
    /// the part of a file kept for a resumed download).
    pub fn new(inner: W, hasher: MultiHasher) -> Self {
        HashingWriter { inner, hasher }
    }

    /// Bytes hashed so far (including any prefix the hasher was created with).
    pub fn size(&self) -> u64 {
        self.hasher.size()
    }

    /// Returns the inner writer and the digests.
    pub fn finish(self) -> (W, Digests) {
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn known_vectors() {
        // Well-known digests of "abc".
        let d = hash_reader(&b"abc"[..], HashAlgorithm::ALL).unwrap();
        assert_eq!(d.size(), Some(3));
        assert_eq!(d.hex("MD5").unwrap(), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            d.hex("SHA1").unwrap(),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            d.hex("SHA256").unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(d.hex("SHA512").unwrap().starts_with("ddaf35a193617aba"));
        assert!(d.hex("BLAKE2B").unwrap().starts_with("ba80a53f981c4d0d"));
        assert!(d.hex("BLAKE2S").unwrap().starts_with("508c5e8c327c14e2"));
    }

    #[test]
    fn chunked_equals_whole() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let whole = hash_reader(&data[..], HashAlgorithm::ALL).unwrap();
        let mut h = MultiHasher::new(HashAlgorithm::ALL);
        for c in data.chunks(777) {
            h.update(c);
        }
        assert_eq!(h.finish(), whole);
    }

    #[test]
    fn parallel_equals_sequential() {
        // More than two 1 MiB chunks, two cheap algorithms (debug builds hash slowly).
        let data: Vec<u8> = (0..2_200_000u32).map(|i| (i * 13 % 253) as u8).collect();
        let algs = [HashAlgorithm::Md5, HashAlgorithm::Blake2s];
        let seq = hash_reader(&data[..], algs).unwrap();
        let par = hash_reader_parallel(&data[..], algs).unwrap();
        assert_eq!(seq, par);
        assert_eq!(par.size(), Some(2_200_000));
    }

    #[test]
    fn verify_rules() {
        let actual = hash_reader(&b"hello"[..], HashAlgorithm::ALL).unwrap();
        let mut expected = Digests::new(Some(5));
        expected.insert(
            HashAlgorithm::Sha512,
            actual.get(HashAlgorithm::Sha512).unwrap().to_vec(),
        );
        assert!(expected.verify(&actual, &[]).is_ok());
        assert_eq!(
            expected.verify(&actual, &[HashAlgorithm::Blake2b]),
            Err(VerifyError::MissingRequired(HashAlgorithm::Blake2b))
        );
        let mut wrong_size = expected.clone();
        wrong_size.set_size(Some(6));
        assert!(matches!(
            wrong_size.verify(&actual, &[]),
            Err(VerifyError::Size {
                expected: 6,
                got: 5
            })
        ));
        let mut bad = expected.clone();
        bad.insert(HashAlgorithm::Sha512, vec![0; 64]);
        assert!(matches!(
            bad.verify(&actual, &[]),
            Err(VerifyError::Hash { .. })
        ));
        let mut only_unknown = Digests::new(Some(5));
        only_unknown.insert_named("WHIRLPOOL", vec![1; 64]);
        assert!(matches!(
            only_unknown.verify(&actual, &[]),
            Err(VerifyError::NoVerifiableHash { .. })
        ));
        // unknown hashes next to a known one are skipped
        expected.insert_named("WHIRLPOOL", vec![1; 64]);
        assert!(expected.verify(&actual, &[]).is_ok());
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(from_hex("00ffA0").unwrap(), vec![0, 255, 160]);
        assert_eq!(to_hex(&[0, 255, 160]), "00ffa0");
        assert!(from_hex("abc").is_none());
        assert!(from_hex("zz").is_none());
    }
}
