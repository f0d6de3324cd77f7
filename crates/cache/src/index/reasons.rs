//! The structured encoding of stale reasons in an index record: reasons separated by
//! U+001E, each a tag and its fields separated by U+001F.

use std::path::PathBuf;

use crate::validate::StaleReason;

const REASON_SEP: char = '\u{1e}';
const FIELD_SEP: char = '\u{1f}';

/// Encodes `reasons` (inverse of [`decode_reasons`]).
pub(crate) fn encode_reasons(reasons: &[StaleReason]) -> String {
    let mut out = String::new();
    for r in reasons {
        if !out.is_empty() {
            out.push(REASON_SEP);
        }
        let fields: Vec<String> = match r {
            StaleReason::EbuildMissing { path } => {
                vec!["ebuild-missing".into(), path.to_string_lossy().into_owned()]
            }
            StaleReason::NoEbuildChecksum => vec!["no-checksum".into()],
            StaleReason::EbuildMd5 { recorded, actual } => {
                vec!["ebuild-md5".into(), recorded.clone(), actual.clone()]
            }
            StaleReason::EbuildMtime { recorded, actual } => vec![
                "ebuild-mtime".into(),
                recorded.to_string(),
                actual.to_string(),
            ],
            StaleReason::EclassMissing { name } => vec!["eclass-missing".into(), name.clone()],
            StaleReason::EclassChanged {
                name,
                recorded,
                actual,
            } => vec![
                "eclass-changed".into(),
                name.clone(),
                recorded.clone(),
                actual.clone(),
            ],
        };
        out.push_str(&fields.join(&FIELD_SEP.to_string()));
    }
    out
}

/// Decodes what [`encode_reasons`] wrote; `None` when it is not such an encoding.
pub(crate) fn decode_reasons(s: &str) -> Option<Vec<StaleReason>> {
    let mut out = Vec::new();
    for r in s.split(REASON_SEP).filter(|r| !r.is_empty()) {
        let f: Vec<&str> = r.split(FIELD_SEP).collect();
        out.push(match f.as_slice() {
            ["ebuild-missing", path] => StaleReason::EbuildMissing {
                path: PathBuf::from(path),
            },
            ["no-checksum"] => StaleReason::NoEbuildChecksum,
            ["ebuild-md5", recorded, actual] => StaleReason::EbuildMd5 {
                recorded: (*recorded).to_owned(),
                actual: (*actual).to_owned(),
            },
            ["ebuild-mtime", recorded, actual] => StaleReason::EbuildMtime {
                recorded: recorded.parse().ok()?,
                actual: actual.parse().ok()?,
            },
            ["eclass-missing", name] => StaleReason::EclassMissing {
                name: (*name).to_owned(),
            },
            ["eclass-changed", name, recorded, actual] => StaleReason::EclassChanged {
                name: (*name).to_owned(),
                recorded: (*recorded).to_owned(),
                actual: (*actual).to_owned(),
            },
            _ => return None,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_reason() {
        let reasons = vec![
            StaleReason::EbuildMissing {
                path: PathBuf::from("/r/a/b/b-1.ebuild"),
            },
            StaleReason::NoEbuildChecksum,
            StaleReason::EbuildMd5 {
                recorded: "aa".into(),
                actual: "bb".into(),
            },
            StaleReason::EbuildMtime {
                recorded: 5,
                actual: -7,
            },
            StaleReason::EclassMissing { name: "foo".into() },
            StaleReason::EclassChanged {
                name: "bar".into(),
                recorded: "1 in /x".into(),
                actual: "2 in /y".into(),
            },
        ];
        assert_eq!(decode_reasons(&encode_reasons(&reasons)), Some(reasons));
        assert_eq!(decode_reasons(""), Some(Vec::new()));
        assert_eq!(decode_reasons("bogus"), None);
    }
}
