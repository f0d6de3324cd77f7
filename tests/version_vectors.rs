//! Version comparison vectors: `tests/vectors/version.txt` (format described in the file).

#![allow(clippy::unwrap_used)]

use std::cmp::Ordering;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use strata_atom::version::{Version, is_valid_version};
use strata_tests::vector_cases;

fn v(s: &str, line: usize) -> Version {
    Version::parse(s).unwrap_or_else(|e| panic!("line {line}: {s:?} should parse: {e}"))
}

fn hash(x: &Version) -> u64 {
    let mut h = DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

fn check_order(a: &Version, b: &Version, want: Ordering, line: usize) {
    assert_eq!(a.cmp(b), want, "line {line}: {a} vs {b}");
    assert_eq!(b.cmp(a), want.reverse(), "line {line}: {b} vs {a}");
    assert_eq!(a == b, want == Ordering::Equal, "line {line}: {a} == {b}");
    if want == Ordering::Equal {
        assert_eq!(hash(a), hash(b), "line {line}: hash({a}) == hash({b})");
    }
}

#[test]
fn version_vectors() {
    let mut cases = 0;
    for (line, f) in vector_cases("version.txt") {
        match f[0].as_str() {
            "valid" => {
                let x = v(&f[1], line);
                assert_eq!(x.to_string(), f[1], "line {line}: display");
                assert!(is_valid_version(&f[1]), "line {line}");
                assert_eq!(v(x.as_str(), line), x, "line {line}: round trip");
            }
            "invalid" => {
                assert!(
                    Version::parse(&f[1]).is_err(),
                    "line {line}: {:?} should be invalid",
                    f[1]
                );
                assert!(!is_valid_version(&f[1]), "line {line}");
            }
            "chain" => {
                let vs: Vec<Version> = f[1..].iter().map(|s| v(s, line)).collect();
                for (x, a) in vs.iter().enumerate() {
                    for b in &vs[x + 1..] {
                        check_order(a, b, Ordering::Less, line);
                    }
                }
                let mut sorted = vs.clone();
                sorted.reverse();
                sorted.sort();
                assert_eq!(sorted, vs, "line {line}: sorting");
            }
            _ => {
                assert_eq!(f.len(), 3, "line {line}: expected 'A op B'");
                let (a, b) = (v(&f[0], line), v(&f[2], line));
                match f[1].as_str() {
                    "<" => check_order(&a, &b, Ordering::Less, line),
                    ">" => check_order(&a, &b, Ordering::Greater, line),
                    "==" => check_order(&a, &b, Ordering::Equal, line),
                    "!=" => assert_ne!(a, b, "line {line}"),
                    op => panic!("line {line}: unknown operator {op}"),
                }
            }
        }
        cases += 1;
    }
    assert!(cases >= 300, "only {cases} version vectors");
}
