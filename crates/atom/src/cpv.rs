//! `category/package-version` strings (CPV; PMS §3.1–3.2).
//!
//! The package name and version are split non-greedily, with the version anchored at the
//! end: the first hyphen after which the rest is a valid version ends the package name,
//! and that package name must not itself end in `-<valid version>` (so `foo-1-2` is not
//! a PF, while `foo-1-r2` is `foo` at version `1-r2`).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::error::{InputKind, ParseError};
use crate::name;
use crate::version::Version;

/// A `category/package-version` triple, e.g. `dev-lang/python-3.11.4-r1`.
///
/// Ordered by category, then package name, then version; equality and hashing use the
/// same parts (so `a/b-1.0 == a/b-1.00`). `Display` gives the original text.
///
/// ```
/// use strata_atom::cpv::Cpv;
/// let cpv = Cpv::parse("dev-lang/python-3.11.4-r1").unwrap();
/// assert_eq!(cpv.category(), "dev-lang");
/// assert_eq!(cpv.package(), "python");
/// assert_eq!(cpv.version().as_str(), "3.11.4-r1");
/// assert_eq!(cpv.pf(), "python-3.11.4-r1");
/// assert_eq!(cpv.p(), "python-3.11.4");
/// assert_eq!(cpv.cp(), "dev-lang/python");
/// ```
#[derive(Clone)]
pub struct Cpv {
    text: Box<str>,
    /// Offset of the `/`.
    slash: u32,
    /// Offset of the hyphen before the version.
    hyphen: u32,
    version: Version,
}

/// Splits a PF into PN and PVR (non-greedy package name): the first hyphen after which
/// the rest is a valid version.
///
/// Returns the offset of that hyphen and the parsed version; the package-name check
/// (including its own "no `-<version>` suffix" rule) is left to the caller.
pub(crate) fn split_pf(pf: &str) -> Option<(usize, Version)> {
    let bytes = pf.as_bytes();
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'-') {
        let h = i + off;
        if bytes.get(h + 1).is_some_and(u8::is_ascii_digit)
            && let Some(v) = Version::try_parse(&pf[h + 1..])
        {
            return Some((h, v));
        }
        i = h + 1;
    }
    None
}

impl Cpv {
    /// Parses `category/PF`.
    ///
    /// ```
    /// use strata_atom::cpv::Cpv;
    /// assert!(Cpv::parse("foo/bar-1-2").is_err()); // PN would end in a version
    /// assert!(Cpv::parse("foo/bar").is_err());     // no version
    /// assert_eq!(Cpv::parse("foo/bar-baz---1").unwrap().package(), "bar-baz--");
    /// ```
    pub fn parse(s: &str) -> Result<Cpv, ParseError> {
        let Some(slash) = s.find('/') else {
            return Err(ParseError::invalid(
                InputKind::Cpv,
                s,
                s.len(),
                "expected 'category/package-version'",
            ));
        };
        Cpv::build(s, slash)
    }

    /// Builds a CPV from a category and a PF (`package-version`), as md5-cache and VDB
    /// entries are named (`<CATEGORY>/<PF>`).
    pub fn from_category_pf(category: &str, pf: &str) -> Result<Cpv, ParseError> {
        let mut text = String::with_capacity(category.len() + 1 + pf.len());
        text.push_str(category);
        text.push('/');
        text.push_str(pf);
        if pf.contains('/') {
            return Err(ParseError::invalid(
                InputKind::Cpv,
                &text,
                category.len() + 1 + pf.find('/').unwrap_or(0),
                "PF must not contain '/'",
            ));
        }
        Cpv::build(&text, category.len())
    }

    /// Builds a CPV from its parts.
    pub fn from_parts(category: &str, package: &str, version: Version) -> Result<Cpv, ParseError> {
        let text = format!("{category}/{package}-{version}");
        name::validate_category(category).map_err(|e| e.within(InputKind::Cpv, &text, 0))?;
        name::validate_package(package)
            .map_err(|e| e.within(InputKind::Cpv, &text, category.len() + 1))?;
        let hyphen = category.len() + 1 + package.len();
        Ok(Cpv {
            text: text.into_boxed_str(),
            slash: category.len() as u32,
            hyphen: hyphen as u32,
            version,
        })
    }

    fn build(s: &str, slash: usize) -> Result<Cpv, ParseError> {
        if s.len() > (u32::MAX / 4) as usize {
            return Err(ParseError::invalid(InputKind::Cpv, s, 0, "too long"));
        }
        name::validate_category(&s[..slash]).map_err(|e| e.within(InputKind::Cpv, s, 0))?;
        let pf = &s[slash + 1..];
        let Some((h, version)) = split_pf(pf) else {
            return Err(ParseError::invalid(
                InputKind::Cpv,
                s,
                slash + 1,
                "expected 'package-version' with a valid version",
            ));
        };
        let hyphen = slash + 1 + h;
        name::validate_package(&pf[..h]).map_err(|e| e.within(InputKind::Cpv, s, slash + 1))?;
        Ok(Cpv {
            text: s.into(),
            slash: slash as u32,
            hyphen: hyphen as u32,
            version,
        })
    }

    /// The whole text, `category/package-version`.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The category (`dev-lang`).
    #[inline]
    pub fn category(&self) -> &str {
        &self.text[..self.slash as usize]
    }

