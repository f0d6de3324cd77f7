//! Loading a configuration: from a Portage config directory (translated) or a native TOML
//! file, into a [`ConfigManager`] from which the default domain is built.

use std::path::PathBuf;
use std::sync::Arc;

use crate::central::ConfigManager;
use crate::domain::Domain;
use crate::error::{ConfigError, Warning};
use crate::portage::{PortageOptions, load_portage_config};
use crate::registry::Registry;
use crate::toml_source::read_toml_config;

/// Where the configuration comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// A Portage configuration, translated.
    Portage(PortageOptions),
    /// A native TOML config file.
    Toml(PathBuf),
}

/// A loaded configuration.
#[derive(Debug)]
pub struct LoadedConfig {
    /// The sections and the registry; objects are built on demand.
    pub manager: ConfigManager,
    /// Problems found while reading the sources (skipped lines).
    pub warnings: Vec<Warning>,
}

impl LoadedConfig {
    /// Builds the default domain.
    pub fn domain(&self) -> Result<Arc<Domain>, ConfigError> {
        self.manager.get_default::<Domain>("domain")
    }
}

/// Loads `source` with the classes of `registry`.
pub fn load_config(registry: Registry, source: &ConfigSource) -> Result<LoadedConfig, ConfigError> {
    let mut manager = ConfigManager::new(registry);
    let warnings = match source {
        ConfigSource::Portage(opts) => {
            let pc = load_portage_config(opts)?;
            manager.add_source(pc.sections);
            pc.warnings
        }
        ConfigSource::Toml(path) => {
            manager.add_source(read_toml_config(path)?);
            Vec::new()
        }
    };
    Ok(LoadedConfig { manager, warnings })
}
