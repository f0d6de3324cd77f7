//! The trait-based config registry, Portage configuration, profiles and the domain.
//!
//! Configuration flows into a [`domain::Domain`], and a frontend starts from the domain:
//!
//! * [`registry`]: the [`registry::ConfigClass`] trait by which a type declares its type
//!   name (`repo`, `cache`, `syncer`, `profile`, `domain`, ...), its typed fields and how it
//!   is built; a [`registry::Registry`] maps class names (`ebuild-v1`, `binpkg-v1`, `vdb`,
//!   `md5-cache`, ...) to implementations. Binaries assemble one registry from all crates
//!   ([`classes::register_builtin`] adds this crate's). No global state.
//! * [`central`]: sections from any number of sources, `class` / `inherit` /
//!   `inherit-only` / `default`, typed values, references resolved recursively with cycle
//!   detection, lazily built objects, and the `pconfig dump`-style view.
//! * Sources: [`portage`] translates `/etc/portage` (make.conf, repos.conf, make.profile,
//!   PKGDIR, the vdb) into sections; [`toml_source`] reads the native TOML file.
//! * Portage formats: [`shell`] (make.conf / make.defaults), [`ini`] (repos.conf),
//!   [`layout`], [`linefile`] (`package.*` as files or directories), [`profile`],
//!   [`repo_profile`], [`settings`] (incremental stacking), [`license`], [`keywords`],
//!   [`spec`] (atoms and wildcard entries), [`provided`] (`package.provided`).
//! * [`domain`]: repositories in priority order, the vdb, the profile, settings; with
//!   [`domain::Domain::effective_use`] ([`use_flags`]) and explainable
//!   [`domain::Domain::visibility`] ([`visibility`]).
//!
//! Every error names the file and line it comes from; malformed lines become
//! [`Warning`]s returned as data, and the rest still loads.
//!
//! ```
//! use std::path::Path;
//! use strata_config::central::ConfigManager;
//! use strata_config::classes::builtin_registry;
//! use strata_config::repos::CacheConfig;
//! use strata_config::toml_source::parse_toml_config;
//!
//! let toml = r#"
//! [cache-common]
//! class = "md5-cache"
//! inherit-only = true
//! readonly = true
//!
//! [gentoo-cache]
//! inherit = ["cache-common"]
//! location = "/var/db/repos/gentoo/metadata/md5-cache"
//! "#;
//! let mut config = ConfigManager::new(builtin_registry());
//! config.add_source(parse_toml_config(toml, Path::new("strata.toml")).unwrap());
//! let cache = config.get::<CacheConfig>("gentoo-cache").unwrap();
//! assert!(cache.readonly);
//! assert_eq!(config.default_name("cache").unwrap(), "gentoo-cache");
//! assert!(config.dump(None).unwrap().starts_with("'gentoo-cache' {\n    # typename of this section: cache\n"));
//!
//! let err = parse_toml_config("[x]\nclass = \"nope\"\n", Path::new("bad.toml"))
//!     .map(|s| { let mut c = ConfigManager::new(builtin_registry()); c.add_source(s); c.resolve("x") });
//! assert_eq!(err.unwrap().unwrap_err().to_string(), "bad.toml:2: section \"x\": unknown class \"nope\"");
//! ```

pub mod central;
pub mod classes;
pub mod domain;
mod entry_index;
pub mod error;
pub mod ini;
pub mod keywords;
pub mod layout;
pub mod license;
pub mod linefile;
pub mod load;
pub mod portage;
pub mod profile;
pub mod provided;
pub mod registry;
pub mod repo_profile;
pub mod repos;
pub mod settings;
pub mod shell;
pub mod spec;
pub mod toml_source;
pub mod use_flags;
pub mod visibility;

pub use error::{ConfigError, Location, Place, Warning};
