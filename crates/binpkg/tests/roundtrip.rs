//! Write-then-read round trips in both formats and every supported compression,
//! starting from images and metadata Portage made, and a structural comparison of what
//! we write with Portage's files.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use common::made;
use strata_binpkg::image::{EntryKind, ImageEntry, Limits};
use strata_binpkg::pkgdir;
use strata_binpkg::writer::{IncludeAll, RECORD_SIZE, WriteOptions, write_binpkg};
use strata_binpkg::{Binpkg, Compression, Format, Metadata, PackagesIndex};

fn shape(entries: Vec<ImageEntry>) -> BTreeMap<PathBuf, (EntryKind, u32)> {
    entries
        .into_iter()
        .map(|e| (e.path, (e.kind, e.mode)))
        .collect()
}

fn meta_map(m: &Metadata) -> BTreeMap<String, Vec<u8>> {
    m.iter().map(|(k, v)| (k.to_owned(), v.to_vec())).collect()
}

fn tree_bytes(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(root).unwrap().to_owned();
            if m.is_dir() {
                stack.push(p);
                out.insert(rel, b"<dir>".to_vec());
            } else if m.is_symlink() {
                out.insert(
                    rel,
                    fs::read_link(&p)
                        .unwrap()
                        .into_os_string()
                        .into_encoded_bytes(),
                );
            } else {
                out.insert(rel, fs::read(&p).unwrap());
            }
        }
    }
    out
}

#[test]
fn write_then_read_gives_the_same_metadata_and_image() {
    let src = Binpkg::open(&made(
        "pkgdir-gpkg-zstd/app-misc/oddfiles/oddfiles-1-1.gpkg.tar",
    ))
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("image");
    src.extract(&image, &Limits::default()).unwrap();
    let meta = src.metadata().unwrap();
    let want_shape = shape(src.contents(&Limits::default()).unwrap());
    let want_tree = tree_bytes(&image);
    for format in [Format::Gpkg, Format::Xpak] {
        for comp in [
            Compression::Zstd,
            Compression::Gzip,
            Compression::Bzip2,
            Compression::Xz,
            Compression::Lz4,
            Compression::None,
        ] {
            let name = match format {
                Format::Gpkg => "oddfiles-1-1.gpkg.tar",
                Format::Xpak => "oddfiles-1-1.xpak",
            };
            let dest = tmp.path().join(format!("{}-{name}", comp.name()));
            let opts = WriteOptions {
                format,
                compression: comp,
                mtime: None,
            };
            let digests = write_binpkg(&image, &meta, &dest, &opts, &IncludeAll).unwrap();
            assert_eq!(digests.size, fs::metadata(&dest).unwrap().len());
            let back = Binpkg::open(&dest).unwrap();
            assert_eq!(back.format(), format, "{dest:?}");
            assert_eq!(back.compression().unwrap(), comp, "{dest:?}");
            assert_eq!(
                meta_map(&back.metadata().unwrap()),
                meta_map(&meta),
                "{dest:?}"
            );
            assert_eq!(
                shape(back.contents(&Limits::default()).unwrap()),
                want_shape,
                "{dest:?}"
            );
            let out = tmp
                .path()
                .join(format!("x-{}-{}", comp.name(), format.name()));
            back.extract(&out, &Limits::default()).unwrap();
            assert_eq!(tree_bytes(&out), want_tree, "{dest:?}");
            // No temporary files are left behind.
            let leftovers: Vec<_> = fs::read_dir(tmp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|n| n.starts_with(".tmp."))
                .collect();
            assert!(leftovers.is_empty(), "{leftovers:?}");
        }
    }
}

