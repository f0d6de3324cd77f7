//! End-to-end tests of the archive store: determinism, find semantics, bad input,
//! verification and quarantine, GC, export, Manifest lines and the distfile source.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

use strata_archive::{
    Archive, ArchiveError, ArchiveKey, BLOB_LAYOUT_CONF, BlobState, ExportLayout, ExportOptions,
    GcOptions, GcRoots, ListFilter, Store,
};
use strata_fetch::hash::HashAlgorithm;
use strata_fetch::manifest::Manifest;
use strata_fetch::source::DistfileSource;
use strata_testtools::{guru_dir, set_mtime_secs};

fn key(pairs: &[(&str, &str)]) -> ArchiveKey {
    pairs.iter().map(|(k, v)| (*k, *v)).collect()
}

/// Writes the same tree twice with different creation order, mtimes and permission bits
/// (within the same executable/non-executable class).
fn make_tree(root: &Path, reverse: bool, mtime: u64, tight_perms: bool) {
    let mut files = vec![
        ("pkg/b.txt", &b"bee\n"[..], false),
        ("pkg/a.txt", &b"ay\n"[..], false),
        ("pkg/sub/z.bin", &[0u8, 1, 2, 3, 255][..], false),
        ("pkg/run.sh", &b"#!/bin/sh\necho hi\n"[..], true),
        ("pkg/sub/deeper/c", &b""[..], false),
    ];
    if reverse {
        files.reverse();
    }
    for (rel, data, exec) in files {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, data).unwrap();
        let mode = match (exec, tight_perms) {
            (true, false) => 0o755,
            (true, true) => 0o700,
            (false, false) => 0o644,
            (false, true) => 0o600,
        };
        fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
        set_mtime_secs(&p, mtime);
    }
    std::os::unix::fs::symlink("a.txt", root.join("pkg/link")).unwrap();
}

fn decompress(name: &str, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    if name.ends_with(".tar.gz") {
        flate2::read::GzDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
    } else if name.ends_with(".tar.bz2") {
        bzip2::read::BzDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
    } else if name.ends_with(".tar.xz") {
        xz2::read::XzDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
    } else if name.ends_with(".tar.zst") {
        out = zstd::decode_all(data).unwrap();
    } else {
        panic!("unexpected name {name}");
    }
    out
}

#[test]
fn same_inputs_give_same_bytes_for_every_compression() {
    let t1 = tempfile::tempdir().unwrap();
    let t2 = tempfile::tempdir().unwrap();
    make_tree(t1.path(), false, 1_000_000, false);
    make_tree(t2.path(), true, 1_700_000_000, true);
    let s1 = tempfile::tempdir().unwrap();
    let s2 = tempfile::tempdir().unwrap();
    let store1 = Store::open(s1.path()).unwrap();
    let store2 = Store::open(s2.path()).unwrap();
    for ext in ["tar.gz", "tar.bz2", "tar.xz", "tar.zst"] {
        let name = format!("pkg-1.0-vendor.{ext}");
        let k = key(&[("catpkg", "dev-util/pkg"), ("version", "1.0")]);
        let mut a1 = Archive::new(&name).unwrap();
        a1.add_dir(t1.path().join("pkg"), "pkg-1.0").unwrap();
        let mut a2 = Archive::new(&name).unwrap();
        a2.add_dir(t2.path().join("pkg"), "pkg-1.0").unwrap();
        let r1 = a1.store(&store1, &k).unwrap();
        let r2 = a2.store(&store2, &k).unwrap();
        let b1 = fs::read(r1.path()).unwrap();
        let b2 = fs::read(r2.path()).unwrap();
        assert_eq!(b1, b2, "{ext}: bytes differ");
        assert_eq!(r1.digests(), r2.digests());
        assert_eq!(r1.digests().size, b1.len() as u64);
        assert_eq!(
            r1.digests().sha512,
            HashAlgorithm::Sha512.hex_digest(&b1),
            "recorded SHA512 is the content's"
        );
        assert_eq!(r1.digests().blake2b, HashAlgorithm::Blake2b.hex_digest(&b1));

        // The tarball holds what went in, normalised.
        let raw = decompress(&name, &b1);
        let mut ar = tar::Archive::new(raw.as_slice());
        let mut seen = Vec::new();
        for e in ar.entries().unwrap() {
            let mut e = e.unwrap();
            let h = e.header().clone();
            assert_eq!(h.mtime().unwrap(), 0);
            assert_eq!((h.uid().unwrap(), h.gid().unwrap()), (0, 0));
            let path = e.path().unwrap().to_string_lossy().into_owned();
            let mut body = Vec::new();
            e.read_to_end(&mut body).unwrap();
            seen.push((path, h.mode().unwrap(), body));
        }
        let paths: Vec<&str> = seen.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(
            paths,
            [
                "pkg-1.0/",
                "pkg-1.0/a.txt",
                "pkg-1.0/b.txt",
                "pkg-1.0/link",
                "pkg-1.0/run.sh",
                "pkg-1.0/sub/",
                "pkg-1.0/sub/deeper/",
                "pkg-1.0/sub/deeper/c",
                "pkg-1.0/sub/z.bin"
            ]
        );
        let by_path = |p: &str| seen.iter().find(|s| s.0 == p).unwrap();
        assert_eq!(by_path("pkg-1.0/run.sh").1, 0o755);
        assert_eq!(by_path("pkg-1.0/a.txt").1, 0o644);
        assert_eq!(by_path("pkg-1.0/a.txt").2, b"ay\n");
        assert_eq!(by_path("pkg-1.0/sub/z.bin").2, [0u8, 1, 2, 3, 255]);
    }
}

