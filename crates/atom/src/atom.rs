//! Package dependency atoms (PMS §8.3): parsing per EAPI, matching and intersection.
//!
//! Grammar (the order of parts is fixed, as in Portage):
//!
//! ```text
//! atom     := blocker? ( op cpv | "=" cpv "*" | cp ) slotdep? repodep? usedeps?
//! blocker  := "!" | "!!"
//! op       := "<" | "<=" | "=" | "~" | ">=" | ">"
//! slotdep  := ":" ( slot ( "/" subslot )? "="?  |  "*"  |  "=" )
//! repodep  := "::" repository                       (not in any PMS EAPI)
//! usedeps  := "[" usedep ( "," usedep )* "]"
//! usedep   := "-" flag default? | "!"? flag default? ( "=" | "?" ) | flag default?
//! default  := "(+)" | "(-)"
//! ```
//!
//! Decisions where PMS, Portage and pkgcore differ:
//!
//! * `~cat/pkg-1-r1` is accepted (PMS and Portage allow it; pkgcore rejects it) and the
//!   revision is ignored when matching.
//! * `~` compares versions ignoring the revision by PMS equality (`~a/b-1.0` matches
//!   `a/b-1.00`), not by Portage's string equality.
//! * `=V*` is component-wise with Portage's boundary rule ([`Version::glob_matches`]).
//! * `::repo` is allowed only through [`AtomOptions`] (user configuration).
//! * In EAPI 0/1 a `!` blocker (of unspecified strength) is reported as
//!   [`Blocker::Weak`]; `!!` is rejected there.
//! * Slot operators are not rejected inside blockers (`!cat/pkg:=`); neither PMS's atom
//!   grammar nor Portage's atom parser forbids them.
//! * [`Atom::intersects`] ignores blockers and compares the package parts; a target
//!   whose slot, repository or USE is unknown does not satisfy an atom that constrains
//!   it ([`MatchTarget`]).
//! * Build-id (`=cat/pkg-1-3`) and wildcard (`*/*`) atoms are Portage user-configuration
//!   extensions and are not parsed here.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use crate::cpv::{Cpv, split_pf};
use crate::eapi::{Eapi, Feature};
use crate::error::{InputKind, ParseError};
use crate::name;
use crate::version::Version;

/// A blocker prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Blocker {
    /// `!`: a weak block (in EAPI 0/1, `!` of unspecified strength).
    Weak,
    /// `!!`: a strong block (EAPI 2+).
    Strong,
}

impl Blocker {
    /// The prefix as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Blocker::Weak => "!",
            Blocker::Strong => "!!",
        }
    }
}

/// A version operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VersionOp {
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `=`
    Equal,
    /// `=V*`: the given components equal.
    EqualGlob,
    /// `~`: equal ignoring the revision.
    Approximate,
    /// `>=`
    GreaterOrEqual,
    /// `>`
    Greater,
}

impl VersionOp {
    /// The operator's prefix as written (`=` for [`VersionOp::EqualGlob`], whose `*`
    /// follows the version).
    pub fn prefix(self) -> &'static str {
        match self {
            VersionOp::Less => "<",
            VersionOp::LessOrEqual => "<=",
            VersionOp::Equal | VersionOp::EqualGlob => "=",
            VersionOp::Approximate => "~",
            VersionOp::GreaterOrEqual => ">=",
            VersionOp::Greater => ">",
        }
    }

    /// Whether `candidate` satisfies `op pattern`.
    ///
    /// ```
    /// use strata_atom::atom::VersionOp;
    /// use strata_atom::version::Version;
    /// let v = |s| Version::parse(s).unwrap();
    /// assert!(VersionOp::Approximate.matches(&v("1.0"), &v("1.0-r3")));
    /// assert!(VersionOp::EqualGlob.matches(&v("1.2"), &v("1.2.9")));
    /// assert!(!VersionOp::Less.matches(&v("1.0"), &v("1.0")));
    /// ```
    pub fn matches(self, pattern: &Version, candidate: &Version) -> bool {
        match self {
            VersionOp::Less => candidate < pattern,
            VersionOp::LessOrEqual => candidate <= pattern,
            VersionOp::Equal => candidate == pattern,
            VersionOp::EqualGlob => pattern.glob_matches(candidate),
            VersionOp::Approximate => pattern.eq_ignoring_revision(candidate),
            VersionOp::GreaterOrEqual => candidate >= pattern,
            VersionOp::Greater => candidate > pattern,
        }
    }
}

impl fmt::Display for VersionOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VersionOp::EqualGlob => "=*",
            other => other.prefix(),
        })
    }
}

/// A slot operator (EAPI 5+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SlotOperator {
    /// `:=` or `:slot=`: rebuild when the slot or sub-slot changes.
    Equal,
    /// `:*`: any slot, no rebuild.
    Star,
}

/// What a USE dependency requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UseDepKind {
    /// `[f]`: f enabled.
    Enabled,
    /// `[-f]`: f disabled.
    Disabled,
    /// `[f=]`: f as in the depending package.
    Equal,
    /// `[!f=]`: f opposite to the depending package.
    NotEqual,
    /// `[f?]`: f enabled if enabled in the depending package.
    Conditional,
    /// `[!f?]`: f disabled if disabled in the depending package.
    NotConditional,
}

impl UseDepKind {
    /// Whether the requirement depends on the depending package's USE.
    pub fn is_conditional(self) -> bool {
        !matches!(self, UseDepKind::Enabled | UseDepKind::Disabled)
    }
}

/// A USE dependency default: how to treat a flag missing from the target's IUSE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UseDefault {
    /// `(+)`: as if present and enabled.
    Enabled,
    /// `(-)`: as if present and disabled.
    Disabled,
}

/// One USE dependency inside `[...]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UseDep {
    flag: Box<str>,
    kind: UseDepKind,
    default: Option<UseDefault>,
}

impl UseDep {
    /// The flag name.
    pub fn flag(&self) -> &str {
        &self.flag
    }

    /// What it requires.
    pub fn kind(&self) -> UseDepKind {
        self.kind
    }

    /// The `(+)`/`(-)` default, if any (EAPI 4+).
    pub fn default(&self) -> Option<UseDefault> {
        self.default
    }

