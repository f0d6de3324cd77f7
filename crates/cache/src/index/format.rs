//! The on-disk layout of the search index, its encoder and its validating decoder.
//!
//! All integers little-endian. Layout:
//!
//! ```text
//! header (192 bytes)
//!   0  magic "STRATAIX"          8  format version u32    12 fields per record u32
//!   16 file length u64           24 record count u32      28 revdep count u32
//!   32 records offset u64        40 revdep offset u64
//!   48 strings offset u64        56 strings length u64
//!   64 input fingerprint [32]    96 checksum u64 (of the whole file, this field as zero)
//!   104 flags u32 (bit 0: entries validated)              108 kv pair count u32
//!   112 meta offset u64          120 kv offset u64
//!   128 snapshot offset u64      136 snapshot length u64  144..192 zero
//! records: count × FIELD_COUNT × (offset u32, length u32) into the string table
//! meta:    count × (first kv pair u32, kv pair count u32, cache entry stamp [32],
//!          ebuild stamp [32], validity u32 (0 not validated, 1 valid, 2 stale,
//!          3 could not be validated), presence bits u32 (of `ENTRY_FIELDS`)); a
//!          stamp is size u64, mtime ns i64,
//!          ctime ns i64, inode u64 (all bits set: the file did not exist)
//! kv:      kv count × (key ref, value ref): every key of every cache entry but the
//!          [`COLD_KEYS`], in file order
//! revdeps: count × (offset u32, length u32, record u32, dep-class mask u32),
//!          sorted by the named category/package, then record
//! snapshot: the tree listing, cache directory and eclass stamps, skipped entries
//!          (see `snapshot.rs`), decoded on first use
//! strings: UTF-8, interned (each distinct string once)
//! ```
//!
//! Loading checks the magic, version, lengths, section bounds, the checksum and that every
//! string reference lies inside the table, and that the table is UTF-8, so a corrupt or
//! truncated file is an error, never a panic. A string is read with a char-boundary check
//! (one that splits a character reads as empty; with the checksum intact that cannot
//! happen).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use crate::error::CacheError;

/// The file magic.
pub const MAGIC: &[u8; 8] = b"STRATAIX";
/// The format version; bump on any layout or content change.
pub const FORMAT_VERSION: u32 = 7;
/// Header size in bytes.
pub const HEADER_LEN: usize = 192;
const REVDEP_LEN: usize = 16;
/// Bytes of per-record meta data.
pub(crate) const META_LEN: usize = 80;
const KV_LEN: usize = 16;

/// The per-record string fields, in on-disk order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(usize)]
pub enum Field {
    /// Category.
    Category,
    /// `PN-PVR`.
    Pf,
    /// PN.
    Package,
    /// DESCRIPTION.
    Description,
    /// metadata.xml longdescription.
    LongDescription,
    /// HOMEPAGE.
    Homepage,
    /// LICENSE.
    License,
    /// KEYWORDS.
    Keywords,
    /// IUSE.
    Iuse,
    /// Slot (before `/`).
    Slot,
    /// Sub-slot (after `/`, or the slot).
    Subslot,
    /// EAPI (`0` when missing).
    Eapi,
    /// Inherited eclasses (transitive), space-separated.
    Inherited,
    /// Maintainers: lines of `email TAB name TAB type TAB proxied TAB description`.
    Maintainers,
    /// Upstream remote-ids: lines of `type TAB id`.
    Upstream,
    /// DEPEND.
    Depend,
    /// RDEPEND.
    Rdepend,
    /// PDEPEND.
    Pdepend,
    /// BDEPEND.
    Bdepend,
    /// IDEPEND.
    Idepend,
    /// Why the cache entry was stale when the index was built (empty: valid, or not
    /// validated; see [`FLAG_VALIDATED`]).
    Stale,
    /// The stale reasons (or the validation error) in a structured encoding.
    StaleData,
    /// SLOT as written.
    SlotRaw,
    /// EAPI as written (empty when missing).
    EapiRaw,
    /// PROPERTIES.
    Properties,
    /// RESTRICT.
    Restrict,
}

/// Cache entry keys whose values are not stored in the index: they are large, almost
/// never shared between versions and rarely read (SRC_URI is 60% of GURU's md5-cache
/// bytes, nearly all unique), so a reader takes them from the entry file.
pub const COLD_KEYS: [&str; 1] = ["SRC_URI"];

/// Fields per record.
pub const FIELD_COUNT: usize = 26;

