//! Real data: every package of the GURU overlay (from its md5-cache) as an in-memory
//! package; every dependency atom GURU uses, compiled and matched against every GURU
//! package of its name, must agree with the atom crate's own matching; targets pruned by
//! their candidates must find exactly what a full scan finds; splits must recombine.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use strata_atom::Eapi;
use strata_atom::atom::{Atom, MatchTarget, UseSet};
use strata_atom::depspec::{DepKind, DepSpec};
use strata_restrict::{
    Attr, AttrValue, Containment, MemoryPackage, PackageAttrs, Restriction, StrMatchKind,
    ValueRestriction, parse_target,
};
use strata_testtools::{guru_dir, md5_cache_files, parse_md5_cache};

struct Entry {
    pkg: MemoryPackage,
    eapi: Eapi,
    slot: String,
    iuse: Vec<String>,
    deps: Vec<String>,
    /// The five dependency classes parsed, in [`Attr::DEPS`] order.
    specs: Vec<DepSpec>,
}

/// A package whose dependency attributes are borrowed from parsed dependency specs.
impl PackageAttrs for Entry {
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
        match Attr::DEPS.iter().position(|&a| a == attr) {
            Some(i) => Some(AttrValue::AtomRefs(self.specs[i].atoms().collect())),
            None => self.pkg.attr(attr),
        }
    }
}

const DEP_KINDS: [DepKind; 5] = [
    DepKind::Bdepend,
    DepKind::Depend,
    DepKind::Rdepend,
    DepKind::Pdepend,
    DepKind::Idepend,
];

fn load_guru() -> Vec<Entry> {
    let mut out = Vec::new();
    for (cat, pf, f) in md5_cache_files(&guru_dir()) {
        let text = std::fs::read_to_string(&f).unwrap();
        let kv: HashMap<&str, &str> = parse_md5_cache(&text).into_iter().collect();
        let get = |k: &str| kv.get(k).copied().unwrap_or("");
        let slot = get("SLOT").to_owned();
        let iuse: Vec<String> = get("IUSE").split_whitespace().map(str::to_owned).collect();
        // Enabled USE: the IUSE defaults, as an unconfigured package would have.
        let enabled: Vec<String> = iuse
            .iter()
            .filter_map(|f| f.strip_prefix('+'))
            .map(str::to_owned)
            .collect();
        let pkg = MemoryPackage::new(&format!("{cat}/{pf}"))
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
            .with_slot(&slot)
            .with_repo("guru")
            .with_text(Attr::Eapi, get("EAPI"))
            .with_text(Attr::Description, get("DESCRIPTION"))
            .with_list(Attr::Keywords, get("KEYWORDS").split_whitespace())
            .with_list(Attr::Iuse, iuse.clone())
            .with_list(Attr::Use, enabled);
        let deps = ["DEPEND", "RDEPEND", "BDEPEND", "PDEPEND", "IDEPEND"]
            .iter()
            .map(|k| get(k).to_owned())
            .collect();
        let eapi = Eapi::parse(get("EAPI")).unwrap();
        let specs = DEP_KINDS
            .iter()
            .map(|&k| {
                DepSpec::parse(get(k.key()), k, eapi)
                    .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
            })
            .collect();
        out.push(Entry {
            pkg,
            eapi,
            slot,
            iuse,
            deps,
            specs,
        });
    }
    out
}

/// The atoms of a dependency string (groups and USE conditionals skipped).
fn atoms(dep: &str) -> impl Iterator<Item = &str> {
    dep.split_whitespace()
        .filter(|t| !matches!(*t, "(" | ")" | "||" | "^^" | "??") && !t.ends_with('?'))
}

