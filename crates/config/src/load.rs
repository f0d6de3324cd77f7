//! Loading a configuration: choosing where it comes from ([`ConfigSource::from_env_and_args`]:
//! a Portage config directory, translated, or a native TOML file), reading it into a
//! [`ConfigManager`], and building a domain from it (the default one, or one by name).
//!
//! Choosing the source takes the environment as an explicit input ([`SourceEnv`]), so a
//! caller (and a test) decides whether the process environment is consulted at all:
//!
//! ```
//! use std::path::{Path, PathBuf};
//! use strata_config::load::{ConfigSource, SourceArgs, SourceEnv};
//!
//! // Nothing on the command line: PORTAGE_CONFIGROOT and ROOT from the environment.
//! let env = SourceEnv {
//!     portage_configroot: Some(PathBuf::from("/srv/chroot")),
//!     root: Some(PathBuf::from("/srv/chroot")),
//!     home: Some(PathBuf::from("/home/me")),
//!     portage_repositories: None,
//! };
//! let ConfigSource::Portage(opts) = ConfigSource::from_env_and_args(&SourceArgs::default(), &env)?
//! else { panic!("expected a Portage config") };
//! assert_eq!(opts.config_dir, Path::new("/srv/chroot/etc/portage"));
//! assert_eq!(opts.root, Path::new("/srv/chroot"));
//! assert_eq!(opts.home.as_deref(), Some(Path::new("/home/me")));
//!
//! // --root wins over ROOT; --config-root over PORTAGE_CONFIGROOT.
//! let args = SourceArgs { config_root: Some("/".into()), root: Some("/mnt".into()), ..Default::default() };
//! let ConfigSource::Portage(opts) = ConfigSource::from_env_and_args(&args, &env)?
//! else { panic!("expected a Portage config") };
//! assert_eq!((opts.config_dir.as_path(), opts.root.as_path()), (Path::new("/etc/portage"), Path::new("/mnt")));
//!
//! // --config naming a file is a native TOML config; a directory that does not exist is an
//! // error naming it.
//! let dir = tempfile::tempdir()?;
//! let toml = dir.path().join("strata.toml");
//! std::fs::write(&toml, "")?;
//! let args = SourceArgs { config: Some(toml.clone()), ..Default::default() };
//! assert_eq!(ConfigSource::from_env_and_args(&args, &env)?, ConfigSource::Toml(toml));
//! let missing = dir.path().join("nonesuch");
//! let args = SourceArgs { config: Some(missing.clone()), ..Default::default() };
//! let err = ConfigSource::from_env_and_args(&args, &env).unwrap_err();
//! assert_eq!(err.to_string(), format!("config directory {} does not exist", missing.display()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::ffi::OsString;
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

/// The environment variables that choose a configuration, read once and passed in
/// explicitly (see [`SourceEnv::from_process`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceEnv {
    /// `PORTAGE_CONFIGROOT`: the configuration is `$PORTAGE_CONFIGROOT/etc/portage`.
    pub portage_configroot: Option<PathBuf>,
    /// `ROOT`: where packages are installed.
    pub root: Option<PathBuf>,
    /// `HOME`, for `~` in repos.conf locations.
    pub home: Option<PathBuf>,
    /// `PORTAGE_REPOSITORIES`: repos.conf text replacing the repos.conf files.
    pub portage_repositories: Option<String>,
}

impl SourceEnv {
    /// The variables as `lookup` gives them. `PORTAGE_CONFIGROOT`, `ROOT` and `HOME` set to
    /// the empty string count as unset; `PORTAGE_REPOSITORIES` counts when it is set at all
    /// (an empty value means no repositories), but not when it is not valid UTF-8.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> SourceEnv {
        let path = |var: &str| lookup(var).filter(|v| !v.is_empty()).map(PathBuf::from);
        SourceEnv {
            portage_configroot: path("PORTAGE_CONFIGROOT"),
            root: path("ROOT"),
            home: path("HOME"),
            portage_repositories: lookup("PORTAGE_REPOSITORIES").and_then(|v| v.into_string().ok()),
        }
    }

    /// The variables of the running process.
    pub fn from_process() -> SourceEnv {
        SourceEnv::from_lookup(|var| std::env::var_os(var))
    }
}

/// The command-line choices of a configuration (`--config`, `--config-root`, `--root`);
/// each, when given, wins over the environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceArgs {
    /// `--config`: a native TOML config file, or a Portage config directory used in place
    /// of `$PORTAGE_CONFIGROOT/etc/portage`.
    pub config: Option<PathBuf>,
    /// `--config-root`: PORTAGE_CONFIGROOT.
    pub config_root: Option<PathBuf>,
    /// `--root`: ROOT.
    pub root: Option<PathBuf>,
}

/// Why no configuration source could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// `--config` names neither a file nor a directory.
    #[error("config directory {} does not exist", .path.display())]
    MissingConfig {
        /// The path given.
        path: PathBuf,
    },
}

