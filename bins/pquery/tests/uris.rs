//! `--attr uris` and `--attr fetchables` as pkgcore prints them: each SRC_URI distfile's
//! URI list with the default mirrors (`GENTOO_MIRRORS` + `/distfiles`) and `mirror://`
//! expanded through the repository's `thirdpartymirrors` (pkgcore's
//! `ebuild_src.create_fetchable_from_uri` and `fetch.uri_list`), on fixture repositories
//! and on GURU with the gentoo-stub master (shared data).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use strata_testtools::{guru_dir, read_md5_cache, write_file, write_portage_config};

/// A GURU ebuild that inherits nothing: its text and recorded md5 make fixture cache
/// entries valid (the md5-cache records the ebuild's md5, not its name).
const DONOR: &str = "media-sound/orca-c/orca-c-0_pre20250416-r1.ebuild";
const DONOR_CACHE: &str = "metadata/md5-cache/media-sound/orca-c-0_pre20250416-r1";

/// Two ebuild repositories in a temporary directory: `base` (the main repository and
/// the profile) and `overlay` (`masters = base`), each with its own
/// `profiles/thirdpartymirrors`, and a config whose make.conf is the usual one plus
/// `make_conf`.
struct Fixture {
    dir: tempfile::TempDir,
}

/// One fixture package: `(repo, cat/pn-ver, [(cache key, value)])`.
type Pkg<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

