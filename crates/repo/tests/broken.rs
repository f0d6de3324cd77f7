//! Broken, stale and odd packages in a temporary copy of part of GURU: each is reported
//! with its reason, none aborts a query, and nothing is written into the repository.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use strata_cache::StaleReason;
use strata_repo::{EbuildRepo, EbuildRepoOptions, MatchOptions, ProblemKind, Repository};
use strata_restrict::{parse_target, query};
use strata_testtools::{gentoo_stub_dir, snapshot, walk_ebuilds};

const CATEGORIES: &[&str] = &["acct-group", "acct-user", "dev-nim"];

fn partial_guru(dst: &Path) {
    common::partial_guru(dst, CATEGORIES);
}

fn open(repo: &Path, index: &Path) -> EbuildRepo {
    common::open_over_stub(repo, index)
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let s = std::fs::read_to_string(path).unwrap();
    std::fs::write(path, f(s)).unwrap();
}

#[test]
fn a_clean_copy_has_no_problems() {
    let tmp = tempfile::tempdir().unwrap();
    let repo_dir = tmp.path().join("guru");
    partial_guru(&repo_dir);
    let repo = open(&repo_dir, &tmp.path().join("index"));
    assert_eq!(repo.id(), "guru");
    let want: Vec<String> = walk_ebuilds(&repo_dir);
    let all = repo.all_packages(&MatchOptions::default()).unwrap();
    assert_eq!(all.len(), want.len());
    assert_eq!(repo.check_all().unwrap(), []);
}

#[test]
fn every_problem_is_reported_and_none_aborts() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path().join("guru");
    partial_guru(&r);
    let cache = r.join("metadata/md5-cache");
    let total = walk_ebuilds(&r).len();

    // Stale: the ebuild changed after the cache entry was written.
    edit(&r.join("acct-group/blocky/blocky-0-r1.ebuild"), |s| {
        s + "# edited\n"
    });
    // Broken: a cache entry line without '='.
    edit(&cache.join("acct-group/anubis-0"), |s| s + "garbage line\n");
    // Unsupported EAPI.
    edit(&cache.join("acct-group/_bgpd-0-r1"), |s| {
        s.replace("EAPI=8", "EAPI=paludis-1")
    });
    // No cache entry at all.
    std::fs::remove_file(cache.join("acct-group/_rpki-client-0")).unwrap();
    // An ebuild whose name is not a valid version.
    std::fs::write(
        r.join("acct-group/blocky/blocky-notaversion.ebuild"),
        "EAPI=8\n",
    )
    .unwrap();
    // Broken metadata.xml (the package stays available).
    std::fs::write(
        r.join("dev-nim/inim/metadata.xml"),
        "<pkgmetadata><maintainer>",
    )
    .unwrap();
    // The repository's own eclass overrides the master's: every package inheriting it is
    // now stale.
    let master_eclass = gentoo_stub_dir().join("eclass/acct-group.eclass");
    let text = std::fs::read_to_string(&master_eclass).unwrap();
    std::fs::write(
        r.join("eclass/acct-group.eclass"),
        text + "# local override\n",
    )
    .unwrap();

    let before = snapshot(&r);
    let repo = open(&r, &tmp.path().join("index"));
    assert!(
        repo.eclass_path()
            .get("nim-utils")
            .unwrap()
            .path()
            .starts_with(&r)
    );

    // Listing by name reads nothing: every valid file name is listed.
    let fast = repo.all_packages(&MatchOptions::fast()).unwrap();
    assert_eq!(fast.len(), total, "the bad file name is left out");
    // Strict matching drops the unavailable ones and keeps the stale one.
    let strict = repo.all_packages(&MatchOptions::default()).unwrap();
    let names: Vec<String> = strict.iter().map(|p| p.cpv().to_string()).collect();
    for gone in [
        "acct-group/anubis-0",
        "acct-group/_bgpd-0-r1",
        "acct-group/_rpki-client-0",
    ] {
        assert!(
            !names.contains(&gone.to_string()),
            "{gone} should be unavailable"
        );
    }
    assert!(names.contains(&"acct-group/blocky-0-r1".to_string()));
    assert_eq!(strict.len(), total - 3);

    let problems = repo.check_all().unwrap();
    let kind = |key: &str| -> Vec<&ProblemKind> {
        problems
            .iter()
            .filter(|p| p.key == key)
            .map(|p| &p.kind)
            .collect()
    };
    assert!(matches!(
        kind("acct-group/blocky-0-r1")[..],
        [ProblemKind::StaleCacheEntry { reasons }] if matches!(reasons[0], StaleReason::EbuildMd5 { .. })
    ));
    assert!(matches!(
        kind("acct-group/anubis-0")[..],
        [ProblemKind::BrokenCacheEntry { .. }]
    ));
    assert!(matches!(
        kind("acct-group/_bgpd-0-r1")[..],
        [ProblemKind::UnsupportedEapi { eapi }] if eapi == "paludis-1"
    ));
    assert!(matches!(
        kind("acct-group/_rpki-client-0")[..],
        [ProblemKind::MissingCacheEntry]
    ));
    assert!(matches!(
        kind("acct-group/blocky-notaversion")[..],
        [ProblemKind::InvalidName { .. }]
    ));
    assert!(
        kind("dev-nim/inim")
            .iter()
            .any(|k| matches!(k, ProblemKind::MetadataXml { .. }))
    );
    let eclass_stale: Vec<_> = problems
        .iter()
        .filter(|p| {
            matches!(&p.kind, ProblemKind::StaleCacheEntry { reasons }
                if reasons.iter().any(|r| matches!(r, StaleReason::EclassChanged { name, .. } if name == "acct-group")))
        })
        .collect();
    assert!(!eclass_stale.is_empty());
    for p in &problems {
        // Every problem names a path inside the repository and renders.
        assert!(p.path.starts_with(&r), "{p}");
        assert!(!p.to_string().is_empty());
    }
    // A metadata query still works over the rest, with and without the index (over 64
    // candidates, so the index is used).
    assert!(total > 64);
    let q = query::description(".").unwrap();
    let with = repo.itermatch(&q, &MatchOptions::default()).unwrap().len();
    let without = repo
        .itermatch(
            &q,
            &MatchOptions {
                strict: true,
                use_index: false,
            },
        )
        .unwrap()
        .len();
    assert_eq!(with, without);
    assert_eq!(with, total - 3);
    assert_eq!(snapshot(&r), before, "nothing written into the repository");
}

