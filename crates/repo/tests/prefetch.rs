//! `EbuildRepo::prefetch_index`: checking the index ahead of a query changes no answer,
//! builds and writes nothing itself, and the query does not check the tiers again.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use strata_repo::{
    EbuildRepo, EbuildRepoOptions, IndexTiers, MasterRepo, MatchOptions, Repository,
};
use strata_restrict::{Restriction, query};
use strata_testtools::{gentoo_stub_dir, guru_dir};

fn open(index: &Path) -> EbuildRepo {
    EbuildRepo::open_with(
        guru_dir(),
        EbuildRepoOptions {
            masters: vec![MasterRepo {
                name: "gentoo".into(),
                location: gentoo_stub_dir(),
            }],
            index_dir: Some(index.to_path_buf()),
            ..Default::default()
        },
    )
    .unwrap()
}

fn cpvs(repo: &EbuildRepo, r: &Restriction) -> Vec<String> {
    repo.itermatch(r, &MatchOptions::default())
        .unwrap()
        .iter()
        .map(|p| p.cpv().to_string())
        .collect()
}

const BOTH: IndexTiers = IndexTiers {
    entries: true,
    xml: true,
};

#[test]
fn prefetch_changes_no_answer_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let index = tmp.path().join("index");
    let search = query::description("terminal").unwrap();
    let maint = query::maintainer("gasc@eurecom").unwrap();

    // No index yet: the prefetch builds nothing, the query does.
    let repo = open(&index);
    repo.prefetch_index(BOTH);
    let cold = cpvs(&repo, &search);
    assert!(!cold.is_empty());
    assert!(
        index.read_dir().unwrap().next().is_some(),
        "the query built the index"
    );

    // Warm: a prefetched query answers as one without prefetch, and as the tree.
    let repo = open(&index);
    repo.prefetch_index(BOTH);
    assert_eq!(cpvs(&repo, &search), cold);
    // A second query in the same process checks again (no prefetch left) and agrees.
    assert_eq!(cpvs(&repo, &search), cold);
    let direct = open(&tmp.path().join("none"))
        .itermatch(
            &search,
            &MatchOptions {
                use_index: false,
                ..Default::default()
            },
        )
        .unwrap()
        .iter()
        .map(|p| p.cpv().to_string())
        .collect::<Vec<_>>();
    assert_eq!(cold, direct);

    // A prefetch of fewer tiers than the query needs: the query checks what it needs.
    let repo = open(&index);
    repo.prefetch_index(IndexTiers {
        entries: true,
        xml: false,
    });
    let by_maintainer = cpvs(&repo, &maint);
    assert!(!by_maintainer.is_empty());
    assert_eq!(by_maintainer, cpvs(&open(&index), &maint));

    // Prefetching twice, or without querying at all, is harmless.
    let repo = open(&index);
    repo.prefetch_index(BOTH);
    repo.prefetch_index(BOTH);
    drop(repo);
    let names: Vec<_> = index
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}: no temporary files left");
}
