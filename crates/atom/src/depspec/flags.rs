//! What a caller passes to say which USE flags are enabled.

use std::collections::{BTreeSet, HashSet};
use std::hash::BuildHasher;

/// A set of enabled USE flags, as conditional evaluation and REQUIRED_USE checks see it.
///
/// Implemented for closures `Fn(&str) -> bool`, for `HashSet`/`BTreeSet` of `String` or
/// `&str`, and for slices of `&str` or `String` (linear search; fine for a few flags).
///
/// ```
/// use std::collections::HashSet;
/// use strata_atom::depspec::EnabledFlags;
///
/// let set: HashSet<String> = ["ssl".to_string()].into();
/// assert!(set.is_enabled("ssl"));
/// assert!(!["doc"][..].is_enabled("ssl"));
/// assert!((|f: &str| f.starts_with("python")).is_enabled("python3_12"));
/// ```
pub trait EnabledFlags {
    /// Whether `flag` is enabled.
    fn is_enabled(&self, flag: &str) -> bool;
}

impl<F: Fn(&str) -> bool> EnabledFlags for F {
    fn is_enabled(&self, flag: &str) -> bool {
        self(flag)
    }
}

impl<S: BuildHasher> EnabledFlags for HashSet<String, S> {
    fn is_enabled(&self, flag: &str) -> bool {
        self.contains(flag)
    }
}

impl<S: BuildHasher> EnabledFlags for HashSet<&str, S> {
    fn is_enabled(&self, flag: &str) -> bool {
        self.contains(flag)
    }
}

impl EnabledFlags for BTreeSet<String> {
    fn is_enabled(&self, flag: &str) -> bool {
        self.contains(flag)
    }
}

impl EnabledFlags for BTreeSet<&str> {
    fn is_enabled(&self, flag: &str) -> bool {
        self.contains(flag)
    }
}

impl EnabledFlags for [&str] {
    fn is_enabled(&self, flag: &str) -> bool {
        self.contains(&flag)
    }
}

impl EnabledFlags for [String] {
    fn is_enabled(&self, flag: &str) -> bool {
        self.iter().any(|f| f == flag)
    }
}

/// No flag is enabled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoFlags;

impl EnabledFlags for NoFlags {
    fn is_enabled(&self, _flag: &str) -> bool {
        false
    }
}
