//! Fetchables: the distfiles a package needs, each with its name in DISTDIR, the URIs it can
//! come from (in SRC_URI order) and its Manifest digests.
//!
//! Construction takes already USE-evaluated SRC_URI leaves ([`SrcUriItem`]: a URI or a bare
//! file name, an optional `->` target, an optional EAPI 8 `fetch+`/`mirror+` prefix), so it
//! does not depend on a dependency-spec parser.

use std::fmt;

use strata_atom::depspec::{self, DepSpec, EnabledFlags};

use crate::hash::Digests;
use crate::manifest::Manifest;

/// The EAPI 8 SRC_URI prefix of one URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UriPrefix {
    /// No prefix.
    #[default]
    None,
    /// `fetch+`: lifts RESTRICT=fetch for this URI (the implied mirror restriction stays).
    Fetch,
    /// `mirror+`: lifts both the fetch and the mirror restriction.
    Mirror,
}

impl UriPrefix {
    /// Splits a `fetch+`/`mirror+` prefix off a SRC_URI token (only when a URI with a
    /// scheme follows, so a file literally named `fetch+x` stays as it is).
    pub fn split(token: &str) -> (UriPrefix, &str) {
        for (p, kind) in [("fetch+", UriPrefix::Fetch), ("mirror+", UriPrefix::Mirror)] {
            if let Some(rest) = token.strip_prefix(p)
                && rest.contains("://")
            {
                return (kind, rest);
            }
        }
        (UriPrefix::None, token)
    }

    /// The prefix as written (`""`, `"fetch+"`, `"mirror+"`).
    pub fn as_str(self) -> &'static str {
        match self {
            UriPrefix::None => "",
            UriPrefix::Fetch => "fetch+",
            UriPrefix::Mirror => "mirror+",
        }
    }
}

/// One evaluated SRC_URI leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrcUriItem {
    /// The URI without its prefix, or a bare file name (fetch-restricted packages).
    pub uri: String,
    /// The `->` target, if any.
    pub rename: Option<String>,
    /// The EAPI 8 prefix.
    pub prefix: UriPrefix,
}

impl SrcUriItem {
    /// An item from its parts.
    pub fn new(uri: impl Into<String>, rename: Option<String>, prefix: UriPrefix) -> Self {
        SrcUriItem {
            uri: uri.into(),
            rename,
            prefix,
        }
    }

    /// An item from a raw SRC_URI token (prefix included) and an optional `->` target.
    pub fn from_token(token: &str, rename: Option<&str>) -> Self {
        let (prefix, uri) = UriPrefix::split(token);
        SrcUriItem::new(uri, rename.map(str::to_owned), prefix)
    }

    /// The item for a parsed SRC_URI leaf of `strata-atom`'s dependency-spec parser.
    pub fn from_uri(uri: &depspec::Uri) -> Self {
        let prefix = match uri.prefix() {
            None => UriPrefix::None,
            Some(depspec::UriPrefix::Fetch) => UriPrefix::Fetch,
            Some(depspec::UriPrefix::Mirror) => UriPrefix::Mirror,
        };
        SrcUriItem::new(uri.uri(), uri.rename().map(str::to_owned), prefix)
    }

    /// True when the item is a URI (`scheme://...`) rather than a bare file name.
    pub fn is_uri(&self) -> bool {
        has_scheme(&self.uri)
    }

    /// The distfile name: the `->` target, else the URI's basename.
    pub fn distfile_name(&self) -> Result<&str, FetchableError> {
        let name = match &self.rename {
            Some(r) => {
                if r.is_empty() || r.contains('/') {
                    return Err(FetchableError::BadRename {
                        uri: self.uri.clone(),
                        rename: r.clone(),
                    });
                }
                r.as_str()
            }
            None => self.uri.rsplit('/').next().unwrap_or_default(),
        };
        if name.is_empty() || name == "." || name == ".." {
            return Err(FetchableError::EmptyName {
                uri: self.uri.clone(),
            });
        }
        Ok(name)
    }
}

