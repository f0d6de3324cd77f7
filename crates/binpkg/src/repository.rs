//! A PKGDIR as a [`Repository`]: the binary packages of a local binary-package
//! directory, listed from its `Packages` index and validated against the files
//! (formats.md §7, Portage's `bintree._populate_local`).
//!
//! * **Listing.** The index is the fast path: an entry whose file exists with the `SIZE`
//!   and `MTIME` the index records is used as it is, without opening the file. An entry
//!   whose file differs is recorded as a problem and the package is read from the file
//!   itself; an entry whose file is missing is recorded and not listed; a file the index
//!   does not know is found by scanning (both layouts) and read from its own metadata.
//!   With [`BinpkgRepoOptions::trust_index`] (Portage's `pkgdir-index-trusted`) the files
//!   are not looked at.
//! * **Identity.** Several builds of one `CATEGORY/PF` (multi-instance `BUILD_ID`s) are
//!   distinct packages with the same [`Cpv`]: the cpv is the plain `category/PF`, so atoms
//!   match every build, and the build is told apart by [`BinpkgPackage::build_id`]
//!   (attribute `build_id`), its file ([`Package::path`]) and
//!   [`BinpkgPackage::instance_key`] (`category/PF-BUILD_ID`, as the file is named).
//!   [`Repository::versions`] lists each cpv once; [`Repository::itermatch`] gives every
//!   build, sorted by cpv and then BUILD_ID (a build without an id first);
//!   [`Repository::make_package`] gives the build Portage prefers by default: the newest
//!   `BUILD_TIME`, then the highest `BUILD_ID`.
//! * **Attributes.** What the index holds (USE-evaluated dependency classes, USE, IUSE,
//!   SLOT, KEYWORDS, LICENSE, EAPI, BUILD_ID, BUILD_TIME, CHOST, REPO, MD5, SHA1, SIZE,
//!   PATH, ...) is answered from it; anything else (DESCRIPTION, HOMEPAGE, INHERITED,
//!   CBUILD, IUSE_EFFECTIVE, the environment) from the package's own metadata, read on
//!   first use. [`Package::contents`] lists the image without extracting it.
//! * **Problems** are [`ProblemKind::BadMetadata`] (strata-repo has no kind for
//!   binary packages) whose `key` says what is wrong: `Packages` (stale entry, file not
//!   indexed, index unusable), `PATH` (file missing, path outside the PKGDIR, named
//!   twice), `CPV`, or `binpkg` (a file that cannot be read, or whose metadata
//!   contradicts its name). The problem's own `key` is `category/PF-BUILD_ID` (or
//!   `category/PF`). A listed build is always usable from its index entry, so
//!   [`Package::problem`] is `None` unless reading its file later fails.
//! * **Reading never writes.** The index is read without a lock (as Portage's readers
//!   do), never rewritten, and nothing is created in the PKGDIR.
//!
//! ```
//! use strata_binpkg::BinpkgRepo;
//! use strata_repo::{MatchOptions, Package, Repository};
//! use strata_restrict::parse_target;
//!
//! # let shared = std::env::var_os("STRATA_SHARED")
//! #     .map(std::path::PathBuf::from)
//! #     .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
//! let repo = BinpkgRepo::open(shared.join("data/portage-made/pkgdir-gpkg-zstd"))?;
//! let builds = repo.itermatch(&parse_target("app-misc/usetoggle")?, &MatchOptions::default())?;
//! // Two builds (BUILD_ID 1 and 2) of one cpv, with different USE.
//! assert_eq!(builds.len(), 2);
//! assert_eq!(builds[0].cpv(), builds[1].cpv());
//! assert_eq!(builds[0].get("BUILD_ID"), Some("1"));
//! assert!(builds[0].built_use().unwrap().contains(&"foo"));
//! assert!(builds[1].built_use().unwrap().contains(&"bar"));
//! // The file list, from the image, without extracting it.
//! let files = builds[0].contents().unwrap();
//! assert!(files.get("/usr/share/usetoggle/foo.txt").is_some());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use indexmap::IndexMap;
use strata_atom::Eapi;
use strata_atom::cpv::Cpv;
use strata_atom::depspec::{DepKind, DepSpec};
use strata_config::domain::Domain;
use strata_config::repos::RepoConfig;
use strata_repo::attrs::{RawMetadata, cpv_attr, dep_kind, dep_slot, raw_attr};
use strata_repo::contents::{Contents, ContentsEntry, ContentsError, EntryKind as ContentsKind};
use strata_repo::domain::BinaryRepoFactory;
use strata_repo::error::{Problem, ProblemKind, RepoError};
use strata_repo::package::{Package, PackageRef, Placeholder};
use strata_repo::repository::{MatchOptions, Repository};
use strata_restrict::{Attr, AttrValue, PackageAttrs, Restriction, StrList};

