//! Which repositories a query runs on (pkgcore's `setup_repos`): the domain's
//! visibility-filtered source repositories by default; `-r`, `-E`, `-B`, `-I`, `-A`,
//! `--raw`, `--unfiltered`, `--virtuals`; CONTENTS options switch to the installed
//! packages (the vdb and package.provided).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use strata_config::classes::builtin_registry;
use strata_config::domain::Domain;
use strata_config::load::{ConfigSource, SourceArgs, SourceEnv, load_config};
use strata_repo::domain::OpenOptions;
use strata_repo::provided::PROVIDED_REPO_ID;
use strata_repo::{
    DomainRepos, EbuildRepo, EbuildRepoOptions, MasterRepo, Repository, VisibleRepo,
};

use crate::cli::{Options, Virtuals};

/// The repositories to query, in order, and whether packages are seen configured.
#[derive(Debug)]
pub struct Selection {
    /// Repositories, each queried on its own (output is grouped per repository).
    pub repos: Vec<Arc<dyn Repository>>,
    /// For each of `repos` that is an ebuild repository: it, and whether it is seen
    /// through the domain's visibility filter.
    pub ebuild: Vec<Option<(EbuildRepo, bool)>>,
    /// All source repositories, visibility-filtered, for `-u`.
    pub all_source: Vec<Arc<dyn Repository>>,
    /// The installed packages.
    pub installed: Arc<dyn Repository>,
}

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Loads the configuration named by `--config`/`--config-root`/`--root` (and
/// PORTAGE_CONFIGROOT/ROOT/HOME/PORTAGE_REPOSITORIES) and builds the domain `--domain`
/// names (the default one without it).
pub fn load_domain(opts: &Options) -> Result<Arc<Domain>, String> {
    let cli = &opts.cli;
    let args = SourceArgs {
        config: cli.config.clone(),
        config_root: cli.config_root.clone(),
        root: cli.root.clone(),
    };
    let source = ConfigSource::from_env_and_args(&args, &SourceEnv::from_process())
        .map_err(|e| e.to_string())?;
    let loaded = load_config(builtin_registry(), &source).map_err(|e| e.to_string())?;
    let domain = loaded
        .select_domain(cli.domain.as_deref())
        .map_err(|e| e.to_string())?;
    // What was skipped while reading the configuration (malformed lines, files not
    // allowed by a profile's EAPI), each with its file and line, unless -q.
    if cli.quiet == 0 {
        for w in loaded.warnings.iter().chain(&domain.warnings) {
            eprintln!("pquery: warning: {w}");
        }
    }
    Ok(domain)
}

/// Opens the domain's repositories. Search indexes go to `STRATA_INDEX_DIR` when set,
/// else the user's cache directory. Binary repositories are opened (their PKGDIR scanned)
/// only when `binary` says the query may use them.
pub fn open_repos(domain: Arc<Domain>, binary: bool) -> Result<DomainRepos, String> {
    let opts = OpenOptions {
        index_dir: env_path("STRATA_INDEX_DIR"),
        binary_factory: binary.then(|| {
            Arc::new(strata_binpkg::BinpkgRepoFactory::default())
                as Arc<dyn strata_repo::domain::BinaryRepoFactory>
        }),
    };
    DomainRepos::open(domain, &opts).map_err(|e| e.to_string())
}

fn same_path(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// An ebuild repository outside the configuration, opened from its path, its masters
/// resolved by name among the configured repositories.
fn external_repo(path: &Path, repos: &DomainRepos) -> Result<EbuildRepo, String> {
    let probe = EbuildRepo::open(path).map_err(|e| e.to_string())?;
    let mut masters = Vec::new();
    for name in probe.layout().masters().unwrap_or_default() {
        let Some(m) = repos.domain.repos.get(&name) else {
            return Err(format!(
                "repository at {}: unknown master {name:?}",
                path.display()
            ));
        };
        masters.push(MasterRepo {
            name: m.name.clone(),
            location: m.location.clone(),
        });
    }
    EbuildRepo::open_with(
        path,
        EbuildRepoOptions {
            masters,
            index_dir: env_path("STRATA_INDEX_DIR"),
            ..Default::default()
        },
    )
    .map_err(|e| e.to_string())
}

/// Whether `repo` is a virtual repository (package.provided), as `--virtuals` means it.
fn is_virtual(repo: &dyn Repository) -> bool {
    repo.id() == PROVIDED_REPO_ID && repo.livefs() && repo.location().is_none()
}

/// The repositories `opts` select.
pub fn select(opts: &Options, repos: &DomainRepos) -> Result<Selection, String> {
    let cli = &opts.cli;
    let filtered = !cli.raw && !cli.unfiltered;
    let domain = repos.domain.clone();
    let wrap = |r: Arc<dyn Repository>| -> Arc<dyn Repository> {
        if filtered {
            Arc::new(VisibleRepo::new(r, domain.clone()))
        } else {
            r
        }
    };
    let source: Vec<Arc<dyn Repository>> = repos
        .source
        .iter()
        .map(|r| Arc::new(r.clone()) as Arc<dyn Repository>)
        .collect();
    let installed: Arc<dyn Repository> = Arc::new(repos.installed.clone());
    let provided: Arc<dyn Repository> = Arc::new(repos.provided.clone());
    let binary_unavailable = || {
        let why: Vec<String> = repos
            .skipped
            .iter()
            .filter(|(n, _)| repos.domain.binary_repos().any(|r| &r.name == n))
            .map(|(n, w)| format!("{n}: {w}"))
            .collect();
        format!(
            "no binary package repository could be opened{}",
            if why.is_empty() {
                String::new()
            } else {
                format!(" ({})", why.join("; "))
            }
        )
    };
    let contents_query =
        cli.contents || cli.size || !cli.owns.is_empty() || !cli.owns_re.is_empty();
    let chosen: Vec<Arc<dyn Repository>> =
        if let Some(name) = &cli.repo {
            if matches!(name.as_str(), "vdb" | "installed") {
                vec![installed.clone()]
            } else if let Some(r) = repos.binary.iter().find(|r| {
                r.id() == name || r.location().is_some_and(|l| same_path(l, Path::new(name)))
            }) {
                vec![wrap(r.clone())]
            } else if matches!(name.as_str(), "binpkg" | "binpkgs") {
                return Err(binary_unavailable());
            } else if name == PROVIDED_REPO_ID || name == "package.provided" {
                // (pkgcore's provides repository is called `package.provided`.)
                vec![provided.clone()]
            } else if let Some(r) = repos
                .source
                .iter()
                .find(|r| r.id() == name)
                .or_else(|| {
                    let cfg = repos.domain.repos.get(name)?;
                    repos.source.iter().find(|r| r.id() == cfg.name)
                })
                .or_else(|| {
                    repos
                        .source
                        .iter()
                        .find(|r| r.location().is_some_and(|l| same_path(l, Path::new(name))))
                })
            {
                vec![wrap(Arc::new(r.clone()))]
            } else if let Some((n, why)) = repos.skipped.iter().find(|(n, _)| n == name) {
                return Err(format!("repository {n:?} could not be opened: {why}"));
            } else if Path::new(name).is_dir() {
                vec![wrap(Arc::new(external_repo(Path::new(name), repos)?))]
            } else {
                return Err(format!(
                    "repository {name:?} is not configured and is not a directory"
                ));
            }
        } else if contents_query || cli.installed {
            // pkgcore's installed_repos: the vdb and package.provided.
            vec![installed.clone(), provided.clone()]
        } else if cli.binary_repos {
            if repos.binary.is_empty() {
                return Err(binary_unavailable());
            }
            repos.binary.iter().cloned().map(wrap).collect()
        } else if cli.all_repos {
            let mut v = vec![installed.clone(), provided.clone()];
            v.extend(source.iter().cloned().map(wrap));
            v.extend(repos.binary.iter().cloned().map(wrap));
            v
        } else {
            // Default and -E: the source repositories (binary ones only with -B, -A or -r,
            // as pkgcore leaves binhosts out of the default set).
            source.iter().cloned().map(wrap).collect()
        };
    // --virtuals: keep only, or drop, the virtual (package.provided) repositories
    // (pkgcore's get_virtual_repos), whatever the options above selected.
    let mut chosen = chosen;
    if let Some(v) = cli.virtuals {
        let only = v == Virtuals::Only;
        chosen.retain(|r| is_virtual(r.as_ref()) == only);
    }
    let ebuild = chosen
        .iter()
        .map(|r| {
            if r.livefs() {
                return None;
            }
            let loc = r.location()?;
            repos
                .source
                .iter()
                .find(|e| e.id() == r.id() && e.location() == Some(loc))
                .map(|e| (e.clone(), filtered))
        })
        .collect();
    // `-u` compares against the visible versions, whatever the selection (pkgcore's
    // `all_source_repos`).
    let all_source = source
        .iter()
        .map(|r| Arc::new(VisibleRepo::new(r.clone(), domain.clone())) as Arc<dyn Repository>)
        .collect();
    Ok(Selection {
        repos: chosen,
        ebuild,
        all_source,
        installed,
    })
}
