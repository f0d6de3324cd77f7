//! A vdb entry's optional consolidated `metadata` file (formats.md §8.1), written by
//! Portage since 2026-06 as a read optimisation: `#format=1`, then sorted `KEY=value`
//! lines with whitespace collapsed, then `#dir_mtime=<st_mtime_ns of the entry dir>`.
//!
//! The file is only trusted when its format is 1, every line is well formed, and the
//! entry directory's modification time (in nanoseconds) is still the recorded one: any
//! change to the entry (a file added, removed or renamed) moves the directory's mtime
//! and so invalidates it. Only the [`KEYS`] it covers are taken from it; every other key
//! is read from its own file. Nothing here ever writes or repairs the file.
//!
//! ```
//! use strata_repo::vdb::consolidated::{parse, Invalid};
//! let text = "#format=1\nEAPI=8\nSLOT=0\nUSE=amd64 ssl\n#dir_mtime=1795508129310541342\n";
//! let m = parse(text, 1795508129310541342).unwrap();
//! assert_eq!(m["USE"], "amd64 ssl");
//! assert!(matches!(parse(text, 1), Err(Invalid::Stale { .. })));
//! ```

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// The file's name inside an entry directory.
pub const FILE_NAME: &str = "metadata";

/// The only format this reader understands.
const FORMAT_LINE: &str = "#format=1";

/// The prefix of the last line.
const MTIME_PREFIX: &str = "#dir_mtime=";

/// The keys the file covers, in byte order (formats.md §8.1). Other keys found in the
/// file are ignored.
pub const KEYS: &[&str] = &[
    "BDEPEND",
    "BUILD_ID",
    "BUILD_TIME",
    "CHOST",
    "COUNTER",
    "DEFINED_PHASES",
    "DEPEND",
    "DESCRIPTION",
    "EAPI",
    "HOMEPAGE",
    "IDEPEND",
    "IUSE",
    "KEYWORDS",
    "LICENSE",
    "PDEPEND",
    "PROPERTIES",
    "PROVIDES",
    "RDEPEND",
    "REQUIRES",
    "RESTRICT",
    "SLOT",
    "USE",
    "repository",
];

/// Whether the consolidated file covers `key`.
pub fn covers(key: &str) -> bool {
    KEYS.binary_search(&key).is_ok()
}

/// Why a consolidated file is not used. Line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Invalid {
    /// The first line is not `#format=1`.
    #[error("line 1: not format 1: {found:?}")]
    Format {
        /// The first line as found.
        found: String,
    },
    /// The last line is not `#dir_mtime=<integer>`.
    #[error("line {line}: no #dir_mtime=<integer> last line: {found:?}")]
    NoDirMtime {
        /// The last line's number.
        line: usize,
        /// The last line as found.
        found: String,
    },
    /// The directory changed since the file was written.
    #[error("stale: written for dir mtime {recorded} ns, the dir's mtime is {actual} ns")]
    Stale {
        /// The recorded mtime (ns).
        recorded: i128,
        /// The directory's mtime now (ns).
        actual: i128,
    },
    /// A line between the first and the last is not `KEY=value` with a valid key, or
    /// repeats a key.
    #[error("line {line}: malformed: {text:?}")]
    Malformed {
        /// The line's number.
        line: usize,
        /// The line.
        text: String,
    },
}

/// Whether `key` is a plausible variable or file name (`[A-Za-z_][A-Za-z0-9_]*`).
fn valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses the file's `text` and checks it against `dir_mtime_ns`, the entry directory's
/// modification time now. Returns the covered keys it gives (values with trailing
/// whitespace removed, like the per-key files); keys it does not cover are dropped.
/// One trailing newline after the last line is allowed.
pub fn parse(text: &str, dir_mtime_ns: i128) -> Result<HashMap<String, String>, Invalid> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let lines: Vec<&str> = body.split('\n').collect();
    let first = lines.first().copied().unwrap_or("");
    if first != FORMAT_LINE {
        return Err(Invalid::Format {
            found: first.to_owned(),
        });
    }
    let last = lines.last().copied().unwrap_or("");
    let recorded = match last.strip_prefix(MTIME_PREFIX) {
        Some(n) if lines.len() >= 2 && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            n.parse::<i128>().map_err(|_| Invalid::NoDirMtime {
                line: lines.len(),
                found: last.to_owned(),
            })?
        }
        _ => {
            return Err(Invalid::NoDirMtime {
                line: lines.len(),
                found: last.to_owned(),
            });
        }
    };
    if recorded != dir_mtime_ns {
        return Err(Invalid::Stale {
            recorded,
            actual: dir_mtime_ns,
        });
    }
    let mut out = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for (i, line) in lines[1..lines.len() - 1].iter().enumerate() {
        let malformed = || Invalid::Malformed {
            line: i + 2,
            text: (*line).to_owned(),
        };
        let (key, value) = line.split_once('=').ok_or_else(malformed)?;
        if !valid_key(key) || !seen.insert(key) {
            return Err(malformed());
        }
        if covers(key) {
            out.insert(key.to_owned(), value.trim_end().to_owned());
        }
    }
    Ok(out)
}