fn has_scheme(s: &str) -> bool {
    match s.find("://") {
        Some(i) if i > 0 => s[..i]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.'),
        _ => false,
    }
}

/// A source URI of a fetchable.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UriSource {
    /// The URI (`https://...`, `mirror://name/path`, `file:///...`), prefix removed.
    pub uri: String,
    /// The EAPI 8 prefix it carried.
    pub prefix: UriPrefix,
}

impl fmt::Display for UriSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.prefix.as_str(), self.uri)
    }
}

/// The package's RESTRICT tokens that affect fetching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Restrict {
    /// RESTRICT=fetch: the user must fetch by hand (implies `mirror`).
    pub fetch: bool,
    /// RESTRICT=mirror (or the old `nomirror`): not on Gentoo's mirrors.
    pub mirror: bool,
    /// RESTRICT=primaryuri: try the upstream URIs before the mirrors.
    pub primaryuri: bool,
}

impl Restrict {
    /// Reads the tokens of an evaluated RESTRICT (unknown tokens are ignored).
    pub fn from_tokens<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Restrict {
        let mut r = Restrict::default();
        for t in tokens {
            match t {
                "fetch" => r.fetch = true,
                "mirror" | "nomirror" => r.mirror = true,
                "primaryuri" => r.primaryuri = true,
                _ => {}
            }
        }
        r
    }
}

/// A distfile to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetchable {
    /// The name in DISTDIR (and on mirrors).
    pub name: String,
    /// Where it can come from, in SRC_URI order, without duplicates. Empty for a bare file
    /// name (fetch restriction).
    pub sources: Vec<UriSource>,
    /// Size and hashes from the Manifest's `DIST` entry; `None` when there is none.
    pub digests: Option<Digests>,
    /// The package's RESTRICT.
    pub restrict: Restrict,
}

impl Fetchable {
    /// A fetchable with no sources yet.
    pub fn new(name: impl Into<String>, digests: Option<Digests>, restrict: Restrict) -> Self {
        Fetchable {
            name: name.into(),
            sources: Vec::new(),
            digests,
            restrict,
        }
    }

    /// Adds a source unless the same URI with the same prefix is already there.
    pub fn add_source(&mut self, source: UriSource) {
        if !self.sources.contains(&source) {
            self.sources.push(source);
        }
    }

    /// Builds the fetchables of one package from its evaluated SRC_URI leaves: names come
    /// from `->` targets or URI basenames, identical names merge (sources in SRC_URI order,
    /// first-appearance order of names kept), digests come from the Manifest's `DIST` lines.
    pub fn from_items<I>(
        items: I,
        manifest: Option<&Manifest>,
        restrict: Restrict,
    ) -> Result<Vec<Fetchable>, FetchableError>
    where
        I: IntoIterator<Item = SrcUriItem>,
    {
        let mut out: Vec<Fetchable> = Vec::new();
        for item in items {
            let name = item.distfile_name()?.to_owned();
            let idx = match out.iter().position(|f| f.name == name) {
                Some(i) => i,
                None => {
                    let digests = manifest
                        .and_then(|m| m.dist(&name))
                        .map(|e| e.digests.clone());
                    out.push(Fetchable::new(name, digests, restrict));
                    out.len() - 1
                }
            };
            if item.is_uri() {
                out[idx].add_source(UriSource {
                    uri: item.uri,
                    prefix: item.prefix,
                });
            }
        }
        Ok(out)
    }
}

impl Fetchable {
    /// Builds the fetchables of one package from its parsed SRC_URI
    /// (`DepSpec::parse(s, DepKind::SrcUri, eapi)`), evaluated with the package's enabled USE
    /// flags; see [`Fetchable::from_items`].
    pub fn from_src_uri<F: EnabledFlags + ?Sized>(
        spec: &DepSpec,
        flags: &F,
        manifest: Option<&Manifest>,
        restrict: Restrict,
    ) -> Result<Vec<Fetchable>, FetchableError> {
        Fetchable::from_items(
            spec.evaluated_uris(flags).map(SrcUriItem::from_uri),
            manifest,
            restrict,
        )
    }
}

