//! Just enough of an installed-package (VDB) entry to make a binpkg from it (quickpkg):
//! the metadata files, `CONTENTS`, and CONFIG_PROTECT handling as Portage's `quickpkg`.
//!
//! `CONTENTS` is read with the vdb's own parser ([`strata_repo::contents`]); this
//! module adds the strictness quickpkg needs and the CONFIG_PROTECT rules.

use std::fs;
use std::path::{Path, PathBuf};

use strata_fetch::hash::{HashAlgorithm, hash_file};

use crate::error::{Error, Result};
use crate::hashing::hex;
use crate::metadata::Metadata;

pub use strata_repo::contents::{ContentsEntry, EntryKind};

/// Parses `CONTENTS` with the vdb's parser ([`strata_repo::contents`], formats.md §8.2),
/// strictly: the first malformed line is an error (with its line number) rather than a
/// line left out, because quickpkg would otherwise make a package that silently lacks a
/// file of the installed package.
pub fn parse_contents(text: &str) -> Result<Vec<ContentsEntry>> {
    let contents = strata_repo::contents::parse_contents(text);
    match contents.errors.into_iter().next() {
        Some(e) => Err(Error::Index {
            line: e.line,
            reason: format!("CONTENTS: {}: {:?}", e.message, e.text),
        }),
        None => Ok(contents.entries),
    }
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

/// The lower-case hex md5 of the file at `path`, computing md5 alone (the binpkg
/// [`Hasher`](crate::hashing::Hasher) computes all four binpkg hashes).
fn md5_of(path: &Path) -> Option<String> {
    let d = hash_file(path, [HashAlgorithm::Md5]).ok()?;
    d.get(HashAlgorithm::Md5).map(hex)
}

impl ConfigPolicy {
    /// Whether a CONTENTS entry is left out of the package, with `root` the ROOT the
    /// package is installed in.
    pub fn excludes(&self, root: &Path, entry: &ContentsEntry) -> bool {
        if self.include_config || matches!(entry.kind, EntryKind::Dir) {
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
                EntryKind::Obj { md5, .. } => md5_of(&on_disk).as_deref() == Some(md5.as_str()),
                EntryKind::Sym { target, .. } => {
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
    fn contents_are_the_vdb_parser_but_strict() {
        let text = "dir /usr/bin\nobj /usr/share/a b.txt D41D8CD98F00B204E9800998ECF8427E 17\n\
sym /usr/bin/a -> b -> c 99\nsym /old -> t (1, 2, 3, 4, 5, 6, 7, 8, 1234L, 10)\nfif /run/p\n";
        let c = parse_contents(text).expect("parses");
        assert_eq!(c, strata_repo::contents::parse_contents(text).entries);
        assert_eq!(c.len(), 5);
        // Portage's regex is greedy on the path: the last ` -> ` separates the target.
        assert_eq!(c[2].path, "/usr/bin/a -> b");
        assert_eq!(
            c[2].kind,
            EntryKind::Sym {
                target: "c".into(),
                mtime: 99
            }
        );
        // Where the vdb reader skips a malformed line, quickpkg refuses the entry.
        match parse_contents("dir /a\nobj /x 12\ndir /b\n") {
            Err(Error::Index { line, reason }) => {
                assert_eq!(line, 2);
                assert!(reason.contains("obj /x 12"), "{reason}");
            }
            other => panic!("want a line-2 error, got {other:?}"),
        }
        assert!(parse_contents("zzz /x\n").is_err());
        assert!(parse_contents("obj /x d41d8cd98f00b204e9800998ecf8427e +5\n").is_err());
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
