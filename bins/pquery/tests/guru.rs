//! pquery on the real GURU overlay with the gentoo-stub master (shared data), through a
//! config directory generated in a temp dir. Fails (does not skip) without the data.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use strata_testtools::{
    GuruConfig, guru_dir, read_md5_cache, stdout_of, walk_ebuilds, write_guru_config,
};

struct Env {
    config: GuruConfig,
    index: PathBuf,
}

/// One config dir (and one search index) for the whole test binary.
fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let config = write_guru_config(&[]);
        let index = config.path().join("index");
        Env { config, index }
    })
}

fn lines(args: &[&str]) -> Vec<String> {
    lines_with_index(&env().index, args)
}

#[test]
fn lists_every_ebuild_raw() {
    let got = lines(&["-r", "guru", "--raw", "*"]);
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(sorted, walk_ebuilds(&guru_dir()));
    assert_eq!(got.len(), 3751);
    // Output order is category, package, version: check one package's versions.
    let textual: Vec<&String> = got
        .iter()
        .filter(|l| l.starts_with("dev-python/textual-8"))
        .collect();
    assert_eq!(
        textual,
        [
            "dev-python/textual-8.2.6",
            "dev-python/textual-8.2.7",
            "dev-python/textual-8.2.8"
        ]
    );
}

#[test]
fn visible_versions() {
    // ACCEPT_KEYWORDS="amd64 ~amd64", the stub profile's masks, GURU's package.mask.
    assert_eq!(lines(&["-r", "guru", "*"]).len(), 3331);
    assert_eq!(
        lines(&["-r", "gentoo", "--raw", "*"]),
        ["virtual/gentoo-stub-placeholder-0"]
    );
}

#[test]
fn one_atom() {
    assert_eq!(
        lines(&[">=dev-python/textual-8.2.7"]),
        ["dev-python/textual-8.2.7", "dev-python/textual-8.2.8"]
    );
    assert_eq!(
        lines(&["-a", "--max", "-R", "--slot", "dev-python/textual"]),
        ["=dev-python/textual-8.2.8:0::guru"]
    );
}

#[test]
fn description_search() {
    // DESCRIPTION or metadata.xml longdescription: pkgcore finds 146 versions (peers.md).
    let raw = lines(&["-r", "guru", "--raw", "-S", "terminal"]);
    assert_eq!(raw.len(), 146);
    let visible = lines(&["-r", "guru", "-S", "terminal"]);
    assert!(visible.len() < raw.len());
    assert!(visible.iter().all(|v| raw.contains(v)));
}

/// The md5-cache entry of `cpv` as key → value.
fn cache_entry(cpv: &str) -> BTreeMap<String, String> {
    read_md5_cache(&guru_dir().join("metadata/md5-cache").join(cpv))
}

