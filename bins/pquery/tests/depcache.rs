//! pquery on an overlay without `metadata/md5-cache`: its metadata comes from the PMS
//! `metadata/cache`, or from Portage's dependency cache under `PORTAGE_DEPCACHEDIR`
//! (make.conf).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use strata_testtools::{
    copy_tree, gentoo_stub_dir, guru_dir, read_md5_cache, write_file, write_portage_config,
};

/// The overlay's packages (all their versions).
const PACKAGES: &[&str] = &["www-plugins/tridactyl-native", "www-plugins/firefoxpwa"];

/// The PMS cache line order.
const PMS_KEYS: [&str; 18] = [
    "DEPEND",
    "RDEPEND",
    "SLOT",
    "SRC_URI",
    "RESTRICT",
    "HOMEPAGE",
    "LICENSE",
    "DESCRIPTION",
    "KEYWORDS",
    "INHERITED",
    "IUSE",
    "REQUIRED_USE",
    "PDEPEND",
    "BDEPEND",
    "EAPI",
    "PROPERTIES",
    "DEFINED_PHASES",
    "IDEPEND",
];

/// Every version of the overlay (`category/PF`) with GURU's md5-cache entry for it.
fn entries() -> BTreeMap<String, BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for cp in PACKAGES {
        let cat = cp.split_once('/').unwrap().0;
        for e in std::fs::read_dir(guru_dir().join(cp)).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            if let Some(pf) = name.strip_suffix(".ebuild") {
                let path = guru_dir().join("metadata/md5-cache").join(cat).join(pf);
                out.insert(format!("{cat}/{pf}"), read_md5_cache(&path));
            }
        }
    }
    assert!(out.len() >= 3);
    out
}

/// The eclass names of an md5-cache `_eclasses_` value (name/md5 pairs).
fn eclass_names(entry: &BTreeMap<String, String>) -> Vec<String> {
    entry
        .get("_eclasses_")
        .map(|v| v.split('\t').step_by(2).map(str::to_owned).collect())
        .unwrap_or_default()
}

/// A temp dir with the overlay (no md5-cache; GURU's layout.conf without
/// `cache-formats`, eclasses and profiles) and a config naming gentoo-stub and it, with
/// `PORTAGE_DEPCACHEDIR=<tmp>/dep`. Returns (tmp, overlay, config dir).
fn overlay() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("overlay");
    copy_tree(&guru_dir().join("profiles"), &repo.join("profiles"));
    copy_tree(&guru_dir().join("eclass"), &repo.join("eclass"));
    let layout: String = std::fs::read_to_string(guru_dir().join("metadata/layout.conf"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("cache-formats"))
        .map(|l| format!("{l}\n"))
        .collect();
    write_file(&repo, "metadata/layout.conf", &layout);
    for cp in PACKAGES {
        copy_tree(&guru_dir().join(cp), &repo.join(cp));
    }
    let etc = write_portage_config(
        &tmp.path().join("config"),
        &[("gentoo", &gentoo_stub_dir()), ("overlay", &repo)],
        &format!(
            "ACCEPT_KEYWORDS=\"amd64 ~amd64\"\nACCEPT_LICENSE=\"*\"\nPORTAGE_DEPCACHEDIR=\"{}\"\n",
            tmp.path().join("dep").display()
        ),
        &gentoo_stub_dir().join("profiles/default/linux/amd64"),
    );
    (tmp, repo, etc)
}

fn ebuild(repo: &Path, cpv: &str) -> PathBuf {
    let (cat, pf) = cpv.split_once('/').unwrap();
    let pn = PACKAGES
        .iter()
        .find_map(|cp| {
            let pn = cp.split_once('/').unwrap().1;
            pf.strip_prefix(pn)
                .filter(|v| v.starts_with('-'))
                .map(|_| pn)
        })
        .unwrap();
    repo.join(cat).join(pn).join(format!("{pf}.ebuild"))
}

/// `pquery --raw -r overlay '*' --attr description --attr slot --attr rdepend`.
fn query(etc: &Path, index: &Path) -> Vec<String> {
    common::run(common::command(etc, None, index).args([
        "--raw",
        "-r",
        "overlay",
        "*",
        "--attr",
        "description",
        "--attr",
        "slot",
        "--attr",
        "rdepend",
    ]))
    .lines("on the overlay")
}

/// What [`query`] prints for GURU's entries.
fn expected() -> Vec<String> {
    let norm = |e: &BTreeMap<String, String>, k: &str| {
        e.get(k)
            .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    entries()
        .iter()
        .map(|(cpv, e)| {
            format!(
                "{cpv} description=\"{}\" slot=\"{}\" rdepend=\"{}\"",
                norm(e, "DESCRIPTION"),
                norm(e, "SLOT"),
                norm(e, "RDEPEND")
            )
        })
        .collect()
}

#[test]
fn metadata_comes_from_the_pms_cache() {
    let (tmp, repo, etc) = overlay();
    for (cpv, e) in entries() {
        let inherited = eclass_names(&e).join(" ");
        let mut lines: Vec<&str> = PMS_KEYS
            .iter()
            .map(|k| match *k {
                "INHERITED" => inherited.as_str(),
                k => e.get(k).map_or("", String::as_str),
            })
            .collect();
        lines.resize(22, "");
        let rel = format!("metadata/cache/{cpv}");
        write_file(&repo, &rel, &(lines.join("\n") + "\n"));
        let mtime = std::fs::metadata(ebuild(&repo, &cpv))
            .unwrap()
            .modified()
            .unwrap();
        std::fs::File::options()
            .write(true)
            .open(repo.join(&rel))
            .unwrap()
            .set_modified(mtime)
            .unwrap();
    }
    assert_eq!(query(&etc, &tmp.path().join("index")), expected());
}

#[test]
fn metadata_comes_from_the_depcache() {
    let (tmp, repo, etc) = overlay();
    let dep = tmp.path().join("dep").join(repo.strip_prefix("/").unwrap());
    for (cpv, e) in entries() {
        // As Portage writes it: the md5-cache keys, `_eclasses_` as name/dir/md5
        // triples sorted by name (the stub's md5s are the ones GURU's cache records).
        let mut pairs: Vec<(String, String)> = e
            .get("_eclasses_")
            .map(|v| {
                let parts: Vec<&str> = v.split('\t').collect();
                parts
                    .chunks(2)
                    .map(|c| (c[0].to_owned(), c[1].to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        pairs.sort();
        let triples: Vec<String> = pairs
            .iter()
            .map(|(name, md5)| {
                let own = repo.join("eclass");
                let dir = if own.join(format!("{name}.eclass")).exists() {
                    own
                } else {
                    gentoo_stub_dir().join("eclass")
                };
                format!("{name}\t{}\t{md5}", dir.display())
            })
            .collect();
        let mut text = String::new();
        for (k, v) in &e {
            let v = if k == "_eclasses_" {
                triples.join("\t")
            } else {
                v.clone()
            };
            text.push_str(&format!("{k}={v}\n"));
        }
        write_file(&dep, &cpv, &text);
    }
    assert_eq!(query(&etc, &tmp.path().join("index")), expected());
}
