//! GPKG container reading (outer tar, Manifest, metadata, image listing): no panics on
//! any file content.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;
use strata_binpkg::Binpkg;
use strata_binpkg::image::Limits;

fuzz_target!(|data: &[u8]| {
    let mut f = tempfile::Builder::new()
        .suffix(".gpkg.tar")
        .tempfile()
        .expect("temp file");
    f.write_all(data).expect("write");
    let path = f.path().to_owned();
    if let Ok(pkg) = Binpkg::open(&path) {
        let _ = pkg.metadata();
        let limits = Limits {
            max_total_size: 1 << 24,
            max_entries: 10_000,
            ..Limits::default()
        };
        let _ = pkg.contents(&limits);
    }
    let _ = strata_binpkg::gpkg::read_metadata_tar(data, "fuzz", 1 << 24);
});
