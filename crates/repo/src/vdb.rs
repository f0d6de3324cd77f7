//! The installed-package database at `${ROOT}/var/db/pkg` (formats.md §8, pkgcore.md
//! §5.2), read-only: one directory per installed `<CATEGORY>/<PF>`, one file per key.
//!
//! When an entry has a valid consolidated `metadata` file ([`consolidated`]), the keys it
//! covers are read from it alone, and the other per-key files only when one of them is
//! asked for; otherwise every per-key file is read on first use.

pub mod consolidated;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use rayon::prelude::*;
use strata_atom::Eapi;
use strata_atom::cpv::Cpv;
use strata_atom::depspec::{DepKind, DepSpec};
use strata_restrict::{Attr, AttrValue, PackageAttrs, Restriction, StrList};

use crate::attrs::{RawMetadata, cpv_attr, dep_kind, dep_slot, raw_attr};
use crate::contents::{Contents, parse_contents};
use crate::error::{Problem, ProblemKind, ProblemLog, RepoError};
use crate::metadata_xml::PackageMetadata;
use crate::package::{Package, PackageRef};
use crate::repository::{MatchOptions, Repository, filter_packages};

/// Files of an entry that are not single text values (read on their own when asked).
const NOT_TEXT: &[&str] = &["CONTENTS", "environment.bz2"];

/// Where installed packages get metadata.xml data from (the vdb has none): typically
/// the ebuild repository they were built from. [`DomainRepos`](crate::DomainRepos) sets
/// one up, so that maintainer queries work on installed packages (pkgcore issue #445).
pub trait MetadataXmlSource: Send + Sync {
    /// The metadata.xml of `category/package`, preferring the repository named
    /// `source_repo` (the entry's `repository` file) when given.
    fn metadata_xml(
        &self,
        category: &str,
        package: &str,
        source_repo: Option<&str>,
    ) -> Option<Arc<PackageMetadata>>;
}

struct VdbInner {
    id: String,
    location: PathBuf,
    problems: ProblemLog,
    xml_source: Option<Arc<dyn MetadataXmlSource>>,
    /// Category listings by category name ([`CategoryListing`]).
    listings: Mutex<HashMap<String, Arc<CategoryListing>>>,
}

/// How much older than the moment it was listed a category directory's mtime must be
/// for the listing to be reused while the mtime stays the same: a change within the
/// same timestamp tick as the listing (file systems with coarse timestamps) would not
/// move the mtime.
const MTIME_SLACK: Duration = Duration::from_secs(2);

/// The installed versions of one category as last listed, with the directory's mtime
/// then. A listing is reused while the directory's mtime is unchanged (adding,
/// removing or renaming an entry, as every merge and unmerge does, changes it) and it
/// was already older than [`MTIME_SLACK`] when listed; otherwise the directory is
/// listed again. So a long-lived [`VdbRepo`] sees merges made after it was opened, at
/// the cost of one `stat` per lookup instead of a directory listing.
struct CategoryListing {
    mtime: Option<SystemTime>,
    reusable: bool,
    entries: Vec<Cpv>,
}

/// The modification time of `dir`, `None` when it cannot be read (e.g. it does not
/// exist).
fn dir_mtime(dir: &Path) -> Option<SystemTime> {
    std::fs::metadata(dir).and_then(|m| m.modified()).ok()
}

impl std::fmt::Debug for VdbInner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VdbRepo")
            .field("id", &self.id)
            .field("location", &self.location)
            .field("xml_source", &self.xml_source.is_some())
            .finish_non_exhaustive()
    }
}

/// The installed-package database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct VdbRepo {
    inner: Arc<VdbInner>,
}

/// Whether a vdb directory name is an entry to skip (merge in progress, temporary, lock).
fn skipped_entry(name: &str) -> bool {
    name.starts_with('.') || name.starts_with("-MERGING-") || name.ends_with(".lockfile")
}

impl VdbRepo {
    /// The database at `location` (the `var/db/pkg` directory), with id `vdb`. A
    /// location that does not exist is an empty database.
    pub fn open(location: impl Into<PathBuf>) -> VdbRepo {
        VdbRepo::with_id(location, "vdb")
    }

    /// The database at `location` with another id.
    pub fn with_id(location: impl Into<PathBuf>, id: &str) -> VdbRepo {
        VdbRepo::build(location.into(), id.to_owned(), None)
    }

