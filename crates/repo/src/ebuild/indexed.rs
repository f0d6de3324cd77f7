//! The search index as a repository snapshot: listing versions from the stored tree
//! listing (a directory is re-listed only when its stamp changed), matching index-first
//! when the restriction cannot match a version without a cache entry, and the loaded
//! index shared by the packages it answers for.
//!
//! Freshness is checked in tiers, each only when a query needs it (see
//! [`strata_cache::index::Tiers`]); what no tier covered is checked per record on use
//! (the cache entry's and the ebuild's stamps, and once per process the eclasses).

use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use strata_atom::cpv::Cpv;
use strata_cache::index::{
    DepClasses, DirHandle, EclassChanges, Freshness, IndexSpec, PackageExtra, SearchIndex,
    Snapshot, Tiers,
};
use strata_restrict::{Attr, Candidates, Restriction};

use super::search::{IndexRecordView, index_answers, revdep_hint};
use super::{EbuildPackage, EbuildRepo, Inner};
use crate::error::RepoError;
use crate::listing::Kind;
use crate::package::PackageRef;
use crate::repository::MatchOptions;

/// Mixed into the index identity: bump when what the metadata.xml reader supplies
/// changes meaning.
pub(crate) const INDEX_SALT: &str = "strata-repo metadata.xml v2";

/// A loaded index and which freshness tiers it passed in this process.
#[derive(Debug)]
pub(crate) struct LoadedIndex {
    pub(crate) index: Arc<SearchIndex>,
    /// The cache entries were checked (or the repository is frozen): records need no
    /// per-record entry stat.
    pub(crate) entries_ok: bool,
    /// The metadata.xml files were checked (or the repository is frozen): the records'
    /// metadata.xml data (maintainers, long description) is current.
    pub(crate) xml_ok: bool,
    /// Trust everything (frozen repository).
    pub(crate) frozen: bool,
    eclasses: OnceLock<EclassChanges>,
}

impl LoadedIndex {
    /// Which eclasses changed since the index's validation (checked once).
    pub(crate) fn eclass_changes(&self, inner: &Inner) -> &EclassChanges {
        self.eclasses
            .get_or_init(|| self.index.eclass_changes(&inner.eclass_dirs))
    }
}

/// A package's link to its index record.
#[derive(Debug, Clone)]
pub(crate) struct IndexLink {
    pub(crate) loaded: Arc<LoadedIndex>,
    pub(crate) record: usize,
}

impl Inner {
    pub(crate) fn index_spec(&self) -> IndexSpec {
        let mut spec = IndexSpec::for_repo(&self.location).validating(self.eclass_dirs.clone());
        spec.salt = INDEX_SALT.to_owned();
        spec
    }

    pub(crate) fn repo_handle(&self) -> &DirHandle {
        self.repo_handle
            .get_or_init(|| DirHandle::open(&self.location))
    }

    pub(crate) fn cache_handle(&self) -> &DirHandle {
        self.cache_handle
            .get_or_init(|| DirHandle::open(&self.location.join("metadata").join("md5-cache")))
    }

    /// The index, current in the tiers asked for (checked now, on each call: a query
    /// sees the repository as it is when it starts; rebuilt when one of them changed);
    /// `None` when no index can be had (no index directory, build error).
    pub(crate) fn loaded_index(self: &Arc<Self>, want: Tiers) -> Option<Arc<LoadedIndex>> {
        let mut slot = self.loaded.lock().ok()?;
        if let Some(cur) = slot.as_ref() {
            if cur.frozen {
                return Some(cur.clone());
            }
            if cur
                .index
                .tiers_current(self.cache_dir(), &self.location, want)
            {
                let again = Arc::new(LoadedIndex {
                    index: cur.index.clone(),
                    entries_ok: want.entries,
                    xml_ok: want.xml,
                    frozen: false,
                    eclasses: OnceLock::new(),
                });
                *slot = Some(again.clone());
                return Some(again);
            }
        }
        let store = self.index_store.as_ref()?;
        let freshness = if self.frozen {
            Freshness::Trust
        } else {
            Freshness::Tiers(want)
        };
        let inner = self.clone();
        let extra = move |cat: &str, pn: &str, xml: &std::path::Path| {
            Ok::<_, String>(inner.package_extra(cat, pn, xml))
        };
        let opened = store
            .open_with(&self.index_spec(), &extra, freshness)
            .ok()?;
        let loaded = Arc::new(LoadedIndex {
            index: Arc::new(opened.index),
            entries_ok: self.frozen || want.entries,
            xml_ok: self.frozen || want.xml,
            frozen: self.frozen,
            eclasses: OnceLock::new(),
        });
        *slot = Some(loaded.clone());
        Some(loaded)
    }

