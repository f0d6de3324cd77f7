//! The seam between a repository and its metadata cache, and bulk operations over any
//! cache.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::entry::{CacheEntry, EntryKey, split_pf};
use crate::error::CacheError;
use crate::validate::Validity;

/// A store of per-version metadata, keyed by `<category>/<PF>`.
///
/// Implementations: [`crate::Md5DictCache`], [`crate::FlatHashCache`],
/// [`crate::InMemoryCache`]. Reading never changes the store; stale entries are reported
/// by [`MetadataCache::validate`], never deleted.
pub trait MetadataCache: Send + Sync {
    /// A short name of the format (`md5-dict`, `flat_hash`, `memory`).
    fn format(&self) -> &'static str;

    /// Every entry the cache holds, sorted.
    fn keys(&self) -> Result<Vec<EntryKey>, CacheError>;

    /// The entry for `key`; `Ok(None)` when the cache has none.
    fn get(&self, key: &EntryKey) -> Result<Option<CacheEntry>, CacheError>;

    /// Whether `entry` (read from this cache for `key`) still describes the ebuild at
    /// `ebuild`.
    fn validate(
        &self,
        key: &EntryKey,
        entry: &CacheEntry,
        ebuild: &Path,
    ) -> Result<Validity, CacheError>;

    /// Stores `entry` for `key`. Read-only caches (the default) return
    /// [`CacheError::ReadOnly`].
    fn put(&self, key: &EntryKey, entry: &CacheEntry) -> Result<(), CacheError> {
        let _ = (key, entry);
        Err(CacheError::ReadOnly)
    }
}

/// The ebuild a cache key describes in the repository at `repo`:
/// `<repo>/<category>/<PN>/<PF>.ebuild`.
pub fn ebuild_path(repo: &Path, key: &EntryKey) -> Result<PathBuf, CacheError> {
    let (pn, _) = split_pf(&key.category, &key.pf)?;
    Ok(repo
        .join(&key.category)
        .join(pn)
        .join(format!("{}.ebuild", key.pf)))
}

/// The result of validating one entry in bulk.
#[derive(Debug)]
pub struct EntryReport {
    /// The entry.
    pub key: EntryKey,
    /// Its validity, or why it could not be read or checked.
    pub outcome: Result<Validity, CacheError>,
}

/// Reads and validates every entry of `cache` against the repository at `repo`, in
/// parallel. Entries that fail to read are reported with their error; nothing is written.
pub fn validate_all(
    cache: &dyn MetadataCache,
    repo: &Path,
) -> Result<Vec<EntryReport>, CacheError> {
    let keys = cache.keys()?;
    Ok(keys
        .into_par_iter()
        .map(|key| {
            let outcome = (|| {
                let entry = cache.get(&key)?.ok_or_else(|| {
                    CacheError::io(
                        key.to_string(),
                        std::io::Error::new(std::io::ErrorKind::NotFound, "entry vanished"),
                    )
                })?;
                let ebuild = ebuild_path(repo, &key)?;
                cache.validate(&key, &entry, &ebuild)
            })();
            EntryReport { key, outcome }
        })
        .collect())
}

/// Lists `<dir>/<category>/<PF>` files: categories must be valid category names and files
/// must be `PN-PVR` (others, such as `Manifest.gz` or dot-files, are skipped). Sorted.
pub(crate) fn list_entries(dir: &Path) -> Result<Vec<EntryKey>, CacheError> {
    let cats = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(CacheError::io(dir, e)),
    };
    let mut categories = Vec::new();
    for ent in cats {
        let ent = ent.map_err(|e| CacheError::io(dir, e))?;
        let Ok(name) = ent.file_name().into_string() else {
            continue;
        };
        if name.starts_with('.') || strata_atom::name::validate_category(&name).is_err() {
            continue;
        }
        if ent.path().is_dir() {
            categories.push(name);
        }
    }
    let per_cat: Vec<Result<Vec<EntryKey>, CacheError>> = categories
        .par_iter()
        .map(|cat| {
            let cdir = dir.join(cat);
            let rd = std::fs::read_dir(&cdir).map_err(|e| CacheError::io(&cdir, e))?;
            let mut out = Vec::new();
            for ent in rd {
                let ent = ent.map_err(|e| CacheError::io(&cdir, e))?;
                let Ok(pf) = ent.file_name().into_string() else {
                    continue;
                };
                if pf.starts_with('.') || split_pf(cat, &pf).is_err() {
                    continue;
                }
                out.push(EntryKey::new(cat.clone(), pf));
            }
            Ok(out)
        })
        .collect();
    let mut keys = Vec::new();
    for r in per_cat {
        keys.extend(r?);
    }
    keys.sort();
    Ok(keys)
}

/// The file of the entry for `key` in a one-file-per-entry cache rooted at `dir`
/// (`<dir>/<category>/<PF>`, as flat_hash and md5-dict lay it out).
pub(crate) fn entry_file(dir: &Path, key: &EntryKey) -> PathBuf {
    dir.join(&key.category).join(&key.pf)
}

/// Reads the entry for `key` from a one-file-per-entry cache rooted at `dir`, parsing the
/// file with `parse`; a missing file is `Ok(None)`. The key's names are checked first, so
/// they cannot climb out of the cache directory.
pub(crate) fn read_entry_file(
    dir: &Path,
    key: &EntryKey,
    parse: impl FnOnce(Vec<u8>, &Path) -> Result<CacheEntry, CacheError>,
) -> Result<Option<CacheEntry>, CacheError> {
    split_pf(&key.category, &key.pf)?;
    let path = entry_file(dir, key);
    match std::fs::read(&path) {
        Ok(bytes) => parse(bytes, &path).map(Some),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CacheError::io(path, e)),
    }
}

/// Writes `text` as the entry for `key` in a one-file-per-entry cache rooted at `dir`,
/// atomically (through a `.update.<pid>.<PF>` temporary file in the category directory).
pub(crate) fn write_entry_file(dir: &Path, key: &EntryKey, text: &str) -> Result<(), CacheError> {
    let tmp = format!(".update.{}.{}", std::process::id(), key.pf);
    crate::kv_file::write_atomically(&entry_file(dir, key), &tmp, text.as_bytes(), false)
}

/// One entry read by [`read_all`]: its key and what reading it gave.
pub type ReadResult = (EntryKey, Result<Option<CacheEntry>, CacheError>);

/// Reads every entry of `cache`, in parallel. Each entry comes with its own result, so one
/// bad file does not hide the others.
pub fn read_all(cache: &dyn MetadataCache) -> Result<Vec<ReadResult>, CacheError> {
    let keys = cache.keys()?;
    Ok(keys
        .into_par_iter()
        .map(|key| {
            let entry = cache.get(&key);
            (key, entry)
        })
        .collect())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keys_convert_to_and_from_cpvs() {
        let cpv = strata_atom::cpv::Cpv::parse("dev-python/foo-bar-1.2_rc3-r1").unwrap();
        let key = EntryKey::from(&cpv);
        assert_eq!(key.to_string(), "dev-python/foo-bar-1.2_rc3-r1");
        assert_eq!(key.package().unwrap(), "foo-bar");
        assert_eq!(key.cpv().unwrap(), cpv);
        assert!(EntryKey::new("dev-python", "foo-1-2").cpv().is_err());
        assert!(EntryKey::parse("dev-python", "foo-1-2").is_err());
        assert_eq!(
            ebuild_path(Path::new("/r"), &key).unwrap(),
            Path::new("/r/dev-python/foo-bar/foo-bar-1.2_rc3-r1.ebuild")
        );
    }
}
