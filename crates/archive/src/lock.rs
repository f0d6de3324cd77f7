//! Advisory file locks (`flock` through std's `File::lock`) in the store's `locks/`.
//!
//! - `locks/key-<digest>.lock`, exclusive: one builder per (final name, key) at a time.
//! - `locks/gc.lock`: shared while a blob is linked and indexed, exclusive while GC or
//!   quarantine removes blobs, so a blob is never removed between being linked and being
//!   indexed by another process.
//!
//! A lock is released when its guard (the open file) is dropped, or when the process dies.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::error::{ArchiveError, Result};

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub(crate) struct LockGuard {
    _file: File,
}

/// The lock directory of a store.
#[derive(Debug, Clone)]
pub(crate) struct Locks {
    dir: PathBuf,
}

impl Locks {
    pub(crate) fn open(root: &Path) -> Result<Locks> {
        let dir = root.join("locks");
        std::fs::create_dir_all(&dir).map_err(|e| ArchiveError::io("create directory", &dir, e))?;
        Ok(Locks { dir })
    }

    /// Exclusive build lock for one key digest.
    pub(crate) fn key(&self, key_digest: &str) -> Result<LockGuard> {
        lock(&self.dir.join(format!("key-{key_digest}.lock")), true)
    }

    /// Shared side of the GC lock (stores).
    pub(crate) fn gc_shared(&self) -> Result<LockGuard> {
        lock(&self.dir.join("gc.lock"), false)
    }

    /// Exclusive side of the GC lock (GC, quarantine).
    pub(crate) fn gc_exclusive(&self) -> Result<LockGuard> {
        lock(&self.dir.join("gc.lock"), true)
    }
}

fn lock(path: &Path, exclusive: bool) -> Result<LockGuard> {
    let file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| ArchiveError::io("open lock file", path, e))?;
    let res = if exclusive {
        file.lock()
    } else {
        file.lock_shared()
    };
    res.map_err(|e| ArchiveError::io("lock", path, e))?;
    Ok(LockGuard { _file: file })
}
