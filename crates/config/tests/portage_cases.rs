//! Portage configuration cases on fixtures written to temp dirs: multi-level profiles,
//! incremental stacking, masks, keywords, licenses, USE, directory-form files, make.conf
//! syntax, and the errors.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use strata_atom::cpv::Cpv;
use strata_config::classes::builtin_registry;
use strata_config::domain::{Domain, PackageInfo};
use strata_config::error::ConfigError;
use strata_config::load::{ConfigSource, LoadedConfig, load_config};
use strata_config::portage::PortageOptions;
use strata_config::use_flags::UseSource;
use strata_config::visibility::Hidden;
use strata_testtools::{write_file, write_portage_config};

/// A repository `test` with a three-level profile, and a config root using it.
fn fixture(make_conf: &str, extra: &[(&str, &str)]) -> tempfile::TempDir {
    fixture_in(&std::env::temp_dir(), make_conf, extra)
}

/// [`fixture`] in a temp dir under `base`.
fn fixture_in(base: &Path, make_conf: &str, extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir_in(base).unwrap();
    let r = dir.path().join("repo");
    write_file(&r, "profiles/repo_name", "test\n");
    write_file(
        &r,
        "metadata/layout.conf",
        "masters =\nprofile-formats = portage-2\n",
    );
    write_file(&r, "profiles/eapi", "8\n");
    write_file(&r, "profiles/arch.list", "amd64\nx86\n");
    write_file(
        &r,
        "profiles/license_groups",
        "GPL-COMPATIBLE GPL-2 LGPL-2.1\nFREE-SOFTWARE @GPL-COMPATIBLE MIT\nFREE @FREE-SOFTWARE CC0-1.0\n",
    );
    write_file(
        &r,
        "profiles/package.mask",
        "# repo-wide\ndev-libs/repomasked\n",
    );
    write_file(
        &r,
        "profiles/package.use.mask",
        "app-misc/foo repomaskflag\n",
    );
    write_file(
        &r,
        "profiles/base/make.defaults",
        "USE=\"a b c\"\nUSE_EXPAND=\"VIDEO_CARDS\"\nUSE_EXPAND_UNPREFIXED=\"ARCH\"\nPROFILE_ONLY_VARIABLES=\"ARCH\"\nVIDEO_CARDS=\"intel\"\nACCEPT_LICENSE=\"-* @FREE\"\nCONFIG_PROTECT=\"/etc /usr/share/x\"\nFEATURES=\"sandbox\"\nBASEVAR=\"base\"\n",
    );
    write_file(
        &r,
        "profiles/base/package.mask",
        "app-misc/masked-in-base\napp-misc/dropped-in-leaf\n",
    );
    write_file(&r, "profiles/base/use.mask", "masked\nforcedandmasked\n");
    write_file(&r, "profiles/base/use.force", "forced\nforcedandmasked\n");
    write_file(&r, "profiles/base/use.stable.mask", "unstableonly\n");
    write_file(
        &r,
        "profiles/base/package.use.force",
        ">=app-misc/foo-2 pkgforced\n",
    );
    write_file(&r, "profiles/base/eapi", "8\n");
    write_file(&r, "profiles/arch/amd64/parent", "../../base\n");
    write_file(
        &r,
        "profiles/arch/amd64/make.defaults",
        "ARCH=\"amd64\"\nACCEPT_KEYWORDS=\"amd64\"\nUSE=\"-b d ${BASEVAR}x\"\n",
    );
    write_file(&r, "profiles/arch/amd64/use.mask", "-masked\n");
    write_file(&r, "profiles/leaf/parent", "test:arch/amd64\n");
    write_file(
        &r,
        "profiles/leaf/package.mask",
        "-app-misc/dropped-in-leaf\n",
    );
    write_file(&r, "profiles/leaf/package.use", "app-misc/foo profileuse\n");
    write_file(
        &r,
        "profiles/leaf/make.defaults",
        "USE=\"e\"\nFEATURES=\"-sandbox userpriv\"\n",
    );
    write_file(&r, "profiles/leaf/eapi", "8\n");
    let etc = write_portage_config(
        dir.path(),
        &[("test", &r)],
        make_conf,
        &r.join("profiles/leaf"),
    );
    for (rel, content) in extra {
        write_file(&etc, rel, content);
    }
    dir
}

