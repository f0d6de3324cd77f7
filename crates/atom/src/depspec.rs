//! Dependency specifications: DEPEND and friends, LICENSE, REQUIRED_USE, SRC_URI, RESTRICT
//! and PROPERTIES (PMS §8.2, formats.md §2.4).
//!
//! A specification is parsed for one metadata variable ([`DepKind`]) under one [`Eapi`]
//! into a tree of [`DepNode`]s: all-of `( )`, any-of `|| ( )`, exactly-one-of `^^ ( )`,
//! at-most-one-of `?? ( )`, USE conditionals `flag? ( )` / `!flag? ( )`, and [`Leaf`]s
//! whose type depends on the variable (atoms, license names, `flag`/`!flag`, [`Uri`]s,
//! plain words).
//!
//! ```
//! use strata_atom::Eapi;
//! use strata_atom::depspec::{DepKind, DepSpec};
//!
//! let spec = DepSpec::parse(
//!     "dev-libs/libfoo:=  ssl? ( || ( dev-libs/openssl dev-libs/libressl ) )",
//!     DepKind::Rdepend,
//!     Eapi::E8,
//! )?;
//! // Canonical text: single spaces; it parses back to an equal value.
//! let text = spec.to_string();
//! assert_eq!(text, "dev-libs/libfoo:= ssl? ( || ( dev-libs/openssl dev-libs/libressl ) )");
//! assert_eq!(DepSpec::parse(&text, DepKind::Rdepend, Eapi::E8)?, spec);
//!
//! // Every atom, or only those enabled by the USE flags in force.
//! assert_eq!(spec.atoms().count(), 3);
//! let no_ssl: Vec<String> = spec.evaluated_atoms(&|_: &str| false).map(|a| a.to_string()).collect();
//! assert_eq!(no_ssl, ["dev-libs/libfoo:="]);
//!
//! // Errors name the input and the byte position.
//! let err = DepSpec::parse("|| ( a/b", DepKind::Depend, Eapi::E8).unwrap_err();
//! assert_eq!(err.to_string(), r#"invalid dependency specification "|| ( a/b": missing ')' (at 8)"#);
//! # Ok::<(), strata_atom::ParseError>(())
//! ```
//!
//! Decisions where the sources leave room (formats.md §2.4, Appendix A):
//! * Empty groups (`( )`, `|| ( )`, `flag? ( )`) are rejected, except in REQUIRED_USE:
//!   PMS's grammar asks for one or more items and Portage's `use_reduce` refuses `( )`,
//!   but Portage's REQUIRED_USE check takes `|| ( )`, `^^ ( )` and `?? ( )`, which is
//!   where the EAPI rule on empty groups (met in EAPI 0–6 only) applies. A group of any
//!   kind can also end up without members when its USE conditionals are disabled (see
//!   [`DepSpec::is_met`]).
//! * The `=` slot operator (`:=`, `:slot=`) is rejected inside `||` (at any depth) and
//!   anywhere in PDEPEND: PMS §8.3.3 calls both invalid; Portage enforces the first.
//! * BDEPEND (EAPI 7+), IDEPEND (8+) and REQUIRED_USE (4+) with a non-empty value in an
//!   earlier EAPI are a [`ParseError::EapiFeature`] error naming the variable; an empty
//!   value parses to an empty specification.
//! * Positions: a bad token is reported at its first byte, or at the bad byte inside it
//!   for a leaf; a missing `)` or `(` at the end of input is reported at the input's
//!   length.
//! * SRC_URI: `->` must stand alone between whitespace, follow a `proto://` URI (not a
//!   bare file name) and be followed by a file name without `/`; a bare file name contains no `/`; a URI without `->` must
//!   have a non-empty basename; `mirror://` needs a mirror name and a path;
//!   `fetch+`/`mirror+` (EAPI 8+) must prefix a `proto://` URI.
//! * RESTRICT and PROPERTIES words follow the license-name grammar.
//! * No token may start with `(` / `)` or end with `(` / `)`: whitespace is mandatory.
//! * Nesting deeper than [`MAX_DEPTH`] groups is rejected.

mod eval;
mod flags;
mod iter;
mod kind;
mod leaf;
mod parse;
mod reduce;
#[cfg(test)]
mod tests;
mod uri;

use std::fmt;

pub use flags::{EnabledFlags, NoFlags};
pub use iter::Leaves;
pub use kind::{DepKind, UnknownDepKind};
pub use leaf::{Leaf, UseCondition};
pub use parse::MAX_DEPTH;
pub use uri::{Uri, UriPrefix};

use crate::atom::Atom;
use crate::eapi::Eapi;
use crate::error::ParseError;

/// One element of a dependency specification.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DepNode {
    /// `( ... )`: every member must be met.
    AllOf(Vec<DepNode>),
    /// `|| ( ... )`: at least one member must be met.
    AnyOf(Vec<DepNode>),
    /// `^^ ( ... )`: exactly one member must be met (REQUIRED_USE).
    ExactlyOneOf(Vec<DepNode>),
    /// `?? ( ... )`: at most one member may be met (REQUIRED_USE, EAPI 5+).
    AtMostOneOf(Vec<DepNode>),
    /// `flag? ( ... )` / `!flag? ( ... )`: the children apply when the condition holds.
    Conditional(UseCondition, Vec<DepNode>),
    /// A leaf: atom, license, flag, URI or word.
    Leaf(Leaf),
}

