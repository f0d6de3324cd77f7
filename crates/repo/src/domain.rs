//! Opening the live repositories of a domain: its ebuild repositories with their masters
//! resolved, the installed-package database, the `package.provided` repository, and
//! binary repositories through a factory that the binary-package crate registers.

use std::path::PathBuf;
use std::sync::Arc;

use strata_config::domain::Domain;
use strata_config::repos::RepoConfig;

use crate::configured::ConfiguredRepo;
use crate::ebuild::EbuildRepo;
use crate::error::RepoError;
use crate::metadata_xml::PackageMetadata;
use crate::multiplex::MultiplexRepo;
use crate::provided::ProvidedRepo;
use crate::repository::Repository;
use crate::vdb::{MetadataXmlSource, VdbRepo};
use crate::visibility::VisibleRepo;

/// Opens binary package repositories (`repo-type = binpkg`, PKGDIR). strata-repo does
/// not read binary packages itself; strata-binpkg implements this and is passed in
/// [`OpenOptions::binary_factory`].
pub trait BinaryRepoFactory: Send + Sync {
    /// Opens the binary repository `config` of `domain`.
    fn open(&self, config: &RepoConfig, domain: &Domain) -> Result<Arc<dyn Repository>, RepoError>;
}

/// metadata.xml for installed packages from the domain's ebuild repositories: the one
/// the package was built from, else the first (highest priority) that has the package.
struct SourceMetadataXml {
    repos: Vec<EbuildRepo>,
}

impl MetadataXmlSource for SourceMetadataXml {
    fn metadata_xml(
        &self,
        category: &str,
        package: &str,
        source_repo: Option<&str>,
    ) -> Option<Arc<PackageMetadata>> {
        let has = |r: &EbuildRepo| r.inner.location.join(category).join(package).is_dir();
        let repo = source_repo
            .and_then(|id| self.repos.iter().find(|r| r.inner.id == id && has(r)))
            .or_else(|| self.repos.iter().find(|r| has(r)))?;
        Some(repo.metadata_xml(category, package))
    }
}

/// How [`DomainRepos::open`] opens repositories.
#[derive(Clone, Default)]
pub struct OpenOptions {
    /// Where search indexes go (default: the XDG cache directory).
    pub index_dir: Option<PathBuf>,
    /// Opens binary repositories; without one they are listed in
    /// [`DomainRepos::skipped`].
    pub binary_factory: Option<Arc<dyn BinaryRepoFactory>>,
}

impl std::fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenOptions")
            .field("index_dir", &self.index_dir)
            .field("binary_factory", &self.binary_factory.is_some())
            .finish()
    }
}

/// The repositories of a domain, opened.
#[derive(Debug, Clone)]
pub struct DomainRepos {
    /// The domain.
    pub domain: Arc<Domain>,
    /// Ebuild repositories, highest priority first.
    pub source: Vec<EbuildRepo>,
    /// Binary repositories, highest priority first.
    pub binary: Vec<Arc<dyn Repository>>,
    /// The installed-package database (empty when the domain has none).
    pub installed: VdbRepo,
    /// The domain's `package.provided` entries (pkgcore's provides repo; installed-like).
    pub provided: ProvidedRepo,
    /// Repositories that were not opened, with the reason.
    pub skipped: Vec<(String, String)>,
}

impl DomainRepos {
    /// Opens every repository of `domain`. One rule for every kind: a repository that
    /// cannot be opened (an ebuild repository whose master is not configured or whose
    /// directory is unreadable, a binary repository whose PKGDIR or index cannot be read,
    /// or a binary one without a factory) is left out and listed in
    /// [`DomainRepos::skipped`] with the reason, and the others are still opened, as
    /// pkgcore does ("skipping 'x' repo: ..."): one broken PKGDIR or overlay does not
    /// stop a query of the rest. The caller reports the skipped ones (and fails if it
    /// needed one of them). Never fails today; the `Result` leaves room for errors that
    /// concern the domain as a whole.
    pub fn open(domain: Arc<Domain>, opts: &OpenOptions) -> Result<DomainRepos, RepoError> {
        let mut source = Vec::new();
        let mut skipped = Vec::new();
        for cfg in domain.ebuild_repos() {
            match EbuildRepo::from_domain(cfg, &domain, opts.index_dir.clone()) {
                Ok(r) => source.push(r),
                Err(e) => skipped.push((cfg.name.clone(), e.to_string())),
            }
        }
        let mut binary = Vec::new();
        for cfg in domain.binary_repos() {
            match &opts.binary_factory {
                Some(f) => match f.open(cfg, &domain) {
                    Ok(r) => binary.push(r),
                    Err(e) => skipped.push((cfg.name.clone(), e.to_string())),
                },
                None => skipped.push((
                    cfg.name.clone(),
                    "no binary repository support registered".to_owned(),
                )),
            }
        }
        let installed = match domain.vdb_path() {
            Some(p) => VdbRepo::open(p),
            None => VdbRepo::for_root(&domain.root),
        }
        .with_metadata_xml_source(Arc::new(SourceMetadataXml {
            repos: source.clone(),
        }));
        let provided = ProvidedRepo::from_domain(&domain);
        Ok(DomainRepos {
            domain,
            source,
            binary,
            installed,
            provided,
            skipped,
        })
    }

    /// The ebuild repository called `id`.
    pub fn source_repo(&self, id: &str) -> Option<&EbuildRepo> {
        self.source.iter().find(|r| r.inner.id == id)
    }

    /// The ebuild repositories stacked, highest priority first.
    pub fn source_stack(&self) -> MultiplexRepo {
        MultiplexRepo::new(
            "source",
            self.source
                .iter()
                .map(|r| Arc::new(r.clone()) as Arc<dyn Repository>)
                .collect(),
        )
    }

    /// The ebuild and binary repositories, configured by the domain (USE) and filtered
    /// by its visibility rules: what pkgcore's pquery and pmerge look at by default.
    pub fn configured_visible(&self) -> VisibleRepo {
        VisibleRepo::new(
            Arc::new(ConfiguredRepo::new(
                self.visible_stack(),
                self.domain.clone(),
            )),
            self.domain.clone(),
        )
    }

    /// The ebuild and binary repositories through the domain's visibility rules.
    pub fn visible(&self) -> VisibleRepo {
        VisibleRepo::new(self.visible_stack(), self.domain.clone())
    }

    /// The ebuild and binary repositories stacked, highest priority first (ebuild ones
    /// before binary ones), unfiltered.
    fn visible_stack(&self) -> Arc<dyn Repository> {
        let mut repos: Vec<Arc<dyn Repository>> = self
            .source
            .iter()
            .map(|r| Arc::new(r.clone()) as Arc<dyn Repository>)
            .collect();
        repos.extend(self.binary.iter().cloned());
        Arc::new(MultiplexRepo::new("visible", repos))
    }
}
