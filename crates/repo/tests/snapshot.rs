//! The search index as a repository snapshot: a warm index (built before the change)
//! must notice every kind of change in each freshness tier, and every answer must equal
//! the one read directly from the tree without the index (`use_index: false`), problems
//! included. Works on a temporary copy of part of GURU.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use strata_cache::StaleReason;
use strata_repo::{
    EbuildRepo, EbuildRepoOptions, MasterRepo, MatchOptions, ProblemKind, Repository,
};
use strata_restrict::{Attr, Restriction, query};
use strata_testtools::{copy_tree, gentoo_stub_dir, set_mtime, snapshot};

const CATEGORIES: &[&str] = &["acct-group", "dev-nim"];

fn partial_guru(dst: &Path) {
    common::partial_guru(dst, CATEGORIES);
}

fn open(repo: &Path, index: &Path) -> EbuildRepo {
    common::open_over_stub(repo, index)
}

struct Fixture {
    _tmp: tempfile::TempDir,
    repo: PathBuf,
    index: PathBuf,
    /// An index directory nothing is ever built in (the direct answers use no index).
    none: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("guru");
        partial_guru(&repo);
        let index = tmp.path().join("index");
        let none = tmp.path().join("no-index");
        let f = Fixture {
            repo,
            index,
            none,
            _tmp: tmp,
        };
        // Warm the index (every tier) before anything changes.
        let r = open(&f.repo, &f.index);
        assert!(r.search_index().unwrap().rebuilt);
        drop(r);
        f
    }

    /// Matches with the warm index (a new repository object: nothing cached in memory)
    /// and directly from the tree; asserts they agree, with the problems of the matched
    /// packages, and returns the matches as `cpv` strings. (Index-first matching never
    /// looks at versions without a cache entry, so problems of packages outside the
    /// answer are only compared for listings, in [`Fixture::all`].)
    fn both(&self, r: &Restriction, strict: bool) -> Vec<String> {
        self.compare(r, strict, false)
    }

    fn compare(&self, r: &Restriction, strict: bool, every_problem: bool) -> Vec<String> {
        let run = |index: &Path, use_index: bool| {
            let repo = open(&self.repo, index);
            let pkgs = repo
                .itermatch(r, &MatchOptions { strict, use_index })
                .unwrap();
            let names: Vec<String> = pkgs.iter().map(|p| p.cpv().to_string()).collect();
            let mut problems: Vec<String> = pkgs
                .iter()
                .filter_map(|p| p.problem())
                .map(|p| format!("{}: {:?}", p.key, p.kind))
                .collect();
            if every_problem {
                problems.extend(
                    repo.bad_packages()
                        .iter()
                        .map(|p| format!("{}: {:?}", p.key, p.kind)),
                );
            }
            problems.sort();
            problems.dedup();
            (names, problems)
        };
        let with = run(&self.index, true);
        let without = run(&self.none, false);
        assert_eq!(with, without, "{r}");
        assert!(
            !self.none.exists(),
            "the direct answer must not build an index"
        );
        with.0
    }

    fn all(&self) -> Vec<String> {
        self.compare(&Restriction::AlwaysTrue, false, true)
    }

    fn problems_of(&self, cpv: &str) -> Vec<ProblemKind> {
        let repo = open(&self.repo, &self.index);
        repo.all_packages(&MatchOptions::fast())
            .unwrap()
            .iter()
            .filter(|p| p.cpv().to_string() == cpv)
            .filter_map(|p| p.problem())
            .map(|p| p.kind)
            .collect()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.repo.join(rel)
    }
}

/// Replaces the value of `key` in a cache entry with `value` padded to the old length.
fn same_size_value(text: &str, key: &str, value: &str) -> String {
    text.lines()
        .map(|l| match l.strip_prefix(&format!("{key}=")) {
            Some(old) => {
                assert!(value.len() <= old.len());
                format!("{key}={value}{}\n", " ".repeat(old.len() - value.len()))
            }
            None => format!("{l}\n"),
        })
        .collect()
}

