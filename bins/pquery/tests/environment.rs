//! `--environment-re` through the pquery CLI, on Portage's own installed root and binary
//! packages (refrepo data in ../shared/data/portage-made).
#![allow(clippy::unwrap_used)]

mod common;

use strata_testtools::portage_made_dir;

fn run(args: &[&str]) -> common::Outcome {
    let tmp = tempfile::tempdir().unwrap();
    let etc = common::refrepo_gpkg_config(tmp.path());
    let root = portage_made_dir().join("root-after-upgrade");
    common::run(common::command(&etc, Some(&root), &tmp.path().join("index")).args(args))
}

fn pquery(args: &[&str]) -> String {
    run(args).success(&format!("{args:?}"))
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
    assert!(!out.ok);
    assert!(out.stderr.contains("--environment-re"), "{}", out.stderr);
}
