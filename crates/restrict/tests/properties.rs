//! Property tests: compiled atoms agree with the atom crate's own matching; candidate
//! pruning never loses a match; a split recombines to an equivalent restriction; globs
//! agree with their regex translation.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use strata_atom::atom::{Atom, MatchTarget, UseSet};
use strata_restrict::glob::Glob;
use strata_restrict::{
    Attr, Containment, MemoryPackage, PackageAttrs, Restriction, ValueRestriction, parse_target,
};

const CATS: &[&str] = &["dev-lang", "dev-python", "app-misc", "sys-apps"];
const PKGS: &[&str] = &["python", "pytest", "foo", "portage", "py"];
const VERS: &[&str] = &[
    "1", "1.0", "1.00", "1.2", "1.2.3", "1.2-r1", "1.20", "2_rc1", "2", "2-r3", "10",
];
const SLOTS: &[&str] = &["0", "1", "2/2.1", "2"];
const REPOS: &[&str] = &["gentoo", "guru"];
const FLAGS: &[&str] = &["a", "b", "c"];

#[derive(Debug, Clone)]
struct Pkg {
    cpv: String,
    ver: &'static str,
    slot: &'static str,
    repo: Option<&'static str>,
    iuse: Vec<String>,
    enabled: Vec<String>,
    description: Option<&'static str>,
}

impl Pkg {
    fn memory(&self) -> MemoryPackage {
        let mut p = MemoryPackage::new(&self.cpv)
            .unwrap()
            .with_slot(self.slot)
            .with_list(Attr::Iuse, self.iuse.clone())
            .with_list(Attr::Use, self.enabled.clone());
        if let Some(r) = self.repo {
            p = p.with_repo(r);
        }
        if let Some(d) = self.description {
            p = p.with_text(Attr::Description, d);
        }
        p
    }
}

fn pkg() -> impl Strategy<Value = Pkg> {
    (
        prop::sample::select(CATS),
        prop::sample::select(PKGS),
        prop::sample::select(VERS),
        prop::sample::select(SLOTS),
        prop::option::of(prop::sample::select(REPOS)),
        prop::collection::vec((0..3usize, 0..3u8, any::<bool>()), 0..3),
        prop::option::of(prop::sample::select(&["A Python thing", "tools"][..])),
    )
        .prop_map(|(c, p, v, slot, repo, flags, description)| {
            let mut iuse = Vec::new();
            let mut enabled = Vec::new();
            for (f, marker, on) in flags {
                let name = FLAGS[f];
                if iuse
                    .iter()
                    .any(|i: &String| i.trim_start_matches(['+', '-']) == name)
                {
                    continue;
                }
                iuse.push(format!("{}{name}", ["", "+", "-"][marker as usize]));
                // USE is a subset of IUSE, as on real packages.
                if on {
                    enabled.push(name.to_owned());
                }
            }
            Pkg {
                cpv: format!("{c}/{p}-{v}"),
                ver: v,
                slot,
                repo,
                iuse,
                enabled,
                description,
            }
        })
}

fn use_dep() -> impl Strategy<Value = String> {
    (
        prop::sample::select(&["", "-", "!", "="][..]),
        prop::sample::select(FLAGS),
        prop::sample::select(&["", "(+)", "(-)"][..]),
        prop::sample::select(&["", "=", "?"][..]),
    )
        .prop_map(|(pre, f, d, post)| match (pre, post) {
            ("-", _) => format!("-{f}{d}"),
            ("!", "") => format!("!{f}{d}="),
            ("!", p) => format!("!{f}{d}{p}"),
            (_, p) => format!("{f}{d}{p}"),
        })
}

fn atom() -> impl Strategy<Value = Atom> {
    (
        prop::sample::select(&["", "<", "<=", "=", "~", ">=", ">", "=*"][..]),
        prop::sample::select(CATS),
        prop::sample::select(PKGS),
        prop::sample::select(VERS),
        prop::sample::select(&["", ":0", ":2", ":2/2.1", ":*", ":=", ":1="][..]),
        prop::sample::select(&["", "::gentoo", "::guru"][..]),
        prop::collection::vec(use_dep(), 0..3),
    )
        .prop_filter_map("valid atom", |(op, c, p, v, slot, repo, uses)| {
            let ver = match op {
                "" => String::new(),
                "=*" => format!("-{v}*"),
                _ => format!("-{v}"),
            };
            let op = if op == "=*" { "=" } else { op };
            let uses = if uses.is_empty() {
                String::new()
            } else {
                format!("[{}]", uses.join(","))
            };
            Atom::parse_user(&format!("{op}{c}/{p}{ver}{slot}{repo}{uses}")).ok()
        })
}

