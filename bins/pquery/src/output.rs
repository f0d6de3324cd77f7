//! Printing matches in pkgcore's formats (`print_package`, `print_packages_noversion`,
//! pkgcore.md §1.6), plus `--json` (one object per line) and `-F` templates.

use std::borrow::Cow;
use std::io::{self, Write};

use rayon::prelude::*;

use strata_atom::DepNode;
use strata_atom::atom::Atom;
use strata_atom::cpv::Cpv;
use strata_atom::depspec::DepSpec;
use strata_repo::{Package, PackageRef};

use crate::attrs::{self, MISSING, REVDEP_ATTRS, View};
use crate::cli::Options;

/// Terminal width verbose output wraps at (snakeoil's plain-text formatter width).
const WIDTH: usize = 79;
/// Continuation prefix of wrapped verbose lines.
const LATER_PREFIX: &str = "                  ";

/// Everything printing needs besides the packages.
#[derive(Debug)]
pub struct Printer<'a> {
    /// The options.
    pub opts: &'a Options,
    /// How packages are seen.
    pub view: View,
    /// Colour escapes on.
    pub color: bool,
    /// `--highlight-dep` atoms.
    pub highlight: Vec<Atom>,
    /// `--print-revdep` atoms.
    pub print_revdep: Vec<Atom>,
    /// `-F` template, parsed.
    pub format: Option<Vec<FormatPiece>>,
    /// The ROOT `--size` reads files under.
    pub root: std::path::PathBuf,
}

/// A piece of a `-F` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatPiece {
    /// Literal text.
    Text(String),
    /// `{attr}`.
    Attr(String),
}

/// Parses a `-F` template (Python `str.format_map` syntax: `{name}`, `{{`, `}}`); every
/// name must be a printable attribute.
pub fn parse_format(fmt: &str) -> Result<Vec<FormatPiece>, String> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut name = String::new();
                loop {
                    match chars.next() {
                        Some('}') => break,
                        Some(c) => name.push(c),
                        None => return Err(format!("--format: unclosed '{{' in {fmt:?}")),
                    }
                }
                if !attrs::PRINTABLE_ATTRS.contains(&name.as_str())
                    || matches!(
                        name.as_str(),
                        "all" | "allmetadata" | "alldepends" | "raw_alldepends"
                    )
                {
                    return Err(format!("--format: unknown key {name:?}"));
                }
                if !text.is_empty() {
                    out.push(FormatPiece::Text(std::mem::take(&mut text)));
                }
                out.push(FormatPiece::Attr(name));
            }
            '}' => return Err(format!("--format: single '}}' in {fmt:?}")),
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(FormatPiece::Text(text));
    }
    Ok(out)
}

/// One verbose line, written as snakeoil's `PlainTextFormatter` writes it with `wrap` on
/// (pkgcore.md §1.6): `label` then `value` as two arguments, wrapped at [`WIDTH`] with
/// [`LATER_PREFIX`] on continuation lines. `label` may carry colour escapes (they take
/// no columns).
fn wrap(label: &str, value: &str) -> Vec<String> {
    let mut w = Wrapper::default();
    w.write(label);
    w.write(value);
    w.end_line();
    w.lines
}

/// snakeoil's `PlainTextFormatter.write` in wrap mode, line by line: an argument that
/// does not fit in what is left of the line is split at the last space that leaves the
/// line shorter than [`WIDTH`] (the space is dropped); with no such space, the line is
/// ended where it is if it is the first line or already has text from this argument's
/// line, else the argument is cut at the width. Columns count characters; `\n` inside a
/// value is one column like any other character (snakeoil does not look at it).
#[derive(Debug)]
struct Wrapper {
    lines: Vec<String>,
    cur: String,
    pos: usize,
    first_line: bool,
    wrote_something: bool,
}

impl Default for Wrapper {
    fn default() -> Self {
        Wrapper {
            lines: Vec::new(),
            cur: String::new(),
            pos: 0,
            first_line: true,
            wrote_something: false,
        }
    }
}

impl Wrapper {
    /// The continuation prefix, at the start of every line after the first.
    fn prefix(&mut self) {
        if !self.first_line {
            self.cur.push_str(LATER_PREFIX);
            self.pos += LATER_PREFIX.len();
        }
    }