impl Fixture {
    fn new(make_conf: &str, pkgs: &[Pkg<'_>]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let repos = dir.path().join("repos");
        let donor_text = std::fs::read_to_string(guru_dir().join(DONOR)).unwrap();
        let donor_md5 = read_md5_cache(&guru_dir().join(DONOR_CACHE))["_md5_"].clone();
        for (name, masters, mirrors) in [
            (
                "base",
                "",
                "alpha https://a1.example/ https://a2.example/pub\n\
                 shared https://base.example/shared\n",
            ),
            (
                "overlay",
                "base",
                "# overlay's own tiers\nshared https://overlay.example/s/\n\
                 beta https://b1.example https://b2.example\n",
            ),
        ] {
            let r = repos.join(name);
            write_file(&r, "profiles/repo_name", &format!("{name}\n"));
            write_file(&r, "profiles/categories", "app-misc\n");
            write_file(&r, "profiles/thirdpartymirrors", mirrors);
            write_file(
                &r,
                "metadata/layout.conf",
                &format!("masters = {masters}\nthin-manifests = true\n"),
            );
        }
        write_file(&repos.join("base"), "profiles/arch.list", "amd64\n");
        write_file(&repos.join("base"), "profiles/default/eapi", "8\n");
        write_file(
            &repos.join("base"),
            "profiles/default/make.defaults",
            "ARCH=\"amd64\"\nACCEPT_KEYWORDS=\"amd64\"\nUSE_EXPAND_IMPLICIT=\"ARCH\"\n\
             USE_EXPAND_UNPREFIXED=\"ARCH\"\nUSE_EXPAND_VALUES_ARCH=\"amd64 arm64\"\n",
        );
        for (repo, cpv, keys) in pkgs {
            let r = repos.join(repo);
            let (cat, pf) = cpv.split_once('/').unwrap();
            let pn = pf.rsplit_once('-').unwrap().0;
            write_file(&r, &format!("{cat}/{pn}/{pf}.ebuild"), &donor_text);
            let mut entry = String::new();
            for (k, default) in [
                ("EAPI", "8"),
                ("SLOT", "0"),
                ("KEYWORDS", "amd64"),
                ("LICENSE", "MIT"),
                ("DESCRIPTION", "fixture"),
            ] {
                if !keys.iter().any(|(key, _)| key == &k) {
                    entry.push_str(&format!("{k}={default}\n"));
                }
            }
            for (k, v) in keys.iter() {
                if *k == "Manifest" {
                    write_file(&r, &format!("{cat}/{pn}/Manifest"), v);
                } else {
                    entry.push_str(&format!("{k}={v}\n"));
                }
            }
            entry.push_str(&format!("_md5_={donor_md5}\n"));
            write_file(&r, &format!("metadata/md5-cache/{cpv}"), &entry);
        }
        write_portage_config(
            dir.path(),
            &[
                ("base", &repos.join("base")),
                ("overlay", &repos.join("overlay")),
            ],
            &format!("ACCEPT_KEYWORDS=\"amd64\"\nACCEPT_LICENSE=\"*\"\n{make_conf}"),
            &repos.join("base/profiles/default"),
        );
        Fixture { dir }
    }

    fn etc(&self) -> PathBuf {
        self.dir.path().join("etc/portage")
    }

    /// stdout of a successful run.
    fn run(&self, args: &[&str]) -> String {
        let out = common::run(
            common::command(&self.etc(), None, &self.dir.path().join("index")).args(args),
        );
        assert!(out.stderr.is_empty(), "{args:?}: {}", out.stderr);
        out.success(&format!("{args:?}"))
    }

    /// `--one-attr ATTR` of one package, without the trailing newline.
    fn one(&self, attr: &str, target: &str) -> String {
        let out = self.run(&["--one-attr", attr, target]);
        out.strip_suffix('\n').unwrap_or(&out).to_owned()
    }
}

const MIRRORS: &str = "GENTOO_MIRRORS=\"https://gm1.example/ https://gm2.example/pub\"\n";

/// The default mirror URLs of `file` for [`MIRRORS`].
fn gm(file: &str) -> String {
    format!("https://gm1.example/distfiles/{file} https://gm2.example/pub/distfiles/{file}")
}

#[test]
fn default_and_third_party_mirrors() {
    let f = Fixture::new(
        MIRRORS,
        &[
            (
                "overlay",
                "app-misc/plain-1",
                &[(
                    "SRC_URI",
                    "https://up.example/dl/plain-1.tar.gz mirror://alpha//p/data-1.tgz \
                     mirror://shared/x/shared-1.zip mirror://beta/b.tgz -> beta-1.tgz \
                     mirror://nosuch/n-1.tgz local-1.tar.gz",
                )],
            ),
            (
                "base",
                "app-misc/basepkg-1",
                &[("SRC_URI", "mirror://shared/x/shared-1.zip")],
            ),
        ],
    );
    let expected = [
        format!(
            "{} https://up.example/dl/plain-1.tar.gz",
            gm("plain-1.tar.gz")
        ),
        // The master's tier, URLs joined with the path (slashes between them collapsed).
        format!(
            "{} https://a1.example/p/data-1.tgz https://a2.example/pub/p/data-1.tgz",
            gm("data-1.tgz")
        ),
        // The overlay's own definition of `shared` wins over its master's.
        format!(
            "{} https://overlay.example/s/x/shared-1.zip",
            gm("shared-1.zip")
        ),
        // A rename: the default mirrors carry the new name, the tier the URI's path.
        format!(
            "{} https://b1.example/b.tgz https://b2.example/b.tgz",
            gm("beta-1.tgz")
        ),
        // A mirror name no repository defines contributes nothing.
        gm("n-1.tgz"),
        // A bare file name has no URI at all.
        String::new(),
    ];
    assert_eq!(f.one("uris", "app-misc/plain"), expected.join(" "));
    // A package of the master sees the master's tiers only.
    assert_eq!(
        f.one("uris", "app-misc/basepkg"),
        format!(
            "{} https://base.example/shared/x/shared-1.zip",
            gm("shared-1.zip")
        )
    );
    // The default line and -n use the same value.
    assert_eq!(
        f.run(&["--attr", "uris", "app-misc/basepkg"]),
        format!(
            "app-misc/basepkg-1 uris=\"{} https://base.example/shared/x/shared-1.zip\"\n",
            gm("shared-1.zip")
        )
    );
}

#[test]
fn gentoo_mirrors_unset_or_empty() {
    let pkgs: &[Pkg<'_>] = &[(
        "overlay",
        "app-misc/plain-1",
        &[(
            "SRC_URI",
            "https://up.example/plain-1.tgz mirror://alpha/a-1.tgz",
        )],
    )];
    // Unset: make.globals' http://distfiles.gentoo.org.
    let unset = Fixture::new("", pkgs);
    assert_eq!(
        unset.one("uris", "app-misc/plain"),
        "http://distfiles.gentoo.org/distfiles/plain-1.tgz https://up.example/plain-1.tgz \
         http://distfiles.gentoo.org/distfiles/a-1.tgz https://a1.example/a-1.tgz \
         https://a2.example/pub/a-1.tgz"
    );
    // Set to nothing: no default mirrors.
    let empty = Fixture::new("GENTOO_MIRRORS=\"\"\n", pkgs);
    assert_eq!(
        empty.one("uris", "app-misc/plain"),
        "https://up.example/plain-1.tgz https://a1.example/a-1.tgz https://a2.example/pub/a-1.tgz"
    );
}

