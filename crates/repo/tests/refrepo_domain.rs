//! A domain over Portage's reference repository and the system it installed to: source
//! and installed packages together, with metadata.xml data for installed packages.
#![allow(clippy::unwrap_used)]

mod common;

use strata_repo::domain::OpenOptions;
use strata_repo::{DomainRepos, MatchOptions, Repository};
use strata_restrict::{Attr, parse_target, query};
use strata_testtools::{portage_made_dir, write_file, write_portage_config};

#[test]
fn installed_packages_get_maintainers_from_their_source_repo() {
    let made = portage_made_dir();
    let cfg = tempfile::tempdir().unwrap();
    write_portage_config(
        cfg.path(),
        &[("refrepo", &made.join("refrepo"))],
        "ACCEPT_LICENSE=\"*\"\n",
        &made.join("refrepo/profiles/default/linux/amd64"),
    );
    let d = common::domain(cfg.path(), &made.join("root-after-install"));
    let repos = DomainRepos::open(
        d,
        &OpenOptions {
            index_dir: Some(cfg.path().join("index")),
            binary_factory: None,
        },
    )
    .unwrap();
    assert_eq!(repos.source.len(), 1);
    assert!(repos.skipped.is_empty(), "{:?}", repos.skipped);

    let installed = repos
        .installed
        .itermatch(
            &query::maintainer("portage-ref@").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap();
    let names: Vec<String> = installed.iter().map(|p| p.cpv().to_string()).collect();
    assert_eq!(
        names,
        [
            "app-misc/hello-1.0",
            "app-misc/needs-lib-1",
            "app-misc/oddfiles-1",
            "app-misc/usetoggle-1",
            "dev-libs/libdemo-2.0"
        ]
    );
    assert_eq!(
        installed[0].attr(Attr::Maintainers).unwrap().to_string(),
        "portage-ref <portage-ref@example.invalid>"
    );

    // The source side: all seven ebuilds, every cache entry valid, all visible (amd64).
    let src = repos
        .source_stack()
        .all_packages(&MatchOptions::default())
        .unwrap();
    assert_eq!(src.len(), 7);
    assert_eq!(repos.source[0].check_all().unwrap(), []);
    let visible = repos
        .visible()
        .all_packages(&MatchOptions::default())
        .unwrap();
    assert_eq!(visible.len(), 7);

    // Configured by the domain: IUSE="+foo bar" gives USE=foo, so USE deps match.
    let configured = repos.configured_visible();
    let m = |t: &str, r: &dyn Repository| {
        r.itermatch(&parse_target(t).unwrap(), &MatchOptions::default())
            .unwrap()
            .len()
    };
    assert_eq!(m("app-misc/usetoggle[foo,-bar]", &configured), 1);
    assert_eq!(m("app-misc/usetoggle[bar]", &configured), 0);
    assert_eq!(m("app-misc/usetoggle", &configured), 1);
    // Unconfigured source packages have no USE: a USE dep matches nothing.
    assert_eq!(m("app-misc/usetoggle[foo]", &repos.visible()), 0);
    let p = &configured
        .itermatch(
            &parse_target("app-misc/usetoggle").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap()[0];
    assert_eq!(p.attr(Attr::Use).unwrap().to_string(), "foo");
    // Reverse dependencies on the configured tree.
    assert_eq!(
        configured
            .itermatch(
                &strata_restrict::Restriction::revdep_name("dev-libs/libdemo"),
                &MatchOptions::default()
            )
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_repository_that_cannot_be_opened_is_skipped_with_its_reason() {
    let made = portage_made_dir();
    let cfg = tempfile::tempdir().unwrap();
    let broken = cfg.path().join("broken");
    write_file(&broken, "profiles/repo_name", "broken\n");
    write_file(&broken, "metadata/layout.conf", "masters = nonexistent\n");
    write_portage_config(
        cfg.path(),
        &[("refrepo", &made.join("refrepo")), ("broken", &broken)],
        "ACCEPT_LICENSE=\"*\"\n",
        &made.join("refrepo/profiles/default/linux/amd64"),
    );
    let d = common::domain(cfg.path(), &made.join("root-after-install"));
    let repos = DomainRepos::open(d, &OpenOptions::default()).unwrap();
    let ids: Vec<&str> = repos.source.iter().map(|r| r.id()).collect();
    assert_eq!(ids, ["refrepo"]);
    assert_eq!(repos.skipped.len(), 1, "{:?}", repos.skipped);
    assert_eq!(repos.skipped[0].0, "broken");
    assert!(
        repos.skipped[0].1.contains("nonexistent"),
        "{:?}",
        repos.skipped
    );
}
