//! GLEP 75: export a flat DISTDIR into mirror layouts, then fetch back from the exports as
//! file-system mirrors (file:// transport), by file-name hash and by content hash.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use strata_fetch::hash::{HashAlgorithm, hash_file};
use strata_fetch::layout::{ExportMethod, export_distfiles};
use strata_fetch::{
    FetchOptions, Fetchable, FetchedFrom, Fetcher, Layout, LayoutConf, MirrorConfig, Restrict,
    SchemeTransport,
};

const NAMES: [&str; 3] = [
    "tridactyl-native-0.5.0.tar.gz",
    "bash-5.2.tar.gz",
    "foo-1.tar.gz",
];

fn make_distdir(dir: &Path) {
    for (i, n) in NAMES.iter().enumerate() {
        std::fs::write(dir.join(n), format!("content of {n} {i}").repeat(100)).unwrap();
    }
    // Things that are not distfiles.
    std::fs::write(dir.join("foo-1.tar.gz.__download__"), b"partial").unwrap();
    std::fs::write(dir.join("foo-1.tar.gz._checksum_failure_.abcd1234"), b"bad").unwrap();
    std::fs::write(dir.join(".mirror-cache.json"), b"{}").unwrap();
    std::fs::create_dir(dir.join(".locks")).unwrap();
}

fn fetchable(src: &Path, name: &str, restrict: Restrict) -> Fetchable {
    let digests = hash_file(
        &src.join(name),
        [HashAlgorithm::Blake2b, HashAlgorithm::Sha512],
    )
    .unwrap();
    Fetchable::new(name, Some(digests), restrict)
}

#[test]
fn filename_hash_export_and_fetch_back() {
    let src = tempfile::tempdir().unwrap();
    make_distdir(src.path());
    let mirror = tempfile::tempdir().unwrap();
    let layouts = [
        Layout::parse("filename-hash BLAKE2B 8").unwrap(),
        Layout::Flat,
    ];
    let report =
        export_distfiles(src.path(), mirror.path(), &layouts, ExportMethod::HardLink).unwrap();
    assert_eq!(report.placed.len(), 3);
    assert!(
        mirror
            .path()
            .join("ee/tridactyl-native-0.5.0.tar.gz")
            .is_file()
    );
    assert!(mirror.path().join("a4/bash-5.2.tar.gz").is_file());
    let conf = std::fs::read_to_string(mirror.path().join("layout.conf")).unwrap();
    assert_eq!(LayoutConf::parse(&conf).layouts(), layouts);
    // Nothing else was exported.
    let mut count = 0;
    for e in std::fs::read_dir(mirror.path()).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            count += std::fs::read_dir(&p).unwrap().count();
        }
    }
    assert_eq!(count, 3);
    // Exporting again finds everything in place.
    let again = export_distfiles(src.path(), mirror.path(), &layouts, ExportMethod::Copy).unwrap();
    assert_eq!((again.placed.len(), again.present.len()), (0, 3));

    // Fetch back through the file-system mirror, even under RESTRICT=fetch (as Portage does).
    let dist = tempfile::tempdir().unwrap();
    let fx = Fetcher::new(
        FetchOptions::new(dist.path()),
        Arc::new(SchemeTransport::default()),
    )
    .with_mirrors(MirrorConfig {
        gentoo_mirrors: vec![mirror.path().to_str().unwrap().to_owned()],
        ..MirrorConfig::default()
    });
    for n in NAMES {
        let f = fetchable(
            src.path(),
            n,
            Restrict {
                fetch: true,
                ..Default::default()
            },
        );
        let got = fx.fetch(&f).unwrap();
        match got.from {
            FetchedFrom::Url(u) => assert!(u.starts_with("file://") && u.ends_with(n), "{u}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            std::fs::read(dist.path().join(n)).unwrap(),
            std::fs::read(src.path().join(n)).unwrap()
        );
    }
}

#[test]
fn content_hash_export_and_fetch_back() {
    let src = tempfile::tempdir().unwrap();
    make_distdir(src.path());
    let mirror = tempfile::tempdir().unwrap();
    let layouts = [
        Layout::parse("content-hash SHA512 8:8").unwrap(),
        Layout::Flat,
    ];
    export_distfiles(src.path(), mirror.path(), &layouts, ExportMethod::Copy).unwrap();
    let f = fetchable(src.path(), "foo-1.tar.gz", Restrict::default());
    let hex = f.digests.as_ref().unwrap().hex("SHA512").unwrap();
    let expected = mirror.path().join(&hex[0..2]).join(&hex[2..4]).join(&hex);
    assert!(expected.is_file(), "{}", expected.display());

    let dist = tempfile::tempdir().unwrap();
    let fx = Fetcher::new(
        FetchOptions::new(dist.path()),
        Arc::new(SchemeTransport::default()),
    )
    .with_mirrors(MirrorConfig {
        gentoo_mirrors: vec![format!("{}/", mirror.path().display())],
        ..MirrorConfig::default()
    });
    let got = fx.fetch(&f).unwrap();
    assert!(
        matches!(&got.from, FetchedFrom::Url(u) if u.ends_with(&hex)),
        "{:?}",
        got.from
    );

    // Without a SHA512 digest the content-hash layout cannot place the file: flat is used,
    // which this mirror does not have, so the fetch fails.
    let mut only_b2 = fetchable(src.path(), "bash-5.2.tar.gz", Restrict::default());
    let b2 = only_b2
        .digests
        .as_ref()
        .unwrap()
        .get(HashAlgorithm::Blake2b)
        .unwrap()
        .to_vec();
    let mut d = strata_fetch::Digests::new(only_b2.digests.as_ref().unwrap().size());
    d.insert(HashAlgorithm::Blake2b, b2);
    only_b2.digests = Some(d);
    assert!(fx.fetch(&only_b2).is_err());
}
