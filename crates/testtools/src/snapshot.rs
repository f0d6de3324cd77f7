//! Oracles that read a tree directly: a snapshot to show nothing was written, and the
//! ebuilds of a repository found by walking it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What [`snapshot`] records of one path: size, mtime and (for files) the bytes.
pub type PathState = (u64, SystemTime, Vec<u8>);

/// Every path under `dir`, `dir` itself and directories included, with its size, mtime
/// and (for files and symlinks' targets) bytes; symlinks are not followed into. Compare
/// two snapshots to show that reading a tree wrote nothing into it.
///
/// # Panics
/// On any I/O error.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, PathState> {
    let io = |p: &Path, e: std::io::Error| -> ! { panic!("snapshot of {}: {e}", p.display()) };
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| io(&d, e)) {
            let path = entry.unwrap_or_else(|e| io(&d, e)).path();
            let meta = std::fs::symlink_metadata(&path).unwrap_or_else(|e| io(&path, e));
            let bytes = if meta.is_dir() {
                stack.push(path.clone());
                Vec::new()
            } else {
                std::fs::read(&path).unwrap_or_else(|e| io(&path, e))
            };
            let mtime = meta.modified().unwrap_or_else(|e| io(&path, e));
            out.insert(path, (meta.len(), mtime, bytes));
        }
        let meta = std::fs::metadata(&d).unwrap_or_else(|e| io(&d, e));
        let mtime = meta.modified().unwrap_or_else(|e| io(&d, e));
        out.insert(d, (0, mtime, Vec::new()));
    }
    out
}

/// Every `*.ebuild` of the repository at `repo`, as `category/PF`, sorted, found by
/// walking `<category>/<package>/` (hidden top-level directories skipped): an oracle
/// independent of the crates under test.
///
/// # Panics
/// On any I/O error.
pub fn walk_ebuilds(repo: &Path) -> Vec<String> {
    let read = |dir: &Path| -> Vec<std::fs::DirEntry> {
        std::fs::read_dir(dir)
            .and_then(|entries| entries.collect())
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
    };
    let mut out = Vec::new();
    for cat in read(repo) {
        let category = cat.file_name().to_string_lossy().into_owned();
        if !cat.path().is_dir() || category.starts_with('.') {
            continue;
        }
        for pkg in read(&cat.path()) {
            if !pkg.path().is_dir() {
                continue;
            }
            for file in read(&pkg.path()) {
                let name = file.file_name().to_string_lossy().into_owned();
                if let Some(pf) = name.strip_suffix(".ebuild") {
                    out.push(format!("{category}/{pf}"));
                }
            }
        }
    }
    out.sort();
    out
}
