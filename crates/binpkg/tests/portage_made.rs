//! Interoperability with the files the real Portage 3.0.83 wrote
//! (`shared/data/portage-made`): every binpkg and every `Packages` index.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use common::{PKGDIRS, made};
use strata_binpkg::hashing::Hasher;
use strata_binpkg::image::{EntryKind, Limits};
use strata_binpkg::pkgdir::{self, index_entry};
use strata_binpkg::{Binpkg, Format, PackagesIndex, read_metadata};

fn index_of(dir: &Path) -> PackagesIndex {
    PackagesIndex::parse(&fs::read_to_string(dir.join("Packages")).unwrap()).unwrap()
}

#[test]
fn packages_files_round_trip_byte_for_byte() {
    for d in PKGDIRS {
        let dir = made(d);
        let text = fs::read_to_string(dir.join("Packages")).unwrap();
        let idx = PackagesIndex::parse(&text).unwrap();
        assert!(!idx.packages.is_empty(), "{d}");
        assert_eq!(
            idx.header
                .get("PACKAGES")
                .map(|s| s.parse::<usize>().unwrap()),
            Some(idx.packages.len()),
            "{d}"
        );
        assert_eq!(idx.to_text(), text, "{d}: rewriting changes the index");
        // Packages.gz holds the same text.
        let mut gz = String::new();
        flate2::read::GzDecoder::new(fs::File::open(dir.join("Packages.gz")).unwrap())
            .read_to_string(&mut gz)
            .unwrap();
        assert_eq!(gz, text, "{d}: Packages.gz differs");
    }
}

