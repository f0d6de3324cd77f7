//! [`Store::export`]: put stored archives into a distfiles directory (by final name) or a
//! GLEP 75 mirror layout.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use strata_fetch::hash::HashAlgorithm;
use strata_fetch::layout::{Layout, LayoutConf};
use tempfile::NamedTempFile;

use crate::digests::BlobDigests;
use crate::error::{ArchiveError, Result};
use crate::index::{BlobState, ListFilter};
use crate::store::{Store, StoredArchive};

/// The layouts [`Store::export`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ExportLayout {
    /// `<dest>/<final name>`: a DISTDIR, or a `flat` mirror.
    Flat,
    /// GLEP 75 `filename-hash BLAKE2B 8`: `<dest>/<first 2 hex of BLAKE2B(name)>/<name>`,
    /// the layout Gentoo's mirrors use; `layout.conf` is written.
    FilenameHash,
    /// GLEP 75 `content-hash SHA512 8:8:8`: `<dest>/aa/bb/cc/<sha512>`, like the store's
    /// own `blobs/`; `layout.conf` is written.
    ContentHash,
}

impl ExportLayout {
    /// The strata-fetch layout this is.
    pub fn layout(self) -> Layout {
        match self {
            ExportLayout::Flat => Layout::Flat,
            ExportLayout::FilenameHash => Layout::FilenameHash {
                algorithm: HashAlgorithm::Blake2b,
                cutoffs: vec![8],
            },
            ExportLayout::ContentHash => Layout::ContentHash {
                algorithm: HashAlgorithm::Sha512,
                cutoffs: vec![8, 8, 8],
            },
        }
    }
}

/// Options of [`Store::export`].
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The layout.
    pub layout: ExportLayout,
    /// Only these final names (all when empty).
    pub names: BTreeSet<String>,
    /// Copy instead of hard-linking (hard links fall back to copies across filesystems
    /// anyway). Hard links share the read-only blob inode; copies are independent.
    pub copy: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            layout: ExportLayout::Flat,
            names: BTreeSet::new(),
            copy: false,
        }
    }
}

/// What [`Store::export`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ExportReport {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Files that were already there with the right content.
    pub present: Vec<PathBuf>,
    /// Targets that exist with different content (left alone).
    pub conflicts: Vec<PathBuf>,
    /// Older variants of a final name not exported because a newer one was (name-keyed
    /// layouts hold one file per name): `(final name, SHA512)`.
    pub shadowed: Vec<(String, String)>,
}

impl Store {
    /// Exports the active, intact archives into `dest` (created if needed) in
    /// `options.layout`. Existing files are never overwritten: a target that already
    /// holds the same content counts as present, anything else as a conflict. For the
    /// name-keyed layouts, when several variants of one final name are active the newest
    /// is exported and the others are reported as shadowed.
    pub fn export(&self, dest: &Path, options: &ExportOptions) -> Result<ExportReport> {
        fs::create_dir_all(dest).map_err(|e| ArchiveError::io("create directory", dest, e))?;
        let layout = options.layout.layout();
        if options.layout != ExportLayout::Flat {
            write_layout_conf(dest, &layout)?;
        }
        let mut report = ExportReport::default();
        let mut rows: Vec<StoredArchive> = self
            .list(&ListFilter::default())?
            .into_iter()
            .filter(|a| a.record.state == BlobState::Ok)
            .filter(|a| options.names.is_empty() || options.names.contains(a.final_name()))
            .collect();
        // Oldest first, so the newest variant of a name ends up in the map.
        rows.sort_by_key(|a| (a.record.created_at, a.record.id));
        let mut chosen: BTreeMap<String, StoredArchive> = BTreeMap::new();
        for a in rows {
            let slot = match options.layout {
                ExportLayout::ContentHash => a.digests().sha512.clone(),
                _ => a.final_name().to_owned(),
            };
            if let Some(prev) = chosen.insert(slot, a)
                && chosen
                    .values()
                    .all(|c| c.digests().sha512 != prev.digests().sha512)
            {
                report
                    .shadowed
                    .push((prev.final_name().to_owned(), prev.digests().sha512.clone()));
            }
        }
        for a in chosen.values() {
            let fetch_digests = a.digests().to_digests();
            let Some(rel) = layout.path(a.final_name(), Some(&fetch_digests)) else {
                continue;
            };
            let target = dest.join(rel);
            place(a.path(), a.digests(), &target, options.copy, &mut report)?;
        }
        report.shadowed.sort();
        Ok(report)
    }
}

fn write_layout_conf(dest: &Path, layout: &Layout) -> Result<()> {
    let conf = dest.join("layout.conf");
    let text = LayoutConf::render(std::slice::from_ref(layout));
    match fs::read_to_string(&conf) {
        Ok(existing) => {
            if LayoutConf::parse(&existing).layouts().first() != Some(layout) {
                return Err(ArchiveError::ExportConflict {
                    path: conf,
                    wanted: layout.to_string(),
                });
            }
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut temp = NamedTempFile::with_prefix_in(".layout.conf-", dest)
                .map_err(|e| ArchiveError::io("create temporary file in", dest, e))?;
            io::Write::write_all(&mut temp, text.as_bytes())
                .map_err(|e| ArchiveError::io("write", temp.path(), e))?;
            match temp.persist_noclobber(&conf) {
                Ok(_) => Ok(()),
                Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
                Err(e) => Err(ArchiveError::io("create", &conf, e.error)),
            }
        }
        Err(e) => Err(ArchiveError::io("read", &conf, e)),
    }
}

fn place(
    blob: &Path,
    digests: &BlobDigests,
    target: &Path,
    copy: bool,
    report: &mut ExportReport,
) -> Result<()> {
    let parent = target.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| ArchiveError::io("create directory", parent, e))?;
    if fs::symlink_metadata(target).is_ok() {
        return existing(target, digests, report);
    }
    if !copy {
        match fs::hard_link(blob, target) {
            Ok(()) => {
                report.written.push(target.to_owned());
                return Ok(());
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return existing(target, digests, report);
            }
            // Other filesystem or no link support: copy instead.
            Err(_) => {}
        }
    }
    let mut temp = NamedTempFile::with_prefix_in(".export-", parent)
        .map_err(|e| ArchiveError::io("create temporary file in", parent, e))?;
    let mut input = fs::File::open(blob).map_err(|e| ArchiveError::io("open", blob, e))?;
    io::copy(&mut input, &mut temp).map_err(|e| ArchiveError::io("copy to", temp.path(), e))?;
    temp.as_file()
        .sync_all()
        .map_err(|e| ArchiveError::io("fsync", temp.path(), e))?;
    match temp.persist_noclobber(target) {
        Ok(_) => {
            report.written.push(target.to_owned());
            Ok(())
        }
        Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
            existing(target, digests, report)
        }
        Err(e) => Err(ArchiveError::io("create", target, e.error)),
    }
}

fn existing(target: &Path, digests: &BlobDigests, report: &mut ExportReport) -> Result<()> {
    let same = match fs::metadata(target) {
        Ok(m) if m.is_file() && m.len() == digests.size => {
            BlobDigests::of_file(target)
                .map_err(|e| ArchiveError::io("read", target, e))?
                .sha512
                == digests.sha512
        }
        _ => false,
    };
    if same {
        report.present.push(target.to_owned());
    } else {
        report.conflicts.push(target.to_owned());
    }
    Ok(())
}
