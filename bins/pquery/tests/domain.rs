//! `--domain NAME`: the one domain of a Portage configuration (`livefs`), one of several
//! in a native TOML config, and a clear error for any other name.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::sample;

/// Runs pquery with `config` (and the sample ROOT); returns (ok, stdout, stderr).
fn run(config: &Path, args: &[&str]) -> (bool, String, String) {
    let index = tempfile::tempdir().unwrap();
    let out =
        common::run(common::command(config, Some(&sample().join("root")), index.path()).args(args));
    (out.ok, out.stdout, out.stderr)
}

fn lines(config: &Path, args: &[&str]) -> Vec<String> {
    let (ok, out, err) = run(config, args);
    assert!(ok, "pquery {args:?} failed: {err}");
    out.lines().map(str::to_owned).collect()
}

#[test]
fn portage_configuration_domain_is_livefs() {
    let etc = sample().join("etc/portage");
    let default = lines(&etc, &["app-misc/*"]);
    assert!(!default.is_empty());
    assert_eq!(lines(&etc, &["--domain", "livefs", "app-misc/*"]), default);
    let (ok, out, err) = run(&etc, &["--domain", "gentoo", "app-misc/*"]);
    assert!(!ok, "an unknown domain must fail");
    assert!(out.is_empty(), "{out}");
    assert_eq!(
        err.trim_end(),
        "pquery: error: no domain section named \"gentoo\" (domain sections: livefs)"
    );
}

#[test]
fn toml_configuration_with_two_domains() {
    let dir = tempfile::tempdir().unwrap();
    let repo = sample().join("repo");
    let toml = dir.path().join("strata.toml");
    std::fs::write(
        &toml,
        format!(
            r#"
[sample]
class = "ebuild-v1"
location = "{repo}"
cache = {{ class = "md5-cache", location = "{repo}/metadata/md5-cache" }}

[sample-profile]
class = "portage-profile"
path = "{repo}/profiles/default/linux/amd64"
repos = ["sample"]

[stable]
class = "ebuild-domain"
default = true
repos = ["sample"]
profile = "sample-profile"
config-dir = "{etc}"
ACCEPT_LICENSE = "*"

[testing]
class = "ebuild-domain"
repos = ["sample"]
profile = "sample-profile"
config-dir = "{etc}"
ACCEPT_KEYWORDS = "~amd64"
ACCEPT_LICENSE = "*"
"#,
            repo = repo.display(),
            etc = dir.path().join("etc/portage").display()
        ),
    )
    .unwrap();
    assert_eq!(
        lines(&toml, &["app-misc/greeter"]),
        ["app-misc/greeter-0.5-r1"]
    );
    assert_eq!(
        lines(&toml, &["--domain", "stable", "app-misc/greeter"]),
        ["app-misc/greeter-0.5-r1"]
    );
    assert_eq!(
        lines(&toml, &["--domain", "testing", "app-misc/greeter"]),
        ["app-misc/greeter-0.5-r1", "app-misc/greeter-0.6"]
    );
    let (ok, _, err) = run(&toml, &["--domain", "livefs", "app-misc/greeter"]);
    assert!(!ok);
    assert!(
        err.contains("no domain section named \"livefs\" (domain sections: stable, testing)"),
        "{err}"
    );
}
