//! The PKGDIR repository on the PKGDIRs the real Portage 3.0.83 wrote
//! (`shared/data/portage-made/pkgdir-*`): listing, attributes against Portage's own
//! `Packages` entries, matching, contents without extraction, stale indexes, and that
//! reading never writes.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::{PKGDIRS, made};
use strata_atom::cpv::Cpv;
use strata_binpkg::repository::DEFAULT_ID;
use strata_binpkg::{BinpkgRepo, BinpkgRepoFactory, BinpkgRepoOptions, PackagesIndex};
use strata_repo::contents::EntryKind;
use strata_repo::domain::OpenOptions;
use strata_repo::{DomainRepos, MatchOptions, Package, Repository};
use strata_restrict::{Attr, AttrValue, PackageAttrs, parse_target};
use strata_testtools::{copy_tree, snapshot, write_portage_config};

/// Portage's index, parsed by a few lines of code independent of the crate's parser:
/// (header, blocks of `KEY: value`).
type Block = BTreeMap<String, String>;

fn portage_index(dir: &Path) -> (Block, Vec<Block>) {
    let text = fs::read_to_string(dir.join("Packages")).unwrap();
    let mut blocks = text.split("\n\n").map(|b| {
        b.lines()
            .filter_map(|l| l.split_once(": "))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect::<Block>()
    });
    let header = blocks.next().unwrap();
    let pkgs: Vec<Block> = blocks.filter(|b| b.contains_key("CPV")).collect();
    assert_eq!(
        pkgs.len().to_string(),
        header["PACKAGES"],
        "oracle parse of {}",
        dir.display()
    );
    (header, pkgs)
}

/// A copy of a PKGDIR whose files have the mtimes the index records (as on the machine
/// that wrote it), so that the index is valid.
fn valid_copy(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&made(name), tmp.path());
    let (_, pkgs) = portage_index(tmp.path());
    for b in pkgs {
        let f = fs::File::options()
            .write(true)
            .open(tmp.path().join(&b["PATH"]))
            .unwrap();
        let secs: u64 = b["MTIME"].parse().unwrap();
        f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs))
            .unwrap();
    }
    tmp
}

fn identities(repo: &BinpkgRepo) -> BTreeSet<(String, Option<u64>, String)> {
    repo.packages_all()
        .iter()
        .map(|p| {
            let rel = p
                .path()
                .unwrap()
                .strip_prefix(repo.location().unwrap())
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (p.cpv().to_string(), p.build_id(), rel)
        })
        .collect()
}

fn oracle_identities(dir: &Path) -> BTreeSet<(String, Option<u64>, String)> {
    portage_index(dir)
        .1
        .iter()
        .map(|b| {
            (
                b["CPV"].clone(),
                b.get("BUILD_ID").map(|s| s.parse().unwrap()),
                b["PATH"].clone(),
            )
        })
        .collect()
}

