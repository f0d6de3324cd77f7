//! pkgcore's extended target syntax (`pquery`/`pmerge` targets) parsed into restrictions.
//!
//! | target | meaning |
//! |---|---|
//! | `*`, `*/*` | every package |
//! | `dev-*/*` | every package in a category matching `dev-*` |
//! | `dev-*`, `pkg*`, `*pkg`, `portage` | package names (any category) |
//! | `*-apps/portage*` | category glob and package glob |
//! | `>=portage-2.1` | a versioned atom without category: any category |
//! | `>=*/alsa-*-1.1.7` | a version restriction on globbed names (not `=V*`; a category is needed) |
//! | `=*/*-*9999*` | Portage's wildcard version: the version contains `9999` |
//! | `dev-qt/*:5`, `boost:0/1.60`, `cat/pkg:5*` | slot and sub-slot (globs allowed) |
//! | `foo*::gentoo`, `cat/pkg::repo` | repository (globs allowed) |
//! | `dev-lang/python[ssl]`, `python[-doc]` | USE dependencies |
//! | any full atom | as [`Restriction::from_atom`], latest EAPI, `::repo` allowed |
//!
//! Globs use `*` only, over the characters `[A-Za-z0-9_+.-]`; `**` is rejected, and so is
//! `!` anywhere (blockers make no sense as a query). Errors carry the byte position.
//!
//! This follows pkgcore's `parserestrict.parse_match`, minus its quirks: its glob
//! character class `[\w+-.]` also lets `,` through, and it reads `foo:1[bar]` as slot
//! `1[bar]`; here USE dependencies are separated first.

use std::borrow::Cow;

use strata_atom::ParseError;
use strata_atom::atom::Atom;
use strata_atom::name::{validate_category, validate_package, validate_repository, validate_slot};
use strata_atom::version::is_valid_version;

use crate::atom_restrict::{parse_atom_ext, use_restriction};
use crate::attr::Attr;
use crate::restriction::Restriction;
use crate::value::{StrMatch, StrMatchKind, ValueRestriction};

/// Why a target does not parse. Positions are byte offsets into `input`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TargetError {
    /// The target is empty (or only whitespace).
    #[error("invalid target {input:?}: empty target")]
    Empty {
        /// The whole target.
        input: String,
    },
    /// `!` appears: blockers make no sense as a query.
    #[error("invalid target {input:?}: '!' (a blocker) makes no sense in a target (at {pos})")]
    Blocker {
        /// The whole target.
        input: String,
        /// Where the `!` is.
        pos: usize,
    },
    /// `**` appears.
    #[error("invalid target {input:?}: '**' is not a valid glob (at {pos})")]
    DoubleStar {
        /// The whole target.
        input: String,
        /// Where the `**` starts.
        pos: usize,
    },
    /// A globbed part has a character globs do not allow.
    #[error(
        "invalid target {input:?}: invalid character {ch:?} in a glob, which allows only [A-Za-z0-9_+.-] and '*' (at {pos})"
    )]
    GlobChar {
        /// The whole target.
        input: String,
        /// Where the character is.
        pos: usize,
        /// The character.
        ch: char,
    },
    /// The target is malformed in some other way.
    #[error("invalid target {input:?}: {reason} (at {pos})")]
    Invalid {
        /// The whole target.
        input: String,
        /// Where the problem is.
        pos: usize,
        /// What is wrong.
        reason: Cow<'static, str>,
    },
    /// A part that must be an atom, name or version does not parse.
    #[error("invalid target {input:?}: {reason} (at {pos})")]
    Syntax {
        /// The whole target.
        input: String,
        /// Where the problem is, in `input`.
        pos: usize,
        /// What is wrong (from `source`, without its own input and position).
        reason: String,
        /// The underlying error (its position is relative to the text it was given).
        #[source]
        source: ParseError,
    },
}

impl TargetError {
    /// The byte position of the problem in the target, when there is one.
    pub fn position(&self) -> Option<usize> {
        match self {
            TargetError::Empty { .. } => None,
            TargetError::Blocker { pos, .. }
            | TargetError::DoubleStar { pos, .. }
            | TargetError::GlobChar { pos, .. }
            | TargetError::Invalid { pos, .. }
            | TargetError::Syntax { pos, .. } => Some(*pos),
        }
    }

