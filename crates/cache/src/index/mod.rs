//! The persistent whole-repository search index, kept as a snapshot of the repository.
//!
//! Built in parallel from a repository's md5-cache plus per-package data the caller
//! supplies (metadata.xml maintainers, longdescription, upstream), stored outside the
//! repository ([`IndexStore`], by default under `$XDG_CACHE_HOME/strata/index/`), and
//! memory-mapped when read. Besides the searchable fields it keeps what it was built
//! from, with the [`Stamp`] (size, mtime, ctime, inode) of every file and directory it
//! depends on:
//!
//! - per record, every md5-cache key (but the large, unshared [`format::COLD_KEYS`]),
//!   the stamps of the cache entry and the ebuild, and, with [`IndexSpec::validating`],
//!   the validation result (valid, stale with the reasons, or the error);
//! - the eclass state validation used (each eclass directory's stamp, each eclass's
//!   stamp and md5);
//! - the tree listing ([`Snapshot`]): the repository root, each category and package
//!   directory with its stamp and `*.ebuild` names, each metadata.xml's stamp, and the
//!   md5-cache directories' stamps.
//!
//! Freshness is checked in tiers, each only when a query needs it, each stat'ing in
//! parallel relative to a directory handle ([`DirHandle`]): the entries tier
//! ([`SearchIndex::entries_current`]), the xml tier ([`SearchIndex::xml_current`]), the
//! ebuilds ([`SearchIndex::ebuilds_current`]) and the eclasses
//! ([`SearchIndex::eclass_changes`]); [`Freshness`] says which [`IndexStore::open_with`]
//! checks (a change in a checked tier rebuilds the whole index). What a caller does not
//! check at open it checks per record on use ([`Record::entry_stamp`],
//! [`Record::ebuild_stamp`]) or per directory ([`Snapshot`]). See
//! [`format`](mod@format) for the file layout.
//!
//! ```
//! # fn main() -> Result<(), strata_cache::CacheError> {
//! use strata_cache::index::{IndexSpec, IndexStore, NoExtra, compile_regex};
//!
//! let tmp = std::env::temp_dir().join(format!("strata-index-doc-{}", std::process::id()));
//! let repo = tmp.join("repo");
//! std::fs::create_dir_all(repo.join("metadata/md5-cache/app-misc")).unwrap();
//! std::fs::write(
//!     repo.join("metadata/md5-cache/app-misc/foo-1.0"),
//!     "DESCRIPTION=A terminal toy\nEAPI=8\nRDEPEND=dev-libs/bar\nSLOT=0\n_md5_=0123456789abcdef0123456789abcdef\n",
//! ).unwrap();
//!
//! let store = IndexStore::new(tmp.join("index"));
//! let spec = IndexSpec::for_repo(&repo);
//! let opened = store.open(&spec, &NoExtra)?;
//! assert!(opened.rebuilt);
//! let index = opened.index;
//! let hits = index.find_description(&compile_regex("TERMINAL", true)?, false);
//! assert_eq!(index.record(hits[0]).map(|r| r.cpv()), Some("app-misc/foo-1.0".to_owned()));
//! assert_eq!(index.revdeps("dev-libs/bar", Default::default()).len(), 0);
//! assert_eq!(index.revdeps("dev-libs/bar", strata_cache::index::DepClasses::ALL).len(), 1);
//!
//! // Nothing changed: the stored file is mapped again, not rebuilt.
//! assert!(!store.open(&spec, &NoExtra)?.rebuilt);
//! # std::fs::remove_dir_all(&tmp).ok();
//! # Ok(())
//! # }
//! ```

mod build;
pub mod deps;
mod fingerprint;
pub mod format;
mod fresh;
mod query;
mod reasons;
pub mod snapshot;
mod stamp;
mod store;

pub use build::{
    BuildReport, Maintainer, NoExtra, PackageExtra, PackageExtraSource, Proxied, build,
};
pub use fingerprint::{IndexSpec, Inputs, NON_CATEGORY_DIRS, gather};
pub use fresh::EclassChanges;
pub use query::{DepClasses, MaintainerQuery, MaintainerRef, Record, SearchIndex, compile_regex};
pub use snapshot::{CategorySnap, EclassSnap, PackageSnap, SkippedEntry, Snapshot};
pub use stamp::{DirHandle, Stamp};
pub use store::{Freshness, IndexStore, Opened, Tiers, build_in_memory, write_index};
