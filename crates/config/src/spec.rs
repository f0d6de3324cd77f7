//! Package specifications in configuration files: a PMS atom (with `::repo` where allowed)
//! or, in user configuration, a target in pkgcore's extended syntax (parsed by
//! `strata-restrict`), which covers Portage's wildcard forms (`*/*`, `net-*/*`,
//! `=*/*-*9999*`, `*/*::gentoo`) and more (`>=*/alsa-*-1.1.7`, `dev-qt/*:5`, `pkg*`).

use std::fmt;

use strata_atom::Eapi;
use strata_atom::atom::{Atom, AtomOptions, MatchTarget};
use strata_restrict::{Restriction, parse_target};

use crate::domain::PackageInfo;

/// How to parse an entry: the EAPI of the file it is in, or user configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecContext {
    /// The atom rules.
    pub atom: AtomOptions,
    /// Whether extended targets are allowed (user configuration only).
    pub wildcards: bool,
}

impl SpecContext {
    /// User configuration (`/etc/portage/package.*`): newest atom syntax, `::repo`,
    /// wildcards.
    pub fn user_config() -> SpecContext {
        SpecContext {
            atom: AtomOptions::user_config(),
            wildcards: true,
        }
    }

    /// A profile or repository file of EAPI `eapi` (`repo_deps` from `profile-formats =
    /// profile-repo-deps`).
    pub fn profile(eapi: &str, repo_deps: bool) -> SpecContext {
        let eapi = Eapi::parse(eapi).ok();
        SpecContext {
            atom: AtomOptions {
                eapi,
                repo_deps: repo_deps || eapi.is_none(),
            },
            wildcards: false,
        }
    }
}

/// One package specification.
#[derive(Debug, Clone)]
pub enum PackageSpec {
    /// A plain atom.
    Atom(Atom),
    /// pkgcore's extended target syntax (user configuration only), with its text.
    Target(Restriction, String),
    /// A build-id atom `=cat/pkg-1.0-3` (user configuration only): the atom without the
    /// trailing `-3`, and the BUILD_ID it requires.
    BuildId(Atom, u64, String),
}

impl fmt::Display for PackageSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackageSpec::Atom(a) => write!(f, "{a}"),
            PackageSpec::Target(_, text) | PackageSpec::BuildId(_, _, text) => f.write_str(text),
        }
    }
}

impl PackageSpec {
    /// Parses one entry: an atom, or (user configuration only) an extended target such as
    /// `*/*`, `net-*/*`, `=*/*-*9999*`, `*/*::gentoo`, `>=*/alsa-*-1.1.7`, `dev-qt/*:5`.
    /// Blockers are refused.
    pub fn parse(text: &str, ctx: SpecContext) -> Result<PackageSpec, String> {
        if text.starts_with('!') {
            return Err(format!("{text:?}: blockers are not allowed here"));
        }
        let atom_err = match Atom::parse_with(text, ctx.atom) {
            Ok(a) => return Ok(PackageSpec::Atom(a)),
            Err(e) => e,
        };
        if ctx.wildcards
            && let Some((atom, id)) = split_build_id(text)
            && let Ok(a) = Atom::parse_with(&atom, ctx.atom)
        {
            return Ok(PackageSpec::BuildId(a, id, text.to_string()));
        }
        let extended = text.contains('*') || !text.contains('/');
        if !ctx.wildcards || !extended {
            return Err(atom_err.to_string());
        }
        parse_target(text)
            .map(|r| PackageSpec::Target(r, text.to_string()))
            .map_err(|e| e.to_string())
    }

    /// Whether the package `target` matches. A build-id entry never matches here (the
    /// target has no BUILD_ID); see [`PackageSpec::matches_package`].
    pub fn matches(&self, target: &MatchTarget<'_>) -> bool {
        match self {
            PackageSpec::Atom(a) => a.matches(target),
            PackageSpec::Target(r, _) => r.matches(target),
            PackageSpec::BuildId(..) => false,
        }
    }

    /// Whether the package `pkg` matches (build-id entries compare its BUILD_ID).
    pub fn matches_package(&self, pkg: &PackageInfo<'_>) -> bool {
        match self {
            PackageSpec::BuildId(a, id, _) => pkg.build_id == Some(*id) && a.matches(&pkg.target()),
            _ => self.matches(&pkg.target()),
        }
    }

    /// The atom, if this is one.
    pub fn atom(&self) -> Option<&Atom> {
        match self {
            PackageSpec::Atom(a) => Some(a),
            PackageSpec::Target(..) => None,
            PackageSpec::BuildId(a, _, _) => Some(a),
        }
    }
}

