//! File stamps (size, mtime, ctime, inode) and stat'ing relative to a directory handle.
//!
//! A stamp is what the index remembers of every file and directory it was built from;
//! a later identical stamp means "unchanged". The ctime is included because it cannot be
//! set back by a program: an in-place edit that keeps the size and restores the mtime
//! still changes the ctime. (Copying a repository changes every ctime and inode, so an
//! index is tied to one location, which the store's file name already is.)

use std::io;
use std::path::Path;

/// The identity of a file or directory's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Stamp {
    /// Size in bytes.
    pub size: u64,
    /// Modification time, nanoseconds since the epoch.
    pub mtime_ns: i64,
    /// Status-change time, nanoseconds since the epoch.
    pub ctime_ns: i64,
    /// Inode number.
    pub inode: u64,
}

/// Encoded length of an optional stamp.
pub(crate) const STAMP_LEN: usize = 32;

impl Stamp {
    /// The stamp of `path` (following symlinks); `None` when it does not exist.
    pub fn of(path: &Path) -> io::Result<Option<Stamp>> {
        match std::fs::metadata(path) {
            Ok(m) => Ok(Some(Stamp::of_metadata(&m))),
            Err(e) if missing(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The stamp from already read metadata.
    #[cfg(unix)]
    pub fn of_metadata(m: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            size: m.size(),
            mtime_ns: m.mtime().saturating_mul(1_000_000_000) + m.mtime_nsec(),
            ctime_ns: m.ctime().saturating_mul(1_000_000_000) + m.ctime_nsec(),
            inode: m.ino(),
        }
    }

    /// The stamp from already read metadata.
    #[cfg(not(unix))]
    pub fn of_metadata(m: &std::fs::Metadata) -> Stamp {
        let mtime_ns = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as i64);
        Stamp {
            size: m.len(),
            mtime_ns,
            ctime_ns: 0,
            inode: 0,
        }
    }

    pub(crate) fn encode(stamp: Option<Stamp>, out: &mut Vec<u8>) {
        let s = stamp.unwrap_or(Stamp {
            size: u64::MAX,
            mtime_ns: -1,
            ctime_ns: -1,
            inode: u64::MAX,
        });
        out.extend_from_slice(&s.size.to_le_bytes());
        out.extend_from_slice(&s.mtime_ns.to_le_bytes());
        out.extend_from_slice(&s.ctime_ns.to_le_bytes());
        out.extend_from_slice(&s.inode.to_le_bytes());
    }

    pub(crate) fn decode(b: &[u8]) -> Option<Stamp> {
        let word = |i: usize| -> u64 {
            b.get(i * 8..i * 8 + 8)
                .and_then(|s| s.try_into().ok())
                .map_or(u64::MAX, u64::from_le_bytes)
        };
        let s = Stamp {
            size: word(0),
            mtime_ns: word(1) as i64,
            ctime_ns: word(2) as i64,
            inode: word(3),
        };
        (s.size != u64::MAX || s.inode != u64::MAX).then_some(s)
    }
}

fn missing(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    )
}

/// A directory handle that files are stat'ed relative to (an `O_PATH` descriptor on
/// Linux: one path walk from it instead of from `/` per file).
#[derive(Debug)]
pub struct DirHandle {
    #[cfg(target_os = "linux")]
    fd: Option<rustix::fd::OwnedFd>,
    path: std::path::PathBuf,
}

