//! The repository protocol: listing categories, packages and versions, and matching
//! restrictions with name-based pruning before any metadata is read.

use std::fmt;
use std::path::Path;

use rayon::prelude::*;
use strata_atom::atom::Atom;
use strata_atom::cpv::Cpv;
use strata_restrict::{Candidates, Restriction};

use crate::error::{Problem, RepoError};
use crate::package::PackageRef;

/// How [`Repository::itermatch`] treats packages whose metadata is unusable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchOptions {
    /// Drop packages whose metadata is unavailable (missing or invalid cache entry,
    /// unsupported EAPI...), reading the metadata of every candidate to find out, as
    /// pkgcore does ([`Package::unavailable`](crate::Package::unavailable); staleness,
    /// which does not make a package unavailable, is not checked for this).
    /// When `false`, a restriction that reads only names never reads metadata, and such
    /// packages are listed (their problem stays queryable through
    /// [`Package::problem`](crate::Package::problem)).
    pub strict: bool,
    /// Let a repository answer what it can from its search index first.
    pub use_index: bool,
}

impl Default for MatchOptions {
    /// Strict, with the index.
    fn default() -> Self {
        MatchOptions {
            strict: true,
            use_index: true,
        }
    }
}

impl MatchOptions {
    /// Not strict: listing by name reads no metadata at all.
    pub fn fast() -> Self {
        MatchOptions {
            strict: false,
            use_index: true,
        }
    }
}

/// A repository of packages: an ebuild tree, the installed-package database, a binary
/// package directory, or a stack of those.
///
/// Implementations give the three listings (`categories`, `packages`, `versions`) and
/// instantiate packages; [`Repository::itermatch`] has a default implementation on top of
/// them that prunes by [`Restriction::candidates`] before creating any package.
pub trait Repository: Send + Sync + fmt::Debug {
    /// The repository's id (`gentoo`, `guru`, `vdb`, ...).
    fn id(&self) -> &str;

    /// Where it lives, when it is on disk.
    fn location(&self) -> Option<&Path>;

    /// Whether its contents are fixed for the life of the process (metadata caches are
    /// trusted without validation).
    fn frozen(&self) -> bool {
        false
    }

    /// Whether it describes the live filesystem (the installed-package database).
    fn livefs(&self) -> bool {
        false
    }

    /// The categories, sorted.
    fn categories(&self) -> Result<Vec<String>, RepoError>;

    /// The package names of `category`, sorted (empty when the category does not exist).
    fn packages(&self, category: &str) -> Result<Vec<String>, RepoError>;

    /// The versions of `category/package`, sorted ascending (empty when it does not
    /// exist). Invalid names are left out and recorded as problems.
    fn versions(&self, category: &str, package: &str) -> Result<Vec<Cpv>, RepoError>;

    /// A package object for `cpv`, which must come from [`Repository::versions`].
    fn make_package(&self, cpv: Cpv) -> PackageRef;

    /// The problems found so far (packages that are unavailable or suspect, and why).
    fn problems(&self) -> Vec<Problem>;

    /// Every package matching `restriction`, sorted by category, package and version.
    fn itermatch(
        &self,
        restriction: &Restriction,
        opts: &MatchOptions,
    ) -> Result<Vec<PackageRef>, RepoError> {
        let cpvs = candidate_cpvs(self, &restriction.candidates())?;
        Ok(filter_packages(self, cpvs, restriction, opts))
    }

    /// The packages `atom` matches.
    fn match_atom(&self, atom: &Atom) -> Result<Vec<PackageRef>, RepoError> {
        self.itermatch(&Restriction::from_atom(atom), &MatchOptions::default())
    }

    /// Every package.
    fn all_packages(&self, opts: &MatchOptions) -> Result<Vec<PackageRef>, RepoError> {
        self.itermatch(&Restriction::AlwaysTrue, opts)
    }
}

