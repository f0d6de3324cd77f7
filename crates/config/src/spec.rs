//! Package specifications in configuration files: a PMS atom (with `::repo` where allowed)
//! or one of Portage's wildcard forms for user configuration (`*/*`, `net-*/*`,
//! `=*/*-*9999*`, `*/*::gentoo`, `>=*/alsa-*-1.1.7`, `dev-qt/*:5`).

use std::fmt;

use strata_atom::Eapi;
use strata_atom::atom::{Atom, AtomOptions, MatchTarget, VersionOp};
use strata_atom::version::Version;

/// How to parse an entry: the EAPI of the file it is in, or user configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpecContext {
    /// The atom rules.
    pub atom: AtomOptions,
    /// Whether wildcard forms are allowed (user configuration only).
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

/// A `*` glob over a name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Glob(String);

impl Glob {
    fn matches(&self, s: &str) -> bool {
        glob_match(self.0.as_bytes(), s.as_bytes())
    }
}

fn glob_match(p: &[u8], s: &[u8]) -> bool {
    match p.split_first() {
        None => s.is_empty(),
        Some((b'*', rest)) => (0..=s.len()).any(|i| glob_match(rest, &s[i..])),
        Some((c, rest)) => s.first() == Some(c) && glob_match(rest, &s[1..]),
    }
}

/// The version part of a wildcard entry.
#[derive(Debug, Clone, PartialEq, Eq)]
enum VersionPattern {
    /// Any version.
    Any,
    /// A real version with an operator.
    Op(VersionOp, Version),
    /// `=cat/pkg-<glob>`: the version text matched as a glob.
    Glob(Glob),
}

/// A wildcard entry (user configuration only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WildcardSpec {
    text: String,
    category: Glob,
    package: Glob,
    version: VersionPattern,
    slot: Option<String>,
    repo: Option<String>,
}

/// One package specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageSpec {
    /// A plain atom.
    Atom(Atom),
    /// A wildcard form.
    Wildcard(WildcardSpec),
}

impl fmt::Display for PackageSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PackageSpec::Atom(a) => write!(f, "{a}"),
            PackageSpec::Wildcard(w) => f.write_str(&w.text),
        }
    }
}

fn valid_glob(s: &str) -> bool {
    !s.is_empty()
        && !s.contains("**")
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'+' | b'.' | b'-' | b'*'))
}

impl PackageSpec {
    /// Parses one entry. Blockers are refused.
    pub fn parse(text: &str, ctx: SpecContext) -> Result<PackageSpec, String> {
        if text.starts_with('!') {
            return Err(format!("{text:?}: blockers are not allowed here"));
        }
        if !(ctx.wildcards && text.contains('*') && !is_plain_glob_atom(text)) {
            return Atom::parse_with(text, ctx.atom)
                .map(PackageSpec::Atom)
                .map_err(|e| e.to_string());
        }
        parse_wildcard(text).map(PackageSpec::Wildcard)
    }

    /// Whether the package `target` matches.
    pub fn matches(&self, target: &MatchTarget<'_>) -> bool {
        match self {
            PackageSpec::Atom(a) => a.matches(target),
            PackageSpec::Wildcard(w) => {
                let cpv = target.cpv;
                if !w.category.matches(cpv.category()) || !w.package.matches(cpv.package()) {
                    return false;
                }
                let version_ok = match &w.version {
                    VersionPattern::Any => true,
                    VersionPattern::Op(op, v) => op.matches(v, cpv.version()),
                    VersionPattern::Glob(g) => g.matches(cpv.version().as_str()),
                };
                if !version_ok {
                    return false;
                }
                if let Some(slot) = &w.slot
                    && target.slot != Some(slot.as_str())
                {
                    return false;
                }
                if let Some(repo) = &w.repo
                    && target.repo != Some(repo.as_str())
                {
                    return false;
                }
                true
            }
        }
    }

    /// The atom, if this is one.
    pub fn atom(&self) -> Option<&Atom> {
        match self {
            PackageSpec::Atom(a) => Some(a),
            PackageSpec::Wildcard(_) => None,
        }
    }
}

/// `=cat/pkg-1.2*` is a plain atom (the `=*` operator), not a wildcard.
fn is_plain_glob_atom(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('=') else {
        return false;
    };
    let body = rest.split("::").next().unwrap_or(rest);
    let body = body.split(':').next().unwrap_or(body);
    body.matches('*').count() == 1 && body.ends_with('*') && !body[..body.len() - 1].contains('*')
}

fn parse_wildcard(text: &str) -> Result<WildcardSpec, String> {
    let bad = |why: &str| format!("invalid wildcard entry {text:?}: {why}");
    let (rest, repo) = match text.split_once("::") {
        Some((r, repo)) => (r, Some(repo.to_string())),
        None => (text, None),
    };
    let (rest, slot) = match rest.split_once(':') {
        Some((r, s)) => (r, Some(s.to_string())),
        None => (rest, None),
    };
    let op_len = rest
        .bytes()
        .take_while(|c| matches!(c, b'<' | b'>' | b'=' | b'~'))
        .count();
    let (op_text, body) = rest.split_at(op_len);
    let Some((cat, pkg_ver)) = body.split_once('/') else {
        return Err(bad("expected category/package"));
    };
    let (pkg, version) = if op_text.is_empty() {
        (pkg_ver, VersionPattern::Any)
    } else {
        // The version starts after the last '-' that is followed by a digit or '*'.
        let split = pkg_ver
            .char_indices()
            .filter(|(i, c)| {
                *c == '-'
                    && pkg_ver[i + 1..]
                        .chars()
                        .next()
                        .is_some_and(|n| n.is_ascii_digit() || n == '*')
            })
            .map(|(i, _)| i)
            .next_back()
            .ok_or_else(|| bad("operator without a version"))?;
        let (pkg, ver) = (&pkg_ver[..split], &pkg_ver[split + 1..]);
        let pattern = if ver.contains('*') {
            if op_text != "=" {
                return Err(bad("a version pattern needs the `=` operator"));
            }
            VersionPattern::Glob(Glob(ver.to_string()))
        } else {
            let op = match op_text {
                "<" => VersionOp::Less,
                "<=" => VersionOp::LessOrEqual,
                "=" => VersionOp::Equal,
                "~" => VersionOp::Approximate,
                ">=" => VersionOp::GreaterOrEqual,
                ">" => VersionOp::Greater,
                _ => return Err(bad("unknown operator")),
            };
            let v = Version::parse(ver).map_err(|e| bad(&e.to_string()))?;
            VersionPattern::Op(op, v)
        };
        (pkg, pattern)
    };
    if !valid_glob(cat) || !valid_glob(pkg) {
        return Err(bad("names may hold only [A-Za-z0-9_+.-] and single `*`"));
    }
    Ok(WildcardSpec {
        text: text.to_string(),
        category: Glob(cat.to_string()),
        package: Glob(pkg.to_string()),
        version,
        slot,
        repo,
    })
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
