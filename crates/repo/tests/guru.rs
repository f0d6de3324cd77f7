//! The repositories of a domain over the real gentoo-stub + GURU data.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use strata_atom::cpv::Cpv;
use strata_cache::index::Proxied;
use strata_repo::domain::OpenOptions;
use strata_repo::{DomainRepos, MatchOptions, Repository, Visibility};
use strata_restrict::{Attr, AttrValue, PackageAttrs, Restriction, parse_target, query};
use strata_testtools::{gentoo_stub_dir, guru_dir, walk_ebuilds, write_guru_config};

fn open() -> (tempfile::TempDir, DomainRepos) {
    let cfg = write_guru_config(&[]);
    let d = common::domain(cfg.path(), std::path::Path::new("/nonexistent-root"));
    let repos = DomainRepos::open(
        d,
        &OpenOptions {
            index_dir: Some(cfg.path().join("index")),
            binary_factory: None,
        },
    )
    .unwrap();
    (cfg.into_temp_dir(), repos)
}

fn cpvs(pkgs: &[strata_repo::PackageRef]) -> Vec<String> {
    pkgs.iter().map(|p| p.cpv().to_string()).collect()
}

#[test]
fn lists_every_guru_package() {
    let (_cfg, repos) = open();
    let ids: Vec<&str> = repos.source.iter().map(|r| r.id()).collect();
    assert_eq!(ids, ["guru", "gentoo"]);
    let guru = repos.source_repo("guru").unwrap();
    assert_eq!(guru.masters()[0].name, "gentoo");
    // The repository's own eclass dir comes first, then the master's.
    assert!(guru.eclass_path().dirs()[0].starts_with(guru_dir()));
    assert!(guru.eclass_path().dirs()[1].starts_with(gentoo_stub_dir()));

    let oracle = walk_ebuilds(&guru_dir());
    assert_eq!(oracle.len(), 3751);
    let all = guru.all_packages(&MatchOptions::fast()).unwrap();
    assert_eq!(cpvs(&all).len(), 3751);
    let mut got = cpvs(&all);
    got.sort();
    assert_eq!(got, oracle);
    let cps: BTreeSet<&str> = all.iter().map(|p| p.cpv().cp()).collect();
    assert_eq!(cps.len(), 2297);
    assert_eq!(guru.categories().unwrap().len(), 138);
    // Sorted by category, package and version (version order, not string order).
    for w in all.windows(2) {
        assert!(w[0].cpv() < w[1].cpv(), "{} !< {}", w[0].cpv(), w[1].cpv());
    }
    // Strict matching reads every cache entry: all of GURU's validate.
    let strict = guru.all_packages(&MatchOptions::default()).unwrap();
    assert_eq!(strict.len(), 3751);
    assert_eq!(
        guru.check_all().unwrap(),
        [],
        "GURU's cache validates completely"
    );

    // The stack adds the stub's one package.
    let stack = repos.source_stack();
    assert_eq!(
        stack.all_packages(&MatchOptions::fast()).unwrap().len(),
        3752
    );
}