impl DirHandle {
    /// A handle on `dir`; one that cannot be opened (missing) stats through full paths,
    /// which then report what the file system says.
    pub fn open(dir: &Path) -> DirHandle {
        #[cfg(target_os = "linux")]
        {
            use rustix::fs::{Mode, OFlags};
            let fd = rustix::fs::open(
                dir,
                OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .ok();
            DirHandle {
                fd,
                path: dir.to_owned(),
            }
        }
        #[cfg(not(target_os = "linux"))]
        DirHandle {
            path: dir.to_owned(),
        }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The stamp of `rel` (a relative path below the directory, `""` or `.` for the
    /// directory itself), following symlinks; `None` when it does not exist.
    pub fn stamp(&self, rel: &str) -> io::Result<Option<Stamp>> {
        let rel = if rel.is_empty() { "." } else { rel };
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.fd {
            return stamp_result(rustix::fs::statat(fd, rel, rustix::fs::AtFlags::empty()));
        }
        Stamp::of(&self.path.join(rel))
    }

    /// [`DirHandle::stamp`] of `parts` joined with `/` (`["cat", "pkg", "metadata.xml"]`),
    /// built in a buffer on the stack instead of a `String` (the freshness tiers stat
    /// thousands of files).
    pub fn stamp_parts(&self, parts: &[&str]) -> io::Result<Option<Stamp>> {
        #[cfg(target_os = "linux")]
        if let Some(fd) = &self.fd {
            let mut buf = [0u8; 512];
            let mut n = 0;
            let fits = parts.iter().map(|p| p.len() + 1).sum::<usize>() <= buf.len();
            if fits {
                for (i, p) in parts.iter().enumerate() {
                    if i > 0 {
                        buf[n] = b'/';
                        n += 1;
                    }
                    buf[n..n + p.len()].copy_from_slice(p.as_bytes());
                    n += p.len();
                }
                // `buf[n]` is the terminating NUL; a name holding a NUL goes the slow way
                // (and fails there as it should).
                if n > 0
                    && let Ok(path) = std::ffi::CStr::from_bytes_with_nul(&buf[..=n])
                {
                    return stamp_result(rustix::fs::statat(
                        fd,
                        path,
                        rustix::fs::AtFlags::empty(),
                    ));
                }
            }
        }
        self.stamp(&parts.join("/"))
    }
}

/// A stat result as a stamp (`None` when missing).
// The stat field types differ between targets; the casts are not always no-ops.
#[cfg(target_os = "linux")]
#[allow(clippy::unnecessary_cast)]
fn stamp_result(r: rustix::io::Result<rustix::fs::Stat>) -> io::Result<Option<Stamp>> {
    match r {
        Ok(st) => Ok(Some(Stamp {
            size: st.st_size as u64,
            mtime_ns: (st.st_mtime as i64).saturating_mul(1_000_000_000) + st.st_mtime_nsec as i64,
            ctime_ns: (st.st_ctime as i64).saturating_mul(1_000_000_000) + st.st_ctime_nsec as i64,
            inode: st.st_ino as u64,
        })),
        Err(e) => {
            let e = io::Error::from(e);
            if missing(&e) { Ok(None) } else { Err(e) }
        }
    }
}

/// What a directory entry is, as listing found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Dir,
    Other,
}

/// The entries of `dir` (no `.`/`..`, UTF-8 names only) with their kinds (symlinks and
/// unknown types resolved by `stat`); a missing directory (or a file) lists as empty.
pub(crate) fn list_dir(dir: &Path) -> io::Result<Vec<(String, Kind)>> {
    let mut out = Vec::new();
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if missing(&e) => return Ok(out),
        Err(e) => return Err(e),
    };
    for ent in rd {
        let ent = ent?;
        let Ok(name) = ent.file_name().into_string() else {
            continue;
        };
        let kind = match ent.file_type() {
            Ok(t) if t.is_dir() => Kind::Dir,
            Ok(t) if t.is_symlink() => {
                if ent.path().is_dir() {
                    Kind::Dir
                } else {
                    Kind::Other
                }
            }
            Ok(_) => Kind::Other,
            Err(_) => {
                if ent.path().is_dir() {
                    Kind::Dir
                } else {
                    Kind::Other
                }
            }
        };
        out.push((name, kind));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn stamp_parts_is_stamp_of_the_joined_path() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(tmp.path().join("cat/pkg")).unwrap();
        std::fs::write(tmp.path().join("cat/pkg/metadata.xml"), "x").unwrap();
        let long = "n".repeat(200);
        std::fs::create_dir_all(tmp.path().join(&long).join(&long)).unwrap();
        std::fs::write(tmp.path().join(&long).join(&long).join("f"), "yy").unwrap();
        let h = DirHandle::open(tmp.path());
        for parts in [
            vec!["cat", "pkg", "metadata.xml"],
            vec!["cat", "pkg"],
            vec!["cat", "missing.xml"],
            vec![long.as_str(), long.as_str(), "f"],
            vec![long.as_str(), long.as_str(), long.as_str(), "f"],
        ] {
            let joined = parts.join("/");
            assert_eq!(
                h.stamp_parts(&parts).unwrap(),
                Stamp::of(&tmp.path().join(&joined)).unwrap(),
                "{joined}"
            );
        }
        assert!(
            h.stamp_parts(&["cat", "pkg", "metadata.xml"])
                .unwrap()
                .is_some()
        );
        assert!(h.stamp_parts(&["cat", "missing.xml"]).unwrap().is_none());
        assert_eq!(h.stamp_parts(&[]).unwrap(), h.stamp("").unwrap());
    }
}
