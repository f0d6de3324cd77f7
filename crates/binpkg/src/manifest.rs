//! The GPKG `Manifest`: `DATA <member> <size> <HASH> <hex> ...` lines, possibly inside an
//! OpenPGP clear-signed message (the signature is not checked here).

use crate::error::{Error, Result};
use strata_fetch::manifest::{FileTag, is_clear_signed};

use crate::hashing::{Digests, hex};

/// One `DATA` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestEntry {
    /// Member basename (`image.tar.zst`).
    pub name: String,
    /// Member size in bytes.
    pub size: u64,
    /// `(HASH, hex)` pairs in file order (the order is not fixed by Portage).
    pub hashes: Vec<(String, String)>,
}

/// A parsed GPKG Manifest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Manifest {
    /// The `DATA` entries in file order.
    pub entries: Vec<ManifestEntry>,
    /// Whether the Manifest was clear-signed.
    pub signed: bool,
}

impl Manifest {
    /// Parses a Manifest with strata-fetch's Manifest2 / GLEP 74 parser (which also undoes
    /// an OpenPGP clear-signed envelope; the signature is not checked). Only `DATA` entries
    /// are kept, their hashes in file order. A member listed twice with different size or
    /// hashes is an error; an identical repeat is read once (as gemato and Portage do).
    pub fn parse(text: &str) -> Result<Manifest> {
        let err = |line: usize, reason: String| Error::Manifest {
            line,
            text: line
                .checked_sub(1)
                .and_then(|i| text.lines().nth(i))
                .unwrap_or_default()
                .to_owned(),
            reason,
        };
        let parsed =
            strata_fetch::Manifest::parse(text).map_err(|e| err(e.line, e.kind.to_string()))?;
        let mut m = Manifest {
            entries: Vec::new(),
            signed: is_clear_signed(text),
        };
        for f in parsed.files().filter(|f| f.tag == FileTag::Data) {
            let mut hashes: Vec<(String, String)> = f
                .digests
                .iter()
                .map(|(name, value)| (name.to_owned(), hex(value)))
                .collect();
            // Back into file order (the parser keeps them by name).
            let line_text = f
                .line
                .checked_sub(1)
                .and_then(|i| text.lines().nth(i))
                .unwrap_or_default();
            let fields: Vec<&str> = line_text.split_ascii_whitespace().collect();
            hashes.sort_by_key(|(name, _)| fields.iter().position(|f| f == name));
            m.entries.push(ManifestEntry {
                name: f.path.clone(),
                size: f.size(),
                hashes,
            });
        }
        Ok(m)
    }

    /// The entry for `name`.
    pub fn get(&self, name: &str) -> Option<&ManifestEntry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// Formats the Manifest as Portage 3.0.83 writes it (`SHA512` before `BLAKE2B`).
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for e in &self.entries {
            s.push_str("DATA ");
            s.push_str(&e.name);
            s.push(' ');
            s.push_str(&e.size.to_string());
            for (k, v) in &e.hashes {
                s.push(' ');
                s.push_str(k);
                s.push(' ');
                s.push_str(v);
            }
            s.push('\n');
        }
        s
    }
}

impl ManifestEntry {
    /// An entry for a member with the given digests (`SHA512` and `BLAKE2B`).
    pub fn from_digests(name: &str, d: &Digests) -> ManifestEntry {
        ManifestEntry {
            name: name.to_owned(),
            size: d.size,
            hashes: vec![
                ("SHA512".to_owned(), d.sha512.clone()),
                ("BLAKE2B".to_owned(), d.blake2b.clone()),
            ],
        }
    }

    /// Checks `d` against this entry: the size and every hash this crate knows must
    /// match, and at least one known hash must be present.
    pub fn verify(&self, d: &Digests) -> Result<()> {
        let fail = |what: &str, expected: String, actual: String| Error::Verification {
            member: self.name.clone(),
            what: what.to_owned(),
            expected,
            actual,
        };
        if d.size != self.size {
            return Err(fail("size", self.size.to_string(), d.size.to_string()));
        }
        let mut known = 0;
        for (name, want) in &self.hashes {
            if let Some(got) = d.by_name(name) {
                known += 1;
                if got != want {
                    return Err(fail(name, want.clone(), got.to_owned()));
                }
            }
        }
        if known == 0 {
            return Err(fail(
                "hash",
                "one of BLAKE2B, SHA512, SHA1, MD5".into(),
                "none listed".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hashing::Hasher;

    #[test]
    fn parses_either_hash_order_and_clearsigned() {
        let d = Hasher::new().finish();
        let a = format!("DATA gpkg-1 0 SHA512 {} BLAKE2B {}\n", d.sha512, d.blake2b);
        let b = format!(
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n- DATA gpkg-1 0 BLAKE2B {} SHA512 {}\n-----BEGIN PGP SIGNATURE-----\n\nDATA fake 1 X y\n-----END PGP SIGNATURE-----\n",
            d.blake2b, d.sha512
        );
        for text in [a, b] {
            let m = Manifest::parse(&text).expect("parses");
            assert_eq!(m.entries.len(), 1);
            m.get("gpkg-1")
                .expect("entry")
                .verify(&d)
                .expect("verifies");
        }
        let mut bad = d.clone();
        bad.sha512.replace_range(0..1, "0");
        let m = Manifest::parse(&format!("DATA gpkg-1 0 SHA512 {}\n", d.sha512)).expect("ok");
        assert!(m.entries[0].verify(&bad).is_err());
        assert!(Manifest::parse("DATA x notanumber SHA512 00\n").is_err());
        assert!(Manifest::parse("DATA x 1 SHA512\n").is_err());
    }

    #[test]
    fn parsed_hashes_keep_file_order_and_are_checked_by_the_fetch_parser() {
        let d = Hasher::new().finish();
        for (first, second) in [("SHA512", "BLAKE2B"), ("BLAKE2B", "SHA512")] {
            let text = format!(
                "DATA gpkg-1 0 {first} {} {second} {}\n",
                d.by_name(first).expect("known"),
                d.by_name(second).expect("known")
            );
            let m = Manifest::parse(&text).expect("parses");
            let names: Vec<&str> = m.entries[0]
                .hashes
                .iter()
                .map(|(n, _)| n.as_str())
                .collect();
            assert_eq!(names, [first, second]);
        }
        // A SHA512 value of the wrong length is refused while parsing, naming the line.
        let err = Manifest::parse("DATA a 0 SHA512 00\nDATA b 0 SHA512 00\n").expect_err("short");
        assert!(matches!(err, Error::Manifest { line: 1, .. }), "{err}");
        // The same member twice: refused when the lines disagree, read once when identical.
        let line = format!("DATA a 0 SHA512 {}\n", d.sha512);
        let other = format!("DATA a 0 BLAKE2B {}\n", "0".repeat(128));
        let err = Manifest::parse(&format!("{line}{other}")).expect_err("conflict");
        assert!(matches!(err, Error::Manifest { line: 2, .. }), "{err}");
        let m = Manifest::parse(&format!("{line}{line}")).expect("identical repeat");
        assert_eq!(m.entries.len(), 1);
    }
}
