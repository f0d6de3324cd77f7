//! Package attributes as pquery prints them (pkgcore's `stringify_attr`): the printable
//! attribute names, and each attribute rendered as one string, or `MISSING`.

use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use strata_atom::depspec::{DepKind, DepSpec};
use strata_atom::{DepNode, Eapi};
use strata_config::domain::Domain;
use strata_config::repos::{RepoConfig, RepoKind, RepoSet};
use strata_config::use_flags::UseConfig;
use strata_repo::Package;

pub mod depset;
pub mod uris;

/// Attribute names `--attr` and `--one-attr` accept (pkgcore's `printable_attrs`).
pub const PRINTABLE_ATTRS: &[&str] = &[
    "all",
    "alldepends",
    "allmetadata",
    "bdepend",
    "category",
    "cbuild",
    "chost",
    "ctarget",
    "defined_phases",
    "depend",
    "description",
    "distfiles",
    "eapi",
    "environment",
    "fetchables",
    "files",
    "fullver",
    "homepage",
    "idepend",
    "inherited",
    "iuse",
    "keywords",
    "license",
    "longdescription",
    "maintainers",
    "package",
    "path",
    "pdepend",
    "properties",
    "raw_alldepends",
    "raw_bdepend",
    "raw_depend",
    "raw_idepend",
    "raw_pdepend",
    "raw_rdepend",
    "rdepend",
    "repo",
    "required_use",
    "restrict",
    "revision",
    "slot",
    "source_repository",
    "subslot",
    "uris",
    "use",
    "version",
];

/// The dependency classes, in `alldepends` order.
pub const DEP_ATTRS: &[&str] = &["bdepend", "depend", "rdepend", "pdepend", "idepend"];

/// The attributes `--print-revdep` looks at (pkgcore's sorted `dep_attrs`, raw forms
/// included).
pub const REVDEP_ATTRS: &[&str] = &[
    "bdepend",
    "depend",
    "idepend",
    "pdepend",
    "raw_bdepend",
    "raw_depend",
    "raw_idepend",
    "raw_pdepend",
    "raw_rdepend",
    "rdepend",
];

/// What `allmetadata` expands to (pkgcore's sorted `metadata_attrs`).
pub const METADATA_ATTRS: &[&str] = &[
    "bdepend",
    "defined_phases",
    "depend",
    "description",
    "distfiles",
    "eapi",
    "fetchables",
    "homepage",
    "idepend",
    "inherited",
    "iuse",
    "keywords",
    "license",
    "pdepend",
    "properties",
    "raw_bdepend",
    "raw_depend",
    "raw_idepend",
    "raw_pdepend",
    "raw_rdepend",
    "rdepend",
    "required_use",
    "restrict",
    "slot",
    "subslot",
    "use",
];

/// An attribute name split into whether it asks for the unevaluated value and the
/// attribute it is a form of: `raw_depend` is (`true`, `depend`). Only the dependency
/// classes have `raw_` forms; any other name is itself (`raw_license` is not `license`).
pub fn split_raw(attr: &str) -> (bool, &str) {
    match attr.strip_prefix("raw_") {
        Some(base) if DEP_ATTRS.contains(&base) => (true, base),
        _ => (false, attr),
    }
}

/// Attributes printed as pretty-printed dependency trees in verbose mode.
pub fn is_dep_formatted(attr: &str) -> bool {
    let (_, base) = split_raw(attr);
    DEP_ATTRS.contains(&base) || attr == "restrict"
}

/// The printed value of a missing attribute.
pub const MISSING: &str = "MISSING";

/// How packages are seen: configured by a domain (USE evaluated) or raw.
#[derive(Debug, Clone)]
pub struct View {
    /// The configuration the repositories come from, raw or not: mirrors
    /// (`GENTOO_MIRRORS`, repositories' `thirdpartymirrors`) apply to raw packages too.
    pub config: Arc<Domain>,
    /// `--raw`: packages are not configured (USE conditionals are not evaluated).
    pub raw: bool,
    /// Each ebuild repository's merged `thirdpartymirrors`, read on first use.
    pub mirror_tiers: MirrorTierCache,
}

