//! `pmaint archive` (being written).

use std::process::ExitCode;

/// Arguments of `pmaint archive`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pmaint archive`.
pub fn run(_args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    Err("pmaint archive is not available yet".into())
}
