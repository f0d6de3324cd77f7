//! Garbage collection of a PKGDIR (eclean-pkg-like): decide which binpkgs to remove by
//! policy, report what would go and the bytes freed, and remove them.
//!
//! What still has an ebuild and what is installed are asked through traits, so the
//! repository crates plug in later; closures implement them.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::name::PackageId;
use crate::pkgdir::{PkgdirFile, update_index};

/// Answers whether a package version still has an ebuild in the configured repositories.
pub trait EbuildLookup {
    /// Whether `id` has an ebuild.
    fn has_ebuild(&self, id: &PackageId) -> bool;
}

/// Answers whether a package version is installed.
pub trait InstalledLookup {
    /// Whether `id` is installed.
    fn is_installed(&self, id: &PackageId) -> bool;
}

impl<F: Fn(&PackageId) -> bool> EbuildLookup for F {
    fn has_ebuild(&self, id: &PackageId) -> bool {
        self(id)
    }
}

/// Wraps a closure as an [`InstalledLookup`] (closures already implement
/// [`EbuildLookup`]; this keeps the two roles apart).
pub struct Installed<F>(pub F);

impl<F: Fn(&PackageId) -> bool> InstalledLookup for Installed<F> {
    fn is_installed(&self, id: &PackageId) -> bool {
        (self.0)(id)
    }
}

/// Removal policy. Each enabled rule can remove a file; a file is removed if any rule
/// says so (the first reason found is reported).
#[derive(Default)]
pub struct Policy<'a> {
    /// Keep only the newest N builds (highest BUILD_ID, then newest mtime) of each
    /// CATEGORY/PF; `None` keeps all. Legacy files without BUILD_ID count as builds.
    pub keep_newest: Option<usize>,
    /// Remove binpkgs whose ebuild is gone.
    pub ebuilds: Option<&'a dyn EbuildLookup>,
    /// Remove binpkgs that are not installed.
    pub installed: Option<&'a dyn InstalledLookup>,
}

/// Why a file is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Older than the newest N builds of its PF.
    Superseded,
    /// No ebuild any more.
    NoEbuild,
    /// Not installed.
    NotInstalled,
}

impl Reason {
    /// A short label.
    pub fn label(self) -> &'static str {
        match self {
            Reason::Superseded => "superseded build",
            Reason::NoEbuild => "ebuild gone",
            Reason::NotInstalled => "not installed",
        }
    }
}

/// The decision for a PKGDIR.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Files to remove, with the reason, in path order.
    pub remove: Vec<(PkgdirFile, Reason)>,
    /// Files kept.
    pub keep: Vec<PkgdirFile>,
}

impl Plan {
    /// Bytes the removals free.
    pub fn bytes_freed(&self) -> u64 {
        self.remove.iter().map(|(f, _)| f.size).sum()
    }
}

/// Decides removals for the scanned `files` under `policy` (pure; touches nothing).
pub fn plan(files: &[PkgdirFile], policy: &Policy<'_>) -> Plan {
    let mut superseded = std::collections::HashSet::new();
    if let Some(n) = policy.keep_newest {
        let mut groups: BTreeMap<&PackageId, Vec<&PkgdirFile>> = BTreeMap::new();
        for f in files {
            groups.entry(&f.id).or_default().push(f);
        }
        for (_, mut builds) in groups {
            builds.sort_by(|a, b| {
                (b.build_id, b.mtime, &b.rel_path).cmp(&(a.build_id, a.mtime, &a.rel_path))
            });
            for f in builds.into_iter().skip(n) {
                superseded.insert(f.rel_path.clone());
            }
        }
    }
    let mut out = Plan::default();
    for f in files {
        let reason = if superseded.contains(&f.rel_path) {
            Some(Reason::Superseded)
        } else if policy.ebuilds.is_some_and(|e| !e.has_ebuild(&f.id)) {
            Some(Reason::NoEbuild)
        } else if policy.installed.is_some_and(|i| !i.is_installed(&f.id)) {
            Some(Reason::NotInstalled)
        } else {
            None
        };
        match reason {
            Some(r) => out.remove.push((f.clone(), r)),
            None => out.keep.push(f.clone()),
        }
    }
    out
}

/// Removes the planned files and their index entries (under the index lock; the
/// index is rewritten only if it exists). Returns the bytes freed.
pub fn apply(pkgdir: &Path, plan: &Plan, compress_index: bool) -> Result<u64> {
    let mut freed = 0;
    for (f, _) in &plan.remove {
        let full = pkgdir.join(&f.rel_path);
        match std::fs::remove_file(&full) {
            Ok(()) => freed += f.size,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&full, e)),
        }
    }
    if pkgdir.join(crate::pkgdir::INDEX_FILE).exists() {
        let gone: std::collections::HashSet<&str> = plan
            .remove
            .iter()
            .map(|(f, _)| f.rel_path.as_str())
            .collect();
        update_index(pkgdir, compress_index, |idx| {
            let packages = std::mem::take(&mut idx.packages);
            idx.packages = packages
                .into_iter()
                .filter(|e| !gone.contains(idx.path_of(e).as_str()))
                .collect();
            Ok(())
        })?;
    }
    Ok(freed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::Format;

    fn file(cpv: &str, build_id: Option<u64>, size: u64, mtime: i64) -> PkgdirFile {
        let id = PackageId::parse(cpv).expect("valid cpv");
        let rel_path = match build_id {
            Some(b) => format!("{}/{}/{}-{b}.gpkg.tar", id.category(), id.pn(), id.pf()),
            None => format!("{}/{}.tbz2", id.category(), id.pf()),
        };
        PkgdirFile {
            rel_path,
            id,
            build_id,
            format: Format::Gpkg,
            size,
            mtime,
        }
    }

    #[test]
    fn keep_newest_per_pf() {
        let files = vec![
            file("a/x-1", Some(1), 10, 5),
            file("a/x-1", Some(3), 30, 1),
            file("a/x-1", Some(2), 20, 9),
            file("a/x-2", Some(1), 100, 1),
            file("a/y-1", None, 7, 1),
        ];
        let p = plan(
            &files,
            &Policy {
                keep_newest: Some(1),
                ..Policy::default()
            },
        );
        let gone: Vec<_> = p.remove.iter().map(|(f, _)| f.build_id).collect();
        assert_eq!(gone, [Some(1), Some(2)]);
        assert_eq!(p.bytes_freed(), 30);
        assert_eq!(p.keep.len(), 3);
        let p = plan(
            &files,
            &Policy {
                keep_newest: Some(0),
                ..Policy::default()
            },
        );
        assert_eq!(p.remove.len(), 5);
    }

    #[test]
    fn ebuild_and_installed_lookups() {
        let files = vec![
            file("a/x-1", Some(1), 10, 5),
            file("a/x-2", Some(1), 20, 5),
            file("a/y-1", Some(1), 40, 5),
        ];
        let has_ebuild = |id: &PackageId| id.pn() == "x";
        let installed = Installed(|id: &PackageId| id.pf() == "x-2");
        let p = plan(
            &files,
            &Policy {
                keep_newest: None,
                ebuilds: Some(&has_ebuild),
                installed: Some(&installed),
            },
        );
        let reasons: Vec<_> = p
            .remove
            .iter()
            .map(|(f, r)| (f.id.to_string(), *r))
            .collect();
        assert_eq!(
            reasons,
            [
                ("a/x-1".to_owned(), Reason::NotInstalled),
                ("a/y-1".to_owned(), Reason::NoEbuild)
            ]
        );
        assert_eq!(p.bytes_freed(), 50);
    }
}