#[test]
fn gpkg_we_write_is_structured_like_portages() {
    let theirs_path = made("pkgdir-gpkg-zstd/app-misc/hello/hello-1.0-1.gpkg.tar");
    let theirs = Binpkg::open(&theirs_path).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("image");
    theirs.extract(&image, &Limits::default()).unwrap();
    let meta = theirs.metadata().unwrap();
    let dest = tmp.path().join("hello-1.0-1.gpkg.tar");
    write_binpkg(&image, &meta, &dest, &WriteOptions::default(), &IncludeAll).unwrap();
    let ours = Binpkg::open(&dest).unwrap();
    let (g1, g2) = (theirs.gpkg().unwrap(), ours.gpkg().unwrap());
    assert_eq!(g1.dir_name(), g2.dir_name());
    let names = |g: &strata_binpkg::gpkg::Gpkg| -> Vec<String> {
        g.members().iter().map(|m| m.name.clone()).collect()
    };
    assert_eq!(names(g1), names(g2));
    let hash_names = |g: &strata_binpkg::gpkg::Gpkg| -> Vec<Vec<String>> {
        g.manifest()
            .entries
            .iter()
            .map(|e| e.hashes.iter().map(|(k, _)| k.clone()).collect())
            .collect()
    };
    assert_eq!(hash_names(g1), hash_names(g2));
    assert_eq!(fs::metadata(&dest).unwrap().len() % RECORD_SIZE, 0);
    assert_eq!(fs::metadata(&theirs_path).unwrap().len() % RECORD_SIZE, 0);
    // Same image member names (including the image/ root) and kinds.
    assert_eq!(
        shape(ours.contents(&Limits::default()).unwrap())
            .keys()
            .collect::<BTreeSet<_>>(),
        shape(theirs.contents(&Limits::default()).unwrap())
            .keys()
            .collect::<BTreeSet<_>>()
    );
    // Deterministic: writing again gives the same bytes.
    let again = tmp.path().join("again/hello-1.0-1.gpkg.tar");
    fs::create_dir_all(again.parent().unwrap()).unwrap();
    write_binpkg(&image, &meta, &again, &WriteOptions::default(), &IncludeAll).unwrap();
    assert_eq!(fs::read(&dest).unwrap(), fs::read(&again).unwrap());
}

#[test]
fn xpak_we_write_is_structured_like_portages() {
    let theirs_path = made("pkgdir-xpak-bzip2/app-misc/hello/hello-1.0-1.xpak");
    let theirs = Binpkg::open(&theirs_path).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let image = tmp.path().join("image");
    theirs.extract(&image, &Limits::default()).unwrap();
    let meta = theirs.metadata().unwrap();
    let dest = tmp.path().join("hello-1.0-1.xpak");
    let opts = WriteOptions {
        format: Format::Xpak,
        compression: Compression::Bzip2,
        mtime: None,
    };
    write_binpkg(&image, &meta, &dest, &opts, &IncludeAll).unwrap();
    let ours = Binpkg::open(&dest).unwrap();
    // Portage packs the xpak in sorted key order, as we do.
    let theirs_keys: Vec<String> = theirs
        .metadata()
        .unwrap()
        .keys()
        .map(str::to_owned)
        .collect();
    let ours_keys: Vec<String> = ours.metadata().unwrap().keys().map(str::to_owned).collect();
    assert_eq!(ours_keys, theirs_keys);
    // The tar stream starts with the "./" root, as `tar -C ${D} .` writes it.
    let mut archive = tar::Archive::new(ours.image_tar().unwrap());
    let first = archive.entries().unwrap().next().unwrap().unwrap();
    assert_eq!(&*first.path_bytes(), b"./");
    let mut archive = tar::Archive::new(theirs.image_tar().unwrap());
    let first = archive.entries().unwrap().next().unwrap().unwrap();
    assert_eq!(&*first.path_bytes(), b"./");
}

