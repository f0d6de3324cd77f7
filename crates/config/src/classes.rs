//! The classes this crate provides to the registry: repository, cache and syncer
//! *configurations* (`ebuild-v1`, `binpkg-v1`, `vdb`, `md5-cache`, `sync`), the profile
//! (`portage-profile`) and the domain (`ebuild-domain`).
//!
//! The repository crates will register classes under the same names that open the
//! repositories; until then these build [`RepoConfig`]s.

use std::path::PathBuf;
use std::sync::Arc;

use crate::central::BuildContext;
use crate::domain::{Domain, DomainParts};
use crate::error::ConfigError;
use crate::layout::LayoutConf;
use crate::profile::Profile;
use crate::registry::{ConfigClass, Field, FieldType as T, Object, Registry, ResolvedSection};
use crate::repos::{
    BINPKG_DEFAULT_PRIORITY, CacheConfig, RepoConfig, RepoKind, RepoSet, SyncConfig,
};
use crate::settings::Layer;

/// Registers every class of this crate.
pub fn register_builtin(registry: &mut Registry) {
    registry.register("ebuild-v1", RepoClass(RepoKind::Ebuild));
    registry.register("binpkg-v1", RepoClass(RepoKind::Binpkg));
    registry.register("vdb", RepoClass(RepoKind::Installed));
    registry.register("md5-cache", Md5CacheClass);
    registry.register("sync", SyncClass);
    registry.register("portage-profile", ProfileClass);
    registry.register("ebuild-domain", DomainClass);
}

/// A registry holding this crate's classes.
pub fn builtin_registry() -> Registry {
    let mut r = Registry::new();
    register_builtin(&mut r);
    r
}

/// `ebuild-v1`, `binpkg-v1` and `vdb`: repository configurations.
#[derive(Debug, Clone, Copy)]
pub struct RepoClass(pub RepoKind);

static REPO_FIELDS: &[Field] = &[
    Field::required("location", T::Path, "the repository directory"),
    Field::optional(
        "repo-name",
        T::Str,
        "the repository name (default: the section name)",
    ),
    Field::optional("priority", T::Int, "higher is preferred"),
    Field::optional(
        "masters",
        T::List,
        "master repositories (default: layout.conf)",
    ),
    Field::optional("aliases", T::List, "other names"),
    Field::optional(
        "eclass-overrides",
        T::List,
        "repositories whose eclasses override",
    ),
    Field::optional("sync-type", T::Str, "how it is synced"),
    Field::optional("sync-uri", T::Str, "where it is synced from"),
    Field::optional("auto-sync", T::Bool, "synced by `sync --auto`"),
    Field::optional("cache", T::Ref("cache"), "its metadata cache"),
];

impl ConfigClass for RepoClass {
    fn type_name(&self) -> &'static str {
        "repo"
    }
    fn fields(&self) -> &'static [Field] {
        REPO_FIELDS
    }
    fn doc(&self) -> &'static str {
        match self.0 {
            RepoKind::Ebuild => "an ebuild repository",
            RepoKind::Binpkg => "a binary package repository (PKGDIR)",
            RepoKind::Installed => "the installed-package database",
        }
    }
    fn build(
        &self,
        s: &ResolvedSection,
        ctx: &mut BuildContext<'_>,
    ) -> Result<Object, ConfigError> {
        let location = s
            .path("location")
            .map(PathBuf::from)
            .ok_or_else(|| s.error(Some("location"), "missing"))?;
        let mut warnings = Vec::new();
        let layout = if self.0 == RepoKind::Ebuild {
            LayoutConf::read(&location, &mut warnings)?
        } else {
            LayoutConf::default()
        };
        let name = s.str("repo-name").unwrap_or(&s.name).to_string();
        let priority = s.int("priority");
        let list = |k: &str| s.list(k).map(<[String]>::to_vec);
        let cache = ctx.get_ref::<CacheConfig>(s, "cache")?;
        let repo = RepoConfig {
            name,
            priority: priority.unwrap_or(match self.0 {
                RepoKind::Binpkg => BINPKG_DEFAULT_PRIORITY,
                _ => 0,
            }),
            priority_explicit: priority.is_some(),
            masters: list("masters")
                .or_else(|| layout.masters())
                .unwrap_or_default(),
            aliases: list("aliases").unwrap_or_else(|| layout.aliases()),
            sync_type: s.str("sync-type").map(str::to_string),
            sync_uri: s.str("sync-uri").map(str::to_string),
            auto_sync: s.bool("auto-sync").unwrap_or(true),
            eclass_overrides: list("eclass-overrides").unwrap_or_default(),
            kind: self.0,
            layout,
            defined_at: s.location.clone(),
            cache: cache.map(|c| (*c).clone()),
            location,
        };
        Ok(Arc::new(repo))
    }
}

/// `md5-cache`: an md5-dict metadata cache.
#[derive(Debug, Clone, Copy)]
pub struct Md5CacheClass;

static CACHE_FIELDS: &[Field] = &[
    Field::required("location", T::Path, "the cache directory"),
    Field::optional("readonly", T::Bool, "never write it"),
];

impl ConfigClass for Md5CacheClass {
    fn type_name(&self) -> &'static str {
        "cache"
    }
    fn fields(&self) -> &'static [Field] {
        CACHE_FIELDS
    }
    fn doc(&self) -> &'static str {
        "an md5-dict metadata cache (metadata/md5-cache)"
    }
    fn build(&self, s: &ResolvedSection, _: &mut BuildContext<'_>) -> Result<Object, ConfigError> {
        Ok(Arc::new(CacheConfig {
            format: "md5-dict".into(),
            location: s.path("location").map(PathBuf::from).unwrap_or_default(),
            readonly: s.bool("readonly").unwrap_or(false),
        }))
    }
}