/// Every key of Portage's entry, as the package gives it (MTIME excepted when the copy's
/// mtimes are not Portage's), and the defaults for absent keys.
fn check_against_index(repo: &BinpkgRepo, dir: &Path, with_mtime: bool) {
    let (header, pkgs) = portage_index(dir);
    for b in &pkgs {
        let cpv = Cpv::parse(&b["CPV"]).unwrap();
        let build_id = b.get("BUILD_ID").map(|s| s.parse().unwrap());
        let p = repo
            .instance(&cpv, build_id)
            .unwrap_or_else(|| panic!("{cpv} {build_id:?} not listed in {}", dir.display()));
        for (k, v) in b {
            if k == "MTIME" && !with_mtime {
                continue;
            }
            assert_eq!(p.get(k), Some(v.as_str()), "{cpv} {k} in {}", dir.display());
        }
        for (k, default) in [
            ("SLOT", "0"),
            ("EAPI", "0"),
            ("DEPEND", ""),
            ("PDEPEND", ""),
        ] {
            if !b.contains_key(k) {
                assert_eq!(p.get(k), Some(default), "{cpv} default {k}");
            }
        }
        // Inherited from the header (written there, not per entry).
        assert_eq!(p.get("CHOST"), Some(header["CHOST"].as_str()));
        assert_eq!(p.get("repository"), Some("refrepo"));
        // Typed attributes.
        assert_eq!(
            p.attr(Attr::Size),
            Some(AttrValue::Number(b["SIZE"].parse().unwrap()))
        );
        assert_eq!(p.attr(Attr::BuildId), build_id.map(AttrValue::Number));
        assert_eq!(p.attr(Attr::Repo), Some(AttrValue::text(repo.id())));
        assert_eq!(
            p.attr(Attr::SourceRepository),
            Some(AttrValue::text("refrepo"))
        );
        assert_eq!(
            p.attr(Attr::Path).unwrap().as_text().unwrap(),
            dir.join(&b["PATH"]).to_string_lossy()
        );
        let use_flags: Vec<&str> = b["USE"].split(' ').collect();
        assert_eq!(p.built_use().unwrap(), use_flags);
        assert_eq!(p.attr(Attr::Eapi), Some(AttrValue::text(&b["EAPI"])));
        assert_eq!(p.attr(Attr::Chost), Some(AttrValue::text(&header["CHOST"])));
        // Not in the index: from the package's own metadata.
        let desc = p.get("DESCRIPTION").unwrap();
        assert!(!desc.is_empty(), "{cpv}: DESCRIPTION");
        assert_eq!(p.attr(Attr::Description), Some(AttrValue::text(desc)));
        assert!(
            p.get("HOMEPAGE")
                .unwrap()
                .starts_with("https://example.invalid/"),
            "{cpv}: HOMEPAGE"
        );
        assert_eq!(p.get("CBUILD"), Some("x86_64-pc-linux-gnu"));
        assert!(p.environment().unwrap().contains("declare"), "{cpv} env");
        assert!(p.problem().is_none());
    }
    assert_eq!(repo.packages_all().len(), pkgs.len());
}

#[test]
fn every_package_listed_with_portages_attributes() {
    for name in PKGDIRS {
        let dir = made(name);
        let before = snapshot(&dir);
        let repo = BinpkgRepo::open(&dir).unwrap();
        assert_eq!(repo.id(), DEFAULT_ID);
        assert_eq!(identities(&repo), oracle_identities(&dir), "{name}");
        check_against_index(&repo, &dir, false);
        // The copies here do not keep Portage's mtimes: every entry is stale, recorded,
        // and the package read from its file (with the same values, checked above).
        let problems = repo.problems();
        assert_eq!(problems.len(), repo.packages_all().len(), "{problems:#?}");
        assert!(problems.iter().all(|p| p.to_string().contains("stale")));
        assert!(repo.packages_all().iter().all(|p| !p.from_index()));
        assert_eq!(snapshot(&dir), before, "{name} was written to");
    }
}

#[test]
fn valid_index_is_the_fast_path() {
    for name in PKGDIRS {
        let tmp = valid_copy(name);
        let repo = BinpkgRepo::open(tmp.path()).unwrap();
        assert_eq!(repo.problems(), [], "{name}");
        assert!(repo.packages_all().iter().all(|p| p.from_index()));
        assert_eq!(identities(&repo), oracle_identities(tmp.path()), "{name}");
        check_against_index(&repo, tmp.path(), true);
        // The index parsed by the crate agrees with the header the repo keeps.
        let idx = PackagesIndex::parse(&fs::read_to_string(tmp.path().join("Packages")).unwrap())
            .unwrap();
        assert_eq!(repo.index_header(), &idx.header);
    }
}

