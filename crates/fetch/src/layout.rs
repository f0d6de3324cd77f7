//! GLEP 75 distfile mirror layouts: reading a mirror's `layout.conf`, computing a distfile's
//! path inside the mirror, and exporting a flat DISTDIR into such a layout.
//!
//! `layout.conf` is an INI file whose `[structure]` section lists layouts by preference under
//! the keys `0`, `1`, ...; the first one this crate supports is used, and a missing or
//! unusable file means `flat`. Supported: `flat`, `filename-hash <HASH> <cutoffs>` (the path
//! is built from the hex hash of the UTF-8 file name, one directory per `:`-separated cutoff
//! of bits) and `content-hash <HASH> <cutoffs>` (the same directories built from the content
//! digest, and the file itself named by the full content digest).

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::hash::{Digests, HashAlgorithm, hash_file, to_hex};

/// One mirror layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// `flat`: `distfiles/<name>`.
    Flat,
    /// `filename-hash HASH c1:c2:...`: directories from the hash of the file name.
    FilenameHash {
        /// Hash of the UTF-8 file name.
        algorithm: HashAlgorithm,
        /// Directory levels, in bits (each a positive multiple of 4).
        cutoffs: Vec<u32>,
    },
    /// `content-hash HASH c1:c2:...`: directories from the content digest; the file is named
    /// by the full digest.
    ContentHash {
        /// Content hash.
        algorithm: HashAlgorithm,
        /// Directory levels, in bits (each a positive multiple of 4).
        cutoffs: Vec<u32>,
    },
}

impl Layout {
    /// Parses one `[structure]` value, e.g. `filename-hash BLAKE2B 8`; `None` if this crate
    /// does not support it (unknown kind, unknown hash, bad cutoffs, wrong field count).
    pub fn parse(value: &str) -> Option<Layout> {
        let words: Vec<&str> = value.split_whitespace().collect();
        match words.as_slice() {
            ["flat"] => Some(Layout::Flat),
            [kind @ ("filename-hash" | "content-hash"), hash, cutoffs] => {
                let algorithm = if *kind == "content-hash" {
                    HashAlgorithm::from_name(&hash.to_ascii_uppercase())?
                } else {
                    HashAlgorithm::from_name(hash)?
                };
                let cutoffs = cutoffs
                    .split(':')
                    .map(|c| c.parse::<u32>().ok().filter(|c| *c > 0 && c % 4 == 0))
                    .collect::<Option<Vec<u32>>>()?;
                let total: u32 = cutoffs.iter().sum();
                if total as usize / 4 > algorithm.digest_len() * 2 {
                    return None;
                }
                Some(if *kind == "content-hash" {
                    Layout::ContentHash { algorithm, cutoffs }
                } else {
                    Layout::FilenameHash { algorithm, cutoffs }
                })
            }
            _ => None,
        }
    }

    fn dirs(hex: &str, cutoffs: &[u32]) -> String {
        let mut out = String::new();
        let mut rest = hex;
        for c in cutoffs {
            let n = (*c / 4) as usize;
            let (head, tail) = rest.split_at(n.min(rest.len()));
            out.push_str(head);
            out.push('/');
            rest = tail;
        }
        out
    }

    /// The path of a distfile inside the mirror's `distfiles/` directory. A content-hash
    /// layout needs the file's digest for its algorithm in `digests`; `None` otherwise.
    pub fn path(&self, name: &str, digests: Option<&Digests>) -> Option<String> {
        match self {
            Layout::Flat => Some(name.to_owned()),
            Layout::FilenameHash { algorithm, cutoffs } => {
                let hex = algorithm.hex_digest(name.as_bytes());
                Some(Self::dirs(&hex, cutoffs) + name)
            }
            Layout::ContentHash { algorithm, cutoffs } => {
                let hex = to_hex(digests?.get(*algorithm)?);
                Some(Self::dirs(&hex, cutoffs) + &hex)
            }
        }
    }

    /// True when [`Layout::path`] can place a file with these digests.
    pub fn can_place(&self, digests: Option<&Digests>) -> bool {
        match self {
            Layout::ContentHash { algorithm, .. } => {
                digests.is_some_and(|d| d.get(*algorithm).is_some())
            }
            _ => true,
        }
    }
}

