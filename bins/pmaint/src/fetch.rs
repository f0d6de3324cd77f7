//! `pmaint fetch` (being written).

use std::process::ExitCode;

/// Arguments of `pmaint fetch`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pmaint fetch`.
pub fn run(_args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    Err("pmaint fetch is not available yet".into())
}