    pub(crate) fn package_extra(&self, cat: &str, pn: &str, xml: &std::path::Path) -> PackageExtra {
        let m = self.parse_metadata_xml(&format!("{cat}/{pn}"), xml);
        PackageExtra {
            longdescription: m.longdescription().map(str::to_owned),
            maintainers: m.maintainers,
            remote_ids: m.upstream.remote_ids,
        }
    }

    fn cache_dir(&self) -> &std::path::Path {
        self.cache_dir
            .get_or_init(|| self.location.join("metadata").join("md5-cache"))
    }
}

/// The metadata attributes that come from a cache entry (a version without one has none
/// of them).
fn from_cache_entry(a: Attr) -> bool {
    index_answers(a) && !a.is_name() && !a.is_metadata_xml()
}

/// Whether `r` cannot match a version that has no (readable) cache entry: an attribute
/// restriction on a cache-entry attribute reads `None` there and fails (strata-restrict
/// evaluates a missing attribute as no match); `And` needs any such child, `Or` all of
/// them; `Not` and the counting groups never qualify.
pub(crate) fn requires_cache_entry(r: &Restriction) -> bool {
    match r {
        Restriction::AlwaysFalse => true,
        Restriction::Attr(a) => from_cache_entry(a.attr),
        Restriction::And(v) => v.iter().any(requires_cache_entry),
        Restriction::Or(v) => !v.is_empty() && v.iter().all(requires_cache_entry),
        _ => false,
    }
}

/// Whether every attribute `r` reads is a cache-entry attribute or known per package
/// (names without the version, repository, metadata.xml data): then a version without a
/// cache entry matches exactly when its package, seen without any cache-entry
/// attribute, does.
fn package_level(r: &Restriction) -> bool {
    r.is_answerable_by(&|a| {
        from_cache_entry(a)
            || a.is_metadata_xml()
            || matches!(a, Attr::Category | Attr::Package | Attr::Key | Attr::Repo)
    })
}

/// A package (not a version) seen without cache-entry attributes: its names, repository
/// and metadata.xml data (from an index record of one of its versions, or the file).
struct PackageLevel<'a> {
    category: &'a str,
    package: &'a str,
    key: String,
    repo: &'a str,
    record: Option<IndexRecordView<'a>>,
    xml: Option<Arc<crate::metadata_xml::PackageMetadata>>,
}

impl strata_restrict::PackageAttrs for PackageLevel<'_> {
    fn attr(&self, attr: Attr) -> Option<strata_restrict::AttrValue<'_>> {
        use strata_restrict::AttrValue;
        match attr {
            Attr::Category => Some(AttrValue::text(self.category)),
            Attr::Package => Some(AttrValue::text(self.package)),
            Attr::Key => Some(AttrValue::text(&self.key)),
            Attr::Repo => Some(AttrValue::text(self.repo)),
            a if a.is_metadata_xml() => match (&self.record, &self.xml) {
                (Some(r), _) => r.attr(attr),
                (None, Some(x)) => crate::attrs::xml_attr(x, attr),
                (None, None) => None,
            },
            _ => None,
        }
    }
}

/// Whether `r` reads metadata.xml data.
fn reads_xml(r: &Restriction) -> bool {
    let mut found = false;
    let complete = r.visit_attrs(&mut |a| found |= a.is_metadata_xml());
    found || !complete
}

