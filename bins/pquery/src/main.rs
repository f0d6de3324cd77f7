//! `pquery`: select packages from repositories that match a boolean combination of
//! restrictions, then print information about them — pkgcore's `pquery`, with its options
//! and output formats (pkgcore.md §1), over strata's repositories.
//!
//! Argument parsing ([`cli`]), repository selection ([`select`]), the restriction
//! ([`query`]), attribute rendering ([`attrs`]) and printing ([`output`]) live in their
//! own modules; the work itself is done by strata-config, strata-repo and strata-restrict.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use strata_atom::atom::Atom;
use strata_repo::{MatchOptions, Package, PackageRef, Repository};
use strata_restrict::{Attr, AttrValue, PackageAttrs, Restriction};

mod attrs;
mod cli;
mod output;
mod query;
mod select;
mod visible;

use attrs::View;
use cli::{ColorWhen, Options};
use output::Printer;

/// A package seen through a domain's USE configuration: its dependency classes are
/// USE-evaluated (pkgcore matches revdeps on configured packages this way).
struct Configured<'a> {
    pkg: &'a dyn Package,
    deps: Vec<(Attr, Vec<Atom>)>,
}

impl<'a> Configured<'a> {
    fn new(view: &View, pkg: &'a dyn Package) -> Self {
        let mut deps = Vec::new();
        for (attr, name) in [
            (Attr::Bdepend, "bdepend"),
            (Attr::Depend, "depend"),
            (Attr::Rdepend, "rdepend"),
            (Attr::Pdepend, "pdepend"),
            (Attr::Idepend, "idepend"),
        ] {
            if let Some(spec) = attrs::dep_spec(view, pkg, name, false) {
                deps.push((attr, spec.atoms().cloned().collect()));
            }
        }
        Configured { pkg, deps }
    }
}

impl PackageAttrs for Configured<'_> {
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
        if Attr::DEPS.contains(&attr) {
            return self
                .deps
                .iter()
                .find(|(a, _)| *a == attr)
                .map(|(_, atoms)| AttrValue::Atoms(std::borrow::Cow::Borrowed(atoms)));
        }
        self.pkg.attr(attr)
    }
}

fn reads_deps(r: &Restriction) -> bool {
    let mut found = false;
    let complete = r.visit_attrs(&mut |a| {
        if Attr::DEPS.contains(&a) {
            found = true;
        }
    });
    found || !complete
}

fn use_color(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    }
}

/// Whether `a` and `b` are versions of the same `category/package` in the same repository.
fn same_key(a: &PackageRef, b: &PackageRef) -> bool {
    a.cpv().cp() == b.cpv().cp() && a.repo_id() == b.repo_id()
}

