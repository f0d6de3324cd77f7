//! Local distfile sources consulted before the network (the archive store implements one).

use std::path::Path;

use crate::hash::Digests;

/// The error type a [`DistfileSource`] returns.
pub type SourceError = Box<dyn std::error::Error + Send + Sync>;

/// A place that may already hold a distfile, consulted before any network candidate.
///
/// The fetcher calls [`DistfileSource::provide`] with the distfile's final name, the digests
/// the Manifest expects (empty — no size, no hashes — when the Manifest has no entry and
/// missing digests are allowed) and a destination path inside DISTDIR that does not exist.
/// An implementation that has the file writes it **completely** to `dest` (copy, hard link or
/// reflink; it must not leave a partial file behind on error) and returns `Ok(true)`;
/// `Ok(false)` means "not here". The fetcher then verifies `dest` against the expected
/// digests itself: a file that fails is moved aside as a checksum failure and the remaining
/// sources and URIs are tried, so a source need not verify, but should not offer content it
/// knows is different. Errors are reported as warnings and the next source is tried.
pub trait DistfileSource: Send + Sync {
    /// Writes distfile `name` to `dest` if this source has it.
    fn provide(&self, name: &str, expected: &Digests, dest: &Path) -> Result<bool, SourceError>;
}

/// A read-only directory of distfiles (a flat directory, like Portage's
/// `PORTAGE_RO_DISTDIRS`), provided by copying.
#[derive(Debug, Clone)]
pub struct DirectorySource {
    /// The directory.
    pub dir: std::path::PathBuf,
}

impl DistfileSource for DirectorySource {
    fn provide(&self, name: &str, expected: &Digests, dest: &Path) -> Result<bool, SourceError> {
        let src = self.dir.join(name);
        let Ok(meta) = std::fs::metadata(&src) else {
            return Ok(false);
        };
        if !meta.is_file() || expected.size().is_some_and(|s| s != meta.len()) {
            return Ok(false);
        }
        if let Err(e) = std::fs::copy(&src, dest) {
            let _ = std::fs::remove_file(dest);
            return Err(Box::new(e));
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn directory_source() {
        let ro = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        std::fs::write(ro.path().join("a-1.tar.gz"), b"abc").unwrap();
        let src = DirectorySource {
            dir: ro.path().to_owned(),
        };
        let dest = out.path().join("a-1.tar.gz.__source__");
        // Wrong size: not offered.
        assert!(
            !src.provide("a-1.tar.gz", &Digests::new(Some(4)), &dest)
                .unwrap()
        );
        assert!(!dest.exists());
        assert!(
            !src.provide("b-1.tar.gz", &Digests::new(None), &dest)
                .unwrap()
        );
        assert!(
            src.provide("a-1.tar.gz", &Digests::new(Some(3)), &dest)
                .unwrap()
        );
        assert_eq!(std::fs::read(&dest).unwrap(), b"abc");
    }
}
