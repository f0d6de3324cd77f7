//! `Packages` parsing: no panics; writing what was parsed and parsing it again is a
//! fixed point.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_binpkg::PackagesIndex;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = PackagesIndex::parse(text);
    let idx = PackagesIndex::parse_unchecked(text);
    for e in &idx.packages {
        let _ = idx.path_of(e);
        let _ = idx.get(e, "SLOT");
    }
    let once = idx.to_text();
    let twice = PackagesIndex::parse_unchecked(&once).to_text();
    // Header keys with newlines or colons cannot round-trip; only check clean headers.
    if idx
        .header
        .iter()
        .all(|(k, v)| !k.is_empty() && !k.contains(['\n', '\r', ':']) && !v.contains(['\n', '\r']))
    {
        assert_eq!(once, twice);
    }
});