#[test]
fn listings_and_matching() {
    let repo = BinpkgRepo::open(made("pkgdir-gpkg-zstd")).unwrap();
    assert_eq!(repo.categories().unwrap(), ["app-misc", "dev-libs"]);
    assert_eq!(
        repo.packages("app-misc").unwrap(),
        ["blocker", "hello", "needs-lib", "oddfiles", "usetoggle"]
    );
    assert!(repo.packages("nope").unwrap().is_empty());
    let v: Vec<String> = repo
        .versions("app-misc", "hello")
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(v, ["app-misc/hello-1.0", "app-misc/hello-1.1"]);
    // Two builds of one PF: one version, two packages.
    assert_eq!(repo.versions("app-misc", "usetoggle").unwrap().len(), 1);

    let opts = MatchOptions::default();
    let hits = |target: &str| -> Vec<(String, Option<u64>)> {
        repo.itermatch(&parse_target(target).unwrap(), &opts)
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p.cpv().to_string(),
                    p.attr(Attr::BuildId).and_then(|b| match b {
                        AttrValue::Number(n) => Some(n),
                        _ => None,
                    }),
                )
            })
            .collect()
    };
    let u = "app-misc/usetoggle-1".to_owned();
    assert_eq!(
        hits("app-misc/usetoggle"),
        [(u.clone(), Some(1)), (u.clone(), Some(2))]
    );
    assert_eq!(hits("app-misc/usetoggle[foo]"), [(u.clone(), Some(1))]);
    assert_eq!(hits("app-misc/usetoggle[-foo,bar]"), [(u.clone(), Some(2))]);
    assert_eq!(
        hits("=app-misc/hello-1.0"),
        [("app-misc/hello-1.0".to_owned(), Some(1))]
    );
    assert_eq!(
        hits(">=app-misc/hello-1.0::binpkgs"),
        [
            ("app-misc/hello-1.0".to_owned(), Some(1)),
            ("app-misc/hello-1.1".to_owned(), Some(1))
        ]
    );
    assert!(hits("app-misc/hello::refrepo").is_empty());
    assert_eq!(hits("dev-libs/libdemo:2/2.0").len(), 1);
    assert!(hits("dev-libs/libdemo:3").is_empty());
    assert_eq!(hits("app-misc/*").len(), 7);
    assert_eq!(hits("*").len(), 8);
    assert_eq!(hits("needs-lib").len(), 1);
    assert_eq!(repo.all_packages(&MatchOptions::fast()).unwrap().len(), 8);

    // Dependency classes are parsed (Portage rewrote `:=` into `:2/2.0=`).
    let needs_lib = repo.make_package(Cpv::parse("app-misc/needs-lib-1").unwrap());
    let nl = needs_lib.attr(Attr::Rdepend).unwrap();
    let atoms: Vec<String> = nl.atoms().unwrap().map(ToString::to_string).collect();
    assert_eq!(atoms, ["dev-libs/libdemo:2/2.0="]);
    let lib = repo.make_package(Cpv::parse("dev-libs/libdemo-2.0").unwrap());
    assert_eq!(lib.attr(Attr::Slot), Some(AttrValue::text("2")));
    assert_eq!(lib.attr(Attr::Subslot), Some(AttrValue::text("2.0")));

    // make_package gives the build Portage prefers by default (newest BUILD_TIME, then
    // highest BUILD_ID): usetoggle-1-2 here, USE="bar -foo".
    let pref = repo.make_package(Cpv::parse(&u).unwrap());
    assert_eq!(pref.attr(Attr::BuildId), Some(AttrValue::Number(2)));
    assert!(pref.built_use().unwrap().contains(&"bar"));
    // An unknown cpv is a placeholder with no metadata.
    let none = repo.make_package(Cpv::parse("app-misc/nope-1").unwrap());
    assert_eq!(none.get("SLOT"), None);
}

/// CONTENTS entries as (path, kind, md5 or symlink target) for comparison.
fn content_set(c: &strata_repo::contents::Contents) -> BTreeSet<(String, &'static str, String)> {
    c.entries
        .iter()
        .map(|e| match &e.kind {
            EntryKind::Dir => (e.path.clone(), "dir", String::new()),
            EntryKind::Obj { md5, .. } => (e.path.clone(), "obj", md5.clone()),
            EntryKind::Sym { target, .. } => (e.path.clone(), "sym", target.clone()),
            EntryKind::Fifo => (e.path.clone(), "fif", String::new()),
            EntryKind::Device => (e.path.clone(), "dev", String::new()),
        })
        .collect()
}

