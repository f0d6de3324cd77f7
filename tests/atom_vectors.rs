//! Atom vectors: `tests/vectors/atom.txt` (format described in the file).

#![allow(clippy::unwrap_used)]

use strata_atom::Eapi;
use strata_atom::atom::{Atom, AtomOptions, MatchTarget, UseFlags, UseSet};
use strata_atom::cpv::Cpv;
use strata_tests::vector_cases;

/// The parse options an EAPI field stands for.
fn options(spec: &str, line: usize) -> Vec<AtomOptions> {
    if spec == "user" {
        return vec![AtomOptions::user_config()];
    }
    let num = |s: &str| -> usize {
        s.parse()
            .unwrap_or_else(|_| panic!("line {line}: EAPI {s}"))
    };
    let (lo, hi) = if spec == "all" {
        (0, 9)
    } else if let Some(lo) = spec.strip_suffix('+') {
        (num(lo), 9)
    } else if let Some((lo, hi)) = spec.split_once('-') {
        (num(lo), num(hi))
    } else {
        (num(spec), num(spec))
    };
    Eapi::ALL[lo..=hi]
        .iter()
        .map(|&e| AtomOptions::eapi(e))
        .collect()
}

fn user(s: &str, line: usize) -> Atom {
    Atom::parse_user(s).unwrap_or_else(|e| panic!("line {line}: {s}: {e}"))
}

fn opt(x: Option<impl ToString>) -> String {
    x.map_or_else(|| "-".to_owned(), |v| v.to_string())
}

fn check_parts(f: &[String], line: usize) {
    let a = user(&f[1], line);
    for kv in &f[2..] {
        let (k, want) = kv.split_once('=').expect("key=value");
        let got = match k {
            "blocker" => opt(a.blocker().map(|b| b.as_str())),
            "op" => opt(a.op()),
            "cat" => a.category().to_owned(),
            "pkg" => a.package().to_owned(),
            "cp" => a.cp().to_owned(),
            "ver" => opt(a.version()),
            "slot" => opt(a.slot()),
            "subslot" => opt(a.subslot()),
            "slotop" => opt(a.slot_op().map(|o| match o {
                strata_atom::atom::SlotOperator::Equal => "=",
                strata_atom::atom::SlotOperator::Star => "*",
            })),
            "repo" => opt(a.repo()),
            "use" => {
                if a.use_deps().is_empty() {
                    "-".to_owned()
                } else {
                    let v: Vec<String> = a.use_deps().iter().map(ToString::to_string).collect();
                    v.join(",")
                }
            }
            other => panic!("line {line}: unknown key {other}"),
        };
        assert_eq!(got, want, "line {line}: {} {k}", f[1]);
    }
}

fn split_list(s: &str) -> Vec<&str> {
    s.split(',').filter(|x| !x.is_empty()).collect()
}

fn check_match(f: &[String], line: usize) {
    let want = f[1] == "yes";
    let atom = user(&f[2], line);
    let cpv = Cpv::parse(&f[3]).unwrap_or_else(|e| panic!("line {line}: {e}"));
    let mut slot = None;
    let mut repo = None;
    let mut iuse: Option<Vec<&str>> = None;
    let mut enabled: Vec<&str> = Vec::new();
    let mut parent: Option<Vec<&str>> = None;
    for kv in &f[4..] {
        let (k, v) = kv.split_once('=').expect("key=value");
        match k {
            "slot" => slot = Some(v),
            "repo" => repo = Some(v),
            "iuse" => iuse = Some(split_list(v)),
            "use" => enabled = split_list(v),
            "parent" => parent = Some(split_list(v)),
            other => panic!("line {line}: unknown key {other}"),
        }
    }
    // `use=` without `iuse=` still gives USE information, with an empty IUSE.
    let use_set = (iuse.is_some() || !enabled.is_empty())
        .then(|| UseSet::new(iuse.clone().unwrap_or_default(), enabled.clone()));
    let parent_set = parent.map(|p| UseSet::new(p.clone(), p));
    let mut target = MatchTarget::new(&cpv);
    if let Some(s) = slot {
        target = target.with_slot(s);
    }
    if let Some(r) = repo {
        target = target.with_repo(r);
    }
    if let Some(u) = &use_set {
        target = target.with_use(u);
    }
    let got = match &parent_set {
        Some(p) => atom.matches_with_parent(&target, Some(p as &dyn UseFlags)),
        None => atom.matches(&target),
    };
    assert_eq!(got, want, "line {line}: {} matches {}", f[2], f[3]);
}

#[test]
fn atom_vectors() {
    let mut cases = 0;
    for (line, f) in vector_cases("atom.txt") {
        match f[0].as_str() {
            "valid" => {
                for o in options(&f[1], line) {
                    let a = Atom::parse_with(&f[2], o)
                        .unwrap_or_else(|e| panic!("line {line}: {} under {o:?}: {e}", f[2]));
                    assert_eq!(a.to_string(), f[2], "line {line}: display");
                    let again = Atom::parse_with(&a.to_string(), o).unwrap();
                    assert_eq!(again, a, "line {line}: round trip");
                }
            }
            "invalid" => {
                for o in options(&f[1], line) {
                    let r = Atom::parse_with(&f[2], o);
                    assert!(
                        r.is_err(),
                        "line {line}: {:?} should be invalid under {o:?}",
                        f[2]
                    );
                }
            }
            "parts" => check_parts(&f, line),
            "match" => check_match(&f, line),
            "intersect" => {
                let want = f[1] == "yes";
                let (a, b) = (user(&f[2], line), user(&f[3], line));
                assert_eq!(a.intersects(&b), want, "line {line}: {a} ∩ {b}");
                assert_eq!(b.intersects(&a), want, "line {line}: {b} ∩ {a}");
            }
            other => panic!("line {line}: unknown line kind {other}"),
        }
        cases += 1;
    }
    assert!(cases >= 200, "only {cases} atom vectors");
}
