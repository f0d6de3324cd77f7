//! Just enough of an installed-package (VDB) entry to make a binpkg from it (quickpkg):
//! the metadata files, `CONTENTS`, and CONFIG_PROTECT handling as Portage's `quickpkg`.
//!
//! This is a small local reader; the repository crate's VDB reader will replace it.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::hashing::Hasher;
use crate::metadata::Metadata;

/// What a `CONTENTS` line describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentsKind {
    /// `dir <path>`.
    Dir,
    /// `obj <path> <md5> <mtime>`.
    Obj {
        /// Recorded md5 (lower-case hex).
        md5: String,
        /// Recorded mtime (seconds).
        mtime: u64,
    },
    /// `sym <path> -> <target> <mtime>`.
    Sym {
        /// Link target.
        target: String,
        /// Recorded mtime (seconds).
        mtime: u64,
    },
    /// `fif <path>`.
    Fif,
    /// `dev <path>`.
    Dev,
}

/// One `CONTENTS` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentsEntry {
    /// Absolute path (including EPREFIX, not ROOT).
    pub path: String,
    /// What it is.
    pub kind: ContentsKind,
}

fn cerr(line: usize, reason: &str) -> Error {
    Error::Index {
        line,
        reason: format!("CONTENTS: {reason}"),
    }
}

/// Parses `CONTENTS` (formats.md §8.2): fields are taken from the right so paths may
/// contain spaces; the legacy stat-tuple mtime of `sym` lines is accepted.
pub fn parse_contents(text: &str) -> Result<Vec<ContentsEntry>> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.is_empty() {
            continue;
        }
        if line.contains('\0') {
            return Err(cerr(n, "line contains NUL"));
        }
        let (kind, rest) = line.split_once(' ').ok_or_else(|| cerr(n, "no fields"))?;
        let entry = match kind {
            "dir" => ContentsEntry {
                path: rest.to_owned(),
                kind: ContentsKind::Dir,
            },
            "fif" => ContentsEntry {
                path: rest.to_owned(),
                kind: ContentsKind::Fif,
            },
            "dev" => ContentsEntry {
                path: rest.to_owned(),
                kind: ContentsKind::Dev,
            },
            "obj" => {
                let mut it = rest.rsplitn(3, ' ');
                let mtime = it.next().and_then(|s| s.parse().ok());
                let md5 = it.next();
                let path = it.next();
                match (path, md5, mtime) {
                    (Some(p), Some(m), Some(t)) => ContentsEntry {
                        path: p.to_owned(),
                        kind: ContentsKind::Obj {
                            md5: m.to_ascii_lowercase(),
                            mtime: t,
                        },
                    },
                    _ => return Err(cerr(n, "bad obj line")),
                }
            }
            "sym" => {
                let (path, tail) = rest
                    .split_once(" -> ")
                    .ok_or_else(|| cerr(n, "sym line without ' -> '"))?;
                let (target, mtime) = if tail.ends_with(')') {
                    // Legacy: "<target> (a, b, ..., mtimeL, ...)" - take the 9th element.
                    let open = tail
                        .rfind(" (")
                        .ok_or_else(|| cerr(n, "bad sym stat tuple"))?;
                    let tuple = &tail[open + 2..tail.len() - 1];
                    let m = tuple
                        .split(',')
                        .nth(8)
                        .map(|s| s.trim().trim_end_matches('L'))
                        .and_then(|s| s.parse().ok())
                        .ok_or_else(|| cerr(n, "bad sym stat tuple"))?;
                    (&tail[..open], m)
                } else {
                    let (t, m) = tail
                        .rsplit_once(' ')
                        .ok_or_else(|| cerr(n, "sym line without mtime"))?;
                    (t, m.parse().map_err(|_| cerr(n, "bad sym mtime"))?)
                };
                ContentsEntry {
                    path: path.to_owned(),
                    kind: ContentsKind::Sym {
                        target: target.to_owned(),
                        mtime,
                    },
                }
            }
            _ => return Err(cerr(n, "unknown entry type")),
        };
        out.push(entry);
    }
    Ok(out)
}

/// CONFIG_PROTECT / CONFIG_PROTECT_MASK (formats.md §8.5): a path is protected if a
/// protect entry prefixes it (on a component boundary) and no equally or more specific
/// mask entry does.
#[derive(Debug, Clone, Default)]
pub struct ConfigProtect {
    protect: Vec<String>,
    mask: Vec<String>,
}

fn prefix_len(entry: &str, path: &str) -> Option<usize> {
    let e = entry.trim_end_matches('/');
    if e.is_empty() {
        return Some(0);
    }
    if path == e || (path.starts_with(e) && path.as_bytes().get(e.len()) == Some(&b'/')) {
        Some(e.len())
    } else {
        None
    }
}

impl ConfigProtect {
    /// From whitespace-separated `CONFIG_PROTECT` and `CONFIG_PROTECT_MASK` values.
    pub fn new(protect: &str, mask: &str) -> ConfigProtect {
        ConfigProtect {
            protect: protect.split_whitespace().map(str::to_owned).collect(),
            mask: mask.split_whitespace().map(str::to_owned).collect(),
        }
    }

    /// Portage's defaults: `/etc` protected, `/etc/env.d` masked.
    pub fn portage_default() -> ConfigProtect {
        ConfigProtect::new("/etc", "/etc/env.d")
    }