#[test]
fn contents_listed_from_the_image_equal_what_portage_installed() {
    // root-after-install was installed by Portage from pkgdir-gpkg-zstd (usetoggle build
    // 1); the other PKGDIRs hold builds of the same ebuilds with the same files.
    let vdb = strata_repo::VdbRepo::for_root(&made("root-after-install"));
    let installed = vdb.all_packages(&MatchOptions::default()).unwrap();
    assert_eq!(installed.len(), 5);
    for name in PKGDIRS {
        let dir = made(name);
        let before = snapshot(&dir);
        let repo = BinpkgRepo::open(&dir).unwrap();
        for inst in &installed {
            let builds = repo.instances(inst.cpv());
            let bin = builds
                .iter()
                .find(|b| b.get("USE") == inst.get("USE"))
                .unwrap_or_else(|| panic!("{} in {name}", inst.cpv()));
            let got = content_set(bin.contents().unwrap());
            let want = content_set(inst.contents().unwrap());
            assert!(!want.is_empty());
            assert_eq!(got, want, "{} in {name}", inst.cpv());
            let AttrValue::List(paths) = bin.attr(Attr::Contents).unwrap() else {
                panic!("contents is a path list");
            };
            let paths: BTreeSet<&str> = paths.iter().collect();
            let want_paths: BTreeSet<&str> = want.iter().map(|(p, _, _)| p.as_str()).collect();
            assert_eq!(paths, want_paths);
        }
        let odd = repo
            .make_package(Cpv::parse("app-misc/oddfiles-1").unwrap())
            .contents()
            .unwrap()
            .clone();
        let link = odd.get("/usr/bin/oddfiles").unwrap();
        assert!(
            matches!(&link.kind, EntryKind::Sym { target, .. } if target == "../libexec/oddfiles/oddfiles-tool")
        );
        assert!(odd.get("/usr/share/oddfiles/naïve-ünïcode.txt").is_some());
        assert_eq!(snapshot(&dir), before, "{name}: listing extracted or wrote");
    }
}

#[test]
fn stale_index_is_recorded_and_nothing_is_written() {
    let tmp = valid_copy("pkgdir-gpkg-zstd");
    let root = tmp.path();
    // Removed behind the index's back.
    fs::remove_file(root.join("app-misc/hello/hello-1.1-1.gpkg.tar")).unwrap();
    // Added without indexing: a legacy-layout xpak in the multi-instance PKGDIR.
    fs::copy(
        made("pkgdir-xpak-legacy/dev-libs/libdemo-2.0.tbz2"),
        root.join("dev-libs/libdemo-2.0.tbz2"),
    )
    .unwrap();
    // And a multi-instance file of a package the index does not know at all.
    fs::create_dir_all(root.join("app-misc/extra")).unwrap();
    // Replaced by a different build under the same name (size and mtime change).
    fs::copy(
        made("pkgdir-xpak-bzip2/app-misc/blocker/blocker-1-1.xpak"),
        root.join("app-misc/blocker/blocker-1-1.gpkg.tar"),
    )
    .unwrap();
    // Junk a scanner must skip or report without failing.
    fs::write(root.join("app-misc/extra/extra-1-1.xpak"), b"not a binpkg").unwrap();
    fs::write(root.join("app-misc/.tmp.foo-1-1.xpak"), b"partial").unwrap();

    let before = snapshot(root);
    let repo = BinpkgRepo::open(root).unwrap();
    let by_key: BTreeMap<String, String> = repo
        .problems()
        .into_iter()
        .map(|p| (p.key.clone(), p.to_string()))
        .collect();
    assert!(
        by_key["app-misc/hello-1.1-1"].contains("missing"),
        "{by_key:#?}"
    );
    assert!(by_key["dev-libs/libdemo-2.0"].contains("not in the Packages index"));
    assert!(by_key["app-misc/blocker-1-1"].contains("stale"));
    assert!(by_key["app-misc/extra-1"].contains("unreadable"));
    assert_eq!(by_key.len(), 4, "{by_key:#?}");

    let ids = identities(&repo);
    assert!(!ids.iter().any(|(c, _, _)| c == "app-misc/hello-1.1"));
    assert!(!ids.iter().any(|(c, _, _)| c == "app-misc/extra-1"));
    assert!(ids.contains(&(
        "dev-libs/libdemo-2.0".into(),
        None,
        "dev-libs/libdemo-2.0.tbz2".into()
    )));
    assert!(ids.contains(&(
        "dev-libs/libdemo-2.0".into(),
        Some(1),
        "dev-libs/libdemo/libdemo-2.0-1.gpkg.tar".into()
    )));
    assert_eq!(ids.len(), 8);

    // The unindexed file is read from itself, with the digests Portage would index.
    let lib = repo
        .instance(&Cpv::parse("dev-libs/libdemo-2.0").unwrap(), None)
        .unwrap();
    assert!(!lib.from_index());
    let legacy = portage_index(&made("pkgdir-xpak-legacy")).1;
    let want = legacy
        .iter()
        .find(|b| b["CPV"] == "dev-libs/libdemo-2.0")
        .unwrap();
    for k in ["MD5", "SHA1", "SIZE", "SLOT", "USE", "BUILD_TIME", "IUSE"] {
        assert_eq!(
            lib.get(k),
            Some(want.get(k).map_or("", String::as_str)),
            "{k}"
        );
    }
    // The stale entry is replaced by what the file says now (the xpak build of blocker).
    let blocker = repo.make_package(Cpv::parse("app-misc/blocker-1").unwrap());
    let xpak = portage_index(&made("pkgdir-xpak-bzip2")).1;
    let want = xpak
        .iter()
        .find(|b| b["CPV"] == "app-misc/blocker-1")
        .unwrap();
    assert_eq!(blocker.get("MD5"), Some(want["MD5"].as_str()));
    assert_eq!(blocker.get("SIZE"), Some(want["SIZE"].as_str()));
    // Still-valid entries come from the index.
    let hello = repo
        .instance(&Cpv::parse("app-misc/hello-1.0").unwrap(), Some(1))
        .unwrap();
    assert!(hello.from_index());

    // Use everything, then check nothing was written (no index rewrite, no lock file).
    for p in repo.all_packages(&MatchOptions::default()).unwrap() {
        let _ = p.contents();
        let _ = p.get("DESCRIPTION");
        let _ = p.attr(Attr::Environment);
    }
    assert_eq!(snapshot(root), before);
}

