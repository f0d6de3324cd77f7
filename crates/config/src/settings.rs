//! Settings stacked from layers (built-in defaults, profile `make.defaults`, `make.conf`,
//! explicit overrides), with Portage's incremental variables (formats.md §9.1, §9.4).

use indexmap::IndexMap;

use crate::error::Location;

/// Variables that stack incrementally (Portage `const.INCREMENTALS`). USE_EXPAND variables
/// (e.g. `VIDEO_CARDS`) stack this way too.
pub const INCREMENTALS: &[&str] = &[
    "ACCEPT_KEYWORDS",
    "CONFIG_PROTECT",
    "CONFIG_PROTECT_MASK",
    "ENV_UNSET",
    "FEATURES",
    "IUSE_IMPLICIT",
    "PROFILE_ONLY_VARIABLES",
    "USE",
    "USE_EXPAND",
    "USE_EXPAND_HIDDEN",
    "USE_EXPAND_IMPLICIT",
    "USE_EXPAND_UNPREFIXED",
];

/// Variables whose token lists are concatenated across layers and evaluated later, left to
/// right, because their tokens need context (`@GROUP`, `-*`).
pub const ACCUMULATED: &[&str] = &["ACCEPT_LICENSE", "ACCEPT_PROPERTIES", "ACCEPT_RESTRICT"];

/// Portage's built-in defaults (`make.globals`), the lowest layer.
pub const MAKE_GLOBALS: &[(&str, &str)] = &[
    ("ACCEPT_PROPERTIES", "*"),
    ("ACCEPT_RESTRICT", "*"),
    ("BINPKG_COMPRESS", "zstd"),
    ("BINPKG_FORMAT", "gpkg"),
    ("CONFIG_PROTECT", "/etc"),
    ("CONFIG_PROTECT_MASK", "/etc/env.d"),
    ("DISTDIR", "/var/cache/distfiles"),
    (
        "FEATURES",
        "assume-digests binpkg-docompress binpkg-dostrip binpkg-logs config-protect-if-modified distlocks ebuild-locks fixlafiles ipc-sandbox merge-sync multilib-strict network-sandbox news parallel-fetch pid-sandbox preserve-libs protect-owned qa-unresolved-soname-deps sandbox sfperms strict unknown-features-warn unmerge-logs unmerge-orphans userfetch userpriv usersandbox usersync",
    ),
    (
        "FETCHCOMMAND",
        "wget -t 3 -T 60 --passive-ftp -O \"${DISTDIR}/${FILE}\" \"${URI}\"",
    ),
    ("GENTOO_MIRRORS", "http://distfiles.gentoo.org"),
    ("PKGDIR", "/var/cache/binpkgs"),
    ("PORTAGE_TMPDIR", "/var/tmp"),
    (
        "RESUMECOMMAND",
        "wget -c -t 3 -T 60 --passive-ftp -O \"${DISTDIR}/${FILE}\" \"${URI}\"",
    ),
];

/// One layer of settings: variables from one source, with where each was set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layer {
    /// What the layer is (`make.globals`, a profile directory, `make.conf`, ...).
    pub name: String,
    /// Variables in assignment order; the last assignment of a name wins.
    pub vars: IndexMap<String, (String, Location)>,
}

impl Layer {
    /// An empty layer called `name`.
    pub fn new(name: impl Into<String>) -> Layer {
        Layer {
            name: name.into(),
            vars: IndexMap::new(),
        }
    }

    /// Sets `var` to `value` (set at `location`).
    pub fn set(&mut self, var: impl Into<String>, value: impl Into<String>, location: Location) {
        self.vars.insert(var.into(), (value.into(), location));
    }

    /// The built-in `make.globals` layer.
    pub fn make_globals() -> Layer {
        let mut l = Layer::new("make.globals");
        for (k, v) in MAKE_GLOBALS {
            l.set(*k, *v, Location::builtin());
        }
        l
    }
}

/// One operation on the USE set, from a USE (or USE_EXPAND) token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UseOp {
    /// `flag`: enable.
    Enable(String),
    /// `-flag`: disable.
    Disable(String),
    /// `-*` in USE: disable everything so far.
    ClearAll,
    /// `-*` in a USE_EXPAND variable (or `-video_cards_*` in USE): disable every flag with
    /// this prefix (`video_cards_`).
    ClearPrefix(String),
    /// `video_cards_*` in USE: enable every flag of the package's IUSE with this prefix.
    EnablePrefix(String),
}

/// A stacked variable: its final value and where it was last set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The final value (for incrementals: the surviving tokens joined by spaces).
    pub value: String,
    /// Where the value was last set or changed.
    pub location: Location,
}

/// The result of stacking layers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Every variable with its final value.
    pub values: IndexMap<String, Setting>,
}

