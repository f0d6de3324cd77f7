//! The domain: what a frontend starts from. It holds the repository configurations in
//! priority order, the installed-package database at ROOT, the evaluated profile, the
//! stacked settings, and the user's `/etc/portage/package.*` entries, and answers the
//! per-package questions: effective USE ([`Domain::effective_use`]) and visibility
//! ([`Domain::visibility`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;
use strata_atom::atom::MatchTarget;
use strata_atom::cpv::Cpv;

use crate::entry_index::Indexed;
use crate::error::{ConfigError, Location, Warning};
use crate::keywords::default_testing_keywords;
use crate::license::{AcceptSet, LicenseGroups};
use crate::linefile::{Line, read_lines};
use crate::profile::Profile;
use crate::provided::{ProvidedEntry, stack_provided};
use crate::repo_profile::RepoProfileData;
use crate::repos::{RepoConfig, RepoKind, RepoSet};
use crate::settings::{Layer, LayerKind, Setting, Settings, UseOp, layer_use_ops, stack, use_op};
use crate::spec::{PackageSpec, SpecContext};

/// What the domain needs to know about a package version to answer questions about it.
#[derive(Debug, Clone, Copy)]
pub struct PackageInfo<'a> {
    /// The package.
    pub cpv: &'a Cpv,
    /// SLOT as in the metadata (`0`, `2/2.1`).
    pub slot: &'a str,
    /// The repository it comes from.
    pub repo: &'a str,
    /// KEYWORDS.
    pub keywords: &'a str,
    /// LICENSE.
    pub license: &'a str,
    /// EAPI.
    pub eapi: &'a str,
    /// IUSE (with `+`/`-` defaults).
    pub iuse: &'a str,
    /// PROPERTIES.
    pub properties: &'a str,
    /// RESTRICT.
    pub restrict: &'a str,
    /// BUILD_ID, for binary packages (matched by build-id entries such as
    /// `=cat/pkg-1.0-3` in user configuration).
    pub build_id: Option<u64>,
}

impl<'a> PackageInfo<'a> {
    /// The atom-matching view of this package.
    pub fn target(&self) -> MatchTarget<'a> {
        MatchTarget::new(self.cpv)
            .with_slot(self.slot)
            .with_repo(self.repo)
    }
}

/// An entry of a `package.*` file (or of a repository or profile file).
#[derive(Debug, Clone)]
pub struct SpecEntry<T> {
    /// Which packages.
    pub spec: PackageSpec,
    /// The entry's text as written (first token).
    pub text: String,
    /// What the entry says about them.
    pub data: T,
    /// Where it is.
    pub location: Location,
    /// The comment block above it (the reason, for masks).
    pub comment: Vec<String>,
    /// For repository-level entries: the repository whose `profiles/` it is in; it then
    /// applies to that repository's packages and those of repositories that use it as a
    /// master.
    pub repo_scope: Option<String>,
}

/// How a USE mask/force entry applies.
#[derive(Debug, Clone)]
pub struct FlagEntry {
    /// `None`: every package (`use.mask`); otherwise only matching ones.
    pub spec: Option<PackageSpec>,
    /// Flags and whether each is set (`flag`) or cleared (`-flag`).
    pub flags: Vec<(String, bool)>,
    /// Only for packages installed through a stable keyword (`*.stable.*` files).
    pub stable_only: bool,
    /// Where it is.
    pub location: Location,
    /// See [`SpecEntry::repo_scope`].
    pub repo_scope: Option<String>,
}

/// A `package.use` entry's operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UseEntry {
    /// The flag operations, in order.
    pub ops: Vec<UseOp>,
    /// Only for stable-keyword installs (`package.use.stable`, EAPI 9).
    pub stable_only: bool,
}

/// Everything a domain is made from.
#[derive(Debug, Clone)]
pub struct DomainParts {
    /// ROOT.
    pub root: PathBuf,
    /// The Portage config directory (`${PORTAGE_CONFIGROOT}/etc/portage`).
    pub config_dir: PathBuf,
    /// Name of the main repository.
    pub main_repo: String,
    /// Source and binary repositories.
    pub repos: Vec<RepoConfig>,
    /// The installed-package database.
    pub vdb: Option<RepoConfig>,
    /// The stacked profile.
    pub profile: Arc<Profile>,
    /// The user's settings (`make.conf`), stacked over the profile.
    pub user_settings: Layer,
}

