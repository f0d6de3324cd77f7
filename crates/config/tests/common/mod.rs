//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};

/// The shared data directory (env STRATA_SHARED first); panics if it is missing, so tests
/// that need it fail rather than skip.
pub fn shared() -> PathBuf {
    let dir = std::env::var_os("STRATA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(
        dir.join("data/repos/guru").is_dir(),
        "shared data not found at {} (set STRATA_SHARED)",
        dir.display()
    );
    dir.canonicalize().unwrap()
}

/// Writes `content` to `root/rel`, creating directories.
pub fn write(root: &Path, rel: &str, content: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// A PORTAGE_CONFIGROOT for gentoo-stub + GURU, as the brief describes, with `extra`
/// files (relative to etc/portage) added.
pub fn guru_config_root(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let shared = shared();
    let repos = shared.join("data/repos");
    let dir = tempfile::tempdir().unwrap();
    let etc = dir.path().join("etc/portage");
    write(
        &etc,
        "repos.conf",
        &format!(
            "[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = {}\n\n[guru]\nlocation = {}\n",
            repos.join("gentoo-stub").display(),
            repos.join("guru").display()
        ),
    );
    write(
        &etc,
        "make.conf",
        "ACCEPT_KEYWORDS=\"amd64 ~amd64\"\nACCEPT_LICENSE=\"*\"\n",
    );
    std::os::unix::fs::symlink(
        repos.join("gentoo-stub/profiles/default/linux/amd64"),
        etc.join("make.profile"),
    )
    .unwrap();
    for (rel, content) in extra {
        write(&etc, rel, content);
    }
    dir
}
