//! Command-line options: pkgcore's `pquery` options (pkgcore.md §1), parsed with clap,
//! and the expansions pkgcore does on them (`-a` implies `--cpv`, `--blame` is
//! `--attr maintainers`, `--revdep` is `--restrict-revdep` plus `--print-revdep`).

use std::path::PathBuf;

use clap::{ArgAction, ArgMatches, CommandFactory, FromArgMatches, Parser, ValueEnum};

use crate::attrs::PRINTABLE_ATTRS;

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// When standard output is a terminal and NO_COLOR is unset.
    Auto,
    /// Always.
    #[value(alias = "yes", alias = "y", alias = "true")]
    Always,
    /// Never.
    #[value(alias = "no", alias = "n", alias = "false")]
    Never,
}

/// What `--virtuals` does with virtual (package.provided) repositories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Virtuals {
    /// Only match virtual repositories.
    Only,
    /// Never match virtual repositories.
    Disable,
}

/// Select packages from repositories that match a boolean combination of restrictions,
/// then print information about them. Targets use pkgcore's extended syntax
/// (`dev-*/*`, `>=portage-2.1`, `dev-qt/*:5`, `boost:0/1.60`, `foo::repo`); `-` reads
/// targets from standard input. The same option twice means "or", different options "and".
#[derive(Debug, Parser)]
#[command(name = "pquery", version)]
pub struct Cli {
    /// Extended atom matching of packages (`-` reads targets from stdin, one per line).
    #[arg(value_name = "TARGET")]
    pub targets: Vec<String>,

    // ----- global options
    /// Portage configuration directory, or a native TOML config file (default:
    /// $PORTAGE_CONFIGROOT/etc/portage, then /etc/portage). Relative repos.conf
    /// `location`s are resolved against the directory of the repos.conf file that sets
    /// them; a relative PKGDIR is relative to the working directory, as in Portage.
    #[arg(long, value_name = "DIR|FILE", help_heading = "config options")]
    pub config: Option<PathBuf>,
    /// PORTAGE_CONFIGROOT: the configuration is read from DIR/etc/portage.
    #[arg(long, value_name = "DIR", help_heading = "config options")]
    pub config_root: Option<PathBuf>,
    /// ROOT: where packages are installed (the vdb is ROOT/var/db/pkg).
    #[arg(long, value_name = "DIR", help_heading = "config options")]
    pub root: Option<PathBuf>,
    /// The domain config section to use (default: the one marked default). A Portage
    /// configuration has one domain, `livefs`; a native TOML config may define several.
    #[arg(long, value_name = "NAME", help_heading = "config options")]
    pub domain: Option<String>,
    /// Print the repositories and the restriction before the results.
    #[arg(long)]
    pub debug: bool,
    /// More output (-v prints a block per package).
    #[arg(short = 'v', long = "verbose", action = ArgAction::Count)]
    pub verbose: u8,
    /// Less output.
    #[arg(short = 'q', long = "quiet", action = ArgAction::Count)]
    pub quiet: u8,
    /// Colour the output (NO_COLOR in the environment turns `auto` off).
    #[arg(long, value_enum, value_name = "WHEN", default_value = "auto", num_args = 0..=1, default_missing_value = "always")]
    pub color: ColorWhen,
    /// Print one JSON object per package (per `category/package` with -n).
    #[arg(long)]
    pub json: bool,