    /// The target that failed.
    pub fn input(&self) -> &str {
        match self {
            TargetError::Empty { input }
            | TargetError::Blocker { input, .. }
            | TargetError::DoubleStar { input, .. }
            | TargetError::GlobChar { input, .. }
            | TargetError::Invalid { input, .. }
            | TargetError::Syntax { input, .. } => input,
        }
    }
}

/// A piece of the target and where it starts in the input.
#[derive(Clone, Copy)]
struct Part<'a> {
    text: &'a str,
    at: usize,
}

struct Parser<'a> {
    input: &'a str,
}

impl<'a> Parser<'a> {
    fn invalid(&self, pos: usize, reason: impl Into<Cow<'static, str>>) -> TargetError {
        TargetError::Invalid {
            input: self.input.to_owned(),
            pos,
            reason: reason.into(),
        }
    }

    /// Wraps an error about `part` (whose positions are relative to `part`).
    fn syntax(&self, part_at: usize, e: ParseError) -> TargetError {
        let pos = part_at + e.position().unwrap_or(0);
        syntax_error(self.input, pos, e)
    }

    /// Checks a globbed part's characters.
    fn check_glob(&self, p: Part<'_>) -> Result<(), TargetError> {
        if let Some((i, ch)) = p
            .text
            .char_indices()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || "_+.-*".contains(c)))
        {
            return Err(TargetError::GlobChar {
                input: self.input.to_owned(),
                pos: p.at + i,
                ch,
            });
        }
        Ok(())
    }

    /// A name part (category, package, slot, sub-slot, repository): a glob when it has
    /// a `*`, otherwise an exact name checked by `validate`. `None` means "anything".
    fn name(
        &self,
        p: Part<'_>,
        what: &str,
        validate: fn(&str) -> Result<(), ParseError>,
    ) -> Result<Option<ValueRestriction>, TargetError> {
        if p.text.is_empty() {
            return Err(self.invalid(p.at, format!("empty {what}")));
        }
        if p.text.contains('*') {
            self.check_glob(p)?;
            if p.text.bytes().all(|b| b == b'*') {
                return Ok(None);
            }
            return Ok(Some(ValueRestriction::glob(p.text)));
        }
        validate(p.text).map_err(|e| self.syntax(p.at, e))?;
        Ok(Some(ValueRestriction::exact(p.text)))
    }
}

/// A [`TargetError::Syntax`] at `pos` of `input`.
fn syntax_error(input: &str, pos: usize, source: ParseError) -> TargetError {
    let reason = match &source {
        ParseError::Invalid { kind, reason, .. } => format!("invalid {kind}: {reason}"),
        other => other.to_string(),
    };
    TargetError::Syntax {
        input: input.to_owned(),
        pos,
        reason,
        source,
    }
}

fn split_at_part<'a>(p: Part<'a>, i: usize, sep_len: usize) -> (Part<'a>, Part<'a>) {
    (
        Part {
            text: &p.text[..i],
            at: p.at,
        },
        Part {
            text: &p.text[i + sep_len..],
            at: p.at + i + sep_len,
        },
    )
}

/// The version operators, longest first.
const OPS: [&str; 6] = ["<=", ">=", "<", ">", "=", "~"];

