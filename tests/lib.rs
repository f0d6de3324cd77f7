//! Helpers for the conformance suites: locating `shared/` data and reading vector files.

use std::path::PathBuf;

/// The `shared/` directory beside the project checkout (override with `STRATA_SHARED`).
///
/// Tests that need it fail, rather than skip, when it is missing: CI always has it.
pub fn shared_dir() -> PathBuf {
    let dir = match std::env::var_os("STRATA_SHARED") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    assert!(
        dir.join("data").is_dir(),
        "shared data not found at {} (set STRATA_SHARED)",
        dir.display()
    );
    dir
}

/// The directory holding this suite's vector files.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}