#[test]
fn guru() {
    let entries = load_guru();
    assert!(entries.len() > 3700, "only {} GURU entries", entries.len());
    let mut by_cp: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, e) in entries.iter().enumerate() {
        by_cp
            .entry(e.pkg.cpv().cp().to_owned())
            .or_default()
            .push(i);
    }

    // 1. Every dependency atom, compiled, agrees with Atom::matches on its packages.
    let (mut n_atoms, mut n_checks, mut n_hits) = (0, 0, 0);
    for e in &entries {
        for dep in &e.deps {
            for text in atoms(dep) {
                let atom = Atom::parse(text, e.eapi)
                    .unwrap_or_else(|err| panic!("{}: {text}: {err}", e.pkg.cpv()));
                n_atoms += 1;
                let r = Restriction::from_atom(&atom);
                assert!(r.candidates().matches(atom.category(), atom.package()));
                for &i in by_cp.get(atom.cp()).into_iter().flatten() {
                    let t = &entries[i];
                    let cpv = t.pkg.cpv();
                    let use_set =
                        UseSet::new(&t.iuse, t.iuse.iter().filter_map(|f| f.strip_prefix('+')));
                    let target = MatchTarget::new(cpv)
                        .with_slot(&t.slot)
                        .with_repo("guru")
                        .with_use(&use_set);
                    let want = atom.matches(&target);
                    assert_eq!(r.matches(&t.pkg), want, "{atom} vs {cpv} ({r})");
                    n_checks += 1;
                    n_hits += usize::from(want);
                }
            }
        }
    }
    assert!(n_atoms > 10_000, "only {n_atoms} dependency atoms");
    assert!(
        n_checks > 1_000 && n_hits > 500,
        "{n_checks} checks, {n_hits} hits"
    );

    // 2. Targets: pruning by candidates finds exactly what a full scan finds, and the
    // results agree with independent string checks.
    let scan = |r: &Restriction| -> Vec<usize> {
        (0..entries.len())
            .filter(|&i| r.matches(&entries[i].pkg))
            .collect()
    };
    let pruned = |r: &Restriction| -> Vec<usize> {
        let c = r.candidates();
        (0..entries.len())
            .filter(|&i| {
                let cpv = entries[i].pkg.cpv();
                c.matches(cpv.category(), cpv.package())
            })
            .filter(|&i| r.matches(&entries[i].pkg))
            .collect()
    };
    let expect = |target: &str, f: &dyn Fn(&Entry) -> bool| {
        let r = parse_target(target).unwrap();
        let got = scan(&r);
        let want: Vec<usize> = (0..entries.len()).filter(|&i| f(&entries[i])).collect();
        assert_eq!(got, want, "{target}");
        assert_eq!(pruned(&r), got, "{target}: pruning changed the result");
        got.len()
    };
    let all = expect("*/*::guru", &|_| true);
    assert_eq!(all, entries.len());
    assert!(expect("dev-python/*", &|e| e.pkg.cpv().category() == "dev-python") > 100);
    assert!(
        expect("*-python/py*", &|e| e
            .pkg
            .cpv()
            .category()
            .ends_with("-python")
            && e.pkg.cpv().package().starts_with("py"))
            > 10
    );
    assert!(
        expect("*:0", &|e| e.slot == "0" || e.slot.starts_with("0/")) > 1000,
        "slot 0"
    );
    assert!(
        expect(">=*/*-9999", &|e| e.pkg.cpv().version()
            >= &strata_atom::version::Version::parse("9999").unwrap())
            > 50
    );
    assert_eq!(expect("*::gentoo", &|_| false), 0);

    // 3. Reverse dependencies by name, through borrowed dependency atoms, agree with a
    // plain scan of the dependency strings.
    for cp in [
        "dev-python/pytest",
        "dev-lang/python",
        "virtual/pkgconfig",
        "dev-libs/glib",
    ] {
        let r = Restriction::revdep_name(cp);
        let got = entries.iter().filter(|e| r.matches(e)).count();
        let want = entries
            .iter()
            .filter(|e| {
                e.deps
                    .iter()
                    .any(|d| atoms(d).any(|t| Atom::parse(t, e.eapi).is_ok_and(|a| a.cp() == cp)))
            })
            .count();
        assert_eq!(got, want, "revdeps of {cp}");
        assert!(got > 10, "only {got} revdeps of {cp}");
    }
    // 4. A metadata query split for an index answering names, description and keywords.
    let r = Restriction::and([
        parse_target("dev-*/*").unwrap(),
        Restriction::attr(
            Attr::Description,
            ValueRestriction::str_match(StrMatchKind::Substring, "python", false).unwrap(),
        ),
        Restriction::attr(
            Attr::Keywords,
            ValueRestriction::contains(["~amd64"], Containment::AnyOf),
        ),
        parse_target("*[-test(-)]").unwrap(),
    ]);
    let s = r.split(&|a| {
        matches!(
            a,
            Attr::Category | Attr::Package | Attr::Description | Attr::Keywords
        )
    });
    assert_eq!(s.rest.to_string(), "use[-test(-)]");
    let back = s.recombine();
    let hits = scan(&r);
    assert_eq!(scan(&back), hits);
    assert!(!hits.is_empty());
}
