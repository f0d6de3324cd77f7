//! The domain over the real gentoo-stub + GURU data.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use strata_atom::cpv::Cpv;
use strata_config::classes::builtin_registry;
use strata_config::domain::{Domain, PackageInfo};
use strata_config::load::{ConfigSource, load_config};
use strata_config::portage::PortageOptions;
use strata_config::repos::RepoKind;
use strata_config::use_flags::UseSource;
use strata_config::visibility::Hidden;
use strata_testtools::{
    gentoo_stub_dir, guru_dir, md5_cache_files, read_md5_cache, write_guru_config,
};

fn domain(root: &Path) -> std::sync::Arc<Domain> {
    let opts = PortageOptions::new(root, Path::new("/nonexistent-root"));
    let loaded = load_config(builtin_registry(), &ConfigSource::Portage(opts)).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    loaded.domain().unwrap()
}

fn visibility(d: &Domain, cpv: &str) -> Vec<Hidden> {
    let cpv = Cpv::parse(cpv).unwrap();
    let e = read_md5_cache(
        &guru_dir()
            .join("metadata/md5-cache")
            .join(cpv.category())
            .join(cpv.pf()),
    );
    d.visibility(&guru_package(&cpv, &e))
}

/// The package `cpv` of GURU, described by its md5-cache entry `e`.
fn guru_package<'a>(cpv: &'a Cpv, e: &'a BTreeMap<String, String>) -> PackageInfo<'a> {
    let get = |k: &str| e.get(k).map(String::as_str).unwrap_or("");
    PackageInfo {
        cpv,
        slot: get("SLOT"),
        repo: "guru",
        keywords: get("KEYWORDS"),
        license: get("LICENSE"),
        eapi: get("EAPI"),
        iuse: get("IUSE"),
        properties: get("PROPERTIES"),
        restrict: get("RESTRICT"),
        build_id: None,
    }
}

