//! Manifest2 and GLEP 74 Manifests: parsing, checking against a repository's hash policy, and
//! writing.
//!
//! A Manifest is a list of entries, one per line: file entries (`DIST`, `DATA`, `MANIFEST`
//! and the deprecated `EBUILD`, `AUX`, `MISC`) carry a path, a size and hashes; `IGNORE`
//! carries a path; `TIMESTAMP` a UTC time. Parsing is strict in the way gemato is (unknown
//! tags, bad sizes, bad hex, bad paths and conflicting duplicates are errors naming the file,
//! line and byte offset); unknown hash *names* are kept so that writing a parsed Manifest back
//! loses nothing. [`Manifest::load`] also reads compressed sub-Manifests (`.gz`, `.bz2`,
//! `.xz`, `.lzma`) and OpenPGP clear-signed top-level Manifests (the signature itself is not
//! checked here).

use std::collections::HashMap;
use std::fmt::{self, Write as _};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::hash::{DEFAULT_MANIFEST_HASHES, Digests, HashAlgorithm, from_hex, to_hex};

/// The tag of a file entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FileTag {
    /// `AUX`: a file under `files/`; the recorded path is relative to `files/` (deprecated).
    Aux,
    /// `DATA`: a regular file (GLEP 74).
    Data,
    /// `DIST`: a distfile in DISTDIR; the path is a bare file name.
    Dist,
    /// `EBUILD`: an ebuild (deprecated; same as `DATA`).
    Ebuild,
    /// `MANIFEST`: a sub-Manifest, possibly compressed (GLEP 74).
    Manifest,
    /// `MISC`: `metadata.xml`, `ChangeLog` and the like (deprecated; same as `DATA`).
    Misc,
}

impl FileTag {
    /// The tag as written in a Manifest.
    pub fn as_str(self) -> &'static str {
        match self {
            FileTag::Aux => "AUX",
            FileTag::Data => "DATA",
            FileTag::Dist => "DIST",
            FileTag::Ebuild => "EBUILD",
            FileTag::Manifest => "MANIFEST",
            FileTag::Misc => "MISC",
        }
    }

    fn from_tag(s: &str) -> Option<Self> {
        Some(match s {
            "AUX" => FileTag::Aux,
            "DATA" => FileTag::Data,
            "DIST" => FileTag::Dist,
            "EBUILD" => FileTag::Ebuild,
            "MANIFEST" => FileTag::Manifest,
            "MISC" => FileTag::Misc,
            _ => return None,
        })
    }
}

impl fmt::Display for FileTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A file entry: tag, path (unescaped), size and hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// The tag.
    pub tag: FileTag,
    /// The path as recorded (unescaped); for `AUX` relative to `files/`, for `DIST` a file
    /// name.
    pub path: String,
    /// Size (always present in a parsed entry) and hashes.
    pub digests: Digests,
    /// 1-based line number this entry was read from (0 for entries built in code).
    pub line: usize,
}

impl FileEntry {
    /// A new entry (line 0).
    pub fn new(tag: FileTag, path: impl Into<String>, digests: Digests) -> Self {
        FileEntry {
            tag,
            path: path.into(),
            digests,
            line: 0,
        }
    }

    /// An entry for a file on disk, hashing it once with `algorithms` (for a new `DIST`
    /// line: `FileEntry::for_file(FileTag::Dist, name, path, &policy.computable_hashes())`).
    pub fn for_file(
        tag: FileTag,
        name: impl Into<String>,
        file: &Path,
        algorithms: &[HashAlgorithm],
    ) -> std::io::Result<FileEntry> {
        let digests = crate::hash::hash_file(file, algorithms.iter().copied())?;
        Ok(FileEntry::new(tag, name, digests))
    }

    /// The path relative to the Manifest's directory: `files/<path>` for `AUX`, the path
    /// itself otherwise (for `DIST` this is a name in DISTDIR, not a path in the tree).
    pub fn tree_path(&self) -> String {
        match self.tag {
            FileTag::Aux => format!("files/{}", self.path),
            _ => self.path.clone(),
        }
    }

    /// The size recorded (0 for an entry built in code without one).
    pub fn size(&self) -> u64 {
        self.digests.size().unwrap_or(0)
    }
}

