//! DomainRepos::open: one rule for repositories that cannot be opened, whatever their
//! kind: left out, listed in `skipped` with the reason, the others still opened.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::sync::Arc;

use strata_config::domain::Domain;
use strata_config::repos::RepoConfig;
use strata_repo::domain::{BinaryRepoFactory, DomainRepos, OpenOptions};
use strata_repo::{RepoError, Repository, VdbRepo};
use strata_testtools::{gentoo_stub_dir, write_file};

/// Opens every binary repository as an (empty) stand-in, except those whose directory is
/// called `unreadable`, which fail as an unreadable PKGDIR would.
struct Factory;

impl BinaryRepoFactory for Factory {
    fn open(&self, config: &RepoConfig, _: &Domain) -> Result<Arc<dyn Repository>, RepoError> {
        if config.location.ends_with("unreadable") {
            return Err(RepoError::io(
                &config.location,
                std::io::Error::from(std::io::ErrorKind::PermissionDenied),
            ));
        }
        Ok(Arc::new(VdbRepo::open(&config.location)))
    }
}

fn config(root: &Path) {
    write_file(root, "broken/profiles/repo_name", "broken\n");
    write_file(root, "broken/metadata/layout.conf", "masters = nonesuch\n");
    write_file(root, "good-pkgs/.keep", "");
    write_file(root, "unreadable/.keep", "");
    let repos = format!(
        "[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = {stub}\n\n\
         [broken]\nlocation = {root}/broken\n\n\
         [good-pkgs]\nlocation = {root}/good-pkgs\nrepo-type = binpkg-v1\n\n\
         [bad-pkgs]\nlocation = {root}/unreadable\nrepo-type = binpkg-v1\n",
        stub = gentoo_stub_dir().display(),
        root = root.display()
    );
    write_file(root, "etc/portage/make.conf", "ACCEPT_KEYWORDS=\"amd64\"\n");
    std::os::unix::fs::symlink(
        gentoo_stub_dir().join("profiles/default/linux/amd64"),
        root.join("etc/portage/make.profile"),
    )
    .unwrap();
    write_file(root, "etc/portage/repos.conf", &repos);
}

#[test]
fn unopenable_repositories_of_every_kind_are_skipped_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    config(dir.path());
    let domain = common::domain(dir.path(), &dir.path().join("root"));
    let opts = OpenOptions {
        index_dir: Some(dir.path().join("index")),
        binary_factory: Some(Arc::new(Factory)),
    };
    let repos = DomainRepos::open(domain.clone(), &opts).unwrap();
    let source: Vec<&str> = repos.source.iter().map(|r| r.id()).collect();
    assert_eq!(source, ["gentoo"]);
    assert_eq!(repos.binary.len(), 1, "the readable PKGDIR is opened");
    assert_eq!(
        repos.binary[0].location(),
        Some(dir.path().join("good-pkgs").as_path())
    );
    let mut skipped = repos.skipped.clone();
    skipped.sort();
    assert_eq!(skipped.len(), 2, "{skipped:?}");
    assert_eq!(skipped[0].0, "bad-pkgs");
    assert!(
        skipped[0].1.contains("unreadable") && skipped[0].1.contains("ermission denied"),
        "{skipped:?}"
    );
    assert_eq!(skipped[1].0, "broken");
    assert!(skipped[1].1.contains("nonesuch"), "{skipped:?}");

    // Without a factory every binary repository is skipped, the rest still opened.
    let repos = DomainRepos::open(
        domain,
        &OpenOptions {
            index_dir: Some(dir.path().join("index")),
            binary_factory: None,
        },
    )
    .unwrap();
    assert!(repos.binary.is_empty());
    assert_eq!(repos.source.len(), 1);
    assert_eq!(repos.skipped.len(), 3);
}
