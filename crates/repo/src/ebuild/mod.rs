//! Ebuild repositories (formats.md §3, pkgcore.md §5.1): the directory tree is the truth
//! for which versions exist; a metadata cache chosen per repository ([`MetadataSource`]:
//! the repository's md5-cache, its PMS `metadata/cache`, or Portage's dependency cache
//! under `PORTAGE_DEPCACHEDIR`) is the metadata source, validated against the ebuild and
//! the eclasses stacked across masters (trusted without validation for frozen
//! repositories); metadata.xml and `profiles/` data are read on demand.

mod indexed;
mod package;
mod profiles;
mod search;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use strata_atom::cpv::Cpv;
use strata_cache::flat_list::FlatListCache;
use strata_cache::index::{DirHandle, IndexStore};
use strata_cache::{
    CacheEntry, CacheError, EclassPath, EntryKey, FlatHashCache, Md5DictCache, MetadataCache,
    Validity,
};
use strata_config::domain::Domain;
use strata_config::layout::LayoutConf;
use strata_config::repos::{RepoConfig, RepoSet};
use strata_restrict::Restriction;

pub use package::EbuildPackage;
pub use profiles::{RepoProfiles, UseDescription};
pub use search::{IndexRecordView, OpenedIndex, index_answers};

use crate::error::{Problem, ProblemKind, ProblemLog, RepoError};
use crate::metadata_xml::{PackageMetadata, parse_metadata_xml};
use crate::package::PackageRef;
use crate::repository::{MatchOptions, Repository, candidate_cpvs, filter_packages};

/// Below this many candidate versions, metadata restrictions are checked on the packages
/// directly instead of through the search index.
const INDEX_MIN_CANDIDATES: usize = 64;

/// Up to this many exactly named `category/package` candidates are listed directly (a
/// few directory reads), without loading the index.
const DIRECT_MAX_PAIRS: usize = 16;

/// Top-level directories of a repository that are never categories.
const RESERVED_DIRS: &[&str] = &["eclass", "licenses", "metadata", "profiles", "scripts"];

/// Portage's default `PORTAGE_DEPCACHEDIR`.
pub const DEFAULT_DEPCACHE_DIR: &str = "/var/cache/edb/dep";

/// Which store an ebuild repository's metadata is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataSourceKind {
    /// The repository's `metadata/md5-cache` (md5-dict), validated by md5s.
    Md5Dict,
    /// The repository's `metadata/cache` in the PMS legacy (flat_list) format, validated
    /// by the ebuild's mtime against the cache file's.
    Pms,
    /// Portage's dependency cache, `<PORTAGE_DEPCACHEDIR>/<repository location>`, in
    /// flat_hash format (filled by `emerge`/`emerge --regen`, or by pkgcore), validated by
    /// the ebuild's md5 or mtime and the eclass checksums it records.
    DepCache,
}

impl MetadataSourceKind {
    /// Picks the metadata source of the repository at `location` as Portage picks its
    /// pregenerated cache (`RepoConfig.get_pregenerated_cache`), with pkgcore's rule
    /// that a named cache never falls back: when layout.conf has `cache-formats`, the
    /// first format it names that is known (`md5-dict`, `pms`), whether or not its
    /// directory exists; without `cache-formats`, `metadata/md5-cache` when it is a
    /// directory, else `metadata/cache`; otherwise (nothing known named, or neither
    /// directory) Portage's dependency cache.
    pub fn select(location: &Path, layout: &LayoutConf) -> MetadataSourceKind {
        if let Some(formats) = layout.values.get("cache-formats") {
            let known =
                formats
                    .split_whitespace()
                    .find_map(|f| match f.to_ascii_lowercase().as_str() {
                        "md5-dict" => Some(MetadataSourceKind::Md5Dict),
                        "pms" => Some(MetadataSourceKind::Pms),
                        _ => None,
                    });
            return known.unwrap_or(MetadataSourceKind::DepCache);
        }
        let metadata = location.join("metadata");
        if metadata.join("md5-cache").is_dir() {
            MetadataSourceKind::Md5Dict
        } else if metadata.join("cache").is_dir() {
            MetadataSourceKind::Pms
        } else {
            MetadataSourceKind::DepCache
        }
    }