impl DepNode {
    /// The members of a group or conditional; empty for a leaf.
    pub fn children(&self) -> &[DepNode] {
        match self {
            DepNode::AllOf(c)
            | DepNode::AnyOf(c)
            | DepNode::ExactlyOneOf(c)
            | DepNode::AtMostOneOf(c)
            | DepNode::Conditional(_, c) => c,
            DepNode::Leaf(_) => &[],
        }
    }

    /// The leaf, if this is one.
    pub fn as_leaf(&self) -> Option<&Leaf> {
        match self {
            DepNode::Leaf(leaf) => Some(leaf),
            _ => None,
        }
    }
}

/// Writes `( a b )` with `|| `, `^^ `, `?? ` or `flag? ` in front as the node requires.
impl fmt::Display for DepNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let children = match self {
            DepNode::Leaf(leaf) => return leaf.fmt(f),
            DepNode::AllOf(c) => c,
            DepNode::AnyOf(c) => {
                f.write_str("|| ")?;
                c
            }
            DepNode::ExactlyOneOf(c) => {
                f.write_str("^^ ")?;
                c
            }
            DepNode::AtMostOneOf(c) => {
                f.write_str("?? ")?;
                c
            }
            DepNode::Conditional(cond, c) => {
                write!(f, "{cond}? ")?;
                c
            }
        };
        f.write_str("(")?;
        for child in children {
            write!(f, " {child}")?;
        }
        f.write_str(" )")
    }
}

/// A parsed dependency specification: its kind, the EAPI it was parsed under, and its
/// top-level items (an implicit all-of).
///
/// `Display` writes the canonical form (single spaces, `( a b )`), which
/// [`DepSpec::parse`] reads back to an equal value with the same kind and EAPI.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DepSpec {
    kind: DepKind,
    eapi: Eapi,
    items: Vec<DepNode>,
}

impl DepSpec {
    /// Parses `s` as the value of the `kind` variable of a package with EAPI `eapi`.
    ///
    /// Errors are [`ParseError::Invalid`] or [`ParseError::EapiFeature`] with
    /// [`InputKind::DepSpec`](crate::InputKind::DepSpec), the whole input and the byte
    /// position of the offending token (or of the problem inside it, for a bad leaf).
    pub fn parse(s: &str, kind: DepKind, eapi: Eapi) -> Result<DepSpec, ParseError> {
        Ok(DepSpec {
            kind,
            eapi,
            items: parse::parse(s, kind, eapi)?,
        })
    }

    /// The variable this specification is for.
    pub fn kind(&self) -> DepKind {
        self.kind
    }

    /// The EAPI it was parsed under (it decides how empty `||`/`^^` groups count).
    pub fn eapi(&self) -> Eapi {
        self.eapi
    }

    /// The top-level items, which are all required (an implicit all-of group).
    pub fn items(&self) -> &[DepNode] {
        &self.items
    }

    /// The top-level items, by value.
    pub fn into_items(self) -> Vec<DepNode> {
        self.items
    }

    /// Whether there are no items at all (an empty or all-whitespace value).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every leaf, depth first in textual order, whatever the conditionals say.
    pub fn leaves(&self) -> Leaves<'_> {
        Leaves::new(&self.items, None)
    }

    /// The leaves that apply with the USE flags `flags`: those under a conditional that
    /// does not hold are skipped.
    pub fn evaluated_leaves<'a, F: EnabledFlags + ?Sized>(&'a self, flags: &'a F) -> Leaves<'a, F> {
        Leaves::new(&self.items, Some(flags))
    }

    /// Every atom (dependency kinds), whatever the conditionals say.
    pub fn atoms(&self) -> impl Iterator<Item = &Atom> {
        self.leaves().filter_map(Leaf::as_atom)
    }

    /// The atoms that apply with the USE flags `flags`.
    pub fn evaluated_atoms<'a, F: EnabledFlags + ?Sized>(
        &'a self,
        flags: &'a F,
    ) -> impl Iterator<Item = &'a Atom> {
        self.evaluated_leaves(flags).filter_map(Leaf::as_atom)
    }

    /// Every SRC_URI entry, whatever the conditionals say.
    pub fn uris(&self) -> impl Iterator<Item = &Uri> {
        self.leaves().filter_map(Leaf::as_uri)
    }

    /// The SRC_URI entries that apply with the USE flags `flags`, in SRC_URI order (the
    /// order in which identical distfile names merge their sources).
    pub fn evaluated_uris<'a, F: EnabledFlags + ?Sized>(
        &'a self,
        flags: &'a F,
    ) -> impl Iterator<Item = &'a Uri> {
        self.evaluated_leaves(flags).filter_map(Leaf::as_uri)
    }
}

/// Writes the canonical form: items separated by single spaces.
impl fmt::Display for DepSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for item in &self.items {
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            item.fmt(f)?;
        }
        Ok(())
    }
}
