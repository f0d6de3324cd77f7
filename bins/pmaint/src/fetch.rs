//! `pmaint fetch`: fetch and verify distfiles, list their candidate URIs, verify a DISTDIR,
//! or export a DISTDIR into a GLEP 75 mirror layout.
//!
//! Two ways to say what to fetch:
//! - package targets (pkgcore's extended syntax), resolved in the visible ebuild
//!   repositories of the configured domain: the best visible version per package of each
//!   target, its SRC_URI evaluated with the domain's USE, its Manifest, RESTRICT and the
//!   repository's thirdpartymirrors, GENTOO_MIRRORS and DISTDIR from the domain;
//! - explicit inputs: a Manifest (digests, and the distfile list when no SRC_URI is given)
//!   and/or a SRC_URI string with its EAPI, USE flags and RESTRICT.
//!
//! Both end in the same code path ([`fetch_known`]) once the fetchables are known.
//!
//! Download commands ([`fetch_commands`]): FETCHCOMMAND, RESUMECOMMAND, every
//! FETCHCOMMAND_<PROTO> / RESUMECOMMAND_<PROTO> and PORTAGE_SSH_OPTS come from the domain's settings for package
//! targets (make.globals, the profile, make.conf), else from strata's make.globals; the
//! environment overrides both, as in Portage. A protocol-specific command handles its
//! scheme; a plain FETCHCOMMAND set by the user (make.conf, profile or environment)
//! handles every scheme but file://, as in Portage; the built-in default (make.globals'
//! wget) only handles schemes the built-in http/https/file client cannot (ftp, ...).

use std::collections::HashMap;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::location::ConfigLocation;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use strata_atom::Eapi;
use strata_atom::depspec::{DepKind, DepSpec};
use strata_config::layout::LayoutConf;
use strata_config::settings::MAKE_GLOBALS;
use strata_fetch::fetcher::parse_resume_min_size;
use strata_fetch::hash::verify_file;
use strata_fetch::layout::{ExportMethod, export_distfiles};
use strata_fetch::{
    FetchCommands, FetchEvent, FetchOptions, Fetchable, FetchedFrom, Fetcher, HttpOptions,
    HttpTransport, Layout, LockMode, Manifest, ManifestPolicy, MirrorConfig, MirrorMap, Progress,
    Restrict, SchemeTransport,
};
use strata_repo::domain::DomainRepos;
use strata_repo::repository::{MatchOptions, Repository};
use strata_repo::{ConfiguredPackage, PackageRef};
use strata_restrict::parse_target;

/// Arguments of `pmaint fetch`.
///
/// Positional arguments are package targets, unless --manifest, --src-uri or
/// --export-layout is given: then they are distfile names.
#[derive(clap::Args)]
#[command(
    after_help = "Positional arguments: without --manifest, --src-uri and --export-layout
they are package targets in pkgcore's extended syntax (dev-python/textual,
'=app-misc/foo-1.2', 'dev-python/*'), resolved in the visible ebuild repositories of the
configured domain (--config/--config-root/--root): for each package a target matches, its
best visible version is fetched (like emerge --fetchonly); DISTDIR and GENTOO_MIRRORS come
from the domain unless --distdir/--mirrors are given. With --manifest or --src-uri they are
distfile names (default: all of them).

FETCHCOMMAND/RESUMECOMMAND and their _<PROTO> forms (make.conf, or the environment) are run
as in Portage: FETCHCOMMAND_FTP for ftp:// URIs, a plain FETCHCOMMAND set by the user for
every scheme but file://; strata's default (wget) only for schemes the built-in client
lacks (it speaks http, https and file).