    /// Its short name (`md5-dict`, `pms`, `depcache`).
    pub fn name(self) -> &'static str {
        match self {
            MetadataSourceKind::Md5Dict => "md5-dict",
            MetadataSourceKind::Pms => "pms",
            MetadataSourceKind::DepCache => "depcache",
        }
    }
}

/// The dependency cache directory of the repository at `location` under
/// `depcache_dir`: `<depcache_dir>/<location without its leading />` (Portage's
/// flat_hash label rule).
pub fn depcache_location(depcache_dir: &Path, location: &Path) -> PathBuf {
    let rel: PathBuf = location
        .components()
        .filter(|c| {
            !matches!(
                c,
                std::path::Component::RootDir | std::path::Component::Prefix(_)
            )
        })
        .collect();
    depcache_dir.join(rel)
}

/// The metadata store of an [`EbuildRepo`]: one place that reads and validates the
/// cache entry of a version, whatever the format ([`MetadataSourceKind`]). Reading never
/// writes: stale or missing entries are reported, never removed or regenerated.
pub struct MetadataSource {
    kind: MetadataSourceKind,
    dir: PathBuf,
    cache: Box<dyn MetadataCache>,
    /// Portage's dependency cache of this repository, consulted after the repository's own
    /// cache (md5-dict or pms) as Portage's `_pull_valid_cache` does; `None` for a
    /// depcache source or when there is no depcache directory for the repository.
    fallback: Option<(PathBuf, FlatHashCache)>,
    eclasses: Arc<EclassPath>,
    trusted: bool,
}

/// Which cache a version's entry was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryOrigin {
    /// The repository's metadata source ([`MetadataSource::kind`]).
    Own,
    /// Portage's dependency cache, consulted after the repository's own cache.
    DepCache,
}

impl std::fmt::Debug for MetadataSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MetadataSource")
            .field("kind", &self.kind)
            .field("dir", &self.dir)
            .field("fallback", &self.fallback.as_ref().map(|(d, _)| d))
            .field("trusted", &self.trusted)
            .finish_non_exhaustive()
    }
}

impl MetadataSource {
    /// A source of `kind` rooted at `dir` (the directory holding the category
    /// directories), validated against `eclasses`; `trusted` skips validation (frozen
    /// repositories). Always read-only.
    pub fn new(
        kind: MetadataSourceKind,
        dir: PathBuf,
        eclasses: Arc<EclassPath>,
        trusted: bool,
    ) -> Self {
        let cache: Box<dyn MetadataCache> = match kind {
            MetadataSourceKind::Md5Dict => {
                Box::new(Md5DictCache::at(dir.clone(), eclasses.clone()).trusted(trusted))
            }
            MetadataSourceKind::Pms => Box::new(FlatListCache::at(dir.clone(), eclasses.clone())),
            MetadataSourceKind::DepCache => {
                Box::new(FlatHashCache::at(dir.clone(), eclasses.clone()))
            }
        };
        MetadataSource {
            kind,
            dir,
            cache,
            fallback: None,
            eclasses,
            trusted,
        }
    }

    /// The same source with Portage's dependency cache at `dir` consulted after it (see
    /// [`MetadataSource::read_valid`]); ignored for a source that is the depcache itself.
    pub fn with_depcache_fallback(mut self, dir: PathBuf) -> Self {
        if self.kind != MetadataSourceKind::DepCache {
            let cache = FlatHashCache::at(dir.clone(), self.eclasses.clone());
            self.fallback = Some((dir, cache));
        }
        self
    }

    /// Whether Portage's dependency cache is consulted after this source.
    pub fn has_fallback(&self) -> bool {
        self.fallback.is_some()
    }

