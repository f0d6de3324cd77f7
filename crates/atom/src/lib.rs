//! PMS names, versions, atoms, dependency specifications and EAPIs.
//!
//! This crate is the vocabulary of a Gentoo-style package manager: it parses and
//! validates the strings found in ebuild metadata, caches, binary packages and user
//! configuration, and answers the questions asked of them, following PMS (Portage breaks
//! ties):
//!
//! * [`version::Version`]: versions with the exact PMS order (unbounded numbers);
//! * [`cpv::Cpv`]: `category/package-version` with the non-greedy name/version split;
//! * [`atom::Atom`]: dependency atoms, gated by [`Eapi`], with matching against a
//!   package ([`atom::MatchTarget`]) and intersection of two atoms;
//! * [`name`]: the name grammars (category, package, slot, USE flag, repository, ...);
//! * [`depspec`]: dependency specifications (DEPEND, LICENSE, SRC_URI, REQUIRED_USE, ...).
//!
//! ```
//! use strata_atom::atom::{Atom, MatchTarget};
//! use strata_atom::cpv::Cpv;
//! use strata_atom::version::Version;
//! use strata_atom::Eapi;
//!
//! // Versions compare by PMS rules, not as strings.
//! let rc: Version = "3.12.0_rc1".parse()?;
//! let release: Version = "3.12.0".parse()?;
//! assert!(rc < release);
//!
//! // Atoms are parsed under an EAPI's rules and matched against packages.
//! let atom = Atom::parse(">=dev-lang/python-3.11:3.11", Eapi::E8)?;
//! let cpv = Cpv::parse("dev-lang/python-3.11.4-r1")?;
//! assert!(atom.matches(&MatchTarget::new(&cpv).with_slot("3.11")));
//! assert!(!atom.matches(&MatchTarget::new(&cpv).with_slot("3.12")));
//!
//! // Features an EAPI lacks are errors that say where and why.
//! let err = Atom::parse("dev-lang/python:3.11", Eapi::E0).unwrap_err();
//! assert_eq!(err.position(), Some(15));
//! # Ok::<(), strata_atom::ParseError>(())
//! ```

pub mod atom;
pub mod cpv;
pub mod depspec;
pub mod eapi;
pub mod error;
pub mod name;
pub mod version;

pub use depspec::{DepKind, DepNode, DepSpec, Leaf};
pub use eapi::{Eapi, Feature};
pub use error::{InputKind, ParseError};
