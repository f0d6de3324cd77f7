//! The PMS legacy metadata cache, `metadata/cache/<CATEGORY>/<PF>` (layout.conf
//! `cache-formats = pms`; Portage's `flat_list`): each file holds the metadata values one
//! per line in a fixed order and no keys (PMS "Legacy cache file format",
//! [`FLAT_LIST_KEYS`]), padded to 22 lines; lines past the known ones are ignored.
//!
//! The format records neither the ebuild's checksum nor the eclasses'. As Portage reads
//! it (`cache/metadata.py`): the ebuild's mtime is the cache file's own mtime (the writer
//! sets it so), and the eclasses are the `INHERITED` ones as the eclass path resolves them
//! now, so only the ebuild's mtime and the presence of each inherited eclass can make an
//! entry stale. A file whose every line is `KEY=value` is read as a flat_hash entry, as
//! Portage does.
//!
//! The line order is PMS's. Portage's reader and writer put `IDEPEND` on line 10 and shift
//! `INHERITED`..`DEFINED_PHASES` one line down; PMS puts `IDEPEND` after
//! `DEFINED_PHASES` (line 18), which this reader follows.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::backend::{MetadataCache, entry_file, list_entries};
use crate::eclass::{EclassPath, mtime_secs};
use crate::entry::{
    CacheEntry, ECLASSES_KEY, EclassChecksum, EclassStamp, EntryKey, MTIME_KEY, split_pf,
};
use crate::error::CacheError;
use crate::kv_file::{self, EclassLayout};
use crate::validate::{EbuildChecksumKind, Validity, validate_entry};

/// The keys of a PMS cache file, in line order (line 1 first).
pub const FLAT_LIST_KEYS: [&str; 18] = [
    "DEPEND",
    "RDEPEND",
    "SLOT",
    "SRC_URI",
    "RESTRICT",
    "HOMEPAGE",
    "LICENSE",
    "DESCRIPTION",
    "KEYWORDS",
    "INHERITED",
    "IUSE",
    "REQUIRED_USE",
    "PDEPEND",
    "BDEPEND",
    "EAPI",
    "PROPERTIES",
    "DEFINED_PHASES",
    "IDEPEND",
];

/// Whether `line` starts with `KEY=` (a word then `=`), Portage's test for a hashed line.
fn is_hashed_line(line: &str) -> bool {
    match line.split_once('=') {
        Some((k, _)) => !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
        None => false,
    }
}

/// Parses the bytes of one PMS cache file (`path` is only used in errors): the values by
/// line position ([`FLAT_LIST_KEYS`]; empty values are left out, as md5-dict leaves them
/// out), or `KEY=value` lines when every line is one. The entry holds no `_mtime_` or
/// `_eclasses_` unless the file wrote them; [`FlatListCache::get`] adds them.
pub fn parse_flat_list_entry(
    bytes: impl Into<Vec<u8>>,
    path: &Path,
) -> Result<CacheEntry, CacheError> {
    let bytes = bytes.into();
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.valid_up_to();
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
            return Err(CacheError::NotUtf8 {
                path: path.to_owned(),
                line,
                byte_offset: at,
            });
        }
    };
    let body = text.strip_suffix('\n').unwrap_or(text);
    if !body.is_empty() && body.split('\n').all(is_hashed_line) {
        return kv_file::parse(bytes, path, EclassLayout::Flexible);
    }
    let mut entry = CacheEntry::new();
    for (key, value) in FLAT_LIST_KEYS.iter().zip(body.split('\n')) {
        if !value.is_empty() {
            entry.set(key, value)?;
        }
    }
    Ok(entry)
}

/// A repository's PMS metadata cache (`<repo>/metadata/cache`). Read-only.
#[derive(Debug, Clone)]
pub struct FlatListCache {
    location: PathBuf,
    eclasses: Arc<EclassPath>,
}