    // ----- repository matching options
    /// Use raw (unconfigured) repositories: dependencies are not USE-evaluated and
    /// nothing is filtered by visibility.
    #[arg(long, help_heading = "repository matching options")]
    pub raw: bool,
    /// Disable ACCEPT_KEYWORDS, ACCEPT_LICENSE and package.mask filtering.
    #[arg(long, help_heading = "repository matching options")]
    pub unfiltered: bool,
    /// Only match virtual (package.provided) repositories, or never match them; by
    /// default they are matched wherever the selection includes them (-I, -A, -r provided).
    #[arg(
        long,
        value_enum,
        value_name = "only|disable",
        help_heading = "repository matching options"
    )]
    pub virtuals: Option<Virtuals>,
    /// Repository to search: a repos.conf name or alias, its location, `vdb`/`installed`,
    /// `provided` (package.provided), `binpkg`, or the path of another ebuild repository.
    #[arg(short = 'r', long = "repo", value_name = "REPO", help_heading = "repository matching options",
          conflicts_with_all = ["ebuild_repos", "binary_repos", "installed", "all_repos"])]
    pub repo: Option<String>,
    /// Search all ebuild repositories.
    #[arg(short = 'E', long = "ebuild-repos", help_heading = "repository matching options",
          conflicts_with_all = ["binary_repos", "installed", "all_repos"])]
    pub ebuild_repos: bool,
    /// Search all binary package repositories.
    #[arg(short = 'B', long = "binary-repos", help_heading = "repository matching options",
          conflicts_with_all = ["installed", "all_repos"])]
    pub binary_repos: bool,
    /// Search installed packages: the vdb and package.provided.
    #[arg(
        short = 'I',
        long = "installed",
        help_heading = "repository matching options",
        conflicts_with = "all_repos"
    )]
    pub installed: bool,
    /// Search all repositories, installed (and package.provided) packages included.
    #[arg(
        short = 'A',
        long = "all-repos",
        help_heading = "repository matching options"
    )]
    pub all_repos: bool,

    // ----- package matching options
    /// Match all packages (the default when no matching option is given).
    #[arg(long, help_heading = "package matching options")]
    pub all: bool,
    /// IUSE lists any of these flags (comma-separated).
    #[arg(
        long,
        value_name = "FLAG[,FLAG]",
        help_heading = "package matching options"
    )]
    pub has_use: Vec<String>,
    /// LICENSE names any of these licenses (comma-separated).
    #[arg(
        long,
        value_name = "LICENSE[,LICENSE]",
        help_heading = "package matching options"
    )]
    pub license: Vec<String>,
    /// Live packages (PROPERTIES contains `live`).
    #[arg(
        long,
        help_heading = "package matching options",
        conflicts_with = "non_live"
    )]
    pub live: bool,
    /// Packages that are not live.
    #[arg(long, help_heading = "package matching options")]
    pub non_live: bool,
    /// Shorthand for --restrict-revdep ATOM --print-revdep ATOM.
    #[arg(long, value_name = "ATOM", help_heading = "package matching options")]
    pub revdep: Vec<String>,
    /// Shorthand for --restrict-revdep-pkgs ATOM --print-revdep ATOM.
    #[arg(long, value_name = "ATOM", help_heading = "package matching options")]
    pub revdep_pkgs: Vec<String>,
    /// A dependency that intersects ATOM.
    #[arg(long, value_name = "ATOM", help_heading = "package matching options")]
    pub restrict_revdep: Vec<String>,
    /// A dependency matching a package that ATOM matches in the selected repositories.
    #[arg(long, value_name = "ATOM", help_heading = "package matching options")]
    pub restrict_revdep_pkgs: Vec<String>,
    /// Case-insensitive regex on DESCRIPTION or metadata.xml's longdescription.
    #[arg(
        short = 'S',
        long = "description",
        value_name = "REGEX",
        help_heading = "package matching options"
    )]
    pub description: Vec<String>,
    /// The EAPI is exactly this.
    #[arg(long, value_name = "EAPI", help_heading = "package matching options")]
    pub eapi: Vec<String>,
    /// Installed packages owning this path (comma-separated paths).
    #[arg(long, value_name = "PATH", help_heading = "package matching options")]
    pub owns: Vec<String>,
    /// Installed packages owning a path matching this regex.
    #[arg(long, value_name = "REGEX", help_heading = "package matching options")]
    pub owns_re: Vec<String>,
    /// Regex over lines of the saved build environment (environment.bz2) of
    /// installed/binary packages.
    #[arg(long, value_name = "REGEX", help_heading = "package matching options")]
    pub environment_re: Vec<String>,
    /// Case-insensitive regex on `Name <email>` of a maintainer; `maintainer-needed` or an
    /// empty string matches packages without maintainers.
    #[arg(long, value_name = "REGEX", help_heading = "package matching options")]
    pub maintainer: Vec<String>,
    /// Case-insensitive regex on a maintainer's name.
    #[arg(long, value_name = "REGEX", help_heading = "package matching options")]
    pub maintainer_name: Vec<String>,
    /// Case-insensitive regex on a maintainer's e-mail.
    #[arg(long, value_name = "REGEX", help_heading = "package matching options")]
    pub maintainer_email: Vec<String>,
    /// Members of a package set (`world`, `installed`, `versioned-installed`, or a file
    /// in /etc/portage/sets).
    #[arg(long, value_name = "NAME", help_heading = "package matching options")]
    pub pkgset: Vec<String>,
    /// The best version of each installed package's slot, where it is not installed
    /// (pending upgrades).
    #[arg(
        short = 'u',
        long = "upgrade",
        help_heading = "package matching options"
    )]
    pub upgrade: bool,

    // ----- output options
    /// Stop after the first match (per repository).
    #[arg(short = '1', long = "first", help_heading = "output options")]
    pub first: bool,
    /// Print `=cat/pkg-ver` (implies --cpv).
    #[arg(short = 'a', long = "atom", help_heading = "output options")]
    pub atom: bool,
    /// Print `cat/pkg-ver` even when another option would suppress it.
    #[arg(long, help_heading = "output options")]
    pub cpv: bool,
    /// Append `::repo`.
    #[arg(short = 'R', help_heading = "output options")]
    pub display_repo: bool,
    /// Append `:SLOT`.
    #[arg(long = "slot", help_heading = "output options")]
    pub display_slot: bool,
    /// One line per `cat/pkg` (attributes of the highest version).
    #[arg(short = 'n', long = "no-version", help_heading = "output options",
          conflicts_with_all = ["min", "max"])]
    pub no_version: bool,
    /// Only the lowest version of each package.
    #[arg(long, help_heading = "output options", conflicts_with = "max")]
    pub min: bool,
    /// Only the highest version of each package.
    #[arg(long, help_heading = "output options")]
    pub max: bool,
    /// Shorthand for --attr maintainers.
    #[arg(long, help_heading = "output options")]
    pub blame: bool,
    /// Print the number and total size of the files an installed package owns.
    #[arg(long, help_heading = "output options")]
    pub size: bool,
    /// List the files an installed package owns.
    #[arg(long, help_heading = "output options")]
    pub contents: bool,
    /// In verbose dependency output, highlight atoms intersecting ATOM.
    #[arg(long, value_name = "ATOM", help_heading = "output options")]
    pub highlight_dep: Vec<String>,
    /// Print which dependency class (and USE condition) pulls ATOM in.
    #[arg(long, value_name = "ATOM", help_heading = "output options")]
    pub print_revdep: Vec<String>,
    /// Format each package with a template: `{category}/{package}-{version} ({repo})`.
    #[arg(
        short = 'F',
        long = "format",
        value_name = "FORMAT",
        help_heading = "output options"
    )]
    pub format: Option<String>,
    /// Add `attr="value"` to the line (repeatable).
    #[arg(long, value_name = "ATTR", value_parser = clap::builder::PossibleValuesParser::new(PRINTABLE_ATTRS), help_heading = "output options")]
    pub attr: Vec<String>,
    /// Like --attr, any attribute name.
    #[arg(long, value_name = "NAME", help_heading = "output options")]
    pub force_attr: Vec<String>,
    /// Print only this attribute's value.
    #[arg(long, value_name = "ATTR", value_parser = clap::builder::PossibleValuesParser::new(PRINTABLE_ATTRS),
          conflicts_with = "force_one_attr", help_heading = "output options")]
    pub one_attr: Option<String>,
    /// Like --one-attr, any attribute name.
    #[arg(long, value_name = "NAME", help_heading = "output options")]
    pub force_one_attr: Option<String>,
}

