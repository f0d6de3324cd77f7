//! Value restrictions: predicates over one attribute value ([`AttrValue`]).
//!
//! String matchers (exact, prefix, suffix, substring, glob, regex; case-sensitive or not),
//! containment of any-of/all-of a set of strings, equality, version comparison, and
//! boolean combinations and negation of those. Everything is compiled at construction, so
//! matching does not allocate (except to spell atoms as text for string matchers).
//!
//! Lists ([`AttrValue::List`], [`AttrValue::Atoms`], [`AttrValue::AtomRefs`]) match a string matcher when **any**
//! element matches (pkgcore's `AnyMatch`); containment looks at the elements.

use std::fmt;
use std::sync::Arc;

use regex::{Regex, RegexBuilder};
use strata_atom::atom::{Atom, VersionOp};
use strata_atom::version::Version;

use crate::attr::AttrValue;
use crate::glob::Glob;
use crate::version_match::VersionMatch;

/// How a [`StrMatch`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StrMatchKind {
    /// The whole value equals the pattern.
    Exact,
    /// The value starts with the pattern.
    Prefix,
    /// The value ends with the pattern.
    Suffix,
    /// The value contains the pattern.
    Substring,
    /// The whole value matches a `*` glob.
    Glob,
    /// The regular expression matches somewhere in the value (search; anchor with `^…$`).
    Regex,
}

#[derive(Clone)]
enum Compiled {
    Exact,
    Prefix,
    Suffix,
    Substring,
    Glob(Glob),
    Regex(Arc<Regex>),
    /// A pattern only a backtracking engine can run (look-around, back-references, as
    /// Python's `re` allows in pkgcore's options).
    Backtracking(Arc<fancy_regex::Regex>),
}

/// Compiles a regular expression search: with the `regex` crate (linear time) when it
/// accepts the pattern, else with `fancy-regex`, which adds Python `re` features such as
/// look-around and back-references; when neither accepts it, the `regex` crate's error.
fn compile_search(pattern: &str, case_insensitive: bool) -> Result<Compiled, regex::Error> {
    match RegexBuilder::new(pattern)
        .case_insensitive(case_insensitive)
        .build()
    {
        Ok(r) => Ok(Compiled::Regex(Arc::new(r))),
        Err(e) => fancy_regex::RegexBuilder::new(pattern)
            .case_insensitive(case_insensitive)
            .build()
            .map(|r| Compiled::Backtracking(Arc::new(r)))
            .map_err(|_| e),
    }
}

/// A compiled string matcher.
#[derive(Clone)]
pub struct StrMatch {
    kind: StrMatchKind,
    pattern: Box<str>,
    case_sensitive: bool,
    compiled: Compiled,
}

impl StrMatch {
    /// Compiles a matcher. Case-insensitive matchers use Unicode case folding (through
    /// the `regex` crate). A [`StrMatchKind::Regex`] pattern may also use look-around
    /// and back-references (as Python's `re` does), run by a backtracking engine. Fails
    /// only for an invalid regular expression.
    pub fn new(
        kind: StrMatchKind,
        pattern: &str,
        case_sensitive: bool,
    ) -> Result<StrMatch, regex::Error> {
        let compiled = if case_sensitive {
            match kind {
                StrMatchKind::Exact => Compiled::Exact,
                StrMatchKind::Prefix => Compiled::Prefix,
                StrMatchKind::Suffix => Compiled::Suffix,
                StrMatchKind::Substring => Compiled::Substring,
                StrMatchKind::Glob => Compiled::Glob(Glob::new(pattern)),
                StrMatchKind::Regex => compile_search(pattern, false)?,
            }
        } else {
            let re = match kind {
                StrMatchKind::Exact => format!("^(?:{})$", regex::escape(pattern)),
                StrMatchKind::Prefix => format!("^(?:{})", regex::escape(pattern)),
                StrMatchKind::Suffix => format!("(?:{})$", regex::escape(pattern)),
                StrMatchKind::Substring => regex::escape(pattern),
                StrMatchKind::Glob => glob_regex(pattern),
                StrMatchKind::Regex => pattern.to_owned(),
            };
            compile_search(&re, true)?
        };
        Ok(StrMatch {
            kind,
            pattern: pattern.into(),
            case_sensitive,
            compiled,
        })
    }

