//! The `package.provided` repository (pkgcore's `ProvidesRepo`): the versions a domain's
//! profile and user profile declare provided, as an installed-like (`livefs`), frozen,
//! in-memory repository with id `provided`.
//!
//! Its packages have nothing but a name and version: SLOT `0`, EAPI `0`, KEYWORDS the
//! domain's ARCH (pkgcore gives them the profile's arch, so keyword checks accept them),
//! no dependencies, no metadata.xml, no files; every other metadata key is unset.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use strata_atom::atom::Atom;
use strata_atom::cpv::Cpv;
use strata_config::domain::Domain;
use strata_restrict::{Attr, AttrValue, PackageAttrs};

use crate::attrs::{RawMetadata, cpv_attr, dep_kind, raw_attr};
use crate::error::{Problem, RepoError};
use crate::package::{Package, PackageRef};
use crate::repository::Repository;

/// The id of every [`ProvidedRepo`].
pub const PROVIDED_REPO_ID: &str = "provided";

#[derive(Debug)]
struct Inner {
    /// category → package → versions (sorted ascending, unique).
    tree: BTreeMap<String, BTreeMap<String, Vec<Cpv>>>,
    keywords: String,
}

/// The `package.provided` entries of a domain as a repository. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ProvidedRepo {
    inner: Arc<Inner>,
}

impl ProvidedRepo {
    /// A repository of `cpvs` (duplicates are kept once) whose packages carry `keywords`.
    pub fn new(cpvs: impl IntoIterator<Item = Cpv>, keywords: &str) -> ProvidedRepo {
        let mut tree: BTreeMap<String, BTreeMap<String, Vec<Cpv>>> = BTreeMap::new();
        for cpv in cpvs {
            let versions = tree
                .entry(cpv.category().to_owned())
                .or_default()
                .entry(cpv.package().to_owned())
                .or_default();
            if !versions.contains(&cpv) {
                versions.push(cpv);
            }
        }
        for versions in tree.values_mut().flat_map(BTreeMap::values_mut) {
            versions.sort();
        }
        ProvidedRepo {
            inner: Arc::new(Inner {
                tree,
                keywords: keywords.to_owned(),
            }),
        }
    }

    /// The domain's `package.provided` entries, with its ARCH as keywords.
    pub fn from_domain(domain: &Domain) -> ProvidedRepo {
        ProvidedRepo::new(
            domain.provided.iter().map(|p| p.cpv.clone()),
            domain.arch().unwrap_or(""),
        )
    }

    /// Whether it holds no package.
    pub fn is_empty(&self) -> bool {
        self.inner.tree.is_empty()
    }
}

impl Repository for ProvidedRepo {
    fn id(&self) -> &str {
        PROVIDED_REPO_ID
    }

    fn location(&self) -> Option<&Path> {
        None
    }

    fn frozen(&self) -> bool {
        true
    }

    fn livefs(&self) -> bool {
        true
    }

    fn categories(&self) -> Result<Vec<String>, RepoError> {
        Ok(self.inner.tree.keys().cloned().collect())
    }

    fn packages(&self, category: &str) -> Result<Vec<String>, RepoError> {
        Ok(self
            .inner
            .tree
            .get(category)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default())
    }

    fn versions(&self, category: &str, package: &str) -> Result<Vec<Cpv>, RepoError> {
        Ok(self
            .inner
            .tree
            .get(category)
            .and_then(|p| p.get(package))
            .cloned()
            .unwrap_or_default())
    }

    fn make_package(&self, cpv: Cpv) -> PackageRef {
        Arc::new(ProvidedPackage {
            cpv,
            repo: self.inner.clone(),
        })
    }

    fn problems(&self) -> Vec<Problem> {
        Vec::new()
    }
}

/// A package of a [`ProvidedRepo`].
#[derive(Debug)]
pub struct ProvidedPackage {
    cpv: Cpv,
    repo: Arc<Inner>,
}

impl RawMetadata for ProvidedPackage {
    fn raw(&self, key: &str) -> Option<&str> {
        match key {
            "SLOT" | "EAPI" => Some("0"),
            "KEYWORDS" => Some(&self.repo.keywords),
            _ => None,
        }
    }
}

impl PackageAttrs for ProvidedPackage {
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
        if let Some(v) = cpv_attr(&self.cpv, attr) {
            return Some(v);
        }
        if attr == Attr::Repo {
            return Some(AttrValue::text(PROVIDED_REPO_ID));
        }
        if dep_kind(attr).is_some() {
            const NONE: &[Atom] = &[];
            return Some(AttrValue::Atoms(Cow::Borrowed(NONE)));
        }
        raw_attr(self, attr)
    }
}

impl Package for ProvidedPackage {
    fn cpv(&self) -> &Cpv {
        &self.cpv
    }

    fn repo_id(&self) -> &str {
        PROVIDED_REPO_ID
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.raw(key)
    }

    fn path(&self) -> Option<&Path> {
        None
    }

    fn problem(&self) -> Option<Problem> {
        None
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use strata_restrict::parse_target;

    use super::*;
    use crate::repository::MatchOptions;

    fn cpv(s: &str) -> Cpv {
        Cpv::parse(s).unwrap()
    }

    #[test]
    fn listing_matching_and_attributes() {
        let repo = ProvidedRepo::new(
            [
                cpv("sys-libs/glibc-2.40"),
                cpv("dev-lang/perl-5.40.0"),
                cpv("dev-lang/perl-5.38.2-r3"),
                cpv("dev-lang/perl-5.40.0"),
            ],
            "amd64",
        );
        assert!(!repo.is_empty());
        assert_eq!(repo.categories().unwrap(), ["dev-lang", "sys-libs"]);
        assert_eq!(repo.packages("dev-lang").unwrap(), ["perl"]);
        assert!(repo.packages("nonesuch").unwrap().is_empty());
        let all: Vec<String> = repo
            .all_packages(&MatchOptions::default())
            .unwrap()
            .iter()
            .map(|p| p.cpv().to_string())
            .collect();
        assert_eq!(
            all,
            [
                "dev-lang/perl-5.38.2-r3",
                "dev-lang/perl-5.40.0",
                "sys-libs/glibc-2.40"
            ]
        );
        let hits = repo
            .itermatch(
                &parse_target(">=dev-lang/perl-5.39::provided").unwrap(),
                &MatchOptions::default(),
            )
            .unwrap();
        assert_eq!(hits.len(), 1);
        let p = &hits[0];
        assert_eq!(p.cpv().to_string(), "dev-lang/perl-5.40.0");
        assert_eq!(p.repo_id(), "provided");
        assert_eq!(p.slot(), Some("0"));
        assert_eq!(p.eapi_str(), Some("0"));
        assert_eq!(p.get("KEYWORDS"), Some("amd64"));
        assert_eq!(p.get("DESCRIPTION"), None);
        assert!(p.problem().is_none() && p.path().is_none() && p.contents().is_none());
        assert_eq!(p.attr(Attr::Repo), Some(AttrValue::text("provided")));
        assert_eq!(p.attr(Attr::Slot), Some(AttrValue::text("0")));
        assert_eq!(p.attr(Attr::Rdepend).unwrap().atoms().unwrap().count(), 0);
        assert!(repo.livefs() && repo.frozen() && repo.location().is_none());
        let none = repo
            .itermatch(
                &parse_target("dev-lang/perl::gentoo").unwrap(),
                &MatchOptions::default(),
            )
            .unwrap();
        assert!(none.is_empty());
        assert!(ProvidedRepo::new([], "").is_empty());
    }
}
