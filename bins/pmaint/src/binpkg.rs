//! `pmaint binpkg`: maintain a PKGDIR (rebuild its `Packages` index, clean it by
//! policy, show a binary package).

use std::path::PathBuf;
use std::process::ExitCode;

use strata_binpkg::gc::{self, Policy};
use strata_binpkg::image::{EntryKind, Limits};
use strata_binpkg::{Binpkg, pkgdir};

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
    /// Only `--keep` is available here: the "ebuild gone" and "not installed" policies
    /// need the repository crates and are wired in the library (`strata_binpkg::gc`).
    Clean {
        /// The PKGDIR.
        pkgdir: PathBuf,
        /// List what would be removed and the bytes freed, remove nothing.
        #[arg(long, short = 'p')]
        pretend: bool,
        /// Keep the newest N builds of each CATEGORY/PF.
        #[arg(long, default_value_t = 1)]
        keep: usize,
        /// Do not write `Packages.gz`.
        #[arg(long)]
        no_compress: bool,
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
            no_compress,
        } => {
            let files = pkgdir::scan(&dir)?;
            let plan = gc::plan(
                &files,
                &Policy {
                    keep_newest: Some(keep),
                    ..Policy::default()
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
