//! GPKG (GLEP 78, Portage `gpkg.py`): an uncompressed outer tar holding
//! `<dir>/gpkg-1`, `<dir>/metadata.tar<comp>`, `<dir>/image.tar<comp>`, optional `.sig`
//! files and `<dir>/Manifest`. Members are verified against the Manifest before they
//! are decompressed.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::compression::{Compression, PROBE_LEN};
use crate::error::{Error, Result};
use crate::hashing::Hasher;
use crate::manifest::Manifest;
use crate::metadata::{Metadata, validate_key};

/// The GPKG format marker member.
pub const MARKER: &str = "gpkg-1";
/// Largest Manifest accepted.
pub const MAX_MANIFEST_LEN: u64 = 1 << 20;
/// Default largest compressed `metadata.tar*` member accepted.
pub const DEFAULT_MAX_METADATA_LEN: u64 = 256 << 20;

/// A member of the outer tar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The basename (`image.tar.zst`).
    pub name: String,
    /// Offset of the member data in the file.
    pub offset: u64,
    /// Member size.
    pub size: u64,
}

/// An opened GPKG whose container structure and Manifest have been checked.
#[derive(Debug, Clone)]
pub struct Gpkg {
    path: PathBuf,
    dir: String,
    members: Vec<Member>,
    manifest: Manifest,
    metadata_member: usize,
    image_member: usize,
    compression: Compression,
    max_metadata_len: u64,
}

fn gerr(member: &str, reason: impl Into<String>) -> Error {
    Error::Gpkg {
        member: member.to_owned(),
        reason: reason.into(),
    }
}

fn read_member(file: &mut File, m: &Member, limit: u64) -> Result<Vec<u8>> {
    if m.size > limit {
        return Err(Error::LimitExceeded {
            entry: m.name.clone(),
            what: "member size",
            limit,
            actual: m.size,
        });
    }
    file.seek(SeekFrom::Start(m.offset))?;
    let mut buf = vec![0u8; m.size as usize];
    file.read_exact(&mut buf)?;
    Ok(buf)
}

impl Gpkg {
    /// Opens `path`, walks the outer tar (seeking over member data), reads the Manifest
    /// and verifies the small members (`gpkg-1`, `.sig` files). Metadata and image are
    /// verified when read.
    pub fn open(path: &Path) -> Result<Gpkg> {
        Gpkg::open_inner(path).map_err(|e| e.in_file(path))
    }

