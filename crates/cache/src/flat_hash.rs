//! The flat_hash cache of pkgcore and Portage (`metadata/cache`-style directories, or
//! the dependency cache `/var/cache/edb/dep/<repo location>`): one `KEY=value` file per
//! `<CATEGORY>/<PF>`, keys sorted.
//!
//! Two writers fill the dependency cache. pkgcore stores the ebuild's mtime in `_mtime_`
//! and `_eclasses_` as `name<TAB>dir<TAB>mtime` triples; Portage (its default
//! `portdbapi.auxdbmodule`, `flat_hash.mtime_md5_database`) stores the ebuild's md5 in
//! `_md5_` and `_eclasses_` as `name<TAB>dir<TAB>md5` triples sorted by name. Validation
//! follows Portage (`cache/template.py` `validate_entry`): the md5 rule, then the mtime
//! rule, each with the eclass checksums of the kind recorded; the first that holds makes
//! the entry valid. The recorded eclass directories are not compared (Portage's
//! `validate_and_rewrite_cache` compares checksums only; pkgcore also compares the
//! directory, a stricter rule that Portage's tie-break overrides).

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backend::{MetadataCache, entry_file, list_entries, read_entry_file, write_entry_file};
use crate::eclass::EclassPath;
use crate::entry::{CacheEntry, EclassStamp, EntryKey, MD5_KEY, MTIME_KEY};
use crate::error::CacheError;
use crate::kv_file::{self, EclassLayout};
use crate::validate::{EbuildChecksumKind, StaleReason, Validity, validate_entry};

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
        validate_portage_rules(entry, ebuild, &self.eclasses)
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

/// Validates a flat_hash `entry` as Portage's depcache does: the md5 rule (`_md5_` against
/// the ebuild's md5) when `_md5_` is recorded, then the mtime rule (`_mtime_` against the
/// ebuild's mtime) when `_mtime_` is; each also needs every recorded eclass checksum to
/// match the eclass the path resolves now. Valid when one rule holds; otherwise stale with
/// the reasons of the first rule tried. Recorded eclass directories are ignored.
fn validate_portage_rules(
    entry: &CacheEntry,
    ebuild: &Path,
    eclasses: &EclassPath,
) -> Result<Validity, CacheError> {
    let check = without_eclass_dirs(entry)?;
    let mut first_stale = None;
    for (kind, key) in [
        (EbuildChecksumKind::Md5, MD5_KEY),
        (EbuildChecksumKind::Mtime, MTIME_KEY),
    ] {
        if entry.get(key).is_none() {
            continue;
        }
        match validate_entry(&check, ebuild, eclasses, kind)? {
            Validity::Valid => return Ok(Validity::Valid),
            stale => {
                first_stale.get_or_insert(stale);
            }
        }
    }
    Ok(first_stale.unwrap_or_else(|| Validity::Stale(vec![StaleReason::NoEbuildChecksum])))
}