/// Parses one target in pkgcore's extended syntax (see the module docs).
///
/// ```
/// use strata_restrict::parse_target;
/// let r = parse_target("dev-*/py*:3").unwrap();
/// assert_eq!(
///     r.to_string(),
///     r#"(package glob "py*" && category glob "dev-*" && slot == "3")"#
/// );
/// let err = parse_target("!dev-lang/python").unwrap_err();
/// assert_eq!(err.position(), Some(0));
/// ```
pub fn parse_target(target: &str) -> Result<Restriction, TargetError> {
    let p = Parser { input: target };
    let lead = target.len() - target.trim_start().len();
    let s = target.trim();
    if s.is_empty() {
        return Err(TargetError::Empty {
            input: target.to_owned(),
        });
    }
    if let Some(i) = target.find('!') {
        return Err(TargetError::Blocker {
            input: target.to_owned(),
            pos: i,
        });
    }
    if let Some(i) = target.find("**") {
        return Err(TargetError::DoubleStar {
            input: target.to_owned(),
            pos: i,
        });
    }
    if let Some(i) = s.find(char::is_whitespace) {
        return Err(p.invalid(lead + i, "whitespace inside a target"));
    }

    // Operator.
    let op = OPS
        .iter()
        .find(|op| s.starts_with(*op))
        .copied()
        .unwrap_or("");
    let mut body = Part {
        text: &s[op.len()..],
        at: lead + op.len(),
    };
    if body.text.starts_with(['<', '>', '=', '~']) {
        return Err(p.invalid(body.at, "invalid version operator"));
    }

    // USE dependencies, then `::repo`, then `:slot[/subslot]` (the atom order reversed).
    let mut use_part = None;
    if body.text.ends_with(']')
        && let Some(i) = body.text.find('[')
    {
        let (b, u) = split_at_part(body, i, 0);
        body = b;
        use_part = Some(u);
    }
    let mut repo_part = None;
    if let Some(i) = body.text.rfind("::") {
        let (b, r) = split_at_part(body, i, 2);
        body = b;
        repo_part = Some(r);
    }
    let mut slot_part = None;
    if let Some(i) = body.text.rfind(':') {
        let (b, sl) = split_at_part(body, i, 1);
        body = b;
        slot_part = Some(sl);
    }
    let (cat_part, pkgver) = match body.text.find('/') {
        Some(i) => {
            let (c, pv) = split_at_part(body, i, 1);
            (Some(c), pv)
        }
        None => (None, body),
    };
    if let Some(i) = pkgver.text.find('/') {
        return Err(p.invalid(pkgver.at + i, "more than one '/'"));
    }
    let name_globbed = name_is_globbed(cat_part, pkgver, op);
    let other_globs = [slot_part, repo_part]
        .iter()
        .flatten()
        .any(|x| x.text.contains('*'));

    // A full atom when it names a category and its name is not globbed (`=cat/pkg-1*` is
    // an atom with a version glob). With a glob elsewhere (`cat/pkg:5*`), what the atom
    // parser rejects is read part by part below.
    if cat_part.is_some() && !name_globbed {
        match parse_atom_ext(s) {
            Ok(atom) => return Ok(Restriction::from_atom(&atom)),
            Err(e) if !other_globs => return Err(p.syntax(lead, e)),
            Err(_) => {}
        }
    }
    if !op.is_empty() && name_globbed && cat_part.is_none() {
        // pkgcore: "cannot do prefix glob matches with version ops".
        let star = pkgver.text.find('*').unwrap_or(0);
        return Err(p.invalid(
            pkgver.at + star,
            "a name glob with a version operator needs a category (`>=*/foo*-1`)",
        ));
    }

    let mut parts = Vec::new();
    if let Some(r) = repo_part
        && let Some(v) = p.name(r, "repository", validate_repository)?
    {
        parts.push(Restriction::attr(Attr::Repo, v));
    }

    // The package name and, with an operator, the version.
    let (pkg_part, version) = if op.is_empty() {
        if !pkgver.text.contains('*')
            && let Some(i) = version_suffix(pkgver.text)
        {
            return Err(p.invalid(
                pkgver.at + i + 1,
                "a version needs an operator (`=name-1.0`, `>=name-1.0`)",
            ));
        }
        (pkgver, None)
    } else if let Some(i) = (op == "=").then(|| wildcard_version(pkgver.text)).flatten() {
        // Portage's wildcard version `=*/*-*9999*`: the version contains `9999`.
        let (name, ver) = split_at_part(pkgver, i, 1);
        (
            name,
            Some(VersionPart::Contains(ver.text.trim_matches('*'))),
        )
    } else {
        let glob_star = op == "=" && pkgver.text.ends_with('*') && !pkgver.text.ends_with("-*");
        if glob_star && name_globbed {
            // As pkgcore and Portage: `=V*` only with exact names.
            return Err(p.invalid(
                pkgver.at + pkgver.text.len() - 1,
                "a version glob (`=name-1.2*`) cannot be combined with a name glob",
            ));
        }
        let text = if glob_star {
            &pkgver.text[..pkgver.text.len() - 1]
        } else {
            pkgver.text
        };
        let Some(i) = version_suffix(text) else {
            if text.ends_with('*') && version_suffix(&text[..text.len() - 1]).is_some() {
                return Err(p.invalid(
                    pkgver.at + text.len() - 1,
                    "only `=` takes a version glob (`=name-1.2*`)",
                ));
            }
            return Err(p.invalid(
                pkgver.at + pkgver.text.len(),
                "a version operator needs a version (`>=name-1.0`)",
            ));
        };
        let (name, ver) = split_at_part(
            Part {
                text,
                at: pkgver.at,
            },
            i,
            1,
        );
        (name, Some(VersionPart::Op(ver, glob_star)))
    };
    // As pkgcore, next to a name glob an empty side means "any" (`dev-*/`, `/py*`).
    let empty_is_any = |x: Part<'_>| name_globbed && cat_part.is_some() && x.text.is_empty();
    if !empty_is_any(pkg_part)
        && let Some(v) = p.name(pkg_part, "package name", validate_package)?
    {
        parts.push(Restriction::attr(Attr::Package, v));
    }
    if let Some(c) = cat_part
        && !empty_is_any(c)
        && let Some(v) = p.name(c, "category", validate_category)?
    {
        parts.push(Restriction::attr(Attr::Category, v));
    }
    if let Some(VersionPart::Contains(word)) = version {
        parts.push(Restriction::attr(
            Attr::Fullver,
            ValueRestriction::Str(
                StrMatch::new(StrMatchKind::Substring, word, true)
                    .map_err(|_| p.invalid(pkgver.at, "invalid wildcard version"))?,
            ),
        ));
    }
    if let Some(VersionPart::Op(ver, glob_star)) = version {
        // The atom parser decides what an operator and version mean (e.g. whether `~`
        // takes a revision); give it a stand-in name.
        let fake = format!("{op}c/p-{}{}", ver.text, if glob_star { "*" } else { "" });
        let fake_ver_at = op.len() + 4;
        let atom = Atom::parse(&fake, strata_atom::Eapi::LATEST).map_err(|e| {
            let pos = e
                .position()
                .map_or(ver.at, |x| ver.at + x.saturating_sub(fake_ver_at));
            syntax_error(target, pos, e)
        })?;
        parts.extend(crate::atom_restrict::version_restriction(&atom));
    }
    if let Some(sl) = slot_part {
        let (slot, sub) = match sl.text.find('/') {
            Some(i) => {
                let (a, b) = split_at_part(sl, i, 1);
                (a, Some(b))
            }
            None => (sl, None),
        };
        if let Some(v) = p.name(slot, "slot", validate_slot)? {
            parts.push(Restriction::attr(Attr::Slot, v));
        }
        if let Some(sub) = sub
            && let Some(v) = p.name(sub, "sub-slot", validate_slot)?
        {
            parts.push(Restriction::attr(Attr::Subslot, v));
        }
    }
    if let Some(u) = use_part {
        let fake = format!("c/p{}", u.text);
        let atom = Atom::parse(&fake, strata_atom::Eapi::LATEST).map_err(|e| {
            let pos = e.position().map_or(u.at, |x| u.at + x.saturating_sub(3));
            syntax_error(target, pos, e)
        })?;
        parts.push(use_restriction(&atom, None));
    }
    Ok(Restriction::and(parts))
}

