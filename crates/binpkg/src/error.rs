//! The crate's error type.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong reading or writing binary packages.
///
/// Variants carry the offending input and its position: the file (via [`Error::InFile`]),
/// the byte offset, the member or entry name, or the line number.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error on a named file or directory.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// An I/O error while streaming (file unknown at this level; see [`Error::InFile`]).
    #[error("I/O error: {0}")]
    Stream(#[from] io::Error),
    /// An error inside a named file.
    #[error("{}: {source}", path.display())]
    InFile {
        /// The file.
        path: PathBuf,
        /// What went wrong inside it.
        source: Box<Error>,
    },
    /// A malformed XPAK segment or trailer.
    #[error("bad xpak at byte {offset}: {reason}")]
    Xpak {
        /// Byte offset of the problem (from the start of the xpak segment, or of the file
        /// for trailer problems).
        offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// A value that must be text is not valid UTF-8.
    #[error("metadata key {key:?} is not valid UTF-8 (at byte {offset} of its value)")]
    NotUtf8 {
        /// The metadata key.
        key: String,
        /// Offset of the first invalid byte within the value.
        offset: usize,
    },
    /// The file is neither an XPAK binpkg nor a GPKG.
    #[error("not a binary package (neither xpak trailer nor gpkg-1 marker found)")]
    UnknownFormat,
    /// A compressed stream whose compressor is not recognised or not supported.
    #[error("unsupported or unknown compression (magic bytes {magic:02x?})")]
    UnknownCompression {
        /// The first bytes of the stream.
        magic: Vec<u8>,
    },
    /// A structural problem in a GPKG container.
    #[error("bad gpkg member {member:?}: {reason}")]
    Gpkg {
        /// The member name (as stored in the outer tar).
        member: String,
        /// What is wrong.
        reason: String,
    },
    /// A GPKG `Manifest` line that cannot be parsed.
    #[error("bad gpkg Manifest line {line}: {reason}: {text:?}")]
    Manifest {
        /// 1-based line number.
        line: usize,
        /// The line.
        text: String,
        /// What is wrong.
        reason: String,
    },
    /// A GPKG member whose size or hash does not match the `Manifest`.
    #[error("gpkg member {member:?} fails verification: {what} expected {expected}, got {actual}")]
    Verification {
        /// The member basename.
        member: String,
        /// `size`, `BLAKE2B`, `SHA512`, ...
        what: String,
        /// The value from the Manifest.
        expected: String,
        /// The computed value.
        actual: String,
    },
    /// An image entry that is unsafe to list or extract (hostile input).
    #[error("unsafe image entry {entry:?}: {reason}")]
    UnsafeEntry {
        /// The entry name as stored in the archive.
        entry: String,
        /// Why it is refused.
        reason: String,
    },
    /// A configured size or count limit was exceeded.
    #[error("limit exceeded at {entry:?}: {what} {actual} > limit {limit}")]
    LimitExceeded {
        /// The entry (or member) being read when the limit was hit.
        entry: String,
        /// Which limit.
        what: &'static str,
        /// The limit.
        limit: u64,
        /// The value seen.
        actual: u64,
    },
    /// A `Packages` index problem.
    #[error("Packages index line {line}: {reason}")]
    Index {
        /// 1-based line number (0 when not line-specific).
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The `Packages` index VERSION is missing or newer than supported.
    #[error("unsupported Packages index VERSION {found:?} (supported: <= {supported})")]
    IndexVersion {
        /// The VERSION value, if any.
        found: Option<String>,
        /// The highest supported version.
        supported: u32,
    },
    /// An invalid category, PF, CPV or file name.
    #[error("invalid package name {name:?}: {reason}")]
    BadName {
        /// The name.
        name: String,
        /// Why it is invalid.
        reason: String,
    },
    /// A required metadata key is missing.
    #[error("required metadata key {0:?} is missing")]
    MissingKey(String),
}

impl Error {
    /// Wraps `self` with the file it happened in (no double wrapping).
    pub fn in_file(self, path: impl Into<PathBuf>) -> Error {
        match self {
            Error::InFile { .. } | Error::Io { .. } => self,
            other => Error::InFile {
                path: path.into(),
                source: Box::new(other),
            },
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// The innermost error (unwrapping [`Error::InFile`]).
    pub fn root(&self) -> &Error {
        match self {
            Error::InFile { source, .. } => source.root(),
            other => other,
        }
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
