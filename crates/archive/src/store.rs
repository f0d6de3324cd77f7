//! [`Store`]: a store directory (blobs, index, locks) and its core operations: store, find,
//! import, list and show.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use strata_fetch::hash::{DEFAULT_MANIFEST_HASHES, Digests};
use strata_fetch::manifest::{Entry, FileEntry, FileTag};

use crate::archive::Archive;
use crate::blobs::{BlobStore, is_sha512_hex};
use crate::digests::BlobDigests;
use crate::error::{ArchiveError, Result};
use crate::index::{ArchiveIndex, ArchiveRecord, BlobState, ListFilter, NewArchive};
use crate::key::ArchiveKey;
use crate::lock::Locks;
use crate::name::check_file_name;
use crate::sqlite::SqliteIndex;
use crate::tarball;

/// How much [`Store::find`] checks a blob before returning it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadCheck {
    /// Only that the index says the blob is fine.
    None,
    /// Also that the blob file exists with the recorded size (the default).
    #[default]
    Size,
    /// Also re-hash the blob on every find (slow; a corrupt blob is quarantined).
    Full,
}

/// Options for opening a [`Store`].
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// How long to wait for another process's index transaction (SQLite busy timeout).
    pub busy_timeout: Duration,
    /// Checks done by [`Store::find`].
    pub read_check: ReadCheck,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            busy_timeout: Duration::from_secs(60),
            read_check: ReadCheck::Size,
        }
    }
}

/// A stored archive: its index row and where its blob is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredArchive {
    /// The index row.
    #[serde(flatten)]
    pub record: ArchiveRecord,
    /// The blob file (read-only; copy it, never modify it).
    pub path: PathBuf,
}

impl StoredArchive {
    /// The final name.
    pub fn final_name(&self) -> &str {
        &self.record.final_name
    }

    /// The key it was stored under.
    pub fn key(&self) -> &ArchiveKey {
        &self.record.key
    }

    /// Size and hashes.
    pub fn digests(&self) -> &BlobDigests {
        &self.record.digests
    }

    /// The blob file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The Manifest2 line for this archive: `DIST <name> <size> BLAKE2B <hex> SHA512 <hex>`
    /// (Portage's default hash set, names sorted).
    pub fn manifest_line(&self) -> String {
        dist_line(&self.record.final_name, &self.record.digests)
    }

    /// The Manifest `DIST` entry of [`StoredArchive::manifest_line`], unformatted.
    pub fn manifest_entry(&self) -> FileEntry {
        dist_entry(&self.record.final_name, &self.record.digests)
    }

    /// The `SRC_URI` element fetching this archive from a content-hash mirror at `host`:
    /// `<host>/aa/bb/cc/<sha512> -> <final name>`.
    pub fn src_uri(&self, host: &str) -> String {
        format!(
            "{}/{} -> {}",
            host.trim_end_matches('/'),
            crate::blobs::content_hash_path(&self.record.digests.sha512),
            self.record.final_name
        )
    }
}

/// The Manifest2 `DIST` line for a file `name` with `digests`, written by strata-fetch's
/// Manifest writer with Portage's default hash set (`BLAKE2B SHA512`).
pub fn dist_line(name: &str, d: &BlobDigests) -> String {
    Entry::File(dist_entry(name, d)).to_string()
}

/// The Manifest2 `DIST` entry for a file `name` with `digests`, with Portage's default
/// hash set (`BLAKE2B SHA512`).
fn dist_entry(name: &str, d: &BlobDigests) -> FileEntry {
    let all = d.to_digests();
    let mut digests = Digests::new(all.size());
    for alg in DEFAULT_MANIFEST_HASHES {
        if let Some(v) = all.get(alg) {
            digests.insert(alg, v.to_vec());
        }
    }
    FileEntry::new(FileTag::Dist, name, digests)
}

/// An archive store rooted at one directory:
///
/// ```text
/// root/blobs/layout.conf        content-hash SHA512 8:8:8 (GLEP 75)
/// root/blobs/aa/bb/cc/<sha512>  blobs, read-only
/// root/index.sqlite             the index (WAL mode)
/// root/tmp/                     temporary files (same filesystem as blobs/)
/// root/locks/                   advisory locks
/// root/quarantine/              blobs that failed verification
/// ```
pub struct Store {
    root: PathBuf,
    blobs: BlobStore,
    index: Box<dyn ArchiveIndex>,
    pub(crate) locks: Locks,
    options: StoreOptions,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("root", &self.root)
            .field("options", &self.options)
            .finish()
    }
}

