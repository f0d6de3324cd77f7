//! Every package Manifest of the real GURU snapshot parses, passes GURU's own layout.conf
//! policy, and writes back byte for byte.
#![allow(clippy::unwrap_used)]

use strata_fetch::{Manifest, ManifestPolicy};
use strata_testtools::guru_dir;

#[test]
fn guru_manifests_parse_and_round_trip() {
    let guru = guru_dir();
    let layout = std::fs::read_to_string(guru.join("metadata/layout.conf")).unwrap();
    let policy = ManifestPolicy::from_layout_conf(&layout);
    assert!(policy.thin);
    assert_eq!(policy.required_hashes, ["BLAKE2B"]);

    let (mut manifests, mut dists) = (0usize, 0usize);
    for cat in std::fs::read_dir(&guru).unwrap() {
        let cat = cat.unwrap().path();
        if !cat.is_dir() {
            continue;
        }
        for pkg in std::fs::read_dir(&cat).unwrap() {
            let path = pkg.unwrap().path().join("Manifest");
            if !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let m = Manifest::load(&path).unwrap_or_else(|e| panic!("{e}"));
            m.check(&policy).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                m.to_string(),
                text,
                "{} does not round-trip",
                path.display()
            );
            manifests += 1;
            dists += m.dists().count();
        }
    }
    assert_eq!(manifests, 2141);
    assert_eq!(dists, 55_001);
}