/// The parsed command line with pkgcore's expansions applied.
#[derive(Debug)]
pub struct Options {
    /// The raw options.
    pub cli: Cli,
    /// Attributes to print, in command-line order, expanded (`all`, `alldepends`...) and
    /// de-duplicated; `-v` puts `repo description homepage license` first.
    pub attrs: Vec<String>,
    /// `--one-attr`/`--force-one-attr`.
    pub one_attr: Option<String>,
    /// Atoms for `--restrict-revdep` (including `--revdep`).
    pub restrict_revdep: Vec<String>,
    /// Atoms for `--restrict-revdep-pkgs` (including `--revdep-pkgs`).
    pub restrict_revdep_pkgs: Vec<String>,
    /// Atoms for `--print-revdep` (including both `--revdep` forms).
    pub print_revdep: Vec<String>,
    /// Verbosity: number of -v minus number of -q.
    pub verbosity: i32,
    /// Print the cpv (`--cpv` or `-a`).
    pub cpv: bool,
}

/// Ordered values of `ids` by their position on the command line.
fn ordered(m: &ArgMatches, ids: &[&str]) -> Vec<(usize, String, String)> {
    let mut out = Vec::new();
    for id in ids {
        if m.value_source(id) != Some(clap::parser::ValueSource::CommandLine) {
            continue;
        }
        let Some(idx) = m.indices_of(id) else {
            continue;
        };
        let idx: Vec<usize> = idx.collect();
        let vals: Vec<String> = match m.try_get_many::<String>(id) {
            Ok(Some(v)) => v.cloned().collect(),
            _ => vec![String::new(); idx.len()],
        };
        for (i, v) in idx.into_iter().zip(vals) {
            out.push((i, (*id).to_owned(), v));
        }
    }
    out.sort();
    out
}