/// A configured domain. See the module documentation.
#[derive(Debug, Clone)]
pub struct Domain {
    /// ROOT.
    pub root: PathBuf,
    /// The Portage config directory.
    pub config_dir: PathBuf,
    /// Source and binary repositories, highest priority first.
    pub repos: RepoSet,
    /// The installed-package database (as configuration: its path).
    pub vdb: Option<RepoConfig>,
    /// The profile.
    pub profile: Arc<Profile>,
    /// Settings stacked from make.globals, the profile's make.defaults and make.conf.
    pub settings: Settings,
    /// Repository-level profile data by repository name.
    pub repo_data: IndexMap<String, RepoProfileData>,
    /// License groups of all repositories.
    pub license_groups: LicenseGroups,
    /// Problems found while building the domain (skipped lines).
    pub warnings: Vec<Warning>,
    /// The profile's and the user's `package.provided` entries, stacked
    /// ([`crate::provided`]): versions treated as installed without being in the vdb.
    pub provided: Vec<ProvidedEntry>,
    /// For each configured repository name (and alias, as [`RepoSet::get`] resolves
    /// it): the repository and its masters, whose repository-level entries apply to its
    /// packages. Computed once when the domain is built.
    pub(crate) scope_chains: HashMap<String, Vec<String>>,
    pub(crate) masks: Indexed<SpecEntry<()>>,
    pub(crate) unmasks: Indexed<SpecEntry<()>>,
    pub(crate) accept_keywords: Vec<String>,
    /// `accept_keywords` stacked again, as [`Domain::accepted_keywords_for`] gives it to a
    /// package no `package.accept_keywords` entry matches.
    pub(crate) accept_keywords_stacked: Vec<String>,
    pub(crate) package_keywords: Indexed<SpecEntry<Vec<String>>>,
    pub(crate) profile_keywords: Indexed<SpecEntry<Vec<String>>>,
    pub(crate) accept_license: AcceptSet,
    pub(crate) package_license: Indexed<SpecEntry<Vec<String>>>,
    pub(crate) accept_properties: AcceptSet,
    pub(crate) package_properties: Indexed<SpecEntry<Vec<String>>>,
    pub(crate) accept_restrict: AcceptSet,
    pub(crate) package_restrict: Indexed<SpecEntry<Vec<String>>>,
    pub(crate) profile_use: Vec<(UseOp, Location)>,
    pub(crate) conf_use: Vec<(UseOp, Location)>,
    pub(crate) stable_use: Indexed<FlagEntry>,
    pub(crate) package_use: Indexed<SpecEntry<UseEntry>>,
    pub(crate) use_mask: Indexed<FlagEntry>,
    pub(crate) use_force: Indexed<FlagEntry>,
    /// [`Domain::global_use`], computed once in [`Domain::new`] from the USE operations,
    /// `use.force` and `use.mask` (which nothing changes afterwards).
    pub(crate) global_use: Vec<String>,
}

