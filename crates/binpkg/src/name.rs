//! Package identities as they appear in a PKGDIR: `CATEGORY/PF` (a
//! `strata_atom::cpv::Cpv`), and the binpkg file names of both layouts.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use strata_atom::cpv::Cpv;

use crate::error::{Error, Result};

fn bad(name: &str, reason: impl Into<String>) -> Error {
    Error::BadName {
        name: name.to_owned(),
        reason: reason.into(),
    }
}

/// Validates a category name (PMS §3.1.1).
pub fn validate_category(s: &str) -> std::result::Result<(), String> {
    strata_atom::name::validate_category(s).map_err(|e| e.to_string())
}

/// Validates a package name (PMS §3.1.2), including the "no `-<version>` suffix" rule.
pub fn validate_package(s: &str) -> std::result::Result<(), String> {
    strata_atom::name::validate_package(s).map_err(|e| e.to_string())
}

/// Splits a PF (`foo-1.0-r1`) into PN and version (`foo`, `1.0-r1`), validating both.
pub fn split_pf(pf: &str) -> Result<(&str, &str)> {
    let cpv = Cpv::from_category_pf("x", pf).map_err(|e| bad(pf, e.to_string()))?;
    let pn_len = cpv.package().len();
    Ok((&pf[..pn_len], &pf[pn_len + 1..]))
}

/// A validated `CATEGORY/PF`. Equality, hashing and order are those of the text (two
/// PFs that only compare equal as versions, like `1.0` and `1.00`, stay distinct).
#[derive(Clone)]
pub struct PackageId {
    cpv: Cpv,
}

impl PackageId {
    /// Builds an id from a category and a PF.
    pub fn new(category: &str, pf: &str) -> Result<PackageId> {
        Cpv::from_category_pf(category, pf)
            .map(|cpv| PackageId { cpv })
            .map_err(|e| bad(&format!("{category}/{pf}"), e.to_string()))
    }

    /// Parses `CATEGORY/PF`.
    pub fn parse(cpv: &str) -> Result<PackageId> {
        Cpv::parse(cpv)
            .map(|cpv| PackageId { cpv })
            .map_err(|e| bad(cpv, e.to_string()))
    }

    /// The underlying CPV.
    pub fn cpv(&self) -> &Cpv {
        &self.cpv
    }

    /// The category.
    pub fn category(&self) -> &str {
        self.cpv.category()
    }

    /// The package name with version (`foo-1.0-r1`).
    pub fn pf(&self) -> &str {
        self.cpv.pf()
    }

    /// The package name (`foo`).
    pub fn pn(&self) -> &str {
        self.cpv.package()
    }

    /// The version with revision (`1.0-r1`).
    pub fn version(&self) -> &str {
        self.cpv.pvr()
    }
}

impl PartialEq for PackageId {
    fn eq(&self, other: &Self) -> bool {
        self.cpv.as_str() == other.cpv.as_str()
    }
}

impl Eq for PackageId {}

impl Hash for PackageId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.cpv.as_str().hash(state);
    }
}

impl PartialOrd for PackageId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for PackageId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cpv.as_str().cmp(other.cpv.as_str())
    }
}

impl fmt::Debug for PackageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PackageId({})", self.cpv.as_str())
    }
}

impl fmt::Display for PackageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.cpv.as_str())
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
