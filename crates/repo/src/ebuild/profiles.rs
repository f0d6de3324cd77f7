//! Repository-level `profiles/` data a package manager shows: `thirdpartymirrors`,
//! `use.desc` and `use.local.desc`.

use std::collections::BTreeMap;
use std::path::Path;

/// A USE flag description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseDescription {
    /// The flag.
    pub flag: String,
    /// Its description.
    pub description: String,
}

/// What a repository's `profiles/` directory says about mirrors and USE flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoProfiles {
    /// `thirdpartymirrors`: mirror name → URIs.
    pub thirdpartymirrors: BTreeMap<String, Vec<String>>,
    /// `use.desc`: global flags.
    pub use_desc: Vec<UseDescription>,
    /// `use.local.desc`: `category/package` → flags.
    pub use_local_desc: BTreeMap<String, Vec<UseDescription>>,
    /// Lines that could not be read, as `file:line: text`.
    pub malformed: Vec<String>,
}

impl RepoProfiles {
    /// Reads the files under `profiles_dir` (missing files are empty; unreadable or
    /// malformed lines are listed in [`RepoProfiles::malformed`]).
    pub fn read(profiles_dir: &Path) -> RepoProfiles {
        let mut out = RepoProfiles::default();
        let lines = |name: &str, out: &mut RepoProfiles| -> Vec<(usize, String)> {
            let path = profiles_dir.join(name);
            match std::fs::read(&path) {
                Ok(b) => String::from_utf8_lossy(&b)
                    .lines()
                    .enumerate()
                    .map(|(i, l)| (i + 1, l.trim().to_owned()))
                    .filter(|(_, l)| !l.is_empty() && !l.starts_with('#'))
                    .collect(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => {
                    out.malformed.push(format!("{}: {e}", path.display()));
                    Vec::new()
                }
            }
        };
        for (n, l) in lines("thirdpartymirrors", &mut out) {
            let mut it = l.split_whitespace();
            match it.next() {
                Some(name) => {
                    out.thirdpartymirrors
                        .entry(name.to_owned())
                        .or_default()
                        .extend(it.map(str::to_owned));
                }
                None => out.malformed.push(format!("thirdpartymirrors:{n}: {l}")),
            }
        }
        for (n, l) in lines("use.desc", &mut out) {
            match l.split_once(" - ") {
                Some((flag, desc)) => out.use_desc.push(UseDescription {
                    flag: flag.trim().to_owned(),
                    description: desc.trim().to_owned(),
                }),
                None => out.malformed.push(format!("use.desc:{n}: {l}")),
            }
        }
        for (n, l) in lines("use.local.desc", &mut out) {
            let parsed = l.split_once(" - ").and_then(|(left, desc)| {
                let (cp, flag) = left.trim().split_once(':')?;
                Some((cp.to_owned(), flag.to_owned(), desc.trim().to_owned()))
            });
            match parsed {
                Some((cp, flag, description)) => out
                    .use_local_desc
                    .entry(cp)
                    .or_default()
                    .push(UseDescription { flag, description }),
                None => out.malformed.push(format!("use.local.desc:{n}: {l}")),
            }
        }
        out
    }

    /// The description of `flag` for `category/package`: use.local.desc first, then
    /// use.desc (metadata.xml, which comes first of all, is per package).
    pub fn use_description(&self, cp: &str, flag: &str) -> Option<&str> {
        self.use_local_desc
            .get(cp)
            .and_then(|v| v.iter().find(|d| d.flag == flag))
            .or_else(|| self.use_desc.iter().find(|d| d.flag == flag))
            .map(|d| d.description.as_str())
    }
}
