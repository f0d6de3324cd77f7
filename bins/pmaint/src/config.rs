//! `pmaint config` (being written).

use std::process::ExitCode;

/// Arguments of `pmaint config`.
#[derive(clap::Args)]
pub struct Args {}

/// Runs `pmaint config`.
pub fn run(_args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    Err("pmaint config is not available yet".into())
}
