//! Creating binary packages (either format, any supported compression) from an image
//! directory plus metadata. Output goes to a temporary file in the destination
//! directory and is renamed into place.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use crate::compression::Compression;
use crate::error::{Error, Result};
use crate::gpkg::MARKER;
use crate::hashing::{Digests, Hasher};
use crate::manifest::{Manifest, ManifestEntry};
use crate::metadata::{Metadata, validate_key};
use crate::name::Format;
use crate::xpak;

/// How to write a binpkg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// Container format.
    pub format: Format,
    /// Compressor of the image (and GPKG metadata) tar.
    pub compression: Compression,
    /// Modification time recorded for metadata and outer members; by default the
    /// metadata's `BUILD_TIME`, else 0 (deterministic output).
    pub mtime: Option<u64>,
}

impl Default for WriteOptions {
    /// Portage's current defaults: GPKG with zstd.
    fn default() -> WriteOptions {
        WriteOptions {
            format: Format::Gpkg,
            compression: Compression::Zstd,
            mtime: None,
        }
    }
}

/// Which image paths to leave out of the tarball (e.g. modified config files).
pub trait ImageFilter {
    /// Whether `path` (absolute within the image, e.g. `/etc/foo.conf`) is written.
    fn include(&self, path: &Path) -> bool;
}

impl<F: Fn(&Path) -> bool> ImageFilter for F {
    fn include(&self, path: &Path) -> bool {
        self(path)
    }
}

/// Includes everything.
pub struct IncludeAll;

impl ImageFilter for IncludeAll {
    fn include(&self, _path: &Path) -> bool {
        true
    }
}

/// Tar record size: Python's `tarfile` and GNU tar pad archives to a multiple of it.
pub const RECORD_SIZE: u64 = 20 * 512;

/// A writer that counts bytes, so archives can be padded to [`RECORD_SIZE`].
pub struct Counting<W> {
    inner: W,
    count: u64,
}

