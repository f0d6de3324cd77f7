//! Package restrictions: [`Restriction`], the boolean algebra over packages.

use std::fmt;
use std::sync::Arc;

use crate::attr::{Attr, AttrValue, StrList};
use crate::package::PackageAttrs;
use crate::use_flags::UseRestriction;
use crate::value::ValueRestriction;

/// A restriction on one attribute: the attribute's value must satisfy `value`.
///
/// A package without the attribute does not match (pkgcore's `ignore_missing`).
#[derive(Debug, Clone, PartialEq)]
pub struct AttrRestriction {
    /// The attribute looked at.
    pub attr: Attr,
    /// What its value must satisfy.
    pub value: ValueRestriction,
}

impl AttrRestriction {
    /// Whether `pkg` matches.
    #[inline]
    pub fn matches<P: PackageAttrs + ?Sized>(&self, pkg: &P) -> bool {
        match pkg.attr(self.attr) {
            None => false,
            Some(v) => self.matches_value(&v),
        }
    }

    /// Whether an already fetched value of [`Self::attr`] matches.
    #[inline]
    pub fn matches_value(&self, v: &AttrValue<'_>) -> bool {
        if let AttrValue::Text(t) = v
            && self.attr.is_word_list()
        {
            return self.matches_value(&AttrValue::List(StrList::Spaced(t)));
        }
        if self.attr == Attr::Iuse {
            self.value.matches_filtered(v, strip_iuse_default)
        } else {
            self.value.matches(v)
        }
    }
}

/// IUSE words carry `+`/`-` default markers that name matching ignores.
pub(crate) fn strip_iuse_default(s: &str) -> &str {
    s.strip_prefix(['+', '-']).unwrap_or(s)
}

/// A restriction implemented outside this crate (e.g. a domain's mask or keyword filter,
/// pkgcore's `delegate`).
pub trait CustomRestriction: fmt::Debug + fmt::Display + Send + Sync {
    /// Whether `pkg` matches.
    fn matches(&self, pkg: &dyn PackageAttrs) -> bool;

    /// The attributes this reads, if known; `None` means "anything" (never answerable
    /// by a metadata cache, see [`Restriction::split`]).
    fn attrs(&self) -> Option<Vec<Attr>> {
        None
    }
}

/// A predicate over packages.
///
/// Build leaves with [`Restriction::attr`], from atoms with
/// [`Restriction::from_atom`](crate::atom_restrict), from pkgcore's extended target syntax
/// with [`parse_target`](crate::parse_target), and combine with [`Restriction::and`],
/// [`Restriction::or`], [`Restriction::negate`], which simplify as they go.
#[derive(Debug, Clone)]
pub enum Restriction {
    /// Matches every package.
    AlwaysTrue,
    /// Matches no package.
    AlwaysFalse,
    /// One attribute's value satisfies a value restriction.
    Attr(AttrRestriction),
    /// USE flag requirements of an atom (`[foo,-bar,baz(+)]`), on `use` and `iuse`.
    Use(UseRestriction),
    /// Every child matches.
    And(Vec<Restriction>),
    /// At least one child matches.
    Or(Vec<Restriction>),
    /// The child does not match.
    Not(Box<Restriction>),
    /// Exactly one child matches (`^^`).
    ExactlyOneOf(Vec<Restriction>),
    /// At most one child matches (`??`).
    AtMostOneOf(Vec<Restriction>),
    /// A restriction implemented elsewhere.
    Custom(Arc<dyn CustomRestriction>),
}

impl Restriction {
    /// A restriction on one attribute.
    pub fn attr(attr: Attr, value: ValueRestriction) -> Restriction {
        Restriction::Attr(AttrRestriction { attr, value })
    }

