//! Repositories: the protocol every package source implements, and its
//! implementations for ebuild trees, the installed-package database and stacks of
//! repositories.
//!
//! * [`Repository`] lists categories, packages and versions and matches a
//!   [`Restriction`](strata_restrict::Restriction), pruning by `category/package` names
//!   before any metadata is read; [`Package`] gives out every attribute pquery prints.
//! * [`EbuildRepo`]: `profiles/repo_name`, categories, `metadata/layout.conf` masters with
//!   eclass stacking, the md5-cache validated through strata-cache (trusted when frozen),
//!   metadata.xml, `profiles/` data, and the persistent search index answering metadata
//!   queries. Broken packages are reported ([`EbuildRepo::bad_packages`]), never fatal.
//! * [`VdbRepo`]: installed packages at `ROOT/var/db/pkg`, read-only, with
//!   [`contents`] parsing; [`ProvidedRepo`]: a domain's `package.provided` versions.
//! * [`MultiplexRepo`] stacks repositories in priority order; [`ConfiguredRepo`] binds
//!   packages to a domain's USE (USE-evaluated dependencies, USE deps in atoms);
//!   [`VisibleRepo`] filters through a domain's visibility rules, keeping the reasons;
//!   [`DomainRepos`] opens the repositories of a [`Domain`](strata_config::domain::Domain).
//!
//! Reading never writes into a repository. Directory listings are read on every query
//! (the tree is the truth for which versions exist); metadata is read lazily per package.
//! [`MatchOptions::default`] drops packages whose metadata is unusable (pkgcore's
//! behaviour, reading every candidate's cache entry); [`MatchOptions::fast`] reads no
//! metadata for name-only queries (list-all). Stale cache entries keep their package
//! available and are reported when validated ([`Package::problem`],
//! [`EbuildRepo::check_all`]); metadata regeneration is not implemented.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use strata_repo::{EbuildRepo, EbuildRepoOptions, MatchOptions, Repository};
//! use strata_restrict::parse_target;
//!
//! let dir = tempfile::tempdir()?;
//! let repo_dir = dir.path().join("repo");
//! let write = |rel: &str, text: &str| -> std::io::Result<()> {
//!     let p = repo_dir.join(rel);
//!     std::fs::create_dir_all(p.parent().unwrap())?;
//!     std::fs::write(p, text)
//! };
//! write("profiles/repo_name", "tiny\n")?;
//! write("app-misc/hello/hello-1.0.ebuild", "EAPI=8\n")?;
//! write("app-misc/hello/hello-1.1.ebuild", "EAPI=8\n")?;
//! write("app-misc/hello/metadata.xml",
//!       "<pkgmetadata><maintainer type=\"person\"><email>me@example.org</email></maintainer></pkgmetadata>")?;
//! // md5-cache entries (the md5 of "EAPI=8\n").
//! for v in ["1.0", "1.1"] {
//!     write(&format!("metadata/md5-cache/app-misc/hello-{v}"), &format!(
//!         "DESCRIPTION=Says hello {v}\nEAPI=8\nKEYWORDS=amd64\nSLOT=0\n_md5_=9d04a5f1462b46be363776f06f8e13b6\n"))?;
//! }
//! let repo = EbuildRepo::open_with(&repo_dir, EbuildRepoOptions {
//!     index_dir: Some(dir.path().join("index")),
//!     ..Default::default()
//! })?;
//!
//! let hits = repo.itermatch(&parse_target(">=app-misc/hello-1.1")?, &MatchOptions::default())?;
//! assert_eq!(hits.len(), 1);
//! assert_eq!(hits[0].cpv().to_string(), "app-misc/hello-1.1");
//! assert_eq!(hits[0].get("DESCRIPTION"), Some("Says hello 1.1"));
//! assert_eq!(hits[0].maintainers()[0].email, "me@example.org");
//! # Ok(()) }
//! ```

pub mod attrs;
pub mod configured;
pub mod contents;
pub mod domain;
pub mod ebuild;
pub mod error;
mod listing;
pub mod metadata_xml;
pub mod multiplex;
pub mod package;
pub mod provided;
pub mod repository;
pub mod vdb;
pub mod visibility;

pub use configured::{ConfiguredPackage, ConfiguredRepo};
pub use domain::{BinaryRepoFactory, DomainRepos};
pub use ebuild::{EbuildPackage, EbuildRepo, EbuildRepoOptions, MasterRepo};
pub use error::{Problem, ProblemKind, RepoError};
pub use multiplex::MultiplexRepo;
pub use package::{Package, PackageRef};
pub use provided::{ProvidedPackage, ProvidedRepo};
pub use repository::{MatchOptions, Repository};
pub use vdb::{MetadataXmlSource, VdbPackage, VdbRepo};
pub use visibility::{Visibility, VisibleRepo};
