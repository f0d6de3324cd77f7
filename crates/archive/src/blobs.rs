//! Content-addressed blob storage in the GLEP 75 `content-hash SHA512 8:8:8` layout.
//!
//! A blob with SHA-512 `h` lives at `blobs/h[0..2]/h[2..4]/h[4..6]/h`, read-only, with no
//! suffix and no sidecar files, and `blobs/layout.conf` says so: the `blobs/` directory can
//! be served as a distfiles mirror as it is.
//!
//! Blobs are written to a temporary file in `tmp/` (same filesystem), fsynced, then
//! hard-linked into place. `link(2)` never replaces an existing file, so two writers of
//! the same content cannot clobber each other and readers never see a partial blob.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::digests::{BlobDigests, HashingWriter};
use crate::error::{ArchiveError, Result};

/// Contents of `blobs/layout.conf`.
pub const BLOB_LAYOUT_CONF: &str = "[structure]\n0=content-hash SHA512 8:8:8\n";

/// The blob directories of a store: `blobs/`, `tmp/` and `quarantine/`.
#[derive(Debug, Clone)]
pub struct BlobStore {
    blobs: PathBuf,
    tmp: PathBuf,
    quarantine: PathBuf,
}

impl BlobStore {
    /// Opens (creating as needed) the blob directories under the store root `root`.
    pub fn open(root: &Path) -> Result<BlobStore> {
        let store = BlobStore {
            blobs: root.join("blobs"),
            tmp: root.join("tmp"),
            quarantine: root.join("quarantine"),
        };
        for dir in [&store.blobs, &store.tmp, &store.quarantine] {
            fs::create_dir_all(dir).map_err(|e| ArchiveError::io("create directory", dir, e))?;
        }
        let conf = store.blobs.join("layout.conf");
        if fs::read_to_string(&conf).ok().as_deref() != Some(BLOB_LAYOUT_CONF) {
            store.write_small_file_atomically(&conf, BLOB_LAYOUT_CONF.as_bytes())?;
        }
        Ok(store)
    }

    /// The `blobs/` directory (a GLEP 75 content-hash mirror).
    pub fn dir(&self) -> &Path {
        &self.blobs
    }

    /// The `tmp/` directory.
    pub fn tmp_dir(&self) -> &Path {
        &self.tmp
    }

    /// The `quarantine/` directory.
    pub fn quarantine_dir(&self) -> &Path {
        &self.quarantine
    }

    /// The path of the blob with SHA-512 `sha512` (lower-case hex, 128 characters).
    pub fn path(&self, sha512: &str) -> PathBuf {
        self.blobs.join(content_hash_path(sha512))
    }

