//! A package version of an ebuild repository, reading its metadata lazily.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use strata_atom::Eapi;
use strata_atom::cpv::Cpv;
use strata_atom::depspec::{DepKind, DepSpec};
use strata_cache::index::Stamp;
use strata_cache::{CacheEntry, EntryKey, Validity};
use strata_restrict::{Attr, AttrValue, PackageAttrs};

use super::indexed::IndexLink;
use super::{EntryOrigin, Inner};
use crate::attrs::{RawMetadata, cpv_attr, dep_kind, dep_slot, raw_attr};
use crate::error::{Problem, ProblemKind};
use crate::metadata_xml::PackageMetadata;
use crate::package::Package;

/// Where a package's metadata comes from.
#[derive(Debug)]
enum Source {
    /// The cache entry file, read, and which cache it came from.
    File(CacheEntry, EntryOrigin),
    /// The index record (its entry stamp matched); values are read from the mapped index,
    /// not copied, and the keys the index does not store from the file on demand.
    Index(IndexLink),
}

/// The metadata of a package, from its cache entry.
#[derive(Debug)]
struct Metadata {
    source: Source,
    /// INHERITED (from `_eclasses_`), space-separated.
    inherited: String,
    eapi: Eapi,
}

impl RawMetadata for EbuildPackage {
    fn raw(&self, key: &str) -> Option<&str> {
        Package::get(self, key)
    }
}

/// One ebuild of an [`EbuildRepo`](super::EbuildRepo). Creating one reads nothing;
/// metadata (cache entry, validated), parsed dependency classes and metadata.xml are
/// each read on first use and kept.
pub struct EbuildPackage {
    cpv: Cpv,
    repo: Arc<Inner>,
    path: OnceLock<String>,
    meta: OnceLock<Result<Metadata, Problem>>,
    /// Whether the cache entry is stale (validated on first request only).
    stale: OnceLock<Option<Problem>>,
    deps: [OnceLock<Option<DepSpec>>; 5],
    xml: OnceLock<Arc<PackageMetadata>>,
    /// The index record this version has, when it came from an indexed query.
    link: Option<IndexLink>,
    /// The ebuild's stamp now (`None` inside: the stat failed), taken once.
    ebuild_stamp: OnceLock<Option<Option<Stamp>>>,
    /// The cache entry read from the repository's metadata source, when index-backed
    /// metadata needs it.
    file_entry: OnceLock<Option<CacheEntry>>,
}

impl std::fmt::Debug for EbuildPackage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EbuildPackage({}::{})", self.cpv, self.repo.id)
    }
}

impl EbuildPackage {
    pub(crate) fn new(cpv: Cpv, repo: Arc<Inner>) -> Self {
        EbuildPackage::with_link(cpv, repo, None)
    }

    /// A package whose metadata and validity may come from its index record.
    pub(crate) fn with_link(cpv: Cpv, repo: Arc<Inner>, link: Option<IndexLink>) -> Self {
        EbuildPackage {
            cpv,
            repo,
            path: OnceLock::new(),
            meta: OnceLock::new(),
            stale: OnceLock::new(),
            deps: Default::default(),
            xml: OnceLock::new(),
            link,
            ebuild_stamp: OnceLock::new(),
            file_entry: OnceLock::new(),
        }
    }

    /// Records the ebuild's stamp as the caller just took it.
    pub(crate) fn seed_ebuild_stamp(&self, stamp: Option<Stamp>) {
        let _ = self.ebuild_stamp.set(Some(stamp));
    }

    fn rel(&self) -> String {
        format!("{}/{}", self.cpv.category(), self.cpv.pf())
    }

    /// The metadata from the index record, when the record is current: its entry file
    /// was checked by the entries tier, or its stamp is the same now. The same checks as
    /// for an entry read from the file (EAPI, SLOT) apply.
    fn meta_from_index(&self) -> Option<Result<Metadata, Problem>> {
        let link = self.link.as_ref()?;
        let rec = link.loaded.index.record(link.record)?;
        if !link.loaded.entries_ok {
            let now = self.repo.cache_handle().stamp(&self.rel()).ok()?;
            if now != rec.entry_stamp() {
                return None;
            }
        }
        let eapi_raw = rec
            .entry_value("EAPI")
            .filter(|e| !e.is_empty())
            .unwrap_or("0");
        Some(
            self.check_entry(eapi_raw, rec.entry_value("SLOT"), EntryOrigin::Own)
                .map(|eapi| Metadata {
                    inherited: rec.inherited().to_owned(),
                    source: Source::Index(link.clone()),
                    eapi,
                }),
        )
    }

