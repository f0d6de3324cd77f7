//! Per-package lookup of a domain's `package.*`-style entries: each list is kept in its
//! file order and indexed by the `category/package` its entries name, so that a package
//! looks only at the entries naming it and at those that name no single package
//! (`use.mask` lines, wildcard targets), still in file order.

use std::collections::HashMap;

use crate::domain::{FlagEntry, SpecEntry};
use crate::spec::PackageSpec;

/// An entry that may name one `category/package`.
pub(crate) trait NamesPackage {
    /// The `category/package` every package the entry matches has; `None` when the entry
    /// can match packages of several names.
    fn package_key(&self) -> Option<&str>;
}

fn spec_key(spec: &PackageSpec) -> Option<&str> {
    // An atom (build-id atoms included) matches its category and package exactly;
    // extended targets (`*/*`, `pkg*`, `net-*/*`) may match any name.
    spec.atom().map(|a| a.cp())
}

impl<T> NamesPackage for SpecEntry<T> {
    fn package_key(&self) -> Option<&str> {
        spec_key(&self.spec)
    }
}

impl NamesPackage for FlagEntry {
    fn package_key(&self) -> Option<&str> {
        self.spec.as_ref().and_then(spec_key)
    }
}

/// A list of entries in file order with their positions by `category/package`.
#[derive(Debug, Clone)]
pub(crate) struct Indexed<T> {
    entries: Vec<T>,
    /// Positions (ascending) of the entries naming each `category/package`.
    by_package: HashMap<Box<str>, Vec<u32>>,
    /// Positions (ascending) of the entries naming no single package.
    any_package: Vec<u32>,
}

impl<T> Default for Indexed<T> {
    fn default() -> Self {
        Indexed {
            entries: Vec::new(),
            by_package: HashMap::new(),
            any_package: Vec::new(),
        }
    }
}

impl<T: NamesPackage> Indexed<T> {
    /// Indexes `entries`, keeping their order.
    pub(crate) fn new(entries: Vec<T>) -> Self {
        let mut by_package: HashMap<Box<str>, Vec<u32>> = HashMap::new();
        let mut any_package = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let i = u32::try_from(i).unwrap_or(u32::MAX);
            match e.package_key() {
                Some(cp) => match by_package.get_mut(cp) {
                    Some(v) => v.push(i),
                    None => {
                        by_package.insert(cp.into(), vec![i]);
                    }
                },
                None => any_package.push(i),
            }
        }
        Indexed {
            entries,
            by_package,
            any_package,
        }
    }
}

impl<T> Indexed<T> {
    /// Every entry, in file order.
    pub(crate) fn all(&self) -> &[T] {
        &self.entries
    }

    /// The entries that can match a package called `cp` (`category/package`), in file
    /// order: those naming it and those naming no single package. Whether each matches
    /// is still for the caller to check.
    pub(crate) fn for_package<'a>(&'a self, cp: &str) -> impl Iterator<Item = &'a T> + 'a {
        let named = self.by_package.get(cp).map_or(&[][..], Vec::as_slice);
        Merge {
            a: named,
            b: &self.any_package,
        }
        .filter_map(|i| self.entries.get(i as usize))
    }
}

/// Two ascending position lists merged into one ascending sequence.
struct Merge<'a> {
    a: &'a [u32],
    b: &'a [u32],
}

impl Iterator for Merge<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        let take_a = match (self.a.first(), self.b.first()) {
            (Some(a), Some(b)) => a < b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return None,
        };
        let (head, rest) = if take_a {
            self.a.split_first()?
        } else {
            self.b.split_first()?
        };
        if take_a {
            self.a = rest;
        } else {
            self.b = rest;
        }
        Some(*head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct E(Option<&'static str>, u32);

    impl NamesPackage for E {
        fn package_key(&self) -> Option<&str> {
            self.0
        }
    }

    fn ids(ix: &Indexed<E>, cp: &str) -> Vec<u32> {
        ix.for_package(cp).map(|e| e.1).collect()
    }

    #[test]
    fn named_and_unnamed_entries_in_file_order() {
        let ix = Indexed::new(vec![
            E(Some("a/b"), 0),
            E(None, 1),
            E(Some("c/d"), 2),
            E(Some("a/b"), 3),
            E(None, 4),
            E(Some("a/b"), 5),
        ]);
        assert_eq!(ids(&ix, "a/b"), [0, 1, 3, 4, 5]);
        assert_eq!(ids(&ix, "c/d"), [1, 2, 4]);
        assert_eq!(ids(&ix, "x/y"), [1, 4]);
        // No prefix or partial matching of names.
        assert_eq!(ids(&ix, "a/bb"), [1, 4]);
        assert_eq!(ids(&ix, "a"), [1, 4]);
        assert_eq!(ix.all().len(), 6);
        let empty: Indexed<E> = Indexed::new(Vec::new());
        assert!(ids(&empty, "a/b").is_empty());
    }
}
