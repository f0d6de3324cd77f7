//! Property tests: any entry written and read back is the same entry, in both layouts.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use proptest::prelude::*;
use strata_cache::{EntryKey, WriteStyle, parse_md5_entry, write_md5_entry};

fn key_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("DESCRIPTION".to_owned()),
        Just("EAPI".to_owned()),
        Just("SLOT".to_owned()),
        Just("RDEPEND".to_owned()),
        Just("INHERITED".to_owned()),
        "[A-Z_]{1,12}",
    ]
}

fn eclasses() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec(("[a-z][a-z0-9-]{0,10}", "[0-9a-f]{32}"), 0..5)
}

proptest! {
    #[test]
    fn write_then_parse_is_identity(
        fields in prop::collection::btree_map(key_strategy(), "[^\n]{0,40}", 0..10),
        ecl in eclasses(),
        md5 in "[0-9a-f]{32}",
    ) {
        let mut text = String::new();
        for (k, v) in &fields {
            if k != "_md5_" && k != "_eclasses_" {
                text.push_str(&format!("{k}={v}\n"));
            }
        }
        let mut names = std::collections::BTreeSet::new();
        let ecl: Vec<_> = ecl.into_iter().filter(|(n, _)| names.insert(n.clone())).collect();
        if !ecl.is_empty() {
            let joined: Vec<String> = ecl.iter().map(|(n, m)| format!("{n}\t{m}")).collect();
            text.push_str(&format!("_eclasses_={}\n", joined.join("\t")));
        }
        text.push_str(&format!("_md5_={md5}\n"));
        let key = EntryKey::new("cat", "pkg-1");
        let entry = parse_md5_entry(text.as_bytes(), Path::new("p")).unwrap();
        prop_assert_eq!(write_md5_entry(&key, &entry, WriteStyle::AsRead).unwrap(), text.clone());

        let egen = write_md5_entry(&key, &entry, WriteStyle::Egencache).unwrap();
        let again = parse_md5_entry(egen.as_bytes(), Path::new("p")).unwrap();
        // Egencache layout is a fixed point, sorted, without empty values or INHERITED.
        prop_assert_eq!(write_md5_entry(&key, &again, WriteStyle::Egencache).unwrap(), egen.clone());
        let keys: Vec<&str> = again.fields().map(|(k, _)| k).collect();
        prop_assert!(keys.is_sorted());
        prop_assert!(again.fields().all(|(k, v)| !v.is_empty() && k != "INHERITED"));
        for (k, v) in entry.fields() {
            if !v.is_empty() && k != "INHERITED" && k != "_eclasses_" {
                prop_assert_eq!(again.get(k), Some(v));
            }
        }
        let mut a: Vec<_> = entry.inherited().collect();
        a.sort_unstable();
        prop_assert_eq!(again.inherited().collect::<Vec<_>>(), a);
    }
}
