//! The registry and central manager through the native TOML source.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use strata_config::central::{BuildContext, ConfigManager};
use strata_config::classes::builtin_registry;
use strata_config::domain::Domain;
use strata_config::error::ConfigError;
use strata_config::registry::{ConfigClass, Field, FieldType, Object, Registry, ResolvedSection};
use strata_config::repos::RepoConfig;
use strata_config::toml_source::parse_toml_config;
use strata_testtools::shared_dir;

fn manager(toml: &str) -> Result<ConfigManager, ConfigError> {
    let mut m = ConfigManager::new(builtin_registry());
    m.add_source(parse_toml_config(toml, Path::new("/cfg/strata.toml"))?);
    Ok(m)
}

fn repos_toml() -> String {
    let repos = shared_dir().join("data/repos");
    format!(
        r#"
[repo-common]
class = "ebuild-v1"
inherit-only = true
priority = 5
auto-sync = false

[gentoo]
inherit = ["repo-common"]
location = "{gentoo}"
priority = -1000

[guru]
inherit = ["repo-common"]
location = "{guru}"
cache = {{ class = "md5-cache", location = "{guru}/metadata/md5-cache" }}

[livefs]
class = "ebuild-domain"
default = true
repos = ["guru", "gentoo"]
profile = {{ class = "portage-profile", path = "{gentoo}/profiles/default/linux/amd64", repos = ["gentoo", "guru"] }}
config-dir = "/nonexistent/etc/portage"
ACCEPT_KEYWORDS = "~amd64"
"#,
        gentoo = repos.join("gentoo-stub").display(),
        guru = repos.join("guru").display()
    )
}

#[test]
fn toml_config_builds_a_domain() {
    let m = manager(&repos_toml()).unwrap();
    let guru: Arc<RepoConfig> = m.get("guru").unwrap();
    assert_eq!(guru.priority, 5, "inherited from the template");
    assert!(!guru.auto_sync);
    assert_eq!(guru.masters, ["gentoo"], "from layout.conf");
    assert!(
        guru.cache
            .as_ref()
            .unwrap()
            .location
            .ends_with("guru/metadata/md5-cache")
    );
    let gentoo: Arc<RepoConfig> = m.get("gentoo").unwrap();
    assert_eq!(
        gentoo.priority, -1000,
        "own value wins over the inherited one"
    );
    // Built once: the same object comes back.
    assert!(Arc::ptr_eq(&guru, &m.get::<RepoConfig>("guru").unwrap()));
    let d: Arc<Domain> = m.get_default("domain").unwrap();
    assert_eq!(
        d.repos
            .repos
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["guru", "gentoo"]
    );
    assert_eq!(d.accept_keywords(), ["amd64", "~amd64"]);
    assert_eq!(m.default_name("domain").unwrap(), "livefs");
    assert!(matches!(
        m.get::<RepoConfig>("repo-common").unwrap_err(),
        ConfigError::Build { ref key, .. } if key.as_deref() == Some("inherit-only")
    ));
    let dump = m.dump(None).unwrap();
    assert!(
        dump.contains("'guru' {\n    # typename of this section: repo\n    class ebuild-v1;\n"),
        "{dump}"
    );
    assert!(
        dump.contains(
            "    # type: ref:cache\n    cache {\n        # typename of this section: cache\n"
        ),
        "{dump}"
    );
    assert!(dump.contains("    default true;\n"));
    assert!(dump.contains("    # type: str\n    ACCEPT_KEYWORDS '~amd64';\n"));
    assert!(!dump.contains("'repo-common'"), "templates are not dumped");
    let only = m.dump(Some("domain")).unwrap();
    assert!(only.starts_with("'livefs' {") && !only.contains("'guru' {"));
}

#[test]
fn errors_name_section_key_file_and_line() {
    let err = manager("[a]\nclass = \"nope\"\n")
        .unwrap()
        .resolve("a")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "/cfg/strata.toml:2: section \"a\": unknown class \"nope\""
    );

    let err = manager("[a]\nclass = \"md5-cache\"\nlocation = \"/x\"\nreadonly = \"maybe\"\n")
        .unwrap()
        .resolve("a")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "/cfg/strata.toml:4: section \"a\", key \"readonly\": expected bool, got \"maybe\""
    );

    let err = manager("[a]\nclass = \"ebuild-v1\"\nlocation = \"/x\"\npriority = \"high\"\n")
        .unwrap()
        .resolve("a")
        .unwrap_err();
    assert!(
        matches!(err, ConfigError::Type { ref key, .. } if key == "priority"),
        "{err}"
    );

    let err = manager("[a]\nclass = \"md5-cache\"\n")
        .unwrap()
        .resolve("a")
        .unwrap_err();
    assert!(
        matches!(err, ConfigError::MissingKey { ref key, .. } if key == "location"),
        "{err}"
    );

    let err = manager("[a]\nclass = \"md5-cache\"\nlocation = \"/x\"\nbogus = 1\n")
        .unwrap()
        .resolve("a")
        .unwrap_err();
    assert!(
        matches!(err, ConfigError::UnknownKey { ref key, .. } if key == "bogus"),
        "{err}"
    );

    let err = manager("[a]\nclass = \"ebuild-v1\"\nlocation = \"/x\"\ncache = \"missing\"\n")
        .unwrap()
        .resolve("a")
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "/cfg/strata.toml:4: unknown section \"missing\" (referenced by key \"cache\")"
    );

    // A reference to a section of the wrong type.
    let err = manager("[c]\nclass = \"vdb\"\nlocation = \"/v\"\n[a]\nclass = \"ebuild-v1\"\nlocation = \"/x\"\ncache = \"c\"\n")
        .unwrap()
        .resolve("a")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("expected ref:cache, got \"section \\\"c\\\" of type repo\""),
        "{err}"
    );

    let err = manager("[a]\nlocation = \"/x\"\n")
        .unwrap()
        .resolve("a")
        .unwrap_err();
    assert!(matches!(err, ConfigError::NoClass { .. }));

    let err = manager("[a]\nclass = \n").unwrap_err();
    assert!(
        matches!(err, ConfigError::Parse { ref location, .. } if location.line == 2),
        "{err}"
    );
}

