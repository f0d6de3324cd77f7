//! `--environment-re` through the pquery CLI, on Portage's own installed root and binary
//! packages (refrepo data in ../shared/data/portage-made).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use strata_testtools::{portage_made_dir, write_portage_config};

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

fn run(args: &[&str]) -> Output {
    let tmp = tempfile::tempdir().unwrap();
    let etc = config(tmp.path());
    Command::new(env!("CARGO_BIN_EXE_pquery"))
        .arg("--config")
        .arg(&etc)
        .arg("--root")
        .arg(portage_made_dir().join("root-after-upgrade"))
        .args(args)
        .env("STRATA_INDEX_DIR", tmp.path().join("index"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn pquery(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "pquery {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn installed_packages_by_environment_line() {
    // Only hello-1.1's environment sets PATCHES (shared/data/portage-made/README.md).
    assert_eq!(
        pquery(&["-I", "--environment-re", "^declare -a PATCHES="]),
        "app-misc/hello-1.1\n"
    );
    // usetoggle was built with USE=foo: its own USE line says so, no other does.
    let use_foo = r#"^declare -x USE="[^"]*\bfoo\b"#;
    assert_eq!(
        pquery(&["-I", "--environment-re", use_foo]),
        "app-misc/usetoggle-1\n"
    );
    // The same option twice is OR; another option is AND.
    assert_eq!(
        pquery(&[
            "-I",
            "--environment-re",
            use_foo,
            "--environment-re",
            "PATCHES"
        ]),
        "app-misc/hello-1.1\napp-misc/usetoggle-1\n"
    );
    assert_eq!(
        pquery(&["-I", "--environment-re", "PATCHES", "app-misc/usetoggle"]),
        ""
    );
    // Matched line by line: a pattern spanning two lines never matches.
    assert_eq!(pquery(&["-I", "--environment-re", "PATCHES=.*\\n"]), "");
    assert_eq!(
        pquery(&["-I", "--environment-re", "(?s)PATCHES=.*USE="]),
        ""
    );
    // Case-sensitive search.
    assert_eq!(
        pquery(&["-I", "--environment-re", "^DECLARE -a patches"]),
        ""
    );
    // Every installed package has a saved environment.
    assert_eq!(
        pquery(&["-I", "--environment-re", "^declare -x USE="]),
        pquery(&["-I", "*"])
    );
}

#[test]
fn binary_packages_and_ebuilds() {
    // Build 2 of usetoggle was made with USE="bar -foo".
    assert_eq!(
        pquery(&[
            "-B",
            "--environment-re",
            r#"^declare -x USE=".* bar "#,
            "--attr",
            "use"
        ]),
        "app-misc/usetoggle-1 use=\"bar -foo\"\n"
    );
    assert_eq!(
        pquery(&["-B", "--environment-re", "^declare -a PATCHES="]),
        "app-misc/hello-1.1\n"
    );
    // Ebuilds have no saved environment: nothing matches, not even `.*`.
    assert_eq!(pquery(&["--environment-re", ".*"]), "");
    assert_eq!(pquery(&["-r", "refrepo", "--environment-re", ""]), "");
}

#[test]
fn invalid_regex_is_an_error() {
    let out = run(&["-I", "--environment-re", "("]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--environment-re"), "{err}");
}