    /// The checks a cache entry passes before use, wherever it was read from (file or
    /// index record): a supported EAPI and a non-empty SLOT; a failure is recorded.
    fn check_entry(
        &self,
        eapi: &str,
        slot: Option<&str>,
        origin: EntryOrigin,
    ) -> Result<Eapi, Problem> {
        let Ok(parsed) = Eapi::parse(eapi) else {
            return Err(self.repo.record(
                self.cpv.to_string(),
                self.ebuild_path(),
                ProblemKind::UnsupportedEapi {
                    eapi: eapi.to_owned(),
                },
            ));
        };
        if slot.is_none_or(str::is_empty) {
            return Err(self.repo.record(
                self.cpv.to_string(),
                self.repo
                    .source()
                    .entry_path_in(origin, self.cpv.category(), self.cpv.pf()),
                ProblemKind::BadMetadata {
                    key: "SLOT".into(),
                    message: "SLOT is empty".into(),
                },
            ));
        }
        Ok(parsed)
    }

    /// The entry of this version as the repository's metadata source reads it: the one
    /// place entries are read ([`EbuildPackage::load`] and the index-backed lookups of
    /// keys the index does not store both come here).
    fn read_entry(&self) -> Result<Option<CacheEntry>, strata_cache::CacheError> {
        self.repo
            .source()
            .read(&EntryKey::new(self.cpv.category(), self.cpv.pf()))
    }

    /// The whole cache entry, read once (for index-backed metadata: the keys the index
    /// does not store, and [`EbuildPackage::cache_entry`]); `None` when it cannot be
    /// read.
    fn file_entry(&self) -> Option<&CacheEntry> {
        self.file_entry
            .get_or_init(|| self.read_entry().ok().flatten())
            .as_ref()
    }

    /// The validity the index recorded, when it still holds: the ebuild's stamp is the
    /// same as at validation and none of the inherited eclasses changed.
    fn validity_from_index(&self) -> Option<Result<Validity, String>> {
        let link = self.link.as_ref()?;
        let rec = link.loaded.index.record(link.record)?;
        let now = self.ebuild_stamp.get_or_init(|| {
            self.repo
                .repo_handle()
                .stamp(&format!(
                    "{}/{}/{}.ebuild",
                    self.cpv.category(),
                    self.cpv.package(),
                    self.cpv.pf()
                ))
                .ok()
        });
        if *now != Some(rec.ebuild_stamp())
            || link
                .loaded
                .eclass_changes(&self.repo)
                .affects(rec.inherited())
        {
            return None;
        }
        rec.validity()
    }

    /// The ebuild's path.
    pub fn ebuild_path(&self) -> PathBuf {
        self.repo
            .location
            .join(self.cpv.category())
            .join(self.cpv.package())
            .join(format!("{}.ebuild", self.cpv.pf()))
    }

    fn path_str(&self) -> &str {
        self.path
            .get_or_init(|| self.ebuild_path().to_string_lossy().into_owned())
    }

    fn load(&self) -> Result<Metadata, Problem> {
        if let Some(m) = self.meta_from_index() {
            return m;
        }
        let repo = &self.repo;
        let entry_path = self.entry_path();
        let cpv = self.cpv.to_string();
        let key = EntryKey::new(self.cpv.category(), self.cpv.pf());
        let (entry, origin) = match repo.source().read_valid(&key, &self.ebuild_path()) {
            Ok(Some(e)) => e,
            Ok(None) => {
                return Err(repo.record(cpv, entry_path, ProblemKind::MissingCacheEntry));
            }
            Err(e) => {
                return Err(repo.record(
                    cpv,
                    entry_path,
                    ProblemKind::BrokenCacheEntry {
                        message: e.to_string(),
                    },
                ));
            }
        };
        let eapi = self.check_entry(entry.eapi(), entry.get("SLOT"), origin)?;
        let inherited = entry.inherited().collect::<Vec<_>>().join(" ");
        Ok(Metadata {
            source: Source::File(entry, origin),
            inherited,
            eapi,
        })
    }

    /// Validates the cache entry against the ebuild and its eclasses (md5s), unless the
    /// repository is frozen; a stale entry is recorded and returned.
    fn validate(&self, m: &Metadata) -> Option<Problem> {
        let repo = &self.repo;
        let key = EntryKey::new(self.cpv.category(), self.cpv.pf());
        let stored = match &m.source {
            Source::Index(_) if !repo.frozen => self.validity_from_index(),
            _ => None,
        };
        let result = match (stored, &m.source) {
            (Some(r), _) => r,
            (None, Source::File(entry, origin)) => repo
                .source()
                .validate_from(*origin, &key, entry, &self.ebuild_path())
                .map_err(|e| e.to_string()),
            (None, Source::Index(link)) => {
                match link
                    .loaded
                    .index
                    .record(link.record)
                    .map(|r| r.cache_entry())
                {
                    Some(Ok(entry)) => repo
                        .source()
                        .validate(&key, &entry, &self.ebuild_path())
                        .map_err(|e| e.to_string()),
                    Some(Err(e)) => Err(e.to_string()),
                    None => Err("index record missing".to_owned()),
                }
            }
        };
        let kind = match result {
            Ok(Validity::Valid) => return None,
            Ok(Validity::Stale(reasons)) => ProblemKind::StaleCacheEntry { reasons },
            Err(e) => ProblemKind::BrokenCacheEntry {
                message: format!("cannot be validated: {e}"),
            },
        };
        let path = match &m.source {
            Source::File(_, origin) => {
                repo.source()
                    .entry_path_in(*origin, self.cpv.category(), self.cpv.pf())
            }
            Source::Index(_) => self.entry_path(),
        };
        Some(repo.record(self.cpv.to_string(), path, kind))
    }

