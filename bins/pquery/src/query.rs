//! Building the restriction from the package matching options (pkgcore.md §1.3): each
//! option's values are OR-ed, different options AND-ed, nothing at all matches all.

use std::fmt;
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

use strata_atom::atom::Atom;
use strata_repo::{MatchOptions, PackageRef, Repository};
use strata_restrict::{Attr, CustomRestriction, PackageAttrs, Restriction, parse_target, query};

use crate::cli::Options;
use crate::select::Selection;

/// Parses an atom given on the command line (latest EAPI, repository deps allowed).
pub fn parse_atom(s: &str) -> Result<Atom, String> {
    Atom::parse_user(s).map_err(|e| format!("invalid atom {s:?}: {e}"))
}

fn comma_values(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn regex_err(opt: &str, e: regex::Error) -> String {
    format!("{opt}: invalid regex: {e}")
}

/// Targets from the command line, with `-` replaced by the lines of standard input.
fn expand_targets(targets: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for t in targets {
        if t == "-" {
            for line in std::io::stdin().lock().lines() {
                let line = line.map_err(|e| format!("reading targets from stdin: {e}"))?;
                let line = line.trim();
                if !line.is_empty() {
                    out.push(line.to_owned());
                }
            }
        } else {
            out.push(t.clone());
        }
    }
    Ok(out)
}

/// A target that is not valid syntax but names a path inside a selected repository:
/// the packages under that path (pkgcore's `path_restrict`).
fn path_restriction(target: &str, sel: &Selection) -> Option<Restriction> {
    let path = Path::new(target).canonicalize().ok()?;
    for r in &sel.repos {
        let Some(loc) = r.location().and_then(|l| l.canonicalize().ok()) else {
            continue;
        };
        let Ok(rel) = path.strip_prefix(&loc) else {
            continue;
        };
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        return Some(match parts.as_slice() {
            [] => Restriction::AlwaysTrue,
            [cat] => parse_target(&format!("{cat}/*")).ok()?,
            [cat, pkg] => parse_target(&format!("{cat}/{pkg}")).ok()?,
            [cat, pkg, file, ..] => match file.strip_suffix(".ebuild") {
                Some(pf) => parse_target(&format!("={cat}/{pf}")).ok()?,
                None => parse_target(&format!("{cat}/{pkg}")).ok()?,
            },
        });
    }
    None
}

/// Dependencies on any of a fixed set of packages (`--restrict-revdep-pkgs`): a
/// dependency atom (USE deps ignored) that matches one of them.
#[derive(Debug)]
struct DependsOnPackages {
    atom: String,
    pkgs: Vec<PackageRef>,
}

impl fmt::Display for DependsOnPackages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "depends on a package matching {}", self.atom)
    }
}

impl CustomRestriction for DependsOnPackages {
    fn matches(&self, pkg: &dyn PackageAttrs) -> bool {
        Attr::DEPS.iter().any(|&a| {
            let Some(v) = pkg.attr(a) else { return false };
            let Some(atoms) = v.atoms() else { return false };
            atoms.into_iter().any(|dep| {
                if dep.blocker().is_some() {
                    return false;
                }
                let r = Restriction::from_atom(dep);
                self.pkgs
                    .iter()
                    .any(|p| dep.cp() == p.cpv().cp() && r.matches(&WithoutUse(p.as_ref())))
            })
        })
    }

    fn attrs(&self) -> Option<Vec<Attr>> {
        Some(Attr::DEPS.to_vec())
    }
}

/// A package whose USE state reads as satisfying any USE dependency (USE deps are
/// stripped for `--restrict-revdep-pkgs`, as pkgcore does since 0.12.35).
struct WithoutUse<'a>(&'a dyn strata_repo::Package);

impl PackageAttrs for WithoutUse<'_> {
    fn attr(&self, attr: Attr) -> Option<strata_restrict::AttrValue<'_>> {
        match attr {
            Attr::Use | Attr::Iuse => None,
            other => self.0.attr(other),
        }
    }
}

/// `category/package:slot` of `pkg` (without the subslot), or `category/package` when it
/// has no SLOT: the slot of an installed package, as `@installed` and `-u` match it.
fn slot_target(pkg: &dyn strata_repo::Package) -> String {
    match pkg.slot() {
        Some(s) => format!("{}:{}", pkg.cpv().cp(), s.split('/').next().unwrap_or(s)),
        None => pkg.cpv().cp().to_owned(),
    }
}

