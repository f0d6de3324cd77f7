//! License groups (`profiles/license_groups`, with `@GROUP` nesting) and the evaluation of
//! `ACCEPT_LICENSE`-style token lists and `LICENSE` expressions (formats.md §9.5).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use crate::error::{ConfigError, Location, Warning};
use crate::linefile::read_lines;

/// License groups: group name to members (license names and `@GROUP` references).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LicenseGroups {
    groups: HashMap<String, Vec<String>>,
}

impl LicenseGroups {
    /// Adds the groups defined in `path` (a `license_groups` file); a later definition of a
    /// group adds to the earlier one (masters first, then the repository).
    pub fn read(&mut self, path: &Path) -> Result<(), ConfigError> {
        for line in read_lines(path)? {
            let mut it = line.tokens.into_iter();
            if let Some(name) = it.next() {
                self.groups.entry(name).or_default().extend(it);
            }
        }
        Ok(())
    }

    /// Defines (or extends) a group.
    pub fn add(&mut self, group: &str, members: &[&str]) {
        self.groups
            .entry(group.to_string())
            .or_default()
            .extend(members.iter().map(|m| m.to_string()));
    }

    /// Whether `group` is defined.
    pub fn contains(&self, group: &str) -> bool {
        self.groups.contains_key(group)
    }

    /// The licenses in `group`, nested groups expanded. Unknown groups and cycles are
    /// reported as warnings at `at`.
    pub fn expand(
        &self,
        group: &str,
        at: &Location,
        warnings: &mut Vec<Warning>,
    ) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        let mut stack = Vec::new();
        self.expand_into(group, at, warnings, &mut stack, &mut out);
        out
    }

    fn expand_into(
        &self,
        group: &str,
        at: &Location,
        warnings: &mut Vec<Warning>,
        stack: &mut Vec<String>,
        out: &mut BTreeSet<String>,
    ) {
        if stack.iter().any(|g| g == group) {
            warnings.push(Warning::new(
                at.clone(),
                format!("license group cycle: {} -> {group}", stack.join(" -> ")),
            ));
            return;
        }
        let Some(members) = self.groups.get(group) else {
            warnings.push(Warning::new(
                at.clone(),
                format!("unknown license group @{group}"),
            ));
            return;
        };
        stack.push(group.to_string());
        for m in members {
            match m.strip_prefix('@') {
                Some(g) => self.expand_into(g, at, warnings, stack, out),
                None => {
                    out.insert(m.clone());
                }
            }
        }
        stack.pop();
    }
}

/// An evaluated accept list (`ACCEPT_LICENSE`, `ACCEPT_PROPERTIES`, ...): everything
/// (`*`) minus some names, or exactly some names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcceptSet {
    /// `*` then removals.
    AllExcept(BTreeSet<String>),
    /// Only these.
    Only(BTreeSet<String>),
}

impl Default for AcceptSet {
    fn default() -> Self {
        AcceptSet::Only(BTreeSet::new())
    }
}

impl AcceptSet {
    /// Applies tokens left to right: `*` = all, `-*` = none, `@G` = add group G, `-@G` =
    /// remove it, `X` / `-X` = add / remove one name.
    pub fn apply(
        &mut self,
        tokens: &[(String, Location)],
        groups: &LicenseGroups,
        warnings: &mut Vec<Warning>,
    ) {
        for (tok, loc) in tokens {
            let (neg, name) = match tok.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, tok.as_str()),
            };
            let names: BTreeSet<String> = if name == "*" {
                *self = if neg {
                    AcceptSet::Only(BTreeSet::new())
                } else {
                    AcceptSet::AllExcept(BTreeSet::new())
                };
                continue;
            } else if let Some(g) = name.strip_prefix('@') {
                groups.expand(g, loc, warnings)
            } else {
                BTreeSet::from([name.to_string()])
            };
            match (self as &mut AcceptSet, neg) {
                (AcceptSet::AllExcept(ex), false) => ex.retain(|x| !names.contains(x)),
                (AcceptSet::AllExcept(ex), true) => ex.extend(names),
                (AcceptSet::Only(s), false) => s.extend(names),
                (AcceptSet::Only(s), true) => s.retain(|x| !names.contains(x)),
            }
        }
    }

    /// Whether `name` is accepted.
    pub fn accepts(&self, name: &str) -> bool {
        match self {
            AcceptSet::AllExcept(ex) => !ex.contains(name),
            AcceptSet::Only(s) => s.contains(name),
        }
    }
}

/// The licenses of a `LICENSE` expression that keep it from being accepted, with USE
/// conditionals (`flag? ( ... )`, `!flag? ( ... )`) evaluated against `use_enabled`.
/// For an `||` group none of whose alternatives is accepted, every alternative is listed.
/// Returns an error message for a malformed expression.
pub fn unaccepted_licenses(
    expr: &str,
    accept: &AcceptSet,
    use_enabled: &dyn Fn(&str) -> bool,
) -> Result<Vec<String>, String> {
    let tokens: Vec<&str> = expr.split_whitespace().collect();
    let mut pos = 0;
    let mut missing = Vec::new();
    let ok = eval_all(&tokens, &mut pos, accept, use_enabled, &mut missing, false)?;
    if pos != tokens.len() {
        return Err(format!("unexpected {:?}", tokens[pos]));
    }
    if ok {
        missing.clear();
    }
    missing.dedup();
    Ok(missing)
}

