//! The fingerprint of an index's inputs: size, mtime (ns) and inode of every cache entry,
//! ebuild and metadata.xml, gathered in parallel and hashed with the format version.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::backend::list_entries;
use crate::entry::{EntryKey, split_pf};
use crate::error::CacheError;
use crate::index::format::FORMAT_VERSION;

/// What an index is built from.
#[derive(Debug, Clone)]
pub struct IndexSpec {
    /// The repository root (ebuilds and metadata.xml live under it).
    pub repo: PathBuf,
    /// The md5-dict cache directory (normally `<repo>/metadata/md5-cache`).
    pub cache_dir: PathBuf,
    /// Extra text mixed into the fingerprint: change it when what the caller supplies per
    /// package changes meaning (e.g. its metadata.xml parser's version).
    pub salt: String,
    /// When set, every entry is validated at build time against its ebuild and these
    /// eclass directories (lookup order, as [`crate::EclassPath::new`]) and the index
    /// records which entries are stale and why; the eclass files join the fingerprint.
    pub eclass_dirs: Option<Vec<PathBuf>>,
    /// Top-level directories of the repository that are not categories, left out of the
    /// stored tree listing (default: `eclass`, `licenses`, `metadata`, `profiles`,
    /// `scripts`).
    pub tree_skip: Vec<String>,
}

/// The top-level directories of a repository that never hold packages.
pub const NON_CATEGORY_DIRS: [&str; 5] = ["eclass", "licenses", "metadata", "profiles", "scripts"];

impl IndexSpec {
    /// The spec for the repository at `repo` with its md5-cache.
    pub fn for_repo(repo: impl Into<PathBuf>) -> Self {
        let repo = repo.into();
        IndexSpec {
            cache_dir: repo.join("metadata").join("md5-cache"),
            repo,
            salt: String::new(),
            eclass_dirs: None,
            tree_skip: NON_CATEGORY_DIRS.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// The same spec, validating entries against `eclass_dirs` (lookup order: the
    /// repository's own `eclass/` first, then its masters, last master first).
    pub fn validating(mut self, eclass_dirs: Vec<PathBuf>) -> Self {
        self.eclass_dirs = Some(eclass_dirs);
        self
    }
}

/// The inputs found for a spec: the entries to index and the fingerprint of every file.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// Every cache entry, sorted.
    pub keys: Vec<EntryKey>,
    /// SHA-256 over the format version, salt and every input file's stat.
    pub fingerprint: [u8; 32],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Stamp {
    size: u64,
    mtime_ns: i128,
    inode: u64,
}

fn stamp(path: &Path) -> Result<Option<Stamp>, CacheError> {
    match std::fs::metadata(path) {
        Ok(m) => Ok(Some(stamp_of(&m))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CacheError::io(path, e)),
    }
}

#[cfg(unix)]
fn stamp_of(m: &std::fs::Metadata) -> Stamp {
    use std::os::unix::fs::MetadataExt;
    Stamp {
        size: m.size(),
        mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        inode: m.ino(),
    }
}

#[cfg(not(unix))]
fn stamp_of(m: &std::fs::Metadata) -> Stamp {
    let mtime_ns = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i128);
    Stamp {
        size: m.len(),
        mtime_ns,
        inode: 0,
    }
}

fn feed(h: &mut Sha256, label: &str, stamp: Option<Stamp>) {
    h.update(label.as_bytes());
    h.update([0]);
    match stamp {
        None => h.update([0]),
        Some(s) => {
            h.update([1]);
            h.update(s.size.to_le_bytes());
            h.update(s.mtime_ns.to_le_bytes());
            h.update(s.inode.to_le_bytes());
        }
    }
}

/// Lists the entries of `spec` and fingerprints every input file, in parallel.
pub fn gather(spec: &IndexSpec) -> Result<Inputs, CacheError> {
    let keys = list_entries(&spec.cache_dir)?;
    // One stamp pair per entry (cache file, ebuild), plus metadata.xml for the first
    // version of each package (keys are sorted, so versions of a package are adjacent).
    let rows: Vec<Result<[Option<Stamp>; 3], CacheError>> = keys
        .par_iter()
        .enumerate()
        .map(|(i, key)| {
            let (pn, _) = split_pf(&key.category, &key.pf)?;
            let pkg_dir = spec.repo.join(&key.category).join(pn);
            let entry = stamp(&spec.cache_dir.join(&key.category).join(&key.pf))?;
            let ebuild = stamp(&pkg_dir.join(format!("{}.ebuild", key.pf)))?;
            let first_of_package = i == 0 || {
                let prev = &keys[i - 1];
                prev.category != key.category
                    || split_pf(&prev.category, &prev.pf).map(|(p, _)| p).ok() != Some(pn)
            };
            let xml = if first_of_package {
                stamp(&pkg_dir.join("metadata.xml"))?
            } else {
                None
            };
            Ok([entry, ebuild, xml])
        })
        .collect();
    let mut h = Sha256::new();
    h.update(b"strata-index");
    h.update(FORMAT_VERSION.to_le_bytes());
    h.update(spec.salt.as_bytes());
    h.update([0]);
    // The canonical path, as the store names files by it: two spellings of one repository
    // share one index without rebuilding it back and forth.
    let repo = std::fs::canonicalize(&spec.repo).unwrap_or_else(|_| spec.repo.clone());
    h.update(repo.to_string_lossy().as_bytes());
    h.update([0]);
    match &spec.eclass_dirs {
        None => h.update([0]),
        Some(dirs) => {
            h.update([1]);
            for dir in dirs {
                feed(&mut h, &dir.to_string_lossy(), None);
                let mut files = Vec::new();
                match std::fs::read_dir(dir) {
                    Ok(rd) => {
                        for ent in rd {
                            let ent = ent.map_err(|e| CacheError::io(dir, e))?;
                            let name = ent.file_name().to_string_lossy().into_owned();
                            if name.ends_with(".eclass") {
                                files.push(name);
                            }
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(CacheError::io(dir, e)),
                }
                files.sort();
                for name in files {
                    let st = stamp(&dir.join(&name))?;
                    feed(&mut h, &name, st);
                }
            }
        }
    }
    for (key, row) in keys.iter().zip(rows) {
        let [entry, ebuild, xml] = row?;
        let name = key.to_string();
        feed(&mut h, &name, entry);
        feed(&mut h, ".ebuild", ebuild);
        if xml.is_some() {
            feed(&mut h, "metadata.xml", xml);
        }
    }
    let mut fingerprint = [0u8; 32];
    fingerprint.copy_from_slice(&h.finalize());
    Ok(Inputs { keys, fingerprint })
}