/// Splits `=cat/pkg-1.0-3[:slot][::repo]` into `=cat/pkg-1.0[:slot][::repo]` and 3
/// (Portage's build-id atoms: the last `-N`, N without a leading zero).
fn split_build_id(text: &str) -> Option<(String, u64)> {
    if !text.starts_with('=') || text.starts_with("=*") {
        return None;
    }
    let slash = text.find('/')?;
    let end = text[slash..].find(':').map_or(text.len(), |i| slash + i);
    let (base, rest) = text.split_at(end);
    let dash = base.rfind('-')?;
    let digits = &base[dash + 1..];
    if digits.is_empty()
        || !digits.bytes().all(|c| c.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    let id = digits.parse().ok()?;
    Some((format!("{}{rest}", &base[..dash]), id))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use strata_atom::cpv::Cpv;

    fn m(spec: &str, cpv: &str, slot: &str, repo: &str) -> bool {
        let s = PackageSpec::parse(spec, SpecContext::user_config()).unwrap();
        let cpv = Cpv::parse(cpv).unwrap();
        s.matches(&MatchTarget::new(&cpv).with_slot(slot).with_repo(repo))
    }

    #[test]
    fn atoms_and_wildcards() {
        assert!(m(
            "dev-lang/python",
            "dev-lang/python-3.12",
            "3.12",
            "gentoo"
        ));
        assert!(m(
            ">=dev-lang/python-3.12::gentoo",
            "dev-lang/python-3.12",
            "0",
            "gentoo"
        ));
        assert!(!m(
            ">=dev-lang/python-3.12::guru",
            "dev-lang/python-3.12",
            "0",
            "gentoo"
        ));
        assert!(m(
            "=dev-lang/python-3*",
            "dev-lang/python-3.12",
            "0",
            "gentoo"
        ));
        assert!(m("*/*", "a/b-1", "0", "x"));
        assert!(m("net-*/*", "net-misc/foo-1", "0", "x"));
        assert!(!m("net-*/*", "dev-misc/foo-1", "0", "x"));
        assert!(m("*/*::gentoo", "a/b-1", "0", "gentoo"));
        assert!(!m("*/*::gentoo", "a/b-1", "0", "guru"));
        assert!(m("=*/*-*9999*", "a/b-9999", "0", "x"));
        assert!(m("=*/*-*9999*", "a/b-1.9999.2", "0", "x"));
        assert!(!m("=*/*-*9999*", "a/b-1.0", "0", "x"));
        assert!(m(">=*/alsa-*-1.1.7", "media-libs/alsa-lib-1.2", "0", "x"));
        assert!(!m(">=*/alsa-*-1.1.7", "media-libs/alsa-lib-1.1", "0", "x"));
        assert!(m("dev-qt/*:5", "dev-qt/qtcore-5.15", "5", "x"));
        assert!(!m("dev-qt/*:5", "dev-qt/qtcore-6.5", "6", "x"));
    }

    #[test]
    fn build_ids() {
        let u = SpecContext::user_config();
        let s = PackageSpec::parse("=app-misc/foo-1.0-r1-3::bin", u).unwrap();
        assert!(
            matches!(&s, PackageSpec::BuildId(a, 3, _) if a.to_string() == "=app-misc/foo-1.0-r1::bin")
        );
        let cpv = Cpv::parse("app-misc/foo-1.0-r1").unwrap();
        let mut pkg = PackageInfo {
            cpv: &cpv,
            slot: "0",
            repo: "bin",
            keywords: "",
            license: "",
            eapi: "8",
            iuse: "",
            properties: "",
            restrict: "",
            build_id: Some(3),
        };
        assert!(s.matches_package(&pkg));
        pkg.build_id = Some(4);
        assert!(!s.matches_package(&pkg));
        assert!(PackageSpec::parse("=app-misc/foo-1.0-03", u).is_err());
        assert!(
            PackageSpec::parse("=app-misc/foo-1.0-3", SpecContext::profile("8", false)).is_err()
        );
    }

    #[test]
    fn rejects() {
        let u = SpecContext::user_config();
        assert!(PackageSpec::parse("!dev-lang/python", u).is_err());
        assert!(PackageSpec::parse("**/*", u).is_err());
        assert!(PackageSpec::parse("dev-lang/python-3.12", u).is_err());
        let p = SpecContext::profile("8", false);
        assert!(PackageSpec::parse("*/*", p).is_err());
        assert!(PackageSpec::parse("dev-lang/python::gentoo", p).is_err());
        assert!(
            PackageSpec::parse("dev-lang/python::gentoo", SpecContext::profile("8", true)).is_ok()
        );
    }
}