impl<W: Write> Counting<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Counting<W> {
        Counting { inner, count: 0 }
    }

    /// Pads with zeros to the next multiple of [`RECORD_SIZE`] and returns the inner writer.
    pub fn pad_to_record(mut self) -> io::Result<W> {
        let rem = self.count % RECORD_SIZE;
        if rem != 0 {
            let zeros = vec![0u8; (RECORD_SIZE - rem) as usize];
            self.inner.write_all(&zeros)?;
        }
        Ok(self.inner)
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.count += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn ioe(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

/// Where the image of a new binpkg comes from.
pub enum ImageSource<'a> {
    /// A staged image directory (`${D}`), walked in sorted order, filtered.
    Dir {
        /// The directory.
        dir: &'a Path,
        /// Which paths to include.
        filter: &'a dyn ImageFilter,
    },
    /// Listed absolute paths read from a live `root` (quickpkg from CONTENTS); paths
    /// missing on disk are skipped.
    Listed {
        /// The ROOT the paths are relative to.
        root: &'a Path,
        /// Absolute image paths (`/usr/bin/foo`), written in sorted order.
        paths: &'a [String],
    },
}

fn append_source<W: Write>(
    builder: &mut tar::Builder<W>,
    source: &ImageSource<'_>,
    prefix: &str,
) -> Result<()> {
    match source {
        ImageSource::Dir { dir, filter } => append_image(builder, dir, prefix, *filter),
        ImageSource::Listed { root, paths } => {
            let mut links: HashMap<(u64, u64), String> = HashMap::new();
            let root_meta = fs::symlink_metadata(root).map_err(ioe(root))?;
            append_one(builder, root, &root_meta, prefix, &mut links)?;
            let mut sorted: Vec<&String> = paths.iter().collect();
            sorted.sort();
            sorted.dedup();
            for p in sorted {
                let rel = p.trim_start_matches('/');
                if rel.is_empty() || rel.split('/').any(|c| c == "..") {
                    continue;
                }
                let full = root.join(rel);
                let Ok(meta) = fs::symlink_metadata(&full) else {
                    continue;
                };
                let mut name = format!("{prefix}{rel}");
                if meta.is_dir() {
                    name.push('/');
                }
                append_one(builder, &full, &meta, &name, &mut links)?;
            }
            Ok(())
        }
    }
}

/// Appends the image directory to `builder`, entries sorted by name, names starting with
/// `prefix` (`./` for XPAK, `image/` for GPKG; the root itself is written as `prefix`).
/// Hard-linked files after the first become link entries.
pub fn append_image<W: Write>(
    builder: &mut tar::Builder<W>,
    image_dir: &Path,
    prefix: &str,
    filter: &dyn ImageFilter,
) -> Result<()> {
    let mut links: HashMap<(u64, u64), String> = HashMap::new();
    let root_meta = fs::symlink_metadata(image_dir).map_err(ioe(image_dir))?;
    append_one(builder, image_dir, &root_meta, prefix, &mut links)?;
    walk_sorted(
        builder,
        image_dir,
        Path::new("/"),
        prefix,
        filter,
        &mut links,
    )
}

fn walk_sorted<W: Write>(
    builder: &mut tar::Builder<W>,
    dir: &Path,
    image_path: &Path,
    prefix: &str,
    filter: &dyn ImageFilter,
    links: &mut HashMap<(u64, u64), String>,
) -> Result<()> {
    let mut names: Vec<_> = fs::read_dir(dir)
        .map_err(ioe(dir))?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<io::Result<_>>()
        .map_err(ioe(dir))?;
    names.sort();
    for name in names {
        let full = dir.join(&name);
        let ipath = image_path.join(&name);
        if !filter.include(&ipath) {
            continue;
        }
        let meta = fs::symlink_metadata(&full).map_err(ioe(&full))?;
        let rel = ipath.strip_prefix("/").unwrap_or(&ipath);
        let mut tar_name = format!("{prefix}{}", rel.to_string_lossy());
        if meta.is_dir() {
            tar_name.push('/');
        }
        append_one(builder, &full, &meta, &tar_name, links)?;
        if meta.is_dir() {
            walk_sorted(builder, &full, &ipath, prefix, filter, links)?;
        }
    }
    Ok(())
}

fn append_one<W: Write>(
    builder: &mut tar::Builder<W>,
    full: &Path,
    meta: &fs::Metadata,
    tar_name: &str,
    links: &mut HashMap<(u64, u64), String>,
) -> Result<()> {
    let mut h = tar::Header::new_ustar();
    h.set_mode(meta.mode() & 0o7777);
    h.set_uid(u64::from(meta.uid()));
    h.set_gid(u64::from(meta.gid()));
    h.set_mtime(meta.mtime().max(0) as u64);
    if meta.uid() == 0 {
        h.set_username("root").map_err(ioe(full))?;
    }
    if meta.gid() == 0 {
        h.set_groupname("root").map_err(ioe(full))?;
    }
    let ft = meta.file_type();
    if ft.is_dir() {
        h.set_entry_type(tar::EntryType::Directory);
        h.set_size(0);
        builder
            .append_data(&mut h, tar_name, io::empty())
            .map_err(ioe(full))?;
    } else if ft.is_symlink() {
        let target = fs::read_link(full).map_err(ioe(full))?;
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        builder
            .append_link(&mut h, tar_name, &target)
            .map_err(ioe(full))?;
    } else if ft.is_file() {
        let key = (meta.dev(), meta.ino());
        if meta.nlink() > 1 {
            if let Some(first) = links.get(&key) {
                h.set_entry_type(tar::EntryType::Link);
                h.set_size(0);
                builder
                    .append_link(&mut h, tar_name, first)
                    .map_err(ioe(full))?;
                return Ok(());
            }
            links.insert(key, tar_name.to_owned());
        }
        h.set_entry_type(tar::EntryType::Regular);
        h.set_size(meta.len());
        let f = File::open(full).map_err(ioe(full))?;
        builder
            .append_data(&mut h, tar_name, f.take(meta.len()))
            .map_err(ioe(full))?;
    } else if ft.is_fifo() {
        h.set_entry_type(tar::EntryType::Fifo);
        h.set_size(0);
        builder
            .append_data(&mut h, tar_name, io::empty())
            .map_err(ioe(full))?;
    } else if ft.is_char_device() || ft.is_block_device() {
        h.set_entry_type(if ft.is_block_device() {
            tar::EntryType::Block
        } else {
            tar::EntryType::Char
        });
        let rdev = meta.rdev();
        h.set_device_major(rustix::fs::major(rdev))
            .map_err(ioe(full))?;
        h.set_device_minor(rustix::fs::minor(rdev))
            .map_err(ioe(full))?;
        h.set_size(0);
        builder
            .append_data(&mut h, tar_name, io::empty())
            .map_err(ioe(full))?;
    }
    // Sockets are skipped, as tar does.
    Ok(())
}

fn metadata_mtime(meta: &Metadata, opts: &WriteOptions) -> u64 {
    opts.mtime.unwrap_or_else(|| {
        meta.text("BUILD_TIME")
            .ok()
            .flatten()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    })
}

/// The metadata keys in the order they are written: sorted, `CONTENTS` left out (Portage
/// never packs it), each key validated.
fn packed_metadata(meta: &Metadata) -> Result<Metadata> {
    let mut out: Metadata = meta
        .iter()
        .filter(|(k, _)| *k != "CONTENTS")
        .map(|(k, v)| (k.to_owned(), v.to_vec()))
        .collect();
    for k in out.keys() {
        validate_key(k).map_err(|r| Error::BadName {
            name: k.to_owned(),
            reason: r.to_owned(),
        })?;
    }
    out.sort_keys();
    Ok(out)
}

/// The ustar header of a regular 0644 file owned by uid/gid 0, of `size` bytes: every
/// `metadata/<KEY>` entry and every gpkg member is written with one.
fn regular_member_header(size: u64, mtime: u64) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_mode(0o644);
    h.set_mtime(mtime);
    h.set_uid(0);
    h.set_gid(0);
    h.set_entry_type(tar::EntryType::Regular);
    h.set_size(size);
    h
}