#[test]
fn trusted_index_reads_no_file_and_missing_pkgdir_is_empty() {
    let tmp = valid_copy("pkgdir-xpak-bzip2");
    fs::remove_file(tmp.path().join("app-misc/hello/hello-1.1-1.xpak")).unwrap();
    let repo = BinpkgRepo::open_with(
        tmp.path(),
        &BinpkgRepoOptions {
            id: Some("bin".into()),
            trust_index: true,
            limits: None,
        },
    )
    .unwrap();
    // Trusted: listed as the index says, even the removed file.
    assert_eq!(repo.packages_all().len(), 7);
    assert_eq!(repo.problems(), []);
    assert_eq!(repo.id(), "bin");
    // What needs the removed file fails then, and is recorded.
    let gone = repo.make_package(Cpv::parse("app-misc/hello-1.1").unwrap());
    assert_eq!(gone.get("SLOT"), Some("0"));
    assert_eq!(gone.get("DESCRIPTION"), None);
    assert!(gone.problem().is_some());
    assert_eq!(repo.problems().len(), 1, "{:?}", repo.problems());
    assert!(gone.contents().unwrap().entries.is_empty());
    assert_eq!(repo.problems().len(), 2, "{:?}", repo.problems());
    // Strict matching now leaves it out.
    assert!(
        repo.itermatch(
            &parse_target("=app-misc/hello-1.1").unwrap(),
            &MatchOptions::default()
        )
        .unwrap()
        .is_empty()
    );

    let gone = BinpkgRepo::open(tmp.path().join("nope")).unwrap();
    assert!(gone.categories().unwrap().is_empty());
    assert!(BinpkgRepo::open(tmp.path().join("Packages")).is_err());
}

#[test]
fn a_broken_index_falls_back_to_the_files() {
    let tmp = valid_copy("pkgdir-xpak-legacy");
    fs::write(tmp.path().join("Packages"), "VERSION: 99\n\nCPV: a/b-1\n\n").unwrap();
    let repo = BinpkgRepo::open(tmp.path()).unwrap();
    assert_eq!(
        identities(&repo),
        oracle_identities(&made("pkgdir-xpak-legacy"))
    );
    let problems = repo.problems();
    assert!(problems.iter().any(|p| p.key == "Packages"));
    // One more per file: not in the (unusable) index.
    assert_eq!(problems.len(), 8, "{problems:#?}");
}

/// The domain of a config dir over refrepo with `PKGDIR=pkgdir` and `extra` make.conf
/// lines, its repositories opened with the binary factory.
fn domain_repos(cfg: &Path, pkgdir: &Path, extra: &str) -> DomainRepos {
    write_portage_config(
        cfg,
        &[("refrepo", &made("refrepo"))],
        &format!(
            "ACCEPT_LICENSE=\"*\"\nPKGDIR=\"{}\"\n{extra}",
            pkgdir.display()
        ),
        &made("refrepo/profiles/default/linux/amd64"),
    );
    let opts = strata_config::portage::PortageOptions::new(cfg, &made("root-after-install"));
    let loaded = strata_config::load::load_config(
        strata_config::classes::builtin_registry(),
        &strata_config::load::ConfigSource::Portage(opts),
    )
    .unwrap();
    DomainRepos::open(
        loaded.domain().unwrap(),
        &OpenOptions {
            index_dir: Some(cfg.join("index")),
            binary_factory: Some(Arc::new(BinpkgRepoFactory::default())),
        },
    )
    .unwrap()
}

