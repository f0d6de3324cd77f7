//! The repository snapshot an index keeps beside its records: the tree listing (repo
//! root, category and package directories with their stamps, `*.ebuild` names,
//! metadata.xml stamps), the md5-cache directories' stamps, the eclass state validation
//! used, and the entries the build could not read. Encoded as one section of the index
//! file, decoded on first use.

use std::path::Path;

use rayon::prelude::*;

use crate::error::CacheError;
use crate::index::stamp::{DirHandle, Kind, STAMP_LEN, Stamp, list_dir};

/// One package directory as the build saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSnap {
    /// Directory name.
    pub name: String,
    /// The directory's stamp.
    pub stamp: Option<Stamp>,
    /// The stamp of its `metadata.xml` (`None`: there was none).
    pub xml: Option<Stamp>,
    /// The names of its entries ending in `.ebuild`, sorted.
    pub ebuilds: Vec<String>,
}

/// One category directory as the build saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategorySnap {
    /// Directory name.
    pub name: String,
    /// The directory's stamp.
    pub stamp: Option<Stamp>,
    /// Its subdirectories (names not starting with `.`), sorted.
    pub packages: Vec<PackageSnap>,
}

/// One eclass the validation resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EclassSnap {
    /// Name without `.eclass`.
    pub name: String,
    /// Index into the eclass directories.
    pub dir: u32,
    /// The file's stamp (taken before it was hashed).
    pub stamp: Option<Stamp>,
    /// Its md5, as validation computed it (empty when it could not be read).
    pub md5: String,
}

/// A cache entry the build could not index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedEntry {
    /// Category.
    pub category: String,
    /// `PN-PVR`.
    pub pf: String,
    /// The entry file's stamp.
    pub stamp: Option<Stamp>,
    /// Why it was left out.
    pub error: String,
}

/// Everything an index remembers of the repository besides its records.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The repository root's stamp.
    pub root: Option<Stamp>,
    /// Subdirectories of the root (hidden and skipped ones left out), sorted, with their
    /// listings.
    pub categories: Vec<CategorySnap>,
    /// The md5-cache directory's stamp.
    pub cache_root: Option<Stamp>,
    /// The md5-cache category directories' stamps, sorted by name.
    pub cache_categories: Vec<(String, Option<Stamp>)>,
    /// The eclass directories' stamps, in lookup order (empty when not validated).
    pub eclass_dirs: Vec<Option<Stamp>>,
    /// The eclasses validation resolved, sorted by name.
    pub eclasses: Vec<EclassSnap>,
    /// Entries left out of the index.
    pub skipped: Vec<SkippedEntry>,
}

impl Snapshot {
    /// The category `name`.
    pub fn category(&self, name: &str) -> Option<&CategorySnap> {
        self.categories
            .binary_search_by(|c| c.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.categories[i])
    }

    /// The package directory `category/package`.
    pub fn package(&self, category: &str, package: &str) -> Option<&PackageSnap> {
        let c = self.category(category)?;
        c.packages
            .binary_search_by(|p| p.name.as_str().cmp(package))
            .ok()
            .map(|i| &c.packages[i])
    }
}