/// Header flag: entries were validated against their ebuilds and eclasses at build time.
pub const FLAG_VALIDATED: u32 = 1;

/// The dependency-class fields, in the bit order of revdep masks.
pub const DEP_FIELDS: [Field; 5] = [
    Field::Depend,
    Field::Rdepend,
    Field::Pdepend,
    Field::Bdepend,
    Field::Idepend,
];

/// One record as the encoder takes it.
pub(crate) type RecordStrings<'a> = [&'a str; FIELD_COUNT];

/// The per-record data beside the strings.
pub(crate) struct RecordMeta<'a> {
    /// Every `(key, value)` of the cache entry, in file order.
    pub kv: Vec<(&'a str, &'a str)>,
    pub entry: Option<crate::index::Stamp>,
    pub ebuild: Option<crate::index::Stamp>,
    /// 0 not validated, 1 valid, 2 stale, 3 could not be validated.
    pub validity: u32,
    /// Bit `i` set: the entry has key `ENTRY_FIELDS[i].0`.
    pub present: u32,
}

/// Cache entry keys whose value is also a record field (the whole value, unchanged):
/// a reader takes them from the field, and the record's presence bits say whether the
/// entry has the key at all.
pub const ENTRY_FIELDS: [(&str, Field); 14] = [
    ("DESCRIPTION", Field::Description),
    ("HOMEPAGE", Field::Homepage),
    ("LICENSE", Field::License),
    ("KEYWORDS", Field::Keywords),
    ("IUSE", Field::Iuse),
    ("DEPEND", Field::Depend),
    ("RDEPEND", Field::Rdepend),
    ("PDEPEND", Field::Pdepend),
    ("BDEPEND", Field::Bdepend),
    ("IDEPEND", Field::Idepend),
    ("SLOT", Field::SlotRaw),
    ("EAPI", Field::EapiRaw),
    ("PROPERTIES", Field::Properties),
    ("RESTRICT", Field::Restrict),
];

/// One reverse-dependency row: `record` names `package` in the classes of `mask`.
pub(crate) struct RevdepRow<'a> {
    pub package: &'a str,
    pub record: u32,
    pub mask: u32,
}

fn too_big() -> CacheError {
    CacheError::Unwritable {
        key: "search index".to_owned(),
        reason: "index larger than 4 GiB",
    }
}

/// The string table under construction: each distinct string stored once.
struct Interner<'a> {
    bytes: Vec<u8>,
    seen: HashMap<&'a str, u32, BuildHasherDefault<FxHasher>>,
}

/// The Fx hash (rustc's): fast for the short strings interned here; not DoS-resistant,
/// which does not matter for data we index ourselves.
#[derive(Default)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

impl<'a> Interner<'a> {
    fn add(&mut self, s: &'a str) -> Result<(u32, u32), CacheError> {
        let len = u32::try_from(s.len()).map_err(|_| too_big())?;
        if let Some(&off) = self.seen.get(s) {
            return Ok((off, len));
        }
        let off = u32::try_from(self.bytes.len()).map_err(|_| too_big())?;
        self.bytes.extend_from_slice(s.as_bytes());
        self.seen.insert(s, off);
        Ok((off, len))
    }

    fn push(&mut self, out: &mut Vec<u8>, s: &'a str) -> Result<(), CacheError> {
        let (off, len) = self.add(s)?;
        out.extend_from_slice(&off.to_le_bytes());
        out.extend_from_slice(&len.to_le_bytes());
        Ok(())
    }
}