/// `sync`: how a repository is synced.
#[derive(Debug, Clone, Copy)]
pub struct SyncClass;

static SYNC_FIELDS: &[Field] = &[
    Field::required("sync-type", T::Str, "rsync, git, ..."),
    Field::optional("sync-uri", T::Str, "where from"),
    Field::required("location", T::Path, "the directory synced"),
    Field::optional("auto-sync", T::Bool, "synced by `sync --auto`"),
];

impl ConfigClass for SyncClass {
    fn type_name(&self) -> &'static str {
        "syncer"
    }
    fn fields(&self) -> &'static [Field] {
        SYNC_FIELDS
    }
    fn doc(&self) -> &'static str {
        "a repository syncer"
    }
    fn build(&self, s: &ResolvedSection, _: &mut BuildContext<'_>) -> Result<Object, ConfigError> {
        Ok(Arc::new(SyncConfig {
            sync_type: s.str("sync-type").unwrap_or_default().to_string(),
            uri: s.str("sync-uri").map(str::to_string),
            location: s.path("location").map(PathBuf::from).unwrap_or_default(),
            auto_sync: s.bool("auto-sync").unwrap_or(true),
        }))
    }
}

/// `portage-profile`: a profile directory (usually the `make.profile` link) plus the user
/// profile.
#[derive(Debug, Clone, Copy)]
pub struct ProfileClass;

static PROFILE_FIELDS: &[Field] = &[
    Field::required(
        "path",
        T::Path,
        "the profile directory or make.profile link",
    ),
    Field::optional(
        "user-path",
        T::Path,
        "the user profile (/etc/portage/profile)",
    ),
    Field::optional(
        "repos",
        T::Refs("repo"),
        "repositories for repo:path parents",
    ),
];

impl ConfigClass for ProfileClass {
    fn type_name(&self) -> &'static str {
        "profile"
    }
    fn fields(&self) -> &'static [Field] {
        PROFILE_FIELDS
    }
    fn doc(&self) -> &'static str {
        "a stacked Portage profile"
    }
    fn build(
        &self,
        s: &ResolvedSection,
        ctx: &mut BuildContext<'_>,
    ) -> Result<Object, ConfigError> {
        let repos: Vec<Arc<RepoConfig>> = ctx.get_refs(s, "repos")?;
        let set = RepoSet {
            main_repo: String::new(),
            repos: repos.iter().map(|r| (**r).clone()).collect(),
        };
        let path = s
            .path("path")
            .ok_or_else(|| s.error(Some("path"), "missing"))?;
        let profile = Profile::load(path, s.path("user-path"), &set)?;
        Ok(Arc::new(profile))
    }
}

/// `ebuild-domain`: the domain. Keys not declared here are settings (make.conf).
#[derive(Debug, Clone, Copy)]
pub struct DomainClass;

static DOMAIN_FIELDS: &[Field] = &[
    Field::optional("repos", T::Refs("repo"), "source and binary repositories"),
    Field::optional("vdb", T::Ref("repo"), "the installed-package database"),
    Field::required("profile", T::Ref("profile"), "the profile"),
    Field::optional("root", T::Path, "ROOT (default /)"),
    Field::optional("config-dir", T::Path, "the Portage config directory"),
    Field::optional("main-repo", T::Str, "the main repository's name"),
];

impl ConfigClass for DomainClass {
    fn type_name(&self) -> &'static str {
        "domain"
    }
    fn fields(&self) -> &'static [Field] {
        DOMAIN_FIELDS
    }
    fn allow_unknown(&self) -> bool {
        true
    }
    fn doc(&self) -> &'static str {
        "repositories + profile + root + user settings"
    }
    fn build(
        &self,
        s: &ResolvedSection,
        ctx: &mut BuildContext<'_>,
    ) -> Result<Object, ConfigError> {
        let repos: Vec<Arc<RepoConfig>> = ctx.get_refs(s, "repos")?;
        let vdb: Option<Arc<RepoConfig>> = ctx.get_ref(s, "vdb")?;
        let profile: Arc<Profile> = ctx
            .get_ref(s, "profile")?
            .ok_or_else(|| s.error(Some("profile"), "missing"))?;
        let mut layer = Layer::new(format!("section {}", s.name));
        for (k, (v, loc)) in &s.values {
            if DOMAIN_FIELDS.iter().any(|f| f.name == k) {
                continue;
            }
            if let crate::registry::Value::Str(v) = v {
                layer.set(k.clone(), v.clone(), loc.clone());
            }
        }
        let domain = Domain::new(DomainParts {
            root: s
                .path("root")
                .map(PathBuf::from)
                .unwrap_or_else(|| "/".into()),
            config_dir: s
                .path("config-dir")
                .map(PathBuf::from)
                .unwrap_or_else(|| "/etc/portage".into()),
            main_repo: s.str("main-repo").unwrap_or("gentoo").to_string(),
            repos: repos
                .iter()
                .filter(|r| r.kind != RepoKind::Installed)
                .map(|r| (**r).clone())
                .collect(),
            vdb: vdb.map(|v| (*v).clone()),
            profile,
            user_settings: layer,
        })?;
        Ok(Arc::new(domain))
    }
}
