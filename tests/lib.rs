//! Helpers for the conformance suites: locating the vector files. (The shared data is
//! located by `strata_testtools`.)

use std::path::PathBuf;

/// The directory holding this suite's vector files.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}
