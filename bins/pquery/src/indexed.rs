//! Matching an ebuild repository with availability and visibility decided from its search
//! index instead of from every package's cache entry.
//!
//! The index holds, per cache entry, whether the entry validated against its ebuild and
//! eclasses when the index was built, and the metadata visibility needs (SLOT, KEYWORDS,
//! LICENSE, EAPI, IUSE); strata-repo rebuilds it whenever any of its input files changed.
//! Reading it answers "which versions are usable and visible" without opening and hashing
//! every ebuild, which is what dominates listing a whole repository. Packages the index
//! cannot vouch for (no entry, stale entry, index not validated) are checked directly, as
//! the repository's own strict matching would.
//!
//! The index holds no PROPERTIES or RESTRICT, so visibility is taken from it only when
//! the domain accepts every property and restriction (`ACCEPT_PROPERTIES` and
//! `ACCEPT_RESTRICT` are `*`, no package.properties / package.accept_restrict).

use std::collections::HashMap;

use rayon::prelude::*;

use strata_config::domain::{Domain, PackageInfo};
use strata_repo::visibility::package_visibility;
use strata_repo::{EbuildRepo, MatchOptions, PackageRef, Repository};
use strata_restrict::{Attr, Restriction};

/// Below this many candidates, packages are checked directly (env
/// `STRATA_PQUERY_DIRECT_BELOW` overrides it, for tests).
const DIRECT_BELOW: usize = 512;

/// Whether the domain's visibility can ignore PROPERTIES and RESTRICT.
pub fn accepts_all_properties(domain: &Domain) -> bool {
    let star = |var: &str| {
        domain
            .setting(var)
            .is_none_or(|v| v.split_whitespace().eq(["*"]) || v.trim().is_empty())
    };
    star("ACCEPT_PROPERTIES")
        && star("ACCEPT_RESTRICT")
        && !domain.config_dir.join("package.properties").exists()
        && !domain.config_dir.join("package.accept_restrict").exists()
}

/// The packages of `repo` matching `restriction` that are available (and visible in
/// `domain`, when given), in repository order; `None` when the index cannot be used
/// (the caller then matches the usual way).
pub fn itermatch(
    repo: &EbuildRepo,
    restriction: &Restriction,
    domain: Option<&Domain>,
) -> Result<Option<Vec<PackageRef>>, String> {
    let pkgs = repo
        .itermatch(restriction, &MatchOptions::fast())
        .map_err(|e| e.to_string())?;
    let direct_below = std::env::var("STRATA_PQUERY_DIRECT_BELOW")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DIRECT_BELOW);
    // A restriction on metadata has had every candidate's metadata read already (the
    // repository matched it on the packages): checking those directly costs nothing more.
    let names_only = restriction.is_answerable_by(&|a| {
        matches!(
            a,
            Attr::Category
                | Attr::Package
                | Attr::Version
                | Attr::Fullver
                | Attr::Revision
                | Attr::Key
                | Attr::Cpv
                | Attr::Repo
        )
    });
    if pkgs.len() < direct_below || !names_only {
        // Checking a few hundred packages directly (in parallel) is cheaper than checking
        // that the index is current (a stat of every ebuild and cache entry).
        return Ok(Some(
            pkgs.into_par_iter()
                .filter(|p| match domain {
                    Some(d) => package_visibility(d, p.as_ref()).is_visible(),
                    None => !p
                        .problem()
                        .is_some_and(|prob| prob.kind.makes_unavailable()),
                })
                .collect(),
        ));
    }
    let Ok(opened) = repo.search_index() else {
        return Ok(None);
    };
    if !opened.index.validated() {
        return Ok(None);
    }
    let index = &opened.index;
    let mut records = HashMap::with_capacity(index.len());
    for r in index.records() {
        records.insert(format!("{}/{}", r.category(), r.pf()), r);
    }
    let mut out = Vec::with_capacity(pkgs.len());
    for p in pkgs {
        let rec = records
            .get(p.cpv().as_str())
            .filter(|r| r.stale_reason().is_none());
        let keep = match (rec, domain) {
            (Some(_), None) => true,
            (Some(r), Some(d)) => {
                let slot = if r.subslot().is_empty() || r.subslot() == r.slot() {
                    r.slot().to_owned()
                } else {
                    format!("{}/{}", r.slot(), r.subslot())
                };
                let info = PackageInfo {
                    cpv: p.cpv(),
                    slot: &slot,
                    repo: p.repo_id(),
                    keywords: r.keywords(),
                    license: r.license(),
                    eapi: r.eapi(),
                    iuse: r.iuse(),
                    properties: "",
                    restrict: "",
                    build_id: None,
                };
                d.is_visible(&info)
            }
            (None, None) => !p
                .problem()
                .is_some_and(|prob| prob.kind.makes_unavailable()),
            (None, Some(d)) => package_visibility(d, p.as_ref()).is_visible(),
        };
        if keep {
            out.push(p);
        }
    }
    Ok(Some(out))
}
