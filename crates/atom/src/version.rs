//! Package versions (PMS §3.2) and their total order (PMS §3.3, algorithms 3.1–3.7).
//!
//! A [`Version`] keeps its original spelling (for [`Display`](fmt::Display)) and, computed
//! once at parse time, a *comparison key*: a byte string whose lexicographic order is
//! exactly the PMS version order. Comparing, hashing and equality work on that key, so
//! they are mutually consistent (`1.0 == 1.00`, `1 == 01`, `1.0-r0 == 1.0`, but
//! `0 != 0.0` and `1.010.02 != 1.01.2`) and a comparison is one `memcmp`.
//!
//! Numbers are unbounded: they are compared as digit strings (leading zeros stripped,
//! then by length, then by digits), never converted to fixed-width integers.
//!
//! # Key layout
//!
//! Every part becomes a self-delimiting token, so two keys first differ inside
//! corresponding tokens and the byte comparison there gives the PMS answer:
//!
//! * a *number* (first component, suffix numbers, revision) is its digits without leading
//!   zeros, preceded by their count (one byte below `0x7f`, or `0x7f` and 8 hex digits);
//! * each later numeric component is `0x02` + its digits with trailing zeros stripped +
//!   `0x00` when it starts with `0` (string comparison, PMS algorithm 3.3), or `0x03` +
//!   a number otherwise. Every `0`-led component sorts below every other one, as in PMS;
//! * `0x01` ends the numeric components (so more components sort higher);
//! * the letter, or `0x00` when there is none;
//! * each suffix is its kind (`_alpha` 1, `_beta` 2, `_pre` 3, `_rc` 4, `_p` 6) and a
//!   number; `0x05` ends the suffix list, so an extra `_p` sorts higher and any other
//!   extra suffix lower (PMS algorithm 3.5);
//! * the revision number (absent = 0).
//!
//! The whole key is ASCII. Text and key share one buffer, stored inline (no
//! allocation) for versions of up to a few dozen bytes.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use winnow::Parser;
use winnow::token::take_while;

use crate::error::{InputKind, ParseError};

const K_STRING_COMPONENT: u8 = 0x02;
const K_NUMBER_COMPONENT: u8 = 0x03;
const K_END_COMPONENTS: u8 = 0x01;
const K_NO_LETTER: u8 = 0x00;
const K_ALPHA: u8 = 0x01;
const K_BETA: u8 = 0x02;
const K_PRE: u8 = 0x03;
const K_RC: u8 = 0x04;
const K_END_SUFFIXES: u8 = 0x05;
const K_P: u8 = 0x06;
const K_LONG_NUMBER: u8 = 0x7f;

/// Where the comparison key is written while scanning: a real buffer, or a counter when
/// only validity is wanted (no allocation).
trait KeySink {
    fn push(&mut self, b: u8);
    fn extend(&mut self, b: &[u8]);
    fn len(&self) -> usize;
}

/// Appends the key to a heap buffer that already holds the text; lengths are
/// key-relative.
struct KeyVec<'a> {
    buf: &'a mut Vec<u8>,
    base: usize,
}

impl KeySink for KeyVec<'_> {
    #[inline]
    fn push(&mut self, b: u8) {
        self.buf.push(b);
    }
    #[inline]
    fn extend(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
    }
    #[inline]
    fn len(&self) -> usize {
        self.buf.len() - self.base
    }
}

/// Bytes of text plus key stored inline (no allocation) when they fit.
const INLINE: usize = 46;

/// Appends the key to an inline buffer that already holds the text. If the key does not
/// fit, `overflow` is set and the caller starts again on the heap.
struct KeyInline<'a> {
    buf: &'a mut [u8; INLINE],
    len: usize,
    base: usize,
    overflow: bool,
}

impl KeySink for KeyInline<'_> {
    #[inline]
    fn push(&mut self, b: u8) {
        match self.buf.get_mut(self.len) {
            Some(slot) => {
                *slot = b;
                self.len += 1;
            }
            None => self.overflow = true,
        }
    }
    #[inline]
    fn extend(&mut self, b: &[u8]) {
        // Parts are short: a byte loop beats a `memcpy` call.
        for &c in b {
            self.push(c);
        }
    }
    #[inline]
    fn len(&self) -> usize {
        self.len - self.base
    }
}

