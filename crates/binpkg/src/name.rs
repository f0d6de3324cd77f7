//! Package identities as they appear in a PKGDIR: `CATEGORY/PF`, PF split into PN and
//! version, and the binpkg file names of both layouts.
//!
//! The category, package-name and version grammars (PMS §3.1, §3.2) are checked here
//! until `strata_atom::cpv::Cpv` is stable enough for this crate to build on.

use std::fmt;

use crate::error::{Error, Result};

/// Whether `s` is a valid PMS version: `\d+(\.\d+)*[a-z]?(_(alpha|beta|pre|rc|p)\d*)*(-r\d+)?`.
pub fn is_valid_version(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return false;
    }
    while i < b.len() && b[i] == b'.' {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if i < b.len() && b[i].is_ascii_lowercase() {
        i += 1;
    }
    while i < b.len() && b[i] == b'_' {
        i += 1;
        let rest = &s[i..];
        let suffix = ["alpha", "beta", "pre", "rc", "p"]
            .into_iter()
            .find(|p| rest.starts_with(p));
        match suffix {
            Some(p) => i += p.len(),
            None => return false,
        }
        digits(&mut i);
    }
    if i < b.len() {
        if !s[i..].starts_with("-r") {
            return false;
        }
        i += 2;
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Validates a category name: `[A-Za-z0-9_][A-Za-z0-9+_.-]*`.
pub fn validate_category(s: &str) -> std::result::Result<(), String> {
    let b = s.as_bytes();
    match b.first() {
        None => return Err("empty category".into()),
        Some(&c) if !is_word(c) => return Err(format!("category starts with {:?}", char::from(c))),
        _ => {}
    }
    if let Some(i) = b
        .iter()
        .position(|&c| !(is_word(c) || matches!(c, b'+' | b'.' | b'-')))
    {
        return Err(format!("invalid character in category at {i}"));
    }
    Ok(())
}

/// Validates a package name: `[A-Za-z0-9_][A-Za-z0-9+_-]*`, not ending in a hyphen
/// followed by a valid version.
pub fn validate_package(s: &str) -> std::result::Result<(), String> {
    let b = s.as_bytes();
    match b.first() {
        None => return Err("empty package name".into()),
        Some(&c) if !is_word(c) => {
            return Err(format!("package name starts with {:?}", char::from(c)));
        }
        _ => {}
    }
    if let Some(i) = b
        .iter()
        .position(|&c| !(is_word(c) || matches!(c, b'+' | b'-')))
    {
        return Err(format!("invalid character in package name at {i}"));
    }
    if let Some(i) = s
        .char_indices()
        .filter(|&(_, c)| c == '-')
        .map(|(i, _)| i)
        .find(|&i| is_valid_version(&s[i + 1..]))
    {
        return Err(format!(
            "package name ends in a hyphen and a valid version (at {i})"
        ));
    }
    Ok(())
}

fn bad(name: &str, reason: impl Into<String>) -> Error {
    Error::BadName {
        name: name.to_owned(),
        reason: reason.into(),
    }
}

/// Splits a PF (`foo-1.0-r1`) into PN and version (`foo`, `1.0-r1`), validating both.
pub fn split_pf(pf: &str) -> Result<(&str, &str)> {
    // The version starts after the first '-' whose remainder is a valid version.
    let at = pf
        .char_indices()
        .filter(|&(_, c)| c == '-')
        .map(|(i, _)| i)
        .find(|&i| is_valid_version(&pf[i + 1..]))
        .ok_or_else(|| bad(pf, "no valid version after a '-'"))?;
    let (pn, ver) = (&pf[..at], &pf[at + 1..]);
    validate_package(pn).map_err(|e| bad(pf, e))?;
    Ok((pn, ver))
}

/// A validated `CATEGORY/PF` (category, package name and version).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageId {
    category: String,
    pf: String,
    pn_len: usize,
}

impl PackageId {
    /// Builds an id from a category and a PF.
    pub fn new(category: &str, pf: &str) -> Result<PackageId> {
        validate_category(category).map_err(|e| bad(&format!("{category}/{pf}"), e))?;
        let (pn, _) = split_pf(pf)?;
        Ok(PackageId {
            category: category.to_owned(),
            pf: pf.to_owned(),
            pn_len: pn.len(),
        })
    }

    /// Parses `CATEGORY/PF`.
    pub fn parse(cpv: &str) -> Result<PackageId> {
        let (cat, pf) = cpv
            .split_once('/')
            .ok_or_else(|| bad(cpv, "expected CATEGORY/PF"))?;
        PackageId::new(cat, pf)
    }

    /// The category.
    pub fn category(&self) -> &str {
        &self.category
    }

    /// The package name with version (`foo-1.0-r1`).
    pub fn pf(&self) -> &str {
        &self.pf
    }

    /// The package name (`foo`).
    pub fn pn(&self) -> &str {
        &self.pf[..self.pn_len]
    }

    /// The version (`1.0-r1`).
    pub fn version(&self) -> &str {
        &self.pf[self.pn_len + 1..]
    }
}

impl fmt::Display for PackageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.category, self.pf)
    }
}