    /// The conjunction of `children`: nested `And`s are flattened, `AlwaysTrue` dropped,
    /// and any `AlwaysFalse` makes the whole `AlwaysFalse`. One child is returned as is;
    /// none gives `AlwaysTrue`.
    pub fn and<I: IntoIterator<Item = Restriction>>(children: I) -> Restriction {
        let mut out = Vec::new();
        for c in children {
            match c {
                Restriction::AlwaysTrue => {}
                Restriction::AlwaysFalse => return Restriction::AlwaysFalse,
                Restriction::And(v) => out.extend(v),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Restriction::AlwaysTrue,
            1 => out.pop().unwrap_or(Restriction::AlwaysTrue),
            _ => Restriction::And(out),
        }
    }

    /// The disjunction of `children`: nested `Or`s are flattened, `AlwaysFalse` dropped,
    /// and any `AlwaysTrue` makes the whole `AlwaysTrue`. One child is returned as is;
    /// none gives `AlwaysFalse`.
    pub fn or<I: IntoIterator<Item = Restriction>>(children: I) -> Restriction {
        let mut out = Vec::new();
        for c in children {
            match c {
                Restriction::AlwaysFalse => {}
                Restriction::AlwaysTrue => return Restriction::AlwaysTrue,
                Restriction::Or(v) => out.extend(v),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Restriction::AlwaysFalse,
            1 => out.pop().unwrap_or(Restriction::AlwaysFalse),
            _ => Restriction::Or(out),
        }
    }

    /// Exactly one of `children` matches.
    pub fn exactly_one_of<I: IntoIterator<Item = Restriction>>(children: I) -> Restriction {
        Restriction::ExactlyOneOf(children.into_iter().collect())
    }

    /// At most one of `children` matches.
    pub fn at_most_one_of<I: IntoIterator<Item = Restriction>>(children: I) -> Restriction {
        Restriction::AtMostOneOf(children.into_iter().collect())
    }

    /// The negation of `self` (double negations and constants are folded).
    #[allow(clippy::should_implement_trait)]
    pub fn negate(self) -> Restriction {
        match self {
            Restriction::AlwaysTrue => Restriction::AlwaysFalse,
            Restriction::AlwaysFalse => Restriction::AlwaysTrue,
            Restriction::Not(inner) => *inner,
            other => Restriction::Not(Box::new(other)),
        }
    }

    /// Whether this is built only of attribute restrictions and constants under `And`
    /// and `Or` (no negation, counting group, USE requirement or custom part). Such a
    /// restriction can only gain matches as attributes become known: a missing
    /// attribute reads as no match ([`AttrRestriction::matches`]), so a package that
    /// matches with some attributes missing also matches once they are present,
    /// whatever their values, and one that fails with them present fails without them.
    pub fn is_positive(&self) -> bool {
        match self {
            Restriction::AlwaysTrue | Restriction::AlwaysFalse | Restriction::Attr(_) => true,
            Restriction::And(c) | Restriction::Or(c) => c.iter().all(Restriction::is_positive),
            _ => false,
        }
    }

    /// Whether `pkg` matches.
    pub fn matches<P: PackageAttrs>(&self, pkg: &P) -> bool {
        match self {
            Restriction::AlwaysTrue => true,
            Restriction::AlwaysFalse => false,
            Restriction::Attr(a) => a.matches(pkg),
            Restriction::Use(u) => u.matches(pkg),
            Restriction::And(c) => c.iter().all(|r| r.matches(pkg)),
            Restriction::Or(c) => c.iter().any(|r| r.matches(pkg)),
            Restriction::Not(c) => !c.matches(pkg),
            Restriction::ExactlyOneOf(c) => {
                let mut n = 0;
                for r in c {
                    if r.matches(pkg) {
                        n += 1;
                        if n > 1 {
                            return false;
                        }
                    }
                }
                n == 1
            }
            Restriction::AtMostOneOf(c) => {
                let mut n = 0;
                for r in c {
                    if r.matches(pkg) {
                        n += 1;
                        if n > 1 {
                            return false;
                        }
                    }
                }
                true
            }
            Restriction::Custom(c) => c.matches(pkg),
        }
    }

    /// Calls `f` with every attribute a leaf of this restriction reads. Returns `false`
    /// if some leaf reads attributes it cannot name (a [`CustomRestriction`] without
    /// [`attrs`](CustomRestriction::attrs)).
    pub fn visit_attrs(&self, f: &mut dyn FnMut(Attr)) -> bool {
        match self {
            Restriction::AlwaysTrue | Restriction::AlwaysFalse => true,
            Restriction::Attr(a) => {
                f(a.attr);
                true
            }
            Restriction::Use(_) => {
                f(Attr::Use);
                f(Attr::Iuse);
                true
            }
            Restriction::And(c)
            | Restriction::Or(c)
            | Restriction::ExactlyOneOf(c)
            | Restriction::AtMostOneOf(c) => {
                let mut known = true;
                for r in c {
                    known &= r.visit_attrs(f);
                }
                known
            }
            Restriction::Not(c) => c.visit_attrs(f),
            Restriction::Custom(c) => match c.attrs() {
                Some(attrs) => {
                    attrs.into_iter().for_each(&mut *f);
                    true
                }
                None => false,
            },
        }
    }

    /// The attributes this restriction reads, sorted and deduplicated, or `None` when
    /// some leaf cannot say.
    pub fn attrs(&self) -> Option<Vec<Attr>> {
        let mut v = Vec::new();
        if !self.visit_attrs(&mut |a| v.push(a)) {
            return None;
        }
        v.sort_unstable();
        v.dedup();
        Some(v)
    }
}

impl PartialEq for Restriction {
    /// Structural equality; custom restrictions are equal only when they are the same
    /// object.
    fn eq(&self, other: &Self) -> bool {
        use Restriction::*;
        match (self, other) {
            (AlwaysTrue, AlwaysTrue) | (AlwaysFalse, AlwaysFalse) => true,
            (Attr(a), Attr(b)) => a == b,
            (Use(a), Use(b)) => a == b,
            (And(a), And(b))
            | (Or(a), Or(b))
            | (ExactlyOneOf(a), ExactlyOneOf(b))
            | (AtMostOneOf(a), AtMostOneOf(b)) => a == b,
            (Not(a), Not(b)) => a == b,
            (Custom(a), Custom(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl From<AttrRestriction> for Restriction {
    fn from(a: AttrRestriction) -> Self {
        Restriction::Attr(a)
    }
}

impl fmt::Display for AttrRestriction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.attr, self.value)
    }
}

fn join(f: &mut fmt::Formatter<'_>, items: &[Restriction], sep: &str) -> fmt::Result {
    for (i, c) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{c}")?;
    }
    Ok(())
}

impl fmt::Display for Restriction {
    /// A readable form for debugging, e.g.
    /// `(package == "python" && category == "dev-lang" && fullver >= 3.11)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Restriction::AlwaysTrue => f.write_str("true"),
            Restriction::AlwaysFalse => f.write_str("false"),
            Restriction::Attr(a) => write!(f, "{a}"),
            Restriction::Use(u) => write!(f, "{u}"),
            Restriction::And(c) => {
                f.write_str("(")?;
                join(f, c, " && ")?;
                f.write_str(")")
            }
            Restriction::Or(c) => {
                f.write_str("(")?;
                join(f, c, " || ")?;
                f.write_str(")")
            }
            Restriction::Not(c) => match **c {
                Restriction::And(_) | Restriction::Or(_) => write!(f, "!{c}"),
                _ => write!(f, "!({c})"),
            },
            Restriction::ExactlyOneOf(c) => {
                f.write_str("exactly-one-of(")?;
                join(f, c, ", ")?;
                f.write_str(")")
            }
            Restriction::AtMostOneOf(c) => {
                f.write_str("at-most-one-of(")?;
                join(f, c, ", ")?;
                f.write_str(")")
            }
            Restriction::Custom(c) => write!(f, "{c}"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::memory::MemoryPackage;
    use crate::value::Containment;

    fn pkg() -> MemoryPackage {
        MemoryPackage::new("dev-lang/python-3.12.4-r1")
            .unwrap()
            .with_slot("3.12")
            .with_text(Attr::Description, "An interpreted language")
            .with_list(Attr::Iuse, ["+ssl", "-doc", "tk"])
    }

    fn cat(s: &str) -> Restriction {
        Restriction::attr(Attr::Category, ValueRestriction::exact(s))
    }

    #[test]
    fn leaves_and_missing_attributes() {
        let p = pkg();
        assert!(cat("dev-lang").matches(&p));
        assert!(!cat("dev-python").matches(&p));
        let homepage = Restriction::attr(Attr::Homepage, ValueRestriction::glob("*"));
        assert!(!homepage.matches(&p), "missing attribute: no match");
        assert!(homepage.clone().negate().matches(&p), "unless negated");
        let not_val = Restriction::attr(Attr::Homepage, ValueRestriction::exact("x").negate());
        assert!(
            !not_val.matches(&p),
            "a value negation still needs the attribute"
        );
    }

    #[test]
    fn word_lists_given_as_text() {
        let p = pkg()
            .with_text(Attr::Keywords, "amd64 ~arm64")
            .with_text(Attr::Iuse, "+ssl doc");
        let kw = |k: &str| Restriction::attr(Attr::Keywords, ValueRestriction::exact(k));
        assert!(kw("~arm64").matches(&p));
        assert!(!kw("arm64").matches(&p));
        let iuse = Restriction::attr(Attr::Iuse, ValueRestriction::exact("ssl"));
        assert!(iuse.matches(&p));
        // Not a word list: the text is matched whole.
        let d = Restriction::attr(Attr::Description, ValueRestriction::exact("An"));
        assert!(!d.matches(&p));
    }

    #[test]
    fn iuse_ignores_default_markers() {
        let p = pkg();
        let has = |f: &str| {
            Restriction::attr(
                Attr::Iuse,
                ValueRestriction::contains([f], Containment::AnyOf),
            )
        };
        assert!(has("ssl").matches(&p));
        assert!(has("doc").matches(&p));
        assert!(has("tk").matches(&p));
        assert!(!has("+ssl").matches(&p));
        assert!(Restriction::attr(Attr::Iuse, ValueRestriction::exact("doc")).matches(&p));
    }

    #[test]
    fn booleans() {
        let p = pkg();
        let t = cat("dev-lang");
        let f = cat("x");
        assert!(Restriction::And(vec![t.clone(), t.clone()]).matches(&p));
        assert!(!Restriction::And(vec![t.clone(), f.clone()]).matches(&p));
        assert!(Restriction::And(vec![]).matches(&p));
        assert!(Restriction::Or(vec![f.clone(), t.clone()]).matches(&p));
        assert!(!Restriction::Or(vec![f.clone(), f.clone()]).matches(&p));
        assert!(!Restriction::Or(vec![]).matches(&p));
        let one = |v: Vec<Restriction>| Restriction::exactly_one_of(v).matches(&p);
        let most = |v: Vec<Restriction>| Restriction::at_most_one_of(v).matches(&p);
        assert!(one(vec![t.clone(), f.clone(), f.clone()]));
        assert!(!one(vec![t.clone(), t.clone(), f.clone()]));
        assert!(!one(vec![f.clone(), f.clone()]));
        assert!(!one(vec![]));
        assert!(most(vec![t.clone(), f.clone()]));
        assert!(most(vec![f.clone(), f.clone()]));
        assert!(most(vec![]));
        assert!(!most(vec![t.clone(), f.clone(), t.clone()]));
        assert!(Restriction::AlwaysTrue.matches(&p));
        assert!(!Restriction::AlwaysFalse.matches(&p));
        assert!(!t.clone().negate().matches(&p));
        assert!(f.clone().negate().matches(&p));
    }

    #[test]
    fn simplifying_constructors() {
        let a = cat("a");
        let b = cat("b");
        assert_eq!(Restriction::and([]), Restriction::AlwaysTrue);
        assert_eq!(Restriction::or([]), Restriction::AlwaysFalse);
        assert_eq!(
            Restriction::and([Restriction::AlwaysTrue, a.clone()]),
            a.clone()
        );
        assert_eq!(
            Restriction::and([a.clone(), Restriction::AlwaysFalse]),
            Restriction::AlwaysFalse
        );
        assert_eq!(
            Restriction::or([a.clone(), Restriction::AlwaysTrue]),
            Restriction::AlwaysTrue
        );
        assert_eq!(
            Restriction::and([Restriction::and([a.clone(), b.clone()]), a.clone()]),
            Restriction::And(vec![a.clone(), b.clone(), a.clone()])
        );
        assert_eq!(
            Restriction::or([a.clone(), Restriction::or([b.clone(), a.clone()])]),
            Restriction::Or(vec![a.clone(), b.clone(), a.clone()])
        );
        assert_eq!(a.clone().negate().negate(), a);
        assert_eq!(Restriction::AlwaysTrue.negate(), Restriction::AlwaysFalse);
    }

    #[test]
    fn display_and_attrs() {
        let r = Restriction::and([
            cat("dev-lang"),
            Restriction::or([
                Restriction::attr(Attr::Slot, ValueRestriction::exact("3")),
                Restriction::attr(
                    Attr::Description,
                    ValueRestriction::regex("x", false).unwrap(),
                )
                .negate(),
            ]),
        ]);
        assert_eq!(
            r.to_string(),
            r#"(category == "dev-lang" && (slot == "3" || !(description =~(i) "x")))"#
        );
        assert_eq!(
            r.attrs(),
            Some(vec![Attr::Category, Attr::Slot, Attr::Description])
        );
        assert_eq!(
            Restriction::exactly_one_of([cat("a"), Restriction::AlwaysFalse]).to_string(),
            r#"exactly-one-of(category == "a", false)"#
        );
    }

    #[test]
    fn restrictions_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Restriction>();
    }

    #[derive(Debug)]
    struct EvenRevision;
    impl fmt::Display for EvenRevision {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("even-revision")
        }
    }
    impl CustomRestriction for EvenRevision {
        fn matches(&self, pkg: &dyn PackageAttrs) -> bool {
            pkg.attr(Attr::Revision)
                .and_then(|v| v.as_text().and_then(|t| t.parse::<u64>().ok()))
                .is_some_and(|n| n % 2 == 0)
        }
    }

    #[test]
    fn positive_restrictions_gain_matches_with_attributes() {
        let desc = Restriction::attr(Attr::Description, ValueRestriction::glob("*language*"));
        let home = Restriction::attr(Attr::Homepage, ValueRestriction::glob("*"));
        let positive = Restriction::Or(vec![
            desc.clone(),
            Restriction::And(vec![home.clone(), cat("x")]),
        ]);
        assert!(positive.is_positive());
        let bare = MemoryPackage::new("dev-lang/python-3.12.4-r1").unwrap();
        assert!(!positive.matches(&bare) && positive.matches(&pkg()));
        let negated = Restriction::Or(vec![desc, home.negate()]);
        assert!(!negated.is_positive());
        assert!(
            negated.matches(&bare),
            "negation matches with the attribute missing"
        );
        let use_dep = Restriction::Use(crate::UseRestriction::new([]));
        assert!(!use_dep.is_positive());
        assert!(!Restriction::Custom(Arc::new(EvenRevision)).is_positive());
        assert!(!Restriction::AtMostOneOf(vec![cat("a")]).is_positive());
    }

    #[test]
    fn custom() {
        let r = Restriction::Custom(Arc::new(EvenRevision));
        assert!(!r.matches(&pkg()));
        assert!(r.matches(&MemoryPackage::new("a/b-1-r2").unwrap()));
        assert!(r.matches(&MemoryPackage::new("a/b-1").unwrap()));
        assert_eq!(r.attrs(), None);
        assert_eq!(r.to_string(), "even-revision");
        // Matching through a trait object works too.
        let dynp: &dyn PackageAttrs = &pkg();
        assert!(cat("dev-lang").matches(&dynp));
    }
}
