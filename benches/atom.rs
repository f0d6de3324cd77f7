//! Criterion benchmarks for strata-atom: version parse and compare, atom parse and match.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use strata_atom::Eapi;
use strata_atom::atom::{Atom, MatchTarget};
use strata_atom::cpv::Cpv;
use strata_atom::version::Version;

const VERSIONS: [&str; 8] = [
    "1.2.3",
    "3.11.4-r1",
    "1.0_rc1",
    "2023.01.02",
    "0.9.9b_p20230101-r2",
    "9999",
    "1.010.02",
    "5.15.0_p20231011",
];

const ATOMS: [&str; 6] = [
    "dev-lang/python",
    ">=dev-lang/python-3.11:3.11",
    "=dev-libs/openssl-3.0*:0/3=",
    "!!<sys-apps/portage-3.0.50-r1",
    ">=dev-python/textual-8.2.7[${PYTHON_USEDEP}]",
    "dev-qt/qtbase:6[gui,network,widgets,-test(-)]",
];

fn versions(c: &mut Criterion) {
    c.bench_function("version parse (mixed 8)", |b| {
        b.iter(|| {
            for s in VERSIONS {
                black_box(Version::parse(black_box(s)).unwrap());
            }
        })
    });
    c.bench_function("version parse 3.11.4-r1", |b| {
        b.iter(|| Version::parse(black_box("3.11.4-r1")).unwrap())
    });
    let a = Version::parse("3.11.4-r1").unwrap();
    let b2 = Version::parse("3.11.10").unwrap();
    c.bench_function("version compare 3.11.4-r1 vs 3.11.10", |b| {
        b.iter(|| black_box(&a).cmp(black_box(&b2)))
    });
    let x = Version::parse("1.2.3_rc1-r1").unwrap();
    let y = Version::parse("1.2.3_rc1-r1").unwrap();
    c.bench_function("version compare equal 1.2.3_rc1-r1", |b| {
        b.iter(|| black_box(&x).cmp(black_box(&y)))
    });
    let mut list: Vec<Version> = (0..1000)
        .map(|i| Version::parse(&format!("{}.{}.{}_p{}", i % 7, i % 13, i % 101, i % 3)).unwrap())
        .collect();
    c.bench_function("version sort 1000", |b| {
        b.iter(|| {
            list.reverse();
            list.sort();
        })
    });
}

fn atoms(c: &mut Criterion) {
    // ${PYTHON_USEDEP} is not a flag: replace it with what it expands to.
    let atoms: Vec<String> = ATOMS
        .iter()
        .map(|s| s.replace("${PYTHON_USEDEP}", "python_targets_python3_12(-)?"))
        .collect();
    c.bench_function("atom parse >=dev-lang/python-3.11:3.11", |b| {
        b.iter(|| Atom::parse(black_box(">=dev-lang/python-3.11:3.11"), Eapi::E8).unwrap())
    });
    c.bench_function("atom parse dev-lang/python", |b| {
        b.iter(|| Atom::parse(black_box("dev-lang/python"), Eapi::E8).unwrap())
    });
    c.bench_function("atom parse (mixed 6)", |b| {
        b.iter(|| {
            for s in &atoms {
                black_box(Atom::parse(black_box(s), Eapi::E8).unwrap());
            }
        })
    });
    let atom = Atom::parse(">=dev-lang/python-3.11:3.11", Eapi::E8).unwrap();
    let cpv = Cpv::parse("dev-lang/python-3.11.4-r1").unwrap();
    let target = MatchTarget::new(&cpv).with_slot("3.11");
    c.bench_function("atom matches >=dev-lang/python-3.11:3.11", |b| {
        b.iter(|| black_box(&atom).matches(black_box(&target)))
    });
    c.bench_function("cpv parse dev-lang/python-3.11.4-r1", |b| {
        b.iter(|| Cpv::parse(black_box("dev-lang/python-3.11.4-r1")).unwrap())
    });
}

criterion_group!(benches, versions, atoms);
criterion_main!(benches);
