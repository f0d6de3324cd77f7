//! The leaves of a dependency specification, and USE-flag tests.

use std::fmt;

use super::flags::EnabledFlags;
use super::uri::Uri;
use crate::atom::Atom;

/// A test of one USE flag: `flag` (enabled) or `!flag` (disabled).
///
/// It is both the condition of a `flag? ( )` / `!flag? ( )` group and a REQUIRED_USE leaf.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UseCondition {
    flag: Box<str>,
    negated: bool,
}

impl UseCondition {
    /// A test of `flag`, negated (`!flag`) or not. The name is not validated here; the
    /// parser validates what it builds.
    pub fn new(flag: &str, negated: bool) -> UseCondition {
        UseCondition {
            flag: flag.into(),
            negated,
        }
    }

    /// The flag name, without `!`.
    pub fn flag(&self) -> &str {
        &self.flag
    }

    /// Whether the test is negated (`!flag`).
    pub fn negated(&self) -> bool {
        self.negated
    }

    /// Whether the test holds: the flag is enabled, or disabled when negated.
    pub fn holds<F: EnabledFlags + ?Sized>(&self, flags: &F) -> bool {
        flags.is_enabled(&self.flag) != self.negated
    }
}

/// Writes `flag` or `!flag`.
impl fmt::Display for UseCondition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negated {
            f.write_str("!")?;
        }
        f.write_str(&self.flag)
    }
}

/// One leaf of a dependency specification; which variant depends on the
/// [`DepKind`](super::DepKind).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Leaf {
    /// A package atom (DEPEND, RDEPEND, BDEPEND, PDEPEND, IDEPEND). Boxed: an atom is
    /// several times the size of the other leaves, and tree nodes are moved while parsing.
    Atom(Box<Atom>),
    /// A license name (LICENSE).
    License(Box<str>),
    /// `flag` or `!flag` (REQUIRED_USE).
    Flag(UseCondition),
    /// A URI or bare file name, with its rename and prefix (SRC_URI).
    Uri(Uri),
    /// A plain word (RESTRICT, PROPERTIES).
    Word(Box<str>),
}

impl Leaf {
    /// The atom, for a dependency leaf.
    pub fn as_atom(&self) -> Option<&Atom> {
        match self {
            Leaf::Atom(a) => Some(a),
            _ => None,
        }
    }

    /// The URI entry, for a SRC_URI leaf.
    pub fn as_uri(&self) -> Option<&Uri> {
        match self {
            Leaf::Uri(u) => Some(u),
            _ => None,
        }
    }

    /// The flag test, for a REQUIRED_USE leaf.
    pub fn as_flag(&self) -> Option<&UseCondition> {
        match self {
            Leaf::Flag(f) => Some(f),
            _ => None,
        }
    }

    /// The license name, for a LICENSE leaf.
    pub fn as_license(&self) -> Option<&str> {
        match self {
            Leaf::License(l) => Some(l),
            _ => None,
        }
    }

    /// The word, for a RESTRICT or PROPERTIES leaf.
    pub fn as_word(&self) -> Option<&str> {
        match self {
            Leaf::Word(w) => Some(w),
            _ => None,
        }
    }
}

/// Writes the leaf as it appears in the variable.
impl fmt::Display for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Leaf::Atom(a) => a.fmt(f),
            Leaf::License(l) | Leaf::Word(l) => f.write_str(l),
            Leaf::Flag(c) => c.fmt(f),
            Leaf::Uri(u) => u.fmt(f),
        }
    }
}
