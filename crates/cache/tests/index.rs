//! The search index: build from GURU, queries checked against the files themselves,
//! invalidation on every kind of input change, corrupt files.
#![allow(clippy::unwrap_used, clippy::type_complexity)]

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use strata_cache::CacheError;
use strata_cache::index::{
    DepClasses, IndexSpec, IndexStore, Maintainer, MaintainerQuery, NoExtra, PackageExtra,
    SearchIndex, compile_regex,
};
use strata_testtools::{copy_tree, gentoo_stub_dir, guru_dir, set_mtime};

/// A deliberately naive metadata.xml reader for the tests (the repo crate owns the real one).
fn tag_values<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find(&open) {
        let after = &rest[i + open.len()..];
        let Some(j) = after.find(&close) else { break };
        out.push(after[..j].trim());
        rest = &after[j..];
    }
    out
}

/// Each `<maintainer>` block's email, name and description (the first of each tag).
fn naive_maintainers(top: &str) -> Vec<Maintainer> {
    top.split("<maintainer")
        .skip(1)
        .filter_map(|block| block.split("</maintainer>").next())
        .map(|block| {
            let first = |tag: &str| tag_values(block, tag).first().map(|v| v.to_string());
            Maintainer {
                email: first("email").unwrap_or_default(),
                name: first("name"),
                description: first("description"),
                ..Default::default()
            }
        })
        .collect()
}

fn naive_extra(_cat: &str, _pn: &str, xml: &Path) -> Result<PackageExtra, String> {
    let text = match std::fs::read_to_string(xml) {
        Ok(t) => t,
        Err(_) => return Ok(PackageExtra::default()),
    };
    // Only maintainers outside <upstream>.
    let top = match text.find("<upstream>") {
        Some(i) => &text[..i],
        None => &text,
    };
    let maintainers = naive_maintainers(top);
    let longdescription = text.find("<longdescription").and_then(|i| {
        let after = &text[i..];
        let start = after.find('>')? + 1;
        let end = after.find("</longdescription>")?;
        Some(after[start..end].trim().to_owned())
    });
    Ok(PackageExtra {
        maintainers,
        longdescription,
        remote_ids: Vec::new(),
    })
}

/// Every `(cpv, KEY -> value)` of the GURU cache, read directly.
fn guru_entries() -> Vec<(String, Vec<(String, String)>)> {
    let dir = guru_dir().join("metadata/md5-cache");
    let mut out = Vec::new();
    for cat in std::fs::read_dir(&dir).unwrap() {
        let cat = cat.unwrap();
        for f in std::fs::read_dir(cat.path()).unwrap() {
            let f = f.unwrap();
            let text = std::fs::read_to_string(f.path()).unwrap();
            let kv = text
                .lines()
                .map(|l| {
                    let (k, v) = l.split_once('=').unwrap();
                    (k.to_owned(), v.to_owned())
                })
                .collect();
            out.push((
                format!(
                    "{}/{}",
                    cat.file_name().to_string_lossy(),
                    f.file_name().to_string_lossy()
                ),
                kv,
            ));
        }
    }
    out.sort();
    out
}

fn value<'a>(kv: &'a [(String, String)], key: &str) -> &'a str {
    kv.iter().find(|(k, _)| k == key).map_or("", |(_, v)| v)
}

fn cpvs(index: &SearchIndex, ids: &[usize]) -> Vec<String> {
    let mut v: Vec<String> = ids
        .iter()
        .map(|&i| index.record(i).unwrap().cpv())
        .collect();
    v.sort();
    v
}

