//! The seam between restrictions and packages: [`PackageAttrs`].

use crate::attr::{Attr, AttrValue};

/// Anything that can be matched: a package that gives out its attributes by name.
///
/// Ebuilds, binary packages and installed packages implement this in their own crates. A
/// package computes only what it is asked for: a restriction on `category` and `package`
/// never makes an ebuild read its metadata cache entry.
///
/// Returning `None` means the attribute is missing (not known for this kind of package,
/// or not set); a restriction on a missing attribute does not match, unless it is
/// negated as a whole (pkgcore's `ignore_missing`).
///
/// ```
/// use strata_restrict::{Attr, AttrValue, PackageAttrs};
///
/// struct Pkg { cat: String, pn: String }
/// impl PackageAttrs for Pkg {
///     fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
///         match attr {
///             Attr::Category => Some(AttrValue::text(&self.cat)),
///             Attr::Package => Some(AttrValue::text(&self.pn)),
///             _ => None,
///         }
///     }
/// }
/// let p = Pkg { cat: "dev-lang".into(), pn: "rust".into() };
/// assert_eq!(p.attr(Attr::Package), Some(AttrValue::text("rust")));
/// ```
pub trait PackageAttrs {
    /// The value of `attr`, or `None` when the package does not have it.
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>>;
}

impl<T: PackageAttrs + ?Sized> PackageAttrs for &T {
    #[inline]
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
        (**self).attr(attr)
    }
}

impl<T: PackageAttrs + ?Sized> PackageAttrs for Box<T> {
    #[inline]
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
        (**self).attr(attr)
    }
}

impl<T: PackageAttrs + ?Sized> PackageAttrs for std::sync::Arc<T> {
    #[inline]
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
        (**self).attr(attr)
    }
}

/// The atom crate's match target (a cpv with what is known of its slot, sub-slot and
/// repository) as a package: `category`, `package`, `version` (PV), `fullver`,
/// `revision`, `key`, `cpv`, and `slot`/`subslot`/`repo` when known. USE is not
/// available through it (its [`UseFlags`](strata_atom::atom::UseFlags) cannot be listed),
/// so restrictions on `use`/`iuse` do not match; use [`Atom::matches`] for USE deps.
///
/// [`Atom::matches`]: strata_atom::atom::Atom::matches
///
/// ```
/// use strata_atom::atom::MatchTarget;
/// use strata_atom::cpv::Cpv;
/// use strata_restrict::parse_target;
/// let cpv = Cpv::parse("dev-qt/qtcore-5.15.2").unwrap();
/// let t = MatchTarget::new(&cpv).with_slot("5/5.15");
/// assert!(parse_target("dev-qt/*:5").unwrap().matches(&t));
/// ```
impl PackageAttrs for strata_atom::atom::MatchTarget<'_> {
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
        let cpv = self.cpv;
        let v = cpv.version();
        Some(match attr {
            Attr::Category => AttrValue::text(cpv.category()),
            Attr::Package => AttrValue::text(cpv.package()),
            Attr::Version => AttrValue::text(v.base()),
            Attr::Fullver => AttrValue::Version(std::borrow::Cow::Borrowed(v)),
            Attr::Revision => AttrValue::text(v.revision()),
            Attr::Key => AttrValue::text(cpv.cp()),
            Attr::Cpv => AttrValue::text(cpv.as_str()),
            Attr::Slot => AttrValue::text(self.slot?),
            Attr::Subslot => AttrValue::text(self.subslot.or(self.slot)?),
            Attr::Repo => AttrValue::text(self.repo?),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use strata_atom::atom::{Atom, MatchTarget};
    use strata_atom::cpv::Cpv;

    use crate::Restriction;

    #[test]
    fn match_targets_agree_with_atoms() {
        let cpvs = [
            "dev-qt/qtcore-5.15.2-r1",
            "dev-qt/qtcore-6.7",
            "app-misc/foo-1",
        ];
        let atoms = [
            "dev-qt/qtcore",
            ">=dev-qt/qtcore-5.15.2:5",
            "~dev-qt/qtcore-5.15.2",
            "=dev-qt/qtcore-5*",
            "dev-qt/qtcore:5/5.15::gentoo",
            "<app-misc/foo-2",
        ];
        for c in cpvs {
            let cpv = Cpv::parse(c).unwrap();
            for slot in [None, Some("5/5.15"), Some("6")] {
                for repo in [None, Some("gentoo")] {
                    let mut t = MatchTarget::new(&cpv);
                    if let Some(s) = slot {
                        t = t.with_slot(s);
                    }
                    if let Some(r) = repo {
                        t = t.with_repo(r);
                    }
                    for a in atoms {
                        let a = Atom::parse_user(a).unwrap();
                        assert_eq!(
                            Restriction::from_atom(&a).matches(&t),
                            a.matches(&t),
                            "{a} vs {c} {slot:?} {repo:?}"
                        );
                    }
                }
            }
        }
    }
}
