//! The image tarball of a binpkg: listing its contents and extracting it, streaming,
//! with hostile-input checks (absolute paths, `..`, paths through symlinks, device nodes,
//! absurd sizes).

use std::collections::HashSet;
use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc;

use crate::error::{Error, Result};

/// Limits applied while reading an image (binpkgs come from the network).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Maximum number of entries.
    pub max_entries: u64,
    /// Maximum size of one regular file.
    pub max_file_size: u64,
    /// Maximum sum of regular file sizes.
    pub max_total_size: u64,
    /// Maximum length of an entry path in bytes.
    pub max_path_len: usize,
    /// Whether block and character device nodes are accepted.
    pub allow_devices: bool,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_entries: 10_000_000,
            max_file_size: 64 << 30,
            max_total_size: 256 << 30,
            max_path_len: 4096,
            allow_devices: false,
        }
    }
}

/// The kind of an image entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// A directory.
    Dir,
    /// A regular file of `size` bytes.
    File {
        /// Size in bytes.
        size: u64,
    },
    /// A symbolic link.
    Symlink {
        /// The link target, as stored (may be absolute; it is not followed).
        target: PathBuf,
    },
    /// A hard link to an earlier entry.
    Hardlink {
        /// The earlier entry, as an absolute image path.
        target: PathBuf,
    },
    /// A named pipe.
    Fifo,
    /// A character or block device (only with [`Limits::allow_devices`]).
    Device {
        /// Whether it is a block device.
        block: bool,
        /// Major number.
        major: u32,
        /// Minor number.
        minor: u32,
    },
}

/// One entry of an image, with its path as installed (absolute, e.g. `/usr/bin/foo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageEntry {
    /// Absolute path inside the installed image.
    pub path: PathBuf,
    /// What it is.
    pub kind: EntryKind,
    /// Permission bits (including setuid/setgid/sticky).
    pub mode: u32,
    /// Modification time (Unix seconds).
    pub mtime: u64,
    /// Owner uid.
    pub uid: u64,
    /// Owner gid.
    pub gid: u64,
}

/// How member names of an image tar start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImagePrefix {
    /// XPAK binpkgs: `tar -C ${D} .` names (`./usr/bin/foo`; a missing `./` is accepted).
    Dot,
    /// GPKG: everything lives under `image/`.
    Image,
}

/// An error naming `entry` when `actual` is over `limit`.
fn within_limit(entry: &str, what: &'static str, limit: u64, actual: u64) -> Result<()> {
    if actual > limit {
        return Err(Error::LimitExceeded {
            entry: entry.to_owned(),
            what,
            limit,
            actual,
        });
    }
    Ok(())
}

/// Normalises an archive member name into a relative path, refusing absolute names,
/// `..` components and names outside the prefix. `None` means the image root itself.
fn relative_name(raw: &[u8], prefix: ImagePrefix, limits: &Limits) -> Result<Option<PathBuf>> {
    let shown = || String::from_utf8_lossy(raw).into_owned();
    within_limit(
        &String::from_utf8_lossy(raw),
        "path length",
        limits.max_path_len as u64,
        raw.len() as u64,
    )?;
    if raw.contains(&0) {
        return Err(Error::UnsafeEntry {
            entry: shown(),
            reason: "name contains NUL".into(),
        });
    }
    if raw.first() == Some(&b'/') {
        return Err(Error::UnsafeEntry {
            entry: shown(),
            reason: "absolute path".into(),
        });
    }
    let mut parts = raw
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .peekable();
    if prefix == ImagePrefix::Image {
        match parts.next() {
            None => return Ok(None),
            Some(b"image") => {}
            Some(_) => {
                return Err(Error::UnsafeEntry {
                    entry: shown(),
                    reason: "outside the image/ directory".into(),
                });
            }
        }
    }
    let mut out = PathBuf::new();
    for part in parts {
        if part == b".." {
            return Err(Error::UnsafeEntry {
                entry: shown(),
                reason: "'..' path component".into(),
            });
        }
        out.push(bytes_to_os(part));
    }
    Ok(if out.as_os_str().is_empty() {
        None
    } else {
        Some(out)
    })
}

#[cfg(unix)]
fn bytes_to_os(b: &[u8]) -> &std::ffi::OsStr {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(b)
}

/// Tracks symlinks seen so far, to refuse entries that pass through one.
#[derive(Default)]
struct SymlinkGuard {
    symlinks: HashSet<PathBuf>,
    files: HashSet<PathBuf>,
}

impl SymlinkGuard {
    fn check(&self, rel: &Path, shown: &str) -> Result<()> {
        let mut cur = PathBuf::new();
        let comps: Vec<Component<'_>> = rel.components().collect();
        for c in &comps[..comps.len().saturating_sub(1)] {
            cur.push(c);
            if self.symlinks.contains(&cur) {
                return Err(Error::UnsafeEntry {
                    entry: shown.to_owned(),
                    reason: format!("path passes through the symlink /{}", cur.display()),
                });
            }
        }
        Ok(())
    }
}