impl View {
    /// The domain whose USE configuration evaluates conditionals; `None` for raw.
    pub fn domain(&self) -> Option<&Arc<Domain>> {
        (!self.raw).then_some(&self.config)
    }
}

/// Mirror names and their URLs.
type MirrorTiers = BTreeMap<String, Vec<String>>;

/// The merged `thirdpartymirrors` of each ebuild repository (with its masters'), read once
/// per process instead of once per package, shared by the lines rendered in parallel.
#[derive(Debug, Clone, Default)]
pub struct MirrorTierCache(Arc<std::sync::Mutex<HashMap<String, Arc<MirrorTiers>>>>);

impl MirrorTierCache {
    fn get(&self, repos: &RepoSet, repo: &RepoConfig) -> Arc<MirrorTiers> {
        let cached = self.0.lock().ok().and_then(|m| m.get(&repo.name).cloned());
        if let Some(tiers) = cached {
            return tiers;
        }
        let tiers = Arc::new(thirdpartymirrors(repos, repo));
        if let Ok(mut m) = self.0.lock() {
            m.insert(repo.name.clone(), tiers.clone());
        }
        tiers
    }
}

fn dep_kind(name: &str) -> Option<DepKind> {
    Some(match name {
        "bdepend" => DepKind::Bdepend,
        "depend" => DepKind::Depend,
        "rdepend" => DepKind::Rdepend,
        "pdepend" => DepKind::Pdepend,
        "idepend" => DepKind::Idepend,
        "license" => DepKind::License,
        "restrict" => DepKind::Restrict,
        "properties" => DepKind::Properties,
        "fetchables" | "uris" | "files" => DepKind::SrcUri,
        "required_use" => DepKind::RequiredUse,
        _ => return None,
    })
}

/// The USE flags that are enabled for a package, looked up without copying them: what
/// it was built with (installed and binary packages), else the domain's effective USE,
/// else none (raw).
enum EnabledFlags<'a> {
    Built(Vec<&'a str>),
    /// The package's IUSE flags as the domain configures them; a flag outside IUSE (the
    /// arch, ELIBC, KERNEL...) is on when the domain's global USE has it, as
    /// `ConfiguredPackage::is_enabled` decides (pkgcore enables the arch and forced flags
    /// of configured packages the same way). The global USE is read on first need.
    Configured {
        config: UseConfig,
        domain: Arc<Domain>,
        global: OnceCell<Vec<String>>,
    },
    None,
}

impl EnabledFlags<'_> {
    fn of<'a>(view: &View, pkg: &'a dyn Package) -> EnabledFlags<'a> {
        if let Some(b) = pkg.built_use() {
            return EnabledFlags::Built(b);
        }
        match (view.domain(), strata_repo::visibility::package_info(pkg)) {
            (Some(domain), Some(info)) => EnabledFlags::Configured {
                config: domain.effective_use(&info),
                domain: domain.clone(),
                global: OnceCell::new(),
            },
            _ => EnabledFlags::None,
        }
    }

    fn is_enabled(&self, flag: &str) -> bool {
        match self {
            EnabledFlags::Built(b) => b.contains(&flag),
            EnabledFlags::Configured {
                config,
                domain,
                global,
            } => match config.flags.get(flag) {
                Some(state) => state.enabled,
                None => global
                    .get_or_init(|| domain.global_use())
                    .iter()
                    .any(|g| g == flag),
            },
            EnabledFlags::None => false,
        }
    }
}

/// A dependency-style value in pkgcore's shape: the spec as parsed when it already is,
/// else its rebuilt nodes.
enum Shaped {
    Parsed(DepSpec),
    Nodes(Vec<depset::Node>, DepKind),
}