/// One Manifest line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A file entry (`DIST`, `DATA`, `MANIFEST`, `EBUILD`, `AUX`, `MISC`).
    File(FileEntry),
    /// `IGNORE path`: the path and everything below it is not covered.
    Ignore {
        /// The ignored path (unescaped).
        path: String,
        /// 1-based line (0 when built in code).
        line: usize,
    },
    /// `TIMESTAMP 2026-08-21T17:31:03Z`.
    Timestamp {
        /// The timestamp as written (`%Y-%m-%dT%H:%M:%SZ`).
        value: String,
        /// 1-based line (0 when built in code).
        line: usize,
    },
}

impl Entry {
    /// The line this entry was read from.
    pub fn line(&self) -> usize {
        match self {
            Entry::File(f) => f.line,
            Entry::Ignore { line, .. } | Entry::Timestamp { line, .. } => *line,
        }
    }

    fn sort_key(&self) -> (&str, &str) {
        match self {
            Entry::File(f) => (f.tag.as_str(), f.path.as_str()),
            Entry::Ignore { path, .. } => ("IGNORE", path.as_str()),
            Entry::Timestamp { value, .. } => ("TIMESTAMP", value.as_str()),
        }
    }
}

impl fmt::Display for Entry {
    /// Writes the line (without newline): single spaces, escaped path, hashes in name order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Entry::File(e) => {
                write!(
                    f,
                    "{} {} {}",
                    e.tag,
                    escape_path(&e.path),
                    e.digests.size().unwrap_or(0)
                )?;
                for (name, value) in e.digests.iter() {
                    write!(f, " {name} {}", to_hex(value))?;
                }
                Ok(())
            }
            Entry::Ignore { path, .. } => write!(f, "IGNORE {}", escape_path(path)),
            Entry::Timestamp { value, .. } => write!(f, "TIMESTAMP {value}"),
        }
    }
}

/// What is wrong with a Manifest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ManifestErrorKind {
    /// A tag that neither Manifest2 nor GLEP 74 defines.
    #[error("unknown tag {0:?}")]
    UnknownTag(String),
    /// Too few fields for the tag.
    #[error("{tag} entry lacks its {field}")]
    MissingField {
        /// The tag.
        tag: String,
        /// The missing field.
        field: &'static str,
    },
    /// Extra fields after an `IGNORE` path or a `TIMESTAMP` value.
    #[error("unexpected extra field {0:?}")]
    ExtraField(String),
    /// The size is not a non-negative decimal integer.
    #[error("invalid size {0:?}")]
    BadSize(String),
    /// Hash names and values do not alternate (a name without a value).
    #[error("hash {0} has no value")]
    HashWithoutValue(String),
    /// A hash name that is not upper-case letters, digits and `_`.
    #[error("invalid hash name {0:?}")]
    BadHashName(String),
    /// The same hash twice on one line.
    #[error("hash {0} given twice")]
    DuplicateHash(String),
    /// A hash value that is not hex.
    #[error("{name} value {value:?} is not hexadecimal")]
    BadHashValue {
        /// Hash name.
        name: String,
        /// The value.
        value: String,
    },
    /// A hash value of the wrong length for a known algorithm.
    #[error("{name} value has {got} hex digits, expected {expected}")]
    HashLength {
        /// Hash name.
        name: String,
        /// Expected hex digits.
        expected: usize,
        /// Actual hex digits.
        got: usize,
    },
    /// A path that is empty, absolute, contains `..`, or (for `DIST`) contains `/`.
    #[error("invalid path {path:?}: {reason}")]
    BadPath {
        /// The path as written.
        path: String,
        /// Why.
        reason: &'static str,
    },
    /// A bad `\` escape in a path.
    #[error("invalid escape in path {0:?}")]
    BadEscape(String),
    /// A `TIMESTAMP` not in `%Y-%m-%dT%H:%M:%SZ` form.
    #[error("invalid timestamp {0:?}")]
    BadTimestamp(String),
    /// Two entries for the same file that disagree.
    #[error("conflicting duplicate entry for {path:?} (first on line {first_line})")]
    ConflictingDuplicate {
        /// The path.
        path: String,
        /// Line of the first entry.
        first_line: usize,
    },
    /// An entry lacks a hash the repository requires (`manifest-required-hashes`).
    #[error("{path:?} lacks required hash {hash}")]
    MissingRequiredHash {
        /// The path.
        path: String,
        /// The missing hash name.
        hash: String,
    },
    /// A thin Manifest holds something other than `DIST` entries.
    #[error("thin Manifest holds a {0} entry")]
    NotThin(String),
    /// A broken OpenPGP clear-signed envelope.
    #[error("bad OpenPGP clear-signed message: {0}")]
    Signature(&'static str),
    /// The text is not UTF-8.
    #[error("not valid UTF-8")]
    NotUtf8,
    /// The file could not be read or decompressed.
    #[error("read error: {0}")]
    Io(String),
}