impl FlatListCache {
    /// The cache of the repository at `repo` (`<repo>/metadata/cache`), validated against
    /// `eclasses`.
    pub fn for_repo(repo: &Path, eclasses: Arc<EclassPath>) -> Self {
        FlatListCache::at(repo.join("metadata").join("cache"), eclasses)
    }

    /// A cache rooted at `location` (the directory holding the category directories).
    pub fn at(location: PathBuf, eclasses: Arc<EclassPath>) -> Self {
        FlatListCache { location, eclasses }
    }

    /// The directory holding the category directories.
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// The file of the entry for `key`.
    pub fn entry_path(&self, key: &EntryKey) -> PathBuf {
        entry_file(&self.location, key)
    }

    /// `_eclasses_` for the `INHERITED` names as the path resolves them now (directory and
    /// mtime); an eclass the path lacks is kept without a directory, so validation reports
    /// it missing.
    fn eclasses_now(&self, inherited: &str) -> Result<Vec<EclassStamp>, CacheError> {
        inherited
            .split_whitespace()
            .map(|name| {
                Ok(match self.eclasses.get(name) {
                    Some(file) => EclassStamp {
                        name: name.to_owned(),
                        dir: Some(file.dir().to_string_lossy().into_owned()),
                        checksum: EclassChecksum::Mtime(file.mtime()?),
                    },
                    None => EclassStamp {
                        name: name.to_owned(),
                        dir: None,
                        checksum: EclassChecksum::Mtime(0),
                    },
                })
            })
            .collect()
    }
}

