//! `--attr uris` and `--attr fetchables`: each SRC_URI distfile with the list of URIs it
//! can be fetched from, as pkgcore's fetchables hold it (`ebuild_src.create_fetchable_from_uri`,
//! `fetch.uri_list`), on the SRC_URI tree pquery shows (USE-evaluated for configured
//! packages).
//!
//! The URI list of a distfile is built from every entry naming it, in SRC_URI order:
//!
//! * a bare file name adds nothing (it has no URI), and when it names the file first, no
//!   later URI adds the default mirrors either (pkgcore adds them only on creating the list);
//! * the first URI naming the file adds the default mirrors (each `GENTOO_MIRRORS` entry
//!   with `/distfiles` appended) **before** itself, or **after** itself under
//!   RESTRICT=primaryuri; none under RESTRICT=mirror or RESTRICT=fetch (fetch implies
//!   mirror, as Portage has it) unless that URI carries the EAPI 8 `mirror+` prefix
//!   (`fetch+` lifts only the fetch restriction, so the mirrors stay out);
//! * `mirror://NAME/path` adds each of NAME's `thirdpartymirrors` URLs joined with `path`
//!   (nothing for a name no repository defines); consecutive `mirror://` entries are
//!   interleaved, first URL of each, then second of each, ... (pkgcore's `zip_longest`);
//! * any other URI adds itself, without its `fetch+`/`mirror+` prefix.
//!
//! Every leaf naming the file shows the whole list, so a file named twice prints it twice.

use std::collections::{BTreeMap, HashMap};

use strata_atom::DepNode;
use strata_atom::depspec::{DepSpec, Uri, UriPrefix};

/// Where a package's distfiles can be fetched from besides the URIs SRC_URI gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mirrors {
    /// The default mirrors: `GENTOO_MIRRORS` entries, each with its trailing `/` removed
    /// and `/distfiles` appended (see [`Mirrors::default_mirrors`]).
    pub default: Vec<String>,
    /// The third-party mirror tiers of the package's repository (`thirdpartymirrors`):
    /// name → base URLs. `None` when they are not known, in which case a `mirror://` URI
    /// is listed as written.
    pub tiers: Option<BTreeMap<String, Vec<String>>>,
}

impl Mirrors {
    /// The default mirror bases of a `GENTOO_MIRRORS` value, as pkgcore's
    /// `portage_conf` makes them: each whitespace-separated entry with trailing `/`s removed
    /// and `/distfiles` appended.
    pub fn default_mirrors(gentoo_mirrors: &str) -> Vec<String> {
        gentoo_mirrors
            .split_whitespace()
            .map(|m| format!("{}/distfiles", m.trim_end_matches('/')))
            .collect()
    }

    /// Stacks the lines of a `thirdpartymirrors` file (`name url url...`, `#` comments)
    /// under `tiers`, for the names `keep` accepts: a name already there (from a
    /// repository that takes precedence) is kept; within the file, a later line for a
    /// name replaces an earlier one.
    pub fn stack_thirdpartymirrors(
        tiers: &mut BTreeMap<String, Vec<String>>,
        text: &str,
        keep: &dyn Fn(&str) -> bool,
    ) {
        let mut file: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            let mut words = line.split_whitespace();
            let Some(name) = words.next() else { continue };
            if !keep(name) {
                continue;
            }
            let urls: Vec<String> = words.map(str::to_owned).collect();
            if !urls.is_empty() {
                file.insert(name, urls);
            }
        }
        for (name, urls) in file {
            tiers.entry(name.to_owned()).or_insert(urls);
        }
    }
}

/// The RESTRICT tokens that decide where distfiles are fetched from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FetchRestrict {
    /// RESTRICT=mirror: no default mirrors.
    pub mirror: bool,
    /// RESTRICT=fetch: no default mirrors either (fetch implies mirror).
    pub fetch: bool,
    /// RESTRICT=primaryuri: the default mirrors come after the URI.
    pub primaryuri: bool,
}

impl FetchRestrict {
    /// The restrictions among `tokens` (the package's RESTRICT values that apply).
    pub fn from_tokens<'a>(tokens: impl IntoIterator<Item = &'a str>) -> FetchRestrict {
        let mut r = FetchRestrict::default();
        for t in tokens {
            match t {
                "mirror" => r.mirror = true,
                "fetch" => r.fetch = true,
                "primaryuri" => r.primaryuri = true,
                _ => {}
            }
        }
        r
    }
}

