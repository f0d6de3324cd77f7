//! The fixtures against the real shared data and against files they write themselves.
#![allow(clippy::unwrap_used)]

use strata_testtools::{
    copy_tree, gentoo_stub_dir, guru_dir, md5_cache_files, parse_md5_cache, portage_made_dir,
    read_md5_cache, shared_dir, snapshot, walk_ebuilds, write_config_dir, write_file,
    write_guru_config, write_portage_config,
};

#[test]
fn shared_paths_point_at_the_data() {
    assert!(shared_dir().is_absolute());
    assert_eq!(guru_dir(), shared_dir().join("data/repos/guru"));
    assert_eq!(
        std::fs::read_to_string(gentoo_stub_dir().join("profiles/repo_name"))
            .unwrap()
            .trim(),
        "gentoo"
    );
    assert!(portage_made_dir().join("README.md").is_file());
}

#[test]
fn guru_config_names_both_repos_and_the_profile() {
    let config = write_guru_config(&[("make.conf", "USE=\"x\"\n"), ("package.mask/a", "a/b\n")]);
    let repos = std::fs::read_to_string(config.repos_conf()).unwrap();
    assert!(repos.contains(&format!("location = {}\n", guru_dir().display())));
    assert!(repos.contains(&format!("location = {}\n", gentoo_stub_dir().display())));
    // extra files replace the standard ones
    assert_eq!(
        std::fs::read_to_string(config.make_conf()).unwrap(),
        "USE=\"x\"\n"
    );
    assert_eq!(
        std::fs::read_link(config.make_profile()).unwrap(),
        gentoo_stub_dir().join("profiles/default/linux/amd64")
    );
    assert!(config.make_profile().join("make.defaults").is_file());
    let root = config.into_temp_dir();
    assert!(root.path().join("etc/portage/package.mask/a").is_file());
}

#[test]
fn config_dir_for_other_locations() {
    let config = write_config_dir("/g".as_ref(), "/o".as_ref(), &[]);
    let repos = std::fs::read_to_string(config.repos_conf()).unwrap();
    assert!(repos.contains("[gentoo]\nlocation = /g\n"));
    assert!(repos.contains("[guru]\nlocation = /o\n"));
    assert!(
        std::fs::read_to_string(config.make_conf())
            .unwrap()
            .contains("ACCEPT_KEYWORDS=\"amd64 ~amd64\"")
    );
}

#[test]
fn copy_tree_copies_nested_files() {
    let tmp = tempfile::tempdir().unwrap();
    write_file(tmp.path(), "a/b/c.txt", "one");
    write_file(tmp.path(), "a/d.txt", "two");
    copy_tree(&tmp.path().join("a"), &tmp.path().join("copy"));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("copy/b/c.txt")).unwrap(),
        "one"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("copy/d.txt")).unwrap(),
        "two"
    );
}

#[test]
fn md5_cache_reader_on_guru() {
    let files = md5_cache_files(&guru_dir());
    assert_eq!(files.len(), 3751);
    assert!(files.windows(2).all(|w| w[0] < w[1]));
    let (cat, pf, path) = &files[0];
    assert_eq!(
        path,
        &guru_dir().join("metadata/md5-cache").join(cat).join(pf)
    );
    let entry = read_md5_cache(path);
    assert!(entry.contains_key("EAPI") && entry.contains_key("_md5_"));
    assert_eq!(
        parse_md5_cache("A=1=2\nnoeq\nB=\n"),
        [("A", "1=2"), ("B", "")]
    );
}

#[test]
fn portage_config_for_any_repos() {
    let tmp = tempfile::tempdir().unwrap();
    let etc = write_portage_config(
        tmp.path(),
        &[("main", "/r/main".as_ref()), ("other", "/r/other".as_ref())],
        "ACCEPT_LICENSE=\"*\"\n",
        "/p/leaf".as_ref(),
    );
    assert_eq!(etc, tmp.path().join("etc/portage"));
    assert_eq!(
        std::fs::read_to_string(etc.join("repos.conf")).unwrap(),
        "[DEFAULT]\nmain-repo = main\n\n[main]\nlocation = /r/main\n\n[other]\nlocation = /r/other\n"
    );
    assert_eq!(
        std::fs::read_to_string(etc.join("make.conf")).unwrap(),
        "ACCEPT_LICENSE=\"*\"\n"
    );
    assert_eq!(
        std::fs::read_link(etc.join("make.profile")).unwrap(),
        std::path::Path::new("/p/leaf")
    );
}

#[test]
fn walk_ebuilds_and_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    write_file(tmp.path(), "cat/pkg/pkg-1.ebuild", "");
    write_file(tmp.path(), "cat/pkg/pkg-2.ebuild", "");
    write_file(tmp.path(), "cat/pkg/metadata.xml", "");
    write_file(tmp.path(), ".git/x/y-1.ebuild", "");
    write_file(tmp.path(), "other/top.ebuild", "");
    assert_eq!(walk_ebuilds(tmp.path()), ["cat/pkg-1", "cat/pkg-2"]);
    assert!(walk_ebuilds(&guru_dir()).len() >= 3751);

    let before = snapshot(tmp.path());
    assert!(before.contains_key(tmp.path()));
    assert_eq!(before[&tmp.path().join("cat/pkg/pkg-1.ebuild")].2, b"");
    assert_eq!(before, snapshot(tmp.path()));
    write_file(tmp.path(), "cat/pkg/pkg-1.ebuild", "EAPI=8\n");
    assert_ne!(before, snapshot(tmp.path()));
}