    /// The same database, with installed packages taking metadata.xml data
    /// (maintainers, long description, upstream) from `source`.
    pub fn with_metadata_xml_source(self, source: Arc<dyn MetadataXmlSource>) -> VdbRepo {
        VdbRepo::build(
            self.inner.location.clone(),
            self.inner.id.clone(),
            Some(source),
        )
    }

    /// A database with nothing read or recorded yet.
    fn build(
        location: PathBuf,
        id: String,
        xml_source: Option<Arc<dyn MetadataXmlSource>>,
    ) -> VdbRepo {
        VdbRepo {
            inner: Arc::new(VdbInner {
                id,
                location,
                problems: ProblemLog::default(),
                xml_source,
                listings: Mutex::default(),
            }),
        }
    }

    /// The database of the system at `root` (`root/var/db/pkg`).
    pub fn for_root(root: &Path) -> VdbRepo {
        VdbRepo::open(root.join("var/db/pkg"))
    }

    /// The installed package `cpv` as the concrete type.
    pub fn vdb_package(&self, cpv: Cpv) -> VdbPackage {
        let dir = self.inner.location.join(cpv.category()).join(cpv.pf());
        VdbPackage {
            dir_str: dir.to_string_lossy().into_owned(),
            dir,
            cpv,
            repo: self.inner.clone(),
            files: OnceLock::new(),
            rest: OnceLock::new(),
            contents: OnceLock::new(),
            environment: OnceLock::new(),
            deps: Default::default(),
            xml: OnceLock::new(),
        }
    }

    fn list_dir(&self, dir: &Path) -> Result<Vec<(String, bool)>, RepoError> {
        Ok(crate::listing::list_or_empty(dir)
            .map_err(|e| RepoError::io(dir, e))?
            .into_iter()
            .map(|(n, k)| (n, k == crate::listing::Kind::Dir))
            .collect())
    }

    /// Every installed version in `category`, sorted.
    pub fn category_entries(&self, category: &str) -> Result<Vec<Cpv>, RepoError> {
        Ok(self.category_listing(category)?.entries.clone())
    }

    /// The listing of `category`: the one kept from an earlier call while it is
    /// current (see [`CategoryListing`]), else the directory listed now.
    fn category_listing(&self, category: &str) -> Result<Arc<CategoryListing>, RepoError> {
        if category.contains('/') || category.starts_with('.') {
            return Ok(Arc::new(CategoryListing {
                mtime: None,
                reusable: false,
                entries: Vec::new(),
            }));
        }
        let dir = self.inner.location.join(category);
        let mtime = dir_mtime(&dir);
        let kept = self
            .inner
            .listings
            .lock()
            .ok()
            .and_then(|l| l.get(category).cloned());
        if let Some(kept) = kept
            && kept.reusable
            && kept.mtime == mtime
        {
            return Ok(kept);
        }
        let listed_at = SystemTime::now();
        let listing = Arc::new(CategoryListing {
            mtime,
            reusable: mtime.is_some_and(|m| m + MTIME_SLACK < listed_at),
            entries: self.list_category(category, &dir)?,
        });
        if let Ok(mut l) = self.inner.listings.lock() {
            l.insert(category.to_owned(), listing.clone());
        }
        Ok(listing)
    }

    /// Lists the installed versions in the category directory `dir`, sorted; names
    /// that are not `PF`s are recorded as problems.
    fn list_category(&self, category: &str, dir: &Path) -> Result<Vec<Cpv>, RepoError> {
        let mut out = Vec::new();
        for (name, is_dir) in self.list_dir(dir)? {
            if !is_dir || skipped_entry(&name) {
                continue;
            }
            match Cpv::from_category_pf(category, &name) {
                Ok(c) => out.push(c),
                Err(e) => self.inner.problems.record(Problem {
                    repo: self.inner.id.clone(),
                    key: format!("{category}/{name}"),
                    path: dir.join(&name),
                    kind: ProblemKind::InvalidName {
                        message: e.to_string(),
                    },
                }),
            }
        }
        out.sort();
        Ok(out)
    }
}

impl Repository for VdbRepo {
    fn id(&self) -> &str {
        &self.inner.id
    }

    fn location(&self) -> Option<&Path> {
        Some(&self.inner.location)
    }

