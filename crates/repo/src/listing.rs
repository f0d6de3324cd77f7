//! Directory listing for the hot paths (a repository lists thousands of package
//! directories): one `openat` + `getdents64` per directory with the entry types the
//! kernel gives, no per-directory `fstat` and no per-entry `stat` unless the type is
//! unknown or a symlink.

use std::io;
use std::path::Path;

/// What a directory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A directory.
    Dir,
    /// Anything else (file, fifo, ...).
    Other,
}

/// The entries of `dir` (without `.` and `..`; names that are not UTF-8 are left out),
/// with symlinks and unknown types resolved by `stat`.
#[cfg(target_os = "linux")]
pub(crate) fn list(dir: &Path) -> io::Result<Vec<(String, Kind)>> {
    use rustix::fs::{CWD, Dir, FileType, Mode, OFlags, openat};
    let fd = openat(
        CWD,
        dir,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let mut out = Vec::new();
    for ent in Dir::new(fd)? {
        let ent = ent?;
        let Ok(name) = ent.file_name().to_str() else {
            continue;
        };
        if name == "." || name == ".." {
            continue;
        }
        let kind = match ent.file_type() {
            FileType::Directory => Kind::Dir,
            FileType::Symlink | FileType::Unknown => {
                if dir.join(name).is_dir() {
                    Kind::Dir
                } else {
                    Kind::Other
                }
            }
            _ => Kind::Other,
        };
        out.push((name.to_owned(), kind));
    }
    Ok(out)
}

/// The entries of `dir` (portable version).
#[cfg(not(target_os = "linux"))]
pub(crate) fn list(dir: &Path) -> io::Result<Vec<(String, Kind)>> {
    let mut out = Vec::new();
    for ent in std::fs::read_dir(dir)? {
        let ent = ent?;
        let Ok(name) = ent.file_name().into_string() else {
            continue;
        };
        let kind = if ent.path().is_dir() {
            Kind::Dir
        } else {
            Kind::Other
        };
        out.push((name, kind));
    }
    Ok(out)
}

/// [`list`], with a missing directory (or a file where a directory was expected) read
/// as empty.
pub(crate) fn list_or_empty(dir: &Path) -> io::Result<Vec<(String, Kind)>> {
    match list(dir) {
        Ok(v) => Ok(v),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(Vec::new())
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_with_kinds() {
        let d = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(d.path().join("sub")).expect("mkdir");
        std::fs::write(d.path().join("f"), "x").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(d.path().join("sub"), d.path().join("link")).expect("link");
        let mut got = list(d.path()).expect("list");
        got.sort_by(|a, b| a.0.cmp(&b.0));
        let mut want = vec![
            ("f".to_string(), Kind::Other),
            ("sub".to_string(), Kind::Dir),
        ];
        #[cfg(unix)]
        want.insert(1, ("link".to_string(), Kind::Dir));
        assert_eq!(got, want);
        assert!(
            list_or_empty(&d.path().join("missing"))
                .expect("empty")
                .is_empty()
        );
        assert!(
            list_or_empty(&d.path().join("f"))
                .expect("empty")
                .is_empty()
        );
        assert!(list(&d.path().join("missing")).is_err());
    }
}