fn load(root: &Path) -> Result<LoadedConfig, ConfigError> {
    load_config(
        builtin_registry(),
        &ConfigSource::Portage(PortageOptions::new(root, Path::new("/"))),
    )
}

fn domain(root: &Path) -> Arc<Domain> {
    load(root).unwrap().domain().unwrap()
}

struct Pkg {
    cpv: Cpv,
    slot: &'static str,
    keywords: &'static str,
    license: &'static str,
    iuse: &'static str,
}

impl Pkg {
    fn new(cpv: &str, keywords: &'static str, license: &'static str) -> Pkg {
        Pkg {
            cpv: Cpv::parse(cpv).unwrap(),
            slot: "0",
            keywords,
            license,
            iuse: "",
        }
    }
    fn info(&self) -> PackageInfo<'_> {
        PackageInfo {
            cpv: &self.cpv,
            slot: self.slot,
            repo: "test",
            keywords: self.keywords,
            license: self.license,
            eapi: "8",
            iuse: self.iuse,
            properties: "",
            restrict: "",
            build_id: None,
        }
    }
}

#[test]
fn multi_level_profile_and_incrementals() {
    let root = fixture(
        "USE=\"-c f\"\nVIDEO_CARDS=\"-* radeon\"\nFEATURES=\"${FEATURES} -userpriv\"\n",
        &[],
    );
    let d = domain(root.path());
    let paths: Vec<String> = d
        .profile
        .nodes
        .iter()
        .map(|n| n.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(paths, ["base", "amd64", "leaf"]);
    // USE: base "a b c", amd64 "-b d basex", leaf "e", make.conf "-c f"; plus ARCH,
    // VIDEO_CARDS and use.force "forced" (use.force "forcedandmasked" is masked too), sorted
    // as Portage's USE setting.
    assert_eq!(
        d.setting("USE"),
        Some("a amd64 basex d e f forced video_cards_radeon")
    );
    let use_ = d.global_use();
    assert!(use_.contains(&"video_cards_radeon".to_string()), "{use_:?}");
    assert!(!use_.contains(&"video_cards_intel".to_string()), "{use_:?}");
    assert!(use_.contains(&"amd64".to_string()), "{use_:?}");
    assert_eq!(d.setting("VIDEO_CARDS"), Some("radeon"));
    assert_eq!(d.setting("BASEVAR"), Some("base"));
    assert_eq!(d.config_protect(), ["/etc", "/usr/share/x"]);
    // make.globals FEATURES, base "sandbox", leaf "-sandbox userpriv", make.conf
    // "${FEATURES} -userpriv" where ${FEATURES} expands to make.globals' value.
    let f = d.features();
    assert!(
        f.contains(&"sandbox".to_string()),
        "make.conf re-adds make.globals' sandbox: {f:?}"
    );
    assert!(!f.contains(&"userpriv".to_string()), "{f:?}");
    assert!(f.contains(&"strict".to_string()));
    let loc = &d.settings.values["USE"].location;
    assert!(
        loc.path.ends_with("etc/portage/make.conf") && loc.line == 1,
        "{loc}"
    );
}

#[test]
fn masks_unmasks_and_reasons() {
    let root = fixture(
        "ACCEPT_KEYWORDS=\"~amd64\"\n",
        &[
            ("package.mask", "# mine\n=app-misc/usermasked-1*\n"),
            ("package.unmask/a", "app-misc/masked-in-base\n"),
        ],
    );
    let d = domain(root.path());
    let masked = |cpv: &str| {
        d.masked_by(&Pkg::new(cpv, "amd64", "MIT").info())
            .into_iter()
            .map(|h| match h {
                Hidden::Masked {
                    entry,
                    location,
                    reason,
                } => (entry, location.line, reason),
                other => panic!("{other:?}"),
            })
            .collect::<Vec<_>>()
    };
    assert!(
        masked("app-misc/masked-in-base-1").is_empty(),
        "unmasked by user"
    );
    assert!(
        masked("app-misc/dropped-in-leaf-1").is_empty(),
        "-atom in leaf profile"
    );
    assert_eq!(
        masked("dev-libs/repomasked-3"),
        [(
            "dev-libs/repomasked".into(),
            2,
            vec!["repo-wide".to_string()]
        )]
    );
    assert_eq!(
        masked("app-misc/usermasked-1.5"),
        [(
            "=app-misc/usermasked-1*".into(),
            2,
            vec!["mine".to_string()]
        )]
    );
    assert!(masked("app-misc/usermasked-10").is_empty());
}

#[test]
fn keyword_forms() {
    let root = fixture(
        "",
        &[(
            "package.accept_keywords",
            "app-misc/bare\napp-misc/any **\napp-misc/tilde ~*\napp-misc/star *\napp-misc/neg -* x86\n",
        )],
    );
    let d = domain(root.path());
    let vis = |cpv: &str, kw: &'static str| {
        !d.visibility(&Pkg::new(cpv, kw, "MIT").info())
            .iter()
            .any(|h| matches!(h, Hidden::Keywords { .. }))
    };
    assert_eq!(d.accept_keywords(), ["amd64"]);
    assert!(vis("app-misc/plain-1", "amd64 ~x86"));
    assert!(!vis("app-misc/plain-1", "~amd64"));
    assert!(vis("app-misc/bare-1", "~amd64"), "bare atom means ~arch");
    assert!(!vis("app-misc/bare-1", "~x86"));
    assert!(vis("app-misc/any-1", ""), "** accepts empty KEYWORDS");
    assert!(vis("app-misc/tilde-1", "~arm"));
    assert!(!vis("app-misc/tilde-1", "-arm"));
    assert!(vis("app-misc/star-1", "arm"));
    assert!(!vis("app-misc/star-1", "~arm"));
    assert!(vis("app-misc/neg-1", "x86"));
    assert!(!vis("app-misc/neg-1", "amd64"), "-* dropped amd64");
    assert!(
        vis("app-misc/plain-1", "*"),
        "KEYWORDS=* is visible everywhere"
    );
    let h = d.visibility(&Pkg::new("app-misc/plain-1", "~amd64 x86", "MIT").info());
    assert_eq!(
        h,
        [Hidden::Keywords {
            keywords: vec!["~amd64".into(), "x86".into()],
            accepted: vec!["amd64".into()],
        }]
    );
}