    /// The entry of `key` as Portage picks it (`_pull_valid_cache`): this source's
    /// entry, unless there is none (or it cannot be read) or it is stale while the
    /// dependency cache holds a valid one; then the dependency cache's. With no valid
    /// entry anywhere, this source's stale one (or the depcache's, when this source has
    /// none) is returned for reporting. Validation (hashing the ebuild) only happens
    /// when both caches hold an entry. `Ok(None)`: no entry in either.
    pub fn read_valid(
        &self,
        key: &EntryKey,
        ebuild: &Path,
    ) -> Result<Option<(CacheEntry, EntryOrigin)>, CacheError> {
        let own = self.cache.get(key);
        let Some((_, depcache)) = &self.fallback else {
            return own.map(|e| e.map(|e| (e, EntryOrigin::Own)));
        };
        let dep = depcache.get(key).ok().flatten();
        match (own, dep) {
            (Ok(Some(own)), Some(dep)) => {
                if self.trusted
                    || matches!(self.cache.validate(key, &own, ebuild), Ok(Validity::Valid))
                    || !matches!(depcache.validate(key, &dep, ebuild), Ok(Validity::Valid))
                {
                    Ok(Some((own, EntryOrigin::Own)))
                } else {
                    Ok(Some((dep, EntryOrigin::DepCache)))
                }
            }
            (Ok(own), None) => Ok(own.map(|e| (e, EntryOrigin::Own))),
            (_, Some(dep)) => Ok(Some((dep, EntryOrigin::DepCache))),
            (Err(e), None) => Err(e),
        }
    }

    /// [`MetadataSource::validate`] for an entry read from `origin`.
    pub fn validate_from(
        &self,
        origin: EntryOrigin,
        key: &EntryKey,
        entry: &CacheEntry,
        ebuild: &Path,
    ) -> Result<Validity, CacheError> {
        match (origin, &self.fallback) {
            (EntryOrigin::DepCache, Some((_, depcache))) if !self.trusted => {
                depcache.validate(key, entry, ebuild)
            }
            _ => self.validate(key, entry, ebuild),
        }
    }

    /// The file the entry of `category/pf` is read from in `origin`.
    pub fn entry_path_in(&self, origin: EntryOrigin, category: &str, pf: &str) -> PathBuf {
        match (origin, &self.fallback) {
            (EntryOrigin::DepCache, Some((dir, _))) => dir.join(category).join(pf),
            _ => self.entry_path(category, pf),
        }
    }

    /// The format.
    pub fn kind(&self) -> MetadataSourceKind {
        self.kind
    }

    /// The directory holding the category directories.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file the entry of `category/pf` is read from.
    pub fn entry_path(&self, category: &str, pf: &str) -> PathBuf {
        self.dir.join(category).join(pf)
    }

    /// The eclass search path entries are validated against.
    pub fn eclass_path(&self) -> &EclassPath {
        &self.eclasses
    }

    /// The cache behind the source.
    pub fn cache(&self) -> &dyn MetadataCache {
        self.cache.as_ref()
    }

    /// The entry of `key`; `Ok(None)` when there is none.
    pub fn read(&self, key: &EntryKey) -> Result<Option<CacheEntry>, CacheError> {
        self.cache.get(key)
    }

    /// Whether `entry` (read for `key`) still describes the ebuild at `ebuild`; always
    /// valid for a trusted (frozen) source.
    pub fn validate(
        &self,
        key: &EntryKey,
        entry: &CacheEntry,
        ebuild: &Path,
    ) -> Result<Validity, CacheError> {
        if self.trusted {
            return Ok(Validity::Valid);
        }
        self.cache.validate(key, entry, ebuild)
    }
}

/// A master repository, resolved to its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterRepo {
    /// Its name.
    pub name: String,
    /// Its location.
    pub location: PathBuf,
}

/// How to open an [`EbuildRepo`].
#[derive(Debug, Clone, Default)]
pub struct EbuildRepoOptions {
    /// The repository id; default: `repo-name` of layout.conf, else `profiles/repo_name`.
    pub id: Option<String>,
    /// The masters, in layout.conf order (later ones override earlier ones' eclasses).
    pub masters: Vec<MasterRepo>,
    /// Repositories whose eclasses override this one's own (repos.conf
    /// `eclass-overrides`), highest priority first.
    pub eclass_overrides: Vec<PathBuf>,
    /// Trust the metadata cache without validating it, and the search index without
    /// re-checking its inputs.
    pub frozen: bool,
    /// Where search index files go; default: `$XDG_CACHE_HOME/strata/index`.
    pub index_dir: Option<PathBuf>,
    /// Portage's `PORTAGE_DEPCACHEDIR`, for a repository without its own metadata cache
    /// ([`MetadataSourceKind::DepCache`]); default [`DEFAULT_DEPCACHE_DIR`].
    pub depcache_dir: Option<PathBuf>,
}