/// Walks the tree under `repo` (skipping top-level `skip` names and hidden entries) in
/// parallel per category. Each directory is stamped before it is listed, so a change
/// during the walk shows as a different stamp later, never as a current one.
pub(crate) fn walk_tree(
    repo: &Path,
    skip: &[String],
) -> Result<(Option<Stamp>, Vec<CategorySnap>), CacheError> {
    let handle = DirHandle::open(repo);
    let io = |p: &Path, e: std::io::Error| CacheError::io(p, e);
    let root = handle.stamp("").map_err(|e| io(repo, e))?;
    let mut names: Vec<String> = list_dir(repo)
        .map_err(|e| io(repo, e))?
        .into_iter()
        .filter(|(n, k)| *k == Kind::Dir && !n.starts_with('.') && !skip.contains(n))
        .map(|(n, _)| n)
        .collect();
    names.sort();
    let cats: Vec<Result<CategorySnap, CacheError>> = names
        .into_par_iter()
        .map(|cat| {
            let cdir = repo.join(&cat);
            let stamp = handle.stamp(&cat).map_err(|e| io(&cdir, e))?;
            let mut pkgs: Vec<String> = list_dir(&cdir)
                .map_err(|e| io(&cdir, e))?
                .into_iter()
                .filter(|(n, k)| *k == Kind::Dir && !n.starts_with('.'))
                .map(|(n, _)| n)
                .collect();
            pkgs.sort();
            let packages: Vec<Result<PackageSnap, CacheError>> = pkgs
                .into_par_iter()
                .map(|name| {
                    let rel = format!("{cat}/{name}");
                    let pdir = repo.join(&rel);
                    let stamp = handle.stamp(&rel).map_err(|e| io(&pdir, e))?;
                    let xml = handle
                        .stamp(&format!("{rel}/metadata.xml"))
                        .map_err(|e| io(&pdir, e))?;
                    let mut ebuilds: Vec<String> = list_dir(&pdir)
                        .map_err(|e| io(&pdir, e))?
                        .into_iter()
                        .map(|(n, _)| n)
                        .filter(|n| n.ends_with(".ebuild"))
                        .collect();
                    ebuilds.sort();
                    Ok(PackageSnap {
                        name,
                        stamp,
                        xml,
                        ebuilds,
                    })
                })
                .collect();
            Ok(CategorySnap {
                name: cat,
                stamp,
                packages: packages.into_iter().collect::<Result<_, _>>()?,
            })
        })
        .collect();
    Ok((root, cats.into_iter().collect::<Result<_, _>>()?))
}

/// Directory names with their stamps.
pub(crate) type NamedStamps = Vec<(String, Option<Stamp>)>;

/// Stamps of the md5-cache root and its category directories (taken before the entries
/// are listed).
pub(crate) fn cache_dir_stamps(
    cache_dir: &Path,
) -> Result<(Option<Stamp>, NamedStamps), CacheError> {
    let handle = DirHandle::open(cache_dir);
    let root = handle.stamp("").map_err(|e| CacheError::io(cache_dir, e))?;
    let mut cats: Vec<(String, Option<Stamp>)> = Vec::new();
    for (name, kind) in list_dir(cache_dir).map_err(|e| CacheError::io(cache_dir, e))? {
        if kind != Kind::Dir || name.starts_with('.') {
            continue;
        }
        let st = handle
            .stamp(&name)
            .map_err(|e| CacheError::io(cache_dir.join(&name), e))?;
        cats.push((name, st));
    }
    cats.sort_by(|a, b| a.0.cmp(&b.0));
    Ok((root, cats))
}

// Encoding: a flat little-endian stream of u32 counts, length-prefixed strings and
// 32-byte stamps.

struct Writer(Vec<u8>);