impl fmt::Display for Layout {
    /// The `layout.conf` value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cut = |c: &[u32]| c.iter().map(u32::to_string).collect::<Vec<_>>().join(":");
        match self {
            Layout::Flat => f.write_str("flat"),
            Layout::FilenameHash { algorithm, cutoffs } => {
                write!(f, "filename-hash {algorithm} {}", cut(cutoffs))
            }
            Layout::ContentHash { algorithm, cutoffs } => {
                write!(f, "content-hash {algorithm} {}", cut(cutoffs))
            }
        }
    }
}

/// A mirror's `layout.conf`: the `[structure]` entries in preference order, as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LayoutConf {
    /// The values of keys `0`, `1`, ... (stops at the first missing key).
    pub structure: Vec<String>,
}

impl LayoutConf {
    /// Parses `layout.conf` text. INI rules as Python's configparser reads them: `[section]`
    /// headers, `key = value` or `key: value`, `#` and `;` comment lines, case-insensitive
    /// keys. Never fails: anything unreadable just yields fewer entries (which means flat).
    pub fn parse(text: &str) -> LayoutConf {
        let mut entries: Vec<(u32, String)> = Vec::new();
        let mut in_structure = false;
        for line in text.lines() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') || t.starts_with(';') {
                continue;
            }
            if t.starts_with('[') {
                in_structure =
                    t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) == Some("structure");
                continue;
            }
            if !in_structure {
                continue;
            }
            let split = t.find(['=', ':']);
            let Some(i) = split else { continue };
            let (k, v) = (t[..i].trim(), t[i + 1..].trim());
            if let Ok(n) = k.parse::<u32>()
                && n.to_string() == k
            {
                entries.retain(|e| e.0 != n);
                entries.push((n, v.to_owned()));
            }
        }
        let mut structure = Vec::new();
        for i in 0.. {
            match entries.iter().find(|e| e.0 == i) {
                Some(e) => structure.push(e.1.clone()),
                None => break,
            }
        }
        LayoutConf { structure }
    }

    /// The layouts this crate supports, in preference order.
    pub fn layouts(&self) -> Vec<Layout> {
        self.structure
            .iter()
            .filter_map(|v| Layout::parse(v))
            .collect()
    }

    /// The first supported layout that can place a file with these digests; `flat` when none.
    pub fn best(&self, digests: Option<&Digests>) -> Layout {
        self.layouts()
            .into_iter()
            .find(|l| l.can_place(digests))
            .unwrap_or(Layout::Flat)
    }

    /// `layout.conf` text for these layouts.
    pub fn render(layouts: &[Layout]) -> String {
        let mut s = String::from("[structure]\n");
        for (i, l) in layouts.iter().enumerate() {
            s.push_str(&format!("{i}={l}\n"));
        }
        s
    }
}

/// How [`export_distfiles`] places files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportMethod {
    /// Hard links, falling back to a copy across file systems.
    HardLink,
    /// Copies.
    Copy,
}

/// What [`export_distfiles`] did.
#[derive(Debug, Default)]
pub struct ExportReport {
    /// Files placed (source, destination).
    pub placed: Vec<(PathBuf, PathBuf)>,
    /// Files already present at their destination with the same size.
    pub present: Vec<PathBuf>,
    /// Files whose destination exists with different contents (left alone).
    pub conflicts: Vec<PathBuf>,
}

/// Error from [`export_distfiles`].
#[derive(Debug, thiserror::Error)]
#[error("{path}: {source}")]
pub struct ExportError {
    /// The path involved.
    pub path: PathBuf,
    /// The I/O error.
    pub source: io::Error,
}

fn is_distfile_name(name: &str) -> bool {
    !name.starts_with('.')
        && !name.ends_with(".__download__")
        && !name.contains("._checksum_failure_.")
        && name != "layout.conf"
}