#[test]
fn guru_index_answers_queries_like_a_full_scan() {
    let tmp = tempfile::tempdir().unwrap();
    let store = IndexStore::new(tmp.path());
    let stub = gentoo_stub_dir();
    let spec = IndexSpec::for_repo(guru_dir())
        .validating(vec![guru_dir().join("eclass"), stub.join("eclass")]);
    let opened = store.open(&spec, &naive_extra).unwrap();
    assert!(opened.rebuilt);
    let report = opened.report.unwrap();
    assert!(
        report.skipped.is_empty() && report.extra_errors.is_empty(),
        "{report:?}"
    );
    let index = opened.index;
    let entries = guru_entries();
    assert_eq!(index.len(), entries.len());
    assert_eq!(report.indexed, entries.len());
    assert!(index.validated());
    assert_eq!(index.find_stale(), Vec::<usize>::new());

    // Every record's fields equal the file's.
    for (rec, (cpv, kv)) in index.records().zip(&entries) {
        assert_eq!(&rec.cpv(), cpv);
        assert_eq!(rec.description(), value(kv, "DESCRIPTION"));
        assert_eq!(rec.license(), value(kv, "LICENSE"));
        assert_eq!(rec.eapi(), value(kv, "EAPI"));
        assert_eq!(rec.deps(DepClasses::RDEPEND), value(kv, "RDEPEND"));
        assert_eq!(rec.deps(DepClasses::IDEPEND), value(kv, "IDEPEND"));
        let slot = value(kv, "SLOT");
        assert_eq!(rec.slot(), slot.split('/').next().unwrap());
    }

    // Description regex, case-insensitive.
    let re = regex::RegexBuilder::new("terminal")
        .case_insensitive(true)
        .build()
        .unwrap();
    let expect: Vec<String> = entries
        .iter()
        .filter(|(_, kv)| re.is_match(value(kv, "DESCRIPTION")))
        .map(|(c, _)| c.clone())
        .collect();
    assert!(!expect.is_empty());
    let got = index.find_description(&compile_regex("terminal", true).unwrap(), false);
    assert_eq!(cpvs(&index, &got), expect);
    // With longdescription the set can only grow.
    let with_long = index.find_description(&compile_regex("terminal", true).unwrap(), true);
    assert!(with_long.len() > got.len());

    // EAPI, keyword, USE flag, license.
    let count = |pred: &dyn Fn(&[(String, String)]) -> bool| {
        entries.iter().filter(|(_, kv)| pred(kv)).count()
    };
    assert_eq!(
        index.find_eapi("9").len(),
        count(&|kv| value(kv, "EAPI") == "9")
    );
    assert_eq!(
        index.find_keyword("~riscv").len(),
        count(&|kv| value(kv, "KEYWORDS").split(' ').any(|k| k == "~riscv"))
    );
    assert_eq!(
        index.find_use("test").len(),
        count(&|kv| value(kv, "IUSE")
            .split(' ')
            .any(|f| f.trim_start_matches(['+', '-']) == "test"))
    );
    assert_eq!(
        index.find_license("MIT").len(),
        count(&|kv| value(kv, "LICENSE").split(' ').any(|l| l == "MIT"))
    );

    // Inherited eclasses come from the transitive _eclasses_ names.
    for eclass in ["cargo", "toolchain-funcs", "nim-utils"] {
        let want = count(&|kv| {
            value(kv, "_eclasses_")
                .split('\t')
                .step_by(2)
                .any(|n| n == eclass)
        });
        assert!(want > 0, "{eclass}");
        assert_eq!(index.find_inherit(eclass).len(), want, "{eclass}");
    }

    // Reverse dependencies of dev-python/textual, against a token scan of the files.
    let names_textual = |spec: &str| {
        spec.split(' ').any(|t| {
            let t = t.trim_start_matches(['!', '<', '>', '=', '~']);
            t.strip_prefix("dev-python/textual").is_some_and(|rest| {
                rest.is_empty()
                    || rest.starts_with([':', '['])
                    || rest.starts_with('-') && rest[1..].starts_with(|c: char| c.is_ascii_digit())
            })
        })
    };
    let expect: Vec<String> = entries
        .iter()
        .filter(|(_, kv)| {
            ["DEPEND", "RDEPEND", "PDEPEND", "BDEPEND", "IDEPEND"]
                .iter()
                .any(|k| names_textual(value(kv, k)))
        })
        .map(|(c, _)| c.clone())
        .collect();
    assert!(!expect.is_empty());
    let got: Vec<usize> = index
        .revdeps("dev-python/textual", DepClasses::ALL)
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    assert_eq!(cpvs(&index, &got), expect);
    let rdep_only = index.revdeps("dev-python/textual", DepClasses::RDEPEND);
    assert!(rdep_only.iter().all(|(_, c)| *c == DepClasses::RDEPEND));
    assert_eq!(
        rdep_only.len(),
        entries
            .iter()
            .filter(|(_, kv)| names_textual(value(kv, "RDEPEND")))
            .count()
    );

    // Maintainers from metadata.xml.
    let some_email = index
        .records()
        .find_map(|r| r.maintainers().next().map(|m| m.email.to_owned()))
        .unwrap();
    let hits = index.find_maintainer(&MaintainerQuery::Substring(some_email.to_uppercase()));
    assert!(!hits.is_empty());
    for &h in &hits {
        let rec = index.record(h).unwrap();
        let xml = std::fs::read_to_string(
            guru_dir()
                .join(rec.category())
                .join(rec.package())
                .join("metadata.xml"),
        )
        .unwrap();
        assert!(
            xml.to_lowercase().contains(&some_email.to_lowercase()),
            "{}",
            rec.cpv()
        );
    }
    let re = MaintainerQuery::Regex(compile_regex(&regex::escape(&some_email), false).unwrap());
    assert_eq!(index.find_maintainer(&re), hits);
    // Every maintainer's email, name and description come back as given (GURU has
    // maintainers with a <description>).
    let mut described = 0;
    for r in index.records() {
        let xml = guru_dir()
            .join(r.category())
            .join(r.package())
            .join("metadata.xml");
        let text = std::fs::read_to_string(&xml).unwrap_or_default();
        let top = text.split("<upstream>").next().unwrap_or("");
        let want: Vec<(String, Option<String>, Option<String>)> = naive_maintainers(top)
            .into_iter()
            .map(|m| (m.email, m.name, m.description))
            .collect();
        let got: Vec<(String, Option<String>, Option<String>)> = r
            .maintainers()
            .map(|m| {
                (
                    m.email.to_owned(),
                    m.name.map(str::to_owned),
                    m.description.map(str::to_owned),
                )
            })
            .collect();
        assert_eq!(got, want, "{}", r.cpv());
        described += got.iter().filter(|m| m.2.is_some()).count();
    }
    assert!(described > 0, "no GURU maintainer with a description");
    let unmaintained = index.find_unmaintained();
    assert!(!unmaintained.is_empty() && unmaintained.len() < index.len());
}