impl EbuildRepo {
    /// `itermatch` through the index snapshot; `None` when the index cannot be had
    /// (the caller then lists the tree).
    pub(crate) fn itermatch_indexed(
        &self,
        restriction: &Restriction,
        cands: &Candidates,
        opts: &MatchOptions,
    ) -> Option<Result<Vec<PackageRef>, RepoError>> {
        let split = restriction.split(&index_answers);
        let selective = !matches!(split.answerable, Restriction::AlwaysTrue)
            && !split.answerable.is_answerable_by(&Attr::is_name);
        let xml = selective && reads_xml(&split.answerable);
        let loaded = self.inner.loaded_index(Tiers {
            entries: selective,
            xml,
        })?;
        // A snapshot that does not decode (cannot happen with the checksum intact): list
        // the tree instead.
        loaded.index.snapshot().ok()?;
        Some(if selective && requires_cache_entry(&split.answerable) {
            self.index_first(&loaded, &split.answerable, cands)
                .map(|(pkgs, _)| self.keep(pkgs, restriction, opts))
        } else if selective && package_level(&split.answerable) {
            self.index_first_with_orphans(&loaded, &split.answerable, cands)
                .map(|pkgs| self.keep(pkgs, restriction, opts))
        } else {
            self.listed(&loaded, cands).map(|cpvs| {
                let cpvs = if selective {
                    prefilter(self, &loaded, &split.answerable, cpvs)
                } else {
                    cpvs
                };
                let pkgs = cpvs.into_iter().map(|c| self.linked(&loaded, c)).collect();
                self.keep(pkgs, restriction, opts)
            })
        })
    }

    /// A package for `cpv`, linked to its index record when there is one.
    fn linked(&self, loaded: &Arc<LoadedIndex>, cpv: Cpv) -> PackageRef {
        let link = loaded
            .index
            .find(cpv.category(), cpv.pf())
            .map(|record| IndexLink {
                loaded: loaded.clone(),
                record,
            });
        Arc::new(EbuildPackage::with_link(cpv, self.inner.clone(), link))
    }

    fn keep(
        &self,
        pkgs: Vec<PackageRef>,
        restriction: &Restriction,
        opts: &MatchOptions,
    ) -> Vec<PackageRef> {
        let names = restriction.is_answerable_by(&Attr::is_name);
        if names && !opts.strict {
            return pkgs
                .into_iter()
                .filter(|p| restriction.matches(p))
                .collect();
        }
        pkgs.into_par_iter()
            .filter(|p| !(opts.strict && p.unavailable().is_some()) && restriction.matches(p))
            .collect()
    }

    /// The versions the candidates allow, from the stored tree listing: each category
    /// and package directory is stat'ed and re-listed only when it changed.
    fn listed(&self, loaded: &LoadedIndex, cands: &Candidates) -> Result<Vec<Cpv>, RepoError> {
        if cands.is_none() {
            return Ok(Vec::new());
        }
        let snap = match loaded.index.snapshot() {
            Ok(s) => s,
            Err(e) => return Err(RepoError::Index(e.to_string())),
        };
        crate::repository::walk_candidates(
            cands,
            || self.categories_live(),
            |cat| self.stored_packages(loaded, snap, cat),
            |cat, p| self.stored_versions(loaded, snap, cat, p),
        )
    }

    /// The packages of `cat` from the stored listing when its directory is unchanged
    /// (stat'ed unless the index is frozen), else listed again.
    fn stored_packages(
        &self,
        loaded: &LoadedIndex,
        snap: &Snapshot,
        cat: &str,
    ) -> Result<Vec<String>, RepoError> {
        let handle = self.inner.repo_handle();
        match snap
            .category(cat)
            .filter(|c| loaded.frozen || handle.stamp(cat).is_ok_and(|now| now == c.stamp))
        {
            Some(c) => {
                Ok(self.packages_from(cat, c.packages.iter().map(|p| (p.name.clone(), Kind::Dir))))
            }
            None => crate::repository::Repository::packages(self, cat),
        }
    }

    /// The versions of `cat/p` from the stored listing when its directory is unchanged
    /// (stat'ed unless the index is frozen), else listed again.
    fn stored_versions(
        &self,
        loaded: &LoadedIndex,
        snap: &Snapshot,
        cat: &str,
        p: &str,
    ) -> Result<Vec<Cpv>, RepoError> {
        let handle = self.inner.repo_handle();
        match snap.package(cat, p) {
            Some(ps)
                if loaded.frozen
                    || handle
                        .stamp(&format!("{cat}/{p}"))
                        .is_ok_and(|now| now == ps.stamp) =>
            {
                Ok(self.versions_from(cat, p, ps.ebuilds.iter().map(String::as_str)))
            }
            _ => crate::repository::Repository::versions(self, cat, p),
        }
    }

