//! `pmaint config`: inspect the configuration (like pkgcore's `pconfig`).

use std::process::ExitCode;

use strata_atom::cpv::Cpv;
use strata_config::classes::builtin_registry;
use strata_config::domain::PackageInfo;
use strata_config::load::{LoadedConfig, load_config};

use crate::location::ConfigLocation;

/// Arguments of `pmaint config`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    location: ConfigLocation,
    #[command(subcommand)]
    command: Command,
}

// Parsed once per run; boxing the large variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(clap::Subcommand)]
enum Command {
    /// Print the resolved sections with their types and values.
    Dump {
        /// Only sections of this type (repo, cache, syncer, profile, domain).
        typename: Option<String>,
    },
    /// List the registered classes and their types.
    Classes,
    /// Describe the fields of a class.
    DescribeClass {
        /// The class name.
        class: String,
    },
    /// Print the default domain: repositories, profile, settings.
    Domain,
    /// Say whether packages are visible in the default domain, and why not.
    Visibility {
        /// `category/package-version`.
        cpv: String,
        /// Its repository.
        #[arg(long, default_value = "gentoo")]
        repo: String,
        /// Its SLOT.
        #[arg(long, default_value = "0")]
        slot: String,
        /// Its KEYWORDS.
        #[arg(long, default_value = "")]
        keywords: String,
        /// Its LICENSE.
        #[arg(long, default_value = "")]
        license: String,
        /// Its EAPI.
        #[arg(long, default_value = "8")]
        eapi: String,
        /// Its IUSE (shows the effective USE too).
        #[arg(long, default_value = "")]
        iuse: String,
        /// Its PROPERTIES.
        #[arg(long, default_value = "")]
        properties: String,
        /// Its RESTRICT.
        #[arg(long, default_value = "")]
        restrict: String,
        /// Its BUILD_ID (binary packages).
        #[arg(long)]
        build_id: Option<u64>,
    },
}

fn print_warnings(loaded: &LoadedConfig) {
    for w in &loaded.warnings {
        eprintln!("pmaint: warning: {w}");
    }
}

/// Runs `pmaint config`.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let registry = builtin_registry();
    match &args.command {
        Command::Classes => {
            for (name, class) in registry.classes() {
                println!("{name}: {} ({})", class.type_name(), class.doc());
            }
            return Ok(ExitCode::SUCCESS);
        }
        Command::DescribeClass { class } => {
            let Some(c) = registry.get(class) else {
                return Err(format!("unknown class {class:?}").into());
            };
            println!("class {class}: {}", c.doc());
            println!("typename: {}", c.type_name());
            for f in c.fields() {
                let req = if f.required { " (required)" } else { "" };
                println!("  {}: {}{req} - {}", f.name, f.ty, f.doc);
            }
            if c.allow_unknown() {
                println!("  (other keys are accepted as strings)");
            }
            return Ok(ExitCode::SUCCESS);
        }
        _ => {}
    }
    let loaded = load_config(registry, &args.location.source()?)?;
    print_warnings(&loaded);
    match &args.command {
        Command::Dump { typename } => {
            print!("{}", loaded.manager.dump(typename.as_deref())?);
        }
        Command::Domain => {
            let d = args.location.domain(&loaded)?;
            for w in &d.warnings {
                eprintln!("pmaint: warning: {w}");
            }
            println!("root: {}", d.root.display());
            println!("config-dir: {}", d.config_dir.display());
            println!("profile: {}", d.profile.path.display());
            for node in &d.profile.nodes {
                println!("  {} (EAPI {})", node.path.display(), node.eapi);
            }
            println!("repositories (main: {}):", d.repos.main_repo);
            for r in &d.repos.repos {
                println!(
                    "  {} [{}] priority {} masters [{}] {}",
                    r.name,
                    r.kind.class_name(),
                    r.priority,
                    r.masters.join(" "),
                    r.location.display()
                );
            }
            if let Some(v) = d.vdb_path() {
                println!("installed: {}", v.display());
            }
            println!("ACCEPT_KEYWORDS: {}", d.accept_keywords().join(" "));
            println!("USE: {}", d.global_use().join(" "));
            for var in [
                "ACCEPT_LICENSE",
                "FEATURES",
                "DISTDIR",
                "PKGDIR",
                "CONFIG_PROTECT",
                "CONFIG_PROTECT_MASK",
            ] {
                println!("{var}: {}", d.setting(var).unwrap_or(""));
            }
        }
        Command::Visibility {
            cpv,
            repo,
            slot,
            keywords,
            license,
            eapi,
            iuse,
            properties,
            restrict,
            build_id,
        } => {
            let d = args.location.domain(&loaded)?;
            for w in &d.warnings {
                eprintln!("pmaint: warning: {w}");
            }
            let cpv = Cpv::parse(cpv)?;
            let pkg = PackageInfo {
                cpv: &cpv,
                slot,
                repo,
                keywords,
                license,
                eapi,
                iuse,
                properties,
                restrict,
                build_id: *build_id,
            };
            let hidden = d.visibility(&pkg);
            if !iuse.is_empty() {
                let u = d.effective_use(&pkg);
                let flags: Vec<String> = u
                    .flags
                    .iter()
                    .map(|(f, s)| format!("{}{f}", if s.enabled { "" } else { "-" }))
                    .collect();
                println!("USE: {}", flags.join(" "));
            }
            if hidden.is_empty() {
                println!("{cpv}::{repo}: visible");
                return Ok(ExitCode::SUCCESS);
            }
            println!("{cpv}::{repo}: not visible");
            for h in hidden {
                println!("  {h}");
            }
            return Ok(ExitCode::from(1));
        }
        Command::Classes | Command::DescribeClass { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}