/// The text followed by the key: inline when short, else on the heap.
#[derive(Clone)]
enum Storage {
    Inline { buf: [u8; INLINE], len: u8 },
    Heap(Box<[u8]>),
}

impl Storage {
    #[inline]
    fn bytes(&self) -> &[u8] {
        match self {
            Storage::Inline { buf, len } => &buf[..usize::from(*len)],
            Storage::Heap(b) => b,
        }
    }
}

/// Counts key bytes without storing them.
struct KeyCounter(usize);

impl KeySink for KeyCounter {
    #[inline]
    fn push(&mut self, _: u8) {
        self.0 += 1;
    }
    #[inline]
    fn extend(&mut self, b: &[u8]) {
        self.0 += b.len();
    }
    #[inline]
    fn len(&self) -> usize {
        self.0
    }
}

/// Offsets found while scanning.
#[derive(Clone, Copy)]
struct Layout {
    /// Text offset of `-r`, or the text length.
    rev_text: usize,
    /// Key offset at which the revision number starts.
    key_rev: usize,
    /// Length of the key prefix an `=V*` pattern must share (see [`Version::glob_matches`]).
    glob_len: usize,
}

#[inline]
fn digits1<'i>(input: &mut &'i [u8]) -> Option<&'i [u8]> {
    let r: winnow::Result<&'i [u8]> = take_while(1.., b'0'..=b'9').parse_next(input);
    r.ok()
}

#[inline]
fn digits0<'i>(input: &mut &'i [u8]) -> &'i [u8] {
    let r: winnow::Result<&'i [u8]> = take_while(0.., b'0'..=b'9').parse_next(input);
    r.unwrap_or_default()
}

/// Writes an unbounded number: digits without leading zeros, preceded by their count.
#[inline(always)]
fn push_number<K: KeySink>(key: &mut K, digits: &[u8]) {
    let start = digits
        .iter()
        .position(|&b| b != b'0')
        .unwrap_or(digits.len());
    let d = &digits[start..];
    if d.len() < usize::from(K_LONG_NUMBER) {
        key.push(d.len() as u8);
    } else {
        // Order-preserving: lowercase hex digits sort like their values.
        key.push(K_LONG_NUMBER);
        key.extend(format!("{:08x}", d.len()).as_bytes());
    }
    key.extend(d);
}

/// Scans a version, writing its comparison key. Errors are `(byte offset, reason)`.
#[inline(always)]
fn scan<K: KeySink>(s: &[u8], key: &mut K) -> Result<Layout, (usize, &'static str)> {
    let total = s.len();
    if total > (u32::MAX / 4) as usize {
        return Err((0, "too long"));
    }
    let mut input = s;
    let at = |rest: &[u8]| total - rest.len();

    let Some(first) = digits1(&mut input) else {
        return Err((
            0,
            if s.is_empty() {
                "must not be empty"
            } else {
                "must start with a digit"
            },
        ));
    };
    push_number(key, first);
    while let [b'.', rest @ ..] = input {
        let dot = at(input);
        input = rest;
        let Some(d) = digits1(&mut input) else {
            return Err((dot + 1, "expected a digit after '.'"));
        };
        if d[0] == b'0' {
            let end = d.iter().rposition(|&b| b != b'0').map_or(0, |i| i + 1);
            key.push(K_STRING_COMPONENT);
            key.extend(&d[..end]);
            key.push(0);
        } else {
            key.push(K_NUMBER_COMPONENT);
            push_number(key, d);
        }
    }
    let mut glob_len = key.len();
    key.push(K_END_COMPONENTS);

    match input {
        [c @ b'a'..=b'z', rest @ ..] => {
            key.push(*c);
            input = rest;
            glob_len = key.len();
        }
        _ => key.push(K_NO_LETTER),
    }

    while let [b'_', rest @ ..] = input {
        let underscore = at(input);
        let (kind, len) = if rest.starts_with(b"alpha") {
            (K_ALPHA, 5)
        } else if rest.starts_with(b"beta") {
            (K_BETA, 4)
        } else if rest.starts_with(b"pre") {
            (K_PRE, 3)
        } else if rest.starts_with(b"rc") {
            (K_RC, 2)
        } else if rest.starts_with(b"p") {
            (K_P, 1)
        } else {
            return Err((
                underscore + 1,
                "unknown suffix (expected alpha, beta, pre, rc or p)",
            ));
        };
        input = &rest[len..];
        key.push(kind);
        // A suffix written without a number matches any number in an `=V*` pattern
        // (Portage's boundary rule: `=1_rc*` matches `1_rc3`).
        glob_len = key.len();
        let d = digits0(&mut input);
        push_number(key, d);
        if !d.is_empty() {
            glob_len = key.len();
        }
    }
    key.push(K_END_SUFFIXES);

    let key_rev = key.len();
    let rev_text = at(input);
    match input {
        [] => push_number(key, b""),
        [b'-', b'r', rest @ ..] => {
            input = rest;
            let Some(d) = digits1(&mut input) else {
                return Err((rev_text + 2, "expected a revision number after '-r'"));
            };
            push_number(key, d);
            glob_len = key.len();
            if !input.is_empty() {
                return Err((at(input), "unexpected character after the revision"));
            }
        }
        [b'-', ..] => {
            return Err((rev_text, "expected '-r' followed by a revision number"));
        }
        [b'.', ..] => return Err((rev_text, "unexpected '.' after a letter or suffix")),
        [b'a'..=b'z', ..] => return Err((rev_text, "only one letter is allowed")),
        _ => return Err((rev_text, "unexpected character")),
    }
    Ok(Layout {
        rev_text,
        key_rev,
        glob_len,
    })
}