    /// The state the target's flag must have, given the depending package's state of the
    /// same flag (`parent`, `None` when unknown). `None` means no requirement.
    ///
    /// This is the one table of the PMS rules (8.3.4) for every kind:
    ///
    /// | kind    | parent on | parent off | parent unknown |
    /// |---------|-----------|------------|----------------|
    /// | `[f]`   | on        | on         | on             |
    /// | `[-f]`  | off       | off        | off            |
    /// | `[f=]`  | on        | off        | none           |
    /// | `[!f=]` | off       | on         | none           |
    /// | `[f?]`  | on        | none       | none           |
    /// | `[!f?]` | none      | off        | none           |
    ///
    /// Only the requirement is decided here; whether the target has the flag at all
    /// (IUSE, the `(+)`/`(-)` default) is the matcher's business.
    ///
    /// ```
    /// use strata_atom::atom::Atom;
    /// let atom: Atom = "a/b[x,-y,z=,!w?]".parse().unwrap();
    /// let [x, y, z, w] = atom.use_deps() else { panic!() };
    /// assert_eq!(x.required(None), Some(true));
    /// assert_eq!(y.required(Some(true)), Some(false));
    /// assert_eq!(z.required(Some(false)), Some(false));
    /// assert_eq!(z.required(None), None);
    /// assert_eq!(w.required(Some(true)), None);
    /// assert_eq!(w.required(Some(false)), Some(false));
    /// ```
    pub fn required(&self, parent: Option<bool>) -> Option<bool> {
        match (self.kind, parent) {
            (UseDepKind::Enabled, _) => Some(true),
            (UseDepKind::Disabled, _) => Some(false),
            (_, None) => None,
            (UseDepKind::Equal, Some(p)) => Some(p),
            (UseDepKind::NotEqual, Some(p)) => Some(!p),
            (UseDepKind::Conditional, Some(p)) => p.then_some(true),
            (UseDepKind::NotConditional, Some(p)) => (!p).then_some(false),
        }
    }
}

impl fmt::Display for UseDep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (pre, post) = match self.kind {
            UseDepKind::Enabled => ("", ""),
            UseDepKind::Disabled => ("-", ""),
            UseDepKind::Equal => ("", "="),
            UseDepKind::NotEqual => ("!", "="),
            UseDepKind::Conditional => ("", "?"),
            UseDepKind::NotConditional => ("!", "?"),
        };
        let default = match self.default {
            None => "",
            Some(UseDefault::Enabled) => "(+)",
            Some(UseDefault::Disabled) => "(-)",
        };
        write!(f, "{pre}{}{default}{post}", self.flag)
    }
}

/// How to parse an atom: which EAPI's rules, and which extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AtomOptions {
    /// The EAPI whose rules apply; `None` means user configuration (command line, config
    /// files, world): the newest EAPI's syntax, with `::repo` allowed.
    pub eapi: Option<Eapi>,
    /// Allow `::repo` even with an EAPI (Portage's `profile-repo-deps` profiles).
    pub repo_deps: bool,
}

impl AtomOptions {
    /// The rules of `eapi`, without extensions.
    pub fn eapi(eapi: Eapi) -> Self {
        AtomOptions {
            eapi: Some(eapi),
            repo_deps: false,
        }
    }

    /// User configuration: newest syntax plus `::repo`.
    pub fn user_config() -> Self {
        AtomOptions {
            eapi: None,
            repo_deps: true,
        }
    }

    fn allows_repo(&self) -> bool {
        self.repo_deps || self.eapi.is_none()
    }

    fn require(&self, feature: Feature, input: &str, pos: usize) -> Result<(), ParseError> {
        match self.eapi {
            Some(e) if !e.has(feature) => Err(ParseError::eapi_feature(
                InputKind::Atom,
                input,
                pos,
                feature.name(),
                e,
            )),
            _ => Ok(()),
        }
    }
}

/// Bytes of atom text stored inline (no allocation) when it fits.
const TEXT_INLINE: usize = 38;

/// The atom's text: inline when short (most atoms), else on the heap.
#[derive(Clone)]
enum Text {
    Inline([u8; TEXT_INLINE], u8),
    Heap(Box<str>),
}

impl Text {
    #[inline]
    fn new(s: &str) -> Text {
        if s.len() <= TEXT_INLINE {
            let mut buf = [0u8; TEXT_INLINE];
            buf[..s.len()].copy_from_slice(s.as_bytes());
            Text::Inline(buf, s.len() as u8)
        } else {
            Text::Heap(s.into())
        }
    }

    /// `text[start..end]`.
    #[inline]
    fn slice(&self, start: usize, end: usize) -> &str {
        match self {
            Text::Inline(buf, _) => ascii_str(&buf[start..end]),
            Text::Heap(s) => &s[start..end],
        }
    }

    #[inline]
    fn as_str(&self) -> &str {
        match self {
            Text::Inline(buf, len) => ascii_str(&buf[..usize::from(*len)]),
            Text::Heap(s) => s,
        }
    }
}

/// Views ASCII bytes as `&str` without re-validating them on every access.
#[inline]
fn ascii_str(b: &[u8]) -> &str {
    debug_assert!(b.is_ascii());
    // SAFETY: `Text` only stores atoms the parser accepted, and every part of an atom
    // (names, versions, operators, delimiters) is ASCII, so any sub-slice is ASCII and
    // hence valid UTF-8.
    unsafe { std::str::from_utf8_unchecked(b) }
}

/// A byte range in the atom text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
}

/// A package dependency atom, e.g. `!!>=dev-lang/python-3.11:3.11/3.11t=::gentoo[ssl(+),-tk]`.
///
/// Equality, hashing and `Display` use the atom's text (which the parser only accepts in
/// canonical form); ordering is by category, package, version, then text.
///
/// ```
/// use strata_atom::atom::{Atom, VersionOp};
/// use strata_atom::Eapi;
/// let a = Atom::parse(">=dev-lang/python-3.11:3.11[ssl]", Eapi::E8).unwrap();
/// assert_eq!(a.cp(), "dev-lang/python");
/// assert_eq!(a.op(), Some(VersionOp::GreaterOrEqual));
/// assert_eq!(a.version().unwrap().as_str(), "3.11");
/// assert_eq!(a.slot(), Some("3.11"));
/// assert_eq!(a.use_deps()[0].flag(), "ssl");
/// assert_eq!(a.to_string(), ">=dev-lang/python-3.11:3.11[ssl]");
/// let err = Atom::parse(">=dev-lang/python", Eapi::E8).unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"invalid atom ">=dev-lang/python": operator requires a version (at 0)"#
/// );
/// ```
#[derive(Clone)]
pub struct Atom {
    text: Text,
    blocker: Option<Blocker>,
    op: Option<VersionOp>,
    slot_op: Option<SlotOperator>,
    /// Start of the category.
    cat: u32,
    /// Offset of the `/`.
    slash: u32,
    /// End of the package name.
    pn_end: u32,
    slot: Option<Span>,
    subslot: Option<Span>,
    repo: Option<Span>,
    version: Option<Version>,
    use_deps: Box<[UseDep]>,
}

