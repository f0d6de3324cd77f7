//! The flat_hash cache of pkgcore and Portage (`metadata/cache`-style directories, or
//! `/var/cache/edb/dep/<repo>`): one `KEY=value` file per `<CATEGORY>/<PF>`, keys sorted,
//! the ebuild's mtime in `_mtime_`, `_eclasses_` as `name<TAB>dir<TAB>mtime` triples.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backend::{MetadataCache, entry_file, list_entries, read_entry_file, write_entry_file};
use crate::eclass::EclassPath;
use crate::entry::{CacheEntry, EntryKey, MD5_KEY, MTIME_KEY};
use crate::error::CacheError;
use crate::kv_file::{self, EclassLayout};
use crate::validate::{EbuildChecksumKind, Validity, validate_entry};

/// Parses the bytes of one flat_hash entry (pass a `Vec<u8>` to avoid a copy); `path` is
/// only used in errors.
///
/// `_eclasses_` may be `name<TAB>dir<TAB>checksum` triples (checksum an mtime or an md5)
/// or `name<TAB>md5` pairs.
pub fn parse_flat_hash_entry(
    bytes: impl Into<Vec<u8>>,
    path: &Path,
) -> Result<CacheEntry, CacheError> {
    kv_file::parse(bytes.into(), path, EclassLayout::Flexible)
}

/// Serialises `entry` the way pkgcore's flat_hash writes it: every key (empty values
/// included) in sorted order.
pub fn write_flat_hash_entry(key: &EntryKey, entry: &CacheEntry) -> Result<String, CacheError> {
    let mut fields: Vec<(&str, &str)> = entry.fields().collect();
    fields.sort_by(|a, b| a.0.cmp(b.0));
    kv_file::write_lines(&key.to_string(), fields.into_iter())
}

/// A flat_hash cache directory.
#[derive(Debug, Clone)]
pub struct FlatHashCache {
    location: PathBuf,
    eclasses: Arc<EclassPath>,
    writable: bool,
}

impl FlatHashCache {
    /// A cache rooted at `location`, validated against `eclasses`. Read-only.
    pub fn at(location: PathBuf, eclasses: Arc<EclassPath>) -> Self {
        FlatHashCache {
            location,
            eclasses,
            writable: false,
        }
    }

    /// Allows [`MetadataCache::put`] (temp file `.update.<pid>.<PF>` + rename, as pkgcore).
    pub fn writable(mut self, writable: bool) -> Self {
        self.writable = writable;
        self
    }

    /// The directory holding the category directories.
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// The file of the entry for `key`.
    pub fn entry_path(&self, key: &EntryKey) -> PathBuf {
        entry_file(&self.location, key)
    }
}

impl MetadataCache for FlatHashCache {
    fn format(&self) -> &'static str {
        "flat_hash"
    }

    fn keys(&self) -> Result<Vec<EntryKey>, CacheError> {
        list_entries(&self.location)
    }

    fn get(&self, key: &EntryKey) -> Result<Option<CacheEntry>, CacheError> {
        read_entry_file(&self.location, key, |bytes, path| {
            parse_flat_hash_entry(bytes, path)
        })
    }

    fn validate(
        &self,
        _key: &EntryKey,
        entry: &CacheEntry,
        ebuild: &Path,
    ) -> Result<Validity, CacheError> {
        let kind = if entry.get(MTIME_KEY).is_none() && entry.get(MD5_KEY).is_some() {
            EbuildChecksumKind::Md5
        } else {
            EbuildChecksumKind::Mtime
        };
        validate_entry(entry, ebuild, &self.eclasses, kind)
    }

    fn put(&self, key: &EntryKey, entry: &CacheEntry) -> Result<(), CacheError> {
        if !self.writable {
            return Err(CacheError::ReadOnly);
        }
        EntryKey::parse(&key.category, &key.pf)?;
        let text = write_flat_hash_entry(key, entry)?;
        write_entry_file(&self.location, key, &text)
    }
}

/// Converts an entry (e.g. from md5-dict) to flat_hash form for the ebuild at `ebuild`:
/// `_md5_` is dropped, `_mtime_` set to the ebuild's mtime, and `_eclasses_` rewritten as
/// `name<TAB>dir<TAB>mtime` triples of the eclasses as `eclasses` resolves them now.
pub fn to_flat_hash(
    key: &EntryKey,
    entry: &CacheEntry,
    ebuild: &Path,
    eclasses: &EclassPath,
) -> Result<CacheEntry, CacheError> {
    use crate::entry::{EclassChecksum, EclassStamp};
    let meta = std::fs::metadata(ebuild).map_err(|e| CacheError::io(ebuild, e))?;
    let mut out = entry.clone();
    out.remove(MD5_KEY);
    out.set(MTIME_KEY, crate::eclass::mtime_secs(&meta).to_string())?;
    let mut stamps = Vec::with_capacity(entry.eclasses().len());
    for e in entry.eclasses() {
        let file = eclasses
            .get(&e.name)
            .ok_or_else(|| CacheError::Unwritable {
                key: key.to_string(),
                reason: "an inherited eclass is not on the eclass path",
            })?;
        stamps.push(EclassStamp {
            name: e.name.clone(),
            dir: Some(file.dir().to_string_lossy().into_owned()),
            checksum: EclassChecksum::Mtime(file.mtime()?),
        });
    }
    out.set_eclasses(stamps);
    Ok(out)
}
