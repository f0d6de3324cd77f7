//! A repository that cannot be opened (here an overlay whose master is not configured;
//! binary repositories follow the same rule, tested with a failing factory in
//! crates/repo/tests/domain_open.rs, since an unreadable PKGDIR cannot be made when the
//! tests run as root): pquery warns and searches the rest; naming it with `-r` is an
//! error that says why.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::sample;
use strata_testtools::write_file;

fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_file(root, "broken/profiles/repo_name", "broken\n");
    write_file(root, "broken/metadata/layout.conf", "masters = nonesuch\n");
    write_file(
        root,
        "etc/portage/repos.conf",
        &format!(
            "[DEFAULT]\nmain-repo = sample\n\n[sample]\nlocation = {}\n\n\
             [broken]\nlocation = {root}/broken\n",
            sample().join("repo").display(),
            root = root.display()
        ),
    );
    write_file(
        root,
        "etc/portage/make.conf",
        "ACCEPT_KEYWORDS=\"amd64\"\nACCEPT_LICENSE=\"*\"\n",
    );
    std::os::unix::fs::symlink(
        sample().join("repo/profiles/default/linux/amd64"),
        root.join("etc/portage/make.profile"),
    )
    .unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let out = common::run(
        common::command(
            &dir.join("etc/portage"),
            Some(&sample().join("root")),
            &dir.join("index"),
        )
        .args(args),
    );
    (out.ok, out.stdout, out.stderr)
}

#[test]
fn broken_repositories_are_skipped_with_a_warning() {
    let dir = fixture();
    let d = dir.path();
    let (ok, out, err) = run(d, &["app-misc/hello"]);
    assert!(ok, "{err}");
    assert_eq!(out, "app-misc/hello-1.0\napp-misc/hello-1.1\n");
    assert!(
        err.contains("repository \"broken\" not searched") && err.contains("nonesuch"),
        "{err}"
    );

    // Naming it fails and says why.
    let (ok, _, err) = run(d, &["-r", "broken", "*"]);
    assert!(!ok);
    assert!(
        err.contains("repository \"broken\" could not be opened: ") && err.contains("nonesuch"),
        "{err}"
    );
}
