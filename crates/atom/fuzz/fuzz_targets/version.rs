//! Fuzz `Version::parse` and the version order.
//!
//! The input is split at `\n` into up to three strings. Each must parse exactly when
//! `is_valid_version` says so, without panicking; parsed versions must display as
//! written and re-parse to an equal value; and the order on the parsed ones must be
//! antisymmetric, transitive and consistent with `Eq` and `Hash`.

#![no_main]

use std::cmp::Ordering;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use libfuzzer_sys::fuzz_target;
use strata_atom::version::{Version, is_valid_version};

fn hash(v: &Version) -> u64 {
    let mut h = DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parsed = Vec::new();
    for s in text.splitn(3, '\n') {
        let r = Version::parse(s);
        assert_eq!(r.is_ok(), is_valid_version(s), "{s:?}");
        let Ok(v) = r else { continue };
        assert_eq!(v.as_str(), s);
        let again = Version::parse(&v.to_string()).expect("display re-parses");
        assert_eq!(again, v);
        assert_eq!(hash(&again), hash(&v));
        // The base (PV) is a version equal to this one but for the revision.
        let base = Version::parse(v.base()).expect("base parses");
        assert!(base.eq_ignoring_revision(&v));
        assert!(base <= v);
        assert_eq!(base == v, v.revision().bytes().all(|b| b == b'0'));
        assert!(v.glob_matches(&v));
        assert!(base.glob_matches(&v));
        parsed.push(v);
    }
    for a in &parsed {
        for b in &parsed {
            let ab = a.cmp(b);
            assert_eq!(ab, b.cmp(a).reverse());
            assert_eq!(ab == Ordering::Equal, a == b);
            if a == b {
                assert_eq!(hash(a), hash(b));
            }
            for c in &parsed {
                if a <= b && b <= c {
                    assert!(a <= c, "{a} <= {b} <= {c}");
                }
            }
        }
    }
});
