//! A loaded index and the queries it answers without touching the repository.

use std::path::{Path, PathBuf};

use regex::Regex;

use std::sync::OnceLock;

use crate::entry::CacheEntry;
use crate::error::CacheError;
use crate::index::format::{self, FIELD_COUNT, Field, Layout, META_LEN};
use crate::index::snapshot::{self, Snapshot};
use crate::index::stamp::Stamp;
use crate::validate::{StaleReason, Validity};

/// The dependency classes, as a bit set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DepClasses(pub u32);

impl DepClasses {
    /// DEPEND.
    pub const DEPEND: DepClasses = DepClasses(1);
    /// RDEPEND.
    pub const RDEPEND: DepClasses = DepClasses(2);
    /// PDEPEND.
    pub const PDEPEND: DepClasses = DepClasses(4);
    /// BDEPEND.
    pub const BDEPEND: DepClasses = DepClasses(8);
    /// IDEPEND.
    pub const IDEPEND: DepClasses = DepClasses(16);
    /// All five.
    pub const ALL: DepClasses = DepClasses(31);

    /// Whether any class is in both sets.
    pub fn intersects(self, other: DepClasses) -> bool {
        self.0 & other.0 != 0
    }

    /// The key names of the classes in the set (`DEPEND`, `RDEPEND`, ...).
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        crate::entry::DEP_KEYS
            .into_iter()
            .enumerate()
            .filter(move |(bit, _)| self.0 & (1 << bit) != 0)
            .map(|(_, name)| name)
    }
}

impl std::ops::BitOr for DepClasses {
    type Output = DepClasses;
    fn bitor(self, rhs: DepClasses) -> DepClasses {
        DepClasses(self.0 | rhs.0)
    }
}

/// How to match maintainers.
#[derive(Debug, Clone)]
pub enum MaintainerQuery {
    /// Case-insensitive substring of the email or the name.
    Substring(String),
    /// Regex searched in the email and in the name.
    Regex(Regex),
}

/// Compiles `pattern`, case-insensitively if asked.
pub fn compile_regex(pattern: &str, case_insensitive: bool) -> Result<Regex, CacheError> {
    regex::RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .build()
        .map_err(|e| CacheError::BadRegex {
            pattern: pattern.to_owned(),
            source: Box::new(e),
        })
}

#[derive(Debug)]
enum Backing {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

/// A validated search index, memory-mapped from its file (or held in memory).
#[derive(Debug)]
pub struct SearchIndex {
    data: Backing,
    layout: Layout,
    path: PathBuf,
    snapshot: OnceLock<Result<Snapshot, String>>,
}

impl SearchIndex {
    /// Maps and validates the index file at `path`.
    pub fn load(path: &Path) -> Result<Self, CacheError> {
        let file = std::fs::File::open(path).map_err(|e| CacheError::io(path, e))?;
        let len = file.metadata().map_err(|e| CacheError::io(path, e))?.len();
        if len < format::HEADER_LEN as u64 {
            return Err(CacheError::CorruptIndex {
                path: path.to_owned(),
                byte_offset: len,
                reason: format!("{len} bytes, shorter than the header"),
            });
        }
        // SAFETY: the map is read-only. Index files are only ever replaced by rename, never
        // modified in place, so the mapped bytes do not change under us unless another
        // program writes into the file, which strata never does. All access goes through
        // bounds-checked slices, and the contents are validated below.
        let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }
            .map_err(|e| CacheError::io(path, e))?;
        SearchIndex::checked(Backing::Mapped(map), path)
    }

    /// Validates `data`: the header first, then the contents checked while the snapshot
    /// section is decoded beside them (it is read by every freshness check; a decoded
    /// snapshot of a file that fails the checks is dropped with it).
    fn checked(data: Backing, path: &Path) -> Result<Self, CacheError> {
        let bytes: &[u8] = match &data {
            Backing::Mapped(m) => m,
            Backing::Owned(v) => v,
        };
        let layout = format::decode_layout(bytes, path)?;
        let section = bytes
            .get(layout.snapshot_off..layout.snapshot_off + layout.snapshot_len)
            .unwrap_or(&[]);
        let (verified, snapshot) = rayon::join(
            || format::verify(bytes, &layout, path),
            || snapshot::decode(section),
        );
        verified?;
        Ok(SearchIndex {
            data,
            layout,
            path: path.to_owned(),
            snapshot: OnceLock::from(snapshot),
        })
    }

