//! Real data: the fetchables of every GURU ebuild (SRC_URI from the md5-cache, parsed with
//! strata-atom, every conditional branch included) all find their digests in the package's
//! thin Manifest, and their candidate plans are well-formed.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use strata_atom::Eapi;
use strata_atom::depspec::{DepKind, DepSpec};
use strata_fetch::{Candidate, Fetchable, Manifest, MirrorConfig, MirrorMap, Restrict, SrcUriItem};
use strata_testtools::guru_dir;

#[test]
fn every_guru_distfile_has_manifest_digests() {
    let guru = guru_dir();
    let cache = guru.join("metadata/md5-cache");
    assert!(cache.is_dir(), "shared data missing at {}", cache.display());
    let thirdparty = MirrorMap::parse(
        &std::fs::read_to_string(guru.join("profiles/thirdpartymirrors")).unwrap(),
    );
    let mirrors = MirrorConfig {
        gentoo_mirrors: vec!["https://distfiles.example".into()],
        thirdparty,
        no_shuffle: true,
        ..MirrorConfig::default()
    };

    let (mut ebuilds, mut distfiles, mut missing) = (0usize, 0usize, Vec::new());
    for cat in std::fs::read_dir(&cache).unwrap() {
        let cat_name = cat.unwrap().file_name().into_string().unwrap();
        for pkg in std::fs::read_dir(guru.join(&cat_name)).unwrap() {
            let pkg_dir = pkg.unwrap().path();
            if !pkg_dir.is_dir() {
                continue;
            }
            let manifest = Manifest::load(&pkg_dir.join("Manifest")).ok();
            for file in std::fs::read_dir(&pkg_dir).unwrap() {
                let file = file.unwrap().file_name().into_string().unwrap();
                let Some(pf) = file.strip_suffix(".ebuild") else {
                    continue;
                };
                let text = std::fs::read_to_string(cache.join(&cat_name).join(pf)).unwrap();
                let kv: HashMap<&str, &str> =
                    text.lines().filter_map(|l| l.split_once('=')).collect();
                ebuilds += 1;
                let Some(src) = kv.get("SRC_URI") else {
                    continue;
                };
                let eapi: Eapi = kv.get("EAPI").copied().unwrap_or("0").parse().unwrap();
                let spec = DepSpec::parse(src, DepKind::SrcUri, eapi).unwrap();
                let restrict = Restrict::from_tokens(
                    kv.get("RESTRICT").copied().unwrap_or("").split_whitespace(),
                );
                let items = spec.uris().map(SrcUriItem::from_uri);
                let fetchables = Fetchable::from_items(items, manifest.as_ref(), restrict).unwrap();
                for f in &fetchables {
                    distfiles += 1;
                    if f.digests.is_none() {
                        missing.push(format!("{cat_name}/{pf}: {}", f.name));
                    }
                    let plan = mirrors.plan(f);
                    for c in &plan.candidates {
                        if let Candidate::Url { url, .. } = c {
                            assert!(
                                url.contains("://") && !url.starts_with("mirror://"),
                                "{url}"
                            );
                        }
                    }
                    // Unrestricted: Gentoo's mirrors come first; primaryuri: upstream first.
                    let first_is_mirror =
                        matches!(plan.candidates.first(), Some(Candidate::Mirror { .. }));
                    if !restrict.fetch && !restrict.mirror && !f.sources.is_empty() {
                        assert_eq!(
                            first_is_mirror, !restrict.primaryuri,
                            "{cat_name}/{pf}: {plan:?}"
                        );
                    }
                }
            }
        }
    }
    assert!(ebuilds > 3000, "{ebuilds}");
    assert!(distfiles > 10_000, "{distfiles}");
    assert!(
        missing.is_empty(),
        "{} distfiles without a DIST entry: {:?}",
        missing.len(),
        &missing[..missing.len().min(20)]
    );
}
