//! Stacking repositories in priority order (pkgcore's `multiplex.tree`).

use std::path::Path;
use std::sync::Arc;

use strata_atom::cpv::Cpv;
use strata_restrict::Restriction;

use crate::error::{Problem, RepoError};
use crate::package::PackageRef;
use crate::repository::{MatchOptions, Repository};

/// Several repositories queried as one, highest priority first. Matches come grouped
/// per repository in that order, each group sorted (as pquery prints them).
#[derive(Debug, Clone)]
pub struct MultiplexRepo {
    id: String,
    repos: Vec<Arc<dyn Repository>>,
}

impl MultiplexRepo {
    /// A stack of `repos` (highest priority first) called `id`.
    pub fn new(id: impl Into<String>, repos: Vec<Arc<dyn Repository>>) -> Self {
        MultiplexRepo {
            id: id.into(),
            repos,
        }
    }

    /// The stacked repositories, highest priority first.
    pub fn repos(&self) -> &[Arc<dyn Repository>] {
        &self.repos
    }

    /// The repository called `id`.
    pub fn get(&self, id: &str) -> Option<&Arc<dyn Repository>> {
        self.repos.iter().find(|r| r.id() == id)
    }

    /// What `f` lists in every repository, merged, sorted and de-duplicated.
    fn union<T: Ord, F>(&self, f: F) -> Result<Vec<T>, RepoError>
    where
        F: Fn(&dyn Repository) -> Result<Vec<T>, RepoError>,
    {
        let mut out = Vec::new();
        for r in &self.repos {
            out.extend(f(r.as_ref())?);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

impl Repository for MultiplexRepo {
    fn id(&self) -> &str {
        &self.id
    }

    fn location(&self) -> Option<&Path> {
        None
    }

    fn frozen(&self) -> bool {
        self.repos.iter().all(|r| r.frozen())
    }

    fn categories(&self) -> Result<Vec<String>, RepoError> {
        self.union(|r| r.categories())
    }

    fn packages(&self, category: &str) -> Result<Vec<String>, RepoError> {
        self.union(|r| r.packages(category))
    }

    /// Every repository's versions, merged and de-duplicated (the same cpv in two
    /// repositories is listed once).
    fn versions(&self, category: &str, package: &str) -> Result<Vec<Cpv>, RepoError> {
        self.union(|r| r.versions(category, package))
    }

    /// The package from the highest-priority repository that has `cpv` (the first one
    /// when none has it).
    fn make_package(&self, cpv: Cpv) -> PackageRef {
        for r in &self.repos {
            if r.versions(cpv.category(), cpv.package())
                .is_ok_and(|v| v.contains(&cpv))
            {
                return r.make_package(cpv);
            }
        }
        match self.repos.first() {
            Some(r) => r.make_package(cpv),
            None => Arc::new(crate::package::Placeholder::new(cpv, &self.id)),
        }
    }

    fn problems(&self) -> Vec<Problem> {
        self.repos.iter().flat_map(|r| r.problems()).collect()
    }

    fn itermatch(
        &self,
        restriction: &Restriction,
        opts: &MatchOptions,
    ) -> Result<Vec<PackageRef>, RepoError> {
        let mut out = Vec::new();
        for r in &self.repos {
            out.extend(r.itermatch(restriction, opts)?);
        }
        Ok(out)
    }
}