    /// Validates an index held in memory (`path` is only used in errors).
    pub fn from_bytes(bytes: Vec<u8>, path: &Path) -> Result<Self, CacheError> {
        SearchIndex::checked(Backing::Owned(bytes), path)
    }

    /// The repository snapshot stored with the records (decoded when the index was
    /// loaded; a snapshot that does not decode is a [`CacheError::CorruptIndex`]).
    pub fn snapshot(&self) -> Result<&Snapshot, CacheError> {
        let l = &self.layout;
        self.snapshot
            .get_or_init(|| {
                let b = self
                    .bytes()
                    .get(l.snapshot_off..l.snapshot_off + l.snapshot_len)
                    .unwrap_or(&[]);
                snapshot::decode(b)
            })
            .as_ref()
            .map_err(|reason| CacheError::CorruptIndex {
                path: self.path.clone(),
                byte_offset: l.snapshot_off as u64,
                reason: reason.clone(),
            })
    }

    /// The record of `category/pf`, if the index holds it (binary search: records are
    /// sorted by category, then PF).
    pub fn find(&self, category: &str, pf: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.layout.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match (self.field(mid, Field::Category), self.field(mid, Field::Pf))
                .cmp(&(category, pf))
            {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// The ids of the records of `category` (records sort by category, then PF).
    pub fn category_range(&self, category: &str) -> std::ops::Range<usize> {
        let bound = |past: bool| {
            let (mut lo, mut hi) = (0, self.layout.count);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                let c = self.field(mid, Field::Category);
                if c < category || (past && c == category) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        bound(false)..bound(true)
    }

    fn meta_at(&self, record: usize) -> &[u8] {
        let at = self.layout.meta_off + record * META_LEN;
        self.bytes().get(at..at + META_LEN).unwrap_or(&[])
    }

    fn bytes(&self) -> &[u8] {
        match &self.data {
            Backing::Mapped(m) => m,
            Backing::Owned(v) => v,
        }
    }

    /// The file it was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The fingerprint of the inputs it was built from.
    pub fn fingerprint(&self) -> &[u8; 32] {
        &self.layout.fingerprint
    }

    /// Whether entries were validated against their ebuilds and eclasses when the index
    /// was built (see [`crate::index::IndexSpec::validating`]).
    pub fn validated(&self) -> bool {
        self.layout.flags & format::FLAG_VALIDATED != 0
    }

    /// Records whose cache entry was stale when the index was built (always empty when
    /// the index was not [`validated`](SearchIndex::validated)).
    pub fn find_stale(&self) -> Vec<usize> {
        self.filter(|i| !self.field(i, Field::Stale).is_empty())
    }

    /// How many package versions it holds.
    pub fn len(&self) -> usize {
        self.layout.count
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.layout.count == 0
    }

    /// The string table, checked to be UTF-8 when the index was loaded.
    fn table(&self) -> &str {
        let b = self.bytes().get(self.layout.strings_off..).unwrap_or(&[]);
        // SAFETY: `format::verify` checked that these bytes are UTF-8 before the index
        // was constructed, and they never change afterwards (an owned buffer, or a map of
        // a file that is only ever replaced by rename; see `load`).
        unsafe { std::str::from_utf8_unchecked(b) }
    }

    fn raw_at(&self, ref_at: usize) -> &[u8] {
        let b = self.bytes();
        let (off, len) = format::str_ref(b, ref_at);
        let start = self.layout.strings_off + off;
        b.get(start..start + len).unwrap_or(&[])
    }

    fn str_at(&self, ref_at: usize) -> &str {
        let (off, len) = format::str_ref(self.bytes(), ref_at);
        self.table().get(off..off + len).unwrap_or("")
    }

    fn field(&self, record: usize, field: Field) -> &str {
        if record >= self.layout.count {
            return "";
        }
        self.str_at(self.layout.records_off + (record * FIELD_COUNT + field as usize) * 8)
    }

    fn field_ref(&self, record: usize, field: Field) -> (usize, usize) {
        format::str_ref(
            self.bytes(),
            self.layout.records_off + (record * FIELD_COUNT + field as usize) * 8,
        )
    }

    /// The record `id`, if it exists.
    pub fn record(&self, id: usize) -> Option<Record<'_>> {
        (id < self.layout.count).then_some(Record { index: self, id })
    }

    /// Every record, in `category/PF` order.
    pub fn records(&self) -> impl Iterator<Item = Record<'_>> {
        (0..self.layout.count).map(move |id| Record { index: self, id })
    }

    fn filter(&self, mut pred: impl FnMut(usize) -> bool) -> Vec<usize> {
        (0..self.layout.count).filter(|&i| pred(i)).collect()
    }

    /// Records whose DESCRIPTION (and, with `include_long`, metadata.xml longdescription)
    /// matches `re` anywhere.
    pub fn find_description(&self, re: &Regex, include_long: bool) -> Vec<usize> {
        let mut last_long: Option<((usize, usize), bool)> = None;
        self.filter(|i| {
            if re.is_match(self.field(i, Field::Description)) {
                return true;
            }
            if !include_long {
                return false;
            }
            // Versions of a package share one interned longdescription: match it once.
            let r = self.field_ref(i, Field::LongDescription);
            if let Some((prev, hit)) = last_long
                && prev == r
            {
                return hit;
            }
            let hit = re.is_match(self.field(i, Field::LongDescription));
            last_long = Some((r, hit));
            hit
        })
    }

    /// Records whose package has a maintainer matching `q` (email or name).
    pub fn find_maintainer(&self, q: &MaintainerQuery) -> Vec<usize> {
        let lower = match q {
            MaintainerQuery::Substring(s) => s.to_lowercase(),
            MaintainerQuery::Regex(_) => String::new(),
        };
        self.filter(|i| {
            self.record(i).is_some_and(|r| {
                r.maintainers().any(|m| {
                    let name = m.name.unwrap_or("");
                    match q {
                        MaintainerQuery::Substring(_) => {
                            m.email.to_lowercase().contains(&lower)
                                || name.to_lowercase().contains(&lower)
                        }
                        MaintainerQuery::Regex(re) => re.is_match(m.email) || re.is_match(name),
                    }
                })
            })
        })
    }

    /// Records with no maintainer at all (`maintainer-needed`).
    pub fn find_unmaintained(&self) -> Vec<usize> {
        self.filter(|i| self.field(i, Field::Maintainers).is_empty())
    }

    /// Records whose LICENSE names `license` (anywhere, conditionals included).
    pub fn find_license(&self, license: &str) -> Vec<usize> {
        self.filter(|i| spec_tokens(self.field(i, Field::License)).any(|t| t == license))
    }

    /// Records whose IUSE has `flag` (with or without a `+`/`-` default).
    pub fn find_use(&self, flag: &str) -> Vec<usize> {
        self.filter(|i| {
            self.field(i, Field::Iuse)
                .split_ascii_whitespace()
                .any(|t| t.trim_start_matches(['+', '-']) == flag)
        })
    }

    /// Records with EAPI `eapi`.
    pub fn find_eapi(&self, eapi: &str) -> Vec<usize> {
        self.filter(|i| self.field(i, Field::Eapi) == eapi)
    }

    /// Records whose KEYWORDS holds exactly `keyword` (`amd64`, `~amd64`, `-*`).
    pub fn find_keyword(&self, keyword: &str) -> Vec<usize> {
        self.filter(|i| {
            self.field(i, Field::Keywords)
                .split_ascii_whitespace()
                .any(|t| t == keyword)
        })
    }

    /// Records that inherit `eclass` (directly or not).
    pub fn find_inherit(&self, eclass: &str) -> Vec<usize> {
        self.filter(|i| {
            self.field(i, Field::Inherited)
                .split_ascii_whitespace()
                .any(|t| t == eclass)
        })
    }

    /// Records whose dependencies (in any of `classes`) name `category/package`, with the
    /// classes that do. Binary search over the sorted reverse-dependency table.
    pub fn revdeps(&self, cp: &str, classes: DepClasses) -> Vec<(usize, DepClasses)> {
        let b = self.bytes();
        let n = self.layout.revdep_count;
        let row = |i: usize| self.layout.revdep_off + i * 16;
        let name = |i: usize| self.str_at(row(i));
        let (mut lo, mut hi) = (0, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if name(mid) < cp {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let mut out = Vec::new();
        let mut i = lo;
        while i < n && name(i) == cp {
            let record = format::read_u32(b, row(i) + 8) as usize;
            let mask = DepClasses(format::read_u32(b, row(i) + 12));
            if mask.intersects(classes) {
                out.push((record, DepClasses(mask.0 & classes.0)));
            }
            i += 1;
        }
        out
    }
}

/// The tokens of a dep-style spec that are not operators or conditionals.
fn spec_tokens(spec: &str) -> impl Iterator<Item = &str> {
    spec.split_ascii_whitespace()
        .filter(|t| !matches!(*t, "(" | ")" | "||" | "^^" | "??") && !t.ends_with('?'))
}

/// One maintainer as stored in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaintainerRef<'a> {
    /// Email.
    pub email: &'a str,
    /// Name, if given.
    pub name: Option<&'a str>,
    /// `type` attribute, if given.
    pub kind: Option<&'a str>,
    /// `proxied` attribute.
    pub proxied: crate::index::Proxied,
    /// `<description>` of the maintainership, if given.
    pub description: Option<&'a str>,
}

/// One package version in the index.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    index: &'a SearchIndex,
    id: usize,
}

impl<'a> Record<'a> {
    fn f(&self, field: Field) -> &'a str {
        self.index.field(self.id, field)
    }

