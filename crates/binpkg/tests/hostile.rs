//! Hostile input: crafted archives and binpkgs must be refused with clear errors, and
//! extraction must never write outside its destination.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::io::Cursor;
use std::path::{Path, PathBuf};

use strata_binpkg::image::{self, ImagePrefix, Limits};
use strata_binpkg::writer::{IncludeAll, WriteOptions, write_binpkg};
use strata_binpkg::{Binpkg, Compression, Error, Format, Metadata};

/// One raw tar entry written without any path sanitising.
fn raw_entry(out: &mut Vec<u8>, name: &[u8], ty: tar::EntryType, data: &[u8], link: &[u8]) {
    let mut h = tar::Header::new_gnu();
    {
        let old = h.as_old_mut();
        old.name[..name.len()].copy_from_slice(name);
        old.linkname[..link.len()].copy_from_slice(link);
    }
    h.set_mode(0o644);
    h.set_size(data.len() as u64);
    h.set_entry_type(ty);
    h.set_mtime(0);
    h.set_cksum();
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    let pad = (512 - data.len() % 512) % 512;
    out.extend(std::iter::repeat_n(0u8, pad));
}

fn finish(mut out: Vec<u8>) -> Vec<u8> {
    out.extend(std::iter::repeat_n(0u8, 1024));
    out
}

fn unsafe_reason(r: Result<Vec<image::ImageEntry>, Error>) -> String {
    match r {
        Err(Error::UnsafeEntry { entry, reason }) => format!("{entry}: {reason}"),
        other => panic!("expected UnsafeEntry, got {other:?}"),
    }
}

#[test]
fn absolute_and_dotdot_names_are_refused() {
    for (name, needle) in [
        (&b"/etc/passwd"[..], "absolute"),
        (b"./../etc/passwd", "'..'"),
        (b"./usr/../../x", "'..'"),
    ] {
        let mut t = Vec::new();
        raw_entry(&mut t, name, tar::EntryType::Regular, b"x", b"");
        let tar = finish(t);
        let r = image::list(Cursor::new(&tar), ImagePrefix::Dot, &Limits::default());
        let msg = unsafe_reason(r);
        assert!(msg.contains(needle), "{msg}");
    }
    // gpkg images must stay under image/.
    let mut t = Vec::new();
    raw_entry(&mut t, b"metadata/evil", tar::EntryType::Regular, b"x", b"");
    let msg = unsafe_reason(image::list(
        Cursor::new(&finish(t)),
        ImagePrefix::Image,
        &Limits::default(),
    ));
    assert!(msg.contains("image/"), "{msg}");
}

