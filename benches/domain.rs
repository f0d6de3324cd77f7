//! strata-config: the per-package domain questions on GURU (3751 versions, with
//! gentoo-stub as master and the stub's amd64 profile): visibility (masks, keywords,
//! licenses, PROPERTIES/RESTRICT) and effective USE of every package, metadata already
//! loaded, so that only the domain's work is timed.
#![allow(clippy::unwrap_used, missing_docs)]

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use strata_config::classes::builtin_registry;
use strata_config::domain::PackageInfo;
use strata_config::load::{ConfigSource, SourceArgs, SourceEnv, load_config};
use strata_repo::domain::{DomainRepos, OpenOptions};
use strata_repo::visibility::package_info;
use strata_repo::{MatchOptions, PackageRef, Repository};
use strata_restrict::Restriction;

fn bench(c: &mut Criterion) {
    let cfg = strata_testtools::write_guru_config(&[]);
    let args = SourceArgs {
        config: Some(cfg.etc_portage()),
        config_root: None,
        root: Some(cfg.path().to_path_buf()),
    };
    let source = ConfigSource::from_env_and_args(&args, &SourceEnv::default()).unwrap();
    let domain = load_config(builtin_registry(), &source)
        .unwrap()
        .domain()
        .unwrap();
    let opts = OpenOptions {
        index_dir: Some(cfg.path().join("index")),
        binary_factory: None,
    };
    let repos = DomainRepos::open(Arc::clone(&domain), &opts).unwrap();
    let pkgs: Vec<PackageRef> = repos
        .source
        .iter()
        .flat_map(|r| {
            r.itermatch(&Restriction::AlwaysTrue, &MatchOptions::default())
                .unwrap()
        })
        .collect();
    let infos: Vec<PackageInfo<'_>> = pkgs
        .iter()
        .filter_map(|p| package_info(p.as_ref()))
        .collect();
    assert!(
        infos.len() >= 3700,
        "{} packages with metadata",
        infos.len()
    );

    let mut g = c.benchmark_group("domain-guru");
    g.bench_function("build", |b| {
        b.iter(|| {
            load_config(builtin_registry(), &source)
                .unwrap()
                .domain()
                .unwrap()
                .warnings
                .len()
        })
    });
    g.bench_function("visibility-all", |b| {
        b.iter(|| infos.iter().filter(|i| domain.is_visible(i)).count())
    });
    g.bench_function("masked_by-all", |b| {
        b.iter(|| {
            infos
                .iter()
                .filter(|i| !domain.masked_by(i).is_empty())
                .count()
        })
    });
    g.bench_function("effective_use-all", |b| {
        b.iter(|| {
            infos
                .iter()
                .map(|i| domain.effective_use(i).enabled().count())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
