//! Errors of repository operations, and the problems that make single packages
//! unavailable without failing a query.

use std::fmt;
use std::path::PathBuf;

use strata_cache::StaleReason;

/// An error that stops a repository operation (opening a repository, listing a directory
/// that exists but cannot be read).
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// A file or directory could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The path is not a repository of the expected kind.
    #[error("{}: not a repository: {reason}", path.display())]
    NotARepository {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A master repository named by layout.conf or repos.conf is not configured.
    #[error("repository {repo:?}: master {master:?} is not configured")]
    UnknownMaster {
        /// The repository.
        repo: String,
        /// The missing master.
        master: String,
    },
    /// The search index is not available (no cache directory known, or building it
    /// failed).
    #[error("search index: {0}")]
    Index(String),
    /// An error from the metadata cache layer.
    #[error(transparent)]
    Cache(#[from] strata_cache::CacheError),
}

impl RepoError {
    /// An I/O error at `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        RepoError::Io {
            path: path.into(),
            source,
        }
    }
}

/// What is wrong with one package (or one file that should have been a package).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file or directory name is not a valid `category/PN-PVR`.
    InvalidName {
        /// The parser's message.
        message: String,
    },
    /// The package's EAPI is not supported.
    UnsupportedEapi {
        /// The EAPI as written.
        eapi: String,
    },
    /// There is no metadata cache entry (metadata regeneration by sourcing the ebuild is
    /// not implemented yet).
    MissingCacheEntry,
    /// The cache entry cannot be read or parsed.
    BrokenCacheEntry {
        /// Why.
        message: String,
    },
    /// The cache entry no longer matches the ebuild or its eclasses. The package is still
    /// listed with the metadata the entry holds; regeneration comes later.
    StaleCacheEntry {
        /// Every reason it is stale.
        reasons: Vec<StaleReason>,
    },
    /// A metadata value is malformed (a dependency class that does not parse, no SLOT...).
    BadMetadata {
        /// The metadata key.
        key: String,
        /// Why.
        message: String,
    },
    /// The package's metadata.xml could not be parsed (the package stays available).
    MetadataXml {
        /// Why, with the byte offset.
        message: String,
    },
    /// An installed-package entry is damaged.
    BadVdbEntry {
        /// Why.
        message: String,
    },
}

impl ProblemKind {
    /// Whether the problem makes the package unusable (as opposed to a warning: stale
    /// cache entries and bad metadata.xml keep the package available).
    pub fn makes_unavailable(&self) -> bool {
        !matches!(
            self,
            ProblemKind::StaleCacheEntry { .. } | ProblemKind::MetadataXml { .. }
        )
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProblemKind::InvalidName { message } => write!(f, "invalid name: {message}"),
            ProblemKind::UnsupportedEapi { eapi } => write!(f, "unsupported EAPI {eapi:?}"),
            ProblemKind::MissingCacheEntry => f.write_str(
                "no metadata cache entry (metadata regeneration is not implemented yet)",
            ),
            ProblemKind::BrokenCacheEntry { message } => {
                write!(f, "broken metadata cache entry: {message}")
            }
            ProblemKind::StaleCacheEntry { reasons } => {
                f.write_str("stale metadata cache entry (")?;
                for (i, r) in reasons.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{r}")?;
                }
                f.write_str("); using it until metadata regeneration is implemented")
            }
            ProblemKind::BadMetadata { key, message } => write!(f, "bad {key}: {message}"),
            ProblemKind::MetadataXml { message } => write!(f, "bad metadata.xml: {message}"),
            ProblemKind::BadVdbEntry { message } => write!(f, "bad installed entry: {message}"),
        }
    }
}

/// A problem found with one package of one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The repository id.
    pub repo: String,
    /// `category/PF` (or `category/name` when the name does not parse).
    pub key: String,
    /// The file the problem is about (ebuild, cache entry, metadata.xml, vdb entry).
    pub path: PathBuf,
    /// What is wrong.
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}::{} ({}): {}",
            self.key,
            self.repo,
            self.path.display(),
            self.kind
        )
    }
}

/// A thread-safe record of the problems found so far, keyed so that the same problem
/// found twice is kept once.
#[derive(Debug, Default)]
pub(crate) struct ProblemLog {
    inner: std::sync::Mutex<std::collections::BTreeMap<(String, u8), Problem>>,
}

impl ProblemLog {
    pub(crate) fn record(&self, p: Problem) {
        let slot = match p.kind {
            ProblemKind::MetadataXml { .. } => 1,
            ProblemKind::BadMetadata { .. } => 2,
            _ => 0,
        };
        let mut g = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.insert((p.key.clone(), slot), p);
    }

    pub(crate) fn all(&self) -> Vec<Problem> {
        let g = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        g.values().cloned().collect()
    }
}
