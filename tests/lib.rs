//! Helpers for the conformance suites: locating and splitting the vector files. (The
//! shared data is located by `strata_testtools`.)

use std::path::PathBuf;

/// The directory holding this suite's vector files.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// Splits a vector line into fields; `"..."` keeps spaces and `""` is the empty string.
///
/// # Panics
/// On an unterminated quote (a broken vector file).
pub fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = line.trim();
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('"') {
            let end = r.find('"').expect("unterminated quote");
            out.push(r[..end].to_owned());
            rest = r[end + 1..].trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(rest[..end].to_owned());
            rest = rest[end..].trim_start();
        }
    }
    out
}

/// The cases of the vector file `name` (in [`vectors_dir`]): every line that is neither
/// blank nor a `#` comment, as (1-based line number, [`fields`]).
///
/// # Panics
/// When the file cannot be read or a line has an unterminated quote.
pub fn vector_cases(name: &str) -> Vec<(usize, Vec<String>)> {
    let path = vectors_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .map(|(i, raw)| (i + 1, raw.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .map(|(n, line)| (n, fields(line)))
        .collect()
}
