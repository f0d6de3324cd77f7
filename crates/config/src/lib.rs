//! The trait-based config registry, Portage configuration, profiles and the domain.

#![allow(clippy::result_large_err)] // errors carry their input and location; they are cold

pub mod central;
pub mod classes;
pub mod domain;
pub mod error;
pub mod ini;
pub mod keywords;
pub mod layout;
pub mod license;
pub mod linefile;
pub mod load;
pub mod portage;
pub mod profile;
pub mod registry;
pub mod repo_profile;
pub mod repos;
pub mod settings;
pub mod shell;
pub mod spec;
pub mod toml_source;
pub mod use_flags;
pub mod visibility;

pub use error::{ConfigError, Location, Warning};
