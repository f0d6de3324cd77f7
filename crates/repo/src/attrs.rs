//! Turning raw metadata strings (as a cache entry, an index record or a vdb entry holds
//! them) into attribute values, the same way for every package type, so that a
//! restriction answered by the search index and one checked on a package agree.

use std::borrow::Cow;

use strata_atom::cpv::Cpv;
use strata_atom::depspec::DepKind;
use strata_restrict::{Attr, AttrValue, StrList};

/// Anything holding raw metadata by its md5-cache key name (`SLOT`, `KEYWORDS`, ...).
pub trait RawMetadata {
    /// The raw value of `key`; `None` when it is not set (read as empty).
    fn raw(&self, key: &str) -> Option<&str>;
}

/// The five dependency-class attributes with the class each names, in the order of the
/// five per-class slots a package keeps its parsed classes in (see [`dep_slot`]).
pub const DEP_ATTRS: [(Attr, DepKind); 5] = [
    (Attr::Depend, DepKind::Depend),
    (Attr::Rdepend, DepKind::Rdepend),
    (Attr::Pdepend, DepKind::Pdepend),
    (Attr::Bdepend, DepKind::Bdepend),
    (Attr::Idepend, DepKind::Idepend),
];

/// The dependency class a dependency attribute names (`Attr::Rdepend` gives
/// `DepKind::Rdepend`); `None` for other attributes.
pub fn dep_kind(attr: Attr) -> Option<DepKind> {
    DEP_ATTRS.iter().find(|(a, _)| *a == attr).map(|(_, k)| *k)
}

/// The slot (0..5) of a dependency class in a per-class array ordered as [`DEP_ATTRS`];
/// `None` for classes that are not dependencies (`LICENSE`, `SRC_URI`, ...).
pub fn dep_slot(kind: DepKind) -> Option<usize> {
    DEP_ATTRS.iter().position(|(_, k)| *k == kind)
}

/// The metadata key an attribute is read from, for attributes that are one key.
pub fn metadata_key(attr: Attr) -> Option<&'static str> {
    Some(match attr {
        Attr::Eapi => "EAPI",
        Attr::Description => "DESCRIPTION",
        Attr::Homepage => "HOMEPAGE",
        Attr::License => "LICENSE",
        Attr::Keywords => "KEYWORDS",
        Attr::Iuse => "IUSE",
        Attr::RequiredUse => "REQUIRED_USE",
        Attr::Properties => "PROPERTIES",
        Attr::Restrict => "RESTRICT",
        Attr::Inherited => "INHERITED",
        Attr::DefinedPhases => "DEFINED_PHASES",
        Attr::Bdepend => "BDEPEND",
        Attr::Depend => "DEPEND",
        Attr::Rdepend => "RDEPEND",
        Attr::Pdepend => "PDEPEND",
        Attr::Idepend => "IDEPEND",
        Attr::SrcUri | Attr::Distfiles => "SRC_URI",
        Attr::Slot | Attr::Subslot => "SLOT",
        Attr::Chost => "CHOST",
        Attr::Cbuild => "CBUILD",
        Attr::Ctarget => "CTARGET",
        _ => return None,
    })
}

/// Whether a token of a dep-style spec is an operator or a conditional, not a value.
fn is_operator(t: &str) -> bool {
    matches!(t, "(" | ")" | "||" | "^^" | "??") || t.ends_with('?')
}

/// The values of a dep-style spec (LICENSE, RESTRICT, PROPERTIES), flattened: every
/// word that is not an operator or a USE conditional.
pub fn spec_words(spec: &str) -> Vec<String> {
    spec.split_ascii_whitespace()
        .filter(|t| !is_operator(t))
        .map(str::to_owned)
        .collect()
}

/// The URIs of a SRC_URI spec, flattened (renames `-> name` left out).
pub fn src_uri_words(spec: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip = false;
    for t in spec.split_ascii_whitespace() {
        if skip {
            skip = false;
            continue;
        }
        if t == "->" {
            skip = true;
            continue;
        }
        if !is_operator(t) {
            out.push(t.to_owned());
        }
    }
    out
}

/// The distfile names of a SRC_URI spec (the `-> name` rename, else the URI's last path
/// component), each once, in order.
pub fn distfiles(spec: &str) -> Vec<String> {
    let toks: Vec<&str> = spec
        .split_ascii_whitespace()
        .filter(|t| !is_operator(t))
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let name = if toks.get(i + 1) == Some(&"->") {
            let n = toks.get(i + 2).copied().unwrap_or("");
            i += 3;
            n
        } else {
            let t = toks[i];
            i += 1;
            t.rsplit('/').next().unwrap_or(t)
        };
        if !name.is_empty() && !out.iter().any(|o| o == name) {
            out.push(name.to_owned());
        }
    }
    out
}

/// DEFINED_PHASES as a word list: a lone `-` means none.
pub fn defined_phases(raw: &str) -> &str {
    if raw.trim() == "-" { "" } else { raw }
}

/// pkgcore's `str(maintainer)`: `Name <email> (description)`, each part only when present
/// (`email` alone without a name, ` (description)` only when the `<maintainer>` has one).
/// This is what `--attr maintainers` prints and `--maintainer REGEX` matches.
///
/// ```
/// use strata_repo::attrs::maintainer_str;
/// assert_eq!(maintainer_str("a@b", Some("A"), Some("docs")), "A <a@b> (docs)");
/// assert_eq!(maintainer_str("a@b", None, Some("docs")), "a@b (docs)");
/// assert_eq!(maintainer_str("a@b", Some("A"), None), "A <a@b>");
/// ```
pub fn maintainer_str(email: &str, name: Option<&str>, description: Option<&str>) -> String {
    let who = match name.filter(|n| !n.is_empty()) {
        Some(n) if email.is_empty() => n.to_owned(),
        Some(n) => format!("{n} <{email}>"),
        None => email.to_owned(),
    };
    match description.filter(|d| !d.is_empty()) {
        Some(d) => format!("{who} ({d})"),
        None => who,
    }
}

