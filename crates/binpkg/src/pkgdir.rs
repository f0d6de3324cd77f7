//! A PKGDIR on disk: scanning both layouts (legacy `${CATEGORY}/${PF}.tbz2` /
//! `.gpkg.tar` and multi-instance `${CATEGORY}/${PN}/${PF}-${BUILD_ID}.{xpak,gpkg.tar}`),
//! BUILD_ID allocation, index entries from files, and index regeneration under a
//! Portage-compatible lock.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::binpkg::read_metadata;
use crate::error::{Error, Result};
use crate::hashing::{Digests, Hasher};
use crate::index::{IndexEntry, PackagesIndex};
use crate::lock::PortageLock;
use crate::metadata::Metadata;
use crate::name::{self, Format, PackageId, parse_file_name, split_pf};
use crate::writer::relative_path;

/// Name of the index file in a PKGDIR.
pub const INDEX_FILE: &str = "Packages";

/// One binpkg file found in a PKGDIR (identity from its path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkgdirFile {
    /// Path relative to PKGDIR, `/`-separated (the index `PATH`).
    pub rel_path: String,
    /// Category and PF from the path.
    pub id: PackageId,
    /// BUILD_ID from the file name (multi-instance layout).
    pub build_id: Option<u64>,
    /// Format implied by the name.
    pub format: Format,
    /// File size in bytes.
    pub size: u64,
    /// File mtime (Unix seconds).
    pub mtime: i64,
}

fn skip_name(name: &str) -> bool {
    name.starts_with('.') || name.starts_with(".tmp.") || name.ends_with(".lockfile")
}

fn sorted_dir(dir: &Path) -> Result<Vec<(String, fs::Metadata)>> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let e = e.map_err(|e| Error::io(dir, e))?;
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        if skip_name(&name) {
            continue;
        }
        let m = fs::symlink_metadata(e.path()).map_err(|err| Error::io(e.path(), err))?;
        out.push((name, m));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Scans `pkgdir` for binpkg files of both layouts (sorted by path). Dot files,
/// `.tmp.*`, `*.lockfile`, the `All/` directory and names that do not parse are skipped;
/// nothing is opened or written.
pub fn scan(pkgdir: &Path) -> Result<Vec<PkgdirFile>> {
    let mut out = Vec::new();
    for (cat, cm) in sorted_dir(pkgdir)? {
        if !cm.is_dir() || cat == "All" || name::validate_category(&cat).is_err() {
            continue;
        }
        let cat_dir = pkgdir.join(&cat);
        for (name, m) in sorted_dir(&cat_dir)? {
            if m.is_dir() {
                if name::validate_package(&name).is_err() {
                    continue;
                }
                for (file, fm) in sorted_dir(&cat_dir.join(&name))? {
                    if !fm.is_file() {
                        continue;
                    }
                    let Some(parsed) = parse_file_name(&file) else {
                        continue;
                    };
                    // Multi-instance names carry a BUILD_ID; a plain `${PF}.xpak` or
                    // `${PF}.gpkg.tar` here is accepted without one.
                    if parsed.legacy_ext {
                        continue;
                    }
                    let Ok(id) = PackageId::new(&cat, &parsed.pf) else {
                        continue;
                    };
                    if id.pn() != name {
                        continue;
                    }
                    out.push(PkgdirFile {
                        rel_path: format!("{cat}/{name}/{file}"),
                        id,
                        build_id: parsed.build_id,
                        format: parsed.format,
                        size: fm.len(),
                        mtime: fm.mtime(),
                    });
                }
            } else if m.is_file() {
                let Some(parsed) = parse_file_name(&name) else {
                    continue;
                };
                // Legacy names carry no build id: `foo-1.0-1.gpkg.tar` here is PF foo-1.0-1
                // only if that is a valid PF.
                let pf = name
                    .strip_suffix(".tbz2")
                    .or_else(|| name.strip_suffix(".gpkg.tar"))
                    .or_else(|| name.strip_suffix(".xpak"));
                let Some(pf) = pf.filter(|pf| split_pf(pf).is_ok()) else {
                    continue;
                };
                let Ok(id) = PackageId::new(&cat, pf) else {
                    continue;
                };
                out.push(PkgdirFile {
                    rel_path: format!("{cat}/{name}"),
                    id,
                    build_id: None,
                    format: parsed.format,
                    size: m.len(),
                    mtime: m.mtime(),
                });
            }
        }
    }
    Ok(out)
}