fn small_repo(root: &Path) -> PathBuf {
    let repo = root.join("guru");
    for (cat, pn) in [
        ("dev-nim", "cligen"),
        ("dev-nim", "inim"),
        ("acct-group", "blocky"),
    ] {
        copy_tree(&guru_dir().join(cat).join(pn), &repo.join(cat).join(pn));
        let cache = repo.join("metadata/md5-cache").join(cat);
        std::fs::create_dir_all(&cache).unwrap();
        for e in std::fs::read_dir(guru_dir().join("metadata/md5-cache").join(cat)).unwrap() {
            let e = e.unwrap();
            if e.file_name()
                .to_string_lossy()
                .starts_with(&format!("{pn}-"))
            {
                std::fs::copy(e.path(), cache.join(e.file_name())).unwrap();
            }
        }
    }
    repo
}

#[test]
fn any_input_change_rebuilds_and_is_reflected() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = small_repo(tmp.path());
    let store = IndexStore::new(tmp.path().join("index"));
    let spec = IndexSpec::for_repo(&repo);
    let first = store.open(&spec, &naive_extra).unwrap();
    assert!(first.rebuilt);
    let n = first.index.len();
    assert!(n >= 3);
    drop(first);
    assert!(!store.open(&spec, &naive_extra).unwrap().rebuilt);

    // Touch a cache entry (content unchanged).
    let entry = repo.join("metadata/md5-cache/dev-nim/cligen-1.11.0");
    set_mtime(&entry, SystemTime::now() + Duration::from_secs(5));
    assert!(store.open(&spec, &naive_extra).unwrap().rebuilt);
    assert!(!store.open(&spec, &naive_extra).unwrap().rebuilt);

    // Edit a cache entry: the new description is found.
    let text = std::fs::read_to_string(&entry).unwrap();
    let edited: String = text
        .lines()
        .map(|l| {
            if l.starts_with("DESCRIPTION=") {
                "DESCRIPTION=zyzzyva parser".to_owned()
            } else {
                l.to_owned()
            }
        })
        .map(|l| l + "\n")
        .collect();
    std::fs::write(&entry, edited).unwrap();
    let opened = store.open(&spec, &naive_extra).unwrap();
    assert!(opened.rebuilt);
    let hits = opened
        .index
        .find_description(&compile_regex("ZYZZYVA", true).unwrap(), false);
    assert_eq!(cpvs(&opened.index, &hits), ["dev-nim/cligen-1.11.0"]);
    drop(opened);

    // Edit an ebuild.
    let ebuild = repo.join("dev-nim/inim/inim-0.6.1.ebuild");
    let mut bytes = std::fs::read(&ebuild).unwrap();
    bytes.extend_from_slice(b"# edited\n");
    std::fs::write(&ebuild, bytes).unwrap();
    assert!(store.open(&spec, &naive_extra).unwrap().rebuilt);
    assert!(!store.open(&spec, &naive_extra).unwrap().rebuilt);

    // Edit a metadata.xml: the new maintainer is found.
    let xml = repo.join("acct-group/blocky/metadata.xml");
    let text = std::fs::read_to_string(&xml).unwrap();
    let text = text.replacen(
        "<pkgmetadata>",
        "<pkgmetadata>\n<maintainer type=\"person\"><email>new@example.org</email></maintainer>",
        1,
    );
    std::fs::write(&xml, text).unwrap();
    let opened = store.open(&spec, &naive_extra).unwrap();
    assert!(opened.rebuilt);
    let hits = opened
        .index
        .find_maintainer(&MaintainerQuery::Substring("new@example".into()));
    assert_eq!(cpvs(&opened.index, &hits), ["acct-group/blocky-0-r1"]);
    drop(opened);

    // Remove an entry; add it back under another name.
    std::fs::rename(
        &entry,
        repo.join("metadata/md5-cache/dev-nim/cligen-1.12.0"),
    )
    .unwrap();
    let opened = store.open(&spec, &naive_extra).unwrap();
    assert!(opened.rebuilt);
    assert_eq!(opened.index.len(), n);
    assert!(opened.index.records().any(|r| r.pf() == "cligen-1.12.0"));
    drop(opened);

    // A format-salt change (the caller's parser changed) rebuilds too.
    let mut salted = spec.clone();
    salted.salt = "metadata.xml parser v2".into();
    assert!(store.open(&salted, &naive_extra).unwrap().rebuilt);

    // Nothing was written into the repository.
    let mut stack = vec![repo.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            assert!(
                !p.file_name().unwrap().to_string_lossy().starts_with('.'),
                "{}",
                p.display()
            );
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
}