#[test]
fn matches_atoms_and_extended_targets() {
    let (_cfg, repos) = open();
    let guru = repos.source_repo("guru").unwrap();
    let oracle = walk_ebuilds(&guru_dir());
    let opts = MatchOptions::default();

    // dev-*/* by the oracle.
    let want: Vec<&String> = oracle.iter().filter(|c| c.starts_with("dev-")).collect();
    let got = guru
        .itermatch(&parse_target("dev-*/*").unwrap(), &opts)
        .unwrap();
    assert_eq!(got.len(), want.len());

    // A package with several versions: >= its highest matches exactly that one; the
    // unversioned name matches them all; ::gentoo matches none of GURU's.
    let (cp, versions) = {
        let mut by_cp: std::collections::BTreeMap<String, Vec<Cpv>> = Default::default();
        for c in &oracle {
            let cpv = Cpv::parse(c).unwrap();
            by_cp.entry(cpv.cp().to_owned()).or_default().push(cpv);
        }
        by_cp.into_iter().find(|(_, v)| v.len() >= 3).unwrap()
    };
    let max = versions.iter().max().unwrap();
    let got = guru
        .itermatch(
            &parse_target(&format!(">={cp}-{}", max.version())).unwrap(),
            &opts,
        )
        .unwrap();
    assert_eq!(cpvs(&got), [max.to_string()]);
    let got = guru.itermatch(&parse_target(&cp).unwrap(), &opts).unwrap();
    assert_eq!(got.len(), versions.len());
    let got = guru
        .itermatch(&parse_target(&format!("{cp}::gentoo")).unwrap(), &opts)
        .unwrap();
    assert!(got.is_empty());
    let atom = strata_atom::atom::Atom::parse_user(&format!("<{cp}-{}", max.version())).unwrap();
    assert_eq!(guru.match_atom(&atom).unwrap().len(), versions.len() - 1);

    // Package-name globs across categories.
    let got = guru
        .itermatch(&parse_target("*/ezdxf").unwrap(), &opts)
        .unwrap();
    let want = oracle
        .iter()
        .filter(|c| c.starts_with("dev-python/ezdxf-"))
        .count();
    assert!(want > 0);
    assert_eq!(got.len(), want);

    // A slot restriction reads metadata; every result's SLOT says so.
    let got = guru
        .itermatch(&parse_target("dev-python/*:0").unwrap(), &opts)
        .unwrap();
    assert!(!got.is_empty());
    for p in &got {
        assert_eq!(p.get("SLOT").unwrap().split('/').next(), Some("0"));
    }
}

