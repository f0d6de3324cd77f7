//! strata: a library for Gentoo-style package management, in the design of pkgcore.
//!
//! This facade re-exports the public API of the strata crates, so a tool author depends on
//! one crate. Each module is one of the plumbing crates.
//!
//! ```
//! use strata::atom::{Eapi, Feature};
//! assert!(Eapi::LATEST.has(Feature::Idepend));
//! ```

pub use strata_atom as atom;
