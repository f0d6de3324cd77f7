//! A repository seen through a domain's visibility rules (masks, keywords, licenses,
//! EAPI; `strata_config::domain::Domain::visibility`), with the reasons kept.

use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;
use strata_atom::cpv::Cpv;
use strata_config::domain::{Domain, PackageInfo};
use strata_config::use_flags::UseConfig;
use strata_config::visibility::Hidden;
use strata_restrict::Restriction;

use crate::error::{Problem, RepoError};
use crate::package::{Package, PackageRef};
use crate::repository::{MatchOptions, Repository, forward_listing};

/// Whether a package can be installed in a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// It is visible.
    Visible,
    /// It is hidden, for every reason listed.
    Hidden(Vec<Hidden>),
    /// Its metadata is unavailable, so visibility cannot be decided (it is not visible).
    Unavailable(Problem),
}

impl Visibility {
    /// Whether the package is visible.
    pub fn is_visible(&self) -> bool {
        matches!(self, Visibility::Visible)
    }
}

/// What the domain needs to know of `pkg`; `None` when its metadata is unavailable.
pub fn package_info(pkg: &dyn Package) -> Option<PackageInfo<'_>> {
    Some(PackageInfo {
        cpv: pkg.cpv(),
        slot: pkg.get("SLOT")?,
        repo: pkg.repo_id(),
        keywords: pkg.get("KEYWORDS").unwrap_or(""),
        license: pkg.get("LICENSE").unwrap_or(""),
        eapi: pkg.eapi_str().unwrap_or("0"),
        iuse: pkg.get("IUSE").unwrap_or(""),
        properties: pkg.get("PROPERTIES").unwrap_or(""),
        restrict: pkg.get("RESTRICT").unwrap_or(""),
        build_id: pkg.get("BUILD_ID").and_then(|b| b.trim().parse().ok()),
    })
}

/// The USE configuration `domain` gives `pkg` (profile, make.conf, package.use, masks
/// and forces), for evaluating its dependency classes
/// ([`Package::evaluated_deps`]); `None` when its metadata is unavailable.
pub fn effective_use(domain: &Domain, pkg: &dyn Package) -> Option<UseConfig> {
    Some(domain.effective_use(&package_info(pkg)?))
}

/// The visibility of `pkg` in `domain`.
pub fn package_visibility(domain: &Domain, pkg: &dyn Package) -> Visibility {
    if let Some(p) = pkg.unavailable() {
        return Visibility::Unavailable(p);
    }
    let Some(info) = package_info(pkg) else {
        return Visibility::Unavailable(Problem {
            repo: pkg.repo_id().to_owned(),
            key: pkg.cpv().to_string(),
            path: pkg.path().map(Path::to_path_buf).unwrap_or_default(),
            kind: crate::error::ProblemKind::BadMetadata {
                key: "SLOT".into(),
                message: "no metadata".into(),
            },
        });
    };
    let hidden = domain.visibility(&info);
    if hidden.is_empty() {
        Visibility::Visible
    } else {
        Visibility::Hidden(hidden)
    }
}

/// A repository filtered to what a domain lets one install (pkgcore's `filtered.tree`
/// with the domain's visibility restriction). Listings are the inner repository's;
/// matching drops hidden packages, and [`VisibleRepo::itermatch_with_reasons`] keeps
/// them with their reasons.
#[derive(Debug, Clone)]
pub struct VisibleRepo {
    inner: Arc<dyn Repository>,
    domain: Arc<Domain>,
}

impl VisibleRepo {
    /// `inner` through the visibility rules of `domain`.
    pub fn new(inner: Arc<dyn Repository>, domain: Arc<Domain>) -> Self {
        VisibleRepo { inner, domain }
    }

    /// The unfiltered repository.
    pub fn inner(&self) -> &Arc<dyn Repository> {
        &self.inner
    }

    /// The visibility of one package.
    pub fn visibility(&self, pkg: &dyn Package) -> Visibility {
        package_visibility(&self.domain, pkg)
    }

    /// Every package of the inner repository matching `restriction`, each with its
    /// visibility.
    pub fn itermatch_with_reasons(
        &self,
        restriction: &Restriction,
        opts: &MatchOptions,
    ) -> Result<Vec<(PackageRef, Visibility)>, RepoError> {
        let pkgs = self.inner.itermatch(restriction, opts)?;
        Ok(pkgs
            .into_par_iter()
            .map(|p| {
                let v = package_visibility(&self.domain, p.as_ref());
                (p, v)
            })
            .collect())
    }
}

impl Repository for VisibleRepo {
    forward_listing!(self, self.inner);

    fn make_package(&self, cpv: Cpv) -> PackageRef {
        self.inner.make_package(cpv)
    }

    fn itermatch(
        &self,
        restriction: &Restriction,
        opts: &MatchOptions,
    ) -> Result<Vec<PackageRef>, RepoError> {
        Ok(self
            .itermatch_with_reasons(restriction, opts)?
            .into_iter()
            .filter_map(|(p, v)| v.is_visible().then_some(p))
            .collect())
    }
}