    /// The stamp of the cache entry file it was read from.
    pub fn entry_stamp(&self) -> Option<Stamp> {
        self.index
            .meta_at(self.id)
            .get(8..40)
            .and_then(Stamp::decode)
    }

    /// The stamp of the ebuild when the index was built (`None`: it did not exist).
    pub fn ebuild_stamp(&self) -> Option<Stamp> {
        self.index
            .meta_at(self.id)
            .get(40..72)
            .and_then(Stamp::decode)
    }

    /// The value of cache entry key `key` (`None`: the entry has no such key, or it is
    /// one of the [`format::COLD_KEYS`], which the index does not store).
    pub fn entry_value(&self, key: &str) -> Option<&'a str> {
        let m = self.index.meta_at(self.id);
        if let Some(i) = format::ENTRY_FIELDS.iter().position(|(k, _)| *k == key) {
            let present = format::read_u32(m, 76) & (1 << i) != 0;
            return present.then(|| self.f(format::ENTRY_FIELDS[i].1));
        }
        let first = format::read_u32(m, 0) as usize;
        let n = format::read_u32(m, 4) as usize;
        let index = self.index;
        (first..first + n).find_map(|i| {
            let at = index.layout.kv_off + i * 16;
            (index.raw_at(at) == key.as_bytes()).then(|| index.str_at(at + 8))
        })
    }

    /// Every `(key, value)` of the cache entry, in file order, but the
    /// [`format::COLD_KEYS`].
    pub fn entry_fields(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let m = self.index.meta_at(self.id);
        let first = format::read_u32(m, 0) as usize;
        let n = format::read_u32(m, 4) as usize;
        let index = self.index;
        (first..first + n).map(move |i| {
            let at = index.layout.kv_off + i * 16;
            (index.str_at(at), index.str_at(at + 8))
        })
    }

    /// The cache entry, rebuilt from the stored fields (as reading the file gives it, but
    /// without the [`format::COLD_KEYS`]).
    pub fn cache_entry(&self) -> Result<CacheEntry, CacheError> {
        let mut e = CacheEntry::new();
        for (k, v) in self.entry_fields() {
            e.set(k, v)?;
        }
        Ok(e)
    }

    /// The validation result at build time: `None` when the index was not validated,
    /// `Some(Err(message))` when the entry could not be validated.
    pub fn validity(&self) -> Option<Result<Validity, String>> {
        match format::read_u32(self.index.meta_at(self.id), 72) {
            1 => Some(Ok(Validity::Valid)),
            2 => {
                let reasons: Vec<StaleReason> =
                    crate::index::reasons::decode_reasons(self.f(Field::StaleData))?;
                if reasons.is_empty() {
                    return None;
                }
                Some(Ok(Validity::Stale(reasons)))
            }
            3 => Some(Err(self.f(Field::StaleData).to_owned())),
            _ => None,
        }
    }

    /// Its position in the index.
    pub fn id(&self) -> usize {
        self.id
    }

    /// Category.
    pub fn category(&self) -> &'a str {
        self.f(Field::Category)
    }

    /// `PN-PVR`.
    pub fn pf(&self) -> &'a str {
        self.f(Field::Pf)
    }

    /// Package name.
    pub fn package(&self) -> &'a str {
        self.f(Field::Package)
    }

    /// `category/PF`.
    pub fn cpv(&self) -> String {
        format!("{}/{}", self.category(), self.pf())
    }

    /// DESCRIPTION.
    pub fn description(&self) -> &'a str {
        self.f(Field::Description)
    }

    /// metadata.xml longdescription (empty when none).
    pub fn longdescription(&self) -> &'a str {
        self.f(Field::LongDescription)
    }

    /// HOMEPAGE.
    pub fn homepage(&self) -> &'a str {
        self.f(Field::Homepage)
    }

    /// LICENSE.
    pub fn license(&self) -> &'a str {
        self.f(Field::License)
    }

    /// KEYWORDS.
    pub fn keywords(&self) -> &'a str {
        self.f(Field::Keywords)
    }

    /// IUSE.
    pub fn iuse(&self) -> &'a str {
        self.f(Field::Iuse)
    }

    /// Slot.
    pub fn slot(&self) -> &'a str {
        self.f(Field::Slot)
    }

    /// Sub-slot (the slot when none is given).
    pub fn subslot(&self) -> &'a str {
        self.f(Field::Subslot)
    }

    /// EAPI.
    pub fn eapi(&self) -> &'a str {
        self.f(Field::Eapi)
    }

    /// Why the cache entry was stale at build time; `None` when it was valid or the index
    /// was not validated.
    pub fn stale_reason(&self) -> Option<&'a str> {
        Some(self.f(Field::Stale)).filter(|s| !s.is_empty())
    }

    /// Inherited eclasses, space-separated.
    pub fn inherited(&self) -> &'a str {
        self.f(Field::Inherited)
    }

    /// The dependency spec of one class (`DepClasses::RDEPEND`...; the lowest bit set is
    /// used).
    pub fn deps(&self, class: DepClasses) -> &'a str {
        let bit = class.0.trailing_zeros() as usize;
        match format::DEP_FIELDS.get(bit) {
            Some(field) => self.f(*field),
            None => "",
        }
    }

    /// Maintainers of the package.
    pub fn maintainers(&self) -> impl Iterator<Item = MaintainerRef<'a>> {
        self.f(Field::Maintainers)
            .split('\n')
            .filter(|l| !l.is_empty())
            .map(|line| {
                let mut parts = line.split('\t');
                let mut next = || parts.next().filter(|s| !s.is_empty());
                let email = next().unwrap_or("");
                let name = next();
                let kind = next();
                let proxied = crate::index::Proxied::parse(next().unwrap_or("no"));
                let description = next();
                MaintainerRef {
                    email,
                    name,
                    kind,
                    proxied,
                    description,
                }
            })
    }

    /// Upstream remote-ids `(type, id)`.
    pub fn remote_ids(&self) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.f(Field::Upstream)
            .split('\n')
            .filter_map(|l| l.split_once('\t'))
    }
}