use crate::binpkg::Binpkg;
use crate::image::{EntryKind, Limits};
use crate::index::{INHERITED_KEYS, IndexEntry, PACKAGE_DEFAULTS, PACKAGE_KEYS};
use crate::metadata::Metadata;
use crate::pkgdir::{self, PkgdirFile};

/// How [`BinpkgRepo::open_with`] opens a PKGDIR.
#[derive(Debug, Clone, Default)]
pub struct BinpkgRepoOptions {
    /// The repository id (default `binpkgs`, the name Portage's PKGDIR gets).
    pub id: Option<String>,
    /// Trust the `Packages` index without looking at the files (Portage's
    /// `FEATURES=pkgdir-index-trusted`): no scan, no size/mtime check.
    pub trust_index: bool,
    /// Limits applied when listing images (default: [`Limits::default`]).
    pub limits: Option<Limits>,
}

/// The id a PKGDIR gets when none is given.
pub const DEFAULT_ID: &str = "binpkgs";

/// One binary package file: its identity, its index entry (from `Packages`, or built
/// from the file when the index is stale) and what is read from the file on demand.
#[derive(Debug)]
struct Instance {
    cpv: Cpv,
    build_id: Option<u64>,
    build_time: u64,
    path: PathBuf,
    path_str: String,
    entry: IndexEntry,
    from_index: bool,
    metadata: OnceLock<Result<Metadata, String>>,
    /// MD5 and SHA1 of the file, when the entry does not record them.
    digests: OnceLock<Option<(String, String)>>,
    contents: OnceLock<Contents>,
    environment: OnceLock<Option<String>>,
    deps: [OnceLock<Option<DepSpec>>; 5],
}

impl Instance {
    fn new(
        cpv: Cpv,
        build_id: Option<u64>,
        path: PathBuf,
        entry: IndexEntry,
        from_index: bool,
    ) -> Instance {
        let build_time = entry
            .raw("BUILD_TIME")
            .and_then(|t| t.trim().parse().ok())
            .unwrap_or(0);
        Instance {
            cpv,
            build_id,
            build_time,
            path_str: path.to_string_lossy().into_owned(),
            path,
            entry,
            from_index,
            metadata: OnceLock::new(),
            digests: OnceLock::new(),
            contents: OnceLock::new(),
            environment: OnceLock::new(),
            deps: Default::default(),
        }
    }

    /// `category/PF` or `category/PF-BUILD_ID`.
    fn key(&self) -> String {
        key_of(&self.cpv, self.build_id)
    }
}

#[derive(Debug)]
struct Inner {
    id: String,
    location: PathBuf,
    header: IndexMap<String, String>,
    /// category → package name → builds, sorted by version then BUILD_ID.
    tree: BTreeMap<String, BTreeMap<String, Vec<Arc<Instance>>>>,
    problems: Mutex<Vec<Problem>>,
    limits: Limits,
}

impl Inner {
    fn record(&self, p: Problem) {
        let mut g = self.problems.lock().unwrap_or_else(PoisonError::into_inner);
        if !g.contains(&p) {
            g.push(p);
        }
    }
}

/// A local binary-package directory (PKGDIR) as a read-only repository. Cheap to clone.
#[derive(Debug, Clone)]
pub struct BinpkgRepo {
    inner: Arc<Inner>,
}

/// A problem about a file of the PKGDIR. `BadMetadata` is the closest kind strata-repo
/// has: its `key` names what is wrong (`Packages`, `PATH`, `binpkg`).
fn problem(repo: &str, key: &str, path: &Path, what: &str, message: String) -> Problem {
    Problem {
        repo: repo.to_owned(),
        key: key.to_owned(),
        path: path.to_owned(),
        kind: ProblemKind::BadMetadata {
            key: what.to_owned(),
            message,
        },
    }
}