/// See [`dep_spec`]. The package's USE configuration is looked up only when there are
/// conditionals to evaluate.
fn shaped(view: &View, pkg: &dyn Package, name: &str, raw: bool) -> Option<Shaped> {
    let kind = dep_kind(name)?;
    if kind == DepKind::SrcUri && pkg.is_built() {
        // A built package has nothing to fetch: pkgcore gives installed and binary
        // packages an empty fetchables set (`ebuild_built.package.fetchables`), whatever
        // SRC_URI they recorded, so `files`, `uris` and `fetchables` print empty.
        return Some(Shaped::Parsed(DepSpec::parse("", kind, Eapi::LATEST).ok()?));
    }
    let spec = pkg.dep_spec(kind).ok()??;
    let evaluated = !raw && view.domain().is_some();
    if depset::already_shaped(&spec, evaluated) {
        return Some(Shaped::Parsed(spec));
    }
    let nodes = depset::from_spec(&spec);
    let nodes = if !evaluated {
        nodes
    } else {
        let flags = OnceCell::new();
        depset::evaluate(nodes, &|f| {
            flags
                .get_or_init(|| EnabledFlags::of(view, pkg))
                .is_enabled(f)
        })
    };
    Some(Shaped::Nodes(nodes, kind))
}

/// A dependency-style attribute as a parsed spec, in pkgcore's shape ([`depset`]: USE
/// dependencies sorted, single-child groups collapsed): USE-evaluated the way pkgcore
/// evaluates it for configured views (unless `raw`), unevaluated otherwise. `None` when
/// the metadata is unavailable or the value does not parse.
pub fn dep_spec(view: &View, pkg: &dyn Package, name: &str, raw: bool) -> Option<DepSpec> {
    match shaped(view, pkg, name, raw)? {
        Shaped::Parsed(spec) => Some(spec),
        Shaped::Nodes(nodes, kind) => {
            let eapi = pkg.eapi().and_then(Result::ok).unwrap_or(Eapi::LATEST);
            DepSpec::parse(&depset::to_text(&nodes), kind, eapi).ok()
        }
    }
}

/// [`dep_spec`] as printed on one line, without parsing the rebuilt value again: the
/// nodes' text is what the spec parsed from it prints (checked for every package and
/// dependency attribute of GURU by the pquery tests).
pub fn dep_text(view: &View, pkg: &dyn Package, name: &str, raw: bool) -> Option<String> {
    match shaped(view, pkg, name, raw)? {
        Shaped::Parsed(spec) => Some(spec.to_string()),
        Shaped::Nodes(nodes, _) => Some(depset::to_text(&nodes)),
    }
}

fn words(pkg: &dyn Package, key: &str) -> Option<Vec<String>> {
    pkg.get("SLOT")?;
    Some(
        pkg.get(key)
            .unwrap_or("")
            .split_ascii_whitespace()
            .map(str::to_owned)
            .collect(),
    )
}

fn sorted_words(pkg: &dyn Package, key: &str) -> Option<String> {
    let mut w = words(pkg, key)?;
    w.sort();
    Some(w.join(" "))
}

/// `--attr files`: a SRC_URI spec with each leaf as its file name, keeping the structure
/// (pkgcore's `stringify_boolean` over the fetchables' file names).
fn render_files(spec: &DepSpec) -> String {
    uris::one_line(spec, &|u| u.distfile().to_owned())
}

/// `f` applied to `pkg`'s SRC_URI as the view shows it and the URI list of each of its
/// distfiles; `None` when the package has no SRC_URI to show.
fn with_uri_lists<R>(
    view: &View,
    pkg: &dyn Package,
    f: impl FnOnce(&DepSpec, &uris::UriLists<'_>) -> R,
) -> Option<R> {
    let spec = dep_spec(view, pkg, "uris", false)?;
    let mirrors = package_mirrors(view, pkg, &spec);
    let lists = uris::UriLists::new(&spec, fetch_restrict(view, pkg), &mirrors);
    Some(f(&spec, &lists))
}

/// The RESTRICT values that apply to `pkg`'s distfiles: for configured packages RESTRICT
/// evaluated with the package's USE, for raw ones only what no USE conditional guards.
fn fetch_restrict(view: &View, pkg: &dyn Package) -> uris::FetchRestrict {
    fn unconditional<'a>(nodes: &'a [DepNode], out: &mut Vec<&'a str>) {
        for n in nodes {
            match n {
                DepNode::Leaf(l) => out.extend(l.as_word()),
                DepNode::Conditional(..) => {}
                other => unconditional(other.children(), out),
            }
        }
    }
    let Some(spec) = dep_spec(view, pkg, "restrict", false) else {
        return uris::FetchRestrict::default();
    };
    let mut tokens = Vec::new();
    unconditional(spec.items(), &mut tokens);
    uris::FetchRestrict::from_tokens(tokens)
}

