//! The `KEY=value` line format shared by md5-dict and flat_hash entries: reading (with
//! file/line errors) and writing.

use std::path::Path;

use crate::entry::{
    CacheEntry, ECLASSES_KEY, EclassChecksum, EclassStamp, Key, is_md5_hex, make_key,
};
use crate::error::CacheError;

/// How `_eclasses_` is laid out in a given format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EclassLayout {
    /// `name<TAB>md5` pairs (md5-dict).
    Md5Pairs,
    /// `name<TAB>dir<TAB>checksum` triples, or md5 pairs (flat_hash: pkgcore and Portage).
    Flexible,
}

/// Parses one cache file's bytes. Lines are split at the first `=`; keys must be
/// non-empty and made of ASCII letters, digits and `_`; duplicate keys are errors.
pub(crate) fn parse(
    bytes: Vec<u8>,
    path: &Path,
    layout: EclassLayout,
) -> Result<CacheEntry, CacheError> {
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
            return Err(CacheError::NotUtf8 {
                path: path.to_owned(),
                line,
                byte_offset: at,
            });
        }
    };
    let body = text.strip_suffix('\n').unwrap_or(&text);
    let mut fields: Vec<(Key, usize, usize)> = Vec::with_capacity(20);
    let mut width = 0;
    if !body.is_empty() {
        let mut start = 0;
        for (i, line) in body.split('\n').enumerate() {
            let line_start = start;
            start += line.len() + 1;
            let lineno = i + 1;
            let malformed = |reason| CacheError::MalformedLine {
                path: path.to_owned(),
                line: lineno,
                text: line.to_owned(),
                reason,
            };
            let Some((key, value)) = line.split_once('=') else {
                return Err(malformed(if line.is_empty() {
                    "empty line"
                } else {
                    "no '=' in line"
                }));
            };
            if key.is_empty() {
                return Err(malformed("empty key"));
            }
            if !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err(malformed(
                    "key has characters other than A-Z, a-z, 0-9 and _",
                ));
            }
            if let Some(first) = fields.iter().position(|(k, _, _)| k == key) {
                return Err(CacheError::DuplicateKey {
                    path: path.to_owned(),
                    line: lineno,
                    first_line: first + 1,
                    key: key.to_owned(),
                });
            }
            if key == ECLASSES_KEY {
                width = check_eclasses(value, layout).map_err(|(field, reason)| {
                    CacheError::BadEclasses {
                        path: path.to_owned(),
                        line: lineno,
                        field,
                        reason,
                    }
                })?;
            }
            let value_start = line_start + key.len() + 1;
            fields.push((make_key(key), value_start, value_start + value.len()));
        }
    }
    Ok(CacheEntry::from_parts(text, fields, width))
}

/// Checks an `_eclasses_` value without decoding it. Returns how many tab-separated
/// fields describe one eclass: 0 for an empty value, 2 for `name md5` pairs, 3 for
/// `name dir checksum` triples. Errors carry the field index.
pub(crate) fn check_eclasses(value: &str, layout: EclassLayout) -> Result<u8, (usize, String)> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Ok(0);
    }
    let n = trimmed.split('\t').count();
    // A triple's middle field is a directory: neither an md5 nor a number.
    let triples = layout == EclassLayout::Flexible
        && n.is_multiple_of(3)
        && trimmed
            .split('\t')
            .skip(1)
            .step_by(3)
            .all(|d| !is_md5_hex(d) && crate::entry::parse_mtime(d).is_none());
    let width: usize = if triples { 3 } else { 2 };
    if !n.is_multiple_of(width) {
        return Err((
            n,
            format!("{n} tab-separated fields, not a multiple of {width}"),
        ));
    }
    let mut name = "";
    for (i, part) in trimmed.split('\t').enumerate() {
        if i % width == 0 {
            name = part;
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err((i, format!("bad eclass name {name:?}")));
            }
        } else if i % width == width - 1 {
            let ok = is_md5_hex(part)
                || (layout == EclassLayout::Flexible && crate::entry::parse_mtime(part).is_some());
            if !ok {
                let want = if layout == EclassLayout::Flexible {
                    "an md5 or an mtime"
                } else {
                    "32 hex digits"
                };
                return Err((i, format!("eclass {name}: {part:?} is not {want}")));
            }
        }
    }
    Ok(width as u8)
}

