//! Property tests: the version order is a total order consistent with `Eq` and `Hash`
//! and agrees with a direct transcription of the PMS algorithms; versions and atoms
//! generated from the grammar survive parse → Display → parse.

#![allow(clippy::unwrap_used)]

use std::cmp::Ordering;
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use proptest::prelude::*;
use strata_atom::Eapi;
use strata_atom::atom::{Atom, AtomOptions};
use strata_atom::cpv::Cpv;
use strata_atom::version::Version;

fn hash<T: Hash>(x: &T) -> u64 {
    let mut h = DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

/// A number as written: sometimes with leading zeros, sometimes long.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[0-9]{1,2}",
        2 => "0{1,2}[0-9]{1,2}",
        1 => "[1-9][0-9]{18,32}",
    ]
}

fn suffix() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["alpha", "beta", "pre", "rc", "p"]),
        prop::option::of(number()),
    )
        .prop_map(|(s, n)| format!("_{s}{}", n.unwrap_or_default()))
}

/// A version from the PMS grammar, biased towards small alphabets so that equal and
/// nearly-equal versions are frequent.
fn version_text() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(number(), 1..4),
        prop::option::of(prop::sample::select(vec!['a', 'b', 'z'])),
        prop::collection::vec(suffix(), 0..3),
        prop::option::of(number()),
    )
        .prop_map(|(nums, letter, suffixes, rev)| {
            let mut s = nums.join(".");
            if let Some(l) = letter {
                s.push(l);
            }
            for x in suffixes {
                s.push_str(&x);
            }
            if let Some(r) = rev {
                s.push_str("-r");
                s.push_str(&r);
            }
            s
        })
}

// ---- a direct, string-based transcription of PMS algorithms 3.1–3.7 ----

struct Parts<'a> {
    nums: Vec<&'a str>,
    letter: Option<u8>,
    suffixes: Vec<(u8, &'a str)>,
    rev: &'a str,
}

fn split(s: &str) -> Parts<'_> {
    let (main, rev) = match s.find("-r") {
        Some(i) => (&s[..i], &s[i + 2..]),
        None => (s, ""),
    };
    let mut pieces = main.split('_');
    let head = pieces.next().unwrap();
    let (nums_part, letter) = match head.as_bytes().last() {
        Some(c) if c.is_ascii_lowercase() => (&head[..head.len() - 1], Some(*c)),
        _ => (head, None),
    };
    let suffixes = pieces
        .map(|p| {
            let i = p.find(|c: char| c.is_ascii_digit()).unwrap_or(p.len());
            let rank = match &p[..i] {
                "alpha" => 0,
                "beta" => 1,
                "pre" => 2,
                "rc" => 3,
                "p" => 4,
                other => panic!("suffix {other}"),
            };
            (rank, &p[i..])
        })
        .collect();
    Parts {
        nums: nums_part.split('.').collect(),
        letter,
        suffixes,
        rev,
    }
}

