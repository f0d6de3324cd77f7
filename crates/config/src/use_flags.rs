//! Effective USE of a package in a domain, with where each flag's state comes from.
//!
//! Lowest to highest: IUSE defaults (`+flag`), profile `make.defaults` USE (with USE_EXPAND
//! and ARCH), `use.stable` (EAPI 9, stable installs), make.conf USE, then `package.use` entries (repository level, profile, user,
//! in that order); finally forced flags are on and masked flags are off, mask winning over
//! force (PMS algorithm 5.1, with `use.stable.*` variants for stable-keyword installs).

use indexmap::IndexMap;

use crate::domain::{Domain, FlagEntry, PackageInfo};
use crate::entry_index::Indexed;
use crate::error::Location;
use crate::settings::UseOp;

/// Why a flag has its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UseSource {
    /// Nothing set it: off.
    Default,
    /// The IUSE default (`+flag`).
    IuseDefault,
    /// A USE setting (profile make.defaults or make.conf) at this place.
    Setting(Location),
    /// A `package.use` entry at this place.
    PackageUse(Location),
    /// Forced on by `use.force` / `package.use.force` at this place.
    Forced(Location),
    /// Masked (off) by `use.mask` / `package.use.mask` at this place.
    Masked(Location),
}

/// The state of one flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagState {
    /// Whether it is enabled.
    pub enabled: bool,
    /// Why.
    pub source: UseSource,
}

/// The effective USE configuration of one package: every IUSE flag's state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UseConfig {
    /// Flags (IUSE order) with their states.
    pub flags: IndexMap<String, FlagState>,
}

impl UseConfig {
    /// The enabled flags.
    pub fn enabled(&self) -> impl Iterator<Item = &str> {
        self.flags
            .iter()
            .filter(|(_, s)| s.enabled)
            .map(|(f, _)| f.as_str())
    }

    /// Whether `flag` is enabled.
    pub fn is_enabled(&self, flag: &str) -> bool {
        self.flags.get(flag).is_some_and(|s| s.enabled)
    }

    /// Whether `flag` is masked.
    pub fn is_masked(&self, flag: &str) -> bool {
        self.flags
            .get(flag)
            .is_some_and(|s| matches!(s.source, UseSource::Masked(_)))
    }

    /// Whether `flag` is forced.
    pub fn is_forced(&self, flag: &str) -> bool {
        self.flags
            .get(flag)
            .is_some_and(|s| matches!(s.source, UseSource::Forced(_)))
    }
}

fn apply(flags: &mut IndexMap<String, FlagState>, op: &UseOp, source: impl Fn() -> UseSource) {
    match op {
        UseOp::Enable(f) | UseOp::Disable(f) => {
            if let Some(s) = flags.get_mut(f) {
                s.enabled = matches!(op, UseOp::Enable(_));
                s.source = source();
            }
        }
        UseOp::ClearAll => {
            for s in flags.values_mut() {
                s.enabled = false;
                s.source = source();
            }
        }
        UseOp::ClearPrefix(p) | UseOp::EnablePrefix(p) => {
            let on = matches!(op, UseOp::EnablePrefix(_));
            for (f, s) in flags.iter_mut() {
                if f.starts_with(p.as_str()) {
                    s.enabled = on;
                    s.source = source();
                }
            }
        }
    }
}

impl Domain {
    /// Whether `pkg` would be installed through a stable keyword: one of its stable
    /// KEYWORDS is accepted (`use.stable.*` files then apply).
    pub fn is_stable_install(&self, pkg: &PackageInfo<'_>) -> bool {
        self.with_keywords(pkg, |keywords, accepted| {
            let stable: Vec<&str> = keywords
                .iter()
                .copied()
                .filter(|k| !k.starts_with('~') && !k.starts_with('-'))
                .collect();
            crate::keywords::keywords_accepted(&stable, accepted)
        })
    }

    /// The effective USE of `pkg` for the flags of its IUSE.
    pub fn effective_use(&self, pkg: &PackageInfo<'_>) -> UseConfig {
        let mut flags: IndexMap<String, FlagState> = IndexMap::new();
        for f in pkg.iuse.split_whitespace() {
            let (name, on) = match f.strip_prefix('+') {
                Some(n) => (n, true),
                None => (f.trim_start_matches('-'), false),
            };
            flags.insert(
                name.to_string(),
                FlagState {
                    enabled: on,
                    source: if on {
                        UseSource::IuseDefault
                    } else {
                        UseSource::Default
                    },
                },
            );
        }
        let stable = self.is_stable_install(pkg);
        for (op, loc) in &self.profile_use {
            apply(&mut flags, op, || UseSource::Setting(loc.clone()));
        }
        // EAPI 9 `use.stable`: profile-level USE for stable installs, below make.conf.
        for (flag, (on, loc)) in self.flag_ops(&self.stable_use, pkg, stable) {
            if let Some(s) = flags.get_mut(flag) {
                s.enabled = on;
                s.source = UseSource::Setting(loc.clone());
            }
        }
        for (op, loc) in &self.conf_use {
            apply(&mut flags, op, || UseSource::Setting(loc.clone()));
        }
        for e in self.package_use.for_package(pkg.cpv.cp()) {
            if e.data.stable_only && !stable {
                continue;
            }
            if self.scope_applies(&e.repo_scope, pkg.repo) && e.spec.matches_package(pkg) {
                for op in &e.data.ops {
                    apply(&mut flags, op, || UseSource::PackageUse(e.location.clone()));
                }
            }
        }
        let forced = self.flag_states(&self.use_force, pkg, stable);
        let masked = self.flag_states(&self.use_mask, pkg, stable);
        for (f, loc) in forced {
            if let Some(s) = flags.get_mut(f) {
                s.enabled = true;
                s.source = UseSource::Forced(loc.clone());
            }
        }
        for (f, loc) in masked {
            if let Some(s) = flags.get_mut(f) {
                s.enabled = false;
                s.source = UseSource::Masked(loc.clone());
            }
        }
        UseConfig { flags }
    }

    /// The flags set (not cleared) by `entries` for `pkg`, with the entry that set each.
    fn flag_states<'a>(
        &'a self,
        entries: &'a Indexed<FlagEntry>,
        pkg: &PackageInfo<'_>,
        stable: bool,
    ) -> impl Iterator<Item = (&'a str, &'a Location)> {
        self.flag_ops(entries, pkg, stable)
            .into_iter()
            .filter(|(_, (set, _))| *set)
            .map(|(f, (_, loc))| (f, loc))
    }

    /// The last state (`flag` = true, `-flag` = false) `entries` give each flag for `pkg`.
    fn flag_ops<'a>(
        &'a self,
        entries: &'a Indexed<FlagEntry>,
        pkg: &PackageInfo<'_>,
        stable: bool,
    ) -> IndexMap<&'a str, (bool, &'a Location)> {
        let mut out: IndexMap<&str, (bool, &Location)> = IndexMap::new();
        for e in entries.for_package(pkg.cpv.cp()) {
            if e.stable_only && !stable {
                continue;
            }
            if !self.scope_applies(&e.repo_scope, pkg.repo) {
                continue;
            }
            if let Some(spec) = &e.spec
                && !spec.matches_package(pkg)
            {
                continue;
            }
            for (flag, set) in &e.flags {
                out.insert(flag.as_str(), (*set, &e.location));
            }
        }
        out
    }
}