fn invalid(input: &str, pos: usize, reason: &'static str) -> ParseError {
    ParseError::invalid(InputKind::Atom, input, pos, reason)
}

impl Atom {
    /// Parses an atom under the rules of `eapi` (no `::repo`).
    pub fn parse(s: &str, eapi: Eapi) -> Result<Atom, ParseError> {
        Atom::parse_with(s, AtomOptions::eapi(eapi))
    }

    /// Parses an atom as written in user configuration or on a command line: the newest
    /// EAPI's syntax plus `::repo` (same as [`AtomOptions::user_config`]).
    pub fn parse_user(s: &str) -> Result<Atom, ParseError> {
        Atom::parse_with(s, AtomOptions::user_config())
    }

    /// Parses an atom with explicit options (e.g. [`AtomOptions::user_config`]).
    ///
    /// ```
    /// use strata_atom::atom::{Atom, AtomOptions};
    /// use strata_atom::Eapi;
    /// assert!(Atom::parse("app-misc/foo::guru", Eapi::E8).is_err());
    /// let a = Atom::parse_with("app-misc/foo::guru", AtomOptions::user_config()).unwrap();
    /// assert_eq!(a.repo(), Some("guru"));
    /// ```
    pub fn parse_with(s: &str, opts: AtomOptions) -> Result<Atom, ParseError> {
        if s.len() > (u32::MAX / 4) as usize {
            return Err(invalid(s, 0, "too long"));
        }
        let b = s.as_bytes();
        let mut i = 0;

        let blocker = match b {
            [b'!', b'!', ..] => {
                opts.require(Feature::StrongBlockers, s, 0)?;
                i = 2;
                Some(Blocker::Strong)
            }
            [b'!', ..] => {
                i = 1;
                Some(Blocker::Weak)
            }
            _ => None,
        };

        let op_pos = i;
        let (mut op, op_len) = match &b[i..] {
            [b'<', b'=', ..] => (Some(VersionOp::LessOrEqual), 2),
            [b'<', ..] => (Some(VersionOp::Less), 1),
            [b'>', b'=', ..] => (Some(VersionOp::GreaterOrEqual), 2),
            [b'>', ..] => (Some(VersionOp::Greater), 1),
            [b'=', ..] => (Some(VersionOp::Equal), 1),
            [b'~', ..] => (Some(VersionOp::Approximate), 1),
            _ => (None, 0),
        };
        i += op_len;
        let cat = i;

        // The category, checked while looking for its '/'.
        let (cat_len, cat_start_ok) = name::category_prefix(&b[cat..]);
        let slash = cat + cat_len;
        if b.get(slash) != Some(&b'/') || !cat_start_ok {
            let end = b[cat..]
                .iter()
                .position(|&c| matches!(c, b'/' | b':' | b'['))
                .map_or(b.len(), |p| cat + p);
            if b.get(end) == Some(&b'/') {
                name::validate_category(&s[cat..end])
                    .map_err(|e| e.within(InputKind::Atom, s, cat))?;
            }
            return Err(invalid(s, cat, "expected 'category/package'"));
        }
        let cpv_end = b[slash..]
            .iter()
            .position(|&c| c == b':' || c == b'[')
            .map_or(b.len(), |p| slash + p);
        let mut body_end = cpv_end;
        if b[cpv_end - 1] == b'*' {
            if op != Some(VersionOp::Equal) {
                return Err(invalid(
                    s,
                    cpv_end - 1,
                    "'*' is only allowed after '=' and a version",
                ));
            }
            op = Some(VersionOp::EqualGlob);
            body_end -= 1;
        }
        if body_end <= slash {
            return Err(invalid(s, slash, "expected a package name"));
        }
        let pf = &s[slash + 1..body_end];

        let (pn_end, version) = if op.is_some() {
            let Some((h, v)) = split_pf(pf) else {
                return Err(invalid(s, op_pos, "operator requires a version"));
            };
            name::validate_package(&pf[..h])
                .map_err(|e| e.within(InputKind::Atom, s, slash + 1))?;
            (slash + 1 + h, Some(v))
        } else {
            if let Err(e) = name::validate_package(pf) {
                if let Some((h, _)) = split_pf(pf)
                    && name::validate_package(&pf[..h]).is_ok()
                {
                    return Err(invalid(s, cat, "a version requires an operator"));
                }
                return Err(e.within(InputKind::Atom, s, slash + 1));
            }
            (body_end, None)
        };

        let mut pos = cpv_end;
        let mut slot = None;
        let mut subslot = None;
        let mut slot_op = None;
        if b.get(pos) == Some(&b':') && b.get(pos + 1) != Some(&b':') {
            opts.require(Feature::SlotDeps, s, pos)?;
            let start = pos + 1;
            let end = b[start..]
                .iter()
                .position(|&c| c == b':' || c == b'[')
                .map_or(b.len(), |p| start + p);
            let spec = &s[start..end];
            match spec {
                "" => return Err(invalid(s, start, "empty slot dependency")),
                "*" => {
                    opts.require(Feature::SlotOperators, s, start)?;
                    slot_op = Some(SlotOperator::Star);
                }
                "=" => {
                    opts.require(Feature::SlotOperators, s, start)?;
                    slot_op = Some(SlotOperator::Equal);
                }
                _ => {
                    let mut main_end = end;
                    if spec.ends_with('=') {
                        opts.require(Feature::SlotOperators, s, end - 1)?;
                        slot_op = Some(SlotOperator::Equal);
                        main_end -= 1;
                    }
                    let main = &s[start..main_end];
                    let slot_end = match main.bytes().position(|c| c == b'/') {
                        Some(p) => {
                            opts.require(Feature::SlotOperators, s, start + p)?;
                            let sub_start = start + p + 1;
                            name::validate_slot(&s[sub_start..main_end])
                                .map_err(|e| e.within(InputKind::Atom, s, sub_start))?;
                            subslot = Some(Span::new(sub_start, main_end));
                            start + p
                        }
                        None => main_end,
                    };
                    name::validate_slot(&s[start..slot_end])
                        .map_err(|e| e.within(InputKind::Atom, s, start))?;
                    slot = Some(Span::new(start, slot_end));
                }
            }
            pos = end;
        }

        let mut repo = None;
        if b.get(pos) == Some(&b':') {
            if b.get(pos + 1) != Some(&b':') {
                return Err(invalid(
                    s,
                    pos,
                    "unexpected ':' (a slot must come before '::repo')",
                ));
            }
            if !opts.allows_repo() {
                return Err(match opts.eapi {
                    Some(e) => ParseError::eapi_feature(
                        InputKind::Atom,
                        s,
                        pos,
                        "repository dependency '::repo'",
                        e,
                    ),
                    None => invalid(s, pos, "repository dependencies are not allowed here"),
                });
            }
            let start = pos + 2;
            let end = b[start..]
                .iter()
                .position(|&c| c == b'[')
                .map_or(b.len(), |p| start + p);
            name::validate_repository(&s[start..end])
                .map_err(|e| e.within(InputKind::Atom, s, start))?;
            repo = Some(Span::new(start, end));
            pos = end;
        }

        let mut use_deps = Vec::new();
        if b.get(pos) == Some(&b'[') {
            opts.require(Feature::UseDeps, s, pos)?;
            if b.last() != Some(&b']') || b.len() < pos + 2 {
                return Err(invalid(s, b.len(), "expected ']' at the end"));
            }
            let inner_start = pos + 1;
            let inner_end = b.len() - 1;
            if inner_start == inner_end {
                return Err(invalid(s, pos, "empty USE dependency list"));
            }
            let mut start = inner_start;
            for item in s[inner_start..inner_end].split(',') {
                use_deps.push(parse_use_dep(s, start, item, &opts)?);
                start += item.len() + 1;
            }
            pos = b.len();
        }
        if pos != b.len() {
            return Err(invalid(s, pos, "unexpected character"));
        }

        Ok(Atom {
            text: Text::new(s),
            blocker,
            op,
            slot_op,
            cat: cat as u32,
            slash: slash as u32,
            pn_end: pn_end as u32,
            slot,
            subslot,
            repo,
            version,
            use_deps: use_deps.into_boxed_slice(),
        })
    }

