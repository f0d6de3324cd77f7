//! Many processes storing and finding in one store at once never corrupt the index or a
//! blob.
//!
//! This test has its own `main` (`harness = false`): run normally it is the orchestrator,
//! which re-executes this same binary as 8 worker processes (selected by an environment
//! variable) that all open one fresh store at the same moment and store overlapping and
//! distinct keys into it, while some of them also run `verify` and `gc`. Then it checks
//! every blob, every index row, the SQLite file's integrity, and that `find_or_store`
//! built each shared key exactly once.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode};
use std::time::{Duration, Instant};

use strata_archive::{Archive, ArchiveKey, ListFilter, Store};

const WORKERS: usize = 8;
const ROUNDS: usize = 3;
const SHARED: usize = 4;
const OVERLAP: usize = 3;
const WORKER_ENV: &str = "STRATA_ARCHIVE_TEST_WORKER";

fn main() -> ExitCode {
    if let Ok(id) = std::env::var(WORKER_ENV) {
        let store = PathBuf::from(std::env::var_os("STRATA_ARCHIVE_TEST_STORE").unwrap());
        let markers = PathBuf::from(std::env::var_os("STRATA_ARCHIVE_TEST_MARKERS").unwrap());
        return match worker(id.parse().unwrap(), &store, &markers) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("worker {id}: {e}");
                ExitCode::FAILURE
            }
        };
    }
    println!("\nrunning 1 test");
    let start = Instant::now();
    match orchestrate() {
        Ok(()) => {
            println!(
                "test concurrent_processes_never_corrupt_the_store ... ok ({:.1?})",
                start.elapsed()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("test concurrent_processes_never_corrupt_the_store ... FAILED\n{e}");
            ExitCode::FAILURE
        }
    }
}

fn ext(i: usize) -> &'static str {
    ["tar.gz", "tar.xz", "tar.zst", "tar.bz2"][i % 4]
}

/// Deterministic pseudo-random content.
fn content(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Half the bytes compressible, half not.
            if x & 1 == 0 { b'a' } else { (x >> 24) as u8 }
        })
        .collect()
}

fn shared_key(s: usize) -> (String, ArchiveKey) {
    (
        format!("shared-{s}.{}", ext(s)),
        ArchiveKey::new().with("shared", s.to_string()),
    )
}

fn overlap_key(o: usize) -> (String, ArchiveKey) {
    (
        format!("overlap-{o}.tar.gz"),
        ArchiveKey::new().with("overlap", o.to_string()),
    )
}

fn distinct_key(id: usize, round: usize) -> (String, ArchiveKey) {
    (
        "distinct.tar.gz".to_owned(),
        ArchiveKey::new()
            .with("worker", id.to_string())
            .with("round", round.to_string()),
    )
}

fn worker(id: usize, store_dir: &Path, markers: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open(store_dir)?;
    for round in 0..ROUNDS {
        for s in (0..SHARED).map(|s| (s + id) % SHARED) {
            let (name, key) = shared_key(s);
            let got = store.find_or_store(&name, &key, |a| {
                fs::write(
                    markers.join(format!("built-{s}-{}-{round}", std::process::id())),
                    "",
                )
                .map_err(|e| strata_archive::ArchiveError::io("write", markers, e))?;
                a.add_bytes(&format!("shared-{s}/data"), content(s as u64, 8_000))?;
                Ok(())
            })?;
            check(&store, &name, &key, got.digests())?;
        }
        for o in 0..OVERLAP {
            let (name, key) = overlap_key(o);
            let mut a = Archive::new(&name)?;
            a.add_bytes(&format!("o{o}/x"), content(100 + o as u64, 6_000))?;
            a.add_bytes_with_mode(&format!("o{o}/bin/run"), "#!/bin/sh\n", true)?;
            let got = a.store(&store, &key)?;
            check(&store, &name, &key, got.digests())?;
        }
        let (name, key) = distinct_key(id, round);
        let mut a = Archive::new(&name)?;
        a.add_bytes("d/data", content((1000 + id * 100 + round) as u64, 6_000))?;
        let got = a.store(&store, &key)?;
        check(&store, &name, &key, got.digests())?;
        // Maintenance running alongside the stores: verify must not flag blobs that are
        // being written, and GC (default grace) must take nothing and not deadlock.
        if id.is_multiple_of(4) {
            let report = store.verify()?;
            if !report.quarantined.is_empty() || !report.missing.is_empty() {
                return Err(format!("verify during stores: {report:?}").into());
            }
        }
        if id % 4 == 1 {
            let report = store.gc(&strata_archive::GcOptions::default())?;
            if !report.removed_blobs.is_empty() || !report.removed_archives.is_empty() {
                return Err(format!("gc during stores removed: {report:?}").into());
            }
        }
        // Some reads of other workers' keys, which may or may not be there yet.
        for other in 0..WORKERS {
            let (name, key) = distinct_key(other, round);
            if let Some(found) = store.find(&name, &key)? {
                let actual = strata_archive::BlobDigests::of_file(found.path())?;
                if actual != *found.digests() {
                    return Err(format!("blob of {key} read back wrong").into());
                }
            }
        }
    }
    Ok(())
}

