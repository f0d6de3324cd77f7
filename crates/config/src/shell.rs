//! A parser for the bash-like variable files of Portage: `make.conf` (file or directory) and
//! profile `make.defaults`.
//!
//! Supported: `NAME=value` and `export NAME=value` (several per line), single quotes, double
//! quotes with `\` escapes, unquoted backslash escapes, backslash-newline continuations,
//! `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}`, `${NAME+word}`,
//! `#` comments, and `source FILE` / `. FILE` (relative to the sourcing file's directory).
//! Anything else (command substitution, other commands) is skipped with a [`Warning`], and
//! the rest of the file still loads.
//!
//! Quoting follows bash, which differs from Portage's `getconfig` (shlex + `varexpand`) in
//! three corner cases, checked against Portage 3.0.83: Portage expands `$VAR` inside single
//! quotes, turns newlines inside quotes into spaces, and takes `#` in the middle of an
//! unquoted word as the start of a comment (`A=x#y` gives `x`). Portage also does not know
//! `${VAR:-word}` and stops reading a file at its first error.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::error::{ConfigError, Location, Warning};

/// One `NAME=value` assignment, with its value already expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The variable name.
    pub name: String,
    /// The expanded value.
    pub value: String,
    /// Where it was assigned.
    pub location: Location,
}

/// Options for [`ShellFileParser`].
#[derive(Debug, Clone, Copy)]
pub struct ShellOptions {
    /// Whether `source` / `.` is allowed (make.conf: yes; make.defaults: no).
    pub allow_source: bool,
}

/// How deep `source` may nest before it is refused (guards against `source` loops).
const MAX_SOURCE_DEPTH: usize = 16;

/// Parses bash-like variable files, expanding variables as it goes.
///
/// Expansion sees, in order: variables assigned earlier in this parse, then the `fallback`
/// values (for example the settings stacked from the profile), then nothing (empty).
pub struct ShellFileParser<'a> {
    options: ShellOptions,
    fallback: &'a dyn Fn(&str) -> Option<String>,
    /// Variables assigned so far (the last assignment of a name wins).
    pub vars: IndexMap<String, String>,
    /// Every assignment, in order.
    pub assignments: Vec<Assignment>,
    /// Problems found; the offending statements were skipped.
    pub warnings: Vec<Warning>,
}

impl std::fmt::Debug for ShellFileParser<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShellFileParser")
            .field("vars", &self.vars)
            .field("warnings", &self.warnings)
            .finish_non_exhaustive()
    }
}

