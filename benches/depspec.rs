//! Dependency-specification parsing over real data: every DEPEND-family value of GURU's
//! md5-cache (loaded once, outside the timed loop), and every dependency-style value.
//!
//! `CARGO_TARGET_DIR=... cargo bench -p strata-benches --bench depspec`

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::fs;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use strata_atom::Eapi;
use strata_atom::depspec::{DepKind, DepSpec};

/// Every (value, kind, EAPI) of GURU's md5-cache whose kind passes `keep`.
fn load(keep: fn(DepKind) -> bool) -> Vec<(String, DepKind, Eapi)> {
    let cache = strata_benches::shared_dir().join("data/repos/guru/metadata/md5-cache");
    let mut out = Vec::new();
    let categories =
        fs::read_dir(&cache).unwrap_or_else(|e| panic!("reading {}: {e}", cache.display()));
    for category in categories {
        let category = category.expect("directory entry").path();
        for entry in fs::read_dir(&category).expect("category directory") {
            let text = fs::read_to_string(entry.expect("directory entry").path())
                .expect("md5-cache entry");
            let mut eapi = Eapi::E0;
            let mut values = Vec::new();
            for line in text.lines() {
                let Some((key, value)) = line.split_once('=') else {
                    continue;
                };
                if key == "EAPI" {
                    eapi = Eapi::parse(value).expect("known EAPI");
                } else if let Some(kind) = DepKind::from_key(key).filter(|&k| keep(k)) {
                    values.push((value.to_owned(), kind));
                }
            }
            out.extend(values.into_iter().map(|(v, k)| (v, k, eapi)));
        }
    }
    assert!(!out.is_empty(), "no GURU data under {}", cache.display());
    out
}

fn parse_all(values: &[(String, DepKind, Eapi)]) -> usize {
    let mut nodes = 0;
    for (value, kind, eapi) in values {
        let spec = DepSpec::parse(value, *kind, *eapi).expect("GURU value parses");
        nodes += spec.items().len();
        black_box(&spec);
    }
    nodes
}

fn bench(c: &mut Criterion) {
    let deps = load(DepKind::is_dependency);
    let bytes: usize = deps.iter().map(|(v, ..)| v.len()).sum();
    let mut group = c.benchmark_group("depspec");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(format!("guru_depend_family_{}_values", deps.len()), |b| {
        b.iter(|| parse_all(&deps))
    });
    let all = load(|_| true);
    let bytes: usize = all.iter().map(|(v, ..)| v.len()).sum();
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(format!("guru_all_kinds_{}_values", all.len()), |b| {
        b.iter(|| parse_all(&all))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
