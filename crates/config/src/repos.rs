//! Repository configurations from `repos.conf` (formats.md §9.2): names, locations,
//! priorities, masters, sync settings. These are *configurations*: opening the repositories
//! is the job of the repository crates.

use std::path::{Path, PathBuf};

use crate::error::{ConfigError, Location, Warning};
use crate::ini::Ini;
use crate::layout::LayoutConf;

/// What kind of repository a configuration describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RepoKind {
    /// An ebuild repository (`ebuild-v1`).
    Ebuild,
    /// A binary package repository (`binpkg-v1`, a PKGDIR).
    Binpkg,
    /// The installed-package database at ROOT (`vdb`).
    Installed,
}

impl RepoKind {
    /// The registry class name of this kind.
    pub fn class_name(self) -> &'static str {
        match self {
            RepoKind::Ebuild => "ebuild-v1",
            RepoKind::Binpkg => "binpkg-v1",
            RepoKind::Installed => "vdb",
        }
    }
}

/// Priority given to the main repository when repos.conf gives it none (Portage).
pub const MAIN_REPO_DEFAULT_PRIORITY: i64 = -1000;
/// Priority given to binary repositories when repos.conf gives them none (pkgcore).
pub const BINPKG_DEFAULT_PRIORITY: i64 = -10000;

/// The resolved configuration of one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoConfig {
    /// The repository name (the repos.conf section name).
    pub name: String,
    /// Its directory.
    pub location: PathBuf,
    /// Effective priority (higher is preferred).
    pub priority: i64,
    /// Whether `priority` was given explicitly.
    pub priority_explicit: bool,
    /// Master repositories (eclasses and profile data come from these), later wins.
    pub masters: Vec<String>,
    /// Other names this repository answers to.
    pub aliases: Vec<String>,
    /// `sync-type`, if any.
    pub sync_type: Option<String>,
    /// `sync-uri`, if any.
    pub sync_uri: Option<String>,
    /// `auto-sync` (default true).
    pub auto_sync: bool,
    /// `eclass-overrides`.
    pub eclass_overrides: Vec<String>,
    /// The kind of repository.
    pub kind: RepoKind,
    /// Its `metadata/layout.conf` (empty for non-ebuild repositories).
    pub layout: LayoutConf,
    /// Where the repository is defined.
    pub defined_at: Location,
    /// Its metadata cache, if configured.
    pub cache: Option<CacheConfig>,
}

/// The configuration of a metadata cache.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CacheConfig {
    /// The cache format (`md5-dict`).
    pub format: String,
    /// The cache directory.
    pub location: PathBuf,
    /// Whether it must not be written.
    pub readonly: bool,
}

/// The configuration of a repository syncer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncConfig {
    /// `sync-type` (`rsync`, `git`, ...).
    pub sync_type: String,
    /// `sync-uri`.
    pub uri: Option<String>,
    /// The repository directory it syncs.
    pub location: PathBuf,
    /// Whether `emaint sync --auto` syncs it.
    pub auto_sync: bool,
}

impl RepoConfig {
    /// Whether this repository answers to `name` (its name or an alias).
    pub fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.aliases.iter().any(|a| a == name)
    }
}

/// The repositories of a configuration, in precedence order: highest priority first; among
/// equal priorities the name that sorts last wins (Portage sorts by `(priority, name)` and
/// the last repository has precedence).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepoSet {
    /// The main repository's name (`main-repo`, default `gentoo`).
    pub main_repo: String,
    /// The repositories in priority order.
    pub repos: Vec<RepoConfig>,
}

impl RepoSet {
    /// The repository called `name` (or aliased so).
    pub fn get(&self, name: &str) -> Option<&RepoConfig> {
        self.repos
            .iter()
            .find(|r| r.name == name)
            .or_else(|| self.repos.iter().find(|r| r.answers_to(name)))
    }

    /// The ebuild repository whose location contains `path` (the longest match).
    pub fn containing(&self, path: &Path) -> Option<&RepoConfig> {
        self.repos
            .iter()
            .filter(|r| r.kind == RepoKind::Ebuild && path.starts_with(&r.location))
            .max_by_key(|r| r.location.as_os_str().len())
    }

    /// `repo` followed by its masters' chain (masters first, depth-first, each once), for
    /// inheriting repository-level profile data.
    pub fn with_masters<'a>(&'a self, repo: &'a RepoConfig) -> Vec<&'a RepoConfig> {
        let mut out: Vec<&RepoConfig> = Vec::new();
        let mut visiting: Vec<&str> = Vec::new();
        self.collect_masters(repo, &mut out, &mut visiting);
        out
    }

    fn collect_masters<'a>(
        &'a self,
        repo: &'a RepoConfig,
        out: &mut Vec<&'a RepoConfig>,
        visiting: &mut Vec<&'a str>,
    ) {
        if visiting.contains(&repo.name.as_str()) || out.iter().any(|r| r.name == repo.name) {
            return;
        }
        visiting.push(&repo.name);
        for m in &repo.masters {
            if let Some(master) = self.get(m) {
                self.collect_masters(master, out, visiting);
            }
        }
        visiting.pop();
        out.push(repo);
    }

    /// Sorts into precedence order (see [`RepoSet`]).
    pub fn sort(&mut self) {
        self.repos.sort_by(|a, b| {
            b.priority
                .cmp(&a.priority)
                .then_with(|| b.name.cmp(&a.name))
        });
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" | "on" => Some(true),
        "no" | "false" | "0" | "off" => Some(false),
        _ => None,
    }
}

