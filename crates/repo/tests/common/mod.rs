//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use strata_config::classes::builtin_registry;
use strata_config::domain::Domain;
use strata_config::load::{ConfigSource, load_config};
use strata_config::portage::PortageOptions;

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

pub fn guru() -> PathBuf {
    shared().join("data/repos/guru")
}

pub fn stub() -> PathBuf {
    shared().join("data/repos/gentoo-stub")
}

/// Writes `content` to `root/rel`, creating directories.
pub fn write(root: &Path, rel: &str, content: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

/// A PORTAGE_CONFIGROOT naming `gentoo` and `guru` at the given locations, with
/// ACCEPT_KEYWORDS="amd64 ~amd64", ACCEPT_LICENSE="*" and the stub's amd64 profile, and a
/// ROOT whose vdb is `root`.
pub fn config_root(gentoo: &Path, guru: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let etc = dir.path().join("etc/portage");
    write(
        &etc,
        "repos.conf",
        &format!(
            "[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = {}\n\n[guru]\nlocation = {}\n",
            gentoo.display(),
            guru.display()
        ),
    );
    write(
        &etc,
        "make.conf",
        "ACCEPT_KEYWORDS=\"amd64 ~amd64\"\nACCEPT_LICENSE=\"*\"\n",
    );
    std::os::unix::fs::symlink(
        stub().join("profiles/default/linux/amd64"),
        etc.join("make.profile"),
    )
    .unwrap();
    dir
}

/// The domain of a config root made by [`config_root`], for the system at `root`.
pub fn domain(config: &Path, root: &Path) -> Arc<Domain> {
    let opts = PortageOptions::new(config, root);
    let loaded = load_config(builtin_registry(), &ConfigSource::Portage(opts)).unwrap();
    loaded.domain().unwrap()
}

/// Every `*.ebuild` under `repo`, as `category/PF`, found by walking the tree (an oracle
/// independent of the crate).
pub fn walk_ebuilds(repo: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for cat in std::fs::read_dir(repo).unwrap().flatten() {
        let cname = cat.file_name().to_string_lossy().into_owned();
        if !cat.path().is_dir() || cname.starts_with('.') {
            continue;
        }
        for pkg in std::fs::read_dir(cat.path()).unwrap().flatten() {
            if !pkg.path().is_dir() {
                continue;
            }
            for f in std::fs::read_dir(pkg.path()).unwrap().flatten() {
                let n = f.file_name().to_string_lossy().into_owned();
                if let Some(pf) = n.strip_suffix(".ebuild") {
                    out.push(format!("{cname}/{pf}"));
                }
            }
        }
    }
    out.sort();
    out
}

/// Path → (size, mtime) of every file under `dir`: to show nothing was written.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, std::time::SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            }
            out.insert(e.path(), (m.len(), m.modified().unwrap()));
        }
    }
    out
}

/// Copies `src` into `dst` recursively.
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap().flatten() {
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}