#[test]
fn inherit_and_reference_cycles() {
    let err = manager("[a]\ninherit = [\"b\"]\nclass = \"vdb\"\n[b]\ninherit = [\"a\"]\n")
        .unwrap()
        .resolve("a")
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConfigError::SectionCycle {
                kind: "inherit",
                ..
            }
        ),
        "{err}"
    );

    let err = manager(
        "[p]\nclass = \"portage-profile\"\npath = \"/p\"\nrepos = [\"d\"]\n\
         [d]\nclass = \"ebuild-domain\"\nprofile = \"p\"\n",
    )
    .unwrap()
    .resolve("d")
    .unwrap_err();
    // d -> p -> d: a reference cycle, reported rather than followed forever.
    assert!(
        matches!(&err, ConfigError::SectionCycle { kind: "reference", chain, .. } if chain == &["d", "p", "d"]),
        "{err}"
    );
}

/// A test class whose objects reference each other, to check reference cycle detection
/// and that a crate can register its own classes.
struct Node;

static NODE_FIELDS: &[Field] = &[Field::optional("next", FieldType::Ref("node"), "next node")];

impl ConfigClass for Node {
    fn type_name(&self) -> &'static str {
        "node"
    }
    fn fields(&self) -> &'static [Field] {
        NODE_FIELDS
    }
    fn doc(&self) -> &'static str {
        "test node"
    }
    fn build(
        &self,
        s: &ResolvedSection,
        ctx: &mut BuildContext<'_>,
    ) -> Result<Object, ConfigError> {
        let next: Option<Arc<String>> = ctx.get_ref(s, "next")?;
        Ok(Arc::new(format!(
            "{}>{}",
            s.name,
            next.map(|n| (*n).clone()).unwrap_or_default()
        )))
    }
}

#[test]
fn custom_classes_lazy_refs_and_cycles() {
    let mut r = Registry::new();
    r.register("node", Node);
    let mut m = ConfigManager::new(r.clone());
    m.add_source(
        parse_toml_config("[a]\nclass = \"node\"\nnext = \"b\"\n[b]\nclass = \"node\"\nnext = { class = \"node\" }\n", Path::new("n.toml")).unwrap(),
    );
    assert_eq!(*m.get::<String>("a").unwrap(), "a>b>b.next>");
    let mut m = ConfigManager::new(r);
    m.add_source(
        parse_toml_config(
            "[a]\nclass = \"node\"\nnext = \"b\"\n[b]\nclass = \"node\"\nnext = \"a\"\n",
            Path::new("n.toml"),
        )
        .unwrap(),
    );
    let err = m.get::<String>("a").unwrap_err();
    let ConfigError::SectionCycle {
        kind,
        chain,
        location,
        ..
    } = &err
    else {
        panic!("{err}")
    };
    assert_eq!(*kind, "reference");
    assert_eq!(chain, &["a", "b", "a"]);
    assert_eq!(location.line, 6);
}

#[test]
fn later_source_overrides_and_inherits_its_own_name() {
    let mut m = ConfigManager::new(builtin_registry());
    m.add_source(
        parse_toml_config(
            "[c]\nclass = \"md5-cache\"\nlocation = \"/one\"\nreadonly = true\n",
            Path::new("/a.toml"),
        )
        .unwrap(),
    );
    m.add_source(
        parse_toml_config(
            "[c]\ninherit = [\"c\"]\nlocation = \"/two\"\n",
            Path::new("/b.toml"),
        )
        .unwrap(),
    );
    let c = m.resolve("c").unwrap();
    assert_eq!(c.path("location"), Some(Path::new("/two")));
    assert_eq!(c.bool("readonly"), Some(true));
    assert_eq!(c.class, "md5-cache");
}