/// The two binary package container formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Compressed tarball with an appended XPAK segment (`.tbz2`, `.xpak`).
    Xpak,
    /// GLEP 78 `.gpkg.tar`.
    Gpkg,
}

impl Format {
    /// The `BINPKG_FORMAT` name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Xpak => "xpak",
            Format::Gpkg => "gpkg",
        }
    }
}

/// What a binpkg file name says about its package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    /// The PF.
    pub pf: String,
    /// The BUILD_ID, for multi-instance names.
    pub build_id: Option<u64>,
    /// The container format implied by the extension (the content decides; see
    /// [`crate::binpkg::sniff_format`]).
    pub format: Format,
    /// Whether the extension is the legacy `.tbz2`.
    pub legacy_ext: bool,
}

/// Parses a binpkg file name: `${PF}.tbz2`, `${PF}.gpkg.tar`, `${PF}-${BUILD_ID}.xpak`,
/// `${PF}-${BUILD_ID}.gpkg.tar`. The part after the last `-` is a build id only if it is
/// a number and the rest is still a valid PF.
pub fn parse_file_name(name: &str) -> Option<FileName> {
    let (stem, format, legacy_ext) = if let Some(s) = name.strip_suffix(".gpkg.tar") {
        (s, Format::Gpkg, false)
    } else if let Some(s) = name.strip_suffix(".xpak") {
        (s, Format::Xpak, false)
    } else if let Some(s) = name.strip_suffix(".tbz2") {
        (s, Format::Xpak, true)
    } else {
        return None;
    };
    if !legacy_ext
        && let Some((pf, id)) = stem.rsplit_once('-')
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_digit())
        && split_pf(pf).is_ok()
        && let Ok(id) = id.parse::<u64>()
    {
        return Some(FileName {
            pf: pf.to_owned(),
            build_id: Some(id),
            format,
            legacy_ext,
        });
    }
    split_pf(stem).ok()?;
    Some(FileName {
        pf: stem.to_owned(),
        build_id: None,
        format,
        legacy_ext,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        for ok in [
            "1",
            "1.0",
            "1.0a",
            "1_alpha",
            "1.2_pre3_p4",
            "1-r0",
            "2.0-r12",
            "1_p",
        ] {
            assert!(is_valid_version(ok), "{ok}");
        }
        for bad in [
            "", "a", "1.", ".1", "1aa", "1_foo", "1-r", "1-rx", "1-r1-r2", "1_beta-",
        ] {
            assert!(!is_valid_version(bad), "{bad}");
        }
    }

    #[test]
    fn package_ids() {
        let id = PackageId::parse("app-misc/foo-bar-1.0-r1").expect("valid");
        assert_eq!(id.pn(), "foo-bar");
        assert_eq!(id.version(), "1.0-r1");
        assert_eq!(id.to_string(), "app-misc/foo-bar-1.0-r1");
        assert!(PackageId::parse("app-misc/foo").is_err());
        assert!(PackageId::parse("foo-1.0").is_err());
        assert!(PackageId::parse("-bad/foo-1").is_err());
    }

    #[test]
    fn file_names() {
        let f = parse_file_name("hello-1.0-3.xpak").expect("multi");
        assert_eq!((f.pf.as_str(), f.build_id), ("hello-1.0", Some(3)));
        let f = parse_file_name("usetoggle-1-2.gpkg.tar").expect("multi gpkg");
        assert_eq!(
            (f.pf.as_str(), f.build_id, f.format),
            ("usetoggle-1", Some(2), Format::Gpkg)
        );
        // "foo-1" without build id: the rest "foo" is not a PF, so 1 is the version.
        let f = parse_file_name("foo-1.gpkg.tar").expect("legacy gpkg");
        assert_eq!((f.pf.as_str(), f.build_id), ("foo-1", None));
        let f = parse_file_name("hello-1.0.tbz2").expect("legacy");
        assert_eq!(
            (f.pf.as_str(), f.build_id, f.legacy_ext),
            ("hello-1.0", None, true)
        );
        assert!(parse_file_name("hello.tbz2").is_none());
        assert!(parse_file_name("Packages").is_none());
    }
}