/// Implements the listing methods of [`Repository`] (`id`, `location`, `frozen`, `livefs`,
/// `categories`, `packages`, `versions`, `problems`) inside an `impl Repository` block by
/// forwarding each to the repository `$inner`, an expression on the receiver `$this`
/// (pass `self`): `forward_listing!(self, self.inner);`. The wrapper writes
/// `make_package` and `itermatch` itself.
macro_rules! forward_listing {
    ($this:ident, $inner:expr) => {
        fn id(&$this) -> &str {
            $inner.id()
        }
        fn location(&$this) -> Option<&::std::path::Path> {
            $inner.location()
        }
        fn frozen(&$this) -> bool {
            $inner.frozen()
        }
        fn livefs(&$this) -> bool {
            $inner.livefs()
        }
        fn categories(&$this) -> Result<Vec<String>, $crate::error::RepoError> {
            $inner.categories()
        }
        fn packages(&$this, category: &str) -> Result<Vec<String>, $crate::error::RepoError> {
            $inner.packages(category)
        }
        fn versions(
            &$this,
            category: &str,
            package: &str,
        ) -> Result<Vec<::strata_atom::cpv::Cpv>, $crate::error::RepoError> {
            $inner.versions(category, package)
        }
        fn problems(&$this) -> Vec<$crate::error::Problem> {
            $inner.problems()
        }
    };
}
pub(crate) use forward_listing;

impl<R: Repository + ?Sized> Repository for std::sync::Arc<R> {
    forward_listing!(self, (**self));
    fn make_package(&self, cpv: Cpv) -> PackageRef {
        (**self).make_package(cpv)
    }
    fn itermatch(
        &self,
        restriction: &Restriction,
        opts: &MatchOptions,
    ) -> Result<Vec<PackageRef>, RepoError> {
        (**self).itermatch(restriction, opts)
    }
}

/// The versions of every `(category, package)` the candidates allow, sorted; listings
/// are read in parallel per category and per package. Exact names are looked up
/// directly, without listing their parents.
pub fn candidate_cpvs<R: Repository + ?Sized>(
    repo: &R,
    cands: &Candidates,
) -> Result<Vec<Cpv>, RepoError> {
    walk_candidates(
        cands,
        || repo.categories(),
        |cat| repo.packages(cat),
        |cat, pkg| repo.versions(cat, pkg),
    )
}

/// The walk behind [`candidate_cpvs`], with the listings supplied by the caller (a
/// repository with a stored listing answers from it): the categories the candidates allow
/// (listed only when they name no exact ones), the packages of each (likewise), the
/// versions of each package, in parallel, sorted and without duplicates.
pub(crate) fn walk_candidates<C, P, V>(
    cands: &Candidates,
    categories: C,
    packages: P,
    versions: V,
) -> Result<Vec<Cpv>, RepoError>
where
    C: FnOnce() -> Result<Vec<String>, RepoError>,
    P: Fn(&str) -> Result<Vec<String>, RepoError> + Sync,
    V: Fn(&str, &str) -> Result<Vec<Cpv>, RepoError> + Sync,
{
    if cands.is_none() {
        return Ok(Vec::new());
    }
    let categories: Vec<String> = match cands.exact_categories() {
        Some(exact) => exact.into_iter().map(str::to_owned).collect(),
        None => categories()?
            .into_iter()
            .filter(|c| cands.matches_category(c))
            .collect(),
    };
    let per_cat: Vec<Result<Vec<Cpv>, RepoError>> = categories
        .par_iter()
        .map(|cat| {
            let pkgs: Vec<String> = match cands.exact_packages_in(cat) {
                Some(exact) => exact.into_iter().map(str::to_owned).collect(),
                None => packages(cat)?,
            };
            let per_pkg: Vec<Result<Vec<Cpv>, RepoError>> = pkgs
                .par_iter()
                .filter(|p| cands.matches(cat, p))
                .map(|p| versions(cat, p))
                .collect();
            let mut out = Vec::new();
            for r in per_pkg {
                out.extend(r?);
            }
            Ok(out)
        })
        .collect();
    let mut out = Vec::new();
    for r in per_cat {
        out.extend(r?);
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Instantiates `cpvs` and keeps those matching `restriction` (and, in strict mode,
/// those whose metadata is available), in parallel, keeping the order.
pub fn filter_packages<R: Repository + ?Sized>(
    repo: &R,
    cpvs: Vec<Cpv>,
    restriction: &Restriction,
    opts: &MatchOptions,
) -> Vec<PackageRef> {
    let names_only = restriction.is_answerable_by(&|a| a.is_name());
    let keep = |p: &PackageRef| {
        if opts.strict && p.unavailable().is_some() {
            return false;
        }
        restriction.matches(p)
    };
    if names_only && !opts.strict {
        // Cheap: no metadata is read, so do it sequentially without the pool overhead.
        return cpvs
            .into_iter()
            .map(|c| repo.make_package(c))
            .filter(|p| restriction.matches(p))
            .collect();
    }
    cpvs.into_par_iter()
        .map(|c| repo.make_package(c))
        .filter(keep)
        .collect()
}