    /// The file this version's cache entry is read from, in the repository's metadata
    /// source.
    fn entry_path(&self) -> PathBuf {
        self.repo.entry_path(self.cpv.category(), self.cpv.pf())
    }

    fn meta(&self) -> Result<&Metadata, &Problem> {
        self.meta.get_or_init(|| self.load()).as_ref()
    }

    /// The metadata cache entry, when it could be read (index-backed metadata reads the
    /// file for this).
    pub fn cache_entry(&self) -> Option<&CacheEntry> {
        match &self.meta().ok()?.source {
            Source::File(e, _) => Some(e),
            Source::Index(_) => self.file_entry(),
        }
    }

    /// A dependency class parsed (kept after the first call); `None` when the metadata is
    /// unavailable or the class does not parse (recorded as a problem).
    pub fn deps(&self, kind: DepKind) -> Option<&DepSpec> {
        let i = dep_slot(kind)?;
        self.deps[i]
            .get_or_init(|| {
                let m = self.meta().ok()?;
                let raw = self.get(kind.key()).unwrap_or("");
                match DepSpec::parse(raw, kind, m.eapi) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        self.repo.record(
                            self.cpv.to_string(),
                            self.ebuild_path(),
                            ProblemKind::BadMetadata {
                                key: kind.key().to_owned(),
                                message: e.to_string(),
                            },
                        );
                        None
                    }
                }
            })
            .as_ref()
    }

    /// The index record whose metadata.xml data is current (the xml tier passed in this
    /// query, or the repository is frozen) and the file was not read already.
    fn xml_record(&self) -> Option<strata_cache::index::Record<'_>> {
        let link = self.link.as_ref()?;
        if !link.loaded.xml_ok || self.xml.get().is_some() {
            return None;
        }
        link.loaded.index.record(link.record)
    }

    fn xml(&self) -> &Arc<PackageMetadata> {
        self.xml.get_or_init(|| {
            self.repo
                .metadata_xml(self.cpv.category(), self.cpv.package())
        })
    }
}

impl PackageAttrs for EbuildPackage {
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
        if let Some(v) = cpv_attr(&self.cpv, attr) {
            return Some(v);
        }
        match attr {
            Attr::Repo | Attr::SourceRepository => Some(AttrValue::text(&self.repo.id)),
            Attr::Path => Some(AttrValue::text(self.path_str())),
            a if a.is_metadata_xml() => match self.xml_record() {
                Some(rec) => super::search::record_xml_attr(&rec, attr),
                None => crate::attrs::xml_attr(self.xml(), attr),
            },
            a if let Some(kind) = dep_kind(a) => {
                let spec = self.deps(kind)?;
                Some(AttrValue::AtomRefs(spec.atoms().collect()))
            }
            Attr::Chost | Attr::Cbuild | Attr::Ctarget => None,
            _ => {
                self.meta().ok()?;
                raw_attr(self, attr)
            }
        }
    }
}

impl Package for EbuildPackage {
    fn cpv(&self) -> &Cpv {
        &self.cpv
    }

    fn repo_id(&self) -> &str {
        &self.repo.id
    }

    fn get(&self, key: &str) -> Option<&str> {
        let m = self.meta().ok()?;
        if key == "INHERITED" {
            return Some(&m.inherited);
        }
        match &m.source {
            Source::File(e, _) => e.get(key),
            Source::Index(_) if strata_cache::index::format::COLD_KEYS.contains(&key) => {
                self.file_entry()?.get(key)
            }
            Source::Index(link) => link.loaded.index.record(link.record)?.entry_value(key),
        }
    }

    fn path(&self) -> Option<&Path> {
        Some(Path::new(self.path_str()))
    }

    fn problem(&self) -> Option<Problem> {
        match self.meta() {
            Err(p) => Some(p.clone()),
            Ok(m) => self.stale.get_or_init(|| self.validate(m)).clone(),
        }
    }

    fn unavailable(&self) -> Option<Problem> {
        self.meta().err().cloned()
    }

    fn metadata_xml(&self) -> Option<Arc<PackageMetadata>> {
        Some(self.xml().clone())
    }
}
