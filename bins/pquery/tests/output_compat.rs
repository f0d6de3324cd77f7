//! pquery's output against pkgcore's exact formats (pkgcore.md §1.5–1.6; the code of
//! pkgcore's `print_package` and snakeoil's `PlainTextFormatter`), on installed-package
//! fixtures written into a temporary ROOT (the sample configuration otherwise).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::sample;
use strata_testtools::{copy_tree, write_file};

/// A ROOT whose vdb holds `entries`: `(cat/pf, [(file, content)])`; SLOT and EAPI are
/// added when not given.
fn root_with(entries: &[(&str, &[(&str, &str)])]) -> tempfile::TempDir {
    let root = tempfile::tempdir().unwrap();
    let vdb = root.path().join("var/db/pkg");
    for (cpf, files) in entries {
        for (name, text) in files.iter() {
            write_file(&vdb, &format!("{cpf}/{name}"), text);
        }
        for (name, default) in [("SLOT", "0\n"), ("EAPI", "8\n")] {
            if !files.iter().any(|(n, _)| *n == name) {
                write_file(&vdb, &format!("{cpf}/{name}"), default);
            }
        }
    }
    root
}

/// stdout of a successful pquery run on the sample config with `root` as ROOT.
fn pquery(root: &Path, args: &[&str]) -> String {
    pquery_in(&sample(), root, args)
}

/// Like [`pquery`], with the sample tree (config and repository) at `s`.
fn pquery_in(s: &Path, root: &Path, args: &[&str]) -> String {
    let index = tempfile::tempdir().unwrap();
    common::run(common::command(&s.join("etc/portage"), Some(root), index.path()).args(args))
        .success(&format!("{args:?}"))
}

#[test]
fn written_r0_is_dropped_and_revision_zeros_trimmed() {
    let root = root_with(&[
        ("app-misc/zero-1.0-r0", &[]),
        ("app-misc/zeros-2-r00", &[]),
        ("app-misc/padded-3-r05", &[]),
        ("app-misc/plain-4-r1", &[]),
    ]);
    let r = root.path();
    // pkgcore's cpvstr: `-r0`/`-r00` dropped, `-r05` printed `-r5`.
    assert_eq!(
        pquery(r, &["-I", "*"]),
        "app-misc/padded-3-r5\napp-misc/plain-4-r1\napp-misc/zero-1.0\napp-misc/zeros-2\n"
    );
    assert_eq!(pquery(r, &["-I", "-a", "zero"]), "=app-misc/zero-1.0\n");
    assert_eq!(
        pquery(r, &["-I", "--one-attr", "slot", "--cpv", "padded"]),
        "app-misc/padded-3-r5|0\n"
    );
    assert!(pquery(r, &["-I", "-v", "zeros"]).starts_with(" * app-misc/zeros-2\n"));
    // fullver and revision keep the revision as written (pkgcore's fullver and
    // Revision do).
    assert_eq!(
        pquery(
            r,
            &[
                "-I", "--attr", "fullver", "--attr", "revision", "--attr", "version", "*"
            ]
        ),
        "app-misc/padded-3-r5 fullver=\"3-r05\" revision=\"05\" version=\"3\"\n\
         app-misc/plain-4-r1 fullver=\"4-r1\" revision=\"1\" version=\"4\"\n\
         app-misc/zero-1.0 fullver=\"1.0-r0\" revision=\"0\" version=\"1.0\"\n\
         app-misc/zeros-2 fullver=\"2-r00\" revision=\"00\" version=\"2\"\n"
    );
}