#[test]
fn paths_through_symlinks_are_refused_and_nothing_escapes() {
    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("outside");
    fs::create_dir(&outside).unwrap();
    let mut t = Vec::new();
    raw_entry(&mut t, b"./", tar::EntryType::Directory, b"", b"");
    raw_entry(
        &mut t,
        b"./link",
        tar::EntryType::Symlink,
        b"",
        outside.as_os_str().as_encoded_bytes(),
    );
    raw_entry(
        &mut t,
        b"./link/pwned",
        tar::EntryType::Regular,
        b"gotcha",
        b"",
    );
    let tar = finish(t);
    let msg = unsafe_reason(image::list(
        Cursor::new(&tar),
        ImagePrefix::Dot,
        &Limits::default(),
    ));
    assert!(msg.contains("symlink /link"), "{msg}");
    let dest = tmp.path().join("dest");
    let r = image::extract(
        Cursor::new(&tar),
        ImagePrefix::Dot,
        &dest,
        &Limits::default(),
    );
    assert!(matches!(r, Err(Error::UnsafeEntry { .. })), "{r:?}");
    assert!(!outside.join("pwned").exists());
    // Hard links must point at earlier entries inside the image.
    let mut t = Vec::new();
    raw_entry(
        &mut t,
        b"./hl",
        tar::EntryType::Link,
        b"",
        b"../../etc/shadow",
    );
    let msg = unsafe_reason(image::list(
        Cursor::new(&finish(t)),
        ImagePrefix::Dot,
        &Limits::default(),
    ));
    assert!(msg.contains("hard link"), "{msg}");
    let mut t = Vec::new();
    raw_entry(&mut t, b"./d/", tar::EntryType::Directory, b"", b"");
    raw_entry(&mut t, b"./hl", tar::EntryType::Link, b"", b"./d");
    let msg = unsafe_reason(image::list(
        Cursor::new(&finish(t)),
        ImagePrefix::Dot,
        &Limits::default(),
    ));
    assert!(msg.contains("not an earlier regular"), "{msg}");
    let mut t = Vec::new();
    raw_entry(&mut t, b"./f", tar::EntryType::Regular, b"data", b"");
    raw_entry(&mut t, b"./hl", tar::EntryType::Link, b"", b"./f");
    let listed = image::list(
        Cursor::new(&finish(t)),
        ImagePrefix::Dot,
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(listed.len(), 2);
    let mut t = Vec::new();
    raw_entry(&mut t, b"./hl", tar::EntryType::Link, b"", b"./never-seen");
    let msg = unsafe_reason(image::list(
        Cursor::new(&finish(t)),
        ImagePrefix::Dot,
        &Limits::default(),
    ));
    assert!(msg.contains("not an earlier"), "{msg}");
}

#[test]
fn device_nodes_need_permission() {
    let mut t = Vec::new();
    raw_entry(&mut t, b"./dev/evil", tar::EntryType::Char, b"", b"");
    let tar = finish(t);
    let msg = unsafe_reason(image::list(
        Cursor::new(&tar),
        ImagePrefix::Dot,
        &Limits::default(),
    ));
    assert!(msg.contains("device"), "{msg}");
    let allow = Limits {
        allow_devices: true,
        ..Limits::default()
    };
    let listed = image::list(Cursor::new(&tar), ImagePrefix::Dot, &allow).unwrap();
    assert_eq!(listed.len(), 1);
}

#[test]
fn size_limits_apply() {
    let mut t = Vec::new();
    raw_entry(&mut t, b"./a", tar::EntryType::Regular, &[1u8; 3000], b"");
    raw_entry(&mut t, b"./b", tar::EntryType::Regular, &[2u8; 3000], b"");
    let tar = finish(t);
    let small_file = Limits {
        max_file_size: 2000,
        ..Limits::default()
    };
    match image::list(Cursor::new(&tar), ImagePrefix::Dot, &small_file) {
        Err(Error::LimitExceeded { entry, what, .. }) => {
            assert_eq!(entry, "./a");
            assert_eq!(what, "file size");
        }
        other => panic!("{other:?}"),
    }
    let small_total = Limits {
        max_total_size: 5000,
        ..Limits::default()
    };
    match image::list(Cursor::new(&tar), ImagePrefix::Dot, &small_total) {
        Err(Error::LimitExceeded { entry, what, .. }) => {
            assert_eq!(entry, "./b");
            assert_eq!(what, "total image size");
        }
        other => panic!("{other:?}"),
    }
    let few = Limits {
        max_entries: 1,
        ..Limits::default()
    };
    assert!(matches!(
        image::list(Cursor::new(&tar), ImagePrefix::Dot, &few),
        Err(Error::LimitExceeded {
            what: "entry count",
            ..
        })
    ));
}

fn sample_package(dir: &Path, format: Format) -> PathBuf {
    let image = dir.join("image");
    fs::create_dir_all(image.join("usr/bin")).unwrap();
    fs::write(image.join("usr/bin/tool"), vec![7u8; 5000]).unwrap();
    let meta: Metadata = [
        ("CATEGORY", &b"app-misc\n"[..]),
        ("PF", b"tool-1\n"),
        ("EAPI", b"8\n"),
    ]
    .into_iter()
    .collect();
    let name = match format {
        Format::Gpkg => "tool-1-1.gpkg.tar",
        Format::Xpak => "tool-1-1.xpak",
    };
    let dest = dir.join(name);
    let opts = WriteOptions {
        format,
        compression: Compression::Gzip,
        mtime: Some(1),
    };
    write_binpkg(&image, &meta, &dest, &opts, &IncludeAll).unwrap();
    dest
}

#[test]
fn tampered_gpkg_members_fail_verification() {
    let tmp = tempfile::tempdir().unwrap();
    let path = sample_package(tmp.path(), Format::Gpkg);
    let pkg = Binpkg::open(&path).unwrap();
    let image = pkg.gpkg().unwrap().members()[2].clone();
    assert!(image.name.starts_with("image.tar"));
    let mut bytes = fs::read(&path).unwrap();
    bytes[image.offset as usize + 20] ^= 0xff;
    fs::write(&path, &bytes).unwrap();
    let pkg = Binpkg::open(&path).unwrap();
    pkg.metadata().unwrap();
    match pkg
        .image_tar()
        .map(|_| ())
        .map_err(|e| e.root().to_string())
    {
        Err(msg) => assert!(
            msg.contains("image.tar.gz") && msg.contains("SHA512"),
            "{msg}"
        ),
        Ok(()) => panic!("tampered image accepted"),
    }
}

#[test]
fn gpkg_without_manifest_or_with_strangers_is_refused() {
    let build = |members: &[(&str, &[u8])]| -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in members {
            let mut h = tar::Header::new_ustar();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    };
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("x-1.gpkg.tar");
    fs::write(
        &p,
        build(&[
            ("x-1/gpkg-1", b""),
            ("x-1/metadata.tar", b""),
            ("x-1/image.tar", b""),
        ]),
    )
    .unwrap();
    let e = Binpkg::open(&p).unwrap_err();
    assert!(e.to_string().contains("Manifest"), "{e}");
    fs::write(
        &p,
        build(&[
            ("x-1/gpkg-1", b""),
            ("y-1/metadata.tar", b""),
            ("x-1/image.tar", b""),
            ("x-1/Manifest", b""),
        ]),
    )
    .unwrap();
    let e = Binpkg::open(&p).unwrap_err();
    assert!(e.to_string().contains("top directory"), "{e}");
    fs::write(
        &p,
        build(&[
            ("x-1/gpkg-1", b""),
            ("x-1/metadata.tar", b""),
            ("x-1/image.tar", b""),
            ("x-1/evil.sh", b"rm -rf"),
            ("x-1/Manifest", b""),
        ]),
    )
    .unwrap();
    let e = Binpkg::open(&p).unwrap_err();
    assert!(e.to_string().contains("unknown member"), "{e}");
    // Listed nowhere in the Manifest.
    fs::write(
        &p,
        build(&[
            ("x-1/gpkg-1", b""),
            ("x-1/metadata.tar", b""),
            ("x-1/image.tar", b""),
            (
                "x-1/Manifest",
                b"DATA gpkg-1 0 MD5 d41d8cd98f00b204e9800998ecf8427e\n",
            ),
        ]),
    )
    .unwrap();
    let e = Binpkg::open(&p).unwrap_err();
    assert!(e.to_string().contains("not listed"), "{e}");
}

#[test]
fn truncated_or_corrupt_xpak_binpkgs_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let path = sample_package(tmp.path(), Format::Xpak);
    let bytes = fs::read(&path).unwrap();
    assert!(Binpkg::open(&path).unwrap().metadata().is_ok());
    // Truncated: the trailer is gone, and it is not a gpkg either.
    let cut = tmp.path().join("cut.xpak");
    fs::write(&cut, &bytes[..bytes.len() - 3]).unwrap();
    assert!(matches!(
        Binpkg::open(&cut).unwrap_err().root(),
        Error::UnknownFormat
    ));
    // The trailer claims more than the file holds.
    let mut big = bytes.clone();
    let n = big.len();
    big[n - 8..n - 4].copy_from_slice(&u32::MAX.to_be_bytes());
    let p = tmp.path().join("big.xpak");
    fs::write(&p, &big).unwrap();
    assert!(matches!(
        Binpkg::open(&p).unwrap_err().root(),
        Error::Xpak { .. }
    ));
    // Invalid UTF-8 in a text value is reported with the key.
    let meta: Metadata = [("CATEGORY", &b"app-misc\n"[..]), ("PF", b"t-1\xff\n")]
        .into_iter()
        .collect();
    assert!(matches!(meta.text("PF"), Err(Error::NotUtf8 { .. })));
}

