//! Packages bound to a domain's USE configuration (pkgcore's `configured.tree`, without
//! its mutable USE toggling): `use` is the effective USE, and the dependency classes are
//! USE-evaluated, so atoms with USE deps (`dev-lang/python[ssl]`) and reverse-dependency
//! queries match as on a configured system.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use strata_atom::atom::Atom;
use strata_atom::cpv::Cpv;
use strata_atom::depspec::DepKind;
use strata_config::domain::Domain;
use strata_config::use_flags::UseConfig;
use strata_restrict::{Attr, AttrValue, PackageAttrs, Restriction, StrList};

use crate::attrs::{dep_kind, dep_slot};
use crate::contents::Contents;
use crate::error::{Problem, RepoError};
use crate::metadata_xml::PackageMetadata;
use crate::package::{Package, PackageRef};
use crate::repository::{MatchOptions, Repository, forward_listing};
use crate::visibility::effective_use;

/// A package with the USE configuration a domain gives it.
#[derive(Debug)]
pub struct ConfiguredPackage {
    inner: PackageRef,
    domain: Arc<Domain>,
    /// The domain's global USE, shared by every package of a [`ConfiguredRepo`].
    implicit: Arc<HashSet<String>>,
    state: OnceLock<Option<UseState>>,
    deps: [OnceLock<Option<Vec<Atom>>>; 5],
}

#[derive(Debug)]
struct UseState {
    config: UseConfig,
    enabled: Vec<String>,
}

/// The domain's globally enabled flags, for conditionals on flags outside IUSE (arch,
/// ELIBC, KERNEL...). Computed once per [`ConfiguredRepo`], not once per package.
fn implicit_flags(domain: &Domain) -> Arc<HashSet<String>> {
    Arc::new(domain.global_use().into_iter().collect())
}

impl ConfiguredPackage {
    /// `inner` configured by `domain`.
    pub fn new(inner: PackageRef, domain: Arc<Domain>) -> Self {
        let implicit = implicit_flags(&domain);
        ConfiguredPackage::with_implicit(inner, domain, implicit)
    }

    fn with_implicit(
        inner: PackageRef,
        domain: Arc<Domain>,
        implicit: Arc<HashSet<String>>,
    ) -> Self {
        ConfiguredPackage {
            inner,
            domain,
            implicit,
            state: OnceLock::new(),
            deps: Default::default(),
        }
    }

    /// The unconfigured package.
    pub fn inner(&self) -> &PackageRef {
        &self.inner
    }

    fn state(&self) -> Option<&UseState> {
        self.state
            .get_or_init(|| {
                let config = effective_use(&self.domain, self.inner.as_ref())?;
                let enabled = config.enabled().map(str::to_owned).collect();
                Some(UseState { config, enabled })
            })
            .as_ref()
    }

    /// The effective USE configuration (every IUSE flag's state and why); `None` when
    /// the metadata is unavailable.
    pub fn use_config(&self) -> Option<&UseConfig> {
        self.state().map(|s| &s.config)
    }

    /// Whether `flag` is enabled for this package (IUSE flags by the USE configuration,
    /// implicit flags such as the arch by the global USE).
    pub fn is_enabled(&self, flag: &str) -> bool {
        self.state().is_some_and(|s| self.flag_enabled(s, flag))
    }

    fn flag_enabled(&self, state: &UseState, flag: &str) -> bool {
        match state.config.flags.get(flag) {
            Some(s) => s.enabled,
            None => self.implicit.contains(flag),
        }
    }

    /// A dependency class, USE-evaluated, as its atoms.
    pub fn evaluated_atoms(&self, kind: DepKind) -> Option<&[Atom]> {
        let i = dep_slot(kind)?;
        self.deps[i]
            .get_or_init(|| {
                let spec = self.inner.dep_spec(kind).ok()??;
                let st = self.state()?;
                let flags = |f: &str| self.flag_enabled(st, f);
                Some(spec.evaluated_atoms(&flags).cloned().collect())
            })
            .as_deref()
    }
}

impl PackageAttrs for ConfiguredPackage {
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
        if attr == Attr::Use {
            return Some(AttrValue::List(StrList::Slice(&self.state()?.enabled)));
        }
        match dep_kind(attr) {
            Some(kind) => Some(AttrValue::AtomRefs(
                self.evaluated_atoms(kind)?.iter().collect(),
            )),
            None => self.inner.attr(attr),
        }
    }
}

impl Package for ConfiguredPackage {
    fn cpv(&self) -> &Cpv {
        self.inner.cpv()
    }
    fn repo_id(&self) -> &str {
        self.inner.repo_id()
    }
    fn get(&self, key: &str) -> Option<&str> {
        self.inner.get(key)
    }
    fn path(&self) -> Option<&Path> {
        self.inner.path()
    }
    fn problem(&self) -> Option<Problem> {
        self.inner.problem()
    }
    fn unavailable(&self) -> Option<Problem> {
        self.inner.unavailable()
    }
    fn built_use(&self) -> Option<Vec<&str>> {
        self.inner.built_use()
    }
    fn contents(&self) -> Option<&Contents> {
        self.inner.contents()
    }
    fn metadata_xml(&self) -> Option<Arc<PackageMetadata>> {
        self.inner.metadata_xml()
    }
}

/// A repository whose packages come configured by a domain. Matching hands the part of a
/// restriction that does not read `use` or the dependency classes to the inner
/// repository (so its index and pruning still apply) and checks the whole restriction on
/// the configured packages.
#[derive(Debug, Clone)]
pub struct ConfiguredRepo {
    inner: Arc<dyn Repository>,
    domain: Arc<Domain>,
    implicit: Arc<HashSet<String>>,
}

impl ConfiguredRepo {
    /// `inner` configured by `domain`.
    pub fn new(inner: Arc<dyn Repository>, domain: Arc<Domain>) -> Self {
        let implicit = implicit_flags(&domain);
        ConfiguredRepo {
            inner,
            domain,
            implicit,
        }
    }

    fn configure(&self, p: PackageRef) -> PackageRef {
        Arc::new(ConfiguredPackage::with_implicit(
            p,
            self.domain.clone(),
            self.implicit.clone(),
        ))
    }
}

/// `use` and the dependency classes (the ones [`dep_kind`] names), which the domain's
/// configuration changes.
fn reads_configuration(a: Attr) -> bool {
    a == Attr::Use || dep_kind(a).is_some()
}

impl Repository for ConfiguredRepo {
    forward_listing!(self, self.inner);
    fn make_package(&self, cpv: Cpv) -> PackageRef {
        self.configure(self.inner.make_package(cpv))
    }
    fn itermatch(
        &self,
        restriction: &Restriction,
        opts: &MatchOptions,
    ) -> Result<Vec<PackageRef>, RepoError> {
        let split = restriction.split(&|a| !reads_configuration(a));
        let pkgs = self.inner.itermatch(&split.answerable, opts)?;
        let whole = matches!(split.rest, Restriction::AlwaysTrue);
        Ok(pkgs
            .into_iter()
            .map(|p| self.configure(p))
            .filter(|p| whole || restriction.matches(p))
            .collect())
    }
}
