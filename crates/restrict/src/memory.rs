//! [`MemoryPackage`]: a package held in memory, for tests, examples and injected packages.

use std::borrow::Cow;
use std::collections::BTreeMap;

use strata_atom::ParseError;
use strata_atom::atom::Atom;
use strata_atom::cpv::Cpv;

use crate::attr::{Attr, AttrValue, StrList};
use crate::package::PackageAttrs;

/// A stored attribute value of a [`MemoryPackage`].
#[derive(Debug, Clone, PartialEq)]
pub enum StoredValue {
    /// A text.
    Text(String),
    /// A list of strings.
    List(Vec<String>),
    /// Dependency atoms.
    Atoms(Vec<Atom>),
    /// A number.
    Number(u64),
}

/// A package whose attributes are all in memory.
///
/// The name and version attributes (`category`, `package`, `version`, `fullver`,
/// `revision`, `key`, `cpv`) come from the cpv; `slot` defaults to `0` and `subslot` to the
/// slot; everything else is missing until set.
///
/// ```
/// use strata_restrict::{Attr, MemoryPackage, PackageAttrs};
/// let p = MemoryPackage::new("dev-lang/python-3.12.1-r1")
///     .unwrap()
///     .with_slot("3.12")
///     .with_list(Attr::Use, ["ssl", "sqlite"]);
/// assert_eq!(p.attr(Attr::Revision).unwrap().to_string(), "1");
/// assert_eq!(p.attr(Attr::Subslot).unwrap().to_string(), "3.12");
/// assert!(p.attr(Attr::Description).is_none());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct MemoryPackage {
    cpv: Cpv,
    slot: String,
    subslot: Option<String>,
    attrs: BTreeMap<Attr, StoredValue>,
}

impl MemoryPackage {
    /// A package from `category/package-version`.
    pub fn new(cpv: &str) -> Result<MemoryPackage, ParseError> {
        Ok(MemoryPackage::from_cpv(Cpv::parse(cpv)?))
    }

    /// A package from a parsed cpv.
    pub fn from_cpv(cpv: Cpv) -> MemoryPackage {
        MemoryPackage {
            cpv,
            slot: "0".to_owned(),
            subslot: None,
            attrs: BTreeMap::new(),
        }
    }

    /// The package's cpv.
    pub fn cpv(&self) -> &Cpv {
        &self.cpv
    }

    /// Sets SLOT, as written in metadata (`3` or `0/1.2`).
    pub fn with_slot(mut self, slot: &str) -> Self {
        match slot.split_once('/') {
            Some((s, sub)) => {
                self.slot = s.to_owned();
                self.subslot = Some(sub.to_owned());
            }
            None => {
                self.slot = slot.to_owned();
                self.subslot = None;
            }
        }
        self
    }

    /// Sets the repository name.
    pub fn with_repo(self, repo: &str) -> Self {
        self.with_text(Attr::Repo, repo)
    }

    /// Sets a text attribute.
    pub fn with_text(mut self, attr: Attr, value: &str) -> Self {
        self.attrs.insert(attr, StoredValue::Text(value.to_owned()));
        self
    }

    /// Sets a list attribute.
    pub fn with_list<I, S>(mut self, attr: Attr, values: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let v = values.into_iter().map(Into::into).collect();
        self.attrs.insert(attr, StoredValue::List(v));
        self
    }

    /// Sets a dependency attribute to these atoms.
    pub fn with_atoms(mut self, attr: Attr, atoms: Vec<Atom>) -> Self {
        self.attrs.insert(attr, StoredValue::Atoms(atoms));
        self
    }

    /// Sets a number attribute.
    pub fn with_number(mut self, attr: Attr, n: u64) -> Self {
        self.attrs.insert(attr, StoredValue::Number(n));
        self
    }

    /// Sets (or replaces) any attribute other than the ones derived from the cpv and slot.
    pub fn set(&mut self, attr: Attr, value: StoredValue) {
        self.attrs.insert(attr, value);
    }

    /// Removes an attribute set with one of the `with_*` methods or [`set`](Self::set).
    pub fn unset(&mut self, attr: Attr) {
        self.attrs.remove(&attr);
    }
}

impl PackageAttrs for MemoryPackage {
    fn attr(&self, attr: Attr) -> Option<AttrValue<'_>> {
        let v = self.cpv.version();
        Some(match attr {
            Attr::Category => AttrValue::text(self.cpv.category()),
            Attr::Package => AttrValue::text(self.cpv.package()),
            Attr::Version => AttrValue::text(v.base()),
            Attr::Fullver => AttrValue::Version(Cow::Borrowed(v)),
            Attr::Revision => AttrValue::text(v.revision()),
            Attr::Key => AttrValue::text(self.cpv.cp()),
            Attr::Cpv => AttrValue::text(self.cpv.as_str()),
            Attr::Slot => AttrValue::text(&self.slot),
            Attr::Subslot => AttrValue::text(self.subslot.as_deref().unwrap_or(&self.slot)),
            other => match self.attrs.get(&other)? {
                StoredValue::Text(s) => AttrValue::text(s),
                StoredValue::List(l) => AttrValue::List(StrList::Slice(l)),
                StoredValue::Atoms(a) => AttrValue::Atoms(Cow::Borrowed(a)),
                StoredValue::Number(n) => AttrValue::Number(*n),
            },
        })
    }
}