#[test]
fn corrupt_or_truncated_index_is_an_error_and_gets_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = small_repo(tmp.path());
    let store = IndexStore::new(tmp.path().join("index"));
    let spec = IndexSpec::for_repo(&repo);
    drop(store.open(&spec, &NoExtra).unwrap());
    let path = store.index_path(&spec);
    let good = std::fs::read(&path).unwrap();
    assert!(SearchIndex::from_bytes(good.clone(), &path).is_ok());

    // Every truncation is an error.
    for len in [0, 1, 7, 64, 127, 128, good.len() / 2, good.len() - 1] {
        let r = SearchIndex::from_bytes(good[..len].to_vec(), &path);
        assert!(
            matches!(r, Err(CacheError::CorruptIndex { .. })),
            "len {len}"
        );
    }
    // Every single-byte change anywhere is caught (the checksum covers the header too).
    for at in 0..good.len() {
        let mut bad = good.clone();
        bad[at] ^= 0x41;
        assert!(
            SearchIndex::from_bytes(bad, &path).is_err(),
            "flip at {at} not detected"
        );
    }
    // Garbage of various lengths.
    for len in [0usize, 10, 200, 5000] {
        let junk: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        assert!(SearchIndex::from_bytes(junk, &path).is_err());
    }

    // A truncated file on disk: load fails with the path, open() rebuilds and says why.
    std::fs::write(&path, &good[..good.len() / 3]).unwrap();
    let err = SearchIndex::load(&path).unwrap_err();
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    let opened = store.open(&spec, &NoExtra).unwrap();
    assert!(opened.rebuilt);
    assert!(matches!(
        opened.discarded,
        Some(CacheError::CorruptIndex { .. })
    ));
    assert_eq!(std::fs::read(&path).unwrap(), good);
}