#[test]
fn entries_tier_catches_in_place_and_replaced_edits_of_the_same_size_and_mtime() {
    let f = Fixture::new();
    let entry = f.path("metadata/md5-cache/acct-group/blocky-0-r1");
    let before = std::fs::metadata(&entry).unwrap();
    let text = std::fs::read_to_string(&entry).unwrap();

    // In place: same inode, same size, the mtime set back; only the ctime differs.
    let edited = same_size_value(&text, "DESCRIPTION", "Zyzzyva group");
    assert_eq!(edited.len(), text.len());
    let mut file = std::fs::File::options().write(true).open(&entry).unwrap();
    file.rewind().unwrap();
    file.write_all(edited.as_bytes()).unwrap();
    drop(file);
    set_mtime(&entry, before.modified().unwrap());
    let after = std::fs::metadata(&entry).unwrap();
    assert_eq!(
        (after.ino(), after.size(), after.modified().unwrap()),
        (before.ino(), before.size(), before.modified().unwrap())
    );
    // The entries tier (description search) and the per-record check (listing) both
    // see the new text.
    let hits = f.both(&query::description("zyzzyva").unwrap(), false);
    assert_eq!(hits, ["acct-group/blocky-0-r1"]);
    let repo = open(&f.repo, &f.index);
    let pkgs = repo.all_packages(&MatchOptions::fast()).unwrap();
    let blocky = pkgs
        .iter()
        .find(|p| p.cpv().to_string() == "acct-group/blocky-0-r1")
        .unwrap();
    assert!(
        blocky
            .get("DESCRIPTION")
            .unwrap()
            .starts_with("Zyzzyva group")
    );

    // Replaced by rename: a new inode with the same size and mtime.
    let edited = same_size_value(&text, "DESCRIPTION", "Quokka group");
    let tmp = f.path("metadata/md5-cache/acct-group/.blocky.tmp");
    std::fs::write(&tmp, &edited).unwrap();
    set_mtime(&tmp, before.modified().unwrap());
    std::fs::rename(&tmp, &entry).unwrap();
    let after = std::fs::metadata(&entry).unwrap();
    assert_ne!(after.ino(), before.ino());
    assert_eq!(after.size(), before.size());
    assert_eq!(
        f.both(&query::description("quokka").unwrap(), false),
        ["acct-group/blocky-0-r1"]
    );
    assert!(
        f.both(&query::description("zyzzyva").unwrap(), false)
            .is_empty()
    );
}

#[test]
fn tree_tier_catches_new_and_removed_ebuilds_packages_and_categories() {
    let f = Fixture::new();
    let all = f.all();
    assert!(all.contains(&"dev-nim/inim-0.6.1".to_owned()));

    // A new ebuild in an existing package: listed, with no cache entry.
    std::fs::copy(
        f.path("acct-group/blocky/blocky-0-r1.ebuild"),
        f.path("acct-group/blocky/blocky-1.ebuild"),
    )
    .unwrap();
    // A removed ebuild whose cache entry stays: not listed (nor found index-first).
    std::fs::remove_file(f.path("dev-nim/inim/inim-0.6.1.ebuild")).unwrap();
    assert!(f.path("metadata/md5-cache/dev-nim/inim-0.6.1").exists());
    // A new package directory and a new (unlisted) category with an ebuild.
    copy_tree(&f.path("acct-group/blocky"), &f.path("acct-group/blockz"));
    for e in std::fs::read_dir(f.path("acct-group/blockz")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "ebuild") {
            let name = p
                .file_name()
                .unwrap()
                .to_string_lossy()
                .replace("blocky", "blockz");
            std::fs::rename(&p, f.path("acct-group/blockz").join(name)).unwrap();
        }
    }
    std::fs::create_dir_all(f.path("app-zzz/foo")).unwrap();
    std::fs::write(f.path("app-zzz/foo/foo-1.ebuild"), "EAPI=8\n").unwrap();

    let all = f.all();
    for listed in [
        "acct-group/blocky-1",
        "acct-group/blockz-0-r1",
        "acct-group/blockz-1",
        "app-zzz/foo-1",
    ] {
        assert!(all.contains(&listed.to_owned()), "{listed} listed");
    }
    assert!(!all.contains(&"dev-nim/inim-0.6.1".to_owned()));
    assert!(matches!(
        f.problems_of("acct-group/blocky-1")[..],
        [ProblemKind::MissingCacheEntry]
    ));
    // Index-first (a cache-only restriction) confirms hits against the tree.
    let eapi8 = f.both(&query::eapi("8"), false);
    assert!(!eapi8.contains(&"dev-nim/inim-0.6.1".to_owned()));
    assert!(eapi8.contains(&"dev-nim/inim-1.0.0".to_owned()));
    // Strict listing drops the versions without metadata, the same way.
    let strict = f.both(&Restriction::AlwaysTrue, true);
    assert!(!strict.contains(&"acct-group/blocky-1".to_owned()));
}

