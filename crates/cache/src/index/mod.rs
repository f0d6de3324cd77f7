//! The persistent whole-repository search index.
//!
//! Built in parallel from a repository's md5-cache plus per-package data the caller
//! supplies (metadata.xml maintainers, longdescription, upstream), stored outside the
//! repository ([`IndexStore`], by default under `$XDG_CACHE_HOME/strata/index/`),
//! memory-mapped when read, and rebuilt whenever the fingerprint of its inputs (size,
//! mtime and inode of every cache entry, ebuild and metadata.xml, plus the format version)
//! changes. With [`IndexSpec::validating`] the build also checks every entry against its
//! ebuild and eclasses and records stale ones ([`SearchIndex::find_stale`]); the eclass
//! files then join the fingerprint. See [`format`](mod@format) for the file layout.
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