/// The mirrors `pkg`'s distfiles can come from: the domain's `GENTOO_MIRRORS` and the
/// `thirdpartymirrors` of the package's ebuild repository and its masters (read only
/// when `spec` has a `mirror://` URI), configured or raw (as pkgcore's raw repositories
/// keep their mirrors). Packages that are not from one of the configuration's ebuild
/// repositories get no default mirrors and keep `mirror://` URIs as written.
fn package_mirrors(view: &View, pkg: &dyn Package, spec: &DepSpec) -> uris::Mirrors {
    let d = &view.config;
    let repo = d.repos.get(pkg.repo_id()).and_then(|r| {
        (r.kind == RepoKind::Ebuild && pkg.path().is_some_and(|p| p.starts_with(&r.location)))
            .then_some((d, r))
    });
    let Some((domain, repo)) = repo else {
        return uris::Mirrors::default();
    };
    let default = uris::Mirrors::default_mirrors(domain.setting("GENTOO_MIRRORS").unwrap_or(""));
    let names: Vec<&str> = spec
        .uris()
        .filter_map(|u| u.mirror().map(|(name, _)| name))
        .collect();
    let tiers = if names.is_empty() {
        BTreeMap::new()
    } else {
        let all = view.mirror_tiers.get(&domain.repos, repo);
        names
            .iter()
            .filter_map(|n| all.get(*n).map(|urls| ((*n).to_owned(), urls.clone())))
            .collect()
    };
    uris::Mirrors {
        default,
        tiers: Some(tiers),
    }
}

/// The third-party mirror tiers of `repo` as pkgcore merges them: the repository's own `profiles/thirdpartymirrors`, then for names it does not
/// define each master's (in layout.conf order, each master with its own masters after
/// it).
fn thirdpartymirrors(repos: &RepoSet, repo: &RepoConfig) -> MirrorTiers {
    fn visit<'a>(repos: &'a RepoSet, repo: &'a RepoConfig, seen: &mut Vec<&'a str>) {
        if seen.contains(&repo.name.as_str()) {
            return;
        }
        seen.push(&repo.name);
        for m in &repo.masters {
            if let Some(master) = repos.get(m) {
                visit(repos, master, seen);
            }
        }
    }
    let mut order = Vec::new();
    visit(repos, repo, &mut order);
    let mut tiers = BTreeMap::new();
    for name in order {
        let Some(r) = repos.get(name) else { continue };
        if let Ok(text) = std::fs::read_to_string(r.location.join("profiles/thirdpartymirrors")) {
            uris::Mirrors::stack_thirdpartymirrors(&mut tiers, &text, &|_| true);
        }
    }
    tiers
}

/// The checksum names of each of `wanted` in the Manifest next to `pkg`'s ebuild, as
/// pkgcore keys a fetchable's `chksums`: `size` first, then each hash name lowercased in
/// the order the `DIST` line gives them (an explicit `SIZE` entry is left out). Lines of
/// other files are not split (a Manifest serves every version of the package).
fn manifest_checksums(pkg: &dyn Package, wanted: &[&str]) -> HashMap<String, Vec<String>> {
    let Some(text) = pkg
        .path()
        .and_then(|p| p.parent())
        .and_then(|dir| std::fs::read_to_string(dir.join("Manifest")).ok())
    else {
        return HashMap::new();
    };
    let wanted: std::collections::HashSet<&str> = wanted.iter().copied().collect();
    text.lines()
        .filter_map(|line| {
            let (name, _) = line.strip_prefix("DIST ")?.trim_start().split_once(' ')?;
            if !wanted.contains(name) {
                return None;
            }
            // Split at spaces (memchr) unless the line has tabs.
            let words: Vec<&str> = if line.contains('\t') {
                line.split_whitespace().collect()
            } else {
                line.split(' ').filter(|w| !w.is_empty()).collect()
            };
            if words.len() < 3 {
                return None;
            }
            let mut sums = vec!["size".to_owned()];
            sums.extend(
                words[3..]
                    .iter()
                    .step_by(2)
                    .map(|h| h.to_ascii_lowercase())
                    .filter(|h| h != "size"),
            );
            Some((words[1].to_owned(), sums))
        })
        .collect()
}