/// One source in a distfile's URI list (pkgcore's `uri_list` entries).
#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    /// A URI, as it is (prefix removed).
    Uri(&'a str),
    /// The default mirrors, each joined with the file name.
    Default,
    /// A third-party mirror tier: name, path after it, and the `mirror://` URI as written.
    Tier(&'a str, &'a str, &'a str),
}

/// The URI list of every distfile named in a SRC_URI spec.
#[derive(Debug)]
pub struct UriLists<'a> {
    by_file: HashMap<&'a str, Vec<Source<'a>>>,
    mirrors: &'a Mirrors,
}

impl<'a> UriLists<'a> {
    /// Collects the sources of each distfile from every URI entry of `spec`, in order.
    pub fn new(spec: &'a DepSpec, restrict: FetchRestrict, mirrors: &'a Mirrors) -> Self {
        let mut by_file: HashMap<&str, Vec<Source<'_>>> = HashMap::new();
        for uri in spec.uris() {
            let first = !by_file.contains_key(uri.distfile());
            let sources = by_file.entry(uri.distfile()).or_default();
            if uri.is_bare_filename() {
                continue;
            }
            let restricted =
                (restrict.mirror || restrict.fetch) && uri.prefix() != Some(UriPrefix::Mirror);
            let defaults = first && !mirrors.default.is_empty() && !restricted;
            if defaults && !restrict.primaryuri {
                sources.push(Source::Default);
            }
            sources.push(source(uri));
            if defaults && restrict.primaryuri {
                sources.push(Source::Default);
            }
        }
        UriLists { by_file, mirrors }
    }

    /// The URIs `distfile` can be fetched from, in order (empty for a file no URI names).
    pub fn uris(&self, distfile: &str) -> Vec<String> {
        let Some(sources) = self.by_file.get(distfile) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut i = 0;
        while i < sources.len() {
            match sources[i] {
                Source::Uri(u) => out.push(u.to_owned()),
                Source::Default => {
                    for base in &self.mirrors.default {
                        out.push(format!("{}/{distfile}", base.trim_end_matches('/')));
                    }
                }
                Source::Tier(..) => {
                    let start = i;
                    while matches!(sources.get(i + 1), Some(Source::Tier(..))) {
                        i += 1;
                    }
                    let tiers: Vec<Vec<String>> =
                        sources[start..=i].iter().map(|s| self.tier(s)).collect();
                    let longest = tiers.iter().map(Vec::len).max().unwrap_or(0);
                    for k in 0..longest {
                        out.extend(tiers.iter().filter_map(|t| t.get(k).cloned()));
                    }
                }
            }
            i += 1;
        }
        out
    }

    /// The URLs of one `mirror://` source.
    fn tier(&self, source: &Source<'_>) -> Vec<String> {
        let Source::Tier(name, path, written) = *source else {
            return Vec::new();
        };
        match &self.mirrors.tiers {
            None => vec![written.to_owned()],
            Some(tiers) => tiers.get(name).map_or_else(Vec::new, |bases| {
                bases
                    .iter()
                    .map(|b| {
                        format!(
                            "{}/{}",
                            b.trim_end_matches('/'),
                            path.trim_start_matches('/')
                        )
                    })
                    .collect()
            }),
        }
    }
}

fn source(uri: &Uri) -> Source<'_> {
    match uri.mirror() {
        Some((name, path)) => Source::Tier(name, path, uri.uri()),
        None => Source::Uri(uri.uri()),
    }
}

/// The spec on one line with each leaf written by `leaf` (pkgcore's `stringify_boolean`):
/// tokens joined by single spaces, groups as `flag? (` … `)`, `( … )`, `|| ( … )`; a
/// leaf written as nothing still takes its place (two spaces in a row).
pub fn one_line(spec: &DepSpec, leaf: &dyn Fn(&Uri) -> String) -> String {
    fn walk(nodes: &[DepNode], leaf: &dyn Fn(&Uri) -> String, out: &mut Vec<String>) {
        for n in nodes {
            let open = match n {
                DepNode::Leaf(l) => {
                    out.push(l.as_uri().map_or_else(|| l.to_string(), leaf));
                    continue;
                }
                DepNode::Conditional(c, _) => format!("{c}? ("),
                DepNode::AllOf(_) => "(".to_owned(),
                DepNode::AnyOf(_) => "|| (".to_owned(),
                DepNode::ExactlyOneOf(_) => "^^ (".to_owned(),
                DepNode::AtMostOneOf(_) => "?? (".to_owned(),
            };
            out.push(open);
            walk(n.children(), leaf, out);
            out.push(")".to_owned());
        }
    }
    let mut out = Vec::new();
    walk(spec.items(), leaf, &mut out);
    out.join(" ")
}

