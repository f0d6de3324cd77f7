//! One package version's cached metadata: the `KEY=value` pairs of a cache file, in the
//! order read, with the `_eclasses_` value decoded.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use crate::error::CacheError;

/// The metadata keys Portage stores in its caches (`auxdbkeys`), plus `INHERIT`.
///
/// Entries may hold other keys too; they are kept as read.
pub const METADATA_KEYS: &[&str] = &[
    "BDEPEND",
    "DEFINED_PHASES",
    "DEPEND",
    "DESCRIPTION",
    "EAPI",
    "HOMEPAGE",
    "IDEPEND",
    "INHERIT",
    "INHERITED",
    "IUSE",
    "KEYWORDS",
    "LICENSE",
    "PDEPEND",
    "PROPERTIES",
    "RDEPEND",
    "REQUIRED_USE",
    "RESTRICT",
    "SLOT",
    "SRC_URI",
];

/// The key holding the eclasses an entry was generated with.
pub const ECLASSES_KEY: &str = "_eclasses_";
/// The key holding the md5 of the ebuild (md5-dict).
pub const MD5_KEY: &str = "_md5_";
/// The key holding the ebuild's mtime in seconds (flat_hash).
pub const MTIME_KEY: &str = "_mtime_";

/// The five dependency classes, in the order used throughout this crate.
pub const DEP_KEYS: [&str; 5] = ["DEPEND", "RDEPEND", "PDEPEND", "BDEPEND", "IDEPEND"];

/// A field name: the well-known ones are not allocated.
pub(crate) type Key = Cow<'static, str>;

/// The bookkeeping keys, which with [`METADATA_KEYS`] are every key this crate knows by
/// name, for [`Key`] sharing.
const BOOKKEEPING_KEYS: [&str; 3] = [ECLASSES_KEY, MD5_KEY, MTIME_KEY];

/// The shared static string when `key` is well known, else an owned copy.
pub(crate) fn make_key(key: &str) -> Key {
    match METADATA_KEYS
        .iter()
        .chain(&BOOKKEEPING_KEYS)
        .find(|k| **k == key)
    {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(key.to_owned()),
    }
}

/// Names one cache entry: `<category>/<PF>`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryKey {
    /// The category.
    pub category: String,
    /// `PN-PV[-rR]`, the file name of the entry.
    pub pf: String,
}

impl EntryKey {
    /// Builds a key without checking the names.
    pub fn new(category: impl Into<String>, pf: impl Into<String>) -> Self {
        EntryKey {
            category: category.into(),
            pf: pf.into(),
        }
    }

    /// Checks the names and returns the key: the category must be a valid category name and
    /// the PF must split into a valid package name and a version.
    pub fn parse(category: &str, pf: &str) -> Result<Self, CacheError> {
        split_pf(category, pf)?;
        Ok(EntryKey::new(category, pf))
    }

    /// The package name (PN) part of the PF.
    pub fn package(&self) -> Result<&str, CacheError> {
        split_pf(&self.category, &self.pf).map(|(pn, _)| pn)
    }
}

impl From<&strata_atom::cpv::Cpv> for EntryKey {
    fn from(cpv: &strata_atom::cpv::Cpv) -> Self {
        EntryKey::new(cpv.category(), cpv.pf())
    }
}

impl EntryKey {
    /// The key as a [`strata_atom::cpv::Cpv`].
    pub fn cpv(&self) -> Result<strata_atom::cpv::Cpv, CacheError> {
        strata_atom::cpv::Cpv::from_category_pf(&self.category, &self.pf).map_err(|e| {
            CacheError::BadKey {
                category: self.category.clone(),
                pf: self.pf.clone(),
                reason: e.to_string(),
            }
        })
    }
}

impl fmt::Display for EntryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.category, self.pf)
    }
}

/// Splits a PF into PN and PVR (`foo-bar-1.0-r1` → `foo-bar`, `1.0-r1`), checking both
/// names with the strata-atom validators.
pub fn split_pf<'a>(category: &str, pf: &'a str) -> Result<(&'a str, &'a str), CacheError> {
    let bad = |reason: String| CacheError::BadKey {
        category: category.to_owned(),
        pf: pf.to_owned(),
        reason,
    };
    strata_atom::name::validate_category(category).map_err(|e| bad(e.to_string()))?;
    let at = strata_atom::name::version_suffix_start(pf)
        .ok_or_else(|| bad("no -<version> suffix".to_owned()))?;
    let (pn, pvr) = (&pf[..at], &pf[at + 1..]);
    strata_atom::name::validate_package(pn).map_err(|e| bad(e.to_string()))?;
    Ok((pn, pvr))
}