/// Exports the distfiles of a flat DISTDIR into `dest` laid out by `layouts[0]` (flat when
/// empty), and writes `dest/layout.conf` listing `layouts`. Partial downloads, failed-checksum
/// copies and dot files are skipped; existing destinations are never overwritten.
pub fn export_distfiles(
    distdir: &Path,
    dest: &Path,
    layouts: &[Layout],
    method: ExportMethod,
) -> Result<ExportReport, ExportError> {
    let err = |path: &Path| {
        let path = path.to_owned();
        move |source| ExportError { path, source }
    };
    let layout = layouts.first().cloned().unwrap_or(Layout::Flat);
    let mut report = ExportReport::default();
    fs::create_dir_all(dest).map_err(err(dest))?;
    let mut names = Vec::new();
    for entry in fs::read_dir(distdir).map_err(err(distdir))? {
        let entry = entry.map_err(err(distdir))?;
        let ft = entry.file_type().map_err(err(&entry.path()))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue; // distfile names are UTF-8
        };
        if (ft.is_file() || ft.is_symlink()) && is_distfile_name(&name) {
            names.push(name);
        }
    }
    names.sort();
    for name in names {
        let src = distdir.join(&name);
        if !src.is_file() {
            continue;
        }
        let digests = match &layout {
            Layout::ContentHash { algorithm, .. } => {
                Some(hash_file(&src, [*algorithm]).map_err(err(&src))?)
            }
            _ => None,
        };
        let Some(rel) = layout.path(&name, digests.as_ref()) else {
            continue;
        };
        let dst = dest.join(&rel);
        if let Ok(meta) = fs::metadata(&dst) {
            let src_len = fs::metadata(&src).map_err(err(&src))?.len();
            if meta.len() == src_len {
                report.present.push(dst);
            } else {
                report.conflicts.push(dst);
            }
            continue;
        }
        if let Some(parent) = dst.parent() {
            fs::create_dir_all(parent).map_err(err(parent))?;
        }
        let linked = method == ExportMethod::HardLink && fs::hard_link(&src, &dst).is_ok();
        if !linked {
            let tmp = dst.with_file_name(format!(".{name}.__export__"));
            fs::copy(&src, &tmp).map_err(err(&tmp))?;
            fs::rename(&tmp, &dst).map_err(err(&dst))?;
        }
        report.placed.push((src, dst));
    }
    let conf = dest.join("layout.conf");
    if !conf.exists() {
        let list = if layouts.is_empty() {
            vec![Layout::Flat]
        } else {
            layouts.to_vec()
        };
        fs::write(&conf, LayoutConf::render(&list)).map_err(err(&conf))?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn formats_md_vectors() {
        let cases = [
            (
                "filename-hash BLAKE2B 8",
                "tridactyl-native-0.5.0.tar.gz",
                "ee/tridactyl-native-0.5.0.tar.gz",
            ),
            (
                "filename-hash BLAKE2B 8",
                "bash-5.2.tar.gz",
                "a4/bash-5.2.tar.gz",
            ),
            ("filename-hash SHA1 4", "foo-1.tar.gz", "1/foo-1.tar.gz"),
            ("filename-hash SHA1 8", "foo-1.tar.gz", "19/foo-1.tar.gz"),
            (
                "filename-hash SHA1 8:16",
                "foo-1.tar.gz",
                "19/c3b6/foo-1.tar.gz",
            ),
            (
                "filename-hash SHA1 8:16:24",
                "foo-1.tar.gz",
                "19/c3b6/37a94b/foo-1.tar.gz",
            ),
            ("flat", "foo-1.tar.gz", "foo-1.tar.gz"),
        ];
        for (conf, name, want) in cases {
            let l = Layout::parse(conf).unwrap();
            assert_eq!(l.path(name, None).unwrap(), want, "{conf}");
            assert_eq!(l.to_string(), conf);
        }
    }

    #[test]
    fn content_hash() {
        let d = crate::hash::hash_reader(&b"x"[..], [HashAlgorithm::Sha512]).unwrap();
        let hex = d.hex("SHA512").unwrap();
        let l = Layout::parse("content-hash sha512 8:8:8").unwrap();
        assert_eq!(
            l.path("ignored", Some(&d)).unwrap(),
            format!("{}/{}/{}/{hex}", &hex[0..2], &hex[2..4], &hex[4..6])
        );
        assert!(l.path("x", None).is_none());
    }

    #[test]
    fn unsupported_entries() {
        for bad in [
            "filename-hash BLAKE2B 7",
            "filename-hash BLAKE2B 0",
            "filename-hash blake2b 8",
            "filename-hash WHIRLPOOL 8",
            "filename-hash BLAKE2B",
            "flat extra",
            "weird",
        ] {
            assert!(Layout::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn conf_preference_and_fallback() {
        let c = LayoutConf::parse(
            "# mirror\n[structure]\n0=filename-hash WHIRLPOOL 8\n1 = filename-hash BLAKE2B 8\n2=flat\n4=flat\n[other]\n3=x\n",
        );
        assert_eq!(c.structure.len(), 3);
        assert_eq!(
            c.best(None),
            Layout::parse("filename-hash BLAKE2B 8").unwrap()
        );
        assert_eq!(LayoutConf::parse("garbage").best(None), Layout::Flat);
        let ch = LayoutConf::parse("[structure]\n0=content-hash SHA512 8\n1=flat\n");
        assert_eq!(ch.best(None), Layout::Flat);
    }
}
