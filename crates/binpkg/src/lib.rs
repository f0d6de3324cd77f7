//! Binary packages: XPAK, GPKG, the Packages index, multi-instance PKGDIR, the binary repository and gc
//!
//! The formats are Portage's (formats.md §5–§7): XPAK binpkgs (`.tbz2`/`.xpak`, a
//! compressed image tarball followed by an XPAK metadata segment), GPKG (`.gpkg.tar`,
//! GLEP 78), the `Packages` index, and the legacy and multi-instance PKGDIR layouts.
//! Readers treat every file as hostile: lengths are checked, GPKG members are verified
//! against their Manifest before decompression, image entries that would escape the
//! destination are refused, and nothing is read into memory whole except metadata.
//!
//! Where things are:
//! * one file: [`Binpkg`] (format sniffing, metadata, image stream, [`Binpkg::contents`],
//!   [`Binpkg::extract`]), [`read_metadata`] (XPAK: from the tail only);
//! * the containers: [`xpak`] (segment, trailer, [`xpak::rewrite_metadata`]), [`gpkg`]
//!   and its [`manifest`], [`compression`] (magic bytes, streaming codecs), [`image`]
//!   (listing/extraction with [`image::Limits`]);
//! * writing: [`writer`] (either format, any supported compression, temp file + rename);
//! * a PKGDIR: [`pkgdir`] (scan, BUILD_ID allocation, index rebuild/update under the
//!   Portage-compatible [`lock`]), [`index`] (the `Packages` file), [`gc`] (removal
//!   policies), [`quickpkg`] with [`vdb_entry`];
//! * names: [`name`] ([`PackageId`] over `strata_atom`'s `Cpv`, file names of both layouts).
//!
//! ```
//! use strata_binpkg::{Metadata, xpak};
//!
//! let meta: Metadata = [("CATEGORY", "app-misc\n"), ("PF", "foo-1.0\n")]
//!     .into_iter()
//!     .collect();
//! let segment = xpak::encode(&meta);
//! assert_eq!(segment.len(), 75);
//! let back = xpak::decode(&segment)?;
//! assert_eq!(back.text("PF")?, Some("foo-1.0"));
//! # Ok::<(), strata_binpkg::Error>(())
//! ```

pub mod binpkg;
pub mod compression;
pub mod error;
pub mod gc;
pub mod gpkg;
pub mod hashing;
pub mod image;
pub mod index;
pub mod lock;
pub mod manifest;
pub mod metadata;
pub mod name;
pub mod pkgdir;
pub mod quickpkg;
pub mod repository;
pub mod vdb_entry;
pub mod writer;
pub mod xpak;

pub use binpkg::{Binpkg, read_metadata, sniff_format};
pub use compression::Compression;
pub use error::{Error, Result};
pub use index::{IndexEntry, PackagesIndex};
pub use metadata::Metadata;
pub use name::{Format, PackageId};
pub use repository::{BinpkgPackage, BinpkgRepo, BinpkgRepoFactory, BinpkgRepoOptions};
