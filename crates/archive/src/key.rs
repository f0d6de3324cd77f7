//! Archive keys: maps of strings to strings that tell variants of one final name apart,
//! and their canonical digest.
//!
//! # Canonical form
//!
//! The digest of a key for a final name is the lower-case hex SHA-512 of this byte string:
//!
//! ```text
//! "strata-archive-key-v1" 0x00
//! u64be(len(final_name)) final_name
//! u64be(number of members)
//! for each member, in byte-wise ascending order of its name:
//!     u64be(len(name)) name  u64be(len(value)) value
//! ```
//!
//! All strings are UTF-8 and lengths are byte counts. The domain tag keeps these digests
//! apart from any other SHA-512 use, and the length prefixes make the encoding injective
//! (no choice of names and values can make two different keys encode alike). The final
//! name is part of the digest, so one key stored under two names gives two digests.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use strata_fetch::hash::HashAlgorithm;

use crate::error::{ArchiveError, Result};

/// The domain tag that opens the canonical encoding (see the module docs).
pub const KEY_DOMAIN: &[u8] = b"strata-archive-key-v1\0";

/// A key: a map of strings to strings, ordered by name.
///
/// ```
/// use strata_archive::ArchiveKey;
/// let a = ArchiveKey::from_pairs(["catpkg=dev-go/foo", "version=1.2"]).expect("pairs");
/// let b = ArchiveKey::from_json(r#"{"version": "1.2", "catpkg": "dev-go/foo"}"#).expect("json");
/// assert_eq!(a, b);
/// assert_eq!(a.digest("foo.tar.xz"), b.digest("foo.tar.xz"));
/// assert_ne!(a.digest("foo.tar.xz"), a.digest("bar.tar.xz"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct ArchiveKey(BTreeMap<String, String>);

impl ArchiveKey {
    /// An empty key.
    pub fn new() -> Self {
        ArchiveKey(BTreeMap::new())
    }