/// Encodes records and revdep rows (sorted here) into a complete index file.
pub(crate) fn encode<'a>(
    records: &[RecordStrings<'a>],
    metas: &[RecordMeta<'a>],
    revdeps: Vec<RevdepRow<'a>>,
    snapshot: &[u8],
    fingerprint: &[u8; 32],
    flags: u32,
) -> Result<Vec<u8>, CacheError> {
    // Group rows by package (few distinct names), then sort the names: much cheaper than
    // sorting every row by string.
    let revdep_count = revdeps.len();
    let mut groups: HashMap<&str, Vec<(u32, u32)>, BuildHasherDefault<FxHasher>> =
        HashMap::default();
    for row in revdeps {
        groups
            .entry(row.package)
            .or_default()
            .push((row.record, row.mask));
    }
    let mut names: Vec<&str> = groups.keys().copied().collect();
    names.sort_unstable();
    let mut strings = Interner {
        bytes: Vec::with_capacity(1 << 20),
        seen: HashMap::with_capacity_and_hasher(records.len() * 8, Default::default()),
    };
    let mut record_refs: Vec<u8> = Vec::with_capacity(records.len() * FIELD_COUNT * 8);
    for rec in records {
        for s in rec {
            strings.push(&mut record_refs, s)?;
        }
    }
    let mut meta_bytes: Vec<u8> = Vec::with_capacity(metas.len() * META_LEN);
    let mut kv_bytes: Vec<u8> = Vec::with_capacity(metas.len() * 20 * KV_LEN);
    let mut kv_count = 0usize;
    for m in metas {
        let first = u32::try_from(kv_count).map_err(|_| too_big())?;
        let n = u32::try_from(m.kv.len()).map_err(|_| too_big())?;
        for (k, v) in &m.kv {
            strings.push(&mut kv_bytes, k)?;
            strings.push(&mut kv_bytes, v)?;
        }
        kv_count += m.kv.len();
        meta_bytes.extend_from_slice(&first.to_le_bytes());
        meta_bytes.extend_from_slice(&n.to_le_bytes());
        crate::index::Stamp::encode(m.entry, &mut meta_bytes);
        crate::index::Stamp::encode(m.ebuild, &mut meta_bytes);
        meta_bytes.extend_from_slice(&m.validity.to_le_bytes());
        meta_bytes.extend_from_slice(&m.present.to_le_bytes());
    }
    let kv_count = u32::try_from(kv_count).map_err(|_| too_big())?;
    let mut revdep_bytes: Vec<u8> = Vec::with_capacity(revdep_count * REVDEP_LEN);
    for name in names {
        let (off, len) = strings.add(name)?;
        let mut rows = groups.remove(name).unwrap_or_default();
        rows.sort_unstable();
        for (record, mask) in rows {
            revdep_bytes.extend_from_slice(&off.to_le_bytes());
            revdep_bytes.extend_from_slice(&len.to_le_bytes());
            revdep_bytes.extend_from_slice(&record.to_le_bytes());
            revdep_bytes.extend_from_slice(&mask.to_le_bytes());
        }
    }
    let strings = strings.bytes;
    let count = u32::try_from(records.len()).map_err(|_| too_big())?;
    let revdep_count = u32::try_from(revdep_count).map_err(|_| too_big())?;
    let records_off = HEADER_LEN as u64;
    let meta_off = records_off + record_refs.len() as u64;
    let kv_off = meta_off + meta_bytes.len() as u64;
    let revdep_off = kv_off + kv_bytes.len() as u64;
    let snapshot_off = revdep_off + revdep_bytes.len() as u64;
    let strings_off = snapshot_off + snapshot.len() as u64;
    let total = strings_off + strings.len() as u64;

    let mut out = Vec::with_capacity(usize::try_from(total).map_err(|_| too_big())?);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(FIELD_COUNT as u32).to_le_bytes());
    out.extend_from_slice(&total.to_le_bytes());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&revdep_count.to_le_bytes());
    out.extend_from_slice(&records_off.to_le_bytes());
    out.extend_from_slice(&revdep_off.to_le_bytes());
    out.extend_from_slice(&strings_off.to_le_bytes());
    out.extend_from_slice(&(strings.len() as u64).to_le_bytes());
    out.extend_from_slice(fingerprint);
    out.extend_from_slice(&0u64.to_le_bytes());
    out.extend_from_slice(&flags.to_le_bytes());
    out.extend_from_slice(&kv_count.to_le_bytes());
    out.extend_from_slice(&meta_off.to_le_bytes());
    out.extend_from_slice(&kv_off.to_le_bytes());
    out.extend_from_slice(&snapshot_off.to_le_bytes());
    out.extend_from_slice(&(snapshot.len() as u64).to_le_bytes());
    out.resize(HEADER_LEN, 0);
    out.extend_from_slice(&record_refs);
    out.extend_from_slice(&meta_bytes);
    out.extend_from_slice(&kv_bytes);
    out.extend_from_slice(&revdep_bytes);
    out.extend_from_slice(snapshot);
    out.extend_from_slice(&strings);
    let sum = file_checksum(&out);
    out[96..104].copy_from_slice(&sum.to_le_bytes());
    Ok(out)
}

/// What the decoder learned from a valid file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub flags: u32,
    pub count: usize,
    pub kv_count: usize,
    pub revdep_count: usize,
    pub records_off: usize,
    pub revdep_off: usize,
    pub strings_off: usize,
    pub meta_off: usize,
    pub kv_off: usize,
    pub snapshot_off: usize,
    pub snapshot_len: usize,
    pub fingerprint: [u8; 32],
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_le_bytes)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