impl Domain {
    /// Builds a domain: stacks the settings, reads repository-level profile data, the
    /// profile's and the user's `package.*` files. Malformed entries become warnings.
    pub fn new(parts: DomainParts) -> Result<Domain, ConfigError> {
        let DomainParts {
            root,
            config_dir,
            main_repo,
            repos,
            vdb,
            profile,
            user_settings,
        } = parts;
        let mut warnings = profile.warnings.clone();
        let provided = stack_provided(&profile, &mut warnings);
        let mut repos = RepoSet { main_repo, repos };
        repos.sort();

        let mut layers = vec![Layer::make_globals()];
        layers.extend(profile.layers());
        // Variables the profile declares profile-only (ARCH, ELIBC, ...) cannot be set by
        // the user.
        let profile_only = stack(&layers).tokens("PROFILE_ONLY_VARIABLES");
        let mut user_settings = user_settings;
        user_settings.vars.retain(|k, (_, loc)| {
            let keep = !profile_only.iter().any(|p| p == k);
            if !keep {
                warnings.push(Warning::new(
                    loc.clone(),
                    format!("{k} is a profile-only variable; the setting is ignored"),
                ));
            }
            keep
        });
        layers.push(user_settings);
        let settings = stack(&layers);
        let use_expand = settings.tokens("USE_EXPAND");
        let unprefixed = settings.tokens("USE_EXPAND_UNPREFIXED");
        let (user_layer, profile_layers) = layers.split_last().unwrap_or((&layers[0], &[]));
        let profile_use: Vec<(UseOp, Location)> = profile_layers
            .iter()
            .flat_map(|l| layer_use_ops(l, LayerKind::Profile, &use_expand, &unprefixed))
            .collect();
        let conf_use = layer_use_ops(user_layer, LayerKind::User, &use_expand, &unprefixed);

        let mut repo_data = IndexMap::new();
        let mut license_groups = LicenseGroups::default();
        let mut by_priority: Vec<&RepoConfig> = repos
            .repos
            .iter()
            .filter(|r| r.kind == RepoKind::Ebuild)
            .collect();
        by_priority.reverse();
        for repo in by_priority {
            let data = RepoProfileData::read(repo)?;
            license_groups.read(&data.dir.join("license_groups"))?;
            repo_data.insert(repo.name.clone(), data);
        }

        let user = SpecContext::user_config();
        let mut b = Builder {
            warnings: &mut warnings,
            use_expand: &use_expand,
        };

        // Masks: repository level (scoped), profile (stacked), user (`-atom` removes any).
        let mut masks = Vec::new();
        let mut use_mask = Vec::new();
        let mut use_force = Vec::new();
        let mut package_use = Vec::new();
        let mut stable_use = Vec::new();
        for (name, data) in &repo_data {
            let repo_deps = repos
                .get(name)
                .is_some_and(|r| r.layout.has_profile_format("profile-repo-deps"));
            let ctx = SpecContext::profile(&data.eapi, repo_deps);
            let scope = Some(name.clone());
            let file = |f: &str| data.files.get(f).cloned().unwrap_or_default();
            b.stacked_specs(&mut masks, file("package.mask"), ctx, &scope);
            b.flag_entries(&mut use_mask, file("use.mask"), None, false, &scope);
            b.flag_entries(
                &mut use_mask,
                file("package.use.mask"),
                Some(ctx),
                false,
                &scope,
            );
            b.flag_entries(&mut use_force, file("use.force"), None, false, &scope);
            b.flag_entries(
                &mut use_force,
                file("package.use.force"),
                Some(ctx),
                false,
                &scope,
            );
            b.use_entries(&mut package_use, file("package.use"), ctx, false, &scope);
        }
        let mut unmasks = Vec::new();
        let mut profile_masks = Vec::new();
        for node in &profile.nodes {
            let repo_deps = node
                .repo
                .as_deref()
                .and_then(|r| repos.get(r))
                .is_some_and(|r| r.layout.has_profile_format("profile-repo-deps"));
            let ctx = if node.is_user {
                user
            } else {
                SpecContext::profile(&node.eapi, repo_deps)
            };
            let file = |f: &str| node.files.get(f).cloned().unwrap_or_default();
            b.stacked_specs(&mut profile_masks, file("package.mask"), ctx, &None);
            b.stacked_specs(&mut unmasks, file("package.unmask"), ctx, &None);
            for (kind, out) in [("mask", &mut use_mask), ("force", &mut use_force)] {
                b.flag_entries(out, file(&format!("use.{kind}")), None, false, &None);
                b.flag_entries(out, file(&format!("use.stable.{kind}")), None, true, &None);
                b.flag_entries(
                    out,
                    file(&format!("package.use.{kind}")),
                    Some(ctx),
                    false,
                    &None,
                );
                b.flag_entries(
                    out,
                    file(&format!("package.use.stable.{kind}")),
                    Some(ctx),
                    true,
                    &None,
                );
            }
            b.flag_entries(&mut stable_use, file("use.stable"), None, true, &None);
            b.use_entries(&mut package_use, file("package.use"), ctx, false, &None);
            b.use_entries(
                &mut package_use,
                file("package.use.stable"),
                ctx,
                true,
                &None,
            );
        }
        masks.extend(profile_masks);
        for line in read_lines(&config_dir.join("package.mask"))? {
            let Some(text) = b.single(&line) else {
                continue;
            };
            if let Some(neg) = text.strip_prefix('-') {
                let before = masks.len();
                // A repository-level mask also answers to its text with `::repo` appended,
                // as Portage stores it.
                masks.retain(|m: &SpecEntry<()>| {
                    m.text != neg
                        && m.repo_scope
                            .as_ref()
                            .is_none_or(|r| format!("{}::{r}", m.text) != neg)
                });
                if masks.len() == before {
                    b.warn(&line, format!("{neg:?} removes no mask"));
                }
                continue;
            }
            if let Some(spec) = b.spec(&line, &text, user) {
                masks.push(entry(spec, text, (), &line, None));
            }
        }
        for line in read_lines(&config_dir.join("package.unmask"))? {
            let Some(text) = b.single(&line) else {
                continue;
            };
            if let Some(spec) = b.spec(&line, &text, user) {
                unmasks.push(entry(spec, text, (), &line, None));
            }
        }
        b.use_entries(
            &mut package_use,
            read_lines(&config_dir.join("package.use"))?,
            user,
            false,
            &None,
        );

        // Keywords.
        let mut accept_keywords = crate::keywords::stack_accept_keywords(
            settings
                .get("ACCEPT_KEYWORDS")
                .unwrap_or_default()
                .split_whitespace(),
        );
        if accept_keywords.is_empty()
            && let Some(arch) = settings.get("ARCH").filter(|a| !a.is_empty())
        {
            accept_keywords.push(arch.to_string());
        }
        // Profile `package.accept_keywords` adds accepted keywords like the user's file;
        // profile `package.keywords` changes the package's KEYWORDS.
        let mut package_keywords = Vec::new();
        let mut profile_keywords = Vec::new();
        for node in profile.nodes.iter().filter(|n| !n.is_user) {
            let repo_deps = node
                .repo
                .as_deref()
                .and_then(|r| repos.get(r))
                .is_some_and(|r| r.layout.has_profile_format("profile-repo-deps"));
            let ctx = SpecContext::profile(&node.eapi, repo_deps);
            for (file, out) in [
                ("package.accept_keywords", &mut package_keywords),
                ("package.keywords", &mut profile_keywords),
            ] {
                for line in node.files.get(file).into_iter().flatten() {
                    let text = line.tokens[0].clone();
                    let Some(spec) = b.spec(line, &text, ctx) else {
                        continue;
                    };
                    let mut kws: Vec<String> = line.tokens[1..].to_vec();
                    if kws.is_empty() && file == "package.accept_keywords" {
                        kws = default_testing_keywords(&accept_keywords);
                    }
                    out.push(entry(spec, text, kws, line, None));
                }
            }
        }
        for file in ["package.keywords", "package.accept_keywords"] {
            for line in read_lines(&config_dir.join(file))? {
                let text = line.tokens[0].clone();
                let Some(spec) = b.spec(&line, &text, user) else {
                    continue;
                };
                let mut kws: Vec<String> = line.tokens[1..].to_vec();
                if kws.is_empty() {
                    kws = default_testing_keywords(&accept_keywords);
                }
                package_keywords.push(entry(spec, text, kws, &line, None));
            }
        }

        // Licenses.
        let license_loc = settings
            .values
            .get("ACCEPT_LICENSE")
            .map(|s| s.location.clone())
            .unwrap_or_else(Location::builtin);
        let license_tokens: Vec<(String, Location)> = settings
            .tokens("ACCEPT_LICENSE")
            .into_iter()
            .map(|t| (t, license_loc.clone()))
            .collect();
        let mut accept_license = AcceptSet::default();
        accept_license.apply(&license_tokens, &license_groups, b.warnings);
        let mut package_license = Vec::new();
        for line in read_lines(&config_dir.join("package.license"))? {
            let text = line.tokens[0].clone();
            let Some(spec) = b.spec(&line, &text, user) else {
                continue;
            };
            let lics: Vec<String> = line.tokens[1..].to_vec();
            if lics.is_empty() {
                b.warn(&line, "no licenses given");
                continue;
            }
            for l in &lics {
                let g = l.trim_start_matches('-');
                if let Some(g) = g.strip_prefix('@')
                    && !license_groups.contains(g)
                {
                    b.warn(&line, format!("unknown license group @{g}"));
                }
            }
            package_license.push(entry(spec, text, lics, &line, None));
        }

        // PROPERTIES and RESTRICT: the same token logic, without groups.
        let no_groups = LicenseGroups::default();
        let accept_tokens = |var: &str, file: &str, b: &mut Builder<'_>| {
            let loc = settings
                .values
                .get(var)
                .map(|s| s.location.clone())
                .unwrap_or_else(Location::builtin);
            let tokens: Vec<(String, Location)> = settings
                .tokens(var)
                .into_iter()
                .map(|t| (t, loc.clone()))
                .collect();
            let mut set = AcceptSet::default();
            set.apply(&tokens, &no_groups, b.warnings);
            let mut entries = Vec::new();
            for line in read_lines(&config_dir.join(file))? {
                let text = line.tokens[0].clone();
                let Some(spec) = b.spec(&line, &text, user) else {
                    continue;
                };
                if line.tokens.len() < 2 {
                    b.warn(&line, "no tokens given");
                    continue;
                }
                let data = line.tokens[1..].to_vec();
                entries.push(entry(spec, text, data, &line, None));
            }
            Ok::<_, ConfigError>((set, entries))
        };
        let (accept_properties, package_properties) =
            accept_tokens("ACCEPT_PROPERTIES", "package.properties", &mut b)?;
        let (accept_restrict, package_restrict) =
            accept_tokens("ACCEPT_RESTRICT", "package.accept_restrict", &mut b)?;