#[test]
fn find_needs_the_exact_key_and_variants_coexist() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let name = "foo-1.0-go-bundle.tar.xz";
    let ka = key(&[("catpkg", "dev-go/foo"), ("gosum", "aaa")]);
    let kb = key(&[("catpkg", "dev-go/foo"), ("gosum", "bbb")]);
    let mut a = Archive::new(name).unwrap();
    a.add_bytes("foo/go.sum", "aaa").unwrap();
    a.set_metadata("autogen", "golang");
    let ra = a.store(&store, &ka).unwrap();
    let mut b = Archive::new(name).unwrap();
    b.add_bytes("foo/go.sum", "bbb").unwrap();
    let rb = b.store(&store, &kb).unwrap();
    assert_ne!(ra.digests().sha512, rb.digests().sha512);

    let fa = Archive::find(&store, name, &ka).unwrap().unwrap();
    let fb = Archive::find(&store, name, &kb).unwrap().unwrap();
    assert_eq!(fa.digests(), ra.digests());
    assert_eq!(fb.digests(), rb.digests());
    assert_eq!(
        fa.record.metadata.get("autogen").map(String::as_str),
        Some("golang")
    );
    assert_eq!(fa.final_name(), name);
    // Sub-, super-sets and other names miss.
    assert!(
        Archive::find(&store, name, &key(&[("catpkg", "dev-go/foo")]))
            .unwrap()
            .is_none()
    );
    let mut more = ka.clone();
    more.insert("extra", "");
    assert!(Archive::find(&store, name, &more).unwrap().is_none());
    assert!(
        Archive::find(&store, "foo-1.0-go-bundle.tar.gz", &ka)
            .unwrap()
            .is_none()
    );
    // The key given is never changed by the store.
    assert_eq!(ka.len(), 2);

    let listed = store
        .list(&ListFilter {
            final_name: Some(name.into()),
            include_superseded: false,
        })
        .unwrap();
    assert_eq!(listed.len(), 2);

    // Re-storing the same key with other content supersedes, keeping history.
    let mut c = Archive::new(name).unwrap();
    c.add_bytes("foo/go.sum", "ccc").unwrap();
    let rc = c.store(&store, &ka).unwrap();
    assert_eq!(
        Archive::find(&store, name, &ka).unwrap().unwrap().digests(),
        rc.digests()
    );
    let shown = store.show(name).unwrap();
    assert_eq!(shown.len(), 3);
    assert_eq!(
        shown
            .iter()
            .filter(|s| s.record.superseded_at.is_some())
            .count(),
        1
    );
    // Re-storing identical content is not a new row.
    let again = c.store(&store, &ka).unwrap();
    assert_eq!(again.record.id, rc.record.id);
    // show by SHA512 prefix and by id.
    assert_eq!(
        store.show(&rb.digests().sha512[..12]).unwrap()[0].record.id,
        rb.record.id
    );
    assert_eq!(
        store.show(&rb.record.id.to_string()).unwrap()[0].digests(),
        rb.digests()
    );
    assert!(matches!(
        store.show("nothing-such"),
        Err(ArchiveError::NotFound { .. })
    ));
}

