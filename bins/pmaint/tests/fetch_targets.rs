//! `pmaint fetch <target>...`: package targets resolved in the domain's visible ebuild
//! repositories, on the shared GURU config (`--pretend`) and on a tiny repository made
//! here, fetched for real from a `file://` third-party mirror.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use sha2::{Digest, Sha512};
use strata_atom::cpv::Cpv;
use strata_testtools::{
    guru_dir, read_md5_cache, stdout_of, write_ebuild_with_entry, write_file, write_guru_config,
    write_portage_config, write_repo_skeleton,
};

fn pmaint() -> Command {
    Command::new(env!("CARGO_BIN_EXE_pmaint"))
}

/// The md5-cache entry of the highest version of `category/package` in GURU.
fn best_guru_entry(
    category: &str,
    package: &str,
) -> (Cpv, std::collections::BTreeMap<String, String>) {
    let dir = guru_dir().join("metadata/md5-cache").join(category);
    let best = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter_map(|pf| Cpv::parse(&format!("{category}/{pf}")).ok())
        .filter(|cpv| cpv.package() == package)
        .max()
        .expect("a cache entry");
    let entry = read_md5_cache(&dir.join(best.pf()));
    (best, entry)
}

/// The distfile names and the URI lines `--pretend` printed, per distfile.
fn pretend_lines(out: &str) -> Vec<(String, Vec<String>)> {
    let mut files: Vec<(String, Vec<String>)> = Vec::new();
    for line in out.lines() {
        if let Some(uri) = line.strip_prefix("  ") {
            if !uri.starts_with("!!!") {
                files
                    .last_mut()
                    .expect("a distfile line first")
                    .1
                    .push(uri.to_owned());
            }
        } else {
            files.push((line.to_owned(), Vec::new()));
        }
    }
    files
}

#[test]
fn guru_target_lists_the_best_versions_src_uri() {
    let config = write_guru_config(&[]);
    let distdir = tempfile::tempdir().unwrap();
    let (cpv, entry) = best_guru_entry("dev-python", "textual");
    let out = stdout_of(
        pmaint()
            .args(["fetch", "--pretend", "--mirrors", "", "--config-root"])
            .arg(config.path())
            .arg("--root")
            .arg(config.path())
            .arg("--distdir")
            .arg(distdir.path())
            .arg("dev-python/textual"),
    );
    // SRC_URI is "URL -> NAME" pairs (no USE conditionals for textual).
    let src: Vec<&str> = entry["SRC_URI"].split_whitespace().collect();
    let mut expected = Vec::new();
    let mut i = 0;
    while i < src.len() {
        if src.get(i + 1) == Some(&"->") {
            expected.push((src[i + 2].to_owned(), vec![src[i].to_owned()]));
            i += 3;
        } else {
            let name = src[i].rsplit('/').next().unwrap().to_owned();
            expected.push((name, vec![src[i].to_owned()]));
            i += 1;
        }
    }
    assert!(!expected.is_empty(), "{cpv} has a SRC_URI");
    assert_eq!(pretend_lines(&out), expected, "{cpv}: {out}");
}

