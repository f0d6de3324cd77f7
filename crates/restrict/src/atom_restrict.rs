//! Atoms compiled into restrictions.
//!
//! `[::repo] cat/pkg [op version] [:slot[/subslot]] [[use,...]]` becomes the conjunction
//! (in this order, cheapest and most selective first, as pkgcore does):
//! `repo == R`, `package == P`, `category == C`, `fullver op V`, `slot == S`,
//! `subslot == SS`, and a [`UseRestriction`]. Version comparison is the atom crate's
//! ([`VersionMatch`]), so there is one implementation of the rules.
//!
//! * Slot operators (`:=`, `:*`, `:S=`) do not restrict (`:S=` restricts the slot).
//! * Conditional USE dependencies (`[f?]`, `[!f?]`, `[f=]`, `[!f=]`) need the depending
//!   package's USE: give it to [`Restriction::from_atom_with_parent_use`] and they become
//!   `[f]`/`[-f]` or nothing, per PMS. Without it they do not restrict: a package matches
//!   when some configuration of the depending package would accept it.
//! * **Blockers**: `!cat/pkg` and `!!cat/pkg` compile to the restriction of the packages
//!   they block, exactly like `cat/pkg`; what blocking means (must not be installed,
//!   weak or strong) is the resolver's business, which reads
//!   [`Atom::blocker`](strata_atom::atom::Atom::blocker). This is pkgcore's choice too.
//!   Targets ([`parse_target`](crate::parse_target)) reject `!` outright.

use strata_atom::ParseError;
use strata_atom::atom::{Atom, UseDefault, UseDep};

use crate::attr::Attr;
use crate::restriction::Restriction;
use crate::use_flags::{UseRequirement, UseRestriction};
use crate::value::ValueRestriction;
use crate::version_match::VersionMatch;

/// Parses an atom as a command line or user configuration file has it: latest EAPI,
/// with the `::repo` extension.
pub(crate) fn parse_atom_ext(s: &str) -> Result<Atom, ParseError> {
    Atom::parse_user(s)
}

/// The version part of an atom as a restriction on `fullver`, if it has one.
pub(crate) fn version_restriction(atom: &Atom) -> Option<Restriction> {
    let (op, v) = (atom.op()?, atom.version()?);
    Some(Restriction::attr(
        Attr::Fullver,
        ValueRestriction::Version(VersionMatch::new(op, v.clone())),
    ))
}

/// The USE part of an atom, resolved against the depending package's USE when given.
pub(crate) fn use_restriction(
    atom: &Atom,
    parent_use: Option<&dyn Fn(&str) -> bool>,
) -> Restriction {
    let reqs: Vec<UseRequirement> = atom
        .use_deps()
        .iter()
        .filter_map(|d| requirement(d, parent_use))
        .collect();
    if reqs.is_empty() {
        Restriction::AlwaysTrue
    } else {
        Restriction::Use(UseRestriction::new(reqs))
    }
}

/// What one USE dependency requires of the matched package (PMS 8.3.4): the atom
/// crate's rule table ([`UseDep::required`]), with the parent's state of the flag when
/// the depending package's USE is given.
fn requirement(d: &UseDep, parent_use: Option<&dyn Fn(&str) -> bool>) -> Option<UseRequirement> {
    let parent_on = parent_use.map(|on| on(d.flag()));
    let enabled = d.required(parent_on)?;
    Some(UseRequirement {
        flag: d.flag().into(),
        enabled,
        default: d.default().map(|d| d == UseDefault::Enabled),
    })
}

impl Restriction {
    /// The packages `atom` matches (see the module docs). Conditional USE dependencies
    /// do not restrict.
    ///
    /// ```
    /// use strata_atom::atom::Atom;
    /// use strata_restrict::{MemoryPackage, Restriction};
    /// let atom: Atom = ">=dev-lang/python-3.11:3.11".parse().unwrap();
    /// let r = Restriction::from_atom(&atom);
    /// let p = MemoryPackage::new("dev-lang/python-3.11.4").unwrap().with_slot("3.11");
    /// assert!(r.matches(&p));
    /// assert!(!r.matches(&p.clone().with_slot("3.12")));
    /// ```
    pub fn from_atom(atom: &Atom) -> Restriction {
        Self::build(atom, None)
    }

    /// The packages `atom` matches as a dependency of a package whose USE flag `f` is
    /// enabled when `parent_use(f)`: conditional USE dependencies are resolved.
    pub fn from_atom_with_parent_use(atom: &Atom, parent_use: &dyn Fn(&str) -> bool) -> Self {
        Self::build(atom, Some(parent_use))
    }

    fn build(atom: &Atom, parent_use: Option<&dyn Fn(&str) -> bool>) -> Restriction {
        let mut parts = Vec::with_capacity(7);
        if let Some(repo) = atom.repo() {
            parts.push(Restriction::attr(Attr::Repo, ValueRestriction::exact(repo)));
        }
        parts.push(Restriction::attr(
            Attr::Package,
            ValueRestriction::exact(atom.package()),
        ));
        parts.push(Restriction::attr(
            Attr::Category,
            ValueRestriction::exact(atom.category()),
        ));
        parts.extend(version_restriction(atom));
        if let Some(slot) = atom.slot() {
            parts.push(Restriction::attr(Attr::Slot, ValueRestriction::exact(slot)));
        }
        if let Some(sub) = atom.subslot() {
            parts.push(Restriction::attr(
                Attr::Subslot,
                ValueRestriction::exact(sub),
            ));
        }
        parts.push(use_restriction(atom, parent_use));
        Restriction::and(parts)
    }
}