pub(crate) struct Inner {
    pub(crate) id: String,
    pub(crate) location: PathBuf,
    pub(crate) masters: Vec<MasterRepo>,
    pub(crate) layout: LayoutConf,
    pub(crate) frozen: bool,
    /// The eclass directories in lookup order; the path and the cache are built on first
    /// use, so listing never reads eclass directories.
    eclass_dirs: Vec<PathBuf>,
    /// Which metadata store, and where (chosen when opened).
    source_kind: MetadataSourceKind,
    source_dir: PathBuf,
    /// Portage's dependency cache of this repository when it has its own cache too and
    /// the depcache directory exists: consulted per entry after it.
    fallback_dir: Option<PathBuf>,
    source: OnceLock<MetadataSource>,
    listed_categories: Vec<String>,
    categories: OnceLock<Vec<String>>,
    pub(crate) problems: ProblemLog,
    pub(crate) index_store: Option<IndexStore>,
    profiles: OnceLock<RepoProfiles>,
    master_profiles: OnceLock<Vec<RepoProfiles>>,
    /// The index as loaded in this process, with the tiers it passed.
    loaded: Mutex<Option<Arc<indexed::LoadedIndex>>>,
    repo_handle: OnceLock<DirHandle>,
    cache_handle: OnceLock<DirHandle>,
    cache_dir: OnceLock<PathBuf>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EbuildRepo")
            .field("id", &self.id)
            .field("location", &self.location)
            .field("masters", &self.masters)
            .field("frozen", &self.frozen)
            .finish_non_exhaustive()
    }
}

/// An ebuild repository on disk. Cheap to clone (shared state).
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use strata_repo::{EbuildRepo, Repository};
/// let dir = tempfile::tempdir()?;
/// std::fs::create_dir_all(dir.path().join("profiles"))?;
/// std::fs::write(dir.path().join("profiles/repo_name"), "tiny\n")?;
/// std::fs::create_dir_all(dir.path().join("app-misc/foo"))?;
/// std::fs::write(dir.path().join("app-misc/foo/foo-1.ebuild"), "EAPI=8\n")?;
/// let repo = EbuildRepo::open(dir.path())?;
/// assert_eq!(repo.id(), "tiny");
/// assert_eq!(repo.categories()?, ["app-misc"]);
/// assert_eq!(repo.versions("app-misc", "foo")?[0].to_string(), "app-misc/foo-1");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct EbuildRepo {
    pub(crate) inner: Arc<Inner>,
}

fn read_lines(path: &Path) -> Result<Vec<String>, RepoError> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(s
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(RepoError::io(path, e)),
    }
}

impl EbuildRepo {
    /// Opens the repository at `location` on its own (no masters resolved).
    pub fn open(location: impl AsRef<Path>) -> Result<EbuildRepo, RepoError> {
        EbuildRepo::open_with(location, EbuildRepoOptions::default())
    }

