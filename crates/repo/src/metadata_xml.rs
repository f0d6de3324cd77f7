//! Per-package `metadata.xml` (GLEP 68, formats.md §3.4): maintainers (with GLEP 67
//! `proxied`), upstream data, long descriptions and USE flag descriptions.
//!
//! The parser is forgiving: what was read before an XML error is kept, and the error is
//! returned alongside it with its byte offset, so one broken file never hides a package.

use quick_xml::XmlVersion;
use quick_xml::events::Event;
use strata_cache::index::{Maintainer, Proxied};

/// What a package's metadata.xml says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageMetadata {
    /// `<maintainer>` elements in file order.
    pub maintainers: Vec<Maintainer>,
    /// Every `<longdescription>` as `(lang, text)`, whitespace collapsed; `lang` is `en`
    /// when the attribute is absent.
    pub longdescriptions: Vec<(String, String)>,
    /// `<upstream>` data.
    pub upstream: Upstream,
    /// `<use><flag name="X">text</flag></use>` as `(X, text)`, whitespace collapsed.
    pub use_flags: Vec<(String, String)>,
    /// `<stabilize-allarches/>` is present.
    pub stabilize_allarches: bool,
}

impl PackageMetadata {
    /// The long description as pkgcore reads it (what `-S` searches and `--attr
    /// longdescription` prints): the first `<longdescription>` in English (`lang` absent or
    /// `en`); none when that one is empty, and never one in another language.
    pub fn longdescription(&self) -> Option<&str> {
        self.longdescriptions
            .iter()
            .find(|(l, _)| l == "en")
            .map(|(_, t)| t.as_str())
            .filter(|t| !t.is_empty())
    }

    /// The description of USE flag `flag`.
    pub fn use_flag(&self, flag: &str) -> Option<&str> {
        self.use_flags
            .iter()
            .find(|(f, _)| f == flag)
            .map(|(_, d)| d.as_str())
    }
}

/// `<upstream>` of a metadata.xml.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upstream {
    /// `<remote-id type="T">ID</remote-id>` as `(T, ID)`.
    pub remote_ids: Vec<(String, String)>,
    /// Upstream `<maintainer>`s as `(name, email)` (either may be empty).
    pub maintainers: Vec<(String, String)>,
    /// `<changelog>`.
    pub changelog: Option<String>,
    /// `<doc>`.
    pub doc: Option<String>,
    /// `<bugs-to>`.
    pub bugs_to: Option<String>,
}

