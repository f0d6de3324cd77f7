//! SRC_URI leaves: a URI or bare file name, its optional `-> name` rename and EAPI 8 prefix.

use std::fmt;

/// An EAPI 8 `fetch+` / `mirror+` prefix on a SRC_URI entry (PMS §8.2, formats.md §10.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UriPrefix {
    /// `fetch+URI`: fetching this URI is allowed despite RESTRICT=fetch; the implied
    /// mirror restriction stays.
    Fetch,
    /// `mirror+URI`: both fetch and mirror restrictions are lifted for this URI.
    Mirror,
}

impl UriPrefix {
    /// The prefix as written, including the `+` (`"fetch+"`).
    pub fn as_str(self) -> &'static str {
        match self {
            UriPrefix::Fetch => "fetch+",
            UriPrefix::Mirror => "mirror+",
        }
    }
}

impl fmt::Display for UriPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One SRC_URI entry: a URI (`proto://host/path`) or a bare file name, with the
/// distfile name it is saved under.
///
/// Built only by the dependency-specification parser, so the invariants hold: a URI has a
/// scheme, a `mirror://` URI has a mirror name and a path, and the distfile name (the
/// rename target, else the URI's basename) is never empty and contains no `/`.
///
/// ```
/// use strata_atom::Eapi;
/// use strata_atom::depspec::{DepKind, DepSpec, UriPrefix};
///
/// let spec = DepSpec::parse(
///     "mirror+https://example.org/v1.tar.gz -> foo-1.tar.gz mirror://gnu/foo/bar-2.tar.xz",
///     DepKind::SrcUri,
///     Eapi::E8,
/// )?;
/// let uris: Vec<_> = spec.uris().collect();
/// assert_eq!(uris[0].uri(), "https://example.org/v1.tar.gz");
/// assert_eq!(uris[0].distfile(), "foo-1.tar.gz");
/// assert_eq!(uris[0].prefix(), Some(UriPrefix::Mirror));
/// assert_eq!(uris[1].distfile(), "bar-2.tar.xz");
/// assert_eq!(uris[1].mirror(), Some(("gnu", "foo/bar-2.tar.xz")));
/// # Ok::<(), strata_atom::ParseError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uri {
    /// The URI or file name as written, without the prefix.
    uri: Box<str>,
    /// The `-> name` target, if any.
    rename: Option<Box<str>>,
    prefix: Option<UriPrefix>,
}

impl Uri {
    /// Builds an entry; the parser has checked the invariants.
    pub(super) fn new_unchecked(uri: &str, rename: Option<&str>, prefix: Option<UriPrefix>) -> Uri {
        Uri {
            uri: uri.into(),
            rename: rename.map(Into::into),
            prefix,
        }
    }

    /// The URI (or bare file name) as written, without any `fetch+`/`mirror+` prefix.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The `-> name` rename target, if one was given.
    pub fn rename(&self) -> Option<&str> {
        self.rename.as_deref()
    }

    /// The EAPI 8 `fetch+`/`mirror+` prefix, if any.
    pub fn prefix(&self) -> Option<UriPrefix> {
        self.prefix
    }

    /// The name of the file in DISTDIR: the rename target, else the URI's basename (for a
    /// bare file name, the name itself).
    pub fn distfile(&self) -> &str {
        match &self.rename {
            Some(name) => name,
            None => basename(&self.uri),
        }
    }

    /// Whether this is a bare file name (no `proto://`), as fetch-restricted ebuilds use.
    pub fn is_bare_filename(&self) -> bool {
        !self.uri.contains("://")
    }

    /// The URI scheme (`"https"`, `"mirror"`), or `None` for a bare file name.
    pub fn scheme(&self) -> Option<&str> {
        self.uri.find("://").map(|i| &self.uri[..i])
    }

    /// Whether this is a `mirror://NAME/path` URI, expanded through `thirdpartymirrors`.
    pub fn is_mirror(&self) -> bool {
        self.uri.starts_with("mirror://")
    }

    /// For a `mirror://NAME/path` URI: the mirror name and the path after it.
    pub fn mirror(&self) -> Option<(&str, &str)> {
        self.uri.strip_prefix("mirror://")?.split_once('/')
    }
}

/// The part of `uri` after its last `/` (all of it when there is none).
pub(super) fn basename(uri: &str) -> &str {
    uri.rfind('/').map_or(uri, |i| &uri[i + 1..])
}

/// Writes the entry as it appears in SRC_URI: `[prefix]uri[ -> name]`.
impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(prefix) = self.prefix {
            f.write_str(prefix.as_str())?;
        }
        f.write_str(&self.uri)?;
        if let Some(name) = &self.rename {
            write!(f, " -> {name}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accessors() {
        let u = Uri::new_unchecked("https://a.org/x/y-1.tar.gz", None, None);
        assert_eq!(u.distfile(), "y-1.tar.gz");
        assert_eq!(u.scheme(), Some("https"));
        assert!(!u.is_mirror() && !u.is_bare_filename());
        assert_eq!(u.mirror(), None);
        let m = Uri::new_unchecked(
            "mirror://sf/p/q.zip",
            Some("q-2.zip"),
            Some(UriPrefix::Fetch),
        );
        assert_eq!(m.distfile(), "q-2.zip");
        assert_eq!(m.mirror(), Some(("sf", "p/q.zip")));
        assert_eq!(m.to_string(), "fetch+mirror://sf/p/q.zip -> q-2.zip");
        let b = Uri::new_unchecked("local.tar", None, None);
        assert!(b.is_bare_filename());
        assert_eq!(b.scheme(), None);
        assert_eq!(b.distfile(), "local.tar");
    }
}