#[test]
fn license_groups_and_package_license() {
    let root = fixture(
        "ACCEPT_LICENSE=\"${ACCEPT_LICENSE} -@GPL-COMPATIBLE LGPL-2.1\"\n",
        &[("package.license", "app-misc/eula EULA @NOPE\n")],
    );
    let d = domain(root.path());
    // Profile "-* @FREE", then make.conf "-@GPL-COMPATIBLE LGPL-2.1".
    assert_eq!(
        d.setting("ACCEPT_LICENSE"),
        Some("-* @FREE -@GPL-COMPATIBLE LGPL-2.1")
    );
    let lic = |cpv: &str, license: &'static str| {
        d.visibility(&Pkg::new(cpv, "amd64", license).info())
            .into_iter()
            .filter_map(|h| match h {
                Hidden::License { missing } => Some(missing),
                _ => None,
            })
            .flatten()
            .collect::<Vec<_>>()
    };
    assert!(lic("app-misc/a-1", "MIT CC0-1.0 LGPL-2.1").is_empty());
    assert_eq!(lic("app-misc/a-1", "GPL-2"), ["GPL-2"]);
    assert!(lic("app-misc/a-1", "|| ( GPL-2 MIT )").is_empty());
    assert_eq!(lic("app-misc/a-1", "EULA"), ["EULA"]);
    assert!(lic("app-misc/eula-1", "EULA").is_empty());
    assert!(
        d.warnings
            .iter()
            .any(|w| w.message.contains("@NOPE") && w.location.line == 1),
        "{:?}",
        d.warnings
    );
}