    /// The records matching `answerable` (and the candidates), confirmed against the
    /// tree: a valid category, package name and PF naming that package, and an ebuild
    /// that exists now. Also which record ids matched `answerable` and the candidates
    /// (before that confirmation; records never evaluated did not match).
    fn index_first(
        &self,
        loaded: &Arc<LoadedIndex>,
        answerable: &Restriction,
        cands: &Candidates,
    ) -> Result<(Vec<PackageRef>, Vec<bool>), RepoError> {
        if cands.is_none() {
            return Ok((Vec::new(), Vec::new()));
        }
        let index = &loaded.index;
        let categories = self.categories_live()?;
        let repo_id = self.inner.id.as_str();
        let ids: Vec<usize> = match revdep_hint(answerable) {
            Some(cps) => {
                let mut ids: Vec<usize> = cps
                    .iter()
                    .flat_map(|cp| index.revdeps(cp, DepClasses::ALL))
                    .map(|(id, _)| id)
                    .collect();
                ids.sort_unstable();
                ids.dedup();
                ids
            }
            None => (0..index.len()).collect(),
        };
        let hits: Vec<(usize, bool, Option<PackageRef>)> = ids
            .par_iter()
            .with_min_len(64)
            .map(|&id| {
                let Some(rec) = index.record(id) else {
                    return (id, false, None);
                };
                let (cat, pn) = (rec.category(), rec.package());
                // The restriction on the record first (cheap), then the name rules.
                let matched = cands.matches(cat, pn)
                    && answerable.matches(&IndexRecordView::new(rec, repo_id));
                (
                    id,
                    matched,
                    matched
                        .then(|| self.confirmed(loaded, id, rec, &categories))
                        .flatten(),
                )
            })
            .collect();
        let mut matched = vec![false; index.len()];
        let mut out = Vec::new();
        for (id, m, pkg) in hits {
            if let Some(slot) = matched.get_mut(id) {
                *slot = m;
            }
            out.extend(pkg);
        }
        // Records are in category/PF string order; versions sort by version.
        out.sort_by(|a, b| a.cpv().cmp(b.cpv()));
        Ok((out, matched))
    }

    /// The package of record `id` (which matched), if the tree confirms it: a listed
    /// category, a valid package name, a PF naming that package, and an ebuild that
    /// exists now (its stamp kept for validation).
    fn confirmed(
        &self,
        loaded: &Arc<LoadedIndex>,
        id: usize,
        rec: strata_cache::index::Record<'_>,
        categories: &[String],
    ) -> Option<PackageRef> {
        let (cat, pn) = (rec.category(), rec.package());
        if categories
            .binary_search_by(|c| c.as_str().cmp(cat))
            .is_err()
            || strata_atom::name::validate_package(pn).is_err()
            || pn.starts_with('.')
            || rec.pf().starts_with('.')
        {
            return None;
        }
        let cpv = Cpv::from_category_pf(cat, rec.pf()).ok()?;
        if cpv.package() != pn {
            return None;
        }
        let ebuild = if loaded.frozen {
            rec.ebuild_stamp()
        } else {
            self.inner
                .repo_handle()
                .stamp(&format!("{cat}/{pn}/{}.ebuild", rec.pf()))
                .ok()
                .flatten()
        };
        ebuild?;
        let pkg = EbuildPackage::with_link(
            cpv,
            self.inner.clone(),
            Some(IndexLink {
                loaded: loaded.clone(),
                record: id,
            }),
        );
        pkg.seed_ebuild_stamp(ebuild);
        Some(Arc::new(pkg) as PackageRef)
    }
}