/// One attribute of `pkg` as pquery prints it; `MISSING` when the package does not
/// have it. Differences from pkgcore, on purpose: `revision` of a package without one
/// is `0` (pkgcore prints `MISSING`, #225), and `homepage` is space-separated URLs.
pub fn render(view: &View, pkg: &dyn Package, attr: &str) -> String {
    render_opt(view, pkg, attr).unwrap_or_else(|| MISSING.to_owned())
}

fn render_opt(view: &View, pkg: &dyn Package, attr: &str) -> Option<String> {
    let cpv = pkg.cpv();
    let (raw, name) = split_raw(attr);
    Some(match name {
        "category" => cpv.category().to_owned(),
        "package" => cpv.package().to_owned(),
        "version" => cpv.version().base().to_owned(),
        "fullver" => cpv.version().as_str().to_owned(),
        "revision" => cpv.version().revision().to_owned(),
        "key" => cpv.cp().to_owned(),
        "cpvstr" | "cpv" => cpv.as_str().to_owned(),
        "repo" => pkg.repo_id().to_owned(),
        "source_repository" => pkg
            .get("repository")
            .map(str::to_owned)
            .unwrap_or_else(|| pkg.repo_id().to_owned()),
        "path" => {
            let p = pkg.path()?;
            p.canonicalize()
                .unwrap_or_else(|_| p.to_path_buf())
                .display()
                .to_string()
        }
        "slot" => pkg.slot()?.split('/').next().unwrap_or("").to_owned(),
        "subslot" => {
            let s = pkg.slot()?;
            s.split_once('/').map_or(s, |(_, sub)| sub).to_owned()
        }
        "fullslot" => pkg.slot()?.to_owned(),
        "eapi" => pkg.eapi_str()?.to_owned(),
        "description" => {
            pkg.get("SLOT")?;
            pkg.get("DESCRIPTION").unwrap_or("").to_owned()
        }
        "homepage" => words(pkg, "HOMEPAGE")?.join(" "),
        "keywords" => {
            let mut w = words(pkg, "KEYWORDS")?;
            w.sort_by(|a, b| a.trim_start_matches('~').cmp(b.trim_start_matches('~')));
            w.join(" ")
        }
        // pkgcore holds IUSE and DEFINED_PHASES as sets: sorted, each once.
        "iuse" => {
            let mut w = words(pkg, "IUSE")?;
            w.sort();
            w.dedup();
            w.join(" ")
        }
        "inherited" => sorted_words(pkg, "INHERITED")?,
        "defined_phases" => {
            let mut w = words(pkg, "DEFINED_PHASES")?;
            w.retain(|p| p != "-");
            w.sort();
            w.dedup();
            w.join(" ")
        }
        "properties" => {
            let spec = dep_spec(view, pkg, "properties", false)?;
            let mut w: Vec<String> = spec.leaves().map(|l| l.to_string()).collect();
            w.sort();
            w.join(" ")
        }
        "use" => {
            let iuse: Vec<String> = words(pkg, "IUSE")
                .unwrap_or_default()
                .into_iter()
                .map(|f| f.trim_start_matches(['+', '-']).to_owned())
                .collect();
            let enabled = EnabledFlags::of(view, pkg);
            let mut on: Vec<&str> = iuse
                .iter()
                .filter(|f| enabled.is_enabled(f))
                .map(String::as_str)
                .collect();
            let mut off: Vec<String> = iuse
                .iter()
                .filter(|f| !enabled.is_enabled(f))
                .map(|f| format!("-{f}"))
                .collect();
            on.sort();
            on.dedup();
            off.sort();
            off.dedup();
            let mut all: Vec<String> = on.into_iter().map(str::to_owned).collect();
            all.extend(off);
            all.join(" ")
        }
        // pkgcore's ConfiguredTree evaluates REQUIRED_USE with the package's USE (it is
        // one of its config_wrappables) and prints it as the other dependency-style
        // attributes (`ContainmentMatch2` prints as `flag` / `!flag`).
        "bdepend" | "depend" | "rdepend" | "pdepend" | "idepend" | "license" | "restrict"
        | "required_use" => dep_text(view, pkg, name, raw)?,
        "uris" => with_uri_lists(view, pkg, uris::uris_line)?,
        "fetchables" => with_uri_lists(view, pkg, |spec, lists| {
            let manifest = OnceCell::new();
            uris::fetchables_line(spec, lists, &|name| {
                manifest
                    .get_or_init(|| {
                        let names: Vec<&str> = spec.uris().map(|u| u.distfile()).collect();
                        manifest_checksums(pkg, &names)
                    })
                    .get(name)
                    .cloned()
                    .unwrap_or_default()
            })
        })?,
        "files" => render_files(&dep_spec(view, pkg, "files", false)?),
        // pkgcore's built packages read DISTFILES as recorded (pkgcore's own vdb writes
        // it; Portage's does not, so it is usually empty).
        "distfiles" if pkg.is_built() => pkg
            .get("DISTFILES")
            .unwrap_or("")
            .split_ascii_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        // Configured: the USE-evaluated files, each once (pkgcore's ConfiguredTree
        // `stable_unique(distfiles.evaluate_depset(use))`). Raw: pkgcore's pquery
        // evaluates the tree with no USE flag enabled and keeps duplicates.
        "distfiles" if view.domain().is_some() => {
            let spec = dep_spec(view, pkg, "files", false)?;
            let mut seen: Vec<&str> = Vec::new();
            for u in spec.uris() {
                let name = u.distfile();
                if !seen.contains(&name) {
                    seen.push(name);
                }
            }
            seen.join(" ")
        }
        "distfiles" => {
            let spec = dep_spec(view, pkg, "files", false)?;
            let nodes = depset::evaluate(depset::from_spec(&spec), &|_| false);
            let eapi = pkg.eapi().and_then(Result::ok).unwrap_or(Eapi::LATEST);
            let none = DepSpec::parse(&depset::to_text(&nodes), DepKind::SrcUri, eapi).ok()?;
            none.uris()
                .map(|u| u.distfile())
                .collect::<Vec<_>>()
                .join(" ")
        }
        "maintainers" => pkg
            .maintainers()
            .iter()
            .map(strata_repo::attrs::maintainer_string)
            .collect::<Vec<_>>()
            .join(" "),
        // pkgcore's rule (first English one, none when empty), the one -S searches too.
        "longdescription" => pkg.metadata_xml()?.longdescription()?.to_owned(),
        // The whole saved environment, as pkgcore's `text_fileobj().read()` gives it.
        "environment" => pkg
            .attr(strata_restrict::Attr::Environment)?
            .as_text()?
            .to_owned(),
        "chost" | "cbuild" | "ctarget" => {
            let key = name.to_ascii_uppercase();
            match pkg.get(&key) {
                Some(v) => v.to_owned(),
                None if pkg.path().is_some() && view.domain().is_some() && name != "ctarget" => {
                    let d = view.domain()?;
                    d.setting(&key).or_else(|| d.setting("CHOST"))?.to_owned()
                }
                None => return None,
            }
        }
        _ => return None,
    })
}

