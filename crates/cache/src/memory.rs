//! An in-memory cache: for tests, for metadata generated in this process, or as a layer
//! in front of a slower cache.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use crate::backend::MetadataCache;
use crate::eclass::EclassPath;
use crate::entry::{CacheEntry, EntryKey, MD5_KEY};
use crate::error::CacheError;
use crate::validate::{EbuildChecksumKind, Validity, validate_entry};

/// A writable cache held in memory.
#[derive(Debug, Default)]
pub struct InMemoryCache {
    entries: RwLock<BTreeMap<EntryKey, CacheEntry>>,
    eclasses: Option<Arc<EclassPath>>,
}

impl InMemoryCache {
    /// An empty cache whose entries are always considered valid.
    pub fn new() -> Self {
        InMemoryCache::default()
    }

    /// An empty cache that validates entries like md5-dict (`_md5_`, or `_mtime_` when
    /// there is no `_md5_`) against `eclasses`.
    pub fn validating(eclasses: Arc<EclassPath>) -> Self {
        InMemoryCache {
            entries: RwLock::default(),
            eclasses: Some(eclasses),
        }
    }

    /// How many entries it holds.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    /// The map for reading; a panic in another thread while writing leaves the map
    /// consistent (inserts are atomic), so a poisoned lock is used as is.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<EntryKey, CacheEntry>> {
        self.entries
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether it holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl MetadataCache for InMemoryCache {
    fn format(&self) -> &'static str {
        "memory"
    }

    fn keys(&self) -> Result<Vec<EntryKey>, CacheError> {
        Ok(self.read().keys().cloned().collect())
    }

    fn get(&self, key: &EntryKey) -> Result<Option<CacheEntry>, CacheError> {
        Ok(self.read().get(key).cloned())
    }

    fn validate(
        &self,
        _key: &EntryKey,
        entry: &CacheEntry,
        ebuild: &Path,
    ) -> Result<Validity, CacheError> {
        match &self.eclasses {
            None => Ok(Validity::Valid),
            Some(path) => {
                let kind = if entry.get(MD5_KEY).is_some() {
                    EbuildChecksumKind::Md5
                } else {
                    EbuildChecksumKind::Mtime
                };
                validate_entry(entry, ebuild, path, kind)
            }
        }
    }

    fn put(&self, key: &EntryKey, entry: &CacheEntry) -> Result<(), CacheError> {
        let mut map = self
            .entries
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.insert(key.clone(), entry.clone());
        Ok(())
    }
}
