//! package.provided on a translated Portage configuration: the profile stack (EAPI 5 and
//! an EAPI 8 child, whose file is ignored), the user profile (`etc/portage/profile`), `-X`
//! removal across them, and warnings with file and line for bad entries.
#![allow(clippy::unwrap_used)]

use strata_config::classes::builtin_registry;
use strata_config::load::{ConfigSource, SourceArgs, SourceEnv, load_config};
use strata_testtools::{gentoo_stub_dir, write_file};

#[test]
fn profile_and_user_package_provided() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write_file(
        root,
        "profiles/base/parent",
        &format!(
            "{}\n",
            gentoo_stub_dir()
                .join("profiles/default/linux/amd64")
                .display()
        ),
    );
    write_file(root, "profiles/base/eapi", "6\n");
    write_file(
        root,
        "profiles/base/package.provided",
        "dev-lang/perl-5.40.0\nsys-libs/glibc-2.40\nsys-libs/glibc-2.40\n",
    );
    write_file(root, "profiles/top/parent", "../base\n");
    write_file(root, "profiles/top/eapi", "7\n");
    write_file(root, "profiles/top/package.provided", "sys-devel/gcc-14\n");
    write_file(
        root,
        "etc/portage/repos.conf",
        &format!(
            "[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = {}\n",
            gentoo_stub_dir().display()
        ),
    );
    write_file(root, "etc/portage/make.conf", "ACCEPT_KEYWORDS=\"amd64\"\n");
    write_file(
        root,
        "etc/portage/profile/package.provided",
        "-dev-lang/perl-5.40.0\nvirtual/editor-0\n=app-misc/op-1\napp-misc/noversion\n",
    );
    std::os::unix::fs::symlink(
        root.join("profiles/top"),
        root.join("etc/portage/make.profile"),
    )
    .unwrap();

    let args = SourceArgs {
        config: Some(root.join("etc/portage")),
        root: Some(root.join("target")),
        ..Default::default()
    };
    let source = ConfigSource::from_env_and_args(&args, &SourceEnv::default()).unwrap();
    let domain = load_config(builtin_registry(), &source)
        .unwrap()
        .domain()
        .unwrap();
    let got: Vec<String> = domain
        .provided
        .iter()
        .map(|p| format!("{} {}", p.cpv, p.location))
        .collect();
    let base = root.join("profiles/base/package.provided");
    let user = root.join("etc/portage/profile/package.provided");
    assert_eq!(
        got,
        [
            format!("sys-libs/glibc-2.40 {}:2", base.display()),
            format!("virtual/editor-0 {}:2", user.display()),
        ]
    );
    let warnings: Vec<String> = domain
        .warnings
        .iter()
        .filter(|w| w.message.contains("package.provided"))
        .map(ToString::to_string)
        .collect();
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
    assert_eq!(
        warnings[0],
        format!(
            "{}: package.provided is not allowed in EAPI 7; ignored",
            root.join("profiles/top/package.provided").display()
        )
    );
    assert!(
        warnings[1].starts_with(&format!(
            "{}:3: invalid package.provided entry \"=app-misc/op-1\"",
            user.display()
        )),
        "{warnings:#?}"
    );
    assert!(
        warnings[2].starts_with(&format!(
            "{}:4: invalid package.provided entry \"app-misc/noversion\"",
            user.display()
        )),
        "{warnings:#?}"
    );
}
