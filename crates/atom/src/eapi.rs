//! EAPIs and the table of what each one allows (PMS; Portage's `eapi.py` breaks ties).

use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;

/// One of the EAPIs defined by PMS, `0` to `9`.
///
/// Unknown EAPIs are not representable: [`Eapi::parse`] rejects them with
/// [`ParseError::UnsupportedEapi`], so a caller can record why a package is unusable.
/// The order is the numeric order of the official EAPIs, in which every later EAPI
/// is a (near) superset of the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Eapi {
    /// EAPI 0 (also what an empty or unset EAPI means).
    E0,
    /// EAPI 1.
    E1,
    /// EAPI 2.
    E2,
    /// EAPI 3.
    E3,
    /// EAPI 4.
    E4,
    /// EAPI 5.
    E5,
    /// EAPI 6.
    E6,
    /// EAPI 7.
    E7,
    /// EAPI 8.
    E8,
    /// EAPI 9.
    E9,
}

/// A capability that some EAPIs have and others lack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Feature {
    /// `:slot` dependencies (1+).
    SlotDeps,
    /// IUSE defaults `+flag` / `-flag` (1+).
    IuseDefaults,
    /// `!!` strong blockers; `!` becomes a weak blocker (2+).
    StrongBlockers,
    /// USE dependencies `[foo]`, `[-foo]`, `[foo=]`, `[!foo=]`, `[foo?]`, `[!foo?]` (2+).
    UseDeps,
    /// `uri -> name` arrows in SRC_URI (2+).
    SrcUriArrows,
    /// USE dependency defaults `(+)` / `(-)` (4+).
    UseDepDefaults,
    /// REQUIRED_USE, with `||` and `^^` (4+).
    RequiredUse,
    /// PROPERTIES is a mandatory metadata key (4+; optional before).
    PropertiesMandatory,
    /// RDEPEND takes DEPEND's value when unset (0–3 only).
    RdependDefaultsToDepend,
    /// Sub-slots `:slot/sub` and slot operators `:*`, `:=`, `:slot=` (5+).
    SlotOperators,
    /// `??` (at-most-one-of) groups in REQUIRED_USE (5+).
    RequiredUseAtMostOne,
    /// `profiles/` files may be directories (EAPI 7+ in the profile's `eapi` file).
    ProfileDirectories,
    /// BDEPEND (7+).
    Bdepend,
    /// Empty `|| ( )` and `^^ ( )` groups count as matched (0–6 only).
    EmptyAnyOfMatches,
    /// IDEPEND (8+).
    Idepend,
    /// `fetch+` and `mirror+` SRC_URI prefixes (8+).
    UriRestrictPrefixes,
    /// `package.provided` in profiles (0–6 only).
    PackageProvided,
    /// `use.stable` and `package.use.stable` in profiles (9+).
    UseStable,
}

impl Feature {
    /// A short human name, used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Feature::SlotDeps => "slot dependency",
            Feature::IuseDefaults => "IUSE default",
            Feature::StrongBlockers => "strong blocker '!!'",
            Feature::UseDeps => "USE dependency",
            Feature::SrcUriArrows => "SRC_URI arrow '->'",
            Feature::UseDepDefaults => "USE dependency default",
            Feature::RequiredUse => "REQUIRED_USE",
            Feature::PropertiesMandatory => "mandatory PROPERTIES",
            Feature::RdependDefaultsToDepend => "RDEPEND defaulting to DEPEND",
            Feature::SlotOperators => "sub-slot or slot operator",
            Feature::RequiredUseAtMostOne => "'??' group",
            Feature::ProfileDirectories => "profile directories",
            Feature::Bdepend => "BDEPEND",
            Feature::EmptyAnyOfMatches => "matching empty any-of group",
            Feature::Idepend => "IDEPEND",
            Feature::UriRestrictPrefixes => "'fetch+'/'mirror+' URI prefix",
            Feature::PackageProvided => "package.provided",
            Feature::UseStable => "use.stable",
        }
    }
}

