//! [`Store::verify`]: re-hash every blob; quarantine what does not match.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Serialize;

use crate::digests::BlobDigests;
use crate::error::Result;
use crate::index::BlobState;
use crate::store::{Store, now};

/// One blob that failed verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quarantined {
    /// The SHA-512 the blob was stored under.
    pub sha512: String,
    /// Where the file was moved.
    pub moved_to: PathBuf,
    /// What did not match.
    pub reason: String,
}

/// What [`Store::verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// Blobs re-hashed.
    pub checked: usize,
    /// Blobs that matched their index row.
    pub ok: usize,
    /// Blobs that did not match and were moved to `quarantine/`.
    pub quarantined: Vec<Quarantined>,
    /// Indexed blobs whose file is gone (marked `missing`; `find` misses them).
    pub missing: Vec<String>,
    /// Blobs that were marked missing and are back and intact.
    pub restored: Vec<String>,
    /// Blob files with no index row (left in place if their content matches their name).
    pub unindexed: Vec<PathBuf>,
    /// Files under `blobs/` that are not blobs at all (wrong name or place).
    pub stray: Vec<PathBuf>,
    /// Blobs already in quarantine (not re-checked).
    pub already_quarantined: usize,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn is_clean(&self) -> bool {
        self.quarantined.is_empty()
            && self.missing.is_empty()
            && self.unindexed.is_empty()
            && self.stray.is_empty()
    }
}

impl Store {
    /// Re-hashes every blob (size, SHA512, BLAKE2B, SHA256) against the index. A blob that
    /// does not match is moved to `quarantine/` (never deleted) and marked
    /// `quarantined`, so [`Store::find`] misses it and the archive gets rebuilt. A missing
    /// file is marked `missing`. Unindexed blob files are hashed too: one whose content
    /// does not match its name is quarantined.
    pub fn verify(&self) -> Result<VerifyReport> {
        let mut report = VerifyReport::default();
        let rows = self.index().blobs()?;
        let indexed: BTreeSet<String> = rows.iter().map(|b| b.digests.sha512.clone()).collect();
        for blob in rows {
            let sha = blob.digests.sha512.clone();
            if blob.state == BlobState::Quarantined {
                report.already_quarantined += 1;
                continue;
            }
            let path = self.blobs().path(&sha);
            report.checked += 1;
            let actual = match BlobDigests::of_file(&path) {
                Ok(d) => d,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if blob.state != BlobState::Missing {
                        self.index()
                            .set_blob_state(&sha, BlobState::Missing, Some(now()))?;
                    }
                    report.missing.push(sha);
                    continue;
                }
                Err(e) => return Err(crate::ArchiveError::io("read", &path, e)),
            };
            if actual == blob.digests {
                self.index()
                    .set_blob_state(&sha, BlobState::Ok, Some(now()))?;
                if blob.state == BlobState::Missing {
                    report.restored.push(sha);
                }
                report.ok += 1;
                continue;
            }
            let reason = mismatch(&blob.digests, &actual);
            let moved_to = self.quarantine_blob(&sha)?;
            report.quarantined.push(Quarantined {
                sha512: sha,
                moved_to: moved_to.unwrap_or_default(),
                reason,
            });
        }
        for (name, path) in self.blobs().scan()? {
            let Some(sha) = name else {
                report.stray.push(path);
                continue;
            };
            if indexed.contains(&sha) {
                continue;
            }
            report.checked += 1;
            let actual = BlobDigests::of_file(&path)
                .map_err(|e| crate::ArchiveError::io("read", &path, e))?;
            if actual.sha512 == sha {
                report.unindexed.push(path);
            } else {
                let reason = format!("content SHA512 is {}", actual.sha512);
                let moved_to = self.quarantine_blob(&sha)?;
                report.quarantined.push(Quarantined {
                    sha512: sha,
                    moved_to: moved_to.unwrap_or_default(),
                    reason,
                });
            }
        }
        Ok(report)
    }

    /// Moves a blob to quarantine and marks it, under the exclusive GC lock so no store
    /// is between linking and indexing that blob meanwhile.
    pub(crate) fn quarantine_blob(&self, sha512: &str) -> Result<Option<PathBuf>> {
        let _gc = self.locks.gc_exclusive()?;
        let moved = self.blobs().quarantine(sha512)?;
        self.index()
            .set_blob_state(sha512, BlobState::Quarantined, Some(now()))?;
        Ok(moved)
    }
}

fn mismatch(want: &BlobDigests, got: &BlobDigests) -> String {
    if want.size != got.size {
        return format!("size is {} instead of {}", got.size, want.size);
    }
    let mut parts = Vec::new();
    if want.sha512 != got.sha512 {
        parts.push("SHA512");
    }
    if want.blake2b != got.blake2b {
        parts.push("BLAKE2B");
    }
    if want.sha256 != got.sha256 {
        parts.push("SHA256");
    }
    format!("{} mismatch", parts.join(", "))
}
