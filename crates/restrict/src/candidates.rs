//! Candidate pruning: which `(category, package)` names a restriction can possibly match,
//! so a repository can skip every other package before reading any metadata.
//!
//! [`Restriction::candidates`] gives an over-approximation: a union of
//! [`CandidateClause`]s, each a constraint on the category name and one on the package
//! name (an exact set of names and/or name filters). Atoms and exact names give exact
//! sets; globs and regexes give filters; anything not about names gives "all". `Or`
//! (and exactly-one-of) unions its children's candidates, `And` intersects them;
//! negations and at-most-one-of give "all".

use std::collections::BTreeSet;
use std::fmt;

use strata_atom::cpv::Cpv;

use crate::attr::Attr;
use crate::restriction::Restriction;
use crate::value::ValueRestriction;

/// Beyond this many clauses a union gives up and says "all", and an intersection keeps
/// its smaller side (both are still correct over-approximations).
const MAX_CLAUSES: usize = 4096;

/// A constraint on one name (a category or a package name).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NameConstraint {
    /// When set, the name must be one of these.
    exact: Option<BTreeSet<Box<str>>>,
    /// The name must satisfy every one of these.
    filters: Vec<ValueRestriction>,
}

impl NameConstraint {
    /// The constraint every name satisfies.
    pub fn any() -> Self {
        Self::default()
    }

    /// The name must be `name`.
    pub fn exact<S: Into<Box<str>>>(name: S) -> Self {
        NameConstraint {
            exact: Some(BTreeSet::from([name.into()])),
            filters: Vec::new(),
        }
    }

    fn from_value(v: &ValueRestriction) -> Self {
        if let Some(e) = v.as_exact() {
            return Self::exact(e);
        }
        // `a || b` over exact names is the set {a, b}.
        if let ValueRestriction::Or(children) = v
            && let Some(names) = children
                .iter()
                .map(|c| c.as_exact().map(Box::from))
                .collect::<Option<BTreeSet<Box<str>>>>()
        {
            return NameConstraint {
                exact: Some(names),
                filters: Vec::new(),
            };
        }
        NameConstraint {
            exact: None,
            filters: vec![v.clone()],
        }
    }

    /// Whether every name satisfies this.
    pub fn is_any(&self) -> bool {
        self.exact.is_none() && self.filters.is_empty()
    }

    /// The names this allows, when it is an exact set.
    pub fn exact_names(&self) -> Option<impl Iterator<Item = &str> + '_> {
        self.exact.as_ref().map(|s| s.iter().map(|b| &**b))
    }

    /// The name filters (all must hold), when this is not an exact set.
    pub fn filters(&self) -> &[ValueRestriction] {
        &self.filters
    }

    /// Whether `name` satisfies this.
    pub fn matches(&self, name: &str) -> bool {
        self.exact.as_ref().is_none_or(|s| s.contains(name))
            && self.filters.iter().all(|f| f.matches_str(name))
    }

    /// The names allowed by both, or `None` when that is provably no name.
    fn intersect(&self, other: &Self) -> Option<Self> {
        let exact = match (&self.exact, &other.exact) {
            (None, None) => None,
            (Some(a), None) | (None, Some(a)) => Some(a.clone()),
            (Some(a), Some(b)) => Some(a.intersection(b).cloned().collect()),
        };
        let mut filters = self.filters.clone();
        filters.extend(
            other
                .filters
                .iter()
                .filter(|f| !self.filters.contains(f))
                .cloned(),
        );
        let mut out = NameConstraint { exact, filters };
        out.normalize();
        match &out.exact {
            Some(s) if s.is_empty() => None,
            _ => Some(out),
        }
    }

    /// Applies the filters to an exact set, leaving only the set.
    fn normalize(&mut self) {
        if let Some(set) = &mut self.exact {
            let filters = std::mem::take(&mut self.filters);
            set.retain(|n| filters.iter().all(|f| f.matches_str(n)));
        }
    }
}

impl fmt::Display for NameConstraint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_any() {
            return f.write_str("*");
        }
        let mut first = true;
        if let Some(set) = &self.exact {
            f.write_str("{")?;
            for (i, n) in set.iter().enumerate() {
                if i > 0 {
                    f.write_str(",")?;
                }
                f.write_str(n)?;
            }
            f.write_str("}")?;
            first = false;
        }
        for flt in &self.filters {
            if !first {
                f.write_str(" & ")?;
            }
            write!(f, "{flt}")?;
            first = false;
        }
        Ok(())
    }
}