    /// Writes one argument.
    fn write(&mut self, arg: &str) {
        if self.pos == 0 {
            self.prefix();
        }
        let mut arg = arg;
        while self.pos + visible_len(arg) > WIDTH {
            let maxlen = WIDTH.saturating_sub(self.pos);
            let cut = arg.char_indices().nth(maxlen).map_or(arg.len(), |(i, _)| i);
            let bit = match arg[..cut].rfind(' ') {
                Some(space) => {
                    let bit = &arg[..space];
                    arg = &arg[space + 1..];
                    bit
                }
                None if self.first_line || self.wrote_something => "",
                None => {
                    let bit = &arg[..cut];
                    arg = &arg[cut..];
                    bit
                }
            };
            self.cur.push_str(bit);
            self.lines.push(std::mem::take(&mut self.cur));
            self.pos = 0;
            self.first_line = false;
            self.wrote_something = false;
            self.prefix();
        }
        self.wrote_something = true;
        self.pos += visible_len(arg);
        self.cur.push_str(arg);
    }

    /// Ends the line (snakeoil's `autoline`).
    fn end_line(&mut self) {
        self.lines.push(std::mem::take(&mut self.cur));
        self.pos = 0;
        self.first_line = true;
        self.wrote_something = false;
    }
}

/// Characters of `s` that take a column (colour escapes do not).
fn visible_len(s: &str) -> usize {
    let mut n = 0;
    let mut esc = false;
    for c in s.chars() {
        if esc {
            if c == 'm' {
                esc = false;
            }
        } else if c == '\x1b' {
            esc = true;
        } else {
            n += 1;
        }
    }
    n
}

/// A cpv as pkgcore prints it (`cpvstr`): a written `-r0` (or `-r00`...) is dropped and
/// leading zeros of a revision are removed (`-r05` prints `-r5`).
pub fn cpvstr(cpv: &Cpv) -> Cow<'_, str> {
    let v = cpv.version();
    if !v.has_revision() {
        return Cow::Borrowed(cpv.as_str());
    }
    let rev = v.revision();
    let digits = rev.trim_start_matches('0');
    if !rev.starts_with('0') {
        return Cow::Borrowed(cpv.as_str());
    }
    let base = format!("{}/{}-{}", cpv.category(), cpv.package(), v.base());
    Cow::Owned(if digits.is_empty() {
        base
    } else {
        format!("{base}-r{digits}")
    })
}

/// Atoms of a dependency spec with the USE conditions they sit under (outermost first),
/// as pkgcore's `find_cond_nodes` yields them: a USE-conditional USE dependency
/// (`foo[bar?]`) is seen as the conditionals it stands for, one atom per combination
/// ([`attrs::depset::expand_transitive`]).
fn atoms_with_conds(spec: &DepSpec) -> Vec<(Cow<'_, Atom>, Vec<String>)> {
    fn walk<'s>(
        nodes: &'s [DepNode],
        conds: &mut Vec<String>,
        out: &mut Vec<(Cow<'s, Atom>, Vec<String>)>,
    ) {
        for n in nodes {
            match n {
                DepNode::Leaf(l) => {
                    let Some(a) = l.as_atom() else { continue };
                    match attrs::depset::expand_transitive(a.as_str()) {
                        Some(expanded) => {
                            for (text, more) in expanded {
                                // The expansion only rearranges the atom's own USE
                                // dependencies, so it parses like the atom did.
                                if let Ok(x) = Atom::parse_user(&text) {
                                    let mut c = conds.clone();
                                    c.extend(more);
                                    out.push((Cow::Owned(x), c));
                                }
                            }
                        }
                        None => out.push((Cow::Borrowed(a), conds.clone())),
                    }
                }
                DepNode::Conditional(c, ch) => {
                    conds.push(c.to_string());
                    walk(ch, conds, out);
                    conds.pop();
                }
                other => walk(other.children(), conds, out),
            }
        }
    }
    let mut out = Vec::new();
    walk(spec.items(), &mut Vec::new(), &mut out);
    out
}