    /// A case-sensitive exact match.
    pub fn exact(s: &str) -> StrMatch {
        StrMatch {
            kind: StrMatchKind::Exact,
            pattern: s.into(),
            case_sensitive: true,
            compiled: Compiled::Exact,
        }
    }

    /// A case-sensitive `*` glob; a glob without `*` becomes an exact match.
    pub fn glob(pattern: &str) -> StrMatch {
        let g = Glob::new(pattern);
        if g.is_literal() {
            return StrMatch::exact(pattern);
        }
        StrMatch {
            kind: StrMatchKind::Glob,
            pattern: pattern.into(),
            case_sensitive: true,
            compiled: Compiled::Glob(g),
        }
    }

    /// A regular expression search.
    pub fn regex(pattern: &str, case_sensitive: bool) -> Result<StrMatch, regex::Error> {
        StrMatch::new(StrMatchKind::Regex, pattern, case_sensitive)
    }

    /// How this matcher compares.
    pub fn kind(&self) -> StrMatchKind {
        self.kind
    }

    /// The pattern as given.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Whether the comparison is case-sensitive.
    pub fn case_sensitive(&self) -> bool {
        self.case_sensitive
    }

    /// The exact string this matches, if it is a case-sensitive exact match.
    pub fn as_exact(&self) -> Option<&str> {
        matches!(self.compiled, Compiled::Exact).then_some(&*self.pattern)
    }

    /// Whether `s` matches.
    #[inline]
    pub fn matches(&self, s: &str) -> bool {
        let p = &*self.pattern;
        match &self.compiled {
            Compiled::Exact => s == p,
            Compiled::Prefix => s.starts_with(p),
            Compiled::Suffix => s.ends_with(p),
            Compiled::Substring => s.contains(p),
            Compiled::Glob(g) => g.matches(s),
            Compiled::Regex(r) => r.is_match(s),
            // Running out of the backtracking budget on a pathological pattern reads as
            // no match rather than an error per value.
            Compiled::Backtracking(r) => r.is_match(s).unwrap_or(false),
        }
    }
}

/// The lines of `text` without their terminators (`\n`, `\r\n` or a lone `\r`, as
/// Python's universal newlines split them). An empty text has no lines; a final line
/// without a terminator is a line.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.split_inclusive('\n').flat_map(|l| {
        let l = l.strip_suffix('\n').unwrap_or(l);
        let l = l.strip_suffix('\r').unwrap_or(l);
        l.split('\r')
    })
}

/// Whether `pred` holds for the text, some list element (both through `view`), the
/// version, some atom or the number of `value`, as a string.
fn any_string<V>(value: &AttrValue<'_>, view: V, pred: impl Fn(&str) -> bool) -> bool
where
    V: Fn(&str) -> &str + Copy,
{
    match value {
        AttrValue::Text(s) => pred(view(s)),
        AttrValue::List(l) => l.iter().any(|s| pred(view(s))),
        AttrValue::Version(v) => pred(v.as_str()),
        AttrValue::Atoms(_) | AttrValue::AtomRefs(_) => value
            .atoms()
            .into_iter()
            .flatten()
            .any(|a| pred(a.as_str())),
        AttrValue::Number(n) => pred(&n.to_string()),
    }
}

/// The anchored regex equivalent of a `*` glob.
fn glob_regex(pattern: &str) -> String {
    let mut re = String::with_capacity(pattern.len() + 8);
    re.push_str("^(?s:");
    for (i, part) in pattern.split('*').enumerate() {
        if i > 0 {
            re.push_str(".*");
        }
        re.push_str(&regex::escape(part));
    }
    re.push_str(")$");
    re
}

impl PartialEq for StrMatch {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.case_sensitive == other.case_sensitive
            && self.pattern == other.pattern
    }
}

