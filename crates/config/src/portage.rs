//! Translation of a Portage configuration (`/etc/portage`) into config sections, like
//! pkgcore's `portage_conf`: one section per repository (`ebuild-v1` / `binpkg-v1`), its
//! cache (`cache:<name>`) and syncer (`sync:<name>`), PKGDIR as the `binpkgs` repository
//! when it exists, the installed-package database (`vdb`), the `profile`, and the default
//! domain `livefs` carrying every make.conf variable.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::central::{RawSection, RawValue};
use crate::error::{ConfigError, Location, Warning};
use crate::ini::Ini;
use crate::repos::{RepoKind, RepoSet, resolve_repos};
use crate::settings::MAKE_GLOBALS;
use crate::shell::{ShellFileParser, ShellOptions};

/// Where to find the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortageOptions {
    /// The Portage config directory (`${PORTAGE_CONFIGROOT}/etc/portage`).
    pub config_dir: PathBuf,
    /// ROOT: where packages are installed (the vdb is `${ROOT}/var/db/pkg`).
    pub root: PathBuf,
    /// The home directory for `~` in repos.conf locations.
    pub home: Option<PathBuf>,
    /// repos.conf text that replaces the repos.conf files (Portage's
    /// `PORTAGE_REPOSITORIES` environment variable), if given.
    pub repositories: Option<String>,
}

impl PortageOptions {
    /// Options for `PORTAGE_CONFIGROOT=config_root` and `ROOT=root`.
    pub fn new(config_root: &Path, root: &Path) -> PortageOptions {
        PortageOptions {
            config_dir: config_root.join("etc/portage"),
            root: root.to_path_buf(),
            home: None,
            repositories: None,
        }
    }
}

/// A translated Portage configuration.
#[derive(Debug, Clone)]
pub struct PortageConfig {
    /// The sections, ready for [`crate::central::ConfigManager::add_source`].
    pub sections: Vec<RawSection>,
    /// The repositories as resolved from repos.conf (and PKGDIR).
    pub repos: RepoSet,
    /// The make.conf variables.
    pub make_conf: IndexMap<String, (String, Location)>,
    /// Problems found (skipped lines).
    pub warnings: Vec<Warning>,
}

/// Reads `make.conf` (file or directory; `source` allowed) from `config_dir`.
pub fn read_make_conf(
    config_dir: &Path,
    warnings: &mut Vec<Warning>,
) -> Result<IndexMap<String, (String, Location)>, ConfigError> {
    let globals = |k: &str| {
        MAKE_GLOBALS
            .iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    };
    let mut parser = ShellFileParser::new(ShellOptions { allow_source: true }, &globals);
    parser.parse_path(&config_dir.join("make.conf"))?;
    warnings.append(&mut parser.warnings);
    let mut out = IndexMap::new();
    for a in parser.assignments {
        out.insert(a.name, (a.value, a.location));
    }
    Ok(out)
}

