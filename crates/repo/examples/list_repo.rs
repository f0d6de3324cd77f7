//! Lists every package version of an ebuild repository (for timing list-all), or those
//! matching a pkgcore-style target.
//!
//! `cargo run --release -p strata-repo --example list_repo -- <repo> [master...] [-- target]`
//! where target is a pkgcore-style target, `desc:REGEX` or `revdep:cat/pkg`; env `STRICT=1`
//! drops packages with unusable metadata, `NO_INDEX=1` skips the search index.

use std::io::Write;

use strata_repo::{EbuildRepo, EbuildRepoOptions, MasterRepo, MatchOptions, Repository};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (paths, target) = match args.iter().position(|a| a == "--") {
        Some(i) => (&args[..i], args.get(i + 1)),
        None => (&args[..], None),
    };
    let Some((repo, masters)) = paths.split_first() else {
        return Err("usage: list_repo <repo> [master...] [-- target]".into());
    };
    let masters = masters
        .iter()
        .map(|m| MasterRepo {
            name: m.clone(),
            location: m.into(),
        })
        .collect();
    let repo = EbuildRepo::open_with(
        repo,
        EbuildRepoOptions {
            masters,
            ..Default::default()
        },
    )?;
    let strict = std::env::var_os("STRICT").is_some();
    let opts = if strict {
        MatchOptions::default()
    } else {
        MatchOptions::fast()
    };
    let r = match target {
        Some(t) if t.starts_with("desc:") => strata_restrict::query::description(&t[5..])?,
        Some(t) if t.starts_with("revdep:") => strata_restrict::Restriction::revdep_name(&t[7..]),
        Some(t) => strata_restrict::parse_target(t)?,
        None => strata_restrict::Restriction::AlwaysTrue,
    };
    let opts = MatchOptions {
        use_index: std::env::var_os("NO_INDEX").is_none(),
        ..opts
    };
    let pkgs = repo.itermatch(&r, &opts)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for p in pkgs {
        writeln!(out, "{}", p.cpv())?;
    }
    Ok(())
}