Examples:
  pmaint fetch --config-root / --pretend dev-python/textual
  pmaint fetch --config /etc/portage '=app-misc/foo-1.2' 'dev-libs/bar:2'
  pmaint fetch --distdir /var/cache/distfiles --manifest app-misc/foo/Manifest foo-1.tar.gz
  pmaint fetch --distdir d --manifest Manifest --src-uri 'https://example.org/foo-1.tar.gz' --eapi 8
  pmaint fetch --distdir d --manifest Manifest --pretend
  pmaint fetch --distdir d --export-layout /srv/mirror/distfiles"
)]
pub struct Args {
    /// Package targets; with --manifest/--src-uri/--export-layout: distfile names to fetch
    /// (default: every name from --src-uri, else every DIST entry of --manifest).
    #[arg(value_name = "TARGET|DISTFILE")]
    pub distfiles: Vec<String>,
    /// Where the configuration is (for package targets).
    #[command(flatten)]
    pub location: ConfigLocation,
    /// DISTDIR to fetch into (default: the domain's DISTDIR for package targets, else
    /// $DISTDIR).
    #[arg(long)]
    pub distdir: Option<PathBuf>,
    /// The package Manifest supplying DIST sizes and hashes.
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// A SRC_URI value (USE conditionals evaluated with --use).
    #[arg(long)]
    pub src_uri: Option<String>,
    /// EAPI the SRC_URI is parsed under.
    #[arg(long, default_value = "8")]
    pub eapi: String,
    /// Enabled USE flags for --src-uri (space- or comma-separated).
    #[arg(long = "use", default_value = "")]
    pub use_flags: String,
    /// The package's RESTRICT (e.g. "mirror primaryuri").
    #[arg(long, default_value = "")]
    pub restrict: String,
    /// GENTOO_MIRRORS (space-separated; default: the domain's for package targets, else
    /// $GENTOO_MIRRORS).
    #[arg(long)]
    pub mirrors: Option<String>,
    /// A profiles/thirdpartymirrors file (repeatable; later files add URLs).
    #[arg(long)]
    pub thirdpartymirrors: Vec<PathBuf>,
    /// The user's mirrors file (/etc/portage/mirrors; its `local` entry lists local mirrors).
    #[arg(long)]
    pub custom_mirrors: Option<PathBuf>,
    /// The repository's metadata/layout.conf (manifest-required-hashes are enforced).
    #[arg(long)]
    pub layout_conf: Option<PathBuf>,
    /// Parallel downloads.
    #[arg(long, short = 'j', default_value_t = 4)]
    pub jobs: usize,
    /// Fetch distfiles that have no Manifest entry (unverified).
    #[arg(long)]
    pub allow_missing_digests: bool,
    /// PORTAGE_FETCH_RESUME_MIN_SIZE (e.g. 350K).
    #[arg(long, default_value = "350K")]
    pub resume_min_size: String,
    /// Skip distfiles another process is fetching instead of waiting.
    #[arg(long)]
    pub fetchonly: bool,
    /// FEATURES=force-mirror: never use upstream URIs.
    #[arg(long)]
    pub force_mirror: bool,
    /// Keep thirdpartymirrors order instead of shuffling it.
    #[arg(long)]
    pub no_shuffle: bool,
    /// Seconds a stalled transfer may wait for data.
    #[arg(long, default_value_t = 60)]
    pub timeout: u64,
    /// Only print each distfile's candidate URIs, in order.
    #[arg(long, short = 'p')]
    pub pretend: bool,
    /// Only verify the distfiles already in DISTDIR against the Manifest.
    #[arg(long, conflicts_with = "pretend")]
    pub verify: bool,
    /// Export DISTDIR into a GLEP 75 layout (filename-hash BLAKE2B 8, then flat) at this
    /// directory (hard links where possible) and exit.
    #[arg(long, value_name = "DIR")]
    pub export_layout: Option<PathBuf>,
    /// A dynamic-archive store consulted before the network (by Manifest SHA512, else by
    /// final name); default: $STRATA_ARCHIVE_STORE when set.
    #[arg(long, value_name = "DIR")]
    pub archive_store: Option<PathBuf>,
}

/// Draws one progress bar per running download; messages go above the bars.
struct Bars {
    multi: MultiProgress,
    bars: Mutex<HashMap<String, ProgressBar>>,
}

impl Bars {
    fn new() -> Self {
        Bars {
            multi: MultiProgress::new(),
            bars: Mutex::new(HashMap::new()),
        }
    }

