//! The index's tolerant dependency-name extractor agrees with strata-atom's DepSpec parser
//! on every dependency class of every GURU entry.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use strata_atom::Eapi;
use strata_atom::depspec::{DepKind, DepSpec};
use strata_cache::index::deps::dep_packages;
use strata_testtools::{guru_dir, md5_cache_files};

#[test]
fn extractor_matches_depspec_atoms_on_guru() {
    let kinds = [
        ("DEPEND", DepKind::Depend),
        ("RDEPEND", DepKind::Rdepend),
        ("PDEPEND", DepKind::Pdepend),
        ("BDEPEND", DepKind::Bdepend),
        ("IDEPEND", DepKind::Idepend),
    ];
    let mut checked = 0;
    for (_, _, path) in md5_cache_files(&guru_dir()) {
        let text = std::fs::read_to_string(path).unwrap();
        let get = |k: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(k).and_then(|r| r.strip_prefix('=')))
                .unwrap_or("")
        };
        let eapi = Eapi::parse(get("EAPI")).unwrap();
        for (key, kind) in kinds {
            let value = get(key);
            if value.is_empty() {
                continue;
            }
            let spec = DepSpec::parse(value, kind, eapi).unwrap();
            let want: BTreeSet<&str> = spec.atoms().map(|a| a.cp()).collect();
            let got: BTreeSet<&str> = dep_packages(value).into_iter().collect();
            assert_eq!(got, want, "{key}={value}");
            checked += 1;
        }
    }
    assert!(checked > 5000, "{checked}");
}
