//! Freshness checks of a stored index, in tiers, each stat'ing only what it covers (in
//! parallel, relative to a directory handle):
//!
//! - entries: the md5-cache root and category directories (additions, removals) and
//!   every cache entry file, indexed or skipped;
//! - xml: every package's metadata.xml;
//! - ebuilds: every indexed entry's ebuild;
//! - eclasses: the eclass directories and every eclass file validation resolved.
//!
//! A stat that fails for another reason than "missing" counts as a change.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::index::query::SearchIndex;
use crate::index::stamp::{DirHandle, Stamp};
use crate::index::store::Tiers;

/// Which eclasses differ from what the index's validation used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EclassChanges {
    /// None: stored validity results stand.
    None,
    /// These eclasses (by name) changed, appeared or disappeared.
    Some(HashSet<String>),
    /// An eclass directory changed (or the index was not validated): no stored result
    /// involving eclasses can be trusted.
    All,
}

impl EclassChanges {
    /// Whether an entry inheriting `inherited` (space-separated names) is affected (one
    /// inheriting nothing never is).
    pub fn affects(&self, inherited: &str) -> bool {
        match self {
            EclassChanges::None => false,
            EclassChanges::All => inherited.split_ascii_whitespace().next().is_some(),
            EclassChanges::Some(set) => inherited.split_ascii_whitespace().any(|n| set.contains(n)),
        }
    }
}

fn same(handle: &DirHandle, rel: &str, stored: Option<Stamp>) -> bool {
    handle.stamp(rel).is_ok_and(|now| now == stored)
}

fn same_parts(handle: &DirHandle, parts: &[&str], stored: Option<Stamp>) -> bool {
    handle.stamp_parts(parts).is_ok_and(|now| now == stored)
}

const MIN_CHUNK: usize = 128;

impl SearchIndex {
    /// Whether the tiers `t` are current: the entries tier of the md5-cache at
    /// `cache_dir` and the xml tier of `repo`, checked side by side on the thread pool.
    pub fn tiers_current(&self, cache_dir: &Path, repo: &Path, t: Tiers) -> bool {
        let (entries, xml) = rayon::join(
            || !t.entries || self.entries_current(cache_dir),
            || !t.xml || self.xml_current(repo),
        );
        entries && xml
    }

    /// The entries tier: whether the md5-cache at `cache_dir` is as the index saw it
    /// (same category directories, same entry files).
    pub fn entries_current(&self, cache_dir: &Path) -> bool {
        let Ok(snap) = self.snapshot() else {
            return false;
        };
        let handle = DirHandle::open(cache_dir);
        if !same(&handle, "", snap.cache_root) {
            return false;
        }
        let dirs_ok = snap
            .cache_categories
            .par_iter()
            .all(|(name, st)| same(&handle, name, *st));
        if !dirs_ok {
            return false;
        }
        let records_ok = (0..self.len())
            .into_par_iter()
            .with_min_len(MIN_CHUNK)
            .all(|i| {
                self.record(i)
                    .is_some_and(|r| same_parts(&handle, &[r.category(), r.pf()], r.entry_stamp()))
            });
        records_ok
            && snap
                .skipped
                .par_iter()
                .all(|s| same_parts(&handle, &[&s.category, &s.pf], s.stamp))
    }

    /// The xml tier: whether every package directory's metadata.xml under `repo` is as
    /// the index saw it.
    pub fn xml_current(&self, repo: &Path) -> bool {
        let Ok(snap) = self.snapshot() else {
            return false;
        };
        let handle = DirHandle::open(repo);
        snap.categories.par_iter().all(|c| {
            c.packages
                .par_iter()
                .with_min_len(MIN_CHUNK)
                .all(|p| same_parts(&handle, &[&c.name, &p.name, "metadata.xml"], p.xml))
        })
    }

    /// Whether every indexed entry's ebuild under `repo` is as the index saw it.
    pub fn ebuilds_current(&self, repo: &Path) -> bool {
        let handle = DirHandle::open(repo);
        (0..self.len())
            .into_par_iter()
            .with_min_len(MIN_CHUNK)
            .all(|i| {
                self.record(i).is_some_and(|r| {
                    let file = format!("{}.ebuild", r.pf());
                    same_parts(
                        &handle,
                        &[r.category(), r.package(), &file],
                        r.ebuild_stamp(),
                    )
                })
            })
    }

    /// The eclass check: which eclasses on `eclass_dirs` (the lookup order the index was
    /// validated with) changed since.
    pub fn eclass_changes(&self, eclass_dirs: &[PathBuf]) -> EclassChanges {
        let Ok(snap) = self.snapshot() else {
            return EclassChanges::All;
        };
        if !self.validated() || snap.eclass_dirs.len() != eclass_dirs.len() {
            return EclassChanges::All;
        }
        for (dir, stored) in eclass_dirs.iter().zip(&snap.eclass_dirs) {
            if !Stamp::of(dir).is_ok_and(|now| now == *stored) {
                return EclassChanges::All;
            }
        }
        let handles: Vec<DirHandle> = eclass_dirs.iter().map(|d| DirHandle::open(d)).collect();
        let changed: HashSet<String> = snap
            .eclasses
            .par_iter()
            .filter(|e| {
                !handles
                    .get(e.dir as usize)
                    .is_some_and(|h| same(h, &format!("{}.eclass", e.name), e.stamp))
            })
            .map(|e| e.name.clone())
            .collect();
        if changed.is_empty() {
            EclassChanges::None
        } else {
            EclassChanges::Some(changed)
        }
    }
}