/// One clause: packages whose category satisfies `category` and whose name satisfies
/// `package`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CandidateClause {
    /// The constraint on the category name.
    pub category: NameConstraint,
    /// The constraint on the package name.
    pub package: NameConstraint,
}

impl CandidateClause {
    /// Whether `category/package` is allowed by this clause.
    pub fn matches(&self, category: &str, package: &str) -> bool {
        self.category.matches(category) && self.package.matches(package)
    }

    fn intersect(&self, other: &Self) -> Option<Self> {
        Some(CandidateClause {
            category: self.category.intersect(&other.category)?,
            package: self.package.intersect(&other.package)?,
        })
    }

    fn is_any(&self) -> bool {
        self.category.is_any() && self.package.is_any()
    }
}

/// The `(category, package)` names a restriction can possibly match.
#[derive(Debug, Clone, PartialEq)]
pub enum Candidates {
    /// Any name (nothing is known).
    All,
    /// Names allowed by at least one clause (no clause: nothing can match).
    Clauses(Vec<CandidateClause>),
}

impl Candidates {
    /// No name can match.
    pub fn none() -> Self {
        Candidates::Clauses(Vec::new())
    }

    /// Whether every name is a candidate.
    pub fn is_all(&self) -> bool {
        matches!(self, Candidates::All)
    }

    /// Whether no name is a candidate.
    pub fn is_none(&self) -> bool {
        matches!(self, Candidates::Clauses(c) if c.is_empty())
    }

    /// The clauses, or `None` for [`Candidates::All`].
    pub fn clauses(&self) -> Option<&[CandidateClause]> {
        match self {
            Candidates::All => None,
            Candidates::Clauses(c) => Some(c),
        }
    }

    /// Whether some package in `category` may be a candidate.
    pub fn matches_category(&self, category: &str) -> bool {
        match self {
            Candidates::All => true,
            Candidates::Clauses(c) => c.iter().any(|cl| cl.category.matches(category)),
        }
    }

    /// Whether `category/package` is a candidate.
    pub fn matches(&self, category: &str, package: &str) -> bool {
        match self {
            Candidates::All => true,
            Candidates::Clauses(c) => c.iter().any(|cl| cl.matches(category, package)),
        }
    }

    /// The candidate categories, when they form a known finite set (every clause names
    /// its categories exactly): a repository looks these up instead of listing all.
    pub fn exact_categories(&self) -> Option<BTreeSet<&str>> {
        let clauses = self.clauses()?;
        let mut out = BTreeSet::new();
        for cl in clauses {
            out.extend(cl.category.exact_names()?);
        }
        Some(out)
    }

    /// The candidate package names in `category`, when they form a known finite set
    /// (every clause that allows `category` names its packages exactly).
    pub fn exact_packages_in(&self, category: &str) -> Option<BTreeSet<&str>> {
        let clauses = self.clauses()?;
        let mut out = BTreeSet::new();
        for cl in clauses.iter().filter(|cl| cl.category.matches(category)) {
            out.extend(cl.package.exact_names()?);
        }
        Some(out)
    }

    /// Every candidate `(category, package)`, when the set is finite and known.
    pub fn exact_pairs(&self) -> Option<BTreeSet<(&str, &str)>> {
        let clauses = self.clauses()?;
        let mut out = BTreeSet::new();
        for cl in clauses {
            let cats: Vec<&str> = cl.category.exact_names()?.collect();
            let pkgs: Vec<&str> = cl.package.exact_names()?.collect();
            for c in &cats {
                for p in &pkgs {
                    out.insert((*c, *p));
                }
            }
        }
        Some(out)
    }

    /// The names allowed by either.
    pub fn union(self, other: Candidates) -> Candidates {
        match (self, other) {
            (Candidates::All, _) | (_, Candidates::All) => Candidates::All,
            (Candidates::Clauses(mut a), Candidates::Clauses(b)) => {
                for cl in b {
                    push_clause(&mut a, cl);
                }
                if a.iter().any(CandidateClause::is_any) || a.len() > MAX_CLAUSES {
                    Candidates::All
                } else {
                    Candidates::Clauses(a)
                }
            }
        }
    }

    /// The names allowed by both.
    pub fn intersect(self, other: Candidates) -> Candidates {
        match (self, other) {
            (Candidates::All, x) | (x, Candidates::All) => x,
            (Candidates::Clauses(a), Candidates::Clauses(b)) => {
                if a.len().saturating_mul(b.len()) > MAX_CLAUSES {
                    // Either side alone is a correct over-approximation.
                    return Candidates::Clauses(if a.len() <= b.len() { a } else { b });
                }
                let mut out = Vec::new();
                for x in &a {
                    for y in &b {
                        if let Some(cl) = x.intersect(y) {
                            push_clause(&mut out, cl);
                        }
                    }
                }
                Candidates::Clauses(out)
            }
        }
    }
}