impl Settings {
    /// The final value of `var`.
    pub fn get(&self, var: &str) -> Option<&str> {
        self.values.get(var).map(|s| s.value.as_str())
    }

    /// The whitespace-separated tokens of `var`.
    pub fn tokens(&self, var: &str) -> Vec<String> {
        self.get(var)
            .map(|v| v.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default()
    }
}

/// Applies the incremental tokens of `value` (whitespace-separated) to `acc`: `-*` clears,
/// `-X` removes X, `X` adds it once.
pub fn apply_incremental(acc: &mut Vec<String>, value: &str) {
    apply_incremental_tokens(acc, value.split_whitespace());
}

/// Applies incremental tokens to `acc`: `-*` clears, `-X` removes X, `X` adds it once.
pub fn apply_incremental_tokens<'a>(
    acc: &mut Vec<String>,
    tokens: impl IntoIterator<Item = &'a str>,
) {
    for tok in tokens {
        if tok == "-*" {
            acc.clear();
        } else if let Some(rest) = tok.strip_prefix('-') {
            acc.retain(|t| t != rest);
        } else if !acc.iter().any(|t| t == tok) {
            acc.push(tok.to_string());
        }
    }
}

/// Stacks `layers` (lowest priority first).
///
/// Incremental variables ([`INCREMENTALS`] and every variable named in the stacked
/// `USE_EXPAND`) accumulate tokens; [`ACCUMULATED`] variables concatenate their raw tokens;
/// any other variable is overridden by the last layer that sets it.
pub fn stack(layers: &[Layer]) -> Settings {
    // USE_EXPAND itself is incremental; find its final value first.
    let mut use_expand = Vec::new();
    for layer in layers {
        if let Some((v, _)) = layer.vars.get("USE_EXPAND") {
            apply_incremental(&mut use_expand, v);
        }
    }
    let is_incremental = |k: &str| INCREMENTALS.contains(&k) || use_expand.iter().any(|u| u == k);
    let mut values: IndexMap<String, Setting> = IndexMap::new();
    let mut incr: IndexMap<String, Vec<String>> = IndexMap::new();
    for layer in layers {
        for (k, (v, loc)) in &layer.vars {
            if is_incremental(k) {
                let acc = incr.entry(k.clone()).or_default();
                apply_incremental(acc, v);
                values.insert(
                    k.clone(),
                    Setting {
                        value: acc.join(" "),
                        location: loc.clone(),
                    },
                );
            } else if ACCUMULATED.contains(&k.as_str()) {
                let entry = values.entry(k.clone()).or_insert_with(|| Setting {
                    value: String::new(),
                    location: loc.clone(),
                });
                let joined: Vec<&str> = entry
                    .value
                    .split_whitespace()
                    .chain(v.split_whitespace())
                    .collect();
                entry.value = joined.join(" ");
                entry.location = loc.clone();
            } else {
                values.insert(
                    k.clone(),
                    Setting {
                        value: v.clone(),
                        location: loc.clone(),
                    },
                );
            }
        }
    }
    Settings { values }
}

/// Which kind of layer USE operations come from; USE_EXPAND variables act differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    /// A profile `make.defaults`: USE_EXPAND values stack incrementally over the parents'
    /// (`-value` removes one, `-*` clears the variable), and come before the layer's USE.
    Profile,
    /// make.conf (or another user layer): the layer's USE first; then a USE_EXPAND
    /// variable set here replaces every flag of its prefix enabled so far.
    User,
}

/// The USE operations contributed by one layer, as Portage's `config.regenerate()` computes
/// them: unprefixed USE_EXPAND values (`ARCH="amd64"` → `amd64`), then for a profile layer
/// the USE_EXPAND values (`VIDEO_CARDS="radeon"` → `video_cards_radeon`) and its USE, for a
/// user layer its USE and then the USE_EXPAND variables (each clearing its prefix first;
/// `-value` tokens are invalid there and skipped).
pub fn layer_use_ops(
    layer: &Layer,
    kind: LayerKind,
    use_expand: &[String],
    unprefixed: &[String],
) -> Vec<(UseOp, Location)> {
    let mut out = Vec::new();
    for var in unprefixed {
        let Some((v, loc)) = layer.vars.get(var) else {
            continue;
        };
        for tok in v.split_whitespace() {
            if tok != "-*" {
                out.push((use_op(tok), loc.clone()));
            }
        }
    }
    let mut expand_ops = Vec::new();
    for var in use_expand {
        let Some((v, loc)) = layer.vars.get(var) else {
            continue;
        };
        let prefix = format!("{}_", var.to_lowercase());
        if kind == LayerKind::User {
            expand_ops.push((UseOp::ClearPrefix(prefix.clone()), loc.clone()));
        }
        for tok in v.split_whitespace() {
            let tok = tok.strip_prefix('+').unwrap_or(tok);
            let op = match tok.strip_prefix('-') {
                Some(_) if kind == LayerKind::User => continue,
                Some("*") => UseOp::ClearPrefix(prefix.clone()),
                Some(rest) => UseOp::Disable(format!("{prefix}{rest}")),
                None => UseOp::Enable(format!("{prefix}{tok}")),
            };
            expand_ops.push((op, loc.clone()));
        }
    }
    let use_ops = layer.vars.get("USE").map(|(v, loc)| {
        v.split_whitespace()
            .map(|tok| (use_op(tok), loc.clone()))
            .collect::<Vec<_>>()
    });
    match kind {
        LayerKind::Profile => {
            out.extend(expand_ops);
            out.extend(use_ops.into_iter().flatten());
        }
        LayerKind::User => {
            out.extend(use_ops.into_iter().flatten());
            out.extend(expand_ops);
        }
    }
    out
}