    fn bar(&self, name: &str, total: Option<u64>) -> ProgressBar {
        let mut bars = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        bars.entry(name.to_owned())
            .or_insert_with(|| {
                let pb = self.multi.add(match total {
                    Some(t) => ProgressBar::new(t),
                    None => ProgressBar::no_length(),
                });
                let style = ProgressStyle::with_template(
                    "{msg:30!} [{bar:30}] {bytes:>10}/{total_bytes:10} {bytes_per_sec:>11} {eta:>4}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
                pb.set_style(style);
                pb.set_message(name.to_owned());
                pb
            })
            .clone()
    }

    fn say(&self, line: String) {
        if self.multi.is_hidden() {
            eprintln!("{line}");
        } else {
            let _ = self.multi.println(line);
        }
    }
}

impl Progress for Bars {
    fn event(&self, event: &FetchEvent<'_>) {
        match *event {
            FetchEvent::Start { .. } => {}
            FetchEvent::Attempt {
                name,
                url,
                offset,
                total,
            } => {
                let pb = self.bar(name, total);
                pb.set_position(offset);
                if offset > 0 {
                    self.say(format!(">>> Resuming {name} at byte {offset} from {url}"));
                } else {
                    self.say(format!(">>> Downloading {url}"));
                }
            }
            FetchEvent::Progress { name, done, total } => {
                self.bar(name, total).set_position(done);
            }
            FetchEvent::AttemptFailed { name, url, error } => {
                self.say(format!("!!! {name}: {url}: {error}"));
            }
            FetchEvent::MovedAside { name, to, reason } => {
                self.say(format!(
                    "!!! {name}: {reason}; moved aside to {}",
                    to.display()
                ));
            }
            FetchEvent::Warning { name, message } => {
                self.say(format!("!!! {name}: {message}"));
            }
            FetchEvent::Finish { name, .. } => {
                let pb = self
                    .bars
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(name);
                if let Some(pb) = pb {
                    pb.finish_and_clear();
                    self.multi.remove(&pb);
                }
            }
        }
    }
}

fn read(path: &Path) -> Result<String, Box<dyn Error>> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()).into())
}

/// Runs `pmaint fetch`.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn Error>> {
    if args.manifest.is_none() && args.src_uri.is_none() && args.export_layout.is_none() {
        return run_targets(&args);
    }
    let distdir = args
        .distdir
        .clone()
        .or_else(|| std::env::var_os("DISTDIR").map(PathBuf::from))
        .ok_or("no DISTDIR: give --distdir or set $DISTDIR")?;
    let gentoo_mirrors = args
        .mirrors
        .clone()
        .or_else(|| std::env::var("GENTOO_MIRRORS").ok())
        .unwrap_or_default();
    if let Some(dest) = &args.export_layout {
        let layouts = [
            Layout::parse("filename-hash BLAKE2B 8").ok_or("built-in layout")?,
            Layout::Flat,
        ];
        let report = export_distfiles(&distdir, dest, &layouts, ExportMethod::HardLink)?;
        println!(
            "exported {} distfiles ({} already present) to {}",
            report.placed.len(),
            report.present.len(),
            dest.display()
        );
        for c in &report.conflicts {
            println!(
                "!!! {} exists with different contents; left alone",
                c.display()
            );
        }
        return Ok(if report.conflicts.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }

    let manifest = args.manifest.as_deref().map(Manifest::load).transpose()?;
    let policy = args
        .layout_conf
        .as_ref()
        .map(|p| read(p).map(|t| ManifestPolicy::from_layout_conf(&t)))
        .transpose()?;
    if let (Some(m), Some(p)) = (&manifest, &policy) {
        m.check(p)?;
    }
    let restrict = Restrict::from_tokens(args.restrict.split_whitespace());

    let mut fetchables: Vec<Fetchable> = match &args.src_uri {
        Some(src) => {
            let eapi: Eapi = args.eapi.parse()?;
            let spec = DepSpec::parse(src, DepKind::SrcUri, eapi)?;
            let flags: Vec<&str> = args
                .use_flags
                .split(|c: char| c.is_whitespace() || c == ',')
                .filter(|s| !s.is_empty())
                .collect();
            Fetchable::from_src_uri(&spec, &flags[..], manifest.as_ref(), restrict)?
        }
        None => {
            let m = manifest
                .as_ref()
                .ok_or("give --manifest and/or --src-uri, or package targets")?;
            m.dists()
                .map(|d| Fetchable::new(d.path.clone(), Some(d.digests.clone()), restrict))
                .collect()
        }
    };
    if !args.distfiles.is_empty() {
        for want in &args.distfiles {
            if !fetchables.iter().any(|f| &f.name == want) {
                let digests = manifest
                    .as_ref()
                    .and_then(|m| m.dist(want))
                    .map(|d| d.digests.clone());
                if digests.is_none() && args.src_uri.is_some() {
                    return Err(format!("{want} is not in the SRC_URI").into());
                }
                fetchables.push(Fetchable::new(want.clone(), digests, restrict));
            }
        }
        fetchables.retain(|f| args.distfiles.contains(&f.name));
    }

    let mirrors = MirrorConfig {
        gentoo_mirrors: gentoo_mirrors
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        ..MirrorConfig::default()
    };
    let commands = fetch_commands(
        MAKE_GLOBALS
            .iter()
            .map(|&(k, v)| (k.to_owned(), v.to_owned(), true)),
        env_vars(),
    );
    let ok = fetch_known(
        &args,
        &distdir,
        &fetchables,
        policy.as_ref(),
        mirrors,
        &commands,
    )?;
    Ok(exit_code(ok))
}

