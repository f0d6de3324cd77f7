//! The error type of the archive store.

use std::io;
use std::path::PathBuf;

/// Everything that can go wrong while building, storing, finding or maintaining archives.
///
/// Each variant carries the offending input (a name, a key, a path, a line) so the message
/// says what was wrong and where.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A final name that cannot be a distfile name.
    #[error("invalid final name {name:?}: {reason}")]
    InvalidFinalName {
        /// The rejected name.
        name: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A final name whose extension does not select a supported compression.
    #[error(
        "unknown archive extension in {name:?}: the final name must end in .tar.xz, .tar.zst, .tar.gz or .tar.bz2"
    )]
    UnknownExtension {
        /// The rejected name.
        name: String,
    },
    /// A key that is not a map of strings to strings.
    #[error("invalid archive key {input:?}: {reason}")]
    InvalidKey {
        /// The key text as given (a `k=v` pair or a JSON document).
        input: String,
        /// Why it was rejected (for JSON, with line and column).
        reason: String,
    },
    /// A path inside an archive that is absolute, empty, contains `..` or NUL, or similar.
    #[error("invalid path inside the archive {path:?}: {reason}")]
    InvalidEntryPath {
        /// The rejected path.
        path: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// Two entries of one archive with the same path (or a file where a directory is needed).
    #[error("archive entry {path:?} added twice or conflicting with a directory")]
    DuplicateEntry {
        /// The conflicting path inside the archive.
        path: String,
    },
    /// An input that is neither a regular file, a directory nor a symbolic link.
    #[error("unsupported input file type at {path}")]
    UnsupportedInput {
        /// The input path.
        path: PathBuf,
    },
    /// An input file that changed size while it was being archived.
    #[error("input file {path} changed while it was read (expected {expected} bytes)")]
    InputChanged {
        /// The input path.
        path: PathBuf,
        /// The size seen when the file was opened.
        expected: u64,
    },
    /// The store root does not exist or is not a directory.
    #[error("archive store directory {path} does not exist or is not a directory")]
    StoreMissing {
        /// The store root that was asked for.
        path: PathBuf,
    },
    /// An I/O operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done ("read", "create", "rename", ...).
        op: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The index database failed.
    #[error("archive index: {context}: {message}")]
    Index {
        /// What the index was doing.
        context: String,
        /// The database's message.
        message: String,
    },
    /// A stored index row that cannot be decoded.
    #[error("corrupt index row {id}: {reason}")]
    CorruptRecord {
        /// Row id.
        id: i64,
        /// What is wrong with it.
        reason: String,
    },
    /// A Manifest line that could not be read while collecting GC roots.
    #[error("{path}:{line}: {reason}")]
    Manifest {
        /// The Manifest file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong with the line.
        reason: String,
    },
    /// An export target that already exists with different content.
    #[error("{path} already exists with different content (wanted {wanted})")]
    ExportConflict {
        /// The existing file.
        path: PathBuf,
        /// What would have been written there (a SHA512, or a layout).
        wanted: String,
    },
    /// A query that matched nothing (for `show`).
    #[error("no archive matches {query:?}")]
    NotFound {
        /// The query as given.
        query: String,
    },
}

impl ArchiveError {
    /// Builds an [`ArchiveError::Io`] for `op` on `path`.
    pub fn io(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        ArchiveError::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T, E = ArchiveError> = std::result::Result<T, E>;
