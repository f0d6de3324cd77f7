//! Helpers shared by the integration tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use strata_config::classes::builtin_registry;
use strata_config::domain::Domain;
use strata_config::load::{ConfigSource, load_config};
use strata_config::portage::PortageOptions;

/// The domain of the config root `config` (say, from `strata_testtools::write_config_dir`),
/// for the system at `root`.
pub fn domain(config: &Path, root: &Path) -> Arc<Domain> {
    let opts = PortageOptions::new(config, root);
    let loaded = load_config(builtin_registry(), &ConfigSource::Portage(opts)).unwrap();
    loaded.domain().unwrap()
}
