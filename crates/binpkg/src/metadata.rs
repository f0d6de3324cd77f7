//! Binpkg metadata: the build-info keys stored in an XPAK segment or in a GPKG's
//! `metadata/` directory. Values are kept as bytes; text accessors validate UTF-8.

use indexmap::IndexMap;

use crate::error::{Error, Result};

/// Keys whose values are binary and never decoded as text.
pub fn is_binary_key(key: &str) -> bool {
    key.starts_with("environment")
}

/// The metadata of one binary package: key → raw value, in stored order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    entries: IndexMap<String, Vec<u8>>,
}

impl Metadata {
    /// An empty set.
    pub fn new() -> Metadata {
        Metadata::default()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sets `key` (replacing an earlier value in place).
    pub fn insert(&mut self, key: impl Into<String>, value: impl Into<Vec<u8>>) {
        self.entries.insert(key.into(), value.into());
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Vec<u8>> {
        self.entries.shift_remove(key)
    }

    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.entries.get(key).map(Vec::as_slice)
    }

    /// Whether `key` is present.
    pub fn contains(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// The value of `key` as text with trailing whitespace stripped (Portage's reading
    /// rule). Errors if the value is not valid UTF-8.
    pub fn text(&self, key: &str) -> Result<Option<&str>> {
        match self.entries.get(key) {
            None => Ok(None),
            Some(v) => match std::str::from_utf8(v) {
                Ok(s) => Ok(Some(s.trim_end())),
                Err(e) => Err(Error::NotUtf8 {
                    key: key.to_owned(),
                    offset: e.valid_up_to(),
                }),
            },
        }
    }

    /// Like [`Self::text`], but a missing key is an error.
    pub fn require_text(&self, key: &str) -> Result<&str> {
        self.text(key)?
            .ok_or_else(|| Error::MissingKey(key.to_owned()))
    }

    /// `BUILD_ID` as a number, if present and numeric.
    pub fn build_id(&self) -> Result<Option<u64>> {
        Ok(self.text("BUILD_ID")?.and_then(|s| s.parse().ok()))
    }

    /// Validates that every non-binary value is UTF-8 (what Portage requires of text
    /// keys); returns the first offender.
    pub fn validate_text(&self) -> Result<()> {
        for key in self.entries.keys() {
            if !is_binary_key(key) {
                self.text(key)?;
            }
        }
        Ok(())
    }

    /// Iterates over `(key, raw value)` in stored order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    /// The keys in stored order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }

    /// Sorts keys by byte order (how Portage's `xpak()` packs a build-info directory).
    pub fn sort_keys(&mut self) {
        self.entries.sort_unstable_keys();
    }
}

impl<K: Into<String>, V: Into<Vec<u8>>> FromIterator<(K, V)> for Metadata {
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        Metadata {
            entries: iter
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }
}

/// Validates a metadata key name as used for an xpak entry or a gpkg `metadata/` file:
/// non-empty, no NUL, not absolute, no `.`/`..` or empty components.
pub fn validate_key(key: &str) -> std::result::Result<(), &'static str> {
    if key.is_empty() {
        return Err("empty key");
    }
    if key.contains('\0') {
        return Err("key contains NUL");
    }
    if key.starts_with('/') {
        return Err("key is an absolute path");
    }
    if key
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Err("key has an empty, '.' or '..' path component");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strips_trailing_whitespace_and_validates_utf8() {
        let mut m = Metadata::new();
        m.insert("SLOT", b"2/2.0\n".to_vec());
        m.insert("BAD", vec![b'a', 0xff, b'b']);
        m.insert("environment.bz2", vec![0xff, 0xfe]);
        assert_eq!(m.text("SLOT").expect("utf8"), Some("2/2.0"));
        assert_eq!(m.text("NOPE").expect("absent"), None);
        match m.text("BAD") {
            Err(Error::NotUtf8 { key, offset }) => {
                assert_eq!(key, "BAD");
                assert_eq!(offset, 1);
            }
            other => panic!("expected NotUtf8, got {other:?}"),
        }
        assert!(m.validate_text().is_err());
        m.remove("BAD");
        assert!(m.validate_text().is_ok());
    }

    #[test]
    fn key_validation() {
        assert!(validate_key("CATEGORY").is_ok());
        assert!(validate_key("sub/dir").is_ok());
        for bad in ["", "/abs", "../x", "a/../b", "a//b", "a\0b", "."] {
            assert!(validate_key(bad).is_err(), "{bad:?}");
        }
    }
}
