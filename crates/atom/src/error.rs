//! The error type shared by every parser in this crate.

use std::borrow::Cow;
use std::fmt;

/// What kind of input a [`ParseError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputKind {
    /// A package version (`1.2.3_rc1-r2`).
    Version,
    /// A `category/package-version` string.
    Cpv,
    /// A package dependency atom.
    Atom,
    /// A dependency specification (DEPEND, LICENSE, SRC_URI, ...).
    DepSpec,
    /// A category name.
    Category,
    /// A package name (PN).
    Package,
    /// A slot or sub-slot name.
    Slot,
    /// A USE flag name.
    UseFlag,
    /// A repository name.
    Repository,
    /// A keyword (`amd64`, `~arm64`, `-*`).
    Keyword,
    /// A license name.
    License,
    /// An eclass name.
    Eclass,
    /// An EAPI name.
    Eapi,
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputKind::Version => "version",
            InputKind::Cpv => "cpv",
            InputKind::Atom => "atom",
            InputKind::DepSpec => "dependency specification",
            InputKind::Category => "category name",
            InputKind::Package => "package name",
            InputKind::Slot => "slot name",
            InputKind::UseFlag => "USE flag",
            InputKind::Repository => "repository name",
            InputKind::Keyword => "keyword",
            InputKind::License => "license name",
            InputKind::Eclass => "eclass name",
            InputKind::Eapi => "EAPI",
        })
    }
}

/// Errors from the parsers of this crate.
///
/// Every variant carries the offending input and, where it applies, the byte position
/// in that input at which the problem was found, e.g.
/// `invalid atom ">=dev-lang/python": operator requires a version (at 0)`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The input does not follow the grammar.
    #[error("invalid {kind} {input:?}: {reason} (at {pos})")]
    Invalid {
        /// What was being parsed.
        kind: InputKind,
        /// The whole input.
        input: String,
        /// Byte offset into `input` where the problem was found.
        pos: usize,
        /// What is wrong.
        reason: Cow<'static, str>,
    },
    /// The input is well formed but uses a feature its EAPI does not have.
    #[error("invalid {kind} {input:?}: {feature} is not allowed in EAPI {eapi} (at {pos})")]
    EapiFeature {
        /// What was being parsed.
        kind: InputKind,
        /// The whole input.
        input: String,
        /// Byte offset of the construct.
        pos: usize,
        /// The feature used.
        feature: &'static str,
        /// The EAPI in force.
        eapi: crate::Eapi,
    },
    /// An EAPI this crate does not know.
    #[error("unsupported EAPI {0:?}")]
    UnsupportedEapi(String),
}

impl ParseError {
    /// Builds a [`ParseError::Invalid`].
    pub fn invalid(
        kind: InputKind,
        input: &str,
        pos: usize,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        ParseError::Invalid {
            kind,
            input: input.to_owned(),
            pos,
            reason: reason.into(),
        }
    }

    /// Builds a [`ParseError::EapiFeature`].
    pub fn eapi_feature(
        kind: InputKind,
        input: &str,
        pos: usize,
        feature: &'static str,
        eapi: crate::Eapi,
    ) -> Self {
        ParseError::EapiFeature {
            kind,
            input: input.to_owned(),
            pos,
            feature,
            eapi,
        }
    }

    /// Re-bases an error found in a part of a larger input onto that input: `self`
    /// concerned the slice starting at byte `offset` of `input`, now parsed as `kind`.
    /// The sub-kind is kept in the reason (`package name: must not ...`).
    pub fn within(self, kind: InputKind, input: &str, offset: usize) -> Self {
        match self {
            ParseError::Invalid {
                kind: sub,
                pos,
                reason,
                ..
            } => ParseError::invalid(kind, input, pos + offset, format!("{sub}: {reason}")),
            ParseError::EapiFeature {
                pos, feature, eapi, ..
            } => ParseError::eapi_feature(kind, input, pos + offset, feature, eapi),
            other => other,
        }
    }

    /// The byte position of the problem, where there is one.
    pub fn position(&self) -> Option<usize> {
        match self {
            ParseError::Invalid { pos, .. } | ParseError::EapiFeature { pos, .. } => Some(*pos),
            ParseError::UnsupportedEapi(_) => None,
        }
    }
}
