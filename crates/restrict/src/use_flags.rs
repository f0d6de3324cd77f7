//! The USE-flag part of an atom (`[foo,-bar,baz(+)]`) as a package restriction.

use std::fmt;

use crate::attr::{Attr, AttrValue, StrList};
use crate::package::PackageAttrs;
use crate::restriction::strip_iuse_default;

/// One USE requirement on the matched package: `flag` must be on (`enabled`) or off.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UseRequirement {
    /// The flag name.
    pub flag: Box<str>,
    /// Whether the flag must be enabled (`[foo]`) or disabled (`[-foo]`).
    pub enabled: bool,
    /// The `(+)`/`(-)` default: the state assumed when the package's IUSE lacks the flag.
    /// Without one, a flag missing from IUSE makes the package not match (PMS calls it an
    /// error to reference such a flag).
    pub default: Option<bool>,
}

impl fmt::Display for UseRequirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.enabled {
            f.write_str("-")?;
        }
        f.write_str(&self.flag)?;
        match self.default {
            Some(true) => f.write_str("(+)"),
            Some(false) => f.write_str("(-)"),
            None => Ok(()),
        }
    }
}

/// USE requirements, all of which must hold. Reads `use` (the enabled flags; a package
/// without it does not match) and `iuse` (when missing, every flag counts as present
/// in IUSE, so defaults never apply). A flag that is enabled counts as present in IUSE
/// (implicit IUSE such as arch flags need not be listed).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UseRestriction {
    reqs: Box<[UseRequirement]>,
}

fn as_list<'v>(v: &'v AttrValue<'_>) -> Option<StrList<'v>> {
    match v {
        AttrValue::List(l) => Some(match l {
            StrList::Spaced(s) => StrList::Spaced(s),
            StrList::Slice(s) => StrList::Slice(s),
            StrList::Strs(s) => StrList::Strs(s),
            StrList::Owned(o) => StrList::Slice(o),
        }),
        AttrValue::Text(s) => Some(StrList::Spaced(s)),
        _ => None,
    }
}

impl UseRestriction {
    /// Requirements that must all hold.
    pub fn new<I: IntoIterator<Item = UseRequirement>>(reqs: I) -> Self {
        UseRestriction {
            reqs: reqs.into_iter().collect(),
        }
    }

    /// The requirements.
    pub fn requirements(&self) -> &[UseRequirement] {
        &self.reqs
    }

    /// Whether `pkg` satisfies every requirement.
    pub fn matches<P: PackageAttrs + ?Sized>(&self, pkg: &P) -> bool {
        if self.reqs.is_empty() {
            return true;
        }
        let Some(use_v) = pkg.attr(Attr::Use) else {
            return false;
        };
        let Some(enabled) = as_list(&use_v) else {
            return false;
        };
        let iuse_v = pkg.attr(Attr::Iuse);
        let iuse = iuse_v.as_ref().and_then(as_list);
        self.reqs.iter().all(|r| {
            let on = enabled.contains(&r.flag);
            let in_iuse = on
                || iuse
                    .as_ref()
                    .is_none_or(|l| l.iter().any(|w| strip_iuse_default(w) == &*r.flag));
            let state = if in_iuse {
                on
            } else {
                match r.default {
                    Some(d) => d,
                    None => return false,
                }
            };
            state == r.enabled
        })
    }
}

impl fmt::Display for UseRestriction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("use[")?;
        for (i, r) in self.reqs.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{r}")?;
        }
        f.write_str("]")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::memory::MemoryPackage;

    fn req(flag: &str, enabled: bool, default: Option<bool>) -> UseRequirement {
        UseRequirement {
            flag: flag.into(),
            enabled,
            default,
        }
    }

    fn pkg() -> MemoryPackage {
        MemoryPackage::new("dev-lang/python-3.12.4")
            .unwrap()
            .with_list(Attr::Iuse, ["+ssl", "-doc", "tk"])
            .with_list(Attr::Use, ["ssl", "amd64"])
    }

    fn m(reqs: Vec<UseRequirement>, p: &MemoryPackage) -> bool {
        UseRestriction::new(reqs).matches(p)
    }

    #[test]
    fn enabled_disabled() {
        let p = pkg();
        assert!(m(vec![req("ssl", true, None)], &p));
        assert!(!m(vec![req("ssl", false, None)], &p));
        assert!(m(vec![req("doc", false, None)], &p));
        assert!(!m(vec![req("doc", true, None)], &p));
        assert!(m(vec![req("ssl", true, None), req("tk", false, None)], &p));
        assert!(!m(vec![req("ssl", true, None), req("tk", true, None)], &p));
        // Implicit IUSE: enabled flags count as present.
        assert!(m(vec![req("amd64", true, None)], &p));
        assert!(m(vec![], &p));
    }

    #[test]
    fn missing_from_iuse() {
        let p = pkg();
        // No default: referencing a flag missing from IUSE never matches.
        assert!(!m(vec![req("gtk", true, None)], &p));
        assert!(!m(vec![req("gtk", false, None)], &p));
        // Defaults apply only when IUSE lacks the flag.
        assert!(m(vec![req("gtk", true, Some(true))], &p));
        assert!(!m(vec![req("gtk", false, Some(true))], &p));
        assert!(m(vec![req("gtk", false, Some(false))], &p));
        assert!(!m(vec![req("gtk", true, Some(false))], &p));
        assert!(
            !m(vec![req("doc", true, Some(true))], &p),
            "doc is in IUSE, off"
        );
    }

    #[test]
    fn missing_attributes() {
        let mut p = pkg();
        p.unset(Attr::Iuse);
        assert!(m(vec![req("doc", false, None)], &p));
        assert!(
            m(vec![req("gtk", false, Some(true))], &p),
            "no IUSE: defaults unused"
        );
        p.unset(Attr::Use);
        assert!(!m(vec![req("doc", false, None)], &p));
        assert!(m(vec![], &p));
    }

    #[test]
    fn display() {
        let r = UseRestriction::new([req("ssl", true, None), req("doc", false, Some(true))]);
        assert_eq!(r.to_string(), "use[ssl,-doc(+)]");
    }
}
