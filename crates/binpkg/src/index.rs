//! The `Packages` index of a PKGDIR or binhost (Portage `getbinpkg.PackageIndex` with
//! the key sets of `bintree.py`): a header block, then one block per package.

use std::fmt::Write as _;

use std::sync::Arc;

use indexmap::IndexMap;

use crate::error::{Error, Result};

/// The index format version this crate reads and writes.
pub const SUPPORTED_VERSION: u32 = 0;

/// Package keys kept when reading (as written in the file); others are dropped, as
/// Portage's `allowed_pkg_keys` does.
pub const PACKAGE_KEYS: &[&str] = &[
    "BASE_URI",
    "BDEPEND",
    "BINPKG_FORMAT",
    "BUILD_ID",
    "BUILD_TIME",
    "CHOST",
    "CPV",
    "DEFINED_PHASES",
    "DEPEND",
    "DESC",
    "EAPI",
    "FETCHCOMMAND",
    "IDEPEND",
    "IUSE",
    "KEYWORDS",
    "LICENSE",
    "MD5",
    "MTIME",
    "PATH",
    "PDEPEND",
    "PKGINDEX_URI",
    "PROPERTIES",
    "PROVIDES",
    "RDEPEND",
    "REPO",
    "REPO_REVISIONS",
    "REQUIRES",
    "RESTRICT",
    "RESUMECOMMAND",
    "SHA1",
    "SIZE",
    "SLOT",
    "USE",
];

/// Defaults a reader applies to absent package keys (the writer omits values equal to
/// them): `EAPI`=`0`, `SLOT`=`0`, and these empty.
pub const PACKAGE_DEFAULTS: &[(&str, &str)] = &[
    ("BDEPEND", ""),
    ("BUILD_ID", ""),
    ("BUILD_TIME", ""),
    ("DEFINED_PHASES", ""),
    ("DEPEND", ""),
    ("EAPI", "0"),
    ("IDEPEND", ""),
    ("IUSE", ""),
    ("KEYWORDS", ""),
    ("LICENSE", ""),
    ("PATH", ""),
    ("PDEPEND", ""),
    ("PROPERTIES", ""),
    ("PROVIDES", ""),
    ("RDEPEND", ""),
    ("REQUIRES", ""),
    ("RESTRICT", ""),
    ("SLOT", "0"),
    ("USE", ""),
];

/// Keys a package inherits from the header when absent (file names).
pub const INHERITED_KEYS: &[&str] = &["CHOST", "REPO"];

/// Portage's internal name for a key as written (the sort key when writing).
pub fn internal_name(file_key: &str) -> &str {
    match file_key {
        "DESC" => "DESCRIPTION",
        "MTIME" => "_mtime_",
        "REPO" => "repository",
        other => other,
    }
}

/// The name written in the file for a Portage internal key name.
pub fn file_name_of(internal: &str) -> &str {
    match internal {
        "DESCRIPTION" => "DESC",
        "_mtime_" => "MTIME",
        "repository" => "REPO",
        other => other,
    }
}

