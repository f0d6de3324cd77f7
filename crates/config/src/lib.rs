//! The trait-based config registry, Portage configuration, profiles and the domain.

#![allow(clippy::result_large_err)] // errors carry their input and location; they are cold

pub mod error;
pub mod ini;
pub mod layout;
pub mod linefile;
pub mod repos;
pub mod settings;
pub mod shell;

pub use error::{ConfigError, Location, Warning};