/// Whether `s` is a valid PMS version (`1.2.3b_rc1_p2-r3`). Does not allocate.
///
/// ```
/// use strata_atom::version::is_valid_version;
/// assert!(is_valid_version("1.0_rc1-r2"));
/// assert!(!is_valid_version("1.0-"));
/// ```
pub fn is_valid_version(s: &str) -> bool {
    // Quick reject for the common case of package-name parts.
    matches!(s.as_bytes().first(), Some(b'0'..=b'9'))
        && scan(s.as_bytes(), &mut KeyCounter(0)).is_ok()
}

/// A package version: `numbers letter? suffix* revision?` (PMS §3.2).
///
/// Ordering, equality and hashing follow PMS §3.3; `Display` gives the original spelling.
///
/// ```
/// use strata_atom::version::Version;
/// let a: Version = "1.0.2".parse().unwrap();
/// let b: Version = "1.000.2-r0".parse().unwrap();
/// assert_eq!(a, b);
/// assert!(Version::parse("1_rc1").unwrap() < Version::parse("1").unwrap());
/// assert!(Version::parse("1").unwrap() < Version::parse("1_p").unwrap());
/// assert_eq!(b.to_string(), "1.000.2-r0");
/// ```
#[derive(Clone)]
pub struct Version {
    /// The original text followed by the comparison key.
    storage: Storage,
    text_len: u32,
    rev_text: u32,
    key_rev: u32,
    glob_len: u32,
}

impl Version {
    /// Parses a version. Short versions (the usual case) do not allocate.
    ///
    /// ```
    /// use strata_atom::version::Version;
    /// let err = Version::parse("1..2").unwrap_err();
    /// assert_eq!(err.position(), Some(2));
    /// ```
    pub fn parse(s: &str) -> Result<Version, ParseError> {
        Version::build(s)
            .map_err(|(pos, reason)| ParseError::invalid(InputKind::Version, s, pos, reason))
    }

    /// Parses a version, without building an error on failure.
    #[inline]
    pub(crate) fn try_parse(s: &str) -> Option<Version> {
        if !matches!(s.as_bytes().first(), Some(b'0'..=b'9')) {
            return None;
        }
        Version::build(s).ok()
    }

    #[inline]
    fn build(s: &str) -> Result<Version, (usize, &'static str)> {
        let text = s.as_bytes();
        if text.len() < INLINE {
            let mut buf = [0u8; INLINE];
            buf[..text.len()].copy_from_slice(text);
            let mut sink = KeyInline {
                buf: &mut buf,
                len: text.len(),
                base: text.len(),
                overflow: false,
            };
            let layout = scan(text, &mut sink)?;
            if !sink.overflow {
                let len = sink.len as u8;
                return Ok(Version::from_layout(
                    Storage::Inline { buf, len },
                    text.len(),
                    layout,
                ));
            }
        }
        let mut buf = Vec::with_capacity(2 * text.len() + 8);
        buf.extend_from_slice(text);
        let layout = scan(
            text,
            &mut KeyVec {
                buf: &mut buf,
                base: text.len(),
            },
        )?;
        Ok(Version::from_layout(
            Storage::Heap(buf.into_boxed_slice()),
            text.len(),
            layout,
        ))
    }