#[test]
fn restrictions_and_eapi8_prefixes() {
    let src = "https://u.example/a-1.tgz fetch+https://u.example/b-1.tgz \
               mirror+https://u.example/c-1.tgz mirror://alpha/d-1.tgz";
    let f = Fixture::new(
        MIRRORS,
        &[
            (
                "overlay",
                "app-misc/rmirror-1",
                &[("SRC_URI", src), ("RESTRICT", "strip mirror")],
            ),
            (
                "overlay",
                "app-misc/rfetch-1",
                &[("SRC_URI", src), ("RESTRICT", "fetch")],
            ),
            (
                "overlay",
                "app-misc/rprimary-1",
                &[("SRC_URI", src), ("RESTRICT", "primaryuri")],
            ),
            (
                "overlay",
                "app-misc/rtest-1",
                &[
                    ("SRC_URI", src),
                    ("IUSE", "test"),
                    ("RESTRICT", "test? ( mirror )"),
                ],
            ),
        ],
    );
    // fetch implies mirror: no default mirrors unless the URI says mirror+; prefixes are
    // not part of the URI.
    let restricted = format!(
        "https://u.example/a-1.tgz https://u.example/b-1.tgz {} https://u.example/c-1.tgz \
         https://a1.example/d-1.tgz https://a2.example/pub/d-1.tgz",
        gm("c-1.tgz")
    );
    assert_eq!(f.one("uris", "app-misc/rmirror"), restricted);
    assert_eq!(f.one("uris", "app-misc/rfetch"), restricted);
    assert_eq!(
        f.one("uris", "app-misc/rprimary"),
        format!(
            "https://u.example/a-1.tgz {} https://u.example/b-1.tgz {} \
             https://u.example/c-1.tgz {} https://a1.example/d-1.tgz \
             https://a2.example/pub/d-1.tgz {}",
            gm("a-1.tgz"),
            gm("b-1.tgz"),
            gm("c-1.tgz"),
            gm("d-1.tgz")
        )
    );
    // A USE-conditional restriction applies only when its flag is on (test is off).
    assert_eq!(
        f.one("uris", "app-misc/rtest"),
        format!(
            "{} https://u.example/a-1.tgz {} https://u.example/b-1.tgz {} \
             https://u.example/c-1.tgz {} https://a1.example/d-1.tgz \
             https://a2.example/pub/d-1.tgz",
            gm("a-1.tgz"),
            gm("b-1.tgz"),
            gm("c-1.tgz"),
            gm("d-1.tgz")
        )
    );
}

#[test]
fn use_conditionals_duplicates_and_raw() {
    let f = Fixture::new(
        MIRRORS,
        &[(
            "overlay",
            "app-misc/cond-1",
            &[
                ("IUSE", "+ssl doc"),
                (
                    "SRC_URI",
                    "https://up.example/c-1.tgz ssl? ( https://up.example/s-1.tgz ) \
                     doc? ( https://up.example/d-1.tgz ) !ssl? ( https://other.example/s-1.tgz ) \
                     ssl? ( mirror://alpha/c-1.tgz )",
                ),
            ],
        )],
    );
    // Configured: the USE-evaluated tree; the file named twice shows its whole list at
    // both places, and the disabled !ssl? branch adds nothing to s-1.tgz.
    let c = format!(
        "{} https://up.example/c-1.tgz https://a1.example/c-1.tgz https://a2.example/pub/c-1.tgz",
        gm("c-1.tgz")
    );
    assert_eq!(
        f.one("uris", "app-misc/cond"),
        format!("{c} {} https://up.example/s-1.tgz {c}", gm("s-1.tgz"))
    );
    assert_eq!(f.one("files", "app-misc/cond"), "c-1.tgz s-1.tgz c-1.tgz");
    // A conditional on a flag outside IUSE (the arch) is decided by the global USE.
    let arch = Fixture::new(
        "GENTOO_MIRRORS=\"\"\n",
        &[(
            "overlay",
            "app-misc/bin-1",
            &[(
                "SRC_URI",
                "amd64? ( https://up.example/bin-amd64-1.tgz ) \
                 arm64? ( https://up.example/bin-arm64-1.tgz )",
            )],
        )],
    );
    assert_eq!(
        arch.one("uris", "app-misc/bin"),
        "https://up.example/bin-amd64-1.tgz"
    );
    // --raw: the whole tree, conditionals kept, each file's list gathered from every
    // branch; mirrors apply as configured (the raw view keeps the configuration's
    // GENTOO_MIRRORS and thirdpartymirrors, as pkgcore's raw repositories do).
    let c_all = format!(
        "{} https://up.example/c-1.tgz https://a1.example/c-1.tgz https://a2.example/pub/c-1.tgz",
        gm("c-1.tgz")
    );
    let s_all = format!(
        "{} https://up.example/s-1.tgz https://other.example/s-1.tgz",
        gm("s-1.tgz")
    );
    assert_eq!(
        f.run(&["--raw", "--one-attr", "uris", "app-misc/cond"]),
        format!(
            "{c_all} ssl? ( {s_all} ) doc? ( {} https://up.example/d-1.tgz ) !ssl? ( {s_all} ) \
             ssl? ( {c_all} )\n",
            gm("d-1.tgz")
        )
    );
}

