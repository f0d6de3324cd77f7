//! Where index files live (outside the repository) and opening one: load it if its
//! fingerprint matches the inputs, rebuild and atomically replace it otherwise.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::eclass::hex;
use crate::error::CacheError;
use crate::index::build::{BuildReport, PackageExtraSource, build_with};
use crate::index::fingerprint::IndexSpec;
use crate::index::fresh::EclassChanges;
use crate::index::query::SearchIndex;

/// A directory of index files, one per repository.
#[derive(Debug, Clone)]
pub struct IndexStore {
    dir: PathBuf,
}

/// How [`IndexStore::open_with`] decides whether a stored index is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Freshness {
    /// Stat every input file (cache entries and their directories, ebuilds,
    /// metadata.xml, eclasses when validating): any change rebuilds.
    #[default]
    CheckFiles,
    /// Use a stored, structurally valid index as is; build only when there is none.
    Trust,
    /// Check only the tiers a query needs; a change in one of them rebuilds. What is not
    /// checked here the caller checks per record ([`crate::index::Record::ebuild_stamp`],
    /// [`SearchIndex::eclass_changes`]) or through the stored tree listing.
    Tiers(Tiers),
}

/// The freshness tiers [`Freshness::Tiers`] checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tiers {
    /// The md5-cache directories and every entry file
    /// ([`SearchIndex::entries_current`]).
    pub entries: bool,
    /// Every metadata.xml ([`SearchIndex::xml_current`]).
    pub xml: bool,
}

/// The result of [`IndexStore::open`].
#[derive(Debug)]
pub struct Opened {
    /// The index, current with its inputs.
    pub index: SearchIndex,
    /// Whether it had to be (re)built.
    pub rebuilt: bool,
    /// What the build left out, when it was rebuilt.
    pub report: Option<BuildReport>,
    /// Why an existing index file could not be used, when it was corrupt (it was replaced).
    pub discarded: Option<CacheError>,
}

impl IndexStore {
    /// A store in `dir` (created on first write).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        IndexStore { dir: dir.into() }
    }

    /// The per-user default: `$XDG_CACHE_HOME/strata/index`, else `~/.cache/strata/index`
    /// (a relative `XDG_CACHE_HOME` is ignored, as the XDG spec says). `None` when neither
    /// is known.
    pub fn default_dir() -> Option<PathBuf> {
        let xdg = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute());
        let base = xdg.or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|h| h.join(".cache"))
        })?;
        Some(base.join("strata").join("index"))
    }

    /// The store at [`IndexStore::default_dir`].
    pub fn user_default() -> Option<Self> {
        IndexStore::default_dir().map(IndexStore::new)
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The index file for `spec`: `<dir>/<repo dir name>-<hash>.idx`, the hash over the
    /// canonical repository path and the rest of the spec.
    pub fn index_path(&self, spec: &IndexSpec) -> PathBuf {
        let repo = std::fs::canonicalize(&spec.repo).unwrap_or_else(|_| spec.repo.clone());
        // Each variant of the spec gets its own file, so callers using different specs for
        // one repository do not rebuild each other's index back and forth.
        let mut h = Sha256::new();
        h.update(repo.to_string_lossy().as_bytes());
        h.update([0]);
        h.update(spec.cache_dir.to_string_lossy().as_bytes());
        h.update([0]);
        h.update(spec.salt.as_bytes());
        for dir in spec.eclass_dirs.iter().flatten() {
            h.update([0]);
            h.update(dir.to_string_lossy().as_bytes());
        }
        let digest = h.finalize();
        let base: String = repo
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "repo".to_owned())
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{base}-{}.idx", &hex(&digest)[..16]))
    }

    /// The current index for `spec`: the stored one if every input file's stamp matches
    /// now ([`Freshness::CheckFiles`]), otherwise a fresh build (written with temp file +
    /// rename, then mapped). Every stamp is taken before the file is read, so an input
    /// changing during the build only causes one more rebuild next time, never a stale
    /// index taken as current.
    pub fn open(
        &self,
        spec: &IndexSpec,
        extra: &dyn PackageExtraSource,
    ) -> Result<Opened, CacheError> {
        self.open_with(spec, extra, Freshness::CheckFiles)
    }

    /// [`IndexStore::open`] with a choice of freshness check. With
    /// [`Freshness::Trust`], an existing valid index file is used without looking at the
    /// repository at all (for frozen repositories, or right after a sync that rebuilt it).
    pub fn open_with(
        &self,
        spec: &IndexSpec,
        extra: &dyn PackageExtraSource,
        freshness: Freshness,
    ) -> Result<Opened, CacheError> {
        let path = self.index_path(spec);
        let mut discarded = None;
        match SearchIndex::load(&path) {
            Ok(index) => {
                let current = match freshness {
                    Freshness::Trust => true,
                    Freshness::CheckFiles => {
                        index.entries_current(&spec.cache_dir)
                            && index.xml_current(&spec.repo)
                            && index.ebuilds_current(&spec.repo)
                            && match &spec.eclass_dirs {
                                None => !index.validated(),
                                Some(dirs) => {
                                    index.validated()
                                        && index.eclass_changes(dirs) == EclassChanges::None
                                }
                            }
                    }
                    Freshness::Tiers(t) => {
                        index.validated() == spec.eclass_dirs.is_some()
                            && index.tiers_current(&spec.cache_dir, &spec.repo, t)
                    }
                };
                if current {
                    return Ok(Opened {
                        index,
                        rebuilt: false,
                        report: None,
                        discarded: None,
                    });
                }
            }
            Err(e @ CacheError::CorruptIndex { .. }) => discarded = Some(e),
            Err(CacheError::Io { .. }) if !path.exists() => {}
            Err(e) => return Err(e),
        }
        let (bytes, report) = build_with(spec, extra, None)?;
        write_index(&path, &bytes)?;
        let index = SearchIndex::load(&path)?;
        Ok(Opened {
            index,
            rebuilt: true,
            report: Some(report),
            discarded,
        })
    }
}

/// Builds the index for `spec` in memory without storing it (for when no index directory
/// is writable, or for one-off queries).
pub fn build_in_memory(
    spec: &IndexSpec,
    extra: &dyn PackageExtraSource,
) -> Result<(SearchIndex, BuildReport), CacheError> {
    let (bytes, report) = build_with(spec, extra, None)?;
    let index = SearchIndex::from_bytes(bytes, Path::new("<in memory>"))?;
    Ok((index, report))
}

/// Writes index bytes to `path` through a unique temporary file and a rename. The file
/// is not fsynced: a crash can at worst leave a damaged index, which loading detects
/// (checksum) and [`IndexStore::open`] rebuilds.
pub fn write_index(path: &Path, bytes: &[u8]) -> Result<(), CacheError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = format!(".{name}.tmp.{}.{nanos}", std::process::id());
    crate::kv_file::write_atomically(path, &tmp, bytes, false)
}