/// Evaluates an all-of sequence until `)` (if `nested`) or the end.
fn eval_all(
    t: &[&str],
    pos: &mut usize,
    accept: &AcceptSet,
    use_enabled: &dyn Fn(&str) -> bool,
    missing: &mut Vec<String>,
    nested: bool,
) -> Result<bool, String> {
    let mut ok = true;
    while *pos < t.len() {
        let tok = t[*pos];
        if tok == ")" {
            if !nested {
                return Err("unbalanced `)`".into());
            }
            *pos += 1;
            return Ok(ok);
        }
        ok &= eval_one(t, pos, accept, use_enabled, missing)?.unwrap_or(true);
    }
    if nested {
        return Err("missing `)`".into());
    }
    Ok(ok)
}

fn expect_open(t: &[&str], pos: &mut usize) -> Result<(), String> {
    if t.get(*pos) == Some(&"(") {
        *pos += 1;
        Ok(())
    } else {
        Err(format!("expected `(` after {:?}", t[*pos - 1]))
    }
}

/// Evaluates one element; `None` when it is a USE-conditional group whose condition does
/// not hold (the group vanishes).
fn eval_one(
    t: &[&str],
    pos: &mut usize,
    accept: &AcceptSet,
    use_enabled: &dyn Fn(&str) -> bool,
    missing: &mut Vec<String>,
) -> Result<Option<bool>, String> {
    let tok = t[*pos];
    *pos += 1;
    if tok == "(" {
        return eval_all(t, pos, accept, use_enabled, missing, true).map(Some);
    }
    if tok == "||" {
        expect_open(t, pos)?;
        let mut any = false;
        let mut present = false;
        let mut alt_missing = Vec::new();
        while *pos < t.len() && t[*pos] != ")" {
            let mut m = Vec::new();
            match eval_one(t, pos, accept, use_enabled, &mut m)? {
                Some(true) => {
                    any = true;
                    present = true;
                }
                Some(false) => present = true,
                None => {}
            }
            alt_missing.extend(m);
        }
        if *pos >= t.len() {
            return Err("missing `)`".into());
        }
        *pos += 1;
        // An `||` group whose alternatives all vanished is satisfied.
        let ok = any || !present;
        if !ok {
            missing.extend(alt_missing);
        }
        return Ok(Some(ok));
    }
    if let Some(cond) = tok.strip_suffix('?') {
        let (neg, flag) = match cond.strip_prefix('!') {
            Some(f) => (true, f),
            None => (false, cond),
        };
        expect_open(t, pos)?;
        let mut m = Vec::new();
        let ok = eval_all(t, pos, accept, use_enabled, &mut m, true)?;
        if use_enabled(flag) != neg {
            missing.extend(m);
            return Ok(Some(ok));
        }
        return Ok(None);
    }
    if tok == ")" {
        return Err("unexpected `)`".into());
    }
    if accept.accepts(tok) {
        Ok(Some(true))
    } else {
        missing.push(tok.to_string());
        Ok(Some(false))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<(String, Location)> {
        s.split_whitespace()
            .map(|t| (t.to_string(), Location::new("make.conf", 1)))
            .collect()
    }

    #[test]
    fn groups_nest_and_negate() {
        let mut g = LicenseGroups::default();
        g.add("FREE", &["@FREE-SOFTWARE", "CC0-1.0"]);
        g.add("FREE-SOFTWARE", &["@GPL-COMPATIBLE", "MIT"]);
        g.add("GPL-COMPATIBLE", &["GPL-2", "LGPL-2.1"]);
        g.add("LOOP", &["@LOOP"]);
        let mut w = Vec::new();
        let mut a = AcceptSet::default();
        a.apply(
            &toks("-* @FREE -@GPL-COMPATIBLE GPL-2 -CC0-1.0"),
            &g,
            &mut w,
        );
        assert!(a.accepts("MIT") && a.accepts("GPL-2"));
        assert!(!a.accepts("LGPL-2.1") && !a.accepts("CC0-1.0") && !a.accepts("EULA"));
        let mut b = AcceptSet::default();
        b.apply(&toks("* -@FREE @NOPE @LOOP"), &g, &mut w);
        assert!(b.accepts("EULA") && !b.accepts("MIT"));
        assert_eq!(w.len(), 2, "{w:?}");
    }

    #[test]
    fn license_expressions() {
        let a = AcceptSet::Only(["MIT".to_string(), "GPL-2".to_string()].into());
        let on = |f: &str| f == "doc";
        assert_eq!(
            unaccepted_licenses("MIT GPL-2", &a, &on).unwrap(),
            Vec::<String>::new()
        );
        assert_eq!(unaccepted_licenses("MIT EULA", &a, &on).unwrap(), ["EULA"]);
        assert!(
            unaccepted_licenses("|| ( EULA MIT )", &a, &on)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            unaccepted_licenses("|| ( EULA BSD )", &a, &on).unwrap(),
            ["EULA", "BSD"]
        );
        assert_eq!(
            unaccepted_licenses("doc? ( FDL ) !doc? ( X )", &a, &on).unwrap(),
            ["FDL"]
        );
        assert_eq!(
            unaccepted_licenses("|| ( !doc? ( MIT ) EULA )", &a, &on).unwrap(),
            ["EULA"]
        );
        assert!(unaccepted_licenses("|| ( MIT", &a, &on).is_err());
        assert!(unaccepted_licenses("MIT )", &a, &on).is_err());
    }
}