/// The `-v` block wraps as snakeoil does: split at the last space that keeps the line
/// under 79 columns, continuation lines indented by 18 spaces, an unbreakable word
/// first moved to its own line and then cut at the width.
#[test]
fn verbose_wrapping_follows_snakeoil() {
    // "     description: " is 18 columns; 61 more reach column 79.
    let exact = format!("{} {}", "a".repeat(50), "b".repeat(10)); // 61 columns
    let over = format!("{} {} c", "a".repeat(50), "b".repeat(10)); // 63 columns
    let long = "x".repeat(100);
    let root = root_with(&[
        (
            "app-misc/exact-1",
            &[("DESCRIPTION", &format!("{exact}\n"))],
        ),
        ("app-misc/over-1", &[("DESCRIPTION", &format!("{over}\n"))]),
        ("app-misc/long-1", &[("DESCRIPTION", &format!("{long}\n"))]),
    ]);
    let desc = |pkg: &str| -> Vec<String> {
        pquery(root.path(), &["-I", "-v", pkg])
            .lines()
            .skip(2)
            .take_while(|l| !l.starts_with("     homepage:"))
            .map(str::to_owned)
            .collect()
    };
    // A value that fits exactly (79 columns) stays on one line.
    assert_eq!(desc("exact"), [format!("     description: {exact}")]);
    // Over: the split point is the last space before column 79 (so "bbbbbbbbbb", which
    // would end exactly at column 79, moves down with "c").
    assert_eq!(
        desc("over"),
        [
            format!("     description: {}", "a".repeat(50)),
            format!("{}{} c", " ".repeat(18), "b".repeat(10)),
        ]
    );
    // No space at all: the label line ends empty (trailing space kept), then the word is
    // cut at 61 columns after the 18-space prefix.
    assert_eq!(
        desc("long"),
        [
            "     description: ".to_owned(),
            format!("{}{}", " ".repeat(18), "x".repeat(61)),
            format!("{}{}", " ".repeat(18), "x".repeat(39)),
        ]
    );
}

/// `--print-revdep`: pkgcore's `find_cond_nodes`/`node_conds` wording: nested USE
/// conditions print as `( a && b )`, several paths join with ` or `, and an atom that is
/// also required unconditionally gets no "if USE" entry. In the `-v` block the revdep
/// lines wrap like the attribute lines (pkgcore writes them with wrapping on), and a
/// dependency atom equal to the target is printed as the target alone.
#[test]
fn print_revdep_conditions() {
    let rdepend = "a? ( b? ( dev-libs/foo ) ) !c? ( dev-libs/foo ) \
                   d? ( >=dev-libs/foo-2 ) >=dev-libs/foo-2 x? ( dev-libs/bar )\n";
    let root = root_with(&[(
        "app-misc/user-1",
        &[
            ("RDEPEND", rdepend),
            ("USE", "a b\n"),
            ("IUSE", "a b c d x\n"),
        ],
    )]);
    let r = root.path();
    assert_eq!(
        pquery(r, &["-I", "--revdep", "dev-libs/foo"]),
        "app-misc/user-1 \
         raw_rdepend on dev-libs/foo through >=dev-libs/foo-2 \
         raw_rdepend on dev-libs/foo through dev-libs/foo if USE ( a && b ) or !c, \
         rdepend on dev-libs/foo through dev-libs/foo \
         rdepend on dev-libs/foo through dev-libs/foo \
         rdepend on dev-libs/foo through >=dev-libs/foo-2\n"
    );
    assert_eq!(
        pquery(
            r,
            &["-I", "-v", "--revdep", "dev-libs/foo", "--attr", "eapi"]
        ),
        " * app-misc/user-1\n\
         \x20    repo: vdb\n\
         \x20    description: \n\
         \x20    homepage: \n\
         \x20    license: \n\
         \x20    eapi: 8\n\
         \x20    revdep: raw_rdepend on dev-libs/foo through dep >=dev-libs/foo-2\n\
         \x20    revdep: raw_rdepend on dev-libs/foo if USE matches one of:\n\
         \x20                 ( a && b )\n\
         \x20                 !c\n\
         \x20    revdep: rdepend on dev-libs/foo\n\
         \x20    revdep: rdepend on dev-libs/foo\n\
         \x20    revdep: rdepend on dev-libs/foo through dep >=dev-libs/foo-2\n\
         \n"
    );
}

/// `--attr environment` prints the saved environment (pkgcore reads the data source).
#[test]
fn environment_attribute() {
    let root = root_with(&[
        (
            "app-misc/env-1",
            &[("environment", "declare -x A=\"1\"\nexport B=2\n")],
        ),
        ("app-misc/noenv-1", &[]),
    ]);
    assert_eq!(
        pquery(root.path(), &["-I", "--attr", "environment", "*"]),
        "app-misc/env-1 environment=\"declare -x A=\"1\"\nexport B=2\n\"\n\
         app-misc/noenv-1 environment=\"MISSING\"\n"
    );
}