#[test]
fn edited_eclass_makes_exactly_its_inheritors_stale() {
    let f = Fixture::new();
    let eclass = f.path("eclass/nim-utils.eclass");
    let mut text = std::fs::read_to_string(&eclass).unwrap();
    text.push_str("# edited\n");
    std::fs::write(&eclass, text).unwrap();
    // Compares every package's problem with and without the index.
    let all = f.all();
    let repo = open(&f.repo, &f.index);
    let mut stale = Vec::new();
    for p in repo.all_packages(&MatchOptions::fast()).unwrap() {
        if let Some(ProblemKind::StaleCacheEntry { reasons }) = p.problem().map(|p| p.kind) {
            assert!(
                reasons.iter().any(
                    |r| matches!(r, StaleReason::EclassChanged { name, .. } if name == "nim-utils")
                ),
                "{}: {reasons:?}",
                p.cpv()
            );
            stale.push(p.cpv().to_string());
        }
    }
    let nim: Vec<&String> = all.iter().filter(|c| c.starts_with("dev-nim/")).collect();
    assert!(!nim.is_empty());
    assert_eq!(stale.iter().collect::<Vec<_>>(), nim);
}

#[test]
fn edited_ebuild_is_stale_without_a_rebuild() {
    let f = Fixture::new();
    let ebuild = f.path("dev-nim/cligen/cligen-1.11.0.ebuild");
    let mut bytes = std::fs::read(&ebuild).unwrap();
    bytes.extend_from_slice(b"# edited\n");
    std::fs::write(&ebuild, bytes).unwrap();
    // set the mtime far from the original so nothing depends on timing
    set_mtime(&ebuild, SystemTime::now() + Duration::from_secs(3));
    f.all();
    assert!(matches!(
        &f.problems_of("dev-nim/cligen-1.11.0")[..],
        [ProblemKind::StaleCacheEntry { reasons }] if matches!(reasons[..], [StaleReason::EbuildMd5 { .. }])
    ));
    assert!(f.problems_of("dev-nim/inim-1.0.0").is_empty());
}

#[test]
fn xml_tier_catches_edited_and_removed_metadata_xml() {
    let f = Fixture::new();
    let before = f.both(&query::description("wombat").unwrap(), false);
    assert!(before.is_empty());
    let xml = f.path("dev-nim/cligen/metadata.xml");
    let text = std::fs::read_to_string(&xml).unwrap();
    let edited = match text.find("</pkgmetadata>") {
        Some(at) => format!(
            "{}<longdescription>A wombat of a parser</longdescription>\n{}",
            &text[..at],
            &text[at..]
        ),
        None => panic!("no </pkgmetadata> in {}", xml.display()),
    };
    let edited = edited.replace(
        "<longdescription lang=\"en\">",
        "<longdescription lang=\"xx\">",
    );
    std::fs::write(&xml, edited).unwrap();
    assert_eq!(
        f.both(&query::description("wombat").unwrap(), false),
        ["dev-nim/cligen-1.11.0"]
    );
    // Versions without a cache entry match through their package's metadata.xml: a new
    // ebuild in that package, and a new package (no cache entry at all) saying the same.
    std::fs::write(f.path("dev-nim/cligen/cligen-2.0.ebuild"), "EAPI=8\n").unwrap();
    std::fs::create_dir_all(f.path("dev-nim/wombat")).unwrap();
    std::fs::write(f.path("dev-nim/wombat/wombat-1.ebuild"), "EAPI=8\n").unwrap();
    std::fs::write(
        f.path("dev-nim/wombat/metadata.xml"),
        "<pkgmetadata><longdescription>Wombat</longdescription></pkgmetadata>",
    )
    .unwrap();
    assert_eq!(
        f.both(&query::description("wombat").unwrap(), false),
        [
            "dev-nim/cligen-1.11.0",
            "dev-nim/cligen-2.0",
            "dev-nim/wombat-1"
        ]
    );
    assert_eq!(
        f.both(&query::description("wombat").unwrap(), true),
        ["dev-nim/cligen-1.11.0"]
    );
    // A version without a cache entry in a package whose records do not match: its
    // package does not match either (the index path skips it by its records).
    std::fs::write(f.path("dev-nim/inim/inim-9.ebuild"), "EAPI=8\n").unwrap();
    assert_eq!(
        f.both(&query::description("wombat").unwrap(), false),
        [
            "dev-nim/cligen-1.11.0",
            "dev-nim/cligen-2.0",
            "dev-nim/wombat-1"
        ]
    );
    // A negation is not positive: a version without a cache entry can match by its
    // package alone even when every record of that package fails (inim's records have
    // this DESCRIPTION; inim-9 has none).
    let not_nim_shell = Restriction::And(vec![
        Restriction::attr(
            Attr::Category,
            strata_restrict::ValueRestriction::exact("dev-nim"),
        ),
        Restriction::attr(
            Attr::Description,
            strata_restrict::ValueRestriction::regex("Nim Shell", false).unwrap(),
        )
        .negate(),
    ]);
    let found = f.both(&not_nim_shell, false);
    assert!(found.contains(&"dev-nim/inim-9".to_owned()), "{found:?}");
    assert!(
        !found
            .iter()
            .any(|c| c.starts_with("dev-nim/inim-0") || c.starts_with("dev-nim/inim-1")),
        "{found:?}"
    );

    // A removed metadata.xml: its maintainers are gone.
    let xml = f.path("dev-nim/inim/metadata.xml");
    let text = std::fs::read_to_string(&xml).unwrap();
    let email = text
        .split("<email>")
        .nth(1)
        .and_then(|s| s.split("</email>").next())
        .unwrap()
        .to_owned();
    let found = f.both(&query::maintainer(&regex::escape(&email)).unwrap(), false);
    assert!(found.iter().any(|c| c.starts_with("dev-nim/inim-")));
    std::fs::remove_file(&xml).unwrap();
    let found = f.both(&query::maintainer(&regex::escape(&email)).unwrap(), false);
    assert!(!found.iter().any(|c| c.starts_with("dev-nim/inim-")));
}

