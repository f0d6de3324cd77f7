//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
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