/// Reads the `(offset, length)` pair at byte `at`.
pub(crate) fn str_ref(b: &[u8], at: usize) -> (usize, usize) {
    (u32_at(b, at) as usize, u32_at(b, at + 4) as usize)
}

/// Reads a `u32` at byte `at` (0 when out of bounds; callers only pass validated offsets).
pub(crate) fn read_u32(b: &[u8], at: usize) -> u32 {
    u32_at(b, at)
}

/// Checks the header (magic, version, sizes, section offsets against the counts and
/// the file length) and returns the layout; the sections' contents are not read
/// ([`verify`] does that).
pub(crate) fn decode_layout(bytes: &[u8], path: &Path) -> Result<Layout, CacheError> {
    let corrupt = |at: usize, reason: String| CacheError::CorruptIndex {
        path: path.to_owned(),
        byte_offset: at as u64,
        reason,
    };
    if bytes.len() < HEADER_LEN {
        return Err(corrupt(
            0,
            format!("{} bytes, shorter than the header", bytes.len()),
        ));
    }
    if &bytes[..8] != MAGIC {
        return Err(corrupt(0, "bad magic".to_owned()));
    }
    let version = u32_at(bytes, 8);
    if version != FORMAT_VERSION {
        return Err(corrupt(
            8,
            format!("format version {version}, expected {FORMAT_VERSION}"),
        ));
    }
    let fields = u32_at(bytes, 12) as usize;
    if fields != FIELD_COUNT {
        return Err(corrupt(
            12,
            format!("{fields} fields per record, expected {FIELD_COUNT}"),
        ));
    }
    let total = u64_at(bytes, 16);
    if total != bytes.len() as u64 {
        return Err(corrupt(
            16,
            format!("header says {total} bytes, file has {}", bytes.len()),
        ));
    }
    let count = u32_at(bytes, 24) as usize;
    let revdep_count = u32_at(bytes, 28) as usize;
    let to_usize = |v: u64, at: usize| {
        usize::try_from(v).map_err(|_| corrupt(at, "offset too large".to_owned()))
    };
    let records_off = to_usize(u64_at(bytes, 32), 32)?;
    let revdep_off = to_usize(u64_at(bytes, 40), 40)?;
    let strings_off = to_usize(u64_at(bytes, 48), 48)?;
    let strings_len = to_usize(u64_at(bytes, 56), 56)?;
    let kv_count = u32_at(bytes, 108) as usize;
    let meta_off = to_usize(u64_at(bytes, 112), 112)?;
    let kv_off = to_usize(u64_at(bytes, 120), 120)?;
    let snapshot_off = to_usize(u64_at(bytes, 128), 128)?;
    let snapshot_len = to_usize(u64_at(bytes, 136), 136)?;
    let after =
        |off: usize, n: usize, each: usize| n.checked_mul(each).and_then(|x| x.checked_add(off));
    if records_off != HEADER_LEN
        || Some(meta_off) != after(records_off, count, FIELD_COUNT * 8)
        || Some(kv_off) != after(meta_off, count, META_LEN)
        || Some(revdep_off) != after(kv_off, kv_count, KV_LEN)
        || Some(snapshot_off) != after(revdep_off, revdep_count, REVDEP_LEN)
        || Some(strings_off) != after(snapshot_off, snapshot_len, 1)
        || strings_off.checked_add(strings_len) != Some(bytes.len())
    {
        return Err(corrupt(
            32,
            "section offsets do not match the counts and file length".to_owned(),
        ));
    }
    let mut fingerprint = [0u8; 32];
    fingerprint.copy_from_slice(&bytes[64..96]);
    let flags = u32_at(bytes, 104);
    Ok(Layout {
        flags,
        count,
        kv_count,
        revdep_count,
        records_off,
        revdep_off,
        strings_off,
        meta_off,
        kv_off,
        snapshot_off,
        snapshot_len,
        fingerprint,
    })
}