#[test]
fn blobs_use_the_glep75_content_hash_layout() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut a = Archive::new("x-1.tar.gz").unwrap();
    a.add_bytes("x", "1").unwrap();
    let r = a.store(&store, &ArchiveKey::new()).unwrap();
    let sha = &r.digests().sha512;
    let root = dir.path().canonicalize().unwrap();
    assert_eq!(
        r.path(),
        root.join("blobs")
            .join(&sha[0..2])
            .join(&sha[2..4])
            .join(&sha[4..6])
            .join(sha)
    );
    assert_eq!(
        fs::read_to_string(root.join("blobs/layout.conf")).unwrap(),
        BLOB_LAYOUT_CONF
    );
    // fetch's layout code places the blob exactly where it is.
    let conf = strata_fetch::layout::LayoutConf::parse(BLOB_LAYOUT_CONF);
    let d = r.digests().to_digests();
    let rel = conf.best(Some(&d)).path("x-1.tar.gz", Some(&d)).unwrap();
    assert_eq!(root.join("blobs").join(rel), r.path());
    assert_eq!(
        fs::metadata(r.path()).unwrap().permissions().mode() & 0o777,
        0o444
    );
    // No temporary files left behind.
    assert_eq!(fs::read_dir(root.join("tmp")).unwrap().count(), 0);
    assert_eq!(
        r.src_uri("https://distfiles.example/"),
        format!(
            "https://distfiles.example/{}/{}/{}/{sha} -> x-1.tar.gz",
            &sha[0..2],
            &sha[2..4],
            &sha[4..6]
        )
    );
}

#[test]
fn bad_input_gets_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let err = Store::open(&missing).unwrap_err();
    assert!(matches!(err, ArchiveError::StoreMissing { .. }), "{err}");
    assert!(err.to_string().contains("nope"));
    let file = dir.path().join("file");
    fs::write(&file, "x").unwrap();
    assert!(matches!(
        Store::open(&file),
        Err(ArchiveError::StoreMissing { .. })
    ));

    let err = Archive::new("foo.zip").unwrap_err();
    assert!(matches!(err, ArchiveError::UnknownExtension { .. }));
    assert!(err.to_string().contains(".tar.xz"), "{err}");
    for bad in ["a/b.tar.gz", "../a.tar.gz", "..", "a\0.tar.gz"] {
        assert!(
            matches!(
                Archive::new(bad),
                Err(ArchiveError::InvalidFinalName { .. })
            ),
            "{bad:?}"
        );
    }
    let store = Store::open(dir.path()).unwrap();
    assert!(matches!(
        store.find("a/../b.tar.gz", &ArchiveKey::new()),
        Err(ArchiveError::InvalidFinalName { .. })
    ));
    for bad in ["[1,2]", "{\"a\": 1}", "{\"a\": {\"b\": \"c\"}}", "nonsense"] {
        assert!(
            matches!(
                ArchiveKey::from_json(bad),
                Err(ArchiveError::InvalidKey { .. })
            ),
            "{bad}"
        );
    }
    let mut a = Archive::new("ok.tar.gz").unwrap();
    assert!(matches!(
        a.add_bytes("/abs", "x"),
        Err(ArchiveError::InvalidEntryPath { .. })
    ));
    assert!(matches!(
        a.add_bytes("a/../../x", "x"),
        Err(ArchiveError::InvalidEntryPath { .. })
    ));
    assert!(matches!(
        a.add_file(dir.path().join("missing-input"), "x"),
        Err(ArchiveError::Io { .. })
    ));
}

#[test]
fn verify_quarantines_corrupt_blobs_and_find_then_misses() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let k = key(&[("v", "1")]);
    let mut a = Archive::new("c-1.tar.zst").unwrap();
    a.add_bytes("c/data", vec![7u8; 10_000]).unwrap();
    let r = a.store(&store, &k).unwrap();
    let mut other = Archive::new("d-1.tar.gz").unwrap();
    other.add_bytes("d", "fine").unwrap();
    let rd = other.store(&store, &k).unwrap();
    assert!(store.verify().unwrap().is_clean());

    // Flip one byte, keeping the size (so only a re-hash can tell).
    let p = r.path().to_owned();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
    let mut bytes = fs::read(&p).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    fs::write(&p, &bytes).unwrap();

    let report = store.verify().unwrap();
    assert_eq!(report.quarantined.len(), 1, "{report:?}");
    assert_eq!(report.ok, 1);
    let q = &report.quarantined[0];
    assert_eq!(q.sha512, r.digests().sha512);
    assert!(
        q.moved_to
            .starts_with(dir.path().canonicalize().unwrap().join("quarantine"))
    );
    assert_eq!(fs::read(&q.moved_to).unwrap(), bytes, "kept, not deleted");
    assert!(!p.exists());
    assert!(Archive::find(&store, "c-1.tar.zst", &k).unwrap().is_none());
    assert!(Archive::find(&store, "d-1.tar.gz", &k).unwrap().is_some());
    assert_eq!(
        store
            .index()
            .blob(&r.digests().sha512)
            .unwrap()
            .unwrap()
            .state,
        BlobState::Quarantined
    );

    // Rebuilding restores it.
    let again = a.store(&store, &k).unwrap();
    assert_eq!(again.digests(), r.digests());
    assert!(Archive::find(&store, "c-1.tar.zst", &k).unwrap().is_some());
    assert!(store.verify().unwrap().quarantined.is_empty());

    // A missing blob is reported and find misses.
    fs::remove_file(rd.path()).unwrap();
    let report = store.verify().unwrap();
    assert_eq!(report.missing, vec![rd.digests().sha512.clone()]);
    assert!(Archive::find(&store, "d-1.tar.gz", &k).unwrap().is_none());
}