#[test]
fn queries_write_nothing_into_the_repository() {
    let f = Fixture::new();
    std::fs::write(
        f.path("dev-nim/cligen/cligen-1.11.0.ebuild"),
        "EAPI=8\n# changed\n",
    )
    .unwrap();
    let before = snapshot(&f.repo);
    f.all();
    f.both(&query::description("nim").unwrap(), true);
    f.both(&query::license(["MIT"]), false);
    f.both(&Restriction::revdep_name("dev-lang/nim"), false);
    assert_eq!(snapshot(&f.repo), before);
}

#[test]
fn a_frozen_repository_trusts_the_snapshot_without_stating() {
    let f = Fixture::new();
    let frozen = || {
        EbuildRepo::open_with(
            &f.repo,
            EbuildRepoOptions {
                masters: vec![MasterRepo {
                    name: "gentoo".into(),
                    location: gentoo_stub_dir(),
                }],
                index_dir: Some(f.index.clone()),
                frozen: true,
                ..Default::default()
            },
        )
        .unwrap()
    };
    let before: Vec<String> = frozen()
        .all_packages(&MatchOptions::fast())
        .unwrap()
        .iter()
        .map(|p| p.cpv().to_string())
        .collect();
    // Changes the tiers would catch: a frozen repository does not look.
    std::fs::write(f.path("dev-nim/cligen/cligen-2.0.ebuild"), "EAPI=8\n").unwrap();
    let entry = f.path("metadata/md5-cache/acct-group/blocky-0-r1");
    let text = std::fs::read_to_string(&entry).unwrap();
    std::fs::write(
        &entry,
        same_size_value(&text, "DESCRIPTION", "Zyzzyva group"),
    )
    .unwrap();
    let repo = frozen();
    let after: Vec<String> = repo
        .all_packages(&MatchOptions::fast())
        .unwrap()
        .iter()
        .map(|p| p.cpv().to_string())
        .collect();
    assert_eq!(after, before);
    assert!(
        repo.itermatch(
            &query::description("zyzzyva").unwrap(),
            &MatchOptions::fast()
        )
        .unwrap()
        .is_empty()
    );
    // The same query on a repository that is not frozen sees both changes.
    assert!(f.all().contains(&"dev-nim/cligen-2.0".to_owned()));
    assert_eq!(
        f.both(&query::description("zyzzyva").unwrap(), false),
        ["acct-group/blocky-0-r1"]
    );
}
