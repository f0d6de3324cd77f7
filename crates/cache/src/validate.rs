//! Whether a cache entry still describes its ebuild: the ebuild checksum and every
//! inherited eclass's checksum must match what the entry recorded.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::eclass::{EclassPath, md5_file, mtime_secs};
use crate::entry::{CacheEntry, EclassChecksum};
use crate::error::CacheError;

/// Why an entry is stale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaleReason {
    /// The ebuild the entry describes does not exist.
    EbuildMissing {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The entry records no checksum of the ebuild (`_md5_` / `_mtime_`).
    NoEbuildChecksum,
    /// The ebuild's md5 differs from `_md5_`.
    EbuildMd5 {
        /// Recorded in the entry.
        recorded: String,
        /// Of the ebuild now.
        actual: String,
    },
    /// The ebuild's mtime differs from `_mtime_`.
    EbuildMtime {
        /// Recorded in the entry.
        recorded: i64,
        /// Of the ebuild now.
        actual: i64,
    },
    /// An inherited eclass is on none of the eclass directories.
    EclassMissing {
        /// The eclass.
        name: String,
    },
    /// An inherited eclass's checksum (or directory) differs from the recorded one.
    EclassChanged {
        /// The eclass.
        name: String,
        /// Recorded checksum (and directory, when recorded).
        recorded: String,
        /// Checksum (and directory) of the eclass the path resolves now.
        actual: String,
    },
}

impl fmt::Display for StaleReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StaleReason::EbuildMissing { path } => {
                write!(f, "ebuild {} is missing", path.display())
            }
            StaleReason::NoEbuildChecksum => f.write_str("no ebuild checksum recorded"),
            StaleReason::EbuildMd5 { recorded, actual } => {
                write!(f, "ebuild md5 is {actual}, cache says {recorded}")
            }
            StaleReason::EbuildMtime { recorded, actual } => {
                write!(f, "ebuild mtime is {actual}, cache says {recorded}")
            }
            StaleReason::EclassMissing { name } => write!(f, "eclass {name} not found"),
            StaleReason::EclassChanged {
                name,
                recorded,
                actual,
            } => write!(f, "eclass {name} is {actual}, cache says {recorded}"),
        }
    }
}

/// The outcome of validating one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Validity {
    /// The entry matches its ebuild and eclasses (or validation was skipped: trusted mode).
    Valid,
    /// The entry is stale, for every reason listed (never empty).
    Stale(Vec<StaleReason>),
}

impl Validity {
    /// Whether the entry can be used as is.
    pub fn is_valid(&self) -> bool {
        matches!(self, Validity::Valid)
    }

    fn from_reasons(reasons: Vec<StaleReason>) -> Self {
        if reasons.is_empty() {
            Validity::Valid
        } else {
            Validity::Stale(reasons)
        }
    }
}

/// Which checksum of the ebuild an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EbuildChecksumKind {
    /// `_md5_` (md5-dict).
    Md5,
    /// `_mtime_` (flat_hash).
    Mtime,
}

/// Validates `entry` against the ebuild at `ebuild` and the eclasses on `eclasses`, the way
/// Portage does: the ebuild checksum must equal the recorded one, and every recorded eclass
/// must resolve on the path with the recorded checksum (and directory, when recorded).
pub fn validate_entry(
    entry: &CacheEntry,
    ebuild: &Path,
    eclasses: &EclassPath,
    kind: EbuildChecksumKind,
) -> Result<Validity, CacheError> {
    let mut reasons = Vec::new();
    match kind {
        EbuildChecksumKind::Md5 => match entry.md5() {
            None => reasons.push(StaleReason::NoEbuildChecksum),
            Some(recorded) => match md5_file(ebuild) {
                Ok(actual) => {
                    if actual != recorded {
                        reasons.push(StaleReason::EbuildMd5 {
                            recorded: recorded.to_owned(),
                            actual,
                        });
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    reasons.push(StaleReason::EbuildMissing {
                        path: ebuild.to_owned(),
                    });
                }
                Err(e) => return Err(CacheError::io(ebuild, e)),
            },
        },
        EbuildChecksumKind::Mtime => match entry.mtime() {
            None => reasons.push(StaleReason::NoEbuildChecksum),
            Some(recorded) => match std::fs::metadata(ebuild) {
                Ok(meta) => {
                    let actual = mtime_secs(&meta);
                    if actual != recorded {
                        reasons.push(StaleReason::EbuildMtime { recorded, actual });
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    reasons.push(StaleReason::EbuildMissing {
                        path: ebuild.to_owned(),
                    });
                }
                Err(e) => return Err(CacheError::io(ebuild, e)),
            },
        },
    }
    for stamp in entry.eclasses() {
        let Some(file) = eclasses.get(&stamp.name) else {
            reasons.push(StaleReason::EclassMissing {
                name: stamp.name.clone(),
            });
            continue;
        };
        let actual = match &stamp.checksum {
            EclassChecksum::Md5(_) => EclassChecksum::Md5(file.md5()?.to_owned()),
            EclassChecksum::Mtime(_) => EclassChecksum::Mtime(file.mtime()?),
        };
        let dir_now = file.dir().to_string_lossy();
        // An empty recorded directory means none was recorded.
        let dir_ok = stamp
            .dir
            .as_deref()
            .filter(|d| !d.is_empty())
            .is_none_or(|d| Path::new(d) == file.dir());
        if actual != stamp.checksum || !dir_ok {
            let show = |dir: Option<&str>, sum: &EclassChecksum| match dir {
                Some(d) => format!("{sum} in {d}"),
                None => sum.to_string(),
            };
            reasons.push(StaleReason::EclassChanged {
                name: stamp.name.clone(),
                recorded: show(stamp.dir.as_deref(), &stamp.checksum),
                actual: show(stamp.dir.as_ref().map(|_| dir_now.as_ref()), &actual),
            });
        }
    }
    Ok(Validity::from_reasons(reasons))
}