/// `p` made absolute against the working directory (left as is if that fails).
fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// Translates the Portage configuration described by `opts`.
pub fn load_portage_config(opts: &PortageOptions) -> Result<PortageConfig, ConfigError> {
    let mut warnings = Vec::new();
    // The sections below carry paths already resolved (against the working directory)
    // but tagged with the file that defined them, and the config manager resolves a
    // relative path value against its file's directory: a relative config directory
    // or ROOT would be joined twice. Working from absolute ones keeps every path we
    // emit absolute.
    let dir = &absolute(&opts.config_dir);
    let root = &absolute(&opts.root);
    let repos_conf = dir.join("repos.conf");
    let ini = if let Some(text) = &opts.repositories {
        let mut ini = Ini::default();
        ini.parse_str(text, Path::new("<PORTAGE_REPOSITORIES>"), &mut warnings);
        ini
    } else if repos_conf.exists() {
        Ini::read(&repos_conf, &mut warnings)?
    } else {
        let mut ini = Ini::default();
        ini.parse_str(
            "[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\nlocation = /var/db/repos/gentoo\nsync-type = rsync\nsync-uri = rsync://rsync.gentoo.org/gentoo-portage\nauto-sync = yes\n",
            Path::new("<builtin repos.conf>"),
            &mut warnings,
        );
        ini
    };
    let mut repos = resolve_repos(&ini, opts.home.as_deref(), &mut warnings)?;
    let make_conf = read_make_conf(dir, &mut warnings)?;

    let mut sections = Vec::new();
    let text = |s: &str| RawValue::Text(s.to_string());
    for repo in &repos.repos {
        let at = |k: &str| {
            ini.get(&repo.name, k)
                .map(|v| v.location.clone())
                .unwrap_or_else(|| repo.defined_at.clone())
        };
        let mut s = RawSection::new(repo.name.clone(), repo.defined_at.clone());
        s.set(
            "class",
            text(repo.kind.class_name()),
            repo.defined_at.clone(),
        );
        s.set(
            "location",
            text(&repo.location.display().to_string()),
            at("location"),
        );
        s.set("priority", RawValue::Int(repo.priority), at("priority"));
        if repo.kind == RepoKind::Ebuild {
            s.set(
                "masters",
                RawValue::List(repo.masters.iter().map(|m| text(m)).collect()),
                at("masters"),
            );
        }
        if !repo.aliases.is_empty() {
            s.set(
                "aliases",
                RawValue::List(repo.aliases.iter().map(|m| text(m)).collect()),
                at("aliases"),
            );
        }
        if !repo.eclass_overrides.is_empty() {
            s.set(
                "eclass-overrides",
                RawValue::List(repo.eclass_overrides.iter().map(|m| text(m)).collect()),
                at("eclass-overrides"),
            );
        }
        if let Some(t) = &repo.sync_type {
            s.set("sync-type", text(t), at("sync-type"));
        }
        if let Some(u) = &repo.sync_uri {
            s.set("sync-uri", text(u), at("sync-uri"));
        }
        s.set("auto-sync", RawValue::Bool(repo.auto_sync), at("auto-sync"));
        let md5 = repo.location.join("metadata/md5-cache");
        let cache_formats = repo.layout.values.get("cache-formats");
        if repo.kind == RepoKind::Ebuild
            && (md5.is_dir()
                || cache_formats.is_some_and(|f| f.split_whitespace().any(|x| x == "md5-dict")))
        {
            let name = format!("cache:{}", repo.name);
            let mut c = RawSection::new(name.clone(), repo.defined_at.clone());
            c.set("class", text("md5-cache"), repo.defined_at.clone());
            c.set(
                "location",
                text(&md5.display().to_string()),
                repo.defined_at.clone(),
            );
            c.set("readonly", RawValue::Bool(true), repo.defined_at.clone());
            sections.push(c);
            s.set("cache", text(&name), repo.defined_at.clone());
        }
        if let Some(t) = &repo.sync_type {
            let mut y = RawSection::new(format!("sync:{}", repo.name), repo.defined_at.clone());
            y.set("class", text("sync"), repo.defined_at.clone());
            y.set("sync-type", text(t), at("sync-type"));
            if let Some(u) = &repo.sync_uri {
                y.set("sync-uri", text(u), at("sync-uri"));
            }
            y.set(
                "location",
                text(&repo.location.display().to_string()),
                at("location"),
            );
            y.set("auto-sync", RawValue::Bool(repo.auto_sync), at("auto-sync"));
            sections.push(y);
        }
        sections.push(s);
    }

    // PKGDIR as a binary repository. Portage uses PKGDIR as given: a relative value is
    // relative to the working directory (not to make.conf's directory, unlike repos.conf
    // locations). It is made absolute here, once, so that the existence check, the
    // duplicate check and the emitted `location` (which the config manager would
    // otherwise resolve against make.conf's directory) all name the same directory.
    let (pkgdir, pkgdir_loc) = make_conf
        .get("PKGDIR")
        .map(|(v, l)| (absolute(Path::new(v)), l.clone()))
        .unwrap_or_else(|| (PathBuf::from("/var/cache/binpkgs"), Location::builtin()));
    if pkgdir.is_dir()
        && !repos.repos.iter().any(|r| r.location == pkgdir)
        && repos.get("binpkgs").is_none()
    {
        let mut s = RawSection::new("binpkgs", pkgdir_loc.clone());
        s.set("class", text("binpkg-v1"), pkgdir_loc.clone());
        s.set(
            "location",
            text(&pkgdir.display().to_string()),
            pkgdir_loc.clone(),
        );
        sections.push(s);
        repos.repos.push(crate::repos::RepoConfig {
            name: "binpkgs".into(),
            location: pkgdir,
            priority: crate::repos::BINPKG_DEFAULT_PRIORITY,
            priority_explicit: false,
            masters: Vec::new(),
            aliases: Vec::new(),
            sync_type: None,
            sync_uri: None,
            auto_sync: false,
            eclass_overrides: Vec::new(),
            kind: RepoKind::Binpkg,
            layout: Default::default(),
            defined_at: pkgdir_loc,
            cache: None,
        });
        repos.sort();
    }

    // The installed-package database.
    let vdb_path = root.join("var/db/pkg");
    let builtin = Location::builtin();
    let mut vdb = RawSection::new("vdb", builtin.clone());
    vdb.set("class", text("vdb"), builtin.clone());
    vdb.set(
        "location",
        text(&vdb_path.display().to_string()),
        builtin.clone(),
    );
    sections.push(vdb);

    // The profile.
    let make_profile = dir.join("make.profile");
    let profile_loc = Location::new(&make_profile, 0);
    let mut profile = RawSection::new("profile", profile_loc.clone());
    profile.set("class", text("portage-profile"), profile_loc.clone());
    profile.set(
        "path",
        text(&make_profile.display().to_string()),
        profile_loc.clone(),
    );
    let user_profile = dir.join("profile");
    if user_profile.is_dir() {
        profile.set(
            "user-path",
            text(&user_profile.display().to_string()),
            Location::new(&user_profile, 0),
        );
    }
    let ebuild_names: Vec<RawValue> = repos
        .repos
        .iter()
        .filter(|r| r.kind == RepoKind::Ebuild)
        .map(|r| text(&r.name))
        .collect();
    profile.set("repos", RawValue::List(ebuild_names), profile_loc.clone());
    sections.push(profile);

    // The default domain.
    let conf_loc = Location::new(dir.join("make.conf"), 0);
    let mut livefs = RawSection::new("livefs", conf_loc.clone());
    livefs.set("class", text("ebuild-domain"), conf_loc.clone());
    livefs.set("default", RawValue::Bool(true), conf_loc.clone());
    livefs.set(
        "repos",
        RawValue::List(
            repos
                .repos
                .iter()
                .filter(|r| r.kind != RepoKind::Installed)
                .map(|r| text(&r.name))
                .collect(),
        ),
        conf_loc.clone(),
    );
    livefs.set("vdb", text("vdb"), conf_loc.clone());
    livefs.set("profile", text("profile"), conf_loc.clone());
    livefs.set("root", text(&root.display().to_string()), conf_loc.clone());
    livefs.set(
        "config-dir",
        text(&dir.display().to_string()),
        conf_loc.clone(),
    );
    livefs.set("main-repo", text(&repos.main_repo), conf_loc.clone());
    for (k, (v, loc)) in &make_conf {
        if matches!(k.as_str(), "class" | "inherit" | "inherit-only" | "default")
            || livefs.values.contains_key(k.as_str())
        {
            warnings.push(Warning::new(
                loc.clone(),
                format!("make.conf variable {k} clashes with a domain key; ignored"),
            ));
            continue;
        }
        livefs.set(k, text(v), loc.clone());
    }
    sections.push(livefs);

    Ok(PortageConfig {
        sections,
        repos,
        make_conf,
        warnings,
    })
}
