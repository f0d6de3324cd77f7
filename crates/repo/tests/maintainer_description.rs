//! A `<maintainer>`'s `<description>` (GLEP 68) on GURU: read from metadata.xml, kept by
//! the search index, rendered as pkgcore's `str(maintainer)` (`Name <email> (description)`)
//! and matched by `--maintainer` style restrictions, the same with the index as without.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use strata_repo::metadata_xml::parse_metadata_xml;
use strata_repo::{EbuildRepo, MatchOptions, PackageRef, Repository};
use strata_restrict::{Attr, AttrValue, PackageAttrs, query};
use strata_testtools::guru_dir;

fn open(index: &Path) -> EbuildRepo {
    common::open_over_stub(&guru_dir(), index)
}

/// The text between the first `<tag>` and `</tag>` of `block`, trimmed.
fn tag<'a>(block: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = block.find(&open)? + open.len();
    let end = block[start..].find(&format!("</{tag}>"))? + start;
    Some(block[start..end].trim())
}

/// `text` without its `<!-- ... -->` comments.
fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        rest = rest[i..].find("-->").map_or("", |j| &rest[i + j + 3..]);
    }
    out.push_str(rest);
    out
}

/// `(package key, expected maintainers strings)` of every GURU package with a maintainer
/// description, read with plain string searches (not the crate's parser).
fn described_packages() -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for cat in std::fs::read_dir(guru_dir()).unwrap() {
        let cat = cat.unwrap().path();
        let Ok(pkgs) = std::fs::read_dir(&cat) else {
            continue;
        };
        for pkg in pkgs {
            let pkg = pkg.unwrap().path();
            let Ok(text) = std::fs::read_to_string(pkg.join("metadata.xml")) else {
                continue;
            };
            let text = strip_comments(&text);
            let top = text.split("<upstream>").next().unwrap();
            if !top.contains("<description>") {
                continue;
            }
            let want = top
                .split("<maintainer")
                .skip(1)
                .map(|b| b.split("</maintainer>").next().unwrap())
                .map(|b| {
                    let email = tag(b, "email").unwrap();
                    let who = match tag(b, "name") {
                        Some(n) => format!("{n} <{email}>"),
                        None => email.to_owned(),
                    };
                    match tag(b, "description") {
                        Some(d) => format!("{who} ({d})"),
                        None => who,
                    }
                })
                .collect();
            let key = format!(
                "{}/{}",
                cat.file_name().unwrap().to_string_lossy(),
                pkg.file_name().unwrap().to_string_lossy()
            );
            out.push((key, want));
        }
    }
    out.sort();
    out
}

fn maintainers_of(v: Option<AttrValue<'_>>) -> Vec<String> {
    match v {
        Some(AttrValue::List(l)) => l.iter().map(str::to_owned).collect(),
        other => panic!("maintainers is a list, got {other:?}"),
    }
}

#[test]
fn maintainer_descriptions_through_the_index_and_directly() {
    let described = described_packages();
    assert!(
        described.len() >= 10,
        "GURU has maintainers with a description: {}",
        described.len()
    );
    let tmp = tempfile::tempdir().unwrap();
    let indexed = open(&tmp.path().join("index"));
    let direct = open(&tmp.path().join("none"));
    // `--maintainer` matches pkgcore's str(maintainer): a regex anchored on the
    // description's closing parenthesis finds exactly the described maintainers.
    let r = query::maintainer(r"\)$").unwrap();
    let with = indexed.itermatch(&r, &MatchOptions::default()).unwrap();
    let without = direct
        .itermatch(
            &r,
            &MatchOptions {
                use_index: false,
                ..Default::default()
            },
        )
        .unwrap();
    let key_of = |p: &PackageRef| format!("{}/{}", p.cpv().category(), p.cpv().package());
    let names =
        |ps: &[PackageRef]| -> Vec<String> { ps.iter().map(|p| p.cpv().to_string()).collect() };
    assert_eq!(names(&with), names(&without));
    let mut found: Vec<String> = with.iter().map(key_of).collect();
    found.dedup();
    let keys: Vec<String> = described.iter().map(|(k, _)| k.clone()).collect();
    // (A package whose every ebuild lacks a cache entry would be missing; GURU has none.)
    assert_eq!(found, keys);
    for (ps, how) in [(&with, "index"), (&without, "direct")] {
        for p in ps.iter() {
            let key = key_of(p);
            let (_, want) = described.iter().find(|(k, _)| *k == key).unwrap();
            assert_eq!(
                &maintainers_of(p.attr(Attr::Maintainers)),
                want,
                "{key} ({how})"
            );
        }
    }
    assert!(!tmp.path().join("none").exists());
}

#[test]
fn parser_reads_the_description_of_a_guru_maintainer() {
    let (key, want) = described_packages().into_iter().next().unwrap();
    let text = std::fs::read_to_string(guru_dir().join(&key).join("metadata.xml")).unwrap();
    let (m, err) = parse_metadata_xml(&text);
    assert!(err.is_none(), "{key}: {err:?}");
    let got: Vec<String> = m
        .maintainers
        .iter()
        .map(strata_repo::attrs::maintainer_string)
        .collect();
    assert_eq!(got, want, "{key}");
}