#[test]
fn gc_keeps_rooted_and_recent_blobs_and_honours_pretend() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let k = key(&[("k", "1")]);
    let store_bytes = |name: &str, data: &str| {
        let mut a = Archive::new(name).unwrap();
        a.add_bytes("f", data.to_owned()).unwrap();
        a.store(&store, &k).unwrap()
    };
    let old_published = store_bytes("p-1.tar.gz", "v1"); // superseded, but in a Manifest
    let current = store_bytes("p-1.tar.gz", "v2"); // supersedes it
    let old_unpublished = store_bytes("q-1.tar.gz", "v1q");
    let _q2 = store_bytes("q-1.tar.gz", "v2q");
    let unrooted_active = store_bytes("r-1.tar.gz", "r");

    let tree = tempfile::tempdir().unwrap();
    let pkg = tree.path().join("cat/p");
    fs::create_dir_all(&pkg).unwrap();
    fs::write(
        pkg.join("Manifest"),
        format!("{}\n", old_published.manifest_line()),
    )
    .unwrap();
    let mut roots = GcRoots::new();
    roots.add_manifests(&[tree.path()]).unwrap();
    assert_eq!(roots.manifests, 1);
    assert!(roots.sha512.contains(&old_published.digests().sha512));

    let later = strata_archive_now() + 40 * 24 * 3600;
    // Within the grace period nothing goes.
    let report = store
        .gc(&GcOptions {
            roots: roots.clone(),
            ..GcOptions::default()
        })
        .unwrap();
    assert!(
        report.removed_blobs.is_empty() && report.removed_archives.is_empty(),
        "{report:?}"
    );

    // Pretend: reports, removes nothing.
    let opts = GcOptions {
        roots: roots.clone(),
        pretend: true,
        now: Some(later),
        ..GcOptions::default()
    };
    let pretend = store.gc(&opts).unwrap();
    let removed: BTreeSet<&str> = pretend
        .removed_blobs
        .iter()
        .map(|b| b.sha512.as_str())
        .collect();
    assert_eq!(
        removed,
        BTreeSet::from([old_unpublished.digests().sha512.as_str()])
    );
    assert!(old_unpublished.path().exists());
    assert_eq!(
        store
            .show(&old_unpublished.record.id.to_string())
            .unwrap()
            .len(),
        1
    );

    // For real.
    let real = store
        .gc(&GcOptions {
            pretend: false,
            ..opts.clone()
        })
        .unwrap();
    assert_eq!(real.removed_blobs, pretend.removed_blobs);
    assert_eq!(real.removed_archives.len(), 1);
    assert!(!old_unpublished.path().exists());
    assert!(old_published.path().exists(), "rooted by the Manifest");
    assert!(current.path().exists());
    assert!(
        unrooted_active.path().exists(),
        "active rows are kept by default"
    );
    assert!(store.verify().unwrap().is_clean());

    // prune_unrooted: only the Manifest roots keep archives.
    let strict = store
        .gc(&GcOptions {
            prune_unrooted: true,
            ..opts.clone()
        })
        .unwrap();
    assert!(strict.pretend);
    let strict = store
        .gc(&GcOptions {
            prune_unrooted: true,
            pretend: false,
            ..opts
        })
        .unwrap();
    assert!(!unrooted_active.path().exists());
    assert!(!current.path().exists());
    assert!(old_published.path().exists());
    assert!(strict.freed_bytes > 0);
    assert!(Archive::find(&store, "r-1.tar.gz", &k).unwrap().is_none());
}