/// The revdep findings for one package and one target atom: `(attr, atom, conditions)`
/// where `conditions` is empty for an unconditional dependency, else every USE
/// condition path (pkgcore's `find_cond_nodes` then `node_conds`): first every
/// unconditional occurrence of an intersecting atom, then each intersecting atom that
/// only appears under USE conditionals, once, with the condition path of each of its
/// occurrences (`ssl`, `!ssl`, or `( ssl && gtk )` for nested conditionals, as pkgcore's
/// restrictions print). An atom that also appears unconditionally anywhere in the class
/// has no conditional entry (pkgcore drops the "always required" ones).
fn revdep_findings(
    view: &View,
    pkg: &dyn Package,
    target: &Atom,
) -> Vec<(&'static str, String, Vec<String>)> {
    let mut out = Vec::new();
    for &name in REVDEP_ATTRS {
        let (raw, base) = attrs::split_raw(name);
        let Some(spec) = attrs::dep_spec(view, pkg, base, raw) else {
            continue;
        };
        let found = atoms_with_conds(&spec);
        for (a, conds) in &found {
            if conds.is_empty() && a.intersects(target) {
                out.push((name, a.to_string(), Vec::new()));
            }
        }
        let always: Vec<String> = found
            .iter()
            .filter(|(_, c)| c.is_empty())
            .map(|(a, _)| a.to_string())
            .collect();
        let mut conditional: Vec<(String, Vec<String>)> = Vec::new();
        for (a, conds) in &found {
            if conds.is_empty() || !a.intersects(target) {
                continue;
            }
            let key = a.to_string();
            if always.contains(&key) {
                continue;
            }
            let path = match conds.as_slice() {
                [one] => one.clone(),
                many => format!("( {} )", many.join(" && ")),
            };
            match conditional.iter_mut().find(|(k, _)| *k == key) {
                Some((_, v)) => v.push(path),
                None => conditional.push((key, vec![path])),
            }
        }
        for (k, v) in conditional {
            out.push((name, k, v));
        }
    }
    out
}