    fn livefs(&self) -> bool {
        true
    }

    fn categories(&self) -> Result<Vec<String>, RepoError> {
        let mut out: Vec<String> = self
            .list_dir(&self.inner.location)?
            .into_iter()
            .filter(|(n, d)| {
                *d && !n.starts_with('.') && strata_atom::name::validate_category(n).is_ok()
            })
            .map(|(n, _)| n)
            .collect();
        out.sort();
        Ok(out)
    }

    fn packages(&self, category: &str) -> Result<Vec<String>, RepoError> {
        let mut out: Vec<String> = self
            .category_listing(category)?
            .entries
            .iter()
            .map(|c| c.package().to_owned())
            .collect();
        out.dedup();
        Ok(out)
    }

    fn versions(&self, category: &str, package: &str) -> Result<Vec<Cpv>, RepoError> {
        Ok(self
            .category_listing(category)?
            .entries
            .iter()
            .filter(|c| c.package() == package)
            .cloned()
            .collect())
    }

    fn make_package(&self, cpv: Cpv) -> PackageRef {
        Arc::new(self.vdb_package(cpv))
    }

    fn problems(&self) -> Vec<Problem> {
        self.inner.problems.all()
    }

    fn itermatch(
        &self,
        restriction: &Restriction,
        opts: &MatchOptions,
    ) -> Result<Vec<PackageRef>, RepoError> {
        let cands = restriction.candidates();
        if cands.is_none() {
            return Ok(Vec::new());
        }
        let cats: Vec<String> = match cands.exact_categories() {
            Some(c) => c.into_iter().map(str::to_owned).collect(),
            None => self
                .categories()?
                .into_iter()
                .filter(|c| cands.matches_category(c))
                .collect(),
        };
        let per_cat: Vec<Result<Vec<Cpv>, RepoError>> =
            cats.par_iter().map(|c| self.category_entries(c)).collect();
        let mut cpvs = Vec::new();
        for r in per_cat {
            cpvs.extend(
                r?.into_iter()
                    .filter(|c| cands.matches(c.category(), c.package())),
            );
        }
        cpvs.sort();
        Ok(filter_packages(self, cpvs, restriction, opts))
    }
}

/// An installed package. Its text files are read together on first use of any value
/// (only the consolidated `metadata` file when it is valid, the other files when a key
/// it does not give is asked for); CONTENTS and the environment are read on their own
/// when asked.
pub struct VdbPackage {
    cpv: Cpv,
    dir: PathBuf,
    dir_str: String,
    repo: Arc<VdbInner>,
    files: OnceLock<Result<Files, Problem>>,
    /// The per-key files the consolidated `metadata` file did not give (read on demand
    /// when `files` came from it).
    rest: OnceLock<HashMap<String, String>>,
    contents: OnceLock<Contents>,
    environment: OnceLock<Option<String>>,
    deps: [OnceLock<Option<DepSpec>>; 5],
    xml: OnceLock<Option<Arc<PackageMetadata>>>,
}

impl std::fmt::Debug for VdbPackage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VdbPackage({}::{})", self.cpv, self.repo.id)
    }
}

/// The text values of an entry by key: every per-key text file, or (`partial`) only
/// the keys the consolidated `metadata` file gave.
struct Files {
    values: HashMap<String, String>,
    partial: bool,
}

impl RawMetadata for VdbPackage {
    fn raw(&self, key: &str) -> Option<&str> {
        self.value(key)
    }
}

/// Reads every per-key text file of `dir` whose name `skip` does not reject.
fn read_text_files(
    dir: &Path,
    skip: impl Fn(&str) -> bool,
) -> Result<HashMap<String, String>, String> {
    let rd = std::fs::read_dir(dir).map_err(|e| e.to_string())?;
    let mut out = HashMap::new();
    for ent in rd {
        let ent = ent.map_err(|e| e.to_string())?;
        let Ok(name) = ent.file_name().into_string() else {
            continue;
        };
        if NOT_TEXT.contains(&name.as_str())
            || skip(&name)
            || !ent.file_type().is_ok_and(|t| t.is_file())
        {
            continue;
        }
        let bytes = std::fs::read(ent.path()).map_err(|e| format!("{name}: {e}"))?;
        let text = String::from_utf8_lossy(&bytes);
        out.insert(name, text.trim_end().to_owned());
    }
    Ok(out)
}

