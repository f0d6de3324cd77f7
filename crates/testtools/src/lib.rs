//! Test fixtures shared by strata's test suites, written once instead of copied into
//! every test file (in the spirit of gitoxide's `gix-testtools`).
//!
//! - where the shared data lives: [`shared_dir`] (honours `STRATA_SHARED`), [`guru_dir`],
//!   [`gentoo_stub_dir`], [`portage_made_dir`];
//! - a generated Portage config dir for gentoo-stub + GURU: [`write_guru_config`],
//!   [`GuruConfig`]; or for any repositories and profile: [`write_portage_config`];
//! - writing and copying files: [`write_file`], [`copy_tree`], [`set_mtime`],
//!   [`set_mtime_secs`];
//! - small ebuild repositories: [`write_repo_skeleton`], [`write_ebuild_with_entry`]
//!   (ebuilds with md5-cache entries that validate);
//! - tree oracles: [`snapshot`] (to show nothing was written), [`walk_ebuilds`];
//! - a minimal md5-cache reader independent of the crates under test:
//!   [`md5_cache_files`], [`parse_md5_cache`], [`read_md5_cache`].
//!
//! It depends on nothing but `std`, `tempfile` and `md-5` (for `_md5_`), so any strata crate can dev-depend on it
//! without a cycle. It is for tests only: every function panics, with the offending path,
//! on anything unexpected, so that a test needing shared data fails rather than skips.
//!
//! ```
//! let guru = strata_testtools::guru_dir();
//! assert!(guru.join("metadata/layout.conf").is_file());
//!
//! let config = strata_testtools::write_guru_config(&[("package.use/x", "*/* foo\n")]);
//! let repos_conf = std::fs::read_to_string(config.repos_conf()).expect("repos.conf");
//! assert!(repos_conf.contains("main-repo = gentoo"));
//! assert!(config.etc_portage().join("package.use/x").is_file());
//! ```

mod command;
mod config;
mod ebuild_repo;
mod md5_cache;
mod paths;
mod snapshot;
mod tree;

pub use command::stdout_of;
pub use config::{GuruConfig, write_config_dir, write_guru_config, write_portage_config};
pub use ebuild_repo::{write_ebuild_with_entry, write_repo_skeleton};
pub use md5_cache::{md5_cache_files, parse_md5_cache, read_md5_cache};
pub use paths::{gentoo_stub_dir, guru_dir, portage_made_dir, shared_dir};
pub use snapshot::{PathState, snapshot, walk_ebuilds};
pub use tree::{copy_tree, set_mtime, set_mtime_secs, write_file};
