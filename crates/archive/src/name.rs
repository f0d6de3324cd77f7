//! Final names (the distfile name an archive is published under) and the compression
//! they select.

use std::fmt;

use crate::error::{ArchiveError, Result};

/// The compression of a stored archive, chosen by the final name's extension.
///
/// Presets are fixed so the same tar stream always compresses to the same bytes:
/// gzip level 9 with an empty header (no file name, mtime 0, OS "unknown"), bzip2 level 9,
/// xz preset 6 (single-threaded, CRC64) and zstd level 19 (single-threaded, with checksum).
/// The bytes are reproducible for a given build of the compressor libraries (flate2's
/// miniz_oxide, libbz2, liblzma, libzstd); upgrading one of them may change the output,
/// which is why the store keeps a blob's hashes with each archive instead of
/// recomputing them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Compression {
    /// `.tar.gz`
    Gzip,
    /// `.tar.bz2`
    Bzip2,
    /// `.tar.xz`
    Xz,
    /// `.tar.zst`
    Zstd,
}

impl Compression {
    /// The extensions this crate knows, with the compression each selects.
    pub const EXTENSIONS: [(&'static str, Compression); 4] = [
        (".tar.xz", Compression::Xz),
        (".tar.zst", Compression::Zstd),
        (".tar.gz", Compression::Gzip),
        (".tar.bz2", Compression::Bzip2),
    ];

    /// Picks the compression for `name` from its extension, or `None` if it has none of
    /// [`Compression::EXTENSIONS`].
    pub fn from_name(name: &str) -> Option<Compression> {
        Self::EXTENSIONS
            .iter()
            .find(|(ext, _)| name.len() > ext.len() && name.ends_with(ext))
            .map(|(_, c)| *c)
    }

    /// The extension (with the leading dot) that selects this compression.
    pub fn extension(self) -> &'static str {
        match self {
            Compression::Gzip => ".tar.gz",
            Compression::Bzip2 => ".tar.bz2",
            Compression::Xz => ".tar.xz",
            Compression::Zstd => ".tar.zst",
        }
    }
}

/// A validated final name: the file name a stored archive is published under.
///
/// Rules: not empty, no `/`, no NUL, no `..` anywhere, not `.`, no whitespace or control
/// characters (Manifest DIST lines are space-separated), at most 255 bytes, and ending in
/// one of the extensions of [`Compression::EXTENSIONS`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FinalName {
    name: String,
    compression: Compression,
}

impl FinalName {
    /// Validates `name`.
    ///
    /// ```
    /// use strata_archive::{Compression, FinalName};
    /// let n = FinalName::new("foo-1.0-vendor.tar.xz").expect("valid");
    /// assert_eq!(n.compression(), Compression::Xz);
    /// assert!(FinalName::new("../etc/passwd.tar.xz").is_err());
    /// assert!(FinalName::new("foo.zip").is_err());
    /// ```
    pub fn new(name: &str) -> Result<FinalName> {
        check_file_name(name)?;
        let compression =
            Compression::from_name(name).ok_or_else(|| ArchiveError::UnknownExtension {
                name: name.to_owned(),
            })?;
        Ok(FinalName {
            name: name.to_owned(),
            compression,
        })
    }

    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The compression its extension selects.
    pub fn compression(&self) -> Compression {
        self.compression
    }
}

impl fmt::Display for FinalName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl AsRef<str> for FinalName {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

/// Checks the file-name rules of [`FinalName`] without the extension rule (used for names
/// of imported files and export targets too).
pub(crate) fn check_file_name(name: &str) -> Result<()> {
    let bad = |reason| {
        Err(ArchiveError::InvalidFinalName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.contains('\0') {
        return bad("contains NUL");
    }
    if name.contains('/') {
        return bad("contains '/'");
    }
    if name.contains("..") {
        return bad("contains '..'");
    }
    if name == "." {
        return bad("is '.'");
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("contains whitespace or a control character");
    }
    if name.len() > 255 {
        return bad("longer than 255 bytes");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_select_compression() {
        let cases = [
            ("a-1.tar.xz", Compression::Xz),
            ("a-1.tar.zst", Compression::Zstd),
            ("a-1.tar.gz", Compression::Gzip),
            ("a-1.tar.bz2", Compression::Bzip2),
        ];
        for (name, want) in cases {
            let n = FinalName::new(name).expect("valid name");
            assert_eq!(n.compression(), want, "{name}");
            assert!(name.ends_with(want.extension()));
        }
    }

    #[test]
    fn bad_names_are_rejected_with_reason() {
        for name in [
            "",
            "a/b.tar.xz",
            "..",
            "../x.tar.gz",
            "x..y.tar.gz",
            "a\0b.tar.gz",
            "a b.tar.gz",
            "a\tb.tar.gz",
            ".",
        ] {
            match FinalName::new(name) {
                Err(ArchiveError::InvalidFinalName { name: n, .. }) => assert_eq!(n, name),
                other => panic!("{name:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn unknown_extension_is_its_own_error() {
        for name in [
            "a.zip",
            "a.tar",
            "a.tar.zstd",
            "a.tgz",
            ".tar.gz",
            "a.tar.lz4",
        ] {
            assert!(
                matches!(
                    FinalName::new(name),
                    Err(ArchiveError::UnknownExtension { .. })
                ),
                "{name}"
            );
        }
    }
}