    #[inline]
    fn span(&self, span: Option<Span>) -> Option<&str> {
        span.map(|sp| self.text.slice(sp.start as usize, sp.end as usize))
    }

    /// The atom as text (canonical form).
    #[inline]
    pub fn as_str(&self) -> &str {
        self.text.as_str()
    }

    /// The category.
    #[inline]
    pub fn category(&self) -> &str {
        self.text.slice(self.cat as usize, self.slash as usize)
    }

    /// The package name.
    #[inline]
    pub fn package(&self) -> &str {
        self.text
            .slice(self.slash as usize + 1, self.pn_end as usize)
    }

    /// `category/package`.
    #[inline]
    pub fn cp(&self) -> &str {
        self.text.slice(self.cat as usize, self.pn_end as usize)
    }

    /// The version, for versioned atoms.
    #[inline]
    pub fn version(&self) -> Option<&Version> {
        self.version.as_ref()
    }

    /// The version operator, for versioned atoms.
    #[inline]
    pub fn op(&self) -> Option<VersionOp> {
        self.op
    }

    /// The blocker prefix, if any.
    #[inline]
    pub fn blocker(&self) -> Option<Blocker> {
        self.blocker
    }

    /// The slot name in `:slot`, `:slot/sub` or `:slot=`.
    #[inline]
    pub fn slot(&self) -> Option<&str> {
        self.span(self.slot)
    }

    /// The sub-slot name in `:slot/sub`.
    #[inline]
    pub fn subslot(&self) -> Option<&str> {
        self.span(self.subslot)
    }

    /// The slot operator (`:=`, `:slot=`, `:*`).
    #[inline]
    pub fn slot_op(&self) -> Option<SlotOperator> {
        self.slot_op
    }

    /// The repository in `::repo`.
    #[inline]
    pub fn repo(&self) -> Option<&str> {
        self.span(self.repo)
    }

    /// The USE dependencies, in written order.
    #[inline]
    pub fn use_deps(&self) -> &[UseDep] {
        &self.use_deps
    }

    /// The `category/package-version` of a versioned atom.
    pub fn cpv(&self) -> Option<Cpv> {
        let v = self.version.as_ref()?;
        Cpv::from_parts(self.category(), self.package(), v.clone()).ok()
    }

    /// The unversioned atom `category/package`, without blocker, slot, repo or USE deps.
    pub fn unversioned(&self) -> Atom {
        Atom {
            text: Text::new(self.cp()),
            blocker: None,
            op: None,
            slot_op: None,
            cat: 0,
            slash: self.slash - self.cat,
            pn_end: self.pn_end - self.cat,
            slot: None,
            subslot: None,
            repo: None,
            version: None,
            use_deps: Box::new([]),
        }
    }

    /// Whether `version` satisfies the atom's operator (always true when unversioned).
    #[inline]
    pub fn matches_version(&self, version: &Version) -> bool {
        match (self.op, &self.version) {
            (Some(op), Some(v)) => op.matches(v, version),
            _ => true,
        }
    }

    /// Whether the package `target` is matched by this atom (the blocker, if any, is
    /// ignored: a blocker atom matches the packages it blocks).
    ///
    /// USE dependencies that depend on the depending package (`[f=]`, `[!f=]`, `[f?]`,
    /// `[!f?]`) are not checked here; use [`Atom::matches_with_parent`] for them.
    pub fn matches(&self, target: &MatchTarget<'_>) -> bool {
        self.matches_with_parent(target, None)
    }

    /// Like [`Atom::matches`], with the depending package's USE state for conditional USE
    /// dependencies (`parent.is_enabled(flag)`; its IUSE is not consulted).
    ///
    /// ```
    /// use strata_atom::atom::{Atom, MatchTarget, UseSet};
    /// use strata_atom::cpv::Cpv;
    /// use strata_atom::Eapi;
    /// let atom = Atom::parse("dev-libs/foo:2[ssl?,-doc]", Eapi::E8).unwrap();
    /// let cpv = Cpv::parse("dev-libs/foo-2.1").unwrap();
    /// let pkg_use = UseSet::new(["ssl", "doc"], ["ssl"]);
    /// let target = MatchTarget::new(&cpv).with_slot("2").with_use(&pkg_use);
    /// let parent = UseSet::new(["ssl"], ["ssl"]);
    /// assert!(atom.matches_with_parent(&target, Some(&parent)));
    /// ```
    pub fn matches_with_parent(
        &self,
        target: &MatchTarget<'_>,
        parent: Option<&dyn UseFlags>,
    ) -> bool {
        let cpv = target.cpv;
        if self.package() != cpv.package() || self.category() != cpv.category() {
            return false;
        }
        if !self.matches_version(cpv.version()) {
            return false;
        }
        if let Some(slot) = self.slot()
            && target.slot != Some(slot)
        {
            return false;
        }
        if let Some(sub) = self.subslot()
            && target.subslot.or(target.slot) != Some(sub)
        {
            return false;
        }
        if let Some(repo) = self.repo()
            && target.repo != Some(repo)
        {
            return false;
        }
        self.use_deps.iter().all(|dep| {
            let parent_state = parent.map(|p| p.is_enabled(dep.flag()));
            let Some(want) = dep.required(parent_state) else {
                return true;
            };
            let have = match target.use_flags {
                Some(u) if u.has_iuse(dep.flag()) => u.is_enabled(dep.flag()),
                _ => match dep.default {
                    Some(UseDefault::Enabled) => true,
                    Some(UseDefault::Disabled) => false,
                    // PMS: referencing a flag the target lacks, without a default, is an
                    // error; such a target is never matched.
                    None => return false,
                },
            };
            have == want
        })
    }

