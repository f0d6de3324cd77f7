//! One binary package file of either format: format sniffing, metadata, the image
//! stream, contents listing and extraction.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::compression::{Compression, PROBE_LEN};
use crate::error::{Error, Result};
use crate::gpkg::Gpkg;
use crate::image::{self, ImageEntry, ImagePrefix, Limits};
use crate::metadata::Metadata;
use crate::name::Format;
use crate::xpak::{self, DEFAULT_MAX_XPAK_LEN, XpakLayout};

/// Decides the container format from the content, as Portage's `get_binpkg_format`:
/// `/gpkg-1\0` in the first 100 bytes means GPKG; an `XPAKSTOP…STOP` tail means XPAK;
/// otherwise an outer tar with a `gpkg-1` member means GPKG.
pub fn sniff_format(path: &Path) -> Result<Format> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    sniff_reader(&mut file).map_err(|e| e.in_file(path))
}

fn sniff_reader<R: Read + Seek>(file: &mut R) -> Result<Format> {
    let mut head = Vec::with_capacity(100);
    file.by_ref().take(100).read_to_end(&mut head)?;
    if head.windows(8).any(|w| w == b"/gpkg-1\0") {
        return Ok(Format::Gpkg);
    }
    let len = file.seek(SeekFrom::End(0))?;
    if len >= 16 {
        file.seek(SeekFrom::Start(len - 16))?;
        let mut tail = [0u8; 16];
        file.read_exact(&mut tail)?;
        if xpak::parse_trailer(&tail).is_some() {
            return Ok(Format::Xpak);
        }
    }
    file.seek(SeekFrom::Start(0))?;
    let mut archive = tar::Archive::new(file);
    if let Ok(entries) = archive.entries() {
        for e in entries.take(16).flatten() {
            let p = e.path_bytes();
            if p.ends_with(b"/gpkg-1") || p.as_ref() == b"gpkg-1" {
                return Ok(Format::Gpkg);
            }
        }
    }
    Err(Error::UnknownFormat)
}

/// Reads only the metadata of a binpkg (XPAK: from the tail, without touching the
/// image; GPKG: the verified metadata member).
pub fn read_metadata(path: &Path) -> Result<Metadata> {
    match sniff_format(path)? {
        Format::Xpak => {
            let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
            xpak::read_tail(&mut f, DEFAULT_MAX_XPAK_LEN)
                .map(|(m, _)| m)
                .map_err(|e| e.in_file(path))
        }
        Format::Gpkg => Gpkg::open(path)?.metadata(),
    }
}

#[derive(Debug, Clone)]
enum Inner {
    Xpak(XpakLayout),
    Gpkg(Box<Gpkg>),
}

/// An opened binary package.
#[derive(Debug, Clone)]
pub struct Binpkg {
    path: PathBuf,
    inner: Inner,
}

impl Binpkg {
    /// Opens `path`, deciding its format from its content.
    pub fn open(path: &Path) -> Result<Binpkg> {
        let inner = match sniff_format(path)? {
            Format::Xpak => {
                let mut f = File::open(path).map_err(|e| Error::io(path, e))?;
                Inner::Xpak(xpak::locate(&mut f).map_err(|e| e.in_file(path))?)
            }
            Format::Gpkg => Inner::Gpkg(Box::new(Gpkg::open(path)?)),
        };
        Ok(Binpkg {
            path: path.to_owned(),
            inner,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The container format.
    pub fn format(&self) -> Format {
        match self.inner {
            Inner::Xpak(_) => Format::Xpak,
            Inner::Gpkg(_) => Format::Gpkg,
        }
    }

    /// The GPKG details, for GPKG files.
    pub fn gpkg(&self) -> Option<&Gpkg> {
        match &self.inner {
            Inner::Gpkg(g) => Some(g),
            Inner::Xpak(_) => None,
        }
    }

    /// The metadata (GPKG: verified against the Manifest).
    pub fn metadata(&self) -> Result<Metadata> {
        match &self.inner {
            Inner::Xpak(_) => {
                let mut f = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
                xpak::read_tail(&mut f, DEFAULT_MAX_XPAK_LEN)
                    .map(|(m, _)| m)
                    .map_err(|e| e.in_file(&self.path))
            }
            Inner::Gpkg(g) => g.metadata(),
        }
    }

    /// The compressor of the image stream, from its magic bytes.
    pub fn compression(&self) -> Result<Compression> {
        match &self.inner {
            Inner::Gpkg(g) => g.image_compression(),
            Inner::Xpak(layout) => {
                let mut f = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
                let mut head = Vec::with_capacity(PROBE_LEN);
                f.by_ref()
                    .take(layout.tar_len.min(PROBE_LEN as u64))
                    .read_to_end(&mut head)?;
                Compression::detect(&head).ok_or_else(|| {
                    Error::UnknownCompression {
                        magic: head[..head.len().min(9)].to_vec(),
                    }
                    .in_file(&self.path)
                })
            }
        }
    }

    /// A decompressing reader of the image tar (GPKG: verified first).
    pub fn image_tar(&self) -> Result<Box<dyn Read + Send>> {
        match &self.inner {
            Inner::Gpkg(g) => g.image_tar(),
            Inner::Xpak(layout) => {
                let comp = self.compression()?;
                if !comp.is_supported() {
                    return Err(Error::UnknownCompression {
                        magic: comp.name().as_bytes().to_vec(),
                    }
                    .in_file(&self.path));
                }
                let f = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
                let reader = BufReader::with_capacity(256 * 1024, f.take(layout.tar_len));
                comp.decoder(reader)
            }
        }
    }

    /// How image member names start.
    pub fn image_prefix(&self) -> ImagePrefix {
        match self.inner {
            Inner::Xpak(_) => ImagePrefix::Dot,
            Inner::Gpkg(_) => ImagePrefix::Image,
        }
    }

    /// Lists the image without extracting it.
    pub fn contents(&self, limits: &Limits) -> Result<Vec<ImageEntry>> {
        image::list(self.image_tar()?, self.image_prefix(), limits)
            .map_err(|e| e.in_file(&self.path))
    }

    /// Extracts the image under `dest` (streaming; see [`image::extract`]).
    pub fn extract(&self, dest: &Path, limits: &Limits) -> Result<Vec<ImageEntry>> {
        image::extract(self.image_tar()?, self.image_prefix(), dest, limits)
            .map_err(|e| e.in_file(&self.path))
    }
}
