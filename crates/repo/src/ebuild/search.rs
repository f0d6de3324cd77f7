//! The persistent search index wired into an ebuild repository: built on first use (in
//! parallel, from md5-cache entries plus metadata.xml), stored outside the repository,
//! rebuilt when any input changes, and used to answer the metadata part of a restriction
//! before any package is instantiated.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use strata_atom::Eapi;
use strata_atom::cpv::Cpv;
use strata_atom::depspec::{DepKind, DepSpec};
use strata_cache::index::{DepClasses, Freshness, PackageExtra, Record, SearchIndex};
use strata_restrict::{Attr, AttrValue, PackageAttrs, Restriction, StrList, ValueRestriction};

use super::EbuildRepo;
use crate::attrs::{cpv_attr, dep_kind, maintainer_str, spec_words};
use crate::error::RepoError;

/// An opened search index.
#[derive(Debug, Clone)]
pub struct OpenedIndex {
    /// The index.
    pub index: Arc<SearchIndex>,
    /// Whether it was (re)built by this call.
    pub rebuilt: bool,
    /// Cache entries the build could not index (bad entries), when it was rebuilt.
    pub skipped: usize,
}

/// Whether the search index answers restrictions on `attr`.
pub fn index_answers(attr: Attr) -> bool {
    attr.is_name()
        || attr.is_metadata_xml()
        || dep_kind(attr).is_some()
        || matches!(
            attr,
            Attr::Slot
                | Attr::Subslot
                | Attr::Eapi
                | Attr::Description
                | Attr::Homepage
                | Attr::License
                | Attr::Keywords
                | Attr::Iuse
                | Attr::Inherited
        )
}

/// One index record seen as a package, for evaluating index-answerable restrictions.
/// Values are rendered exactly as [`EbuildPackage`](super::EbuildPackage) renders them.
#[derive(Debug)]
pub struct IndexRecordView<'a> {
    record: Record<'a>,
    repo: &'a str,
    cpv: OnceLock<Option<Cpv>>,
}

impl<'a> IndexRecordView<'a> {
    /// A view of `record` of the repository `repo`.
    pub fn new(record: Record<'a>, repo: &'a str) -> Self {
        IndexRecordView {
            record,
            repo,
            cpv: OnceLock::new(),
        }
    }

    fn cpv(&self) -> Option<&Cpv> {
        self.cpv
            .get_or_init(|| Cpv::from_category_pf(self.record.category(), self.record.pf()).ok())
            .as_ref()
    }

    fn deps(&self, class: DepClasses, kind: DepKind) -> Option<AttrValue<'_>> {
        let eapi = Eapi::parse(self.record.eapi()).ok()?;
        let spec = DepSpec::parse(self.record.deps(class), kind, eapi).ok()?;
        Some(AttrValue::Atoms(Cow::Owned(
            spec.atoms().cloned().collect(),
        )))
    }
}

impl PackageAttrs for IndexRecordView<'_> {
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
        let r = &self.record;
        Some(match attr {
            Attr::Category => AttrValue::text(r.category()),
            Attr::Package => AttrValue::text(r.package()),
            Attr::Version | Attr::Fullver | Attr::Revision | Attr::Key | Attr::Cpv => {
                return cpv_attr(self.cpv()?, attr);
            }
            Attr::Repo => AttrValue::text(self.repo),
            Attr::Slot => AttrValue::text(r.slot()),
            Attr::Subslot => AttrValue::text(r.subslot()),
            Attr::Eapi => AttrValue::text(r.eapi()),
            Attr::Description => AttrValue::text(r.description()),
            a if a.is_metadata_xml() => return record_xml_attr(r, a),
            Attr::Homepage => AttrValue::spaced(r.homepage()),
            Attr::License => AttrValue::List(StrList::Owned(spec_words(r.license()))),
            Attr::Keywords => AttrValue::spaced(r.keywords()),
            Attr::Iuse => AttrValue::spaced(r.iuse()),
            Attr::Inherited => AttrValue::spaced(r.inherited()),
            Attr::Depend => return self.deps(DepClasses::DEPEND, DepKind::Depend),
            Attr::Rdepend => return self.deps(DepClasses::RDEPEND, DepKind::Rdepend),
            Attr::Pdepend => return self.deps(DepClasses::PDEPEND, DepKind::Pdepend),
            Attr::Bdepend => return self.deps(DepClasses::BDEPEND, DepKind::Bdepend),
            Attr::Idepend => return self.deps(DepClasses::IDEPEND, DepKind::Idepend),
            _ => return None,
        })
    }
}

/// The metadata.xml attributes (`longdescription`, `maintainers`, `maintainer_emails`,
/// `maintainer_names`) as an index record stores them, rendered as
/// [`xml_attr`](crate::attrs::xml_attr) renders the parsed file; `None` for any other
/// attribute and for an empty long description.
pub(crate) fn record_xml_attr<'a>(r: &Record<'a>, attr: Attr) -> Option<AttrValue<'a>> {
    Some(match attr {
        Attr::LongDescription => {
            let l = r.longdescription();
            if l.is_empty() {
                return None;
            }
            AttrValue::text(l)
        }
        Attr::Maintainers => AttrValue::List(StrList::Owned(
            r.maintainers()
                .map(|m| maintainer_str(m.email, m.name, m.description))
                .collect(),
        )),
        Attr::MaintainerEmails => AttrValue::List(StrList::Owned(
            r.maintainers().map(|m| m.email.to_owned()).collect(),
        )),
        Attr::MaintainerNames => AttrValue::List(StrList::Owned(
            r.maintainers()
                .filter_map(|m| m.name.map(str::to_owned))
                .collect(),
        )),
        _ => return None,
    })
}