/// Writes the metadata tar (`metadata/<KEY>` entries, no directory entry) to `w`.
pub fn write_metadata_tar<W: Write>(w: W, meta: &Metadata, mtime: u64) -> Result<W> {
    let mut b = tar::Builder::new(Counting::new(w));
    for (k, v) in meta.iter() {
        let mut h = regular_member_header(v.len() as u64, mtime);
        b.append_data(&mut h, format!("metadata/{k}"), v)?;
    }
    Ok(b.into_inner()?.pad_to_record()?)
}

fn temp_in(dest: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let base = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    tempfile::Builder::new()
        .prefix(&format!(".tmp.{base}."))
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(dir)
        .map_err(ioe(dir))
}

/// Creates the binpkg `dest` from `image_dir` and `meta`; returns the digests of the
/// written file (for the `Packages` index). `CONTENTS` is never packed.
pub fn write_binpkg(
    image_dir: &Path,
    meta: &Metadata,
    dest: &Path,
    opts: &WriteOptions,
    filter: &dyn ImageFilter,
) -> Result<Digests> {
    write_binpkg_from(
        &ImageSource::Dir {
            dir: image_dir,
            filter,
        },
        meta,
        dest,
        opts,
    )
}

/// Like [`write_binpkg`], from any [`ImageSource`].
pub fn write_binpkg_from(
    source: &ImageSource<'_>,
    meta: &Metadata,
    dest: &Path,
    opts: &WriteOptions,
) -> Result<Digests> {
    if !opts.compression.is_supported() {
        return Err(Error::UnknownCompression {
            magic: opts.compression.name().as_bytes().to_vec(),
        });
    }
    let meta = packed_metadata(meta)?;
    let mut tmp = temp_in(dest)?;
    match opts.format {
        Format::Xpak => write_xpak_into(tmp.as_file_mut(), source, &meta, opts)?,
        Format::Gpkg => write_gpkg_into(tmp.as_file_mut(), source, &meta, dest, opts)?,
    }
    let file = tmp.as_file_mut();
    file.sync_all().map_err(ioe(dest))?;
    file.seek(SeekFrom::Start(0)).map_err(ioe(dest))?;
    let digests = Hasher::digest_reader(io::BufReader::new(&*file)).map_err(ioe(dest))?;
    tmp.persist(dest).map_err(|e| Error::io(dest, e.error))?;
    Ok(digests)
}

fn write_xpak_into(
    file: &mut File,
    source: &ImageSource<'_>,
    meta: &Metadata,
    opts: &WriteOptions,
) -> Result<()> {
    {
        let mut out = BufWriter::with_capacity(256 * 1024, &mut *file);
        let enc = opts.compression.encoder(&mut out)?;
        let mut builder = tar::Builder::new(Counting::new(enc));
        append_source(&mut builder, source, "./")?;
        let enc = builder.into_inner()?.pad_to_record()?;
        enc.finish_stream()?;
        out.flush()?;
    }
    let seg = xpak::encode(meta);
    let len = xpak::segment_len(&seg)?;
    file.write_all(&seg)?;
    file.write_all(&xpak::trailer(len)[8..])?;
    Ok(())
}

