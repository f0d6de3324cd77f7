//! A minimal md5-cache reader, independent of the crates under test, to serve as an
//! oracle: `KEY=value` lines, split at the first `=`.

use std::path::{Path, PathBuf};

/// Every entry file of the md5-cache of the repository at `repo`
/// (`repo/metadata/md5-cache/<category>/<PF>`), as `(category, PF, path)`, sorted.
///
/// # Panics
/// When the cache directory is missing or unreadable.
pub fn md5_cache_files(repo: &Path) -> Vec<(String, String, PathBuf)> {
    let root = repo.join("metadata/md5-cache");
    let read = |dir: &Path| -> Vec<std::fs::DirEntry> {
        std::fs::read_dir(dir)
            .and_then(|entries| entries.collect())
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
    };
    let mut out = Vec::new();
    for cat in read(&root) {
        if !cat.path().is_dir() {
            continue;
        }
        let category = cat.file_name().to_string_lossy().into_owned();
        for file in read(&cat.path()) {
            let pf = file.file_name().to_string_lossy().into_owned();
            out.push((category.clone(), pf, file.path()));
        }
    }
    out.sort();
    out
}

/// The `(KEY, value)` pairs of an md5-cache entry's text, in file order; lines without
/// `=` are skipped.
pub fn parse_md5_cache(text: &str) -> Vec<(&str, &str)> {
    text.lines().filter_map(|l| l.split_once('=')).collect()
}

/// Reads the md5-cache entry at `path` into `KEY → value` (a later duplicate key wins).
///
/// # Panics
/// When the file cannot be read.
pub fn read_md5_cache(path: &Path) -> std::collections::BTreeMap<String, String> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    parse_md5_cache(&text)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}
