//! Which metadata variable a dependency specification comes from, and what that allows.

use std::fmt;
use std::str::FromStr;

use crate::eapi::{Eapi, Feature};

/// The metadata variable a dependency specification belongs to.
///
/// The kind decides which leaves and groups are allowed (formats.md §2.4) and from which
/// EAPI the variable exists at all. [`DepKind::key`] is the md5-cache key name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DepKind {
    /// `DEPEND`: build dependencies (package atoms).
    Depend,
    /// `RDEPEND`: runtime dependencies (package atoms).
    Rdepend,
    /// `BDEPEND`: build-host dependencies (package atoms), EAPI 7+.
    Bdepend,
    /// `PDEPEND`: post dependencies (package atoms).
    Pdepend,
    /// `IDEPEND`: install-time dependencies (package atoms), EAPI 8+.
    Idepend,
    /// `LICENSE`: license names.
    License,
    /// `REQUIRED_USE`: USE flag constraints (`flag` / `!flag`), EAPI 4+.
    RequiredUse,
    /// `SRC_URI`: URIs (with optional `-> name`) and bare file names.
    SrcUri,
    /// `RESTRICT`: plain words.
    Restrict,
    /// `PROPERTIES`: plain words.
    Properties,
}

impl DepKind {
    /// Every kind, in md5-cache key order of the dependency classes first.
    pub const ALL: [DepKind; 10] = [
        DepKind::Depend,
        DepKind::Rdepend,
        DepKind::Bdepend,
        DepKind::Pdepend,
        DepKind::Idepend,
        DepKind::License,
        DepKind::RequiredUse,
        DepKind::SrcUri,
        DepKind::Restrict,
        DepKind::Properties,
    ];

    /// The five dependency classes, whose leaves are package atoms.
    pub const DEPENDENCIES: [DepKind; 5] = [
        DepKind::Depend,
        DepKind::Rdepend,
        DepKind::Bdepend,
        DepKind::Pdepend,
        DepKind::Idepend,
    ];

    /// The variable's name, which is also its md5-cache key (`"DEPEND"`, `"SRC_URI"`).
    pub fn key(self) -> &'static str {
        match self {
            DepKind::Depend => "DEPEND",
            DepKind::Rdepend => "RDEPEND",
            DepKind::Bdepend => "BDEPEND",
            DepKind::Pdepend => "PDEPEND",
            DepKind::Idepend => "IDEPEND",
            DepKind::License => "LICENSE",
            DepKind::RequiredUse => "REQUIRED_USE",
            DepKind::SrcUri => "SRC_URI",
            DepKind::Restrict => "RESTRICT",
            DepKind::Properties => "PROPERTIES",
        }
    }

    /// The kind whose md5-cache key is `key`, if any.
    ///
    /// ```
    /// use strata_atom::depspec::DepKind;
    /// assert_eq!(DepKind::from_key("BDEPEND"), Some(DepKind::Bdepend));
    /// assert_eq!(DepKind::from_key("HOMEPAGE"), None);
    /// ```
    pub fn from_key(key: &str) -> Option<DepKind> {
        DepKind::ALL.into_iter().find(|k| k.key() == key)
    }

    /// Whether the leaves are package atoms (DEPEND, RDEPEND, BDEPEND, PDEPEND, IDEPEND).
    pub fn is_dependency(self) -> bool {
        matches!(
            self,
            DepKind::Depend
                | DepKind::Rdepend
                | DepKind::Bdepend
                | DepKind::Pdepend
                | DepKind::Idepend
        )
    }

    /// Whether `|| ( )` any-of groups are allowed (not in SRC_URI, RESTRICT, PROPERTIES).
    pub fn allows_any_of(self) -> bool {
        !matches!(
            self,
            DepKind::SrcUri | DepKind::Restrict | DepKind::Properties
        )
    }

    /// Whether `^^ ( )` and `?? ( )` groups are allowed (REQUIRED_USE only).
    pub fn allows_one_of(self) -> bool {
        self == DepKind::RequiredUse
    }

    /// The EAPI feature the variable itself needs, if it does not exist in every EAPI.
    pub fn required_feature(self) -> Option<Feature> {
        match self {
            DepKind::Bdepend => Some(Feature::Bdepend),
            DepKind::Idepend => Some(Feature::Idepend),
            DepKind::RequiredUse => Some(Feature::RequiredUse),
            _ => None,
        }
    }

    /// Whether the variable exists in `eapi`.
    pub fn exists_in(self, eapi: Eapi) -> bool {
        self.required_feature().is_none_or(|f| eapi.has(f))
    }
}

impl fmt::Display for DepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// The error of [`DepKind::from_str`]: the text is no dependency-specification key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown dependency specification key {0:?}")]
pub struct UnknownDepKind(pub String);

impl FromStr for DepKind {
    type Err = UnknownDepKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DepKind::from_key(s).ok_or_else(|| UnknownDepKind(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        for kind in DepKind::ALL {
            assert_eq!(kind.key().parse::<DepKind>(), Ok(kind));
        }
        assert!("depend".parse::<DepKind>().is_err());
    }

    #[test]
    fn gating() {
        assert!(!DepKind::Bdepend.exists_in(Eapi::E6));
        assert!(DepKind::Bdepend.exists_in(Eapi::E7));
        assert!(!DepKind::Idepend.exists_in(Eapi::E7));
        assert!(DepKind::Idepend.exists_in(Eapi::E8));
        assert!(!DepKind::RequiredUse.exists_in(Eapi::E3));
        assert!(DepKind::RequiredUse.exists_in(Eapi::E4));
        assert!(DepKind::Depend.exists_in(Eapi::E0));
        assert!(!DepKind::SrcUri.allows_any_of());
        assert!(DepKind::License.allows_any_of());
        assert!(DepKind::RequiredUse.allows_one_of());
        assert!(!DepKind::Depend.allows_one_of());
    }
}