impl Eq for StrMatch {}

impl std::hash::Hash for StrMatch {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.kind.hash(state);
        self.case_sensitive.hash(state);
        self.pattern.hash(state);
    }
}

impl fmt::Debug for StrMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for StrMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.kind {
            StrMatchKind::Exact => "==",
            StrMatchKind::Prefix => "startswith",
            StrMatchKind::Suffix => "endswith",
            StrMatchKind::Substring => "contains",
            StrMatchKind::Glob => "glob",
            StrMatchKind::Regex => "=~",
        };
        let ci = if self.case_sensitive { "" } else { "(i)" };
        write!(f, "{op}{ci} {:?}", &*self.pattern)
    }
}

/// Whether a [`ValueRestriction::Contains`] needs any or all of its values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Containment {
    /// At least one of the values is present.
    AnyOf,
    /// Every value is present.
    AllOf,
}

/// A predicate over one attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueRestriction {
    /// A string matcher: text values are matched whole; list values match when any
    /// element matches; versions by their spelling; atoms by their canonical text.
    Str(StrMatch),
    /// Containment: for a list, whether any-of/all-of `values` are elements; for a text
    /// value, whether any-of/all-of `values` are substrings of it (pkgcore's rule).
    Contains {
        /// The values looked for.
        values: Box<[Box<str>]>,
        /// Any or all of them.
        mode: Containment,
    },
    /// Equality with a text (text values, version spellings) or a list (element-wise,
    /// in order) or a number.
    Equals(EqualsValue),
    /// Version comparison with PMS semantics (`<`, `<=`, `=`, `=*`, `~`, `>=`, `>`).
    /// Matches [`AttrValue::Version`] values, and text values that parse as versions.
    Version(VersionMatch),
    /// For dependency atoms ([`AttrValue::Atoms`]): some atom could match a package that
    /// this atom matches too ([`Atom::intersects`]; pkgcore's `--restrict-revdep`).
    Intersects(Box<Atom>),
    /// For dependency atoms: some atom names this `category/package` (blockers included;
    /// a reverse-dependency lookup by name).
    NamesPackage(Box<str>),
    /// For text values (and each element of a list): some line matches the string
    /// matcher, pkgcore's `DataSourceRestriction(AnyMatch(...))` over a file's lines
    /// (`--environment-re`). Lines end at `\n`, `\r\n` or `\r` (Python's universal
    /// newlines) and are matched without their terminator; an empty text has no lines.
    AnyLine(StrMatch),
    /// Every child matches.
    And(Box<[ValueRestriction]>),
    /// Some child matches.
    Or(Box<[ValueRestriction]>),
    /// The child does not match (a missing attribute still does not match).
    Not(Box<ValueRestriction>),
}

/// The right-hand side of [`ValueRestriction::Equals`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum EqualsValue {
    /// A text.
    Text(Box<str>),
    /// A list, compared element-wise in order.
    List(Box<[Box<str>]>),
    /// A number.
    Number(u64),
}

impl ValueRestriction {
    /// Case-sensitive exact string match.
    pub fn exact(s: &str) -> Self {
        ValueRestriction::Str(StrMatch::exact(s))
    }

    /// Case-sensitive `*` glob (exact match when there is no `*`).
    pub fn glob(pattern: &str) -> Self {
        ValueRestriction::Str(StrMatch::glob(pattern))
    }

    /// Regular-expression search.
    pub fn regex(pattern: &str, case_sensitive: bool) -> Result<Self, regex::Error> {
        Ok(ValueRestriction::Str(StrMatch::regex(
            pattern,
            case_sensitive,
        )?))
    }

