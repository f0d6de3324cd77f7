//! Real data: every dependency-style value of every GURU md5-cache entry parses with the
//! entry's EAPI, and its canonical `Display` parses back to an equal value.

use std::fs;
use std::path::Path;

use strata_atom::Eapi;
use strata_atom::depspec::{DepKind, DepSpec};
use strata_testtools::{guru_dir, md5_cache_files, parse_md5_cache};

/// The keys checked, with their kinds (all dependency-style md5-cache keys).
fn kind_of(key: &str) -> Option<DepKind> {
    DepKind::from_key(key)
}

/// Parses every dep-spec value of one md5-cache entry; returns how many were parsed.
fn check_entry(path: &Path, failures: &mut Vec<String>) -> usize {
    let text =
        fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut eapi_text = "";
    let mut values = Vec::new();
    for (key, value) in parse_md5_cache(&text) {
        if key == "EAPI" {
            eapi_text = value;
        } else if let Some(kind) = kind_of(key) {
            values.push((kind, value));
        }
    }
    let eapi = match Eapi::parse(eapi_text) {
        Ok(eapi) => eapi,
        Err(e) => {
            failures.push(format!("{}: EAPI: {e}", path.display()));
            return 0;
        }
    };
    for &(kind, value) in &values {
        match DepSpec::parse(value, kind, eapi) {
            Ok(spec) => {
                let canonical = spec.to_string();
                match DepSpec::parse(&canonical, kind, eapi) {
                    Ok(again) if again == spec => {}
                    Ok(again) => failures.push(format!(
                        "{}: {kind}: Display {canonical:?} re-parses to a different value {again:?}",
                        path.display()
                    )),
                    Err(e) => failures.push(format!(
                        "{}: {kind}: Display {canonical:?} does not re-parse: {e}",
                        path.display()
                    )),
                }
            }
            Err(e) => failures.push(format!("{}: {kind}: {e}", path.display())),
        }
    }
    values.len()
}

#[test]
fn every_guru_depspec_parses_and_round_trips() {
    let mut failures = Vec::new();
    let (mut entries, mut values) = (0, 0);
    for (_, _, file) in md5_cache_files(&guru_dir()) {
        entries += 1;
        values += check_entry(&file, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} of {values} values failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The snapshot has 3751 entries (formats.md §3.3); a much smaller count means the
    // data is not what the test expects.
    assert!(entries >= 3751, "only {entries} md5-cache entries found");
    assert!(
        values >= 18_000,
        "only {values} dependency-style values found"
    );
}