/// A Manifest error with its position: file (when known), 1-based line and byte offset of
/// the line start (both 0 when not about one line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    /// The Manifest file, when known.
    pub file: Option<PathBuf>,
    /// 1-based line (0: not about one line).
    pub line: usize,
    /// Byte offset of the start of that line in the (decompressed) text.
    pub offset: usize,
    /// What is wrong.
    pub kind: ManifestErrorKind,
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self
            .file
            .as_ref()
            .map_or_else(|| "Manifest".to_owned(), |p| p.display().to_string());
        if self.line > 0 {
            write!(f, "{file}:{}: {}", self.line, self.kind)
        } else {
            write!(f, "{file}: {}", self.kind)
        }
    }
}

impl std::error::Error for ManifestError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.kind)
    }
}

/// A parsed Manifest: its entries in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    entries: Vec<Entry>,
    file: Option<PathBuf>,
}

impl Manifest {
    /// An empty Manifest.
    pub fn new() -> Self {
        Manifest::default()
    }

    /// Parses Manifest text (not compressed; an OpenPGP clear-signed envelope is accepted).
    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        parse(text, None)
    }

    /// Parses Manifest text, naming `file` in errors.
    pub fn parse_named(text: &str, file: &Path) -> Result<Manifest, ManifestError> {
        parse(text, Some(file))
    }

    /// Reads and parses a Manifest file, decompressing `.gz`, `.bz2`, `.xz` and `.lzma` by
    /// file name suffix.
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        let io = |e: std::io::Error| ManifestError {
            file: Some(path.to_owned()),
            line: 0,
            offset: 0,
            kind: ManifestErrorKind::Io(e.to_string()),
        };
        let raw = std::fs::read(path).map_err(io)?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = if name.ends_with(".gz") {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .map_err(io)?;
            out
        } else if name.ends_with(".bz2") {
            let mut out = Vec::new();
            bzip2::read::MultiBzDecoder::new(&raw[..])
                .read_to_end(&mut out)
                .map_err(io)?;
            out
        } else if name.ends_with(".xz") {
            let mut out = Vec::new();
            xz2::read::XzDecoder::new_multi_decoder(&raw[..])
                .read_to_end(&mut out)
                .map_err(io)?;
            out
        } else if name.ends_with(".lzma") {
            let mut out = Vec::new();
            let stream = xz2::stream::Stream::new_lzma_decoder(u64::MAX)
                .map_err(|e| io(std::io::Error::other(e)))?;
            xz2::read::XzDecoder::new_stream(&raw[..], stream)
                .read_to_end(&mut out)
                .map_err(io)?;
            out
        } else {
            raw
        };
        let text = String::from_utf8(bytes).map_err(|_| ManifestError {
            file: Some(path.to_owned()),
            line: 0,
            offset: 0,
            kind: ManifestErrorKind::NotUtf8,
        })?;
        parse(&text, Some(path))
    }

    /// The file this Manifest was loaded from, if any.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// All entries in order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// File entries in order.
    pub fn files(&self) -> impl Iterator<Item = &FileEntry> {
        self.entries.iter().filter_map(|e| match e {
            Entry::File(f) => Some(f),
            _ => None,
        })
    }

    /// `DIST` entries in order.
    pub fn dists(&self) -> impl Iterator<Item = &FileEntry> {
        self.files().filter(|f| f.tag == FileTag::Dist)
    }

    /// The `DIST` entry for a distfile name.
    pub fn dist(&self, name: &str) -> Option<&FileEntry> {
        self.dists().find(|f| f.path == name)
    }

    /// The non-`DIST` file entry covering `path` (relative to the Manifest's directory;
    /// `AUX` entries are matched as `files/<path>`).
    pub fn file_entry(&self, path: &str) -> Option<&FileEntry> {
        self.files()
            .find(|f| f.tag != FileTag::Dist && f.tree_path() == path)
    }

    /// The `TIMESTAMP` value, if any.
    pub fn timestamp(&self) -> Option<&str> {
        self.entries.iter().find_map(|e| match e {
            Entry::Timestamp { value, .. } => Some(value.as_str()),
            _ => None,
        })
    }

    /// Appends an entry. A file entry for a path already present replaces it (keeping its
    /// position) instead of duplicating it.
    pub fn push(&mut self, entry: Entry) {
        if let Entry::File(new) = &entry {
            let class = is_dist(new.tag);
            let key = new.tree_path();
            if let Some(slot) = self.entries.iter_mut().find(|e| match e {
                Entry::File(old) => is_dist(old.tag) == class && old.tree_path() == key,
                _ => false,
            }) {
                *slot = entry;
                return;
            }
        }
        self.entries.push(entry);
    }

    /// Removes the `DIST` entry for `name`; returns it.
    pub fn remove_dist(&mut self, name: &str) -> Option<FileEntry> {
        let pos = self.entries.iter().position(
            |e| matches!(e, Entry::File(f) if f.tag == FileTag::Dist && f.path == name),
        )?;
        match self.entries.remove(pos) {
            Entry::File(f) => Some(f),
            _ => None,
        }
    }

    /// Sorts entries the way Portage writes package Manifests: by tag, then path.
    pub fn sort(&mut self) {
        self.entries.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }

    /// Checks the Manifest against a repository policy: every file entry carries the
    /// required hashes, and a thin Manifest holds only `DIST` entries.
    pub fn check(&self, policy: &ManifestPolicy) -> Result<(), ManifestError> {
        for e in &self.entries {
            let err = |kind| ManifestError {
                file: self.file.clone(),
                line: e.line(),
                offset: 0,
                kind,
            };
            match e {
                Entry::File(f) => {
                    if policy.thin && f.tag != FileTag::Dist {
                        return Err(err(ManifestErrorKind::NotThin(f.tag.to_string())));
                    }
                    for h in &policy.required_hashes {
                        if f.digests.get_named(h).is_none() {
                            return Err(err(ManifestErrorKind::MissingRequiredHash {
                                path: f.path.clone(),
                                hash: h.clone(),
                            }));
                        }
                    }
                }
                Entry::Ignore { .. } | Entry::Timestamp { .. } if policy.thin => {
                    let tag = if matches!(e, Entry::Ignore { .. }) {
                        "IGNORE"
                    } else {
                        "TIMESTAMP"
                    };
                    return Err(err(ManifestErrorKind::NotThin(tag.into())));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

impl fmt::Display for Manifest {
    /// The Manifest text: one entry per line, each ending in `\n`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.entries {
            writeln!(f, "{e}")?;
        }
        Ok(())
    }
}

fn is_dist(t: FileTag) -> bool {
    t == FileTag::Dist
}

/// How a repository uses Manifests (`use-manifests` in layout.conf).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UseManifests {
    /// A Manifest is required (the default).
    #[default]
    Strict,
    /// Checked when present.
    True,
    /// Ignored.
    False,
}

/// A repository's Manifest policy, from `metadata/layout.conf`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestPolicy {
    /// `manifest-hashes`: hashes written to new entries (default `BLAKE2B SHA512`).
    pub hashes: Vec<String>,
    /// `manifest-required-hashes`: hashes every entry must carry (default: `hashes`).
    pub required_hashes: Vec<String>,
    /// `thin-manifests = true`: package Manifests hold only `DIST` entries.
    pub thin: bool,
    /// `use-manifests`.
    pub use_manifests: UseManifests,
}

