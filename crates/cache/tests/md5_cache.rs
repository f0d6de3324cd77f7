//! md5-dict against the real GURU data: read and validate every entry, rewrite them
//! byte-identically, and detect staleness in a temporary copy without writing into it.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use strata_cache::{
    CacheEntry, EclassPath, EntryKey, Md5DictCache, MetadataCache, StaleReason, Validity,
    WriteStyle, ebuild_path, parse_md5_entry, validate_all, write_md5_entry,
};
use strata_testtools::{copy_tree, gentoo_stub_dir, guru_dir, snapshot};

fn guru_cache() -> Md5DictCache {
    let path = EclassPath::for_repo(&guru_dir(), &[gentoo_stub_dir()]).unwrap();
    Md5DictCache::for_repo(&guru_dir(), Arc::new(path))
}

#[test]
fn every_guru_entry_reads_and_validates() {
    let cache = guru_cache();
    let keys = cache.keys().unwrap();
    // Count the entry files independently of the crate.
    let mut files = 0;
    for cat in std::fs::read_dir(cache.location()).unwrap() {
        let cat = cat.unwrap();
        if cat.path().is_dir() {
            files += std::fs::read_dir(cat.path()).unwrap().count();
        }
    }
    assert_eq!(keys.len(), files);
    let reports = validate_all(&cache, &guru_dir()).unwrap();
    assert_eq!(reports.len(), files);
    let mut eapis = BTreeMap::new();
    for r in &reports {
        match &r.outcome {
            Ok(Validity::Valid) => {}
            other => panic!("{}: {other:?}", r.key),
        }
        let entry = cache.get(&r.key).unwrap().unwrap();
        *eapis.entry(entry.eapi().to_owned()).or_insert(0) += 1;
        assert!(!entry.value("DESCRIPTION").is_empty() || entry.get("DESCRIPTION").is_some());
    }
    assert!(
        eapis.contains_key("9"),
        "EAPI 9 entries must be readable: {eapis:?}"
    );
}

#[test]
fn entry_fields_match_the_file() {
    let cache = guru_cache();
    let key = EntryKey::new("acct-group", "blocky-0-r1");
    let entry = cache.get(&key).unwrap().unwrap();
    let text = std::fs::read_to_string(cache.entry_path(&key)).unwrap();
    for line in text.lines() {
        let (k, v) = line.split_once('=').unwrap();
        assert_eq!(entry.get(k), Some(v), "{k}");
    }
    assert_eq!(entry.fields().count(), text.lines().count());
    let names: Vec<&str> = entry.inherited().collect();
    assert_eq!(names, ["user-info", "edo", "acct-group"]);
    let ebuild = ebuild_path(&guru_dir(), &key).unwrap();
    assert_eq!(
        entry.md5(),
        Some(strata_cache::md5_file(&ebuild).unwrap().as_str())
    );
    assert!(
        cache
            .get(&EntryKey::new("acct-group", "nope-1"))
            .unwrap()
            .is_none()
    );
    for (cat, pf) in [
        ("..", "guru-1"),
        ("acct-group", "../../x-1"),
        ("acct-group", "Manifest.gz"),
    ] {
        assert!(
            matches!(
                cache.get(&EntryKey::new(cat, pf)),
                Err(strata_cache::CacheError::BadKey { .. })
            ),
            "{cat}/{pf}"
        );
    }
}

/// Whether a file looks as egencache would have written it: keys sorted, no empty
/// values, `_eclasses_` names sorted.
fn egencache_shaped(text: &str) -> bool {
    let mut keys = Vec::new();
    for line in text.lines() {
        let (k, v) = line.split_once('=').unwrap();
        if v.is_empty() {
            return false;
        }
        if k == "_eclasses_" {
            let names: Vec<&str> = v.split('\t').step_by(2).collect();
            if !names.is_sorted() {
                return false;
            }
        }
        keys.push(k);
    }
    keys.is_sorted()
}

