//! The configuration Portage itself used to make ../shared/data/portage-made.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use strata_config::classes::builtin_registry;
use strata_config::error::ConfigError;
use strata_config::load::{ConfigSource, load_config};
use strata_config::portage::{PortageOptions, read_make_conf};
use strata_testtools::portage_made_dir;

fn config_dir() -> std::path::PathBuf {
    portage_made_dir().join("config/etc/portage")
}

#[test]
fn make_conf_reads_cleanly() {
    let mut warnings = Vec::new();
    let vars = read_make_conf(&config_dir(), &mut warnings).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(vars["ACCEPT_LICENSE"].0, "*");
    assert_eq!(
        vars["FEATURES"].0,
        "-sandbox -usersandbox -userpriv -userfetch -usersync"
    );
    assert_eq!(vars["GENTOO_MIRRORS"].0, "");
    assert_eq!(
        vars["PKGDIR"].0,
        "/var/tmp/portage-ref/out/pkgdir-gpkg-zstd"
    );
    assert_eq!(vars["PKGDIR"].1.line, 9);
    assert_eq!(vars.len(), 9);
}

#[test]
fn repository_that_is_not_there_is_an_error() {
    // repos.conf names /var/tmp/portage-ref/out/refrepo, which exists only on the machine
    // that made the data.
    let opts = PortageOptions {
        config_dir: config_dir(),
        root: "/".into(),
        home: None,
        repositories: None,
    };
    assert!(!Path::new("/var/tmp/portage-ref/out/refrepo").exists());
    let err = load_config(builtin_registry(), &ConfigSource::Portage(opts)).unwrap_err();
    let ConfigError::RepoLocation { repo, location, .. } = &err else {
        panic!("{err}")
    };
    assert_eq!(repo, "refrepo");
    assert!(
        location.path.ends_with("repos.conf") && location.line == 5,
        "{err}"
    );
}
