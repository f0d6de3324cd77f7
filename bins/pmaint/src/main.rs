//! `pmaint`: strata's maintenance frontend. Argument parsing and printing only; the work
//! is done by library calls. Each subcommand lives in its own module.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod archive;
mod binpkg;
mod config;
mod fetch;
mod location;

/// strata maintenance: configuration, binary packages, fetching and the archive store.
#[derive(Parser)]
#[command(name = "pmaint", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Inspect the configuration (`pmaint config dump`).
    Config(config::Args),
    /// Binary packages: index, quickpkg, clean.
    Binpkg(binpkg::Args),
    /// Fetch and verify distfiles.
    Fetch(fetch::Args),
    /// The dynamic-archive store.
    Archive(archive::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Config(args) => config::run(args),
        Command::Binpkg(args) => binpkg::run(args),
        Command::Fetch(args) => fetch::run(args),
        Command::Archive(args) => archive::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("pmaint: {err}");
            ExitCode::from(1)
        }
    }
}
