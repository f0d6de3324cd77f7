//! flat_hash: a pkgcore-style entry, and a round trip of real GURU entries through
//! conversion, writing, reading and mtime validation.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use strata_cache::{
    EclassChecksum, EclassPath, EntryKey, FlatHashCache, Md5DictCache, MetadataCache, StaleReason,
    Validity, ebuild_path, parse_flat_hash_entry, to_flat_hash, write_flat_hash_entry,
};
use strata_testtools::{gentoo_stub_dir, guru_dir};

#[test]
fn pkgcore_style_entry_parses_and_rewrites() {
    let text = "DEFINED_PHASES=compile install\nDEPEND=\nDESCRIPTION=Trash can library\n\
                EAPI=7\nIUSE=global\nKEYWORDS=~amd64 ~x86\nLICENSE=GPL-2\nRDEPEND=\nSLOT=0\n\
                _eclasses_=toolchain-funcs\t/var/db/repos/gentoo/eclass\t1613000000\t\
                multilib\t/var/db/repos/gentoo/eclass\t1612000000\n_mtime_=1614000000\n";
    let key = EntryKey::new("sys-libs", "libtrash-2.4");
    let entry = parse_flat_hash_entry(text.as_bytes(), Path::new("sys-libs/libtrash-2.4")).unwrap();
    assert_eq!(entry.mtime(), Some(1_614_000_000));
    assert_eq!(entry.eclasses().len(), 2);
    assert_eq!(
        entry.eclasses()[1].dir.as_deref(),
        Some("/var/db/repos/gentoo/eclass")
    );
    assert_eq!(
        entry.eclasses()[1].checksum,
        EclassChecksum::Mtime(1_612_000_000)
    );
    assert_eq!(entry.get("DEPEND"), Some(""));
    assert_eq!(write_flat_hash_entry(&key, &entry).unwrap(), text);
}

#[test]
fn guru_entries_round_trip_through_flat_hash() {
    let tmp = tempfile::tempdir().unwrap();
    let stub = gentoo_stub_dir();
    let eclasses = Arc::new(EclassPath::for_repo(&guru_dir(), &[stub]).unwrap());
    let md5 = Md5DictCache::for_repo(&guru_dir(), eclasses.clone());
    let flat = FlatHashCache::at(tmp.path().join("dep"), eclasses.clone()).writable(true);
    let keys: Vec<EntryKey> = md5.keys().unwrap().into_iter().step_by(25).collect();
    assert!(keys.len() > 100);
    for key in &keys {
        let entry = md5.get(key).unwrap().unwrap();
        let ebuild = ebuild_path(&guru_dir(), key).unwrap();
        let converted = to_flat_hash(key, &entry, &ebuild, &eclasses).unwrap();
        flat.put(key, &converted).unwrap();
        let back = flat.get(key).unwrap().unwrap();
        assert_eq!(back.eclasses(), converted.eclasses(), "{key}");
        for (k, v) in entry.fields().filter(|(k, _)| !k.starts_with('_')) {
            assert_eq!(back.get(k), Some(v), "{key} {k}");
        }
        assert_eq!(back.md5(), None);
        assert_eq!(
            flat.validate(key, &back, &ebuild).unwrap(),
            Validity::Valid,
            "{key}"
        );
        let text = std::fs::read_to_string(flat.entry_path(key)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.is_sorted(), "{key}: keys must be sorted");
    }
    assert_eq!(flat.keys().unwrap(), keys);

    // An ebuild with another mtime makes the entry stale (checked on a copy).
    let key = &keys[0];
    let copy = tmp.path().join("x.ebuild");
    std::fs::copy(ebuild_path(&guru_dir(), key).unwrap(), &copy).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&copy)
        .unwrap()
        .set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000))
        .unwrap();
    let entry = flat.get(key).unwrap().unwrap();
    match flat.validate(key, &entry, &copy).unwrap() {
        Validity::Stale(r) => assert!(
            matches!(
                r[0],
                StaleReason::EbuildMtime {
                    actual: 1_000_000_000,
                    ..
                }
            ),
            "{r:?}"
        ),
        Validity::Valid => panic!("mtime change not detected"),
    }
}