#[test]
fn gpkg_with_signatures_and_a_clearsigned_manifest_is_read() {
    use strata_binpkg::hashing::Hasher;
    use strata_binpkg::manifest::{Manifest, ManifestEntry};
    let meta: Metadata = [("CATEGORY", &b"app-misc\n"[..]), ("PF", b"x-1\n")]
        .into_iter()
        .collect();
    let meta_tar = strata_binpkg::writer::write_metadata_tar(Vec::new(), &meta, 0).unwrap();
    let mut image = Vec::new();
    raw_entry(&mut image, b"image/", tar::EntryType::Directory, b"", b"");
    raw_entry(
        &mut image,
        b"image/f",
        tar::EntryType::Regular,
        b"hello",
        b"",
    );
    let image = finish(image);
    let sig = b"-----BEGIN PGP SIGNATURE-----\nxx\n-----END PGP SIGNATURE-----\n".to_vec();
    let members: Vec<(&str, Vec<u8>)> = vec![
        ("gpkg-1", Vec::new()),
        ("metadata.tar", meta_tar),
        ("metadata.tar.sig", sig.clone()),
        ("image.tar", image),
        ("image.tar.sig", sig),
    ];
    let manifest = Manifest {
        entries: members
            .iter()
            .map(|(n, d)| {
                let mut h = Hasher::new();
                h.update(d);
                ManifestEntry::from_digests(n, &h.finish())
            })
            .collect(),
        signed: false,
    };
    let text = format!(
        "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n{}-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n",
        manifest.to_text()
    );
    let mut b = tar::Builder::new(Vec::new());
    for (n, d) in members
        .iter()
        .chain([("Manifest", text.into_bytes())].iter())
    {
        let mut h = tar::Header::new_ustar();
        h.set_size(d.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, format!("x-1/{n}"), &d[..]).unwrap();
    }
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path().join("x-1.gpkg.tar");
    fs::write(&p, b.into_inner().unwrap()).unwrap();
    let pkg = Binpkg::open(&p).unwrap();
    assert!(pkg.gpkg().unwrap().manifest().signed);
    assert_eq!(pkg.compression().unwrap(), Compression::None);
    assert_eq!(pkg.metadata().unwrap().text("PF").unwrap(), Some("x-1"));
    let listed = pkg.contents(&Limits::default()).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].path, Path::new("/f"));
}
