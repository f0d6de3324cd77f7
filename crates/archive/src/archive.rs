//! [`Archive`]: the contents of one dynamic archive before it is stored.
//!
//! An archive collects entries (files read from disk, byte strings, directories, symbolic
//! links) under relative paths, then [`Archive::store`] writes them as a deterministic
//! tarball into a [`Store`] under a key.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{ArchiveError, Result};
use crate::key::ArchiveKey;
use crate::name::FinalName;
use crate::store::{Store, StoredArchive};

/// What one archive entry holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Entry {
    /// A directory.
    Dir,
    /// A regular file read from disk when the archive is written.
    File {
        /// Where to read it from.
        source: PathBuf,
        /// Whether any execute bit was set (mode 0755 instead of 0644).
        executable: bool,
    },
    /// A regular file with the given contents.
    Bytes {
        /// The contents.
        data: Vec<u8>,
        /// Mode 0755 instead of 0644.
        executable: bool,
    },
    /// A symbolic link.
    Symlink {
        /// The link target, stored as is.
        target: String,
    },
}

/// The contents of a dynamic archive, named by its final name.
///
/// Entries are kept sorted by path; parent directories are added implicitly. Nothing is
/// read from disk until [`Archive::store`].
///
/// ```
/// use strata_archive::Archive;
/// let mut a = Archive::new("demo-1.0-extra.tar.gz").expect("valid name");
/// a.add_bytes("demo-1.0/README", b"hello\n").expect("valid path");
/// assert_eq!(a.entry_paths(), ["demo-1.0", "demo-1.0/README"]);
/// ```
#[derive(Debug, Clone)]
pub struct Archive {
    final_name: FinalName,
    entries: BTreeMap<String, Entry>,
    metadata: BTreeMap<String, String>,
    mtime: u64,
}

impl Archive {
    /// A new, empty archive to be published as `final_name` (validated, see
    /// [`FinalName::new`]; the extension picks the compression).
    pub fn new(final_name: &str) -> Result<Archive> {
        Ok(Archive {
            final_name: FinalName::new(final_name)?,
            entries: BTreeMap::new(),
            metadata: BTreeMap::new(),
            mtime: 0,
        })
    }

    /// The final name.
    pub fn final_name(&self) -> &FinalName {
        &self.final_name
    }

    /// Sets the modification time written for every entry (seconds since the epoch;
    /// default 0). It is part of the archive bytes, so callers that vary it should put it
    /// in the key.
    pub fn set_mtime(&mut self, mtime: u64) -> &mut Self {
        self.mtime = mtime;
        self
    }

    /// The modification time written for every entry.
    pub fn mtime(&self) -> u64 {
        self.mtime
    }

    /// Records a metadata member stored in the index next to the archive (not part of the
    /// key, not part of the archive bytes).
    pub fn set_metadata(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.metadata.insert(name.into(), value.into());
        self
    }

    /// The metadata recorded so far.
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    /// Adds a regular file read from `source` (when the archive is stored) at `dest`.
    /// The entry gets mode 0755 if `source` has any execute bit, else 0644.
    pub fn add_file(&mut self, source: impl AsRef<Path>, dest: &str) -> Result<&mut Self> {
        let source = source.as_ref();
        let meta = fs::metadata(source).map_err(|e| ArchiveError::io("stat", source, e))?;
        if !meta.is_file() {
            return Err(ArchiveError::UnsupportedInput {
                path: source.to_owned(),
            });
        }
        let path = normalise(dest, false)?;
        self.insert(
            path,
            Entry::File {
                source: source.to_owned(),
                executable: is_executable(&meta),
            },
        )?;
        Ok(self)
    }

    /// Adds a regular file with contents `data` at `dest` (mode 0644).
    pub fn add_bytes(&mut self, dest: &str, data: impl Into<Vec<u8>>) -> Result<&mut Self> {
        self.add_bytes_with_mode(dest, data, false)
    }

    /// Adds a regular file with contents `data` at `dest`, mode 0755 if `executable`.
    pub fn add_bytes_with_mode(
        &mut self,
        dest: &str,
        data: impl Into<Vec<u8>>,
        executable: bool,
    ) -> Result<&mut Self> {
        let path = normalise(dest, false)?;
        self.insert(
            path,
            Entry::Bytes {
                data: data.into(),
                executable,
            },
        )?;
        Ok(self)
    }