/// Leaves and boolean trees over them.
fn restriction() -> impl Strategy<Value = Restriction> {
    let leaf = prop_oneof![
        atom().prop_map(|a| Restriction::from_atom(&a)),
        prop::sample::select(
            &[
                "dev-*/*",
                "*/py*",
                "py*",
                "*-apps/*",
                "*:2",
                "*/*::guru",
                ">=*/py*-1.2",
                "~*/*t-1",
                "=*/*-*2*",
                "foo",
                "app-misc/*",
            ][..]
        )
        .prop_map(|t| parse_target(t).unwrap()),
        prop::sample::select(&["0", "1", "2", "2.1"][..])
            .prop_map(|s| Restriction::attr(Attr::Subslot, ValueRestriction::exact(s))),
        prop::sample::select(FLAGS).prop_map(|f| Restriction::attr(
            Attr::Iuse,
            ValueRestriction::contains([f], Containment::AnyOf)
        )),
        Just(Restriction::attr(
            Attr::Description,
            ValueRestriction::regex("python", false).unwrap()
        )),
        Just(Restriction::AlwaysTrue),
        Just(Restriction::AlwaysFalse),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Restriction::And),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Restriction::Or),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Restriction::ExactlyOneOf),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Restriction::AtMostOneOf),
            inner.prop_map(Restriction::negate),
        ]
    })
}