/// Error building fetchables.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchableError {
    /// A URI whose basename is empty and that has no `->` target.
    #[error("SRC_URI item {uri:?} has an empty file name")]
    EmptyName {
        /// The URI.
        uri: String,
    },
    /// A `->` target that is empty or contains `/`.
    #[error("SRC_URI item {uri:?} renames to invalid file name {rename:?}")]
    BadRename {
        /// The URI.
        uri: String,
        /// The target.
        rename: String,
    },
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn names_and_merging() {
        let items = vec![
            SrcUriItem::from_token("https://a.example/x/foo-1.tar.gz", None),
            SrcUriItem::from_token("mirror://gnu/foo/foo-1.tar.gz", None),
            SrcUriItem::from_token("https://b.example/v1.tar.gz", Some("bar-1.tar.gz")),
            SrcUriItem::from_token("fetch+https://c.example/foo-1.tar.gz", None),
            SrcUriItem::from_token("https://a.example/x/foo-1.tar.gz", None),
            SrcUriItem::from_token("local-only.zip", None),
        ];
        let f = Fetchable::from_items(items, None, Restrict::default()).unwrap();
        let names: Vec<_> = f.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["foo-1.tar.gz", "bar-1.tar.gz", "local-only.zip"]);
        let srcs: Vec<_> = f[0].sources.iter().map(ToString::to_string).collect();
        assert_eq!(
            srcs,
            [
                "https://a.example/x/foo-1.tar.gz",
                "mirror://gnu/foo/foo-1.tar.gz",
                "fetch+https://c.example/foo-1.tar.gz"
            ]
        );
        assert!(f[2].sources.is_empty());
    }

    #[test]
    fn bad_names() {
        assert!(
            SrcUriItem::from_token("https://a.example/", None)
                .distfile_name()
                .is_err()
        );
        assert!(
            SrcUriItem::from_token("https://a.example/x", Some("a/b"))
                .distfile_name()
                .is_err()
        );
        assert_eq!(
            SrcUriItem::from_token("https://a.example/", Some("ok"))
                .distfile_name()
                .unwrap(),
            "ok"
        );
    }

    #[test]
    fn from_parsed_src_uri() {
        use strata_atom::Eapi;
        use strata_atom::depspec::DepKind;
        let spec = DepSpec::parse(
            "https://a.example/foo-1.tar.gz ssl? ( mirror+https://b.example/v1 -> bar-1.tar.gz ) \
             !ssl? ( https://c.example/foo-1.tar.gz ) doc? ( fetch+https://d.example/doc.pdf )",
            DepKind::SrcUri,
            Eapi::E8,
        )
        .unwrap();
        let m = Manifest::parse(
            "DIST bar-1.tar.gz 3 SHA512 \
             00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\n",
        )
        .unwrap();
        let f =
            Fetchable::from_src_uri(&spec, &["ssl"][..], Some(&m), Restrict::default()).unwrap();
        let names: Vec<_> = f.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["foo-1.tar.gz", "bar-1.tar.gz"]);
        assert_eq!(f[1].sources[0].prefix, UriPrefix::Mirror);
        assert_eq!(f[1].digests.as_ref().unwrap().size(), Some(3));
        assert!(f[0].digests.is_none());
        let f = Fetchable::from_src_uri(&spec, &["doc"][..], None, Restrict::default()).unwrap();
        assert_eq!(f[0].sources.len(), 2);
        assert_eq!(f[1].sources[0].prefix, UriPrefix::Fetch);
    }

    #[test]
    fn restrict_tokens() {
        let r = Restrict::from_tokens(["test", "fetch", "primaryuri"]);
        assert!(r.fetch && r.primaryuri && !r.mirror);
    }
}
