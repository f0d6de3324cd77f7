//! The store as a strata-fetch [`DistfileSource`]: the fetcher asks it for a distfile
//! (by final name and Manifest digests) before going to the network.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use strata_fetch::hash::Digests;
use strata_fetch::source::{DistfileSource, SourceError};

use crate::digests::BlobDigests;
use crate::error::{ArchiveError, Result};
use crate::index::{BlobState, ListFilter};
use crate::store::Store;

impl Store {
    /// The blob that should be served for distfile `name` with the Manifest's `expected`
    /// digests, if the store has one: by the expected SHA512 when the Manifest has one
    /// (any archive name will do: the content is what matters), else among the active
    /// archives named `name` the newest whose size and hashes agree with `expected`.
    /// A blob whose recorded digests contradict `expected` is never offered.
    pub fn locate(&self, name: &str, expected: &Digests) -> Result<Option<(PathBuf, BlobDigests)>> {
        if let Some(sha512) = expected.hex("SHA512") {
            return Ok(self
                .blob_path_by_sha512(&sha512)?
                .filter(|(_, d)| agrees(d, expected)));
        }
        let mut rows = self.index().list(&ListFilter {
            final_name: Some(name.to_owned()),
            include_superseded: false,
        })?;
        rows.sort_by_key(|r| (r.created_at, r.id));
        for row in rows.into_iter().rev() {
            if row.state != BlobState::Ok || !agrees(&row.digests, expected) {
                continue;
            }
            if let Some(found) = self.blob_path_by_sha512(&row.digests.sha512)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// Copies the blob for `name` / `expected` (see [`Store::locate`]) to `dest`, which
    /// must not exist: written to a temporary file next to it, fsynced and linked into
    /// place, so no partial `dest` is ever visible. Returns whether the store had it.
    pub fn provide_to(&self, name: &str, expected: &Digests, dest: &Path) -> Result<bool> {
        let Some((blob, _)) = self.locate(name, expected)? else {
            return Ok(false);
        };
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        // A distfile must be readable by the unprivileged build user (FEATURES=userpriv),
        // not 0600 as temporary files are by default; the umask still applies.
        let mut temp = tempfile::Builder::new()
            .prefix(".strata-archive-")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .tempfile_in(parent)
            .map_err(|e| ArchiveError::io("create temporary file in", parent, e))?;
        let mut input = fs::File::open(&blob).map_err(|e| ArchiveError::io("open", &blob, e))?;
        io::copy(&mut input, &mut temp).map_err(|e| ArchiveError::io("copy to", temp.path(), e))?;
        temp.as_file()
            .sync_all()
            .map_err(|e| ArchiveError::io("fsync", temp.path(), e))?;
        temp.persist_noclobber(dest)
            .map_err(|e| ArchiveError::io("create", dest, e.error))?;
        Ok(true)
    }
}

/// Whether recorded blob digests agree with what a Manifest expects: the size and every
/// hash both know must be equal.
fn agrees(have: &BlobDigests, expected: &Digests) -> bool {
    if expected.size().is_some_and(|s| s != have.size) {
        return false;
    }
    let have = have.to_digests();
    expected
        .iter()
        .all(|(name, value)| have.get_named(name).is_none_or(|h| h == value))
}

impl DistfileSource for Store {
    fn provide(&self, name: &str, expected: &Digests, dest: &Path) -> Result<bool, SourceError> {
        Ok(self.provide_to(name, expected, dest)?)
    }
}
