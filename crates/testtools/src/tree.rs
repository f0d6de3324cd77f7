//! Writing files and copying trees in temporary test directories.

use std::path::Path;

/// Writes `content` to `root/rel`, creating the parent directories.
///
/// # Panics
/// On any I/O error.
pub fn write_file(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("creating {}: {e}", parent.display()));
    }
    std::fs::write(&path, content).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// Copies the directory `src` into `dst` recursively (creating `dst`), following
/// symlinks; file mtimes are not preserved.
///
/// # Panics
/// On any I/O error.
pub fn copy_tree(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap_or_else(|e| panic!("creating {}: {e}", dst.display()));
    let entries =
        std::fs::read_dir(src).unwrap_or_else(|e| panic!("reading {}: {e}", src.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("reading {}: {e}", src.display()));
        let from = entry.path();
        let to = dst.join(entry.file_name());
        if from.is_dir() {
            copy_tree(&from, &to);
        } else {
            std::fs::copy(&from, &to)
                .unwrap_or_else(|e| panic!("copying {} to {}: {e}", from.display(), to.display()));
        }
    }
}

/// Sets the modification time of the file or directory `path` to `t`.
///
/// # Panics
/// On any I/O error.
pub fn set_mtime(path: &Path, t: std::time::SystemTime) {
    std::fs::File::open(path)
        .and_then(|f| f.set_modified(t))
        .unwrap_or_else(|e| panic!("setting the mtime of {}: {e}", path.display()));
}

/// [`set_mtime`] to `secs` seconds after the Unix epoch.
///
/// # Panics
/// On any I/O error.
pub fn set_mtime_secs(path: &Path, secs: u64) {
    set_mtime(
        path,
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs),
    );
}