#[test]
fn default_store_location_follows_xdg() {
    // Read-only check of the rule; does not change the environment.
    let dir = IndexStore::default_dir();
    if let Some(xdg) = std::env::var_os("XDG_CACHE_HOME").filter(|x| Path::new(x).is_absolute()) {
        assert_eq!(dir.unwrap(), PathBuf::from(xdg).join("strata/index"));
    } else if let Some(home) = std::env::var_os("HOME").filter(|h| Path::new(h).is_absolute()) {
        assert_eq!(
            dir.unwrap(),
            PathBuf::from(home).join(".cache/strata/index")
        );
    }
}

#[test]
fn trusted_open_skips_the_check_but_still_builds_when_missing_or_corrupt() {
    use strata_cache::index::Freshness;
    let tmp = tempfile::tempdir().unwrap();
    let repo = small_repo(tmp.path());
    let store = IndexStore::new(tmp.path().join("index"));
    let spec = IndexSpec::for_repo(&repo);
    assert!(
        store
            .open_with(&spec, &NoExtra, Freshness::Trust)
            .unwrap()
            .rebuilt
    );
    let ebuild = repo.join("dev-nim/inim/inim-0.6.1.ebuild");
    set_mtime(&ebuild, SystemTime::now() + Duration::from_secs(7));
    assert!(
        !store
            .open_with(&spec, &NoExtra, Freshness::Trust)
            .unwrap()
            .rebuilt
    );
    assert!(
        store
            .open_with(&spec, &NoExtra, Freshness::CheckFiles)
            .unwrap()
            .rebuilt
    );
    std::fs::write(store.index_path(&spec), b"garbage").unwrap();
    let opened = store.open_with(&spec, &NoExtra, Freshness::Trust).unwrap();
    assert!(opened.rebuilt && opened.discarded.is_some());
}

#[test]
fn validating_index_records_stale_entries_and_watches_eclasses() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = small_repo(tmp.path());
    let master = tmp.path().join("gentoo-stub");
    copy_tree(&guru_dir().join("eclass"), &repo.join("eclass"));
    copy_tree(&gentoo_stub_dir().join("eclass"), &master.join("eclass"));
    let store = IndexStore::new(tmp.path().join("index"));
    let spec =
        IndexSpec::for_repo(&repo).validating(vec![repo.join("eclass"), master.join("eclass")]);
    let opened = store.open(&spec, &NoExtra).unwrap();
    assert!(opened.index.validated());
    assert!(opened.index.find_stale().is_empty());
    drop(opened);

    // An edited ebuild: that entry is stale, with the reason.
    let ebuild = repo.join("acct-group/blocky/blocky-0-r1.ebuild");
    let mut bytes = std::fs::read(&ebuild).unwrap();
    bytes.extend_from_slice(b"# edited\n");
    std::fs::write(&ebuild, bytes).unwrap();
    let opened = store.open(&spec, &NoExtra).unwrap();
    assert!(opened.rebuilt);
    let stale = opened.index.find_stale();
    assert_eq!(cpvs(&opened.index, &stale), ["acct-group/blocky-0-r1"]);
    let reason = opened
        .index
        .record(stale[0])
        .unwrap()
        .stale_reason()
        .unwrap()
        .to_owned();
    assert!(reason.contains("ebuild md5"), "{reason}");
    drop(opened);

    // An edited master eclass: the index is rebuilt and the inheriting entries are stale.
    let eclass = master.join("eclass/toolchain-funcs.eclass");
    let mut bytes = std::fs::read(&eclass).unwrap();
    bytes.extend_from_slice(b"# edited\n");
    std::fs::write(&eclass, bytes).unwrap();
    let opened = store.open(&spec, &NoExtra).unwrap();
    assert!(opened.rebuilt);
    let stale = cpvs(&opened.index, &opened.index.find_stale());
    assert!(
        stale.contains(&"dev-nim/cligen-1.11.0".to_owned()),
        "{stale:?}"
    );
    assert!(
        stale
            .iter()
            .all(|c| c.starts_with("dev-nim/") || c == "acct-group/blocky-0-r1")
    );

    // Without validation nothing is flagged.
    let plain = store.open(&IndexSpec::for_repo(&repo), &NoExtra).unwrap();
    assert!(!plain.index.validated() && plain.index.find_stale().is_empty());
}

