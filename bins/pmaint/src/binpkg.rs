//! `pmaint binpkg`: maintain a PKGDIR (rebuild its `Packages` index, clean it by
//! policy, show a binary package).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use strata_atom::cpv::Cpv;
use strata_binpkg::gc::{self, Policy};
use strata_binpkg::image::{EntryKind, Limits};
use strata_binpkg::name::PackageId;
use strata_binpkg::quickpkg::{QuickpkgOptions, quickpkg};
use strata_binpkg::vdb_entry::{ConfigPolicy, ConfigProtect, VdbEntry};
use strata_binpkg::writer::WriteOptions;
use strata_binpkg::{Binpkg, Compression, Format, pkgdir};
use strata_repo::repository::Repository;

use crate::location::ConfigLocation;

/// Arguments of `pmaint binpkg`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Rebuild `PKGDIR/Packages` from the binary package files (like
    /// `emaint --fix binhost`), under Portage's index lock.
    Index {
        /// The PKGDIR.
        pkgdir: PathBuf,
        /// Do not write `Packages.gz`.
        #[arg(long)]
        no_compress: bool,
    },
    /// Remove binary packages by policy (like eclean-pkg).
    ///
    /// `--keep N` keeps the newest N builds of each CATEGORY/PF. `--ebuild-gone` and
    /// `--not-installed` read the configured repositories and the installed-package
    /// database of the domain (`--config`, `--config-root`, `--root`). A package whose
    /// lookup fails is kept.
    Clean {
        /// The PKGDIR.
        pkgdir: PathBuf,
        /// List what would be removed and the bytes freed, remove nothing.
        #[arg(long, short = 'p')]
        pretend: bool,
        /// Keep the newest N builds of each CATEGORY/PF.
        #[arg(long, default_value_t = 1)]
        keep: usize,
        /// Also remove packages whose ebuild is gone from the configured repositories.
        #[arg(long)]
        ebuild_gone: bool,
        /// Also remove packages that are not installed at ROOT.
        #[arg(long)]
        not_installed: bool,
        /// Do not write `Packages.gz`.
        #[arg(long)]
        no_compress: bool,
        #[command(flatten)]
        location: ConfigLocation,
    },
    /// Make binary packages from installed packages (like quickpkg), into a PKGDIR.
    ///
    /// Protected files (CONFIG_PROTECT / CONFIG_PROTECT_MASK from the environment,
    /// else `/etc` and `/etc/env.d`) are left out unless included by the options.
    Quickpkg {
        /// The PKGDIR to write into.
        #[arg(long)]
        pkgdir: PathBuf,
        /// The ROOT the packages are installed in.
        #[arg(long, default_value = "/")]
        root: PathBuf,
        /// `gpkg` or `xpak`.
        #[arg(long, default_value = "gpkg")]
        format: String,
        /// Compressor (`zstd`, `xz`, `bzip2`, `gzip`, `lz4`, `none`).
        #[arg(long, default_value = "zstd")]
        compress: String,
        /// Include all protected config files.
        #[arg(long)]
        include_config: bool,
        /// Include protected config files that were not modified since install.
        #[arg(long)]
        include_unmodified_config: bool,
        /// Legacy layout without BUILD_ID.
        #[arg(long)]
        no_multi_instance: bool,
        /// Installed packages: `CATEGORY/PF` (under ROOT/var/db/pkg) or VDB entry paths.
        #[arg(required = true)]
        packages: Vec<String>,
    },
    /// Show a binary package: format, compression, metadata, optionally contents.
    Show {
        /// The binary package file.
        file: PathBuf,
        /// Also list the image contents.
        #[arg(long)]
        contents: bool,
    },
}

/// Whether `repo` has the version `cpv`.
fn lists(repo: &dyn Repository, cpv: &Cpv) -> Result<bool, strata_repo::error::RepoError> {
    Ok(repo
        .versions(cpv.category(), cpv.package())?
        .iter()
        .any(|v| v == cpv))
}