#[test]
fn index_invalidation_through_the_repo() {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path().join("guru");
    partial_guru(&r);
    let repo = open(&r, &tmp.path().join("index"));
    let q = query::description("zebra-unicorn").unwrap();
    assert!(repo.search_index().unwrap().rebuilt);
    assert!(!repo.search_index().unwrap().rebuilt);
    assert!(
        repo.itermatch(&q, &MatchOptions::fast())
            .unwrap()
            .is_empty()
    );

    // A regenerated cache entry (ebuild and entry edited together) changes the answer.
    let entry = r.join("metadata/md5-cache/acct-group/blocky-0-r1");
    edit(&entry, |s| {
        s.replace(
            "DESCRIPTION=A group for net-dns/blocky",
            "DESCRIPTION=A zebra-unicorn group",
        )
    });
    let opened = repo.search_index().unwrap();
    assert!(opened.rebuilt, "a changed cache entry rebuilds the index");
    let hits = repo.itermatch(&q, &MatchOptions::fast()).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].cpv().to_string(), "acct-group/blocky-0-r1");
    // A new metadata.xml maintainer is found too.
    std::fs::write(
        r.join("acct-group/blocky/metadata.xml"),
        "<pkgmetadata><maintainer type=\"person\"><email>zz@example.org</email></maintainer></pkgmetadata>",
    )
    .unwrap();
    let m = repo
        .itermatch(
            &query::maintainer("zz@example").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(m.len(), 1);
    // Frozen repositories trust the stored index.
    let frozen = EbuildRepo::open_with(
        &r,
        EbuildRepoOptions {
            masters: repo.masters().to_vec(),
            frozen: true,
            index_dir: Some(tmp.path().join("index")),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!frozen.search_index().unwrap().rebuilt);
    assert!(frozen.frozen());
    let _ = parse_target("*/*").unwrap();
}