        let scope_chains = scope_chains(&repos);
        let accept_keywords_stacked =
            crate::keywords::stack_accept_keywords(accept_keywords.iter().map(String::as_str));
        let mut domain = Domain {
            root,
            config_dir,
            repos,
            vdb,
            profile,
            settings,
            repo_data,
            license_groups,
            warnings,
            provided,
            scope_chains,
            masks: Indexed::new(masks),
            unmasks: Indexed::new(unmasks),
            accept_keywords,
            accept_keywords_stacked,
            package_keywords: Indexed::new(package_keywords),
            profile_keywords: Indexed::new(profile_keywords),
            accept_license,
            package_license: Indexed::new(package_license),
            accept_properties,
            package_properties: Indexed::new(package_properties),
            accept_restrict,
            package_restrict: Indexed::new(package_restrict),
            profile_use,
            conf_use,
            stable_use: Indexed::new(stable_use),
            package_use: Indexed::new(package_use),
            use_mask: Indexed::new(use_mask),
            use_force: Indexed::new(use_force),
            global_use: Vec::new(),
        };
        // Computed once, from fields nothing changes after construction.
        domain.global_use = with_force_and_mask(
            global_flags(domain.profile_use.iter().chain(&domain.conf_use)),
            domain.use_force.all(),
            domain.use_mask.all(),
        );
        domain.settings_from_global_use(&use_expand);
        Ok(domain)
    }

    /// As Portage's `config.regenerate` does for the global configuration: `USE` becomes
    /// the final global flags (sorted), and each USE_EXPAND variable the values its
    /// prefix has among them (after `use.force` and `use.mask`), in the variable's own
    /// order followed by the others sorted; a variable left without values is emptied.
    fn settings_from_global_use(&mut self, use_expand: &[String]) {
        for var in use_expand {
            let prefix = format!("{}_", var.to_lowercase());
            let mut enabled: Vec<&str> = self
                .global_use
                .iter()
                .filter_map(|f| f.strip_prefix(prefix.as_str()))
                .collect();
            enabled.sort_unstable();
            let value = match self.settings.values.get(var) {
                Some(s) => {
                    let mut ordered: Vec<&str> = s
                        .value
                        .split_whitespace()
                        .filter(|v| enabled.contains(v))
                        .collect();
                    ordered.dedup();
                    let extra: Vec<&str> = enabled
                        .iter()
                        .copied()
                        .filter(|v| !ordered.contains(v))
                        .collect();
                    ordered.extend(extra);
                    ordered.join(" ")
                }
                None if enabled.is_empty() => continue,
                None => enabled.join(" "),
            };
            let location = self
                .settings
                .values
                .get(var)
                .map_or_else(Location::builtin, |s| s.location.clone());
            self.settings
                .values
                .insert(var.clone(), Setting { value, location });
        }
        let mut flags = self.global_use.clone();
        flags.sort();
        let location = self
            .settings
            .values
            .get("USE")
            .map_or_else(Location::builtin, |s| s.location.clone());
        self.settings.values.insert(
            "USE".into(),
            Setting {
                value: flags.join(" "),
                location,
            },
        );
    }

    /// A setting's final value.
    pub fn setting(&self, var: &str) -> Option<&str> {
        self.settings.get(var)
    }

    /// DISTDIR.
    pub fn distdir(&self) -> PathBuf {
        PathBuf::from(self.setting("DISTDIR").unwrap_or("/var/cache/distfiles"))
    }

    /// PKGDIR as set (default `/var/cache/binpkgs`). Like Portage, a relative value is
    /// relative to the working directory, as the Portage translation's `binpkgs`
    /// repository takes it.
    pub fn pkgdir(&self) -> PathBuf {
        PathBuf::from(self.setting("PKGDIR").unwrap_or("/var/cache/binpkgs"))
    }

    /// FEATURES as a list.
    pub fn features(&self) -> Vec<String> {
        self.settings.tokens("FEATURES")
    }

    /// CONFIG_PROTECT as a list.
    pub fn config_protect(&self) -> Vec<String> {
        self.settings.tokens("CONFIG_PROTECT")
    }

    /// CONFIG_PROTECT_MASK as a list.
    pub fn config_protect_mask(&self) -> Vec<String> {
        self.settings.tokens("CONFIG_PROTECT_MASK")
    }

    /// ARCH.
    pub fn arch(&self) -> Option<&str> {
        self.setting("ARCH")
    }

    /// The stacked ACCEPT_KEYWORDS.
    pub fn accept_keywords(&self) -> &[String] {
        &self.accept_keywords
    }

    /// The USE flags enabled globally: profile and make.conf settings, then the profile's
    /// `use.force` (on) and `use.mask` (off), like Portage's `USE` setting; per-package
    /// entries are not applied.
    ///
    /// Computed once when the domain is built.
    pub fn global_use(&self) -> Vec<String> {
        self.global_use.clone()
    }

    /// Source repositories (ebuild), highest priority first.
    pub fn ebuild_repos(&self) -> impl Iterator<Item = &RepoConfig> {
        self.repos
            .repos
            .iter()
            .filter(|r| r.kind == RepoKind::Ebuild)
    }

    /// Binary repositories, highest priority first.
    pub fn binary_repos(&self) -> impl Iterator<Item = &RepoConfig> {
        self.repos
            .repos
            .iter()
            .filter(|r| r.kind == RepoKind::Binpkg)
    }

    /// Whether a repository-scoped entry from `scope` applies to packages of `repo`.
    pub(crate) fn scope_applies(&self, scope: &Option<String>, repo: &str) -> bool {
        let Some(scope) = scope else { return true };
        match self.scope_chains.get(repo) {
            Some(chain) => chain.iter().any(|m| m == scope),
            None => scope == repo,
        }
    }

    /// The path of the installed-package database.
    pub fn vdb_path(&self) -> Option<&Path> {
        self.vdb.as_ref().map(|v| v.location.as_path())
    }
}

