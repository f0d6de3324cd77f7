//! Shell-style `*` globs over names, compiled once into a hand-written matcher.
//!
//! Only `*` (any run of characters, possibly empty) is special; every other character
//! matches itself. This is the glob dialect of pkgcore's extended targets and Portage's
//! wildcard atoms. Matching never allocates.

use std::fmt;

/// A compiled `*` glob: the literal segments between the stars.
///
/// ```
/// use strata_restrict::glob::Glob;
/// let g = Glob::new("dev-*-libs*");
/// assert!(g.matches("dev-perl-libs"));
/// assert!(g.matches("dev-x-libs-extra"));
/// assert!(!g.matches("app-x-libs"));
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Glob {
    pattern: Box<str>,
    /// Literal segments: `a*b*c` → `["a", "b", "c"]`; `*a` → `["", "a"]`.
    segments: Box<[Box<str>]>,
}

impl Glob {
    /// Compiles `pattern`, in which `*` matches any run of characters.
    pub fn new(pattern: &str) -> Glob {
        Glob {
            pattern: pattern.into(),
            segments: pattern.split('*').map(Into::into).collect(),
        }
    }

    /// The pattern as given.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether the pattern contains no `*` (it then matches only itself).
    pub fn is_literal(&self) -> bool {
        self.segments.len() == 1
    }

    /// Whether the pattern matches every string (it is made of stars only).
    pub fn matches_everything(&self) -> bool {
        self.segments.iter().all(|s| s.is_empty()) && !self.is_literal()
    }

    /// Whether `text` matches the whole pattern.
    pub fn matches(&self, text: &str) -> bool {
        let segs = &self.segments;
        let first = &segs[0];
        if segs.len() == 1 {
            return text == &**first;
        }
        let last = &segs[segs.len() - 1];
        if text.len() < first.len() + last.len()
            || !text.starts_with(&**first)
            || !text.ends_with(&**last)
        {
            return false;
        }
        // The middle segments must occur in order, without overlapping the fixed ends;
        // taking the leftmost occurrence of each is optimal for `*`-only globs.
        let mut rest = &text[first.len()..text.len() - last.len()];
        for seg in &segs[1..segs.len() - 1] {
            match rest.find(&**seg) {
                Some(i) => rest = &rest[i + seg.len()..],
                None => return false,
            }
        }
        true
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Glob({:?})", self.pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        Glob::new(p).matches(t)
    }

    #[test]
    fn literal() {
        assert!(m("foo", "foo"));
        assert!(!m("foo", "foo2"));
        assert!(!m("foo", ""));
        assert!(m("", ""));
        assert!(Glob::new("foo").is_literal());
    }

    #[test]
    fn stars() {
        assert!(m("*", ""));
        assert!(m("*", "anything"));
        assert!(Glob::new("*").matches_everything());
        assert!(!Glob::new("a*").matches_everything());
        assert!(m("dev-*", "dev-lang"));
        assert!(m("dev-*", "dev-"));
        assert!(!m("dev-*", "dev"));
        assert!(!m("dev-*", "app-dev-x"));
        assert!(m("*-apps", "sys-apps"));
        assert!(!m("*-apps", "sys-apps2"));
        assert!(m("*port*", "portage"));
        assert!(m("*port*", "import"));
        assert!(!m("*port*", "prt"));
        assert!(m("a*b*c", "abc"));
        assert!(m("a*b*c", "axxbyyc"));
        assert!(!m("a*b*c", "axxcyyb"));
        // Ends must not overlap: "aba" has prefix "ab" and suffix "ba" but is too short.
        assert!(!m("ab*ba", "aba"));
        assert!(m("ab*ba", "abba"));
        assert!(m("a*a*a", "aaa"));
        assert!(!m("a*a*a", "aa"));
        assert!(m("alsa-*-1", "alsa-lib-1"));
    }
}