    /// The package name, PN (`python`).
    #[inline]
    pub fn package(&self) -> &str {
        &self.text[self.slash as usize + 1..self.hyphen as usize]
    }

    /// `category/package` (the "cp" or "key").
    #[inline]
    pub fn cp(&self) -> &str {
        &self.text[..self.hyphen as usize]
    }

    /// The version.
    #[inline]
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// PF: `package-version` including the revision (`python-3.11.4-r1`).
    #[inline]
    pub fn pf(&self) -> &str {
        &self.text[self.slash as usize + 1..]
    }

    /// P: `package-version` without the revision (`python-3.11.4`).
    #[inline]
    pub fn p(&self) -> &str {
        let end = self.hyphen as usize + 1 + self.version.base().len();
        &self.text[self.slash as usize + 1..end]
    }

    /// PVR: the version with its revision as written (`3.11.4-r1`).
    #[inline]
    pub fn pvr(&self) -> &str {
        self.version.as_str()
    }

    /// PV: the version without its revision as written (`3.11.4`).
    #[inline]
    pub fn pv(&self) -> &str {
        self.version.base()
    }
}

impl PartialEq for Cpv {
    fn eq(&self, other: &Self) -> bool {
        self.category() == other.category()
            && self.package() == other.package()
            && self.version == other.version
    }
}

impl Eq for Cpv {}

impl PartialOrd for Cpv {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Cpv {
    fn cmp(&self, other: &Self) -> Ordering {
        self.category()
            .cmp(other.category())
            .then_with(|| self.package().cmp(other.package()))
            .then_with(|| self.version.cmp(&other.version))
    }
}

impl Hash for Cpv {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.category().hash(state);
        self.package().hash(state);
        self.version.hash(state);
    }
}

impl fmt::Display for Cpv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for Cpv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cpv({:?})", &*self.text)
    }
}

impl FromStr for Cpv {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cpv::parse(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn split_rules() {
        let ok = [
            ("foo/bar-1", "bar", "1"),
            ("foo/bar-1-r1", "bar", "1-r1"),
            ("foo/bar-r1-1", "bar-r1", "1"),
            ("foo/bar--baz-1-r1", "bar--baz", "1-r1"),
            ("foo/bar-baz--1-r1", "bar-baz-", "1-r1"),
            ("foo/bar-baz---1", "bar-baz--", "1"),
            ("media-libs/x264-20060810", "x264", "20060810"),
            ("foo/666-1", "666", "1"),
            ("dev-libs/poppler-qt3-0.11", "poppler-qt3", "0.11"),
            ("a/b-c-2dd-1", "b-c-2dd", "1"),
        ];
        for (s, pn, pvr) in ok {
            let c = Cpv::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(c.package(), pn, "{s}");
            assert_eq!(c.version().as_str(), pvr, "{s}");
            assert_eq!(c.to_string(), s);
        }
        for s in [
            "foo/bar-1-2",
            "foo/bar-123-1",
            "foo/bar-1-r1-1-r1",
            "foo/bar-baz-1--r1",
            "foo/bar",
            "foo/bar-",
            "foo/-z-1",
            "-foo/bar-1",
            "foo/bar-1/2",
            "foobar-1",
            "/bar-1",
            "foo/bar-1a-1",
            "foo/+bar-1",
            "foo/bar.x-1",
            "a/b-c-2d-1",
        ] {
            assert!(Cpv::parse(s).is_err(), "{s} should be invalid");
        }
    }

    #[test]
    fn constructors() {
        let a = Cpv::from_category_pf("dev-lang", "python-3.11.4-r1").unwrap();
        let b = Cpv::parse("dev-lang/python-3.11.4-r1").unwrap();
        assert_eq!(a, b);
        assert_eq!(a.p(), "python-3.11.4");
        assert_eq!(a.pv(), "3.11.4");
        assert_eq!(a.pvr(), "3.11.4-r1");
        let c =
            Cpv::from_parts("dev-lang", "python", Version::parse("3.11.4-r1").unwrap()).unwrap();
        assert_eq!(c, b);
        assert_eq!(c.to_string(), "dev-lang/python-3.11.4-r1");
        assert!(Cpv::from_parts("dev-lang", "python-3", Version::parse("1").unwrap()).is_err());
        assert!(Cpv::from_category_pf("a", "b/c-1").is_err());
    }

    #[test]
    fn ordering() {
        let mut v: Vec<Cpv> = ["b/a-1", "a/b-2", "a/b-1.0", "a/a-3", "a/b-1_rc1"]
            .iter()
            .map(|s| Cpv::parse(s).unwrap())
            .collect();
        v.sort();
        let s: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(s, ["a/a-3", "a/b-1_rc1", "a/b-1.0", "a/b-2", "b/a-1"]);
        assert_eq!(
            Cpv::parse("a/b-1.0").unwrap(),
            Cpv::parse("a/b-1.00").unwrap()
        );
    }

    #[test]
    fn error_positions() {
        let e = Cpv::parse("foo/bar-1-2").unwrap_err();
        assert_eq!(e.position(), Some(7));
        let e = Cpv::parse("-foo/bar-1").unwrap_err();
        assert_eq!(e.position(), Some(0));
    }
}
