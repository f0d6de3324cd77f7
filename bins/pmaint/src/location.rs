//! Where the configuration is: the `--config`, `--config-root` and `--root` options shared
//! by the subcommands that need a domain, with PORTAGE_CONFIGROOT and ROOT from the
//! environment.

use std::path::PathBuf;

use strata_config::classes::builtin_registry;
use strata_config::load::{ConfigSource, load_config};
use strata_config::portage::PortageOptions;
use strata_repo::domain::{DomainRepos, OpenOptions};

/// The configuration location options.
#[derive(clap::Args, Debug, Clone)]
pub struct ConfigLocation {
    /// A Portage config directory (like /etc/portage) or a native TOML config file.
    #[arg(long, global = true, value_name = "DIR|FILE")]
    pub config: Option<PathBuf>,
    /// PORTAGE_CONFIGROOT: the config is read from DIR/etc/portage (env PORTAGE_CONFIGROOT;
    /// default /).
    #[arg(long, global = true, value_name = "DIR")]
    pub config_root: Option<PathBuf>,
    /// ROOT: where packages are installed (env ROOT; default /).
    #[arg(long, global = true, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

impl ConfigLocation {
    /// The configuration source these options name.
    pub fn source(&self) -> ConfigSource {
        let root = self
            .root
            .clone()
            .or_else(|| env_path("ROOT"))
            .unwrap_or_else(|| PathBuf::from("/"));
        if let Some(config) = &self.config {
            if config.is_file() {
                return ConfigSource::Toml(config.clone());
            }
            return ConfigSource::Portage(PortageOptions {
                config_dir: config.clone(),
                root,
                home: env_path("HOME"),
                repositories: std::env::var("PORTAGE_REPOSITORIES").ok(),
            });
        }
        let config_root = self
            .config_root
            .clone()
            .or_else(|| env_path("PORTAGE_CONFIGROOT"))
            .unwrap_or_else(|| PathBuf::from("/"));
        let mut opts = PortageOptions::new(&config_root, &root);
        opts.home = env_path("HOME");
        opts.repositories = std::env::var("PORTAGE_REPOSITORIES").ok();
        ConfigSource::Portage(opts)
    }

    /// Opens the repositories and the installed-package database of the configured
    /// domain; configuration warnings and repositories that could not be opened are
    /// reported on stderr.
    pub fn open_repos(&self) -> Result<DomainRepos, Box<dyn std::error::Error>> {
        let loaded = load_config(builtin_registry(), &self.source())?;
        for w in &loaded.warnings {
            eprintln!("pmaint: warning: {w}");
        }
        let repos = DomainRepos::open(loaded.domain()?, &OpenOptions::default())?;
        for (name, why) in &repos.skipped {
            eprintln!("pmaint: warning: repository {name} not opened: {why}");
        }
        Ok(repos)
    }
}
