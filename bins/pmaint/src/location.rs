//! Where the configuration is: the `--config`, `--config-root`, `--root` and `--domain`
//! options shared by the subcommands that need a domain. Which configuration they name
//! (with PORTAGE_CONFIGROOT, ROOT, HOME and PORTAGE_REPOSITORIES from the environment) is
//! decided by strata-config's [`ConfigSource::from_env_and_args`].

use std::path::PathBuf;
use std::sync::Arc;

use strata_config::classes::builtin_registry;
use strata_config::domain::Domain;
use strata_config::load::{ConfigSource, LoadedConfig, SourceArgs, SourceEnv, load_config};
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
    /// The domain config section to use (default: the one marked default; a Portage
    /// configuration has one, `livefs`).
    #[arg(long, global = true, value_name = "NAME")]
    pub domain: Option<String>,
}

impl ConfigLocation {
    /// The configuration source these options name, with the process environment.
    pub fn source(&self) -> Result<ConfigSource, Box<dyn std::error::Error>> {
        let args = SourceArgs {
            config: self.config.clone(),
            config_root: self.config_root.clone(),
            root: self.root.clone(),
        };
        Ok(ConfigSource::from_env_and_args(
            &args,
            &SourceEnv::from_process(),
        )?)
    }

    /// The domain `--domain` names (the default one without it).
    pub fn domain(&self, loaded: &LoadedConfig) -> Result<Arc<Domain>, Box<dyn std::error::Error>> {
        Ok(loaded.select_domain(self.domain.as_deref())?)
    }

    /// Opens the repositories and the installed-package database of the configured
    /// domain; configuration warnings and repositories that could not be opened are
    /// reported on stderr.
    pub fn open_repos(&self) -> Result<DomainRepos, Box<dyn std::error::Error>> {
        let loaded = load_config(builtin_registry(), &self.source()?)?;
        for w in &loaded.warnings {
            eprintln!("pmaint: warning: {w}");
        }
        let repos = DomainRepos::open(self.domain(&loaded)?, &OpenOptions::default())?;
        for (name, why) in &repos.skipped {
            eprintln!("pmaint: warning: repository {name} not opened: {why}");
        }
        Ok(repos)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::path::Path;

    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        location: ConfigLocation,
    }

    fn domain_of(args: &[&str]) -> Result<Arc<Domain>, String> {
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../pquery/sample/etc/portage");
        let cli = Cli::try_parse_from(
            ["pmaint", "--config", config.to_str().unwrap()]
                .into_iter()
                .chain(args.iter().copied()),
        )
        .unwrap();
        let source = cli.location.source().map_err(|e| e.to_string())?;
        let loaded = load_config(builtin_registry(), &source).unwrap();
        cli.location.domain(&loaded).map_err(|e| e.to_string())
    }

    #[test]
    fn domain_option() {
        let default = domain_of(&[]).unwrap();
        assert_eq!(
            domain_of(&["--domain", "livefs"]).unwrap().config_dir,
            default.config_dir
        );
        assert_eq!(
            domain_of(&["--domain", "sample"]).unwrap_err(),
            "no domain section named \"sample\" (domain sections: livefs)"
        );
    }
}
