//! package.provided through pquery: `-r provided`, the installed selection (`-I`, `-A`,
//! CONTENTS options) that includes it as pkgcore's installed_repos does, and
//! `--virtuals {only,disable}`. The fixture is the sample repository with a profile stack
//! of its own: an EAPI 5 profile declaring two versions, an EAPI 8 child whose
//! package.provided must be ignored, and a user profile (`etc/portage/profile`) that
//! removes one entry and adds another.
#![allow(clippy::unwrap_used)]

mod common;

use common::sample;
use strata_testtools::write_file;

struct Fixture {
    dir: tempfile::TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let repo = sample().join("repo");
        write_file(
            root,
            "profiles/base/parent",
            &format!("{}\n", repo.join("profiles/default/linux/amd64").display()),
        );
        write_file(root, "profiles/base/eapi", "5\n");
        write_file(
            root,
            "profiles/base/package.provided",
            "# system perl and glibc are managed elsewhere\ndev-lang/perl-5.40.0\nsys-libs/glibc-2.40\n",
        );
        write_file(root, "profiles/top/parent", "../base\n");
        write_file(root, "profiles/top/eapi", "8\n");
        write_file(
            root,
            "profiles/top/package.provided",
            "sys-devel/ignored-1\n",
        );
        write_file(
            root,
            "etc/portage/repos.conf",
            &format!(
                "[DEFAULT]\nmain-repo = sample\n\n[sample]\nlocation = {}\n",
                repo.display()
            ),
        );
        write_file(
            root,
            "etc/portage/make.conf",
            "ACCEPT_KEYWORDS=\"amd64\"\nACCEPT_LICENSE=\"*\"\n",
        );
        write_file(
            root,
            "etc/portage/profile/package.provided",
            "-sys-libs/glibc-2.40\napp-misc/hello-9.0\n>=not/a-cpv-1\n",
        );
        std::os::unix::fs::symlink(
            root.join("profiles/top"),
            root.join("etc/portage/make.profile"),
        )
        .unwrap();
        Fixture { dir }
    }

    fn run(&self, args: &[&str]) -> (bool, String, String) {
        let out = common::run(
            common::command(
                &self.dir.path().join("etc/portage"),
                Some(&sample().join("root")),
                &self.dir.path().join("index"),
            )
            .args(args),
        );
        (out.ok, out.stdout, out.stderr)
    }

    fn lines(&self, args: &[&str]) -> Vec<String> {
        let (ok, out, err) = self.run(args);
        assert!(ok, "pquery {args:?} failed: {err}");
        out.lines().map(str::to_owned).collect()
    }
}

const VDB: [&str; 3] = [
    "app-misc/hello-1.0",
    "dev-libs/libfoo-1.2.3",
    "sys-apps/widget-4.1",
];
const PROVIDED: [&str; 2] = ["app-misc/hello-9.0", "dev-lang/perl-5.40.0"];

#[test]
fn repo_provided_lists_the_stacked_entries() {
    let f = Fixture::new();
    assert_eq!(f.lines(&["-r", "provided", "*"]), PROVIDED);
    assert_eq!(
        f.lines(&["-r", "provided", "-R", "--slot", "dev-lang/*"]),
        ["dev-lang/perl-5.40.0:0::provided"]
    );
    assert_eq!(
        f.lines(&["-r", "provided", ">=app-misc/hello-2"]),
        ["app-misc/hello-9.0"]
    );
    assert_eq!(
        f.lines(&["-r", "provided", "*::provided"]),
        PROVIDED,
        "the repository id is `provided`"
    );
    assert_eq!(
        f.lines(&["-r", "package.provided", "*"]),
        PROVIDED,
        "pkgcore's name for it"
    );
    assert!(f.lines(&["-r", "provided", "sys-libs/glibc"]).is_empty());
    assert!(f.lines(&["-r", "provided", "sys-devel/ignored"]).is_empty());
}

#[test]
fn installed_selection_includes_provided() {
    let f = Fixture::new();
    let both: Vec<&str> = VDB.iter().chain(PROVIDED.iter()).copied().collect();
    assert_eq!(f.lines(&["-I", "*"]), both);
    assert_eq!(f.lines(&["-I", "--virtuals", "disable", "*"]), VDB);
    assert_eq!(f.lines(&["-I", "--virtuals", "only", "*"]), PROVIDED);
    assert_eq!(f.lines(&["-r", "vdb", "*"]), VDB, "vdb alone is the vdb");
    // -A: installed, provided, then the (visible) source repository.
    let all = f.lines(&["-A", "-R", "app-misc/hello"]);
    assert_eq!(
        all,
        [
            "app-misc/hello-1.0::vdb",
            "app-misc/hello-9.0::provided",
            "app-misc/hello-1.0::sample",
            "app-misc/hello-1.1::sample"
        ]
    );
    assert_eq!(
        f.lines(&["-A", "-R", "--virtuals", "only", "app-misc/hello"]),
        ["app-misc/hello-9.0::provided"]
    );
    assert!(
        !f.lines(&["-A", "-R", "--virtuals", "disable", "*"])
            .iter()
            .any(|l| l.ends_with("::provided"))
    );
    // The default selection (source repositories) has no virtual repository.
    assert!(f.lines(&["--virtuals", "only", "*"]).is_empty());
    assert_eq!(
        f.lines(&["--virtuals", "disable", "app-misc/hello"]),
        f.lines(&["app-misc/hello"])
    );
}

#[test]
fn virtuals_takes_only_or_disable() {
    let f = Fixture::new();
    let (ok, _, err) = f.run(&["--virtuals", "sometimes", "*"]);
    assert!(!ok);
    assert!(err.contains("invalid value 'sometimes'"), "{err}");
}