/// The next free BUILD_ID for `id`: one more than the highest known (from the scan and
/// `known`), starting at 1.
pub fn next_build_id(
    files: &[PkgdirFile],
    id: &PackageId,
    known: impl IntoIterator<Item = u64>,
) -> u64 {
    files
        .iter()
        .filter(|f| &f.id == id)
        .filter_map(|f| f.build_id)
        .chain(known)
        .max()
        .unwrap_or(0)
        + 1
}

/// Claims a new multi-instance file name for `id` by exclusive creation, starting at
/// [`next_build_id`] and retrying while the name exists (as Portage does). Returns the
/// build id and the relative path; the created placeholder is empty and is replaced
/// by the writer's rename.
pub fn claim_build_id(pkgdir: &Path, id: &PackageId, format: Format) -> Result<(u64, PathBuf)> {
    let files = scan(pkgdir)?;
    let cpv = id.to_string();
    let known: Vec<u64> = read_index(pkgdir)
        .ok()
        .flatten()
        .map(|idx| {
            idx.packages
                .iter()
                .filter(|e| e.cpv() == cpv)
                .filter_map(IndexEntry::build_id)
                .collect()
        })
        .unwrap_or_default();
    let mut build_id = next_build_id(&files, id, known);
    let dir = pkgdir.join(id.category()).join(id.pn());
    fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
    loop {
        let rel = relative_path(id.category(), id.pn(), id.pf(), Some(build_id), format);
        let full = pkgdir.join(&rel);
        match OpenOptions::new().write(true).create_new(true).open(&full) {
            Ok(_) => return Ok((build_id, rel)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => build_id += 1,
            Err(e) => return Err(Error::io(&full, e)),
        }
    }
}

/// Metadata keys copied into an index entry (internal names), besides the file keys.
const INDEX_METADATA_KEYS: &[&str] = &[
    "BDEPEND",
    "BUILD_ID",
    "BUILD_TIME",
    "CHOST",
    "DEFINED_PHASES",
    "DEPEND",
    "EAPI",
    "IDEPEND",
    "IUSE",
    "KEYWORDS",
    "LICENSE",
    "PDEPEND",
    "PROPERTIES",
    "PROVIDES",
    "RDEPEND",
    "REPO_REVISIONS",
    "REQUIRES",
    "RESTRICT",
    "SLOT",
    "USE",
    "repository",
];

/// Builds the index entry for a binpkg from its metadata and file digests, as
/// Portage's `_pkgindex_entry` does (CPV from `CATEGORY`/`PF`).
pub fn index_entry(
    meta: &Metadata,
    rel_path: &str,
    digests: &Digests,
    mtime: i64,
) -> Result<IndexEntry> {
    let cat = meta.require_text("CATEGORY")?;
    let pf = meta.require_text("PF")?;
    let id = PackageId::new(cat, pf)?;
    let mut e = IndexEntry::new();
    e.set("CPV", &id.to_string())?;
    for key in INDEX_METADATA_KEYS {
        if let Some(v) = meta.text(key)? {
            e.set(key, v)?;
        }
    }
    e.set("MD5", &digests.md5)?;
    e.set("SHA1", &digests.sha1)?;
    e.set("SIZE", &digests.size.to_string())?;
    e.set("PATH", rel_path)?;
    e.set("MTIME", &mtime.to_string())?;
    Ok(e)
}

/// Reads, hashes and indexes one PKGDIR file.
pub fn index_file(pkgdir: &Path, f: &PkgdirFile) -> Result<IndexEntry> {
    let full = pkgdir.join(&f.rel_path);
    let meta = read_metadata(&full)?;
    let file = File::open(&full).map_err(|e| Error::io(&full, e))?;
    let digests =
        Hasher::digest_reader(io::BufReader::new(file)).map_err(|e| Error::io(&full, e))?;
    index_entry(&meta, &f.rel_path, &digests, f.mtime).map_err(|e| e.in_file(&full))
}

/// Reads `${pkgdir}/Packages`; a missing file is `None`.
pub fn read_index(pkgdir: &Path) -> Result<Option<PackagesIndex>> {
    let path = pkgdir.join(INDEX_FILE);
    let mut bytes = Vec::new();
    match File::open(&path) {
        Ok(mut f) => {
            f.read_to_end(&mut bytes).map_err(|e| Error::io(&path, e))?;
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(&path, e)),
    }
    // Portage decodes the index with errors="replace".
    let text = String::from_utf8_lossy(&bytes);
    PackagesIndex::parse(&text)
        .map(Some)
        .map_err(|e| e.in_file(&path))
}

/// Writes `${pkgdir}/Packages` atomically (temp file + rename), stamping `TIMESTAMP`
/// and `PACKAGES`; with `compress`, also `Packages.gz` with the same mtime (Portage's
/// `FEATURES=compress-index`). The caller should hold the index lock.
pub fn write_index(
    pkgdir: &Path,
    index: &mut PackagesIndex,
    timestamp: u64,
    compress: bool,
) -> Result<()> {
    index.stamp(timestamp);
    let text = index.to_text();
    let path = pkgdir.join(INDEX_FILE);
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp.Packages.")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .tempfile_in(pkgdir)
        .map_err(|e| Error::io(pkgdir, e))?;
    tmp.write_all(text.as_bytes())
        .map_err(|e| Error::io(tmp.path(), e))?;
    let mtime = std::time::UNIX_EPOCH + std::time::Duration::from_secs(timestamp);
    tmp.as_file()
        .set_modified(mtime)
        .map_err(|e| Error::io(tmp.path(), e))?;
    tmp.persist(&path).map_err(|e| Error::io(&path, e.error))?;
    if compress {
        let gz_path = pkgdir.join("Packages.gz");
        let mut gz_tmp = tempfile::Builder::new()
            .prefix(".tmp.Packages.gz.")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .tempfile_in(pkgdir)
            .map_err(|e| Error::io(pkgdir, e))?;
        {
            let mut enc =
                flate2::write::GzEncoder::new(gz_tmp.as_file_mut(), flate2::Compression::default());
            enc.write_all(text.as_bytes())
                .and_then(|_| enc.finish().map(|_| ()))
                .map_err(|e| Error::io(&gz_path, e))?;
        }
        gz_tmp
            .as_file()
            .set_modified(mtime)
            .map_err(|e| Error::io(&gz_path, e))?;
        gz_tmp
            .persist(&gz_path)
            .map_err(|e| Error::io(&gz_path, e.error))?;
    }
    Ok(())
}

/// Seconds since the epoch, now.
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Runs `update` on the index of `pkgdir` while holding Portage's lock
/// (`.Packages.portage_lockfile`), then writes it back. A missing or unsupported index
/// starts from an empty one; the existing header is kept.
pub fn update_index(
    pkgdir: &Path,
    compress: bool,
    update: impl FnOnce(&mut PackagesIndex) -> Result<()>,
) -> Result<PackagesIndex> {
    let _lock = PortageLock::acquire(&pkgdir.join(INDEX_FILE))?;
    let mut index = match read_index(pkgdir) {
        Ok(Some(idx)) => idx,
        Ok(None) => PackagesIndex::new(),
        Err(e) if matches!(e.root(), Error::IndexVersion { .. }) => PackagesIndex::new(),
        Err(e) => return Err(e),
    };
    update(&mut index)?;
    index.header.insert(
        "VERSION".into(),
        crate::index::SUPPORTED_VERSION.to_string(),
    );
    write_index(pkgdir, &mut index, now(), compress)?;
    Ok(index)
}

/// What an index rebuild did.
#[derive(Debug, Default)]
pub struct RebuildReport {
    /// Entries in the new index.
    pub indexed: usize,
    /// Entries reused from the old index (same PATH, SIZE and MTIME).
    pub reused: usize,
    /// Files that could not be read, with the error (left out of the index).
    pub failed: Vec<(String, Error)>,
}

/// Rebuilds `${pkgdir}/Packages` from the files (Portage's `emaint --fix binhost`):
/// entries whose PATH, SIZE and MTIME still match are kept, other files are read and
/// hashed, entries for vanished files are dropped. Holds the index lock throughout.
pub fn rebuild_index(pkgdir: &Path, compress: bool) -> Result<RebuildReport> {
    let mut report = RebuildReport::default();
    let files = scan(pkgdir)?;
    update_index(pkgdir, compress, |index| {
        let old = std::mem::take(&mut index.packages);
        let by_path: std::collections::HashMap<String, &IndexEntry> =
            old.iter().map(|e| (index.path_of(e), e)).collect();
        for f in &files {
            let reuse = by_path.get(&f.rel_path).filter(|e| {
                e.raw("SIZE") == Some(&f.size.to_string())
                    && e.raw("MTIME") == Some(&f.mtime.to_string())
            });
            match reuse {
                Some(e) => {
                    let mut e = (*e).clone();
                    e.set("PATH", &f.rel_path)?;
                    index.packages.push(e);
                    report.reused += 1;
                }
                None => match index_file(pkgdir, f) {
                    Ok(e) => index.packages.push(e),
                    Err(err) => report.failed.push((f.rel_path.clone(), err)),
                },
            }
        }
        report.indexed = index.packages.len();
        Ok(())
    })?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_reads_both_layouts_and_skips_the_rest() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let d = tmp.path();
        for f in [
            "app-misc/foo-1.0.tbz2",
            "app-misc/foo-1.0.gpkg.tar",
            "app-misc/foo/foo-1.0-2.xpak",
            "app-misc/foo/foo-1.0-3.gpkg.tar",
            "app-misc/foo/foo-1.1.gpkg.tar",
            "app-misc/foo/.tmp.foo-1.0-4.xpak",
            "app-misc/foo/bar-1.0-1.xpak",
            "app-misc/foo/foo-1.0-5.xpak.lockfile",
            "app-misc/notes.txt",
            "All/foo-1.0.tbz2",
            "Packages",
        ] {
            let p = d.join(f);
            fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            fs::write(&p, b"x").expect("write");
        }
        let files = scan(d).expect("scan");
        let got: Vec<(&str, Option<u64>, Format)> = files
            .iter()
            .map(|f| (f.rel_path.as_str(), f.build_id, f.format))
            .collect();
        assert_eq!(
            got,
            [
                ("app-misc/foo/foo-1.0-2.xpak", Some(2), Format::Xpak),
                ("app-misc/foo/foo-1.0-3.gpkg.tar", Some(3), Format::Gpkg),
                ("app-misc/foo/foo-1.1.gpkg.tar", None, Format::Gpkg),
                ("app-misc/foo-1.0.gpkg.tar", None, Format::Gpkg),
                ("app-misc/foo-1.0.tbz2", None, Format::Xpak),
            ]
        );
        let id = PackageId::parse("app-misc/foo-1.0").expect("cpv");
        assert_eq!(next_build_id(&files, &id, [1]), 4);
    }
}