impl Default for ManifestPolicy {
    fn default() -> Self {
        let hashes: Vec<String> = DEFAULT_MANIFEST_HASHES
            .iter()
            .map(|h| h.name().to_owned())
            .collect();
        ManifestPolicy {
            required_hashes: hashes.clone(),
            hashes,
            thin: false,
            use_manifests: UseManifests::Strict,
        }
    }
}

impl ManifestPolicy {
    /// Reads the Manifest keys of a `metadata/layout.conf` text (`key = value` lines, `#`
    /// comments; other keys are ignored). Absent keys take Portage's defaults.
    pub fn from_layout_conf(text: &str) -> ManifestPolicy {
        let mut p = ManifestPolicy::default();
        let mut required: Option<Vec<String>> = None;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            let v = v.trim();
            let words = || v.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
            match k.trim() {
                "manifest-hashes" => p.hashes = words(),
                "manifest-required-hashes" => required = Some(words()),
                "thin-manifests" => p.thin = v.eq_ignore_ascii_case("true"),
                "use-manifests" => {
                    p.use_manifests = match v.to_ascii_lowercase().as_str() {
                        "true" => UseManifests::True,
                        "false" => UseManifests::False,
                        _ => UseManifests::Strict,
                    }
                }
                _ => {}
            }
        }
        p.required_hashes = required.unwrap_or_else(|| p.hashes.clone());
        p
    }

    /// The `manifest-hashes` this crate can compute (for writing new entries).
    pub fn computable_hashes(&self) -> Vec<HashAlgorithm> {
        self.hashes
            .iter()
            .filter_map(|h| HashAlgorithm::from_name(h))
            .collect()
    }

    /// The required hashes this crate can compute (for verifying).
    pub fn required_algorithms(&self) -> Vec<HashAlgorithm> {
        self.required_hashes
            .iter()
            .filter_map(|h| HashAlgorithm::from_name(h))
            .collect()
    }
}