    /// Opens the repository at `location` with `opts`.
    pub fn open_with(
        location: impl AsRef<Path>,
        opts: EbuildRepoOptions,
    ) -> Result<EbuildRepo, RepoError> {
        let location = location.as_ref().to_path_buf();
        if !location.is_dir() {
            return Err(RepoError::NotARepository {
                path: location,
                reason: "not a directory".into(),
            });
        }
        let mut warnings = Vec::new();
        let layout =
            LayoutConf::read(&location, &mut warnings).map_err(|e| RepoError::NotARepository {
                path: location.join("metadata/layout.conf"),
                reason: e.to_string(),
            })?;
        let id = match opts.id {
            Some(id) => id,
            None => match layout.repo_name() {
                Some(n) => n.to_owned(),
                None => read_lines(&location.join("profiles/repo_name"))?
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| {
                        // Portage's fallback for a repository without a name.
                        let dir = location
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        format!("x-{dir}")
                    }),
            },
        };
        // Lookup order (EclassPath::for_repo's): eclass overrides, the repository's own
        // eclass/, then the masters' with the last layout.conf master first.
        let mut dirs: Vec<PathBuf> = opts
            .eclass_overrides
            .iter()
            .map(|p| p.join("eclass"))
            .collect();
        dirs.push(location.join("eclass"));
        dirs.extend(opts.masters.iter().rev().map(|m| m.location.join("eclass")));
        let mut listed = read_lines(&location.join("profiles/categories"))?;
        for m in &opts.masters {
            listed.extend(read_lines(&m.location.join("profiles/categories"))?);
        }
        listed.sort();
        listed.dedup();
        let index_store = match opts.index_dir {
            Some(d) => Some(IndexStore::new(d)),
            None => IndexStore::user_default(),
        };
        let source_kind = MetadataSourceKind::select(&location, &layout);
        let depcache_dir = depcache_location(
            opts.depcache_dir
                .as_deref()
                .unwrap_or(Path::new(DEFAULT_DEPCACHE_DIR)),
            &location,
        );
        // Portage creates a repository's depcache directory when it opens the cache, and
        // its category directories only when it writes an entry: an empty directory
        // holds nothing to fall back on (and keeps the search index usable).
        let holds_entries = |d: &Path| std::fs::read_dir(d).is_ok_and(|mut r| r.next().is_some());
        let (source_dir, fallback_dir) = match source_kind {
            MetadataSourceKind::Md5Dict => (
                location.join("metadata").join("md5-cache"),
                holds_entries(&depcache_dir).then_some(depcache_dir),
            ),
            MetadataSourceKind::Pms => (
                location.join("metadata").join("cache"),
                holds_entries(&depcache_dir).then_some(depcache_dir),
            ),
            MetadataSourceKind::DepCache => (depcache_dir, None),
        };
        Ok(EbuildRepo {
            inner: Arc::new(Inner {
                id,
                location,
                masters: opts.masters,
                layout,
                frozen: opts.frozen,
                eclass_dirs: dirs,
                source_kind,
                source_dir,
                fallback_dir,
                source: OnceLock::new(),
                listed_categories: listed,
                categories: OnceLock::new(),
                problems: ProblemLog::default(),
                index_store,
                profiles: OnceLock::new(),
                master_profiles: OnceLock::new(),
                loaded: Mutex::new(None),
                repo_handle: OnceLock::new(),
                cache_handle: OnceLock::new(),
                cache_dir: OnceLock::new(),
            }),
        })
    }

    /// Opens the repository `config` describes, resolving its masters (and eclass
    /// overrides) in `set`. A repository without its own metadata cache reads the
    /// dependency cache under [`DEFAULT_DEPCACHE_DIR`]; [`EbuildRepo::from_domain`] takes
    /// `PORTAGE_DEPCACHEDIR` from the domain's settings.
    pub fn from_config(
        config: &RepoConfig,
        set: &RepoSet,
        index_dir: Option<PathBuf>,
    ) -> Result<EbuildRepo, RepoError> {
        EbuildRepo::from_config_with(config, set, index_dir, None)
    }

    /// Opens the repository `config` of `domain` (masters resolved in the domain's
    /// repositories), with the dependency cache at the domain's `PORTAGE_DEPCACHEDIR`
    /// (make.conf; default [`DEFAULT_DEPCACHE_DIR`]).
    pub fn from_domain(
        config: &RepoConfig,
        domain: &Domain,
        index_dir: Option<PathBuf>,
    ) -> Result<EbuildRepo, RepoError> {
        let depcache = domain
            .setting("PORTAGE_DEPCACHEDIR")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from);
        EbuildRepo::from_config_with(config, &domain.repos, index_dir, depcache)
    }

    fn from_config_with(
        config: &RepoConfig,
        set: &RepoSet,
        index_dir: Option<PathBuf>,
        depcache_dir: Option<PathBuf>,
    ) -> Result<EbuildRepo, RepoError> {
        let mut masters = Vec::new();
        for m in &config.masters {
            let master = set.get(m).ok_or_else(|| RepoError::UnknownMaster {
                repo: config.name.clone(),
                master: m.clone(),
            })?;
            masters.push(MasterRepo {
                name: master.name.clone(),
                location: master.location.clone(),
            });
        }
        let eclass_overrides = config
            .eclass_overrides
            .iter()
            .filter_map(|n| set.get(n))
            .map(|r| r.location.clone())
            .collect();
        EbuildRepo::open_with(
            &config.location,
            EbuildRepoOptions {
                id: Some(config.name.clone()),
                masters,
                eclass_overrides,
                frozen: false,
                index_dir,
                depcache_dir,
            },
        )
    }

    /// The masters, in layout.conf order.
    pub fn masters(&self) -> &[MasterRepo] {
        &self.inner.masters
    }

    /// The parsed `metadata/layout.conf`.
    pub fn layout(&self) -> &LayoutConf {
        &self.inner.layout
    }

    /// The eclass search path (own `eclass/` first, then masters, last master first).
    pub fn eclass_path(&self) -> &EclassPath {
        self.inner.source().eclass_path()
    }

    /// The metadata source (its eclass path is built on first use).
    pub fn metadata_source(&self) -> &MetadataSource {
        self.inner.source()
    }

    /// Which metadata store this repository reads (chosen when opened; reads nothing).
    pub fn metadata_source_kind(&self) -> MetadataSourceKind {
        self.inner.source_kind
    }

    /// The metadata cache.
    pub fn cache(&self) -> &dyn MetadataCache {
        self.inner.source().cache()
    }

    /// The packages that are unavailable or suspect, with the reason (what was found so
    /// far; [`EbuildRepo::check_all`] looks at everything).
    pub fn bad_packages(&self) -> Vec<Problem> {
        self.inner.problems.all()
    }

    /// Reads and validates the metadata of every package (in parallel) and returns every
    /// problem found.
    pub fn check_all(&self) -> Result<Vec<Problem>, RepoError> {
        let pkgs = self.itermatch(&Restriction::AlwaysTrue, &MatchOptions::fast())?;
        use rayon::prelude::*;
        pkgs.par_iter().for_each(|p| {
            let _ = p.problem();
            let _ = p.metadata_xml();
        });
        Ok(self.bad_packages())
    }

    /// `profiles/` data: thirdpartymirrors, use.desc, use.local.desc (read once).
    pub fn profiles(&self) -> &RepoProfiles {
        self.inner
            .profiles
            .get_or_init(|| RepoProfiles::read(&self.inner.location.join("profiles")))
    }

    /// The masters' `profiles/` data, in layout.conf order (read once).
    pub fn master_profiles(&self) -> &[RepoProfiles] {
        self.inner.master_profiles.get_or_init(|| {
            self.inner
                .masters
                .iter()
                .map(|m| RepoProfiles::read(&m.location.join("profiles")))
                .collect()
        })
    }

    /// The third-party mirrors in effect for this repository: the masters' in
    /// layout.conf order, then its own, a later definition of a mirror name replacing an
    /// earlier one.
    pub fn thirdpartymirrors(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        let mut out = std::collections::BTreeMap::new();
        for p in self.master_profiles().iter().chain([self.profiles()]) {
            for (k, v) in &p.thirdpartymirrors {
                out.insert(k.clone(), v.clone());
            }
        }
        out
    }

    /// The description of USE flag `flag` of `category/package`: the package's
    /// metadata.xml first, then use.local.desc and use.desc of this repository, then of
    /// its masters (last master first).
    pub fn use_description(&self, category: &str, package: &str, flag: &str) -> Option<String> {
        if let Some(d) = self.metadata_xml(category, package).use_flag(flag) {
            return Some(d.to_owned());
        }
        let cp = format!("{category}/{package}");
        std::iter::once(self.profiles())
            .chain(self.master_profiles().iter().rev())
            .find_map(|p| p.use_description(&cp, flag))
            .map(str::to_owned)
    }

    /// The parsed metadata.xml of `category/package` (empty when there is none), read
    /// now (packages keep what they read). A parse error is recorded as a problem and
    /// what could be read is returned.
    pub fn metadata_xml(&self, category: &str, package: &str) -> Arc<PackageMetadata> {
        self.inner.metadata_xml(category, package)
    }

    fn compute_categories(&self) -> Result<Vec<String>, RepoError> {
        let loc = &self.inner.location;
        let entries = crate::listing::list(loc).map_err(|e| RepoError::io(loc, e))?;
        let mut out = Vec::new();
        for (name, kind) in entries {
            if name.starts_with('.')
                || RESERVED_DIRS.contains(&name.as_str())
                || strata_atom::name::validate_category(&name).is_err()
                || kind != crate::listing::Kind::Dir
            {
                continue;
            }
            if self.inner.listed_categories.binary_search(&name).is_ok() {
                out.push(name);
                continue;
            }
            // An unlisted directory counts when it holds a package with an ebuild.
            if self.packages(&name)?.iter().any(|p| {
                std::fs::read_dir(loc.join(&name).join(p)).is_ok_and(|rd| {
                    rd.flatten()
                        .any(|e| e.file_name().to_string_lossy().ends_with(".ebuild"))
                })
            }) {
                out.push(name);
            }
        }
        out.sort();
        Ok(out)
    }

    /// The package names of a category listing (entry names and kinds): hidden and
    /// non-directory entries are left out, invalid names recorded as problems.
    fn packages_from(
        &self,
        category: &str,
        entries: impl IntoIterator<Item = (String, crate::listing::Kind)>,
    ) -> Vec<String> {
        let dir = self.inner.location.join(category);
        let mut out = Vec::new();
        for (name, kind) in entries {
            if name.starts_with('.') || kind != crate::listing::Kind::Dir {
                continue;
            }
            if strata_atom::name::validate_package(&name).is_err() {
                self.inner.record(
                    format!("{category}/{name}"),
                    dir.join(&name),
                    ProblemKind::InvalidName {
                        message: format!("{name:?} is not a valid package name"),
                    },
                );
                continue;
            }
            out.push(name);
        }
        out.sort();
        out
    }

    /// The versions of a package directory listing (entry names): `*.ebuild` files whose
    /// name is a valid PF of that package; others are recorded as problems.
    fn versions_from<'a>(
        &self,
        category: &str,
        package: &str,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Vec<Cpv> {
        let dir = self.inner.location.join(category).join(package);
        let mut out = Vec::new();
        for name in names {
            let Some(pf) = name.strip_suffix(".ebuild") else {
                continue;
            };
            if pf.starts_with('.') {
                continue;
            }
            let bad = |message: String| {
                self.inner.record(
                    format!("{category}/{pf}"),
                    dir.join(name),
                    ProblemKind::InvalidName { message },
                );
            };
            match Cpv::from_category_pf(category, pf) {
                Ok(cpv) if cpv.package() == package => out.push(cpv),
                Ok(cpv) => bad(format!(
                    "{name} names package {:?}, but lives in {package}/",
                    cpv.package()
                )),
                Err(e) => bad(e.to_string()),
            }
        }
        out.sort();
        out
    }

    fn categories_live(&self) -> Result<Vec<String>, RepoError> {
        Repository::categories(self)
    }

    /// The package for `cpv` as this repository's concrete type.
    pub fn ebuild_package(&self, cpv: Cpv) -> EbuildPackage {
        EbuildPackage::new(cpv, self.inner.clone())
    }
}