/// The version part of a target with an operator.
enum VersionPart<'a> {
    /// A version for the operator, and whether a `*` followed it (`=1.2*`).
    Op(Part<'a>, bool),
    /// Portage's wildcard version `*WORD*`: the version text contains WORD.
    Contains(&'a str),
}

/// Where `-*WORD*` starts in `name-*WORD*` (WORD: `[A-Za-z0-9_]+`), Portage's wildcard
/// version form (`=*/*-*9999*`).
fn wildcard_version(text: &str) -> Option<usize> {
    text.match_indices("-*").map(|(i, _)| i).find(|&i| {
        let v = &text[i + 1..];
        i > 0
            && v.len() > 2
            && v.ends_with('*')
            && v[1..v.len() - 1]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

/// Where `-<version>` starts in `name-version` (the first `-` followed by a valid version,
/// after a non-empty name).
fn version_suffix(text: &str) -> Option<usize> {
    text.match_indices('-')
        .map(|(i, _)| i)
        .find(|&i| i > 0 && is_valid_version(&text[i + 1..]))
}

/// Whether the name (not the version) part of a target with a category has a `*`.
fn name_is_globbed(cat: Option<Part<'_>>, pkgver: Part<'_>, op: &str) -> bool {
    if cat.is_some_and(|c| c.text.contains('*')) {
        return true;
    }
    let t = if op == "=" {
        pkgver.text.strip_suffix('*').unwrap_or(pkgver.text)
    } else {
        pkgver.text
    };
    t.contains('*')
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn show(t: &str) -> String {
        match parse_target(t) {
            Ok(r) => r.to_string(),
            Err(e) => format!("error: {e}"),
        }
    }

    #[test]
    fn forms() {
        assert_eq!(show("*"), "true");
        assert_eq!(show("*/*"), "true");
        assert_eq!(show("dev-*/*"), r#"category glob "dev-*""#);
        assert_eq!(show("dev-*"), r#"package glob "dev-*""#);
        assert_eq!(show("portage"), r#"package == "portage""#);
        assert_eq!(
            show("*-apps/portage*"),
            r#"(package glob "portage*" && category glob "*-apps")"#
        );
        assert_eq!(
            show(">=portage-2.1"),
            r#"(package == "portage" && fullver >= 2.1)"#
        );
        assert_eq!(
            show(">=*/alsa-*-1.1.7"),
            r#"(package glob "alsa-*" && fullver >= 1.1.7)"#
        );
        assert_eq!(
            show("dev-qt/*:5"),
            r#"(category == "dev-qt" && slot == "5")"#
        );
        assert_eq!(
            show("boost:0/1.60"),
            r#"(package == "boost" && slot == "0" && subslot == "1.60")"#
        );
        assert_eq!(
            show("foo*::gentoo"),
            r#"(repo == "gentoo" && package glob "foo*")"#
        );
        assert_eq!(
            show("cat/pkg::repo"),
            r#"(repo == "repo" && package == "pkg" && category == "cat")"#
        );
        assert_eq!(
            show("=python-3*"),
            r#"(package == "python" && fullver = 3*)"#
        );
        assert_eq!(show("python[ssl]"), r#"(package == "python" && use[ssl])"#);
    }

    #[test]
    fn errors() {
        assert_eq!(
            show("dev-lang/!python"),
            r#"error: invalid target "dev-lang/!python": '!' (a blocker) makes no sense in a target (at 9)"#
        );
        assert_eq!(
            show("a/**"),
            r#"error: invalid target "a/**": '**' is not a valid glob (at 2)"#
        );
        assert_eq!(
            show("a/b,*"),
            r#"error: invalid target "a/b,*": invalid character ',' in a glob, which allows only [A-Za-z0-9_+.-] and '*' (at 3)"#
        );
        assert_eq!(
            show(">=portage"),
            r#"error: invalid target ">=portage": a version operator needs a version (`>=name-1.0`) (at 9)"#
        );
        assert_eq!(
            show("foo-1"),
            r#"error: invalid target "foo-1": a version needs an operator (`=name-1.0`, `>=name-1.0`) (at 4)"#
        );
        let e = parse_target("dev-lang/pyth@n").unwrap_err();
        assert!(matches!(e, TargetError::Syntax { pos: 13, .. }), "{e:?}");
        assert_eq!(e.input(), "dev-lang/pyth@n");
        let e = parse_target(">=*/foo-1.0:sl$").unwrap_err();
        assert_eq!(e.position(), Some(14));
        let e = parse_target("~*/foo-1[x,]").unwrap_err();
        assert!(matches!(e, TargetError::Syntax { .. }), "{e:?}");
        assert!(e.position().unwrap() >= 8, "{e}");
        assert_eq!(
            parse_target("  ").unwrap_err(),
            TargetError::Empty { input: "  ".into() }
        );
    }
}
