//! The INI dialect of `repos.conf` (Python `configparser` rules as Portage uses them).
//!
//! `[section]` headers, `key = value` or `key: value`, `#` and `;` full-line comments,
//! indented continuation lines, keys lower-cased, values kept verbatim. A `[DEFAULT]`
//! section supplies values to every section. Later files override earlier ones key by key.

use std::path::Path;

use indexmap::IndexMap;

use crate::error::{ConfigError, Location, Warning};

/// A value with the place it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniValue {
    /// The value text.
    pub value: String,
    /// Where it was set.
    pub location: Location,
}

/// One INI section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IniSection {
    /// Where the section header is (the first one, if the section appears several times).
    pub location: Location,
    /// Keys (lower-cased) to values.
    pub values: IndexMap<String, IniValue>,
}

/// A parsed INI document, possibly merged from several files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ini {
    /// The `[DEFAULT]` values.
    pub defaults: IndexMap<String, IniValue>,
    /// The other sections in order of first appearance.
    pub sections: IndexMap<String, IniSection>,
}

impl Ini {
    /// Reads `path`: a file, or a directory of files (lexical order, dot files and `~`
    /// backups skipped). Malformed lines become warnings.
    pub fn read(path: &Path, warnings: &mut Vec<Warning>) -> Result<Ini, ConfigError> {
        let mut ini = Ini::default();
        for file in crate::linefile::config_files(path)? {
            let bytes = std::fs::read(&file).map_err(|e| ConfigError::io(&file, e))?;
            ini.parse_str(&String::from_utf8_lossy(&bytes), &file, warnings);
        }
        Ok(ini)
    }

    /// Parses `text` (the contents of `path`) into this document.
    pub fn parse_str(&mut self, text: &str, path: &Path, warnings: &mut Vec<Warning>) {
        // (section name or None for DEFAULT or "before any section", key)
        let mut current: Option<Option<String>> = None;
        let mut last_key: Option<String> = None;
        for (i, raw) in text.lines().enumerate() {
            let loc = Location::new(path, i + 1);
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                if trimmed.is_empty() {
                    last_key = None;
                }
                continue;
            }
            let indented = raw.starts_with(' ') || raw.starts_with('\t');
            if indented && let (Some(section), Some(key)) = (&current, &last_key) {
                let values = match section {
                    None => &mut self.defaults,
                    Some(name) => match self.sections.get_mut(name) {
                        Some(s) => &mut s.values,
                        None => continue,
                    },
                };
                if let Some(v) = values.get_mut(key) {
                    if !v.value.is_empty() {
                        v.value.push('\n');
                    }
                    v.value.push_str(trimmed);
                }
                continue;
            }
            if let Some(rest) = trimmed.strip_prefix('[') {
                last_key = None;
                let Some(name) = rest.strip_suffix(']') else {
                    warnings.push(Warning::new(
                        loc,
                        format!("malformed section header {trimmed:?}"),
                    ));
                    current = None;
                    continue;
                };
                let name = name.trim().to_string();
                if name == "DEFAULT" {
                    current = Some(None);
                } else {
                    self.sections
                        .entry(name.clone())
                        .or_insert_with(|| IniSection {
                            location: loc.clone(),
                            values: IndexMap::new(),
                        });
                    current = Some(Some(name));
                }
                continue;
            }
            let split = trimmed.find(['=', ':']);
            let Some(at) = split else {
                warnings.push(Warning::new(
                    loc,
                    format!("expected `key = value`, got {trimmed:?}"),
                ));
                last_key = None;
                continue;
            };
            let key = trimmed[..at].trim().to_lowercase();
            let value = trimmed[at + 1..].trim().to_string();
            if key.is_empty() {
                warnings.push(Warning::new(loc, format!("empty key in {trimmed:?}")));
                last_key = None;
                continue;
            }
            let values = match &current {
                None => {
                    warnings.push(Warning::new(loc, format!("{key:?} outside of any section")));
                    last_key = None;
                    continue;
                }
                Some(None) => &mut self.defaults,
                Some(Some(name)) => match self.sections.get_mut(name) {
                    Some(s) => &mut s.values,
                    None => continue,
                },
            };
            values.insert(
                key.clone(),
                IniValue {
                    value,
                    location: loc,
                },
            );
            last_key = Some(key);
        }
    }

    /// The value of `key` in `section`, falling back to `[DEFAULT]`.
    pub fn get(&self, section: &str, key: &str) -> Option<&IniValue> {
        self.sections
            .get(section)
            .and_then(|s| s.values.get(key))
            .or_else(|| self.defaults.get(key))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn sections_defaults_continuations() {
        let mut w = Vec::new();
        let mut ini = Ini::default();
        ini.parse_str(
            "[DEFAULT]\nmain-repo = gentoo\n\n[gentoo]\n# c\nLocation = /a\nsync-uri: x\n  y\n; c\nbroken line\n[x\n",
            Path::new("repos.conf"),
            &mut w,
        );
        assert_eq!(ini.get("gentoo", "location").unwrap().value, "/a");
        assert_eq!(ini.get("gentoo", "sync-uri").unwrap().value, "x\ny");
        assert_eq!(ini.get("gentoo", "main-repo").unwrap().value, "gentoo");
        assert_eq!(ini.get("gentoo", "location").unwrap().location.line, 6);
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].location.line, 10);
        assert_eq!(w[1].location.line, 11);
    }
}
