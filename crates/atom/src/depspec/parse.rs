//! The dependency-specification parser (PMS §8.2, formats.md §2.4).
//!
//! A hand-written recursive-descent parser over whitespace-separated tokens: the grammar
//! is token based (whitespace is mandatory around every element), so a tokenizer plus one
//! `match` per token is both the simplest and the fastest form. Nesting is bounded by
//! [`MAX_DEPTH`] so that no input can exhaust the stack here or in the recursive
//! `Drop`/`Display`/`PartialEq` of the tree.

use std::borrow::Cow;

use super::DepNode;
use super::kind::DepKind;
use super::leaf::{Leaf, UseCondition};
use super::uri::{Uri, UriPrefix, basename};
use crate::atom::{Atom, SlotOperator};
use crate::eapi::{Eapi, Feature};
use crate::error::{InputKind, ParseError};
use crate::name::{validate_license, validate_use_flag};

/// The deepest group nesting accepted. Real trees nest a handful of levels; Portage has no
/// limit, but an unbounded depth would let hostile input overflow the stack.
pub const MAX_DEPTH: usize = 256;

/// Whitespace as the tokenizer sees it (ASCII space, tab, LF, CR, FF).
#[inline]
fn is_ws(b: u8) -> bool {
    b.is_ascii_whitespace()
}

/// Parses `input` as a `kind` specification under `eapi` into its top-level items.
pub(super) fn parse(input: &str, kind: DepKind, eapi: Eapi) -> Result<Vec<DepNode>, ParseError> {
    let mut parser = Parser {
        tokens: Tokens { input, pos: 0 },
        input,
        kind,
        eapi,
        // About one item per 24 bytes in real data; sized up front so the stack rarely
        // regrows (each regrowth moves every item on it).
        stack: Vec::with_capacity((input.len() / 24 + 4).min(4096)),
    };
    if let Some(feature) = kind.required_feature()
        && !eapi.has(feature)
        && let Some((start, _)) = parser.peek()
    {
        return Err(parser.feature(start, feature));
    }
    parser.sequence(0, false)
}

/// The whitespace-separated tokens of the input, with their byte offsets.
#[derive(Clone, Copy)]
struct Tokens<'a> {
    input: &'a str,
    pos: usize,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = (usize, &'a str);

    #[inline]
    fn next(&mut self) -> Option<(usize, &'a str)> {
        let bytes = self.input.as_bytes();
        let mut i = self.pos;
        while i < bytes.len() && is_ws(bytes[i]) {
            i += 1;
        }
        if i == bytes.len() {
            self.pos = i;
            return None;
        }
        let start = i;
        while i < bytes.len() && !is_ws(bytes[i]) {
            i += 1;
        }
        self.pos = i;
        // Whitespace is ASCII, so both ends are char boundaries.
        Some((start, &self.input[start..i]))
    }
}

struct Parser<'a> {
    tokens: Tokens<'a>,
    input: &'a str,
    kind: DepKind,
    eapi: Eapi,
    /// The items of every open group, innermost last: a group's items are moved out in
    /// one exactly-sized allocation when it closes, so no `Vec` grows item by item.
    stack: Vec<DepNode>,
}

impl<'a> Parser<'a> {
    #[inline]
    fn next(&mut self) -> Option<(usize, &'a str)> {
        self.tokens.next()
    }

    #[inline]
    fn peek(&self) -> Option<(usize, &'a str)> {
        self.tokens.clone().next()
    }

    fn invalid(&self, pos: usize, reason: impl Into<Cow<'static, str>>) -> ParseError {
        ParseError::invalid(InputKind::DepSpec, self.input, pos, reason)
    }

    fn feature(&self, pos: usize, feature: Feature) -> ParseError {
        ParseError::eapi_feature(
            InputKind::DepSpec,
            self.input,
            pos,
            feature.name(),
            self.eapi,
        )
    }

    /// Re-anchors an error from a leaf parser that saw `input[offset..]`.
    fn nested(&self, offset: usize, err: ParseError) -> ParseError {
        match err {
            ParseError::Invalid {
                kind,
                input,
                pos,
                reason,
            } => self.invalid(offset + pos, format!("invalid {kind} {input:?}: {reason}")),
            ParseError::EapiFeature { pos, feature, .. } => ParseError::eapi_feature(
                InputKind::DepSpec,
                self.input,
                offset + pos,
                feature,
                self.eapi,
            ),
            other @ ParseError::UnsupportedEapi(_) => other,
        }
    }

