//! Helpers shared by the binpkg integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// `rel` under the files the real Portage made (`shared/data/portage-made`).
pub fn made(rel: &str) -> PathBuf {
    strata_testtools::portage_made_dir().join(rel)
}

/// The PKGDIRs Portage wrote: GPKG with zstd, XPAK with bzip2, and legacy XPAK.
pub const PKGDIRS: &[&str] = &[
    "pkgdir-gpkg-zstd",
    "pkgdir-xpak-bzip2",
    "pkgdir-xpak-legacy",
];