    fn from_layout(storage: Storage, text_len: usize, layout: Layout) -> Version {
        // `scan` rejects inputs over u32::MAX / 4 bytes, so every offset fits.
        Version {
            storage,
            text_len: text_len as u32,
            rev_text: layout.rev_text as u32,
            key_rev: layout.key_rev as u32,
            glob_len: layout.glob_len as u32,
        }
    }

    /// `text[start..end]`, viewed as `&str` without re-validating it on every access.
    #[inline]
    fn text(&self, start: usize, end: usize) -> &str {
        let b = &self.storage.bytes()[start..end];
        debug_assert!(b.is_ascii());
        // SAFETY: only versions the scanner accepted are stored, and the version grammar
        // is ASCII-only (digits, '.', a-z, '_', '-', 'r'), so any sub-slice of the text
        // is ASCII and hence valid UTF-8.
        unsafe { std::str::from_utf8_unchecked(b) }
    }

    /// The version as written (PVR: `1.2-r3`).
    #[inline]
    pub fn as_str(&self) -> &str {
        self.text(0, self.text_len as usize)
    }

    /// The comparison key (see the module docs); equal keys mean equal versions.
    #[inline]
    pub fn key(&self) -> &[u8] {
        &self.storage.bytes()[self.text_len as usize..]
    }

    /// The version without its revision, as written (PV: `1.2` for `1.2-r3`).
    #[inline]
    pub fn base(&self) -> &str {
        self.text(0, self.rev_text as usize)
    }

    /// Whether a `-rN` part was written (`1.0-r0` has one, `1.0` has not).
    #[inline]
    pub fn has_revision(&self) -> bool {
        self.rev_text != self.text_len
    }

    /// The revision digits as written (`"00"` for `-r00`), or `"0"` when there is none.
    #[inline]
    pub fn revision(&self) -> &str {
        if self.has_revision() {
            self.text(self.rev_text as usize + 2, self.text_len as usize)
        } else {
            "0"
        }
    }

    /// The revision as a number, or `None` if it does not fit in a `u64`.
    pub fn revision_number(&self) -> Option<u64> {
        self.revision().parse().ok()
    }

    /// This version with its revision removed (`1.2-r3` → `1.2`).
    pub fn without_revision(&self) -> Version {
        // Re-parsing the PV of a valid version cannot fail; fall back to a clone to
        // stay panic-free regardless.
        Version::parse(self.base()).unwrap_or_else(|_| self.clone())
    }

    /// The comparison key without the revision number.
    #[inline]
    pub(crate) fn key_without_revision(&self) -> &[u8] {
        &self.key()[..self.key_rev as usize]
    }

    /// Compares two versions ignoring their revisions (the `~` operator).
    #[inline]
    pub fn cmp_ignoring_revision(&self, other: &Version) -> Ordering {
        self.key_without_revision()
            .cmp(other.key_without_revision())
    }

    /// Whether two versions are equal once revisions are ignored (PMS `~`): `1.0` and
    /// `1.00-r3` are.
    #[inline]
    pub fn eq_ignoring_revision(&self, other: &Version) -> bool {
        self.key_without_revision() == other.key_without_revision()
    }

    /// Whether `candidate` matches `self` used as an `=V*` pattern.
    ///
    /// Component-wise (PMS: only the given components are compared, each by the normal
    /// rules), with Portage's boundary rule: `=1.2*` matches `1.2`, `1.2.3`, `1.2a`,
    /// `1.2_rc1` and `1.2-r3` but not `1.20`; a trailing suffix written without a
    /// number matches any number (`=1_rc*` matches `1_rc2`); a revision in the pattern
    /// must be equal.
    ///
    /// ```
    /// use strata_atom::version::Version;
    /// let p = Version::parse("1.2").unwrap();
    /// assert!(p.glob_matches(&Version::parse("1.2.3").unwrap()));
    /// assert!(!p.glob_matches(&Version::parse("1.20").unwrap()));
    /// ```
    #[inline]
    pub fn glob_matches(&self, candidate: &Version) -> bool {
        candidate.key().starts_with(self.glob_prefix())
    }

