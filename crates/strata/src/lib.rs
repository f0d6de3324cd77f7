//! strata: a library for Gentoo-style package management, in the design of pkgcore.
//!
//! Configuration gives a domain, the domain gives repositories, repositories answer
//! restrictions. This facade re-exports the plumbing crates so a tool author depends on
//! one crate; each module below is one of them, unchanged.
//!
//! ```
//! use strata::atom::atom::{Atom, MatchTarget};
//! use strata::atom::cpv::Cpv;
//! use strata::atom::Eapi;
//! use strata::restrict::{parse_target, MemoryPackage};
//!
//! // Atoms follow PMS per EAPI.
//! let atom = Atom::parse(">=dev-lang/python-3.11:3.11", Eapi::E8)?;
//! let cpv = Cpv::parse("dev-lang/python-3.11.4")?;
//! assert!(atom.matches(&MatchTarget::new(&cpv).with_slot("3.11")));
//!
//! // pkgcore's extended target syntax compiles to a restriction any package answers.
//! let target = parse_target("dev-*/py*").expect("valid target");
//! let pkg = MemoryPackage::new("dev-lang/python-3.12.4").expect("valid cpv");
//! assert!(target.matches(&pkg));
//! # Ok::<(), strata::atom::ParseError>(())
//! ```

/// The dynamic-archive store (`strata-archive`).
pub use strata_archive as archive;
/// Names, versions, cpvs, atoms, dependency specifications and EAPIs (`strata-atom`).
pub use strata_atom as atom;
/// Binary packages: XPAK, GPKG, `Packages`, PKGDIR, the binary repository (`strata-binpkg`).
pub use strata_binpkg as binpkg;
/// Metadata caches and the search index (`strata-cache`).
pub use strata_cache as cache;
/// The config registry, Portage configuration, profiles and the domain (`strata-config`).
pub use strata_config as config;
/// Manifests, fetchables, mirrors and the fetcher (`strata-fetch`).
pub use strata_fetch as fetch;
/// The repository protocol and its implementations (`strata-repo`).
pub use strata_repo as repo;
/// The restriction algebra and extended target syntax (`strata-restrict`).
pub use strata_restrict as restrict;
