//! Restriction costs: parsing targets, compiling atoms, matching one package, and
//! querying all of GURU (3,751 packages in memory) by full scan or with name pruning.
//!
//! `cargo bench -p strata-restrict --bench restrict`
#![allow(missing_docs, clippy::unwrap_used)]

use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use strata_atom::atom::Atom;
use strata_restrict::{
    Attr, MemoryPackage, Restriction, StrMatchKind, ValueRestriction, parse_target,
};

fn guru() -> Vec<MemoryPackage> {
    let shared = match std::env::var_os("STRATA_SHARED") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let root = shared.join("data/repos/guru/metadata/md5-cache");
    let mut out = Vec::new();
    for cat in std::fs::read_dir(&root).expect("GURU md5-cache") {
        let cat = cat.unwrap().path();
        if !cat.is_dir() {
            continue;
        }
        let c = cat.file_name().unwrap().to_str().unwrap().to_owned();
        for f in std::fs::read_dir(&cat).unwrap() {
            let f = f.unwrap().path();
            let text = std::fs::read_to_string(&f).unwrap();
            let kv: HashMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
            let get = |k: &str| kv.get(k).copied().unwrap_or("");
            let pf = f.file_name().unwrap().to_str().unwrap();
            out.push(
                MemoryPackage::new(&format!("{c}/{pf}"))
                    .unwrap()
                    .with_slot(get("SLOT"))
                    .with_repo("guru")
                    .with_text(Attr::Description, get("DESCRIPTION"))
                    .with_list(Attr::Keywords, get("KEYWORDS").split_whitespace()),
            );
        }
    }
    out.sort_by(|a, b| a.cpv().cmp(b.cpv()));
    out
}

fn bench(c: &mut Criterion) {
    let targets = [
        "dev-*/py*:3",
        ">=dev-lang/python-3.11:3.11::gentoo[ssl]",
        ">=*/alsa-*-1.1.7",
    ];
    c.bench_function("parse_target x3", |b| {
        b.iter(|| {
            for t in targets {
                black_box(parse_target(black_box(t)).unwrap());
            }
        })
    });
    let atom = Atom::parse_user(">=dev-lang/python-3.11:3.11[ssl]").unwrap();
    c.bench_function("compile atom", |b| {
        b.iter(|| black_box(Restriction::from_atom(black_box(&atom))))
    });
    let r = Restriction::from_atom(&atom);
    let hit = MemoryPackage::new("dev-lang/python-3.12.4")
        .unwrap()
        .with_slot("3.11")
        .with_list(Attr::Iuse, ["ssl"])
        .with_list(Attr::Use, ["ssl"]);
    let miss = MemoryPackage::new("dev-lang/perl-5.40").unwrap();
    assert!(r.matches(&hit) && !r.matches(&miss));
    c.bench_function("match atom (hit)", |b| {
        b.iter(|| black_box(r.matches(black_box(&hit))))
    });
    c.bench_function("match atom (miss by name)", |b| {
        b.iter(|| black_box(r.matches(black_box(&miss))))
    });

    let pkgs = guru();
    assert!(pkgs.len() > 3700);
    let query = Restriction::and([
        parse_target("dev-*/*").unwrap(),
        Restriction::attr(
            Attr::Description,
            ValueRestriction::str_match(StrMatchKind::Regex, "python|rust", false).unwrap(),
        ),
    ]);
    c.bench_function("guru: scan dev-*/* + description regex", |b| {
        b.iter(|| pkgs.iter().filter(|p| query.matches(p)).count())
    });
    let atom_r = parse_target(">=dev-python/*-1:0").unwrap();
    c.bench_function("guru: scan >=dev-python/*-1:0", |b| {
        b.iter(|| pkgs.iter().filter(|p| atom_r.matches(p)).count())
    });
    let one = parse_target("dev-python/pytest-golden").unwrap();
    c.bench_function("guru: full scan, one atom", |b| {
        b.iter(|| pkgs.iter().filter(|p| one.matches(p)).count())
    });
    c.bench_function("guru: candidates-pruned, one atom", |b| {
        b.iter(|| {
            let cands = one.candidates();
            pkgs.iter()
                .filter(|p| cands.matches(p.cpv().category(), p.cpv().package()))
                .filter(|p| one.matches(p))
                .count()
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30);
    targets = bench
}
criterion_main!(benches);