/// The interned `&'static str` of a known package key (a `match`, which compiles to a
/// length switch, is much faster than a search on this hot path).
fn intern(key: &str) -> Option<&'static str> {
    Some(match key {
        "BASE_URI" => PACKAGE_KEYS[0],
        "BDEPEND" => PACKAGE_KEYS[1],
        "BINPKG_FORMAT" => PACKAGE_KEYS[2],
        "BUILD_ID" => PACKAGE_KEYS[3],
        "BUILD_TIME" => PACKAGE_KEYS[4],
        "CHOST" => PACKAGE_KEYS[5],
        "CPV" => PACKAGE_KEYS[6],
        "DEFINED_PHASES" => PACKAGE_KEYS[7],
        "DEPEND" => PACKAGE_KEYS[8],
        "DESC" => PACKAGE_KEYS[9],
        "EAPI" => PACKAGE_KEYS[10],
        "FETCHCOMMAND" => PACKAGE_KEYS[11],
        "IDEPEND" => PACKAGE_KEYS[12],
        "IUSE" => PACKAGE_KEYS[13],
        "KEYWORDS" => PACKAGE_KEYS[14],
        "LICENSE" => PACKAGE_KEYS[15],
        "MD5" => PACKAGE_KEYS[16],
        "MTIME" => PACKAGE_KEYS[17],
        "PATH" => PACKAGE_KEYS[18],
        "PDEPEND" => PACKAGE_KEYS[19],
        "PKGINDEX_URI" => PACKAGE_KEYS[20],
        "PROPERTIES" => PACKAGE_KEYS[21],
        "PROVIDES" => PACKAGE_KEYS[22],
        "RDEPEND" => PACKAGE_KEYS[23],
        "REPO" => PACKAGE_KEYS[24],
        "REPO_REVISIONS" => PACKAGE_KEYS[25],
        "REQUIRES" => PACKAGE_KEYS[26],
        "RESTRICT" => PACKAGE_KEYS[27],
        "RESUMECOMMAND" => PACKAGE_KEYS[28],
        "SHA1" => PACKAGE_KEYS[29],
        "SIZE" => PACKAGE_KEYS[30],
        "SLOT" => PACKAGE_KEYS[31],
        "USE" => PACKAGE_KEYS[32],
        _ => return None,
    })
}

/// A value: a span of the parsed text (no allocation per value) or an owned string.
#[derive(Debug, Clone)]
enum Value {
    Span(u32, u32),
    Owned(Box<str>),
}

/// One package block, with the keys as written in the file (`DESC`, `MTIME`, `REPO`).
///
/// Parsed entries share the index text and refer to their values by position.
#[derive(Debug, Clone, Default)]
pub struct IndexEntry {
    text: Option<Arc<str>>,
    fields: Vec<(&'static str, Value)>,
}

impl PartialEq for IndexEntry {
    fn eq(&self, other: &Self) -> bool {
        self.fields.len() == other.fields.len() && self.iter().all(|(k, v)| other.raw(k) == Some(v))
    }
}

impl Eq for IndexEntry {}

impl IndexEntry {
    /// An empty entry.
    pub fn new() -> IndexEntry {
        IndexEntry::default()
    }

    /// The stored value of `key` (no defaults applied).
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| self.value(v))
    }

    fn value<'a>(&'a self, v: &'a Value) -> &'a str {
        match v {
            Value::Owned(s) => s,
            Value::Span(start, len) => self
                .text
                .as_deref()
                .and_then(|t| t.get(*start as usize..(*start + *len) as usize))
                .unwrap_or(""),
        }
    }

    /// Sets `key` (a file name like `REPO`; must be one of [`PACKAGE_KEYS`]). Internal
    /// names (`repository`, `DESCRIPTION`, `_mtime_`) are translated. Values are
    /// whitespace-normalised to one line.
    pub fn set(&mut self, key: &str, value: &str) -> Result<()> {
        let fk = file_name_of(key);
        let k = intern(fk).ok_or_else(|| Error::Index {
            line: 0,
            reason: format!("unknown package key {key:?}"),
        })?;
        let v = if value.contains(['\n', '\r', '\t']) || value.contains("  ") {
            value.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            value.trim().to_owned()
        };
        let v = Value::Owned(v.into_boxed_str());
        match self.fields.iter_mut().find(|(kk, _)| *kk == k) {
            Some(slot) => slot.1 = v,
            None => self.fields.push((k, v)),
        }
        Ok(())
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: &str) {
        self.fields.retain(|(k, _)| *k != key);
    }

    /// Iterates over stored `(key, value)` pairs.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(k, v)| (*k, self.value(v)))
    }

    /// `CPV` (required in a valid block).
    pub fn cpv(&self) -> &str {
        self.raw("CPV").unwrap_or("")
    }

    /// `BUILD_ID` as a number.
    pub fn build_id(&self) -> Option<u64> {
        self.raw("BUILD_ID").and_then(|s| s.parse().ok())
    }
}