#[test]
fn every_binpkg_matches_portages_index_entry() {
    let mut checked = 0;
    for d in PKGDIRS {
        let dir = made(d);
        let idx = index_of(&dir);
        let scanned = pkgdir::scan(&dir).unwrap();
        let scanned_paths: BTreeSet<_> = scanned.iter().map(|f| f.rel_path.clone()).collect();
        let index_paths: BTreeSet<_> = idx.packages.iter().map(|e| idx.path_of(e)).collect();
        assert_eq!(scanned_paths, index_paths, "{d}: scan vs index PATHs");
        for e in &idx.packages {
            let rel = idx.path_of(e);
            let path = dir.join(&rel);
            let pkg = Binpkg::open(&path).unwrap();
            let want_format = if d.contains("gpkg") {
                Format::Gpkg
            } else {
                Format::Xpak
            };
            assert_eq!(pkg.format(), want_format, "{rel}");
            let meta = pkg.metadata().unwrap();
            meta.validate_text().unwrap();
            assert_eq!(meta, read_metadata(&path).unwrap(), "{rel}");
            let cpv = format!(
                "{}/{}",
                meta.text("CATEGORY").unwrap().unwrap(),
                meta.text("PF").unwrap().unwrap()
            );
            assert_eq!(cpv, e.cpv(), "{rel}");
            let bytes = fs::read(&path).unwrap();
            let mut h = Hasher::new();
            h.update(&bytes);
            let digests = h.finish();
            assert_eq!(
                idx.get(e, "SIZE"),
                Some(digests.size.to_string().as_str()),
                "{rel}"
            );
            assert_eq!(idx.get(e, "MD5"), Some(digests.md5.as_str()), "{rel}");
            assert_eq!(idx.get(e, "SHA1"), Some(digests.sha1.as_str()), "{rel}");
            // Every package key Portage recorded equals what we derive from the file
            // (MTIME is the file's mtime, which copies of the data need not keep).
            let ours = index_entry(&meta, &rel, &digests, 0).unwrap();
            for (k, v) in e.iter() {
                if k == "MTIME" || k == "REPO_REVISIONS" {
                    continue;
                }
                assert_eq!(idx.get(&ours, k), Some(v), "{rel}: key {k}");
            }
            for (k, v) in ours.iter() {
                if k == "MTIME" || k == "REPO_REVISIONS" || v.is_empty() {
                    continue;
                }
                assert_eq!(
                    idx.get(e, k),
                    Some(v),
                    "{rel}: our key {k} missing in Portage's"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 8 + 7 + 7);
}

#[test]
fn usetoggle_instances_differ_by_build_id_and_use() {
    let dir = made("pkgdir-gpkg-zstd");
    let idx = index_of(&dir);
    let toggles: Vec<_> = idx
        .packages
        .iter()
        .filter(|e| e.cpv() == "app-misc/usetoggle-1")
        .collect();
    assert_eq!(toggles.len(), 2);
    let ids: Vec<_> = toggles.iter().map(|e| e.build_id()).collect();
    assert_eq!(ids, [Some(1), Some(2)]);
    let uses: BTreeSet<_> = toggles.iter().map(|e| idx.get(e, "USE").unwrap()).collect();
    assert_eq!(uses.len(), 2);
    let files = pkgdir::scan(&dir).unwrap();
    let id = strata_binpkg::PackageId::parse("app-misc/usetoggle-1").unwrap();
    assert_eq!(pkgdir::next_build_id(&files, &id, []), 3);
    let hello = strata_binpkg::PackageId::parse("app-misc/hello-1.1").unwrap();
    assert_eq!(pkgdir::next_build_id(&files, &hello, [4]), 5);
}

/// CONTENTS of the installed root (installed from pkgdir-gpkg-zstd) as (kind, path).
fn vdb_contents(pf_dir: &str) -> BTreeSet<(String, String)> {
    let text = fs::read_to_string(
        made("root-after-install/var/db/pkg")
            .join(pf_dir)
            .join("CONTENTS"),
    )
    .unwrap();
    text.lines()
        .map(|l| {
            let (kind, rest) = l.split_once(' ').unwrap();
            let path = match kind {
                "obj" => rest.rsplitn(3, ' ').nth(2).unwrap().to_owned(),
                "sym" => rest.split(" -> ").next().unwrap().to_owned(),
                _ => rest.to_owned(),
            };
            (kind.to_owned(), path)
        })
        .collect()
}

#[test]
fn contents_listing_matches_the_installed_contents() {
    let cases = [
        (
            "app-misc/oddfiles/oddfiles-1-1.gpkg.tar",
            "app-misc/oddfiles-1",
        ),
        ("app-misc/hello/hello-1.0-1.gpkg.tar", "app-misc/hello-1.0"),
        (
            "dev-libs/libdemo/libdemo-2.0-1.gpkg.tar",
            "dev-libs/libdemo-2.0",
        ),
        (
            "app-misc/usetoggle/usetoggle-1-1.gpkg.tar",
            "app-misc/usetoggle-1",
        ),
    ];
    for (file, vdb) in cases {
        let pkg = Binpkg::open(&made("pkgdir-gpkg-zstd").join(file)).unwrap();
        let listed: BTreeSet<(String, String)> = pkg
            .contents(&Limits::default())
            .unwrap()
            .into_iter()
            .map(|e| {
                let kind = match e.kind {
                    EntryKind::Dir => "dir",
                    EntryKind::File { .. } | EntryKind::Hardlink { .. } => "obj",
                    EntryKind::Symlink { .. } => "sym",
                    EntryKind::Fifo => "fif",
                    EntryKind::Device { .. } => "dev",
                };
                (kind.to_owned(), e.path.to_str().unwrap().to_owned())
            })
            .collect();
        assert_eq!(listed, vdb_contents(vdb), "{file}");
    }
}

#[test]
fn xpak_and_gpkg_builds_of_one_package_have_the_same_image() {
    for (gpkg, xpak) in [
        (
            "pkgdir-gpkg-zstd/app-misc/oddfiles/oddfiles-1-1.gpkg.tar",
            "pkgdir-xpak-bzip2/app-misc/oddfiles/oddfiles-1-1.xpak",
        ),
        (
            "pkgdir-gpkg-zstd/app-misc/hello/hello-1.1-1.gpkg.tar",
            "pkgdir-xpak-legacy/app-misc/hello-1.1.tbz2",
        ),
    ] {
        let a = Binpkg::open(&made(gpkg)).unwrap();
        let b = Binpkg::open(&made(xpak)).unwrap();
        assert_eq!(a.compression().unwrap().name(), "zstd");
        assert_eq!(b.compression().unwrap().name(), "bzip2");
        let strip = |v: Vec<strata_binpkg::image::ImageEntry>| -> BTreeMap<PathBuf, EntryKind> {
            v.into_iter().map(|e| (e.path, e.kind)).collect()
        };
        let la = strip(a.contents(&Limits::default()).unwrap());
        let lb = strip(b.contents(&Limits::default()).unwrap());
        assert_eq!(la, lb, "{gpkg} vs {xpak}");
        // Same key set, except that the legacy layout has no BUILD_ID.
        let keys = |p: &Binpkg| -> BTreeSet<String> {
            p.metadata()
                .unwrap()
                .keys()
                .filter(|k| *k != "BUILD_ID")
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(keys(&a), keys(&b), "metadata key sets");
    }
}

#[test]
fn gpkg_structure_as_portage_writes_it() {
    let path = made("pkgdir-gpkg-zstd/app-misc/hello/hello-1.0-1.gpkg.tar");
    let pkg = Binpkg::open(&path).unwrap();
    let g = pkg.gpkg().unwrap();
    assert_eq!(g.dir_name(), "hello-1.0-1");
    let names: Vec<&str> = g.members().iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        ["gpkg-1", "metadata.tar.zst", "image.tar.zst", "Manifest"]
    );
    let manifest_names: Vec<&str> = g
        .manifest()
        .entries
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(
        manifest_names,
        ["gpkg-1", "metadata.tar.zst", "image.tar.zst"]
    );
}
