//! Writing stored archives' `DIST` entries into a package Manifest.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

use strata_fetch::manifest::{Entry, Manifest, is_clear_signed};
use tempfile::NamedTempFile;

use crate::error::{ArchiveError, Result};
use crate::store::StoredArchive;

/// Adds (or replaces) the `DIST` entries of `archives` in the Manifest at `path`, keeping
/// every other entry, and writes it back sorted, atomically (temporary file in the same
/// directory, fsync, rename). A missing Manifest is created. Signed or compressed
/// Manifests are refused (rewriting would break the signature or the compression). Each
/// entry carries Portage's default hashes, `BLAKE2B SHA512`.
///
/// Returns the names whose entry was added or changed.
pub fn update_manifest(path: &Path, archives: &[&StoredArchive]) -> Result<Vec<String>> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if [".gz", ".bz2", ".xz", ".lzma"]
        .iter()
        .any(|ext| name.ends_with(ext))
    {
        return Err(manifest_error(
            path,
            0,
            "compressed Manifests are not rewritten",
        ));
    }
    let (mut manifest, mode) = match fs::read_to_string(path) {
        Ok(text) => {
            if is_clear_signed(&text) {
                return Err(manifest_error(
                    path,
                    1,
                    "signed Manifests are not rewritten",
                ));
            }
            let m = Manifest::parse_named(&text, path)
                .map_err(|e| manifest_error(path, e.line, &e.kind.to_string()))?;
            let mode = fs::metadata(path)
                .map_err(|e| ArchiveError::io("stat", path, e))?
                .permissions();
            (m, Some(mode))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => (Manifest::new(), None),
        Err(e) => return Err(ArchiveError::io("read", path, e)),
    };
    let mut changed = Vec::new();
    for a in archives {
        let new = a.manifest_entry();
        if manifest.dist(a.final_name()).map(|o| &o.digests) != Some(&new.digests) {
            changed.push(a.final_name().to_owned());
        }
        manifest.push(Entry::File(new));
    }
    manifest.sort();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut temp = NamedTempFile::with_prefix_in(".Manifest.", dir)
        .map_err(|e| ArchiveError::io("create temporary file in", dir, e))?;
    temp.write_all(manifest.to_string().as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| ArchiveError::io("write", temp.path(), e))?;
    if let Some(perms) = mode.or_else(default_permissions) {
        fs::set_permissions(temp.path(), perms)
            .map_err(|e| ArchiveError::io("chmod", temp.path(), e))?;
    }
    temp.persist(path)
        .map_err(|e| ArchiveError::io("replace", path, e.error))?;
    Ok(changed)
}

fn manifest_error(path: &Path, line: usize, reason: &str) -> ArchiveError {
    ArchiveError::Manifest {
        path: path.to_owned(),
        line,
        reason: reason.to_owned(),
    }
}

#[cfg(unix)]
fn default_permissions() -> Option<fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<fs::Permissions> {
    None
}