/// `entry`'s ebuild checksums and eclass stamps with the eclass directories dropped (the
/// entry itself when it records none).
pub(crate) fn without_eclass_dirs(entry: &CacheEntry) -> Result<Cow<'_, CacheEntry>, CacheError> {
    if entry.eclasses().iter().all(|e| e.dir.is_none()) {
        return Ok(Cow::Borrowed(entry));
    }
    let mut out = CacheEntry::new();
    for key in [MD5_KEY, MTIME_KEY] {
        if let Some(v) = entry.get(key) {
            out.set(key, v)?;
        }
    }
    out.set_eclasses(
        entry
            .eclasses()
            .iter()
            .map(|e| EclassStamp {
                dir: None,
                ..e.clone()
            })
            .collect(),
    );
    Ok(Cow::Owned(out))
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::entry::EclassChecksum;
    use std::time::{Duration, SystemTime};

    /// A repository with one eclass and one ebuild, its eclass path, and the ebuild's md5
    /// and mtime (set to a fixed value).
    fn tree(dir: &Path) -> (Arc<EclassPath>, PathBuf, String, String) {
        std::fs::create_dir_all(dir.join("eclass")).unwrap();
        std::fs::write(dir.join("eclass/e.eclass"), "e\n").unwrap();
        let ebuild = dir.join("foo-1.ebuild");
        std::fs::write(&ebuild, "EAPI=8\ninherit e\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&ebuild)
            .unwrap()
            .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_500_000_000))
            .unwrap();
        let path = Arc::new(EclassPath::new(vec![dir.join("eclass")]).unwrap());
        let md5 = crate::md5_file(&ebuild).unwrap();
        let eclass_md5 = path.get("e").unwrap().md5().unwrap().to_owned();
        (path, ebuild, md5, eclass_md5)
    }

    fn entry(text: &str) -> CacheEntry {
        parse_flat_hash_entry(text.as_bytes(), Path::new("x/foo-1")).unwrap()
    }

    #[test]
    fn portage_depcache_entries_validate_by_md5_then_mtime_ignoring_eclass_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        let (path, ebuild, md5, eclass_md5) = tree(tmp.path());
        let cache = FlatHashCache::at(tmp.path().join("dep"), path.clone());
        let key = EntryKey::new("x", "foo-1");
        let eclass_mtime = path.get("e").unwrap().mtime().unwrap();
        // As Portage writes it: `_md5_`, name/dir/md5 triples; the recorded directory is
        // not the one the eclass is found in now, which Portage does not compare.
        let portage = entry(&format!(
            "EAPI=8\nSLOT=0\n_eclasses_=e\t/elsewhere/eclass\t{eclass_md5}\n_md5_={md5}\n"
        ));
        assert_eq!(
            portage.eclasses()[0].dir.as_deref(),
            Some("/elsewhere/eclass")
        );
        assert_eq!(
            cache.validate(&key, &portage, &ebuild).unwrap(),
            Validity::Valid
        );
        // A wrong `_md5_` with a right `_mtime_` (and mtime-stamped eclasses): the mtime
        // rule holds.
        let both = entry(&format!(
            "_eclasses_=e\t/elsewhere\t{eclass_mtime}\n_md5_={}\n_mtime_=1500000000\n",
            "0".repeat(32)
        ));
        assert_eq!(
            cache.validate(&key, &both, &ebuild).unwrap(),
            Validity::Valid
        );
        // Neither rule holds: the md5 rule's reasons are reported.
        let stale = entry(&format!(
            "_eclasses_=e\t/x\t{eclass_md5}\n_md5_={}\n_mtime_=1\n",
            "0".repeat(32)
        ));
        match cache.validate(&key, &stale, &ebuild).unwrap() {
            Validity::Stale(r) => {
                assert!(matches!(r[..], [StaleReason::EbuildMd5 { .. }]), "{r:?}")
            }
            Validity::Valid => panic!("stale entry accepted"),
        }
        // An eclass checksum that differs makes the entry stale whatever the directory.
        let eclass_changed = entry(&format!(
            "_eclasses_=e\t{}\t{}\n_md5_={md5}\n",
            tmp.path().join("eclass").display(),
            "f".repeat(32)
        ));
        match cache.validate(&key, &eclass_changed, &ebuild).unwrap() {
            Validity::Stale(r) => assert!(
                matches!(&r[..], [StaleReason::EclassChanged { name, .. }] if name == "e"),
                "{r:?}"
            ),
            Validity::Valid => panic!("changed eclass accepted"),
        }
        // No ebuild checksum at all.
        assert_eq!(
            cache.validate(&key, &entry("SLOT=0\n"), &ebuild).unwrap(),
            Validity::Stale(vec![StaleReason::NoEbuildChecksum])
        );
        assert!(matches!(
            portage.eclasses()[0].checksum,
            EclassChecksum::Md5(_)
        ));
    }
}