    /// A string matcher of any kind.
    pub fn str_match(
        kind: StrMatchKind,
        pattern: &str,
        case_sensitive: bool,
    ) -> Result<Self, regex::Error> {
        Ok(ValueRestriction::Str(StrMatch::new(
            kind,
            pattern,
            case_sensitive,
        )?))
    }

    /// Containment of any-of or all-of `values`.
    pub fn contains<I, S>(values: I, mode: Containment) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        ValueRestriction::Contains {
            values: values.into_iter().map(|s| s.as_ref().into()).collect(),
            mode,
        }
    }

    /// Version comparison `op version`.
    pub fn version(op: VersionOp, version: Version) -> Self {
        ValueRestriction::Version(VersionMatch::new(op, version))
    }

    /// The negation of `self`.
    pub fn negate(self) -> Self {
        match self {
            ValueRestriction::Not(inner) => *inner,
            other => ValueRestriction::Not(Box::new(other)),
        }
    }

    /// Whether `value` satisfies this restriction.
    pub fn matches(&self, value: &AttrValue<'_>) -> bool {
        fn identity(s: &str) -> &str {
            s
        }
        self.matches_filtered(value, identity)
    }

    /// Like [`matches`](Self::matches), with every list element and text passed through
    /// `view` first (used to ignore IUSE's `+`/`-` markers).
    pub(crate) fn matches_filtered<V>(&self, value: &AttrValue<'_>, view: V) -> bool
    where
        V: Fn(&str) -> &str + Copy,
    {
        match self {
            ValueRestriction::Str(m) => any_string(value, view, |s| m.matches(s)),
            ValueRestriction::Contains { values, mode } => {
                let has = |want: &str| -> bool {
                    match value {
                        AttrValue::Text(s) => view(s).contains(want),
                        AttrValue::List(l) => l.iter().any(|s| view(s) == want),
                        AttrValue::Version(v) => v.as_str().contains(want),
                        AttrValue::Atoms(_) | AttrValue::AtomRefs(_) => value
                            .atoms()
                            .into_iter()
                            .flatten()
                            .any(|a| a.as_str() == want),
                        AttrValue::Number(n) => n.to_string() == want,
                    }
                };
                match mode {
                    Containment::AnyOf => values.iter().any(|v| has(v)),
                    Containment::AllOf => values.iter().all(|v| has(v)),
                }
            }
            ValueRestriction::Equals(want) => match (want, value) {
                (EqualsValue::Text(w), AttrValue::Text(s)) => view(s) == &**w,
                (EqualsValue::Text(w), AttrValue::Version(v)) => {
                    Version::parse(w).is_ok_and(|w| w == **v)
                }
                (EqualsValue::List(w), AttrValue::List(l)) => {
                    let mut it = l.iter();
                    w.iter().all(|x| it.next().is_some_and(|s| view(s) == &**x))
                        && it.next().is_none()
                }
                (EqualsValue::Number(w), AttrValue::Number(n)) => w == n,
                _ => false,
            },
            ValueRestriction::Version(vm) => match value {
                AttrValue::Version(v) => vm.matches(v),
                AttrValue::Text(s) => Version::parse(s).is_ok_and(|v| vm.matches(&v)),
                _ => false,
            },
            // A version, an atom or a number is one line.
            ValueRestriction::AnyLine(m) => {
                any_string(value, view, |s| lines(s).any(|l| m.matches(l)))
            }
            ValueRestriction::Intersects(target) => value
                .atoms()
                .is_some_and(|mut it| it.any(|a| a.intersects(target))),
            ValueRestriction::NamesPackage(cp) => value
                .atoms()
                .is_some_and(|mut it| it.any(|a| a.cp() == &**cp)),
            ValueRestriction::And(children) => {
                children.iter().all(|c| c.matches_filtered(value, view))
            }
            ValueRestriction::Or(children) => {
                children.iter().any(|c| c.matches_filtered(value, view))
            }
            ValueRestriction::Not(child) => !child.matches_filtered(value, view),
        }
    }

    /// Whether `name` (a category or package name, given as text) satisfies this.
    #[inline]
    pub fn matches_str(&self, name: &str) -> bool {
        match self {
            ValueRestriction::Str(m) => m.matches(name),
            other => other.matches(&AttrValue::text(name)),
        }
    }

    /// The exact string this requires, if it is a case-sensitive exact match.
    pub fn as_exact(&self) -> Option<&str> {
        match self {
            ValueRestriction::Str(m) => m.as_exact(),
            _ => None,
        }
    }
}