#[test]
fn rewriting_every_guru_entry_is_byte_identical() {
    let cache = guru_cache();
    let (mut egencache_like, mut others) = (0, 0);
    for key in cache.keys().unwrap() {
        let path = cache.entry_path(&key);
        let bytes = std::fs::read(&path).unwrap();
        let text = String::from_utf8(bytes.clone()).unwrap();
        let entry = parse_md5_entry(&bytes[..], &path).unwrap();
        assert_eq!(
            write_md5_entry(&key, &entry, WriteStyle::AsRead).unwrap(),
            text,
            "{key}"
        );
        let egencache = write_md5_entry(&key, &entry, WriteStyle::Egencache).unwrap();
        if egencache_shaped(&text) {
            egencache_like += 1;
            assert_eq!(egencache, text, "{key}");
        } else {
            others += 1;
            assert!(egencache_shaped(&egencache), "{key}: {egencache}");
            // Same non-empty data, same eclass set.
            let again = parse_md5_entry(egencache.as_bytes(), &path).unwrap();
            for (k, v) in entry.fields().filter(|(_, v)| !v.is_empty()) {
                if k != "_eclasses_" {
                    assert_eq!(again.get(k), Some(v), "{key} {k}");
                }
            }
            let mut a = entry.eclasses().to_vec();
            let mut b = again.eclasses().to_vec();
            a.sort_by(|x, y| x.name.cmp(&y.name));
            b.sort_by(|x, y| x.name.cmp(&y.name));
            assert_eq!(a, b, "{key}");
        }
    }
    assert!(
        egencache_like > 100 && others > 100,
        "{egencache_like} {others}"
    );
}

fn append(path: &Path, text: &str) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes.extend_from_slice(text.as_bytes());
    std::fs::write(path, bytes).unwrap();
}

const PACKAGES: [(&str, &str, &str); 4] = [
    ("acct-group", "blocky", "blocky-0-r1"),
    ("dev-nim", "cligen", "cligen-1.11.0"),
    ("dev-nim", "inim", "inim-0.6.1"),
    ("app-accessibility", "rhvoice", "rhvoice-1.16.4"),
];

fn temp_copy() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("guru");
    let master = tmp.path().join("gentoo-stub");
    copy_tree(&guru_dir().join("eclass"), &repo.join("eclass"));
    copy_tree(&gentoo_stub_dir().join("eclass"), &master.join("eclass"));
    for (cat, pn, pf) in PACKAGES {
        copy_tree(&guru_dir().join(cat).join(pn), &repo.join(cat).join(pn));
        let cache = repo.join("metadata/md5-cache").join(cat);
        std::fs::create_dir_all(&cache).unwrap();
        std::fs::copy(
            guru_dir().join("metadata/md5-cache").join(cat).join(pf),
            cache.join(pf),
        )
        .unwrap();
    }
    (tmp, repo, master)
}

fn reasons(cache: &Md5DictCache, repo: &Path, cat: &str, pf: &str) -> Vec<StaleReason> {
    let key = EntryKey::new(cat, pf);
    let entry: CacheEntry = cache.get(&key).unwrap().unwrap();
    match cache
        .validate(&key, &entry, &ebuild_path(repo, &key).unwrap())
        .unwrap()
    {
        Validity::Valid => Vec::new(),
        Validity::Stale(r) => r,
    }
}