/// Lines of a dependency spec pretty-printed as pkgcore's `format_depends` does with a
/// first-line prefix of 8 spaces: `None` when the spec is empty (the attribute line ends
/// right after its label).
pub fn format_depends(
    spec: &DepSpec,
    highlight: &dyn Fn(&strata_atom::Leaf) -> bool,
) -> Vec<String> {
    format_depends_with(spec, &|l| {
        vec![if highlight(l) {
            format!("\x1b[1m\x1b[36m{l}\x1b[0m")
        } else {
            l.to_string()
        }]
    })
}

/// `-v --attr files`: the USE-evaluated SRC_URI tree with each leaf as its file name,
/// pretty-printed like the dependency attributes (pkgcore's `format_attr` for `files`).
/// `None` when the package has no SRC_URI to show (`MISSING`).
pub fn format_files(view: &View, pkg: &dyn Package) -> Option<Vec<String>> {
    let spec = dep_spec(view, pkg, "files", false)?;
    Some(format_depends_with(&spec, &|l| {
        vec![match l.as_uri() {
            Some(u) => u.distfile().to_owned(),
            None => l.to_string(),
        }]
    }))
}

/// `-v --attr uris`: the (USE-evaluated) SRC_URI tree pretty-printed like the dependency
/// attributes, each leaf as its distfile's URI list (pkgcore's `format_attr` for `uris`):
/// a single URI in place, several as an `|| (` block with one URI per line, none as
/// nothing at all. `None` when the package has no SRC_URI to show (`MISSING`).
pub fn format_uris(view: &View, pkg: &dyn Package) -> Option<Vec<String>> {
    with_uri_lists(view, pkg, |spec, lists| {
        format_depends_with(spec, &|l| match l.as_uri() {
            Some(u) => lists.uris(u.distfile()),
            None => vec![l.to_string()],
        })
    })
}