/// Escapes a path for a Manifest line: whitespace, control characters (U+0000–001F,
/// U+007F–009F) and `\` become `\xHH`, `\uHHHH` or `\UHHHHHHHH` (upper-case hex).
pub fn escape_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        if c == '\\' || c.is_whitespace() || c.is_control() {
            let v = u32::from(c);
            // Writing to a String cannot fail.
            let _ = if v <= 0xff {
                write!(out, "\\x{v:02X}")
            } else if v <= 0xffff {
                write!(out, "\\u{v:04X}")
            } else {
                write!(out, "\\U{v:08X}")
            };
        } else {
            out.push(c);
        }
    }
    out
}

/// Reverses [`escape_path`]; `None` on a lone `\`, an unknown escape, short or non-hex
/// digits, or a code point that is not a character.
pub fn unescape_path(s: &str) -> Option<String> {
    if !s.contains('\\') {
        return Some(s.to_owned());
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let n = match chars.next()? {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => return None,
        };
        let mut v: u32 = 0;
        for _ in 0..n {
            v = v * 16 + chars.next()?.to_digit(16)?;
        }
        out.push(char::from_u32(v)?);
    }
    Some(out)
}

fn valid_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let pattern = b"dddd-dd-ddTdd:dd:ddZ";
    b.len() == pattern.len()
        && b.iter().zip(pattern).all(|(c, p)| match p {
            b'd' => c.is_ascii_digit(),
            _ => c == p,
        })
}

fn check_path(path: &str, tag: &str) -> Result<(), ManifestErrorKind> {
    let bad = |reason| {
        Err(ManifestErrorKind::BadPath {
            path: path.to_owned(),
            reason,
        })
    };
    if path.is_empty() {
        return bad("empty");
    }
    if path.starts_with('/') {
        return bad("absolute");
    }
    if tag == "DIST" && path.contains('/') {
        return bad("a distfile name must not contain '/'");
    }
    if path.split('/').any(|c| c == "..") {
        return bad("contains '..'");
    }
    Ok(())
}

/// A line of Manifest text: 1-based number, byte offset of its start, content.
type BodyLine<'a> = (usize, usize, std::borrow::Cow<'a, str>);

/// The first line of an OpenPGP clear-signed message.
const SIGNED_HEADER: &str = "-----BEGIN PGP SIGNED MESSAGE-----";

/// Whether Manifest `text` is an OpenPGP clear-signed message (its first non-blank line is
/// `-----BEGIN PGP SIGNED MESSAGE-----`), by the rule [`Manifest::parse`] uses to undo
/// the envelope.
///
/// ```
/// use strata_fetch::manifest::is_clear_signed;
/// assert!(is_clear_signed("\n-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n"));
/// assert!(!is_clear_signed("DIST a 1 BLAKE2B 00\n"));
/// ```
pub fn is_clear_signed(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.strip_suffix('\r').unwrap_or(l) == SIGNED_HEADER)
}