/// Decodes an `_eclasses_` value already accepted by [`check_eclasses`] with `width`.
pub(crate) fn decode_eclasses(value: &str, width: u8) -> Vec<EclassStamp> {
    let width = usize::from(width);
    if width < 2 {
        return Vec::new();
    }
    let parts: Vec<&str> = value.trim().split('\t').collect();
    parts
        .chunks_exact(width)
        .map(|c| {
            let sum = c[width - 1];
            EclassStamp {
                name: c[0].to_owned(),
                dir: (width == 3).then(|| c[1].to_owned()),
                checksum: if is_md5_hex(sum) {
                    EclassChecksum::Md5(sum.to_owned())
                } else {
                    EclassChecksum::Mtime(crate::entry::parse_mtime(sum).unwrap_or_default())
                },
            }
        })
        .collect()
}

/// Writes `fields` as `KEY=value` lines. Values with a newline cannot be stored.
pub(crate) fn write_lines<'a>(
    key: &str,
    fields: impl Iterator<Item = (&'a str, &'a str)>,
) -> Result<String, CacheError> {
    let mut out = String::with_capacity(1024);
    for (k, v) in fields {
        if v.contains('\n') || k.contains('\n') || k.contains('=') || k.is_empty() {
            return Err(CacheError::Unwritable {
                key: key.to_owned(),
                reason: "a key or value contains a newline (or the key is empty or has '=')",
            });
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
        out.push('\n');
    }
    Ok(out)
}

/// Writes `contents` to `path` through a temporary file in the same directory and a
/// rename, so readers never see a partial file. `tmp_name` names the temporary file.
/// With `sync`, the data is flushed to disk before the rename.
pub(crate) fn write_atomically(
    path: &Path,
    tmp_name: &str,
    contents: &[u8],
    sync: bool,
) -> Result<(), CacheError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| CacheError::io(dir, e))?;
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        if sync {
            f.sync_all()?;
        }
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(CacheError::io(path, e));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse_md5(text: &str) -> Result<CacheEntry, CacheError> {
        parse(
            text.as_bytes().to_vec(),
            Path::new("cat/pkg-1"),
            EclassLayout::Md5Pairs,
        )
    }

    #[test]
    fn values_split_at_the_first_equals_and_keep_everything() {
        let e = parse_md5("SRC_URI=a -> b=c\nX_UNKNOWN=\u{feff}kept\nEMPTY=\n").unwrap();
        assert_eq!(e.get("SRC_URI"), Some("a -> b=c"));
        assert_eq!(e.get("X_UNKNOWN"), Some("\u{feff}kept"));
        assert_eq!(e.get("EMPTY"), Some(""));
        assert_eq!(e.eapi(), "0");
        // No final newline is tolerated.
        assert_eq!(parse_md5("EAPI=8").unwrap().eapi(), "8");
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let err = parse_md5("EAPI=8\nSLOT=0\nEAPI=7\n").unwrap_err();
        assert!(
            matches!(
                err,
                CacheError::DuplicateKey {
                    line: 3,
                    first_line: 1,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().starts_with("cat/pkg-1: line 3"), "{err}");
        let err = parse_md5("EAPI=8\nno equals here\n").unwrap_err();
        assert!(
            matches!(err, CacheError::MalformedLine { line: 2, .. }),
            "{err}"
        );
        let err = parse_md5("EAPI=8\n\nSLOT=0\n").unwrap_err();
        assert!(matches!(
            err,
            CacheError::MalformedLine {
                line: 2,
                reason: "empty line",
                ..
            }
        ));
        let err = parse_md5("=x\n").unwrap_err();
        assert!(matches!(err, CacheError::MalformedLine { line: 1, .. }));
        let err = parse_md5("BAD KEY=x\n").unwrap_err();
        assert!(matches!(err, CacheError::MalformedLine { line: 1, .. }));
        let err = parse(
            b"EAPI=8\nD=\xff\n".to_vec(),
            Path::new("f"),
            EclassLayout::Md5Pairs,
        )
        .unwrap_err();
        assert!(
            matches!(
                err,
                CacheError::NotUtf8 {
                    line: 2,
                    byte_offset: 9,
                    ..
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn bad_eclasses_are_rejected_with_the_field() {
        let err = parse_md5("_eclasses_=a\t0123456789abcdef0123456789abcdef\tb\n").unwrap_err();
        assert!(
            matches!(
                err,
                CacheError::BadEclasses {
                    line: 1,
                    field: 3,
                    ..
                }
            ),
            "{err}"
        );
        let err = parse_md5("EAPI=8\n_eclasses_=a\t12345\n").unwrap_err();
        assert!(
            matches!(
                err,
                CacheError::BadEclasses {
                    line: 2,
                    field: 1,
                    ..
                }
            ),
            "{err}"
        );
        // An mtime is fine in flat_hash, not in md5-dict.
        assert!(
            parse(
                b"_eclasses_=a\t/x\t12345\n".to_vec(),
                Path::new("f"),
                EclassLayout::Flexible
            )
            .is_ok()
        );
        assert!(parse_md5("_eclasses_=\n").unwrap().eclasses().is_empty());
    }

    #[test]
    fn setting_eclasses_decodes_or_refuses() {
        let mut e = parse_md5("EAPI=8\n_md5_=0123456789abcdef0123456789abcdef\n").unwrap();
        e.set(
            "_eclasses_",
            "b\t0123456789abcdef0123456789abcdef\ta\tffffffffffffffffffffffffffffffff",
        )
        .unwrap();
        assert_eq!(e.inherited().collect::<Vec<_>>(), ["b", "a"]);
        assert!(e.set("_eclasses_", "odd\tnumber\tof").is_err());
        assert_eq!(e.eclasses().len(), 2);
        let key = crate::EntryKey::new("cat", "pkg-1");
        let out = crate::write_md5_entry(&key, &e, crate::WriteStyle::Egencache).unwrap();
        assert_eq!(
            out,
            "EAPI=8\n_eclasses_=a\tffffffffffffffffffffffffffffffff\tb\t\
             0123456789abcdef0123456789abcdef\n_md5_=0123456789abcdef0123456789abcdef\n"
        );
        // mtime-stamped eclasses cannot go into md5-dict.
        e.set("_eclasses_", "a\t/x\t123").unwrap();
        assert!(crate::write_md5_entry(&key, &e, crate::WriteStyle::Egencache).is_err());
    }

    #[test]
    fn triples_round_trip_even_without_a_directory() {
        use crate::entry::EclassStamp;
        let stamps = vec![
            EclassStamp {
                name: "a".into(),
                dir: None,
                checksum: EclassChecksum::Mtime(5),
            },
            EclassStamp {
                name: "b".into(),
                dir: Some("/x/eclass".into()),
                checksum: EclassChecksum::Md5("0123456789abcdef0123456789abcdef".into()),
            },
        ];
        let mut e = CacheEntry::new();
        e.set("EAPI", "8").unwrap();
        e.set_eclasses(stamps);
        let key = crate::EntryKey::new("cat", "pkg-1");
        let text = crate::write_flat_hash_entry(&key, &e).unwrap();
        let back = parse(text.into_bytes(), Path::new("f"), EclassLayout::Flexible).unwrap();
        assert_eq!(back.eclasses()[0].dir.as_deref(), Some(""));
        assert_eq!(back.eclasses()[0].checksum, EclassChecksum::Mtime(5));
        assert_eq!(back.eclasses()[1], e.eclasses()[1]);
        assert_eq!(back.inherited().collect::<Vec<_>>(), ["a", "b"]);
    }

    #[test]
    fn writing_refuses_newlines() {
        let mut e = CacheEntry::new();
        e.set("DESCRIPTION", "two\nlines").unwrap();
        assert!(write_lines("k", e.fields()).is_err());
    }
}