/// [`format_depends`] with each leaf written as `leaf` renders it: one string in place,
/// several as an `|| (` block of one line each (the alternatives a fetchable's URIs are),
/// none as nothing.
fn format_depends_with(
    spec: &DepSpec,
    leaf: &dyn Fn(&strata_atom::Leaf) -> Vec<String>,
) -> Vec<String> {
    struct W<'a> {
        lines: Vec<String>,
        cur: String,
        prefix: Vec<&'static str>,
        leaf: &'a dyn Fn(&strata_atom::Leaf) -> Vec<String>,
    }
    impl W<'_> {
        fn write(&mut self, s: &str) {
            if self.cur.is_empty() {
                self.cur = self.prefix.concat();
            }
            self.cur.push_str(s);
        }
        /// Ends the line; a line nothing was written on is empty (snakeoil writes the
        /// prefix with the first text of a line, not on its own).
        fn newline(&mut self) {
            self.lines.push(std::mem::take(&mut self.cur));
        }
        /// Returns whether it wrote several lines.
        fn node(&mut self, n: &DepNode) -> bool {
            let (label, children) = match n {
                DepNode::Leaf(l) => {
                    return match (self.leaf)(l).as_slice() {
                        [] => false,
                        [one] => {
                            self.write(one);
                            false
                        }
                        several => {
                            self.write("|| (");
                            self.newline();
                            self.prefix.push("    ");
                            for text in several {
                                self.write(text);
                                self.newline();
                            }
                            self.prefix.pop();
                            self.write(")");
                            true
                        }
                    };
                }
                DepNode::AnyOf(c) => ("|| (".to_owned(), c),
                DepNode::ExactlyOneOf(c) => ("^^ (".to_owned(), c),
                DepNode::AtMostOneOf(c) => ("?? (".to_owned(), c),
                DepNode::AllOf(c) => ("(".to_owned(), c),
                DepNode::Conditional(cond, c) => (format!("{cond}? ("), c),
            };
            if children.len() == 1 {
                self.write(&label);
                self.write(" ");
                self.prefix.push("    ");
                let multi = self.node(&children[0]);
                self.prefix.pop();
                if multi {
                    self.newline();
                    self.write(")");
                    true
                } else {
                    self.write(" )");
                    false
                }
            } else {
                self.write(&label);
                self.newline();
                self.prefix.push("    ");
                for c in children {
                    self.node(c);
                    self.newline();
                }
                self.prefix.pop();
                self.write(")");
                true
            }
        }
    }
    let mut w = W {
        lines: Vec::new(),
        cur: String::new(),
        prefix: vec!["        "],
        leaf,
    };
    let items = spec.items();
    for (i, n) in items.iter().enumerate() {
        w.node(n);
        if i + 1 < items.len() {
            w.newline();
        }
    }
    // pkgcore's format_attr ends the last line whatever was written on it.
    if !items.is_empty() {
        w.newline();
    }
    w.lines
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn pretty(s: &str) -> Vec<String> {
        let spec = DepSpec::parse(s, DepKind::Rdepend, Eapi::LATEST).unwrap();
        format_depends(&spec, &|_| false)
    }

    #[test]
    fn depends_pretty_printing() {
        assert!(pretty("").is_empty());
        assert_eq!(pretty("a/b"), ["        a/b"]);
        assert_eq!(pretty("ssl? ( a/b )"), ["        ssl? ( a/b )"]);
        assert_eq!(
            pretty("a/b || ( c/d e/f ) !x? ( g/h )"),
            [
                "        a/b",
                "        || (",
                "            c/d",
                "            e/f",
                "        )",
                "        !x? ( g/h )",
            ]
        );
        // A single child that needs several lines: the group closes on its own line.
        assert_eq!(
            pretty("ssl? ( || ( a/b c/d ) )"),
            [
                "        ssl? ( || (",
                "                a/b",
                "                c/d",
                "            )",
                "        )",
            ]
        );
        assert_eq!(
            pretty("( a/b ( c/d e/f ) )"),
            [
                "        (",
                "            a/b",
                "            (",
                "                c/d",
                "                e/f",
                "            )",
                "        )",
            ]
        );
    }

    /// `dep_text` (the rebuilt value's text) against `dep_spec` (the rebuilt value
    /// parsed again, then printed) for every GURU package, every dependency-style
    /// attribute, configured and raw: they must never differ (`None` included).
    #[test]
    fn dep_text_is_the_reparsed_spec_on_guru() {
        use strata_config::classes::builtin_registry;
        use strata_config::load::{ConfigSource, SourceArgs, SourceEnv, load_config};
        use strata_repo::domain::{DomainRepos, OpenOptions};
        use strata_repo::{MatchOptions, Repository};
        use strata_restrict::Restriction;

        let cfg = strata_testtools::write_guru_config(&[]);
        let args = SourceArgs {
            config: Some(cfg.etc_portage()),
            config_root: None,
            root: Some(cfg.path().to_path_buf()),
        };
        let source = ConfigSource::from_env_and_args(&args, &SourceEnv::default()).unwrap();
        let domain = load_config(builtin_registry(), &source)
            .unwrap()
            .domain()
            .unwrap();
        let opts = OpenOptions {
            index_dir: Some(cfg.path().join("index")),
            binary_factory: None,
        };
        let repos = DomainRepos::open(domain.clone(), &opts).unwrap();
        let configured = View {
            config: domain.clone(),
            raw: false,
            mirror_tiers: MirrorTierCache::default(),
        };
        let raw_view = View {
            config: domain,
            raw: true,
            mirror_tiers: MirrorTierCache::default(),
        };
        let (mut checked, mut rebuilt, mut evaluated) = (0, 0, 0);
        for repo in &repos.source {
            let pkgs = repo
                .itermatch(&Restriction::AlwaysTrue, &MatchOptions::default())
                .unwrap();
            for pkg in &pkgs {
                for view in [&configured, &raw_view] {
                    for name in DEP_ATTRS.iter().chain(&["license", "restrict"]) {
                        for raw in [false, true] {
                            let text = dep_text(view, pkg.as_ref(), name, raw);
                            let spec = dep_spec(view, pkg.as_ref(), name, raw);
                            assert_eq!(
                                text,
                                spec.as_ref().map(ToString::to_string),
                                "{} {name} raw={raw} configured={}",
                                pkg.cpv(),
                                view.domain().is_some()
                            );
                            checked += 1;
                            let kind = dep_kind(name).unwrap();
                            if let Ok(Some(orig)) = pkg.dep_spec(kind)
                                && text != Some(orig.to_string())
                            {
                                rebuilt += 1;
                                if view.domain().is_some() && !raw {
                                    evaluated += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        // The comparison covered values that were rebuilt and evaluated, not only ones
        // used as parsed.
        assert!(checked > 3751 * 20, "{checked}");
        assert!(rebuilt > 1000 && evaluated > 500, "{rebuilt} {evaluated}");
    }

    #[test]
    fn dep_formatted_attributes() {
        assert!(is_dep_formatted("rdepend"));
        assert!(is_dep_formatted("raw_idepend"));
        assert!(is_dep_formatted("restrict"));
        assert!(!is_dep_formatted("license"));
        assert!(!is_dep_formatted("raw_license"));
        for a in METADATA_ATTRS.iter().chain(DEP_ATTRS).chain(REVDEP_ATTRS) {
            assert!(PRINTABLE_ATTRS.contains(a), "{a}");
        }
        let mut sorted = PRINTABLE_ATTRS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, PRINTABLE_ATTRS);
    }
}