/// Splits an OpenPGP clear-signed message into its signed body lines (dash-unescaped), with
/// their original line numbers and byte offsets; plain text passes through.
fn body_lines(text: &str) -> Result<Vec<BodyLine<'_>>, (usize, usize, &'static str)> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let line = line.strip_suffix('\r').unwrap_or(line);
        lines.push((i + 1, offset, line));
        offset += raw.len();
    }
    let first = lines.iter().position(|l| !l.2.trim().is_empty());
    let signed = first.is_some_and(|i| lines[i].2 == SIGNED_HEADER);
    if !signed {
        return Ok(lines
            .into_iter()
            .map(|(n, o, l)| (n, o, std::borrow::Cow::Borrowed(l)))
            .collect());
    }
    let start = first.unwrap_or(0);
    let mut it = lines.into_iter().skip(start + 1);
    // Armor headers up to the first blank line.
    loop {
        match it.next() {
            Some((_, _, l)) if l.trim().is_empty() => break,
            Some(_) => {}
            None => return Err((0, 0, "no blank line after the armor headers")),
        }
    }
    let mut out = Vec::new();
    let mut in_sig = false;
    let mut ended = false;
    for (n, o, l) in it {
        if ended {
            if !l.trim().is_empty() {
                return Err((n, o, "data after the signature"));
            }
        } else if in_sig {
            if l == "-----END PGP SIGNATURE-----" {
                ended = true;
            }
        } else if l == "-----BEGIN PGP SIGNATURE-----" {
            in_sig = true;
        } else if let Some(rest) = l.strip_prefix("- ") {
            out.push((n, o, std::borrow::Cow::Owned(rest.to_owned())));
        } else if l.starts_with('-') {
            return Err((n, o, "unescaped dash line in signed text"));
        } else {
            out.push((n, o, std::borrow::Cow::Borrowed(l)));
        }
    }
    if !ended {
        return Err((0, 0, "missing signature block"));
    }
    Ok(out)
}