fn human(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < UNITS.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Runs `pmaint binpkg`.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match args.command {
        Command::Index {
            pkgdir: dir,
            no_compress,
        } => {
            let report = pkgdir::rebuild_index(&dir, !no_compress)?;
            println!(
                "indexed {} packages ({} unchanged, {} read)",
                report.indexed,
                report.reused,
                report.indexed - report.reused
            );
            for (path, err) in &report.failed {
                eprintln!("skipped {path}: {err}");
            }
            Ok(if report.failed.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            })
        }
        Command::Clean {
            pkgdir: dir,
            pretend,
            keep,
            ebuild_gone,
            not_installed,
            no_compress,
            location,
        } => {
            let files = pkgdir::scan(&dir)?;
            let repos = if ebuild_gone || not_installed {
                Some(location.open_repos()?)
            } else {
                None
            };
            // Lookups that fail keep the package: never remove on an error.
            let has_ebuild = |id: &PackageId| {
                repos.as_ref().is_none_or(|r| {
                    r.source
                        .iter()
                        .any(|repo| lists(repo, id.cpv()).unwrap_or(true))
                })
            };
            let installed = gc::Installed(|id: &PackageId| {
                repos
                    .as_ref()
                    .is_none_or(|r| lists(&r.installed, id.cpv()).unwrap_or(true))
            });
            let plan = gc::plan(
                &files,
                &Policy {
                    keep_newest: Some(keep),
                    ebuilds: ebuild_gone.then_some(&has_ebuild as &dyn gc::EbuildLookup),
                    installed: not_installed.then_some(&installed as &dyn gc::InstalledLookup),
                },
            );
            for (f, reason) in &plan.remove {
                println!(
                    "{}{} ({}, {})",
                    if pretend {
                        "would remove "
                    } else {
                        "removing "
                    },
                    f.rel_path,
                    reason.label(),
                    human(f.size)
                );
            }
            let freed = if pretend {
                plan.bytes_freed()
            } else {
                gc::apply(&dir, &plan, !no_compress)?
            };
            println!(
                "{} {} files, {} ({} bytes)",
                if pretend { "would free" } else { "freed" },
                plan.remove.len(),
                human(freed),
                freed
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Quickpkg {
            pkgdir: dir,
            root,
            format,
            compress,
            include_config,
            include_unmodified_config,
            no_multi_instance,
            packages,
        } => {
            let format = match format.as_str() {
                "gpkg" => Format::Gpkg,
                "xpak" => Format::Xpak,
                other => return Err(format!("unknown format {other:?}").into()),
            };
            let compression = Compression::from_name(&compress)
                .filter(|c| c.is_supported())
                .ok_or_else(|| format!("unsupported compression {compress:?}"))?;
            let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_owned());
            let opts = QuickpkgOptions {
                write: WriteOptions {
                    format,
                    compression,
                    mtime: None,
                },
                config: ConfigPolicy {
                    protect: ConfigProtect::new(
                        &env("CONFIG_PROTECT", "/etc"),
                        &env("CONFIG_PROTECT_MASK", "/etc/env.d"),
                    ),
                    include_config,
                    include_unmodified_config,
                },
                multi_instance: !no_multi_instance,
                compress_index: true,
            };
            for p in packages {
                let entry_dir = if Path::new(&p).is_dir() {
                    PathBuf::from(&p)
                } else {
                    root.join("var/db/pkg").join(&p)
                };
                let entry = VdbEntry::read(&entry_dir)?;
                let report = quickpkg(&root, &entry, &dir, &opts)?;
                for path in &report.excluded {
                    eprintln!("excluded config: {path}");
                }
                println!(
                    "{}: {} ({})",
                    report.id,
                    report.rel_path.display(),
                    human(report.digests.size)
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { file, contents } => {
            let pkg = Binpkg::open(&file)?;
            println!("format: {}", pkg.format().name());
            println!("compression: {}", pkg.compression()?.name());
            let meta = pkg.metadata()?;
            for (k, v) in meta.iter() {
                if strata_binpkg::metadata::is_binary_key(k) || k.ends_with(".ebuild") {
                    println!("{k}: <{} bytes>", v.len());
                } else {
                    let text = String::from_utf8_lossy(v);
                    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    println!("{k}: {one_line}");
                }
            }
            if contents {
                for e in pkg.contents(&Limits::default())? {
                    let p = e.path.display();
                    match e.kind {
                        EntryKind::Dir => println!("dir {p}"),
                        EntryKind::File { size } => println!("obj {p} {size}"),
                        EntryKind::Symlink { target } => {
                            println!("sym {p} -> {}", target.display())
                        }
                        EntryKind::Hardlink { target } => {
                            println!("hln {p} => {}", target.display())
                        }
                        EntryKind::Fifo => println!("fif {p}"),
                        EntryKind::Device { .. } => println!("dev {p}"),
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