    /// The key prefix shared by every version an `=V*` pattern matches.
    #[inline]
    pub(crate) fn glob_prefix(&self) -> &[u8] {
        &self.key()[..self.glob_len as usize]
    }

    /// Whether the `=V*` pattern fixes the revision (then it matches one version only).
    #[inline]
    pub(crate) fn glob_has_revision(&self) -> bool {
        self.has_revision()
    }

    /// Whether `other` is the version that immediately follows `self`: same version
    /// apart from a revision exactly one higher. No version lies strictly between them.
    pub(crate) fn is_immediately_followed_by(&self, other: &Version) -> bool {
        if !self.eq_ignoring_revision(other) {
            return false;
        }
        let a = self.revision().trim_start_matches('0');
        let b = other.revision().trim_start_matches('0');
        decimal_increment(a) == b
    }
}

/// `n + 1` for a decimal digit string without leading zeros (`""` is zero).
fn decimal_increment(n: &str) -> String {
    let mut digits: Vec<u8> = n.bytes().collect();
    let mut i = digits.len();
    loop {
        if i == 0 {
            digits.insert(0, b'1');
            break;
        }
        i -= 1;
        if digits[i] == b'9' {
            digits[i] = b'0';
        } else {
            digits[i] += 1;
            break;
        }
    }
    digits.into_iter().map(char::from).collect()
}

impl PartialEq for Version {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Version {}

impl PartialOrd for Version {
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Version {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(other.key())
    }
}

impl Hash for Version {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Version({:?})", self.as_str())
    }
}

impl FromStr for Version {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Version::parse(s)
    }
}

impl AsRef<str> for Version {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn h(x: &Version) -> u64 {
        let mut s = DefaultHasher::new();
        x.hash(&mut s);
        s.finish()
    }

    #[test]
    fn ordering_rules() {
        let chains: &[&[&str]] = &[
            &["0", "1", "2", "10", "100"],
            &["1.0", "1.0.0", "1.0.1", "1.1", "1.2", "1.10"],
            &["1.01", "1.1"],
            &["1.001", "1.01", "1.010.02", "1.01.2"],
            &["1.0b", "1.0.0"],
            &["12.2b", "12.2.5"],
            &["1", "1a", "1b", "1z", "1.0"],
            &["1_alpha", "1_beta", "1_pre", "1_rc", "1", "1_p"],
            &["1_alpha_beta_p", "1_alpha", "1_alpha_p"],
            &["1_rc1", "1_rc2", "1_rc10"],
            &["1", "1-r1", "1-r2", "1-r10", "1.0"],
            &["1_p", "1_p1", "1_p2"],
            &["1-r9999", "1_p"],
        ];
        for chain in chains {
            for w in chain.windows(2) {
                assert!(v(w[0]) < v(w[1]), "{} < {}", w[0], w[1]);
                assert!(v(w[1]) > v(w[0]), "{} > {}", w[1], w[0]);
            }
        }
    }

    #[test]
    fn equality_and_hash() {
        let eq = [
            ("1.0", "1.00"),
            ("1.0100", "1.010"),
            ("1", "01"),
            ("01.01", "1.01"),
            ("1.0.2", "1.0.2-r0"),
            ("1.0.2", "1.000.2"),
            ("0_beta01", "0_beta001"),
            ("1.2_pre08-r09", "1.2_pre8-r9"),
            ("1_p", "1_p0"),
            ("1-r0", "1-r00"),
        ];
        for (a, b) in eq {
            assert_eq!(v(a), v(b), "{a} == {b}");
            assert_eq!(h(&v(a)), h(&v(b)), "hash {a} == {b}");
            assert_ne!(v(a).to_string(), v(b).to_string());
        }
        for (a, b) in [
            ("0", "0.0"),
            ("1.010.02", "1.01.2"),
            ("1.1", "1.10"),
            ("1.10", "1.100"),
        ] {
            assert_ne!(v(a), v(b), "{a} != {b}");
        }
    }