/// Expands `all`, `allmetadata`, `alldepends`, `raw_alldepends`.
fn expand_attr(attr: &str, out: &mut Vec<String>) {
    use crate::attrs::{METADATA_ATTRS, PRINTABLE_ATTRS};
    match attr {
        "all" => {
            for a in PRINTABLE_ATTRS.iter().filter(|a| **a != "all") {
                out.push((*a).to_owned());
            }
        }
        "allmetadata" => {
            for a in METADATA_ATTRS {
                expand_attr(a, out);
            }
        }
        "alldepends" => {
            for a in crate::attrs::DEP_ATTRS {
                out.push((*a).to_owned());
            }
        }
        "raw_alldepends" => {
            for a in crate::attrs::DEP_ATTRS {
                out.push(format!("raw_{a}"));
            }
        }
        other => out.push(other.to_owned()),
    }
}

impl Options {
    /// Parses the process arguments (exits on a usage error, as clap does).
    pub fn from_env() -> Options {
        let m = Cli::command().get_matches();
        match Cli::from_arg_matches(&m) {
            Ok(cli) => Options::new(cli, &m),
            Err(e) => e.exit(),
        }
    }

    /// Parses `args` (the first is the program name).
    #[cfg(test)]
    pub fn try_parse_from<I, T>(args: I) -> Result<Options, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let m = Cli::command().try_get_matches_from(args)?;
        let cli = Cli::from_arg_matches(&m)?;
        Ok(Options::new(cli, &m))
    }

    fn new(cli: Cli, m: &ArgMatches) -> Options {
        let verbosity = i32::from(cli.verbose) - i32::from(cli.quiet);
        let mut attrs = Vec::new();
        if verbosity > 0 {
            for a in ["repo", "description", "homepage", "license"] {
                attrs.push(a.to_owned());
            }
        }
        for (_, id, v) in ordered(m, &["attr", "force_attr", "blame"]) {
            if id == "blame" {
                attrs.push("maintainers".to_owned());
            } else {
                expand_attr(&v, &mut attrs);
            }
        }
        let mut seen = std::collections::HashSet::new();
        attrs.retain(|a| seen.insert(a.clone()));
        let mut restrict_revdep = Vec::new();
        let mut restrict_revdep_pkgs = Vec::new();
        let mut print_revdep = Vec::new();
        for (_, id, v) in ordered(
            m,
            &[
                "revdep",
                "revdep_pkgs",
                "restrict_revdep",
                "restrict_revdep_pkgs",
                "print_revdep",
            ],
        ) {
            match id.as_str() {
                "revdep" => {
                    restrict_revdep.push(v.clone());
                    print_revdep.push(v);
                }
                "revdep_pkgs" => {
                    restrict_revdep_pkgs.push(v.clone());
                    print_revdep.push(v);
                }
                "restrict_revdep" => restrict_revdep.push(v),
                "restrict_revdep_pkgs" => restrict_revdep_pkgs.push(v),
                _ => print_revdep.push(v),
            }
        }
        let one_attr = cli.one_attr.clone().or(cli.force_one_attr.clone());
        let cpv = cli.cpv || cli.atom;
        Options {
            cli,
            attrs,
            one_attr,
            restrict_revdep,
            restrict_revdep_pkgs,
            print_revdep,
            verbosity,
            cpv,
        }
    }

    /// pkgcore's `_validate_args` checks: combinations that make no sense.
    pub fn validate(&self) -> Result<(), String> {
        let c = &self.cli;
        if c.no_version {
            if c.contents {
                return Err("both --no-version and --contents does not make sense".into());
            }
            if !self.print_revdep.is_empty() {
                return Err("--print-revdep with --no-version does not make sense".into());
            }
        }
        if self.one_attr.is_some() && !self.print_revdep.is_empty() {
            return Err(
                "--print-revdep with --force-one-attr or --one-attr does not make sense".into(),
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(args: &[&str]) -> Options {
        Options::try_parse_from(std::iter::once("pquery").chain(args.iter().copied())).unwrap()
    }

    #[test]
    fn attribute_order_and_expansions() {
        let o = parse(&[
            "--attr",
            "eapi",
            "--blame",
            "--force-attr",
            "foo",
            "--attr",
            "eapi",
        ]);
        assert_eq!(o.attrs, ["eapi", "maintainers", "foo"]);
        let o = parse(&["-v", "--attr", "license", "--attr", "alldepends"]);
        assert_eq!(
            o.attrs,
            [
                "repo",
                "description",
                "homepage",
                "license",
                "bdepend",
                "depend",
                "rdepend",
                "pdepend",
                "idepend"
            ]
        );
        let o = parse(&["--attr", "all"]);
        assert!(!o.attrs.iter().any(|a| a == "all"));
        assert!(o.attrs.iter().any(|a| a == "raw_rdepend"));
        let o = parse(&[
            "--revdep",
            "a/b",
            "--restrict-revdep-pkgs",
            "c/d",
            "--revdep-pkgs",
            "e/f",
        ]);
        assert_eq!(o.restrict_revdep, ["a/b"]);
        assert_eq!(o.restrict_revdep_pkgs, ["c/d", "e/f"]);
        assert_eq!(o.print_revdep, ["a/b", "e/f"]);
        assert!(parse(&["-a"]).cpv);
        assert!(!parse(&[]).cpv);
        assert_eq!(parse(&["-vv", "-q"]).verbosity, 1);
    }

    #[test]
    fn conflicts() {
        let bad = |args: &[&str]| {
            Options::try_parse_from(std::iter::once("pquery").chain(args.iter().copied())).is_err()
        };
        assert!(bad(&["-n", "--max"]));
        assert!(bad(&["--min", "--max"]));
        assert!(bad(&["-I", "-E"]));
        assert!(bad(&["-r", "x", "-A"]));
        assert!(bad(&["--attr", "nonesuch"]));
        assert!(bad(&["--one-attr", "eapi", "--force-one-attr", "x"]));
        assert!(!bad(&["--force-attr", "nonesuch"]));
        assert!(parse(&["-n", "--contents"]).validate().is_err());
        assert!(
            parse(&["--one-attr", "eapi", "--print-revdep", "a/b"])
                .validate()
                .is_err()
        );
        assert!(parse(&["-n", "--revdep", "a/b"]).validate().is_err());
        assert!(parse(&["-n", "--attr", "eapi"]).validate().is_ok());
    }
}