fn run(opts: &Options) -> Result<ExitCode, String> {
    opts.validate()?;
    let domain = select::load_domain(opts)?;
    // Only -B, -A and -r (which may name one) search binary repositories: scanning a
    // PKGDIR is not paid by the default query.
    let binary = opts.cli.binary_repos || opts.cli.all_repos || opts.cli.repo.is_some();
    let repos = select::open_repos(domain.clone(), binary)?;
    let sel = select::select(opts, &repos)?;
    if opts.cli.repo.is_none() && !opts.cli.installed {
        for (name, why) in &repos.skipped {
            let unopened_binary = !binary && domain.binary_repos().any(|r| &r.name == name);
            if !unopened_binary {
                eprintln!("pquery: warning: repository {name:?} not searched: {why}");
            }
        }
    }
    let restriction = query::build(opts, &sel, &domain)?;
    let view = View {
        config: domain.clone(),
        raw: opts.cli.raw,
        mirror_tiers: Default::default(),
    };
    let parse_atoms = |v: &[String]| -> Result<Vec<Atom>, String> {
        v.iter().map(|a| query::parse_atom(a)).collect()
    };
    let printer = Printer {
        opts,
        view: view.clone(),
        color: use_color(opts.cli.color),
        highlight: parse_atoms(&opts.cli.highlight_dep)?,
        print_revdep: parse_atoms(&opts.print_revdep)?,
        format: opts
            .cli
            .format
            .as_deref()
            .map(output::parse_format)
            .transpose()?,
        root: domain.root.clone(),
    };
    let stdout = io::stdout();
    let mut w = io::BufWriter::new(stdout.lock());
    if opts.cli.debug {
        for r in &sel.repos {
            writeln!(w, "repo: {}", r.id()).map_err(|e| e.to_string())?;
        }
        writeln!(w, "restrict: {restriction:?}").map_err(|e| e.to_string())?;
        writeln!(w).map_err(|e| e.to_string())?;
    }
    let configured_filter = view.domain().is_some() && reads_deps(&restriction);
    let result = (|| -> Result<(), Box<dyn std::error::Error>> {
        for (repo, ebuild) in sel.repos.iter().zip(&sel.ebuild) {
            let mut pkgs = match ebuild {
                Some((e, filtered)) => {
                    visible::itermatch(e, &restriction, filtered.then_some(&*domain))?
                }
                None => repo.itermatch(&restriction, &MatchOptions::default())?,
            };
            if configured_filter && !repo.livefs() {
                pkgs.retain(|p| restriction.matches(&Configured::new(&view, p.as_ref())));
            }
            // Validate what is printed, so stale cache entries are reported (the package
            // records its problem; `report_problems` prints them after the output). With
            // -q nothing is reported, so nothing is validated.
            if opts.cli.quiet == 0 {
                use rayon::prelude::*;
                pkgs.par_iter().for_each(|p| {
                    let _ = p.problem();
                });
            }
            if !opts.cli.no_version && !opts.cli.min && !opts.cli.max && !opts.cli.first {
                printer.packages(&mut w, &pkgs)?;
                continue;
            }
            for group in pkgs.chunk_by(same_key) {
                if opts.cli.no_version {
                    let installed = if opts.verbosity > 0 && !opts.cli.all_repos {
                        let atom = strata_restrict::parse_target(group[0].cpv().cp())?;
                        let mut found = sel.installed.itermatch(&atom, &MatchOptions::fast())?;
                        // PMS version order, not text order (1.9 before 1.10).
                        found.sort_by(|a, b| a.cpv().cmp(b.cpv()));
                        Some(
                            found
                                .iter()
                                .map(|p| p.cpv().version().as_str().to_owned())
                                .collect(),
                        )
                    } else {
                        None
                    };
                    printer.packages_noversion(&mut w, group, installed)?;
                } else if opts.cli.min || opts.cli.max {
                    if opts.cli.min
                        && let Some(p) = group.iter().min_by(|a, b| a.cpv().cmp(b.cpv()))
                    {
                        printer.package(&mut w, p)?;
                    }
                    if opts.cli.max
                        && let Some(p) = group.iter().max_by(|a, b| a.cpv().cmp(b.cpv()))
                    {
                        printer.package(&mut w, p)?;
                    }
                } else {
                    for p in group {
                        printer.package(&mut w, p)?;
                        if opts.cli.first {
                            break;
                        }
                    }
                }
                if opts.cli.first {
                    break;
                }
            }
        }
        w.flush()?;
        report_problems(&sel.repos, opts.cli.quiet > 0);
        Ok(())
    })();
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            if let Some(ioe) = e.downcast_ref::<io::Error>()
                && ioe.kind() == io::ErrorKind::BrokenPipe
            {
                return Ok(ExitCode::SUCCESS);
            }
            Err(e.to_string())
        }
    }
}

/// At most this many problems are printed one by one; the rest are counted.
const PROBLEMS_SHOWN: usize = 20;

/// Tells, on stderr, what the query found wrong with the packages it looked at: missing,
/// broken or stale cache entries (stale ones are still used: metadata regeneration is not
/// implemented yet), invalid names, unsupported EAPIs, bad metadata.xml. Nothing is
/// printed with `-q`.
fn report_problems(repos: &[std::sync::Arc<dyn strata_repo::Repository>], quiet: bool) {
    if quiet {
        return;
    }
    let mut problems: Vec<strata_repo::Problem> = repos.iter().flat_map(|r| r.problems()).collect();
    problems.sort_by(|a, b| (&a.repo, &a.key, &a.path).cmp(&(&b.repo, &b.key, &b.path)));
    problems.dedup_by(|a, b| a.repo == b.repo && a.key == b.key && a.kind == b.kind);
    for p in problems.iter().take(PROBLEMS_SHOWN) {
        eprintln!("pquery: warning: {p}");
    }
    if problems.len() > PROBLEMS_SHOWN {
        eprintln!(
            "pquery: warning: {} more packages with problems not shown",
            problems.len() - PROBLEMS_SHOWN
        );
    }
}

fn main() -> ExitCode {
    let opts = Options::from_env();
    match run(&opts) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("pquery: error: {e}");
            ExitCode::from(1)
        }
    }
}