#[test]
fn repositories_profile_and_settings() {
    let root = write_guru_config(&[]);
    let d = domain(root.path());
    let names: Vec<(&str, i64)> = d
        .repos
        .repos
        .iter()
        .map(|r| (r.name.as_str(), r.priority))
        .collect();
    assert_eq!(names, [("guru", 0), ("gentoo", -1000)]);
    let guru = d.repos.get("guru").unwrap();
    assert_eq!(guru.masters, ["gentoo"]);
    assert_eq!(guru.kind, RepoKind::Ebuild);
    assert!(guru.cache.is_some());
    assert!(d.repos.get("gentoo").unwrap().masters.is_empty());
    assert_eq!(d.repos.main_repo, "gentoo");
    assert_eq!(
        d.vdb_path(),
        Some(Path::new("/nonexistent-root/var/db/pkg"))
    );
    assert_eq!(d.setting("ARCH"), Some("amd64"));
    assert_eq!(d.setting("CHOST"), Some("x86_64-pc-linux-gnu"));
    assert_eq!(d.accept_keywords(), ["amd64", "~amd64"]);
    assert_eq!(d.setting("ACCEPT_LICENSE"), Some("*"));
    assert_eq!(d.setting("DISTDIR"), Some("/var/cache/distfiles"));
    let node = &d.profile.nodes[0];
    assert_eq!(node.eapi, "8");
    assert_eq!(node.repo.as_deref(), Some("gentoo"));
    let use_ = d.global_use();
    for f in ["amd64", "elibc_glibc", "kernel_linux"] {
        assert!(use_.iter().any(|u| u == f), "{f} not in {use_:?}");
    }
    // USERLAND is set but is not a USE_EXPAND variable in this profile.
    assert!(!use_.iter().any(|u| u.starts_with("userland_")), "{use_:?}");
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn guru_masks_with_reasons() {
    let root = write_guru_config(&[]);
    let d = domain(root.path());
    let h = visibility(&d, "www-client/yandex-browser-26.6.1.1003_p1");
    let Some(Hidden::Masked {
        entry,
        location,
        reason,
    }) = h.first()
    else {
        panic!("not masked: {h:?}");
    };
    assert_eq!(entry, "www-client/yandex-browser");
    assert!(location.path.ends_with("guru/profiles/package.mask"));
    assert!(
        reason.iter().any(|r| r.contains("Unmaintained")),
        "{reason:?}"
    );

    let masked = |cpv: &str| {
        visibility(&d, cpv)
            .iter()
            .any(|x| matches!(x, Hidden::Masked { .. }))
    };
    assert!(masked("gnome-extra/Refine-0.8.0-r2"));
    assert!(!masked("gnome-extra/Refine-0.7.1"));
    assert!(masked("net-misc/wlvncc-20260429"));
    assert!(masked("net-misc/wlvncc-99999999"));
    assert!(!masked("net-misc/wlvncc-20250725"));
}

#[test]
fn user_unmask_and_mask_removal() {
    let root = write_guru_config(&[
        ("package.unmask", "gnome-extra/Refine\n"),
        (
            "package.mask/local",
            "-net-misc/wlvncc-20260429\n-www-client/yandex-browser\n-sys-libs/gcompat::guru\n",
        ),
    ]);
    let d = domain(root.path());
    let masked = |cpv: &str| {
        visibility(&d, cpv)
            .iter()
            .any(|x| matches!(x, Hidden::Masked { .. }))
    };
    assert!(!masked("gnome-extra/Refine-0.8.0-r2"));
    assert!(!masked("www-client/yandex-browser-26.6.1.1003_p1"));
    // Portage 3.0.83 agrees on both removals (checked with portdbapi.xmatch).
    assert!(!masked("sys-libs/gcompat-1.1.0"));
    // `-net-misc/wlvncc-20260429` is not the entry's text (`>=net-misc/wlvncc-20260429`):
    // it removes nothing, with a warning.
    assert!(masked("net-misc/wlvncc-20260429"));
    assert_eq!(d.warnings.len(), 1, "{:?}", d.warnings);
    assert_eq!(d.warnings[0].location.line, 1);
}

#[test]
fn every_guru_cache_entry_evaluates() {
    let root = write_guru_config(&[]);
    let d = domain(root.path());
    let (mut total, mut by_keyword, mut masked, mut visible) = (0, 0, 0, 0);
    for (category, pf, path) in md5_cache_files(&guru_dir()) {
        let e = read_md5_cache(&path);
        let cpv = Cpv::from_category_pf(&category, &pf).unwrap();
        let get = |k: &str| e.get(k).map(String::as_str).unwrap_or("");
        let pkg = guru_package(&cpv, &e);
        let hidden = d.visibility(&pkg);
        total += 1;
        if hidden.is_empty() {
            visible += 1;
        }
        // Independent oracle: with ACCEPT_KEYWORDS="amd64 ~amd64", a package is
        // keyword-visible iff KEYWORDS has amd64 or ~amd64.
        let kw_ok = get("KEYWORDS")
            .split_whitespace()
            .any(|k| k == "amd64" || k == "~amd64");
        let kw_hidden = hidden.iter().any(|h| matches!(h, Hidden::Keywords { .. }));
        assert_eq!(kw_ok, !kw_hidden, "{cpv}: {hidden:?}");
        if !kw_ok {
            by_keyword += 1;
        }
        if hidden.iter().any(|h| matches!(h, Hidden::Masked { .. })) {
            masked += 1;
        }
        // ACCEPT_LICENSE="*" accepts everything; every EAPI in GURU is known.
        assert!(
            !hidden.iter().any(|h| matches!(
                h,
                Hidden::License { .. } | Hidden::Eapi { .. } | Hidden::BadLicense { .. }
            )),
            "{cpv}: {hidden:?}"
        );
    }
    assert_eq!(total, 3751);
    assert!(by_keyword >= 397, "{by_keyword}");
    // Counted by hand from profiles/package.mask against the cache: 20 versions.
    assert_eq!(masked, 20);
    // Portage 3.0.83 and pkgcore 0.12.33 both list 3331 visible versions with this
    // configuration (shared/reference/peers.md).
    assert_eq!(visible, 3331);
}

#[test]
fn portage_repositories_replaces_repos_conf() {
    let root = write_guru_config(&[]);
    let mut opts = PortageOptions::new(root.path(), Path::new("/"));
    let stub = gentoo_stub_dir();
    opts.repositories = Some(format!(
        "[DEFAULT]\nmain-repo = gentoo\n[gentoo]\nlocation = {}\npriority = 7\n",
        stub.display()
    ));
    let loaded = load_config(builtin_registry(), &ConfigSource::Portage(opts)).unwrap();
    let d = loaded.domain().unwrap();
    let names: Vec<(&str, i64)> = d
        .repos
        .repos
        .iter()
        .map(|r| (r.name.as_str(), r.priority))
        .collect();
    assert_eq!(names, [("gentoo", 7)]);
}

#[test]
fn guru_repo_level_use_mask() {
    let root = write_guru_config(&[("package.use", "app-misc/clipboard wayland X\n")]);
    let d = domain(root.path());
    let cpv = Cpv::parse("app-misc/clipboard-0.10.0-r1").unwrap();
    let pkg = PackageInfo {
        cpv: &cpv,
        slot: "0",
        repo: "guru",
        keywords: "~amd64",
        license: "GPL-3",
        eapi: "8",
        iuse: "debug lto wayland X",
        properties: "",
        restrict: "",
        build_id: None,
    };
    let u = d.effective_use(&pkg);
    assert!(u.is_enabled("X"));
    // GURU's profiles/package.use.mask line 24 masks wayland for this package.
    let UseSource::Masked(loc) = &u.flags["wayland"].source else {
        panic!("{:?}", u.flags["wayland"]);
    };
    assert!(
        loc.path.ends_with("guru/profiles/package.use.mask") && loc.line == 24,
        "{loc}"
    );
    assert!(!u.is_enabled("wayland"));
    // The same package from another repository is not affected by GURU's file.
    let other = PackageInfo {
        repo: "gentoo",
        ..pkg
    };
    assert!(d.effective_use(&other).is_enabled("wayland"));
}