impl<'a> ShellFileParser<'a> {
    /// A parser whose expansions fall back to `fallback`.
    pub fn new(options: ShellOptions, fallback: &'a dyn Fn(&str) -> Option<String>) -> Self {
        ShellFileParser {
            options,
            fallback,
            vars: IndexMap::new(),
            assignments: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Parses `path`: a file, or a directory whose files are read in lexical order (dot files
    /// and `~` backups skipped, subdirectories recursed).
    pub fn parse_path(&mut self, path: &Path) -> Result<(), ConfigError> {
        self.parse_path_depth(path, 0)
    }

    fn parse_path_depth(&mut self, path: &Path, depth: usize) -> Result<(), ConfigError> {
        for file in crate::linefile::config_files(path)? {
            let text = std::fs::read(&file).map_err(|e| ConfigError::io(&file, e))?;
            let text = String::from_utf8_lossy(&text);
            self.parse_text(&text, &file, depth);
        }
        Ok(())
    }

    /// Parses `text` as if it were the contents of `path`.
    pub fn parse_str(&mut self, text: &str, path: &Path) {
        self.parse_text(text, path, 0);
    }

    fn lookup(&self, name: &str) -> Option<String> {
        if let Some(v) = self.vars.get(name) {
            return Some(v.clone());
        }
        (self.fallback)(name)
    }

    fn parse_text(&mut self, text: &str, path: &Path, depth: usize) {
        let mut lx = Lexer {
            s: text.as_bytes(),
            pos: 0,
            line: 1,
        };
        loop {
            lx.skip_blank();
            if lx.at_end() {
                break;
            }
            let line = lx.line;
            match self.statement(&mut lx, path, depth) {
                Ok(()) => {}
                Err(msg) => {
                    self.warnings
                        .push(Warning::new(Location::new(path, line), msg));
                    lx.skip_line();
                }
            }
        }
    }

    /// One statement: assignments, `export ...`, `source FILE`, or a comment.
    fn statement(&mut self, lx: &mut Lexer<'_>, path: &Path, depth: usize) -> Result<(), String> {
        if lx.peek() == Some(b'#') {
            lx.skip_line();
            return Ok(());
        }
        let line = lx.line;
        if let Some(name) = lx.assignment_name() {
            self.assignment_run(lx, path, name, line)?;
            return Ok(());
        }
        let word = self.word(lx)?;
        match word.as_str() {
            "export" => {
                lx.skip_spaces();
                while !lx.at_statement_end() {
                    if let Some(name) = lx.assignment_name() {
                        self.assign(lx, path, name, line)?;
                    } else {
                        // `export NAME` without a value: nothing to record.
                        let w = self.word(lx)?;
                        if !is_name(&w) {
                            return Err(format!("invalid name {w:?} after export"));
                        }
                    }
                    lx.skip_spaces();
                }
                lx.end_statement()
            }
            "source" | "." => {
                if !self.options.allow_source {
                    return Err("`source` is not allowed in this file".into());
                }
                lx.skip_spaces();
                let target = self.word(lx)?;
                lx.skip_spaces();
                lx.end_statement()?;
                if target.is_empty() {
                    return Err("`source` needs a file name".into());
                }
                if depth >= MAX_SOURCE_DEPTH {
                    return Err(format!("`source {target}`: nested too deeply (a loop?)"));
                }
                let mut target_path = PathBuf::from(&target);
                if target_path.is_relative()
                    && let Some(dir) = path.parent()
                {
                    target_path = dir.join(target_path);
                }
                if let Err(e) = self.parse_path_depth(&target_path, depth + 1) {
                    return Err(format!("`source {target}`: {e}"));
                }
                Ok(())
            }
            other => Err(format!(
                "unsupported statement {other:?} (expected NAME=value)"
            )),
        }
    }

    fn assignment_run(
        &mut self,
        lx: &mut Lexer<'_>,
        path: &Path,
        first: String,
        line: usize,
    ) -> Result<(), String> {
        self.assign(lx, path, first, line)?;
        lx.skip_spaces();
        while !lx.at_statement_end() {
            match lx.assignment_name() {
                Some(name) => self.assign(lx, path, name, line)?,
                None => {
                    return Err(
                        "a command after an assignment is not supported (expected NAME=value)"
                            .into(),
                    );
                }
            }
            lx.skip_spaces();
        }
        lx.end_statement()
    }

    fn assign(
        &mut self,
        lx: &mut Lexer<'_>,
        path: &Path,
        name: String,
        line: usize,
    ) -> Result<(), String> {
        let value = self.word(lx)?;
        self.vars.insert(name.clone(), value.clone());
        self.assignments.push(Assignment {
            name,
            value,
            location: Location::new(path, line),
        });
        Ok(())
    }

    /// Reads one shell word (up to unquoted whitespace, `;` or end), expanding it.
    fn word(&mut self, lx: &mut Lexer<'_>) -> Result<String, String> {
        let mut out: Vec<u8> = Vec::new();
        while let Some(c) = lx.peek() {
            match c {
                b' ' | b'\t' | b'\n' | b'\r' | b';' => break,
                b'\\' => {
                    lx.bump();
                    match lx.bump() {
                        Some(b'\n') => {}
                        Some(ch) => out.push(ch),
                        None => {}
                    }
                }
                b'\'' => {
                    lx.bump();
                    loop {
                        match lx.bump() {
                            Some(b'\'') => break,
                            Some(ch) => out.push(ch),
                            None => return Err("unterminated single quote".into()),
                        }
                    }
                }
                b'"' => {
                    lx.bump();
                    loop {
                        match lx.peek() {
                            None => return Err("unterminated double quote".into()),
                            Some(b'"') => {
                                lx.bump();
                                break;
                            }
                            Some(b'\\') => {
                                lx.bump();
                                match lx.bump() {
                                    Some(b'\n') => {}
                                    Some(ch @ (b'$' | b'`' | b'"' | b'\\')) => out.push(ch),
                                    Some(ch) => {
                                        out.push(b'\\');
                                        out.push(ch);
                                    }
                                    None => return Err("unterminated double quote".into()),
                                }
                            }
                            Some(b'$') => self.expansion(lx, &mut out)?,
                            Some(b'`') => {
                                return Err("command substitution is not supported".into());
                            }
                            Some(ch) => {
                                lx.bump();
                                out.push(ch);
                            }
                        }
                    }
                }
                b'$' => self.expansion(lx, &mut out)?,
                b'`' => return Err("command substitution is not supported".into()),
                b'(' | b')' | b'|' | b'&' | b'<' | b'>' => {
                    return Err(format!("unexpected {:?}", c as char));
                }
                ch => {
                    lx.bump();
                    out.push(ch);
                }
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// Expands `$NAME`, `${NAME}` and `${NAME<op>word}`; the lexer is at the `$`.
    fn expansion(&mut self, lx: &mut Lexer<'_>, out: &mut Vec<u8>) -> Result<(), String> {
        lx.bump();
        match lx.peek() {
            Some(b'{') => {
                lx.bump();
                let name = lx
                    .name()
                    .ok_or("bad substitution: expected a name after ${")?;
                let value = self.lookup(&name);
                match lx.peek() {
                    Some(b'}') => {
                        lx.bump();
                        out.extend_from_slice(value.unwrap_or_default().as_bytes());
                        Ok(())
                    }
                    Some(b':' | b'-' | b'+' | b'=') => {
                        let colon = lx.peek() == Some(b':');
                        if colon {
                            lx.bump();
                        }
                        let op = lx.bump().ok_or("bad substitution")?;
                        if !matches!(op, b'-' | b'+' | b'=') {
                            return Err(format!(
                                "unsupported substitution operator {:?}",
                                op as char
                            ));
                        }
                        let word = self.brace_word(lx)?;
                        let set = match &value {
                            Some(v) => !(colon && v.is_empty()),
                            None => false,
                        };
                        let result = match op {
                            b'+' => {
                                if set {
                                    word
                                } else {
                                    String::new()
                                }
                            }
                            _ => {
                                if set {
                                    value.unwrap_or_default()
                                } else {
                                    if op == b'=' {
                                        self.vars.insert(name.clone(), word.clone());
                                    }
                                    word
                                }
                            }
                        };
                        out.extend_from_slice(result.as_bytes());
                        Ok(())
                    }
                    _ => Err(format!("bad substitution in ${{{name}...}}")),
                }
            }
            Some(b'(') => Err("command substitution is not supported".into()),
            _ => match lx.name() {
                Some(name) => {
                    out.extend_from_slice(self.lookup(&name).unwrap_or_default().as_bytes());
                    Ok(())
                }
                None => {
                    out.push(b'$');
                    Ok(())
                }
            },
        }
    }

    /// The `word` of `${NAME:-word}` up to the matching `}`, expanded.
    fn brace_word(&mut self, lx: &mut Lexer<'_>) -> Result<String, String> {
        let mut out: Vec<u8> = Vec::new();
        loop {
            match lx.peek() {
                None => return Err("unterminated ${".into()),
                Some(b'}') => {
                    lx.bump();
                    break;
                }
                Some(b'$') => self.expansion(lx, &mut out)?,
                Some(b'\\') => {
                    lx.bump();
                    if let Some(ch) = lx.bump()
                        && ch != b'\n'
                    {
                        out.push(ch);
                    }
                }
                Some(b'\'') => {
                    lx.bump();
                    loop {
                        match lx.bump() {
                            Some(b'\'') => break,
                            Some(ch) => out.push(ch),
                            None => return Err("unterminated single quote".into()),
                        }
                    }
                }
                Some(b'"') => {
                    lx.bump();
                }
                Some(ch) => {
                    lx.bump();
                    out.push(ch);
                }
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

/// Whether `s` is a shell variable name.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.bytes();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == b'_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

struct Lexer<'s> {
    s: &'s [u8],
    pos: usize,
    line: usize,
}

impl Lexer<'_> {
    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn bump(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.pos += 1;
        if c == b'\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// Skips whitespace, newlines, `;` and backslash-newline pairs.
    fn skip_blank(&mut self) {
        self.skip_bytes_and_continuations(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b';'));
    }

    /// Skips spaces, tabs and backslash-newline pairs (not newlines).
    fn skip_spaces(&mut self) {
        self.skip_bytes_and_continuations(|c| matches!(c, b' ' | b'\t' | b'\r'));
    }

    /// Skips bytes `skip` accepts and backslash-newline pairs (line continuations).
    fn skip_bytes_and_continuations(&mut self, skip: impl Fn(u8) -> bool) {
        loop {
            match self.peek() {
                Some(c) if skip(c) => {
                    self.bump();
                }
                Some(b'\\') if self.s.get(self.pos + 1) == Some(&b'\n') => {
                    self.bump();
                    self.bump();
                }
                _ => break,
            }
        }
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.bump() {
            if c == b'\n' {
                break;
            }
        }
    }

    fn at_statement_end(&self) -> bool {
        matches!(self.peek(), None | Some(b'\n' | b';' | b'#'))
    }

    /// Consumes a comment or statement separator; errors on trailing junk.
    fn end_statement(&mut self) -> Result<(), String> {
        self.skip_spaces();
        match self.peek() {
            None => Ok(()),
            Some(b'\n' | b';') => {
                self.bump();
                Ok(())
            }
            Some(b'#') => {
                self.skip_line();
                Ok(())
            }
            Some(c) => Err(format!("unexpected {:?}", c as char)),
        }
    }

    fn name(&mut self) -> Option<String> {
        let start = self.pos;
        let first = self.peek()?;
        if !(first.is_ascii_alphabetic() || first == b'_') {
            return None;
        }
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || c == b'_') {
            self.pos += 1;
        }
        Some(String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
    }

    /// If the input continues with `NAME=`, consumes it and returns NAME.
    fn assignment_name(&mut self) -> Option<String> {
        let start = self.pos;
        let name = self.name()?;
        if self.peek() == Some(b'=') {
            self.pos += 1;
            Some(name)
        } else {
            self.pos = start;
            None
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(text: &str) -> ShellFileParser<'static> {
        static NONE: fn(&str) -> Option<String> = |_| None;
        let mut p = ShellFileParser::new(ShellOptions { allow_source: true }, &NONE);
        p.parse_str(text, Path::new("make.conf"));
        p
    }

    #[test]
    fn quoting_and_expansion() {
        let p = parse(
            "A=1\nB=\"x ${A} $A\"\nC='${A} \\n'\nD=a\\ b\nexport E=\"q\\\"\\$\\a\"\nF=${UNSET:-dflt} G=${A:+alt}${UNSET+no}\n",
        );
        assert_eq!(p.vars["A"], "1");
        assert_eq!(p.vars["B"], "x 1 1");
        assert_eq!(p.vars["C"], "${A} \\n");
        assert_eq!(p.vars["D"], "a b");
        assert_eq!(p.vars["E"], "q\"$\\a");
        assert_eq!(p.vars["F"], "dflt");
        assert_eq!(p.vars["G"], "alt");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    }

    #[test]
    fn continuations_comments_multiline() {
        let p = parse("# c\nUSE=\"a \\\n b\n c\" # trailing\nX=1 \\\n Y=2\n");
        assert_eq!(p.vars["USE"], "a  b\n c");
        assert_eq!(p.vars["X"], "1");
        assert_eq!(p.vars["Y"], "2");
        assert_eq!(p.assignments[2].location.line, 5);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    }

    #[test]
    fn malformed_lines_warn_and_continue() {
        let p = parse("A=1\nthis is junk\nB=$(date)\nC=3\nD=\"open\n");
        assert_eq!(p.vars["A"], "1");
        assert_eq!(p.vars["C"], "3");
        assert!(!p.vars.contains_key("B"));
        let lines: Vec<usize> = p.warnings.iter().map(|w| w.location.line).collect();
        assert_eq!(lines, vec![2, 3, 5]);
        assert!(p.warnings[0].to_string().starts_with("make.conf:2: "));
    }
}