/// Whether an index `PATH` stays inside the PKGDIR (relative, no `..`).
fn safe_rel_path(rel: &str) -> bool {
    !rel.is_empty()
        && Path::new(rel)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

impl BinpkgRepo {
    /// Opens the PKGDIR at `location` with id [`DEFAULT_ID`], validating the index
    /// against the files. A location that does not exist is an empty repository.
    pub fn open(location: impl Into<PathBuf>) -> Result<BinpkgRepo, RepoError> {
        BinpkgRepo::open_with(location, &BinpkgRepoOptions::default())
    }

    /// Opens the PKGDIR at `location` with `opts`.
    pub fn open_with(
        location: impl Into<PathBuf>,
        opts: &BinpkgRepoOptions,
    ) -> Result<BinpkgRepo, RepoError> {
        let location = location.into();
        let id = opts.id.clone().unwrap_or_else(|| DEFAULT_ID.to_owned());
        let mut inner = Inner {
            id,
            location,
            header: IndexMap::new(),
            tree: BTreeMap::new(),
            problems: Mutex::new(Vec::new()),
            limits: opts.limits.unwrap_or_default(),
        };
        match std::fs::metadata(&inner.location) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(RepoError::NotARepository {
                    path: inner.location.clone(),
                    reason: "not a directory".to_owned(),
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(BinpkgRepo {
                    inner: Arc::new(inner),
                });
            }
            Err(e) => return Err(RepoError::io(&inner.location, e)),
        }
        let instances = populate(&mut inner, opts.trust_index)?;
        let mut seen: HashSet<(Cpv, Option<u64>)> = HashSet::new();
        for inst in instances {
            if !seen.insert((inst.cpv.clone(), inst.build_id)) {
                let p = problem(
                    &inner.id,
                    &inst.key(),
                    &inst.path,
                    "binpkg",
                    "another file holds the same package and BUILD_ID; left out".to_owned(),
                );
                inner.record(p);
                continue;
            }
            inner
                .tree
                .entry(inst.cpv.category().to_owned())
                .or_default()
                .entry(inst.cpv.package().to_owned())
                .or_default()
                .push(Arc::new(inst));
        }
        for pkgs in inner.tree.values_mut() {
            for builds in pkgs.values_mut() {
                builds.sort_by(|a, b| {
                    a.cpv
                        .cmp(&b.cpv)
                        .then(a.build_id.cmp(&b.build_id))
                        .then(a.path.cmp(&b.path))
                });
            }
        }
        Ok(BinpkgRepo {
            inner: Arc::new(inner),
        })
    }

    /// The `Packages` header as read (empty when there is no usable index).
    pub fn index_header(&self) -> &IndexMap<String, String> {
        &self.inner.header
    }

    /// Every build of `cpv`, sorted by BUILD_ID.
    pub fn instances(&self, cpv: &Cpv) -> Vec<BinpkgPackage> {
        self.builds(cpv.category(), cpv.package())
            .iter()
            .filter(|i| i.cpv == *cpv)
            .map(|i| self.package_of(i))
            .collect()
    }

    /// The build of `cpv` with `build_id` (`None`: the build without an id).
    pub fn instance(&self, cpv: &Cpv, build_id: Option<u64>) -> Option<BinpkgPackage> {
        self.builds(cpv.category(), cpv.package())
            .iter()
            .find(|i| i.cpv == *cpv && i.build_id == build_id)
            .map(|i| self.package_of(i))
    }

    /// The build of `cpv` Portage prefers by default: the newest `BUILD_TIME`, then the
    /// highest `BUILD_ID`.
    pub fn preferred(&self, cpv: &Cpv) -> Option<BinpkgPackage> {
        self.builds(cpv.category(), cpv.package())
            .iter()
            .filter(|i| i.cpv == *cpv)
            .max_by_key(|i| (i.build_time, i.build_id))
            .map(|i| self.package_of(i))
    }

    /// Every package (every build), sorted.
    pub fn packages_all(&self) -> Vec<BinpkgPackage> {
        self.inner
            .tree
            .values()
            .flat_map(|p| p.values())
            .flatten()
            .map(|i| self.package_of(i))
            .collect()
    }

    fn builds(&self, category: &str, package: &str) -> &[Arc<Instance>] {
        self.inner
            .tree
            .get(category)
            .and_then(|p| p.get(package))
            .map_or(&[], Vec::as_slice)
    }

    fn package_of(&self, inst: &Arc<Instance>) -> BinpkgPackage {
        BinpkgPackage {
            inst: Arc::clone(inst),
            repo: Arc::clone(&self.inner),
        }
    }
}

/// Reads the index and the files into the list of builds, recording problems.
fn populate(inner: &mut Inner, trust_index: bool) -> Result<Vec<Instance>, RepoError> {
    let location = inner.location.clone();
    let index_path = location.join(pkgdir::INDEX_FILE);
    let index = match pkgdir::read_index(&location) {
        Ok(i) => i,
        Err(e) => {
            let p = problem(
                &inner.id,
                pkgdir::INDEX_FILE,
                &index_path,
                "Packages",
                format!("index not usable, reading the files instead: {e}"),
            );
            inner.record(p);
            None
        }
    };
    let index = index.unwrap_or_default();
    inner.header = index.header.clone();

    let files: Vec<PkgdirFile> = if trust_index {
        Vec::new()
    } else {
        pkgdir::scan(&location).map_err(|e| RepoError::NotARepository {
            path: location.clone(),
            reason: format!("cannot scan the PKGDIR: {e}"),
        })?
    };
    let mut by_path: HashMap<&str, &PkgdirFile> =
        files.iter().map(|f| (f.rel_path.as_str(), f)).collect();
    let mut out = Vec::new();
    // Files whose index entry was used (so that the scan does not read them again), and
    // files already reported as stale.
    let mut covered: HashSet<String> = HashSet::new();
    let mut stale: HashSet<String> = HashSet::new();

    for entry in &index.packages {
        let cpv_text = entry.cpv();
        let rel = index.path_of(entry);
        let full = location.join(&rel);
        let Ok(cpv) = Cpv::parse(cpv_text) else {
            let p = problem(
                &inner.id,
                cpv_text,
                &index_path,
                "CPV",
                format!("index entry with an invalid CPV {cpv_text:?}; left out"),
            );
            inner.record(p);
            continue;
        };
        if !safe_rel_path(&rel) {
            let p = problem(
                &inner.id,
                cpv_text,
                &index_path,
                "PATH",
                format!("PATH {rel:?} is outside the PKGDIR; left out"),
            );
            inner.record(p);
            continue;
        }
        if covered.contains(&rel) {
            let p = problem(
                &inner.id,
                cpv_text,
                &full,
                "PATH",
                format!("a second index entry names {rel}; left out"),
            );
            inner.record(p);
            continue;
        }
        let mut entry = entry.clone();
        inherit_header(&mut entry, &index.header);
        let build_id = entry.build_id();
        if trust_index {
            covered.insert(rel.clone());
            out.push(Instance::new(cpv, build_id, full, entry, true));
            continue;
        }
        // The file as scanned, else as found directly (a PATH the scan does not cover,
        // such as the very old `All/` layout).
        let on_disk: Option<(u64, i64)> = match by_path.get(rel.as_str()) {
            Some(f) => Some((f.size, f.mtime)),
            None => std::fs::metadata(&full)
                .ok()
                .filter(std::fs::Metadata::is_file)
                .map(|m| (m.len(), m.mtime())),
        };
        let Some((size, mtime)) = on_disk else {
            let p = problem(
                &inner.id,
                &key_of(&cpv, build_id),
                &full,
                "PATH",
                "indexed in Packages but the file is missing; left out".to_owned(),
            );
            inner.record(p);
            continue;
        };
        let rec_size = entry.raw("SIZE").and_then(|s| s.trim().parse::<u64>().ok());
        let rec_mtime = entry
            .raw("MTIME")
            .and_then(|s| s.trim().parse::<i64>().ok());
        if rec_size == Some(size) && rec_mtime == Some(mtime) {
            covered.insert(rel.clone());
            out.push(Instance::new(cpv, build_id, full, entry, true));
            continue;
        }
        let shown = |v: Option<String>| v.unwrap_or_else(|| "none".to_owned());
        let p = problem(
            &inner.id,
            &key_of(&cpv, build_id),
            &full,
            "Packages",
            format!(
                "index entry is stale (SIZE {} recorded, {size} on disk; MTIME {} recorded, \
                 {mtime} on disk); read from the file",
                shown(rec_size.map(|s| s.to_string())),
                shown(rec_mtime.map(|s| s.to_string())),
            ),
        );
        inner.record(p);
        stale.insert(rel.clone());
        if !by_path.contains_key(rel.as_str()) {
            // Not found by the scan: read it from where the index says.
            if let Some(inst) = read_file(inner, &location, &rel, size, mtime, None, false) {
                covered.insert(rel.clone());
                out.push(inst);
            }
        }
    }

    by_path.retain(|rel, _| !covered.contains(*rel));
    let mut rest: Vec<&PkgdirFile> = by_path.into_values().collect();
    rest.sort_by(|a, b| a.rel_path.cmp(&b.rel_path));
    for f in rest {
        let was_stale = stale.contains(&f.rel_path);
        if let Some(inst) = read_file(
            inner,
            &location,
            &f.rel_path,
            f.size,
            f.mtime,
            Some(f),
            !was_stale,
        ) {
            out.push(inst);
        }
    }
    Ok(out)
}

/// Copies the header's non-empty `CHOST`/`REPO` into `entry` where it has none, so that
/// the entry stands alone.
fn inherit_header(entry: &mut IndexEntry, header: &IndexMap<String, String>) {
    for key in INHERITED_KEYS {
        if entry.raw(key).is_none()
            && let Some(v) = header.get(*key).filter(|v| !v.is_empty())
        {
            let _ = entry.set(key, v);
        }
    }
}

/// `category/PF` or `category/PF-BUILD_ID`.
fn key_of(cpv: &Cpv, build_id: Option<u64>) -> String {
    match build_id {
        Some(b) => format!("{cpv}-{b}"),
        None => cpv.to_string(),
    }
}

/// Reads one binpkg file's metadata and digests into a build (what Portage does for a
/// file the index does not describe). `None` when the file is unusable (recorded).
fn read_file(
    inner: &Inner,
    location: &Path,
    rel: &str,
    size: u64,
    mtime: i64,
    scanned: Option<&PkgdirFile>,
    report_unindexed: bool,
) -> Option<Instance> {
    let full = location.join(rel);
    let name_key = scanned.map_or_else(|| rel.to_owned(), |f| f.id.to_string());
    let fail = |message: String| {
        inner.record(problem(&inner.id, &name_key, &full, "binpkg", message));
    };
    let file = match scanned {
        Some(f) => f.clone(),
        None => {
            let Some(name) = Path::new(rel).file_name().and_then(|n| n.to_str()) else {
                fail("file name is not UTF-8; left out".to_owned());
                return None;
            };
            let Some(parsed) = crate::name::parse_file_name(name) else {
                fail("not a binary package file name; left out".to_owned());
                return None;
            };
            let category = Path::new(rel)
                .components()
                .next()
                .and_then(|c| c.as_os_str().to_str())
                .unwrap_or("");
            let Ok(id) = crate::name::PackageId::new(category, &parsed.pf) else {
                fail(format!(
                    "{category}/{} is not a valid CATEGORY/PF; left out",
                    parsed.pf
                ));
                return None;
            };
            PkgdirFile {
                rel_path: rel.to_owned(),
                id,
                build_id: parsed.build_id,
                format: parsed.format,
                size,
                mtime,
            }
        }
    };
    // Metadata now; MD5 and SHA1 (which need the whole file read) when asked.
    let read = crate::binpkg::read_metadata(&full).and_then(|meta| {
        let sized = crate::hashing::Digests {
            size,
            ..Default::default()
        };
        let entry = pkgdir::index_entry(&meta, rel, &sized, mtime).map_err(|e| e.in_file(&full))?;
        Ok((meta, entry))
    });
    let (meta, mut entry) = match read {
        Ok(r) => r,
        Err(e) => {
            fail(format!("unreadable, left out: {e}"));
            return None;
        }
    };
    entry.remove("MD5");
    entry.remove("SHA1");
    let Ok(cpv) = Cpv::parse(entry.cpv()) else {
        fail(format!(
            "metadata CATEGORY/PF {:?} is not valid; left out",
            entry.cpv()
        ));
        return None;
    };
    if cpv.as_str() != file.id.to_string() {
        fail(format!(
            "file name says {} but its metadata says {cpv}; left out",
            file.id
        ));
        return None;
    }
    // The name decides the build id when it carries one (the file name is what makes a
    // build unique in the directory); the metadata otherwise.
    let build_id = file.build_id.or_else(|| entry.build_id());
    if let Some(b) = build_id {
        let _ = entry.set("BUILD_ID", &b.to_string());
    }
    inherit_header(&mut entry, &inner.header);
    if report_unindexed {
        inner.record(problem(
            &inner.id,
            &key_of(&cpv, build_id),
            &full,
            "Packages",
            "not in the Packages index; read from the file".to_owned(),
        ));
    }
    let inst = Instance::new(cpv, build_id, full, entry, false);
    let _ = inst.metadata.set(Ok(meta));
    Some(inst)
}

impl Repository for BinpkgRepo {
    fn id(&self) -> &str {
        &self.inner.id
    }

    fn location(&self) -> Option<&Path> {
        Some(&self.inner.location)
    }

    fn categories(&self) -> Result<Vec<String>, RepoError> {
        Ok(self.inner.tree.keys().cloned().collect())
    }

    fn packages(&self, category: &str) -> Result<Vec<String>, RepoError> {
        Ok(self
            .inner
            .tree
            .get(category)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default())
    }

    /// Each cpv once, whatever the number of its builds.
    fn versions(&self, category: &str, package: &str) -> Result<Vec<Cpv>, RepoError> {
        let mut out: Vec<Cpv> = self
            .builds(category, package)
            .iter()
            .map(|i| i.cpv.clone())
            .collect();
        out.dedup();
        Ok(out)
    }

    /// The preferred build of `cpv` (see [`BinpkgRepo::preferred`]).
    fn make_package(&self, cpv: Cpv) -> PackageRef {
        match self.preferred(&cpv) {
            Some(p) => Arc::new(p),
            None => Arc::new(Placeholder::new(cpv, &self.inner.id)),
        }
    }

    fn problems(&self) -> Vec<Problem> {
        self.inner
            .problems
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Every build matching `restriction`.
    fn itermatch(
        &self,
        restriction: &Restriction,
        opts: &MatchOptions,
    ) -> Result<Vec<PackageRef>, RepoError> {
        let cands = restriction.candidates();
        if cands.is_none() {
            return Ok(Vec::new());
        }
        let mut out: Vec<PackageRef> = Vec::new();
        for (cat, pkgs) in &self.inner.tree {
            if !cands.matches_category(cat) {
                continue;
            }
            for (pn, builds) in pkgs {
                if !cands.matches(cat, pn) {
                    continue;
                }
                for inst in builds {
                    let p = self.package_of(inst);
                    if opts.strict
                        && p.problem()
                            .is_some_and(|prob| prob.kind.makes_unavailable())
                    {
                        continue;
                    }
                    if restriction.matches(&p) {
                        out.push(Arc::new(p));
                    }
                }
            }
        }
        Ok(out)
    }
}

/// One build of a binary package.
#[derive(Clone)]
pub struct BinpkgPackage {
    inst: Arc<Instance>,
    repo: Arc<Inner>,
}

impl std::fmt::Debug for BinpkgPackage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BinpkgPackage({}::{})", self.inst.key(), self.repo.id)
    }
}