impl VdbPackage {
    fn load(&self) -> Result<Files, Problem> {
        let problem = |message: String| {
            let p = Problem {
                repo: self.repo.id.clone(),
                key: self.cpv.to_string(),
                path: self.dir.clone(),
                kind: ProblemKind::BadVdbEntry { message },
            };
            self.repo.problems.record(p.clone());
            p
        };
        if let Some(values) = consolidated::read(&self.dir)
            && values.contains_key("SLOT")
        {
            return Ok(Files {
                values,
                partial: true,
            });
        }
        let values = read_text_files(&self.dir, |_| false).map_err(problem)?;
        if !values.contains_key("SLOT") {
            return Err(problem("no SLOT file".into()));
        }
        Ok(Files {
            values,
            partial: false,
        })
    }

    fn files(&self) -> Option<&Files> {
        self.files.get_or_init(|| self.load()).as_ref().ok()
    }

    /// The value of `key`: from the consolidated file when it gave it, else from the
    /// key's own file. `None` when the entry is unreadable or has no such key.
    fn value(&self, key: &str) -> Option<&str> {
        let files = self.files()?;
        if let Some(v) = files.values.get(key) {
            return Some(v);
        }
        if !files.partial {
            return None;
        }
        self.rest
            .get_or_init(|| {
                // Unreadable files here read as absent: the entry itself was readable.
                read_text_files(&self.dir, |name| files.values.contains_key(name))
                    .unwrap_or_default()
            })
            .get(key)
            .map(String::as_str)
    }

    /// The raw bytes of any file of the entry (`environment.bz2`, `CONTENTS`, ...).
    pub fn file_bytes(&self, name: &str) -> std::io::Result<Vec<u8>> {
        if name.contains('/') {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a file name",
            ));
        }
        std::fs::read(self.dir.join(name))
    }

    /// The parsed CONTENTS (empty when there is none).
    pub fn parsed_contents(&self) -> &Contents {
        self.contents
            .get_or_init(|| match std::fs::read(self.dir.join("CONTENTS")) {
                Ok(b) => parse_contents(&String::from_utf8_lossy(&b)),
                Err(_) => Contents::default(),
            })
    }

    /// The saved ebuild environment, decompressed (`environment.bz2`, else
    /// `environment`).
    pub fn environment(&self) -> Option<&str> {
        self.environment
            .get_or_init(|| {
                use std::io::Read;
                if let Ok(b) = self.file_bytes("environment.bz2") {
                    let mut s = String::new();
                    let mut d = bzip2::read::BzDecoder::new(&b[..]);
                    let mut raw = Vec::new();
                    if d.read_to_end(&mut raw).is_ok() {
                        s.push_str(&String::from_utf8_lossy(&raw));
                        return Some(s);
                    }
                    return None;
                }
                self.file_bytes("environment")
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            })
            .as_deref()
    }

    fn xml(&self) -> Option<&Arc<PackageMetadata>> {
        self.xml
            .get_or_init(|| {
                let src = self.repo.xml_source.as_ref()?;
                let source_repo = self
                    .value("repository")
                    .or_else(|| self.value("REPOSITORY"));
                src.metadata_xml(self.cpv.category(), self.cpv.package(), source_repo)
            })
            .as_ref()
    }

    /// A dependency class (already USE-reduced in the vdb), parsed.
    pub fn deps(&self, kind: DepKind) -> Option<&DepSpec> {
        let i = dep_slot(kind)?;
        self.deps[i]
            .get_or_init(|| {
                self.files()?;
                let eapi = Eapi::parse(self.value("EAPI").unwrap_or("0")).ok()?;
                let raw = self.value(kind.key()).unwrap_or("");
                DepSpec::parse(raw, kind, eapi).ok()
            })
            .as_ref()
    }
}

