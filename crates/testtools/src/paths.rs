//! Where the shared, read-only test data lives.

use std::path::{Path, PathBuf};

/// The `shared/` directory beside the project checkout: `STRATA_SHARED` when set, else
/// `../shared` relative to the workspace root. Canonicalized.
///
/// # Panics
/// When the directory (or its `data/` subdirectory) is missing, so that tests which need
/// the shared data fail instead of silently skipping.
pub fn shared_dir() -> PathBuf {
    let dir = match std::env::var_os("STRATA_SHARED") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    assert!(
        dir.join("data").is_dir(),
        "shared data not found at {} (set STRATA_SHARED)",
        dir.display()
    );
    dir.canonicalize()
        .unwrap_or_else(|e| panic!("canonicalizing {}: {e}", dir.display()))
}

/// A directory under [`shared_dir`], which must exist.
fn shared_subdir(rel: &str) -> PathBuf {
    let dir = shared_dir().join(rel);
    assert!(
        dir.is_dir(),
        "shared data missing at {} (set STRATA_SHARED)",
        dir.display()
    );
    dir
}

/// The GURU overlay snapshot: `shared/data/repos/guru`.
///
/// # Panics
/// When it is missing.
pub fn guru_dir() -> PathBuf {
    shared_subdir("data/repos/guru")
}

/// The stand-in for the ::gentoo master repository: `shared/data/repos/gentoo-stub`.
///
/// # Panics
/// When it is missing.
pub fn gentoo_stub_dir() -> PathBuf {
    shared_subdir("data/repos/gentoo-stub")
}

/// The files the real Portage produced: `shared/data/portage-made`.
///
/// # Panics
/// When it is missing.
pub fn portage_made_dir() -> PathBuf {
    shared_subdir("data/portage-made")
}