    /// Adds an (empty) directory at `dest`.
    pub fn add_empty_dir(&mut self, dest: &str) -> Result<&mut Self> {
        let path = normalise(dest, false)?;
        self.insert(path, Entry::Dir)?;
        Ok(self)
    }

    /// Adds a symbolic link at `dest` pointing to `target` (stored verbatim).
    pub fn add_symlink(&mut self, dest: &str, target: &str) -> Result<&mut Self> {
        if target.is_empty() || target.contains('\0') {
            return Err(ArchiveError::InvalidEntryPath {
                path: target.to_owned(),
                reason: "symbolic link target is empty or contains NUL",
            });
        }
        let path = normalise(dest, false)?;
        self.insert(
            path,
            Entry::Symlink {
                target: target.to_owned(),
            },
        )?;
        Ok(self)
    }

    /// Adds the directory tree at `source` under `dest`, recursively: directories,
    /// regular files (read when stored) and symbolic links inside it (kept as links, never
    /// followed). `dest` may be `""` to put the tree's contents at the top of the archive.
    /// Names that are not UTF-8, and other file types (sockets, devices), are errors.
    pub fn add_dir(&mut self, source: impl AsRef<Path>, dest: &str) -> Result<&mut Self> {
        let source = source.as_ref();
        // The top directory may be reached through a symbolic link; links inside the tree
        // are archived as links.
        let meta = fs::metadata(source).map_err(|e| ArchiveError::io("stat", source, e))?;
        if !meta.is_dir() {
            return Err(ArchiveError::UnsupportedInput {
                path: source.to_owned(),
            });
        }
        let base = normalise(dest, true)?;
        if !base.is_empty() {
            self.insert(base.clone(), Entry::Dir)?;
        }
        self.add_tree(source, &base)?;
        Ok(self)
    }

    fn add_tree(&mut self, dir: &Path, base: &str) -> Result<()> {
        let rd = fs::read_dir(dir).map_err(|e| ArchiveError::io("read directory", dir, e))?;
        for item in rd {
            let item = item.map_err(|e| ArchiveError::io("read directory", dir, e))?;
            let src = item.path();
            let name =
                item.file_name()
                    .into_string()
                    .map_err(|_| ArchiveError::InvalidEntryPath {
                        path: src.to_string_lossy().into_owned(),
                        reason: "file name is not UTF-8",
                    })?;
            let dest = if base.is_empty() {
                name
            } else {
                format!("{base}/{name}")
            };
            let dest = normalise(&dest, false)?;
            let meta = fs::symlink_metadata(&src).map_err(|e| ArchiveError::io("stat", &src, e))?;
            let ft = meta.file_type();
            if ft.is_symlink() {
                let target =
                    fs::read_link(&src).map_err(|e| ArchiveError::io("read link", &src, e))?;
                let target = target.into_os_string().into_string().map_err(|_| {
                    ArchiveError::InvalidEntryPath {
                        path: src.to_string_lossy().into_owned(),
                        reason: "symbolic link target is not UTF-8",
                    }
                })?;
                self.insert(dest, Entry::Symlink { target })?;
            } else if ft.is_dir() {
                self.insert(dest.clone(), Entry::Dir)?;
                self.add_tree(&src, &dest)?;
            } else if ft.is_file() {
                self.insert(
                    dest,
                    Entry::File {
                        source: src,
                        executable: is_executable(&meta),
                    },
                )?;
            } else {
                return Err(ArchiveError::UnsupportedInput { path: src });
            }
        }
        Ok(())
    }

