//! Metadata caches and the persistent search index.
//!
//! A repository keeps each ebuild's metadata (DESCRIPTION, SLOT, the dependency classes...)
//! in a cache so that nobody has to source bash to list packages. This crate reads and
//! writes those caches and answers whole-repository queries from an index:
//!
//! - [`Md5DictCache`]: `metadata/md5-cache/<CATEGORY>/<PF>`, validated by the ebuild's md5
//!   and the md5 of every inherited eclass along an [`EclassPath`]; writes are
//!   byte-compatible with egencache ([`write_md5_entry`]).
//! - [`FlatHashCache`]: pkgcore's and Portage's mtime-validated `flat_hash` layout.
//! - [`InMemoryCache`]; all three behind the [`MetadataCache`] trait so a repository can swap
//!   them.
//! - [`index`]: a memory-mapped whole-repository index (description, maintainer, license,
//!   USE flag, EAPI, keyword, eclass and reverse-dependency queries, every cache key per
//!   version, optionally which entries are stale), stored outside the repository as a
//!   snapshot of it (the stamp of every file and directory it was built from), its
//!   freshness checked in tiers and rebuilt when a checked tier changed.
//!
//! Eclass lookup order: an [`EclassPath`] lists directories first-wins, the repository's
//! own `eclass/` first, then its masters (last `layout.conf` master first).
//!
//! Reading never writes into a repository: stale entries are reported with their reason
//! ([`Validity`]), never deleted.
//!
//! ```
//! use std::path::Path;
//! use strata_cache::{EntryKey, WriteStyle, parse_md5_entry, write_md5_entry};
//!
//! let text = "DEFINED_PHASES=install\nDESCRIPTION=A group\nEAPI=8\nSLOT=0\n\
//!             _eclasses_=user-info\t9bc91a5977c2453c0a861b26f65057ea\tacct-group\t\
//!             b1a0f1e4b80a9e7f8466b0a7c375329e\n_md5_=78cf54234080c4cf2bbe2da32c6add8b\n";
//! let entry = parse_md5_entry(text.as_bytes(), Path::new("acct-group/foo-0"))?;
//! assert_eq!(entry.get("DESCRIPTION"), Some("A group"));
//! assert_eq!(entry.eapi(), "8");
//! assert_eq!(entry.inherited().collect::<Vec<_>>(), ["user-info", "acct-group"]);
//!
//! // Egencache sorts the eclasses by name; the as-read layout keeps the file unchanged.
//! let key = EntryKey::new("acct-group", "foo-0");
//! assert_eq!(write_md5_entry(&key, &entry, WriteStyle::AsRead)?, text);
//! let egencache = write_md5_entry(&key, &entry, WriteStyle::Egencache)?;
//! assert!(egencache.contains("_eclasses_=acct-group\tb1a0"));
//! # Ok::<(), strata_cache::CacheError>(())
//! ```

pub mod backend;
pub mod eclass;
pub mod entry;
pub mod error;
pub mod flat_hash;
pub mod flat_list;
pub mod index;
mod kv_file;
pub mod md5_dict;
pub mod memory;
pub mod validate;

pub use backend::{EntryReport, MetadataCache, ReadResult, ebuild_path, read_all, validate_all};
pub use eclass::{EclassFile, EclassPath, md5_file};
pub use entry::{CacheEntry, EclassChecksum, EclassStamp, EntryKey, split_pf};
pub use error::CacheError;
pub use flat_hash::{FlatHashCache, parse_flat_hash_entry, to_flat_hash, write_flat_hash_entry};
pub use md5_dict::{Md5DictCache, WriteStyle, parse_md5_entry, write_md5_entry};
pub use memory::InMemoryCache;
pub use validate::{EbuildChecksumKind, StaleReason, Validity, validate_entry};
