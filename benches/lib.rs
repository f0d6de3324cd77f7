//! Shared helpers for the criterion benchmarks: where the shared data lives.

use std::path::PathBuf;

/// The `shared/` directory beside the project checkout (override with `STRATA_SHARED`).
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("STRATA_SHARED") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    }
}