/// A parsed `Packages` file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PackagesIndex {
    /// Header keys in file order (all kept).
    pub header: IndexMap<String, String>,
    /// Package blocks in file order.
    pub packages: Vec<IndexEntry>,
}

/// Splits one index line as Portage does: at the first `:`, dropping exactly one
/// character after it. Lines without `:` yield `None`.
fn split_line(line: &str) -> Option<(&str, &str)> {
    let (k, v) = line.split_once(':')?;
    let v = match v.chars().next() {
        Some(c) => &v[c.len_utf8()..],
        None => v,
    };
    Some((k, v))
}

/// Lines as Python's universal-newline text mode yields them (Portage reads the index
/// that way): `\n`, `\r\n` and a lone `\r` all end a line.
struct LogicalLines<'a> {
    lines: std::str::Split<'a, char>,
    pending: Option<std::str::Split<'a, char>>,
}

impl<'a> Iterator for LogicalLines<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if let Some(parts) = &mut self.pending {
            if let Some(part) = parts.next() {
                return Some(part);
            }
            self.pending = None;
        }
        let line = self.lines.next()?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !line.as_bytes().contains(&b'\r') {
            return Some(line);
        }
        let mut parts = line.split('\r');
        let first = parts.next();
        self.pending = Some(parts);
        first
    }
}

fn logical_lines(text: &str) -> LogicalLines<'_> {
    LogicalLines {
        lines: text.split('\n'),
        pending: None,
    }
}

impl PackagesIndex {
    /// A new index with `VERSION: 0` in its header.
    pub fn new() -> PackagesIndex {
        let mut header = IndexMap::new();
        header.insert("VERSION".to_owned(), SUPPORTED_VERSION.to_string());
        PackagesIndex {
            header,
            packages: Vec::new(),
        }
    }

    /// Parses without checking `VERSION` (see [`Self::parse`]).
    ///
    /// Follows Portage: a block ends at an empty line; the body ends at an empty block
    /// (end of file, two consecutive empty lines, or a block with no known key); blocks
    /// without `CPV` are skipped;
    /// unknown package keys are dropped; the last value of a repeated key wins.
    pub fn parse_unchecked(text: &str) -> PackagesIndex {
        let mut idx = PackagesIndex::default();
        // Spans are 32-bit; a (theoretical) index over 4 GiB keeps owned values instead.
        let spans = text.len() <= u32::MAX as usize;
        let shared: Arc<str> = Arc::from(text);
        let base = shared.as_ptr() as usize;
        let mut lines = logical_lines(&shared);
        for line in lines.by_ref() {
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = split_line(line) {
                idx.header.insert(k.to_owned(), v.to_owned());
            }
        }
        loop {
            let mut entry = IndexEntry {
                text: Some(Arc::clone(&shared)),
                fields: Vec::with_capacity(20),
            };
            let mut any = false;
            for line in lines.by_ref() {
                if line.is_empty() {
                    break;
                }
                let Some((k, v)) = split_line(line) else {
                    continue;
                };
                // As Portage: a block whose lines are all unknown keys reads as empty
                // and ends the body.
                if let Some(k) = intern(k) {
                    any = true;
                    let span = if spans {
                        Value::Span((v.as_ptr() as usize - base) as u32, v.len() as u32)
                    } else {
                        Value::Owned(v.into())
                    };
                    // Interned keys: compare pointers, not bytes.
                    match entry
                        .fields
                        .iter_mut()
                        .find(|(kk, _)| std::ptr::eq(kk.as_ptr(), k.as_ptr()))
                    {
                        Some(slot) => slot.1 = span,
                        None => entry.fields.push((k, span)),
                    }
                }
            }
            if !any {
                break;
            }
            if entry.raw("CPV").is_some_and(|c| !c.is_empty()) {
                idx.packages.push(entry);
            }
        }
        idx
    }