impl Eapi {
    /// Every EAPI this crate knows, oldest first.
    pub const ALL: [Eapi; 10] = [
        Eapi::E0,
        Eapi::E1,
        Eapi::E2,
        Eapi::E3,
        Eapi::E4,
        Eapi::E5,
        Eapi::E6,
        Eapi::E7,
        Eapi::E8,
        Eapi::E9,
    ];

    /// The newest EAPI, used where none is given (command lines, `FromStr`).
    pub const LATEST: Eapi = Eapi::E9;

    /// Parses an EAPI name. An empty string means EAPI 0, as PMS says of an unset EAPI.
    ///
    /// ```
    /// use strata_atom::Eapi;
    /// assert_eq!(Eapi::parse("8").unwrap(), Eapi::E8);
    /// assert_eq!(Eapi::parse("").unwrap(), Eapi::E0);
    /// assert!(Eapi::parse("paludis-1").is_err());
    /// ```
    pub fn parse(s: &str) -> Result<Eapi, ParseError> {
        Ok(match s {
            "" | "0" => Eapi::E0,
            "1" => Eapi::E1,
            "2" => Eapi::E2,
            "3" => Eapi::E3,
            "4" => Eapi::E4,
            "5" => Eapi::E5,
            "6" => Eapi::E6,
            "7" => Eapi::E7,
            "8" => Eapi::E8,
            "9" => Eapi::E9,
            other => {
                crate::name::validate_eapi_name(other)?;
                return Err(ParseError::UnsupportedEapi(other.to_owned()));
            }
        })
    }

    /// The EAPI's name as written in ebuilds (`"8"`).
    pub fn as_str(self) -> &'static str {
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"][self as usize]
    }

    /// Whether this EAPI has `feature`.
    pub fn has(self, feature: Feature) -> bool {
        let n = self as u8;
        match feature {
            Feature::SlotDeps | Feature::IuseDefaults => n >= 1,
            Feature::StrongBlockers | Feature::UseDeps | Feature::SrcUriArrows => n >= 2,
            Feature::UseDepDefaults | Feature::RequiredUse | Feature::PropertiesMandatory => n >= 4,
            Feature::RdependDefaultsToDepend => n <= 3,
            Feature::SlotOperators | Feature::RequiredUseAtMostOne => n >= 5,
            Feature::ProfileDirectories | Feature::Bdepend => n >= 7,
            Feature::EmptyAnyOfMatches | Feature::PackageProvided => n <= 6,
            Feature::Idepend | Feature::UriRestrictPrefixes => n >= 8,
            Feature::UseStable => n >= 9,
        }
    }
}

impl fmt::Display for Eapi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Eapi {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Eapi::parse(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_table() {
        for e in Eapi::ALL {
            assert_eq!(Eapi::parse(e.as_str()).unwrap(), e);
        }
        assert!(!Eapi::E1.has(Feature::StrongBlockers));
        assert!(Eapi::E2.has(Feature::StrongBlockers));
        assert!(Eapi::E3.has(Feature::RdependDefaultsToDepend));
        assert!(!Eapi::E4.has(Feature::RdependDefaultsToDepend));
        assert!(Eapi::E6.has(Feature::EmptyAnyOfMatches));
        assert!(!Eapi::E7.has(Feature::EmptyAnyOfMatches));
        assert!(Eapi::E8.has(Feature::Idepend));
        assert!(!Eapi::E7.has(Feature::Idepend));
    }

    #[test]
    fn unknown_and_malformed() {
        assert_eq!(
            Eapi::parse("10"),
            Err(ParseError::UnsupportedEapi("10".into()))
        );
        assert!(matches!(
            Eapi::parse("-1"),
            Err(ParseError::Invalid { pos: 0, .. })
        ));
    }
}
