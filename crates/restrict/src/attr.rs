//! Package attributes by name ([`Attr`]) and the values a package gives for them
//! ([`AttrValue`], [`StrList`]).

use std::borrow::Cow;
use std::fmt;

use strata_atom::atom::Atom;
use strata_atom::version::Version;

macro_rules! attrs {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, )*) => {
        /// A package attribute a restriction can ask for.
        ///
        /// The string forms are pkgcore's attribute names (`pquery --attr` names), so
        /// `Attr::from_name("description")` gives [`Attr::Description`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Attr {
            $( $(#[$doc])* $variant, )*
        }

        impl Attr {
            /// Every attribute, in declaration order.
            pub const ALL: &'static [Attr] = &[ $( Attr::$variant, )* ];

            /// The attribute's name (`"description"`).
            pub fn name(self) -> &'static str {
                match self {
                    $( Attr::$variant => $name, )*
                }
            }

            /// The attribute with this name, if there is one.
            pub fn from_name(name: &str) -> Option<Attr> {
                match name {
                    $( $name => Some(Attr::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

attrs! {
    /// CATEGORY (text).
    Category = "category",
    /// PN, the package name (text).
    Package = "package",
    /// PV, the version without revision (text, e.g. `1.2.3`).
    Version = "version",
    /// PVR, the full version with revision ([`AttrValue::Version`]).
    Fullver = "fullver",
    /// The revision number (text, `"0"` when there is none).
    Revision = "revision",
    /// `category/package` (text).
    Key = "key",
    /// `category/package-version` (text).
    Cpv = "cpv",
    /// The main part of SLOT (text).
    Slot = "slot",
    /// The sub-slot: the part of SLOT after `/`, or the slot when there is none (text).
    Subslot = "subslot",
    /// The repository's name, as `::repo` matches it (text).
    Repo = "repo",
    /// The repository a binary or installed package was built from (text).
    SourceRepository = "source_repository",
    /// EAPI (text).
    Eapi = "eapi",
    /// DESCRIPTION (text).
    Description = "description",
    /// The long description from metadata.xml (text).
    LongDescription = "longdescription",
    /// HOMEPAGE (list of URLs).
    Homepage = "homepage",
    /// LICENSE (list of license names, flattened).
    License = "license",
    /// KEYWORDS (list).
    Keywords = "keywords",
    /// IUSE as written (list; matchers ignore the `+`/`-` default markers).
    Iuse = "iuse",
    /// The enabled USE flags of a configured, built or installed package (list).
    Use = "use",
    /// REQUIRED_USE (text).
    RequiredUse = "required_use",
    /// PROPERTIES (list, flattened).
    Properties = "properties",
    /// RESTRICT (list, flattened).
    Restrict = "restrict",
    /// INHERITED eclasses (list).
    Inherited = "inherited",
    /// DEFINED_PHASES (list).
    DefinedPhases = "defined_phases",
    /// BDEPEND ([`AttrValue::Atoms`]/[`AttrValue::AtomRefs`]).
    Bdepend = "bdepend",
    /// DEPEND ([`AttrValue::Atoms`]/[`AttrValue::AtomRefs`]).
    Depend = "depend",
    /// RDEPEND ([`AttrValue::Atoms`]/[`AttrValue::AtomRefs`]).
    Rdepend = "rdepend",
    /// PDEPEND ([`AttrValue::Atoms`]/[`AttrValue::AtomRefs`]).
    Pdepend = "pdepend",
    /// IDEPEND ([`AttrValue::Atoms`]/[`AttrValue::AtomRefs`]).
    Idepend = "idepend",
    /// SRC_URI (list of URIs, flattened).
    SrcUri = "uris",
    /// Distfile names (list).
    Distfiles = "distfiles",
    /// Maintainers from metadata.xml, each as `Name <email>` or `email` (list).
    Maintainers = "maintainers",
    /// Maintainer e-mail addresses (list).
    MaintainerEmails = "maintainer_emails",
    /// Maintainer names (list).
    MaintainerNames = "maintainer_names",
    /// Installed paths from CONTENTS (list of absolute paths).
    Contents = "contents",
    /// The ebuild, binary package or vdb entry path (text).
    Path = "path",
    /// CHOST (text).
    Chost = "chost",
    /// CBUILD (text).
    Cbuild = "cbuild",
    /// CTARGET (text).
    Ctarget = "ctarget",
    /// BUILD_ID of a multi-instance binary package (number).
    BuildId = "build_id",
    /// Size in bytes (binary package file, or installed size) (number).
    Size = "size",
    /// The saved ebuild environment of a built or installed package (text).
    Environment = "environment",
}

impl Attr {
    /// Like [`Attr::from_name`], also accepting other names pkgcore and Portage use for
    /// the same attribute (`src_uri`, `fetchables`, `iuse_stripped`, `cpvstr`, `repo_id`,
    /// `long_description`, `pvr`, `pv`, `pn`).
    pub fn from_alias(name: &str) -> Option<Attr> {
        Attr::from_name(name).or(match name {
            "src_uri" | "fetchables" => Some(Attr::SrcUri),
            "iuse_stripped" | "iuse_effective" => Some(Attr::Iuse),
            "cpvstr" => Some(Attr::Cpv),
            "repo_id" | "repository" => Some(Attr::Repo),
            "long_description" => Some(Attr::LongDescription),
            "pvr" => Some(Attr::Fullver),
            "pv" => Some(Attr::Version),
            "pn" => Some(Attr::Package),
            _ => None,
        })
    }

    /// Whether the attribute is a list of whitespace-free words (KEYWORDS, IUSE, USE,
    /// LICENSE, ...). A package may give such an attribute as one whitespace-separated
    /// text; restrictions then read it as the list of its words.
    pub fn is_word_list(self) -> bool {
        matches!(
            self,
            Attr::Homepage
                | Attr::License
                | Attr::Keywords
                | Attr::Iuse
                | Attr::Use
                | Attr::Properties
                | Attr::Restrict
                | Attr::Inherited
                | Attr::DefinedPhases
                | Attr::SrcUri
                | Attr::Distfiles
        )
    }

    /// Whether the attribute is answered by a package's name and repository alone
    /// (category, package, the version parts, key, cpv, repository): evaluating it reads
    /// no metadata.
    ///
    /// ```
    /// use strata_restrict::Attr;
    /// assert!(Attr::Cpv.is_name());
    /// assert!(!Attr::Description.is_name());
    /// ```
    pub fn is_name(self) -> bool {
        matches!(
            self,
            Attr::Category
                | Attr::Package
                | Attr::Version
                | Attr::Fullver
                | Attr::Revision
                | Attr::Key
                | Attr::Cpv
                | Attr::Repo
        )
    }

    /// Whether the attribute comes from the package's `metadata.xml` (the long
    /// description and the maintainers): it is known per package, not per version, and
    /// is read from that file (or an index built from it), never from a cache entry.
    ///
    /// ```
    /// use strata_restrict::Attr;
    /// assert!(Attr::Maintainers.is_metadata_xml());
    /// assert!(!Attr::Description.is_metadata_xml());
    /// ```
    pub fn is_metadata_xml(self) -> bool {
        matches!(
            self,
            Attr::LongDescription
                | Attr::Maintainers
                | Attr::MaintainerEmails
                | Attr::MaintainerNames
        )
    }

    /// The five dependency classes: `bdepend depend rdepend pdepend idepend`.
    pub const DEPS: [Attr; 5] = [
        Attr::Bdepend,
        Attr::Depend,
        Attr::Rdepend,
        Attr::Pdepend,
        Attr::Idepend,
    ];
}

impl fmt::Display for Attr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A list of strings as a package happens to hold it, so that giving it out costs nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StrList<'a> {
    /// Whitespace-separated words (`KEYWORDS="amd64 ~arm64"` as read from a cache).
    Spaced(&'a str),
    /// Borrowed owned strings.
    Slice(&'a [String]),
    /// Borrowed string slices.
    Strs(&'a [&'a str]),
    /// Strings computed for this request.
    Owned(Vec<String>),
}

impl<'a> StrList<'a> {
    /// The elements, in order.
    pub fn iter(&self) -> StrListIter<'_> {
        match self {
            StrList::Spaced(s) => StrListIter::Spaced(s.split_ascii_whitespace()),
            StrList::Slice(v) => StrListIter::Slice(v.iter()),
            StrList::Strs(v) => StrListIter::Strs(v.iter()),
            StrList::Owned(v) => StrListIter::Slice(v.iter()),
        }
    }

    /// Whether `item` is an element.
    pub fn contains(&self, item: &str) -> bool {
        self.iter().any(|s| s == item)
    }
}

/// Iterator over a [`StrList`].
#[derive(Debug, Clone)]
pub enum StrListIter<'s> {
    /// Over whitespace-separated words.
    Spaced(std::str::SplitAsciiWhitespace<'s>),
    /// Over strings.
    Slice(std::slice::Iter<'s, String>),
    /// Over string slices.
    Strs(std::slice::Iter<'s, &'s str>),
}

impl<'s> Iterator for StrListIter<'s> {
    type Item = &'s str;
    fn next(&mut self) -> Option<&'s str> {
        match self {
            StrListIter::Spaced(i) => i.next(),
            StrListIter::Slice(i) => i.next().map(String::as_str),
            StrListIter::Strs(i) => i.next().copied(),
        }
    }
}

/// The value of one attribute of one package.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue<'a> {
    /// A single string.
    Text(Cow<'a, str>),
    /// A list of strings.
    List(StrList<'a>),
    /// A version.
    Version(Cow<'a, Version>),
    /// Dependency atoms (a dependency class, flattened: every atom that appears in it).
    Atoms(Cow<'a, [Atom]>),
    /// Dependency atoms borrowed from wherever the package holds them (e.g.
    /// `DepSpec::atoms().collect()`), so that no atom is cloned.
    AtomRefs(Vec<&'a Atom>),
    /// A number.
    Number(u64),
}

impl<'a> AttrValue<'a> {
    /// A borrowed text value.
    pub fn text(s: &'a str) -> Self {
        AttrValue::Text(Cow::Borrowed(s))
    }

    /// A borrowed whitespace-separated list.
    pub fn spaced(s: &'a str) -> Self {
        AttrValue::List(StrList::Spaced(s))
    }

    /// The dependency atoms, when this is [`AttrValue::Atoms`] or [`AttrValue::AtomRefs`].
    pub fn atoms(&self) -> Option<impl Iterator<Item = &Atom> + '_> {
        let (owned, refs): (&[Atom], &[&Atom]) = match self {
            AttrValue::Atoms(a) => (a, &[]),
            AttrValue::AtomRefs(r) => (&[], r),
            _ => return None,
        };
        Some(owned.iter().chain(refs.iter().copied()))
    }

    /// The value as a single string, when it is one (text, or a version's spelling).
    pub fn as_text(&self) -> Option<&str> {
        match self {
            AttrValue::Text(s) => Some(s),
            AttrValue::Version(v) => Some(v.as_str()),
            _ => None,
        }
    }
}

impl fmt::Display for AttrValue<'_> {
    /// Lists and atoms are separated by single spaces.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttrValue::Text(s) => f.write_str(s),
            AttrValue::Version(v) => write!(f, "{v}"),
            AttrValue::Number(n) => write!(f, "{n}"),
            AttrValue::List(l) => {
                for (i, s) in l.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    f.write_str(s)?;
                }
                Ok(())
            }
            AttrValue::Atoms(_) | AttrValue::AtomRefs(_) => {
                for (i, atom) in self.atoms().into_iter().flatten().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    write!(f, "{atom}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &a in Attr::ALL {
            assert_eq!(Attr::from_name(a.name()), Some(a));
        }
        assert_eq!(Attr::from_name("description"), Some(Attr::Description));
        assert_eq!(Attr::from_name("nonesuch"), None);
        assert_eq!(Attr::from_name("src_uri"), None);
        assert_eq!(Attr::from_alias("src_uri"), Some(Attr::SrcUri));
        assert_eq!(Attr::from_alias("iuse_stripped"), Some(Attr::Iuse));
        assert_eq!(Attr::from_alias("keywords"), Some(Attr::Keywords));
        assert_eq!(Attr::from_alias("nonesuch"), None);
        let mut names: Vec<_> = Attr::ALL.iter().map(|a| a.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Attr::ALL.len(), "attribute names are unique");
    }

    #[test]
    fn metadata_xml_attrs() {
        let xml: Vec<&str> = Attr::ALL
            .iter()
            .filter(|a| a.is_metadata_xml())
            .map(|a| a.name())
            .collect();
        assert_eq!(
            xml,
            [
                "longdescription",
                "maintainers",
                "maintainer_emails",
                "maintainer_names"
            ]
        );
        for &a in Attr::ALL {
            if a.is_metadata_xml() {
                assert!(!a.is_name() && !Attr::DEPS.contains(&a), "{a}");
            }
        }
    }

    #[test]
    fn str_lists() {
        let l = StrList::Spaced("  amd64 ~arm64\n x86 ");
        assert_eq!(l.iter().collect::<Vec<_>>(), ["amd64", "~arm64", "x86"]);
        assert!(l.contains("x86"));
        assert!(!l.contains("arm64"));
        let owned = vec!["a".to_string(), "b c".to_string()];
        assert_eq!(StrList::Slice(&owned).iter().count(), 2);
        assert_eq!(
            AttrValue::List(StrList::Owned(owned.clone())).to_string(),
            "a b c"
        );
    }
}
