//! Locks compatible with Portage's `portage.locks.lockfile(..., wantnewlockfile=True)`:
//! an exclusive `fcntl` (POSIX record) lock on `<dir>/.<name>.portage_lockfile`.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use rustix::fs::FlockOperation;

use crate::error::{Error, Result};

/// The lock file Portage uses for `target` (`/a/b/Packages` → `/a/b/.Packages.portage_lockfile`).
pub fn lock_path(target: &Path) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.portage_lockfile"))
}

/// A held lock; released (and the lock file removed, as Portage does) on drop.
#[derive(Debug)]
pub struct PortageLock {
    path: PathBuf,
    file: Option<File>,
}

impl PortageLock {
    /// Blocks until the exclusive lock for `target` is held.
    pub fn acquire(target: &Path) -> Result<PortageLock> {
        let path = lock_path(target);
        loop {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| Error::io(&path, e))?;
            rustix::fs::fcntl_lock(&file, FlockOperation::LockExclusive)
                .map_err(|e| Error::io(&path, e.into()))?;
            // Another holder may have removed the file between our open and lock: retry
            // until the locked inode is the one at the path (Portage does the same).
            let held = file.metadata().map_err(|e| Error::io(&path, e))?;
            match std::fs::metadata(&path) {
                Ok(now) if now.ino() == held.ino() && now.dev() == held.dev() => {
                    return Ok(PortageLock {
                        path,
                        file: Some(file),
                    });
                }
                _ => continue,
            }
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PortageLock {
    fn drop(&mut self) {
        // Remove while still holding the lock, then close (which releases it).
        let _ = std::fs::remove_file(&self.path);
        self.file.take();
    }
}
