//! The dynamic-archive store: deterministic archives stored by final name plus key, kept
//! as content-addressed blobs.
//!
//! An autogen that has to generate a tarball (a Go module bundle, vendored crates, ...)
//! builds an [`Archive`], gives it a *final name* (the distfile name ebuilds use) and a
//! *key* (a map of strings describing exactly what went in, [`ArchiveKey`]), and stores
//! it. Later runs [`Archive::find`] it by the same name and key instead of rebuilding it.
//! Several variants of one final name with different keys coexist.
//!
//! - **Deterministic tarballs.** Entries are sorted, mtime is fixed (0 unless set),
//!   uid/gid are 0 with no user or group names, modes are normalised (0755 directories
//!   and executables, 0644 other files, 0777 symlinks), the gzip header carries no name
//!   and no mtime, and compressor presets are fixed ([`Compression`]), so the same inputs
//!   always give the same bytes. The compression follows the final name's extension
//!   (`.tar.xz`, `.tar.zst`, `.tar.gz`, `.tar.bz2`; anything else is an error).
//! - **Content-addressed blobs** in the GLEP 75 `content-hash SHA512 8:8:8` layout
//!   (`blobs/aa/bb/cc/<sha512>`, with `blobs/layout.conf`), so `blobs/` can be served as
//!   a mirror as it is. Size, SHA512, BLAKE2B and SHA256 are computed in the same pass
//!   that writes the blob; blobs are written to a temporary file, fsynced, and
//!   hard-linked into place (never replacing an existing file).
//! - **An index** ([`ArchiveIndex`], implemented by [`SqliteIndex`]: bundled SQLite in WAL
//!   mode, `BEGIN IMMEDIATE`, busy timeouts) of final name, key, hashes, size, time and
//!   metadata. Per-key advisory locks serialise builders of one key; many processes can
//!   store and find at once.
//! - **Maintenance**: [`Store::verify`] re-hashes every blob and moves corrupt ones to
//!   `quarantine/` (they are never deleted, and `find` then misses); [`Store::gc`] sweeps
//!   blobs that no root (Manifest `DIST` SHA512s, active archives) keeps, after a grace
//!   period, with a pretend mode; [`Store::export`] fills a distfiles directory or a
//!   mirror layout; [`StoredArchive::manifest_line`] gives the Manifest `DIST` line.
//! - **Fetcher integration**: [`Store`] implements strata-fetch's
//!   [`DistfileSource`](strata_fetch::source::DistfileSource), so the fetcher takes a
//!   distfile from the store (by Manifest SHA512, else by final name) before the network.
//!
//! # Keys
//!
//! A key is a map of strings to strings ([`ArchiveKey`]; built from `name=value` pairs or
//! a JSON object whose values are all strings — anything else is rejected). The pair
//! (final name, key) is identified by its *key digest*, the lower-case hex SHA-512 of:
//!
//! ```text
//! "strata-archive-key-v1" 0x00
//! u64be(len(final_name)) final_name
//! u64be(number of members)
//! for each member in byte-wise ascending order of its name:
//!     u64be(len(name)) name  u64be(len(value)) value
//! ```
//!
//! (UTF-8 strings, byte lengths.) The domain tag separates these digests from other
//! SHA-512 uses and the length prefixes make the encoding injective; see [`key`]. The
//! store never mutates a caller's key, keeps the final name in its own column, and on a
//! hit also compares the stored key and name with the request.
//!
//! # Store layout
//!
//! ```text
//! root/blobs/layout.conf        [structure] 0=content-hash SHA512 8:8:8
//! root/blobs/aa/bb/cc/<sha512>  blobs (read-only, no suffix, no sidecars)
//! root/index.sqlite             the index (WAL mode; -wal/-shm next to it)
//! root/tmp/                     temporary files (same filesystem as blobs/)
//! root/locks/                   advisory locks: key-<digest>.lock, gc.lock
//! root/quarantine/              blobs that failed verification
//! ```
//!
//! # Example
//!
//! ```
//! use strata_archive::{Archive, ArchiveKey, Store};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let store = Store::open(dir.path())?;
//!
//! let key = ArchiveKey::new().with("catpkg", "dev-go/foo").with("gosum", "abc123");
//! let mut archive = Archive::new("foo-1.0-deps.tar.xz")?;
//! archive.add_bytes("foo-1.0/go.sum", "example.com/x v1.0.0 h1:...\n")?;
//! let stored = archive.store(&store, &key)?;
//! assert!(stored.path().starts_with(dir.path().canonicalize()?.join("blobs")));
//!
//! // Found with exactly the same key ...
//! let found = Archive::find(&store, "foo-1.0-deps.tar.xz", &key)?.expect("stored");
//! assert_eq!(found.digests(), stored.digests());
//! assert!(found.manifest_line().starts_with("DIST foo-1.0-deps.tar.xz "));
//! // ... and not with any other.
//! let other = key.clone().with("gosum", "def456");
//! assert!(Archive::find(&store, "foo-1.0-deps.tar.xz", &other)?.is_none());
//! # Ok(())
//! # }
//! ```

pub mod archive;
pub mod blobs;
pub mod digests;
pub mod error;
pub mod export;
pub mod gc;
pub mod index;
pub mod key;
mod lock;
pub mod manifest_update;
pub mod name;
pub mod source;
pub mod sqlite;
pub mod store;
mod tarball;
pub mod verify;

pub use archive::Archive;
pub use blobs::{BLOB_LAYOUT_CONF, BlobStore, content_hash_path};
pub use digests::BlobDigests;
pub use error::{ArchiveError, Result};
pub use export::{ExportLayout, ExportOptions, ExportReport};
pub use gc::{GcOptions, GcReport, GcRoots, RemovedBlob};
pub use index::{ArchiveIndex, ArchiveRecord, BlobRecord, BlobState, ListFilter, NewArchive};
pub use key::{ArchiveKey, KeyDigest};
pub use manifest_update::update_manifest;
pub use name::{Compression, FinalName};
pub use sqlite::SqliteIndex;
pub use store::{ReadCheck, Store, StoreOptions, StoredArchive, dist_line};
pub use verify::{Quarantined, VerifyReport};
