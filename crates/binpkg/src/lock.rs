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
        loop {
            if let Some(lock) = PortageLock::attempt(target, FlockOperation::LockExclusive)? {
                return Ok(lock);
            }
        }
    }

    /// Takes the lock if no other process holds it; `None` if one does.
    pub fn try_acquire(target: &Path) -> Result<Option<PortageLock>> {
        loop {
            match PortageLock::attempt(target, FlockOperation::NonBlockingLockExclusive) {
                Ok(Some(lock)) => return Ok(Some(lock)),
                Ok(None) => continue, // the file was replaced under us: retry
                Err(Error::Io { source, .. })
                    if matches!(
                        source.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::PermissionDenied
                    ) =>
                {
                    return Ok(None);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// One attempt: `Ok(None)` when the locked file is no longer the one at the path.
    fn attempt(target: &Path, op: FlockOperation) -> Result<Option<PortageLock>> {
        let path = lock_path(target);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        rustix::fs::fcntl_lock(&file, op).map_err(|e| Error::io(&path, e.into()))?;
        // Another holder may have removed the file between our open and lock: the lock
        // only counts if the locked inode is the one at the path (Portage checks too).
        let held = file.metadata().map_err(|e| Error::io(&path, e))?;
        match std::fs::metadata(&path) {
            Ok(now) if now.ino() == held.ino() && now.dev() == held.dev() => {
                Ok(Some(PortageLock {
                    path,
                    file: Some(file),
                }))
            }
            _ => Ok(None),
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader};

    use std::process::{Command, Stdio};

    const HOLDER_ENV: &str = "STRATA_BINPKG_LOCK_HOLDER";

    /// Holds the lock in a second process (this test binary re-executed) and checks that
    /// this process cannot take it meanwhile, then can once it is released.
    #[test]
    fn lock_excludes_other_processes() {
        if let Some(target) = std::env::var_os(HOLDER_ENV) {
            let _lock = PortageLock::acquire(Path::new(&target)).expect("holder locks");
            println!("locked");
            std::thread::sleep(std::time::Duration::from_millis(1500));
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let target = dir.path().join("Packages");
        let exe = std::env::current_exe().expect("test binary");
        let mut child = Command::new(exe)
            .args([
                "lock::tests::lock_excludes_other_processes",
                "--exact",
                "--nocapture",
            ])
            .env(HOLDER_ENV, &target)
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn holder");
        let mut out = BufReader::new(child.stdout.take().expect("stdout"));
        let mut ready = false;
        let mut line = String::new();
        while out.read_line(&mut line).expect("read") > 0 {
            if line.contains("locked") {
                ready = true;
                break;
            }
            line.clear();
        }
        assert!(ready, "holder never took the lock");
        assert!(lock_path(&target).exists());
        assert!(
            PortageLock::try_acquire(&target).expect("probe").is_none(),
            "lock taken while another process holds it"
        );
        let mut rest = Vec::new();
        std::io::Read::read_to_end(&mut out, &mut rest).expect("drain");
        assert!(child.wait().expect("wait").success());
        let lock = PortageLock::try_acquire(&target)
            .expect("probe")
            .expect("free now");
        drop(lock);
        assert!(!lock_path(&target).exists(), "lock file removed on release");
    }
}