/// Counts decompressed bytes and fails past a limit (decompression bombs).
pub(crate) struct Counted<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(io::Error::other(format!(
                "decompressed image exceeds {} bytes",
                self.limit
            )));
        }
        Ok(n)
    }
}

/// Walks a (decompressed) image tar, validating every entry, and calls `visit` with the
/// checked entry and the tar entry (whose data is still unread).
pub(crate) fn walk<R: Read>(
    tar_stream: R,
    prefix: ImagePrefix,
    limits: &Limits,
    mut visit: impl FnMut(&ImageEntry, &mut tar::Entry<'_, Counted<R>>, &Path) -> Result<()>,
) -> Result<()> {
    // Headers and padding add at most 1.5 KiB per entry beyond the data.
    let byte_limit = limits
        .max_total_size
        .saturating_add(limits.max_entries.saturating_mul(1536))
        .saturating_add(1 << 20);
    let mut archive = tar::Archive::new(Counted {
        inner: tar_stream,
        read: 0,
        limit: byte_limit,
    });
    let mut guard = SymlinkGuard::default();
    let mut count = 0u64;
    let mut total = 0u64;
    for entry in archive.entries()? {
        let mut entry = entry?;
        let raw = entry.path_bytes().into_owned();
        let shown = String::from_utf8_lossy(&raw).into_owned();
        count += 1;
        within_limit(&shown, "entry count", limits.max_entries, count)?;
        let Some(rel) = relative_name(&raw, prefix, limits)? else {
            continue;
        };
        guard.check(&rel, &shown)?;
        let header = entry.header();
        let ty = header.entry_type();
        let size = entry.size();
        let kind = match ty {
            tar::EntryType::Directory => EntryKind::Dir,
            tar::EntryType::Regular | tar::EntryType::Continuous => {
                within_limit(&shown, "file size", limits.max_file_size, size)?;
                total = total.saturating_add(size);
                within_limit(&shown, "total image size", limits.max_total_size, total)?;
                EntryKind::File { size }
            }
            tar::EntryType::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|b| PathBuf::from(bytes_to_os(&b)))
                    .ok_or_else(|| Error::UnsafeEntry {
                        entry: shown.clone(),
                        reason: "symlink without a target".into(),
                    })?;
                EntryKind::Symlink { target }
            }
            tar::EntryType::Link => {
                let raw_target =
                    entry
                        .link_name_bytes()
                        .map(|b| b.into_owned())
                        .ok_or_else(|| Error::UnsafeEntry {
                            entry: shown.clone(),
                            reason: "hard link without a target".into(),
                        })?;
                let target = relative_name(&raw_target, prefix, limits)
                    .map_err(|e| Error::UnsafeEntry {
                        entry: shown.clone(),
                        reason: format!("hard link target: {e}"),
                    })?
                    .ok_or_else(|| Error::UnsafeEntry {
                        entry: shown.clone(),
                        reason: "hard link to the image root".into(),
                    })?;
                guard.check(&target, &shown)?;
                if !guard.files.contains(&target) {
                    return Err(Error::UnsafeEntry {
                        entry: shown,
                        reason: format!(
                            "hard link to /{}, which is not an earlier regular entry",
                            target.display()
                        ),
                    });
                }
                EntryKind::Hardlink {
                    target: Path::new("/").join(target),
                }
            }
            tar::EntryType::Fifo => EntryKind::Fifo,
            tar::EntryType::Char | tar::EntryType::Block => {
                if !limits.allow_devices {
                    return Err(Error::UnsafeEntry {
                        entry: shown,
                        reason: "device node (not allowed)".into(),
                    });
                }
                EntryKind::Device {
                    block: ty == tar::EntryType::Block,
                    major: header.device_major().ok().flatten().unwrap_or(0),
                    minor: header.device_minor().ok().flatten().unwrap_or(0),
                }
            }
            other => {
                return Err(Error::UnsafeEntry {
                    entry: shown,
                    reason: format!("unsupported entry type {other:?}"),
                });
            }
        };
        if guard.symlinks.contains(&rel) && !matches!(kind, EntryKind::Symlink { .. }) {
            return Err(Error::UnsafeEntry {
                entry: shown,
                reason: "replaces an earlier symlink".into(),
            });
        }
        if matches!(kind, EntryKind::Symlink { .. }) {
            guard.symlinks.insert(rel.clone());
        } else {
            guard.symlinks.remove(&rel);
        }
        if matches!(kind, EntryKind::File { .. } | EntryKind::Hardlink { .. }) {
            guard.files.insert(rel.clone());
        } else {
            guard.files.remove(&rel);
        }
        let header = entry.header();
        let image_entry = ImageEntry {
            path: Path::new("/").join(&rel),
            kind,
            mode: header.mode().unwrap_or(0o644),
            mtime: header.mtime().unwrap_or(0),
            uid: header.uid().unwrap_or(0),
            gid: header.gid().unwrap_or(0),
        };
        visit(&image_entry, &mut entry, &rel)?;
    }
    Ok(())
}

