//! The error type of this crate: every variant names the file and, where it applies, the
//! line or byte offset of the problem.

use std::path::PathBuf;

/// Errors from reading, writing and validating caches and the search index.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A cache file is not valid UTF-8.
    #[error("{path}: line {line}: not valid UTF-8 (at byte {byte_offset})")]
    NotUtf8 {
        /// The cache file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// Byte offset of the first invalid byte in the file.
        byte_offset: usize,
    },
    /// A line of a cache entry is not `KEY=value`.
    #[error("{path}: line {line}: malformed cache line {text:?}: {reason}")]
    MalformedLine {
        /// The cache file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The offending line.
        text: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A key appears twice in one cache entry.
    #[error("{path}: line {line}: duplicate key {key:?} (first on line {first_line})")]
    DuplicateKey {
        /// The cache file.
        path: PathBuf,
        /// 1-based line number of the repetition.
        line: usize,
        /// 1-based line number of the first occurrence.
        first_line: usize,
        /// The repeated key.
        key: String,
    },
    /// The `_eclasses_` value cannot be decoded.
    #[error("{path}: line {line}: bad _eclasses_ value: {reason} (field {field})")]
    BadEclasses {
        /// The cache file.
        path: PathBuf,
        /// 1-based line number of the `_eclasses_` line.
        line: usize,
        /// 0-based index of the offending tab-separated field.
        field: usize,
        /// What is wrong.
        reason: String,
    },
    /// A category or package file name that is not `<category>/<PF>`.
    #[error("{category}/{pf}: not a valid category/PF: {reason}")]
    BadKey {
        /// The category part.
        category: String,
        /// The PF part.
        pf: String,
        /// What is wrong.
        reason: String,
    },
    /// An entry cannot be written in the requested format (e.g. no `_md5_` for md5-dict).
    #[error("cannot write {key}: {reason}")]
    Unwritable {
        /// `category/PF` of the entry.
        key: String,
        /// What is missing.
        reason: &'static str,
    },
    /// The cache is read-only.
    #[error("this cache is read-only")]
    ReadOnly,
    /// A search index file is corrupt, truncated or of another format version.
    #[error("{path}: corrupt search index: {reason} (at byte {byte_offset})")]
    CorruptIndex {
        /// The index file.
        path: PathBuf,
        /// Offset in the file where the problem was found.
        byte_offset: u64,
        /// What is wrong.
        reason: String,
    },
    /// A regular expression given to a query does not compile.
    #[error("invalid regular expression {pattern:?}: {source}")]
    BadRegex {
        /// The pattern.
        pattern: String,
        /// The regex crate's error.
        #[source]
        source: Box<regex::Error>,
    },
    /// The caller-supplied per-package data source failed.
    #[error("{category}/{package}: extra package data: {message}")]
    ExtraData {
        /// Category.
        category: String,
        /// Package name.
        package: String,
        /// The source's message.
        message: String,
    },
}

impl CacheError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CacheError::Io {
            path: path.into(),
            source,
        }
    }
}
