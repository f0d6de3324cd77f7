//! The installed-package database on the Portage-made roots.
#![allow(clippy::unwrap_used)]

use strata_repo::contents::EntryKind;
use strata_repo::{MatchOptions, Repository, VdbRepo};
use strata_restrict::{Attr, AttrValue, PackageAttrs, parse_target, query};
use strata_testtools::{portage_made_dir, write_file};

fn root(name: &str) -> VdbRepo {
    VdbRepo::for_root(&portage_made_dir().join(name))
}

fn listed(repo: &VdbRepo) -> Vec<String> {
    repo.all_packages(&MatchOptions::default())
        .unwrap()
        .iter()
        .map(|p| p.cpv().to_string())
        .collect()
}

/// `cat/pf` dirs of a vdb, by walking it.
fn walk(name: &str) -> Vec<String> {
    let vdb = portage_made_dir().join(name).join("var/db/pkg");
    let mut out = Vec::new();
    for c in std::fs::read_dir(&vdb).unwrap().flatten() {
        for p in std::fs::read_dir(c.path()).unwrap().flatten() {
            out.push(format!(
                "{}/{}",
                c.file_name().to_string_lossy(),
                p.file_name().to_string_lossy()
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn lists_the_three_roots() {
    for name in [
        "root-after-install",
        "root-after-upgrade",
        "root-after-unmerge",
    ] {
        let repo = root(name);
        assert!(repo.livefs());
        assert_eq!(listed(&repo), walk(name), "{name}");
        assert_eq!(repo.problems(), [], "{name}");
    }
    assert!(listed(&root("root-after-install")).contains(&"app-misc/hello-1.0".to_string()));
    assert!(listed(&root("root-after-upgrade")).contains(&"app-misc/hello-1.1".to_string()));
    assert!(!listed(&root("root-after-unmerge")).contains(&"app-misc/oddfiles-1".to_string()));
}

#[test]
fn entry_files_and_attributes() {
    let repo = root("root-after-install");
    let p = &repo
        .itermatch(
            &parse_target("dev-libs/libdemo").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap()[0];
    assert_eq!(p.attr(Attr::Slot), Some(AttrValue::text("2")));
    assert_eq!(p.attr(Attr::Subslot), Some(AttrValue::text("2.0")));
    assert_eq!(p.get("EAPI"), Some("8"));
    assert_eq!(
        p.attr(Attr::SourceRepository),
        Some(AttrValue::text("refrepo"))
    );
    // Every file of the entry by name, trailing newline stripped; COUNTER has none.
    let dir = p.path().unwrap().to_path_buf();
    for f in ["BUILD_TIME", "COUNTER", "SIZE", "KEYWORDS", "CHOST"] {
        let raw = std::fs::read_to_string(dir.join(f)).unwrap();
        assert_eq!(p.get(f), Some(raw.trim_end()), "{f}");
    }
    assert!(p.get("COUNTER").unwrap().parse::<u64>().is_ok());
    let size: u64 = std::fs::read_to_string(dir.join("SIZE"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(p.attr(Attr::Size), Some(AttrValue::Number(size)));

    let needs = &repo
        .itermatch(
            &parse_target("app-misc/needs-lib").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap()[0];
    assert_eq!(
        needs.attr(Attr::Rdepend).unwrap().to_string(),
        "dev-libs/libdemo:2/2.0="
    );
    // Reverse dependencies through the vdb.
    let rev = repo
        .itermatch(
            &strata_restrict::Restriction::revdep_name("dev-libs/libdemo"),
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(rev.len(), 1);
    assert_eq!(rev[0].cpv().to_string(), "app-misc/needs-lib-1");

    let toggle = &repo
        .itermatch(
            &parse_target("app-misc/usetoggle").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap()[0];
    let used = toggle.built_use().unwrap();
    assert!(used.contains(&"foo") && !used.contains(&"bar"), "{used:?}");
    assert_eq!(toggle.attr(Attr::Iuse).unwrap().to_string(), "+foo bar");
    assert!(
        parse_target("app-misc/usetoggle[foo,-bar]")
            .unwrap()
            .matches(toggle)
    );
    let env = toggle.attr(Attr::Environment).unwrap().to_string();
    assert!(env.contains("declare"), "environment.bz2 decompressed");
}

#[test]
fn contents_with_spaces_unicode_and_symlinks() {
    let repo = root("root-after-install");
    let p = &repo
        .itermatch(
            &parse_target("app-misc/oddfiles").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap()[0];
    let c = p.contents().unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let raw = std::fs::read_to_string(p.path().unwrap().join("CONTENTS")).unwrap();
    assert_eq!(c.entries.len(), raw.lines().count());
    let spaced = c.get("/usr/share/oddfiles/file with space.txt").unwrap();
    assert!(matches!(&spaced.kind, EntryKind::Obj { md5, mtime } if md5.len() == 32 && *mtime > 0));
    assert!(c.get("/usr/share/oddfiles/naïve-ünïcode.txt").is_some());
    let link = c.get("/usr/bin/oddfiles").unwrap();
    assert!(
        matches!(&link.kind, EntryKind::Sym { target, .. } if target == "../libexec/oddfiles/oddfiles-tool")
    );
    assert_eq!(
        link.to_string(),
        "symlink:/usr/bin/oddfiles->../libexec/oddfiles/oddfiles-tool"
    );
    // --owns through the repository.
    let owners = repo
        .itermatch(
            &query::owns("/usr/share/oddfiles/file with space.txt"),
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0].cpv().to_string(), "app-misc/oddfiles-1");
    assert!(
        repo.itermatch(&query::owns("/nonexistent"), &MatchOptions::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn missing_vdb_is_empty_and_bad_entries_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = VdbRepo::open(tmp.path().join("nope"));
    assert!(listed(&repo).is_empty());
    let vdb = tmp.path().join("pkg");
    write_file(&vdb, "app-misc/foo-1/SLOT", "0\n");
    write_file(&vdb, "app-misc/-MERGING-foo-2/SLOT", "0\n");
    write_file(&vdb, "app-misc/notaversion/SLOT", "0\n");
    write_file(&vdb, "app-misc/bar-1/EAPI", "8\n");
    let repo = VdbRepo::open(&vdb);
    assert_eq!(listed(&repo), ["app-misc/foo-1"]);
    let fast: Vec<_> = repo
        .all_packages(&MatchOptions::fast())
        .unwrap()
        .iter()
        .map(|p| p.cpv().to_string())
        .collect();
    assert_eq!(fast, ["app-misc/bar-1", "app-misc/foo-1"]);
    let keys: Vec<String> = repo.problems().iter().map(|p| p.key.clone()).collect();
    assert_eq!(keys, ["app-misc/bar-1", "app-misc/notaversion"]);
}