#[test]
fn attributes_match_the_cache() {
    let out = lines(&[
        "--raw",
        "=dev-python/textual-8.2.8",
        "--attr",
        "depend",
        "--attr",
        "rdepend",
        "--attr",
        "description",
        "--attr",
        "eapi",
        "--attr",
        "slot",
    ]);
    let e = cache_entry("dev-python/textual-8.2.8");
    let norm = |k: &str| {
        e.get(k)
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    assert_eq!(
        out,
        [format!(
            "dev-python/textual-8.2.8 depend=\"{}\" rdepend=\"{}\" description=\"{}\" eapi=\"{}\" slot=\"{}\"",
            norm("DEPEND"),
            norm("RDEPEND"),
            norm("DESCRIPTION"),
            norm("EAPI"),
            norm("SLOT")
        )]
    );
}

#[test]
fn reverse_dependencies() {
    // Oracle: every cache entry with a dependency token naming dev-python/textual.
    let re =
        regex::Regex::new(r"^!{0,2}[<>=~]*dev-python/textual(-[0-9][^:\[]*)?(:[^\[]*)?(\[.*\])?$")
            .unwrap();
    let mut expected = Vec::new();
    let cache = guru_dir().join("metadata/md5-cache");
    for cat in std::fs::read_dir(&cache).unwrap().flatten() {
        for f in std::fs::read_dir(cat.path()).unwrap().flatten() {
            let text = std::fs::read_to_string(f.path()).unwrap();
            let hit = text.lines().any(|l| {
                let Some((k, v)) = l.split_once('=') else {
                    return false;
                };
                k.ends_with("DEPEND") && v.split_whitespace().any(|t| re.is_match(t))
            });
            if hit {
                expected.push(format!(
                    "{}/{}",
                    cat.file_name().to_string_lossy(),
                    f.file_name().to_string_lossy()
                ));
            }
        }
    }
    expected.sort();
    let mut got = lines(&[
        "-r",
        "guru",
        "--raw",
        "--restrict-revdep",
        "dev-python/textual",
    ]);
    got.sort();
    assert_eq!(got, expected);
    assert!(!got.is_empty());
    // --revdep appends where each match comes from.
    let out = lines(&["--revdep", "dev-python/textual", "=app-portage/carnage-1.5"]);
    assert_eq!(out.len(), 1);
    assert!(
        out[0].starts_with("app-portage/carnage-1.5 raw_rdepend on dev-python/textual through >=dev-python/textual-8.0.0["),
        "{}",
        out[0]
    );
    // The configured value is USE-evaluated (its USE deps resolved by the domain's USE).
    assert!(out[0].contains(", rdepend on dev-python/textual through >=dev-python/textual-8.0.0"));
}

#[test]
fn no_version_and_maintainers() {
    let out = lines(&["-n", "dev-python/textual*"]);
    assert_eq!(
        out,
        [
            "dev-python/textual",
            "dev-python/textual-autocomplete",
            "dev-python/textual-dev",
            "dev-python/textual-serve"
        ]
    );
    let blame = lines(&["-n", "--blame", "dev-python/textual"]);
    assert_eq!(blame.len(), 1);
    assert!(blame[0].starts_with("dev-python/textual maintainers=\""));
    // Every package the maintainer search finds lists a matching maintainer.
    let by = lines(&["-n", "--maintainer-email", "^gasc@eurecom\\.fr$", "--blame"]);
    assert!(!by.is_empty());
    assert!(by.iter().all(|l| l.contains("<gasc@eurecom.fr>")));
}

#[test]
fn maintainer_description_is_part_of_the_maintainer() {
    // pkgcore matches --maintainer on str(maintainer) = "Name <email> (description)": a
    // package is found by its maintainer's <description> alone.
    let xml = std::fs::read_to_string(guru_dir().join("app-arch/zarchive/metadata.xml")).unwrap();
    let desc = xml
        .split("<description>")
        .nth(1)
        .and_then(|d| d.split("</description>").next())
        .unwrap()
        .trim()
        .to_owned();
    assert!(!desc.is_empty() && !xml.contains(&format!("<name>{desc}")));
    let re = format!("\\({}\\)$", regex::escape(&desc));
    let found = lines(&["-n", "--maintainer", &re]);
    assert!(found.contains(&"app-arch/zarchive".to_owned()), "{found:?}");
    for key in &found {
        let text = std::fs::read_to_string(guru_dir().join(key).join("metadata.xml")).unwrap();
        assert!(
            text.contains(&format!("<description>{desc}</description>")),
            "{key}"
        );
    }
    // Without the description the same maintainer string does not end there.
    let email = xml
        .split("<email>")
        .nth(1)
        .and_then(|d| d.split("</email>").next())
        .unwrap();
    let by_email = lines(&[
        "-n",
        "--maintainer",
        &format!("<{}>$", regex::escape(email)),
    ]);
    assert!(
        !by_email.contains(&"app-arch/zarchive".to_owned()),
        "{by_email:?}"
    );
    // --blame (= --attr maintainers) prints the same string pkgcore's str(maintainer) is.
    let blame = lines(&["-n", "--blame", "app-arch/zarchive"]);
    assert_eq!(blame.len(), 1, "{blame:?}");
    assert!(blame[0].ends_with(&format!(" ({desc})\"")), "{blame:?}");
    assert!(blame[0].contains(&format!("<{email}>")), "{blame:?}");
}

/// `args` run with the index in `index` (another directory than the shared one).
fn lines_with_index(index: &std::path::Path, args: &[&str]) -> Vec<String> {
    let e = env();
    stdout_of(
        Command::new(env!("CARGO_BIN_EXE_pquery"))
            .env("STRATA_INDEX_DIR", index)
            .env("NO_COLOR", "1")
            .arg("--config")
            .arg(e.config.etc_portage())
            .arg("--root")
            .arg(e.config.path())
            .args(args),
    )
    .lines()
    .map(str::to_owned)
    .collect()
}

#[test]
fn warm_index_answers_as_a_cold_build() {
    // Each query once with an empty index directory (the index is built for it), then
    // again warm (the stored snapshot is used, its tiers checked); both must agree, and
    // agree with counts taken independently of the index.
    let tmp = tempfile::tempdir().unwrap();
    let queries: &[&[&str]] = &[
        &["-r", "guru", "*"],
        &["-r", "guru", "-S", "terminal"],
        &["-r", "guru", "--revdep", "dev-python/textual"],
        &["-r", "guru", "--maintainer", "vowstar"],
        &["-r", "guru", "--license", "MIT"],
        &["-r", "guru", "*", "--attr", "depend"],
        &["-r", "guru", "--raw", "*"],
        &["-r", "guru", "-S", "terminal", "--raw"],
    ];
    for (i, q) in queries.iter().enumerate() {
        let dir = tmp.path().join(format!("cold-{i}"));
        let cold = lines_with_index(&dir, q);
        let warm = lines_with_index(&dir, q);
        assert_eq!(cold, warm, "{q:?}");
        assert!(!cold.is_empty(), "{q:?}");
    }
    // Independent counts: every ebuild (walk of the tree) and the description search
    // (grep of the md5-cache and metadata.xml files).
    let all = lines_with_index(&tmp.path().join("cold-6"), &["-r", "guru", "--raw", "*"]);
    assert_eq!(all.len(), walk_ebuilds(&guru_dir()).len());
    let want: Vec<String> = walk_ebuilds(&guru_dir())
        .into_iter()
        .filter(|cpv| {
            let (cat, pf) = cpv.split_once('/').unwrap();
            let entry = read_md5_cache(&guru_dir().join("metadata/md5-cache").join(cat).join(pf));
            let parsed = strata_atom::cpv::Cpv::parse(cpv).unwrap();
            let pn = parsed.package();
            let xml = std::fs::read_to_string(guru_dir().join(cat).join(pn).join("metadata.xml"))
                .unwrap_or_default()
                .to_lowercase();
            // The English long description (no lang, or lang="en"), else the first.
            let longs: Vec<(bool, &str)> = xml
                .split("<longdescription")
                .skip(1)
                .map(|l| {
                    let (attrs, rest) = l.split_once('>').unwrap_or(("", l));
                    let english = !attrs.contains("lang=") || attrs.contains("lang=\"en\"");
                    (
                        english,
                        rest.split("</longdescription>").next().unwrap_or(""),
                    )
                })
                .collect();
            let long = longs
                .iter()
                .find(|(en, _)| *en)
                .or(longs.first())
                .map_or("", |(_, t)| *t);
            entry
                .get("DESCRIPTION")
                .is_some_and(|d| d.to_lowercase().contains("terminal"))
                || long.contains("terminal")
        })
        .collect();
    let got = lines_with_index(
        &tmp.path().join("cold-7"),
        &["-r", "guru", "-S", "terminal", "--raw"],
    );
    assert_eq!(got.len(), 146);
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(sorted, want);
}

/// `--attr required_use` as pkgcore prints it: the REQUIRED_USE depset in pkgcore's shape
/// (single-child `||` groups collapsed), USE-evaluated for configured packages (pkgcore's
/// ConfiguredTree wraps `required_use`), whole with `--raw`.
#[test]
fn required_use_is_evaluated_for_configured_packages() {
    // REQUIRED_USE="|| ( gnome-keyring pass ) || ( python_targets_python3_12 )"
    assert_eq!(
        lines(&[
            "--raw",
            "--one-attr",
            "required_use",
            "=app-admin/krapplet-0.3.1-r1"
        ]),
        ["|| ( gnome-keyring pass ) python_targets_python3_12"]
    );
    // REQUIRED_USE="bpf? ( clang )": bpf is off in GURU's default configuration.
    let raw = lines(&[
        "--raw",
        "--one-attr",
        "required_use",
        "=app-admin/ananicy-cpp-1.1.1-r4",
    ]);
    assert_eq!(raw, ["bpf? ( clang )"]);
    let configured = lines(&[
        "--one-attr",
        "required_use",
        "=app-admin/ananicy-cpp-1.1.1-r4",
    ]);
    assert_eq!(configured, [""]);
}