fn write_gpkg_into(
    file: &mut File,
    source: &ImageSource<'_>,
    meta: &Metadata,
    dest: &Path,
    opts: &WriteOptions,
) -> Result<()> {
    let mtime = metadata_mtime(meta, opts);
    let suffix = opts.compression.gpkg_suffix();
    let dir_name = dest
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".gpkg.tar"))
        .ok_or_else(|| Error::BadName {
            name: dest.display().to_string(),
            reason: "a gpkg file name must end in .gpkg.tar".into(),
        })?
        .to_owned();
    // Metadata archive, in memory (small).
    let mut meta_bytes = Vec::new();
    {
        let enc = opts.compression.encoder(&mut meta_bytes)?;
        let enc = write_metadata_tar(enc, meta, mtime)?;
        enc.finish_stream()?;
    }
    // Image archive, spooled to a temporary file (bounded memory).
    let mut image_tmp = temp_in(dest)?;
    {
        let mut out = BufWriter::with_capacity(256 * 1024, image_tmp.as_file_mut());
        let enc = opts.compression.encoder(&mut out)?;
        let mut builder = tar::Builder::new(Counting::new(enc));
        append_source(&mut builder, source, "image/")?;
        builder.into_inner()?.pad_to_record()?.finish_stream()?;
        out.flush()?;
    }
    let image_file = image_tmp.as_file_mut();
    image_file.seek(SeekFrom::Start(0))?;
    let image_digests = Hasher::digest_reader(io::BufReader::new(&*image_file))?;
    image_file.seek(SeekFrom::Start(0))?;

    let marker_digests = Hasher::new().finish();
    let mut meta_hasher = Hasher::new();
    meta_hasher.update(&meta_bytes);
    let meta_name = format!("metadata.tar{suffix}");
    let image_name = format!("image.tar{suffix}");
    let manifest = Manifest {
        entries: vec![
            ManifestEntry::from_digests(MARKER, &marker_digests),
            ManifestEntry::from_digests(&meta_name, &meta_hasher.finish()),
            ManifestEntry::from_digests(&image_name, &image_digests),
        ],
        signed: false,
    };
    let manifest_text = manifest.to_text();

    let mut out = tar::Builder::new(Counting::new(BufWriter::with_capacity(
        256 * 1024,
        &mut *file,
    )));
    let member = |b: &mut tar::Builder<_>, name: &str, size: u64, data: &mut dyn Read| {
        let mut h = regular_member_header(size, mtime);
        b.append_data(&mut h, format!("{dir_name}/{name}"), data)
    };
    member(&mut out, MARKER, 0, &mut io::empty())?;
    member(
        &mut out,
        &meta_name,
        meta_bytes.len() as u64,
        &mut &meta_bytes[..],
    )?;
    let image_len = image_digests.size;
    member(
        &mut out,
        &image_name,
        image_len,
        &mut io::BufReader::new(&*image_file).take(image_len),
    )?;
    member(
        &mut out,
        "Manifest",
        manifest_text.len() as u64,
        &mut manifest_text.as_bytes(),
    )?;
    out.into_inner()?.pad_to_record()?.flush()?;
    Ok(())
}

/// The multi-instance or legacy file name for a package.
pub fn file_name(pf: &str, build_id: Option<u64>, format: Format) -> String {
    let ext = match (format, build_id) {
        (Format::Gpkg, _) => ".gpkg.tar",
        (Format::Xpak, Some(_)) => ".xpak",
        (Format::Xpak, None) => ".tbz2",
    };
    match build_id {
        Some(id) => format!("{pf}-{id}{ext}"),
        None => format!("{pf}{ext}"),
    }
}

/// Where a freshly written binpkg of `format` lives, as a path relative to PKGDIR.
pub fn relative_path(
    category: &str,
    pn: &str,
    pf: &str,
    build_id: Option<u64>,
    format: Format,
) -> PathBuf {
    let name = file_name(pf, build_id, format);
    match build_id {
        Some(_) => Path::new(category).join(pn).join(name),
        None => Path::new(category).join(name),
    }
}
