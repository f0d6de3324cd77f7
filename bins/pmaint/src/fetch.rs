//! `pmaint fetch`: fetch and verify distfiles, list their candidate URIs, verify a DISTDIR,
//! or export a DISTDIR into a GLEP 75 mirror layout.
//!
//! Until the repository and configuration crates resolve package targets, inputs are given
//! explicitly: a Manifest (digests, and the distfile list when no SRC_URI is given) and/or a
//! SRC_URI string with its EAPI, USE flags and RESTRICT.

use std::collections::HashMap;
use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use strata_atom::Eapi;
use strata_atom::depspec::{DepKind, DepSpec};
use strata_fetch::fetcher::parse_resume_min_size;
use strata_fetch::hash::verify_file;
use strata_fetch::layout::{ExportMethod, export_distfiles};
use strata_fetch::{
    FetchEvent, FetchOptions, Fetchable, FetchedFrom, Fetcher, HttpOptions, HttpTransport, Layout,
    LockMode, Manifest, ManifestPolicy, MirrorConfig, MirrorMap, Progress, Restrict,
    SchemeTransport,
};

/// Arguments of `pmaint fetch`.
///
/// Package targets are not resolved yet (that needs the repository and configuration
/// crates): give a Manifest and distfile names, or a SRC_URI string, explicitly.
#[derive(clap::Args)]
#[command(after_help = "Examples:
  pmaint fetch --distdir /var/cache/distfiles --manifest app-misc/foo/Manifest foo-1.tar.gz
  pmaint fetch --distdir d --manifest Manifest --src-uri 'https://example.org/foo-1.tar.gz' --eapi 8
  pmaint fetch --distdir d --manifest Manifest --pretend
  pmaint fetch --distdir d --export-layout /srv/mirror/distfiles

Package atoms are not accepted yet: the repository/config crates that resolve them do not exist yet.")]
pub struct Args {
    /// Distfile names to fetch (default: every name from --src-uri, else every DIST entry of
    /// --manifest).
    pub distfiles: Vec<String>,
    /// DISTDIR to fetch into (default: $DISTDIR).
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
    /// GENTOO_MIRRORS (space-separated; default: $GENTOO_MIRRORS).
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

fn read(path: &PathBuf) -> Result<String, Box<dyn Error>> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()).into())
}

/// Runs `pmaint fetch`.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn Error>> {
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
                .ok_or("give --manifest and/or --src-uri (package atoms are not supported yet)")?;
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

    if args.verify {
        let required = policy
            .as_ref()
            .map(ManifestPolicy::required_algorithms)
            .unwrap_or_default();
        let mut bad = 0;
        for f in &fetchables {
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
        return Ok(if bad == 0 {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }

    let mut mirrors = MirrorConfig {
        gentoo_mirrors: gentoo_mirrors
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        force_mirror: args.force_mirror,
        no_shuffle: args.no_shuffle,
        ..MirrorConfig::default()
    };
    for p in &args.thirdpartymirrors {
        mirrors.thirdparty.extend(&MirrorMap::parse(&read(p)?));
    }
    if let Some(p) = &args.custom_mirrors {
        mirrors.custom = MirrorMap::parse(&read(p)?);
    }

    let mut options = FetchOptions::new(&distdir);
    options.resume_min_size = parse_resume_min_size(&args.resume_min_size)
        .ok_or_else(|| format!("bad --resume-min-size {:?}", args.resume_min_size))?;
    options.allow_missing_digests = args.allow_missing_digests;
    options.lock = if args.fetchonly {
        LockMode::Skip
    } else {
        LockMode::Wait
    };
    if let Some(p) = &policy {
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
        for f in &fetchables {
            println!("{}", f.name);
            for w in fetcher.plan(f).warnings {
                println!("  !!! {w}");
            }
            for u in fetcher.urls(f) {
                println!("  {u}");
            }
        }
        return Ok(ExitCode::SUCCESS);
    }

    let results = fetcher.fetch_all(&fetchables, args.jobs);
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
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