fn strata_archive_now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn export_flat_filename_hash_and_content_hash() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let name = "tridactyl-native-0.5.0.tar.gz";
    let mut a = Archive::new(name).unwrap();
    a.add_bytes("t/x", "one").unwrap();
    let r1 = a.store(&store, &key(&[("v", "1")])).unwrap();
    let mut b = Archive::new(name).unwrap();
    b.add_bytes("t/x", "two").unwrap();
    let r2 = b.store(&store, &key(&[("v", "2")])).unwrap();

    let out = tempfile::tempdir().unwrap();
    let flat = out.path().join("distfiles");
    let rep = store.export(&flat, &ExportOptions::default()).unwrap();
    assert_eq!(rep.written, vec![flat.join(name)]);
    assert_eq!(
        fs::read(flat.join(name)).unwrap(),
        fs::read(r2.path()).unwrap(),
        "newest variant"
    );
    assert_eq!(
        rep.shadowed,
        vec![(name.to_owned(), r1.digests().sha512.clone())]
    );
    // Again: present, nothing rewritten.
    let rep = store.export(&flat, &ExportOptions::default()).unwrap();
    assert_eq!(rep.present, vec![flat.join(name)]);
    // A different file in the way is a conflict and left alone.
    let clash = out.path().join("clash");
    fs::create_dir_all(&clash).unwrap();
    fs::write(clash.join(name), "something else").unwrap();
    let rep = store
        .export(
            &clash,
            &ExportOptions {
                copy: true,
                ..ExportOptions::default()
            },
        )
        .unwrap();
    assert_eq!(rep.conflicts, vec![clash.join(name)]);
    assert_eq!(
        fs::read_to_string(clash.join(name)).unwrap(),
        "something else"
    );

    // filename-hash BLAKE2B 8: formats.md §10.4 vector ("ee/" for this name).
    let mirror = out.path().join("mirror");
    let rep = store
        .export(
            &mirror,
            &ExportOptions {
                layout: ExportLayout::FilenameHash,
                ..ExportOptions::default()
            },
        )
        .unwrap();
    assert_eq!(rep.written, vec![mirror.join("ee").join(name)]);
    let conf = fs::read_to_string(mirror.join("layout.conf")).unwrap();
    assert_eq!(conf, "[structure]\n0=filename-hash BLAKE2B 8\n");

    // content-hash: every variant, by SHA512.
    let ch = out.path().join("ch");
    let rep = store
        .export(
            &ch,
            &ExportOptions {
                layout: ExportLayout::ContentHash,
                copy: true,
                ..ExportOptions::default()
            },
        )
        .unwrap();
    assert_eq!(rep.written.len(), 2);
    for r in [&r1, &r2] {
        let sha = &r.digests().sha512;
        let p = ch
            .join(&sha[0..2])
            .join(&sha[2..4])
            .join(&sha[4..6])
            .join(sha);
        assert_eq!(fs::read(&p).unwrap(), fs::read(r.path()).unwrap());
    }
    assert_eq!(
        fs::read_to_string(ch.join("layout.conf")).unwrap(),
        BLOB_LAYOUT_CONF
    );
}

#[test]
fn manifest_lines_parse_and_the_store_serves_the_fetcher() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut a = Archive::new("srv-2.tar.bz2").unwrap();
    a.add_bytes("srv/README", "served").unwrap();
    let r = a.store(&store, &key(&[("x", "y")])).unwrap();
    let line = r.manifest_line();
    assert_eq!(
        line,
        format!(
            "DIST srv-2.tar.bz2 {} BLAKE2B {} SHA512 {}",
            r.digests().size,
            r.digests().blake2b,
            r.digests().sha512
        )
    );
    let m = Manifest::parse(&format!("{line}\n")).unwrap();
    let entry = m.dist("srv-2.tar.bz2").unwrap();

    let distdir = tempfile::tempdir().unwrap();
    let source: &dyn DistfileSource = &store;
    // By SHA512, even under another name.
    let dest = distdir.path().join("renamed.tar.bz2");
    assert!(
        source
            .provide("renamed.tar.bz2", &entry.digests, &dest)
            .unwrap()
    );
    strata_fetch::hash::verify_file(&dest, &entry.digests, &[HashAlgorithm::Blake2b]).unwrap();
    // Readable by the unprivileged build user (not a 0600 temporary file).
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&dest).unwrap().permissions().mode();
        assert_eq!(mode & 0o044, 0o044, "distfile mode {mode:o}");
    }
    // An existing destination is never overwritten.
    assert!(
        source
            .provide("renamed.tar.bz2", &entry.digests, &dest)
            .is_err()
    );
    // By name when the Manifest has no hashes.
    let dest2 = distdir.path().join("srv-2.tar.bz2");
    let empty = strata_fetch::hash::Digests::new(None);
    assert!(source.provide("srv-2.tar.bz2", &empty, &dest2).unwrap());
    assert_eq!(fs::read(&dest2).unwrap(), fs::read(r.path()).unwrap());
    // Contradicting digests: not offered.
    let wrong = strata_fetch::hash::Digests::new(Some(r.digests().size + 1));
    assert!(
        !source
            .provide("srv-2.tar.bz2", &wrong, &distdir.path().join("w"))
            .unwrap()
    );
    let mut other = entry.digests.clone();
    other.insert(HashAlgorithm::Sha512, vec![0; 64]);
    assert!(
        !source
            .provide("srv-2.tar.bz2", &other, &distdir.path().join("w2"))
            .unwrap()
    );
    assert!(!distdir.path().join("w2").exists());
}