    /// Writes a blob by streaming into `write`, hashing in the same pass, and links it
    /// into place. Returns its digests.
    pub fn insert_with(
        &self,
        write: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<BlobDigests> {
        let temp = NamedTempFile::with_prefix_in(".blob-", &self.tmp)
            .map_err(|e| ArchiveError::io("create temporary file in", &self.tmp, e))?;
        let tpath = temp.path().to_owned();
        let file = temp
            .as_file()
            .try_clone()
            .map_err(|e| ArchiveError::io("open", &tpath, e))?;
        let mut writer = HashingWriter::new(BufWriter::with_capacity(256 * 1024, file));
        write(&mut writer)?;
        let (buf, digests) = writer.finish();
        let file = buf
            .into_inner()
            .map_err(|e| ArchiveError::io("write", &tpath, e.into_error()))?;
        file.sync_all()
            .map_err(|e| ArchiveError::io("fsync", &tpath, e))?;
        self.link_into_place(&tpath, &digests)?;
        // Dropping `temp` unlinks the temporary name; the blob keeps the data.
        drop(temp);
        Ok(digests)
    }

    /// Copies the file at `source` into the store (never hard-links caller files).
    pub fn insert_copy(&self, source: &Path) -> Result<BlobDigests> {
        let mut input = File::open(source).map_err(|e| ArchiveError::io("open", source, e))?;
        self.insert_with(|out| {
            io::copy(&mut input, out).map_err(|e| ArchiveError::io("copy", source, e))?;
            Ok(())
        })
    }

    fn link_into_place(&self, temp: &Path, digests: &BlobDigests) -> Result<()> {
        set_read_only(temp)?;
        let target = self.path(&digests.sha512);
        let parent = target.parent().unwrap_or(&self.blobs).to_owned();
        fs::create_dir_all(&parent)
            .map_err(|e| ArchiveError::io("create directory", &parent, e))?;
        for _attempt in 0..3 {
            match fs::hard_link(temp, &target) {
                Ok(()) => {
                    sync_dir(&parent)?;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    // Same name means same SHA-512, so the same content unless the existing
                    // file is damaged. A cheap size check catches truncation; a damaged
                    // blob is moved to quarantine (never deleted) and the link retried.
                    let existing =
                        fs::metadata(&target).map_err(|e| ArchiveError::io("stat", &target, e))?;
                    if existing.len() == digests.size {
                        return Ok(());
                    }
                    self.quarantine(&digests.sha512)?;
                }
                Err(e) => return Err(ArchiveError::io("link", &target, e)),
            }
        }
        Err(ArchiveError::io(
            "link",
            &target,
            io::Error::other("blob kept reappearing with a wrong size"),
        ))
    }

    /// Moves the blob `sha512` to `quarantine/` (never deleting it). Returns the
    /// quarantine path, or `None` if the blob was not there.
    pub fn quarantine(&self, sha512: &str) -> Result<Option<PathBuf>> {
        let from = self.path(sha512);
        if fs::symlink_metadata(&from).is_err() {
            return Ok(None);
        }
        let mut to = self.quarantine.join(sha512);
        let mut n = 0u32;
        while fs::symlink_metadata(&to).is_ok() {
            n += 1;
            to = self.quarantine.join(format!("{sha512}.{n}"));
        }
        // Link then unlink: the quarantine copy never replaces an older one.
        match fs::hard_link(&from, &to) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(ArchiveError::io("link", &to, e)),
        }
        match fs::remove_file(&from) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(ArchiveError::io("remove", &from, e)),
        }
        Ok(Some(to))
    }

    /// Deletes the blob `sha512` (used by GC only). Missing blobs are not an error.
    pub fn remove(&self, sha512: &str) -> Result<bool> {
        let path = self.path(sha512);
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(ArchiveError::io("remove", &path, e)),
        }
    }

    /// Every file under `blobs/` that has the shape of a blob path, as `(sha512, path)`;
    /// `layout.conf` is skipped. Other stray files are returned with `None`.
    pub fn scan(&self) -> Result<Vec<(Option<String>, PathBuf)>> {
        let mut out = Vec::new();
        scan_dir(&self.blobs, &self.blobs, 0, &mut out)?;
        out.sort();
        Ok(out)
    }

    fn write_small_file_atomically(&self, dest: &Path, data: &[u8]) -> Result<()> {
        let mut temp = NamedTempFile::with_prefix_in(".conf-", &self.tmp)
            .map_err(|e| ArchiveError::io("create temporary file in", &self.tmp, e))?;
        temp.write_all(data)
            .and_then(|()| temp.as_file().sync_all())
            .map_err(|e| ArchiveError::io("write", temp.path(), e))?;
        temp.persist(dest)
            .map_err(|e| ArchiveError::io("rename into", dest, e.error))?;
        Ok(())
    }
}

/// The GLEP 75 `content-hash SHA512 8:8:8` relative path of a digest: three directory
/// levels of two hex digits, then the full digest.
///
/// ```
/// let h = "ab".repeat(64);
/// assert_eq!(strata_archive::content_hash_path(&h), format!("ab/ab/ab/{h}"));
/// ```
pub fn content_hash_path(sha512: &str) -> String {
    let h = |r: std::ops::Range<usize>| sha512.get(r).unwrap_or("");
    format!("{}/{}/{}/{sha512}", h(0..2), h(2..4), h(4..6))
}

/// Whether `s` is a lower-case hex SHA-512 digest.
pub(crate) fn is_sha512_hex(s: &str) -> bool {
    s.len() == 128 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn scan_dir(
    root: &Path,
    dir: &Path,
    depth: usize,
    out: &mut Vec<(Option<String>, PathBuf)>,
) -> Result<()> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ArchiveError::io("read directory", dir, e)),
    };
    for item in rd {
        let item = item.map_err(|e| ArchiveError::io("read directory", dir, e))?;
        let path = item.path();
        let ft = item
            .file_type()
            .map_err(|e| ArchiveError::io("stat", &path, e))?;
        if ft.is_dir() && depth < 3 {
            scan_dir(root, &path, depth + 1, out)?;
            continue;
        }
        if depth == 0 && item.file_name() == "layout.conf" {
            continue;
        }
        let name = item.file_name().to_string_lossy().into_owned();
        let rel = path.strip_prefix(root).unwrap_or(&path);
        let ok = depth == 3
            && ft.is_file()
            && is_sha512_hex(&name)
            && rel.to_str() == Some(content_hash_path(&name).as_str());
        out.push((ok.then_some(name), path));
    }
    Ok(())
}

#[cfg(unix)]
fn set_read_only(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o444))
        .map_err(|e| ArchiveError::io("chmod", path, e))
}

#[cfg(not(unix))]
fn set_read_only(path: &Path) -> Result<()> {
    let mut perm = fs::metadata(path)
        .map_err(|e| ArchiveError::io("stat", path, e))?
        .permissions();
    perm.set_readonly(true);
    fs::set_permissions(path, perm).map_err(|e| ArchiveError::io("chmod", path, e))
}

/// Makes a directory entry (a new link) durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| ArchiveError::io("fsync", dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
