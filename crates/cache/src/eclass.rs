//! The eclass search path of a repository, with each eclass's md5 and mtime computed at
//! most once (memoised per file, safe to share between threads).

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use md5::{Digest, Md5};

use crate::error::CacheError;

/// An eclass found on the search path.
#[derive(Debug)]
pub struct EclassFile {
    name: String,
    dir: PathBuf,
    path: PathBuf,
    md5: OnceLock<Result<String, (std::io::ErrorKind, String)>>,
    mtime: OnceLock<Result<i64, (std::io::ErrorKind, String)>>,
}

impl EclassFile {
    /// The eclass name (file name without `.eclass`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The directory it was found in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The full path of the file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Lower-case hex md5 of the file, computed on first use.
    pub fn md5(&self) -> Result<&str, CacheError> {
        self.md5
            .get_or_init(|| md5_file(&self.path).map_err(|e| (e.kind(), e.to_string())))
            .as_deref()
            .map_err(|(kind, msg)| {
                CacheError::io(&self.path, std::io::Error::new(*kind, msg.clone()))
            })
    }

    /// The file's mtime in whole seconds, read on first use.
    pub fn mtime(&self) -> Result<i64, CacheError> {
        self.mtime
            .get_or_init(|| {
                std::fs::metadata(&self.path)
                    .map(|m| mtime_secs(&m))
                    .map_err(|e| (e.kind(), e.to_string()))
            })
            .clone()
            .map_err(|(kind, msg)| CacheError::io(&self.path, std::io::Error::new(kind, msg)))
    }
}

/// An ordered list of eclass directories: the first directory holding an eclass provides
/// it. Put the repository's own `eclass/` first, then its masters with the **last**
/// `layout.conf` master first (later masters override earlier ones, and the repository
/// overrides them all); [`EclassPath::for_repo`] does this ordering for you.
#[derive(Debug, Default)]
pub struct EclassPath {
    dirs: Vec<PathBuf>,
    eclasses: HashMap<String, EclassFile>,
}

impl EclassPath {
    /// Lists the `*.eclass` files of `dirs` (lookup order: first wins). A directory that
    /// does not exist contributes nothing; one that exists but cannot be read is an error.
    pub fn new(dirs: Vec<PathBuf>) -> Result<Self, CacheError> {
        let mut eclasses = HashMap::new();
        for dir in &dirs {
            eclasses.extend(list_dir(dir, &eclasses)?);
        }
        Ok(EclassPath { dirs, eclasses })
    }

    /// As [`EclassPath::new`], but a directory that cannot be read is left out of the
    /// path (and its eclasses with it) instead of failing the whole path; each directory
    /// left out comes back alongside with its error. Each directory is read once.
    pub fn skipping_unreadable(dirs: Vec<PathBuf>) -> (Self, Vec<(PathBuf, CacheError)>) {
        let mut eclasses = HashMap::new();
        let mut kept = Vec::with_capacity(dirs.len());
        let mut errors = Vec::new();
        for dir in dirs {
            match list_dir(&dir, &eclasses) {
                Ok(found) => {
                    eclasses.extend(found);
                    kept.push(dir);
                }
                Err(e) => errors.push((dir, e)),
            }
        }
        (
            EclassPath {
                dirs: kept,
                eclasses,
            },
            errors,
        )
    }

    /// The path for a repository at `repo` whose masters' locations are given in
    /// `layout.conf` order: `repo/eclass`, then each master's `eclass/`, last master first.
    pub fn for_repo(repo: &Path, masters_in_layout_order: &[PathBuf]) -> Result<Self, CacheError> {
        let mut dirs = vec![repo.join("eclass")];
        dirs.extend(
            masters_in_layout_order
                .iter()
                .rev()
                .map(|m| m.join("eclass")),
        );
        EclassPath::new(dirs)
    }

    /// The directories, in lookup order.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// The eclass `name` as the path resolves it.
    pub fn get(&self, name: &str) -> Option<&EclassFile> {
        self.eclasses.get(name)
    }

    /// How many distinct eclasses the path provides.
    pub fn len(&self) -> usize {
        self.eclasses.len()
    }

    /// Whether the path provides no eclass.
    pub fn is_empty(&self) -> bool {
        self.eclasses.is_empty()
    }

    /// Computes every eclass's md5 now, in parallel (optional; they are otherwise computed
    /// on first use).
    pub fn preload_md5(&self) -> Result<(), CacheError> {
        use rayon::prelude::*;
        let files: Vec<&EclassFile> = self.eclasses.values().collect();
        files.par_iter().try_for_each(|f| f.md5().map(|_| ()))
    }
}