fn parse(text: &str, file: Option<&Path>) -> Result<Manifest, ManifestError> {
    let lines = body_lines(text).map_err(|(line, offset, why)| ManifestError {
        file: file.map(Path::to_owned),
        line,
        offset,
        kind: ManifestErrorKind::Signature(why),
    })?;
    let mut entries = Vec::new();
    // (is DIST, tree path) -> index into entries
    let mut seen: HashMap<(bool, String), usize> = HashMap::new();
    for (line, offset, content) in lines {
        let err = |kind| ManifestError {
            file: file.map(Path::to_owned),
            line,
            offset,
            kind,
        };
        let mut fields = content.split_ascii_whitespace();
        let Some(tag) = fields.next() else {
            continue;
        };
        let entry = match tag {
            "TIMESTAMP" => {
                let value = fields.next().ok_or_else(|| {
                    err(ManifestErrorKind::MissingField {
                        tag: tag.into(),
                        field: "time",
                    })
                })?;
                if let Some(extra) = fields.next() {
                    return Err(err(ManifestErrorKind::ExtraField(extra.into())));
                }
                if !valid_timestamp(value) {
                    return Err(err(ManifestErrorKind::BadTimestamp(value.into())));
                }
                Entry::Timestamp {
                    value: value.into(),
                    line,
                }
            }
            "IGNORE" => {
                let raw = fields.next().ok_or_else(|| {
                    err(ManifestErrorKind::MissingField {
                        tag: tag.into(),
                        field: "path",
                    })
                })?;
                if let Some(extra) = fields.next() {
                    return Err(err(ManifestErrorKind::ExtraField(extra.into())));
                }
                let path = unescape_path(raw)
                    .ok_or_else(|| err(ManifestErrorKind::BadEscape(raw.into())))?;
                check_path(&path, tag).map_err(err)?;
                Entry::Ignore { path, line }
            }
            _ => {
                let Some(ftag) = FileTag::from_tag(tag) else {
                    return Err(err(ManifestErrorKind::UnknownTag(tag.into())));
                };
                let raw = fields.next().ok_or_else(|| {
                    err(ManifestErrorKind::MissingField {
                        tag: tag.into(),
                        field: "path",
                    })
                })?;
                let path = unescape_path(raw)
                    .ok_or_else(|| err(ManifestErrorKind::BadEscape(raw.into())))?;
                check_path(&path, tag).map_err(err)?;
                let size_s = fields.next().ok_or_else(|| {
                    err(ManifestErrorKind::MissingField {
                        tag: tag.into(),
                        field: "size",
                    })
                })?;
                if size_s.is_empty() || !size_s.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(err(ManifestErrorKind::BadSize(size_s.into())));
                }
                let size: u64 = size_s
                    .parse()
                    .map_err(|_| err(ManifestErrorKind::BadSize(size_s.into())))?;
                let mut digests = Digests::new(Some(size));
                while let Some(name) = fields.next() {
                    if name.is_empty()
                        || !name
                            .bytes()
                            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
                    {
                        return Err(err(ManifestErrorKind::BadHashName(name.into())));
                    }
                    let value = fields
                        .next()
                        .ok_or_else(|| err(ManifestErrorKind::HashWithoutValue(name.into())))?;
                    let bytes = from_hex(value).ok_or_else(|| {
                        err(ManifestErrorKind::BadHashValue {
                            name: name.into(),
                            value: value.into(),
                        })
                    })?;
                    if let Some(alg) = HashAlgorithm::from_name(name)
                        && bytes.len() != alg.digest_len()
                    {
                        return Err(err(ManifestErrorKind::HashLength {
                            name: name.into(),
                            expected: alg.digest_len() * 2,
                            got: value.len(),
                        }));
                    }
                    if digests.get_named(name).is_some() {
                        return Err(err(ManifestErrorKind::DuplicateHash(name.into())));
                    }
                    digests.insert_named(name, bytes);
                }
                Entry::File(FileEntry {
                    tag: ftag,
                    path,
                    digests,
                    line,
                })
            }
        };
        if let Entry::File(f) = &entry {
            let key = (is_dist(f.tag), f.tree_path());
            if let Some(&idx) = seen.get(&key) {
                if let Entry::File(first) = &entries[idx] {
                    let first: &FileEntry = first;
                    if first.digests != f.digests {
                        return Err(err(ManifestErrorKind::ConflictingDuplicate {
                            path: f.path.clone(),
                            first_line: first.line,
                        }));
                    }
                }
                // An identical duplicate adds nothing.
                continue;
            }
            seen.insert(key, entries.len());
        }
        entries.push(entry);
    }
    Ok(Manifest {
        entries,
        file: file.map(Path::to_owned),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const B2: &str = "cc9a3b2b473f4a61f8b071a235bfc1fa7b48194c15e90b8c8fb6250f8a3b5559eeb73f312fdadf2c1cb2f64bfcd77b5201cce6329832e539742d7b059ade00c9";
    const S512: &str = "90c30a6769723985b350f7e68dbfcfb3d447b555c24196384ce1bc40fdee294c88399ebd04fc08d6426a2cc1313148bb247ea7bd9d8d1eff7a8d178e57653caf";

    #[test]
    fn real_dist_line_round_trips() {
        let line = format!("DIST tridactyl-native-0.5.0.tar.gz 91457 BLAKE2B {B2} SHA512 {S512}\n");
        let m = Manifest::parse(&line).unwrap();
        let d = m.dist("tridactyl-native-0.5.0.tar.gz").unwrap();
        assert_eq!(d.size(), 91457);
        assert_eq!(d.digests.hex("SHA512").unwrap(), S512);
        assert_eq!(m.to_string(), line);
    }

    #[test]
    fn hashes_written_sorted() {
        let line = format!("DIST a 1 SHA512 {S512} BLAKE2B {B2}\n");
        let m = Manifest::parse(&line).unwrap();
        assert_eq!(
            m.to_string(),
            format!("DIST a 1 BLAKE2B {B2} SHA512 {S512}\n")
        );
    }

    #[test]
    fn errors_carry_line() {
        let text = format!("DIST a 1 BLAKE2B {B2}\nFOO b 1\n");
        let e = Manifest::parse(&text).unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(e.offset, text.find("FOO").unwrap());
        assert_eq!(e.kind, ManifestErrorKind::UnknownTag("FOO".into()));
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "DIST",
            "DIST a",
            "DIST a -1 MD5 00",
            "DIST a 1x",
            "DIST a 1 MD5",
            "DIST a/b 1",
            "DATA /abs 1",
            "DATA x/../y 1",
            "DATA x\\q 1",
            "DATA x\\ 1",
            "DIST a 1 md5 00",
            "DIST a 1 SHA256 zz",
            "DIST a 1 SHA256 00",
            "TIMESTAMP 2026-08-21 17:31:03",
            "TIMESTAMP",
            "IGNORE",
        ] {
            assert!(Manifest::parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn glep74_entries() {
        let text = "TIMESTAMP 2026-08-21T17:31:03Z\nIGNORE distfiles\nMANIFEST app-misc/Manifest.gz 10 SHA512 00\nDATA a\\x20b 0 WHIRLPOOL ab\nAUX foo.patch 3 RMD160 01\n";
        // SHA512 value above is short: a length error.
        assert!(matches!(
            Manifest::parse(text).unwrap_err().kind,
            ManifestErrorKind::HashLength { .. }
        ));
        let text = text.replace("SHA512 00", &format!("SHA512 {S512}"));
        let m = Manifest::parse(&text).unwrap();
        assert_eq!(m.timestamp(), Some("2026-08-21T17:31:03Z"));
        assert_eq!(
            m.file_entry("a b")
                .unwrap()
                .digests
                .hex("WHIRLPOOL")
                .unwrap(),
            "ab"
        );
        assert_eq!(m.file_entry("files/foo.patch").unwrap().tag, FileTag::Aux);
        assert_eq!(m.to_string(), text);
        assert!(
            m.check(&ManifestPolicy {
                thin: true,
                ..Default::default()
            })
            .is_err()
        );
    }

    #[test]
    fn escapes() {
        assert_eq!(
            escape_path("a b\\c\td\u{85}\u{3000}"),
            "a\\x20b\\x5Cc\\x09d\\x85\\u3000"
        );
        assert_eq!(
            unescape_path("a\\x20b\\x5Cc\\U0001F600").unwrap(),
            "a b\\c\u{1F600}"
        );
        assert!(unescape_path("\\u12").is_none());
    }

    #[test]
    fn duplicates() {
        let one = format!("DIST a 1 BLAKE2B {B2}\n");
        let twice = format!("{one}{one}");
        assert_eq!(Manifest::parse(&twice).unwrap().dists().count(), 1);
        let conflict = format!("{one}DIST a 2 BLAKE2B {B2}\n");
        assert!(matches!(
            Manifest::parse(&conflict).unwrap_err().kind,
            ManifestErrorKind::ConflictingDuplicate { first_line: 1, .. }
        ));
    }

    #[test]
    fn entry_for_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x");
        std::fs::write(&p, b"abc").unwrap();
        let e =
            FileEntry::for_file(FileTag::Dist, "x-1.tar.gz", &p, &DEFAULT_MANIFEST_HASHES).unwrap();
        let line = Entry::File(e).to_string();
        assert!(
            line.starts_with("DIST x-1.tar.gz 3 BLAKE2B ba80a53f981c4d0d"),
            "{line}"
        );
        assert!(line.contains(" SHA512 ddaf35a193617aba"), "{line}");
    }

    #[test]
    fn policy_from_layout_conf() {
        let p = ManifestPolicy::from_layout_conf(
            "masters = gentoo\nmanifest-hashes = BLAKE2B SHA512\nmanifest-required-hashes = BLAKE2B\nthin-manifests = true\n",
        );
        assert_eq!(p.hashes, ["BLAKE2B", "SHA512"]);
        assert_eq!(p.required_hashes, ["BLAKE2B"]);
        assert!(p.thin);
        let d = ManifestPolicy::from_layout_conf("manifest-hashes = SHA256\n");
        assert_eq!(d.required_hashes, ["SHA256"]);
        let m = Manifest::parse(&format!("DIST a 1 SHA512 {S512}\n")).unwrap();
        assert!(matches!(
            m.check(&p).unwrap_err().kind,
            ManifestErrorKind::MissingRequiredHash { .. }
        ));
    }

    #[test]
    fn clear_signed() {
        let text = format!(
            "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\nDIST a 1 BLAKE2B {B2}\n- -x\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n"
        );
        // "-x" is not a tag: the dash-unescaped body is parsed, with its real line number.
        let e = Manifest::parse(&text).unwrap_err();
        assert_eq!(e.line, 5);
        let ok = text.replace("- -x\n", "");
        assert_eq!(Manifest::parse(&ok).unwrap().dists().count(), 1);
        let trailing = format!("{ok}junk\n");
        assert!(Manifest::parse(&trailing).is_err());
    }
}