fn check(
    store: &Store,
    name: &str,
    key: &ArchiveKey,
    want: &strata_archive::BlobDigests,
) -> Result<(), Box<dyn std::error::Error>> {
    let found = store
        .find(name, key)?
        .ok_or_else(|| format!("{name} {key} not found right after storing"))?;
    if found.digests() != want {
        return Err(format!("{name} {key}: found other digests than stored").into());
    }
    let actual = strata_archive::BlobDigests::of_file(found.path())?;
    if actual != *want {
        return Err(format!("{name} {key}: blob content does not match its digests").into());
    }
    Ok(())
}

fn wait_all(mut children: Vec<(usize, Child)>, limit: Duration) -> Result<(), String> {
    let deadline = Instant::now() + limit;
    let mut failures = Vec::new();
    while !children.is_empty() {
        let mut still = Vec::new();
        for (id, mut child) in children {
            match child.try_wait().map_err(|e| e.to_string())? {
                Some(status) if status.success() => {}
                Some(status) => failures.push(format!("worker {id} exited with {status}")),
                None if Instant::now() > deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    failures.push(format!("worker {id} timed out"));
                }
                None => still.push((id, child)),
            }
        }
        children = still;
        std::thread::sleep(Duration::from_millis(20));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

fn orchestrate() -> Result<(), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store_dir = tmp.path().join("store");
    let markers = tmp.path().join("markers");
    fs::create_dir_all(&store_dir).map_err(|e| e.to_string())?;
    fs::create_dir_all(&markers).map_err(|e| e.to_string())?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut children = Vec::new();
    for id in 0..WORKERS {
        let child = Command::new(&exe)
            .env(WORKER_ENV, id.to_string())
            .env("STRATA_ARCHIVE_TEST_STORE", &store_dir)
            .env("STRATA_ARCHIVE_TEST_MARKERS", &markers)
            .spawn()
            .map_err(|e| format!("spawn worker {id}: {e}"))?;
        children.push((id, child));
    }
    wait_all(children, Duration::from_secs(240))?;

    let store = Store::open(&store_dir).map_err(|e| e.to_string())?;
    // Every blob re-hashes to its index row; nothing stray or unindexed.
    let report = store.verify().map_err(|e| e.to_string())?;
    if !report.is_clean() {
        return Err(format!("verify after the run: {report:?}"));
    }
    // Every expected key is there exactly once, and nothing was superseded (same key, same
    // bytes, whoever stored it).
    let all = store
        .list(&ListFilter {
            final_name: None,
            include_superseded: true,
        })
        .map_err(|e| e.to_string())?;
    let expected = SHARED + OVERLAP + WORKERS * ROUNDS;
    if all.len() != expected {
        return Err(format!("{} index rows, expected {expected}", all.len()));
    }
    if let Some(r) = all.iter().find(|r| r.record.superseded_at.is_some()) {
        return Err(format!("row superseded: {:?}", r.record));
    }
    let mut keys = Vec::new();
    keys.extend((0..SHARED).map(shared_key));
    keys.extend((0..OVERLAP).map(overlap_key));
    for id in 0..WORKERS {
        keys.extend((0..ROUNDS).map(|r| distinct_key(id, r)));
    }
    let mut blobs = BTreeSet::new();
    for (name, key) in &keys {
        let found = store
            .find(name, key)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| format!("{name} {key} missing after the run"))?;
        blobs.insert(found.digests().sha512.clone());
    }
    if report.ok != blobs.len() {
        return Err(format!(
            "{} blobs verified, {} expected",
            report.ok,
            blobs.len()
        ));
    }
    // find_or_store built each shared key once, across all processes.
    let built = fs::read_dir(&markers).map_err(|e| e.to_string())?.count();
    if built != SHARED {
        return Err(format!(
            "shared keys built {built} times, expected {SHARED}"
        ));
    }
    // No temporary file left behind.
    let leftovers = fs::read_dir(store_dir.join("tmp"))
        .map_err(|e| e.to_string())?
        .count();
    if leftovers != 0 {
        return Err(format!("{leftovers} temporary files left"));
    }
    // SQLite's own consistency check.
    let conn =
        rusqlite::Connection::open(store_dir.join("index.sqlite")).map_err(|e| e.to_string())?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if integrity != "ok" {
        return Err(format!("integrity_check: {integrity}"));
    }
    let fk: Vec<String> = conn
        .prepare("PRAGMA foreign_key_check")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(|e| e.to_string())?;
    if !fk.is_empty() {
        return Err(format!("foreign key violations in {fk:?}"));
    }
    Ok(())
}
