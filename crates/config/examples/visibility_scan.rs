//! Loads a Portage configuration and evaluates visibility and effective USE for every
//! md5-cache entry of one repository; prints how many entries are hidden and why.
//!
//! `cargo run -p strata-config --example visibility_scan -- CONFIG_ROOT REPO [--list]`
//! (`--list`: one line per entry, `CPV visible` or `CPV reason|reason`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use strata_atom::cpv::Cpv;
use strata_config::classes::builtin_registry;
use strata_config::domain::PackageInfo;
use strata_config::load::{ConfigSource, load_config};
use strata_config::portage::PortageOptions;
use strata_config::visibility::Hidden;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (root, repo, list) = match args.as_slice() {
        [root, repo] => (root, repo, false),
        [root, repo, flag] if flag == "--list" => (root, repo, true),
        _ => {
            eprintln!("usage: visibility_scan CONFIG_ROOT REPO [--list]");
            return ExitCode::from(2);
        }
    };
    match run(PathBuf::from(root), repo, list) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("visibility_scan: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(root: PathBuf, repo: &str, list: bool) -> Result<(), Box<dyn std::error::Error>> {
    let opts = PortageOptions::new(&root, std::path::Path::new("/"));
    let loaded = load_config(builtin_registry(), &ConfigSource::Portage(opts))?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    let domain = loaded.domain()?;
    let location = &domain
        .repos
        .get(repo)
        .ok_or_else(|| format!("no repository {repo:?}"))?
        .location;
    let cache = location.join("metadata/md5-cache");
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    let (mut total, mut visible, mut enabled_flags) = (0usize, 0usize, 0usize);
    for cat in std::fs::read_dir(&cache)? {
        let cat = cat?;
        let category = cat.file_name().to_string_lossy().into_owned();
        for pf in std::fs::read_dir(cat.path())? {
            let pf = pf?;
            let text = std::fs::read_to_string(pf.path())?;
            let e: HashMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
            let cpv = Cpv::from_category_pf(&category, &pf.file_name().to_string_lossy())?;
            let get = |k: &str| e.get(k).copied().unwrap_or("");
            let pkg = PackageInfo {
                cpv: &cpv,
                slot: get("SLOT"),
                repo,
                keywords: get("KEYWORDS"),
                license: get("LICENSE"),
                eapi: get("EAPI"),
                iuse: get("IUSE"),
                properties: get("PROPERTIES"),
                restrict: get("RESTRICT"),
                build_id: None,
            };
            total += 1;
            enabled_flags += domain.effective_use(&pkg).enabled().count();
            let hidden = domain.visibility(&pkg);
            if hidden.is_empty() {
                visible += 1;
            }
            if list {
                let mut reasons: Vec<String> = hidden
                    .iter()
                    .map(|h| match h {
                        Hidden::Masked { .. } => "package.mask".to_string(),
                        Hidden::Keywords { .. } => "keyword".to_string(),
                        Hidden::License { missing } => format!("{} license(s)", missing.join(" ")),
                        Hidden::BadLicense { .. } => "bad-license".to_string(),
                        Hidden::Eapi { eapi } => format!("EAPI {eapi}"),
                        Hidden::Properties { .. } => "properties".to_string(),
                        Hidden::Restrict { .. } => "restrict".to_string(),
                    })
                    .collect();
                reasons.sort();
                let line = if reasons.is_empty() {
                    "visible".to_string()
                } else {
                    reasons.join("|")
                };
                println!("{cpv} {line}");
            }
            for h in hidden {
                let key = match h {
                    Hidden::Masked { .. } => "masked",
                    Hidden::Keywords { .. } => "keywords",
                    Hidden::License { .. } => "license",
                    Hidden::BadLicense { .. } => "bad-license",
                    Hidden::Eapi { .. } => "eapi",
                    Hidden::Properties { .. } => "properties",
                    Hidden::Restrict { .. } => "restrict",
                };
                *counts.entry(key).or_default() += 1;
            }
        }
    }
    let mut counts: Vec<_> = counts.into_iter().collect();
    counts.sort();
    println!(
        "{total} entries, {visible} visible; enabled flags in total: {enabled_flags}; hidden: {counts:?}"
    );
    Ok(())
}