/// Adds a clause, merging it into one with the same category constraint when both
/// name their packages exactly (so `a/x || a/y` is one clause `{a} × {x,y}`).
fn push_clause(clauses: &mut Vec<CandidateClause>, cl: CandidateClause) {
    if cl.package.filters.is_empty()
        && let Some(new) = &cl.package.exact
        && let Some(existing) = clauses.iter_mut().find(|e| {
            e.category == cl.category && e.package.filters.is_empty() && e.package.exact.is_some()
        })
        && let Some(set) = &mut existing.package.exact
    {
        set.extend(new.iter().cloned());
        return;
    }
    if !clauses.contains(&cl) {
        clauses.push(cl);
    }
}

impl fmt::Display for Candidates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Candidates::All => f.write_str("all"),
            Candidates::Clauses(c) if c.is_empty() => f.write_str("none"),
            Candidates::Clauses(c) => {
                for (i, cl) in c.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{}/{}", cl.category, cl.package)?;
                }
                Ok(())
            }
        }
    }
}

impl Restriction {
    /// The `(category, package)` names this can possibly match (see the module docs).
    pub fn candidates(&self) -> Candidates {
        match self {
            Restriction::AlwaysTrue => Candidates::All,
            Restriction::AlwaysFalse => Candidates::none(),
            Restriction::Attr(a) => match a.attr {
                Attr::Category => Candidates::Clauses(vec![CandidateClause {
                    category: NameConstraint::from_value(&a.value),
                    package: NameConstraint::any(),
                }]),
                Attr::Package => Candidates::Clauses(vec![CandidateClause {
                    category: NameConstraint::any(),
                    package: NameConstraint::from_value(&a.value),
                }]),
                Attr::Key => match a.value.as_exact().and_then(|k| k.split_once('/')) {
                    Some((c, p)) => Candidates::Clauses(vec![CandidateClause {
                        category: NameConstraint::exact(c),
                        package: NameConstraint::exact(p),
                    }]),
                    None => Candidates::All,
                },
                Attr::Cpv => match a.value.as_exact().map(Cpv::parse) {
                    Some(Ok(cpv)) => Candidates::Clauses(vec![CandidateClause {
                        category: NameConstraint::exact(cpv.category()),
                        package: NameConstraint::exact(cpv.package()),
                    }]),
                    // Not a valid cpv: no package has it.
                    Some(Err(_)) => Candidates::none(),
                    None => Candidates::All,
                },
                _ => Candidates::All,
            },
            Restriction::And(c) => c
                .iter()
                .fold(Candidates::All, |acc, r| acc.intersect(r.candidates())),
            Restriction::Or(c) | Restriction::ExactlyOneOf(c) => c
                .iter()
                .fold(Candidates::none(), |acc, r| acc.union(r.candidates())),
            Restriction::Not(_)
            | Restriction::AtMostOneOf(_)
            | Restriction::Use(_)
            | Restriction::Custom(_) => Candidates::All,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::parse_target;

    fn cands(target: &str) -> Candidates {
        parse_target(target).unwrap().candidates()
    }

    fn pairs(c: &Candidates) -> Option<Vec<(String, String)>> {
        c.exact_pairs().map(|s| {
            s.into_iter()
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect()
        })
    }

    fn p(c: &str, n: &str) -> (String, String) {
        (c.to_owned(), n.to_owned())
    }

    #[test]
    fn atoms_are_exact() {
        let c = cands(">=dev-lang/python-3.11:3.11[ssl]");
        assert_eq!(pairs(&c), Some(vec![p("dev-lang", "python")]));
        assert!(c.matches("dev-lang", "python"));
        assert!(!c.matches("dev-lang", "perl"));
        assert!(!c.matches_category("dev-perl"));
        assert_eq!(c.to_string(), "{dev-lang}/{python}");
    }

    #[test]
    fn globs_are_filters() {
        let c = cands("dev-*/py*");
        assert_eq!(c.exact_pairs(), None);
        assert_eq!(c.exact_categories(), None);
        assert!(c.matches("dev-python", "pytest"));
        assert!(!c.matches("dev-python", "black"));
        assert!(!c.matches("app-misc", "pytest"));
        let c = cands("dev-qt/*:5");
        assert_eq!(c.exact_categories(), Some(BTreeSet::from(["dev-qt"])));
        assert_eq!(c.exact_packages_in("dev-qt"), None);
        assert!(c.matches("dev-qt", "anything"));
        let c = cands("portage");
        assert!(c.matches("sys-apps", "portage"));
        assert!(!c.matches("sys-apps", "portage-utils"));
        assert_eq!(c.exact_categories(), None);
    }

    #[test]
    fn unknown_is_all() {
        assert!(cands("*").is_all());
        assert!(cands("*/*:3").is_all());
        let r = Restriction::attr(Attr::Description, ValueRestriction::exact("x"));
        assert!(r.candidates().is_all());
        assert!(
            parse_target("dev-lang/python")
                .unwrap()
                .negate()
                .candidates()
                .is_all()
        );
        assert!(Restriction::AlwaysFalse.candidates().is_none());
    }

    #[test]
    fn or_unions_and_intersects() {
        let a = parse_target("dev-lang/python").unwrap();
        let b = parse_target("dev-lang/perl").unwrap();
        let c = parse_target("sys-apps/portage").unwrap();
        let or = Restriction::or([a.clone(), b.clone(), c.clone()]);
        let cs = or.candidates();
        assert_eq!(
            pairs(&cs),
            Some(vec![
                p("dev-lang", "perl"),
                p("dev-lang", "python"),
                p("sys-apps", "portage")
            ])
        );
        // Same-category atoms merge into one clause.
        assert_eq!(cs.clauses().unwrap().len(), 2);
        assert_eq!(
            cs.exact_packages_in("dev-lang"),
            Some(BTreeSet::from(["perl", "python"]))
        );
        assert_eq!(
            cs.exact_categories(),
            Some(BTreeSet::from(["dev-lang", "sys-apps"]))
        );

        let and = Restriction::and([or.clone(), parse_target("dev-*/*").unwrap()]);
        assert_eq!(
            pairs(&and.candidates()),
            Some(vec![p("dev-lang", "perl"), p("dev-lang", "python")])
        );
        let and = Restriction::and([a.clone(), b.clone()]);
        assert!(and.candidates().is_none());
        // Or with an unknown branch is all.
        let or = Restriction::or([
            a.clone(),
            Restriction::attr(Attr::Slot, ValueRestriction::exact("0")),
        ]);
        assert!(or.candidates().is_all());
        // Exactly-one-of unions; at-most-one-of can match with none, so all.
        assert_eq!(
            pairs(&Restriction::exactly_one_of([a.clone(), c.clone()]).candidates())
                .map(|v| v.len()),
            Some(2)
        );
        assert!(Restriction::at_most_one_of([a, c]).candidates().is_all());
    }

    #[test]
    fn key_cpv_and_name_sets() {
        let r = Restriction::attr(Attr::Key, ValueRestriction::exact("dev-lang/rust"));
        assert_eq!(pairs(&r.candidates()), Some(vec![p("dev-lang", "rust")]));
        let r = Restriction::attr(Attr::Cpv, ValueRestriction::exact("dev-lang/rust-1.80-r1"));
        assert_eq!(pairs(&r.candidates()), Some(vec![p("dev-lang", "rust")]));
        let r = Restriction::attr(Attr::Cpv, ValueRestriction::exact("dev-lang/rust"));
        assert!(r.candidates().is_none());
        let r = Restriction::attr(
            Attr::Category,
            ValueRestriction::Or(
                vec![ValueRestriction::exact("a"), ValueRestriction::exact("b")].into(),
            ),
        );
        assert_eq!(
            r.candidates().exact_categories(),
            Some(BTreeSet::from(["a", "b"]))
        );
    }

    #[test]
    fn intersection_filters_exact_sets() {
        let r = Restriction::and([
            Restriction::or([
                parse_target("dev-lang/python").unwrap(),
                parse_target("app-misc/pytest").unwrap(),
            ]),
            parse_target("*/py*").unwrap(),
            parse_target("dev-*").unwrap(), // a package glob: matches no package here
        ]);
        assert!(r.candidates().is_none());
        let r = Restriction::and([
            parse_target("app-*/*").unwrap(),
            Restriction::or([
                parse_target("dev-lang/python").unwrap(),
                parse_target("app-misc/pytest").unwrap(),
            ]),
        ]);
        assert_eq!(pairs(&r.candidates()), Some(vec![p("app-misc", "pytest")]));
    }
}
