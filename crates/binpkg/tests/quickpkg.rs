//! quickpkg from the VDB of the root Portage installed and upgraded
//! (`root-after-upgrade`, where the admin edited /etc/hello.conf).
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use common::made;
use strata_binpkg::image::Limits;
use strata_binpkg::quickpkg::{QuickpkgOptions, quickpkg};
use strata_binpkg::vdb_entry::{ConfigPolicy, ConfigProtect, EntryKind, VdbEntry};
use strata_binpkg::writer::WriteOptions;
use strata_binpkg::{Binpkg, Compression, Format, PackagesIndex};

fn root() -> PathBuf {
    made("root-after-upgrade")
}

fn opts(format: Format, config: ConfigPolicy) -> QuickpkgOptions {
    QuickpkgOptions {
        write: WriteOptions {
            format,
            compression: Compression::Zstd,
            mtime: None,
        },
        config,
        multi_instance: true,
        compress_index: true,
    }
}

#[test]
fn quickpkg_leaves_out_protected_config_and_indexes_the_result() {
    let root = root();
    let tmp = tempfile::tempdir().unwrap();
    let pkgdir = tmp.path().join("pkgdir");
    fs::create_dir(&pkgdir).unwrap();
    let entry = VdbEntry::read(&root.join("var/db/pkg/app-misc/hello-1.1")).unwrap();
    let policy = ConfigPolicy {
        protect: ConfigProtect::portage_default(),
        ..ConfigPolicy::default()
    };
    let report = quickpkg(&root, &entry, &pkgdir, &opts(Format::Gpkg, policy)).unwrap();
    assert_eq!(report.excluded, ["/etc/hello.conf"]);
    assert_eq!(report.build_id, Some(1));
    assert_eq!(
        report.rel_path,
        Path::new("app-misc/hello/hello-1.1-1.gpkg.tar")
    );
    let pkg = Binpkg::open(&pkgdir.join(&report.rel_path)).unwrap();
    assert_eq!(pkg.gpkg().unwrap().dir_name(), "hello-1.1");
    let listed: BTreeSet<String> = pkg
        .contents(&Limits::default())
        .unwrap()
        .into_iter()
        .map(|e| e.path.to_str().unwrap().to_owned())
        .collect();
    let want: BTreeSet<String> = entry
        .contents
        .iter()
        .filter(|c| c.path != "/etc/hello.conf")
        .map(|c| c.path.clone())
        .collect();
    assert_eq!(listed, want);
    // The files are the installed ones (md5 as recorded in CONTENTS).
    let out = tmp.path().join("x");
    pkg.extract(&out, &Limits::default()).unwrap();
    for c in &entry.contents {
        if let EntryKind::Obj { md5, .. } = &c.kind
            && c.path != "/etc/hello.conf"
        {
            let mut h = strata_binpkg::hashing::Hasher::new();
            h.update(&fs::read(out.join(c.path.trim_start_matches('/'))).unwrap());
            assert_eq!(&h.finish().md5, md5, "{}", c.path);
        }
    }
    let meta = pkg.metadata().unwrap();
    assert_eq!(meta.text("BUILD_ID").unwrap(), Some("1"));
    assert!(!meta.contains("CONTENTS"));
    assert_eq!(
        meta.get("environment.bz2"),
        entry.metadata.get("environment.bz2")
    );
    let idx = PackagesIndex::parse(&fs::read_to_string(pkgdir.join("Packages")).unwrap()).unwrap();
    assert_eq!(idx.packages.len(), 1);
    assert_eq!(idx.packages[0].cpv(), "app-misc/hello-1.1");
    assert_eq!(
        idx.path_of(&idx.packages[0]),
        "app-misc/hello/hello-1.1-1.gpkg.tar"
    );
    assert_eq!(
        idx.get(&idx.packages[0], "MD5"),
        Some(report.digests.md5.as_str())
    );
    // A second run gets the next BUILD_ID; --include-config takes the file.
    let all = ConfigPolicy {
        protect: ConfigProtect::portage_default(),
        include_config: true,
        include_unmodified_config: false,
    };
    let again = quickpkg(&root, &entry, &pkgdir, &opts(Format::Xpak, all)).unwrap();
    assert_eq!(again.build_id, Some(2));
    assert!(again.excluded.is_empty());
    let pkg2 = Binpkg::open(&pkgdir.join(&again.rel_path)).unwrap();
    assert!(
        pkg2.contents(&Limits::default())
            .unwrap()
            .iter()
            .any(|e| e.path == Path::new("/etc/hello.conf"))
    );
    let idx = PackagesIndex::parse(&fs::read_to_string(pkgdir.join("Packages")).unwrap()).unwrap();
    assert_eq!(idx.packages.len(), 2);
}

#[test]
fn unmodified_config_can_be_included() {
    let root = root();
    // usetoggle installs /usr/share/usetoggle/usetoggle.conf; protect that directory.
    let entry = VdbEntry::read(&root.join("var/db/pkg/app-misc/usetoggle-1")).unwrap();
    let conf = entry
        .contents
        .iter()
        .find(|c| c.path.ends_with("usetoggle.conf"))
        .unwrap()
        .clone();
    let protect = ConfigProtect::new("/usr/share/usetoggle", "");
    let strict = ConfigPolicy {
        protect: protect.clone(),
        ..ConfigPolicy::default()
    };
    assert!(strict.excludes(&root, &conf));
    let lenient = ConfigPolicy {
        protect,
        include_config: false,
        include_unmodified_config: true,
    };
    assert!(!lenient.excludes(&root, &conf));
}