/// `--attr uris` on one line: each leaf is its distfile's URI list, space-separated.
pub fn uris_line(spec: &DepSpec, lists: &UriLists<'_>) -> String {
    one_line(spec, &|u| lists.uris(u.distfile()).join(" "))
}

/// `--attr fetchables` on one line: each leaf as pkgcore's `str(fetchable)`,
/// `('name', <uris>, <checksum names>)`, where pkgcore's `<uris>` is the `repr` of its
/// `uri_list` object (a memory address); here it is the list itself in Python's list
/// `repr` (`['https://…', …]`). `checksums` gives the checksum names of a distfile
/// (`size` first, then the Manifest's hash names lowercased).
pub fn fetchables_line(
    spec: &DepSpec,
    lists: &UriLists<'_>,
    checksums: &dyn Fn(&str) -> Vec<String>,
) -> String {
    one_line(spec, &|u| {
        let name = u.distfile();
        let uris: Vec<String> = lists.uris(name).iter().map(|s| py_repr(s)).collect();
        format!(
            "({}, [{}], {})",
            py_repr(name),
            uris.join(", "),
            checksums(name).join(", ")
        )
    })
}

/// Python's `repr` of a string: single quotes unless the text has a single quote and
/// no double quote; backslashes, the chosen quote and control characters escaped.
pub fn py_repr(s: &str) -> String {
    let plain = !s.contains('\\') && !s.contains('\'') && !s.bytes().any(|b| b < 0x20 || b == 0x7f);
    if plain {
        return format!("'{s}'");
    }
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use strata_atom::Eapi;
    use strata_atom::depspec::DepKind;

    fn spec(s: &str) -> DepSpec {
        DepSpec::parse(s, DepKind::SrcUri, Eapi::E8).unwrap()
    }

    fn mirrors() -> Mirrors {
        let mut tiers = BTreeMap::new();
        Mirrors::stack_thirdpartymirrors(
            &mut tiers,
            "# comment\nalpha https://a1.example/ https://a2.example/pub\n\
             beta https://b1.example\nalpha https://a3.example https://a4.example\n\
             skipped https://s.example\n",
            &|name| name != "skipped",
        );
        Mirrors::stack_thirdpartymirrors(
            &mut tiers,
            "beta https://lower.example\ngamma g\n",
            &|_| true,
        );
        Mirrors {
            default: Mirrors::default_mirrors("https://gm.example/ http://gm2.example//"),
            tiers: Some(tiers),
        }
    }

    #[test]
    fn default_mirrors_and_tiers() {
        let m = mirrors();
        assert_eq!(
            m.default,
            [
                "https://gm.example/distfiles",
                "http://gm2.example/distfiles"
            ]
        );
        let tiers = m.tiers.as_ref().unwrap();
        // A later line of the same file replaces; an earlier file takes precedence.
        assert_eq!(tiers["alpha"], ["https://a3.example", "https://a4.example"]);
        assert_eq!(tiers["beta"], ["https://b1.example"]);
        assert_eq!(tiers["gamma"], ["g"]);
        assert!(!tiers.contains_key("skipped"));
    }

    #[test]
    fn uri_lists() {
        let m = mirrors();
        let s = spec(
            "https://up.example/a-1.tgz mirror://alpha//x/b-1.tgz mirror://beta/c.tgz -> b-1.tgz \
             mirror://nosuch/d-1.tgz e-1.tgz https://up.example/e-1.tgz",
        );
        let l = UriLists::new(&s, FetchRestrict::default(), &m);
        assert_eq!(
            l.uris("a-1.tgz"),
            [
                "https://gm.example/distfiles/a-1.tgz",
                "http://gm2.example/distfiles/a-1.tgz",
                "https://up.example/a-1.tgz"
            ]
        );
        // Two consecutive tiers interleave.
        assert_eq!(
            l.uris("b-1.tgz"),
            [
                "https://gm.example/distfiles/b-1.tgz",
                "http://gm2.example/distfiles/b-1.tgz",
                "https://a3.example/x/b-1.tgz",
                "https://b1.example/c.tgz",
                "https://a4.example/x/b-1.tgz"
            ]
        );
        assert_eq!(
            l.uris("d-1.tgz"),
            [
                "https://gm.example/distfiles/d-1.tgz",
                "http://gm2.example/distfiles/d-1.tgz"
            ]
        );
        // The bare name came first: no default mirrors for the file at all.
        assert_eq!(l.uris("e-1.tgz"), ["https://up.example/e-1.tgz"]);
        assert_eq!(
            uris_line(&spec("e-1.tgz a? ( https://up.example/a-1.tgz )"), &l),
            "https://up.example/e-1.tgz a? ( https://gm.example/distfiles/a-1.tgz \
             http://gm2.example/distfiles/a-1.tgz https://up.example/a-1.tgz )"
        );
        // A leaf without URIs is an empty token, as pkgcore's ' '.join leaves it.
        let bare = spec("f.tgz x? ( g.tgz )");
        let l = UriLists::new(&bare, FetchRestrict::default(), &m);
        assert_eq!(uris_line(&bare, &l), " x? (  )");
    }

    #[test]
    fn restrictions_and_prefixes() {
        let m = mirrors();
        let s = spec(
            "https://u/a.tgz fetch+https://u/b.tgz mirror+https://u/c.tgz mirror://alpha/d.tgz",
        );
        let r = |tokens: &[&str]| FetchRestrict::from_tokens(tokens.iter().copied());
        for restrict in [
            r(&["mirror"]),
            r(&["fetch"]),
            r(&["strip", "fetch", "mirror"]),
        ] {
            let l = UriLists::new(&s, restrict, &m);
            assert_eq!(l.uris("a.tgz"), ["https://u/a.tgz"]);
            assert_eq!(l.uris("b.tgz"), ["https://u/b.tgz"]);
            assert_eq!(
                l.uris("c.tgz"),
                [
                    "https://gm.example/distfiles/c.tgz",
                    "http://gm2.example/distfiles/c.tgz",
                    "https://u/c.tgz"
                ]
            );
            assert_eq!(
                l.uris("d.tgz"),
                ["https://a3.example/d.tgz", "https://a4.example/d.tgz"]
            );
        }
        let l = UriLists::new(&s, r(&["primaryuri"]), &m);
        assert_eq!(
            l.uris("a.tgz"),
            [
                "https://u/a.tgz",
                "https://gm.example/distfiles/a.tgz",
                "http://gm2.example/distfiles/a.tgz"
            ]
        );
        assert_eq!(
            l.uris("d.tgz"),
            [
                "https://a3.example/d.tgz",
                "https://a4.example/d.tgz",
                "https://gm.example/distfiles/d.tgz",
                "http://gm2.example/distfiles/d.tgz"
            ]
        );
        // Without mirror information mirror:// stays as written and nothing is added.
        let unknown = Mirrors::default();
        let l = UriLists::new(&s, FetchRestrict::default(), &unknown);
        assert_eq!(l.uris("d.tgz"), ["mirror://alpha/d.tgz"]);
        assert_eq!(l.uris("b.tgz"), ["https://u/b.tgz"]);
    }

    #[test]
    fn fetchables_and_repr() {
        assert_eq!(py_repr("a.tgz"), "'a.tgz'");
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("a'b\"c\\"), "'a\\'b\"c\\\\'");
        let m = Mirrors::default();
        let s = spec("https://u/a.tgz x? ( b.tgz )");
        let l = UriLists::new(&s, FetchRestrict::default(), &m);
        let sums = |name: &str| {
            if name == "a.tgz" {
                vec!["size".to_owned(), "blake2b".to_owned()]
            } else {
                Vec::new()
            }
        };
        assert_eq!(
            fetchables_line(&s, &l, &sums),
            "('a.tgz', ['https://u/a.tgz'], size, blake2b) x? ( ('b.tgz', [], ) )"
        );
    }
}