/// How an eclass was identified when the entry was generated.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EclassChecksum {
    /// Lower-case hex md5 of the eclass file (md5-dict).
    Md5(String),
    /// The eclass file's mtime in whole seconds (flat_hash).
    Mtime(i64),
}

impl fmt::Display for EclassChecksum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EclassChecksum::Md5(m) => f.write_str(m),
            EclassChecksum::Mtime(t) => write!(f, "{t}"),
        }
    }
}

/// One eclass in an entry's `_eclasses_` value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EclassStamp {
    /// The eclass name (without `.eclass`).
    pub name: String,
    /// The directory the eclass came from, where the format records it (flat_hash).
    pub dir: Option<String>,
    /// Its checksum.
    pub checksum: EclassChecksum,
}

/// One cache entry: every `KEY=value` line in the order read (unknown keys included), and
/// the `_eclasses_` value decoded on first use.
///
/// The entry keeps the file's text as one string and the fields as ranges into it, so
/// reading an entry costs a couple of allocations, not one per line.
#[derive(Clone, Default)]
pub struct CacheEntry {
    text: String,
    fields: Vec<(Key, usize, usize)>,
    eclass_width: u8,
    eclasses: OnceLock<Vec<EclassStamp>>,
}

impl PartialEq for CacheEntry {
    fn eq(&self, other: &Self) -> bool {
        self.fields().eq(other.fields())
    }
}

impl Eq for CacheEntry {}

impl fmt::Debug for CacheEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.fields()).finish()
    }
}

impl CacheEntry {
    /// An empty entry.
    pub fn new() -> Self {
        CacheEntry::default()
    }

    /// Builds an entry from a parsed file: `fields` are (key, start, end) ranges of the
    /// values in `text`; `eclass_width` as [`crate::kv_file::check_eclasses`] gave it.
    pub(crate) fn from_parts(
        text: String,
        fields: Vec<(Key, usize, usize)>,
        eclass_width: u8,
    ) -> Self {
        CacheEntry {
            text,
            fields,
            eclass_width,
            eclasses: OnceLock::new(),
        }
    }

    fn slice(&self, start: usize, end: usize) -> &str {
        self.text.get(start..end).unwrap_or("")
    }

