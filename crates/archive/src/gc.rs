//! [`Store::gc`]: mark and sweep, rooted at Manifests, with a grace period.
//!
//! Live (never removed):
//! - blobs whose SHA512 (or BLAKE2B) appears in a root: a `DIST` line of a Manifest given
//!   to [`GcRoots::add_manifests`], or a hash added by hand (a pin);
//! - blobs of active archive rows, unless [`GcOptions::prune_unrooted`] is set;
//! - anything stored, superseded or written less than the grace period ago;
//! - quarantined blobs (they are kept for inspection; remove them by hand).
//!
//! Swept: superseded archive rows older than the grace period and not rooted (and, with
//! `prune_unrooted`, active rows too), then blobs no remaining row or root refers to, then
//! unindexed blob files (left by a crash between linking and indexing) and stale
//! temporary files. GC holds the store's GC lock exclusively, so no store is half-way
//! between linking a blob and indexing it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Serialize;
use strata_fetch::manifest::Manifest;

use crate::error::{ArchiveError, Result};
use crate::index::{ArchiveRecord, BlobState, ListFilter};
use crate::store::{Store, now};

/// Hashes that keep blobs alive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GcRoots {
    /// SHA-512 digests (lower-case hex).
    pub sha512: BTreeSet<String>,
    /// BLAKE2B digests (lower-case hex), for Manifest lines without SHA512.
    pub blake2b: BTreeSet<String>,
    /// Manifest files read.
    pub manifests: usize,
}

impl GcRoots {
    /// No roots.
    pub fn new() -> Self {
        GcRoots::default()
    }

    /// Adds the `DIST` hashes of Manifests: each path is a Manifest file (plain or
    /// compressed) or a directory searched recursively for files named `Manifest`,
    /// `Manifest.gz`, `.bz2` or `.xz` (`.git` directories are skipped). A Manifest that
    /// does not parse is an error: GC must not run on a partial root set.
    pub fn add_manifests<P: AsRef<Path>>(&mut self, paths: &[P]) -> Result<()> {
        for p in paths {
            let p = p.as_ref();
            let meta = fs::metadata(p).map_err(|e| ArchiveError::io("stat", p, e))?;
            if meta.is_dir() {
                let mut found = Vec::new();
                find_manifests(p, &mut found)?;
                found.sort();
                for m in found {
                    self.add_manifest(&m)?;
                }
            } else {
                self.add_manifest(p)?;
            }
        }
        Ok(())
    }

    fn add_manifest(&mut self, path: &Path) -> Result<()> {
        let manifest = Manifest::load(path).map_err(|e| ArchiveError::Manifest {
            path: path.to_owned(),
            line: e.line,
            reason: e.kind.to_string(),
        })?;
        for dist in manifest.dists() {
            if let Some(h) = dist.digests.hex("SHA512") {
                self.sha512.insert(h);
            }
            if let Some(h) = dist.digests.hex("BLAKE2B") {
                self.blake2b.insert(h);
            }
        }
        self.manifests += 1;
        Ok(())
    }

    fn roots(&self, sha512: &str, blake2b: &str) -> bool {
        self.sha512.contains(sha512) || self.blake2b.contains(blake2b)
    }
}

fn find_manifests(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let rd = fs::read_dir(dir).map_err(|e| ArchiveError::io("read directory", dir, e))?;
    for item in rd {
        let item = item.map_err(|e| ArchiveError::io("read directory", dir, e))?;
        let path = item.path();
        let ft = item
            .file_type()
            .map_err(|e| ArchiveError::io("stat", &path, e))?;
        let name = item.file_name();
        if ft.is_dir() {
            if name != ".git" {
                find_manifests(&path, out)?;
            }
        } else if ft.is_file()
            && matches!(
                name.to_str(),
                Some("Manifest" | "Manifest.gz" | "Manifest.bz2" | "Manifest.xz")
            )
        {
            out.push(path);
        }
    }
    Ok(())
}

/// Options of [`Store::gc`].
#[derive(Debug, Clone)]
pub struct GcOptions {
    /// The roots.
    pub roots: GcRoots,
    /// Nothing younger than this is removed (CDN clients on older trees still need old
    /// blobs). Default 30 days.
    pub grace: Duration,
    /// Report what would be removed without removing anything.
    pub pretend: bool,
    /// Let active archive rows go too when no root refers to their blob (the store then
    /// keeps only what published Manifests need, plus recent work).
    pub prune_unrooted: bool,
    /// Temporary files older than this are removed. Default 1 day.
    pub tmp_max_age: Duration,
    /// "Now", in seconds since the epoch (tests); the clock when `None`.
    pub now: Option<i64>,
}

impl Default for GcOptions {
    fn default() -> Self {
        GcOptions {
            roots: GcRoots::new(),
            grace: Duration::from_secs(30 * 24 * 3600),
            pretend: false,
            prune_unrooted: false,
            tmp_max_age: Duration::from_secs(24 * 3600),
            now: None,
        }
    }
}