/// An XML error in a metadata.xml, with where it happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {byte_offset}: {message}")]
pub struct XmlError {
    /// Byte offset in the file.
    pub byte_offset: u64,
    /// What is wrong.
    pub message: String,
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses a metadata.xml. Returns what could be read, and the first error if the
/// document is malformed (everything read before the error is kept).
///
/// ```
/// use strata_repo::metadata_xml::parse_metadata_xml;
/// let (m, err) = parse_metadata_xml(r#"<pkgmetadata>
///   <maintainer type="person" proxied="yes"><email>a@b.org</email><name>A &amp; B</name>
///     <description>Co-maintainer,
///       docs only</description></maintainer>
///   <longdescription>Long
///      text</longdescription>
///   <upstream><remote-id type="github">a/b</remote-id></upstream>
///   <use><flag name="gui">Build the <pkg>dev-qt/qtbase</pkg> GUI</flag></use>
/// </pkgmetadata>"#);
/// assert!(err.is_none());
/// assert_eq!(m.maintainers[0].name.as_deref(), Some("A & B"));
/// assert_eq!(m.maintainers[0].description.as_deref(), Some("Co-maintainer, docs only"));
/// assert_eq!(m.longdescription(), Some("Long text"));
/// assert_eq!(m.upstream.remote_ids, [("github".to_string(), "a/b".to_string())]);
/// assert_eq!(m.use_flag("gui"), Some("Build the dev-qt/qtbase GUI"));
/// ```
pub fn parse_metadata_xml(text: &str) -> (PackageMetadata, Option<XmlError>) {
    let mut out = PackageMetadata::default();
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().trim_text(false);
    // The open elements, innermost last.
    let mut stack: Vec<String> = Vec::new();
    // Text being collected for the innermost text-bearing element.
    let mut buf = String::new();
    // Attributes of the element whose text is collected (`type`, `lang`, `name`).
    let mut attr_value: Option<String> = None;
    let mut upstream_maint = (String::new(), String::new());

    loop {
        let ev = match reader.read_event() {
            Ok(ev) => ev,
            Err(e) => {
                return (
                    out,
                    Some(XmlError {
                        byte_offset: reader.error_position(),
                        message: e.to_string(),
                    }),
                );
            }
        };
        match ev {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                let get = |key: &str| -> Option<String> {
                    e.attributes().flatten().find_map(|a| {
                        (a.key.local_name().as_ref() == key)
                            .then(|| a.normalized_value(XmlVersion::Implicit1_0).ok())
                            .flatten()
                            .map(|v| v.into_owned())
                    })
                };
                let parent = stack.last().map(String::as_str);
                let in_upstream = stack.iter().any(|s| s == "upstream");
                match (name.as_str(), parent) {
                    ("maintainer", Some("pkgmetadata" | "catmetadata")) => {
                        out.maintainers.push(Maintainer {
                            email: String::new(),
                            name: None,
                            kind: get("type"),
                            proxied: get("proxied").map_or(Proxied::No, |p| Proxied::parse(&p)),
                            description: None,
                        });
                    }
                    ("maintainer", Some("upstream")) => {
                        upstream_maint = (String::new(), String::new());
                    }
                    ("longdescription", _) => {
                        attr_value = Some(get("lang").unwrap_or_else(|| "en".to_owned()));
                    }
                    ("description", Some("maintainer")) if !in_upstream => {
                        attr_value = Some(get("lang").unwrap_or_else(|| "en".to_owned()));
                    }
                    ("remote-id", _) if in_upstream => attr_value = get("type"),
                    ("flag", Some("use")) => attr_value = get("name"),
                    _ => {}
                }
                // Child elements of a flag description (`<pkg>`) keep collecting text.
                if !matches!(stack.last().map(String::as_str), Some("flag")) {
                    buf.clear();
                }
                stack.push(name);
            }
            Event::Empty(e) if e.local_name().as_ref() == "stabilize-allarches" => {
                out.stabilize_allarches = true;
            }
            Event::Text(t) => buf.push_str(&t.xml_content(XmlVersion::Implicit1_0)),
            Event::CData(t) => buf.push_str(&t),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    buf.push(c);
                } else {
                    let name = r.xml_content(XmlVersion::Implicit1_0);
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => buf.push_str(s),
                        None => {
                            buf.push('&');
                            buf.push_str(&name);
                            buf.push(';');
                        }
                    }
                }
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else { continue };
                let parent = stack.last().map(String::as_str);
                let grand = stack.len().checked_sub(2).and_then(|i| stack.get(i));
                let in_upstream = stack.iter().any(|s| s == "upstream");
                let text = collapse(&buf);
                match (name.as_str(), parent) {
                    ("email", Some("maintainer")) if in_upstream => upstream_maint.1 = text,
                    ("name", Some("maintainer")) if in_upstream => upstream_maint.0 = text,
                    ("email", Some("maintainer"))
                        if matches!(
                            grand.map(String::as_str),
                            Some("pkgmetadata" | "catmetadata")
                        ) =>
                    {
                        if let Some(m) = out.maintainers.last_mut() {
                            m.email = text;
                        }
                    }
                    ("name", Some("maintainer"))
                        if matches!(
                            grand.map(String::as_str),
                            Some("pkgmetadata" | "catmetadata")
                        ) =>
                    {
                        if let Some(m) = out.maintainers.last_mut() {
                            m.name = Some(text).filter(|t| !t.is_empty());
                        }
                    }
                    // GLEP 68 gives a maintainer's `<description>` no language; a file
                    // that has several, with `lang`, keeps the English one (the last,
                    // as pkgcore reads them).
                    ("description", Some("maintainer"))
                        if matches!(
                            grand.map(String::as_str),
                            Some("pkgmetadata" | "catmetadata")
                        ) =>
                    {
                        let lang = attr_value.take().unwrap_or_else(|| "en".to_owned());
                        if let Some(m) = out.maintainers.last_mut()
                            && lang == "en"
                            && !text.is_empty()
                        {
                            m.description = Some(text);
                        }
                    }
                    ("maintainer", Some("upstream")) => out
                        .upstream
                        .maintainers
                        .push(std::mem::take(&mut upstream_maint)),
                    ("longdescription", _) => {
                        let lang = attr_value.take().unwrap_or_else(|| "en".to_owned());
                        out.longdescriptions.push((lang, text));
                    }
                    ("remote-id", _) if in_upstream => {
                        let kind = attr_value.take().unwrap_or_default();
                        out.upstream.remote_ids.push((kind, text));
                    }
                    ("changelog", Some("upstream")) => out.upstream.changelog = Some(text),
                    ("doc", Some("upstream")) => out.upstream.doc = Some(text),
                    ("bugs-to", Some("upstream")) => out.upstream.bugs_to = Some(text),
                    ("flag", Some("use")) => {
                        if let Some(flag) = attr_value.take() {
                            out.use_flags.push((flag, text));
                        }
                    }
                    _ => {}
                }
                if !matches!(parent, Some("flag")) {
                    buf.clear();
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return (
            out,
            Some(XmlError {
                byte_offset: text.len() as u64,
                message: format!("unclosed element <{}>", stack.join("> <")),
            }),
        );
    }
    (out, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_xml_keeps_what_was_read() {
        let (m, err) = parse_metadata_xml(
            "<pkgmetadata><maintainer><email>x@y</email></maintainer><upstream><remote-id type=\"pypi\">x</remote-id>",
        );
        assert_eq!(m.maintainers.len(), 1);
        assert_eq!(m.maintainers[0].email, "x@y");
        assert_eq!(m.upstream.remote_ids.len(), 1);
        assert!(err.is_some());
        let (_, err) = parse_metadata_xml("<pkgmetadata><a></b></pkgmetadata>");
        let err = err.expect("mismatched tags are an error");
        assert!(err.byte_offset > 0, "{err}");
    }

    #[test]
    fn maintainer_description_is_the_english_one() {
        let (m, err) = parse_metadata_xml(
            "<pkgmetadata><maintainer><email>a@b</email></maintainer>\
             <maintainer><email>c@d</email><description lang=\"de\">Nur Doku</description>\
             <description>Docs only</description></maintainer>\
             <maintainer><email>e@f</email><description lang=\"de\">Nur Doku</description></maintainer>\
             <upstream><maintainer><email>u@p</email><description>up</description></maintainer></upstream>\
             <longdescription>Long</longdescription></pkgmetadata>",
        );
        assert!(err.is_none(), "{err:?}");
        let descs: Vec<Option<&str>> = m
            .maintainers
            .iter()
            .map(|m| m.description.as_deref())
            .collect();
        assert_eq!(descs, [None, Some("Docs only"), None]);
        assert_eq!(m.longdescription(), Some("Long"));
    }

    #[test]
    fn longdescription_is_the_first_english_one_only() {
        let (m, _) = parse_metadata_xml(
            "<pkgmetadata><longdescription lang=\"de\">Lang</longdescription>\
             <longdescription lang=\"en\">Long</longdescription>\
             <longdescription>Second</longdescription></pkgmetadata>",
        );
        assert_eq!(m.longdescription(), Some("Long"));
        let (m, _) = parse_metadata_xml(
            "<pkgmetadata><longdescription lang=\"de\">Nur deutsch</longdescription></pkgmetadata>",
        );
        assert_eq!(m.longdescription(), None);
        let (m, _) = parse_metadata_xml(
            "<pkgmetadata><longdescription></longdescription>\
             <longdescription>Later</longdescription></pkgmetadata>",
        );
        assert_eq!(m.longdescription(), None);
    }

    #[test]
    fn upstream_maintainers_are_not_package_maintainers() {
        let (m, err) = parse_metadata_xml(
            "<pkgmetadata><upstream><maintainer><name>Up</name><email>u@p</email></maintainer></upstream></pkgmetadata>",
        );
        assert!(err.is_none());
        assert!(m.maintainers.is_empty());
        assert_eq!(
            m.upstream.maintainers,
            [("Up".to_string(), "u@p".to_string())]
        );
    }
}
