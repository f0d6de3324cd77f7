//! `pmaint binpkg` (being written).

use std::process::ExitCode;

/// Arguments of `pmaint binpkg`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pmaint binpkg`.
pub fn run(_args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    Err("pmaint binpkg is not available yet".into())
}