/// Checks the contents of an index whose layout [`decode_layout`] returned: the
/// checksum, the string table's UTF-8 and every string and record reference's bounds
/// (the checksum on one thread, the rest on another).
pub(crate) fn verify(bytes: &[u8], layout: &Layout, path: &Path) -> Result<(), CacheError> {
    let corrupt = |at: usize, reason: String| CacheError::CorruptIndex {
        path: path.to_owned(),
        byte_offset: at as u64,
        reason,
    };
    let &Layout {
        count,
        kv_count,
        revdep_count,
        records_off,
        revdep_off,
        strings_off,
        meta_off,
        kv_off,
        ..
    } = layout;
    let checksum = || {
        let stored = u64_at(bytes, 96);
        let actual = file_checksum(bytes);
        if stored != actual {
            return Err(corrupt(
                96,
                format!("checksum {actual:016x} does not match {stored:016x}"),
            ));
        }
        Ok(())
    };
    let contents = || {
        let strings = &bytes[strings_off..];
        if let Err(e) = std::str::from_utf8(strings) {
            return Err(corrupt(
                strings_off + e.valid_up_to(),
                "string table is not UTF-8".to_owned(),
            ));
        }
        // Bounds of every reference, checked in tight loops over the sections (the slow
        // per-item search runs only to name the offending item of a corrupt file).
        let table_len = strings.len() as u64;
        let ref_end = |c: &[u8]| -> u64 {
            let w = |i: usize| u64::from(u32::from_le_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]));
            w(0) + w(4)
        };
        let check_refs = |off: usize, n: usize, stride: usize| -> Result<(), CacheError> {
            let region = &bytes[off..off + n * stride];
            let max = region.chunks_exact(stride).map(ref_end).max().unwrap_or(0);
            if max <= table_len {
                return Ok(());
            }
            let i = region
                .chunks_exact(stride)
                .position(|c| ref_end(c) > table_len)
                .unwrap_or(0);
            let (o, l) = str_ref(bytes, off + i * stride);
            Err(corrupt(
                off + i * stride,
                format!("string {o}+{l} outside the table"),
            ))
        };
        check_refs(records_off, count * FIELD_COUNT, 8)?;
        check_refs(kv_off, kv_count * 2, 8)?;
        check_refs(revdep_off, revdep_count, REVDEP_LEN)?;
        let kv_max = bytes[meta_off..meta_off + count * META_LEN]
            .chunks_exact(META_LEN)
            .map(ref_end)
            .max()
            .unwrap_or(0);
        if kv_max > kv_count as u64 {
            let i = bytes[meta_off..meta_off + count * META_LEN]
                .chunks_exact(META_LEN)
                .position(|c| ref_end(c) > kv_count as u64)
                .unwrap_or(0);
            return Err(corrupt(
                meta_off + i * META_LEN,
                format!("record {i} names kv pairs past {kv_count}"),
            ));
        }
        let rec_max = bytes[revdep_off..revdep_off + revdep_count * REVDEP_LEN]
            .chunks_exact(REVDEP_LEN)
            .map(|c| u32::from_le_bytes([c[8], c[9], c[10], c[11]]))
            .max();
        if let Some(record) = rec_max.filter(|&r| r as usize >= count) {
            return Err(corrupt(
                revdep_off,
                format!("revdep names record {record} of {count}"),
            ));
        }
        Ok(())
    };
    let (a, b) = rayon::join(checksum, contents);
    a.and(b)
}

/// The checksum of a whole index file (at least [`HEADER_LEN`] bytes): the body's, mixed
/// with the header's with the checksum field taken as zero.
fn file_checksum(bytes: &[u8]) -> u64 {
    let mut header = [0u8; HEADER_LEN];
    header.copy_from_slice(&bytes[..HEADER_LEN]);
    header[96..104].fill(0);
    let h = checksum(&header);
    checksum(&bytes[HEADER_LEN..]) ^ h.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17)
}

/// A fast 64-bit Fletcher-style checksum over little-endian words (four lane pairs, so
/// it runs at memory speed), to detect corruption and truncation, not tampering.
pub(crate) fn checksum(data: &[u8]) -> u64 {
    let mut a = [1u64, 2, 3, 4];
    let mut b = [0u64; 4];
    let mut step = |chunk: &[u8]| {
        for (i, word) in chunk.chunks_exact(8).enumerate() {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            a[i] = a[i].wrapping_add(u64::from_le_bytes(w));
            b[i] = b[i].wrapping_add(a[i]);
        }
    };
    let mut chunks = data.chunks_exact(32);
    for chunk in &mut chunks {
        step(chunk);
    }
    let mut tail = [0u8; 32];
    let rest = chunks.remainder();
    tail[..rest.len()].copy_from_slice(rest);
    step(&tail);
    let mut h = data.len() as u64;
    for (x, y) in a.into_iter().zip(b) {
        h = (h ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
        h = (h ^ y).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(31);
    }
    h
}
