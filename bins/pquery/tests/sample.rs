//! pquery on the sample repository (bins/pquery/sample): every option, exact output.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Command;

use common::sample;

/// Runs pquery on the sample configuration and ROOT; returns (status ok, stdout, stderr).
fn run_in(cwd: &Path, args: &[&str]) -> (bool, String, String) {
    let index = tempfile::tempdir().unwrap();
    let s = sample();
    let out = common::run(
        common::command(&s.join("etc/portage"), Some(&s.join("root")), index.path())
            .current_dir(cwd)
            .args(args),
    );
    (out.ok, out.stdout, out.stderr)
}

fn run(args: &[&str]) -> (bool, String, String) {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

/// stdout lines of a successful run.
fn lines(args: &[&str]) -> Vec<String> {
    let (ok, out, err) = run(args);
    assert!(ok, "pquery {args:?} failed: {err}");
    out.lines().map(str::to_owned).collect()
}

fn fails(args: &[&str]) -> String {
    let (ok, _, err) = run(args);
    assert!(!ok, "pquery {args:?} should fail");
    err
}

#[test]
fn default_lists_visible_versions() {
    // ACCEPT_KEYWORDS=amd64: no ~amd64 or unkeyworded versions; widget-4.2 is masked.
    assert_eq!(
        lines(&[]),
        [
            "app-misc/greeter-0.5-r1",
            "app-misc/hello-1.0",
            "app-misc/hello-1.1",
            "app-text/notes-1.0",
            "dev-lang/toy-1.0",
            "dev-lang/toy-1.1-r2",
            "dev-libs/libbar-3.1",
            "dev-libs/libfoo-1.2.3",
            "net-misc/fetcher-1.0",
            "sys-apps/widget-4.1",
        ]
    );
    assert_eq!(lines(&["--all"]), lines(&["*"]));
    assert_eq!(lines(&["*/*"]), lines(&["*"]));
}

#[test]
fn unfiltered_and_raw_list_every_ebuild() {
    let all = lines(&["--unfiltered", "*"]);
    let mut walked = Vec::new();
    let repo = sample().join("repo");
    for cat in std::fs::read_dir(&repo).unwrap() {
        let cat = cat.unwrap().path();
        for pkg in std::fs::read_dir(&cat).into_iter().flatten() {
            for f in std::fs::read_dir(pkg.unwrap().path()).into_iter().flatten() {
                let name = f.unwrap().file_name().into_string().unwrap();
                if let Some(pf) = name.strip_suffix(".ebuild") {
                    walked.push(format!(
                        "{}/{pf}",
                        cat.file_name().unwrap().to_string_lossy()
                    ));
                }
            }
        }
    }
    walked.sort();
    let mut got = all.clone();
    got.sort();
    assert_eq!(got, walked);
    assert_eq!(all.len(), 17);
    assert_eq!(lines(&["--raw", "*"]), all);
    // pquery's order: category, package, then version order (not string order).
    assert_eq!(
        lines(&["--raw", "app-misc/hello"]),
        [
            "app-misc/hello-1.0",
            "app-misc/hello-1.1",
            "app-misc/hello-2.0_beta1",
            "app-misc/hello-9999"
        ]
    );
}

#[test]
fn target_syntax() {
    assert_eq!(
        lines(&["hello"]),
        ["app-misc/hello-1.0", "app-misc/hello-1.1"]
    );
    assert_eq!(lines(&["--raw", ">=hello-1.1"]).len(), 3);
    assert_eq!(lines(&["--raw", "dev-*/*:2"]), ["dev-libs/libfoo-2.0.1"]);
    assert_eq!(lines(&["--raw", "libfoo:0/1.2"]), ["dev-libs/libfoo-1.2.3"]);
    assert_eq!(
        lines(&["--raw", "*-lang/toy::sample", "=app-misc/greeter-0.6"]),
        [
            "app-misc/greeter-0.6",
            "dev-lang/toy-1.0",
            "dev-lang/toy-1.1-r2"
        ]
    );
    assert!(lines(&["app-misc/nonesuch"]).is_empty());
    assert!(lines(&["*::gentoo"]).is_empty());
    let err = fails(&["!app-misc/hello"]);
    assert!(err.contains("pquery: error"), "{err}");
}

#[test]
fn targets_from_stdin() {
    use std::io::Write;
    let index = tempfile::tempdir().unwrap();
    let s = sample();
    let mut child = Command::new(env!("CARGO_BIN_EXE_pquery"))
        .env("STRATA_INDEX_DIR", index.path())
        .args(["--config"])
        .arg(s.join("etc/portage"))
        .arg("--root")
        .arg(s.join("root"))
        .args(["--raw", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"dev-libs/libbar\n\n=dev-lang/toy-1.0\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "dev-lang/toy-1.0\ndev-libs/libbar-3.1\n"
    );
}

#[test]
fn path_targets_and_cwd() {
    let repo = sample().join("repo");
    let hello = repo.join("app-misc/hello/hello-1.1.ebuild");
    assert_eq!(
        lines(&["--raw", hello.to_str().unwrap()]),
        ["app-misc/hello-1.1"]
    );
    // No targets inside a package directory: that package.
    let (ok, out, _) = run_in(&repo.join("dev-libs/libfoo"), &["--raw"]);
    assert!(ok);
    assert_eq!(out, "dev-libs/libfoo-1.2.3\ndev-libs/libfoo-2.0.1\n");
}

#[test]
fn version_and_name_output() {
    assert_eq!(
        lines(&["-n", "--raw", "app-misc/*"]),
        ["app-misc/greeter", "app-misc/hello"]
    );
    assert_eq!(
        lines(&["--max", "--raw", "app-misc/*"]),
        ["app-misc/greeter-0.6", "app-misc/hello-9999"]
    );
    assert_eq!(
        lines(&["--min", "--raw", "app-misc/*"]),
        ["app-misc/greeter-0.5-r1", "app-misc/hello-1.0"]
    );
    assert_eq!(
        lines(&["-a", "--max", "-R", "--slot", "--raw", "libfoo"]),
        ["=dev-libs/libfoo-2.0.1:2::sample"]
    );
    assert_eq!(
        lines(&["--cpv", "--slot", "--raw", "dev-libs/libfoo"]),
        ["dev-libs/libfoo-1.2.3:0", "dev-libs/libfoo-2.0.1:2"]
    );
    assert_eq!(lines(&["-1"]), ["app-misc/greeter-0.5-r1"]);
    assert_eq!(
        lines(&["-n", "-R", "--slot", "toy"]),
        ["dev-lang/toy:0::sample"]
    );
}

#[test]
fn attributes() {
    assert_eq!(
        lines(&[
            "--unfiltered",
            "app-misc/greeter",
            "--attr",
            "depend",
            "--attr",
            "raw_depend",
            "--attr",
            "use",
            "--attr",
            "iuse",
            "--attr",
            "restrict",
            "--attr",
            "inherited",
            "--attr",
            "defined_phases",
        ]),
        [
            "app-misc/greeter-0.5-r1 depend=\">=app-misc/hello-1.1 dev-libs/libfoo:0=\" raw_depend=\">=app-misc/hello-1.1 color? ( dev-libs/libfoo:0= )\" use=\"color -test\" iuse=\"+color test\" restrict=\"test\" inherited=\"sample-build sample-utils\" defined_phases=\"compile\"",
            "app-misc/greeter-0.6 depend=\">=app-misc/hello-1.1 dev-libs/libfoo:0=\" raw_depend=\">=app-misc/hello-1.1 color? ( dev-libs/libfoo:0= )\" use=\"color -test\" iuse=\"+color test\" restrict=\"test\" inherited=\"sample-build sample-utils\" defined_phases=\"compile\"",
        ]
    );
    // --raw: nothing is USE-evaluated and `use` lists every flag off.
    assert_eq!(
        lines(&[
            "--raw", "--max", "greeter", "--attr", "depend", "--attr", "use"
        ]),
        [
            "app-misc/greeter-0.6 depend=\">=app-misc/hello-1.1 color? ( dev-libs/libfoo:0= )\" use=\"-color -test\""
        ]
    );
    assert_eq!(
        lines(&[
            "--unfiltered",
            "net-misc/fetcher",
            "--attr",
            "files",
            "--attr",
            "uris",
            "--attr",
            "distfiles",
            "--attr",
            "license",
            "--attr",
            "longdescription",
            "--attr",
            "revision",
            "--attr",
            "version",
            "--attr",
            "fullver",
            "--attr",
            "eapi",
        ]),
        [
            "net-misc/fetcher-1.0 files=\"fetcher-1.0.tar.gz\" uris=\"https://example.org/fetcher/fetcher-1.0.tar.gz\" distfiles=\"fetcher-1.0.tar.gz\" license=\"|| ( MIT Apache-2.0 )\" longdescription=\"MISSING\" revision=\"0\" version=\"1.0\" fullver=\"1.0\" eapi=\"8\""
        ]
    );
    assert_eq!(
        lines(&[
            "--raw", "fetcher", "--attr", "files", "--attr", "license", "--attr", "iuse",
        ]),
        [
            "net-misc/fetcher-1.0 files=\"fetcher-1.0.tar.gz doc? ( fetcher-1.0-doc.pdf )\" license=\"|| ( MIT Apache-2.0 ) doc? ( CC0-1.0 )\" iuse=\"+resume doc ssl\""
        ]
    );
    assert_eq!(
        lines(&[
            "--unfiltered",
            "--max",
            "libfoo",
            "--attr",
            "longdescription",
            "--attr",
            "slot",
            "--attr",
            "subslot",
            "--attr",
            "keywords",
            "--blame",
        ]),
        [
            "dev-libs/libfoo-2.0.1 longdescription=\"libfoo compresses data with the foo algorithm; used by greeter.\" slot=\"2\" subslot=\"2.0\" keywords=\"~amd64 ~arm64\" maintainers=\"bob@example.net\""
        ]
    );
    assert_eq!(
        lines(&[
            "--raw", "toy", "--attr", "revision", "--attr", "version", "--attr", "keywords"
        ]),
        [
            "dev-lang/toy-1.0 revision=\"0\" version=\"1.0\" keywords=\"amd64\"",
            "dev-lang/toy-1.1-r2 revision=\"2\" version=\"1.1\" keywords=\"amd64 ~arm64\"",
        ]
    );
    let path = sample()
        .join("repo/app-misc/hello/hello-1.1.ebuild")
        .canonicalize()
        .unwrap();
    assert_eq!(
        lines(&[
            "=app-misc/hello-1.1",
            "--attr",
            "path",
            "--force-attr",
            "nonesuch"
        ]),
        [format!(
            "app-misc/hello-1.1 path=\"{}\" nonesuch=\"MISSING\"",
            path.display()
        )]
    );
    let err = fails(&["--attr", "nonesuch"]);
    assert!(err.contains("nonesuch"), "{err}");
}

#[test]
fn all_attributes_render() {
    let out = lines(&["--raw", "=app-misc/greeter-0.6", "--attr", "all"]);
    assert_eq!(out.len(), 1);
    for needle in [
        " bdepend=\"test? ( dev-python/pytoy ) dev-lang/toy\"",
        " category=\"app-misc\"",
        " description=\"Greets every user on a terminal at login\"",
        " homepage=\"https://example.org/greeter/\"",
        " maintainers=\"Jane Doe <jane@example.org> bob@example.net\"",
        " required_use=\"\"",
        " environment=\"MISSING\"",
        " repo=\"sample\"",
        " slot=\"0\"",
    ] {
        assert!(out[0].contains(needle), "{needle} not in {}", out[0]);
    }
}

#[test]
fn one_attr_and_format() {
    assert_eq!(
        lines(&["--one-attr", "description", "--max", "hello"]),
        ["Prints a friendly greeting"]
    );
    assert_eq!(
        lines(&[
            "--one-attr",
            "slot",
            "--raw",
            "libfoo",
            "-a",
            "--slot",
            "-R"
        ]),
        [
            "=dev-libs/libfoo-1.2.3:0::sample|0",
            "=dev-libs/libfoo-2.0.1:2::sample|2"
        ]
    );
    assert_eq!(
        lines(&["--force-one-attr", "subslot", "--cpv", "--raw", "libfoo"]),
        ["dev-libs/libfoo-1.2.3|1.2", "dev-libs/libfoo-2.0.1|2.0"]
    );
    assert_eq!(
        lines(&["-n", "--one-attr", "eapi", "--cpv", "--raw", "pytoy"]),
        ["dev-python/pytoy|7"]
    );
    assert_eq!(
        lines(&["-F", "{category}/{package}-{version} ({repo}) {{x}}", "toy"]),
        [
            "dev-lang/toy-1.0 (sample) {x}",
            "dev-lang/toy-1.1 (sample) {x}"
        ]
    );
    // With -n, the template is filled in from the last version of each package.
    assert_eq!(
        lines(&["-n", "-F", "{category}/{package}-{fullver}", "toy"]),
        ["dev-lang/toy-1.1-r2"]
    );
    let err = fails(&["-F", "{nonesuch}"]);
    assert!(err.contains("unknown key"), "{err}");
}

#[test]
fn verbose_blocks() {
    assert_eq!(
        lines(&[
            "-v",
            "--max",
            "--unfiltered",
            "greeter",
            "--attr",
            "rdepend",
            "--attr",
            "raw_rdepend",
            "--attr",
            "depend"
        ]),
        [
            " * app-misc/greeter-0.6",
            "     repo: sample",
            "     description: Greets every user on a terminal at login",
            "     homepage: https://example.org/greeter/",
            "     license: MIT",
            "     rdepend: ",
            "        >=app-misc/hello-1.1",
            "        dev-libs/libfoo:0=",
            "     raw_rdepend: ",
            "        >=app-misc/hello-1.1",
            "        color? ( dev-libs/libfoo:0= )",
            "     depend: ",
            "        >=app-misc/hello-1.1",
            "        dev-libs/libfoo:0=",
            "",
        ]
    );
    assert_eq!(
        lines(&[
            "-v", "--raw", "pytoy", "--attr", "rdepend", "--attr", "pdepend"
        ]),
        [
            " * dev-python/pytoy-0.9",
            "     repo: sample",
            "     description: Python bindings for the toy language",
            "     homepage: https://example.org/pytoy/ https://pypi.org/project/pytoy/",
            "     license: MIT",
            "     rdepend: ",
            "        >=dev-lang/toy-1.1:0",
            "        || (",
            "            dev-libs/libfoo:2",
            "            dev-libs/libfoo:0",
            "        )",
            "     pdepend: ",
            "",
        ]
    );
    assert_eq!(
        lines(&["-vn", "hello"]),
        [
            " * app-misc/hello",
            "     versions: 1.0 1.1",
            "     installed: 1.0",
            "     repo: sample",
            "     description: Prints a friendly greeting",
            "     homepage: https://example.org/hello/",
            "     license: GPL-2",
            "",
        ]
    );
}

#[test]
fn colour() {
    let (ok, out, _) = run(&[
        "--color",
        "always",
        "-v",
        "--max",
        "greeter",
        "--attr",
        "rdepend",
        "--highlight-dep",
        "dev-libs/libfoo",
    ]);
    assert!(ok);
    assert!(
        out.starts_with("\x1b[1m\x1b[32m * \x1b[39mapp-misc/greeter-0.5-r1"),
        "{out:?}"
    );
    assert!(
        out.contains("        \x1b[1m\x1b[36mdev-libs/libfoo:0=\x1b[0m\n"),
        "{out:?}"
    );
    // NO_COLOR is set by run(): auto means none; never means none.
    let (_, out, _) = run(&["-v", "--max", "greeter"]);
    assert!(!out.contains('\x1b'));
    let (_, out, _) = run(&["--color", "never", "-v", "--max", "greeter"]);
    assert!(!out.contains('\x1b'));
}

#[test]
fn json() {
    let out = lines(&[
        "--json", "--raw", "libfoo", "--attr", "eapi", "--attr", "keywords",
    ]);
    assert_eq!(out.len(), 2);
    let v: serde_json::Value = serde_json::from_str(&out[1]).unwrap();
    assert_eq!(v["cpv"], "dev-libs/libfoo-2.0.1");
    assert_eq!(v["repo"], "sample");
    assert_eq!(v["slot"], "2/2.0");
    assert_eq!(v["eapi"], "8");
    assert_eq!(v["keywords"], "~amd64 ~arm64");
    let out = lines(&["--json", "-n", "hello"]);
    let v: serde_json::Value = serde_json::from_str(&out[0]).unwrap();
    assert_eq!(v["key"], "app-misc/hello");
    assert_eq!(v["versions"], serde_json::json!(["1.0", "1.1"]));
}

#[test]
fn matching_options() {
    assert_eq!(
        lines(&["--unfiltered", "--has-use", "ssl,doc", "-n"]),
        ["dev-lang/toy", "dev-libs/libfoo", "net-misc/fetcher"]
    );
    // Same option twice: or. Different options: and.
    assert_eq!(
        lines(&["--unfiltered", "--has-use", "ssl", "--has-use", "doc", "-n"]),
        lines(&["--unfiltered", "--has-use", "ssl,doc", "-n"])
    );
    assert_eq!(
        lines(&["--unfiltered", "--has-use", "ssl", "--license", "BSD"]),
        ["dev-libs/libfoo-1.2.3", "dev-libs/libfoo-2.0.1"]
    );
    assert_eq!(
        lines(&["--unfiltered", "--license", "CC0-1.0"]),
        ["app-text/notes-1.0", "net-misc/fetcher-1.0"]
    );
    assert_eq!(lines(&["--unfiltered", "--live"]), ["app-misc/hello-9999"]);
    assert_eq!(
        lines(&["--unfiltered", "--non-live", "hello"]),
        [
            "app-misc/hello-1.0",
            "app-misc/hello-1.1",
            "app-misc/hello-2.0_beta1"
        ]
    );
    // DESCRIPTION or metadata.xml longdescription, case-insensitive.
    assert_eq!(
        lines(&["--unfiltered", "-S", "terminal"]),
        [
            "app-misc/greeter-0.5-r1",
            "app-misc/greeter-0.6",
            "app-shells/termsh-0.3",
            "dev-lang/toy-1.0",
            "dev-lang/toy-1.1-r2"
        ]
    );
    assert_eq!(lines(&["-S", "terminal", "-S", "^keeps"]).len(), 4);
    assert_eq!(
        lines(&["--unfiltered", "--eapi", "7"]),
        ["app-misc/hello-1.0", "dev-python/pytoy-0.9"]
    );
    assert_eq!(
        lines(&["--unfiltered", "--eapi", "6", "--eapi", "7", "-n"]),
        ["app-misc/hello", "app-shells/termsh", "dev-python/pytoy"]
    );
    assert_eq!(
        lines(&["--maintainer", "maintainer-needed", "-n"]),
        ["app-text/notes"]
    );
    assert_eq!(
        lines(&["--maintainer", "JANE", "-n", "--unfiltered"]),
        [
            "app-misc/greeter",
            "app-misc/hello",
            "dev-python/pytoy",
            "sys-apps/widget"
        ]
    );
    assert_eq!(
        lines(&["--maintainer-name", "^toy project$", "-n", "--unfiltered"]),
        ["dev-lang/toy", "dev-python/pytoy"]
    );
    assert_eq!(
        lines(&[
            "--maintainer-email",
            "example\\.(net|com)$",
            "-n",
            "--unfiltered"
        ]),
        [
            "app-misc/greeter",
            "app-shells/termsh",
            "dev-libs/libbar",
            "dev-libs/libfoo",
            "net-misc/fetcher"
        ]
    );
    let err = fails(&["-S", "("]);
    assert!(err.contains("--description"), "{err}");
}

#[test]
fn revdeps() {
    // Configured: USE-evaluated deps (greeter's color is on by default, termsh's static off).
    assert_eq!(
        lines(&["--unfiltered", "--restrict-revdep", "dev-libs/libfoo:0"]),
        [
            "app-misc/greeter-0.5-r1",
            "app-misc/greeter-0.6",
            "app-shells/termsh-0.3",
            "dev-python/pytoy-0.9"
        ]
    );
    // Raw: every dependency, conditional or not.
    assert_eq!(
        lines(&["--raw", "--restrict-revdep", "dev-python/pytoy"]),
        ["app-misc/greeter-0.5-r1", "app-misc/greeter-0.6"]
    );
    assert!(lines(&["--unfiltered", "--restrict-revdep", "dev-python/pytoy"]).is_empty());
    assert_eq!(
        lines(&["--unfiltered", "--revdep", "sys-apps/widget", "--max"]),
        [
            "app-misc/hello-9999 raw_rdepend on sys-apps/widget through sys-apps/widget if USE nls, rdepend on sys-apps/widget through sys-apps/widget"
        ]
    );
    assert_eq!(
        lines(&[
            "--unfiltered",
            "--revdep",
            "dev-libs/libfoo",
            "app-shells/termsh"
        ]),
        [
            "app-shells/termsh-0.3 raw_depend on dev-libs/libfoo through dev-libs/libfoo:0[static-libs] if USE static, raw_rdepend on dev-libs/libfoo through dev-libs/libfoo:0 if USE !static, rdepend on dev-libs/libfoo through dev-libs/libfoo:0"
        ]
    );
    // --revdep-pkgs: deps matching the packages the atom matches (slot 2 only here).
    assert_eq!(
        lines(&[
            "--unfiltered",
            "--restrict-revdep-pkgs",
            "=dev-libs/libfoo-2*"
        ]),
        ["dev-python/pytoy-0.9"]
    );
    assert_eq!(
        lines(&[
            "-v",
            "--unfiltered",
            "--revdep",
            "dev-lang/toy",
            "--max",
            "pytoy"
        ]),
        [
            " * dev-python/pytoy-0.9",
            "     repo: sample",
            "     description: Python bindings for the toy language",
            "     homepage: https://example.org/pytoy/ https://pypi.org/project/pytoy/",
            "     license: MIT",
            "     revdep: depend on dev-lang/toy through dep >=dev-lang/toy-1.1:0",
            "     revdep: raw_depend on dev-lang/toy through dep >=dev-lang/toy-1.1:0",
            "     revdep: raw_rdepend on dev-lang/toy through dep >=dev-lang/toy-1.1:0",
            "     revdep: rdepend on dev-lang/toy through dep >=dev-lang/toy-1.1:0",
            "",
        ]
    );
}

#[test]
fn installed_packages() {
    assert_eq!(
        lines(&[
            "-I",
            "--attr",
            "use",
            "--attr",
            "repo",
            "--attr",
            "source_repository"
        ]),
        [
            "app-misc/hello-1.0 use=\"nls\" repo=\"vdb\" source_repository=\"sample\"",
            "dev-libs/libfoo-1.2.3 use=\"ssl -static-libs\" repo=\"vdb\" source_repository=\"sample\"",
            "sys-apps/widget-4.1 use=\"\" repo=\"vdb\" source_repository=\"sample\"",
        ]
    );
    assert_eq!(lines(&["-r", "vdb", "-n"]), lines(&["-I", "-n"]));
    assert_eq!(lines(&["--owns", "/usr/bin/hi"]), ["app-misc/hello-1.0"]);
    assert_eq!(
        lines(&["--owns", "/usr/bin/hello,/usr/sbin/widgetd"]),
        ["app-misc/hello-1.0", "sys-apps/widget-4.1"]
    );
    assert!(lines(&["--owns", "/usr/bin"]).len() == 1);
    assert_eq!(
        lines(&["--owns-re", "^/usr/lib64/.*\\.so$"]),
        ["dev-libs/libfoo-1.2.3"]
    );
    assert_eq!(
        lines(&["--contents", "hello"]),
        [
            "dir:/usr",
            "dir:/usr/bin",
            "file:/usr/bin/hello",
            "symlink:/usr/bin/hi->hello",
            "dir:/usr/share/doc/hello-1.0",
            "file:/usr/share/doc/hello-1.0/README.bz2",
        ]
    );
    assert_eq!(
        lines(&["--contents", "--cpv", "widget"]),
        [
            "sys-apps/widget-4.1",
            "dir:/usr",
            "dir:/usr/sbin",
            "file:/usr/sbin/widgetd"
        ]
    );
    // Size: lstat of every CONTENTS entry under ROOT (directories included).
    let root = sample().join("root");
    let expected: u64 = [
        "usr",
        "usr/lib64",
        "usr/lib64/libfoo.so.1.2",
        "usr/lib64/libfoo.so",
    ]
    .iter()
    .map(|p| std::fs::symlink_metadata(root.join(p)).unwrap().len())
    .sum();
    let out = lines(&["--size", "libfoo"]);
    assert_eq!(out[0], "dev-libs/libfoo-1.2.3");
    assert_eq!(out[1], "Total files: 4");
    assert!(out[2].starts_with("Total size: "));
    let kib = format!("{:.1} KiB", expected as f64 / 1024.0);
    assert!(
        out[2].ends_with(&kib) || expected < 1024,
        "{} vs {kib}",
        out[2]
    );
    let out = lines(&["--size", "hello"]);
    assert_eq!(out[1], "Total files: 6");
    assert_eq!(out[3], "Missing files: 2");
}

#[test]
fn sets_and_upgrades() {
    assert_eq!(
        lines(&["--pkgset", "world"]),
        ["app-misc/greeter-0.5-r1", "net-misc/fetcher-1.0"]
    );
    assert_eq!(
        lines(&["--pkgset", "installed", "-n"]),
        ["app-misc/hello", "dev-libs/libfoo", "sys-apps/widget"]
    );
    assert_eq!(
        lines(&["--pkgset", "versioned-installed"]),
        [
            "app-misc/hello-1.0",
            "dev-libs/libfoo-1.2.3",
            "sys-apps/widget-4.1"
        ]
    );
    // hello-1.1 is the best visible version of the installed hello:0; widget-4.2 is masked.
    assert_eq!(lines(&["-u"]), ["app-misc/hello-1.1"]);
    assert!(fails(&["--pkgset", "nonesuch"]).contains("nonesuch"));
}

#[test]
fn repositories() {
    assert_eq!(lines(&["-r", "sample", "-n", "toy"]), ["dev-lang/toy"]);
    let loc = sample().join("repo");
    assert_eq!(
        lines(&["-r", loc.to_str().unwrap(), "-n", "toy"]),
        ["dev-lang/toy"]
    );
    assert_eq!(lines(&["-E", "-n", "toy"]), ["dev-lang/toy"]);
    assert_eq!(
        lines(&["-A", "-n", "-R", "hello"]),
        ["app-misc/hello::vdb", "app-misc/hello::sample"]
    );
    for (args, needle) in [
        (&["-B"][..], "binary"),
        (&["-r", "binpkg"][..], "binary"),
        (&["-r", "nonesuch"][..], "nonesuch"),
        (&["-I", "-E"][..], "cannot be used"),
        (&["-n", "--contents"][..], "does not make sense"),
        (
            &["--one-attr", "eapi", "--revdep", "a/b"][..],
            "does not make sense",
        ),
    ] {
        let err = fails(args);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn debug_prints_repos_and_restriction() {
    let out = lines(&["--debug", "toy", "--max"]);
    assert_eq!(out[0], "repo: sample");
    assert!(out[1].starts_with("restrict: "));
    assert_eq!(out[2], "");
    assert_eq!(out[3], "dev-lang/toy-1.1-r2");
}

/// Runs pquery on a copy of the sample at `dir`.
fn run_copy(dir: &Path, index: &Path, args: &[&str]) -> Vec<String> {
    common::run(
        common::command(&dir.join("etc/portage"), Some(&dir.join("root")), index).args(args),
    )
    .lines(&format!("{args:?}"))
}

#[test]
fn stale_cache_entries_are_not_listed() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("sample");
    let st = Command::new("cp")
        .arg("-a")
        .arg(sample())
        .arg(&copy)
        .status()
        .unwrap();
    assert!(st.success());
    let index = tmp.path().join("index");
    let before = run_copy(&copy, &index, &["hello"]);
    assert_eq!(before, ["app-misc/hello-1.0", "app-misc/hello-1.1"]);
    // Editing an ebuild makes its cache entry stale: strata-repo keeps using it (it
    // cannot regenerate metadata) and records the problem.
    let ebuild = copy.join("repo/app-misc/hello/hello-1.1.ebuild");
    let mut text = std::fs::read_to_string(&ebuild).unwrap();
    text.push_str("# edited\n");
    std::fs::write(&ebuild, &text).unwrap();
    assert_eq!(run_copy(&copy, &index, &["hello"]), before);
    // An ebuild that cannot be read (here a directory) leaves its entry unvalidated: the
    // version is still listed from its entry, filtered or not, as a stale one is.
    std::fs::remove_file(&ebuild).unwrap();
    std::fs::create_dir(&ebuild).unwrap();
    assert_eq!(run_copy(&copy, &index, &["hello"]), before);
    for unfiltered in ["--raw", "--unfiltered"] {
        let out = run_copy(&copy, &index, &[unfiltered, "hello"]);
        assert!(
            out.iter().any(|l| l == "app-misc/hello-1.1"),
            "{unfiltered}: {out:?}"
        );
    }
    std::fs::remove_dir(&ebuild).unwrap();
    std::fs::write(&ebuild, &text).unwrap();
    // Without a cache entry the version is unavailable, filtered or not.
    std::fs::remove_file(copy.join("repo/metadata/md5-cache/app-misc/hello-1.1")).unwrap();
    assert_eq!(run_copy(&copy, &index, &["hello"]), ["app-misc/hello-1.0"]);
    assert_eq!(
        run_copy(&copy, &index, &["--unfiltered", "hello"]),
        [
            "app-misc/hello-1.0",
            "app-misc/hello-2.0_beta1",
            "app-misc/hello-9999"
        ]
    );
    // package.properties accepting everything changes nothing.
    std::fs::write(copy.join("etc/portage/package.properties"), "*/* *\n").unwrap();
    assert_eq!(run_copy(&copy, &index, &["hello"]), ["app-misc/hello-1.0"]);
    assert_eq!(run_copy(&copy, &index, &["*"]).len(), 9);
    std::fs::remove_file(copy.join("etc/portage/package.properties")).unwrap();
    assert_eq!(run_copy(&copy, &index, &["*"]).len(), 9);
}

#[test]
fn restricted_properties_hide_packages() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("sample");
    assert!(
        Command::new("cp")
            .arg("-a")
            .arg(sample())
            .arg(&copy)
            .status()
            .unwrap()
            .success()
    );
    let index = tmp.path().join("index");
    // RESTRICT="mirror" of net-misc/fetcher is not accepted: hidden.
    let conf = copy.join("etc/portage/make.conf");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text.push_str("ACCEPT_RESTRICT=\"* -mirror\"\n");
    std::fs::write(&conf, text).unwrap();
    let all = run_copy(&copy, &index, &["*"]);
    assert!(
        !all.iter().any(|l| l.starts_with("net-misc/fetcher")),
        "{all:?}"
    );
    assert_eq!(all.len(), 9);
}

#[test]
fn noversion_installed_line_follows_all_repos_only() {
    // pkgcore prints `installed:` for -vn unless -A was given, -I included.
    let installed = lines(&["-I", "-vn", "hello"]);
    assert!(
        installed.iter().any(|l| l == "     installed: 1.0"),
        "{installed:?}"
    );
    let all = lines(&["-A", "-vn", "hello"]);
    assert!(!all.is_empty());
    assert!(!all.iter().any(|l| l.contains("installed:")), "{all:?}");
}

#[test]
fn problems_are_reported_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("sample");
    strata_testtools::copy_tree(&sample(), &copy);
    let index = tmp.path().join("index");
    let query = |args: &[&str]| {
        common::run(
            common::command(&copy.join("etc/portage"), Some(&copy.join("root")), &index).args(args),
        )
    };
    let clean = query(&["hello"]);
    assert!(clean.ok && clean.stderr.is_empty(), "{}", clean.stderr);
    // A stale entry: still listed, and said so, naming the entry and why.
    let ebuild = copy.join("repo/app-misc/hello/hello-1.1.ebuild");
    let mut text = std::fs::read_to_string(&ebuild).unwrap();
    text.push_str("# edited\n");
    std::fs::write(&ebuild, text).unwrap();
    let stale = query(&["hello"]);
    assert_eq!(stale.stdout, "app-misc/hello-1.0\napp-misc/hello-1.1\n");
    assert!(
        stale
            .stderr
            .contains("pquery: warning: app-misc/hello-1.1::sample")
            && stale.stderr.contains("stale metadata cache entry")
            && stale.stderr.contains("regeneration"),
        "{}",
        stale.stderr
    );
    // The same through the index (a listing of everything).
    let all = query(&["*"]);
    assert!(
        all.stderr.contains("app-misc/hello-1.1::sample"),
        "{}",
        all.stderr
    );
    // -q: nothing on stderr.
    let quiet = query(&["-q", "hello"]);
    assert!(quiet.ok && quiet.stderr.is_empty(), "{}", quiet.stderr);
    // A missing entry: the version is left out (unfiltered too), and said so.
    std::fs::remove_file(copy.join("repo/metadata/md5-cache/app-misc/hello-1.0")).unwrap();
    let missing = query(&["--unfiltered", "hello"]);
    assert!(
        !missing.stdout.contains("hello-1.0\n"),
        "{}",
        missing.stdout
    );
    assert!(
        missing.stderr.contains("app-misc/hello-1.0::sample")
            && missing.stderr.contains("no metadata cache entry"),
        "{}",
        missing.stderr
    );
}

#[test]
fn config_warnings_name_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let copy = tmp.path().join("sample");
    strata_testtools::copy_tree(&sample(), &copy);
    let mask = copy.join("etc/portage/package.mask");
    std::fs::write(&mask, "# a comment\n>=not an atom\n").unwrap();
    let index = tmp.path().join("index");
    let query = |args: &[&str]| {
        common::run(
            common::command(&copy.join("etc/portage"), Some(&copy.join("root")), &index).args(args),
        )
    };
    let out = query(&["hello"]);
    assert!(out.ok, "{}", out.stderr);
    assert!(
        out.stderr.starts_with("pquery: warning: ") && out.stderr.contains("package.mask:2"),
        "{}",
        out.stderr
    );
    let quiet = query(&["-q", "hello"]);
    assert!(quiet.ok && quiet.stderr.is_empty(), "{}", quiet.stderr);
}