/// Resolves the repositories of a parsed `repos.conf`.
///
/// A section without `location`, or whose location does not exist, is an error. Relative
/// locations are taken relative to the directory of the file that set them (and resolved
/// to the real path they name); `~` expands to
/// `home` when given.
pub fn resolve_repos(
    ini: &Ini,
    home: Option<&Path>,
    warnings: &mut Vec<Warning>,
) -> Result<RepoSet, ConfigError> {
    let main_repo = ini
        .defaults
        .get("main-repo")
        .map(|v| v.value.trim().to_string())
        .unwrap_or_else(|| "gentoo".to_string());
    let mut set = RepoSet {
        main_repo: main_repo.clone(),
        repos: Vec::new(),
    };
    for (name, section) in &ini.sections {
        let get = |k: &str| ini.get(name, k);
        let Some(loc) = section
            .values
            .get("location")
            .or_else(|| ini.defaults.get("location"))
        else {
            return Err(ConfigError::RepoLocation {
                repo: name.clone(),
                location: section.location.clone(),
                message: "no `location` given".into(),
            });
        };
        let mut location = PathBuf::from(loc.value.trim());
        if let (Ok(rest), Some(home)) = (location.strip_prefix("~"), home) {
            location = home.join(rest);
        }
        let relative = location.is_relative();
        if relative && let Some(dir) = loc.location.path.parent() {
            location = dir.join(location);
        }
        if !location.is_dir() {
            return Err(ConfigError::RepoLocation {
                repo: name.clone(),
                location: loc.location.clone(),
                message: format!("location {} does not exist", location.display()),
            });
        }
        // A relative location is resolved as the path it names (`etc/portage/../../repo`
        // becomes `repo`), so messages and `-r PATH` show it as users would write it;
        // an absolute one is kept as written.
        if relative && let Ok(real) = std::fs::canonicalize(&location) {
            location = real;
        }
        let kind = match get("repo-type").map(|v| v.value.trim()) {
            None | Some("ebuild-v1") => RepoKind::Ebuild,
            Some("binpkg-v1") => RepoKind::Binpkg,
            Some(other) => {
                let at = get("repo-type")
                    .map(|v| v.location.clone())
                    .unwrap_or_default();
                warnings.push(Warning::new(
                    at,
                    format!("repository {name:?}: unknown repo-type {other:?}, using ebuild-v1"),
                ));
                RepoKind::Ebuild
            }
        };
        let layout = if kind == RepoKind::Ebuild {
            LayoutConf::read(&location, warnings)?
        } else {
            LayoutConf::default()
        };
        let (priority, priority_explicit) = match get("priority") {
            Some(v) => match v.value.trim().parse::<i64>() {
                Ok(p) => (p, true),
                Err(_) => {
                    return Err(ConfigError::Type {
                        section: name.clone(),
                        key: "priority".into(),
                        expected: "int".into(),
                        value: v.value.clone(),
                        location: v.location.clone(),
                    });
                }
            },
            None => (0, false),
        };
        let priority = match (priority_explicit, kind) {
            (false, RepoKind::Binpkg) => BINPKG_DEFAULT_PRIORITY,
            (false, _) if *name == main_repo => MAIN_REPO_DEFAULT_PRIORITY,
            _ => priority,
        };
        let split = |k: &str| -> Option<Vec<String>> {
            get(k).map(|v| v.value.split_whitespace().map(str::to_string).collect())
        };
        let masters = match section.values.get("masters") {
            Some(v) => v.value.split_whitespace().map(str::to_string).collect(),
            None => match layout.masters() {
                Some(m) => m,
                None if *name == main_repo || kind != RepoKind::Ebuild => Vec::new(),
                None => vec![main_repo.clone()],
            },
        };
        let mut aliases = split("aliases").unwrap_or_default();
        for a in layout.aliases() {
            if !aliases.contains(&a) {
                aliases.push(a);
            }
        }
        if kind == RepoKind::Ebuild {
            let declared = layout.repo_name().map(str::to_string).or_else(|| {
                std::fs::read_to_string(location.join("profiles/repo_name"))
                    .ok()
                    .map(|s| s.trim().to_string())
            });
            if let Some(declared) = declared
                && declared != *name
                && !aliases.contains(&declared)
            {
                warnings.push(Warning::new(
                    section.location.clone(),
                    format!(
                        "repository {name:?} at {} calls itself {declared:?}",
                        location.display()
                    ),
                ));
            }
        }
        let auto_sync = match get("auto-sync") {
            None => true,
            Some(v) => match parse_bool(&v.value) {
                Some(b) => b,
                None => {
                    warnings.push(Warning::new(
                        v.location.clone(),
                        format!("auto-sync: expected yes/no, got {:?}; using yes", v.value),
                    ));
                    true
                }
            },
        };
        let nonempty = |k: &str| {
            get(k)
                .map(|v| v.value.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        set.repos.push(RepoConfig {
            name: name.clone(),
            location,
            priority,
            priority_explicit,
            masters,
            aliases,
            sync_type: nonempty("sync-type"),
            sync_uri: nonempty("sync-uri"),
            auto_sync,
            eclass_overrides: split("eclass-overrides").unwrap_or_default(),
            kind,
            layout,
            defined_at: section.location.clone(),
            cache: None,
        });
    }
    for repo in &set.repos {
        for m in &repo.masters {
            if set.get(m).is_none() {
                warnings.push(Warning::new(
                    repo.defined_at.clone(),
                    format!("repository {:?}: master {m:?} is not configured", repo.name),
                ));
            }
        }
    }
    if set.get(&main_repo).is_none() && !set.repos.is_empty() {
        warnings.push(Warning::new(
            ini.defaults
                .get("main-repo")
                .map(|v| v.location.clone())
                .unwrap_or_else(Location::builtin),
            format!("main-repo {main_repo:?} is not configured"),
        ));
    }
    set.sort();
    Ok(set)
}