fn attr_subset() -> impl Strategy<Value = Vec<Attr>> {
    prop::sample::subsequence(
        vec![
            Attr::Category,
            Attr::Package,
            Attr::Fullver,
            Attr::Slot,
            Attr::Subslot,
            Attr::Repo,
            Attr::Use,
            Attr::Iuse,
            Attr::Description,
        ],
        0..=9,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn compiled_atoms_agree_with_the_atom_crate(a in atom(), p in pkg(), same_name in prop::bool::weighted(0.8), parent in prop::collection::vec(any::<bool>(), 3)) {
        let mut p = p;
        if same_name {
            // Mostly the atom's own package, so that versions, slots and USE get compared.
            p.cpv = format!("{}/{}-{}", a.category(), a.package(), p.ver);
        }
        let mem = p.memory();
        let cpv = mem.cpv().clone();
        let use_set = UseSet::new(&p.iuse, &p.enabled);
        let mut target = MatchTarget::new(&cpv).with_slot(p.slot).with_use(&use_set);
        if let Some(r) = p.repo {
            target = target.with_repo(r);
        }
        prop_assert_eq!(Restriction::from_atom(&a).matches(&mem), a.matches(&target), "{}", a);

        let parent_on: Vec<&str> = FLAGS.iter().zip(&parent).filter(|(_, on)| **on).map(|(f, _)| *f).collect();
        let parent_set = UseSet::new(FLAGS, &parent_on);
        let r = Restriction::from_atom_with_parent_use(&a, &|f| parent_on.contains(&f));
        prop_assert_eq!(r.matches(&mem), a.matches_with_parent(&target, Some(&parent_set)), "{} with parent {:?}", a, parent_on);
    }

    #[test]
    fn candidates_never_lose_a_match(r in restriction(), pkgs in prop::collection::vec(pkg(), 1..8)) {
        let c = r.candidates();
        for p in &pkgs {
            let m = p.memory();
            if r.matches(&m) {
                prop_assert!(c.matches(m.cpv().category(), m.cpv().package()), "{} / {} lost {}", r, c, p.cpv);
                if let Some(pairs) = c.exact_pairs() {
                    prop_assert!(pairs.contains(&(m.cpv().category(), m.cpv().package())));
                }
                if let Some(cats) = c.exact_categories() {
                    prop_assert!(cats.contains(m.cpv().category()));
                }
                if let Some(names) = c.exact_packages_in(m.cpv().category()) {
                    prop_assert!(names.contains(m.cpv().package()));
                }
            }
        }
    }

    #[test]
    fn split_recombines_equivalently(r in restriction(), answered in attr_subset(), pkgs in prop::collection::vec(pkg(), 1..8)) {
        let s = r.split(&|a| answered.contains(&a));
        prop_assert!(s.answerable.is_answerable_by(&|a| answered.contains(&a)), "{}", s.answerable);
        let back = s.recombine();
        for p in &pkgs {
            let m = p.memory();
            prop_assert_eq!(back.matches(&m), r.matches(&m), "{} on {}", r, p.cpv);
        }
    }

    #[test]
    fn negation_and_simplification_preserve_meaning(r in restriction(), p in pkg()) {
        let m = p.memory();
        prop_assert_eq!(r.clone().negate().matches(&m), !r.matches(&m));
        prop_assert_eq!(r.clone().negate().negate().matches(&m), r.matches(&m));
        let children = match &r {
            Restriction::And(c) | Restriction::Or(c) => c.clone(),
            _ => vec![r.clone()],
        };
        prop_assert_eq!(Restriction::and(children.clone()).matches(&m), children.iter().all(|c| c.matches(&m)));
        prop_assert_eq!(Restriction::or(children.clone()).matches(&m), children.iter().any(|c| c.matches(&m)));
    }

    #[test]
    fn targets_never_panic(t in "[a-z0-9*/:=<>~!\\[\\]().,+_@ é-]{0,24}") {
        match parse_target(&t) {
            Ok(r) => {
                // Whatever parses can be matched, pruned and split.
                let p = MemoryPackage::new("dev-lang/python-3.12").unwrap();
                let _ = r.matches(&p);
                let _ = r.candidates();
                let _ = r.split(&|a| a == Attr::Package);
            }
            Err(e) => {
                prop_assert_eq!(e.input(), t.as_str());
                if let Some(pos) = e.position() {
                    prop_assert!(pos <= t.len(), "{} at {}", e, pos);
                }
            }
        }
    }

    #[test]
    fn name_glob_targets_agree_with_regex(
        cat in "[ab*-]{1,4}",
        pkg in "[ab*]{1,4}",
        names in prop::collection::vec(("[ab][ab-]{0,3}", "[ab]{1,4}"), 1..10),
    ) {
        prop_assume!(!cat.contains("**") && !pkg.contains("**"));
        prop_assume!(cat.contains('*') || pkg.contains('*'));
        let full = |g: &str| {
            let mut re = String::from("^");
            for (i, part) in g.split('*').enumerate() {
                if i > 0 {
                    re.push_str(".*");
                }
                re.push_str(&regex::escape(part));
            }
            re.push('$');
            regex::Regex::new(&re).unwrap()
        };
        let (cre, pre) = (full(&cat), full(&pkg));
        let target = format!("{cat}/{pkg}");
        let r = match parse_target(&target) {
            Ok(r) => r,
            // Exact (star-free) sides must be valid names; those errors are fine here.
            Err(_) => return Ok(()),
        };
        for (c, n) in &names {
            let m = MemoryPackage::new(&format!("{c}/{n}-1")).unwrap();
            prop_assert_eq!(r.matches(&m), cre.is_match(c) && pre.is_match(n), "{} vs {}/{}", target, c, n);
        }
    }

    #[test]
    fn globs_agree_with_regex(pat in "[ab*]{0,6}", text in "[ab]{0,8}") {
        let mut re = String::from("^");
        for (i, part) in pat.split('*').enumerate() {
            if i > 0 {
                re.push_str(".*");
            }
            re.push_str(&regex::escape(part));
        }
        re.push('$');
        let want = regex::Regex::new(&re).unwrap().is_match(&text);
        prop_assert_eq!(Glob::new(&pat).matches(&text), want);
        let ci = ValueRestriction::str_match(strata_restrict::StrMatchKind::Glob, &pat.to_uppercase(), false).unwrap();
        prop_assert_eq!(ci.matches_str(&text), want);
    }
}

#[test]
fn dyn_packages_match() {
    let p = MemoryPackage::new("dev-lang/python-3.12").unwrap();
    let d: &dyn PackageAttrs = &p;
    assert!(parse_target("python").unwrap().matches(&d));
}
