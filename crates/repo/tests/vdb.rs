//! The installed-package database on the Portage-made roots.
#![allow(clippy::unwrap_used)]

use strata_repo::contents::EntryKind;
use strata_repo::{MatchOptions, Repository, VdbRepo};
use strata_restrict::{Attr, AttrValue, PackageAttrs, parse_target, query};
use strata_testtools::{portage_made_dir, write_file};

fn root(name: &str) -> VdbRepo {
    VdbRepo::for_root(&portage_made_dir().join(name))
}

fn listed(repo: &VdbRepo) -> Vec<String> {
    repo.all_packages(&MatchOptions::default())
        .unwrap()
        .iter()
        .map(|p| p.cpv().to_string())
        .collect()
}

/// `cat/pf` dirs of a vdb, by walking it.
fn walk(name: &str) -> Vec<String> {
    let vdb = portage_made_dir().join(name).join("var/db/pkg");
    let mut out = Vec::new();
    for c in std::fs::read_dir(&vdb).unwrap().flatten() {
        for p in std::fs::read_dir(c.path()).unwrap().flatten() {
            out.push(format!(
                "{}/{}",
                c.file_name().to_string_lossy(),
                p.file_name().to_string_lossy()
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn lists_the_three_roots() {
    for name in [
        "root-after-install",
        "root-after-upgrade",
        "root-after-unmerge",
    ] {
        let repo = root(name);
        assert!(repo.livefs());
        assert_eq!(listed(&repo), walk(name), "{name}");
        assert_eq!(repo.problems(), [], "{name}");
    }
    assert!(listed(&root("root-after-install")).contains(&"app-misc/hello-1.0".to_string()));
    assert!(listed(&root("root-after-upgrade")).contains(&"app-misc/hello-1.1".to_string()));
    assert!(!listed(&root("root-after-unmerge")).contains(&"app-misc/oddfiles-1".to_string()));
}

#[test]
fn entry_files_and_attributes() {
    let repo = root("root-after-install");
    let p = &repo
        .itermatch(
            &parse_target("dev-libs/libdemo").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap()[0];
    assert_eq!(p.attr(Attr::Slot), Some(AttrValue::text("2")));
    assert_eq!(p.attr(Attr::Subslot), Some(AttrValue::text("2.0")));
    assert_eq!(p.get("EAPI"), Some("8"));
    assert_eq!(
        p.attr(Attr::SourceRepository),
        Some(AttrValue::text("refrepo"))
    );
    // Every file of the entry by name, trailing newline stripped; COUNTER has none.
    let dir = p.path().unwrap().to_path_buf();
    for f in ["BUILD_TIME", "COUNTER", "SIZE", "KEYWORDS", "CHOST"] {
        let raw = std::fs::read_to_string(dir.join(f)).unwrap();
        assert_eq!(p.get(f), Some(raw.trim_end()), "{f}");
    }
    assert!(p.get("COUNTER").unwrap().parse::<u64>().is_ok());
    let size: u64 = std::fs::read_to_string(dir.join("SIZE"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(p.attr(Attr::Size), Some(AttrValue::Number(size)));

    let needs = &repo
        .itermatch(
            &parse_target("app-misc/needs-lib").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap()[0];
    assert_eq!(
        needs.attr(Attr::Rdepend).unwrap().to_string(),
        "dev-libs/libdemo:2/2.0="
    );
    // Reverse dependencies through the vdb.
    let rev = repo
        .itermatch(
            &strata_restrict::Restriction::revdep_name("dev-libs/libdemo"),
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(rev.len(), 1);
    assert_eq!(rev[0].cpv().to_string(), "app-misc/needs-lib-1");

    let toggle = &repo
        .itermatch(
            &parse_target("app-misc/usetoggle").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap()[0];
    let used = toggle.built_use().unwrap();
    assert!(used.contains(&"foo") && !used.contains(&"bar"), "{used:?}");
    assert_eq!(toggle.attr(Attr::Iuse).unwrap().to_string(), "+foo bar");
    assert!(
        parse_target("app-misc/usetoggle[foo,-bar]")
            .unwrap()
            .matches(toggle)
    );
    let env = toggle.attr(Attr::Environment).unwrap().to_string();
    assert!(env.contains("declare"), "environment.bz2 decompressed");
}

#[test]
fn contents_with_spaces_unicode_and_symlinks() {
    let repo = root("root-after-install");
    let p = &repo
        .itermatch(
            &parse_target("app-misc/oddfiles").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap()[0];
    let c = p.contents().unwrap();
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let raw = std::fs::read_to_string(p.path().unwrap().join("CONTENTS")).unwrap();
    assert_eq!(c.entries.len(), raw.lines().count());
    let spaced = c.get("/usr/share/oddfiles/file with space.txt").unwrap();
    assert!(matches!(&spaced.kind, EntryKind::Obj { md5, mtime } if md5.len() == 32 && *mtime > 0));
    assert!(c.get("/usr/share/oddfiles/naïve-ünïcode.txt").is_some());
    let link = c.get("/usr/bin/oddfiles").unwrap();
    assert!(
        matches!(&link.kind, EntryKind::Sym { target, .. } if target == "../libexec/oddfiles/oddfiles-tool")
    );
    assert_eq!(
        link.to_string(),
        "symlink:/usr/bin/oddfiles->../libexec/oddfiles/oddfiles-tool"
    );
    // --owns through the repository.
    let owners = repo
        .itermatch(
            &query::owns("/usr/share/oddfiles/file with space.txt"),
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0].cpv().to_string(), "app-misc/oddfiles-1");
    assert!(
        repo.itermatch(&query::owns("/nonexistent"), &MatchOptions::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn missing_vdb_is_empty_and_bad_entries_are_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = VdbRepo::open(tmp.path().join("nope"));
    assert!(listed(&repo).is_empty());
    let vdb = tmp.path().join("pkg");
    write_file(&vdb, "app-misc/foo-1/SLOT", "0\n");
    write_file(&vdb, "app-misc/-MERGING-foo-2/SLOT", "0\n");
    write_file(&vdb, "app-misc/notaversion/SLOT", "0\n");
    write_file(&vdb, "app-misc/bar-1/EAPI", "8\n");
    let repo = VdbRepo::open(&vdb);
    assert_eq!(listed(&repo), ["app-misc/foo-1"]);
    let fast: Vec<_> = repo
        .all_packages(&MatchOptions::fast())
        .unwrap()
        .iter()
        .map(|p| p.cpv().to_string())
        .collect();
    assert_eq!(fast, ["app-misc/bar-1", "app-misc/foo-1"]);
    let keys: Vec<String> = repo.problems().iter().map(|p| p.key.clone()).collect();
    assert_eq!(keys, ["app-misc/bar-1", "app-misc/notaversion"]);
}

/// Sets `dir`'s modification time to `ns` nanoseconds after the epoch.
fn set_dir_mtime(dir: &std::path::Path, ns: u64) {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(ns);
    std::fs::File::open(dir)
        .unwrap()
        .set_times(std::fs::FileTimes::new().set_modified(t))
        .unwrap();
}

/// A fixed, non-round dir mtime for the consolidated `metadata` fixtures.
const STAMP: u64 = 1_795_508_129_310_541_342;

/// A vdb with one entry `app-misc/foo-1` whose per-key files and consolidated
/// `metadata` file agree, the dir mtime set to [`STAMP`]. LICENSE has a per-key file
/// but is left out of `metadata`; PF is not a key `metadata` covers.
fn consolidated_fixture() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let vdb = tmp.path().join("pkg");
    let files = [
        ("CATEGORY", "app-misc\n"),
        ("PF", "foo-1\n"),
        ("SLOT", "0\n"),
        ("EAPI", "8\n"),
        ("DESCRIPTION", "per-key description\n"),
        ("USE", "amd64 ssl\n"),
        ("IUSE", "ssl\n"),
        ("LICENSE", "MIT\n"),
        ("COUNTER", "7"),
        ("repository", "gentoo\n"),
    ];
    for (name, text) in files {
        write_file(&vdb, &format!("app-misc/foo-1/{name}"), text);
    }
    let dir = vdb.join("app-misc/foo-1");
    write_metadata(&dir, "per-key description");
    (tmp, dir)
}

/// Writes the entry's `metadata` file (format 1, stamped [`STAMP`]) with this
/// DESCRIPTION, then sets the dir mtime back to [`STAMP`].
fn write_metadata(dir: &std::path::Path, description: &str) {
    let text = format!(
        "#format=1\nCOUNTER=7\nDESCRIPTION={description}\nEAPI=8\nIUSE=ssl\nSLOT=0\n\
         USE=amd64 ssl\nrepository=gentoo\n#dir_mtime={STAMP}\n"
    );
    std::fs::write(dir.join("metadata"), text).unwrap();
    set_dir_mtime(dir, STAMP);
}

fn foo(dir: &std::path::Path) -> strata_repo::PackageRef {
    let repo = VdbRepo::open(dir.parent().unwrap().parent().unwrap());
    let pkgs = repo
        .itermatch(
            &parse_target("app-misc/foo").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap();
    assert_eq!(pkgs.len(), 1);
    assert_eq!(repo.problems(), []);
    pkgs[0].clone()
}

/// White-box: a valid `metadata` file is what the covered keys are read from. To show
/// it, the fixture's `metadata` and per-key files agree except DESCRIPTION, changed in
/// `metadata` only with the dir mtime set back (which a real writer would never leave:
/// per-key files are authoritative, and any real change moves the dir mtime).
#[test]
fn valid_consolidated_metadata_is_read() {
    let (_tmp, dir) = consolidated_fixture();
    let p = foo(&dir);
    assert_eq!(p.get("DESCRIPTION"), Some("per-key description"));
    write_metadata(&dir, "only  in metadata");
    let p = foo(&dir);
    assert_eq!(p.get("DESCRIPTION"), Some("only  in metadata"));
    assert_eq!(
        p.attr(Attr::Description),
        Some(AttrValue::text("only  in metadata"))
    );
    // The other covered keys, from metadata too (they agree with the files).
    assert_eq!(p.get("COUNTER"), Some("7"));
    assert_eq!(p.attr(Attr::Slot), Some(AttrValue::text("0")));
    assert_eq!(
        p.attr(Attr::SourceRepository),
        Some(AttrValue::text("gentoo"))
    );
    assert_eq!(p.built_use().unwrap(), ["amd64", "ssl"]);
    // Keys it does not cover, and a covered key it leaves out, from their own files.
    assert_eq!(p.get("PF"), Some("foo-1"));
    assert_eq!(p.get("LICENSE"), Some("MIT"));
    assert_eq!(p.attr(Attr::License).unwrap().to_string(), "MIT");
    assert_eq!(p.get("NONESUCH"), None);
    // Reading never writes: the stamp and the file are untouched.
    assert_eq!(
        strata_repo::vdb::consolidated::dir_mtime_ns(&dir).unwrap(),
        i128::from(STAMP)
    );
    assert!(
        std::fs::read_to_string(dir.join("metadata"))
            .unwrap()
            .contains("only  in metadata")
    );
}

#[test]
fn stale_consolidated_metadata_is_ignored() {
    let (_tmp, dir) = consolidated_fixture();
    write_metadata(&dir, "only in metadata");
    set_dir_mtime(&dir, STAMP + 1);
    let p = foo(&dir);
    assert_eq!(p.get("DESCRIPTION"), Some("per-key description"));
    // Any change to the entry (here a new file) moves the dir mtime.
    write_metadata(&dir, "only in metadata");
    write_file(&dir, "NEEDED", "x\n");
    assert_eq!(foo(&dir).get("DESCRIPTION"), Some("per-key description"));
}

#[test]
fn bad_consolidated_metadata_is_ignored() {
    let (_tmp, dir) = consolidated_fixture();
    let good = |d: &str| format!("#format=1\nDESCRIPTION={d}\nSLOT=0\n#dir_mtime={STAMP}\n");
    let bad: Vec<Vec<u8>> = vec![
        // Wrong or missing format line.
        good("x").replace("#format=1", "#format=2").into_bytes(),
        good("x").replace("#format=1\n", "").into_bytes(),
        // Malformed lines.
        good("x").replace("SLOT=0", "SLOT").into_bytes(),
        good("x").replace("SLOT=0", "=0").into_bytes(),
        good("x").replace("SLOT=0", "SLOT=0\nSLOT=1").into_bytes(),
        good("x").replace("SLOT=0", "S LOT=0").into_bytes(),
        good("x").replace("SLOT=0", "SLOT=0\n").into_bytes(),
        // No or a broken mtime line.
        good("x")
            .replace(&format!("#dir_mtime={STAMP}\n"), "")
            .into_bytes(),
        good("x")
            .replace("#dir_mtime=", "#dir_mtime=x")
            .into_bytes(),
        good("x")
            .replace(
                "#dir_mtime=",
                "#dir_mtime=99999999999999999999999999999999999999999",
            )
            .into_bytes(),
        // Not UTF-8, empty, only the format line.
        [
            b"#format=1\nDESCRIPTION=\xff\xfe\n".as_slice(),
            format!("#dir_mtime={STAMP}\n").as_bytes(),
        ]
        .concat(),
        Vec::new(),
        b"#format=1\n".to_vec(),
    ];
    for text in bad {
        std::fs::write(dir.join("metadata"), &text).unwrap();
        set_dir_mtime(&dir, STAMP);
        let p = foo(&dir);
        assert_eq!(
            p.get("DESCRIPTION"),
            Some("per-key description"),
            "{}",
            String::from_utf8_lossy(&text)
        );
        assert_eq!(p.get("LICENSE"), Some("MIT"));
    }
    // The control: the same shape, well formed, is used.
    std::fs::write(dir.join("metadata"), good("used")).unwrap();
    set_dir_mtime(&dir, STAMP);
    assert_eq!(foo(&dir).get("DESCRIPTION"), Some("used"));
    // A valid file without SLOT is not enough for the entry: the per-key files are read.
    std::fs::write(
        dir.join("metadata"),
        format!("#format=1\nDESCRIPTION=used\n#dir_mtime={STAMP}\n"),
    )
    .unwrap();
    set_dir_mtime(&dir, STAMP);
    assert_eq!(foo(&dir).get("DESCRIPTION"), Some("per-key description"));
    // A directory named `metadata`.
    std::fs::remove_file(dir.join("metadata")).unwrap();
    std::fs::create_dir(dir.join("metadata")).unwrap();
    set_dir_mtime(&dir, STAMP);
    assert_eq!(foo(&dir).get("DESCRIPTION"), Some("per-key description"));
}

/// Portage's own `metadata` files (root-after-install): in the shared copy they are
/// stale (the copy moved the dir mtimes), so the per-key files are read; re-stamped in a
/// copy, they give the same covered values as the per-key files (whitespace collapsed).
#[test]
fn portage_consolidated_metadata_agrees_with_the_files() {
    use strata_repo::vdb::consolidated;
    let src = portage_made_dir().join("root-after-install/var/db/pkg");
    let tmp = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for (cat, pf) in walk("root-after-install")
        .iter()
        .map(|k| k.split_once('/').unwrap())
    {
        let from = src.join(cat).join(pf);
        let text = std::fs::read_to_string(from.join("metadata")).unwrap();
        let recorded = text.lines().last().unwrap();
        assert!(recorded.starts_with("#dir_mtime="), "{recorded}");
        let actual = consolidated::dir_mtime_ns(&from).unwrap();
        assert!(consolidated::read(&from).is_none() || recorded == format!("#dir_mtime={actual}"));
        let to = tmp.path().join(cat).join(pf);
        std::fs::create_dir_all(&to).unwrap();
        for f in std::fs::read_dir(&from).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), to.join(f.file_name())).unwrap();
        }
        let restamped = text.replace(recorded, &format!("#dir_mtime={STAMP}"));
        std::fs::write(to.join("metadata"), restamped).unwrap();
        set_dir_mtime(&to, STAMP);
        let values = consolidated::read(&to).expect("re-stamped file is valid");
        assert!(values.contains_key("SLOT") && values.contains_key("EAPI"));
        let repo = VdbRepo::open(tmp.path());
        let p = repo.make_package(format!("{cat}/{pf}").parse().unwrap());
        for key in consolidated::KEYS {
            let file = std::fs::read_to_string(from.join(key)).ok();
            let collapsed = file.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "));
            assert_eq!(p.get(key).map(str::to_owned), collapsed, "{cat}/{pf} {key}");
        }
        checked += 1;
    }
    assert_eq!(checked, 5);
}

/// `--environment-re` on installed packages: a bzip2 `environment.bz2` fixture and
/// Portage's real ones.
#[test]
fn environment_regex_per_line() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let vdb = tmp.path().join("pkg");
    let envs = [
        (
            "app-misc/a-1",
            "declare -x CFLAGS=\"-O2 -pipe\"\nexport LC_ALL=C\n",
        ),
        (
            "app-misc/b-1",
            "declare -- MULTI=\"one\ntwo\"\r\nexport LC_ALL=C",
        ),
        ("app-misc/c-1", ""),
    ];
    for (cpv, env) in envs {
        write_file(&vdb, &format!("{cpv}/SLOT"), "0\n");
        let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
        enc.write_all(env.as_bytes()).unwrap();
        std::fs::write(vdb.join(cpv).join("environment.bz2"), enc.finish().unwrap()).unwrap();
    }
    // An entry without a saved environment never matches.
    write_file(&vdb, "app-misc/d-1/SLOT", "0\n");
    let repo = VdbRepo::open(&vdb);
    let hits = |re: &str| -> Vec<String> {
        repo.itermatch(
            &query::environment_re(re).unwrap(),
            &MatchOptions::default(),
        )
        .unwrap()
        .iter()
        .map(|p| p.cpv().to_string())
        .collect()
    };
    assert_eq!(hits("LC_ALL=C"), ["app-misc/a-1", "app-misc/b-1"]);
    assert_eq!(hits("^export LC_ALL=C$"), ["app-misc/a-1", "app-misc/b-1"]);
    assert_eq!(hits("O2 -pipe"), ["app-misc/a-1"]);
    assert_eq!(
        hits("^two\"$"),
        ["app-misc/b-1"],
        "lines, not the whole text"
    );
    assert!(hits("one.two").is_empty());
    assert!(hits("lc_all").is_empty(), "case-sensitive");
    assert_eq!(
        hits("").len(),
        2,
        "an empty environment has no line to match"
    );

    let real = root("root-after-upgrade");
    let hits: Vec<String> = real
        .itermatch(
            &query::environment_re("^declare -a PATCHES=").unwrap(),
            &MatchOptions::default(),
        )
        .unwrap()
        .iter()
        .map(|p| p.cpv().to_string())
        .collect();
    assert_eq!(hits, ["app-misc/hello-1.1"]);
}