#[test]
fn verbose_tree() {
    let f = Fixture::new(
        MIRRORS,
        &[(
            "overlay",
            "app-misc/verbose-1",
            &[
                ("IUSE", "+ssl"),
                ("RESTRICT", "primaryuri"),
                (
                    "SRC_URI",
                    "local-1.tgz mirror://nosuch/n-1.tgz ssl? ( https://up.example/s-1.tgz ) \
                     https://other.example/s-1.tgz",
                ),
            ],
        )],
    );
    let uris_lines = |args: &[&str]| -> Vec<String> {
        f.run(args)
            .lines()
            .skip_while(|l| !l.starts_with("     uris:"))
            .map(str::to_owned)
            .collect()
    };
    let s_list = [
        "https://up.example/s-1.tgz",
        "https://gm1.example/distfiles/s-1.tgz",
        "https://gm2.example/pub/distfiles/s-1.tgz",
        "https://other.example/s-1.tgz",
    ];
    let mut expected = vec![
        "     uris: ".to_owned(),
        // The bare file name: an empty line.
        String::new(),
        "        || (".to_owned(),
        "            https://gm1.example/distfiles/n-1.tgz".to_owned(),
        "            https://gm2.example/pub/distfiles/n-1.tgz".to_owned(),
        "        )".to_owned(),
    ];
    // Configured: the taken conditional is spliced in; s-1.tgz is named twice.
    for _ in 0..2 {
        expected.push("        || (".to_owned());
        expected.extend(s_list.iter().map(|u| format!("            {u}")));
        expected.push("        )".to_owned());
    }
    expected.push(String::new());
    assert_eq!(
        uris_lines(&["-v", "--attr", "uris", "app-misc/verbose"]),
        expected
    );
    // Raw: the conditional stays; its one child needs several lines, so the group
    // closes on a line of its own. Mirrors as configured (primaryuri: after the URI).
    assert_eq!(
        uris_lines(&["--raw", "-v", "--attr", "uris", "app-misc/verbose"]),
        [
            "     uris: ",
            "",
            "        || (",
            "            https://gm1.example/distfiles/n-1.tgz",
            "            https://gm2.example/pub/distfiles/n-1.tgz",
            "        )",
            "        ssl? ( || (",
            "                https://up.example/s-1.tgz",
            "                https://gm1.example/distfiles/s-1.tgz",
            "                https://gm2.example/pub/distfiles/s-1.tgz",
            "                https://other.example/s-1.tgz",
            "            )",
            "        )",
            "        || (",
            "            https://up.example/s-1.tgz",
            "            https://gm1.example/distfiles/s-1.tgz",
            "            https://gm2.example/pub/distfiles/s-1.tgz",
            "            https://other.example/s-1.tgz",
            "        )",
            "",
        ]
    );
    // A single URI in place; a package with only a bare file name gets one empty line.
    let g = Fixture::new(
        "GENTOO_MIRRORS=\"\"\n",
        &[
            (
                "overlay",
                "app-misc/single-1",
                &[("SRC_URI", "https://up.example/one-1.tgz")],
            ),
            (
                "overlay",
                "app-misc/bare-1",
                &[("SRC_URI", "bare-1.tgz"), ("RESTRICT", "fetch")],
            ),
        ],
    );
    for (target, tail) in [
        ("app-misc/single", "        https://up.example/one-1.tgz"),
        ("app-misc/bare", ""),
    ] {
        let out = g.run(&["-v", "--attr", "uris", target]);
        let lines: Vec<&str> = out
            .lines()
            .skip_while(|l| !l.starts_with("     uris:"))
            .collect();
        assert_eq!(lines, ["     uris: ", tail, ""], "{out}");
    }
}