/// Atoms of a package set.
fn pkgset_atoms(
    name: &str,
    sel: &Selection,
    domain: &strata_config::domain::Domain,
) -> Result<Vec<Restriction>, String> {
    let lines: Vec<String> = match name {
        "world" => {
            let p = domain.root.join("var/lib/portage/world");
            match std::fs::read_to_string(&p) {
                Ok(s) => s.lines().map(str::to_owned).collect(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => return Err(format!("{}: {e}", p.display())),
            }
        }
        "system" => domain
            .profile
            .system_set()
            .into_iter()
            .map(|l| l.text())
            .collect(),
        "installed" | "versioned-installed" => {
            let pkgs = sel
                .installed
                .all_packages(&MatchOptions::fast())
                .map_err(|e| e.to_string())?;
            return Ok(pkgs
                .iter()
                .filter_map(|p| {
                    let text = if name == "installed" {
                        slot_target(p.as_ref())
                    } else {
                        format!("={}", p.cpv())
                    };
                    parse_target(&text).ok()
                })
                .collect());
        }
        other => {
            let p = domain.config_dir.join("sets").join(other);
            match std::fs::read_to_string(&p) {
                Ok(s) => s.lines().map(str::to_owned).collect(),
                Err(_) => return Err(format!("unknown package set {other:?}")),
            }
        }
    };
    let mut out = Vec::new();
    for l in lines {
        let t = l.split('#').next().unwrap_or("").trim();
        if t.is_empty() || t.starts_with('@') {
            continue;
        }
        out.push(Restriction::from_atom(&parse_atom(t)?));
    }
    Ok(out)
}

/// `-u`: for every installed package, the best version of its slot in the source
/// repositories, when that is not the installed version.
fn upgrades(sel: &Selection) -> Result<Restriction, String> {
    let installed = sel
        .installed
        .all_packages(&MatchOptions::fast())
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for p in installed {
        let Ok(atom) = parse_atom(&slot_target(p.as_ref())) else {
            continue;
        };
        let r = Restriction::from_atom(&atom);
        let mut best: Option<PackageRef> = None;
        for repo in &sel.all_source {
            for m in repo
                .itermatch(&r, &MatchOptions::default())
                .map_err(|e| e.to_string())?
            {
                if best.as_ref().is_none_or(|b| m.cpv() > b.cpv()) {
                    best = Some(m);
                }
            }
        }
        if let Some(b) = best
            && b.cpv() != p.cpv()
        {
            out.push(Restriction::from_atom(&parse_atom(&format!(
                "={}",
                b.cpv()
            ))?));
        }
    }
    Ok(Restriction::or(out))
}

/// The restriction for `opts`.
pub fn build(
    opts: &Options,
    sel: &Selection,
    domain: &strata_config::domain::Domain,
) -> Result<Restriction, String> {
    let cli = &opts.cli;
    let mut groups: Vec<Restriction> = Vec::new();
    if !cli.targets.is_empty() {
        let mut rs = Vec::new();
        for t in expand_targets(&cli.targets)? {
            match parse_target(&t) {
                Ok(r) => rs.push(r),
                Err(e) => match path_restriction(&t, sel) {
                    Some(r) if Path::new(&t).exists() => rs.push(r),
                    _ => return Err(e.to_string()),
                },
            }
        }
        groups.push(Restriction::or(rs));
    } else if let Ok(cwd) = std::env::current_dir()
        && let Some(r) = path_restriction(&cwd.to_string_lossy(), sel)
        && !matches!(r, Restriction::AlwaysTrue)
    {
        // No targets, and the working directory is inside a selected repository: the
        // packages under it (as pkgcore does).
        groups.push(r);
    }
    if cli.all {
        groups.push(Restriction::AlwaysTrue);
    }
    if !cli.has_use.is_empty() {
        groups.push(query::has_use(comma_values(&cli.has_use)));
    }
    if !cli.license.is_empty() {
        groups.push(query::license(comma_values(&cli.license)));
    }
    if cli.live {
        groups.push(query::live());
    }
    if cli.non_live {
        groups.push(query::non_live());
    }
    if !opts.restrict_revdep.is_empty() {
        let mut rs = Vec::new();
        for a in &opts.restrict_revdep {
            rs.push(Restriction::revdep(&parse_atom(a)?));
        }
        groups.push(Restriction::or(rs));
    }
    if !opts.restrict_revdep_pkgs.is_empty() {
        let mut rs = Vec::new();
        for a in &opts.restrict_revdep_pkgs {
            let atom = parse_atom(a)?;
            let r = Restriction::from_atom(&atom);
            let mut pkgs = Vec::new();
            for repo in &sel.repos {
                pkgs.extend(
                    repo.itermatch(&r, &MatchOptions::default())
                        .map_err(|e| e.to_string())?,
                );
            }
            rs.push(Restriction::Custom(Arc::new(DependsOnPackages {
                atom: a.clone(),
                pkgs,
            })));
        }
        groups.push(Restriction::or(rs));
    }
    if !cli.description.is_empty() {
        let mut rs = Vec::new();
        for d in &cli.description {
            rs.push(query::description(d).map_err(|e| regex_err("--description", e))?);
        }
        groups.push(Restriction::or(rs));
    }
    if !cli.eapi.is_empty() {
        groups.push(Restriction::or(cli.eapi.iter().map(|e| query::eapi(e))));
    }
    if !cli.owns.is_empty() {
        groups.push(Restriction::or(
            comma_values(&cli.owns).iter().map(|p| query::owns(p)),
        ));
    }
    if !cli.owns_re.is_empty() {
        let mut rs = Vec::new();
        for r in &cli.owns_re {
            rs.push(query::owns_re(r).map_err(|e| regex_err("--owns-re", e))?);
        }
        groups.push(Restriction::or(rs));
    }
    for (opt, values, f) in [
        (
            "--environment-re",
            &cli.environment_re,
            query::environment_re as fn(&str) -> Result<Restriction, regex::Error>,
        ),
        ("--maintainer", &cli.maintainer, query::maintainer),
        (
            "--maintainer-name",
            &cli.maintainer_name,
            query::maintainer_name,
        ),
        (
            "--maintainer-email",
            &cli.maintainer_email,
            query::maintainer_email,
        ),
    ] {
        if values.is_empty() {
            continue;
        }
        let mut rs = Vec::new();
        for v in values {
            rs.push(f(v).map_err(|e| regex_err(opt, e))?);
        }
        groups.push(Restriction::or(rs));
    }
    if !cli.pkgset.is_empty() {
        let mut rs = Vec::new();
        for s in &cli.pkgset {
            rs.extend(pkgset_atoms(s, sel, domain)?);
        }
        groups.push(Restriction::or(rs));
    }
    if cli.upgrade {
        groups.push(upgrades(sel)?);
    }
    if groups.is_empty() {
        return Ok(Restriction::AlwaysTrue);
    }
    Ok(Restriction::and(groups))
}
