//! Dependency-specification parsing over real data: every DEPEND-family value of GURU's
//! md5-cache (loaded once, outside the timed loop), and every dependency-style value.
//! Group `depspec` measures wall time; `depspec_cpu` the benchmarking thread's CPU time,
//! which stays meaningful on a loaded machine.
//!
//! `CARGO_TARGET_DIR=... cargo bench -p strata-benches --bench depspec`

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::fs;
use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
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

/// CPU time of the benchmarking thread, from `/proc/thread-self/schedstat` (Linux; the
/// first field is nanoseconds on a CPU). On a shared machine it leaves out the time the
/// thread waits for a core, which wall time includes.
struct ThreadCpuTime;

fn thread_cpu_ns() -> Option<u64> {
    let stat = fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

impl Measurement for ThreadCpuTime {
    type Intermediate = u64;
    type Value = Duration;

    fn start(&self) -> u64 {
        thread_cpu_ns().expect("/proc/thread-self/schedstat")
    }
    fn end(&self, start: u64) -> Duration {
        let now = thread_cpu_ns().expect("/proc/thread-self/schedstat");
        Duration::from_nanos(now.saturating_sub(start))
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        static WALL: WallTime = WallTime;
        WALL.formatter()
    }
}

fn bench_group<M: Measurement>(c: &mut Criterion<M>, name: &str) {
    let deps = load(DepKind::is_dependency);
    let bytes: usize = deps.iter().map(|(v, ..)| v.len()).sum();
    let mut group = c.benchmark_group(name);
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

fn wall(c: &mut Criterion) {
    bench_group(c, "depspec");
}

fn cpu(c: &mut Criterion<ThreadCpuTime>) {
    if thread_cpu_ns().is_some() {
        bench_group(c, "depspec_cpu");
    }
}

criterion_group! {
    name = wall_time;
    config = Criterion::default().sample_size(20);
    targets = wall
}
criterion_group! {
    name = cpu_time;
    config = Criterion::default().sample_size(20).with_measurement(ThreadCpuTime);
    targets = cpu
}
criterion_main!(wall_time, cpu_time);