impl MetadataCache for FlatListCache {
    fn format(&self) -> &'static str {
        "pms"
    }

    fn keys(&self) -> Result<Vec<EntryKey>, CacheError> {
        list_entries(&self.location)
    }

    /// The entry with `_mtime_` set to the cache file's mtime (unless the file records
    /// one) and `_eclasses_` built from `INHERITED` (unless recorded).
    fn get(&self, key: &EntryKey) -> Result<Option<CacheEntry>, CacheError> {
        split_pf(&key.category, &key.pf)?;
        let path = entry_file(&self.location, key);
        let mut file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(CacheError::io(path, e)),
        };
        let meta = file.metadata().map_err(|e| CacheError::io(&path, e))?;
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        file.read_to_end(&mut bytes)
            .map_err(|e| CacheError::io(&path, e))?;
        let mut entry = parse_flat_list_entry(bytes, &path)?;
        if entry.get(MTIME_KEY).is_none() {
            entry.set(MTIME_KEY, mtime_secs(&meta).to_string())?;
        }
        if entry.get(ECLASSES_KEY).is_none() {
            let stamps = self.eclasses_now(entry.value("INHERITED"))?;
            entry.set_eclasses(stamps);
        }
        Ok(Some(entry))
    }

    /// The mtime rule: the ebuild's mtime must equal `_mtime_`, and every eclass must be
    /// on the path with the recorded mtime (recorded directories are not compared, as
    /// Portage does not).
    fn validate(
        &self,
        _key: &EntryKey,
        entry: &CacheEntry,
        ebuild: &Path,
    ) -> Result<Validity, CacheError> {
        let check = crate::flat_hash::without_eclass_dirs(entry)?;
        validate_entry(&check, ebuild, &self.eclasses, EbuildChecksumKind::Mtime)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::validate::StaleReason;

    #[test]
    fn positional_and_hashed_files_parse() {
        let mut lines = vec![""; 22];
        lines[0] = "dev-libs/a";
        lines[2] = "0/1";
        lines[7] = "A thing = good";
        lines[9] = "e f";
        lines[14] = "8";
        lines[17] = "dev-libs/i";
        let text = lines.join("\n") + "\n";
        let e = parse_flat_list_entry(text.as_bytes(), Path::new("x")).unwrap();
        assert_eq!(e.get("DEPEND"), Some("dev-libs/a"));
        assert_eq!(e.get("RDEPEND"), None);
        assert_eq!(e.get("SLOT"), Some("0/1"));
        assert_eq!(e.get("DESCRIPTION"), Some("A thing = good"));
        assert_eq!(e.get("INHERITED"), Some("e f"));
        assert_eq!(e.eapi(), "8");
        assert_eq!(e.get("IDEPEND"), Some("dev-libs/i"));
        // A short file: the missing lines are empty.
        let e = parse_flat_list_entry(b"a\nb\n0\n".as_slice(), Path::new("x")).unwrap();
        assert_eq!(e.get("SLOT"), Some("0"));
        assert_eq!(e.eapi(), "0");
        // Every line KEY=value: read as flat_hash.
        let e = parse_flat_list_entry(b"SLOT=2\nEAPI=7\n".as_slice(), Path::new("x")).unwrap();
        assert_eq!(e.get("SLOT"), Some("2"));
        assert_eq!(e.eapi(), "7");
        assert!(matches!(
            parse_flat_list_entry(b"\xff\n".as_slice(), Path::new("x")),
            Err(CacheError::NotUtf8 { line: 1, .. })
        ));
    }

    #[test]
    fn entries_validate_by_the_cache_file_mtime_and_inherited_eclasses() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path();
        std::fs::create_dir_all(repo.join("eclass")).unwrap();
        std::fs::write(repo.join("eclass/e.eclass"), "e\n").unwrap();
        std::fs::create_dir_all(repo.join("x/foo")).unwrap();
        let ebuild = repo.join("x/foo/foo-1.ebuild");
        std::fs::write(&ebuild, "EAPI=8\n").unwrap();
        strata_testtools::set_mtime_secs(&ebuild, 1_500_000_000);
        let mut lines = vec![String::new(); 22];
        lines[2] = "0".into();
        lines[7] = "Foo".into();
        lines[9] = "e".into();
        lines[14] = "8".into();
        std::fs::create_dir_all(repo.join("metadata/cache/x")).unwrap();
        let file = repo.join("metadata/cache/x/foo-1");
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        strata_testtools::set_mtime_secs(&file, 1_500_000_000);
        let path = Arc::new(EclassPath::new(vec![repo.join("eclass")]).unwrap());
        let cache = FlatListCache::for_repo(repo, path);
        let key = EntryKey::new("x", "foo-1");
        assert_eq!(cache.keys().unwrap(), std::slice::from_ref(&key));
        let entry = cache.get(&key).unwrap().unwrap();
        assert_eq!(entry.mtime(), Some(1_500_000_000));
        assert_eq!(entry.inherited().collect::<Vec<_>>(), ["e"]);
        assert_eq!(entry.get("DESCRIPTION"), Some("Foo"));
        assert_eq!(
            cache.validate(&key, &entry, &ebuild).unwrap(),
            Validity::Valid
        );
        // The ebuild changed after the cache file was written.
        strata_testtools::set_mtime_secs(&ebuild, 1_600_000_000);
        assert!(matches!(
            &cache.validate(&key, &entry, &ebuild).unwrap(),
            Validity::Stale(r) if matches!(r[..], [StaleReason::EbuildMtime { .. }])
        ));
        // An inherited eclass that is gone.
        strata_testtools::set_mtime_secs(&ebuild, 1_500_000_000);
        lines[9] = "e gone".into();
        std::fs::write(&file, lines.join("\n") + "\n").unwrap();
        strata_testtools::set_mtime_secs(&file, 1_500_000_000);
        let entry = cache.get(&key).unwrap().unwrap();
        match cache.validate(&key, &entry, &ebuild).unwrap() {
            Validity::Stale(r) => assert!(
                matches!(&r[..], [StaleReason::EclassMissing { name }] if name == "gone"),
                "{r:?}"
            ),
            Validity::Valid => panic!("missing eclass accepted"),
        }
        assert_eq!(cache.get(&EntryKey::new("x", "foo-2")).unwrap(), None);
    }
}