/// The `category/package` names a restriction requires a dependency on, when it does
/// (pkgcore's revdep restrictions), so the index's reverse-dependency table can narrow
/// the records to look at.
pub(crate) fn revdep_hint(r: &Restriction) -> Option<Vec<String>> {
    match r {
        Restriction::Attr(a) if Attr::DEPS.contains(&a.attr) => match &a.value {
            ValueRestriction::NamesPackage(cp) => Some(vec![cp.to_string()]),
            ValueRestriction::Intersects(atom) => Some(vec![atom.cp().to_owned()]),
            _ => None,
        },
        Restriction::Or(children) => {
            let mut out = Vec::new();
            for c in children {
                out.extend(revdep_hint(c)?);
            }
            Some(out)
        }
        Restriction::And(children) => children.iter().find_map(revdep_hint),
        _ => None,
    }
}

impl EbuildRepo {
    /// The search index of this repository, current with all its inputs (every cache
    /// entry, ebuild, metadata.xml and eclass is stat'ed): the stored one when nothing
    /// changed, else rebuilt (in parallel) and stored. Entries are validated against their
    /// ebuilds and eclasses at build time. Frozen repositories trust a stored index
    /// without re-checking their files. (Queries check only the tiers they need.) An
    /// error for a repository whose metadata does not all come from its md5-cache (another
    /// metadata source, or Portage's depcache consulted per entry): the index, built from
    /// md5-cache files, would not describe it.
    pub fn search_index(&self) -> Result<OpenedIndex, RepoError> {
        if !self.inner.index_covers_metadata() {
            return Err(RepoError::Index(format!(
                "{}: metadata from {} is not covered by the search index (built from md5-cache entries)",
                self.inner.location.display(),
                if self.metadata_source_kind() == super::MetadataSourceKind::Md5Dict {
                    "Portage's dependency cache"
                } else {
                    self.metadata_source_kind().name()
                }
            )));
        }
        let store = self.inner.index_store.as_ref().ok_or_else(|| {
            RepoError::Index("no index directory (set XDG_CACHE_HOME or HOME)".into())
        })?;
        let spec = self.inner.index_spec();
        let inner = self.inner.clone();
        let extra = move |cat: &str, pn: &str, xml: &Path| -> Result<PackageExtra, String> {
            Ok(inner.package_extra(cat, pn, xml))
        };
        let freshness = if self.inner.frozen {
            Freshness::Trust
        } else {
            Freshness::CheckFiles
        };
        let opened = store
            .open_with(&spec, &extra, freshness)
            .map_err(|e| RepoError::Index(e.to_string()))?;
        Ok(OpenedIndex {
            index: Arc::new(opened.index),
            rebuilt: opened.rebuilt,
            skipped: opened.report.map_or(0, |r| r.skipped.len()),
        })
    }
}

/// Narrows `cpvs` with the index-answerable part of `restriction`. Versions the index
/// does not hold (no or unreadable cache entry) are kept for direct evaluation. When the
/// index cannot be opened, nothing is narrowed.
pub(crate) fn prefilter(
    repo: &EbuildRepo,
    restriction: &Restriction,
    cpvs: Vec<Cpv>,
) -> Result<Vec<Cpv>, RepoError> {
    let split = restriction.split(&index_answers);
    if matches!(split.answerable, Restriction::AlwaysTrue)
        || split.answerable.is_answerable_by(&Attr::is_name)
    {
        return Ok(cpvs);
    }
    let Ok(opened) = repo.search_index() else {
        return Ok(cpvs);
    };
    let index = &opened.index;
    let hint: Option<HashSet<usize>> = revdep_hint(&split.answerable).map(|cps| {
        cps.iter()
            .flat_map(|cp| index.revdeps(cp, DepClasses::ALL))
            .map(|(id, _)| id)
            .collect()
    });
    let by_key: HashMap<(&str, &str), usize> = index
        .records()
        .map(|r| ((r.category(), r.pf()), r.id()))
        .collect();
    let repo_id = repo.inner.id.as_str();
    let keep: Vec<bool> = cpvs
        .par_iter()
        .map(|cpv| match by_key.get(&(cpv.category(), cpv.pf())) {
            None => true,
            Some(&id) => {
                if hint.as_ref().is_some_and(|h| !h.contains(&id)) {
                    return false;
                }
                index.record(id).is_some_and(|rec| {
                    split
                        .answerable
                        .matches(&IndexRecordView::new(rec, repo_id))
                })
            }
        })
        .collect();
    Ok(cpvs
        .into_iter()
        .zip(keep)
        .filter_map(|(c, k)| k.then_some(c))
        .collect())
}