fn int_cmp(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

fn pms_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (split(a), split(b));
    // 3.2
    let c = int_cmp(a.nums[0], b.nums[0]);
    if c != Ordering::Equal {
        return c;
    }
    // 3.3
    for (x, y) in a.nums[1..].iter().zip(&b.nums[1..]) {
        let c = if x.starts_with('0') || y.starts_with('0') {
            x.trim_end_matches('0').cmp(y.trim_end_matches('0'))
        } else {
            int_cmp(x, y)
        };
        if c != Ordering::Equal {
            return c;
        }
    }
    // 3.4 (more components is greater)
    let c = a.nums.len().cmp(&b.nums.len());
    if c != Ordering::Equal {
        return c;
    }
    // 3.5 letter
    let c = a.letter.cmp(&b.letter);
    if c != Ordering::Equal {
        return c;
    }
    // 3.6 suffixes
    for (x, y) in a.suffixes.iter().zip(&b.suffixes) {
        let c = x.0.cmp(&y.0).then_with(|| int_cmp(x.1, y.1));
        if c != Ordering::Equal {
            return c;
        }
    }
    let n = a.suffixes.len().min(b.suffixes.len());
    if a.suffixes.len() > n {
        return if a.suffixes[n].0 == 4 {
            Ordering::Greater
        } else {
            Ordering::Less
        };
    }
    if b.suffixes.len() > n {
        return if b.suffixes[n].0 == 4 {
            Ordering::Less
        } else {
            Ordering::Greater
        };
    }
    // 3.7 revision
    int_cmp(a.rev, b.rev)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn version_round_trip(s in version_text()) {
        let v = Version::parse(&s).unwrap();
        prop_assert_eq!(v.to_string(), s.clone());
        prop_assert_eq!(Version::parse(v.as_str()).unwrap(), v);
    }

    #[test]
    fn version_order_matches_pms(a in version_text(), b in version_text()) {
        let (va, vb) = (Version::parse(&a).unwrap(), Version::parse(&b).unwrap());
        prop_assert_eq!(va.cmp(&vb), pms_cmp(&a, &b), "{} vs {}", a, b);
        prop_assert_eq!(vb.cmp(&va), va.cmp(&vb).reverse());
        prop_assert_eq!(va == vb, va.cmp(&vb) == Ordering::Equal);
        if va == vb {
            prop_assert_eq!(hash(&va), hash(&vb));
        }
    }

    #[test]
    fn version_order_transitive(a in version_text(), b in version_text(), c in version_text()) {
        let mut v = [
            Version::parse(&a).unwrap(),
            Version::parse(&b).unwrap(),
            Version::parse(&c).unwrap(),
        ];
        v.sort();
        prop_assert!(v[0] <= v[1] && v[1] <= v[2] && v[0] <= v[2]);
        if v[0] == v[1] && v[1] == v[2] {
            prop_assert_eq!(hash(&v[0]), hash(&v[2]));
        }
    }

    /// Equal spellings: padding the first component or a suffix number with zeros, or
    /// adding `-r0`, never changes the version.
    #[test]
    fn version_equal_spellings(nums in prop::collection::vec("[1-9][0-9]{0,3}", 1..4), sfx in "[0-9]{1,3}") {
        let plain = format!("{}_p{sfx}", nums.join("."));
        let padded = format!("00{}_p00{sfx}-r000", nums.join("."));
        let (a, b) = (Version::parse(&plain).unwrap(), Version::parse(&padded).unwrap());
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(hash(&a), hash(&b));
    }

    #[test]
    fn cpv_round_trip(cat in "[a-z][a-z0-9-]{0,8}", pn in "[a-z][a-z0-9+_]{0,6}(-[a-z][a-z0-9]{0,3})?", v in version_text()) {
        let s = format!("{cat}/{pn}-{v}");
        let c = Cpv::parse(&s).unwrap();
        prop_assert_eq!(c.category(), cat.as_str());
        prop_assert_eq!(c.package(), pn.as_str());
        prop_assert_eq!(c.version().as_str(), v.as_str());
        prop_assert_eq!(Cpv::parse(&c.to_string()).unwrap(), c);
    }

    #[test]
    fn atom_round_trip(s in atom_text()) {
        let a = Atom::parse_with(&s, AtomOptions::user_config()).unwrap();
        prop_assert_eq!(a.to_string(), s.clone());
        let again = Atom::parse_with(&a.to_string(), AtomOptions::user_config()).unwrap();
        prop_assert_eq!(&again, &a);
        prop_assert_eq!(again.version(), a.version());
        prop_assert_eq!(again.use_deps(), a.use_deps());
        // Without `::repo`, the newest EAPI accepts the same text.
        if a.repo().is_none() {
            prop_assert_eq!(Atom::parse(&s, Eapi::LATEST).unwrap(), a);
        }
    }
}

fn use_dep() -> impl Strategy<Value = String> {
    (
        0..6usize,
        "[a-z][a-z0-9_+-]{0,5}",
        prop::option::of(prop::sample::select(vec!["(+)", "(-)"])),
    )
        .prop_map(|(kind, flag, default)| {
            let d = default.unwrap_or("");
            match kind {
                0 => format!("{flag}{d}"),
                1 => format!("-{flag}{d}"),
                2 => format!("{flag}{d}="),
                3 => format!("!{flag}{d}="),
                4 => format!("{flag}{d}?"),
                _ => format!("!{flag}{d}?"),
            }
        })
}

fn atom_text() -> impl Strategy<Value = String> {
    let op = prop::option::of(prop::sample::select(vec![
        "<", "<=", "=", "~", ">=", ">", "=*",
    ]));
    let slot = prop::option::of(prop_oneof![
        Just(":*".to_owned()),
        Just(":=".to_owned()),
        "[a-z0-9_][a-z0-9.+_-]{0,4}".prop_map(|s| format!(":{s}")),
        "[a-z0-9_][a-z0-9.+_-]{0,4}".prop_map(|s| format!(":{s}=")),
        ("[0-9]{1,2}", "[a-z0-9_][a-z0-9.]{0,3}").prop_map(|(a, b)| format!(":{a}/{b}")),
        ("[0-9]{1,2}", "[a-z0-9_][a-z0-9.]{0,3}").prop_map(|(a, b)| format!(":{a}/{b}=")),
    ]);
    (
        prop::option::of(prop::sample::select(vec!["!", "!!"])),
        op,
        "[a-z][a-z0-9-]{0,8}",
        "[a-z][a-z0-9+_]{0,6}(-[a-z][a-z0-9]{0,3})?",
        version_text(),
        slot,
        prop::option::of("[a-z_][a-z0-9_]{0,6}"),
        prop::collection::vec(use_dep(), 0..4),
    )
        .prop_map(|(blocker, op, cat, pn, ver, slot, repo, uses)| {
            let mut s = String::from(blocker.unwrap_or(""));
            match op {
                None => s.push_str(&format!("{cat}/{pn}")),
                Some("=*") => s.push_str(&format!("={cat}/{pn}-{ver}*")),
                Some(o) => s.push_str(&format!("{o}{cat}/{pn}-{ver}")),
            }
            s.push_str(&slot.unwrap_or_default());
            if let Some(r) = repo {
                s.push_str("::");
                s.push_str(&r);
            }
            if !uses.is_empty() {
                s.push('[');
                s.push_str(&uses.join(","));
                s.push(']');
            }
            s
        })
}