#[test]
fn gc_roots_from_guru_manifests() {
    let guru = guru_dir();
    assert!(guru.is_dir(), "shared data missing: {}", guru.display());
    let mut roots = GcRoots::new();
    roots.add_manifests(&[&guru]).unwrap();
    // Independent count: scan the DIST lines by hand.
    let mut want = BTreeSet::new();
    let mut manifests = 0;
    let mut stack = vec![guru.clone()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                if e.file_name() != ".git" {
                    stack.push(p);
                }
            } else if e.file_name() == "Manifest" {
                manifests += 1;
                for line in fs::read_to_string(&p).unwrap().lines() {
                    let f: Vec<&str> = line.split(' ').collect();
                    if f[0] == "DIST"
                        && let Some(i) = f.iter().position(|x| *x == "SHA512")
                    {
                        want.insert(f[i + 1].to_owned());
                    }
                }
            }
        }
    }
    assert_eq!(roots.manifests, manifests);
    assert!(manifests >= 2000, "{manifests}");
    assert_eq!(roots.sha512, want);
    assert!(want.len() > 10_000, "{}", want.len());

    // A blob named by one of those hashes survives GC, an unrooted one does not.
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut a = Archive::new("unrooted-1.tar.gz").unwrap();
    a.add_bytes("u", "u").unwrap();
    let r = a.store(&store, &ArchiveKey::new()).unwrap();
    let report = store
        .gc(&GcOptions {
            roots,
            prune_unrooted: true,
            now: Some(strata_archive_now() + 31 * 24 * 3600),
            ..GcOptions::default()
        })
        .unwrap();
    assert_eq!(report.removed_blobs.len(), 1);
    assert!(!r.path().exists());
}