impl fmt::Display for ValueRestriction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueRestriction::Str(m) => write!(f, "{m}"),
            ValueRestriction::Contains { values, mode } => {
                let m = match mode {
                    Containment::AnyOf => "any-of",
                    Containment::AllOf => "all-of",
                };
                write!(f, "has {m} {{")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v:?}")?;
                }
                f.write_str("}")
            }
            ValueRestriction::Equals(EqualsValue::Text(t)) => write!(f, "equals {t:?}"),
            ValueRestriction::Equals(EqualsValue::List(l)) => write!(f, "equals {l:?}"),
            ValueRestriction::Equals(EqualsValue::Number(n)) => write!(f, "equals {n}"),
            ValueRestriction::Version(vm) => write!(f, "{vm}"),
            ValueRestriction::AnyLine(m) => write!(f, "any line {m}"),
            ValueRestriction::Intersects(a) => write!(f, "intersects {a}"),
            ValueRestriction::NamesPackage(cp) => write!(f, "names {cp}"),
            ValueRestriction::And(c) => join(f, c, " && "),
            ValueRestriction::Or(c) => join(f, c, " || "),
            ValueRestriction::Not(c) => write!(f, "!({c})"),
        }
    }
}

fn join(f: &mut fmt::Formatter<'_>, items: &[ValueRestriction], sep: &str) -> fmt::Result {
    f.write_str("(")?;
    for (i, c) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{c}")?;
    }
    f.write_str(")")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::attr::StrList;
    use std::borrow::Cow;

    fn text(s: &str) -> AttrValue<'_> {
        AttrValue::text(s)
    }

    fn sm(kind: StrMatchKind, p: &str, cs: bool) -> ValueRestriction {
        ValueRestriction::str_match(kind, p, cs).unwrap()
    }

    #[test]
    fn string_kinds() {
        use StrMatchKind::*;
        let v = text("Python Programming Language");
        assert!(sm(Exact, "Python Programming Language", true).matches(&v));
        assert!(!sm(Exact, "python programming language", true).matches(&v));
        assert!(sm(Exact, "python programming language", false).matches(&v));
        assert!(sm(Prefix, "Python", true).matches(&v));
        assert!(!sm(Prefix, "python", true).matches(&v));
        assert!(sm(Prefix, "python", false).matches(&v));
        assert!(!sm(Prefix, "Language", false).matches(&v));
        assert!(sm(Suffix, "Language", true).matches(&v));
        assert!(sm(Suffix, "LANGUAGE", false).matches(&v));
        assert!(!sm(Suffix, "Python", false).matches(&v));
        assert!(sm(Substring, "Program", true).matches(&v));
        assert!(!sm(Substring, "program", true).matches(&v));
        assert!(sm(Substring, "PROGRAM", false).matches(&v));
        assert!(sm(Glob, "Py*Lang*", true).matches(&v));
        assert!(!sm(Glob, "py*lang*", true).matches(&v));
        assert!(sm(Glob, "py*lang*", false).matches(&v));
        assert!(!sm(Glob, "Py*Lang", true).matches(&v));
        assert!(sm(Regex, "gram+ing", true).matches(&v));
        assert!(!sm(Regex, "^gram", true).matches(&v));
        assert!(sm(Regex, "^python", false).matches(&v));
        // Regex metacharacters in literal kinds are literal, also case-insensitively.
        assert!(sm(Substring, "a.b", false).matches(&text("xA.By")));
        assert!(!sm(Substring, "a.b", false).matches(&text("xAxBy")));
        assert!(sm(Glob, "a.*", false).matches(&text("A.x")));
        assert!(!sm(Glob, "a.*", false).matches(&text("Ax")));
        // Unicode case folding.
        assert!(sm(Substring, "ÉTÉ", false).matches(&text("un été")));
        assert!(ValueRestriction::regex("(", true).is_err());
    }

    #[test]
    fn python_regex_features_run_on_the_backtracking_engine() {
        let re = |p: &str, cs: bool| ValueRestriction::regex(p, cs).unwrap();
        // Look-ahead and look-behind.
        assert!(re("term(?!inal)", true).matches(&text("terms of use")));
        assert!(!re("term(?!inal)", true).matches(&text("a terminal")));
        assert!(re("(?<=GNU )Emacs", true).matches(&text("GNU Emacs")));
        assert!(!re("(?<=GNU )Emacs", true).matches(&text("XEmacs")));
        // Back-references (compared exactly, also in a case-insensitive search, where
        // Python's would fold case).
        assert!(re(r"\b(\w+) \1\b", true).matches(&text("the the")));
        assert!(re(r"\b(\w+) \1\b", false).matches(&text("THE the the")));
        assert!(!re(r"\b(\w+) \1\b", true).matches(&text("the then")));
        // Still invalid in both engines: the regex crate's error.
        let err = ValueRestriction::regex("(?<=a", true).unwrap_err();
        assert!(!err.to_string().is_empty());
    }

    #[test]
    fn lists_match_any_element() {
        let l = AttrValue::List(StrList::Spaced("amd64 ~arm64 x86"));
        assert!(ValueRestriction::exact("~arm64").matches(&l));
        assert!(!ValueRestriction::exact("arm64").matches(&l));
        assert!(ValueRestriction::glob("*arm*").matches(&l));
        assert!(!ValueRestriction::exact("amd64 ~arm64 x86").matches(&l));
        let empty = AttrValue::List(StrList::Spaced(""));
        assert!(!ValueRestriction::glob("*").matches(&empty));
        assert!(ValueRestriction::glob("*").negate().matches(&empty));
    }

    #[test]
    fn containment() {
        let l = AttrValue::List(StrList::Spaced("ssl doc test"));
        let any = ValueRestriction::contains(["x", "doc"], Containment::AnyOf);
        let all = ValueRestriction::contains(["ssl", "doc"], Containment::AllOf);
        let all_missing = ValueRestriction::contains(["ssl", "x"], Containment::AllOf);
        assert!(any.matches(&l));
        assert!(all.matches(&l));
        assert!(!all_missing.matches(&l));
        assert!(!ValueRestriction::contains(["do"], Containment::AnyOf).matches(&l));
        // Text: substring containment (pkgcore).
        let t = text("GPL-2+ BSD");
        assert!(ValueRestriction::contains(["BSD", "MIT"], Containment::AnyOf).matches(&t));
        assert!(!ValueRestriction::contains(["BSD", "MIT"], Containment::AllOf).matches(&t));
        // Empty set: any-of matches nothing, all-of everything.
        let none: [&str; 0] = [];
        assert!(!ValueRestriction::contains(none, Containment::AnyOf).matches(&l));
        assert!(ValueRestriction::contains(none, Containment::AllOf).matches(&l));
    }

    #[test]
    fn equality() {
        let eq = ValueRestriction::Equals(EqualsValue::Text("abc".into()));
        assert!(eq.matches(&text("abc")));
        assert!(!eq.matches(&text("abcd")));
        let l = ValueRestriction::Equals(EqualsValue::List(vec!["a".into(), "b".into()].into()));
        assert!(l.matches(&AttrValue::List(StrList::Spaced("a  b"))));
        assert!(!l.matches(&AttrValue::List(StrList::Spaced("a b c"))));
        assert!(!l.matches(&AttrValue::List(StrList::Spaced("a"))));
        assert!(!l.matches(&AttrValue::List(StrList::Spaced("b a"))));
        let n = ValueRestriction::Equals(EqualsValue::Number(3));
        assert!(n.matches(&AttrValue::Number(3)));
        assert!(!n.matches(&AttrValue::Number(4)));
        assert!(!n.matches(&text("3")));
        let v = ValueRestriction::Equals(EqualsValue::Text("1.0".into()));
        let ver = Version::parse("1.00").unwrap();
        assert!(v.matches(&AttrValue::Version(Cow::Borrowed(&ver))));
    }

    #[test]
    fn versions() {
        let v = |s: &str| Version::parse(s).unwrap();
        let ge = ValueRestriction::version(VersionOp::GreaterOrEqual, v("1.2"));
        assert!(ge.matches(&AttrValue::Version(Cow::Owned(v("1.2")))));
        assert!(ge.matches(&AttrValue::Version(Cow::Owned(v("1.10")))));
        assert!(!ge.matches(&AttrValue::Version(Cow::Owned(v("1.2_rc1")))));
        // Text values are parsed; non-versions never match.
        assert!(ge.matches(&text("2")));
        assert!(!ge.matches(&text("x")));
        let glob = ValueRestriction::version(VersionOp::EqualGlob, v("1.2"));
        assert!(glob.matches(&text("1.2.5")));
        assert!(!glob.matches(&text("1.20")));
        let approx = ValueRestriction::version(VersionOp::Approximate, v("1.0"));
        assert!(approx.matches(&text("1.0-r5")));
        assert!(!approx.matches(&text("1.0.1")));
    }

    #[test]
    fn any_line() {
        let env = "declare -x A=\"1\"\r\ndeclare -- B=\"x\ny\"\rlast";
        let m = |p: &str| ValueRestriction::AnyLine(StrMatch::regex(p, true).unwrap());
        let v = text(env);
        // Search, not full match, per line.
        assert!(m("A=").matches(&v));
        assert!(m("^y\"$").matches(&v));
        assert!(m("^last$").matches(&v));
        assert!(m("^declare -- B").matches(&v));
        // Anchors bind to lines, not to the whole text; terminators are not part of lines.
        assert!(!m("^x$").matches(&v));
        assert!(!m("1\"\\r").matches(&v));
        assert!(!m("x.y").matches(&v));
        assert!(!m("a=").matches(&v), "case-sensitive");
        assert!(!m("").matches(&text("")), "an empty text has no lines");
        assert!(m("^$").matches(&text("a\n\nb")));
        assert!(!m("^$").matches(&text("a\r\nb\n")));
        let l = AttrValue::List(StrList::Owned(vec!["p\nq".into(), "r".into()]));
        assert!(m("^q$").matches(&l));
        assert!(!m("^p\nq$").matches(&l));
        assert_eq!(m("x").to_string(), r#"any line =~ "x""#);
    }

    #[test]
    fn booleans_and_display() {
        let r = ValueRestriction::Or(
            vec![ValueRestriction::exact("a"), ValueRestriction::glob("b*")].into(),
        );
        assert!(r.matches(&text("a")));
        assert!(r.matches(&text("bc")));
        assert!(!r.matches(&text("c")));
        let n = r.clone().negate();
        assert!(n.matches(&text("c")));
        assert_eq!(n.clone().negate(), r);
        let a = ValueRestriction::And(
            vec![ValueRestriction::glob("a*"), ValueRestriction::glob("*z")].into(),
        );
        assert!(a.matches(&text("abz")));
        assert!(!a.matches(&text("ab")));
        assert_eq!(n.to_string(), r#"!((== "a" || glob "b*"))"#);
        assert_eq!(
            sm(StrMatchKind::Regex, "x", false).to_string(),
            r#"=~(i) "x""#
        );
    }
}
