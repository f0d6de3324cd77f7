//! Choosing a domain by name (`--domain`): the one domain of a translated Portage
//! configuration, several in a native TOML file, and the error for an unknown name.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use strata_config::classes::builtin_registry;
use strata_config::error::ConfigError;
use strata_config::load::{ConfigSource, LoadedConfig, SourceArgs, SourceEnv, load_config};
use strata_testtools::{gentoo_stub_dir, guru_dir, write_guru_config};

fn load(args: &SourceArgs) -> LoadedConfig {
    let source = ConfigSource::from_env_and_args(args, &SourceEnv::default()).unwrap();
    load_config(builtin_registry(), &source).unwrap()
}

#[test]
fn portage_configuration_has_one_domain_livefs() {
    let cfg = write_guru_config(&[]);
    let loaded = load(&SourceArgs {
        config: Some(cfg.etc_portage()),
        root: Some(cfg.path().to_path_buf()),
        ..Default::default()
    });
    assert_eq!(loaded.domain_names().unwrap(), ["livefs"]);
    let by_name = loaded.domain_named("livefs").unwrap();
    let default = loaded.domain().unwrap();
    assert_eq!(by_name.config_dir, default.config_dir);
    assert_eq!(by_name.config_dir, cfg.etc_portage());
    assert!(by_name.repos.get("guru").is_some());
    assert_eq!(
        loaded.select_domain(Some("livefs")).unwrap().root,
        default.root
    );

    let err = loaded.domain_named("gentoo").unwrap_err();
    assert!(
        matches!(&err, ConfigError::UnknownDomain { name, available } if name == "gentoo" && available == &["livefs"]),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "no domain section named \"gentoo\" (domain sections: livefs)",
        "a repository section is not a domain"
    );
    assert!(loaded.select_domain(Some("nope")).is_err());
}

fn two_domains_toml(dir: &Path) -> std::path::PathBuf {
    let text = format!(
        r#"
[gentoo]
class = "ebuild-v1"
location = "{gentoo}"

[guru]
class = "ebuild-v1"
location = "{guru}"

[stub-profile]
class = "portage-profile"
path = "{gentoo}/profiles/default/linux/amd64"
repos = ["gentoo", "guru"]

[stable]
class = "ebuild-domain"
default = true
repos = ["guru", "gentoo"]
profile = "stub-profile"
config-dir = "{etc}"
ACCEPT_KEYWORDS = "amd64"

[testing]
class = "ebuild-domain"
repos = ["guru"]
profile = "stub-profile"
config-dir = "{etc}"
root = "{root}"
ACCEPT_KEYWORDS = "~amd64"
"#,
        gentoo = gentoo_stub_dir().display(),
        guru = guru_dir().display(),
        etc = dir.join("etc/portage").display(),
        root = dir.join("root").display(),
    );
    let path = dir.join("strata.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn toml_configuration_with_two_domains() {
    let dir = tempfile::tempdir().unwrap();
    let toml = two_domains_toml(dir.path());
    let loaded = load(&SourceArgs {
        config: Some(toml),
        ..Default::default()
    });
    assert_eq!(loaded.domain_names().unwrap(), ["stable", "testing"]);
    let stable = loaded.domain().unwrap();
    assert_eq!(stable.accept_keywords(), ["amd64"]);
    assert_eq!(stable.repos.repos.len(), 2);
    let testing = loaded.domain_named("testing").unwrap();
    assert_eq!(testing.accept_keywords(), ["amd64", "~amd64"]);
    assert_eq!(testing.root, dir.path().join("root"));
    assert_eq!(
        testing
            .repos
            .repos
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["guru"]
    );
    let err = loaded.domain_named("livefs").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no domain section named \"livefs\" (domain sections: stable, testing)"
    );
}

#[test]
fn configuration_without_domains() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "[c]\nclass = \"md5-cache\"\nlocation = \"/nonexistent\"\n",
    )
    .unwrap();
    let loaded = load(&SourceArgs {
        config: Some(path),
        ..Default::default()
    });
    assert_eq!(
        loaded.domain_named("x").unwrap_err().to_string(),
        "no domain section named \"x\" (the configuration has no domain sections)"
    );
}