    fn open_inner(path: &Path) -> Result<Gpkg> {
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let mut archive = tar::Archive::new(file);
        let mut dir: Option<String> = None;
        let mut members: Vec<Member> = Vec::new();
        for entry in archive.entries_with_seek()? {
            let entry = entry?;
            let raw = entry.path_bytes().into_owned();
            let full = String::from_utf8(raw)
                .map_err(|e| gerr(&String::from_utf8_lossy(e.as_bytes()), "name is not UTF-8"))?;
            let trimmed = full.trim_end_matches('/');
            let ty = entry.header().entry_type();
            let (d, base) = match trimmed.split_once('/') {
                Some((d, b)) => (d, b),
                None if ty == tar::EntryType::Directory => (trimmed, ""),
                None => return Err(gerr(&full, "member is not inside a top-level directory")),
            };
            if d.is_empty() || d == "." || d == ".." || base.contains('/') {
                return Err(gerr(
                    &full,
                    "member must be <dir>/<name> with one top directory",
                ));
            }
            match &dir {
                None => dir = Some(d.to_owned()),
                Some(prev) if prev != d => {
                    return Err(gerr(&full, format!("top directory differs from {prev:?}")));
                }
                Some(_) => {}
            }
            if base.is_empty() {
                continue; // the top directory entry itself
            }
            if !matches!(ty, tar::EntryType::Regular | tar::EntryType::Continuous) {
                return Err(gerr(
                    &full,
                    format!("member is not a regular file ({ty:?})"),
                ));
            }
            if members.iter().any(|m| m.name == base) {
                return Err(gerr(&full, "duplicate member"));
            }
            members.push(Member {
                name: base.to_owned(),
                offset: entry.raw_file_position(),
                size: entry.size(),
            });
        }
        let mut file = archive.into_inner();
        let dir = dir.ok_or_else(|| gerr("", "empty outer tar"))?;
        let find = |pred: &dyn Fn(&str) -> bool, what: &str| -> Result<usize> {
            let hits: Vec<usize> = (0..members.len())
                .filter(|&i| pred(&members[i].name))
                .collect();
            match hits.as_slice() {
                [one] => Ok(*one),
                [] => Err(gerr(what, "required member is missing")),
                _ => Err(gerr(what, "more than one such member")),
            }
        };
        let marker = find(&|n| n == MARKER, MARKER)?;
        let manifest_i = find(&|n| n == "Manifest", "Manifest")?;
        let is_archive = |n: &str, stem: &str| {
            n.strip_prefix(stem)
                .is_some_and(|s| !s.ends_with(".sig") && Compression::from_gpkg_suffix(s).is_some())
        };
        let metadata_member = find(&|n| is_archive(n, "metadata.tar"), "metadata.tar*")?;
        let image_member = find(&|n| is_archive(n, "image.tar"), "image.tar*")?;
        // Any other member must be a signature of a known member.
        for m in &members {
            let known = [marker, manifest_i, metadata_member, image_member]
                .iter()
                .any(|&i| members[i].name == m.name);
            let sig_of = m.name.strip_suffix(".sig");
            let is_sig = sig_of.is_some_and(|s| {
                members[metadata_member].name == s || members[image_member].name == s
            });
            if !known && !is_sig {
                return Err(gerr(&m.name, "unknown member"));
            }
        }
        let manifest_bytes = read_member(&mut file, &members[manifest_i], MAX_MANIFEST_LEN)?;
        let manifest_text = std::str::from_utf8(&manifest_bytes).map_err(|e| {
            gerr(
                "Manifest",
                format!("not UTF-8 (at byte {})", e.valid_up_to()),
            )
        })?;
        let manifest = Manifest::parse(manifest_text)?;
        for (i, m) in members.iter().enumerate() {
            if i == manifest_i {
                continue;
            }
            let entry = manifest
                .get(&m.name)
                .ok_or_else(|| gerr(&m.name, "member is not listed in the Manifest"))?;
            if entry.size != m.size {
                return Err(Error::Verification {
                    member: m.name.clone(),
                    what: "size".into(),
                    expected: entry.size.to_string(),
                    actual: m.size.to_string(),
                });
            }
            if i != metadata_member && i != image_member {
                let data = read_member(&mut file, m, MAX_MANIFEST_LEN)?;
                let mut h = Hasher::new();
                h.update(&data);
                entry.verify(&h.finish())?;
            }
        }
        for e in &manifest.entries {
            if !members.iter().any(|m| m.name == e.name) {
                return Err(gerr(&e.name, "listed in the Manifest but not present"));
            }
        }
        let meta_name = &members[metadata_member].name;
        let meta_suffix = &meta_name["metadata.tar".len()..];
        let image_name = &members[image_member].name;
        let image_suffix = &image_name["image.tar".len()..];
        if meta_suffix != image_suffix {
            return Err(gerr(
                image_name,
                format!("compression differs from {meta_name:?}"),
            ));
        }
        let compression = Compression::from_gpkg_suffix(meta_suffix)
            .ok_or_else(|| gerr(meta_name, "unknown compression suffix"))?;
        Ok(Gpkg {
            path: path.to_owned(),
            dir,
            members,
            manifest,
            metadata_member,
            image_member,
            compression,
            max_metadata_len: DEFAULT_MAX_METADATA_LEN,
        })
    }

    /// The top-level directory name (`${PF}` or `${PF}-${BUILD_ID}`).
    pub fn dir_name(&self) -> &str {
        &self.dir
    }

    /// The outer members in file order.
    pub fn members(&self) -> &[Member] {
        &self.members
    }

    /// The parsed Manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The compressor named by the member suffixes (see [`Self::image_compression`] for
    /// the one the bytes say).
    pub fn compression(&self) -> Compression {
        self.compression
    }

    /// The image compressor from the member's magic bytes (not its name); an empty
    /// member falls back to the name.
    pub fn image_compression(&self) -> Result<Compression> {
        let m = &self.members[self.image_member];
        let mut file = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        file.seek(SeekFrom::Start(m.offset))
            .map_err(|e| Error::io(&self.path, e))?;
        let mut head = Vec::with_capacity(PROBE_LEN);
        file.take(m.size.min(PROBE_LEN as u64))
            .read_to_end(&mut head)
            .map_err(|e| Error::io(&self.path, e))?;
        detect(&head, self.compression, &m.name).map_err(|e| e.in_file(&self.path))
    }