#[test]
fn effective_use_layers_masks_and_forces() {
    let root = fixture(
        "USE=\"conf -iusedefault\"\n",
        &[
            ("package.use/10-a", "app-misc/foo pkguse -conf\n"),
            ("package.use/20-b", "app-misc/foo VIDEO_CARDS: -* nvidia\n"),
            ("package.use/.hidden", "app-misc/foo hidden\n"),
            ("package.use/20-b~", "app-misc/foo backup\n"),
            ("package.accept_keywords", "app-misc/foo ~amd64\n"),
        ],
    );
    let d = domain(root.path());
    let mut p = Pkg::new("app-misc/foo-2", "amd64", "MIT");
    p.iuse = "+iusedefault +plus a conf pkguse profileuse masked forced forcedandmasked \
              unstableonly pkgforced repomaskflag hidden backup video_cards_intel video_cards_nvidia";
    let u = d.effective_use(&p.info());
    let on: Vec<&str> = u.enabled().collect();
    assert_eq!(
        on,
        [
            "plus",
            "a",
            "pkguse",
            "profileuse",
            "forced",
            "pkgforced",
            "video_cards_nvidia"
        ]
    );
    assert!(
        !u.is_masked("masked"),
        "base use.mask undone by `-masked` in arch/amd64"
    );
    assert!(matches!(
        u.flags["iusedefault"].source,
        UseSource::Setting(_)
    ));
    assert!(matches!(u.flags["plus"].source, UseSource::IuseDefault));
    assert!(matches!(&u.flags["pkguse"].source, UseSource::PackageUse(l) if l.line == 1));
    assert!(u.is_masked("forcedandmasked"), "mask wins over force");
    assert!(
        u.is_masked("unstableonly"),
        "stable install: use.stable.mask applies"
    );
    assert!(u.is_masked("repomaskflag"));
    assert!(u.is_forced("pkgforced"));
    // ~amd64 only: not a stable install, use.stable.mask does not apply; <2: no force.
    let mut q = Pkg::new("app-misc/foo-1", "~amd64", "MIT");
    q.iuse = "unstableonly pkgforced";
    let u = d.effective_use(&q.info());
    assert!(!u.is_masked("unstableonly"));
    assert!(!u.is_enabled("pkgforced"));
}

#[test]
fn make_conf_directory_source_continuations_and_warnings() {
    let dir = fixture("", &[]);
    let etc = dir.path().join("etc/portage");
    std::fs::remove_file(etc.join("make.conf")).unwrap();
    write_file(
        &etc,
        "make.conf/01-base",
        "# comment\nDISTDIR=\"/d\" \\\n  PKGDIR='/p'\nsource ../extra.conf\nthis is not an assignment\n",
    );
    write_file(
        &etc,
        "make.conf/02-more",
        "export EMERGE_DEFAULT_OPTS=\"--ask \\\n--verbose\"\nUSE=\"${USE:-none} z\"\n",
    );
    write_file(&etc, "make.conf/.skip", "DISTDIR=/wrong\n");
    write_file(
        &etc,
        "extra.conf",
        "GENTOO_MIRRORS=\"http://m/ ${DISTDIR}\"\n",
    );
    let loaded = load(dir.path()).unwrap();
    let d = loaded.domain().unwrap();
    assert_eq!(d.distdir(), Path::new("/d"));
    assert_eq!(d.pkgdir(), Path::new("/p"));
    assert_eq!(d.setting("GENTOO_MIRRORS"), Some("http://m/ /d"));
    assert_eq!(d.setting("EMERGE_DEFAULT_OPTS"), Some("--ask --verbose"));
    assert!(d.global_use().contains(&"none".to_string()));
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    let w = &loaded.warnings[0];
    assert!(
        w.location.path.ends_with("make.conf/01-base") && w.location.line == 5,
        "{w}"
    );
}

