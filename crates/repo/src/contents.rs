//! The `CONTENTS` file of an installed package (formats.md §8.2): one line per installed
//! directory, file, symlink, fifo or device, parsed from the right so that paths with
//! spaces (and ` -> ` in symlink paths) read as Portage reads them.

use std::fmt;

/// What an entry is, with what CONTENTS records about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// `dir <path>`.
    Dir,
    /// `obj <path> <md5> <mtime>`.
    Obj {
        /// Lower-case hex md5 of the installed file.
        md5: String,
        /// mtime in seconds.
        mtime: i64,
    },
    /// `sym <path> -> <target> <mtime>`.
    Sym {
        /// The link target as written.
        target: String,
        /// mtime in seconds (for the legacy stat-tuple form, its 9th element).
        mtime: i64,
    },
    /// `fif <path>`.
    Fifo,
    /// `dev <path>`.
    Device,
}

/// One CONTENTS line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentsEntry {
    /// Absolute path (with EPREFIX, without ROOT).
    pub path: String,
    /// What it is.
    pub kind: EntryKind,
}

impl fmt::Display for ContentsEntry {
    /// pkgcore's `--contents` rendering: `dir:/x`, `file:/x`, `symlink:/x->y`,
    /// `fifo:/x`, `device:/x`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            EntryKind::Dir => write!(f, "dir:{}", self.path),
            EntryKind::Obj { .. } => write!(f, "file:{}", self.path),
            EntryKind::Sym { target, .. } => write!(f, "symlink:{}->{}", self.path, target),
            EntryKind::Fifo => write!(f, "fifo:{}", self.path),
            EntryKind::Device => write!(f, "device:{}", self.path),
        }
    }
}

/// A CONTENTS line that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}: {text:?}")]
pub struct ContentsError {
    /// 1-based line number.
    pub line: usize,
    /// The line.
    pub text: String,
    /// What is wrong.
    pub message: &'static str,
}

/// A parsed CONTENTS file: its entries in file order, and the lines that did not parse.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contents {
    /// The entries.
    pub entries: Vec<ContentsEntry>,
    /// Lines skipped as malformed.
    pub errors: Vec<ContentsError>,
}

impl Contents {
    /// Every path, in file order.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.path.as_str())
    }

    /// The entry for `path`, if listed.
    pub fn get(&self, path: &str) -> Option<&ContentsEntry> {
        self.entries.iter().find(|e| e.path == path)
    }
}

fn parse_mtime(s: &str) -> Option<i64> {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    None
}

/// The legacy Python stat tuple `(a, bL, cL, d, e, f, g, mtime, ...)`: Portage takes its
/// 9th element... counted from 1 as element index 8.
fn parse_stat_tuple(s: &str) -> Option<i64> {
    let inner = s.strip_prefix('(')?.strip_suffix(')')?;
    let field = inner.split(',').nth(8)?.trim().trim_end_matches('L');
    parse_mtime(field)
}

fn parse_line(line: &str) -> Result<ContentsEntry, &'static str> {
    if line.contains('\0') {
        return Err("NUL byte");
    }
    let (kind, rest) = line.split_once(' ').ok_or("no path")?;
    let entry = |path: &str, kind| {
        if path.is_empty() {
            Err("empty path")
        } else {
            Ok(ContentsEntry {
                path: path.to_owned(),
                kind,
            })
        }
    };
    match kind {
        "dir" => entry(rest, EntryKind::Dir),
        "fif" => entry(rest, EntryKind::Fifo),
        "dev" => entry(rest, EntryKind::Device),
        "obj" => {
            let (rest, mtime) = rest.rsplit_once(' ').ok_or("obj without mtime")?;
            let mtime = parse_mtime(mtime).ok_or("obj mtime is not a number")?;
            let (path, md5) = rest.rsplit_once(' ').ok_or("obj without md5")?;
            // Portage writes lower-case hex; an upper-case record is the same digest and
            // must compare equal to a computed one (quickpkg's unmodified-config check).
            entry(
                path,
                EntryKind::Obj {
                    md5: md5.to_ascii_lowercase(),
                    mtime,
                },
            )
        }
        "sym" => {
            let (rest, mtime) = if rest.ends_with(')') {
                let open = rest.rfind(" (").ok_or("sym with a broken stat tuple")?;
                let tuple = &rest[open + 1..];
                (
                    &rest[..open],
                    parse_stat_tuple(tuple).ok_or("sym with a broken stat tuple")?,
                )
            } else {
                let (rest, mtime) = rest.rsplit_once(' ').ok_or("sym without mtime")?;
                (rest, parse_mtime(mtime).ok_or("sym mtime is not a number")?)
            };
            let (path, target) = rest.rsplit_once(" -> ").ok_or("sym without ' -> '")?;
            entry(
                path,
                EntryKind::Sym {
                    target: target.to_owned(),
                    mtime,
                },
            )
        }
        _ => Err("unknown entry type"),
    }
}

