//! The native configuration file: TOML with pkgcore-like semantics.
//!
//! Every top-level table is a section; `class`, `inherit`, `inherit-only` and `default`
//! are the special keys (see [`crate::central`]). A reference is a section name (a string),
//! a list of names, or an inline table (an anonymous section).
//!
//! ```toml
//! [gentoo]
//! class = "ebuild-v1"
//! location = "/var/db/repos/gentoo"
//!
//! [livefs]
//! class = "ebuild-domain"
//! default = true
//! repos = ["gentoo"]
//! profile = { class = "portage-profile", path = "/etc/portage/make.profile" }
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use crate::central::{RawSection, RawValue};
use crate::error::{ConfigError, Location};

/// Reads the sections of the TOML config file at `path`.
pub fn read_toml_config(path: &Path) -> Result<Vec<RawSection>, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::io(path, e))?;
    parse_toml_config(&text, path)
}

/// Parses TOML config `text` (the contents of `path`) into sections.
pub fn parse_toml_config(text: &str, path: &Path) -> Result<Vec<RawSection>, ConfigError> {
    type Doc = BTreeMap<String, toml::Spanned<BTreeMap<String, toml::Spanned<toml::Value>>>>;
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let doc: Doc = toml::from_str(text).map_err(|e| ConfigError::Parse {
        location: Location::new(path, e.span().map(|s| line_of(s.start)).unwrap_or(0)),
        message: e.message().to_string(),
    })?;
    let mut sections: Vec<(usize, RawSection)> = Vec::new();
    for (name, table) in doc {
        let start = table.span().start;
        // The span of a table starts at its first key; report the header line above it.
        let header_line = text[..start.min(text.len())]
            .rfind(&format!("[{name}]"))
            .map(line_of)
            .unwrap_or_else(|| line_of(start));
        let mut section = RawSection::new(name.clone(), Location::new(path, header_line));
        for (key, value) in table.into_inner() {
            let loc = Location::new(path, line_of(value.span().start));
            let raw = convert(&name, &key, value.into_inner(), &loc)?;
            section.set(&key, raw, loc);
        }
        sections.push((start, section));
    }
    sections.sort_by_key(|(start, _)| *start);
    Ok(sections.into_iter().map(|(_, s)| s).collect())
}

fn convert(
    section: &str,
    key: &str,
    v: toml::Value,
    loc: &Location,
) -> Result<RawValue, ConfigError> {
    Ok(match v {
        toml::Value::String(s) => RawValue::Text(s),
        toml::Value::Integer(i) => RawValue::Int(i),
        toml::Value::Boolean(b) => RawValue::Bool(b),
        toml::Value::Array(items) => RawValue::List(
            items
                .into_iter()
                .map(|i| convert(section, key, i, loc))
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(t) => {
            let mut inner = RawSection::new(format!("{section}.{key}"), loc.clone());
            for (k, v) in t {
                let raw = convert(section, &k, v, loc)?;
                inner.set(&k, raw, loc.clone());
            }
            RawValue::Section(Box::new(inner))
        }
        other => {
            return Err(ConfigError::Type {
                section: section.to_string(),
                key: key.to_string(),
                expected: "string, integer, boolean, array or table".into(),
                value: other.to_string(),
                location: loc.clone(),
            });
        }
    })
}