/// Built packages have nothing to fetch: pkgcore gives installed and binary packages an
/// empty fetchables set (`ebuild_built.package.fetchables`), so `files`, `uris` and
/// `fetchables` print empty whatever SRC_URI was recorded, and `distfiles` is the
/// recorded DISTFILES (which Portage's vdb does not write). The SRC_URI tree rendering of
/// source packages is tested in tests/uris.rs.
#[test]
fn built_packages_have_nothing_to_fetch() {
    let src_uri = "https://e.org/a.tar.gz ssl? ( https://e.org/b.tar.gz -> c.tar.gz ) \
                   doc? ( https://e.org/d.tar.gz )\n";
    let root = root_with(&[
        (
            "app-misc/fetch-1",
            &[
                ("SRC_URI", src_uri),
                ("USE", "ssl\n"),
                ("IUSE", "doc ssl\n"),
            ],
        ),
        (
            "app-misc/pkgcore-merged-1",
            &[
                ("SRC_URI", "https://e.org/p.tar.gz\n"),
                ("DISTFILES", "p.tar.gz\n"),
            ],
        ),
    ]);
    let r = root.path();
    assert_eq!(
        pquery(
            r,
            &[
                "-I",
                "--attr",
                "files",
                "--attr",
                "uris",
                "--attr",
                "fetchables",
                "--attr",
                "distfiles",
                "fetch"
            ]
        ),
        "app-misc/fetch-1 files=\"\" uris=\"\" fetchables=\"\" distfiles=\"\"\n"
    );
    assert_eq!(
        pquery(r, &["-I", "--attr", "distfiles", "pkgcore-merged"]),
        "app-misc/pkgcore-merged-1 distfiles=\"p.tar.gz\"\n"
    );
    let verbose = pquery(r, &["-I", "-v", "--attr", "files", "fetch"]);
    let files: Vec<&str> = verbose
        .lines()
        .skip_while(|l| !l.starts_with("     files:"))
        .collect();
    assert_eq!(files, ["     files: ", ""], "{verbose}");
}

/// Sets as pkgcore holds them: IUSE and DEFINED_PHASES print sorted, each once.
#[test]
fn set_attributes_are_deduplicated() {
    let root = root_with(&[(
        "app-misc/sets-1",
        &[
            ("IUSE", "b a +c a b\n"),
            ("DEFINED_PHASES", "install compile install\n"),
        ],
    )]);
    assert_eq!(
        pquery(
            root.path(),
            &["-I", "--attr", "iuse", "--attr", "defined_phases", "sets"]
        ),
        "app-misc/sets-1 iuse=\"+c a b\" defined_phases=\"compile install\"\n"
    );
}

/// pkgcore's long description is the first `<longdescription>` in English (no `lang`
/// or `lang="en"`); a package with only other languages has none (`MISSING`).
#[test]
fn longdescription_is_the_english_one() {
    let tmp = tempfile::tempdir().unwrap();
    let s = tmp.path().join("sample");
    copy_tree(&sample(), &s);
    let xml = s.join("repo/dev-lang/toy/metadata.xml");
    let text = std::fs::read_to_string(&xml).unwrap();
    let root = tempfile::tempdir().unwrap();
    let attr = |s: &Path| {
        pquery_in(
            s,
            root.path(),
            &["--one-attr", "longdescription", "-n", "dev-lang/toy"],
        )
    };
    assert_eq!(
        attr(&s),
        "Toy is a tiny language for teaching compilers in a terminal session.\n"
    );
    std::fs::write(&xml, text.replace("lang=\"en\"", "lang=\"de\"")).unwrap();
    assert_eq!(attr(&s), "MISSING\n");
    std::fs::write(
        &xml,
        text.replace(
            "<longdescription lang=\"en\">",
            "<longdescription lang=\"de\">Deutsch</longdescription>\n\t<longdescription>",
        ),
    )
    .unwrap();
    assert_eq!(
        attr(&s),
        "Toy is a tiny language for teaching compilers in a terminal session.\n"
    );
}