/// The operation of one USE token: `-*` clears everything, `-prefix_*` clears a
/// USE_EXPAND prefix, `prefix_*` enables every flag of that prefix in IUSE, `-flag`
/// disables, `flag` (or Portage's tolerated `+flag`) enables.
pub fn use_op(tok: &str) -> UseOp {
    let tok = tok.strip_prefix('+').unwrap_or(tok);
    if tok == "-*" {
        UseOp::ClearAll
    } else if let Some(rest) = tok.strip_prefix('-') {
        match rest.strip_suffix('*') {
            Some(prefix) if prefix.ends_with('_') => UseOp::ClearPrefix(prefix.to_string()),
            _ => UseOp::Disable(rest.to_string()),
        }
    } else {
        match tok.strip_suffix('*') {
            Some(prefix) if prefix.ends_with('_') => UseOp::EnablePrefix(prefix.to_string()),
            _ => UseOp::Enable(tok.to_string()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn layer(name: &str, vars: &[(&str, &str)]) -> Layer {
        let mut l = Layer::new(name);
        for (k, v) in vars {
            l.set(*k, *v, Location::new(name, 1));
        }
        l
    }

    #[test]
    fn incremental_and_override() {
        let s = stack(&[
            layer(
                "a",
                &[
                    ("USE", "a b c"),
                    ("CHOST", "x"),
                    ("USE_EXPAND", "VIDEO_CARDS"),
                ],
            ),
            layer(
                "b",
                &[("USE", "-b d"), ("CHOST", "y"), ("VIDEO_CARDS", "intel")],
            ),
            layer(
                "c",
                &[
                    ("USE", "-* e"),
                    ("VIDEO_CARDS", "radeon"),
                    ("ACCEPT_LICENSE", "-* @FREE"),
                ],
            ),
            layer("d", &[("ACCEPT_LICENSE", "foo")]),
        ]);
        assert_eq!(s.get("USE"), Some("e"));
        assert_eq!(s.get("CHOST"), Some("y"));
        assert_eq!(s.get("VIDEO_CARDS"), Some("intel radeon"));
        assert_eq!(s.get("ACCEPT_LICENSE"), Some("-* @FREE foo"));
        assert_eq!(s.values["USE"].location, Location::new("c", 1));
    }

    #[test]
    fn use_expand_ops() {
        let l = layer(
            "a",
            &[
                ("USE", "x -y -video_cards_*"),
                ("VIDEO_CARDS", "-* radeon -intel"),
                ("ARCH", "amd64"),
            ],
        );
        let ops = |kind| -> Vec<UseOp> {
            layer_use_ops(&l, kind, &["VIDEO_CARDS".into()], &["ARCH".into()])
                .into_iter()
                .map(|(o, _)| o)
                .collect()
        };
        let prefix = || UseOp::ClearPrefix("video_cards_".into());
        assert_eq!(
            ops(LayerKind::Profile),
            vec![
                UseOp::Enable("amd64".into()),
                prefix(),
                UseOp::Enable("video_cards_radeon".into()),
                UseOp::Disable("video_cards_intel".into()),
                UseOp::Enable("x".into()),
                UseOp::Disable("y".into()),
                prefix(),
            ]
        );
        assert_eq!(
            ops(LayerKind::User),
            vec![
                UseOp::Enable("amd64".into()),
                UseOp::Enable("x".into()),
                UseOp::Disable("y".into()),
                prefix(),
                prefix(),
                UseOp::Enable("video_cards_radeon".into()),
            ]
        );
        assert_eq!(use_op("l10n_*"), UseOp::EnablePrefix("l10n_".into()));
        assert_eq!(use_op("+foo"), UseOp::Enable("foo".into()));
    }
}
