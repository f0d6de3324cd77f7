//! The domain looks up `package.*` entries per package (indexed by `category/package`,
//! repository-level entries scoped by master chains computed once): these cases would
//! catch an entry the lookup misses or misorders — slot- and repository-restricted
//! masks, wildcard targets beside exact atoms, an unmask in another repository's profile,
//! scope by master repository and by alias, and the order of global and per-package USE
//! mask lines across profile nodes.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use strata_atom::cpv::Cpv;
use strata_config::classes::builtin_registry;
use strata_config::domain::{Domain, PackageInfo};
use strata_config::load::{ConfigSource, load_config};
use strata_config::portage::PortageOptions;
use strata_config::visibility::Hidden;
use strata_testtools::{write_file, write_portage_config};

/// Repositories `base` (main, with the `default` profile), `over` (masters = base, alias
/// `ovl`, with the `leaf` profile whose parent is `base:default`) and `lone` (no masters).
fn fixture() -> (tempfile::TempDir, Arc<Domain>) {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().join("base");
    let over = dir.path().join("over");
    let lone = dir.path().join("lone");
    for (r, name, layout) in [
        (&base, "base", "masters =\nprofile-formats = portage-2\n"),
        (
            &over,
            "over",
            "masters = base\nprofile-formats = portage-2\naliases = ovl\n",
        ),
        (&lone, "lone", "masters =\n"),
    ] {
        write_file(r, "profiles/repo_name", &format!("{name}\n"));
        write_file(r, "metadata/layout.conf", layout);
        write_file(r, "profiles/eapi", "8\n");
    }
    write_file(&base, "profiles/arch.list", "amd64\n");
    write_file(
        &base,
        "profiles/package.mask",
        "# base-wide\napp-misc/scoped\ndev-libs/slotted:2\napp-misc/m\n",
    );
    write_file(
        &base,
        "profiles/package.use.mask",
        "app-misc/foo repoflag\n",
    );
    write_file(&over, "profiles/package.mask", "app-misc/scoped-over\n");
    let default = base.join("profiles/default");
    write_file(&default, "eapi", "8\n");
    write_file(
        &default,
        "make.defaults",
        "ARCH=\"amd64\"\nACCEPT_KEYWORDS=\"amd64\"\n",
    );
    write_file(&default, "use.mask", "flagx\n");
    write_file(
        &default,
        "package.use.mask",
        "app-misc/foo -flagx -flagy\napp-misc/bar -flagy\n",
    );
    let leaf = over.join("profiles/leaf");
    write_file(&leaf, "eapi", "8\n");
    write_file(&leaf, "parent", "base:default\n");
    write_file(&leaf, "use.mask", "flagy\n");
    write_file(&leaf, "package.unmask", "app-misc/m\n");
    write_file(&leaf, "package.use", "app-misc/foo pu\n");
    let etc = write_portage_config(
        dir.path(),
        &[("base", &base), ("over", &over), ("lone", &lone)],
        "USE=\"flagx flagy repoflag\"\n",
        &leaf,
    );
    write_file(&etc, "package.mask", "dev-libs/r::lone\n=*/*-*9999*\n");
    write_file(&etc, "package.unmask", "=app-misc/live-9999\n");
    write_file(&etc, "package.use", "*/*::over star\napp-misc/foo user\n");
    write_file(
        &etc,
        "package.accept_keywords",
        "app-misc/kw ~amd64\n*/wild* ~amd64\n",
    );
    let loaded = load_config(
        builtin_registry(),
        &ConfigSource::Portage(PortageOptions::new(dir.path(), Path::new("/"))),
    )
    .unwrap();
    let d = loaded.domain().unwrap();
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    (dir, d)
}

fn info<'a>(cpv: &'a Cpv, slot: &'a str, repo: &'a str, iuse: &'a str) -> PackageInfo<'a> {
    PackageInfo {
        cpv,
        slot,
        repo,
        keywords: "amd64",
        license: "",
        eapi: "8",
        iuse,
        properties: "",
        restrict: "",
        build_id: None,
    }
}

