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
    /// `-*` in a USE_EXPAND variable: disable every flag with this prefix (`video_cards_`).
    ClearPrefix(String),
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

/// Applies incremental tokens to `acc`: `-*` clears, `-X` removes X, `X` adds it once.
pub fn apply_incremental(acc: &mut Vec<String>, value: &str) {
    for tok in value.split_whitespace() {
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

/// The USE operations contributed by one layer: its `USE` tokens, then the flags made from
/// each USE_EXPAND variable it sets (`VIDEO_CARDS="-* radeon"` → clear `video_cards_*`,
/// enable `video_cards_radeon`), then unprefixed USE_EXPAND values (`ARCH="amd64"` →
/// `amd64`).
pub fn layer_use_ops(
    layer: &Layer,
    use_expand: &[String],
    unprefixed: &[String],
) -> Vec<(UseOp, Location)> {
    let mut out = Vec::new();
    if let Some((v, loc)) = layer.vars.get("USE") {
        for tok in v.split_whitespace() {
            out.push((use_op(tok), loc.clone()));
        }
    }
    for var in use_expand {
        let Some((v, loc)) = layer.vars.get(var) else {
            continue;
        };
        let prefix = format!("{}_", var.to_lowercase());
        for tok in v.split_whitespace() {
            let op = if tok == "-*" {
                UseOp::ClearPrefix(prefix.clone())
            } else if let Some(rest) = tok.strip_prefix('-') {
                UseOp::Disable(format!("{prefix}{rest}"))
            } else {
                UseOp::Enable(format!("{prefix}{tok}"))
            };
            out.push((op, loc.clone()));
        }
    }
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
    out
}

/// The operation of one USE token.
pub fn use_op(tok: &str) -> UseOp {
    if tok == "-*" {
        UseOp::ClearAll
    } else if let Some(rest) = tok.strip_prefix('-') {
        UseOp::Disable(rest.to_string())
    } else {
        UseOp::Enable(tok.to_string())
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
                ("USE", "x -y"),
                ("VIDEO_CARDS", "-* radeon"),
                ("ARCH", "amd64"),
            ],
        );
        let ops: Vec<UseOp> = layer_use_ops(&l, &["VIDEO_CARDS".into()], &["ARCH".into()])
            .into_iter()
            .map(|(o, _)| o)
            .collect();
        assert_eq!(
            ops,
            vec![
                UseOp::Enable("x".into()),
                UseOp::Disable("y".into()),
                UseOp::ClearPrefix("video_cards_".into()),
                UseOp::Enable("video_cards_radeon".into()),
                UseOp::Enable("amd64".into()),
            ]
        );
    }
}
