//! A generated Portage config dir (`PORTAGE_CONFIGROOT`) for gentoo-stub + GURU.

use std::path::{Path, PathBuf};

use crate::paths::{gentoo_stub_dir, guru_dir};
use crate::tree::write_file;

/// A `PORTAGE_CONFIGROOT` in a temporary directory, removed when dropped: `etc/portage`
/// holds `repos.conf` (`main-repo = gentoo`, `[gentoo]` and `[guru]`), `make.conf`
/// (`ACCEPT_KEYWORDS="amd64 ~amd64"`, `ACCEPT_LICENSE="*"`) and a `make.profile` symlink
/// to gentoo-stub's `profiles/default/linux/amd64`.
#[derive(Debug)]
pub struct GuruConfig {
    dir: tempfile::TempDir,
}

impl GuruConfig {
    /// The config root (the temporary directory itself).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `<root>/etc/portage`.
    pub fn etc_portage(&self) -> PathBuf {
        self.path().join("etc/portage")
    }

    /// `<root>/etc/portage/repos.conf`.
    pub fn repos_conf(&self) -> PathBuf {
        self.etc_portage().join("repos.conf")
    }

    /// `<root>/etc/portage/make.conf`.
    pub fn make_conf(&self) -> PathBuf {
        self.etc_portage().join("make.conf")
    }

    /// `<root>/etc/portage/make.profile` (a symlink).
    pub fn make_profile(&self) -> PathBuf {
        self.etc_portage().join("make.profile")
    }

    /// Gives up the wrapper, keeping the temporary directory alive.
    pub fn into_temp_dir(self) -> tempfile::TempDir {
        self.dir
    }
}

/// Writes a [`GuruConfig`] naming the shared gentoo-stub and GURU, plus `extra` files
/// (`(path relative to etc/portage, content)`, written after the standard ones, so they
/// may replace them).
///
/// # Panics
/// When the shared data is missing, or on any I/O error.
pub fn write_guru_config(extra: &[(&str, &str)]) -> GuruConfig {
    write_config_dir(&gentoo_stub_dir(), &guru_dir(), extra)
}

/// Writes a [`GuruConfig`] whose `[gentoo]` and `[guru]` repositories are at the given
/// locations (copies, say); the profile is still the shared gentoo-stub's amd64 one.
///
/// # Panics
/// When the shared data is missing, or on any I/O error.
pub fn write_config_dir(gentoo: &Path, guru: &Path, extra: &[(&str, &str)]) -> GuruConfig {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("creating a temp dir: {e}"));
    let config = GuruConfig { dir };
    let etc = write_portage_config(
        config.path(),
        &[("gentoo", gentoo), ("guru", guru)],
        "ACCEPT_KEYWORDS=\"amd64 ~amd64\"\nACCEPT_LICENSE=\"*\"\n",
        &gentoo_stub_dir().join("profiles/default/linux/amd64"),
    );
    for (rel, content) in extra {
        write_file(&etc, rel, content);
    }
    config
}

/// Writes a Portage config under the config root `root` and returns its `etc/portage`:
/// `repos.conf` with `[DEFAULT] main-repo =` the first of `repos` (`(name, location)`)
/// and one section per repository, `make.conf` with `make_conf`, and `make.profile` as a
/// symlink to `profile`.
///
/// # Panics
/// When `repos` is empty, or on any I/O error (an existing `make.profile`, say).
pub fn write_portage_config(
    root: &Path,
    repos: &[(&str, &Path)],
    make_conf: &str,
    profile: &Path,
) -> PathBuf {
    let etc = root.join("etc/portage");
    let (main, _) = repos
        .first()
        .expect("write_portage_config needs a repository");
    let mut repos_conf = format!("[DEFAULT]\nmain-repo = {main}\n");
    for (name, location) in repos {
        repos_conf.push_str(&format!("\n[{name}]\nlocation = {}\n", location.display()));
    }
    write_file(&etc, "repos.conf", &repos_conf);
    write_file(&etc, "make.conf", make_conf);
    std::os::unix::fs::symlink(profile, etc.join("make.profile"))
        .unwrap_or_else(|e| panic!("linking make.profile to {}: {e}", profile.display()));
    etc
}