    #[test]
    fn huge_numbers() {
        let a = v("123456789012345678901234567890");
        let b = v("123456789012345678901234567891");
        assert!(a < b);
        assert!(v("18446744073709551616") > v("18446744073709551615"));
        let long = "9".repeat(300);
        let longer = format!("1{}", "0".repeat(300));
        assert!(v(&long) < v(&longer));
        assert!(v(&format!("1.{long}")) < v(&format!("1.{longer}")));
        assert_eq!(v(&format!("000{long}")), v(&long));
    }

    #[test]
    fn invalid() {
        for s in [
            "", ".", "-1", ".1", "1.", "a", "a1", "1a-1", "1aa", "1.a", "1_a", "1a.2", "1..2",
            "1-r", "1_p-", "1_blah", "1-r1-r1", "1A", "1_P", " 1", "1 ", "1-1", "1_rc-", "1__p",
            "1-r-1", "1_pre1.2",
        ] {
            assert!(Version::parse(s).is_err(), "{s:?} should be invalid");
            assert!(!is_valid_version(s), "{s:?} should be invalid");
        }
    }

    #[test]
    fn accessors() {
        let x = v("1.2_rc3-r04");
        assert_eq!(x.as_str(), "1.2_rc3-r04");
        assert_eq!(x.base(), "1.2_rc3");
        assert_eq!(x.revision(), "04");
        assert_eq!(x.revision_number(), Some(4));
        assert!(x.has_revision());
        assert_eq!(x.without_revision().as_str(), "1.2_rc3");
        let y = v("1.2");
        assert_eq!(y.revision(), "0");
        assert!(!y.has_revision());
        assert!(v("1.00-r3").eq_ignoring_revision(&v("1.0")));
        assert_eq!(v("1-r5").cmp_ignoring_revision(&v("1-r1")), Ordering::Equal);
    }

    #[test]
    fn glob() {
        let yes = [
            ("1", "1"),
            ("1", "1.0"),
            ("1", "1.2.3"),
            ("1", "1_rc1"),
            ("1", "1a"),
            ("1", "1-r3"),
            ("1", "01.5"),
            ("1.2", "1.2"),
            ("1.2", "1.2.3"),
            ("1.2", "1.2_rc1"),
            ("1.2", "1.2-r3"),
            ("1.0", "1.00"),
            ("1_rc", "1_rc5"),
            ("1_rc", "1_rc"),
            ("1_rc1", "1_rc1_p2"),
            ("1a", "1a_p1"),
            ("1-r1", "1-r01"),
        ];
        for (p, c) in yes {
            assert!(v(p).glob_matches(&v(c)), "={p}* matches {c}");
        }
        let no = [
            ("1", "10"),
            ("1.2", "1.20"),
            ("1.2", "1.3"),
            ("1.0", "1.01"),
            ("1_rc1", "1_rc10"),
            ("1_p", "1_pre1"),
            ("1_rc", "1a_rc1"),
            ("1_rc", "1.0_rc1"),
            ("1a", "1.2a"),
            ("1-r1", "1-r10"),
            ("1.2", "1"),
        ];
        for (p, c) in no {
            assert!(!v(p).glob_matches(&v(c)), "={p}* does not match {c}");
        }
    }

    #[test]
    fn successor() {
        assert!(v("1").is_immediately_followed_by(&v("1-r1")));
        assert!(!v("1-r9").is_immediately_followed_by(&v("1.0-r10")));
        assert!(v("1-r9").is_immediately_followed_by(&v("1-r10")));
        assert!(v("1-r099").is_immediately_followed_by(&v("1-r100")));
        assert!(!v("1").is_immediately_followed_by(&v("1-r2")));
        assert!(!v("1").is_immediately_followed_by(&v("1")));
    }

    #[test]
    fn error_positions() {
        let e = Version::parse("1.2_blah").unwrap_err();
        assert_eq!(e.position(), Some(4));
        let e = Version::parse("1.2-r").unwrap_err();
        assert_eq!(e.position(), Some(5));
        let e = Version::parse("1.2b-1").unwrap_err();
        assert_eq!(e.position(), Some(4));
        assert!(e.to_string().contains("1.2b-1"));
    }
}
