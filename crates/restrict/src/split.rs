//! Splitting a restriction into the part a metadata cache or index can answer and the
//! rest, so a repository asks its index first and instantiates only what survives.

use crate::attr::Attr;
use crate::restriction::Restriction;

/// A restriction split in two: `Restriction::and([answerable, rest])` is equivalent to
/// the original.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The part that reads only attributes the cache answers.
    pub answerable: Restriction,
    /// What remains to be checked on real packages (`AlwaysTrue` when nothing).
    pub rest: Restriction,
}

impl Split {
    /// The two parts combined again.
    pub fn recombine(self) -> Restriction {
        Restriction::and([self.answerable, self.rest])
    }
}

impl Restriction {
    /// Whether every attribute this reads satisfies `answers`.
    pub fn is_answerable_by(&self, answers: &dyn Fn(Attr) -> bool) -> bool {
        let mut ok = true;
        let known = self.visit_attrs(&mut |a| ok &= answers(a));
        known && ok
    }

    /// Splits into the part a cache answering the attributes accepted by `answers` can
    /// evaluate, and the rest. `And` splits child by child; `Or`, `Not`, exactly-one-of
    /// and at-most-one-of move whole, to whichever side can evaluate them entirely.
    ///
    /// ```
    /// use strata_restrict::{parse_target, Attr, Restriction, ValueRestriction};
    /// let r = Restriction::and([
    ///     parse_target("dev-*/*").unwrap(),
    ///     Restriction::attr(Attr::Contents, ValueRestriction::exact("/usr/bin/foo")),
    /// ]);
    /// let s = r.split(&|a| matches!(a, Attr::Category | Attr::Package));
    /// assert_eq!(s.answerable.to_string(), r#"category glob "dev-*""#);
    /// assert_eq!(s.rest.to_string(), r#"contents == "/usr/bin/foo""#);
    /// ```
    pub fn split(&self, answers: &dyn Fn(Attr) -> bool) -> Split {
        match self {
            Restriction::And(children) => {
                let mut yes = Vec::new();
                let mut no = Vec::new();
                for c in children {
                    let s = c.split(answers);
                    yes.push(s.answerable);
                    no.push(s.rest);
                }
                Split {
                    answerable: Restriction::and(yes),
                    rest: Restriction::and(no),
                }
            }
            other if other.is_answerable_by(answers) => Split {
                answerable: other.clone(),
                rest: Restriction::AlwaysTrue,
            },
            other => Split {
                answerable: Restriction::AlwaysTrue,
                rest: other.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::memory::MemoryPackage;
    use crate::{Containment, ValueRestriction, parse_target};

    fn names_only(a: Attr) -> bool {
        matches!(a, Attr::Category | Attr::Package)
    }

    fn index(a: Attr) -> bool {
        !matches!(a, Attr::Contents | Attr::Use)
    }

    #[test]
    fn and_splits_per_child() {
        let r = parse_target(">=dev-lang/python-3.11:3.11").unwrap();
        let s = r.split(&names_only);
        assert_eq!(
            s.answerable.to_string(),
            r#"(package == "python" && category == "dev-lang")"#
        );
        assert_eq!(s.rest.to_string(), r#"(fullver >= 3.11 && slot == "3.11")"#);
        let all = r.split(&|_| true);
        assert_eq!(all.answerable, r);
        assert_eq!(all.rest, Restriction::AlwaysTrue);
        let none = r.split(&|_| false);
        assert_eq!(none.answerable, Restriction::AlwaysTrue);
        assert_eq!(none.rest, r);
    }

    #[test]
    fn or_and_not_move_whole() {
        let desc = Restriction::attr(
            Attr::Description,
            ValueRestriction::regex("x", false).unwrap(),
        );
        let owns = Restriction::attr(Attr::Contents, ValueRestriction::exact("/bin/x"));
        let or = Restriction::or([desc.clone(), owns.clone()]);
        let s = or.split(&index);
        assert_eq!(s.answerable, Restriction::AlwaysTrue);
        assert_eq!(s.rest, or);
        let or2 = Restriction::or([desc.clone(), parse_target("dev-*/*").unwrap()]);
        assert_eq!(or2.split(&index).answerable, or2);
        let not = desc.clone().negate();
        assert_eq!(not.split(&index).answerable, not);
        let not = owns.clone().negate();
        assert_eq!(not.split(&index).rest, not);
        // USE restrictions read `use`.
        let u = parse_target("dev-lang/python[ssl]").unwrap();
        let s = u.split(&index);
        assert_eq!(s.rest.to_string(), "use[ssl]");
    }

    #[test]
    fn recombined_is_equivalent() {
        let pkgs = [
            MemoryPackage::new("dev-lang/python-3.11.9")
                .unwrap()
                .with_slot("3.11")
                .with_text(Attr::Description, "Python")
                .with_list(Attr::Use, ["ssl"])
                .with_list(Attr::Contents, ["/usr/bin/python3.11"]),
            MemoryPackage::new("dev-lang/python-3.12.1")
                .unwrap()
                .with_slot("3.12")
                .with_list(Attr::Use, ["ssl", "tk"]),
            MemoryPackage::new("app-misc/foo-1").unwrap(),
        ];
        let rs = [
            Restriction::and([
                parse_target("dev-lang/*").unwrap(),
                Restriction::or([
                    Restriction::attr(Attr::Contents, ValueRestriction::glob("*3.11")),
                    Restriction::attr(Attr::Slot, ValueRestriction::exact("3.12")),
                ]),
                Restriction::attr(
                    Attr::Use,
                    ValueRestriction::contains(["tk"], Containment::AnyOf),
                )
                .negate(),
            ]),
            parse_target(">=python-3.12[tk]").unwrap(),
            Restriction::exactly_one_of([
                parse_target("dev-lang/python").unwrap(),
                Restriction::attr(Attr::Description, ValueRestriction::exact("Python")),
            ]),
        ];
        for r in &rs {
            for pred in [names_only as fn(Attr) -> bool, index, |_| true, |_| false] {
                let back = r.split(&pred).recombine();
                for p in &pkgs {
                    assert_eq!(back.matches(p), r.matches(p), "{r} on {}", p.cpv());
                }
            }
        }
    }
}
