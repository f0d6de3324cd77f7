//! Image tar listing with the hostile-input checks: no panics; every listed path is
//! absolute and free of `..`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_binpkg::image::{self, ImagePrefix, Limits};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_total_size: 1 << 24,
        max_entries: 10_000,
        ..Limits::default()
    };
    for prefix in [ImagePrefix::Dot, ImagePrefix::Image] {
        if let Ok(entries) = image::list(data, prefix, &limits) {
            for e in entries {
                assert!(e.path.is_absolute());
                assert!(
                    !e.path
                        .components()
                        .any(|c| c == std::path::Component::ParentDir)
                );
            }
        }
    }
});