impl Inner {
    /// The metadata source with its eclass path (built on first use). An eclass
    /// directory that cannot be read is recorded as a problem and left out (entries
    /// inheriting its eclasses then show as stale).
    pub(crate) fn source(&self) -> &MetadataSource {
        self.source.get_or_init(|| {
            let (path, unreadable) = EclassPath::skipping_unreadable(self.eclass_dirs.clone());
            for (dir, e) in unreadable {
                self.record(
                    "eclass".to_owned(),
                    dir,
                    ProblemKind::BadMetadata {
                        key: "eclass".to_owned(),
                        message: e.to_string(),
                    },
                );
            }
            let source = MetadataSource::new(
                self.source_kind,
                self.source_dir.clone(),
                Arc::new(path),
                self.frozen,
            );
            match &self.fallback_dir {
                Some(dir) => source.with_depcache_fallback(dir.clone()),
                None => source,
            }
        })
    }

    /// Where the entry of `category/pf` is read from (no eclass path needed).
    pub(crate) fn entry_path(&self, category: &str, pf: &str) -> PathBuf {
        self.source_dir.join(category).join(pf)
    }

    /// Whether the search index (built from md5-cache entries and stamping them) covers
    /// this repository's metadata: only for the md5-dict source.
    /// Whether the search index (built from md5-cache files) holds every version's
    /// metadata: not for other sources, nor when Portage's depcache may supply entries
    /// the md5-cache lacks or has stale.
    pub(crate) fn index_covers_metadata(&self) -> bool {
        self.source_kind == MetadataSourceKind::Md5Dict && self.fallback_dir.is_none()
    }