    /// Items up to the `)` closing a group (`depth > 0`) or the end of input (`depth == 0`).
    fn sequence(&mut self, depth: usize, in_any_of: bool) -> Result<Vec<DepNode>, ParseError> {
        let mark = self.stack.len();
        loop {
            let Some((start, token)) = self.next() else {
                if depth == 0 {
                    return Ok(self.stack.drain(mark..).collect());
                }
                return Err(self.invalid(self.input.len(), "missing ')'"));
            };
            let node = match token {
                ")" => {
                    if depth == 0 {
                        return Err(self.invalid(start, "unexpected ')'"));
                    }
                    if self.stack.len() == mark && self.kind != DepKind::RequiredUse {
                        // PMS: `( item+ )`; Portage's use_reduce: "expected: dependency
                        // string". Its REQUIRED_USE checker takes empty groups, though.
                        return Err(self.invalid(start, "empty group"));
                    }
                    return Ok(self.stack.drain(mark..).collect());
                }
                "(" => DepNode::AllOf(self.group(start, depth, in_any_of)?),
                "||" => {
                    if !self.kind.allows_any_of() {
                        return Err(self.invalid(
                            start,
                            format!("'||' groups are not allowed in {}", self.kind),
                        ));
                    }
                    self.open(token)?;
                    DepNode::AnyOf(self.group(start, depth, true)?)
                }
                "^^" | "??" => {
                    if !self.kind.allows_one_of() {
                        return Err(self.invalid(
                            start,
                            format!("'{token}' groups are only allowed in REQUIRED_USE"),
                        ));
                    }
                    if token == "??" && !self.eapi.has(Feature::RequiredUseAtMostOne) {
                        return Err(self.feature(start, Feature::RequiredUseAtMostOne));
                    }
                    self.open(token)?;
                    let children = self.group(start, depth, in_any_of)?;
                    if token == "^^" {
                        DepNode::ExactlyOneOf(children)
                    } else {
                        DepNode::AtMostOneOf(children)
                    }
                }
                _ if token.len() > 1 && token.ends_with('?') => {
                    let cond = self.condition(start, token)?;
                    self.open(token)?;
                    DepNode::Conditional(cond, self.group(start, depth, in_any_of)?)
                }
                _ => DepNode::Leaf(self.leaf(start, token, in_any_of)?),
            };
            self.stack.push(node);
        }
    }