    /// Parses a `Packages` file and checks its `VERSION` (missing, non-numeric or newer
    /// than [`SUPPORTED_VERSION`] is an error, as Portage's `_pkgindex_version_supported`).
    pub fn parse(text: &str) -> Result<PackagesIndex> {
        let idx = PackagesIndex::parse_unchecked(text);
        let found = idx.header.get("VERSION");
        match found.map(|v| v.trim().parse::<i64>()) {
            Some(Ok(v)) if v <= i64::from(SUPPORTED_VERSION) => Ok(idx),
            _ => Err(Error::IndexVersion {
                found: found.cloned(),
                supported: SUPPORTED_VERSION,
            }),
        }
    }

    /// The effective value of a package key: stored, else inherited from the header
    /// (`CHOST`, `REPO`), else the default, else `None`.
    pub fn get<'a>(&'a self, entry: &'a IndexEntry, key: &str) -> Option<&'a str> {
        if let Some(v) = entry.raw(key) {
            return Some(v);
        }
        if INHERITED_KEYS.contains(&key)
            && let Some(v) = self.header.get(key).filter(|v| !v.is_empty())
        {
            return Some(v);
        }
        PACKAGE_DEFAULTS
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
    }

    /// The file path of a package relative to the index base: `PATH`, or `CPV.tbz2`.
    pub fn path_of(&self, entry: &IndexEntry) -> String {
        match entry.raw("PATH").filter(|p| !p.is_empty()) {
            Some(p) => p.to_owned(),
            None => format!("{}.tbz2", entry.cpv()),
        }
    }

    /// Sets the header's `TIMESTAMP` and `PACKAGES`, as Portage does when writing a
    /// modified index.
    pub fn stamp(&mut self, timestamp: u64) {
        self.header
            .insert("TIMESTAMP".to_owned(), timestamp.to_string());
        self.header
            .insert("PACKAGES".to_owned(), self.packages.len().to_string());
    }