#[test]
fn metadata_xml_maintainers_and_index_queries() {
    let (cfg, repos) = open();
    let guru = repos.source_repo("guru").unwrap();

    let p = &guru
        .itermatch(
            &parse_target("dev-python/ezdxf").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap()[0];
    let ms = p.maintainers();
    assert_eq!(ms[0].email, "vowstar@gmail.com");
    assert_eq!(ms[0].name.as_deref(), Some("Huang Rui"));
    assert_eq!(ms[0].proxied, Proxied::Yes);
    let xml = p.metadata_xml().unwrap();
    assert!(
        xml.longdescription()
            .unwrap()
            .starts_with("ezdxf is a Python library")
    );
    assert!(
        xml.upstream
            .remote_ids
            .contains(&("pypi".to_string(), "ezdxf".to_string()))
    );
    assert_eq!(
        p.attr(Attr::Maintainers).unwrap().to_string(),
        "Huang Rui <vowstar@gmail.com>"
    );

    // Maintainer search: the index answers it; without the index every package is read.
    // Both agree with grepping the metadata.xml files.
    let r = query::maintainer("vowstar@gmail").unwrap();
    let first = guru.search_index().unwrap();
    assert!(first.rebuilt);
    assert!(cfg.path().join("index").read_dir().unwrap().count() >= 1);
    let with_index = cpvs(&guru.itermatch(&r, &MatchOptions::default()).unwrap());
    let without = cpvs(
        &guru
            .itermatch(
                &r,
                &MatchOptions {
                    strict: true,
                    use_index: false,
                },
            )
            .unwrap(),
    );
    assert_eq!(with_index, without);
    let oracle: Vec<String> = walk_ebuilds(&guru_dir())
        .into_iter()
        .filter(|c| {
            let cpv = Cpv::parse(c).unwrap();
            std::fs::read_to_string(
                guru_dir()
                    .join(cpv.category())
                    .join(cpv.package())
                    .join("metadata.xml"),
            )
            .is_ok_and(|x| x.contains("<email>vowstar@gmail.com</email>"))
        })
        .collect();
    assert!(!oracle.is_empty());
    assert_eq!(with_index, oracle);
    assert!(!guru.search_index().unwrap().rebuilt, "second open maps it");

    // Description, license, has-use, eapi, revdeps, no maintainer: index and direct
    // evaluation agree (direct evaluation reads and validates every candidate's cache
    // entry, so most are limited to a few categories to keep the debug build fast).
    let few = parse_target("sys-*/*").unwrap();
    let rs = [
        Restriction::and([few.clone(), query::description("rust").unwrap()]),
        Restriction::and([few.clone(), query::license(["MIT"])]),
        Restriction::and([few.clone(), query::has_use(["test"])]),
        Restriction::and([few.clone(), query::eapi("7")]),
        Restriction::and([
            parse_target("dev-python/*").unwrap(),
            query::has_use(["doc"]),
        ]),
        Restriction::and([
            parse_target("dev-python/*").unwrap(),
            Restriction::revdep_name("dev-python/numpy"),
        ]),
        Restriction::and([few.clone(), query::maintainer("maintainer-needed").unwrap()]),
    ];
    for r in &rs {
        let a = cpvs(&guru.itermatch(r, &MatchOptions::default()).unwrap());
        let b = cpvs(
            &guru
                .itermatch(
                    r,
                    &MatchOptions {
                        strict: true,
                        use_index: false,
                    },
                )
                .unwrap(),
        );
        assert_eq!(a, b, "{r}");
        assert!(!a.is_empty(), "{r} matches something in GURU");
    }
    // Revdeps over the whole tree from the index agree (checked on dev-python) with
    // reading the dependency classes as text.
    let numpy: Vec<String> = cpvs(
        &guru
            .itermatch(
                &Restriction::revdep_name("dev-python/numpy"),
                &MatchOptions::default(),
            )
            .unwrap(),
    )
    .into_iter()
    .filter(|c| c.starts_with("dev-python/"))
    .collect();
    let by_text: Vec<String> = guru
        .itermatch(
            &parse_target("dev-python/*").unwrap(),
            &MatchOptions::fast(),
        )
        .unwrap()
        .iter()
        .filter(|p| {
            ["DEPEND", "RDEPEND", "BDEPEND", "PDEPEND", "IDEPEND"]
                .iter()
                .any(|k| {
                    p.get(k).unwrap_or("").split_whitespace().any(|t| {
                        strata_cache::index::deps::atom_package(t) == Some("dev-python/numpy")
                    })
                })
        })
        .map(|p| p.cpv().to_string())
        .collect();
    assert!(numpy.len() > 10, "{}", numpy.len());
    assert_eq!(numpy, by_text);
    // EAPI 7 count from the cache statistics in formats.md §3.3.
    assert_eq!(
        guru.itermatch(&query::eapi("7"), &MatchOptions::default())
            .unwrap()
            .len(),
        145
    );
}

#[test]
fn visibility_with_reasons() {
    let (_cfg, repos) = open();
    let visible = repos.visible();
    let guru_only = parse_target("*/*::guru").unwrap();
    let all = visible
        .itermatch_with_reasons(&guru_only, &MatchOptions::default())
        .unwrap();
    assert_eq!(all.len(), 3751);
    let n_visible = all.iter().filter(|(_, v)| v.is_visible()).count();
    let masked = all
        .iter()
        .filter(|(_, v)| {
            matches!(v, Visibility::Hidden(h) if h.iter().any(|x| matches!(x, strata_config::visibility::Hidden::Masked { .. })))
        })
        .count();
    // Independent oracle for keywords: visible by keyword iff KEYWORDS has amd64 or ~amd64.
    let kw_ok = all
        .iter()
        .filter(|(p, _)| {
            p.get("KEYWORDS")
                .unwrap_or("")
                .split_whitespace()
                .any(|k| k == "amd64" || k == "~amd64")
        })
        .count();
    assert_eq!(masked, 20, "profiles/package.mask hides 20 versions");
    let masked_kw_ok = all
        .iter()
        .filter(|(p, v)| {
            matches!(v, Visibility::Hidden(h) if h.iter().any(|x| matches!(x, strata_config::visibility::Hidden::Masked { .. })))
                && p.get("KEYWORDS").unwrap_or("").split_whitespace().any(|k| k == "amd64" || k == "~amd64")
        })
        .count();
    // ACCEPT_LICENSE="*" and known EAPIs: hidden means masked or not keyworded.
    assert_eq!(n_visible, kw_ok - masked_kw_ok);
    // peers.md: 3331 of 3751 are visible with this profile and ACCEPT_KEYWORDS.
    assert_eq!(n_visible, 3331);
    assert_eq!(
        visible
            .itermatch(&guru_only, &MatchOptions::default())
            .unwrap()
            .len(),
        n_visible
    );
    let p = all
        .iter()
        .find(|(p, _)| p.cpv().to_string() == "www-client/yandex-browser-26.6.1.1003_p1")
        .unwrap();
    assert!(matches!(&p.1, Visibility::Hidden(h) if !h.is_empty()));
}

#[test]
fn attributes_of_a_real_package() {
    let (_cfg, repos) = open();
    let guru = repos.source_repo("guru").unwrap();
    let p = &guru
        .itermatch(
            &parse_target("=acct-group/blocky-0-r1").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap()[0];
    assert_eq!(p.get("DESCRIPTION"), Some("A group for net-dns/blocky"));
    assert_eq!(p.attr(Attr::Eapi), Some(AttrValue::text("8")));
    assert_eq!(
        p.attr(Attr::Inherited).unwrap().to_string(),
        "user-info edo acct-group"
    );
    assert_eq!(p.attr(Attr::Revision), Some(AttrValue::text("1")));
    assert_eq!(p.attr(Attr::Slot), Some(AttrValue::text("0")));
    assert!(
        p.attr(Attr::Path)
            .unwrap()
            .to_string()
            .ends_with("acct-group/blocky/blocky-0-r1.ebuild")
    );
    assert_eq!(p.problem(), None);
    let _ = Arc::clone(&repos.domain);
}

#[test]
fn profiles_data_use_descriptions_and_configured_deps() {
    let (_cfg, repos) = open();
    let guru = repos.source_repo("guru").unwrap();
    let mirrors = guru.thirdpartymirrors();
    assert_eq!(mirrors["zef"], ["https://360.zef.pm"]);
    assert_eq!(mirrors["cran"][0], "https://cloud.r-project.org/");
    assert_eq!(
        guru.use_description("acct-user", "forgejo-runner", "docker")
            .as_deref(),
        Some("Have forgejo-runner use app-containers/docker")
    );
    // use.local.desc is generated from metadata.xml: every line agrees with what the
    // metadata.xml reader gives (whitespace collapsed).
    let text = std::fs::read_to_string(guru_dir().join("profiles/use.local.desc")).unwrap();
    let mut checked = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (left, desc) = line.split_once(" - ").unwrap();
        let (cp, flag) = left.split_once(':').unwrap();
        let (cat, pn) = cp.split_once('/').unwrap();
        let want = desc.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            guru.use_description(cat, pn, flag).as_deref(),
            Some(want.as_str()),
            "{line}"
        );
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
    assert_eq!(
        guru.profiles()
            .use_local_desc
            .values()
            .map(Vec::len)
            .sum::<usize>(),
        checked
    );

    // Dependencies evaluated with the domain's USE: no conditional is left, and every
    // atom is one of the raw ones.
    let pkgs = guru
        .itermatch(
            &parse_target("dev-python/*").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap();
    let p = pkgs
        .iter()
        .find(|p| p.get("RDEPEND").is_some_and(|d| d.contains("? (")))
        .unwrap();
    let use_ = strata_repo::visibility::effective_use(&repos.domain, p.as_ref()).unwrap();
    let flags = |f: &str| use_.is_enabled(f);
    let evaluated = p
        .evaluated_deps(strata_atom::DepKind::Rdepend, &flags)
        .unwrap()
        .unwrap();
    assert!(!evaluated.contains('?'), "{evaluated}");
    let raw = p.get("RDEPEND").unwrap();
    // The configured package's rdepend attribute holds the same atoms.
    let configured = strata_repo::ConfiguredPackage::new(p.clone(), repos.domain.clone());
    let atoms = configured.attr(Attr::Rdepend).unwrap().to_string();
    for a in atoms.split_whitespace() {
        assert!(
            evaluated.split_whitespace().any(|t| t == a),
            "{a} not in {evaluated}"
        );
    }
    let enabled = configured.attr(Attr::Use).unwrap().to_string();
    for f in enabled.split_whitespace() {
        assert!(
            p.get("IUSE")
                .unwrap()
                .split_whitespace()
                .any(|i| i.trim_start_matches(['+', '-']) == f),
            "{f}"
        );
    }
    for tok in evaluated.split_whitespace() {
        assert!(
            matches!(tok, "(" | ")" | "||") || raw.split_whitespace().any(|r| r == tok),
            "{tok} not in {raw}"
        );
    }
}