/// For each name [`RepoSet::get`] resolves (names first, then aliases, the first
/// repository in precedence order winning as there), the names of the repository's
/// master chain ([`RepoSet::with_masters`]).
fn scope_chains(repos: &RepoSet) -> HashMap<String, Vec<String>> {
    let chain = |r: &RepoConfig| -> Vec<String> {
        repos
            .with_masters(r)
            .iter()
            .map(|m| m.name.clone())
            .collect()
    };
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for r in &repos.repos {
        if !out.contains_key(&r.name) {
            out.insert(r.name.clone(), chain(r));
        }
    }
    for r in &repos.repos {
        for a in &r.aliases {
            if !out.contains_key(a) {
                out.insert(a.clone(), chain(r));
            }
        }
    }
    out
}

/// `flags` with the global (not per-package, not stable-only, not repository-scoped)
/// `use.force` entries turned on and then the `use.mask` ones turned off.
fn with_force_and_mask(
    mut flags: Vec<String>,
    force: &[FlagEntry],
    mask: &[FlagEntry],
) -> Vec<String> {
    let global = |entries: &[FlagEntry]| {
        let mut set: Vec<String> = Vec::new();
        for e in entries {
            if e.spec.is_some() || e.stable_only || e.repo_scope.is_some() {
                continue;
            }
            for (flag, on) in &e.flags {
                set.retain(|f| f != flag);
                if *on {
                    set.push(flag.clone());
                }
            }
        }
        set
    };
    for f in global(force) {
        if !flags.contains(&f) {
            flags.push(f);
        }
    }
    let masked = global(mask);
    flags.retain(|f| !masked.contains(f));
    flags
}