impl Writer {
    fn u32(&mut self, v: usize) -> Result<(), CacheError> {
        let v = u32::try_from(v).map_err(|_| CacheError::Unwritable {
            key: "search index".to_owned(),
            reason: "snapshot count larger than 2^32",
        })?;
        self.0.extend_from_slice(&v.to_le_bytes());
        Ok(())
    }
    fn str(&mut self, s: &str) -> Result<(), CacheError> {
        self.u32(s.len())?;
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
    fn stamp(&mut self, s: Option<Stamp>) {
        Stamp::encode(s, &mut self.0);
    }
}

pub(crate) fn encode(s: &Snapshot) -> Result<Vec<u8>, CacheError> {
    let mut w = Writer(Vec::with_capacity(1 << 16));
    w.stamp(s.root);
    w.u32(s.categories.len())?;
    for c in &s.categories {
        w.str(&c.name)?;
        w.stamp(c.stamp);
        w.u32(c.packages.len())?;
        for p in &c.packages {
            w.str(&p.name)?;
            w.stamp(p.stamp);
            w.stamp(p.xml);
            w.u32(p.ebuilds.len())?;
            for e in &p.ebuilds {
                w.str(e)?;
            }
        }
    }
    w.stamp(s.cache_root);
    w.u32(s.cache_categories.len())?;
    for (n, st) in &s.cache_categories {
        w.str(n)?;
        w.stamp(*st);
    }
    w.u32(s.eclass_dirs.len())?;
    for st in &s.eclass_dirs {
        w.stamp(*st);
    }
    w.u32(s.eclasses.len())?;
    for e in &s.eclasses {
        w.str(&e.name)?;
        w.u32(e.dir as usize)?;
        w.stamp(e.stamp);
        w.str(&e.md5)?;
    }
    w.u32(s.skipped.len())?;
    for e in &s.skipped {
        w.str(&e.category)?;
        w.str(&e.pf)?;
        w.stamp(e.stamp);
        w.str(&e.error)?;
    }
    Ok(w.0)
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.b.len());
        match end {
            Some(end) => {
                let s = &self.b[self.at..end];
                self.at = end;
                Ok(s)
            }
            None => Err(format!("snapshot truncated at byte {}", self.at)),
        }
    }
    fn u32(&mut self) -> Result<usize, String> {
        let b = self.take(4)?;
        let mut w = [0u8; 4];
        w.copy_from_slice(b);
        Ok(u32::from_le_bytes(w) as usize)
    }
    /// A count of items each at least `min` bytes long (bounds the allocation).
    fn count(&mut self, min: usize) -> Result<usize, String> {
        let n = self.u32()?;
        if n.saturating_mul(min) > self.b.len() - self.at {
            return Err(format!("snapshot count {n} exceeds the section"));
        }
        Ok(n)
    }
    fn str(&mut self) -> Result<String, String> {
        let n = self.u32()?;
        let b = self.take(n)?;
        String::from_utf8(b.to_vec()).map_err(|_| "snapshot string is not UTF-8".to_owned())
    }
    fn stamp(&mut self) -> Result<Option<Stamp>, String> {
        Ok(Stamp::decode(self.take(STAMP_LEN)?))
    }
}

/// Decodes a snapshot section; an error names what is wrong (the caller adds the path).
pub(crate) fn decode(b: &[u8]) -> Result<Snapshot, String> {
    let mut r = Reader { b, at: 0 };
    let root = r.stamp()?;
    let n = r.count(4 + STAMP_LEN + 4)?;
    let mut categories = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.str()?;
        let stamp = r.stamp()?;
        let np = r.count(4 + 2 * STAMP_LEN + 4)?;
        let mut packages = Vec::with_capacity(np);
        for _ in 0..np {
            let name = r.str()?;
            let stamp = r.stamp()?;
            let xml = r.stamp()?;
            let ne = r.count(4)?;
            let mut ebuilds = Vec::with_capacity(ne);
            for _ in 0..ne {
                ebuilds.push(r.str()?);
            }
            packages.push(PackageSnap {
                name,
                stamp,
                xml,
                ebuilds,
            });
        }
        categories.push(CategorySnap {
            name,
            stamp,
            packages,
        });
    }
    let cache_root = r.stamp()?;
    let n = r.count(4 + STAMP_LEN)?;
    let mut cache_categories = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.str()?;
        cache_categories.push((name, r.stamp()?));
    }
    let n = r.count(STAMP_LEN)?;
    let mut eclass_dirs = Vec::with_capacity(n);
    for _ in 0..n {
        eclass_dirs.push(r.stamp()?);
    }
    let n = r.count(12 + STAMP_LEN)?;
    let mut eclasses = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.str()?;
        let dir = r.u32()? as u32;
        let stamp = r.stamp()?;
        let md5 = r.str()?;
        eclasses.push(EclassSnap {
            name,
            dir,
            stamp,
            md5,
        });
    }
    let n = r.count(12 + STAMP_LEN)?;
    let mut skipped = Vec::with_capacity(n);
    for _ in 0..n {
        let category = r.str()?;
        let pf = r.str()?;
        let stamp = r.stamp()?;
        let error = r.str()?;
        skipped.push(SkippedEntry {
            category,
            pf,
            stamp,
            error,
        });
    }
    if r.at != b.len() {
        return Err(format!("{} bytes after the snapshot", b.len() - r.at));
    }
    Ok(Snapshot {
        root,
        categories,
        cache_root,
        cache_categories,
        eclass_dirs,
        eclasses,
        skipped,
    })
}