/// The download commands from configured settings (name, value, whether it is a built-in
/// default) and then the environment, which overrides them (see the module documentation).
fn fetch_commands(
    settings: impl IntoIterator<Item = (String, String, bool)>,
    env: impl IntoIterator<Item = (String, String)>,
) -> FetchCommands {
    let mut commands = FetchCommands::new();
    for (var, value, builtin) in settings {
        if builtin {
            commands.set_default(&var, &value);
        } else {
            commands.set(&var, &value);
        }
    }
    for (var, value) in env {
        commands.set(&var, &value);
    }
    commands
}

/// The environment's variables that are valid UTF-8.
fn env_vars() -> impl Iterator<Item = (String, String)> {
    std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
}

fn exit_code(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Verifies, lists (`--pretend`) or fetches `fetchables` into `distdir`, once they are
/// known (from explicit inputs or from a package). `mirrors` carries GENTOO_MIRRORS and the
/// repository's thirdpartymirrors; the command-line mirror options are added to it.
/// Returns whether every distfile was fine.
fn fetch_known(
    args: &Args,
    distdir: &Path,
    fetchables: &[Fetchable],
    policy: Option<&ManifestPolicy>,
    mut mirrors: MirrorConfig,
    commands: &FetchCommands,
) -> Result<bool, Box<dyn Error>> {
    if args.verify {
        let required = policy
            .map(ManifestPolicy::required_algorithms)
            .unwrap_or_default();
        let mut bad = 0;
        for f in fetchables {
            let path = distdir.join(&f.name);
            match &f.digests {
                None => {
                    bad += 1;
                    println!("!!! {}: no Manifest entry", f.name);
                }
                Some(d) => match verify_file(&path, d, &required) {
                    Ok(()) => println!("{} ok", f.name),
                    Err(e) => {
                        bad += 1;
                        println!("!!! {e}");
                    }
                },
            }
        }
        return Ok(bad == 0);
    }

    mirrors.force_mirror |= args.force_mirror;
    mirrors.no_shuffle |= args.no_shuffle;
    for p in &args.thirdpartymirrors {
        mirrors.thirdparty.extend(&MirrorMap::parse(&read(p)?));
    }
    if let Some(p) = &args.custom_mirrors {
        mirrors.custom = MirrorMap::parse(&read(p)?);
    }

    let mut options = FetchOptions::new(distdir);
    options.resume_min_size = parse_resume_min_size(&args.resume_min_size)
        .ok_or_else(|| format!("bad --resume-min-size {:?}", args.resume_min_size))?;
    options.allow_missing_digests = args.allow_missing_digests;
    options.lock = if args.fetchonly {
        LockMode::Skip
    } else {
        LockMode::Wait
    };
    if let Some(p) = policy {
        options.required_hashes = p.required_algorithms();
    }
    let transport = SchemeTransport {
        http: HttpTransport::new(&HttpOptions {
            read_timeout: Duration::from_secs(args.timeout.max(1)),
            ..HttpOptions::default()
        }),
        ..SchemeTransport::default()
    };
    let bars = Arc::new(Bars::new());
    let mut fetcher = Fetcher::new(options, Arc::new(transport))
        .with_mirrors(mirrors)
        .with_commands(commands.clone())
        .with_progress(bars.clone());
    let store_dir = args
        .archive_store
        .clone()
        .or_else(|| std::env::var_os("STRATA_ARCHIVE_STORE").map(PathBuf::from));
    if let Some(dir) = store_dir {
        let store = strata_archive::Store::open(&dir)
            .map_err(|e| format!("archive store {}: {e}", dir.display()))?;
        fetcher = fetcher.with_source(Arc::new(store));
    }

    if args.pretend {
        for f in fetchables {
            println!("{}", f.name);
            for w in fetcher.plan(f).warnings {
                println!("  !!! {w}");
            }
            for u in fetcher.urls(f) {
                println!("  {u}");
            }
        }
        return Ok(true);
    }

    let results = fetcher.fetch_all(fetchables, args.jobs);
    let mut failed = 0;
    for r in results {
        match r {
            Ok(done) => {
                let how = match &done.from {
                    FetchedFrom::AlreadyPresent => "already present, verified".to_owned(),
                    FetchedFrom::CompletedPartial => "completed partial download".to_owned(),
                    FetchedFrom::Source(i) => format!("from local source #{i}"),
                    FetchedFrom::Url(u) => format!("fetched from {u}"),
                    FetchedFrom::LockedElsewhere => "locked by another fetcher; skipped".to_owned(),
                };
                println!(">>> {}: {how}", done.name);
            }
            Err(e) => {
                failed += 1;
                println!("!!! {e}");
            }
        }
    }
    Ok(failed == 0)
}

/// The packages to fetch for `targets`: for each package a target matches among the visible
/// ebuild packages, its best version (the first repository's, between equal versions).
fn resolve_targets(
    repos: &DomainRepos,
    targets: &[String],
) -> Result<Vec<PackageRef>, Box<dyn Error>> {
    let visible = repos.visible();
    let mut chosen: Vec<PackageRef> = Vec::new();
    for target in targets {
        let restriction = parse_target(target).map_err(|e| format!("{target:?}: {e}"))?;
        let matches = visible.itermatch(&restriction, &MatchOptions::default())?;
        let mut best: Vec<PackageRef> = Vec::new();
        for pkg in matches {
            // Only ebuilds have distfiles (binary repositories are in the visible stack too).
            if repos.source_repo(pkg.repo_id()).is_none() {
                continue;
            }
            match best.iter_mut().find(|b| b.cpv().cp() == pkg.cpv().cp()) {
                Some(b) if pkg.cpv() > b.cpv() => *b = pkg,
                Some(_) => {}
                None => best.push(pkg),
            }
        }
        if best.is_empty() {
            return Err(format!("{target}: no visible ebuild matches").into());
        }
        for pkg in best {
            let dup = chosen
                .iter()
                .any(|c| c.cpv() == pkg.cpv() && c.repo_id() == pkg.repo_id());
            if !dup {
                chosen.push(pkg);
            }
        }
    }
    Ok(chosen)
}

/// The fetchables of one ebuild package: its SRC_URI evaluated with the domain's USE,
/// digests from the Manifest next to the ebuild, its (evaluated) RESTRICT.
fn package_fetchables(
    repos: &DomainRepos,
    pkg: &PackageRef,
) -> Result<Vec<Fetchable>, Box<dyn Error>> {
    let unavailable = || -> Box<dyn Error> {
        match pkg.problem() {
            Some(p) => format!("{}: metadata unavailable: {p}", pkg.cpv()).into(),
            None => format!("{}: metadata unavailable", pkg.cpv()).into(),
        }
    };
    // IUSE flags by the package's USE configuration; flags outside IUSE (the arch, ELIBC,
    // KERNEL...) by the domain's global USE.
    let configured = ConfiguredPackage::new(pkg.clone(), repos.domain.clone());
    configured.use_config().ok_or_else(unavailable)?;
    let enabled = |flag: &str| configured.is_enabled(flag);
    let spec = pkg
        .dep_spec(DepKind::SrcUri)
        .map_err(|e| format!("{}: SRC_URI: {e}", pkg.cpv()))?
        .ok_or_else(unavailable)?;
    let restrict_text = pkg
        .evaluated_deps(DepKind::Restrict, &enabled)
        .map_err(|e| format!("{}: RESTRICT: {e}", pkg.cpv()))?
        .unwrap_or_default();
    let restrict = Restrict::from_tokens(restrict_text.split_whitespace());
    let manifest = match pkg.path().and_then(Path::parent) {
        Some(dir) if dir.join("Manifest").is_file() => Some(Manifest::load(&dir.join("Manifest"))?),
        _ => None,
    };
    Ok(Fetchable::from_src_uri(
        &spec,
        &enabled,
        manifest.as_ref(),
        restrict,
    )?)
}

/// `pmaint fetch <target>...`: resolves the targets in the domain and fetches, one
/// repository at a time (each with its own thirdpartymirrors and Manifest policy).
fn run_targets(args: &Args) -> Result<ExitCode, Box<dyn Error>> {
    if args.distfiles.is_empty() {
        return Err("give package targets, or --manifest and/or --src-uri".into());
    }
    let repos = args.location.open_repos()?;
    let domain = &repos.domain;
    let distdir = args.distdir.clone().unwrap_or_else(|| domain.distdir());
    let gentoo_mirrors = args
        .mirrors
        .clone()
        .or_else(|| domain.setting("GENTOO_MIRRORS").map(str::to_owned))
        .unwrap_or_default();
    let force_mirror = domain.features().iter().any(|t| t == "force-mirror");
    let commands = fetch_commands(
        domain
            .settings
            .values
            .iter()
            .filter(|(var, _)| FetchCommands::is_command_var(var))
            .map(|(var, s)| (var.clone(), s.value.clone(), s.location.is_builtin())),
        env_vars(),
    );

    // Fetchables grouped by repository, in the order the packages came.
    let mut groups: Vec<(String, Vec<Fetchable>)> = Vec::new();
    for pkg in resolve_targets(&repos, &args.distfiles)? {
        eprintln!(">>> {}::{}", pkg.cpv(), pkg.repo_id());
        let fetchables = package_fetchables(&repos, &pkg)?;
        let group = match groups.iter().position(|(id, _)| id == pkg.repo_id()) {
            Some(i) => &mut groups[i].1,
            None => {
                groups.push((pkg.repo_id().to_owned(), Vec::new()));
                &mut groups.last_mut().ok_or("empty group list")?.1
            }
        };
        for f in fetchables {
            if !group.iter().any(|g| g.name == f.name) {
                group.push(f);
            }
        }
    }

    let mut ok = true;
    for (repo_id, fetchables) in &groups {
        let repo = repos
            .source_repo(repo_id)
            .ok_or_else(|| format!("repository {repo_id} not open"))?;
        let policy = manifest_policy(repo.layout());
        let mut thirdparty = MirrorMap::new();
        for (name, urls) in repo.thirdpartymirrors() {
            thirdparty.add(&name, urls);
        }
        let mirrors = MirrorConfig {
            gentoo_mirrors: gentoo_mirrors
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            thirdparty,
            force_mirror,
            ..MirrorConfig::default()
        };
        ok &= fetch_known(
            args,
            &distdir,
            fetchables,
            Some(&policy),
            mirrors,
            &commands,
        )?;
    }
    Ok(exit_code(ok))
}

/// The Manifest policy of a repository from the layout.conf its configuration already
/// holds (read when the repository was opened), through the one layout.conf reading of
/// [`ManifestPolicy::from_layout_conf`]: the parsed keys are handed back as `key = value`
/// lines. A repository without layout.conf gets the defaults, as in Portage (its
/// Manifest hashes and required hashes default the same whether the file is absent or
/// says nothing).
fn manifest_policy(layout: &LayoutConf) -> ManifestPolicy {
    let text: String = layout
        .values
        .iter()
        .map(|(k, v)| format!("{k} = {v}\n"))
        .collect();
    ManifestPolicy::from_layout_conf(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_commands_builtin_defaults_and_environment_override() {
        let globals = || {
            MAKE_GLOBALS
                .iter()
                .map(|&(k, v)| (k.to_owned(), v.to_owned(), true))
        };
        let builtin = |s: &str| matches!(s, "http" | "https" | "file");
        let c = fetch_commands(globals(), []);
        assert!(c.problems().is_empty());
        assert!(c.select("https://h/f", builtin).is_none());
        let ftp = c.select("ftp://h/f", builtin).expect("wget for ftp");
        assert!(matches!(ftp.fetch, Ok(t) if t.template().starts_with("wget ")));
        // The environment's FETCHCOMMAND is the user's: it takes every remote scheme.
        let c = fetch_commands(
            globals(),
            [(
                "FETCHCOMMAND".to_owned(),
                "curl -o ${FILE} ${URI}".to_owned(),
            )],
        );
        let https = c
            .select("https://h/f", builtin)
            .expect("the user's command");
        assert!(matches!(https.fetch, Ok(t) if t.template().starts_with("curl ")));
    }

    #[test]
    fn manifest_policy_from_the_parsed_layout_conf() {
        let text = "masters = gentoo\n# c\nmanifest-hashes = BLAKE2B SHA512 SHA256\n\
                    manifest-required-hashes = SHA256\nthin-manifests = true\n\
                    use-manifests = false\n";
        let layout = LayoutConf::parse(text, Path::new("layout.conf"), &mut Vec::new());
        let policy = manifest_policy(&layout);
        assert_eq!(policy, ManifestPolicy::from_layout_conf(text));
        assert_eq!(policy.required_hashes, ["SHA256"]);
        assert!(policy.thin);
        // No layout.conf: the defaults, not "no policy".
        assert_eq!(
            manifest_policy(&LayoutConf::default()),
            ManifestPolicy::default()
        );
    }
}