/// The mask entries hiding `cpv` of `repo` in `slot`.
fn masks(d: &Domain, cpv: &str, slot: &str, repo: &str) -> Vec<String> {
    let cpv = Cpv::parse(cpv).unwrap();
    d.masked_by(&info(&cpv, slot, repo, ""))
        .into_iter()
        .map(|h| match h {
            Hidden::Masked { entry, .. } => entry,
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn masks_by_name_slot_repository_scope_and_wildcard() {
    let (_dir, d) = fixture();
    // A base repository mask applies to base and to repositories with base as master
    // (by name or alias), not to a repository without it nor to an unknown one.
    for repo in ["base", "over", "ovl"] {
        assert_eq!(
            masks(&d, "app-misc/scoped-1", "0", repo),
            ["app-misc/scoped"],
            "{repo}"
        );
    }
    for repo in ["lone", "nowhere"] {
        assert!(
            masks(&d, "app-misc/scoped-1", "0", repo).is_empty(),
            "{repo}"
        );
    }
    // An overlay's mask does not reach its master.
    assert_eq!(
        masks(&d, "app-misc/scoped-over-1", "0", "ovl"),
        ["app-misc/scoped-over"]
    );
    assert!(masks(&d, "app-misc/scoped-over-1", "0", "base").is_empty());
    // Same name, other package: nothing.
    assert!(masks(&d, "app-misc/scoped-over2-1", "0", "over").is_empty());
    // Slot restriction.
    assert_eq!(
        masks(&d, "dev-libs/slotted-2", "2", "base"),
        ["dev-libs/slotted:2"]
    );
    assert_eq!(
        masks(&d, "dev-libs/slotted-2", "2/2.1", "over"),
        ["dev-libs/slotted:2"]
    );
    assert!(masks(&d, "dev-libs/slotted-2", "1", "base").is_empty());
    // A user mask restricted to a repository.
    assert_eq!(masks(&d, "dev-libs/r-1", "0", "lone"), ["dev-libs/r::lone"]);
    assert!(masks(&d, "dev-libs/r-1", "0", "base").is_empty());
    // A wildcard mask beside a name-exact one: both, in file order (repository level
    // first, then the user's).
    assert_eq!(
        masks(&d, "dev-libs/slotted-9999", "2", "base"),
        ["dev-libs/slotted:2", "=*/*-*9999*"]
    );
    assert_eq!(masks(&d, "x-y/z-9999", "0", "lone"), ["=*/*-*9999*"]);
    // An exact unmask cancels the wildcard mask for that version only.
    assert!(masks(&d, "app-misc/live-9999", "0", "base").is_empty());
    assert_eq!(
        masks(&d, "app-misc/live2-9999", "0", "base"),
        ["=*/*-*9999*"]
    );
    // The leaf profile (in `over`) unmasks what `base` masks.
    assert!(masks(&d, "app-misc/m-1", "0", "base").is_empty());
    assert!(d.is_visible(&info(&Cpv::parse("app-misc/m-1").unwrap(), "0", "base", "")));
}

#[test]
fn use_masks_and_package_use_in_file_order_and_scope() {
    let (_dir, d) = fixture();
    let iuse = "flagx flagy repoflag pu user star";
    let on = |cpv: &str, repo: &str| -> Vec<String> {
        let cpv = Cpv::parse(cpv).unwrap();
        d.effective_use(&info(&cpv, "0", repo, iuse))
            .enabled()
            .map(str::to_owned)
            .collect()
    };
    // foo: the base profile's global `flagx` mask is undone by its later `app-misc/foo
    // -flagx -flagy`; the leaf's global `flagy` mask comes after that and holds; `repoflag` is
    // masked by base's repository-level package.use.mask for base and its overlay only;
    // `star` comes from the user's `*/*::over`.
    assert_eq!(on("app-misc/foo-1", "base"), ["flagx", "pu", "user"]);
    assert_eq!(
        on("app-misc/foo-1", "over"),
        ["flagx", "pu", "user", "star"]
    );
    assert_eq!(on("app-misc/foo-1", "ovl"), ["flagx", "pu", "user"]);
    assert_eq!(
        on("app-misc/foo-1", "lone"),
        ["flagx", "repoflag", "pu", "user"]
    );
    // bar: `-flagy` in base is overridden by the leaf's later global mask; flagx stays
    // masked.
    assert_eq!(on("app-misc/bar-1", "base"), ["repoflag"]);
    assert_eq!(on("app-misc/bar-1", "over"), ["repoflag", "star"]);
    let cpv = Cpv::parse("app-misc/foo-1").unwrap();
    let u = d.effective_use(&info(&cpv, "0", "base", iuse));
    assert!(u.is_masked("repoflag") && u.is_masked("flagy") && !u.is_masked("flagx"));
}

#[test]
fn accept_keywords_by_name_and_wildcard() {
    let (_dir, d) = fixture();
    let visible = |cpv: &str| {
        let cpv = Cpv::parse(cpv).unwrap();
        let mut p = info(&cpv, "0", "base", "");
        p.keywords = "~amd64";
        d.is_visible(&p)
    };
    assert!(visible("app-misc/kw-1"));
    assert!(visible("dev-libs/wildthing-1"));
    assert!(!visible("app-misc/kw2-1"));
    assert!(!visible("app-misc/other-1"));
    let cpv = Cpv::parse("app-misc/kw-1").unwrap();
    assert_eq!(
        d.accepted_keywords_for(&info(&cpv, "0", "base", "")),
        ["amd64", "~amd64"]
    );
    let cpv = Cpv::parse("app-misc/plain-1").unwrap();
    assert_eq!(
        d.accepted_keywords_for(&info(&cpv, "0", "base", "")),
        ["amd64"]
    );
}