impl Printer<'_> {
    fn green(&self, s: &str) -> String {
        if self.color {
            format!("\x1b[32m{s}\x1b[39m")
        } else {
            s.to_owned()
        }
    }

    fn header(&self, name: &str) -> String {
        if self.color {
            format!("\x1b[1m\x1b[32m * \x1b[39m{name}\x1b[0m")
        } else {
            format!(" * {name}")
        }
    }

    fn highlighter(&self) -> impl Fn(&strata_atom::Leaf) -> bool + '_ {
        move |l: &strata_atom::Leaf| {
            self.color
                && l.as_atom()
                    .is_some_and(|a| self.highlight.iter().any(|h| h.intersects(a)))
        }
    }

    /// A `-F` template filled in with the attributes of `pkg`.
    fn formatted(&self, fmt: &[FormatPiece], pkg: &dyn Package) -> String {
        let mut line = String::new();
        for piece in fmt {
            match piece {
                FormatPiece::Text(t) => line.push_str(t),
                FormatPiece::Attr(a) => line.push_str(&attrs::render(&self.view, pkg, a)),
            }
        }
        line
    }

    /// Verbose lines of one attribute.
    fn verbose_attr(&self, pkg: &dyn Package, attr: &str, out: &mut Vec<String>) {
        let label = self.green(&format!("     {attr}: "));
        if attrs::is_dep_formatted(attr) {
            let (raw, base) = attrs::split_raw(attr);
            match attrs::dep_spec(&self.view, pkg, base, raw) {
                None => out.push(format!("{label}{MISSING}")),
                Some(spec) => {
                    let hl = self.highlighter();
                    let lines = attrs::format_depends(&spec, &hl);
                    out.push(label);
                    out.extend(lines);
                }
            }
            return;
        }
        if attr == "files" || attr == "uris" {
            let tree = if attr == "files" {
                attrs::format_files(&self.view, pkg)
            } else {
                attrs::format_uris(&self.view, pkg)
            };
            match tree {
                None => out.push(format!("{label}{MISSING}")),
                Some(lines) => {
                    out.push(label);
                    out.extend(lines);
                }
            }
            return;
        }
        let value = attrs::render(&self.view, pkg, attr);
        out.extend(wrap(&label, &value));
    }

    fn revdep_text(&self, pkg: &dyn Package) -> String {
        let mut s = String::new();
        for target in &self.print_revdep {
            for (name, key, conds) in revdep_findings(&self.view, pkg, target) {
                if conds.is_empty() {
                    s.push_str(&format!(" {name} on {target} through {key}"));
                } else {
                    s.push_str(&format!(
                        " {name} on {target} through {key} if USE {},",
                        conds.join(" or ")
                    ));
                }
            }
        }
        s
    }

    fn suffix(&self, pkg: &dyn Package) -> String {
        let mut s = String::new();
        if self.opts.cli.display_slot {
            let slot = pkg.slot().unwrap_or(MISSING);
            s.push(':');
            s.push_str(slot.split('/').next().unwrap_or(slot));
        }
        if self.opts.cli.display_repo {
            s.push_str("::");
            s.push_str(pkg.repo_id());
        }
        s
    }

    /// Prints each of `pkgs` as [`Printer::package`] does, in order. Rendering (reading and
    /// evaluating each package's attributes) is the per-package cost of `--attr` and
    /// verbose output, so each chunk's packages are rendered in parallel and written in
    /// order; chunks keep the output streaming and memory bounded.
    pub fn packages(&self, w: &mut dyn Write, pkgs: &[PackageRef]) -> io::Result<()> {
        const CHUNK: usize = 1024;
        for chunk in pkgs.chunks(CHUNK) {
            let rendered: Vec<io::Result<Vec<u8>>> = chunk
                .par_iter()
                .map(|p| {
                    let mut buf = Vec::new();
                    self.package(&mut buf, p).map(|()| buf)
                })
                .collect();
            for r in rendered {
                w.write_all(&r?)?;
            }
        }
        Ok(())
    }

    /// Prints one package.
    pub fn package(&self, w: &mut dyn Write, pkg: &PackageRef) -> io::Result<()> {
        let opts = self.opts;
        let p: &dyn Package = pkg.as_ref();
        if let Some(fmt) = &self.format {
            return writeln!(w, "{}", self.formatted(fmt, p));
        }
        if opts.cli.json {
            return self.json_package(w, p);
        }
        if opts.verbosity > 0 {
            let mut lines = vec![self.header(&cpvstr(p.cpv()))];
            for a in &opts.attrs {
                self.verbose_attr(p, a, &mut lines);
            }
            let mut rw = Wrapper::default();
            for target in &self.print_revdep {
                for (name, key, conds) in revdep_findings(&self.view, p, target) {
                    // pkgcore writes these as separate formatter arguments, so each may
                    // wrap on its own.
                    rw.write(&self.green("     revdep: "));
                    rw.write(name);
                    rw.write(" on ");
                    let target_text = attrs::depset::leaf_text(&target.to_string());
                    rw.write(&target_text);
                    // pkgcore prints the target alone when the dependency atom is the
                    // target itself (`key == revdep`).
                    if key != target_text {
                        rw.write(" through dep ");
                        rw.write(&key);
                    }
                    if !conds.is_empty() {
                        rw.write(" if USE matches one of:");
                        for c in conds {
                            rw.end_line();
                            rw.write(LATER_PREFIX);
                            rw.write(&c);
                        }
                    }
                    rw.end_line();
                }
            }
            lines.append(&mut rw.lines);
            lines.push(String::new());
            for l in lines {
                writeln!(w, "{l}")?;
            }
        } else if let Some(one) = &self.opts.one_attr {
            let mut line = String::new();
            if opts.cli.atom {
                line.push('=');
            }
            if opts.cpv {
                line.push_str(&cpvstr(p.cpv()));
                line.push_str(&self.suffix(p));
                line.push('|');
            }
            line.push_str(&attrs::render(&self.view, p, one));
            writeln!(w, "{line}")?;
        } else {
            let mut line = String::new();
            let mut printed = false;
            if !opts.cli.contents || opts.cpv {
                printed = true;
                if opts.cli.atom {
                    line.push('=');
                }
                line.push_str(&cpvstr(p.cpv()));
                line.push_str(&self.suffix(p));
            }
            for a in &opts.attrs {
                if printed {
                    line.push(' ');
                }
                printed = true;
                line.push_str(&format!("{a}=\"{}\"", attrs::render(&self.view, p, a)));
            }
            line.push_str(&self.revdep_text(p));
            if printed {
                writeln!(w, "{line}")?;
            }
        }
        if opts.cli.contents {
            self.contents(w, p)?;
        }
        if opts.cli.size {
            self.size(w, p)?;
        }
        Ok(())
    }

    fn contents(&self, w: &mut dyn Write, p: &dyn Package) -> io::Result<()> {
        let Some(c) = p.contents() else { return Ok(()) };
        let mut entries: Vec<_> = c.entries.iter().collect();
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        for e in entries {
            if self.color {
                use strata_repo::contents::EntryKind;
                let (pre, post) = match e.kind {
                    EntryKind::Dir => ("\x1b[1m\x1b[34m", "\x1b[0m"),
                    EntryKind::Sym { .. } => ("\x1b[1m\x1b[36m", "\x1b[0m"),
                    _ => ("", ""),
                };
                writeln!(w, "{pre}{}{post}", e.path)?;
            } else {
                writeln!(w, "{e}")?;
            }
        }
        Ok(())
    }

    fn size(&self, w: &mut dyn Write, p: &dyn Package) -> io::Result<()> {
        let Some(c) = p.contents() else { return Ok(()) };
        let (mut files, mut size, mut missing) = (0u64, 0u64, 0u64);
        for path in c.paths() {
            files += 1;
            let full = self.root.join(path.trim_start_matches('/'));
            match std::fs::symlink_metadata(&full) {
                Ok(m) => size += m.len(),
                Err(_) => missing += 1,
            }
        }
        writeln!(w, "Total files: {files}")?;
        writeln!(w, "Total size: {}", sizeof_fmt(size))?;
        if missing > 0 {
            writeln!(w, "Missing files: {missing}")?;
        }
        Ok(())
    }

    fn json_package(&self, w: &mut dyn Write, p: &dyn Package) -> io::Result<()> {
        let mut m = serde_json::Map::new();
        m.insert("cpv".into(), cpvstr(p.cpv()).into());
        m.insert("repo".into(), p.repo_id().into());
        if let Some(s) = p.slot() {
            m.insert("slot".into(), s.into());
        }
        let attrs_list: Vec<&String> = self
            .opts
            .attrs
            .iter()
            .chain(self.opts.one_attr.iter())
            .collect();
        for a in attrs_list {
            m.insert(a.clone(), attrs::render(&self.view, p, a).into());
        }
        if !self.print_revdep.is_empty() {
            let mut v = Vec::new();
            for target in &self.print_revdep {
                for (name, key, conds) in revdep_findings(&self.view, p, target) {
                    v.push(serde_json::json!({
                        "attr": name, "target": target.to_string(), "through": key, "use": conds
                    }));
                }
            }
            m.insert("revdeps".into(), v.into());
        }
        if self.opts.cli.contents
            && let Some(c) = p.contents()
        {
            let v: Vec<String> = c.entries.iter().map(|e| e.to_string()).collect();
            m.insert("contents".into(), v.into());
        }
        writeln!(w, "{}", serde_json::Value::Object(m))
    }

    /// Prints the versions of one `category/package` collapsed (`-n`); `installed` are the
    /// installed versions to list in verbose mode (`None` to leave the line out).
    pub fn packages_noversion(
        &self,
        w: &mut dyn Write,
        pkgs: &[PackageRef],
        installed: Option<Vec<String>>,
    ) -> io::Result<()> {
        let (Some(first), Some(last)) = (pkgs.first(), pkgs.last()) else {
            return Ok(());
        };
        let opts = self.opts;
        let key = first.cpv().cp();
        if let Some(fmt) = &self.format {
            return writeln!(w, "{}", self.formatted(fmt, last.as_ref()));
        }
        if opts.cli.json {
            let mut m = serde_json::Map::new();
            m.insert("key".into(), key.into());
            m.insert("repo".into(), first.repo_id().into());
            let versions: Vec<String> = pkgs
                .iter()
                .map(|p| p.cpv().version().as_str().to_owned())
                .collect();
            m.insert("versions".into(), versions.into());
            if let Some(i) = installed {
                m.insert("installed".into(), i.into());
            }
            for a in opts.attrs.iter().chain(opts.one_attr.iter()) {
                m.insert(
                    a.clone(),
                    attrs::render(&self.view, last.as_ref(), a).into(),
                );
            }
            return writeln!(w, "{}", serde_json::Value::Object(m));
        }
        if opts.verbosity > 0 {
            let mut lines = vec![self.header(key)];
            let mut versions: Vec<&PackageRef> = pkgs.iter().collect();
            versions.sort_by(|a, b| a.cpv().cmp(b.cpv()));
            let versions: Vec<&str> = versions
                .iter()
                .map(|p| p.cpv().version().as_str())
                .collect();
            lines.extend(wrap(&self.green("     versions: "), &versions.join(" ")));
            if let Some(inst) = installed
                && !inst.is_empty()
            {
                lines.extend(wrap(&self.green("     installed: "), &inst.join(" ")));
            }
            for a in &opts.attrs {
                let label = self.green(&format!("     {a}: "));
                lines.extend(wrap(&label, &attrs::render(&self.view, last.as_ref(), a)));
            }
            lines.push(String::new());
            for l in lines {
                writeln!(w, "{l}")?;
            }
            return Ok(());
        }
        if let Some(one) = &opts.one_attr {
            let mut line = String::new();
            if opts.cli.atom {
                line.push('=');
            }
            if opts.cpv {
                line.push_str(key);
                line.push_str(&self.suffix(first.as_ref()));
                line.push('|');
            }
            line.push_str(&attrs::render(&self.view, last.as_ref(), one));
            return writeln!(w, "{line}");
        }
        let mut line = key.to_owned();
        line.push_str(&self.suffix(first.as_ref()));
        for a in &opts.attrs {
            line.push_str(&format!(
                " {a}=\"{}\"",
                attrs::render(&self.view, last.as_ref(), a)
            ));
        }
        writeln!(w, "{line}")
    }
}