#[test]
fn malformed_package_lines_warn_and_the_rest_loads() {
    let root = fixture(
        "",
        &[
            (
                "package.mask",
                "app-misc/ok\n>=broken\n!app-misc/blocker\napp-misc/two tokens\n",
            ),
            (
                "package.use",
                "app-misc/x\ndev-libs/foo-1.0 flag\nportage flag\n",
            ),
            ("repos.conf.extra", ""),
        ],
    );
    let d = domain(root.path());
    let lines: Vec<(String, usize)> = d
        .warnings
        .iter()
        .map(|w| {
            (
                w.location
                    .path
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                w.location.line,
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("package.mask".to_string(), 2),
            ("package.mask".to_string(), 3),
            ("package.mask".to_string(), 4),
            ("package.use".to_string(), 1),
            ("package.use".to_string(), 2),
        ]
    );
    assert!(
        !d.masked_by(&Pkg::new("app-misc/ok-1", "amd64", "MIT").info())
            .is_empty()
    );
}

#[test]
fn missing_location_is_an_error() {
    let root = fixture("", &[]);
    let etc = root.path().join("etc/portage");
    write_file(
        &etc,
        "repos.conf",
        "[DEFAULT]\nmain-repo = test\n[test]\nsync-type = git\n",
    );
    let err = load(root.path()).unwrap_err();
    assert!(
        matches!(err, ConfigError::RepoLocation { ref repo, ref location, .. } if repo == "test" && location.line == 3),
        "{err}"
    );
    write_file(&etc, "repos.conf", "[test]\nlocation = /does/not/exist\n");
    let err = load(root.path()).unwrap_err();
    assert!(
        err.to_string()
            .contains("repos.conf:2: repository \"test\""),
        "{err}"
    );
}

#[test]
fn relative_location_resolves_to_the_path_it_names() {
    let root = fixture("", &[]);
    let etc = root.path().join("etc/portage");
    // repos.conf sits in etc/portage; the repository is root/repo.
    write_file(
        &etc,
        "repos.conf",
        "[DEFAULT]\nmain-repo = test\n[test]\nlocation = ../../repo\n",
    );
    let d = domain(root.path());
    let repo = d.ebuild_repos().next().unwrap();
    assert_eq!(
        repo.location,
        std::fs::canonicalize(root.path().join("repo")).unwrap()
    );
    assert!(!repo.location.to_string_lossy().contains(".."));
}

#[test]
fn parent_cycle_is_an_error() {
    let root = fixture("", &[]);
    let base = root.path().join("repo/profiles/base");
    write_file(&base, "parent", "../leaf\n");
    let err = load(root.path()).unwrap().domain().unwrap_err();
    let ConfigError::ProfileCycle { chain, location } = &err else {
        panic!("{err}");
    };
    assert!(location.path.ends_with("profiles/base/parent") && location.line == 1);
    assert_eq!(chain.first(), chain.last());
    assert!(err.to_string().contains("profile parent cycle"));
}

#[test]
fn missing_profile_parent_is_an_error() {
    let root = fixture("", &[]);
    write_file(
        &root.path().join("repo/profiles/leaf"),
        "parent",
        "test:arch/amd64\n../nope\n",
    );
    let err = load(root.path()).unwrap().domain().unwrap_err();
    assert!(
        matches!(&err, ConfigError::MissingProfile { location, .. } if location.line == 2),
        "{err}"
    );
}

#[test]
fn user_profile_applies_last() {
    let root = fixture(
        "",
        &[
            ("profile/package.mask", "app-misc/user-profile-masked\n"),
            ("profile/use.force", "userforced\n"),
            ("profile/make.defaults", "USE=\"fromuserprofile\"\n"),
        ],
    );
    let d = domain(root.path());
    assert!(d.profile.nodes.last().unwrap().is_user);
    assert!(
        !d.masked_by(&Pkg::new("app-misc/user-profile-masked-1", "amd64", "MIT").info())
            .is_empty()
    );
    let mut p = Pkg::new("app-misc/x-1", "amd64", "MIT");
    p.iuse = "userforced";
    assert!(d.effective_use(&p.info()).is_forced("userforced"));
    assert!(d.global_use().contains(&"fromuserprofile".to_string()));
}

#[test]
fn system_set_repo_lists_and_default_eapi() {
    let root = fixture("", &[]);
    let r = root.path().join("repo");
    write_file(
        &r,
        "profiles/base/packages",
        "*sys-apps/a\n*sys-apps/b\napp-misc/profile-only\n",
    );
    write_file(&r, "profiles/leaf/packages", "-*sys-apps/a\n*sys-apps/c\n");
    write_file(
        &r,
        "profiles/profiles.desc",
        "amd64 leaf stable\n# c\nx86 arch/x86 exp\n",
    );
    std::fs::remove_file(r.join("profiles/arch/amd64/eapi")).ok();
    let d = domain(root.path());
    let system: Vec<String> = d.profile.system_set().iter().map(|l| l.text()).collect();
    assert_eq!(system, ["sys-apps/b", "sys-apps/c"]);
    let data = &d.repo_data["test"];
    assert_eq!(data.arch_list, ["amd64", "x86"]);
    assert_eq!(data.profiles.len(), 2);
    assert_eq!(
        (
            data.profiles[1].arch.as_str(),
            data.profiles[1].status.as_str()
        ),
        ("x86", "exp")
    );
    // arch/amd64 has no eapi file: 0 (profiles/eapi is 8, not 9).
    assert_eq!(d.profile.nodes[1].eapi, "0");
    assert_eq!(d.profile.nodes[0].eapi, "8");
}

#[test]
fn pkgdir_becomes_a_binary_repository() {
    let root = fixture("", &[]);
    let pkgdir = root.path().join("binpkgs");
    std::fs::create_dir(&pkgdir).unwrap();
    write_file(
        &root.path().join("etc/portage"),
        "make.conf",
        &format!("PKGDIR=\"{}\"\n", pkgdir.display()),
    );
    let d = domain(root.path());
    let bin: Vec<_> = d.binary_repos().collect();
    assert_eq!(bin.len(), 1);
    assert_eq!((bin[0].name.as_str(), bin[0].priority), ("binpkgs", -10000));
    assert_eq!(bin[0].location, pkgdir);
    assert_eq!(
        d.repos.repos.last().unwrap().name,
        "binpkgs",
        "lowest priority"
    );
}

#[test]
fn make_profile_directory_with_repo_parent() {
    let root = fixture("", &[]);
    let etc = root.path().join("etc/portage");
    std::fs::remove_file(etc.join("make.profile")).unwrap();
    write_file(&etc, "make.profile/parent", "test:leaf\n");
    write_file(&etc, "make.profile/make.defaults", "USE=\"local\"\n");
    let d = domain(root.path());
    let names: Vec<String> = d
        .profile
        .nodes
        .iter()
        .map(|n| n.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["base", "amd64", "leaf", "make.profile"]);
    assert!(d.global_use().contains(&"local".to_string()));
    assert_eq!(d.profile.nodes[3].repo, None);
}

#[test]
fn use_stable_and_package_use_stable() {
    let root = fixture("USE=\"-confoff\"\n", &[]);
    let r = root.path().join("repo/profiles/leaf");
    write_file(&r, "use.stable", "stableon confoff\n");
    write_file(
        &r,
        "package.use.stable",
        "app-misc/foo pkgstable -stableon\n",
    );
    let d = domain(root.path());
    let mut p = Pkg::new("app-misc/foo-1", "amd64", "MIT");
    p.iuse = "stableon confoff pkgstable";
    let u = d.effective_use(&p.info());
    assert!(!u.is_enabled("stableon"), "package.use.stable > use.stable");
    assert!(!u.is_enabled("confoff"), "make.conf > use.stable");
    assert!(u.is_enabled("pkgstable"));
    let mut q = Pkg::new("app-misc/bar-1", "amd64", "MIT");
    q.iuse = "stableon";
    assert!(d.effective_use(&q.info()).is_enabled("stableon"));
    let mut t = Pkg::new("app-misc/foo-1", "~amd64", "MIT");
    t.iuse = "stableon pkgstable";
    write_file(
        &root.path().join("etc/portage"),
        "make.conf",
        "ACCEPT_KEYWORDS=\"~amd64\"\n",
    );
    let d2 = domain(root.path());
    assert!(
        d2.effective_use(&q.info()).is_enabled("stableon"),
        "amd64 is still stable"
    );
    let u = d2.effective_use(&t.info());
    assert!(
        !u.is_enabled("stableon") && !u.is_enabled("pkgstable"),
        "testing install"
    );
}

#[test]
fn extended_targets_in_user_config() {
    let root = fixture(
        "",
        &[
            (
                "package.use",
                "portage extflag\n*/*::test star\ndev-*/* devflag\n=*/*-*9999* live\n",
            ),
            ("package.accept_keywords", "*/*::test ~amd64\n"),
        ],
    );
    let d = domain(root.path());
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    let mut p = Pkg::new("sys-apps/portage-9999", "~amd64", "MIT");
    p.iuse = "extflag star devflag live";
    let on: Vec<String> = d
        .effective_use(&p.info())
        .enabled()
        .map(str::to_string)
        .collect();
    assert_eq!(on, ["extflag", "star", "live"]);
    assert!(d.visibility(&p.info()).is_empty());
}

#[test]
fn profile_keyword_files() {
    let root = fixture("", &[]);
    let leaf = root.path().join("repo/profiles/leaf");
    write_file(&leaf, "package.accept_keywords", "app-misc/prof-accepted\n");
    write_file(
        &leaf,
        "package.keywords",
        "app-misc/prof-kw amd64\napp-misc/prof-drop -amd64\n",
    );
    let d = domain(root.path());
    let hidden_by_kw = |cpv: &str, kw: &'static str| {
        d.visibility(&Pkg::new(cpv, kw, "MIT").info())
            .iter()
            .any(|h| matches!(h, Hidden::Keywords { .. }))
    };
    assert!(!hidden_by_kw("app-misc/prof-accepted-1", "~amd64"));
    assert!(!hidden_by_kw("app-misc/prof-kw-1", "~x86"));
    assert!(hidden_by_kw("app-misc/prof-drop-1", "amd64"));
    assert!(hidden_by_kw("app-misc/other-1", "~amd64"));
}