/// [`maintainer_str`] of a parsed metadata.xml maintainer.
pub fn maintainer_string(m: &strata_cache::index::Maintainer) -> String {
    maintainer_str(&m.email, m.name.as_deref(), m.description.as_deref())
}

/// The metadata.xml attributes (`longdescription`, `maintainers`, `maintainer_emails`,
/// `maintainer_names`) from parsed metadata.xml; `None` for any other attribute, and for
/// a long description the file does not have.
pub fn xml_attr(xml: &crate::metadata_xml::PackageMetadata, attr: Attr) -> Option<AttrValue<'_>> {
    let ms = &xml.maintainers;
    Some(match attr {
        Attr::LongDescription => AttrValue::text(xml.longdescription()?),
        Attr::Maintainers => {
            AttrValue::List(StrList::Owned(ms.iter().map(maintainer_string).collect()))
        }
        Attr::MaintainerEmails => {
            AttrValue::List(StrList::Owned(ms.iter().map(|m| m.email.clone()).collect()))
        }
        Attr::MaintainerNames => AttrValue::List(StrList::Owned(
            ms.iter().filter_map(|m| m.name.clone()).collect(),
        )),
        _ => return None,
    })
}

/// The name and version attributes of `cpv` (`category`, `package`, `version`,
/// `fullver`, `revision`, `key`, `cpv`); `None` for any other attribute.
pub fn cpv_attr(cpv: &Cpv, attr: Attr) -> Option<AttrValue<'_>> {
    let v = cpv.version();
    Some(match attr {
        Attr::Category => AttrValue::text(cpv.category()),
        Attr::Package => AttrValue::text(cpv.package()),
        Attr::Version => AttrValue::text(v.base()),
        Attr::Fullver => AttrValue::Version(Cow::Borrowed(v)),
        Attr::Revision => AttrValue::text(v.revision()),
        Attr::Key => AttrValue::text(cpv.cp()),
        Attr::Cpv => AttrValue::text(cpv.as_str()),
        _ => return None,
    })
}

/// The value of a metadata attribute (not the dependency classes) from raw metadata.
/// Unset keys read as empty; EAPI unset reads as `0`.
pub fn raw_attr<'a, M: RawMetadata + ?Sized>(meta: &'a M, attr: Attr) -> Option<AttrValue<'a>> {
    let key = metadata_key(attr)?;
    let raw = meta.raw(key).unwrap_or("");
    Some(match attr {
        Attr::Slot => AttrValue::text(raw.split_once('/').map_or(raw, |(s, _)| s)),
        Attr::Subslot => AttrValue::text(raw.split_once('/').map_or(raw, |(_, s)| s)),
        Attr::Eapi => AttrValue::text(if raw.is_empty() { "0" } else { raw }),
        Attr::Description | Attr::RequiredUse | Attr::Chost | Attr::Cbuild | Attr::Ctarget => {
            AttrValue::text(raw)
        }
        Attr::Homepage | Attr::Keywords | Attr::Iuse | Attr::Inherited => AttrValue::spaced(raw),
        Attr::DefinedPhases => AttrValue::spaced(defined_phases(raw)),
        Attr::License | Attr::Properties | Attr::Restrict => {
            AttrValue::List(StrList::Owned(spec_words(raw)))
        }
        Attr::SrcUri => AttrValue::List(StrList::Owned(src_uri_words(raw))),
        Attr::Distfiles => AttrValue::List(StrList::Owned(distfiles(raw))),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattening() {
        assert_eq!(
            spec_words("|| ( MIT GPL-2 ) ssl? ( openssl ) !test? ( Apache-2.0 )"),
            ["MIT", "GPL-2", "openssl", "Apache-2.0"]
        );
        let s = "https://a/x-1.tar.gz doc? ( https://b/d.zip -> x-doc-1.zip ) mirror://gnu/y.tgz";
        assert_eq!(
            src_uri_words(s),
            [
                "https://a/x-1.tar.gz",
                "https://b/d.zip",
                "mirror://gnu/y.tgz"
            ]
        );
        assert_eq!(distfiles(s), ["x-1.tar.gz", "x-doc-1.zip", "y.tgz"]);
        assert_eq!(defined_phases("-"), "");
        assert_eq!(maintainer_str("a@b", Some("A"), None), "A <a@b>");
        assert_eq!(maintainer_str("a@b", None, None), "a@b");
        assert_eq!(maintainer_str("a@b", None, Some("")), "a@b");
        assert_eq!(maintainer_str("", Some("A"), Some("d")), "A (d)");
    }

    #[test]
    fn slots() {
        struct M(&'static str);
        impl RawMetadata for M {
            fn raw(&self, key: &str) -> Option<&str> {
                (key == "SLOT").then_some(self.0)
            }
        }
        let m = M("2/2.0");
        assert_eq!(raw_attr(&m, Attr::Slot), Some(AttrValue::text("2")));
        assert_eq!(raw_attr(&m, Attr::Subslot), Some(AttrValue::text("2.0")));
        let m = M("3");
        assert_eq!(raw_attr(&m, Attr::Subslot), Some(AttrValue::text("3")));
        assert_eq!(raw_attr(&m, Attr::Eapi), Some(AttrValue::text("0")));
        assert_eq!(raw_attr(&m, Attr::Keywords), Some(AttrValue::spaced("")));
        assert_eq!(raw_attr(&m, Attr::Package), None);
    }
}