impl Store {
    /// Opens the store at `root`, which must be an existing directory; the layout inside
    /// it is created on first use. Uses the SQLite index at `root/index.sqlite`.
    pub fn open(root: impl AsRef<Path>) -> Result<Store> {
        Self::open_with(root, StoreOptions::default())
    }

    /// [`Store::open`] with options.
    pub fn open_with(root: impl AsRef<Path>, options: StoreOptions) -> Result<Store> {
        let root = existing_root(root.as_ref())?;
        let index = SqliteIndex::open(&root.join("index.sqlite"), options.busy_timeout)?;
        Self::with_index(root, Box::new(index), options)
    }

    /// Opens the store at `root` with another index implementation.
    pub fn with_index(
        root: impl AsRef<Path>,
        index: Box<dyn ArchiveIndex>,
        options: StoreOptions,
    ) -> Result<Store> {
        let root = existing_root(root.as_ref())?;
        let blobs = BlobStore::open(&root)?;
        let locks = Locks::open(&root)?;
        Ok(Store {
            root,
            blobs,
            index,
            locks,
            options,
        })
    }

    /// The store root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The blob directories.
    pub fn blobs(&self) -> &BlobStore {
        &self.blobs
    }

    /// The index.
    pub fn index(&self) -> &dyn ArchiveIndex {
        self.index.as_ref()
    }

    /// Finds the archive stored as `final_name` under exactly `key`. Misses when there is
    /// none, when its blob is quarantined or missing, or when the blob fails the
    /// [`ReadCheck`].
    pub fn find(&self, final_name: &str, key: &ArchiveKey) -> Result<Option<StoredArchive>> {
        check_file_name(final_name)?;
        let digest = key.digest(final_name);
        let Some(record) = self.index.find(digest.as_str())? else {
            return Ok(None);
        };
        if record.final_name != final_name || record.key != *key {
            return Err(ArchiveError::CorruptRecord {
                id: record.id,
                reason: format!(
                    "key digest {digest} belongs to {} {} instead",
                    record.final_name, record.key
                ),
            });
        }
        if record.state != BlobState::Ok {
            return Ok(None);
        }
        let path = self.blobs.path(&record.digests.sha512);
        match self.options.read_check {
            ReadCheck::None => {}
            ReadCheck::Size => match fs::metadata(&path) {
                Ok(m) if m.len() == record.digests.size => {}
                _ => return Ok(None),
            },
            ReadCheck::Full => match BlobDigests::of_file(&path) {
                Ok(d) if d == record.digests => {}
                Ok(_) => {
                    self.quarantine_blob(&record.digests.sha512)?;
                    return Ok(None);
                }
                Err(_) => return Ok(None),
            },
        }
        Ok(Some(StoredArchive { record, path }))
    }

    /// Returns the archive for `final_name` and `key` if stored, else builds it with
    /// `build` (called on an empty [`Archive`]) and stores it. Concurrent callers with
    /// the same name and key build it once: the second waits for the first and finds it.
    pub fn find_or_store(
        &self,
        final_name: &str,
        key: &ArchiveKey,
        build: impl FnOnce(&mut Archive) -> Result<()>,
    ) -> Result<StoredArchive> {
        if let Some(found) = self.find(final_name, key)? {
            return Ok(found);
        }
        let mut archive = Archive::new(final_name)?;
        let digest = key.digest(final_name);
        let _key_lock = self.locks.key(digest.as_str())?;
        if let Some(found) = self.find(final_name, key)? {
            return Ok(found);
        }
        build(&mut archive)?;
        self.store_locked(&archive, key, |w| {
            tarball::write_archive(&archive, w).map(|_| ())
        })
    }

    /// Writes `archive` as a deterministic tarball and records it under `key`
    /// (what [`Archive::store`] calls).
    pub fn store_archive(&self, archive: &Archive, key: &ArchiveKey) -> Result<StoredArchive> {
        let digest = key.digest(archive.final_name().as_str());
        let _key_lock = self.locks.key(digest.as_str())?;
        self.store_locked(archive, key, |w| {
            tarball::write_archive(archive, w).map(|_| ())
        })
    }

