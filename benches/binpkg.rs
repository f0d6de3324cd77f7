//! strata-binpkg benchmarks: `Packages` parsing (20,000 generated entries), XPAK
//! metadata read from a binpkg's tail, and streaming image extraction of a generated
//! ~200 MB zstd image (compare with `zstd -dc image.tar.zst | tar -x`; the bench leaves
//! the tarball in `$TMPDIR/strata-binpkg-bench/` for that).
#![allow(clippy::unwrap_used, missing_docs)]

use std::fmt::Write as _;
use std::fs;
use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use strata_benches::shared_dir;
use strata_binpkg::image::{self, ImagePrefix, Limits};
use strata_binpkg::writer::{IncludeAll, WriteOptions, write_binpkg};
use strata_binpkg::{Compression, Format, Metadata, PackagesIndex, read_metadata};

fn packages_text(n: usize) -> String {
    let mut s = String::from(
        "ACCEPT_KEYWORDS: amd64\nARCH: amd64\nCHOST: x86_64-pc-linux-gnu\nREPO: gentoo\nVERSION: 0\n\n",
    );
    for i in 0..n {
        let _ = write!(
            s,
            "BUILD_ID: {b}\nBUILD_TIME: {t}\nCPV: cat-{c}/pkg-{i}-{v}.{w}\nDEFINED_PHASES: compile configure install prepare\n\
DEPEND: >=dev-libs/foo-{v}:= dev-libs/bar virtual/pkgconfig\nEAPI: 8\nIUSE: +ssl test debug doc\nKEYWORDS: amd64 ~arm64 x86\n\
LICENSE: GPL-2+ MIT\nMD5: 0123456789abcdef0123456789abcdef\nPATH: cat-{c}/pkg-{i}/pkg-{i}-{v}.{w}-{b}.gpkg.tar\n\
RDEPEND: >=dev-libs/foo-{v}:0/{v}= dev-libs/bar sys-libs/zlib\nSHA1: 0123456789abcdef0123456789abcdef01234567\nSIZE: {sz}\n\
USE: amd64 elibc_glibc kernel_linux ssl\nMTIME: {t}\n\n",
            b = i % 3 + 1,
            t = 1_795_500_000 + i,
            c = i % 150,
            v = i % 17,
            w = i % 5,
            sz = 10_240 * (i % 50 + 1),
        );
    }
    s
}

fn bench_index(c: &mut Criterion) {
    let text = packages_text(20_000);
    let mut g = c.benchmark_group("packages_index");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse_20k", |b| {
        b.iter(|| {
            let idx = PackagesIndex::parse(black_box(&text)).unwrap();
            assert_eq!(idx.packages.len(), 20_000);
            idx
        })
    });
    let idx = PackagesIndex::parse(&text).unwrap();
    g.bench_function("write_20k", |b| b.iter(|| black_box(&idx).to_text()));
    g.finish();
}

fn bench_xpak(c: &mut Criterion) {
    let path =
        shared_dir().join("data/portage-made/pkgdir-xpak-bzip2/app-misc/hello/hello-1.0-1.xpak");
    assert!(path.is_file(), "shared data missing: {}", path.display());
    c.bench_function("xpak_metadata_read", |b| {
        b.iter(|| read_metadata(black_box(&path)).unwrap())
    });
}

/// Deterministic pseudo-text: compresses roughly 3:1 with zstd, like real images.
fn fill(buf: &mut Vec<u8>, seed: &mut u64, len: usize) {
    const WORDS: &[&str] = &[
        "the", "package", "manager", "binary", "install", "libfoo", "0x7f", "ELF", "\n", "usr",
        "share", "gentoo", "portage", "strata", "\t", "{", "}", "return", "void", "int",
    ];
    buf.clear();
    while buf.len() < len {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        if seed.is_multiple_of(5) {
            buf.extend_from_slice(&seed.to_le_bytes()[..3]);
        } else {
            buf.extend_from_slice(WORDS[(*seed % WORDS.len() as u64) as usize].as_bytes());
            buf.push(b' ');
        }
    }
    buf.truncate(len);
}

fn bench_extract(c: &mut Criterion) {
    let base = std::env::temp_dir().join("strata-binpkg-bench");
    let image_dir = base.join("image");
    let pkg = base.join("big-1-1.xpak");
    let tarball = base.join("image.tar.zst");
    const FILES: usize = 400;
    const FILE_LEN: usize = 512 * 1024;
    if !pkg.is_file() || !tarball.is_file() {
        let _ = fs::remove_dir_all(&base);
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut buf = Vec::new();
        for i in 0..FILES {
            let d = image_dir.join(format!("usr/share/big/d{}", i % 20));
            fs::create_dir_all(&d).unwrap();
            fill(&mut buf, &mut seed, FILE_LEN);
            fs::write(d.join(format!("f{i}")), &buf).unwrap();
        }
        let meta: Metadata = [("CATEGORY", "app-misc\n"), ("PF", "big-1\n")]
            .into_iter()
            .collect();
        let opts = WriteOptions {
            format: Format::Xpak,
            compression: Compression::Zstd,
            mtime: Some(0),
        };
        write_binpkg(&image_dir, &meta, &pkg, &opts, &IncludeAll).unwrap();
        // The same image stream alone, for `zstd -dc image.tar.zst | tar -x`.
        let p = strata_binpkg::Binpkg::open(&pkg).unwrap();
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut p.image_tar().unwrap(), &mut raw).unwrap();
        fs::write(&tarball, zstd_encode(&raw)).unwrap();
        fs::remove_dir_all(&image_dir).unwrap();
    }
    let binpkg = strata_binpkg::Binpkg::open(&pkg).unwrap();
    let mut g = c.benchmark_group("extract");
    g.sample_size(10);
    g.throughput(Throughput::Bytes((FILES * FILE_LEN) as u64));
    let out = base.join("out");
    g.bench_function("xpak_zstd_200MiB", |b| {
        b.iter_batched(
            || {
                let _ = fs::remove_dir_all(&out);
                fs::create_dir_all(&out).unwrap();
            },
            |()| {
                image::extract(
                    binpkg.image_tar().unwrap(),
                    ImagePrefix::Dot,
                    &out,
                    &Limits::default(),
                )
                .unwrap()
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("xpak_zstd_200MiB_list", |b| {
        b.iter(|| {
            image::list(
                binpkg.image_tar().unwrap(),
                ImagePrefix::Dot,
                &Limits::default(),
            )
            .unwrap()
        })
    });
    g.finish();
    let _ = fs::remove_dir_all(&out);
}

fn zstd_encode(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = Compression::Zstd.encoder(&mut out).unwrap();
    std::io::Write::write_all(&mut enc, raw).unwrap();
    enc.finish_stream().unwrap();
    out
}

criterion_group!(benches, bench_index, bench_xpak, bench_extract);
criterion_main!(benches);
