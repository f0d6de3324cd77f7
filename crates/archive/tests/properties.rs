//! Property tests: the key encoding is injective, and archive bytes depend only on the
//! entries, not on the order they were added in.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use strata_archive::{Archive, ArchiveKey, Store};

fn small_string() -> impl Strategy<Value = String> {
    // Few distinct characters, including '=', '\0' and multi-byte ones, so collisions of
    // naive encodings (concatenation, "k=v" joins) are likely to be generated.
    proptest::collection::vec(
        prop_oneof![Just('a'), Just('='), Just('\0'), Just('é'), Just('b')],
        0..4,
    )
    .prop_map(|v| v.into_iter().collect())
}

fn key_map() -> impl Strategy<Value = BTreeMap<String, String>> {
    proptest::collection::btree_map(small_string(), small_string(), 0..4)
}

proptest! {
    #[test]
    fn canonical_encoding_is_injective(
        n1 in small_string(), k1 in key_map(), n2 in small_string(), k2 in key_map()
    ) {
        let a = ArchiveKey::from(k1.clone());
        let b = ArchiveKey::from(k2.clone());
        let same_input = n1 == n2 && k1 == k2;
        prop_assert_eq!(a.canonical_bytes(&n1) == b.canonical_bytes(&n2), same_input);
        prop_assert_eq!(a.digest(&n1) == b.digest(&n2), same_input);
    }

    #[test]
    fn json_round_trip(k in key_map()) {
        let key = ArchiveKey::from(k);
        prop_assert_eq!(ArchiveKey::from_json(&key.to_json()).unwrap(), key);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn insertion_order_does_not_change_the_bytes(
        files in proptest::collection::btree_map(
            "[a-c]{1,2}(/[a-c]{1,2}){0,2}",
            proptest::collection::vec(any::<u8>(), 0..64),
            1..8,
        ),
        seed in any::<u64>(),
    ) {
        // Skip sets where one file path is a prefix directory of another.
        let paths: Vec<&String> = files.keys().collect();
        prop_assume!(!paths.iter().any(|p| paths.iter().any(|q| q.starts_with(&format!("{p}/")))));
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut forward = Archive::new("p.tar.gz").unwrap();
        for (p, d) in &files {
            forward.add_bytes(p, d.clone()).unwrap();
        }
        let mut shuffled: Vec<(&String, &Vec<u8>)> = files.iter().collect();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let mut other = Archive::new("p.tar.gz").unwrap();
        for (p, d) in shuffled {
            other.add_bytes(p, d.clone()).unwrap();
        }
        let k = ArchiveKey::new();
        let a = forward.store(&store, &k).unwrap();
        let b = other.store(&store, &k.clone().with("order", "shuffled")).unwrap();
        prop_assert_eq!(std::fs::read(a.path()).unwrap(), std::fs::read(b.path()).unwrap());
    }
}
