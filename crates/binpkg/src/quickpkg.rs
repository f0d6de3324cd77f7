//! quickpkg: a binpkg from an installed package (a VDB entry plus the live files under
//! ROOT), leaving out protected config files as Portage's `quickpkg` does, stored in a
//! PKGDIR with a fresh BUILD_ID and added to its index.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::hashing::Digests;
use crate::metadata::Metadata;
use crate::name::{Format, PackageId};
use crate::pkgdir::{claim_build_id, index_entry, update_index};
use crate::vdb_entry::{ConfigPolicy, VdbEntry};
use crate::writer::{ImageSource, WriteOptions, relative_path, write_binpkg_from};

/// Options of a quickpkg run.
#[derive(Debug, Clone)]
pub struct QuickpkgOptions {
    /// Format and compression.
    pub write: WriteOptions,
    /// Protected-file handling.
    pub config: ConfigPolicy,
    /// Use the multi-instance layout with a BUILD_ID (Portage's default).
    pub multi_instance: bool,
    /// Also write `Packages.gz`.
    pub compress_index: bool,
}

/// What quickpkg did for one package.
#[derive(Debug, Clone)]
pub struct QuickpkgReport {
    /// The package.
    pub id: PackageId,
    /// Path of the new file relative to PKGDIR.
    pub rel_path: PathBuf,
    /// Its BUILD_ID (multi-instance layout).
    pub build_id: Option<u64>,
    /// Digests of the new file.
    pub digests: Digests,
    /// Protected files left out.
    pub excluded: Vec<String>,
}

/// Makes a binpkg of the installed package `entry` (files read from `root`) in
/// `pkgdir`, and adds it to the `Packages` index under the index lock.
pub fn quickpkg(
    root: &Path,
    entry: &VdbEntry,
    pkgdir: &Path,
    opts: &QuickpkgOptions,
) -> Result<QuickpkgReport> {
    let cat = entry
        .metadata
        .require_text("CATEGORY")
        .map_err(|e| e.in_file(&entry.dir))?;
    let pf = entry
        .metadata
        .require_text("PF")
        .map_err(|e| e.in_file(&entry.dir))?;
    let id = PackageId::new(cat, pf)?;
    let mut paths = Vec::new();
    let mut excluded = Vec::new();
    for c in &entry.contents {
        if opts.config.excludes(root, c) {
            excluded.push(c.path.clone());
        } else {
            paths.push(c.path.clone());
        }
    }
    let (build_id, rel) = if opts.multi_instance {
        let (n, rel) = claim_build_id(pkgdir, &id, opts.write.format)?;
        (Some(n), rel)
    } else {
        let rel = relative_path(id.category(), id.pn(), id.pf(), None, opts.write.format);
        (None, rel)
    };
    let mut meta: Metadata = entry.metadata.clone();
    match build_id {
        Some(n) => meta.insert("BUILD_ID", format!("{n}\n")),
        None => {
            meta.remove("BUILD_ID");
        }
    }
    let dest = pkgdir.join(&rel);
    let parent = dest
        .parent()
        .ok_or_else(|| Error::BadName {
            name: dest.display().to_string(),
            reason: "no parent directory".into(),
        })?
        .to_owned();
    fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    // A gpkg made by quickpkg has `${PF}/` as its top directory: write it under that
    // name in a private directory, then rename into place.
    let stage = tempfile::Builder::new()
        .prefix(".tmp.quickpkg.")
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    let staged = stage.path().join(match opts.write.format {
        Format::Gpkg => format!("{}.gpkg.tar", id.pf()),
        Format::Xpak => format!("{}.xpak", id.pf()),
    });
    let source = ImageSource::Listed {
        root,
        paths: &paths,
    };
    let digests = write_binpkg_from(&source, &meta, &staged, &opts.write)?;
    fs::rename(&staged, &dest).map_err(|e| Error::io(&dest, e))?;
    let mtime = fs::metadata(&dest)
        .map_err(|e| Error::io(&dest, e))
        .map(|m| std::os::unix::fs::MetadataExt::mtime(&m))?;
    let rel_str = rel.to_string_lossy().into_owned();
    let new_entry = index_entry(&meta, &rel_str, &digests, mtime)?;
    update_index(pkgdir, opts.compress_index, |idx| {
        let packages = std::mem::take(&mut idx.packages);
        idx.packages = packages
            .into_iter()
            .filter(|e| idx.path_of(e) != rel_str)
            .collect();
        idx.packages.push(new_entry);
        Ok(())
    })?;
    Ok(QuickpkgReport {
        id,
        rel_path: rel,
        build_id,
        digests,
        excluded,
    })
}
