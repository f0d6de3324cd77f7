//! Per-distfile locks, so two processes (or threads) never write the same distfile.
//!
//! The lock is an exclusive advisory lock (`flock`, through `std::fs::File::lock`) on
//! `<DISTDIR>/.locks/<name>.lock`. Lock files are left in place: deleting them would let a
//! third process lock a fresh file while the second still waits on the old one.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

/// A held distfile lock; released when dropped.
#[derive(Debug)]
pub struct DistfileLock {
    _file: File,
    path: PathBuf,
}

impl DistfileLock {
    /// The lock file's path for a distfile.
    pub fn path_for(distdir: &Path, name: &str) -> PathBuf {
        distdir.join(".locks").join(format!("{name}.lock"))
    }

    fn open(distdir: &Path, name: &str) -> io::Result<(File, PathBuf)> {
        let path = Self::path_for(distdir, name);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)?;
        Ok((file, path))
    }

    /// Waits for the lock.
    pub fn acquire(distdir: &Path, name: &str) -> io::Result<DistfileLock> {
        let (file, path) = Self::open(distdir, name)?;
        file.lock()?;
        Ok(DistfileLock { _file: file, path })
    }

    /// Takes the lock if it is free; `Ok(None)` when another holder has it.
    pub fn try_acquire(distdir: &Path, name: &str) -> io::Result<Option<DistfileLock>> {
        let (file, path) = Self::open(distdir, name)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(DistfileLock { _file: file, path })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn exclusive() {
        let dir = tempfile::tempdir().unwrap();
        let a = DistfileLock::acquire(dir.path(), "x.tar.gz").unwrap();
        assert!(
            DistfileLock::try_acquire(dir.path(), "x.tar.gz")
                .unwrap()
                .is_none()
        );
        assert!(
            DistfileLock::try_acquire(dir.path(), "y.tar.gz")
                .unwrap()
                .is_some()
        );
        drop(a);
        assert!(
            DistfileLock::try_acquire(dir.path(), "x.tar.gz")
                .unwrap()
                .is_some()
        );
    }
}
