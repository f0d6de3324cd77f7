//! The package protocol: what every package a repository gives out can tell.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use strata_atom::cpv::Cpv;
use strata_atom::depspec::{DepKind, DepSpec, EnabledFlags};
use strata_atom::{Eapi, ParseError};
use strata_cache::index::Maintainer;
use strata_restrict::PackageAttrs;

use crate::contents::Contents;
use crate::error::Problem;
use crate::metadata_xml::PackageMetadata;

/// A package version from some repository (an ebuild, an installed package, a binary
/// package).
///
/// Attributes are given out by name through [`PackageAttrs`] (what restrictions and
/// pquery's `--attr` read); this trait adds what is not a plain attribute value. Metadata
/// is read lazily: asking for the cpv never reads a file.
pub trait Package: PackageAttrs + Send + Sync + fmt::Debug {
    /// `category/PN-PVR`.
    fn cpv(&self) -> &Cpv;

    /// The id of the repository the package comes from.
    fn repo_id(&self) -> &str;

    /// A raw metadata value by its key name (`SLOT`, `KEYWORDS`, `DESCRIPTION`, `RDEPEND`,
    /// ...; for installed packages any text file of the entry, such as `COUNTER` or
    /// `BUILD_TIME`). `None` when not set or when the metadata is unavailable.
    fn get(&self, key: &str) -> Option<&str>;

    /// The file the package is read from (the ebuild, the vdb entry directory, the binary
    /// package).
    fn path(&self) -> Option<&Path>;

    /// Why the package's metadata is unavailable (or suspect), if it is. Reads the
    /// metadata if it was not read yet.
    fn problem(&self) -> Option<Problem>;

    /// Why the package cannot be used, if it cannot (a problem that
    /// [makes it unavailable](crate::ProblemKind::makes_unavailable)). Unlike
    /// [`Package::problem`], this need not check for staleness, which can be costly
    /// (ebuild and eclass checksums).
    fn unavailable(&self) -> Option<Problem> {
        self.problem().filter(|p| p.kind.makes_unavailable())
    }

    /// Whether this is a built package (installed or binary): it has nothing left to
    /// fetch or build, and its metadata is the result of a build (pkgcore's `built`).
    fn is_built(&self) -> bool {
        false
    }

    /// The USE flags the package was built with (installed and binary packages); `None`
    /// for source packages, whose USE depends on a configuration.
    fn built_use(&self) -> Option<Vec<&str>> {
        None
    }

    /// Installed files (installed packages).
    fn contents(&self) -> Option<&Contents> {
        None
    }

    /// The package's metadata.xml data (source packages).
    fn metadata_xml(&self) -> Option<Arc<PackageMetadata>> {
        None
    }

    /// SLOT as written (`0`, `2/2.0`).
    fn slot(&self) -> Option<&str> {
        self.get("SLOT")
    }

    /// The EAPI (`0` when unset); `None` when the metadata is unavailable.
    fn eapi_str(&self) -> Option<&str> {
        self.get("SLOT")?;
        Some(self.get("EAPI").filter(|e| !e.is_empty()).unwrap_or("0"))
    }

    /// The parsed EAPI.
    fn eapi(&self) -> Option<Result<Eapi, ParseError>> {
        self.eapi_str().map(Eapi::parse)
    }

    /// A dependency-style class (`DEPEND`, `LICENSE`, `SRC_URI`, ...) parsed under the
    /// package's EAPI; `Ok(None)` when the metadata is unavailable.
    fn dep_spec(&self, kind: DepKind) -> Result<Option<DepSpec>, ParseError> {
        let Some(eapi) = self.eapi() else {
            return Ok(None);
        };
        let eapi = eapi?;
        let raw = self.get(kind.key()).unwrap_or("");
        DepSpec::parse(raw, kind, eapi).map(Some)
    }

    /// A dependency class with USE conditionals evaluated against `flags`, as text
    /// (pkgcore's non-raw `depend`/`rdepend`/... attributes).
    fn evaluated_deps(
        &self,
        kind: DepKind,
        flags: &dyn EnabledFlags,
    ) -> Result<Option<String>, ParseError> {
        let Some(spec) = self.dep_spec(kind)? else {
            return Ok(None);
        };
        Ok(Some(evaluate_to_string(&spec, flags)))
    }

    /// The maintainers from metadata.xml (empty when none or unknown).
    fn maintainers(&self) -> Vec<Maintainer> {
        self.metadata_xml()
            .map(|m| m.maintainers.clone())
            .unwrap_or_default()
    }
}

/// A shared package handle, as repositories give them out.
pub type PackageRef = Arc<dyn Package>;

/// `spec` with USE conditionals resolved by `flags`, written back as a dependency string
/// (groups kept, conditionals whose flag is off dropped).
pub fn evaluate_to_string(spec: &DepSpec, flags: &dyn EnabledFlags) -> String {
    use strata_atom::DepNode;
    fn walk(nodes: &[DepNode], flags: &dyn EnabledFlags, out: &mut Vec<String>) {
        for n in nodes {
            match n {
                DepNode::Leaf(l) => out.push(l.to_string()),
                DepNode::Conditional(cond, children) => {
                    if cond.holds(flags) {
                        walk(children, flags, out);
                    }
                }
                DepNode::AllOf(children) => {
                    let mut inner = Vec::new();
                    walk(children, flags, &mut inner);
                    if !inner.is_empty() {
                        out.push(format!("( {} )", inner.join(" ")));
                    }
                }
                DepNode::AnyOf(children) => group(out, "||", children, flags),
                DepNode::ExactlyOneOf(children) => group(out, "^^", children, flags),
                DepNode::AtMostOneOf(children) => group(out, "??", children, flags),
            }
        }
    }
    fn group(out: &mut Vec<String>, op: &str, children: &[DepNode], flags: &dyn EnabledFlags) {
        let mut inner = Vec::new();
        walk(children, flags, &mut inner);
        if !inner.is_empty() {
            out.push(format!("{op} ( {} )", inner.join(" ")));
        }
    }
    let mut out = Vec::new();
    walk(spec.items(), flags, &mut out);
    out.join(" ")
}

/// A package known only by name (what an empty stack gives for a cpv): every metadata
/// attribute is missing.
#[derive(Debug)]
pub struct Placeholder {
    cpv: Cpv,
    repo: String,
}

impl Placeholder {
    /// A placeholder for `cpv` in repository `repo`.
    pub fn new(cpv: Cpv, repo: &str) -> Self {
        Placeholder {
            cpv,
            repo: repo.to_owned(),
        }
    }
}

impl PackageAttrs for Placeholder {
    fn attr(&self, attr: strata_restrict::Attr) -> Option<strata_restrict::AttrValue<'_>> {
        if attr == strata_restrict::Attr::Repo {
            return Some(strata_restrict::AttrValue::text(&self.repo));
        }
        crate::attrs::cpv_attr(&self.cpv, attr)
    }
}

impl Package for Placeholder {
    fn cpv(&self) -> &Cpv {
        &self.cpv
    }
    fn repo_id(&self) -> &str {
        &self.repo
    }
    fn get(&self, _key: &str) -> Option<&str> {
        None
    }
    fn path(&self) -> Option<&Path> {
        None
    }
    fn problem(&self) -> Option<Problem> {
        None
    }
}