    /// Changes the limit on the compressed metadata member size.
    pub fn set_max_metadata_len(&mut self, limit: u64) {
        self.max_metadata_len = limit;
    }

    fn verify_member_stream(&self, file: &mut File, i: usize) -> Result<()> {
        let m = &self.members[i];
        file.seek(SeekFrom::Start(m.offset))?;
        let d = Hasher::digest_reader(file.by_ref().take(m.size))?;
        self.manifest
            .get(&m.name)
            .ok_or_else(|| gerr(&m.name, "member is not listed in the Manifest"))?
            .verify(&d)
    }

    /// Reads, verifies and decompresses the metadata archive (`metadata/<KEY>` entries).
    pub fn metadata(&self) -> Result<Metadata> {
        self.metadata_inner().map_err(|e| e.in_file(&self.path))
    }

    fn metadata_inner(&self) -> Result<Metadata> {
        let mut file = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        let m = &self.members[self.metadata_member];
        let data = read_member(&mut file, m, self.max_metadata_len)?;
        let mut h = Hasher::new();
        h.update(&data);
        self.manifest
            .get(&m.name)
            .ok_or_else(|| gerr(&m.name, "member is not listed in the Manifest"))?
            .verify(&h.finish())?;
        let comp = detect(
            &data[..data.len().min(PROBE_LEN)],
            self.compression,
            &m.name,
        )?;
        let reader = comp.decoder(&data[..])?;
        read_metadata_tar(reader, &m.name, self.max_metadata_len)
    }

    /// Verifies the image member against the Manifest (one streaming pass over the
    /// compressed bytes), then returns a decompressing reader of the image tar.
    pub fn image_tar(&self) -> Result<Box<dyn Read + Send>> {
        self.image_tar_inner().map_err(|e| e.in_file(&self.path))
    }

    fn image_tar_inner(&self) -> Result<Box<dyn Read + Send>> {
        let mut file = File::open(&self.path).map_err(|e| Error::io(&self.path, e))?;
        self.verify_member_stream(&mut file, self.image_member)?;
        let m = &self.members[self.image_member];
        file.seek(SeekFrom::Start(m.offset))?;
        let mut head = vec![0u8; (m.size as usize).min(PROBE_LEN)];
        file.read_exact(&mut head)?;
        let comp = detect(&head, self.compression, &m.name)?;
        file.seek(SeekFrom::Start(m.offset))?;
        let reader = std::io::BufReader::with_capacity(256 * 1024, file.take(m.size));
        comp.decoder(reader)
    }
}

/// Picks the compressor from the magic bytes; an empty member falls back to `named`.
fn detect(head: &[u8], named: Compression, member: &str) -> Result<Compression> {
    if head.is_empty() {
        return Ok(named);
    }
    match Compression::detect(head) {
        Some(c) if c.is_supported() => Ok(c),
        _ => Err(gerr(
            member,
            format!(
                "unknown or unsupported compression (magic bytes {:02x?})",
                &head[..head.len().min(9)]
            ),
        )),
    }
}

/// Reads a `metadata.tar` stream: regular entries `metadata/<KEY>`; directory entries
/// are skipped; anything else is an error.
pub fn read_metadata_tar<R: Read>(reader: R, member: &str, limit: u64) -> Result<Metadata> {
    let mut meta = Metadata::new();
    let mut total = 0u64;
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries()? {
        let mut entry = entry?;
        let raw = entry.path_bytes().into_owned();
        let name = String::from_utf8(raw).map_err(|e| {
            gerr(
                member,
                format!(
                    "entry name is not UTF-8 (at byte {})",
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        let ty = entry.header().entry_type();
        if ty == tar::EntryType::Directory {
            continue;
        }
        let key = name
            .strip_prefix("metadata/")
            .ok_or_else(|| gerr(member, format!("entry {name:?} is outside metadata/")))?;
        validate_key(key).map_err(|r| gerr(member, format!("entry {name:?}: {r}")))?;
        if !matches!(ty, tar::EntryType::Regular | tar::EntryType::Continuous) {
            return Err(gerr(
                member,
                format!("entry {name:?} is not a regular file"),
            ));
        }
        total = total.saturating_add(entry.size());
        if total > limit {
            return Err(Error::LimitExceeded {
                entry: name,
                what: "metadata size",
                limit,
                actual: total,
            });
        }
        let mut value = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut value)?;
        if meta.contains(key) {
            return Err(gerr(member, format!("duplicate entry {name:?}")));
        }
        meta.insert(key, value);
    }
    Ok(meta)
}