impl PackageAttrs for VdbPackage {
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
        if let Some(v) = cpv_attr(&self.cpv, attr) {
            return Some(v);
        }
        if let Some(kind) = dep_kind(attr) {
            return Some(AttrValue::AtomRefs(self.deps(kind)?.atoms().collect()));
        }
        match attr {
            Attr::Repo => Some(AttrValue::text(&self.repo.id)),
            Attr::Path => Some(AttrValue::text(&self.dir_str)),
            Attr::SourceRepository => self
                .value("repository")
                .or_else(|| self.value("REPOSITORY"))
                .map(AttrValue::text),
            Attr::Use => Some(AttrValue::spaced(self.value("USE")?)),
            Attr::Contents => Some(AttrValue::List(StrList::Owned(
                self.parsed_contents().paths().map(str::to_owned).collect(),
            ))),
            Attr::Size => self.get("SIZE")?.trim().parse().ok().map(AttrValue::Number),
            Attr::BuildId => self
                .get("BUILD_ID")?
                .trim()
                .parse()
                .ok()
                .map(AttrValue::Number),
            Attr::Environment => self.environment().map(AttrValue::text),
            a if a.is_metadata_xml() => crate::attrs::xml_attr(self.xml()?, a),
            _ => {
                self.files()?;
                raw_attr(self, attr)
            }
        }
    }
}

impl Package for VdbPackage {
    fn is_built(&self) -> bool {
        true
    }

    fn cpv(&self) -> &Cpv {
        &self.cpv
    }

    fn repo_id(&self) -> &str {
        &self.repo.id
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.value(key)
    }

    fn path(&self) -> Option<&Path> {
        Some(&self.dir)
    }

    fn problem(&self) -> Option<Problem> {
        self.files
            .get_or_init(|| self.load())
            .as_ref()
            .err()
            .cloned()
    }

    fn built_use(&self) -> Option<Vec<&str>> {
        Some(self.get("USE")?.split_ascii_whitespace().collect())
    }

    fn contents(&self) -> Option<&Contents> {
        Some(self.parsed_contents())
    }

    fn metadata_xml(&self) -> Option<Arc<PackageMetadata>> {
        self.xml().cloned()
    }
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::time::{Duration, SystemTime};

    use super::*;

    fn names(v: &[Cpv]) -> Vec<String> {
        v.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn category_listings_are_reused_while_the_directory_is_unchanged() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let cat = tmp.path().join("app-misc");
        fs::create_dir_all(cat.join("foo-1")).expect("mkdir");
        fs::create_dir_all(cat.join("bar-2")).expect("mkdir");
        let old = SystemTime::now() - Duration::from_secs(3600);
        strata_testtools::set_mtime(&cat, old);
        let repo = VdbRepo::open(tmp.path());
        assert_eq!(
            names(&repo.versions("app-misc", "foo").expect("versions")),
            ["app-misc/foo-1"]
        );
        // A change that leaves the mtime as it was is not seen: the listing was kept.
        fs::create_dir(cat.join("foo-2")).expect("mkdir");
        strata_testtools::set_mtime(&cat, old);
        assert_eq!(
            names(&repo.versions("app-misc", "foo").expect("versions")),
            ["app-misc/foo-1"]
        );
        assert_eq!(repo.packages("app-misc").expect("packages"), ["bar", "foo"]);
        // A merge or unmerge moves the mtime, and the directory is listed again.
        fs::remove_dir(cat.join("foo-1")).expect("rmdir");
        assert_eq!(
            names(&repo.versions("app-misc", "foo").expect("versions")),
            ["app-misc/foo-2"]
        );
        // Just listed with a fresh mtime: not trusted on the next call either.
        fs::create_dir(cat.join("foo-3")).expect("mkdir");
        let now = dir_mtime(&cat);
        fs::create_dir(cat.join("foo-4")).expect("mkdir");
        if let Some(t) = now {
            strata_testtools::set_mtime(&cat, t);
        }
        assert_eq!(
            names(&repo.category_entries("app-misc").expect("entries")),
            [
                "app-misc/bar-2",
                "app-misc/foo-2",
                "app-misc/foo-3",
                "app-misc/foo-4"
            ]
        );
        fs::create_dir(cat.join("foo-5")).expect("mkdir");
        if let Some(t) = now {
            strata_testtools::set_mtime(&cat, t);
        }
        assert!(
            names(&repo.versions("app-misc", "foo").expect("versions"))
                .contains(&"app-misc/foo-5".to_owned())
        );
        // A category that appears after a first look is seen.
        assert!(repo.versions("dev-libs", "x").expect("versions").is_empty());
        fs::create_dir_all(tmp.path().join("dev-libs/x-1")).expect("mkdir");
        assert_eq!(
            names(&repo.versions("dev-libs", "x").expect("versions")),
            ["dev-libs/x-1"]
        );
    }
}