    pub(crate) fn record(&self, key: String, path: PathBuf, kind: ProblemKind) -> Problem {
        let p = Problem {
            repo: self.id.clone(),
            key,
            path,
            kind,
        };
        self.problems.record(p.clone());
        p
    }

    pub(crate) fn metadata_xml(&self, category: &str, package: &str) -> Arc<PackageMetadata> {
        let cp = format!("{category}/{package}");
        let path = self.location.join(&cp).join("metadata.xml");
        Arc::new(self.parse_metadata_xml(&cp, &path))
    }

    pub(crate) fn parse_metadata_xml(&self, cp: &str, path: &Path) -> PackageMetadata {
        let text = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return PackageMetadata::default();
            }
            Err(e) => {
                self.record(
                    cp.to_owned(),
                    path.to_owned(),
                    ProblemKind::MetadataXml {
                        message: e.to_string(),
                    },
                );
                return PackageMetadata::default();
            }
        };
        let text = String::from_utf8_lossy(&text);
        let (m, err) = parse_metadata_xml(&text);
        if let Some(err) = err {
            self.record(
                cp.to_owned(),
                path.to_owned(),
                ProblemKind::MetadataXml {
                    message: err.to_string(),
                },
            );
        }
        m
    }
}

impl Repository for EbuildRepo {
    fn id(&self) -> &str {
        &self.inner.id
    }

