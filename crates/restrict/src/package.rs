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