#[test]
fn in_memory_build_matches_the_stored_one() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = small_repo(tmp.path());
    let spec = IndexSpec::for_repo(&repo);
    let (mem, report) = strata_cache::index::build_in_memory(&spec, &naive_extra).unwrap();
    assert_eq!(report.indexed, mem.len());
    let store = IndexStore::new(tmp.path().join("index"));
    let stored = store.open(&spec, &naive_extra).unwrap().index;
    let a: Vec<String> = mem
        .records()
        .map(|r| format!("{} {}", r.cpv(), r.description()))
        .collect();
    let b: Vec<String> = stored
        .records()
        .map(|r| format!("{} {}", r.cpv(), r.description()))
        .collect();
    assert_eq!(a, b);
    assert_eq!(mem.fingerprint(), stored.fingerprint());
}

#[test]
fn tiers_rebuild_only_for_what_they_check_and_the_snapshot_lists_the_tree() {
    use strata_cache::index::{Freshness, Tiers};
    let tmp = tempfile::tempdir().unwrap();
    let repo = small_repo(tmp.path());
    let store = IndexStore::new(tmp.path().join("index"));
    let spec = IndexSpec::for_repo(&repo);
    let entries = Freshness::Tiers(Tiers {
        entries: true,
        xml: false,
    });
    let xml = Freshness::Tiers(Tiers {
        entries: false,
        xml: true,
    });
    let first = store.open_with(&spec, &naive_extra, entries).unwrap();
    assert!(first.rebuilt);
    // The stored listing is the tree: every package directory and its ebuilds.
    let snap = first.index.snapshot().unwrap();
    let mut listed: Vec<String> = snap
        .categories
        .iter()
        .flat_map(|c| {
            c.packages.iter().flat_map(move |p| {
                p.ebuilds
                    .iter()
                    .map(move |e| format!("{}/{}", c.name, e.trim_end_matches(".ebuild")))
            })
        })
        .collect();
    listed.sort();
    assert_eq!(listed, strata_testtools::walk_ebuilds(&repo));
    assert!(snap.package("dev-nim", "cligen").unwrap().xml.is_some());
    // Every key but SRC_URI comes back from the record, as the file has it.
    let id = first.index.find("dev-nim", "cligen-1.11.0").unwrap();
    let rec = first.index.record(id).unwrap();
    let file =
        strata_testtools::read_md5_cache(&repo.join("metadata/md5-cache/dev-nim/cligen-1.11.0"));
    for (k, v) in &file {
        let want = (k != "SRC_URI").then_some(v.as_str());
        assert_eq!(rec.entry_value(k), want, "{k}");
    }
    assert_eq!(rec.entry_value("NO_SUCH_KEY"), None);
    assert!(rec.entry_stamp().is_some() && rec.ebuild_stamp().is_some());
    drop(first);

    // An edited ebuild is no tier's business (the caller checks it per record).
    let ebuild = repo.join("dev-nim/inim/inim-0.6.1.ebuild");
    set_mtime(&ebuild, SystemTime::now() + Duration::from_secs(9));
    assert!(
        !store
            .open_with(&spec, &naive_extra, entries)
            .unwrap()
            .rebuilt
    );
    assert!(!store.open_with(&spec, &naive_extra, xml).unwrap().rebuilt);
    let opened = store
        .open_with(&spec, &naive_extra, Freshness::Trust)
        .unwrap();
    assert!(!opened.index.ebuilds_current(&repo));
    drop(opened);
    assert!(store.open(&spec, &naive_extra).unwrap().rebuilt);

    // A metadata.xml change: the xml tier rebuilds, the entries tier does not.
    let x = repo.join("acct-group/blocky/metadata.xml");
    set_mtime(&x, SystemTime::now() + Duration::from_secs(11));
    assert!(
        !store
            .open_with(&spec, &naive_extra, entries)
            .unwrap()
            .rebuilt
    );
    assert!(store.open_with(&spec, &naive_extra, xml).unwrap().rebuilt);

    // A new cache entry (a cache category directory changes): the entries tier rebuilds.
    std::fs::copy(
        repo.join("metadata/md5-cache/dev-nim/cligen-1.11.0"),
        repo.join("metadata/md5-cache/dev-nim/cligen-1.12.0"),
    )
    .unwrap();
    assert!(!store.open_with(&spec, &naive_extra, xml).unwrap().rebuilt);
    let opened = store.open_with(&spec, &naive_extra, entries).unwrap();
    assert!(opened.rebuilt);
    assert!(opened.index.find("dev-nim", "cligen-1.12.0").is_some());
}