    /// Whether some package could be matched by both atoms (pkgcore's `intersects`).
    ///
    /// Requires the same category and package, overlapping version ranges, compatible
    /// slots, sub-slots and repositories, and no flag required enabled by one and
    /// disabled by the other (unless both defaults allow a package lacking the flag).
    /// Blockers are ignored: the package parts are compared. Slot operators and
    /// conditional USE dependencies do not restrict.
    ///
    /// ```
    /// use strata_atom::atom::Atom;
    /// let a: Atom = ">=a/b-2".parse().unwrap();
    /// assert!(a.intersects(&"<a/b-3".parse().unwrap()));
    /// assert!(!a.intersects(&"=a/b-1*".parse().unwrap()));
    /// let x: Atom = "a/b[x]".parse().unwrap();
    /// assert!(!x.intersects(&"a/b[-x]".parse().unwrap()));
    /// assert!(x.intersects(&"a/b[-x(-)]".parse().unwrap()) == false);
    /// let y: Atom = "a/b[x(+)]".parse().unwrap();
    /// assert!(y.intersects(&"a/b[-x(-)]".parse().unwrap())); // a package without x
    /// ```
    pub fn intersects(&self, other: &Atom) -> bool {
        if self.package() != other.package() || self.category() != other.category() {
            return false;
        }
        for (a, b) in [
            (self.slot(), other.slot()),
            (self.subslot(), other.subslot()),
            (self.repo(), other.repo()),
        ] {
            if let (Some(a), Some(b)) = (a, b)
                && a != b
            {
                return false;
            }
        }
        for x in self.use_deps.iter() {
            let Some(xw) = x.required(None) else { continue };
            for y in other.use_deps.iter() {
                if x.flag != y.flag {
                    continue;
                }
                let Some(yw) = y.required(None) else { continue };
                if xw != yw {
                    // A package without the flag in IUSE satisfies both only if each
                    // default gives the wanted state.
                    let ok = |d: &UseDep, want: bool| match d.default {
                        Some(UseDefault::Enabled) => want,
                        Some(UseDefault::Disabled) => !want,
                        None => false,
                    };
                    if !(ok(x, xw) && ok(y, yw)) {
                        return false;
                    }
                }
            }
        }
        VersionRange::of(self).intersects(&VersionRange::of(other))
    }
}

fn parse_use_dep(
    input: &str,
    start: usize,
    item: &str,
    opts: &AtomOptions,
) -> Result<UseDep, ParseError> {
    let b = item.as_bytes();
    if b.is_empty() {
        return Err(invalid(input, start, "empty USE dependency"));
    }
    let mut i = 0;
    let bang = b[0] == b'!';
    if bang {
        i = 1;
    }
    let minus = b.get(i) == Some(&b'-');
    if minus {
        if bang {
            return Err(invalid(input, start, "'!' and '-' cannot be combined"));
        }
        i += 1;
    }
    let flag_start = i;
    let flag_end = b[i..]
        .iter()
        .position(|&c| matches!(c, b'(' | b'=' | b'?'))
        .map_or(b.len(), |p| i + p);
    let flag = &item[flag_start..flag_end];
    name::validate_use_flag(flag)
        .map_err(|e| e.within(InputKind::Atom, input, start + flag_start))?;
    i = flag_end;
    let default = match &b[i..] {
        [b'(', b'+', b')', ..] => Some(UseDefault::Enabled),
        [b'(', b'-', b')', ..] => Some(UseDefault::Disabled),
        [b'(', ..] => {
            return Err(invalid(input, start + i, "expected '(+)' or '(-)'"));
        }
        _ => None,
    };
    if default.is_some() {
        opts.require(Feature::UseDepDefaults, input, start + i)?;
        i += 3;
    }
    let suffix = b.get(i).copied();
    if suffix.is_some() {
        i += 1;
    }
    if i != b.len() {
        return Err(invalid(
            input,
            start + i,
            "unexpected character in USE dependency",
        ));
    }
    let kind = match (bang, minus, suffix) {
        (false, false, None) => UseDepKind::Enabled,
        (false, true, None) => UseDepKind::Disabled,
        (false, false, Some(b'=')) => UseDepKind::Equal,
        (false, false, Some(b'?')) => UseDepKind::Conditional,
        (true, false, Some(b'=')) => UseDepKind::NotEqual,
        (true, false, Some(b'?')) => UseDepKind::NotConditional,
        (true, _, None) => {
            return Err(invalid(input, start, "'!' requires a trailing '=' or '?'"));
        }
        (_, true, Some(_)) => {
            return Err(invalid(
                input,
                start,
                "'-' cannot be combined with '=' or '?'",
            ));
        }
        _ => {
            return Err(invalid(
                input,
                start + i - 1,
                "unexpected character in USE dependency",
            ));
        }
    };
    Ok(UseDep {
        flag: flag.into(),
        kind,
        default,
    })
}