#[test]
fn edits_make_entries_stale_with_the_reason_and_nothing_is_written() {
    let (_tmp, repo, master) = temp_copy();
    let open = || {
        let path = EclassPath::for_repo(&repo, std::slice::from_ref(&master)).unwrap();
        Md5DictCache::for_repo(&repo, Arc::new(path))
    };
    let cache = open();
    for r in validate_all(&cache, &repo).unwrap() {
        assert_eq!(r.outcome.unwrap(), Validity::Valid, "{}", r.key);
    }

    // Edit an ebuild, a repository eclass, a master eclass; remove another master eclass.
    append(
        &repo.join("acct-group/blocky/blocky-0-r1.ebuild"),
        "# edited\n",
    );
    append(&repo.join("eclass/nim-utils.eclass"), "# edited\n");
    append(&master.join("eclass/toolchain-funcs.eclass"), "# edited\n");
    std::fs::remove_file(master.join("eclass/edo.eclass")).unwrap();
    let before = snapshot(_tmp.path());

    let cache = open();
    let blocky = reasons(&cache, &repo, "acct-group", "blocky-0-r1");
    assert!(
        matches!(&blocky[0], StaleReason::EbuildMd5 { .. }),
        "{blocky:?}"
    );
    assert!(blocky.contains(&StaleReason::EclassMissing { name: "edo".into() }));

    let cligen = reasons(&cache, &repo, "dev-nim", "cligen-1.11.0");
    let changed: Vec<&str> = cligen
        .iter()
        .filter_map(|r| match r {
            StaleReason::EclassChanged { name, .. } => Some(name.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(changed, ["toolchain-funcs", "nim-utils"], "{cligen:?}");
    assert!(cligen.contains(&StaleReason::EclassMissing { name: "edo".into() }));

    // rhvoice inherits none of the edited eclasses.
    assert!(reasons(&cache, &repo, "app-accessibility", "rhvoice-1.16.4").is_empty());

    // Trusted mode skips validation.
    let trusted = open().trusted(true);
    assert!(reasons(&trusted, &repo, "acct-group", "blocky-0-r1").is_empty());

    // Bulk validation reports, never deletes or rewrites.
    let stale = validate_all(&cache, &repo)
        .unwrap()
        .into_iter()
        .filter(|r| !r.outcome.as_ref().unwrap().is_valid())
        .count();
    assert_eq!(stale, 3);
    assert_eq!(
        snapshot(_tmp.path()),
        before,
        "validation wrote into the repository"
    );
}

#[test]
fn repository_eclass_overrides_master() {
    let (_tmp, repo, master) = temp_copy();
    // A repository copy of a master eclass with other content takes precedence.
    std::fs::write(repo.join("eclass/edo.eclass"), "# a different edo\n").unwrap();
    let path = EclassPath::for_repo(&repo, std::slice::from_ref(&master)).unwrap();
    assert_eq!(path.get("edo").unwrap().dir(), repo.join("eclass"));
    let cache = Md5DictCache::for_repo(&repo, Arc::new(path));
    let r = reasons(&cache, &repo, "acct-group", "blocky-0-r1");
    assert!(
        matches!(r.as_slice(), [StaleReason::EclassChanged { name, .. }] if name == "edo"),
        "{r:?}"
    );
}

#[test]
fn put_is_refused_unless_writable_and_writes_egencache_layout() {
    let (_tmp, repo, master) = temp_copy();
    let path = Arc::new(EclassPath::for_repo(&repo, &[master]).unwrap());
    let ro = Md5DictCache::for_repo(&repo, path.clone());
    let key = EntryKey::new("dev-nim", "cligen-1.11.0");
    let entry = ro.get(&key).unwrap().unwrap();
    assert!(matches!(
        ro.put(&key, &entry),
        Err(strata_cache::CacheError::ReadOnly)
    ));
    let rw = Md5DictCache::for_repo(&repo, path).writable(true);
    let new_key = EntryKey::new("dev-nim", "cligen-9.9");
    rw.put(&new_key, &entry).unwrap();
    let written = std::fs::read_to_string(rw.entry_path(&new_key)).unwrap();
    assert!(egencache_shaped(&written), "{written}");
    assert_eq!(rw.get(&new_key).unwrap().unwrap().md5(), entry.md5());
    let leftovers: Vec<_> = std::fs::read_dir(repo.join("metadata/md5-cache/dev-nim"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
