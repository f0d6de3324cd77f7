//! `pmaint binpkg clean` with the policies that read the domain's repositories and
//! installed packages, on the PKGDIR, repository and ROOT that Portage made.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use strata_testtools::{copy_tree, portage_made_dir, stdout_of, write_portage_config};

/// A config dir for `refrepo` (a copy, so an ebuild can be removed) and a PKGDIR copy.
fn setup(tmp: &Path) -> (PathBuf, PathBuf) {
    let made = portage_made_dir();
    let repo = tmp.join("refrepo");
    copy_tree(&made.join("refrepo"), &repo);
    let pkgdir = tmp.join("pkgdir");
    copy_tree(&made.join("pkgdir-gpkg-zstd"), &pkgdir);
    let etc = write_portage_config(
        tmp,
        &[("refrepo", &repo)],
        "ACCEPT_LICENSE=\"*\"\n",
        &repo.join("profiles/default/linux/amd64"),
    );
    (etc, pkgdir)
}

fn clean(etc: &Path, pkgdir: &Path, extra: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_pmaint"));
    cmd.args(["binpkg", "clean"])
        .arg(pkgdir)
        .args(["--keep", "10", "--config"])
        .arg(etc)
        .arg("--root")
        .arg(portage_made_dir().join("root-after-install"))
        .args(extra);
    stdout_of(&mut cmd)
}

#[test]
fn not_installed_policy_reads_the_vdb() {
    let tmp = tempfile::tempdir().unwrap();
    let (etc, pkgdir) = setup(tmp.path());
    let out = clean(&etc, &pkgdir, &["--pretend", "--not-installed"]);
    // root-after-install has hello-1.0, needs-lib-1, oddfiles-1, usetoggle-1, libdemo-2.0.
    assert!(out.contains("would remove app-misc/blocker/blocker-1-1.gpkg.tar (not installed"));
    assert!(out.contains("would remove app-misc/hello/hello-1.1-1.gpkg.tar (not installed"));
    assert!(out.contains("would free 2 files"), "{out}");
    assert!(
        pkgdir
            .join("app-misc/blocker/blocker-1-1.gpkg.tar")
            .exists()
    );
}

#[test]
fn ebuild_gone_policy_reads_the_repository_and_updates_the_index() {
    let tmp = tempfile::tempdir().unwrap();
    let (etc, pkgdir) = setup(tmp.path());
    let out = clean(&etc, &pkgdir, &["--pretend", "--ebuild-gone"]);
    assert!(out.contains("would free 0 files"), "{out}");

    std::fs::remove_file(tmp.path().join("refrepo/app-misc/hello/hello-1.1.ebuild")).unwrap();
    let out = clean(&etc, &pkgdir, &["--ebuild-gone"]);
    assert!(
        out.contains("removing app-misc/hello/hello-1.1-1.gpkg.tar"),
        "{out}"
    );
    assert!(out.contains("freed 1 files"), "{out}");
    assert!(!pkgdir.join("app-misc/hello/hello-1.1-1.gpkg.tar").exists());
    assert!(pkgdir.join("app-misc/hello/hello-1.0-1.gpkg.tar").exists());
    let index = std::fs::read_to_string(pkgdir.join("Packages")).unwrap();
    assert!(!index.contains("CPV: app-misc/hello-1.1\n"), "{index}");
    assert!(index.contains("CPV: app-misc/hello-1.0\n"));
}
