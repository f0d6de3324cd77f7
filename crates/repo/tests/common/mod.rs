//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use strata_config::classes::builtin_registry;
use strata_config::domain::Domain;
use strata_config::load::{ConfigSource, load_config};
use strata_config::portage::PortageOptions;

/// The domain of the config root `config` (say, from `strata_testtools::write_config_dir`),
/// for the system at `root`.
pub fn domain(config: &Path, root: &Path) -> Arc<Domain> {
    let opts = PortageOptions::new(config, root);
    let loaded = load_config(builtin_registry(), &ConfigSource::Portage(opts)).unwrap();
    loaded.domain().unwrap()
}

/// A copy at `dst` of GURU's profiles, layout.conf, eclasses and the `categories` with
/// their cache entries: a small real repository tests may edit.
pub fn partial_guru(dst: &Path, categories: &[&str]) {
    use strata_testtools::{copy_tree, guru_dir};
    let guru = guru_dir();
    copy_tree(&guru.join("profiles"), &dst.join("profiles"));
    copy_tree(&guru.join("eclass"), &dst.join("eclass"));
    std::fs::create_dir_all(dst.join("metadata/md5-cache")).unwrap();
    std::fs::copy(
        guru.join("metadata/layout.conf"),
        dst.join("metadata/layout.conf"),
    )
    .unwrap();
    for c in categories {
        copy_tree(&guru.join(c), &dst.join(c));
        copy_tree(
            &guru.join("metadata/md5-cache").join(c),
            &dst.join("metadata/md5-cache").join(c),
        );
    }
}

/// The ebuild repository at `repo` (GURU or a copy) with gentoo-stub as its master and its
/// search index in `index`.
pub fn open_over_stub(repo: &Path, index: &Path) -> strata_repo::EbuildRepo {
    use strata_repo::{EbuildRepo, EbuildRepoOptions, MasterRepo};
    EbuildRepo::open_with(
        repo,
        EbuildRepoOptions {
            masters: vec![MasterRepo {
                name: "gentoo".into(),
                location: strata_testtools::gentoo_stub_dir(),
            }],
            index_dir: Some(index.to_path_buf()),
            ..Default::default()
        },
    )
    .unwrap()
}
