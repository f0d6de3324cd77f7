//! The md5-dict cache (`metadata/md5-cache/<CATEGORY>/<PF>`): reading, validation against
//! the ebuild and eclass md5s, and writing byte-compatible with egencache.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backend::{MetadataCache, entry_file, list_entries, read_entry_file, write_entry_file};
use crate::eclass::EclassPath;
use crate::entry::{
    CacheEntry, ECLASSES_KEY, EclassChecksum, EclassStamp, EntryKey, MD5_KEY, serialize_eclasses,
};
use crate::error::CacheError;
use crate::kv_file::{self, EclassLayout};
use crate::validate::{EbuildChecksumKind, Validity, validate_entry};

/// Parses the bytes of one md5-dict entry (pass a `Vec<u8>` to avoid a copy); `path` is
/// only used in errors.
///
/// Every `KEY=value` line is kept in order, unknown keys included. `_eclasses_` must be
/// `name<TAB>md5` pairs with 32-hex-digit md5s, as Portage requires.
pub fn parse_md5_entry(bytes: impl Into<Vec<u8>>, path: &Path) -> Result<CacheEntry, CacheError> {
    kv_file::parse(bytes.into(), path, EclassLayout::Md5Pairs)
}

/// How to lay out an entry when writing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WriteStyle {
    /// As Portage's egencache writes: keys sorted by name, empty values and `INHERITED`
    /// omitted, `_eclasses_` pairs sorted by eclass name.
    #[default]
    Egencache,
    /// Every field in the order it was read or set, values verbatim (empty ones too), so
    /// an entry read from any writer (pkgcore keeps inheritance order) comes out unchanged.
    AsRead,
}

/// Serialises `entry` as an md5-dict file. Fails when `_md5_` is missing or a value holds
/// a newline.
pub fn write_md5_entry(
    key: &EntryKey,
    entry: &CacheEntry,
    style: WriteStyle,
) -> Result<String, CacheError> {
    let name = key.to_string();
    if entry.md5().is_none_or(str::is_empty) {
        return Err(CacheError::Unwritable {
            key: name,
            reason: "no _md5_ value",
        });
    }
    match style {
        WriteStyle::AsRead => kv_file::write_lines(&name, entry.fields()),
        WriteStyle::Egencache => {
            let mut sorted_eclasses = Vec::with_capacity(entry.eclasses().len());
            for e in entry.eclasses() {
                if !matches!(e.checksum, EclassChecksum::Md5(_)) {
                    return Err(CacheError::Unwritable {
                        key: name,
                        reason: "an eclass is stamped with an mtime; md5-dict needs md5s",
                    });
                }
                sorted_eclasses.push(EclassStamp {
                    dir: None,
                    ..e.clone()
                });
            }
            sorted_eclasses.sort_by(|a, b| a.name.cmp(&b.name));
            let (eclasses, _) = serialize_eclasses(&sorted_eclasses);
            let mut fields: Vec<(&str, &str)> = entry
                .fields()
                .filter(|(k, v)| !v.is_empty() && *k != "INHERITED")
                .map(|(k, v)| {
                    if k == ECLASSES_KEY {
                        (k, eclasses.as_str())
                    } else {
                        (k, v)
                    }
                })
                .filter(|(_, v)| !v.is_empty())
                .collect();
            fields.sort_by(|a, b| a.0.cmp(b.0));
            kv_file::write_lines(&name, fields.into_iter())
        }
    }
}

/// A repository's md5-dict cache.
///
/// Read-only unless made writable with [`Md5DictCache::writable`]; validation can be
/// switched off for frozen repositories with [`Md5DictCache::trusted`].
#[derive(Debug, Clone)]
pub struct Md5DictCache {
    location: PathBuf,
    eclasses: Arc<EclassPath>,
    trusted: bool,
    writable: bool,
}

impl Md5DictCache {
    /// The cache of the repository at `repo` (`<repo>/metadata/md5-cache`), validated
    /// against `eclasses`.
    pub fn for_repo(repo: &Path, eclasses: Arc<EclassPath>) -> Self {
        Md5DictCache::at(repo.join("metadata").join("md5-cache"), eclasses)
    }

    /// A cache rooted at `location` (the directory holding the category directories).
    pub fn at(location: PathBuf, eclasses: Arc<EclassPath>) -> Self {
        Md5DictCache {
            location,
            eclasses,
            trusted: false,
            writable: false,
        }
    }

    /// Trusted mode: [`MetadataCache::validate`] reports every entry valid without reading
    /// ebuilds or eclasses (for `frozen` repositories).
    pub fn trusted(mut self, trusted: bool) -> Self {
        self.trusted = trusted;
        self
    }

    /// Allows [`MetadataCache::put`] (egencache layout, temp file + rename).
    pub fn writable(mut self, writable: bool) -> Self {
        self.writable = writable;
        self
    }

    /// The directory holding the category directories.
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// The eclass search path used for validation.
    pub fn eclass_path(&self) -> &EclassPath {
        &self.eclasses
    }

    /// The file of the entry for `key`.
    pub fn entry_path(&self, key: &EntryKey) -> PathBuf {
        entry_file(&self.location, key)
    }
}

impl MetadataCache for Md5DictCache {
    fn format(&self) -> &'static str {
        "md5-dict"
    }

    fn keys(&self) -> Result<Vec<EntryKey>, CacheError> {
        list_entries(&self.location)
    }

    fn get(&self, key: &EntryKey) -> Result<Option<CacheEntry>, CacheError> {
        read_entry_file(&self.location, key, |bytes, path| {
            parse_md5_entry(bytes, path)
        })
    }

    fn validate(
        &self,
        _key: &EntryKey,
        entry: &CacheEntry,
        ebuild: &Path,
    ) -> Result<Validity, CacheError> {
        if self.trusted {
            return Ok(Validity::Valid);
        }
        validate_entry(entry, ebuild, &self.eclasses, EbuildChecksumKind::Md5)
    }

    fn put(&self, key: &EntryKey, entry: &CacheEntry) -> Result<(), CacheError> {
        if !self.writable {
            return Err(CacheError::ReadOnly);
        }
        EntryKey::parse(&key.category, &key.pf)?;
        if entry.get(MD5_KEY).is_none() {
            return Err(CacheError::Unwritable {
                key: key.to_string(),
                reason: "no _md5_ value",
            });
        }
        let text = write_md5_entry(key, entry, WriteStyle::Egencache)?;
        write_entry_file(&self.location, key, &text)
    }
}