    /// Copies an existing file into the store as `final_name` under `key` (the file is
    /// copied, never hard-linked, so later changes to it cannot corrupt the blob). Any
    /// valid distfile name is accepted; the extension is not checked.
    pub fn import(
        &self,
        source: &Path,
        final_name: &str,
        key: &ArchiveKey,
        metadata: &BTreeMap<String, String>,
    ) -> Result<StoredArchive> {
        check_file_name(final_name)?;
        let digest = key.digest(final_name);
        let _key_lock = self.locks.key(digest.as_str())?;
        let _gc = self.locks.gc_shared()?;
        let digests = self.blobs.insert_copy(source)?;
        self.record(final_name, key, &digests, metadata)
    }

    fn store_locked(
        &self,
        archive: &Archive,
        key: &ArchiveKey,
        write: impl FnOnce(&mut dyn std::io::Write) -> Result<()>,
    ) -> Result<StoredArchive> {
        let _gc = self.locks.gc_shared()?;
        let digests = self.blobs.insert_with(write)?;
        self.record(
            archive.final_name().as_str(),
            key,
            &digests,
            archive.metadata(),
        )
    }

    fn record(
        &self,
        final_name: &str,
        key: &ArchiveKey,
        digests: &BlobDigests,
        metadata: &BTreeMap<String, String>,
    ) -> Result<StoredArchive> {
        let key_digest = key.digest(final_name);
        let record = self.index.insert(&NewArchive {
            final_name,
            key,
            key_digest: key_digest.as_str(),
            digests,
            metadata,
            now: now(),
        })?;
        Ok(self.stored(record))
    }

    pub(crate) fn stored(&self, record: ArchiveRecord) -> StoredArchive {
        let path = self.blobs.path(&record.digests.sha512);
        StoredArchive { record, path }
    }

    /// Stored archives matching `filter`.
    pub fn list(&self, filter: &ListFilter) -> Result<Vec<StoredArchive>> {
        Ok(self
            .index
            .list(filter)?
            .into_iter()
            .map(|r| self.stored(r))
            .collect())
    }

    /// Archives matching `query`: a row id, else a SHA-512 prefix (at least 8 hex
    /// digits), else a final name (all its variants, superseded ones included).
    pub fn show(&self, query: &str) -> Result<Vec<StoredArchive>> {
        let mut rows = Vec::new();
        if let Ok(id) = query.parse::<i64>()
            && let Some(r) = self.index.get(id)?
        {
            rows.push(r);
        }
        if rows.is_empty() && query.len() >= 8 && query.bytes().all(|b| b.is_ascii_hexdigit()) {
            rows = self.index.by_sha512_prefix(query)?;
        }
        if rows.is_empty() {
            rows = self.index.list(&ListFilter {
                final_name: Some(query.to_owned()),
                include_superseded: true,
            })?;
        }
        if rows.is_empty() {
            return Err(ArchiveError::NotFound {
                query: query.to_owned(),
            });
        }
        Ok(rows.into_iter().map(|r| self.stored(r)).collect())
    }

    /// The blob with SHA-512 `sha512`, if the index knows it as intact and the file is
    /// there with the recorded size: its path and digests.
    pub fn blob_path_by_sha512(&self, sha512: &str) -> Result<Option<(PathBuf, BlobDigests)>> {
        if !is_sha512_hex(sha512) {
            return Ok(None);
        }
        let Some(blob) = self.index.blob(sha512)? else {
            return Ok(None);
        };
        if blob.state != BlobState::Ok {
            return Ok(None);
        }
        let path = self.blobs.path(sha512);
        match fs::metadata(&path) {
            Ok(m) if m.len() == blob.digests.size => Ok(Some((path, blob.digests))),
            _ => Ok(None),
        }
    }
}

fn existing_root(root: &Path) -> Result<PathBuf> {
    match fs::metadata(root) {
        Ok(m) if m.is_dir() => {}
        _ => {
            return Err(ArchiveError::StoreMissing {
                path: root.to_owned(),
            });
        }
    }
    fs::canonicalize(root).map_err(|e| ArchiveError::io("resolve", root, e))
}

/// Seconds since the epoch.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