/// snakeoil's `sizeof_fmt` (binary units, one decimal).
pub fn sizeof_fmt(size: u64) -> String {
    let mut s = size as f64;
    let mut prefix = "";
    for p in ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"] {
        if s < 1024.0 {
            break;
        }
        s /= 1024.0;
        prefix = p;
    }
    format!("{s:.1} {prefix}B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_templates() {
        assert_eq!(
            parse_format("{category}/{package}-{version} ({repo}) {{x}}"),
            Ok(vec![
                FormatPiece::Attr("category".into()),
                FormatPiece::Text("/".into()),
                FormatPiece::Attr("package".into()),
                FormatPiece::Text("-".into()),
                FormatPiece::Attr("version".into()),
                FormatPiece::Text(" (".into()),
                FormatPiece::Attr("repo".into()),
                FormatPiece::Text(") {x}".into()),
            ])
        );
        assert!(parse_format("{nonesuch}").is_err());
        assert!(parse_format("{category").is_err());
        assert!(parse_format("a}b").is_err());
    }

    #[test]
    fn wrapping() {
        let long = "word ".repeat(30);
        let lines = wrap("     description: ", long.trim_end());
        assert!(lines.len() > 1);
        for l in &lines {
            assert!(l.chars().count() <= WIDTH, "{l:?}");
        }
        assert!(lines[1].starts_with(LATER_PREFIX));
        assert_eq!(wrap("     x: ", "short"), ["     x: short"]);
        assert_eq!(wrap("     x: ", ""), ["     x: "]);
        // snakeoil never splits so that a line reaches the width: the split space must
        // lie within the columns left, so a word ending exactly at 79 moves down.
        let v = format!("{} {} c", "a".repeat(63), "b".repeat(10));
        assert_eq!(
            wrap("label", &v),
            [
                format!("label{}", "a".repeat(63)),
                format!("{LATER_PREFIX}{} c", "b".repeat(10))
            ]
        );
        // A newline inside a value is just a character to snakeoil.
        assert_eq!(wrap("l: ", "a\nb"), ["l: a\nb"]);
        // Escapes take no columns.
        let green = "\x1b[32m     x: \x1b[39m";
        let fits = "y".repeat(WIDTH - 8);
        assert_eq!(wrap(green, &fits), [format!("{green}{fits}")]);
    }

    #[test]
    fn pkgcore_cpvstr() {
        let c = |s: &str| cpvstr(&Cpv::parse(s).expect("cpv")).into_owned();
        assert_eq!(c("a/b-1.0"), "a/b-1.0");
        assert_eq!(c("a/b-1.0-r0"), "a/b-1.0");
        assert_eq!(c("a/b-1.0-r000"), "a/b-1.0");
        assert_eq!(c("a/b-1.0-r1"), "a/b-1.0-r1");
        assert_eq!(c("a/b-1.0-r010"), "a/b-1.0-r10");
        assert_eq!(c("a/b-1-r10"), "a/b-1-r10");
    }

    #[test]
    fn sizes() {
        assert_eq!(sizeof_fmt(0), "0.0 B");
        assert_eq!(sizeof_fmt(1023), "1023.0 B");
        assert_eq!(sizeof_fmt(1536), "1.5 KiB");
        assert_eq!(sizeof_fmt(3 * 1024 * 1024), "3.0 MiB");
    }
}
