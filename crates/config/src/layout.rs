//! `metadata/layout.conf` of a repository (formats.md §3.2), the parts configuration needs.

use std::path::Path;

use indexmap::IndexMap;

use crate::error::{ConfigError, Location, Warning};

/// The parsed `metadata/layout.conf` (absent file = all defaults).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayoutConf {
    /// Every key as written, with its value.
    pub values: IndexMap<String, String>,
}

impl LayoutConf {
    /// Reads `<repo>/metadata/layout.conf`; malformed lines become warnings.
    pub fn read(repo: &Path, warnings: &mut Vec<Warning>) -> Result<LayoutConf, ConfigError> {
        let path = repo.join("metadata/layout.conf");
        let text = match std::fs::read(&path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(LayoutConf::default()),
            Err(e) => return Err(ConfigError::io(&path, e)),
        };
        Ok(LayoutConf::parse(&text, &path, warnings))
    }

    /// Parses layout.conf text.
    pub fn parse(text: &str, path: &Path, warnings: &mut Vec<Warning>) -> LayoutConf {
        let mut values = IndexMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.split_once('=') {
                Some((k, v)) => {
                    values.insert(k.trim().to_string(), v.trim().to_string());
                }
                None => warnings.push(Warning::new(
                    Location::new(path, i + 1),
                    format!("expected `key = value`, got {line:?}"),
                )),
            }
        }
        LayoutConf { values }
    }

    /// `masters`, if the key is present (it may be present and empty).
    pub fn masters(&self) -> Option<Vec<String>> {
        self.values.get("masters").map(|v| split(v))
    }

    /// `repo-name`, if present.
    pub fn repo_name(&self) -> Option<&str> {
        self.values.get("repo-name").map(String::as_str)
    }

    /// `aliases`.
    pub fn aliases(&self) -> Vec<String> {
        self.values
            .get("aliases")
            .map(|v| split(v))
            .unwrap_or_default()
    }

    /// `profile-formats`, if present.
    pub fn profile_formats(&self) -> Option<Vec<String>> {
        self.values.get("profile-formats").map(|v| split(v))
    }

    /// Whether `profile-formats` contains `format`.
    pub fn has_profile_format(&self, format: &str) -> bool {
        self.profile_formats()
            .is_some_and(|f| f.iter().any(|x| x == format))
    }
}

fn split(v: &str) -> Vec<String> {
    v.split_whitespace().map(str::to_string).collect()
}