impl Restriction {
    /// Packages with a dependency (in any of the five classes) on something `atom` could
    /// match: pkgcore's `--restrict-revdep`. Dependency attributes are read as
    /// [`AttrValue::Atoms`](crate::AttrValue::Atoms).
    pub fn revdep(atom: &Atom) -> Restriction {
        Restriction::or(
            Attr::DEPS.iter().map(|&a| {
                Restriction::attr(a, ValueRestriction::Intersects(Box::new(atom.clone())))
            }),
        )
    }

    /// Packages with a dependency (in any of the five classes) naming `category/package`
    /// (any version, slot or USE; blockers included).
    pub fn revdep_name(cp: &str) -> Restriction {
        Restriction::or(
            Attr::DEPS
                .iter()
                .map(|&a| Restriction::attr(a, ValueRestriction::NamesPackage(cp.into()))),
        )
    }
}

impl From<&Atom> for Restriction {
    fn from(atom: &Atom) -> Self {
        Restriction::from_atom(atom)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::memory::MemoryPackage;

    fn atom(s: &str) -> Atom {
        Atom::parse_user(s).unwrap()
    }

    #[test]
    fn parts_in_order() {
        let r = Restriction::from_atom(&atom(
            ">=dev-lang/python-3.11:3.11/3.11t::gentoo[ssl,-tk(+)]",
        ));
        assert_eq!(
            r.to_string(),
            r#"(repo == "gentoo" && package == "python" && category == "dev-lang" && fullver >= 3.11 && slot == "3.11" && subslot == "3.11t" && use[ssl,-tk(+)])"#
        );
        let r = Restriction::from_atom(&atom("=a/b-1.2*:="));
        assert_eq!(
            r.to_string(),
            r#"(package == "b" && category == "a" && fullver = 1.2*)"#
        );
    }

    #[test]
    fn blockers_match_what_they_block() {
        let p = MemoryPackage::new("a/b-1").unwrap();
        for s in ["!a/b", "!!a/b", "!<a/b-2"] {
            assert!(Restriction::from_atom(&atom(s)).matches(&p), "{s}");
        }
        assert!(!Restriction::from_atom(&atom("!>a/b-1")).matches(&p));
    }

    #[test]
    fn conditional_use_deps() {
        let p = MemoryPackage::new("a/b-1")
            .unwrap()
            .with_list(Attr::Iuse, ["x", "y"])
            .with_list(Attr::Use, ["x"]);
        let a = atom("a/b[x=,y?,!y=]");
        assert!(
            Restriction::from_atom(&a).matches(&p),
            "unresolved: no restriction"
        );
        let on = |f: &str| f == "x";
        // x= → x on (ok); y? with y off in parent → nothing; !y= → y on (fails).
        assert!(!Restriction::from_atom_with_parent_use(&a, &on).matches(&p));
        let both = |f: &str| f == "x" || f == "y";
        // y? → y on (fails).
        assert!(!Restriction::from_atom_with_parent_use(&a, &both).matches(&p));
        let a = atom("a/b[x=,!y?]");
        assert!(Restriction::from_atom_with_parent_use(&a, &on).matches(&p));
        assert!(!Restriction::from_atom_with_parent_use(&a, &|_| false).matches(&p));
    }

    #[test]
    fn revdeps() {
        let p = MemoryPackage::new("app-misc/foo-1")
            .unwrap()
            .with_atoms(
                Attr::Rdepend,
                vec![atom(">=dev-lang/python-3.11"), atom("!app-misc/bar")],
            )
            .with_atoms(Attr::Bdepend, vec![atom("dev-build/meson")]);
        assert!(Restriction::revdep(&atom("dev-lang/python:3.12")).matches(&p));
        assert!(!Restriction::revdep(&atom("<dev-lang/python-3.10")).matches(&p));
        assert!(Restriction::revdep(&atom("dev-build/meson")).matches(&p));
        assert!(Restriction::revdep_name("app-misc/bar").matches(&p));
        assert!(!Restriction::revdep_name("app-misc/baz").matches(&p));
        let str_match = Restriction::attr(Attr::Rdepend, ValueRestriction::glob(">=dev-lang/*"));
        assert!(str_match.matches(&p));
        // Borrowed atoms behave like owned ones.
        let held = [atom(">=dev-lang/python-3.11"), atom("!app-misc/bar")];
        let refs = crate::AttrValue::AtomRefs(held.iter().collect());
        let owned = crate::AttrValue::Atoms(std::borrow::Cow::Borrowed(&held));
        for v in [&refs, &owned] {
            assert!(ValueRestriction::Intersects(Box::new(atom("dev-lang/python"))).matches(v));
            assert!(ValueRestriction::NamesPackage("app-misc/bar".into()).matches(v));
            assert!(!ValueRestriction::NamesPackage("app-misc/baz".into()).matches(v));
            assert!(ValueRestriction::exact("!app-misc/bar").matches(v));
            assert!(
                ValueRestriction::contains([">=dev-lang/python-3.11"], crate::Containment::AnyOf)
                    .matches(v)
            );
            assert_eq!(v.to_string(), ">=dev-lang/python-3.11 !app-misc/bar");
        }
        assert!(
            !MemoryPackage::new("a/b-1")
                .map(|q| Restriction::revdep_name("app-misc/bar").matches(&q))
                .unwrap()
        );
    }
}
