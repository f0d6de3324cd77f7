//! The archive index: which archive (final name + key) is which blob, plus blob states.
//!
//! [`ArchiveIndex`] is the seam: the store only talks to the index through it, so a shared
//! server database can replace the embedded SQLite one ([`crate::SqliteIndex`]) later.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::digests::BlobDigests;
use crate::error::Result;
use crate::key::ArchiveKey;

/// The state of a blob in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobState {
    /// Present and (as far as last checked) intact.
    Ok,
    /// Failed verification and moved to `quarantine/`; `find` misses it.
    Quarantined,
    /// Not found on disk by the last verification.
    Missing,
}

impl BlobState {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BlobState::Ok => "ok",
            BlobState::Quarantined => "quarantined",
            BlobState::Missing => "missing",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<BlobState> {
        match s {
            "ok" => Some(BlobState::Ok),
            "quarantined" => Some(BlobState::Quarantined),
            "missing" => Some(BlobState::Missing),
            _ => None,
        }
    }
}

/// One blob row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlobRecord {
    /// Size and hashes.
    #[serde(flatten)]
    pub digests: BlobDigests,
    /// When the blob was first stored (seconds since the epoch).
    pub created_at: i64,
    /// When it was last verified, if ever.
    pub verified_at: Option<i64>,
    /// Its state.
    pub state: BlobState,
}

/// One archive row: a final name and key pointing at a blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArchiveRecord {
    /// Row id.
    pub id: i64,
    /// The final name.
    pub final_name: String,
    /// The key.
    pub key: ArchiveKey,
    /// Digest of key and final name (see [`crate::key`]).
    pub key_digest: String,
    /// The blob's size and hashes.
    #[serde(flatten)]
    pub digests: BlobDigests,
    /// Free-form metadata recorded when stored.
    pub metadata: BTreeMap<String, String>,
    /// When stored (seconds since the epoch).
    pub created_at: i64,
    /// When a newer archive for the same name and key replaced this one.
    pub superseded_at: Option<i64>,
    /// The blob's state.
    pub state: BlobState,
}

/// What to insert for a newly stored archive.
#[derive(Debug, Clone)]
pub struct NewArchive<'a> {
    /// The final name.
    pub final_name: &'a str,
    /// The key.
    pub key: &'a ArchiveKey,
    /// Digest of key and final name.
    pub key_digest: &'a str,
    /// The blob.
    pub digests: &'a BlobDigests,
    /// Metadata.
    pub metadata: &'a BTreeMap<String, String>,
    /// Time of storing (seconds since the epoch).
    pub now: i64,
}

/// Which rows [`ArchiveIndex::list`] returns.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this final name.
    pub final_name: Option<String>,
    /// Include superseded rows.
    pub include_superseded: bool,
}

/// The index of a store. Implementations must be safe for many processes at once: every
/// method is one transaction.
pub trait ArchiveIndex: Send + Sync {
    /// Records a stored archive: upserts the blob row (state `ok`), and unless the
    /// active row for `key_digest` already points at the same blob, marks it superseded
    /// and inserts a new active row, all in one transaction. Returns the active row.
    fn insert(&self, new: &NewArchive<'_>) -> Result<ArchiveRecord>;

    /// The active row for `key_digest`, whatever its blob state.
    fn find(&self, key_digest: &str) -> Result<Option<ArchiveRecord>>;

    /// Rows matching `filter`, ordered by final name, then creation time, then id.
    fn list(&self, filter: &ListFilter) -> Result<Vec<ArchiveRecord>>;

    /// The row with this id.
    fn get(&self, id: i64) -> Result<Option<ArchiveRecord>>;

    /// Rows whose blob SHA-512 starts with `prefix`.
    fn by_sha512_prefix(&self, prefix: &str) -> Result<Vec<ArchiveRecord>>;

    /// The blob row for `sha512`.
    fn blob(&self, sha512: &str) -> Result<Option<BlobRecord>>;

    /// All blob rows, ordered by SHA-512.
    fn blobs(&self) -> Result<Vec<BlobRecord>>;

    /// Sets a blob's state and, if given, its verification time.
    fn set_blob_state(
        &self,
        sha512: &str,
        state: BlobState,
        verified_at: Option<i64>,
    ) -> Result<()>;

    /// Deletes archive rows by id.
    fn delete_archives(&self, ids: &[i64]) -> Result<()>;

    /// Deletes a blob row (only when no archive row refers to it; returns whether it was
    /// deleted).
    fn delete_blob(&self, sha512: &str) -> Result<bool>;
}
