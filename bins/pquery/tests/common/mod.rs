//! The pquery runner the CLI test files share: every run gets the index directory it is
//! given, no colour, and none of the caller's ROOT or PORTAGE_CONFIGROOT, so results do not
//! depend on the environment the tests run in.
#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use strata_testtools::{portage_made_dir, write_portage_config};

/// The sample tree shipped with pquery (`bins/pquery/sample`).
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("sample")
}

/// What a run printed.
#[derive(Debug)]
pub struct Outcome {
    /// Whether pquery exited successfully.
    pub ok: bool,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Outcome {
    /// Standard output of a run that must have succeeded.
    pub fn success(self, what: &str) -> String {
        assert!(self.ok, "pquery {what} failed: {}", self.stderr);
        self.stdout
    }

    /// Standard output lines of a run that must have succeeded.
    pub fn lines(self, what: &str) -> Vec<String> {
        self.success(what).lines().map(str::to_owned).collect()
    }
}

/// pquery with `--config config`, `--root root` when given, and its search indexes in
/// `index`; add arguments and run it with [`run`].
pub fn command(config: &Path, root: Option<&Path>, index: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pquery"));
    cmd.env("STRATA_INDEX_DIR", index)
        .env("NO_COLOR", "1")
        .env_remove("ROOT")
        .env_remove("PORTAGE_CONFIGROOT")
        .arg("--config")
        .arg(config);
    if let Some(root) = root {
        cmd.arg("--root").arg(root);
    }
    cmd
}

/// Runs `cmd` and collects what it printed.
pub fn run(cmd: &mut Command) -> Outcome {
    let out = cmd.output().unwrap();
    Outcome {
        ok: out.status.success(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A Portage config dir in `tmp` with Portage's reference repository and its gpkg PKGDIR
/// (../shared/data/portage-made).
pub fn refrepo_gpkg_config(tmp: &Path) -> PathBuf {
    let made = portage_made_dir();
    let repo = made.join("refrepo");
    write_portage_config(
        tmp,
        &[("refrepo", &repo)],
        &format!(
            "ACCEPT_LICENSE=\"*\"\nACCEPT_KEYWORDS=\"amd64 ~amd64\"\nPKGDIR=\"{}\"\n",
            made.join("pkgdir-gpkg-zstd").display()
        ),
        &repo.join("profiles/default/linux/amd64"),
    )
}