/// Parses a CONTENTS file. Malformed lines are kept out of the entries and listed in
/// [`Contents::errors`]; blank lines are skipped.
///
/// ```
/// use strata_repo::contents::{parse_contents, EntryKind};
/// let c = parse_contents("dir /usr/share/x\nobj /usr/share/x/a b.txt d41d8cd98f00b204e9800998ecf8427e 1755790000\nsym /usr/bin/y -> ../lib/y 1755790000\n");
/// assert_eq!(c.entries[1].path, "/usr/share/x/a b.txt");
/// assert!(matches!(&c.entries[2].kind, EntryKind::Sym { target, .. } if target == "../lib/y"));
/// assert!(c.errors.is_empty());
/// ```
pub fn parse_contents(text: &str) -> Contents {
    let mut out = Contents::default();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_line(line) {
            Ok(e) => out.entries.push(e),
            Err(message) => out.errors.push(ContentsError {
                line: i + 1,
                text: line.to_owned(),
                message,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let c = parse_contents(
            "fif /run/f\ndev /dev/x\nobj /a 1 2 3\nsym /l -> t (1, 2L, 3L, 4, 5, 6, 7, 8, 1700000000, 10)\nbad\nobj /x md5 notanumber\nsym /a -> b -> c 5\n",
        );
        assert_eq!(c.entries.len(), 5, "{c:?}");
        assert_eq!(c.entries[0].kind, EntryKind::Fifo);
        assert_eq!(c.entries[1].kind, EntryKind::Device);
        assert_eq!(c.entries[2].path, "/a 1");
        assert_eq!(
            c.entries[3].kind,
            EntryKind::Sym {
                target: "t".into(),
                mtime: 1_700_000_000
            }
        );
        assert_eq!(c.entries[4].path, "/a -> b");
        assert_eq!(c.errors.len(), 2);
        assert_eq!(c.errors[0].line, 5);
        assert_eq!(c.entries[4].to_string(), "symlink:/a -> b->c");
    }

    #[test]
    fn md5_is_lower_cased_and_targets_keep_spaces() {
        let c = parse_contents(
            "obj /usr/share/a b.txt D41D8CD98F00B204E9800998ECF8427E 17\nsym /usr/bin/x -> ../y z 99\n",
        );
        assert!(c.errors.is_empty(), "{c:?}");
        assert_eq!(c.entries[0].path, "/usr/share/a b.txt");
        assert_eq!(
            c.entries[0].kind,
            EntryKind::Obj {
                md5: "d41d8cd98f00b204e9800998ecf8427e".into(),
                mtime: 17
            }
        );
        assert_eq!(
            c.entries[1].kind,
            EntryKind::Sym {
                target: "../y z".into(),
                mtime: 99
            }
        );
    }

    #[test]
    fn mtimes_are_plain_digits() {
        // Portage's CONTENTS regex takes `\d+`: a sign or a missing field is no mtime.
        let c = parse_contents("obj /x d41d8cd98f00b204e9800998ecf8427e +5\nobj /x 12\n");
        assert!(c.entries.is_empty(), "{c:?}");
        assert_eq!(c.errors.len(), 2);
    }
}
