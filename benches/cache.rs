//! strata-cache: md5-cache reading and validation, search-index build, load and queries,
//! on GURU (3751 entries). The index is written to a temporary directory.
#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use strata_benches::shared_dir;
use strata_cache::index::{
    DepClasses, IndexSpec, IndexStore, NoExtra, SearchIndex, build, compile_regex, gather,
};
use strata_cache::{EclassPath, Md5DictCache, read_all, validate_all};

fn bench(c: &mut Criterion) {
    let guru = shared_dir().join("data/repos/guru");
    let stub = shared_dir().join("data/repos/gentoo-stub");
    assert!(
        guru.join("metadata/md5-cache").is_dir(),
        "shared data missing"
    );
    let tmp = std::env::temp_dir().join(format!("strata-cache-bench-{}", std::process::id()));
    let store = IndexStore::new(&tmp);
    let spec = IndexSpec::for_repo(&guru);
    let path = store.index_path(&spec);
    drop(store.open(&spec, &NoExtra).unwrap());

    let mut g = c.benchmark_group("index");
    g.bench_function("load", |b| {
        b.iter(|| SearchIndex::load(&path).unwrap().len())
    });
    g.bench_function("load+description_regex", |b| {
        b.iter(|| {
            let index = SearchIndex::load(&path).unwrap();
            let re = compile_regex("terminal", true).unwrap();
            index.find_description(&re, true).len()
        })
    });
    g.bench_function("load+revdep", |b| {
        b.iter(|| {
            let index = SearchIndex::load(&path).unwrap();
            index.revdeps("dev-python/textual", DepClasses::ALL).len()
        })
    });
    g.bench_function("gather_fingerprint", |b| {
        b.iter(|| gather(&spec).unwrap().keys.len())
    });
    g.bench_function("open_current", |b| {
        b.iter(|| {
            let o = store.open(&spec, &NoExtra).unwrap();
            assert!(!o.rebuilt);
            o.index.len()
        })
    });
    g.sample_size(20);
    g.bench_function("build", |b| {
        b.iter(|| {
            let inputs = gather(&spec).unwrap();
            build(&spec, &inputs, &NoExtra).unwrap().0.len()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("md5_cache");
    g.sample_size(20);
    g.bench_function("read_all", |b| {
        b.iter(|| {
            let path = Arc::new(EclassPath::new(Vec::new()).unwrap());
            let cache = Md5DictCache::for_repo(&guru, path);
            read_all(&cache)
                .unwrap()
                .into_iter()
                .map(|(_, e)| e.unwrap().unwrap().fields().count())
                .sum::<usize>()
        })
    });
    g.bench_function("validate_all", |b| {
        b.iter(|| {
            let path = Arc::new(EclassPath::for_repo(&guru, std::slice::from_ref(&stub)).unwrap());
            let cache = Md5DictCache::for_repo(&guru, path);
            let reports = validate_all(&cache, &guru).unwrap();
            assert!(
                reports
                    .iter()
                    .all(|r| r.outcome.as_ref().unwrap().is_valid())
            );
            reports.len()
        })
    });
    g.finish();
    std::fs::remove_dir_all(&tmp).ok();
}

criterion_group!(benches, bench);
criterion_main!(benches);