    /// Whether `path` is protected. Empty `.keep*` files are handled by the caller.
    pub fn is_protected(&self, path: &str) -> bool {
        let best = |list: &[String]| list.iter().filter_map(|e| prefix_len(e, path)).max();
        match (best(&self.protect), best(&self.mask)) {
            (Some(p), Some(m)) => p > m,
            (Some(_), None) => true,
            _ => false,
        }
    }
}

/// An installed package's VDB entry.
#[derive(Debug, Clone)]
pub struct VdbEntry {
    /// The entry directory (`/var/db/pkg/CAT/PF`).
    pub dir: PathBuf,
    /// Every file of the entry except `CONTENTS` (what Portage's `xpak()` packs) and the
    /// self-invalidating consolidated `metadata` cache file.
    pub metadata: Metadata,
    /// The parsed `CONTENTS`.
    pub contents: Vec<ContentsEntry>,
}

impl VdbEntry {
    /// Reads the entry directory (never writes to it).
    pub fn read(dir: &Path) -> Result<VdbEntry> {
        let mut names: Vec<String> = Vec::new();
        for e in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let e = e.map_err(|e| Error::io(dir, e))?;
            if !e
                .file_type()
                .map_err(|err| Error::io(e.path(), err))?
                .is_file()
            {
                continue;
            }
            if let Ok(n) = e.file_name().into_string() {
                names.push(n);
            }
        }
        names.sort();
        let mut metadata = Metadata::new();
        let mut contents = Vec::new();
        for n in names {
            let p = dir.join(&n);
            let bytes = fs::read(&p).map_err(|e| Error::io(&p, e))?;
            if n == "CONTENTS" {
                let text = String::from_utf8(bytes).map_err(|e| {
                    Error::NotUtf8 {
                        key: "CONTENTS".into(),
                        offset: e.utf8_error().valid_up_to(),
                    }
                    .in_file(&p)
                })?;
                contents = parse_contents(&text).map_err(|e| e.in_file(&p))?;
            } else if n != "metadata" {
                metadata.insert(n, bytes);
            }
        }
        Ok(VdbEntry {
            dir: dir.to_owned(),
            metadata,
            contents,
        })
    }
}

/// quickpkg's handling of protected files (`--include-config`,
/// `--include-unmodified-config`; both default to `n`, so every protected file is left
/// out by default).
#[derive(Debug, Clone, Default)]
pub struct ConfigPolicy {
    /// The protected set.
    pub protect: ConfigProtect,
    /// Include all protected files.
    pub include_config: bool,
    /// Include protected files whose on-disk md5 still equals the recorded one.
    pub include_unmodified_config: bool,
}

fn md5_of(path: &Path) -> Option<String> {
    let mut f = fs::File::open(path).ok()?;
    let mut h = Hasher::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Some(h.finish().md5)
}

impl ConfigPolicy {
    /// Whether a CONTENTS entry is left out of the package, with `root` the ROOT the
    /// package is installed in.
    pub fn excludes(&self, root: &Path, entry: &ContentsEntry) -> bool {
        if self.include_config || matches!(entry.kind, ContentsKind::Dir) {
            return false;
        }
        let name = entry.path.rsplit('/').next().unwrap_or("");
        let on_disk = root.join(entry.path.trim_start_matches('/'));
        if name.starts_with(".keep") && fs::metadata(&on_disk).is_ok_and(|m| m.len() == 0) {
            return false;
        }
        if !self.protect.is_protected(&entry.path) {
            return false;
        }
        if self.include_unmodified_config {
            let unmodified = match &entry.kind {
                ContentsKind::Obj { md5, .. } => md5_of(&on_disk).as_deref() == Some(md5.as_str()),
                ContentsKind::Sym { target, .. } => {
                    fs::read_link(&on_disk).is_ok_and(|t| t.as_os_str() == target.as_str())
                }
                _ => false,
            };
            if unmodified {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_lines_parse_from_the_right() {
        let text = "dir /usr/bin\nobj /usr/share/a b.txt D41D8CD98F00B204E9800998ECF8427E 17\n\
sym /usr/bin/x -> ../y z 99\nsym /old -> t (1, 2, 3, 4, 5, 6, 7, 8, 1234L, 10)\nfif /run/p\n";
        let c = parse_contents(text).expect("parses");
        assert_eq!(c.len(), 5);
        assert_eq!(c[1].path, "/usr/share/a b.txt");
        assert_eq!(
            c[1].kind,
            ContentsKind::Obj {
                md5: "d41d8cd98f00b204e9800998ecf8427e".into(),
                mtime: 17
            }
        );
        assert_eq!(
            c[2].kind,
            ContentsKind::Sym {
                target: "../y z".into(),
                mtime: 99
            }
        );
        assert_eq!(
            c[3].kind,
            ContentsKind::Sym {
                target: "t".into(),
                mtime: 1234
            }
        );
        assert!(parse_contents("obj /x 12\n").is_err());
        assert!(parse_contents("zzz /x\n").is_err());
    }

    #[test]
    fn config_protect_longest_match_wins() {
        let cp = ConfigProtect::new("/etc /usr/share/config", "/etc/env.d /etc/env.d/keep/x");
        assert!(cp.is_protected("/etc/hello.conf"));
        assert!(!cp.is_protected("/etc/env.d/00basic"));
        assert!(!cp.is_protected("/etcetera/x"));
        assert!(cp.is_protected("/usr/share/config/a"));
        assert!(!cp.is_protected("/usr/bin/x"));
        let cp = ConfigProtect::new("/etc/env.d/special", "/etc/env.d");
        assert!(cp.is_protected("/etc/env.d/special/x"));
    }
}