/// A directory's modification time in nanoseconds (`st_mtime_ns`).
pub fn dir_mtime_ns(dir: &Path) -> std::io::Result<i128> {
    let m = std::fs::metadata(dir)?;
    Ok(i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()))
}

/// The covered keys from `dir`'s consolidated file, when it exists and is valid (see
/// [`parse`]); `None` otherwise. The directory's mtime is taken before the file is read,
/// so a change made while reading leaves a mismatch and the file is not used.
pub fn read(dir: &Path) -> Option<HashMap<String, String>> {
    let mtime = dir_mtime_ns(dir).ok()?;
    let bytes = std::fs::read(dir.join(FILE_NAME)).ok()?;
    let text = std::str::from_utf8(&bytes).ok()?;
    parse(text, mtime).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const T: i128 = 1795508129310541342;

    fn file(body: &str) -> String {
        format!("#format=1\n{body}#dir_mtime={T}\n")
    }

    #[test]
    fn keys_are_sorted_for_lookup() {
        let mut sorted = KEYS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, KEYS);
        assert!(covers("SLOT") && covers("repository") && covers("BUILD_ID"));
        assert!(!covers("CATEGORY") && !covers("CONTENTS") && !covers("slot"));
    }

    #[test]
    fn valid_file() {
        let m = parse(
            &file("DESCRIPTION=A = B\nIUSE=\nPF=foo-1\nSLOT=0/1\nrepository=gentoo\n"),
            T,
        )
        .unwrap();
        assert_eq!(m["DESCRIPTION"], "A = B");
        assert_eq!(m["IUSE"], "");
        assert_eq!(m["SLOT"], "0/1");
        assert_eq!(m["repository"], "gentoo");
        assert!(!m.contains_key("PF"), "keys it does not cover are dropped");
        // Without the trailing newline, and with no keys at all.
        assert!(parse(&format!("#format=1\nSLOT=0\n#dir_mtime={T}"), T).is_ok());
        assert!(
            parse(&format!("#format=1\n#dir_mtime={T}\n"), T)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn invalid_files() {
        let bad = |text: &str| parse(text, T).unwrap_err();
        assert!(
            matches!(parse(&file("SLOT=0\n"), T + 1), Err(Invalid::Stale { recorded, actual }) if recorded == T && actual == T + 1)
        );
        assert!(matches!(
            bad(&file("SLOT=0\n").replace("=1\n", "=2\n")),
            Invalid::Format { .. }
        ));
        assert!(matches!(bad(""), Invalid::Format { .. }));
        assert!(matches!(
            bad("#format=1\n"),
            Invalid::NoDirMtime { line: 1, .. }
        ));
        assert!(matches!(
            bad("#format=1\nSLOT=0\n"),
            Invalid::NoDirMtime { line: 2, .. }
        ));
        assert!(matches!(
            bad("#format=1\n#dir_mtime=\n"),
            Invalid::NoDirMtime { .. }
        ));
        assert!(matches!(
            bad("#format=1\n#dir_mtime=-5\n"),
            Invalid::NoDirMtime { .. }
        ));
        assert!(matches!(
            bad(&format!("#format=1\n#dir_mtime={}0\n", u128::MAX)),
            Invalid::NoDirMtime { .. }
        ));
        for body in [
            "SLOT\n",
            "=0\n",
            "SL OT=0\n",
            "SLOT=0\nSLOT=1\n",
            "\n",
            "#x=1\n",
            "1A=2\n",
        ] {
            assert!(
                matches!(bad(&file(body)), Invalid::Malformed { line: 2.., .. }),
                "{body:?}"
            );
        }
        assert!(matches!(
            bad(&file("SLOT=0\nbroken\n")),
            Invalid::Malformed { line: 3, text } if text == "broken"
        ));
    }
}