/// The set of versions an atom's version part admits.
enum VersionRange<'a> {
    All,
    /// Versions equal to this one (`=V`, or `=V-rN*`).
    Point(&'a Version),
    /// `<V` (false) or `<=V` (true).
    Below(&'a Version, bool),
    /// `>V` (false) or `>=V` (true).
    Above(&'a Version, bool),
    /// `~V`: every revision of V.
    Revisions(&'a Version),
    /// `=V*` without a revision: every version whose key starts with V's glob prefix.
    Glob(&'a Version),
}

impl<'a> VersionRange<'a> {
    fn of(atom: &'a Atom) -> Self {
        match (atom.op, atom.version.as_ref()) {
            (Some(op), Some(v)) => match op {
                VersionOp::Less => VersionRange::Below(v, false),
                VersionOp::LessOrEqual => VersionRange::Below(v, true),
                VersionOp::Equal => VersionRange::Point(v),
                VersionOp::EqualGlob if v.glob_has_revision() => VersionRange::Point(v),
                VersionOp::EqualGlob => VersionRange::Glob(v),
                VersionOp::Approximate => VersionRange::Revisions(v),
                VersionOp::GreaterOrEqual => VersionRange::Above(v, true),
                VersionOp::Greater => VersionRange::Above(v, false),
            },
            _ => VersionRange::All,
        }
    }

    fn contains(&self, x: &Version) -> bool {
        match *self {
            VersionRange::All => true,
            VersionRange::Point(v) => x == v,
            VersionRange::Below(v, inc) => x < v || (inc && x == v),
            VersionRange::Above(v, inc) => x > v || (inc && x == v),
            VersionRange::Revisions(v) => v.eq_ignoring_revision(x),
            VersionRange::Glob(v) => v.glob_matches(x),
        }
    }

    fn intersects(&self, other: &VersionRange<'_>) -> bool {
        use VersionRange as R;
        match (self, other) {
            (R::All, _) | (_, R::All) => true,
            (R::Point(p), r) | (r, R::Point(p)) => r.contains(p),
            (R::Below(..), R::Below(..)) | (R::Above(..), R::Above(..)) => true,
            (R::Above(a, ai), R::Below(b, bi)) | (R::Below(b, bi), R::Above(a, ai)) => {
                match a.cmp(b) {
                    Ordering::Less => *ai || *bi || !a.is_immediately_followed_by(b),
                    Ordering::Equal => *ai && *bi,
                    Ordering::Greater => false,
                }
            }
            (R::Revisions(v), R::Below(b, bi)) | (R::Below(b, bi), R::Revisions(v)) => {
                match v.cmp_ignoring_revision(b) {
                    Ordering::Less => true,
                    // V-r0 < B iff B has a non-zero revision; V-r0 <= B always.
                    Ordering::Equal => *bi || b.revision().bytes().any(|c| c != b'0'),
                    Ordering::Greater => false,
                }
            }
            (R::Revisions(v), R::Above(a, _)) | (R::Above(a, _), R::Revisions(v)) => {
                v.cmp_ignoring_revision(a) != Ordering::Less
            }
            (R::Revisions(v), R::Revisions(w)) => v.eq_ignoring_revision(w),
            (R::Revisions(v), R::Glob(g)) | (R::Glob(g), R::Revisions(v)) => {
                v.key_without_revision().starts_with(g.glob_prefix())
            }
            (R::Glob(g), R::Below(b, _)) | (R::Below(b, _), R::Glob(g)) => {
                b.key() > g.glob_prefix()
            }
            (R::Glob(g), R::Above(a, _)) | (R::Above(a, _), R::Glob(g)) => {
                a.key().starts_with(g.glob_prefix()) || a.key() < g.glob_prefix()
            }
            (R::Glob(g), R::Glob(h)) => {
                g.glob_prefix().starts_with(h.glob_prefix())
                    || h.glob_prefix().starts_with(g.glob_prefix())
            }
        }
    }
}

impl PartialEq for Atom {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Atom {}

impl Hash for Atom {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for Atom {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Atom {
    fn cmp(&self, other: &Self) -> Ordering {
        self.category()
            .cmp(other.category())
            .then_with(|| self.package().cmp(other.package()))
            .then_with(|| self.version.cmp(&other.version))
            .then_with(|| self.as_str().cmp(other.as_str()))
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Atom({:?})", self.as_str())
    }
}

impl FromStr for Atom {
    type Err = ParseError;
    /// Parses with the newest EAPI's rules and no extensions.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Atom::parse(s, Eapi::LATEST)
    }
}

/// A package's USE state as seen by USE dependencies.
pub trait UseFlags {
    /// Whether `flag` is in the package's IUSE (IUSE_REFERENCEABLE, without `+`/`-`).
    fn has_iuse(&self, flag: &str) -> bool;
    /// Whether `flag` is enabled.
    fn is_enabled(&self, flag: &str) -> bool;
}

/// A simple owned [`UseFlags`]: the IUSE and the enabled flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UseSet {
    iuse: HashSet<String>,
    enabled: HashSet<String>,
}

impl UseSet {
    /// Builds a set from IUSE (entries may carry a `+`/`-` default prefix, which is
    /// stripped) and the enabled flags.
    pub fn new<I, J, S, T>(iuse: I, enabled: J) -> Self
    where
        I: IntoIterator<Item = S>,
        J: IntoIterator<Item = T>,
        S: AsRef<str>,
        T: AsRef<str>,
    {
        UseSet {
            iuse: iuse
                .into_iter()
                .map(|f| f.as_ref().trim_start_matches(['+', '-']).to_owned())
                .collect(),
            enabled: enabled.into_iter().map(|f| f.as_ref().to_owned()).collect(),
        }
    }
}

impl UseFlags for UseSet {
    fn has_iuse(&self, flag: &str) -> bool {
        self.iuse.contains(flag)
    }
    fn is_enabled(&self, flag: &str) -> bool {
        self.enabled.contains(flag)
    }
}

/// A package to match an atom against: its CPV, and what is known of its slot,
/// sub-slot, repository and USE.
///
/// An atom with a slot, sub-slot or repository dependency does not match a target whose
/// corresponding value is unknown (`None`). A target without USE information is treated
/// as having an empty IUSE (only USE dependencies with a fitting default match it).
#[derive(Clone, Copy)]
pub struct MatchTarget<'a> {
    /// The package.
    pub cpv: &'a Cpv,
    /// SLOT's main part.
    pub slot: Option<&'a str>,
    /// The sub-slot; `None` with a slot means "equal to the slot".
    pub subslot: Option<&'a str>,
    /// The repository name.
    pub repo: Option<&'a str>,
    /// IUSE and enabled flags.
    pub use_flags: Option<&'a dyn UseFlags>,
}

impl<'a> MatchTarget<'a> {
    /// A target known only by its CPV.
    pub fn new(cpv: &'a Cpv) -> Self {
        MatchTarget {
            cpv,
            slot: None,
            subslot: None,
            repo: None,
            use_flags: None,
        }
    }

    /// Sets the slot from a SLOT value (`2` or `2/2.1`).
    pub fn with_slot(mut self, slot: &'a str) -> Self {
        match slot.split_once('/') {
            Some((s, sub)) => {
                self.slot = Some(s);
                self.subslot = Some(sub);
            }
            None => {
                self.slot = Some(slot);
                self.subslot = None;
            }
        }
        self
    }

    /// Sets the repository.
    pub fn with_repo(mut self, repo: &'a str) -> Self {
        self.repo = Some(repo);
        self
    }

    /// Sets the USE information.
    pub fn with_use(mut self, use_flags: &'a dyn UseFlags) -> Self {
        self.use_flags = Some(use_flags);
        self
    }
}

impl fmt::Debug for MatchTarget<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MatchTarget")
            .field("cpv", &self.cpv)
            .field("slot", &self.slot)
            .field("subslot", &self.subslot)
            .field("repo", &self.repo)
            .field("use_flags", &self.use_flags.is_some())
            .finish()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn a(s: &str) -> Atom {
        Atom::parse(s, Eapi::LATEST).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn parts() {
        let x = Atom::parse_with(
            "!!>=dev-lang/python-3.11-r2:3.11/3.11t=::gentoo[ssl(+),-tk,!doc?,x=,!y=,z?]",
            AtomOptions::user_config(),
        )
        .unwrap();
        assert_eq!(x.blocker(), Some(Blocker::Strong));
        assert_eq!(x.op(), Some(VersionOp::GreaterOrEqual));
        assert_eq!(x.category(), "dev-lang");
        assert_eq!(x.package(), "python");
        assert_eq!(x.cp(), "dev-lang/python");
        assert_eq!(x.version().unwrap().as_str(), "3.11-r2");
        assert_eq!(x.slot(), Some("3.11"));
        assert_eq!(x.subslot(), Some("3.11t"));
        assert_eq!(x.slot_op(), Some(SlotOperator::Equal));
        assert_eq!(x.repo(), Some("gentoo"));
        let kinds: Vec<_> = x.use_deps().iter().map(|d| (d.flag(), d.kind())).collect();
        assert_eq!(
            kinds,
            [
                ("ssl", UseDepKind::Enabled),
                ("tk", UseDepKind::Disabled),
                ("doc", UseDepKind::NotConditional),
                ("x", UseDepKind::Equal),
                ("y", UseDepKind::NotEqual),
                ("z", UseDepKind::Conditional),
            ]
        );
        assert_eq!(x.use_deps()[0].default(), Some(UseDefault::Enabled));
        assert_eq!(x.unversioned().to_string(), "dev-lang/python");
        assert_eq!(x.unversioned().package(), "python");
        assert_eq!(x.cpv().unwrap().to_string(), "dev-lang/python-3.11-r2");
        let joined: Vec<String> = x.use_deps().iter().map(ToString::to_string).collect();
        assert_eq!(joined.join(","), "ssl(+),-tk,!doc?,x=,!y=,z?");
    }

    #[test]
    fn slot_forms() {
        let x = a("a/b:*");
        assert_eq!((x.slot(), x.slot_op()), (None, Some(SlotOperator::Star)));
        let x = a("a/b:=");
        assert_eq!((x.slot(), x.slot_op()), (None, Some(SlotOperator::Equal)));
        let x = a("a/b:0=");
        assert_eq!(
            (x.slot(), x.slot_op()),
            (Some("0"), Some(SlotOperator::Equal))
        );
        let x = a("a/b:0/1");
        assert_eq!(
            (x.slot(), x.subslot(), x.slot_op()),
            (Some("0"), Some("1"), None)
        );
        for bad in [
            "a/b:",
            "a/b:0*",
            "a/b:0/53*",
            "a/b:/1",
            "a/b:0/",
            "a/b:=0",
            "a/b:**",
        ] {
            assert!(Atom::parse(bad, Eapi::E8).is_err(), "{bad}");
        }
    }

    #[test]
    fn eapi_gates() {
        let cases = [
            ("a/b:1", Eapi::E1),
            ("!!a/b", Eapi::E2),
            ("a/b[x]", Eapi::E2),
            ("a/b[x(+)]", Eapi::E4),
            ("a/b:1/2", Eapi::E5),
            ("a/b:=", Eapi::E5),
            ("a/b:*", Eapi::E5),
            ("a/b:1=", Eapi::E5),
        ];
        for (s, first) in cases {
            for e in Eapi::ALL {
                let r = Atom::parse(s, e);
                assert_eq!(r.is_ok(), e >= first, "{s} in EAPI {e}: {r:?}");
                if let Err(err) = r {
                    assert!(matches!(err, ParseError::EapiFeature { .. }), "{err}");
                }
            }
        }
        assert!(Atom::parse("!a/b", Eapi::E0).is_ok());
        assert!(Atom::parse("a/b::r", Eapi::E9).is_err());
        let opts = AtomOptions {
            eapi: Some(Eapi::E0),
            repo_deps: true,
        };
        assert!(Atom::parse_with("a/b::r", opts).is_ok());
    }

    #[test]
    fn invalid_use_deps() {
        for bad in [
            "a/b[!-doc]",
            "a/b[-doc?]",
            "a/b[-doc=]",
            "a/b[!doc]",
            "a/b[]",
            "a/b[a,]",
            "a/b[,a]",
            "a/b[a][b]",
            "a/b[-doc!=]",
            "a/b[a(*)]",
            "a/b[a(+)(-)]",
            "a/b[_a]",
            "a/b[a",
            "a/b[a]x",
            "a/b[a=?]",
        ] {
            assert!(Atom::parse(bad, Eapi::E8).is_err(), "{bad}");
        }
    }

    #[test]
    fn error_messages() {
        let e = Atom::parse(">=dev-lang/python", Eapi::E8).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"invalid atom ">=dev-lang/python": operator requires a version (at 0)"#
        );
        let e = Atom::parse("dev-lang/python-3", Eapi::E8).unwrap_err();
        assert!(e.to_string().contains("requires an operator"), "{e}");
        let e = Atom::parse("a/b[x(+)]", Eapi::E3).unwrap_err();
        assert_eq!(e.position(), Some(5));
        let e = Atom::parse("!!<a/b-1:2", Eapi::E1).unwrap_err();
        assert_eq!(e.position(), Some(0));
    }

    #[test]
    fn matching() {
        let cpv = Cpv::parse("dev-libs/foo-1.2.3-r1").unwrap();
        let t = MatchTarget::new(&cpv)
            .with_slot("1/1.2")
            .with_repo("gentoo");
        for yes in [
            "dev-libs/foo",
            "=dev-libs/foo-1.2.3-r1",
            "=dev-libs/foo-1.2*",
            "~dev-libs/foo-1.2.3",
            "~dev-libs/foo-1.2.3-r5",
            ">dev-libs/foo-1.2.3",
            "<=dev-libs/foo-1.2.3-r1",
            "dev-libs/foo:1",
            "dev-libs/foo:1/1.2",
            "dev-libs/foo:*",
            "dev-libs/foo:=",
            "!dev-libs/foo",
        ] {
            assert!(a(yes).matches(&t), "{yes}");
        }
        for no in [
            "dev-libs/bar",
            "=dev-libs/foo-1.2.3",
            "=dev-libs/foo-1.20*",
            "<dev-libs/foo-1.2.3-r1",
            "dev-libs/foo:2",
            "dev-libs/foo:1/1.3",
            "dev-libs/foo[x(+)]",
        ] {
            let hit = a(no).matches(&t);
            if no.ends_with("(+)]") {
                // no USE info: x is missing from IUSE and defaults to enabled
                assert!(hit, "{no}");
            } else {
                assert!(!hit, "{no}");
            }
        }
        let repo = Atom::parse_with("dev-libs/foo::gentoo", AtomOptions::user_config()).unwrap();
        assert!(repo.matches(&t));
        let other = Atom::parse_with("dev-libs/foo::guru", AtomOptions::user_config()).unwrap();
        assert!(!other.matches(&t));
        assert!(!repo.matches(&MatchTarget::new(&cpv)));
    }

    #[test]
    fn use_matching() {
        let cpv = Cpv::parse("a/b-1").unwrap();
        let u = UseSet::new(["+x", "-y", "z"], ["x"]);
        let t = MatchTarget::new(&cpv).with_use(&u);
        let on = UseSet::new(["x", "y", "z", "w"], ["x", "y", "z", "w"]);
        let off = UseSet::new(["x", "y", "z"], Vec::<String>::new());
        let cases: &[(&str, Option<&dyn UseFlags>, bool)] = &[
            ("a/b[x]", None, true),
            ("a/b[-x]", None, false),
            ("a/b[y]", None, false),
            ("a/b[-y]", None, true),
            ("a/b[w]", None, false),
            ("a/b[-w]", None, false),
            ("a/b[w(+)]", None, true),
            ("a/b[w(-)]", None, false),
            ("a/b[-w(-)]", None, true),
            ("a/b[x(-)]", None, true),
            ("a/b[y?]", None, true),
            ("a/b[y?]", Some(&on), false),
            ("a/b[y?]", Some(&off), true),
            ("a/b[!x?]", Some(&off), false),
            ("a/b[!x?]", Some(&on), true),
            ("a/b[x=]", Some(&on), true),
            ("a/b[x=]", Some(&off), false),
            ("a/b[!x=]", Some(&off), true),
            ("a/b[!y=]", Some(&off), false),
            ("a/b[w?]", Some(&off), true),
            ("a/b[w?]", Some(&on), false),
            ("a/b[x,-y,z(-)=]", Some(&off), true),
        ];
        for &(s, parent, want) in cases {
            assert_eq!(a(s).matches_with_parent(&t, parent), want, "{s}");
        }
    }

    #[test]
    fn intersections() {
        let yes = [
            ("a/b", ">=a/b-1"),
            (">=a/b-1", "<a/b-2"),
            (">=a/b-1", "<=a/b-1"),
            (">a/b-1", "<a/b-1-r2"),
            (">a/b-1", "<a/b-1.0"),
            ("=a/b-1*", ">=a/b-1.5"),
            ("=a/b-1*", "<a/b-1"),
            ("=a/b-1*", "<a/b-1.0"),
            ("=a/b-1*", ">a/b-1.9"),
            ("=a/b-1*", "=a/b-1.2*"),
            ("~a/b-1", "=a/b-1-r3"),
            ("~a/b-1", ">a/b-1-r7"),
            ("~a/b-1", "<a/b-1-r1"),
            ("~a/b-1", "<=a/b-1"),
            ("~a/b-1.2", "=a/b-1*"),
            ("~a/b-1.0", "~a/b-1.00-r1"),
            ("a/b:1", "a/b"),
            ("a/b:1/2", "a/b:1"),
            ("a/b[x]", "a/b[y]"),
            ("a/b[x]", "a/b[!x?]"),
            ("a/b[x(+)]", "a/b[-x(-)]"),
            ("!a/b", "a/b"),
            ("=a/b-1-r1*", "=a/b-1-r01"),
        ];
        for (x, y) in yes {
            assert!(a(x).intersects(&a(y)), "{x} ∩ {y}");
            assert!(a(y).intersects(&a(x)), "{y} ∩ {x}");
        }
        let no = [
            ("a/b", "a/c"),
            ("a/b", "c/b"),
            (">=a/b-2", "<a/b-2"),
            (">a/b-2", "<=a/b-2"),
            (">a/b-1", "<a/b-1-r1"),
            (">a/b-1-r9", "<a/b-1-r10"),
            ("=a/b-1*", ">=a/b-2"),
            ("=a/b-1*", "<a/b-0.9"),
            ("=a/b-1*", "=a/b-10"),
            ("=a/b-1.1*", "=a/b-1.2*"),
            ("~a/b-1", "=a/b-1.1"),
            ("~a/b-1", "<a/b-1"),
            ("~a/b-1", ">=a/b-1_p1"),
            ("~a/b-1", "=a/b-1.1*"),
            ("~a/b-1", "~a/b-2"),
            ("a/b:1", "a/b:2"),
            ("a/b:1/2", "a/b:1/3"),
            ("a/b[x]", "a/b[-x]"),
            ("a/b[x(+)]", "a/b[-x]"),
            ("=a/b-1", "=a/b-2"),
        ];
        for (x, y) in no {
            assert!(!a(x).intersects(&a(y)), "{x} !∩ {y}");
            assert!(!a(y).intersects(&a(x)), "{y} !∩ {x}");
        }
    }

    #[test]
    fn display_round_trip_and_eq() {
        for s in [
            "a/b",
            "!a/b:0",
            "!!<=a/b-1.0_rc1-r1:0/1=[x,-y(+),z?]",
            "=a/b-1*",
            "~a/b-1-r1",
        ] {
            let x = a(s);
            assert_eq!(x.to_string(), s);
            assert_eq!(a(&x.to_string()), x);
        }
        let mut v = [a(">=a/b-2"), a("=a/b-1"), a("a/a"), a("a/b")];
        v.sort();
        let s: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(s, ["a/a", "a/b", "=a/b-1", ">=a/b-2"]);
    }
}
