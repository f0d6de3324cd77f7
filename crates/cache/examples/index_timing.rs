//! Builds (or opens) the search index of a repository and times each phase.
//!
//! `cargo run --release -p strata-cache --example index_timing -- <repo> [index-dir]`
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Instant;

use strata_cache::index::{
    DepClasses, IndexSpec, NoExtra, SearchIndex, build, compile_regex, gather, write_index,
};

fn main() {
    let mut args = std::env::args_os().skip(1);
    let repo = PathBuf::from(args.next().expect("usage: index_timing <repo> [index-dir]"));
    let dir = args
        .next()
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("strata-index-timing"));
    let spec = IndexSpec::for_repo(&repo);
    // STRATA_TIMING_TIERS=<index file> N: time the freshness tiers of a stored index of
    // `repo` (the stats alone): entries, xml, both at once, and one thread's entries.
    if let Ok(mode) = std::env::var("STRATA_TIMING_TIERS") {
        let (file, n) = mode.split_once(' ').unwrap_or((&mode, "20"));
        let n: u32 = n.parse().unwrap();
        let index = SearchIndex::load(std::path::Path::new(file)).unwrap();
        let cache_dir = repo.join("metadata/md5-cache");
        let time = |what: &str, f: &dyn Fn() -> bool| {
            let mut best = std::time::Duration::MAX;
            let mut all = Vec::new();
            for _ in 0..n {
                let t = Instant::now();
                assert!(f(), "{what}: not current");
                let d = t.elapsed();
                best = best.min(d);
                all.push(d);
            }
            all.sort();
            println!("{what}: median {:?}, min {best:?}", all[all.len() / 2]);
        };
        time("entries", &|| index.entries_current(&cache_dir));
        time("xml", &|| index.xml_current(&repo));
        time("entries+xml (join)", &|| {
            let (a, b) = rayon::join(
                || index.entries_current(&cache_dir),
                || index.xml_current(&repo),
            );
            a && b
        });
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        time("entries, one thread", &|| {
            one.install(|| index.entries_current(&cache_dir))
        });
        time("xml, one thread", &|| {
            one.install(|| index.xml_current(&repo))
        });
        return;
    }
    // STRATA_TIMING_LOOP=gather|build|read|load N: repeat one phase (for `perf stat`).
    if let Ok(mode) = std::env::var("STRATA_TIMING_LOOP") {
        let (what, n) = mode.split_once(' ').unwrap_or((&mode, "10"));
        let n: usize = n.parse().unwrap();
        let inputs = gather(&spec).unwrap();
        let cache = strata_cache::Md5DictCache::for_repo(
            &repo,
            std::sync::Arc::new(strata_cache::EclassPath::new(Vec::new()).unwrap()),
        );
        let path = dir.join("timing.idx");
        write_index(&path, &build(&spec, &inputs, &NoExtra).unwrap().0).unwrap();
        let t = Instant::now();
        for _ in 0..n {
            match what {
                "gather" => drop(gather(&spec).unwrap()),
                "build" => drop(build(&spec, &inputs, &NoExtra).unwrap()),
                "read" => drop(strata_cache::read_all(&cache).unwrap()),
                "load" => {
                    let index = SearchIndex::load(&path).unwrap();
                    let re = compile_regex("terminal", true).unwrap();
                    drop(index.find_description(&re, true));
                }
                other => panic!("unknown mode {other}"),
            }
        }
        println!("{what}: {:?} per iteration (wall)", t.elapsed() / n as u32);
        return;
    }
    let t = Instant::now();
    let inputs = gather(&spec).unwrap();
    println!("gather {} entries: {:?}", inputs.keys.len(), t.elapsed());
    let t = Instant::now();
    let (bytes, report) = build(&spec, &inputs, &NoExtra).unwrap();
    println!(
        "build {} bytes ({} indexed, {} skipped): {:?}",
        bytes.len(),
        report.indexed,
        report.skipped.len(),
        t.elapsed()
    );
    let path = dir.join("timing.idx");
    write_index(&path, &bytes).unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        let index = SearchIndex::load(&path).unwrap();
        let t_load = t.elapsed();
        let re = compile_regex("terminal", true).unwrap();
        let hits = index.find_description(&re, true).len();
        let t_desc = t.elapsed();
        let rev = index.revdeps("dev-python/textual", DepClasses::ALL).len();
        println!(
            "load {t_load:?}, +description regex ({hits} hits) {t_desc:?}, +revdep ({rev}) {:?}",
            t.elapsed()
        );
    }
}