/// The flags enabled by applying `ops` in order (prefix-wide enables need a package).
fn global_flags<'a>(ops: impl Iterator<Item = &'a (UseOp, Location)>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (op, _) in ops {
        match op {
            UseOp::Enable(f) => {
                if !out.contains(f) {
                    out.push(f.clone());
                }
            }
            UseOp::Disable(f) => out.retain(|x| x != f),
            UseOp::ClearAll => out.clear(),
            UseOp::ClearPrefix(p) => out.retain(|x| !x.starts_with(p.as_str())),
            // Needs a package's IUSE; globally it names no flag.
            UseOp::EnablePrefix(_) => {}
        }
    }
    out
}

fn entry<T>(
    spec: PackageSpec,
    text: String,
    data: T,
    line: &Line,
    repo_scope: Option<String>,
) -> SpecEntry<T> {
    SpecEntry {
        spec,
        text,
        data,
        location: line.location.clone(),
        comment: line.comment.clone(),
        repo_scope,
    }
}

struct Builder<'a> {
    warnings: &'a mut Vec<Warning>,
    use_expand: &'a [String],
}

impl Builder<'_> {
    fn warn(&mut self, line: &Line, msg: impl Into<String>) {
        self.warnings.push(Warning::new(line.location.clone(), msg));
    }

    /// The single token of a one-entry-per-line file.
    fn single(&mut self, line: &Line) -> Option<String> {
        if line.tokens.len() != 1 {
            self.warn(line, format!("expected one entry, got {:?}", line.text()));
            return None;
        }
        Some(line.tokens[0].clone())
    }

    fn spec(&mut self, line: &Line, text: &str, ctx: SpecContext) -> Option<PackageSpec> {
        match PackageSpec::parse(text, ctx) {
            Ok(s) => Some(s),
            Err(e) => {
                self.warn(line, e);
                None
            }
        }
    }

    /// One-spec-per-line entries with `-spec` removing earlier identical ones.
    fn stacked_specs(
        &mut self,
        out: &mut Vec<SpecEntry<()>>,
        lines: Vec<Line>,
        ctx: SpecContext,
        scope: &Option<String>,
    ) {
        for line in lines {
            let Some(text) = self.single(&line) else {
                continue;
            };
            if let Some(neg) = text.strip_prefix('-') {
                if neg == "*" {
                    out.clear();
                } else {
                    out.retain(|m| m.text != neg);
                }
                continue;
            }
            if let Some(spec) = self.spec(&line, &text, ctx) {
                out.push(entry(spec, text, (), &line, scope.clone()));
            }
        }
    }

    /// `use.mask`-style (no spec) or `package.use.mask`-style (with `ctx`) lines.
    fn flag_entries(
        &mut self,
        out: &mut Vec<FlagEntry>,
        lines: Vec<Line>,
        ctx: Option<SpecContext>,
        stable_only: bool,
        scope: &Option<String>,
    ) {
        for line in lines {
            let (spec, flags) = match ctx {
                None => (None, &line.tokens[..]),
                Some(ctx) => {
                    let text = line.tokens[0].clone();
                    let Some(spec) = self.spec(&line, &text, ctx) else {
                        continue;
                    };
                    (Some(spec), &line.tokens[1..])
                }
            };
            let flags: Vec<(String, bool)> = flags
                .iter()
                .map(|f| match f.strip_prefix('-') {
                    Some(rest) => (rest.to_string(), false),
                    None => (f.clone(), true),
                })
                .collect();
            out.push(FlagEntry {
                spec,
                flags,
                stable_only,
                location: line.location.clone(),
                repo_scope: scope.clone(),
            });
        }
    }

    /// `package.use` lines: `spec flag -flag NAME: value -*`.
    fn use_entries(
        &mut self,
        out: &mut Vec<SpecEntry<UseEntry>>,
        lines: Vec<Line>,
        ctx: SpecContext,
        stable_only: bool,
        scope: &Option<String>,
    ) {
        for line in lines {
            let text = line.tokens[0].clone();
            let Some(spec) = self.spec(&line, &text, ctx) else {
                continue;
            };
            let mut ops = Vec::new();
            let mut prefix: Option<String> = None;
            for tok in &line.tokens[1..] {
                if let Some(var) = tok.strip_suffix(':') {
                    if !self.use_expand.iter().any(|u| u == var) && var.to_uppercase() != var {
                        self.warn(&line, format!("{var}: is not a USE_EXPAND variable"));
                    }
                    prefix = Some(format!("{}_", var.to_lowercase()));
                    continue;
                }
                let op = match &prefix {
                    None => use_op(tok),
                    Some(p) if tok == "-*" => UseOp::ClearPrefix(p.clone()),
                    Some(p) => match tok.strip_prefix('-') {
                        Some(v) => UseOp::Disable(format!("{p}{v}")),
                        None => UseOp::Enable(format!("{p}{tok}")),
                    },
                };
                ops.push(op);
            }
            if ops.is_empty() {
                self.warn(&line, "no USE flags given");
                continue;
            }
            let data = UseEntry { ops, stable_only };
            out.push(entry(spec, text, data, &line, scope.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use strata_testtools::{write_file, write_portage_config};

    use crate::classes::builtin_registry;
    use crate::load::{ConfigSource, load_config};
    use crate::portage::PortageOptions;

    #[test]
    fn use_expand_values_follow_the_final_global_use() {
        let dir = tempfile::tempdir().expect("temp dir");
        let r = dir.path().join("repo");
        write_file(&r, "profiles/repo_name", "test\n");
        write_file(&r, "metadata/layout.conf", "masters =\n");
        write_file(
            &r,
            "profiles/p/make.defaults",
            "USE=\"a\"\nUSE_EXPAND=\"VIDEO_CARDS INPUT_DEVICES\"\n\
             VIDEO_CARDS=\"radeon intel nouveau\"\nINPUT_DEVICES=\"evdev\"\n",
        );
        write_file(&r, "profiles/p/eapi", "8\n");
        write_file(
            &r,
            "profiles/p/use.mask",
            "video_cards_nouveau\ninput_devices_evdev\n",
        );
        write_file(&r, "profiles/p/use.force", "video_cards_amdgpu\n");
        write_portage_config(dir.path(), &[("test", &r)], "", &r.join("profiles/p"));
        let source = ConfigSource::Portage(PortageOptions::new(dir.path(), Path::new("/")));
        let domain = load_config(builtin_registry(), &source)
            .expect("loads")
            .domain()
            .expect("domain");
        let global = domain.global_use();
        assert!(
            global.contains(&"video_cards_amdgpu".to_owned()),
            "{global:?}"
        );
        assert!(!global.contains(&"video_cards_nouveau".to_owned()));
        // Masked values leave the variable and forced ones join it after the variable's
        // own values (Portage's regenerate); a variable with none left is empty.
        assert_eq!(domain.setting("VIDEO_CARDS"), Some("radeon intel amdgpu"));
        assert_eq!(domain.setting("INPUT_DEVICES"), Some(""));
        let mut sorted = global.clone();
        sorted.sort();
        assert_eq!(domain.setting("USE"), Some(sorted.join(" ").as_str()));
    }
}
