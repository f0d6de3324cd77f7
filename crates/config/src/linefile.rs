//! Line-based configuration files (`package.*`, `use.*`, `parent`, `packages`, ...), each of
//! which may be a single file or a directory of files.
//!
//! Directory files are read in lexical order, recursing into subdirectories; names starting
//! with `.` and ending with `~` are skipped. A token starting with `#` starts a comment (as in
//! Portage's `grabfile`), blank lines are dropped.

use std::path::{Path, PathBuf};

use crate::error::{ConfigError, Location};

/// One non-empty, non-comment line of a config file, split into whitespace tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The tokens (comment tokens removed).
    pub tokens: Vec<String>,
    /// Where the line is.
    pub location: Location,
    /// The `#` comment lines directly above this line (without the `#`), for mask reasons.
    pub comment: Vec<String>,
}

impl Line {
    /// The tokens joined by single spaces.
    pub fn text(&self) -> String {
        self.tokens.join(" ")
    }
}

/// The files that make up `path`: `path` itself if it is a file, the files below it in
/// lexical order if it is a directory, nothing if it does not exist.
pub fn config_files(path: &Path) -> Result<Vec<PathBuf>, ConfigError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(ConfigError::io(path, e)),
    };
    if !meta.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    collect_dir(path, &mut out)?;
    Ok(out)
}

fn collect_dir(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ConfigError> {
    let mut entries: Vec<(String, PathBuf)> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| ConfigError::io(dir, e))? {
        let entry = entry.map_err(|e| ConfigError::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        entries.push((name, entry.path()));
    }
    entries.sort();
    for (_, p) in entries {
        if p.is_dir() {
            collect_dir(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// Reads the lines of `path` (file or directory). A missing path gives no lines.
pub fn read_lines(path: &Path) -> Result<Vec<Line>, ConfigError> {
    let mut out = Vec::new();
    for file in config_files(path)? {
        let bytes = std::fs::read(&file).map_err(|e| ConfigError::io(&file, e))?;
        parse_lines(&String::from_utf8_lossy(&bytes), &file, &mut out);
    }
    Ok(out)
}

/// Splits `text` (the contents of `path`) into [`Line`]s, appending to `out`.
pub fn parse_lines(text: &str, path: &Path, out: &mut Vec<Line>) {
    let mut comment: Vec<String> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            comment.clear();
            continue;
        }
        if let Some(c) = trimmed.strip_prefix('#') {
            comment.push(c.strip_prefix(' ').unwrap_or(c).to_string());
            continue;
        }
        let tokens: Vec<String> = trimmed
            .split_whitespace()
            .take_while(|t| !t.starts_with('#'))
            .map(str::to_string)
            .collect();
        if tokens.is_empty() {
            continue;
        }
        out.push(Line {
            tokens,
            location: Location::new(path, i + 1),
            comment: comment.clone(),
        });
    }
}

/// Applies Portage's line stacking to `lines` in order: a line `-X` removes earlier lines
/// whose text is `X`; other lines are appended. Returns the surviving lines and the `-X`
/// lines that matched nothing (these may still cancel entries from other sources).
pub fn stack_lines(lines: impl IntoIterator<Item = Line>) -> (Vec<Line>, Vec<Line>) {
    let mut out: Vec<Line> = Vec::new();
    let mut unmatched = Vec::new();
    for line in lines {
        let text = line.text();
        if let Some(rest) = text.strip_prefix('-') {
            if rest == "*" {
                out.clear();
                continue;
            }
            let before = out.len();
            out.retain(|l| l.text() != rest);
            if out.len() == before {
                unmatched.push(line);
            }
        } else {
            out.push(line);
        }
    }
    (out, unmatched)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn directory_order_and_skips() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("package.mask");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("b"), "cat/b\n").unwrap();
        std::fs::write(d.join("a"), "# why\ncat/a # trailing\n\n").unwrap();
        std::fs::write(d.join("sub/c"), "cat/c\n").unwrap();
        std::fs::write(d.join(".hidden"), "cat/hidden\n").unwrap();
        std::fs::write(d.join("a~"), "cat/backup\n").unwrap();
        let lines = read_lines(&d).unwrap();
        let texts: Vec<String> = lines.iter().map(Line::text).collect();
        assert_eq!(texts, ["cat/a", "cat/b", "cat/c"]);
        assert_eq!(lines[0].comment, ["why"]);
        assert_eq!(lines[0].location.line, 2);
        assert!(read_lines(&dir.path().join("absent")).unwrap().is_empty());
    }

    #[test]
    fn stacking_removes_and_resets() {
        let mut lines = Vec::new();
        parse_lines("a\nb\n-a\n-zzz\nc\n", Path::new("f"), &mut lines);
        let (kept, unmatched) = stack_lines(lines.clone());
        assert_eq!(kept.iter().map(Line::text).collect::<Vec<_>>(), ["b", "c"]);
        assert_eq!(unmatched[0].text(), "-zzz");
        let mut more = lines;
        parse_lines("-*\nd\n", Path::new("g"), &mut more);
        let (kept, _) = stack_lines(more);
        assert_eq!(kept.iter().map(Line::text).collect::<Vec<_>>(), ["d"]);
    }
}