/// The name a key has in the index, for keys the index holds.
fn index_key(key: &str) -> Option<&'static str> {
    let fk = crate::index::file_name_of(key);
    PACKAGE_KEYS.iter().copied().find(|k| *k == fk)
}

impl BinpkgPackage {
    /// BUILD_ID (multi-instance builds).
    pub fn build_id(&self) -> Option<u64> {
        self.inst.build_id
    }

    /// `category/PF-BUILD_ID` (or `category/PF` without a build id): what tells builds
    /// of one cpv apart.
    pub fn instance_key(&self) -> String {
        self.inst.key()
    }

    /// The index entry the package is listed from (built from the file when the index
    /// did not describe it), with the header's `CHOST`/`REPO` filled in.
    pub fn index_entry(&self) -> &IndexEntry {
        &self.inst.entry
    }

    /// Whether the package was listed from a valid `Packages` entry (as opposed to being
    /// read from its file).
    pub fn from_index(&self) -> bool {
        self.inst.from_index
    }

    /// The package's own metadata (XPAK segment or GPKG `metadata/`), read on first use.
    pub fn metadata(&self) -> Result<&Metadata, String> {
        self.inst
            .metadata
            .get_or_init(|| {
                crate::binpkg::read_metadata(&self.inst.path).map_err(|e| {
                    let message = format!("metadata not readable: {e}");
                    self.repo.record(problem(
                        &self.repo.id,
                        &self.inst.key(),
                        &self.inst.path,
                        "binpkg",
                        message.clone(),
                    ));
                    message
                })
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The binary package file, opened.
    pub fn binpkg(&self) -> crate::Result<Binpkg> {
        Binpkg::open(&self.inst.path)
    }

    fn meta_text(&self, key: &str) -> Option<&str> {
        let m = self.metadata().ok()?;
        m.text(key).ok().flatten()
    }

    /// The image listing as CONTENTS entries (`obj` with the md5 of the file's data, as
    /// Portage records it when merging; hard links as `obj` with their target's md5),
    /// read on first use by streaming the image, without extracting anything.
    pub fn image_contents(&self) -> &Contents {
        self.inst.contents.get_or_init(|| match list_image(self) {
            Ok(entries) => Contents {
                entries,
                errors: Vec::new(),
            },
            Err(e) => {
                self.repo.record(problem(
                    &self.repo.id,
                    &self.inst.key(),
                    &self.inst.path,
                    "binpkg",
                    format!("image not readable: {e}"),
                ));
                Contents {
                    entries: Vec::new(),
                    errors: vec![ContentsError {
                        line: 0,
                        text: e.to_string(),
                        message: "image not readable",
                    }],
                }
            }
        })
    }

    /// The saved ebuild environment, decompressed (`environment.bz2`, else
    /// `environment`).
    pub fn environment(&self) -> Option<&str> {
        self.inst
            .environment
            .get_or_init(|| {
                use std::io::Read;
                let m = self.metadata().ok()?;
                if let Some(b) = m.get("environment.bz2") {
                    let mut raw = Vec::new();
                    bzip2::read::BzDecoder::new(b).read_to_end(&mut raw).ok()?;
                    return Some(String::from_utf8_lossy(&raw).into_owned());
                }
                m.get("environment")
                    .map(|b| String::from_utf8_lossy(b).into_owned())
            })
            .as_deref()
    }

    /// A dependency class (USE-evaluated in a binpkg), parsed.
    pub fn deps(&self, kind: DepKind) -> Option<&DepSpec> {
        let i = dep_slot(kind)?;
        self.inst.deps[i]
            .get_or_init(|| {
                let eapi = Eapi::parse(self.get("EAPI").unwrap_or("0")).ok()?;
                DepSpec::parse(self.get(kind.key()).unwrap_or(""), kind, eapi).ok()
            })
            .as_ref()
    }

    /// MD5 and SHA1 of the file, computed on first use (for builds whose index entry
    /// does not record them).
    fn file_digests(&self) -> Option<(&str, &str)> {
        self.inst
            .digests
            .get_or_init(|| {
                use strata_fetch::hash::{HashAlgorithm, hash_reader};
                let f = std::fs::File::open(&self.inst.path).ok()?;
                let d = hash_reader(f, [HashAlgorithm::Md5, HashAlgorithm::Sha1]).ok()?;
                Some((
                    d.hex(HashAlgorithm::Md5.name())?,
                    d.hex(HashAlgorithm::Sha1.name())?,
                ))
            })
            .as_ref()
            .map(|(a, b)| (a.as_str(), b.as_str()))
    }

    /// The size of the binary package file in bytes.
    pub fn file_size(&self) -> Option<u64> {
        self.inst.entry.raw("SIZE")?.trim().parse().ok()
    }
}

/// Streams the image of `pkg`, turning each entry into a CONTENTS entry.
fn list_image(pkg: &BinpkgPackage) -> crate::Result<Vec<ContentsEntry>> {
    use md5::Digest;
    use std::io::Read;
    let bin = pkg.binpkg()?;
    let mut out = Vec::new();
    let mut md5s: HashMap<PathBuf, String> = HashMap::new();
    let mut buf = vec![0u8; 64 * 1024];
    crate::image::walk(
        bin.image_tar()?,
        bin.image_prefix(),
        &pkg.repo.limits,
        |e, data, _| {
            let mtime = i64::try_from(e.mtime).unwrap_or(i64::MAX);
            let kind = match &e.kind {
                EntryKind::Dir => ContentsKind::Dir,
                EntryKind::File { .. } => {
                    let mut h = md5::Md5::new();
                    loop {
                        let n = data.read(&mut buf)?;
                        if n == 0 {
                            break;
                        }
                        h.update(&buf[..n]);
                    }
                    let md5 = crate::hashing::hex(&h.finalize());
                    md5s.insert(e.path.clone(), md5.clone());
                    ContentsKind::Obj { md5, mtime }
                }
                EntryKind::Hardlink { target } => {
                    let md5 = md5s.get(target).cloned().unwrap_or_default();
                    md5s.insert(e.path.clone(), md5.clone());
                    ContentsKind::Obj { md5, mtime }
                }
                EntryKind::Symlink { target } => ContentsKind::Sym {
                    target: target.to_string_lossy().into_owned(),
                    mtime,
                },
                EntryKind::Fifo => ContentsKind::Fifo,
                EntryKind::Device { .. } => ContentsKind::Device,
            };
            out.push(ContentsEntry {
                path: e.path.to_string_lossy().into_owned(),
                kind,
            });
            Ok(())
        },
    )
    .map_err(|e| e.in_file(bin.path()))?;
    Ok(out)
}

impl RawMetadata for BinpkgPackage {
    fn raw(&self, key: &str) -> Option<&str> {
        self.get(key)
    }
}

impl PackageAttrs for BinpkgPackage {
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
        if let Some(v) = cpv_attr(&self.inst.cpv, attr) {
            return Some(v);
        }
        match attr {
            Attr::Repo => Some(AttrValue::text(&self.repo.id)),
            Attr::SourceRepository => self.get("repository").map(AttrValue::text),
            Attr::Path => Some(AttrValue::text(&self.inst.path_str)),
            Attr::Use => Some(AttrValue::spaced(self.get("USE").unwrap_or(""))),
            Attr::Contents => Some(AttrValue::List(StrList::Owned(
                self.image_contents().paths().map(str::to_owned).collect(),
            ))),
            Attr::Size => self.file_size().map(AttrValue::Number),
            Attr::BuildId => self.inst.build_id.map(AttrValue::Number),
            Attr::Environment => self.environment().map(AttrValue::text),
            a if let Some(kind) = dep_kind(a) => {
                Some(AttrValue::AtomRefs(self.deps(kind)?.atoms().collect()))
            }
            a if a.is_metadata_xml() => None,
            _ => raw_attr(self, attr),
        }
    }
}

impl Package for BinpkgPackage {
    fn is_built(&self) -> bool {
        true
    }

    fn cpv(&self) -> &Cpv {
        &self.inst.cpv
    }

    fn repo_id(&self) -> &str {
        &self.repo.id
    }

    /// A metadata value by its Portage name (`DESCRIPTION`, `repository`, ...) or its
    /// index name (`DESC`, `REPO`, `MD5`, `SHA1`, `SIZE` = file size, `PATH`, `MTIME`).
    /// Keys the index holds are answered from it, with its defaults (`EAPI`/`SLOT` `0`,
    /// the others empty); the rest from the package's own metadata.
    fn get(&self, key: &str) -> Option<&str> {
        let entry = &self.inst.entry;
        match key {
            "CATEGORY" => return Some(self.inst.cpv.category()),
            "PF" => return Some(self.inst.cpv.pf()),
            _ => {}
        }
        if let Some(ik) = index_key(key) {
            if let Some(v) = entry.raw(ik) {
                return Some(v);
            }
            if matches!(ik, "MD5" | "SHA1") {
                let (md5, sha1) = self.file_digests()?;
                return Some(if ik == "MD5" { md5 } else { sha1 });
            }
            // Not in the index entry: the index's default when it has one, except for
            // what Portage does not write into a local index (DESC) or may leave to the
            // header (CHOST, REPO), which the file knows.
            if !matches!(ik, "DESC" | "CHOST" | "REPO") {
                return PACKAGE_DEFAULTS
                    .iter()
                    .find(|(k, _)| *k == ik)
                    .map(|(_, d)| *d);
            }
        }
        let file_key = match key {
            "DESC" => "DESCRIPTION",
            "REPO" => "repository",
            other => other,
        };
        self.meta_text(file_key)
    }

    fn path(&self) -> Option<&Path> {
        Some(&self.inst.path)
    }

    fn problem(&self) -> Option<Problem> {
        // Listed builds always have their index entry; a metadata read that failed later
        // (the file went away) is reported.
        match self.inst.metadata.get() {
            Some(Err(e)) => Some(problem(
                &self.repo.id,
                &self.inst.key(),
                &self.inst.path,
                "binpkg",
                e.clone(),
            )),
            _ => None,
        }
    }

    fn built_use(&self) -> Option<Vec<&str>> {
        Some(self.get("USE")?.split_ascii_whitespace().collect())
    }

    fn contents(&self) -> Option<&Contents> {
        Some(self.image_contents())
    }
}

/// Opens a domain's binary repositories (PKGDIR) as [`BinpkgRepo`]s; pass it in
/// `strata_repo::domain::OpenOptions::binary_factory`.
#[derive(Debug, Clone, Default)]
pub struct BinpkgRepoFactory {
    /// Trust the index without looking at the files (see
    /// [`BinpkgRepoOptions::trust_index`]) even when the domain's FEATURES does not have
    /// `pkgdir-index-trusted`.
    pub trust_index: bool,
}

impl BinaryRepoFactory for BinpkgRepoFactory {
    /// Opens `config.location` with id `config.name`; the index is trusted when the
    /// factory says so or the domain's FEATURES has `pkgdir-index-trusted`.
    fn open(&self, config: &RepoConfig, domain: &Domain) -> Result<Arc<dyn Repository>, RepoError> {
        let trust_index = self.trust_index
            || domain
                .features()
                .iter()
                .any(|f| f == "pkgdir-index-trusted");
        let repo = BinpkgRepo::open_with(
            &config.location,
            &BinpkgRepoOptions {
                id: Some(config.name.clone()),
                trust_index,
                limits: None,
            },
        )?;
        Ok(Arc::new(repo))
    }
}
