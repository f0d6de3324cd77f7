//! A relative PKGDIR in make.conf is relative to the working directory, as Portage uses
//! it (not to make.conf's directory): the binpkgs repository exists when that directory
//! does, and its location names that directory.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use strata_config::classes::builtin_registry;
use strata_config::domain::Domain;
use strata_config::load::{ConfigSource, SourceArgs, SourceEnv, load_config};
use strata_config::repos::RepoKind;
use strata_testtools::{gentoo_stub_dir, write_file};

fn domain_with_pkgdir(config_root: &Path, pkgdir: &str) -> std::sync::Arc<Domain> {
    write_file(
        config_root,
        "etc/portage/repos.conf",
        &format!(
            "[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = {}\n",
            gentoo_stub_dir().display()
        ),
    );
    write_file(
        config_root,
        "etc/portage/make.conf",
        &format!("ACCEPT_KEYWORDS=\"amd64\"\nPKGDIR=\"{pkgdir}\"\n"),
    );
    let link = config_root.join("etc/portage/make.profile");
    if !link.exists() {
        std::os::unix::fs::symlink(gentoo_stub_dir().join("profiles/default/linux/amd64"), link)
            .unwrap();
    }
    let args = SourceArgs {
        config: Some(config_root.join("etc/portage")),
        root: Some(config_root.join("root")),
        ..Default::default()
    };
    let source = ConfigSource::from_env_and_args(&args, &SourceEnv::default()).unwrap();
    load_config(builtin_registry(), &source)
        .unwrap()
        .domain()
        .unwrap()
}

/// `target` (absolute) written relative to the working directory, through their
/// common ancestor.
fn relative_to_cwd(target: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap().canonicalize().unwrap();
    let target = target.canonicalize().unwrap();
    let common = cwd
        .ancestors()
        .find(|a| target.starts_with(a))
        .unwrap()
        .to_path_buf();
    let mut rel = PathBuf::new();
    for _ in cwd.strip_prefix(&common).unwrap().components() {
        rel.push("..");
    }
    rel.join(target.strip_prefix(&common).unwrap())
}

#[test]
fn relative_pkgdir_is_relative_to_the_working_directory() {
    let config = tempfile::tempdir().unwrap();
    // Near the working directory (the package root), so that the relative path, read
    // against make.conf's directory instead, would name another directory.
    let elsewhere = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let pkgdir = elsewhere.path().join("binpkgs");
    std::fs::create_dir_all(&pkgdir).unwrap();
    let rel = relative_to_cwd(&pkgdir);
    assert!(rel.is_relative());
    assert!(
        !config.path().join("etc/portage").join(&rel).exists(),
        "the fixture must tell the two readings apart"
    );
    let d = domain_with_pkgdir(config.path(), rel.to_str().unwrap());
    let bin: Vec<_> = d
        .repos
        .repos
        .iter()
        .filter(|r| r.kind == RepoKind::Binpkg)
        .collect();
    assert_eq!(bin.len(), 1, "{:?}", d.repos.repos);
    assert_eq!(bin[0].name, "binpkgs");
    assert_eq!(
        bin[0].location.canonicalize().unwrap(),
        pkgdir.canonicalize().unwrap()
    );
    assert_eq!(d.pkgdir(), rel, "the setting stays as given");
    assert_eq!(
        d.pkgdir().canonicalize().unwrap(),
        pkgdir.canonicalize().unwrap(),
        "and names the same directory"
    );
}

#[test]
fn relative_pkgdir_beside_make_conf_only_is_not_a_repository() {
    let config = tempfile::tempdir().unwrap();
    let name = format!("strata-no-such-pkgdir-{}", std::process::id());
    std::fs::create_dir_all(config.path().join("etc/portage").join(&name)).unwrap();
    assert!(!Path::new(&name).exists());
    let d = domain_with_pkgdir(config.path(), &name);
    assert!(
        d.repos.repos.iter().all(|r| r.kind != RepoKind::Binpkg),
        "{:?}",
        d.repos.repos
    );
}