    /// Sets member `name` to `value`, returning the previous value.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) -> Option<String> {
        self.0.insert(name.into(), value.into())
    }

    /// Builder-style [`ArchiveKey::insert`].
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.insert(name, value);
        self
    }

    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The members in canonical (byte-wise) order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Number of members.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the key has no members.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The members as a map.
    pub fn as_map(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// Parses `name=value` pairs (split at the first `=`; the name must not be empty and
    /// may appear only once).
    pub fn from_pairs<I, S>(pairs: I) -> Result<ArchiveKey>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut key = ArchiveKey::new();
        for pair in pairs {
            key.add_pair(pair.as_ref())?;
        }
        Ok(key)
    }

    /// Adds one `name=value` pair (see [`ArchiveKey::from_pairs`]).
    pub fn add_pair(&mut self, pair: &str) -> Result<()> {
        let bad = |reason: &str| ArchiveError::InvalidKey {
            input: pair.to_owned(),
            reason: reason.to_owned(),
        };
        let (name, value) = pair
            .split_once('=')
            .ok_or_else(|| bad("expected name=value"))?;
        if name.is_empty() {
            return Err(bad("empty member name"));
        }
        if self.0.contains_key(name) {
            return Err(bad("member given twice"));
        }
        self.0.insert(name.to_owned(), value.to_owned());
        Ok(())
    }

    /// Parses a JSON object whose values are all strings. Anything else (an array, a
    /// number, a nested object, a duplicate member, trailing data) is an
    /// error naming the offending member or the line and column.
    pub fn from_json(text: &str) -> Result<ArchiveKey> {
        let mut de = serde_json::Deserializer::from_str(text);
        let key = de
            .deserialize_any(KeyVisitor)
            .and_then(|k| de.end().map(|()| k))
            .map_err(|e| ArchiveError::InvalidKey {
                input: text.to_owned(),
                reason: e.to_string(),
            })?;
        Ok(key)
    }

    /// The key as a JSON object with members in canonical order (no whitespace).
    pub fn to_json(&self) -> String {
        // A map of strings always serialises.
        serde_json::to_string(&self.0).unwrap_or_default()
    }

    /// The canonical byte encoding of this key under `final_name` (see the module docs).
    pub fn canonical_bytes(&self, final_name: &str) -> Vec<u8> {
        fn put(out: &mut Vec<u8>, s: &[u8]) {
            out.extend_from_slice(&(s.len() as u64).to_be_bytes());
            out.extend_from_slice(s);
        }
        let mut out = Vec::with_capacity(64 + final_name.len());
        out.extend_from_slice(KEY_DOMAIN);
        put(&mut out, final_name.as_bytes());
        out.extend_from_slice(&(self.0.len() as u64).to_be_bytes());
        for (k, v) in &self.0 {
            put(&mut out, k.as_bytes());
            put(&mut out, v.as_bytes());
        }
        out
    }

    /// The digest of this key under `final_name`: lower-case hex SHA-512 of
    /// [`ArchiveKey::canonical_bytes`].
    pub fn digest(&self, final_name: &str) -> KeyDigest {
        KeyDigest(HashAlgorithm::Sha512.hex_digest(&self.canonical_bytes(final_name)))
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for ArchiveKey {
    fn from_iter<T: IntoIterator<Item = (K, V)>>(iter: T) -> Self {
        ArchiveKey(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl From<BTreeMap<String, String>> for ArchiveKey {
    fn from(map: BTreeMap<String, String>) -> Self {
        ArchiveKey(map)
    }
}

impl fmt::Display for ArchiveKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

/// The digest of a key under a final name (128 lower-case hex characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyDigest(String);

impl KeyDigest {
    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for KeyDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = ArchiveKey;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object whose values are all strings")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ArchiveKey, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(name) = map.next_key::<String>()? {
            let value: serde_json::Value = map.next_value()?;
            let serde_json::Value::String(value) = value else {
                return Err(de::Error::custom(format!(
                    "member {name:?} is {}, not a string",
                    json_kind(&value)
                )));
            };
            if out.insert(name.clone(), value).is_some() {
                return Err(de::Error::custom(format!("member {name:?} given twice")));
            }
        }
        Ok(ArchiveKey(out))
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn canonical_bytes_follow_the_documented_layout() {
        let key = ArchiveKey::new().with("b", "2").with("a", "1");
        let mut want = b"strata-archive-key-v1\0".to_vec();
        want.extend_from_slice(&3u64.to_be_bytes());
        want.extend_from_slice(b"n.x");
        want.extend_from_slice(&2u64.to_be_bytes());
        for (k, v) in [("a", "1"), ("b", "2")] {
            want.extend_from_slice(&(k.len() as u64).to_be_bytes());
            want.extend_from_slice(k.as_bytes());
            want.extend_from_slice(&(v.len() as u64).to_be_bytes());
            want.extend_from_slice(v.as_bytes());
        }
        assert_eq!(key.canonical_bytes("n.x"), want);
        let d = key.digest("n.x");
        assert_eq!(d.as_str().len(), 128);
        assert_eq!(d.as_str(), HashAlgorithm::Sha512.hex_digest(&want));
    }

    #[test]
    fn length_prefixes_keep_keys_apart() {
        let a = ArchiveKey::new().with("ab", "c");
        let b = ArchiveKey::new().with("a", "bc");
        assert_ne!(a.digest("x.tar.gz"), b.digest("x.tar.gz"));
        let c = ArchiveKey::new().with("a", "");
        let d = ArchiveKey::new();
        assert_ne!(c.digest("x.tar.gz"), d.digest("x.tar.gz"));
    }

    #[test]
    fn json_must_be_an_object_of_strings() {
        for bad in [
            "[]",
            "\"x\"",
            "{\"a\": 1}",
            "{\"a\": null}",
            "{\"a\": {\"b\": \"c\"}}",
            "{\"a\": [\"b\"]}",
            "{\"a\": \"1\", \"a\": \"2\"}",
            "{\"a\": \"1\"} x",
            "{",
        ] {
            let err = ArchiveKey::from_json(bad).unwrap_err();
            assert!(
                matches!(err, ArchiveError::InvalidKey { .. }),
                "{bad}: {err}"
            );
        }
        let err = ArchiveKey::from_json("{\"ver\": 1}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"ver\"") && err.contains("number"), "{err}");
        let k = ArchiveKey::from_json("{\"a\": \"1\", \"b\": \"x=y\"}").unwrap();
        assert_eq!(k.get("b"), Some("x=y"));
        assert_eq!(k.to_json(), "{\"a\":\"1\",\"b\":\"x=y\"}");
    }

    #[test]
    fn pairs_split_at_first_equals() {
        let k = ArchiveKey::from_pairs(["a=b=c", "e="]).unwrap();
        assert_eq!(k.get("a"), Some("b=c"));
        assert_eq!(k.get("e"), Some(""));
        assert!(ArchiveKey::from_pairs(["noequals"]).is_err());
        assert!(ArchiveKey::from_pairs(["=v"]).is_err());
        assert!(ArchiveKey::from_pairs(["a=1", "a=2"]).is_err());
    }
}
