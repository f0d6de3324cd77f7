//! Version comparison restrictions: an atom's operator and version.

use std::fmt;

use strata_atom::atom::VersionOp;
use strata_atom::version::Version;

/// `op version`: which candidate versions an atom's version part accepts.
///
/// Semantics are the atom crate's (PMS, formats.md §2.3): `=` compares equal (`1.0` ==
/// `1.00`), `~` ignores the revision, `=V*` compares component-wise with Portage's
/// boundary rule (`=1.2*` matches `1.2.3`, not `1.20`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VersionMatch {
    op: VersionOp,
    version: Version,
}

impl VersionMatch {
    /// Candidates `c` with `c op version`.
    pub fn new(op: VersionOp, version: Version) -> Self {
        VersionMatch { op, version }
    }

    /// The operator.
    pub fn op(&self) -> VersionOp {
        self.op
    }

    /// The version compared with.
    pub fn version(&self) -> &Version {
        &self.version
    }

    /// Whether `candidate` is accepted.
    #[inline]
    pub fn matches(&self, candidate: &Version) -> bool {
        self.op.matches(&self.version, candidate)
    }
}

impl fmt::Display for VersionMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.op {
            VersionOp::EqualGlob => write!(f, "= {}*", self.version),
            op => write!(f, "{op} {}", self.version),
        }
    }
}
