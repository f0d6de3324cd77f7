//! pquery on a binary repository: Portage's own PKGDIR as the domain's PKGDIR.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use strata_testtools::{portage_made_dir, stdout_of, write_portage_config};

/// A config dir with Portage's reference repository and its gpkg PKGDIR.
fn config(tmp: &Path) -> PathBuf {
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

fn pquery(etc: &Path, args: &[&str]) -> String {
    stdout_of(
        Command::new(env!("CARGO_BIN_EXE_pquery"))
            .arg("--config")
            .arg(etc)
            .args(args)
            .env("STRATA_INDEX_DIR", etc.join("index")),
    )
}

#[test]
fn binary_repository_is_listed_with_every_build() {
    let tmp = tempfile::tempdir().unwrap();
    let etc = config(tmp.path());
    // Portage's Packages index lists these builds (usetoggle twice: BUILD_ID 1 and 2).
    assert_eq!(
        pquery(&etc, &["-B", "*"]),
        "app-misc/blocker-1\napp-misc/hello-1.0\napp-misc/hello-1.1\napp-misc/needs-lib-1\n\
         app-misc/oddfiles-1\napp-misc/usetoggle-1\napp-misc/usetoggle-1\ndev-libs/libdemo-2.0\n"
    );
    assert_eq!(
        pquery(&etc, &["-r", "binpkgs", "-n", "dev-libs/*"]),
        "dev-libs/libdemo\n"
    );
    // -A adds the binary builds to the source versions.
    let all = pquery(&etc, &["-A", "app-misc/hello"]);
    assert_eq!(all.matches("app-misc/hello-1.1").count(), 2, "{all}");
}
