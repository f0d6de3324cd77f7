//! Validation of the PMS name grammars (PMS §3.1): categories, packages, slots, USE flags,
//! repositories, keywords, licenses, eclasses and EAPIs.
//!
//! Each validator returns the input's error with the byte position of the first bad
//! character, e.g. `invalid category name "-foo": must not start with '-' (at 0)`.

use crate::error::{InputKind, ParseError};

#[inline]
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Shared check: non-empty, first byte accepted by `first`, later bytes by `rest`.
#[inline]
fn check(
    kind: InputKind,
    s: &str,
    first: fn(u8) -> bool,
    first_reason: &'static str,
    rest: fn(u8) -> bool,
) -> Result<(), ParseError> {
    let bytes = s.as_bytes();
    let Some(&b0) = bytes.first() else {
        return Err(ParseError::invalid(kind, s, 0, "must not be empty"));
    };
    if !first(b0) {
        return Err(ParseError::invalid(kind, s, 0, first_reason));
    }
    if let Some(i) = bytes.iter().position(|&b| !rest(b)) {
        return Err(ParseError::invalid(
            kind,
            s,
            i,
            format!("invalid character {:?}", char::from(bytes[i])),
        ));
    }
    Ok(())
}

fn cat_rest(b: u8) -> bool {
    is_word(b) || matches!(b, b'+' | b'.' | b'-')
}

/// Validates a category name: `[A-Za-z0-9_][A-Za-z0-9+_.-]*`.
pub fn validate_category(s: &str) -> Result<(), ParseError> {
    check(
        InputKind::Category,
        s,
        is_word,
        "must start with a letter, digit or '_'",
        cat_rest,
    )
}

/// Validates a slot or sub-slot name: same grammar as a category.
pub fn validate_slot(s: &str) -> Result<(), ParseError> {
    check(
        InputKind::Slot,
        s,
        is_word,
        "must start with a letter, digit or '_'",
        cat_rest,
    )
}

/// Validates a license name: same grammar as a category.
pub fn validate_license(s: &str) -> Result<(), ParseError> {
    check(
        InputKind::License,
        s,
        is_word,
        "must start with a letter, digit or '_'",
        cat_rest,
    )
}

/// Validates an EAPI name: same grammar as a category.
pub fn validate_eapi_name(s: &str) -> Result<(), ParseError> {
    check(
        InputKind::Eapi,
        s,
        is_word,
        "must start with a letter, digit or '_'",
        cat_rest,
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

fn validate_pn_like(kind: InputKind, s: &str, rest: fn(u8) -> bool) -> Result<(), ParseError> {
    check(
        kind,
        s,
        is_word,
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
    validate_pn_like(InputKind::Package, s, |b| {
        is_word(b) || matches!(b, b'+' | b'-')
    })
}

/// Validates a repository name: `[A-Za-z0-9_][A-Za-z0-9_-]*`, and a valid package name.
pub fn validate_repository(s: &str) -> Result<(), ParseError> {
    validate_pn_like(InputKind::Repository, s, |b| is_word(b) || b == b'-')
}

/// Validates a USE flag name: `[A-Za-z0-9][A-Za-z0-9+_@-]*`.
pub fn validate_use_flag(s: &str) -> Result<(), ParseError> {
    check(
        InputKind::UseFlag,
        s,
        |b| b.is_ascii_alphanumeric(),
        "must start with a letter or digit",
        |b| is_word(b) || matches!(b, b'+' | b'@' | b'-'),
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
        is_word,
        "must start with a letter, digit or '_'",
        |b| is_word(b) || b == b'-',
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
        |b| b.is_ascii_alphabetic() || b == b'_',
        "must start with a letter or '_'",
        |b| is_word(b) || matches!(b, b'.' | b'-'),
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
