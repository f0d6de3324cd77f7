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
use strata_atom::atom::{Atom, UseDefault, UseDep, UseDepKind};

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

/// What one USE dependency requires of the matched package (PMS 8.3.4).
fn requirement(d: &UseDep, parent_use: Option<&dyn Fn(&str) -> bool>) -> Option<UseRequirement> {
    let enabled = match d.kind() {
        UseDepKind::Enabled => true,
        UseDepKind::Disabled => false,
        kind => {
            let parent_on = parent_use?(d.flag());
            match kind {
                // [f=]: same state as the parent; [!f=]: the opposite.
                UseDepKind::Equal => parent_on,
                UseDepKind::NotEqual => !parent_on,
                // [f?]: on if the parent has it on; [!f?]: off if the parent has it off.
                UseDepKind::Conditional if parent_on => true,
                UseDepKind::NotConditional if !parent_on => false,
                _ => return None,
            }
        }
    };
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

impl From<&Atom> for Restriction {
    fn from(atom: &Atom) -> Self {
        Restriction::from_atom(atom)
    }
}