impl ConfigSource {
    /// The configuration `args` and `env` name:
    ///
    /// * `--config FILE`: that native TOML file (ROOT and the rest are the file's business);
    /// * `--config DIR`: the Portage configuration in DIR;
    /// * otherwise the Portage configuration in `PORTAGE_CONFIGROOT/etc/portage`
    ///   (`--config-root`, else the `PORTAGE_CONFIGROOT` variable, else `/`).
    ///
    /// For Portage configurations ROOT is `--root`, else the `ROOT` variable, else `/`;
    /// `HOME` and `PORTAGE_REPOSITORIES` come from `env`. `--config` naming nothing that
    /// exists is an error naming the path.
    pub fn from_env_and_args(
        args: &SourceArgs,
        env: &SourceEnv,
    ) -> Result<ConfigSource, SourceError> {
        let root = args
            .root
            .clone()
            .or_else(|| env.root.clone())
            .unwrap_or_else(|| PathBuf::from("/"));
        let mut opts = match &args.config {
            Some(config) if config.is_file() => return Ok(ConfigSource::Toml(config.clone())),
            Some(config) if config.is_dir() => PortageOptions {
                config_dir: config.clone(),
                root,
                home: None,
                repositories: None,
            },
            Some(config) => {
                return Err(SourceError::MissingConfig {
                    path: config.clone(),
                });
            }
            None => {
                let config_root = args
                    .config_root
                    .clone()
                    .or_else(|| env.portage_configroot.clone())
                    .unwrap_or_else(|| PathBuf::from("/"));
                PortageOptions::new(&config_root, &root)
            }
        };
        opts.home = env.home.clone();
        opts.repositories = env.portage_repositories.clone();
        Ok(ConfigSource::Portage(opts))
    }
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
    /// Builds the default domain (the `domain` section marked `default`, or the only one).
    pub fn domain(&self) -> Result<Arc<Domain>, ConfigError> {
        self.manager.get_default::<Domain>("domain")
    }

    /// The names of the `domain` sections, in the order they were defined. A translated
    /// Portage configuration has one, `livefs`.
    pub fn domain_names(&self) -> Result<Vec<String>, ConfigError> {
        self.manager.sections_of_type("domain")
    }

    /// Builds the domain of section `name` (pkgcore's `--domain NAME`). A name that is
    /// not a `domain` section is an error listing the domain sections there are.
    pub fn domain_named(&self, name: &str) -> Result<Arc<Domain>, ConfigError> {
        let available = self.domain_names()?;
        if !available.iter().any(|n| n == name) {
            return Err(ConfigError::UnknownDomain {
                name: name.to_owned(),
                available,
            });
        }
        self.manager.get::<Domain>(name)
    }

    /// [`LoadedConfig::domain_named`] when `name` is given, else [`LoadedConfig::domain`].
    pub fn select_domain(&self, name: Option<&str>) -> Result<Arc<Domain>, ConfigError> {
        match name {
            Some(n) => self.domain_named(n),
            None => self.domain(),
        }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::path::Path;

    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> SourceEnv {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        SourceEnv::from_lookup(move |k| {
            vars.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| OsString::from(v))
        })
    }

    fn portage(args: &SourceArgs, env: &SourceEnv) -> PortageOptions {
        match ConfigSource::from_env_and_args(args, env).unwrap() {
            ConfigSource::Portage(o) => o,
            other => panic!("expected a Portage source, got {other:?}"),
        }
    }

    #[test]
    fn environment_lookup() {
        let env = env_of(&[
            ("PORTAGE_CONFIGROOT", ""),
            ("ROOT", "/r"),
            ("HOME", ""),
            ("PORTAGE_REPOSITORIES", ""),
        ]);
        assert_eq!(env.portage_configroot, None, "empty counts as unset");
        assert_eq!(env.root.as_deref(), Some(Path::new("/r")));
        assert_eq!(env.home, None);
        assert_eq!(
            env.portage_repositories.as_deref(),
            Some(""),
            "set but empty still replaces repos.conf"
        );
        assert_eq!(env_of(&[]), SourceEnv::default());
    }

    #[test]
    fn defaults_and_precedence() {
        let o = portage(&SourceArgs::default(), &SourceEnv::default());
        assert_eq!(o, PortageOptions::new(Path::new("/"), Path::new("/")));

        let env = env_of(&[
            ("PORTAGE_CONFIGROOT", "/cr"),
            ("ROOT", "/r"),
            ("HOME", "/h"),
            ("PORTAGE_REPOSITORIES", "[x]\nlocation = /x\n"),
        ]);
        let o = portage(&SourceArgs::default(), &env);
        assert_eq!(o.config_dir, Path::new("/cr/etc/portage"));
        assert_eq!(o.root, Path::new("/r"));
        assert_eq!(o.home.as_deref(), Some(Path::new("/h")));
        assert_eq!(o.repositories.as_deref(), Some("[x]\nlocation = /x\n"));

        let args = SourceArgs {
            config: None,
            config_root: Some("/acr".into()),
            root: Some("/ar".into()),
        };
        let o = portage(&args, &env);
        assert_eq!(o.config_dir, Path::new("/acr/etc/portage"));
        assert_eq!(o.root, Path::new("/ar"));
    }

    #[test]
    fn config_path_file_dir_or_missing() {
        let dir = tempfile::tempdir().unwrap();
        let env = env_of(&[
            ("PORTAGE_CONFIGROOT", "/ignored"),
            ("ROOT", "/r"),
            ("HOME", "/h"),
        ]);
        // A directory replaces $PORTAGE_CONFIGROOT/etc/portage, ROOT/HOME still apply.
        let args = SourceArgs {
            config: Some(dir.path().to_path_buf()),
            config_root: Some("/also-ignored".into()),
            root: None,
        };
        let o = portage(&args, &env);
        assert_eq!(o.config_dir, dir.path());
        assert_eq!(o.root, Path::new("/r"));
        assert_eq!(o.home.as_deref(), Some(Path::new("/h")));
        // A file is TOML.
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "").unwrap();
        let args = SourceArgs {
            config: Some(file.clone()),
            ..Default::default()
        };
        assert_eq!(
            ConfigSource::from_env_and_args(&args, &env).unwrap(),
            ConfigSource::Toml(file)
        );
        // Nothing there.
        let gone = dir.path().join("gone");
        let args = SourceArgs {
            config: Some(gone.clone()),
            ..Default::default()
        };
        assert_eq!(
            ConfigSource::from_env_and_args(&args, &env),
            Err(SourceError::MissingConfig { path: gone })
        );
    }
}