#[test]
fn crash_leftovers_and_damaged_blobs_are_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let k = key(&[("c", "1")]);
    let mut a = Archive::new("crash-1.tar.gz").unwrap();
    a.add_bytes("crash/f", vec![3u8; 5000]).unwrap();

    // A crash between linking a blob and indexing it leaves an unindexed blob.
    let mut tar_gz = Vec::new();
    {
        let tmp = tempfile::tempdir().unwrap();
        let s2 = Store::open(tmp.path()).unwrap();
        let r = a.store(&s2, &k).unwrap();
        tar_gz.extend(fs::read(r.path()).unwrap());
    }
    let d = store
        .blobs()
        .insert_with(|w| {
            w.write_all(&tar_gz)
                .map_err(|e| ArchiveError::io("write", "test", e))
        })
        .unwrap();
    let report = store.verify().unwrap();
    assert_eq!(report.unindexed, vec![store.blobs().path(&d.sha512)]);
    assert!(
        Archive::find(&store, "crash-1.tar.gz", &k)
            .unwrap()
            .is_none()
    );
    // Storing it now indexes the existing blob.
    let r = a.store(&store, &k).unwrap();
    assert_eq!(r.digests(), &d);
    assert!(store.verify().unwrap().is_clean());

    // A truncated blob is noticed by find (size check), and storing again replaces it
    // after moving the damaged file to quarantine.
    fs::set_permissions(r.path(), fs::Permissions::from_mode(0o644)).unwrap();
    fs::write(r.path(), &tar_gz[..10]).unwrap();
    assert!(
        Archive::find(&store, "crash-1.tar.gz", &k)
            .unwrap()
            .is_none()
    );
    let again = a.store(&store, &k).unwrap();
    assert_eq!(fs::read(again.path()).unwrap(), tar_gz);
    assert!(
        Archive::find(&store, "crash-1.tar.gz", &k)
            .unwrap()
            .is_some()
    );
    let quarantined: Vec<_> = fs::read_dir(store.blobs().quarantine_dir())
        .unwrap()
        .map(|e| fs::read(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(quarantined, vec![tar_gz[..10].to_vec()]);

    // An unindexed blob older than the grace period is swept by GC; a fresh one is not.
    let e = store
        .blobs()
        .insert_with(|w| {
            w.write_all(b"orphan")
                .map_err(|e| ArchiveError::io("write", "test", e))
        })
        .unwrap();
    let young = store.gc(&GcOptions::default()).unwrap();
    assert!(young.removed_blobs.is_empty());
    let old = store
        .gc(&GcOptions {
            now: Some(strata_archive_now() + 31 * 24 * 3600),
            ..GcOptions::default()
        })
        .unwrap();
    assert_eq!(old.removed_blobs.len(), 1);
    assert_eq!(old.removed_blobs[0].sha512, e.sha512);
    assert!(!old.removed_blobs[0].indexed);
    assert!(again.path().exists(), "indexed active archive kept");
}

#[test]
fn the_fetcher_takes_distfiles_from_the_store_before_the_network() {
    use std::sync::Arc;
    use strata_fetch::transport::FileTransport;
    use strata_fetch::{FetchOptions, Fetchable, FetchedFrom, Fetcher, Restrict};

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut a = Archive::new("gen-3-deps.tar.xz").unwrap();
    a.add_bytes("gen-3/vendor/modules.txt", "# example.com/m v1\n")
        .unwrap();
    let r = a.store(&store, &key(&[("gosum", "s")])).unwrap();
    let manifest = Manifest::parse(&format!("{}\n", r.manifest_line())).unwrap();
    let digests = manifest.dist("gen-3-deps.tar.xz").unwrap().digests.clone();

    let distdir = tempfile::tempdir().unwrap();
    let fetcher = Fetcher::new(FetchOptions::new(distdir.path()), Arc::new(FileTransport))
        .with_source(Arc::new(store));
    // No URI at all: only the store can provide it.
    let got = fetcher
        .fetch(&Fetchable::new(
            "gen-3-deps.tar.xz",
            Some(digests),
            Restrict::default(),
        ))
        .unwrap();
    assert_eq!(got.from, FetchedFrom::Source(0));
    assert_eq!(got.path, distdir.path().join("gen-3-deps.tar.xz"));
    assert_eq!(fs::read(&got.path).unwrap(), fs::read(r.path()).unwrap());

    // A distfile the store does not have is not invented.
    let mut other = Manifest::parse(&format!("{}\n", r.manifest_line()))
        .unwrap()
        .dist("gen-3-deps.tar.xz")
        .unwrap()
        .digests
        .clone();
    other.insert(HashAlgorithm::Sha512, vec![1; 64]);
    assert!(
        fetcher
            .fetch(&Fetchable::new(
                "missing-1.tar.xz",
                Some(other),
                Restrict::default()
            ))
            .is_err()
    );
    assert!(!distdir.path().join("missing-1.tar.xz").exists());
}

#[test]
fn full_read_check_quarantines_on_find() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_with(
        dir.path(),
        strata_archive::StoreOptions {
            read_check: strata_archive::ReadCheck::Full,
            ..strata_archive::StoreOptions::default()
        },
    )
    .unwrap();
    let k = key(&[("f", "1")]);
    let mut a = Archive::new("full-1.tar.gz").unwrap();
    a.add_bytes("full/x", vec![9u8; 3000]).unwrap();
    let r = a.store(&store, &k).unwrap();
    assert!(
        Archive::find(&store, "full-1.tar.gz", &k)
            .unwrap()
            .is_some()
    );
    let p = r.path().to_owned();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
    let mut bytes = fs::read(&p).unwrap();
    bytes[20] ^= 1;
    fs::write(&p, &bytes).unwrap();
    assert!(
        Archive::find(&store, "full-1.tar.gz", &k)
            .unwrap()
            .is_none()
    );
    assert!(!p.exists());
    assert_eq!(
        store
            .index()
            .blob(&r.digests().sha512)
            .unwrap()
            .unwrap()
            .state,
        BlobState::Quarantined
    );
    assert_eq!(
        fs::read_dir(store.blobs().quarantine_dir())
            .unwrap()
            .count(),
        1
    );
}

