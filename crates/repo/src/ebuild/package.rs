//! A package version of an ebuild repository, reading its metadata lazily.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use strata_atom::Eapi;
use strata_atom::cpv::Cpv;
use strata_atom::depspec::{DepKind, DepSpec};
use strata_cache::{CacheEntry, EntryKey, MetadataCache, Validity};
use strata_restrict::{Attr, AttrValue, PackageAttrs};

use super::Inner;
use crate::attrs::{RawMetadata, cpv_attr, dep_kind, dep_slot, raw_attr};
use crate::error::{Problem, ProblemKind};
use crate::metadata_xml::PackageMetadata;
use crate::package::Package;

/// The metadata of a package, from its cache entry.
#[derive(Debug)]
struct Metadata {
    entry: CacheEntry,
    /// INHERITED (from `_eclasses_`), space-separated.
    inherited: String,
    eapi: Eapi,
}

impl RawMetadata for Metadata {
    fn raw(&self, key: &str) -> Option<&str> {
        if key == "INHERITED" {
            return Some(&self.inherited);
        }
        self.entry.get(key)
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
}

impl std::fmt::Debug for EbuildPackage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "EbuildPackage({}::{})", self.cpv, self.repo.id)
    }
}

impl EbuildPackage {
    pub(crate) fn new(cpv: Cpv, repo: Arc<Inner>) -> Self {
        EbuildPackage {
            cpv,
            repo,
            path: OnceLock::new(),
            meta: OnceLock::new(),
            stale: OnceLock::new(),
            deps: Default::default(),
            xml: OnceLock::new(),
        }
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
        let repo = &self.repo;
        let key = EntryKey::new(self.cpv.category(), self.cpv.pf());
        let entry_path = repo.cache().entry_path(&key);
        let cpv = self.cpv.to_string();
        let entry = match repo.cache().get(&key) {
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
        let eapi = match Eapi::parse(entry.eapi()) {
            Ok(e) => e,
            Err(_) => {
                return Err(repo.record(
                    cpv,
                    self.ebuild_path(),
                    ProblemKind::UnsupportedEapi {
                        eapi: entry.eapi().to_owned(),
                    },
                ));
            }
        };
        if entry.get("SLOT").is_none_or(str::is_empty) {
            return Err(repo.record(
                cpv,
                entry_path,
                ProblemKind::BadMetadata {
                    key: "SLOT".into(),
                    message: "SLOT is empty".into(),
                },
            ));
        }
        let inherited = entry.inherited().collect::<Vec<_>>().join(" ");
        Ok(Metadata {
            entry,
            inherited,
            eapi,
        })
    }

    /// Validates the cache entry against the ebuild and its eclasses (md5s), unless the
    /// repository is frozen; a stale entry is recorded and returned.
    fn validate(&self, m: &Metadata) -> Option<Problem> {
        let repo = &self.repo;
        let key = EntryKey::new(self.cpv.category(), self.cpv.pf());
        let entry_path = repo.cache().entry_path(&key);
        let kind = match repo.cache().validate(&key, &m.entry, &self.ebuild_path()) {
            Ok(Validity::Valid) => return None,
            Ok(Validity::Stale(reasons)) => ProblemKind::StaleCacheEntry { reasons },
            Err(e) => ProblemKind::BrokenCacheEntry {
                message: format!("cannot be validated: {e}"),
            },
        };
        Some(repo.record(self.cpv.to_string(), entry_path, kind))
    }

    fn meta(&self) -> Result<&Metadata, &Problem> {
        self.meta.get_or_init(|| self.load()).as_ref()
    }

    /// The metadata cache entry, when it could be read.
    pub fn cache_entry(&self) -> Option<&CacheEntry> {
        self.meta().ok().map(|m| &m.entry)
    }

    /// A dependency class parsed (kept after the first call); `None` when the metadata is
    /// unavailable or the class does not parse (recorded as a problem).
    pub fn deps(&self, kind: DepKind) -> Option<&DepSpec> {
        let i = dep_slot(kind)?;
        self.deps[i]
            .get_or_init(|| {
                let m = self.meta().ok()?;
                let raw = m.entry.get(kind.key()).unwrap_or("");
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
            Attr::LongDescription
            | Attr::Maintainers
            | Attr::MaintainerEmails
            | Attr::MaintainerNames => crate::attrs::xml_attr(self.xml(), attr),
            Attr::Depend | Attr::Rdepend | Attr::Pdepend | Attr::Bdepend | Attr::Idepend => {
                let kind = dep_kind(attr)?;
                let spec = self.deps(kind)?;
                Some(AttrValue::AtomRefs(spec.atoms().collect()))
            }
            Attr::Chost | Attr::Cbuild | Attr::Ctarget => None,
            _ => raw_attr(self.meta().ok()?, attr),
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
        self.meta().ok()?.raw(key)
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
