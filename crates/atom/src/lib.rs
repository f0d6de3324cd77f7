//! PMS names, versions, atoms, dependency specifications and EAPIs.
//!
//! (The crate documentation with a runnable example is written with the parsers.)

pub mod atom;
pub mod cpv;
pub mod depspec;
pub mod eapi;
pub mod error;
pub mod name;
pub mod version;

pub use eapi::{Eapi, Feature};
pub use error::{InputKind, ParseError};