/// A blob GC removed (or would remove).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemovedBlob {
    /// Its SHA-512.
    pub sha512: String,
    /// Its size.
    pub size: u64,
    /// Whether the index knew it (false: an unindexed file).
    pub indexed: bool,
}

/// What [`Store::gc`] removed (or, with `pretend`, would remove).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GcReport {
    /// Whether this was a pretend run.
    pub pretend: bool,
    /// Archive rows removed.
    pub removed_archives: Vec<ArchiveRecord>,
    /// Blobs removed.
    pub removed_blobs: Vec<RemovedBlob>,
    /// Stale temporary files removed.
    pub removed_tmp: Vec<PathBuf>,
    /// Bytes freed by blob removal.
    pub freed_bytes: u64,
    /// Blobs kept.
    pub kept_blobs: usize,
    /// Kept blobs that a root refers to.
    pub rooted_blobs: usize,
}

impl Store {
    /// Mark and sweep (see the [module docs](crate::gc)).
    pub fn gc(&self, options: &GcOptions) -> Result<GcReport> {
        let _gc = self.locks.gc_exclusive()?;
        let now = options.now.unwrap_or_else(now);
        let cutoff = now.saturating_sub(i64::try_from(options.grace.as_secs()).unwrap_or(i64::MAX));
        let roots = &options.roots;
        let mut report = GcReport {
            pretend: options.pretend,
            ..GcReport::default()
        };

        let rows = self.index().list(&ListFilter {
            final_name: None,
            include_superseded: true,
        })?;
        let mut keep_refs = BTreeSet::new();
        for row in rows {
            let rooted = roots.roots(&row.digests.sha512, &row.digests.blake2b);
            let old = match row.superseded_at {
                Some(t) => t <= cutoff,
                None => options.prune_unrooted && row.created_at <= cutoff,
            };
            if old && !rooted {
                report.removed_archives.push(row);
            } else {
                keep_refs.insert(row.digests.sha512.clone());
            }
        }
        if !options.pretend {
            let ids: Vec<i64> = report.removed_archives.iter().map(|r| r.id).collect();
            self.index().delete_archives(&ids)?;
        }

        let blobs = self.index().blobs()?;
        let indexed: BTreeSet<String> = blobs.iter().map(|b| b.digests.sha512.clone()).collect();
        for blob in blobs {
            let d = &blob.digests;
            let rooted = roots.roots(&d.sha512, &d.blake2b);
            let removable = !rooted
                && !keep_refs.contains(&d.sha512)
                && blob.state != BlobState::Quarantined
                && blob.created_at <= cutoff;
            if !removable {
                report.kept_blobs += 1;
                if rooted {
                    report.rooted_blobs += 1;
                }
                continue;
            }
            if !options.pretend {
                self.blobs().remove(&d.sha512)?;
                self.index().delete_blob(&d.sha512)?;
            }
            report.freed_bytes += d.size;
            report.removed_blobs.push(RemovedBlob {
                sha512: d.sha512.clone(),
                size: d.size,
                indexed: true,
            });
        }

        // Unindexed blob files: a crash between link and index insert leaves these.
        for (name, path) in self.blobs().scan()? {
            let Some(sha) = name else { continue };
            if indexed.contains(&sha) || roots.sha512.contains(&sha) {
                continue;
            }
            let meta = fs::metadata(&path).map_err(|e| ArchiveError::io("stat", &path, e))?;
            if mtime_secs(&meta) > cutoff {
                report.kept_blobs += 1;
                continue;
            }
            if !options.pretend {
                self.blobs().remove(&sha)?;
            }
            report.freed_bytes += meta.len();
            report.removed_blobs.push(RemovedBlob {
                sha512: sha,
                size: meta.len(),
                indexed: false,
            });
        }

        let tmp_cutoff =
            now.saturating_sub(i64::try_from(options.tmp_max_age.as_secs()).unwrap_or(i64::MAX));
        let tmp = self.blobs().tmp_dir().to_owned();
        let rd = fs::read_dir(&tmp).map_err(|e| ArchiveError::io("read directory", &tmp, e))?;
        for item in rd {
            let item = item.map_err(|e| ArchiveError::io("read directory", &tmp, e))?;
            let path = item.path();
            let Ok(meta) = fs::symlink_metadata(&path) else {
                continue;
            };
            if meta.is_file() && mtime_secs(&meta) <= tmp_cutoff {
                if !options.pretend {
                    match fs::remove_file(&path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                        Err(e) => return Err(ArchiveError::io("remove", &path, e)),
                    }
                }
                report.removed_tmp.push(path);
            }
        }
        report.removed_tmp.sort();
        Ok(report)
    }
}

fn mtime_secs(meta: &fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok())
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