impl EbuildRepo {
    /// Index-first matching for a restriction that a version without a cache entry can
    /// match only through its package's names and metadata.xml ([`package_level`]): the
    /// matching records (as [`EbuildRepo::index_first`]), plus the versions without a
    /// record of the packages that match at package level (their directories stat'ed and
    /// re-listed only when changed). Every category directory is stat'ed, so new
    /// packages are seen.
    fn index_first_with_orphans(
        &self,
        loaded: &Arc<LoadedIndex>,
        answerable: &Restriction,
        cands: &Candidates,
    ) -> Result<Vec<PackageRef>, RepoError> {
        let (mut out, matched) = self.index_first(loaded, answerable, cands)?;
        if cands.is_none() {
            return Ok(out);
        }
        // A positive restriction that failed on some version's record fails on its
        // package seen without cache-entry attributes too: only packages whose records
        // all matched (or that have none) need the package-level look.
        let by_record = answerable.is_positive();
        let index = &loaded.index;
        let snap = index
            .snapshot()
            .map_err(|e| RepoError::Index(e.to_string()))?;
        let repo_id = self.inner.id.as_str();
        let categories: Vec<String> = self
            .categories_live()?
            .into_iter()
            .filter(|c| cands.matches_category(c))
            .collect();
        let per_cat: Vec<Result<Vec<Cpv>, RepoError>> = categories
            .par_iter()
            .map(|cat| {
                let pkgs = self.stored_packages(loaded, snap, cat)?;
                let records = PackageRecords::of_category(index, cat, &matched);
                let mut orphans = Vec::new();
                for p in pkgs.iter().filter(|p| cands.matches(cat, p)) {
                    let (record, all_matched) = match records.get(p) {
                        Some((id, all)) => (index.record(id), all),
                        None => (None, true),
                    };
                    if by_record && !all_matched {
                        continue;
                    }
                    let view = PackageLevel {
                        category: cat,
                        package: p,
                        key: format!("{cat}/{p}"),
                        repo: repo_id,
                        xml: record.is_none().then(|| self.inner.metadata_xml(cat, p)),
                        record: record.map(|r| IndexRecordView::new(r, repo_id)),
                    };
                    if !answerable.matches(&view) {
                        continue;
                    }
                    let versions = self.stored_versions(loaded, snap, cat, p)?;
                    orphans.extend(
                        versions
                            .into_iter()
                            .filter(|v| index.find(v.category(), v.pf()).is_none()),
                    );
                }
                Ok(orphans)
            })
            .collect();
        for r in per_cat {
            out.extend(
                r?.into_iter()
                    .map(|c| Arc::new(EbuildPackage::new(c, self.inner.clone())) as PackageRef),
            );
        }
        out.sort_by(|a, b| a.cpv().cmp(b.cpv()));
        Ok(out)
    }
}

/// The packages of one category that the index holds versions of: per package, one
/// of its records and whether all of its records are marked in `matched`.
struct PackageRecords<'a>(Vec<(&'a str, usize, bool)>);

impl<'a> PackageRecords<'a> {
    fn of_category(index: &'a SearchIndex, category: &str, matched: &[bool]) -> Self {
        let mut v: Vec<(&str, usize, bool)> = index
            .category_range(category)
            .filter_map(|id| index.record(id))
            .map(|r| (r.package(), r.id(), matched.get(r.id()).is_some_and(|m| *m)))
            .collect();
        // Records sort by PF, which need not keep a package's versions together
        // (`foo-1`, `foo-bar-1`, `foo-2`): group by name.
        v.sort_by(|a, b| a.0.cmp(b.0));
        v.dedup_by(|later, first| {
            let same = later.0 == first.0;
            if same {
                first.2 &= later.2;
            }
            same
        });
        PackageRecords(v)
    }

    /// One record of `package` and whether all its records matched.
    fn get(&self, package: &str) -> Option<(usize, bool)> {
        let i = self.0.binary_search_by(|e| e.0.cmp(package)).ok()?;
        self.0.get(i).map(|e| (e.1, e.2))
    }
}

/// Narrows `cpvs` with `answerable` evaluated on the index records. Versions the index
/// does not hold (no or unreadable cache entry) are kept for direct evaluation.
fn prefilter(
    repo: &EbuildRepo,
    loaded: &LoadedIndex,
    answerable: &Restriction,
    cpvs: Vec<Cpv>,
) -> Vec<Cpv> {
    let index = &loaded.index;
    let hint: Option<std::collections::HashSet<usize>> = revdep_hint(answerable).map(|cps| {
        cps.iter()
            .flat_map(|cp| index.revdeps(cp, DepClasses::ALL))
            .map(|(id, _)| id)
            .collect()
    });
    let repo_id = repo.inner.id.as_str();
    let keep: Vec<bool> = cpvs
        .par_iter()
        .with_min_len(64)
        .map(|cpv| match index.find(cpv.category(), cpv.pf()) {
            None => true,
            Some(id) => {
                if hint.as_ref().is_some_and(|h| !h.contains(&id)) {
                    return false;
                }
                index
                    .record(id)
                    .is_some_and(|rec| answerable.matches(&IndexRecordView::new(rec, repo_id)))
            }
        })
        .collect();
    cpvs.into_iter()
        .zip(keep)
        .filter_map(|(c, k)| k.then_some(c))
        .collect()
}