#[test]
fn a_domain_pkgdir_opens_through_the_factory() {
    let tmp = valid_copy("pkgdir-gpkg-zstd");
    let cfg = tempfile::tempdir().unwrap();
    let repos = domain_repos(cfg.path(), tmp.path(), "");
    assert!(repos.skipped.is_empty(), "{:?}", repos.skipped);
    assert_eq!(repos.binary.len(), 1);
    let bin = &repos.binary[0];
    assert_eq!(bin.id(), "binpkgs");
    assert_eq!(bin.all_packages(&MatchOptions::default()).unwrap().len(), 8);
    assert_eq!(bin.problems(), []);
    let hits = repos
        .visible()
        .itermatch(
            &parse_target("app-misc/usetoggle").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap();
    // One ebuild and two binary builds, all visible (KEYWORDS=amd64).
    assert_eq!(hits.len(), 3, "{hits:?}");
}

#[test]
fn the_domain_can_trust_the_index() {
    // The shared copy's mtimes differ from the index: validated, every entry is stale;
    // with FEATURES=pkgdir-index-trusted, nothing is checked.
    let dir = made("pkgdir-gpkg-zstd");
    let cfg = tempfile::tempdir().unwrap();
    let checked = domain_repos(cfg.path(), &dir, "");
    assert_eq!(checked.binary[0].problems().len(), 8);
    let cfg = tempfile::tempdir().unwrap();
    let trusted = domain_repos(
        cfg.path(),
        &dir,
        "FEATURES=\"${FEATURES} pkgdir-index-trusted\"\n",
    );
    assert_eq!(trusted.binary[0].problems(), []);
    assert_eq!(
        trusted.binary[0]
            .all_packages(&MatchOptions::default())
            .unwrap()
            .len(),
        8
    );
}

#[test]
fn hostile_index_entries_are_refused() {
    let tmp = valid_copy("pkgdir-xpak-legacy");
    let root = tmp.path();
    let mut text = fs::read_to_string(root.join("Packages")).unwrap();
    // Outside the PKGDIR, relative and absolute; an invalid CPV; a second entry for a
    // file already indexed; a very old `All/` path the scan does not cover.
    for (cpv, path) in [
        ("app-misc/evil-1", "../../etc/passwd"),
        ("app-misc/evil-2", "/etc/passwd"),
        ("not a cpv", "app-misc/hello-1.0.tbz2"),
        ("app-misc/hello-1.0", "app-misc/hello-1.0.tbz2"),
    ] {
        text.push_str(&format!("CPV: {cpv}\nPATH: {path}\nSIZE: 1\nMTIME: 1\n\n"));
    }
    fs::create_dir(root.join("All")).unwrap();
    fs::rename(
        root.join("app-misc/blocker-1.tbz2"),
        root.join("All/blocker-1.tbz2"),
    )
    .unwrap();
    let text = text.replace("PATH: app-misc/blocker-1.tbz2", "PATH: All/blocker-1.tbz2");
    fs::write(root.join("Packages"), text).unwrap();
    let before = snapshot(root);

    let repo = BinpkgRepo::open(root).unwrap();
    let problems: Vec<String> = repo.problems().iter().map(ToString::to_string).collect();
    assert_eq!(problems.len(), 4, "{problems:#?}");
    assert_eq!(problems.iter().filter(|p| p.contains("outside")).count(), 2);
    assert!(problems.iter().any(|p| p.contains("invalid CPV")));
    assert!(problems.iter().any(|p| p.contains("second index entry")));
    // Listed: the seven packages, blocker from All/ as its index entry says.
    let ids = identities(&repo);
    assert_eq!(ids.len(), 7, "{ids:#?}");
    assert!(ids.contains(&(
        "app-misc/blocker-1".into(),
        None,
        "All/blocker-1.tbz2".into()
    )));
    let blocker = repo.make_package(Cpv::parse("app-misc/blocker-1").unwrap());
    assert_eq!(blocker.get("RDEPEND"), Some("!app-misc/hello"));
    assert!(blocker.get("DESCRIPTION").is_some());
    assert_eq!(snapshot(root), before);
}