#[test]
fn guru_thirdpartymirrors_expand_for_a_named_version() {
    let config = write_guru_config(&[]);
    let distdir = tempfile::tempdir().unwrap();
    let cache = guru_dir().join("metadata/md5-cache/dev-util");
    let pf = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|pf| pf.starts_with("bash-language-server-"))
        .find(|pf| read_md5_cache(&cache.join(pf))["SRC_URI"].contains("mirror://npm/"))
        .expect("a bash-language-server with mirror://npm");
    let entry = read_md5_cache(&cache.join(&pf));
    let out = stdout_of(
        pmaint()
            .args([
                "fetch",
                "--pretend",
                "--no-shuffle",
                "--mirrors",
                "",
                "--config-root",
            ])
            .arg(config.path())
            .arg("--root")
            .arg(config.path())
            .arg("--distdir")
            .arg(distdir.path())
            .arg(format!("=dev-util/{pf}")),
    );
    let npm_uri = entry["SRC_URI"]
        .split_whitespace()
        .find(|u| u.starts_with("mirror://npm/"))
        .unwrap();
    let rest = npm_uri.strip_prefix("mirror://npm/").unwrap();
    let mirrors = std::fs::read_to_string(guru_dir().join("profiles/thirdpartymirrors")).unwrap();
    let bases: Vec<&str> = mirrors
        .lines()
        .find_map(|l| l.strip_prefix("npm"))
        .unwrap()
        .split_whitespace()
        .collect();
    let expected: Vec<String> = bases
        .iter()
        .map(|b| format!("{}/{rest}", b.trim_end_matches('/')))
        .collect();
    let name = rest.rsplit('/').next().unwrap();
    let files = pretend_lines(&out);
    let (_, uris) = files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} not listed: {out}"));
    assert_eq!(uris, &expected, "{out}");
    // The other SRC_URI entry, a plain URL, is listed too.
    assert_eq!(
        files.len(),
        entry["SRC_URI"].split_whitespace().count(),
        "{out}"
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A repository `tiny` with app-misc/foo-1 and foo-2 (SRC_URI from a third-party mirror
/// that is a local directory; foo-2 is masked by keyword), its config, and the mirror.
fn tiny_setup(tmp: &Path, payload: &[u8]) -> std::path::PathBuf {
    let repo = tmp.join("repo");
    let upstream = tmp.join("upstream");
    std::fs::create_dir_all(upstream.join("pub")).unwrap();
    std::fs::write(upstream.join("pub/foo-1.tar.gz"), payload).unwrap();
    let profile = write_repo_skeleton(
        &repo,
        "tiny",
        &["app-misc"],
        "thin-manifests = true\nmanifest-hashes = SHA512\nmanifest-required-hashes = SHA512\n",
    );
    write_file(
        &repo,
        "profiles/thirdpartymirrors",
        &format!("tinymirror\tfile://{}\n", upstream.display()),
    );
    for (pv, keywords) in [("1", "amd64"), ("2", "~amd64")] {
        let src_uri = format!(
            "mirror://tinymirror/pub/foo-{pv}.tar.gz doc? ( mirror://tinymirror/pub/foo-doc-{pv}.tar.gz )"
        );
        write_ebuild_with_entry(
            &repo,
            &format!("app-misc/foo-{pv}"),
            &format!(
                "EAPI=8\nDESCRIPTION=\"foo\"\nSLOT=\"0\"\nLICENSE=\"MIT\"\nKEYWORDS=\"{keywords}\"\n\
                 IUSE=\"doc\"\nSRC_URI=\"{src_uri}\"\n"
            ),
            &[
                ("DEFINED_PHASES", "-"),
                ("DESCRIPTION", "foo"),
                ("EAPI", "8"),
                ("IUSE", "doc"),
                ("KEYWORDS", keywords),
                ("LICENSE", "MIT"),
                ("SLOT", "0"),
                ("SRC_URI", &src_uri),
            ],
        );
    }
    write_file(
        &repo,
        "app-misc/foo/Manifest",
        &format!(
            "DIST foo-1.tar.gz {} SHA512 {}\n",
            payload.len(),
            hex(&Sha512::digest(payload))
        ),
    );
    let config_root = tmp.join("config");
    write_portage_config(
        &config_root,
        &[("tiny", &repo)],
        &format!(
            "ACCEPT_LICENSE=\"*\"\nDISTDIR=\"{}\"\nGENTOO_MIRRORS=\"\"\n",
            tmp.join("distfiles").display()
        ),
        &profile,
    );
    std::fs::create_dir_all(tmp.join("distfiles")).unwrap();
    config_root
}

#[test]
fn tiny_repo_target_is_fetched_from_its_thirdparty_mirror_into_the_domain_distdir() {
    let tmp = tempfile::tempdir().unwrap();
    let payload = b"not really a tarball, but its Manifest says so\n";
    let config_root = tiny_setup(tmp.path(), payload);
    let run = |extra: &[&str]| {
        pmaint()
            .args(["fetch", "--config-root"])
            .arg(&config_root)
            .arg("--root")
            .arg(&config_root)
            .args(extra)
            .arg("app-misc/foo")
            .output()
            .unwrap()
    };

    // foo-2 is ~amd64: foo-1 is the best visible; USE=doc is off, so only foo-1.tar.gz.
    let pretend = run(&["--pretend"]);
    let out = String::from_utf8_lossy(&pretend.stdout);
    assert!(pretend.status.success(), "{out}");
    let upstream = tmp.path().join("upstream");
    assert_eq!(
        pretend_lines(&out),
        vec![(
            "foo-1.tar.gz".to_owned(),
            vec![format!("file://{}/pub/foo-1.tar.gz", upstream.display())]
        )],
        "{out}"
    );

    let fetched = run(&[]);
    let out = String::from_utf8_lossy(&fetched.stdout);
    assert!(
        fetched.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&fetched.stderr)
    );
    let got = std::fs::read(tmp.path().join("distfiles/foo-1.tar.gz")).unwrap();
    assert_eq!(got, payload);
    assert!(out.contains("foo-1.tar.gz: fetched from file://"), "{out}");

    // A corrupt mirror copy fails verification and the command says so.
    std::fs::remove_file(tmp.path().join("distfiles/foo-1.tar.gz")).unwrap();
    std::fs::write(upstream.join("pub/foo-1.tar.gz"), b"tampered").unwrap();
    let bad = run(&[]);
    assert!(!bad.status.success());
    assert!(!tmp.path().join("distfiles/foo-1.tar.gz").exists());

    // The domain's USE (package.use) evaluates SRC_URI's conditionals.
    write_file(
        &config_root.join("etc/portage"),
        "package.use",
        "app-misc/foo doc\n",
    );
    let with_doc = run(&["--pretend"]);
    let out = String::from_utf8_lossy(&with_doc.stdout);
    let names: Vec<String> = pretend_lines(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["foo-1.tar.gz", "foo-doc-1.tar.gz"], "{out}");
}

#[test]
fn implicit_flags_such_as_the_arch_evaluate_src_uri() {
    // A conditional on a flag outside IUSE (the arch) is decided by the global USE, as
    // Portage does: `amd64? ( ... )` is taken when amd64 is enabled, `x86? ( ... )` is not.
    let tmp = tempfile::tempdir().unwrap();
    let config_root = tiny_setup(tmp.path(), b"payload");
    let repo = tmp.path().join("repo");
    // Real arch profiles enable their arch flag globally; say so here (whether ARCH alone
    // implies it is the domain's business, not this test's).
    write_file(
        &repo,
        "profiles/default/make.defaults",
        "ARCH=\"amd64\"\nACCEPT_KEYWORDS=\"amd64\"\nUSE=\"amd64\"\n",
    );
    let src_uri = "amd64? ( mirror://tinymirror/pub/bar-amd64.tar.gz ) \
                   x86? ( mirror://tinymirror/pub/bar-x86.tar.gz )";
    write_ebuild_with_entry(
        &repo,
        "app-misc/bar-1",
        &format!(
            "EAPI=8\nDESCRIPTION=\"bar\"\nSLOT=\"0\"\nLICENSE=\"MIT\"\nKEYWORDS=\"amd64\"\n\
             SRC_URI=\"{src_uri}\"\n"
        ),
        &[
            ("DEFINED_PHASES", "-"),
            ("DESCRIPTION", "bar"),
            ("EAPI", "8"),
            ("KEYWORDS", "amd64"),
            ("LICENSE", "MIT"),
            ("SLOT", "0"),
            ("SRC_URI", src_uri),
        ],
    );
    let text = stdout_of(
        pmaint()
            .args(["fetch", "--pretend", "--config-root"])
            .arg(&config_root)
            .arg("--root")
            .arg(&config_root)
            .arg("app-misc/bar"),
    );
    let names: Vec<String> = pretend_lines(&text).into_iter().map(|(n, _)| n).collect();
    assert_eq!(names, ["bar-amd64.tar.gz"], "{text}");
}

#[test]
fn unknown_target_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let config_root = tiny_setup(tmp.path(), b"x");
    let out = pmaint()
        .args(["fetch", "--pretend", "--config-root"])
        .arg(&config_root)
        .arg("--root")
        .arg(&config_root)
        .arg("app-misc/nonesuch")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("app-misc/nonesuch"));
}
