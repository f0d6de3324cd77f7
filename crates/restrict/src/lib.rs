//! The restriction algebra: predicates over packages that repositories answer.
//!
//! A [`Restriction`] is a boolean combination (and, or, not, exactly-one-of,
//! at-most-one-of) of leaves, each a [`ValueRestriction`] (exact, prefix, suffix, substring,
//! glob, regex, containment, equality, version comparison) on one package attribute
//! ([`Attr`]), or an atom's USE requirements. Any package type implements
//! [`PackageAttrs`] to give out its attributes by name, computing only what is asked;
//! [`MemoryPackage`] is a ready-made one, and the atom crate's `MatchTarget` is one too.
//!
//! Restrictions come from atoms ([`Restriction::from_atom`]), from pkgcore's extended
//! target syntax ([`parse_target`]: `dev-*/*`, `>=portage-2.1`, `dev-qt/*:5`, ...), or are
//! built by hand ([`query`] has pquery's matching options: `--has-use`, `--license`,
//! `--description`, `--maintainer`, `--owns`, revdeps...). Repositories use
//! [`Restriction::candidates`] to prune by
//! `category/package` name before reading any metadata, and [`Restriction::split`] to hand
//! the part a metadata index can answer to the index.
//!
//! The design is pkgcore's (`pkgcore/restrictions/`), minus what its authors regret:
//! matching never mutates a package (no `force_True`/`force_False` USE toggling), and
//! there is no CNF/DNF expansion (candidates and splits are computed structurally).
//! Restrictions are immutable, `Send + Sync`, and cheap to match: globs and regexes are
//! compiled once, and matching does not allocate.
//!
//! ```
//! use strata_restrict::{parse_target, Attr, MemoryPackage, Restriction, ValueRestriction};
//!
//! let pkgs = [
//!     MemoryPackage::new("dev-lang/python-3.11.9").unwrap().with_slot("3.11").with_repo("gentoo"),
//!     MemoryPackage::new("dev-lang/python-3.12.4").unwrap().with_slot("3.12").with_repo("gentoo"),
//!     MemoryPackage::new("dev-python/pytest-8.2.0").unwrap().with_repo("guru"),
//!     MemoryPackage::new("sys-apps/portage-3.0.65").unwrap().with_repo("gentoo"),
//! ];
//!
//! // Targets in pkgcore's extended syntax.
//! let r = parse_target(">=dev-lang/python-3.12").unwrap();
//! let hits: Vec<_> = pkgs.iter().filter(|p| r.matches(p)).map(|p| p.cpv().to_string()).collect();
//! assert_eq!(hits, ["dev-lang/python-3.12.4"]);
//!
//! let r = parse_target("dev-*/py*::gentoo").unwrap();
//! assert_eq!(pkgs.iter().filter(|p| r.matches(p)).count(), 2);
//!
//! // Combined with a metadata restriction; the name part prunes candidates.
//! let r = Restriction::and([
//!     parse_target("dev-lang/python").unwrap(),
//!     Restriction::attr(Attr::Slot, ValueRestriction::glob("3.1*")),
//! ]);
//! assert!(r.candidates().matches("dev-lang", "python"));
//! assert!(!r.candidates().matches("dev-python", "pytest"));
//! assert_eq!(pkgs.iter().filter(|p| r.matches(p)).count(), 2);
//! ```

pub mod atom_restrict;
pub mod attr;
pub mod candidates;
pub mod glob;
pub mod memory;
pub mod package;
pub mod query;
pub mod restriction;
pub mod split;
pub mod target;
pub mod use_flags;
pub mod value;
pub mod version_match;

pub use attr::{Attr, AttrValue, StrList};
pub use candidates::{CandidateClause, Candidates, NameConstraint};
pub use memory::{MemoryPackage, StoredValue};
pub use package::PackageAttrs;
pub use restriction::{AttrRestriction, CustomRestriction, Restriction};
pub use split::Split;
pub use target::{TargetError, parse_target};
pub use use_flags::{UseRequirement, UseRestriction};
pub use value::{Containment, EqualsValue, StrMatch, StrMatchKind, ValueRestriction};
pub use version_match::VersionMatch;
