//! pquery on the real GURU overlay with the gentoo-stub master (shared data), through a
//! config directory generated in a temp dir. Fails (does not skip) without the data.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn shared() -> PathBuf {
    let dir = std::env::var_os("STRATA_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
    assert!(
        dir.join("data/repos/guru").is_dir(),
        "shared data not found at {} (set STRATA_SHARED)",
        dir.display()
    );
    dir.canonicalize().unwrap()
}

struct Env {
    _dir: tempfile::TempDir,
    config: PathBuf,
    index: PathBuf,
}

/// One config dir (and one search index) for the whole test binary.
fn env() -> &'static Env {
    static ENV: OnceLock<Env> = OnceLock::new();
    ENV.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let repos = shared().join("data/repos");
        let etc = dir.path().join("etc/portage");
        std::fs::create_dir_all(&etc).unwrap();
        std::fs::write(
            etc.join("repos.conf"),
            format!(
                "[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = {}\n\n[guru]\nlocation = {}\n",
                repos.join("gentoo-stub").display(),
                repos.join("guru").display()
            ),
        )
        .unwrap();
        std::fs::write(
            etc.join("make.conf"),
            "ACCEPT_KEYWORDS=\"amd64 ~amd64\"\nACCEPT_LICENSE=\"*\"\n",
        )
        .unwrap();
        std::os::unix::fs::symlink(
            repos.join("gentoo-stub/profiles/default/linux/amd64"),
            etc.join("make.profile"),
        )
        .unwrap();
        let index = dir.path().join("index");
        Env {
            config: etc,
            index,
            _dir: dir,
        }
    })
}

fn lines(args: &[&str]) -> Vec<String> {
    let e = env();
    let root = e.config.parent().unwrap().parent().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_pquery"))
        .env("STRATA_INDEX_DIR", &e.index)
        .env("NO_COLOR", "1")
        .arg("--config")
        .arg(&e.config)
        .arg("--root")
        .arg(root)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pquery {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn guru() -> PathBuf {
    shared().join("data/repos/guru")
}

/// `category/PF` of every ebuild, by walking the tree.
fn walk_ebuilds() -> Vec<String> {
    let mut out = Vec::new();
    for cat in std::fs::read_dir(guru()).unwrap().flatten() {
        let cname = cat.file_name().into_string().unwrap();
        if !cat.path().is_dir() || cname.starts_with('.') {
            continue;
        }
        for pkg in std::fs::read_dir(cat.path()).unwrap().flatten() {
            if !pkg.path().is_dir() {
                continue;
            }
            for f in std::fs::read_dir(pkg.path()).unwrap().flatten() {
                let n = f.file_name().into_string().unwrap();
                if let Some(pf) = n.strip_suffix(".ebuild") {
                    out.push(format!("{cname}/{pf}"));
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn lists_every_ebuild_raw() {
    let got = lines(&["-r", "guru", "--raw", "*"]);
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(sorted, walk_ebuilds());
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
fn cache_entry(cpv: &str) -> std::collections::HashMap<String, String> {
    let text = std::fs::read_to_string(guru().join("metadata/md5-cache").join(cpv)).unwrap();
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
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
    let cache = guru().join("metadata/md5-cache");
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
    assert!(out[0].contains(" rdepend on dev-python/textual through >=dev-python/textual-8.0.0["));
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