    /// Serialises as Portage writes: header keys sorted with empty values omitted; then
    /// packages sorted by CPV (stable), each block's keys sorted by Portage's internal
    /// name, omitting empty values, values equal to the defaults, and `CHOST`/`REPO`
    /// equal to the header's.
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(64 + self.packages.len() * 600);
        let mut keys: Vec<&String> = self.header.keys().collect();
        keys.sort();
        for k in keys {
            let v = &self.header[k];
            if !v.is_empty() {
                let _ = writeln!(out, "{k}: {v}");
            }
        }
        out.push('\n');
        let mut order: Vec<&IndexEntry> = self.packages.iter().collect();
        order.sort_by(|a, b| a.cpv().cmp(b.cpv()));
        for e in order {
            let mut fields: Vec<(&str, &str)> = e
                .iter()
                .filter(|(k, v)| {
                    if v.is_empty() {
                        return false;
                    }
                    if INHERITED_KEYS.contains(k)
                        && self.header.get(*k).is_some_and(|h| !h.is_empty() && h == v)
                    {
                        return false;
                    }
                    !PACKAGE_DEFAULTS.iter().any(|(dk, dv)| dk == k && dv == v)
                })
                .collect();
            fields.sort_by(|a, b| internal_name(a.0).cmp(internal_name(b.0)));
            for (k, v) in fields {
                let _ = writeln!(out, "{k}: {v}");
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_table_is_sorted_and_interned() {
        assert!(PACKAGE_KEYS.windows(2).all(|w| w[0] < w[1]));
        for k in PACKAGE_KEYS {
            assert_eq!(intern(k), Some(*k));
        }
        assert_eq!(intern("CPVX"), None);
    }

    #[test]
    fn portage_parsing_rules() {
        let text = "VERSION: 0\nCHOST: x86_64-pc-linux-gnu\nREPO: gentoo\nJUNK\nEMPTY:\n\n\
CPV: a/b-1\nSLOT:2\nUNKNOWN: x\nDESC: hi there\nnocolon\n\n\
SLOT: 3\n\n\
CPV: a/c-1\nREPO: other\nCHOST: x86_64-pc-linux-gnu\n\n\n\
CPV: a/d-1\n\n";
        let cr = "VERSION: 0\r\n\r\nCPV: a/b-1\rSLOT: 2\r\rCPV: a/c-1\r\n\r\n";
        let idx = PackagesIndex::parse(cr).expect("v0");
        assert_eq!(idx.packages.len(), 2);
        assert_eq!(idx.packages[0].raw("SLOT"), Some("2"));
        let unknown_only = "VERSION: 0\n\nCPV: a/b-1\n\nFOO: 1\n\nCPV: a/c-1\n\n";
        assert_eq!(
            PackagesIndex::parse(unknown_only)
                .expect("v0")
                .packages
                .len(),
            1
        );
        let idx = PackagesIndex::parse(text).expect("version 0");
        assert_eq!(idx.header.get("EMPTY").map(String::as_str), Some(""));
        assert!(!idx.header.contains_key("JUNK"));
        // The block without CPV is skipped; the double blank line ends the body.
        assert_eq!(idx.packages.len(), 2);
        let b = &idx.packages[0];
        // One character after ':' is dropped, whatever it is.
        assert_eq!(b.raw("SLOT"), Some(""));
        assert_eq!(b.raw("UNKNOWN"), None);
        assert_eq!(idx.get(b, "EAPI"), Some("0"));
        assert_eq!(idx.get(b, "REPO"), Some("gentoo"));
        assert_eq!(idx.get(b, "DESC"), Some("hi there"));
        let c = &idx.packages[1];
        assert_eq!(idx.get(c, "REPO"), Some("other"));
        assert_eq!(idx.path_of(c), "a/c-1.tbz2");
        // Writing omits CHOST equal to the header and keeps REPO that differs.
        let out = idx.to_text();
        assert!(out.contains("CPV: a/c-1\nREPO: other\n\n"), "{out}");
    }

    #[test]
    fn version_is_checked() {
        assert!(matches!(
            PackagesIndex::parse("CHOST: x\n\nCPV: a/b-1\n"),
            Err(Error::IndexVersion { found: None, .. })
        ));
        assert!(PackagesIndex::parse("VERSION: 1\n\n").is_err());
        assert!(PackagesIndex::parse("VERSION: x\n\n").is_err());
        assert!(PackagesIndex::parse("VERSION: 0\n\n").is_ok());
    }

    #[test]
    fn writer_sorts_by_internal_name_and_cpv() {
        let mut idx = PackagesIndex::new();
        idx.header.insert("REPO".into(), "gentoo".into());
        for (cpv, id) in [("b/x-1", "1"), ("a/y-2", "2"), ("a/y-2", "1")] {
            let mut e = IndexEntry::new();
            for (k, v) in [
                ("repository", "gentoo"),
                ("_mtime_", "5"),
                ("CPV", cpv),
                ("BUILD_ID", id),
                ("SLOT", "0"),
                ("EAPI", "8"),
                ("USE", ""),
                ("DESCRIPTION", "d"),
            ] {
                e.set(k, v).expect("known key");
            }
            idx.packages.push(e);
        }
        idx.stamp(7);
        let out = idx.to_text();
        let want_block = "BUILD_ID: 2\nCPV: a/y-2\nDESC: d\nEAPI: 8\nMTIME: 5\n\n";
        assert!(
            out.starts_with("PACKAGES: 3\nREPO: gentoo\nTIMESTAMP: 7\nVERSION: 0\n\n"),
            "{out}"
        );
        let first = out.find(want_block).expect("first block");
        let second = out.find("BUILD_ID: 1\nCPV: a/y-2\n").expect("stable order");
        let third = out.find("CPV: b/x-1").expect("b last");
        assert!(first < second && second < third);
        let back = PackagesIndex::parse(&out).expect("reparse");
        assert_eq!(back.to_text(), out);
    }
}