#[test]
fn stored_validity_keeps_the_structured_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = small_repo(tmp.path());
    let master = tmp.path().join("gentoo-stub");
    copy_tree(&guru_dir().join("eclass"), &repo.join("eclass"));
    copy_tree(&gentoo_stub_dir().join("eclass"), &master.join("eclass"));
    let dirs = vec![repo.join("eclass"), master.join("eclass")];
    let ebuild = repo.join("acct-group/blocky/blocky-0-r1.ebuild");
    let mut bytes = std::fs::read(&ebuild).unwrap();
    bytes.extend_from_slice(b"# edited\n");
    std::fs::write(&ebuild, bytes).unwrap();
    let store = IndexStore::new(tmp.path().join("index"));
    let spec = IndexSpec::for_repo(&repo).validating(dirs.clone());
    let opened = store.open(&spec, &NoExtra).unwrap();
    let index = &opened.index;
    let eclasses = strata_cache::EclassPath::new(dirs.clone()).unwrap();
    for rec in index.records() {
        let entry = strata_cache::parse_md5_entry(
            std::fs::read(repo.join("metadata/md5-cache").join(rec.cpv())).unwrap(),
            Path::new("x"),
        )
        .unwrap();
        let ebuild = repo
            .join(rec.category())
            .join(rec.package())
            .join(format!("{}.ebuild", rec.pf()));
        let want = strata_cache::validate_entry(
            &entry,
            &ebuild,
            &eclasses,
            strata_cache::EbuildChecksumKind::Md5,
        )
        .unwrap();
        assert_eq!(rec.validity(), Some(Ok(want)), "{}", rec.cpv());
    }
    assert_eq!(
        index.eclass_changes(&dirs),
        strata_cache::index::EclassChanges::None
    );
    let eclass = master.join("eclass/toolchain-funcs.eclass");
    let mut bytes = std::fs::read(&eclass).unwrap();
    bytes.extend_from_slice(b"# edited\n");
    std::fs::write(&eclass, bytes).unwrap();
    match index.eclass_changes(&dirs) {
        strata_cache::index::EclassChanges::Some(names) => {
            assert_eq!(names.into_iter().collect::<Vec<_>>(), ["toolchain-funcs"]);
        }
        other => panic!("{other:?}"),
    }
}