    /// The contents of a group whose `(` has been read; `start` is where the group began.
    fn group(
        &mut self,
        start: usize,
        depth: usize,
        in_any_of: bool,
    ) -> Result<Vec<DepNode>, ParseError> {
        if depth >= MAX_DEPTH {
            return Err(self.invalid(
                start,
                format!("groups nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.sequence(depth + 1, in_any_of)
    }

    /// Reads the `(` that must follow a group operator or a USE condition.
    fn open(&mut self, after: &str) -> Result<(), ParseError> {
        match self.next() {
            Some((_, "(")) => Ok(()),
            Some((pos, token)) => {
                Err(self.invalid(pos, format!("expected '(' after '{after}', got {token:?}")))
            }
            None => Err(self.invalid(
                self.input.len(),
                format!("expected '(' after '{after}', got end of input"),
            )),
        }
    }

    /// `flag?` or `!flag?`.
    fn condition(&self, start: usize, token: &str) -> Result<UseCondition, ParseError> {
        let body = &token[..token.len() - 1];
        let (negated, flag) = match body.strip_prefix('!') {
            Some(flag) => (true, flag),
            None => (false, body),
        };
        let offset = start + usize::from(negated);
        validate_use_flag(flag).map_err(|e| self.nested(offset, e))?;
        Ok(UseCondition::new(flag, negated))
    }

    fn leaf(&mut self, start: usize, token: &str, in_any_of: bool) -> Result<Leaf, ParseError> {
        let bytes = token.as_bytes();
        let last = bytes.len() - 1;
        if last > 0 {
            if matches!(bytes[0], b'(' | b')') {
                return Err(self.invalid(start, "missing whitespace after a parenthesis"));
            }
            if matches!(bytes[last], b'(' | b')') {
                return Err(self.invalid(start + last, "missing whitespace before a parenthesis"));
            }
        }
        match self.kind {
            DepKind::Depend
            | DepKind::Rdepend
            | DepKind::Bdepend
            | DepKind::Pdepend
            | DepKind::Idepend => {
                let atom = Atom::parse(token, self.eapi).map_err(|e| self.nested(start, e))?;
                if atom.slot_op() == Some(SlotOperator::Equal) {
                    if self.kind == DepKind::Pdepend {
                        return Err(
                            self.invalid(start, "the '=' slot operator is not allowed in PDEPEND")
                        );
                    }
                    if in_any_of {
                        return Err(self.invalid(
                            start,
                            "the '=' slot operator is not allowed inside '||' groups",
                        ));
                    }
                }
                Ok(Leaf::Atom(Box::new(atom)))
            }
            DepKind::License => {
                validate_license(token).map_err(|e| self.nested(start, e))?;
                Ok(Leaf::License(token.into()))
            }
            DepKind::RequiredUse => {
                let (negated, flag) = match token.strip_prefix('!') {
                    Some(flag) => (true, flag),
                    None => (false, token),
                };
                validate_use_flag(flag)
                    .map_err(|e| self.nested(start + usize::from(negated), e))?;
                Ok(Leaf::Flag(UseCondition::new(flag, negated)))
            }
            DepKind::Restrict | DepKind::Properties => {
                self.word(start, token)?;
                Ok(Leaf::Word(token.into()))
            }
            DepKind::SrcUri => self.uri(start, token).map(Leaf::Uri),
        }
    }

    /// A RESTRICT/PROPERTIES word: `[A-Za-z0-9_][A-Za-z0-9+_.-]*`, the license-name
    /// grammar (PMS gives no grammar; every token in use fits this one).
    fn word(&self, start: usize, token: &str) -> Result<(), ParseError> {
        let bytes = token.as_bytes();
        let bad = |b: u8, first: bool| {
            !(b.is_ascii_alphanumeric() || b == b'_' || (!first && matches!(b, b'+' | b'.' | b'-')))
        };
        if let Some(i) = bytes.iter().enumerate().position(|(i, &b)| bad(b, i == 0)) {
            return Err(self.invalid(start + i, format!("invalid {} token {token:?}", self.kind)));
        }
        Ok(())
    }

    /// A SRC_URI entry: `[fetch+|mirror+]proto://host/path` or a bare file name, and an
    /// optional following `-> name`.
    fn uri(&mut self, start: usize, token: &str) -> Result<Uri, ParseError> {
        if token == "->" {
            return Err(self.invalid(start, "'->' must follow a URI"));
        }
        if let Some(i) = token.find("->") {
            return Err(self.invalid(start + i, "'->' must be separated by whitespace"));
        }
        let (prefix, body) = if let Some(rest) = token.strip_prefix("fetch+") {
            (Some(UriPrefix::Fetch), rest)
        } else if let Some(rest) = token.strip_prefix("mirror+") {
            (Some(UriPrefix::Mirror), rest)
        } else {
            (None, token)
        };
        let body_start = start + (token.len() - body.len());
        if prefix.is_some() && !self.eapi.has(Feature::UriRestrictPrefixes) {
            return Err(self.feature(start, Feature::UriRestrictPrefixes));
        }
        let is_uri = match body.find("://") {
            Some(i) => {
                self.scheme(body_start, &body[..i])?;
                true
            }
            None => false,
        };
        if let Some(prefix) = prefix
            && !is_uri
        {
            return Err(self.invalid(
                start,
                format!("'{prefix}' must be followed by a proto:// URI"),
            ));
        }
        if !is_uri && let Some(i) = body.find('/') {
            return Err(self.invalid(
                body_start + i,
                "neither a proto:// URI nor a plain file name (no '/' allowed)",
            ));
        }
        if let Some(rest) = body.strip_prefix("mirror://") {
            match rest.find('/') {
                Some(i) if i > 0 => {}
                _ => {
                    return Err(
                        self.invalid(body_start, "a mirror:// URI needs a mirror name and a path")
                    );
                }
            }
        }
        let rename = match self.peek() {
            Some((arrow, "->")) => {
                if !is_uri {
                    return Err(self.invalid(arrow, "'->' must follow a URI, not a file name"));
                }
                if !self.eapi.has(Feature::SrcUriArrows) {
                    return Err(self.feature(arrow, Feature::SrcUriArrows));
                }
                self.next();
                Some(self.rename_target()?)
            }
            _ => None,
        };
        if rename.is_none() && basename(body).is_empty() {
            return Err(self.invalid(
                start,
                "the URI has no file name (ends in '/'); give one with '->'",
            ));
        }
        Ok(Uri::new_unchecked(body, rename, prefix))
    }

    /// The simple file name after `->`.
    fn rename_target(&mut self) -> Result<&'a str, ParseError> {
        let Some((pos, name)) = self.next() else {
            return Err(self.invalid(
                self.input.len(),
                "'->' must be followed by a file name, got end of input",
            ));
        };
        if matches!(name, "(" | ")" | "||" | "->") || name.ends_with('?') {
            return Err(self.invalid(
                pos,
                format!("'->' must be followed by a file name, got {name:?}"),
            ));
        }
        if let Some(i) = name.find("->") {
            return Err(self.invalid(pos + i, "'->' must be separated by whitespace"));
        }
        if let Some(i) = name.find(['/', '(', ')']) {
            return Err(self.invalid(
                pos + i,
                format!(
                    "the file name after '->' must not contain {:?}",
                    &name[i..=i]
                ),
            ));
        }
        Ok(name)
    }

    /// A URI scheme: `[A-Za-z][A-Za-z0-9+.-]*` (RFC 3986).
    fn scheme(&self, start: usize, scheme: &str) -> Result<(), ParseError> {
        let bytes = scheme.as_bytes();
        let ok = bytes.first().is_some_and(u8::is_ascii_alphabetic)
            && bytes
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'));
        if ok {
            Ok(())
        } else {
            Err(self.invalid(start, format!("invalid URI scheme {scheme:?}")))
        }
    }
}