/// Dependency values in pkgcore's shape: USE dependencies sorted, single-child groups
/// collapsed, and for configured packages pkgcore's evaluation (taken conditionals
/// spliced in, all-of groups flattened, USE-conditional USE dependencies resolved).
#[test]
fn dependency_values_as_pkgcore_prints_them() {
    let rdepend = "dev-libs/a[y,-x] || ( dev-libs/b ) \
                   ssl? ( ( dev-libs/c dev-libs/d ) ) !ssl? ( dev-libs/e ) \
                   dev-libs/f[ssl?,!gtk?,doc=] ( dev-libs/g dev-libs/h )\n";
    let root = root_with(&[(
        "app-misc/deps-1",
        &[
            ("RDEPEND", rdepend),
            ("USE", "ssl\n"),
            ("IUSE", "doc gtk ssl\n"),
        ],
    )]);
    let r = root.path();
    assert_eq!(
        pquery(r, &["-I", "--one-attr", "raw_rdepend", "deps"]),
        "dev-libs/a[-x,y] dev-libs/b ssl? ( ( dev-libs/c dev-libs/d ) ) \
         !ssl? ( dev-libs/e ) dev-libs/f[!gtk?,doc=,ssl?] ( dev-libs/g dev-libs/h )\n"
    );
    assert_eq!(
        pquery(r, &["-I", "--one-attr", "rdepend", "deps"]),
        "dev-libs/a[-x,y] dev-libs/b dev-libs/c dev-libs/d \
         dev-libs/f[-doc,-gtk,ssl] dev-libs/g dev-libs/h\n"
    );
    // --print-revdep sees a USE-conditional USE dependency of the unevaluated value as
    // the conditionals it stands for.
    assert_eq!(
        pquery(r, &["-I", "--revdep", "dev-libs/f", "deps"]),
        "app-misc/deps-1 \
         raw_rdepend on dev-libs/f through dev-libs/f[!gtk?,doc=,ssl?]"
            .replace(
                " through dev-libs/f[!gtk?,doc=,ssl?]",
                " through dev-libs/f[doc,ssl] if USE ( gtk && doc && ssl ), \
                 raw_rdepend on dev-libs/f through dev-libs/f[doc] if USE ( gtk && doc && !ssl ), \
                 raw_rdepend on dev-libs/f through dev-libs/f[-doc,ssl] if USE ( gtk && !doc && ssl ), \
                 raw_rdepend on dev-libs/f through dev-libs/f[-doc] if USE ( gtk && !doc && !ssl ), \
                 raw_rdepend on dev-libs/f through dev-libs/f[-gtk,doc,ssl] if USE ( !gtk && doc && ssl ), \
                 raw_rdepend on dev-libs/f through dev-libs/f[-gtk,doc] if USE ( !gtk && doc && !ssl ), \
                 raw_rdepend on dev-libs/f through dev-libs/f[-doc,-gtk,ssl] if USE ( !gtk && !doc && ssl ), \
                 raw_rdepend on dev-libs/f through dev-libs/f[-doc,-gtk] if USE ( !gtk && !doc && !ssl ), \
                 rdepend on dev-libs/f through dev-libs/f[-doc,-gtk,ssl]\n"
            )
    );
}

/// The same rules on GURU (shared data): USE dependencies print sorted
/// (`gtk[wayland,X]` is written, pkgcore prints `[X,wayland]`), and the configured
/// value resolves python-r1's USE-conditional USE dependencies with the domain's
/// PYTHON_TARGETS.
#[test]
fn guru_dependency_values() {
    let config = strata_testtools::write_guru_config(&[(
        "make.conf",
        "ACCEPT_KEYWORDS=\"amd64 ~amd64\"\nACCEPT_LICENSE=\"*\"\nPYTHON_TARGETS=\"python3_13\"\n",
    )]);
    let run = |args: &[&str]| -> String {
        common::run(
            common::command(&config.etc_portage(), None, &config.path().join("index")).args(args),
        )
        .success(&format!("{args:?}"))
    };
    let words = |s: String| -> Vec<String> { s.split_whitespace().map(str::to_owned).collect() };
    for attr in ["rdepend", "raw_rdepend"] {
        let deps = words(run(&[
            "--unfiltered",
            "--one-attr",
            attr,
            "=media-sound/amberol-2024.2",
        ]));
        assert!(
            deps.contains(&">=gui-libs/gtk-4.13.4:4[X,wayland]".to_owned()),
            "{attr}: {deps:?}"
        );
    }
    let configured = words(run(&["--one-attr", "rdepend", "=app-portage/carnage-1.5"]));
    assert!(
        configured.contains(&">=dev-python/textual-8.0.0[python_targets_python3_13(-)]".to_owned()),
        "{configured:?}"
    );
    assert!(
        configured.contains(&"dev-lang/python:3.13".to_owned()),
        "{configured:?}"
    );
    assert!(
        !configured
            .iter()
            .any(|w| w.contains('?') || w.contains("3_12")),
        "{configured:?}"
    );
    let raw = words(run(&[
        "--one-attr",
        "raw_rdepend",
        "=app-portage/carnage-1.5",
    ]));
    assert!(raw.contains(&">=dev-python/textual-8.0.0[python_targets_python3_12(-)?,python_targets_python3_13(-)?,python_targets_python3_14(-)?]".to_owned()), "{raw:?}");
}
