//! strata-fetch: one-pass multi-hashing throughput, parsing every GURU package Manifest, and
//! GLEP 75 path computation.
#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use strata_benches::shared_dir;
use strata_fetch::hash::{HashAlgorithm, MultiHasher};
use strata_fetch::{Layout, Manifest};

fn bench(c: &mut Criterion) {
    // Hashing: 16 MiB in memory, the Manifest default set and the single hashes.
    let data: Vec<u8> = (0..16u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let mut g = c.benchmark_group("hash_16MiB");
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.sample_size(10);
    for (label, algs) in [
        (
            "BLAKE2B+SHA512",
            vec![HashAlgorithm::Blake2b, HashAlgorithm::Sha512],
        ),
        ("BLAKE2B", vec![HashAlgorithm::Blake2b]),
        ("SHA512", vec![HashAlgorithm::Sha512]),
    ] {
        g.bench_function(label, |b| {
            b.iter(|| {
                let mut h = MultiHasher::new(algs.iter().copied());
                for chunk in data.chunks(256 * 1024) {
                    h.update(chunk);
                }
                h.finish()
            })
        });
    }
    g.bench_function("BLAKE2B+SHA512 parallel", |b| {
        b.iter(|| {
            strata_fetch::hash::hash_reader_parallel(
                &data[..],
                [HashAlgorithm::Blake2b, HashAlgorithm::Sha512],
            )
            .unwrap()
        })
    });
    g.finish();

    // Manifests: all 2141 GURU package Manifests (55,001 DIST lines), read into memory first.
    let guru = shared_dir().join("data/repos/guru");
    let mut texts = Vec::new();
    for cat in std::fs::read_dir(&guru).unwrap() {
        let cat = cat.unwrap().path();
        if !cat.is_dir() {
            continue;
        }
        for pkg in std::fs::read_dir(&cat).unwrap() {
            let m = pkg.unwrap().path().join("Manifest");
            if let Ok(t) = std::fs::read_to_string(&m) {
                texts.push(t);
            }
        }
    }
    assert_eq!(texts.len(), 2141, "shared data missing");
    let mut g = c.benchmark_group("manifest");
    g.bench_function("parse_guru_2141", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| Manifest::parse(t).unwrap().dists().count())
                .sum::<usize>()
        })
    });
    let parsed: Vec<Manifest> = texts.iter().map(|t| Manifest::parse(t).unwrap()).collect();
    g.bench_function("write_guru_2141", |b| {
        b.iter(|| parsed.iter().map(|m| m.to_string().len()).sum::<usize>())
    });
    g.finish();

    // GLEP 75: the mirror path of every GURU distfile name.
    let names: Vec<String> = parsed
        .iter()
        .flat_map(|m| m.dists().map(|d| d.path.clone()))
        .collect();
    let layout = Layout::parse("filename-hash BLAKE2B 8").unwrap();
    c.bench_function("glep75_paths_guru_55001", |b| {
        b.iter(|| {
            names
                .iter()
                .map(|n| layout.path(n, None).unwrap().len())
                .sum::<usize>()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
