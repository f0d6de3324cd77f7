//! Fuzz `Atom::parse_with` under every EAPI and user configuration.
//!
//! The first byte picks the options (EAPI 0–9, or user configuration); the rest is the
//! atom. A parsed atom must display as written, re-parse to an equal value, intersect
//! itself (when its USE deps are consistent), and, when its operator admits its own
//! version, match a package built from its own parts.

#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use strata_atom::Eapi;
use strata_atom::atom::{Atom, AtomOptions, MatchTarget, UseDepKind, UseSet, VersionOp};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    let opts = match Eapi::ALL.get(usize::from(first % 11)) {
        Some(&e) => AtomOptions::eapi(e),
        None => AtomOptions::user_config(),
    };
    let Ok(atom) = Atom::parse_with(s, opts) else {
        return;
    };
    assert_eq!(atom.to_string(), s);
    let again = Atom::parse_with(&atom.to_string(), opts).expect("display re-parses");
    assert_eq!(again, atom);
    assert_eq!(again.version(), atom.version());
    assert_eq!(again.use_deps(), atom.use_deps());
    assert_eq!(atom.cp(), format!("{}/{}", atom.category(), atom.package()));
    assert_eq!(atom.op().is_some(), atom.version().is_some());
    let unversioned = atom.unversioned();
    assert_eq!(
        Atom::parse(unversioned.as_str(), Eapi::E0).expect("cp parses"),
        unversioned
    );

    // USE deps are consistent when no flag is required both on and off.
    let mut on = HashSet::new();
    let mut off = HashSet::new();
    for d in atom.use_deps() {
        match d.kind() {
            UseDepKind::Enabled => {
                on.insert(d.flag());
            }
            UseDepKind::Disabled => {
                off.insert(d.flag());
            }
            _ => {}
        }
    }
    let consistent = on.is_disjoint(&off);
    if consistent {
        assert!(atom.intersects(&atom), "{atom} intersects itself");
    }

    let admits_own = matches!(
        atom.op(),
        None | Some(
            VersionOp::Equal
                | VersionOp::EqualGlob
                | VersionOp::Approximate
                | VersionOp::LessOrEqual
                | VersionOp::GreaterOrEqual
        )
    );
    if consistent
        && admits_own
        && let Some(cpv) = atom.cpv()
    {
        let iuse: Vec<&str> = atom.use_deps().iter().map(|d| d.flag()).collect();
        let use_set = UseSet::new(iuse, on.iter().copied());
        let slot_text = match (atom.slot(), atom.subslot()) {
            (Some(s), Some(ss)) => format!("{s}/{ss}"),
            (Some(s), None) => s.to_owned(),
            _ => "0".to_owned(),
        };
        let mut target = MatchTarget::new(&cpv)
            .with_slot(&slot_text)
            .with_use(&use_set);
        if let Some(r) = atom.repo() {
            target = target.with_repo(r);
        }
        assert!(atom.matches(&target), "{atom} matches its own package");
    }
});