/// Lists the contents of a (decompressed) image tar without writing anything to disk.
pub fn list<R: Read>(
    tar_stream: R,
    prefix: ImagePrefix,
    limits: &Limits,
) -> Result<Vec<ImageEntry>> {
    let mut out = Vec::new();
    walk(tar_stream, prefix, limits, |e, _, _| {
        out.push(e.clone());
        Ok(())
    })?;
    Ok(out)
}

/// Size of the chunks handed from the decompressing thread to the writer.
const PIPE_CHUNK: usize = 1 << 20;
/// Chunks in flight between the two threads (bounds the memory used).
const PIPE_DEPTH: usize = 4;

/// Reads chunks produced by the decompressing thread.
struct ChannelReader {
    rx: mpsc::Receiver<io::Result<Vec<u8>>>,
    cur: Vec<u8>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.cur.len() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => {
                    self.cur = chunk;
                    self.pos = 0;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.cur.len() - self.pos);
        buf[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Runs `consume` on `reader` with decompression (reading) moved to a second thread, as
/// `zstd -dc | tar -x` pipelines the two; at most [`PIPE_DEPTH`] chunks are buffered.
fn pipelined<R: Read + Send, T>(reader: R, consume: impl FnOnce(&mut ChannelReader) -> T) -> T {
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(PIPE_DEPTH);
        scope.spawn(move || {
            let mut reader = reader;
            loop {
                let mut buf = vec![0u8; PIPE_CHUNK];
                let mut filled = 0;
                let res = loop {
                    match reader.read(&mut buf[filled..]) {
                        Ok(0) => break Ok(()),
                        Ok(n) => {
                            filled += n;
                            if filled == buf.len() {
                                break Ok(());
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => break Err(e),
                    }
                };
                let done = filled < buf.len();
                buf.truncate(filled);
                if filled > 0 && tx.send(Ok(buf)).is_err() {
                    return;
                }
                if let Err(e) = res {
                    let _ = tx.send(Err(e));
                    return;
                }
                if done {
                    return;
                }
            }
        });
        let mut chan = ChannelReader {
            rx,
            cur: Vec::new(),
            pos: 0,
        };
        consume(&mut chan)
        // `chan` is dropped here, so a producer still running stops at its next send.
    })
}

/// Extracts a (decompressed) image tar under `dest` (created if missing), streaming with
/// bounded memory; reading/decompression runs on a second thread. Every entry is
/// validated first; ownership is not changed. Pre-existing content of `dest` is the
/// caller's responsibility. Returns the entries written.
pub fn extract<R: Read + Send>(
    tar_stream: R,
    prefix: ImagePrefix,
    dest: &Path,
    limits: &Limits,
) -> Result<Vec<ImageEntry>> {
    std::fs::create_dir_all(dest).map_err(|e| Error::io(dest, e))?;
    pipelined(tar_stream, |chan| extract_from(chan, prefix, dest, limits))
}

fn extract_from<R: Read>(
    tar_stream: R,
    prefix: ImagePrefix,
    dest: &Path,
    limits: &Limits,
) -> Result<Vec<ImageEntry>> {
    let mut out = Vec::new();
    walk(tar_stream, prefix, limits, |e, entry, rel| {
        let target = dest.join(rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|err| Error::io(parent, err))?;
        }
        match &e.kind {
            EntryKind::Hardlink { target: link } => {
                let src = dest.join(link.strip_prefix("/").unwrap_or(link));
                let _ = std::fs::remove_file(&target);
                std::fs::hard_link(&src, &target).map_err(|err| Error::io(&target, err))?;
            }
            EntryKind::Symlink { target: link } => {
                if let Ok(m) = std::fs::symlink_metadata(&target)
                    && !m.is_dir()
                {
                    std::fs::remove_file(&target).map_err(|err| Error::io(&target, err))?;
                }
                std::os::unix::fs::symlink(link, &target).map_err(|err| Error::io(&target, err))?;
            }
            _ => {
                entry.set_preserve_permissions(true);
                entry.set_preserve_mtime(true);
                entry.set_unpack_xattrs(false);
                entry
                    .unpack(&target)
                    .map_err(|err| Error::io(&target, err))?;
            }
        }
        out.push(e.clone());
        Ok(())
    })?;
    Ok(out)
}