/// Portage 3.0.83's `config.regenerate()` (checked against it on GURU): in make.defaults a
/// USE_EXPAND variable's flags come before the layer's USE and stack over the parents'; in
/// make.conf the layer's USE comes first and a USE_EXPAND variable then replaces its prefix.
#[test]
fn use_expand_semantics_match_portage() {
    let root = fixture(
        "USE=\"video_cards_nvidia video_cards_vesa -video_cards_amd\"\nVIDEO_CARDS=\"radeon\"\n",
        &[(
            "profile/make.defaults",
            "VIDEO_CARDS=\"amd\"\nUSE=\"-video_cards_intel\"\n",
        )],
    );
    let d = domain(root.path());
    // base: intel; user profile: +amd then USE -intel; make.conf: USE +nvidia +vesa -amd,
    // then VIDEO_CARDS="radeon" replaces every video_cards_ flag.
    let vc: Vec<String> = d
        .global_use()
        .into_iter()
        .filter(|f| f.starts_with("video_cards_"))
        .collect();
    assert_eq!(vc, ["video_cards_radeon"]);
    assert_eq!(d.setting("VIDEO_CARDS"), Some("radeon"));

    let root = fixture(
        "",
        &[(
            "profile/make.defaults",
            "VIDEO_CARDS=\"amd\"\nUSE=\"-video_cards_intel\"\n",
        )],
    );
    let d = domain(root.path());
    assert_eq!(d.setting("VIDEO_CARDS"), Some("amd"));
    let mut p = Pkg::new("app-misc/x-1", "amd64", "MIT");
    p.iuse = "video_cards_intel video_cards_amd video_cards_radeon";
    let u = d.effective_use(&p.info());
    assert_eq!(u.enabled().collect::<Vec<_>>(), ["video_cards_amd"]);
}