/// The `*.eclass` files of `dir` not already in `known` (a missing directory has none).
fn list_dir(
    dir: &Path,
    known: &HashMap<String, EclassFile>,
) -> Result<Vec<(String, EclassFile)>, CacheError> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(CacheError::io(dir, e)),
    };
    let mut out = Vec::new();
    for ent in rd {
        let ent = ent.map_err(|e| CacheError::io(dir, e))?;
        let file_name = ent.file_name();
        let Some(name) = file_name.to_str().and_then(|n| n.strip_suffix(".eclass")) else {
            continue;
        };
        if name.is_empty() || known.contains_key(name) {
            continue;
        }
        let path = ent.path();
        if !path.is_file() {
            continue;
        }
        out.push((
            name.to_owned(),
            EclassFile {
                name: name.to_owned(),
                dir: dir.to_path_buf(),
                path,
                md5: OnceLock::new(),
                mtime: OnceLock::new(),
            },
        ));
    }
    Ok(out)
}

/// Lower-case hex md5 of a file's bytes.
pub fn md5_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut hasher = Md5::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// mtime in whole seconds (floored, as pkgcore and Portage store it).
pub(crate) fn mtime_secs(meta: &std::fs::Metadata) -> i64 {
    match meta.modified() {
        Ok(t) => match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => {
                let d = e.duration();
                let secs = d.as_secs() as i64;
                if d.subsec_nanos() > 0 {
                    -secs - 1
                } else {
                    -secs
                }
            }
        },
        Err(_) => 0,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn repository_then_last_master_wins() {
        let tmp = tempfile::tempdir().unwrap();
        let (repo, m1, m2) = (
            tmp.path().join("r"),
            tmp.path().join("m1"),
            tmp.path().join("m2"),
        );
        for (dir, names) in [
            (&repo, &["own"][..]),
            (&m1, &["x", "own", "only1"]),
            (&m2, &["x", "own"]),
        ] {
            std::fs::create_dir_all(dir.join("eclass")).unwrap();
            for n in names {
                std::fs::write(dir.join("eclass").join(format!("{n}.eclass")), n).unwrap();
            }
        }
        std::fs::write(repo.join("eclass/not-an-eclass.sh"), "").unwrap();
        let path = EclassPath::for_repo(&repo, &[m1.clone(), m2.clone()]).unwrap();
        assert_eq!(path.len(), 3);
        assert_eq!(path.get("own").unwrap().dir(), repo.join("eclass"));
        assert_eq!(path.get("x").unwrap().dir(), m2.join("eclass"));
        assert_eq!(path.get("only1").unwrap().dir(), m1.join("eclass"));
        assert!(path.get("not-an-eclass").is_none());
        // md5 of the file "x": memoised, and equal to a direct computation.
        let x = path.get("x").unwrap();
        assert_eq!(x.md5().unwrap(), "9dd4e461268c8034f5c8564e155c67a6");
        std::fs::write(m2.join("eclass/x.eclass"), "changed").unwrap();
        assert_eq!(x.md5().unwrap(), "9dd4e461268c8034f5c8564e155c67a6");
        assert_ne!(
            md5_file(x.path()).unwrap(),
            "9dd4e461268c8034f5c8564e155c67a6"
        );
        // A missing master directory contributes nothing.
        let path = EclassPath::new(vec![tmp.path().join("nope")]).unwrap();
        assert!(path.is_empty());
        // A directory that cannot be read fails `new`; `skipping_unreadable` leaves it
        // out (with its error) and keeps the others in order.
        let unreadable = tmp.path().join("file-not-dir");
        std::fs::write(&unreadable, "").unwrap();
        assert!(EclassPath::new(vec![unreadable.clone(), m1.join("eclass")]).is_err());
        let (path, errors) = EclassPath::skipping_unreadable(vec![
            repo.join("eclass"),
            unreadable.clone(),
            tmp.path().join("nope"),
            m1.join("eclass"),
        ]);
        assert_eq!(
            path.dirs(),
            [
                repo.join("eclass"),
                tmp.path().join("nope"),
                m1.join("eclass")
            ]
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, unreadable);
        assert_eq!(path.get("own").unwrap().dir(), repo.join("eclass"));
        assert_eq!(path.get("only1").unwrap().dir(), m1.join("eclass"));
        assert_eq!(path.len(), 3);
    }
}