    /// Adds `source` under its own file name inside `prefix` (`""` for the top): a
    /// directory recursively as with [`Archive::add_dir`], anything else as with
    /// [`Archive::add_file`]. This is what `pmaint archive store` does with its inputs.
    pub fn add_path(&mut self, source: impl AsRef<Path>, prefix: &str) -> Result<&mut Self> {
        let source = source.as_ref();
        let name = source.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
            ArchiveError::InvalidEntryPath {
                path: source.to_string_lossy().into_owned(),
                reason: "input has no UTF-8 file name",
            }
        })?;
        let prefix = normalise(prefix, true)?;
        let dest = if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}/{name}")
        };
        let meta = fs::symlink_metadata(source).map_err(|e| ArchiveError::io("stat", source, e))?;
        if meta.is_dir() {
            self.add_dir(source, &dest)
        } else if meta.file_type().is_symlink() {
            let target =
                fs::read_link(source).map_err(|e| ArchiveError::io("read link", source, e))?;
            let target = target
                .to_str()
                .ok_or_else(|| ArchiveError::InvalidEntryPath {
                    path: source.to_string_lossy().into_owned(),
                    reason: "symbolic link target is not UTF-8",
                })?;
            self.add_symlink(&dest, target)
        } else {
            self.add_file(source, &dest)
        }
    }

    /// Paths of all entries in the order they are written (directories without a
    /// trailing `/`).
    pub fn entry_paths(&self) -> Vec<&str> {
        self.entries.keys().map(String::as_str).collect()
    }

    pub(crate) fn entries(&self) -> &BTreeMap<String, Entry> {
        &self.entries
    }

    /// Writes this archive into `store` under `key` and returns the stored record.
    ///
    /// The tarball is deterministic (see the crate docs), so storing the same entries
    /// again gives the same blob. Storing under a key that already has an archive of
    /// this name with different content supersedes the old row (kept for history and GC).
    pub fn store(&self, store: &Store, key: &ArchiveKey) -> Result<StoredArchive> {
        store.store_archive(self, key)
    }

    /// Finds the archive stored as `final_name` under exactly `key`; `None` if there is
    /// none (or its blob is missing or quarantined).
    pub fn find(
        store: &Store,
        final_name: &str,
        key: &ArchiveKey,
    ) -> Result<Option<StoredArchive>> {
        store.find(final_name, key)
    }

    fn insert(&mut self, path: String, entry: Entry) -> Result<()> {
        // Implicit parents must be directories.
        let mut end = 0;
        while let Some(pos) = path[end..].find('/') {
            let parent = &path[..end + pos];
            match self.entries.get(parent) {
                None => {
                    self.entries.insert(parent.to_owned(), Entry::Dir);
                }
                Some(Entry::Dir) => {}
                Some(_) => {
                    return Err(ArchiveError::DuplicateEntry {
                        path: parent.to_owned(),
                    });
                }
            }
            end += pos + 1;
        }
        match self.entries.get(&path) {
            None => {
                self.entries.insert(path, entry);
                Ok(())
            }
            Some(Entry::Dir) if entry == Entry::Dir => Ok(()),
            Some(_) => Err(ArchiveError::DuplicateEntry { path }),
        }
    }
}

/// Normalises a path inside the archive: `/`-separated, relative, no `..`, no NUL, with
/// empty and `.` components dropped. An empty result is allowed only when `allow_root`.
fn normalise(dest: &str, allow_root: bool) -> Result<String> {
    let bad = |reason| {
        Err(ArchiveError::InvalidEntryPath {
            path: dest.to_owned(),
            reason,
        })
    };
    if dest.starts_with('/') {
        return bad("absolute path");
    }
    if dest.contains('\0') {
        return bad("contains NUL");
    }
    let mut parts = Vec::new();
    for c in dest.split('/') {
        match c {
            "" | "." => {}
            ".." => return bad("contains '..'"),
            c => parts.push(c),
        }
    }
    if parts.is_empty() && !allow_root {
        return bad("empty path");
    }
    Ok(parts.join("/"))
}

#[cfg(unix)]
fn is_executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &fs::Metadata) -> bool {
    false
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalised_and_checked() {
        assert_eq!(normalise("./a//b/./c/", false).unwrap(), "a/b/c");
        assert_eq!(normalise("", true).unwrap(), "");
        for bad in ["", "/etc", "a/../b", "..", "a\0b", "."] {
            assert!(normalise(bad, false).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn parents_are_implicit_and_conflicts_rejected() {
        let mut a = Archive::new("x.tar.gz").unwrap();
        a.add_bytes("a/b/c", "1").unwrap();
        a.add_empty_dir("a/b").unwrap();
        assert_eq!(a.entry_paths(), ["a", "a/b", "a/b/c"]);
        assert!(matches!(
            a.add_bytes("a/b/c", "2"),
            Err(ArchiveError::DuplicateEntry { .. })
        ));
        assert!(matches!(
            a.add_bytes("a/b/c/d", "2"),
            Err(ArchiveError::DuplicateEntry { .. })
        ));
        assert!(matches!(
            a.add_bytes("a/b", "2"),
            Err(ArchiveError::DuplicateEntry { .. })
        ));
    }
}