#[test]
fn repository_precedence_matches_portage() {
    // Portage 3.0.83 orders gentoo (main, -1000), aaa, guru, zzz (equal priority 0) as
    // `prepos_order = [gentoo, aaa, guru, zzz]`, the last with the highest precedence.
    let dir = tempfile::tempdir().unwrap();
    let mut conf = String::from("[DEFAULT]\nmain-repo = gentoo\n");
    for name in ["zzz", "gentoo", "guru", "aaa", "low"] {
        let loc = dir.path().join(name);
        write_file(&loc, "profiles/repo_name", &format!("{name}\n"));
        conf.push_str(&format!("[{name}]\nlocation = {}\n", loc.display()));
        if name == "low" {
            conf.push_str("priority = -5\n");
        }
    }
    let mut w = Vec::new();
    let mut ini = strata_config::ini::Ini::default();
    ini.parse_str(&conf, Path::new("repos.conf"), &mut w);
    let set = strata_config::repos::resolve_repos(&ini, None, &mut w).unwrap();
    let order: Vec<(&str, i64)> = set
        .repos
        .iter()
        .map(|r| (r.name.as_str(), r.priority))
        .collect();
    assert_eq!(
        order,
        [
            ("zzz", 0),
            ("guru", 0),
            ("aaa", 0),
            ("low", -5),
            ("gentoo", -1000)
        ]
    );
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn build_id_entries_in_user_config() {
    let root = fixture("", &[("package.mask", "=app-misc/bin-1.0-2\n")]);
    let d = domain(root.path());
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    let p = Pkg::new("app-misc/bin-1.0", "amd64", "MIT");
    let masked = |id: Option<u64>| {
        !d.masked_by(&PackageInfo {
            build_id: id,
            ..p.info()
        })
        .is_empty()
    };
    assert!(masked(Some(2)));
    assert!(!masked(Some(1)));
    assert!(!masked(None));
}

#[test]
fn properties_and_restrict() {
    let root = fixture(
        "ACCEPT_PROPERTIES=\"* -interactive\"\nACCEPT_RESTRICT=\"* -fetch\"\n",
        &[
            ("package.properties", "app-misc/ok interactive\n"),
            ("package.accept_restrict", "app-misc/ok fetch\n"),
        ],
    );
    let d = domain(root.path());
    let p = Pkg::new("app-misc/x-1", "amd64", "MIT");
    let hidden = |cpv: &Pkg, props: &'static str, restrict: &'static str| {
        d.visibility(&PackageInfo {
            properties: props,
            restrict,
            ..cpv.info()
        })
    };
    assert!(hidden(&p, "live", "mirror test").is_empty());
    assert_eq!(
        hidden(&p, "interactive live", "fetch"),
        [
            Hidden::Properties {
                missing: vec!["interactive".into()]
            },
            Hidden::Restrict {
                missing: vec!["fetch".into()]
            },
        ]
    );
    let ok = Pkg::new("app-misc/ok-1", "amd64", "MIT");
    assert!(hidden(&ok, "interactive", "fetch").is_empty());
    // Default (make.globals): everything accepted.
    let d2 = domain(fixture("", &[]).path());
    assert!(
        d2.visibility(&PackageInfo {
            properties: "interactive",
            restrict: "fetch",
            ..p.info()
        })
        .is_empty()
    );
}

/// `path` (absolute) as a path relative to the working directory, climbing only to
/// their common ancestor (a path climbing to `/` would hide a doubled join).
fn relative_to_cwd(path: &Path) -> std::path::PathBuf {
    let cwd = std::env::current_dir().unwrap();
    let common = cwd
        .components()
        .zip(path.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut rel = std::path::PathBuf::new();
    for _ in cwd.components().skip(common) {
        rel.push("..");
    }
    rel.extend(path.components().skip(common));
    rel
}

#[test]
fn relative_config_root_and_root_are_resolved_once() {
    // In the target dir, which shares an ancestor below `/` with the crate dir.
    let base = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let root = fixture_in(base.path(), "", &[("profile/use.force", "userforced\n")]);
    let expected = domain(root.path());
    let rel = relative_to_cwd(root.path());
    assert!(rel.is_relative());
    let rel_root = relative_to_cwd(&root.path().join("target"));
    std::fs::create_dir_all(root.path().join("target")).unwrap();
    let d = load_config(
        builtin_registry(),
        &ConfigSource::Portage(PortageOptions::new(&rel, &rel_root)),
    )
    .unwrap()
    .domain()
    .unwrap();
    assert_eq!(d.profile.path, expected.profile.path);
    assert_eq!(
        d.profile.nodes.len(),
        expected.profile.nodes.len(),
        "user profile found too"
    );
    assert!(d.profile.nodes.last().unwrap().is_user);
    assert_eq!(
        d.config_dir.canonicalize().unwrap(),
        expected.config_dir.canonicalize().unwrap()
    );
    assert_eq!(
        d.root.canonicalize().unwrap(),
        root.path().join("target").canonicalize().unwrap()
    );
}