    fn location(&self) -> Option<&Path> {
        Some(&self.inner.location)
    }

    fn frozen(&self) -> bool {
        self.inner.frozen
    }

    fn categories(&self) -> Result<Vec<String>, RepoError> {
        if let Some(c) = self.inner.categories.get() {
            return Ok(c.clone());
        }
        let c = self.compute_categories()?;
        Ok(self.inner.categories.get_or_init(|| c).clone())
    }

    fn packages(&self, category: &str) -> Result<Vec<String>, RepoError> {
        if category.contains('/') || category.starts_with('.') {
            return Ok(Vec::new());
        }
        let dir = self.inner.location.join(category);
        let entries = crate::listing::list_or_empty(&dir).map_err(|e| RepoError::io(&dir, e))?;
        Ok(self.packages_from(category, entries))
    }

    fn versions(&self, category: &str, package: &str) -> Result<Vec<Cpv>, RepoError> {
        if category.contains('/') || package.contains('/') {
            return Ok(Vec::new());
        }
        let dir = self.inner.location.join(category).join(package);
        let entries = crate::listing::list_or_empty(&dir).map_err(|e| RepoError::io(&dir, e))?;
        Ok(self.versions_from(
            category,
            package,
            entries.iter().map(|(name, _)| name.as_str()),
        ))
    }

    fn make_package(&self, cpv: Cpv) -> PackageRef {
        Arc::new(self.ebuild_package(cpv))
    }

    fn problems(&self) -> Vec<Problem> {
        self.bad_packages()
    }

    fn itermatch(
        &self,
        restriction: &Restriction,
        opts: &MatchOptions,
    ) -> Result<Vec<PackageRef>, RepoError> {
        let cands = restriction.candidates();
        let few = cands
            .exact_pairs()
            .is_some_and(|p| p.len() <= DIRECT_MAX_PAIRS);
        // The index is built from md5-cache entries: another metadata source takes the
        // direct path.
        let use_index = opts.use_index && self.inner.index_covers_metadata();
        if use_index
            && !few
            && let Some(result) = self.itermatch_indexed(restriction, &cands, opts)
        {
            return result;
        }
        let mut cpvs = candidate_cpvs(self, &cands)?;
        // Few candidates are cheaper to read directly than to check (or build) the index.
        if use_index && cpvs.len() > INDEX_MIN_CANDIDATES {
            cpvs = search::prefilter(self, restriction, cpvs)?;
        }
        Ok(filter_packages(self, cpvs, restriction, opts))
    }
}