#[test]
fn pkgdir_index_rebuild_matches_portages_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let src = made("pkgdir-xpak-bzip2");
    let dst = tmp.path().join("pkgdir");
    // Copy the files only (no index), keeping mtimes.
    for f in pkgdir::scan(&src).unwrap() {
        let to = dst.join(&f.rel_path);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(src.join(&f.rel_path), &to).unwrap();
    }
    let report = pkgdir::rebuild_index(&dst, true).unwrap();
    assert_eq!(report.indexed, 7);
    assert!(report.failed.is_empty());
    assert!(!dst.join(".Packages.portage_lockfile").exists());
    let ours = PackagesIndex::parse(&fs::read_to_string(dst.join("Packages")).unwrap()).unwrap();
    let theirs = PackagesIndex::parse(&fs::read_to_string(src.join("Packages")).unwrap()).unwrap();
    assert_eq!(ours.packages.len(), theirs.packages.len());
    for (a, b) in ours.packages.iter().zip(&theirs.packages) {
        assert_eq!(a.cpv(), b.cpv());
        for (k, v) in b.iter() {
            if k != "MTIME" && k != "REPO_REVISIONS" && k != "REPO" && k != "CHOST" {
                assert_eq!(ours.get(a, k), Some(v), "{} {k}", a.cpv());
            }
        }
    }
    // A second rebuild reuses every entry.
    let again = pkgdir::rebuild_index(&dst, false).unwrap();
    assert_eq!(again.reused, 7);
    // BUILD_ID claiming skips existing names.
    let id = strata_binpkg::PackageId::parse("app-misc/hello-1.0").unwrap();
    let (n, rel) = pkgdir::claim_build_id(&dst, &id, Format::Gpkg).unwrap();
    assert_eq!(n, 2);
    assert_eq!(rel, Path::new("app-misc/hello/hello-1.0-2.gpkg.tar"));
    let (n, _) = pkgdir::claim_build_id(&dst, &id, Format::Gpkg).unwrap();
    assert_eq!(n, 3);
}

#[test]
fn gc_keeps_the_newest_build_and_updates_the_index() {
    use strata_binpkg::gc::{self, Policy, Reason};
    let tmp = tempfile::tempdir().unwrap();
    let src = made("pkgdir-gpkg-zstd");
    let dst = tmp.path().join("pkgdir");
    for f in pkgdir::scan(&src).unwrap() {
        let to = dst.join(&f.rel_path);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(src.join(&f.rel_path), &to).unwrap();
    }
    fs::copy(src.join("Packages"), dst.join("Packages")).unwrap();
    let files = pkgdir::scan(&dst).unwrap();
    let plan = gc::plan(
        &files,
        &Policy {
            keep_newest: Some(1),
            ..Policy::default()
        },
    );
    let gone: Vec<(&str, Reason)> = plan
        .remove
        .iter()
        .map(|(f, r)| (f.rel_path.as_str(), *r))
        .collect();
    assert_eq!(
        gone,
        [(
            "app-misc/usetoggle/usetoggle-1-1.gpkg.tar",
            Reason::Superseded
        )]
    );
    assert_eq!(plan.bytes_freed(), 10240);
    // Pretend mode touches nothing; apply removes the file and its index entry.
    assert!(
        dst.join("app-misc/usetoggle/usetoggle-1-1.gpkg.tar")
            .exists()
    );
    assert_eq!(gc::apply(&dst, &plan, false).unwrap(), 10240);
    assert!(
        !dst.join("app-misc/usetoggle/usetoggle-1-1.gpkg.tar")
            .exists()
    );
    let idx = PackagesIndex::parse(&fs::read_to_string(dst.join("Packages")).unwrap()).unwrap();
    assert_eq!(idx.packages.len(), 7);
    assert_eq!(idx.header.get("PACKAGES").map(String::as_str), Some("7"));
    assert!(
        idx.packages
            .iter()
            .all(|e| idx.path_of(e) != "app-misc/usetoggle/usetoggle-1-1.gpkg.tar")
    );
    // The header Portage wrote is kept.
    assert_eq!(
        idx.header.get("PROFILE").map(String::as_str),
        Some("default/linux/amd64")
    );
}