#[test]
fn update_manifest_adds_and_replaces_dist_entries() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let mut a = Archive::new("m-1-deps.tar.xz").unwrap();
    a.add_bytes("m/x", "1").unwrap();
    let r1 = a.store(&store, &key(&[("v", "1")])).unwrap();
    let pkg = tempfile::tempdir().unwrap();
    let manifest = pkg.path().join("Manifest");
    let other_line = strata_archive::dist_line(
        "aaa-1.tar.gz",
        &strata_archive::BlobDigests::of_bytes(b"abc"),
    );
    fs::write(&manifest, format!("{other_line}\n")).unwrap();
    fs::set_permissions(&manifest, fs::Permissions::from_mode(0o640)).unwrap();
    let changed = strata_archive::update_manifest(&manifest, &[&r1]).unwrap();
    assert_eq!(changed, ["m-1-deps.tar.xz"]);
    let text = fs::read_to_string(&manifest).unwrap();
    assert_eq!(text, format!("{other_line}\n{}\n", r1.manifest_line()));
    assert_eq!(
        fs::metadata(&manifest).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // Same again: nothing changes.
    assert!(
        strata_archive::update_manifest(&manifest, &[&r1])
            .unwrap()
            .is_empty()
    );
    // A new variant replaces the entry.
    let mut b = Archive::new("m-1-deps.tar.xz").unwrap();
    b.add_bytes("m/x", "2").unwrap();
    let r2 = b.store(&store, &key(&[("v", "2")])).unwrap();
    assert_eq!(
        strata_archive::update_manifest(&manifest, &[&r2]).unwrap(),
        ["m-1-deps.tar.xz"]
    );
    let m = Manifest::load(&manifest).unwrap();
    assert_eq!(m.dists().count(), 2);
    assert_eq!(
        m.dist("m-1-deps.tar.xz")
            .unwrap()
            .digests
            .hex("SHA512")
            .unwrap(),
        r2.digests().sha512
    );
    // A new Manifest is created; signed ones are refused.
    let fresh = pkg.path().join("sub/Manifest");
    fs::create_dir_all(fresh.parent().unwrap()).unwrap();
    strata_archive::update_manifest(&fresh, &[&r1]).unwrap();
    assert_eq!(
        fs::read_to_string(&fresh).unwrap(),
        format!("{}\n", r1.manifest_line())
    );
    let signed = pkg.path().join("signed");
    fs::create_dir_all(&signed).unwrap();
    fs::write(
        signed.join("Manifest"),
        "-----BEGIN PGP SIGNED MESSAGE-----\n",
    )
    .unwrap();
    assert!(matches!(
        strata_archive::update_manifest(&signed.join("Manifest"), &[&r1]),
        Err(ArchiveError::Manifest { .. })
    ));
}

/// An index wrapper, to show the store works through the `ArchiveIndex` seam alone.
struct CountingIndex {
    inner: strata_archive::SqliteIndex,
    calls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl CountingIndex {
    fn tick(&self) {
        self.calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl strata_archive::ArchiveIndex for CountingIndex {
    fn insert(
        &self,
        new: &strata_archive::NewArchive<'_>,
    ) -> strata_archive::Result<strata_archive::ArchiveRecord> {
        self.tick();
        self.inner.insert(new)
    }
    fn find(&self, d: &str) -> strata_archive::Result<Option<strata_archive::ArchiveRecord>> {
        self.tick();
        self.inner.find(d)
    }
    fn list(&self, f: &ListFilter) -> strata_archive::Result<Vec<strata_archive::ArchiveRecord>> {
        self.tick();
        self.inner.list(f)
    }
    fn get(&self, id: i64) -> strata_archive::Result<Option<strata_archive::ArchiveRecord>> {
        self.tick();
        self.inner.get(id)
    }
    fn by_sha512_prefix(
        &self,
        p: &str,
    ) -> strata_archive::Result<Vec<strata_archive::ArchiveRecord>> {
        self.tick();
        self.inner.by_sha512_prefix(p)
    }
    fn blob(&self, s: &str) -> strata_archive::Result<Option<strata_archive::BlobRecord>> {
        self.tick();
        self.inner.blob(s)
    }
    fn blobs(&self) -> strata_archive::Result<Vec<strata_archive::BlobRecord>> {
        self.tick();
        self.inner.blobs()
    }
    fn set_blob_state(
        &self,
        s: &str,
        st: BlobState,
        at: Option<i64>,
    ) -> strata_archive::Result<()> {
        self.tick();
        self.inner.set_blob_state(s, st, at)
    }
    fn delete_archives(&self, ids: &[i64]) -> strata_archive::Result<()> {
        self.tick();
        self.inner.delete_archives(ids)
    }
    fn delete_blob(&self, s: &str) -> strata_archive::Result<bool> {
        self.tick();
        self.inner.delete_blob(s)
    }
}

#[test]
fn another_index_implementation_plugs_in() {
    let dir = tempfile::tempdir().unwrap();
    let db = tempfile::tempdir().unwrap();
    let calls = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let index = CountingIndex {
        inner: strata_archive::SqliteIndex::open(
            &db.path().join("elsewhere.sqlite"),
            Duration::from_secs(5),
        )
        .unwrap(),
        calls: calls.clone(),
    };
    let store = Store::with_index(
        dir.path(),
        Box::new(index),
        strata_archive::StoreOptions::default(),
    )
    .unwrap();
    let k = key(&[("i", "1")]);
    let mut a = Archive::new("idx-1.tar.gz").unwrap();
    a.add_bytes("f", "x").unwrap();
    a.store(&store, &k).unwrap();
    assert!(Archive::find(&store, "idx-1.tar.gz", &k).unwrap().is_some());
    assert!(store.verify().unwrap().is_clean());
    assert!(calls.load(std::sync::atomic::Ordering::Relaxed) >= 3);
    assert!(
        !dir.path().join("index.sqlite").exists(),
        "the default index was not used"
    );
}
