//! Real data: every atom in GURU's md5-cache dependency keys parses under the entry's
//! EAPI, displays as written, and every entry's name is a valid CPV.
//!
//! Needs `../shared` (or `STRATA_SHARED`); fails when it is missing.

#![allow(clippy::unwrap_used)]

use strata_atom::Eapi;
use strata_atom::atom::Atom;
use strata_atom::cpv::Cpv;
use strata_testtools::{guru_dir, md5_cache_files, parse_md5_cache};

const DEP_KEYS: [&str; 5] = ["DEPEND", "RDEPEND", "BDEPEND", "PDEPEND", "IDEPEND"];

#[test]
fn guru_md5_cache_atoms_and_cpvs() {
    let mut entries = 0;
    let mut atoms = 0;
    let mut eapis = std::collections::BTreeSet::new();
    for (category, pf, path) in md5_cache_files(&guru_dir()) {
        let cpv = Cpv::from_category_pf(&category, &pf)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(cpv.to_string(), format!("{category}/{pf}"));
        let text = std::fs::read_to_string(&path).unwrap();
        let eapi_text = text
            .lines()
            .find_map(|l| l.strip_prefix("EAPI="))
            .unwrap_or("0");
        let eapi = Eapi::parse(eapi_text).unwrap();
        eapis.insert(eapi);
        for (key, value) in parse_md5_cache(&text) {
            if !DEP_KEYS.contains(&key) {
                continue;
            }
            for token in value.split_whitespace() {
                if matches!(token, "(" | ")" | "||") || token.ends_with('?') {
                    continue;
                }
                let atom = Atom::parse(token, eapi)
                    .unwrap_or_else(|e| panic!("{}: {key}: {token}: {e}", path.display()));
                assert_eq!(atom.to_string(), token);
                atoms += 1;
            }
        }
        entries += 1;
    }
    assert_eq!(entries, 3751, "GURU has 3751 cache entries");
    assert!(atoms > 10_000, "only {atoms} atoms");
    assert!(eapis.len() >= 3, "EAPIs seen: {eapis:?}");
}