#[test]
fn fetchables_with_manifest_checksums() {
    let f = Fixture::new(
        "GENTOO_MIRRORS=\"https://gm.example\"\n",
        &[(
            "overlay",
            "app-misc/fetchable-1",
            &[
                (
                    "SRC_URI",
                    "https://up.example/f-1.tgz mirror://beta/it's-1.tgz",
                ),
                (
                    "Manifest",
                    "DIST f-1.tgz 10 BLAKE2B 00 SHA512 11\nDIST it's-1.tgz 5 SHA512 22\n",
                ),
            ],
        )],
    );
    assert_eq!(
        f.one("fetchables", "app-misc/fetchable"),
        r#"('f-1.tgz', ['https://gm.example/distfiles/f-1.tgz', 'https://up.example/f-1.tgz'], size, blake2b, sha512) ("it's-1.tgz", ["https://gm.example/distfiles/it's-1.tgz", "https://b1.example/it's-1.tgz", "https://b2.example/it's-1.tgz"], size, sha512)"#
    );
}

/// GURU with the gentoo-stub master: `mirror://npm` expands through GURU's own
/// thirdpartymirrors, `mirror://goproxy` (defined only in the real ::gentoo) gives
/// nothing, and every distfile of a package that does not restrict mirroring starts
/// with the default mirror.
#[test]
fn guru_mirrors() {
    let config = strata_testtools::write_guru_config(&[(
        "make.conf",
        "ACCEPT_KEYWORDS=\"amd64 ~amd64\"\nACCEPT_LICENSE=\"*\"\n\
         GENTOO_MIRRORS=\"https://gm.example/gentoo/\"\n",
    )]);
    let run = |args: &[&str]| -> String {
        common::run(
            common::command(&config.etc_portage(), None, &config.path().join("index")).args(args),
        )
        .success(&format!("{args:?}"))
    };
    let npm_line = std::fs::read_to_string(guru_dir().join("profiles/thirdpartymirrors"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("npm"))
        .map(str::to_owned)
        .unwrap();
    let npm: Vec<String> = npm_line
        .split_whitespace()
        .skip(1)
        .map(|base| {
            format!(
                "{}/bash-language-server/-/bash-language-server-5.4.2.tgz",
                base.trim_end_matches('/')
            )
        })
        .collect();
    assert!(npm.len() > 3, "{npm_line}");
    let uris = run(&["--one-attr", "uris", "=dev-util/bash-language-server-5.4.2"]);
    let words: Vec<&str> = uris.split_whitespace().collect();
    let mut expected = vec!["https://gm.example/gentoo/distfiles/bash-language-server-5.4.2.tgz"];
    expected.extend(npm.iter().map(String::as_str));
    expected.extend([
        "https://gm.example/gentoo/distfiles/bash-language-server-5.4.2-deps.tar.xz",
        "https://tastytea.de/files/gentoo/bash-language-server-5.4.2-deps.tar.xz",
    ]);
    assert_eq!(words, expected);

    // amd64? ( ... ) is taken: the profile's arch is in the global USE.
    assert_eq!(
        run(&["--one-attr", "files", "=media-sound/yandex-music-5.113.2"]),
        "Yandex_Music_amd64_5.113.2.deb\n"
    );

    // Every package, one line each: no mirror:// is left, and the distfiles of packages
    // without RESTRICT=mirror/fetch start with the default mirror.
    let all = run(&[
        "--unfiltered",
        "-r",
        "guru",
        "--cpv",
        "--one-attr",
        "uris",
        "*",
    ]);
    let mut goproxy = 0;
    let (mut checked, mut primaryuri) = (0, 0);
    for line in all.lines() {
        let (cpv, value) = line.split_once('|').unwrap();
        assert!(!value.contains("mirror://"), "{line}");
        let (cat, pf) = cpv.split_once('/').unwrap();
        let entry = guru_dir().join("metadata/md5-cache").join(cat).join(pf);
        if !entry.exists() {
            continue;
        }
        let cache = read_md5_cache(&entry);
        let restrict = cache.get("RESTRICT").map_or("", String::as_str);
        let src = cache.get("SRC_URI").map_or("", String::as_str);
        let unrestricted = !restrict
            .split_whitespace()
            .any(|t| t == "mirror" || t == "fetch");
        let words: Vec<&str> = value.split_whitespace().collect();
        let default = |w: &&str| w.starts_with("https://gm.example/gentoo/distfiles/");
        if unrestricted && src.contains("://") && !src.contains('?') {
            if restrict.split_whitespace().any(|t| t == "primaryuri") {
                // The default mirrors come after the URI.
                assert!(!words.first().is_some_and(default), "{line}");
                assert!(words.iter().any(default), "{line}");
                primaryuri += 1;
            } else {
                assert!(words.first().is_some_and(default), "{line}");
            }
            checked += 1;
        }
        // A Go package: each mirror://goproxy/... -> NAME entry is only its default
        // mirror URL, the other URIs follow their default mirror URL.
        if src.contains("mirror://goproxy/") && unrestricted && !src.contains('?') {
            let tokens: Vec<&str> = src.split_whitespace().collect();
            let mut expected = Vec::new();
            let mut i = 0;
            while i < tokens.len() {
                let uri = tokens[i];
                let name = if tokens.get(i + 1) == Some(&"->") {
                    i += 2;
                    tokens[i]
                } else {
                    uri.rsplit('/').next().unwrap()
                };
                expected.push(format!("https://gm.example/gentoo/distfiles/{name}"));
                if !uri.starts_with("mirror://goproxy/") {
                    expected.push(uri.to_owned());
                }
                i += 1;
            }
            assert_eq!(words, expected, "{cpv}");
            goproxy += 1;
        }
    }
    assert!(checked > 1000 && primaryuri > 0, "{checked} {primaryuri}");
    assert!(goproxy > 10, "{goproxy}");
}

/// `-v --attr files`: the SRC_URI tree pretty-printed like the dependency attributes, each
/// leaf as its file name (a `->` rename wins); USE-evaluated for configured packages,
/// whole with `--raw`. Without `-v` it stays one line.
#[test]
fn verbose_files_tree() {
    let f = Fixture::new(
        "GENTOO_MIRRORS=\"\"\n",
        &[(
            "overlay",
            "app-misc/fetch-1",
            &[
                ("IUSE", "+ssl doc"),
                (
                    "SRC_URI",
                    "https://e.org/a.tar.gz ssl? ( https://e.org/b.tar.gz -> c.tar.gz ) \
                     doc? ( https://e.org/d.tar.gz )",
                ),
            ],
        )],
    );
    let files = |args: &[&str]| -> Vec<String> {
        f.run(args)
            .lines()
            .skip_while(|l| !l.starts_with("     files:"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(
        files(&["-v", "--attr", "files", "app-misc/fetch"]),
        ["     files: ", "        a.tar.gz", "        c.tar.gz", ""]
    );
    assert_eq!(
        files(&["--raw", "-v", "--attr", "files", "app-misc/fetch"]),
        [
            "     files: ",
            "        a.tar.gz",
            "        ssl? ( c.tar.gz )",
            "        doc? ( d.tar.gz )",
            "",
        ]
    );
    assert_eq!(f.one("files", "app-misc/fetch"), "a.tar.gz c.tar.gz");
}

/// `--attr distfiles`: configured packages list the USE-evaluated files once each
/// (pkgcore's ConfiguredTree); `--raw` evaluates with no USE flag enabled (a negated
/// conditional is taken) and keeps duplicates, as pkgcore's pquery does for raw packages.
#[test]
fn distfiles_configured_and_raw() {
    let f = Fixture::new(
        "GENTOO_MIRRORS=\"\"\n",
        &[(
            "overlay",
            "app-misc/dist-1",
            &[
                ("IUSE", "+ssl doc"),
                (
                    "SRC_URI",
                    "https://e.org/a.tar.gz ssl? ( https://e.org/s.tar.gz ) \
                     !doc? ( https://e.org/a.tar.gz https://e.org/n.tar.gz ) \
                     doc? ( https://e.org/d.tar.gz -> docs.tar.gz )",
                ),
            ],
        )],
    );
    assert_eq!(
        f.one("distfiles", "app-misc/dist"),
        "a.tar.gz s.tar.gz n.tar.gz"
    );
    assert_eq!(
        f.run(&["--raw", "--one-attr", "distfiles", "app-misc/dist"]),
        "a.tar.gz a.tar.gz n.tar.gz\n"
    );
}
