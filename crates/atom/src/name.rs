//! Validation of the PMS name grammars (PMS §3.1): categories, packages, slots, USE flags,
//! repositories, keywords, licenses, eclasses and EAPIs.
//!
//! Each validator returns the input's error with the byte position of the first bad
//! character, e.g. `invalid category name "-foo": must not start with '-' (at 0)`.

use crate::error::{InputKind, ParseError};

/// Character classes, one bit each, looked up in [`CLASS`].
const ALNUM: u8 = 1;
const UNDERSCORE: u8 = 2;
const PLUS: u8 = 4;
const DOT: u8 = 8;
const HYPHEN: u8 = 16;
const AT: u8 = 32;
const ALPHA: u8 = 64;

/// `[A-Za-z0-9_]`
const WORD: u8 = ALNUM | UNDERSCORE;
/// Category, slot, license and EAPI characters: `[A-Za-z0-9+_.-]`.
const CAT: u8 = WORD | PLUS | DOT | HYPHEN;
/// Package-name characters: `[A-Za-z0-9+_-]`.
const PN: u8 = WORD | PLUS | HYPHEN;
/// Repository and keyword characters: `[A-Za-z0-9_-]`.
const REPO: u8 = WORD | HYPHEN;
/// USE flag characters: `[A-Za-z0-9+_@-]`.
const USE: u8 = WORD | PLUS | AT | HYPHEN;
/// Eclass characters: `[A-Za-z0-9_.-]`.
const ECLASS: u8 = WORD | DOT | HYPHEN;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_alphabetic() {
            ALNUM | ALPHA
        } else if b.is_ascii_digit() {
            ALNUM
        } else {
            match b {
                b'_' => UNDERSCORE,
                b'+' => PLUS,
                b'.' => DOT,
                b'-' => HYPHEN,
                b'@' => AT,
                _ => 0,
            }
        };
        c += 1;
    }
    t
};

#[inline]
fn is(b: u8, class: u8) -> bool {
    CLASS[usize::from(b)] & class != 0
}

/// Shared check: non-empty, first byte in class `first`, later bytes in class `rest`.
#[inline]
fn check(
    kind: InputKind,
    s: &str,
    first: u8,
    first_reason: &'static str,
    rest: u8,
) -> Result<(), ParseError> {
    let bytes = s.as_bytes();
    let Some(&b0) = bytes.first() else {
        return Err(ParseError::invalid(kind, s, 0, "must not be empty"));
    };
    if !is(b0, first) {
        return Err(ParseError::invalid(kind, s, 0, first_reason));
    }
    if let Some(i) = bytes.iter().position(|&b| !is(b, rest)) {
        return Err(ParseError::invalid(
            kind,
            s,
            i,
            format!("invalid character {:?}", char::from(bytes[i])),
        ));
    }
    Ok(())
}

/// How many leading bytes of `b` are valid category characters, and whether the first of
/// them may start a category. Lets a parser find and check a category in one pass.
#[inline]
pub(crate) fn category_prefix(b: &[u8]) -> (usize, bool) {
    let len = b.iter().position(|&c| !is(c, CAT)).unwrap_or(b.len());
    (len, b.first().is_some_and(|&c| is(c, WORD)))
}

/// Validates a category name: `[A-Za-z0-9_][A-Za-z0-9+_.-]*`.
pub fn validate_category(s: &str) -> Result<(), ParseError> {
    check(
        InputKind::Category,
        s,
        WORD,
        "must start with a letter, digit or '_'",
        CAT,
    )
}

/// Validates a slot or sub-slot name: same grammar as a category.
pub fn validate_slot(s: &str) -> Result<(), ParseError> {
    check(
        InputKind::Slot,
        s,
        WORD,
        "must start with a letter, digit or '_'",
        CAT,
    )
}

/// Validates a license name: same grammar as a category.
pub fn validate_license(s: &str) -> Result<(), ParseError> {
    check(
        InputKind::License,
        s,
        WORD,
        "must start with a letter, digit or '_'",
        CAT,
    )
}

/// Validates an EAPI name: same grammar as a category.
pub fn validate_eapi_name(s: &str) -> Result<(), ParseError> {
    check(
        InputKind::Eapi,
        s,
        WORD,
        "must start with a letter, digit or '_'",
        CAT,
    )
}

/// Byte position at which `s` ends in `-<valid version>`, if it does.
///
/// Used for the rule that a package (or repository) name must not end in a hyphen
/// followed by something that is a valid version (`foo-1`, `foo-1-r2`).
pub fn version_suffix_start(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    bytes
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'-')
        .map(|(i, _)| i)
        .find(|&i| crate::version::is_valid_version(&s[i + 1..]))
}

fn validate_pn_like(kind: InputKind, s: &str, rest: u8) -> Result<(), ParseError> {
    // Fast path: valid characters, and no hyphen followed by a digit (so no possible
    // version suffix).
    let b = s.as_bytes();
    if b.first().is_some_and(|&c| is(c, WORD))
        && b.iter().all(|&c| is(c, rest))
        && !b.windows(2).any(|w| w[0] == b'-' && w[1].is_ascii_digit())
    {
        return Ok(());
    }
    check(
        kind,
        s,
        WORD,
        "must start with a letter, digit or '_'",
        rest,
    )?;
    if let Some(i) = version_suffix_start(s) {
        return Err(ParseError::invalid(
            kind,
            s,
            i,
            "must not end in a hyphen followed by a valid version",
        ));
    }
    Ok(())
}

/// Validates a package name (PN): `[A-Za-z0-9_][A-Za-z0-9+_-]*`, not ending in
/// `-<valid version>`.
pub fn validate_package(s: &str) -> Result<(), ParseError> {
    validate_pn_like(InputKind::Package, s, PN)
}

/// Validates a repository name: `[A-Za-z0-9_][A-Za-z0-9_-]*`, and a valid package name.
pub fn validate_repository(s: &str) -> Result<(), ParseError> {
    validate_pn_like(InputKind::Repository, s, REPO)
}

/// Validates a USE flag name: `[A-Za-z0-9][A-Za-z0-9+_@-]*`.
pub fn validate_use_flag(s: &str) -> Result<(), ParseError> {
    check(
        InputKind::UseFlag,
        s,
        ALNUM,
        "must start with a letter or digit",
        USE,
    )
}

/// Validates a keyword as it appears in KEYWORDS: an optional `~` or `-` prefix and a
/// name `[A-Za-z0-9_][A-Za-z0-9_-]*`; `-*` is also accepted.
pub fn validate_keyword(s: &str) -> Result<(), ParseError> {
    if s == "-*" {
        return Ok(());
    }
    let (offset, name) = match s.as_bytes().first() {
        Some(b'~') | Some(b'-') => (1, &s[1..]),
        _ => (0, s),
    };
    check(
        InputKind::Keyword,
        name,
        WORD,
        "must start with a letter, digit or '_'",
        REPO,
    )
    .map_err(|e| match e {
        ParseError::Invalid { pos, reason, .. } => {
            ParseError::invalid(InputKind::Keyword, s, pos + offset, reason)
        }
        other => other,
    })
}

/// Validates an eclass name: `[A-Za-z_][A-Za-z0-9_.-]*`, not `default`.
pub fn validate_eclass(s: &str) -> Result<(), ParseError> {
    check(
        InputKind::Eclass,
        s,
        ALPHA | UNDERSCORE,
        "must start with a letter or '_'",
        ECLASS,
    )?;
    if s == "default" {
        return Err(ParseError::invalid(
            InputKind::Eclass,
            s,
            0,
            "'default' is reserved",
        ));
    }
    Ok(())
}