    /// The value of `key`, if the entry has it (possibly empty).
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _, _)| k == key)
            .map(|(_, s, e)| self.slice(*s, *e))
    }

    /// The value of `key`, or `""` when absent.
    pub fn value(&self, key: &str) -> &str {
        self.get(key).unwrap_or("")
    }

    fn store(&mut self, key: &str, value: &str) {
        let start = self.text.len();
        self.text.push_str(value);
        let end = self.text.len();
        match self.fields.iter_mut().find(|(k, _, _)| k == key) {
            Some((_, s, e)) => (*s, *e) = (start, end),
            None => self.fields.push((make_key(key), start, end)),
        }
    }

    /// Sets `key` to `value`, keeping its position when it exists, appending otherwise.
    ///
    /// A `_eclasses_` value is decoded (md5 pairs, or dir/checksum triples) and refused
    /// with [`CacheError::BadEclasses`] (no path, line 0) when it does not decode; the
    /// entry is then unchanged. Other keys cannot fail.
    pub fn set(&mut self, key: &str, value: impl AsRef<str>) -> Result<(), CacheError> {
        let value = value.as_ref();
        if key == ECLASSES_KEY {
            let width =
                crate::kv_file::check_eclasses(value, crate::kv_file::EclassLayout::Flexible)
                    .map_err(|(field, reason)| CacheError::BadEclasses {
                        path: std::path::PathBuf::new(),
                        line: 0,
                        field,
                        reason,
                    })?;
            self.eclass_width = width;
            self.eclasses = OnceLock::new();
        }
        self.store(key, value);
        Ok(())
    }

    /// Removes `key`; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<String> {
        if key == ECLASSES_KEY {
            self.eclass_width = 0;
            self.eclasses = OnceLock::new();
        }
        let at = self.fields.iter().position(|(k, _, _)| k == key)?;
        let (_, s, e) = self.fields.remove(at);
        Some(self.slice(s, e).to_owned())
    }

    /// Every `(key, value)` pair, in the order read or set.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields
            .iter()
            .map(|(k, s, e)| (k.as_ref(), self.slice(*s, *e)))
    }

    /// The eclasses, in the order stored (inheritance order in pkgcore-written caches,
    /// sorted by name in egencache-written ones). Decoded on first use.
    pub fn eclasses(&self) -> &[EclassStamp] {
        self.eclasses.get_or_init(|| {
            crate::kv_file::decode_eclasses(self.value(ECLASSES_KEY), self.eclass_width)
        })
    }

    /// Replaces the eclasses; `_eclasses_` is rewritten in md5-dict form (name/md5 pairs)
    /// when every stamp is an md5 without a directory, else as name/dir/checksum triples.
    /// An empty list removes the key.
    pub fn set_eclasses(&mut self, eclasses: Vec<EclassStamp>) {
        if eclasses.is_empty() {
            self.remove(ECLASSES_KEY);
            return;
        }
        let (raw, width) = serialize_eclasses(&eclasses);
        self.store(ECLASSES_KEY, &raw);
        self.eclass_width = width;
        self.eclasses = OnceLock::from(eclasses);
    }

    /// The names of every inherited eclass (transitive), from `_eclasses_`, without
    /// decoding the checksums.
    pub fn inherited(&self) -> impl Iterator<Item = &str> {
        let width = usize::from(self.eclass_width).max(1);
        let raw = if self.eclass_width == 0 {
            ""
        } else {
            self.value(ECLASSES_KEY).trim()
        };
        raw.split('\t').step_by(width).filter(|n| !n.is_empty())
    }

    /// The EAPI as written; a missing or empty `EAPI` means `0`.
    pub fn eapi(&self) -> &str {
        match self.get("EAPI") {
            Some(v) if !v.is_empty() => v,
            _ => "0",
        }
    }

    /// The recorded md5 of the ebuild (`_md5_`), if any.
    pub fn md5(&self) -> Option<&str> {
        self.get(MD5_KEY)
    }

    /// The recorded ebuild mtime (`_mtime_`, flat_hash), if any and numeric.
    pub fn mtime(&self) -> Option<i64> {
        self.get(MTIME_KEY).and_then(parse_mtime)
    }

    /// The slot (before any `/`).
    pub fn slot(&self) -> &str {
        let s = self.value("SLOT");
        s.split_once('/').map_or(s, |(slot, _)| slot)
    }

    /// The sub-slot (after `/`); equal to the slot when none is written, as PMS says.
    pub fn subslot(&self) -> &str {
        let s = self.value("SLOT");
        s.split_once('/').map_or(s, |(_, sub)| sub)
    }
}

/// Parses an mtime the way pkgcore does (`floor(float(x))`), accepting plain integers and
/// decimals.
pub(crate) fn parse_mtime(s: &str) -> Option<i64> {
    if let Ok(i) = s.parse::<i64>() {
        return Some(i);
    }
    let f: f64 = s.parse().ok()?;
    if f.is_finite() {
        Some(f.floor() as i64)
    } else {
        None
    }
}

/// `_eclasses_` text for `eclasses`, in the given order, and its width (2: pairs,
/// 3: triples).
pub(crate) fn serialize_eclasses(eclasses: &[EclassStamp]) -> (String, u8) {
    let pairs = eclasses
        .iter()
        .all(|e| e.dir.is_none() && matches!(e.checksum, EclassChecksum::Md5(_)));
    let mut out = String::new();
    for e in eclasses {
        if !out.is_empty() {
            out.push('\t');
        }
        out.push_str(&e.name);
        if !pairs {
            out.push('\t');
            out.push_str(e.dir.as_deref().unwrap_or(""));
        }
        out.push('\t');
        out.push_str(&e.checksum.to_string());
    }
    (out, if pairs { 2 } else { 3 })
}

/// Whether `s` is 32 hex digits.
pub(crate) fn is_md5_hex(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())
}
