//! Mirror lists and the candidate URI order for one distfile (Portage's rules).
//!
//! Inputs: `GENTOO_MIRRORS`, the user's `/etc/portage/mirrors` (whose `local` entry lists
//! local mirrors) and the repositories' `profiles/thirdpartymirrors`. Output: a
//! [`Candidate`] list in the order Portage tries them:
//!
//! 1. file-system mirrors (`local` entries and `GENTOO_MIRRORS` entries that are absolute
//!    paths), whatever the restrictions;
//! 2. `local` mirrors from `/etc/portage/mirrors`, even under RESTRICT=mirror or fetch;
//! 3. `GENTOO_MIRRORS`, unless RESTRICT=mirror or RESTRICT=fetch (lifted by `mirror+` on the
//!    distfile's first URI);
//! 4. for each `mirror://NAME/path` in SRC_URI order: NAME's entries in
//!    `/etc/portage/mirrors`, then its `thirdpartymirrors` entries, shuffled;
//! 5. the plain ("primary") URIs in SRC_URI order, left out under RESTRICT=fetch (unless the
//!    URI carries `fetch+` or `mirror+`) and under FEATURES=force-mirror.
//!
//! With RESTRICT=primaryuri the primary URIs, followed by the third-party mirror URIs, come
//! before steps 2-4. Mirrors of steps 1-3 are [`Candidate::Mirror`]s: the file's path inside
//! them depends on the mirror's GLEP 75 `layout.conf`, which the fetcher reads.

use std::collections::BTreeMap;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use crate::fetchable::{Fetchable, UriPrefix};

/// A `name url url ...` file: `profiles/thirdpartymirrors` or `/etc/portage/mirrors`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MirrorMap {
    map: BTreeMap<String, Vec<String>>,
}

impl MirrorMap {
    /// An empty map.
    pub fn new() -> Self {
        MirrorMap::default()
    }

    /// Parses the file: one mirror name per line followed by its URLs, whitespace-separated;
    /// `#` starts a comment; lines with a name but no URL are ignored (as Portage's
    /// `grabdict` does). A name given twice accumulates URLs.
    pub fn parse(text: &str) -> MirrorMap {
        let mut m = MirrorMap::new();
        for line in text.lines() {
            let line = line.split_once('#').map_or(line, |(a, _)| a);
            let mut words = line.split_whitespace();
            let Some(name) = words.next() else { continue };
            let urls: Vec<String> = words.map(str::to_owned).collect();
            if !urls.is_empty() {
                m.add(name, urls);
            }
        }
        m
    }

    /// Appends URLs to a name (skipping ones already listed).
    pub fn add(&mut self, name: &str, urls: impl IntoIterator<Item = String>) {
        let list = self.map.entry(name.to_owned()).or_default();
        for u in urls {
            if !list.contains(&u) {
                list.push(u);
            }
        }
    }

    /// Stacks another map on this one (a later repository's file): URLs accumulate.
    pub fn extend(&mut self, other: &MirrorMap) {
        for (k, v) in &other.map {
            self.add(k, v.iter().cloned());
        }
    }

    /// The URLs of a mirror name.
    pub fn get(&self, name: &str) -> Option<&[String]> {
        self.map.get(name).map(Vec::as_slice)
    }

    /// True when the name is listed.
    pub fn contains(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    /// All names.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
}

/// Where the candidate URIs of a distfile come from.
#[derive(Debug, Clone, Default)]
pub struct MirrorConfig {
    /// `GENTOO_MIRRORS`, in order (entries starting with `/` are file-system mirrors).
    pub gentoo_mirrors: Vec<String>,
    /// `/etc/portage/mirrors` (its `local` entry lists local mirrors).
    pub custom: MirrorMap,
    /// The merged `profiles/thirdpartymirrors` of the repositories.
    pub thirdparty: MirrorMap,
    /// FEATURES=force-mirror: never use primary URIs (unless the package restricts mirror).
    pub force_mirror: bool,
    /// Keep the `thirdpartymirrors` order instead of shuffling it as Portage does (for
    /// reproducible plans and tests).
    pub no_shuffle: bool,
}

/// One place to try for a distfile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Candidate {
    /// A distfile mirror: the file is at `<base>/distfiles/<layout path>` for a URL base, or
    /// `<base>/<layout path>` for a file-system mirror (a base starting with `/`).
    Mirror {
        /// URL or absolute directory, without a trailing `/`.
        base: String,
    },
    /// A URL tried as it is.
    Url {
        /// The URL.
        url: String,
        /// True for an upstream URI straight from SRC_URI (or a third-party mirror URI, which
        /// Portage groups with them for RESTRICT=primaryuri).
        primary: bool,
    },
}

impl Candidate {
    /// True for a file-system mirror.
    pub fn is_fs_mirror(&self) -> bool {
        matches!(self, Candidate::Mirror { base } if base.starts_with('/'))
    }
}

/// The candidate list for one distfile, plus warnings found while building it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UriPlan {
    /// Candidates in the order to try them.
    pub candidates: Vec<Candidate>,
    /// The URIs Portage switches to first after repeated checksum failures (primary URIs,
    /// then third-party mirror URIs).
    pub primary: Vec<String>,
    /// Problems such as `mirror://` names no mirror list knows.
    pub warnings: Vec<String>,
}

fn shuffle(v: &mut [String]) {
    let seed = RandomState::new();
    for i in (1..v.len()).rev() {
        let mut h = seed.build_hasher();
        h.write_usize(i);
        let j = (h.finish() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

impl MirrorConfig {
    /// Builds the candidate list for a fetchable (see the module documentation).
    pub fn plan(&self, f: &Fetchable) -> UriPlan {
        let r = f.restrict;
        let restrict_mirror = r.mirror;
        let override_mirror = f
            .sources
            .first()
            .is_some_and(|s| s.prefix == UriPrefix::Mirror);
        let file_restrict_mirror = (r.fetch || restrict_mirror) && !override_mirror;
        let force_mirror = self.force_mirror && !restrict_mirror;

        let strip = |s: &str| s.trim_end_matches('/').to_owned();
        let local: Vec<&String> = self
            .custom
            .get("local")
            .map(|l| l.iter().collect())
            .unwrap_or_default();

        let mut plan = UriPlan::default();
        // File-system mirrors first.
        for m in local
            .iter()
            .map(|s| s.as_str())
            .chain(self.gentoo_mirrors.iter().map(String::as_str))
        {
            if m.starts_with('/') {
                plan.candidates.push(Candidate::Mirror { base: strip(m) });
            }
        }
        let mut rest: Vec<Candidate> = Vec::new();
        for m in &local {
            if !m.starts_with('/') {
                rest.push(Candidate::Mirror { base: strip(m) });
            }
        }
        if !file_restrict_mirror {
            for m in &self.gentoo_mirrors {
                if !m.is_empty() && !m.starts_with('/') {
                    rest.push(Candidate::Mirror { base: strip(m) });
                }
            }
        }
        let mut primary: Vec<String> = Vec::new();
        let mut thirdparty_uris: Vec<String> = Vec::new();
        for s in &f.sources {
            if let Some(after) = s.uri.strip_prefix("mirror://") {
                let Some((name, path)) = after.split_once('/') else {
                    plan.warnings
                        .push(format!("invalid mirror definition in SRC_URI: {}", s.uri));
                    continue;
                };
                if let Some(list) = self.custom.get(name) {
                    for m in list {
                        rest.push(Candidate::Url {
                            url: format!("{}/{path}", m.trim_end_matches('/')),
                            primary: false,
                        });
                    }
                }
                if let Some(list) = self.thirdparty.get(name) {
                    let mut uris: Vec<String> = list
                        .iter()
                        .map(|m| format!("{}/{path}", m.trim_end_matches('/')))
                        .collect();
                    if !self.no_shuffle {
                        shuffle(&mut uris);
                    }
                    for u in &uris {
                        rest.push(Candidate::Url {
                            url: u.clone(),
                            primary: false,
                        });
                    }
                    thirdparty_uris.extend(uris);
                }
                if !self.custom.contains(name) && !self.thirdparty.contains(name) {
                    plan.warnings
                        .push(format!("no known mirror by the name: {name}"));
                }
            } else {
                if (r.fetch && s.prefix == UriPrefix::None) || force_mirror {
                    continue;
                }
                if !primary.contains(&s.uri) {
                    primary.push(s.uri.clone());
                }
            }
        }
        plan.primary = primary.clone();
        plan.primary.extend(thirdparty_uris.iter().cloned());
        let primary_candidates: Vec<Candidate> = primary
            .into_iter()
            .map(|url| Candidate::Url { url, primary: true })
            .collect();
        if r.primaryuri {
            plan.candidates.extend(primary_candidates);
            plan.candidates.extend(
                thirdparty_uris
                    .into_iter()
                    .map(|url| Candidate::Url { url, primary: true }),
            );
            plan.candidates.extend(rest);
        } else {
            plan.candidates.extend(rest);
            plan.candidates.extend(primary_candidates);
        }
        // Drop exact repeats, keeping the first.
        let mut seen = std::collections::HashSet::new();
        plan.candidates.retain(|c| {
            let key = match c {
                Candidate::Mirror { base } => format!("m:{base}"),
                Candidate::Url { url, .. } => format!("u:{url}"),
            };
            seen.insert(key)
        });
        plan
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::fetchable::{Restrict, SrcUriItem};

    fn cfg() -> MirrorConfig {
        MirrorConfig {
            gentoo_mirrors: vec!["https://gm1.example/".into(), "/srv/fsmirror/".into()],
            custom: MirrorMap::parse("local http://lan.example\ngnu http://cgnu.example/gnu/\n"),
            thirdparty: MirrorMap::parse(
                "# comment\ngnu https://ftp.gnu.org/gnu https://mirror2.example/gnu\nsourceforge https://downloads.sourceforge.net\nempty\n",
            ),
            force_mirror: false,
            no_shuffle: true,
        }
    }

    fn fetchable(tokens: &[&str], restrict: Restrict) -> Fetchable {
        let items = tokens.iter().map(|t| SrcUriItem::from_token(t, None));
        Fetchable::from_items(items, None, restrict)
            .unwrap()
            .remove(0)
    }

    fn show(p: &UriPlan) -> Vec<String> {
        p.candidates
            .iter()
            .map(|c| match c {
                Candidate::Mirror { base } => format!("M {base}"),
                Candidate::Url { url, primary } => {
                    format!("{} {url}", if *primary { "P" } else { "U" })
                }
            })
            .collect()
    }

    #[test]
    fn default_order() {
        let f = fetchable(
            &[
                "https://up.example/a-1.tgz",
                "mirror://gnu/a/a-1.tgz",
                "https://up2.example/a-1.tgz",
            ],
            Restrict::default(),
        );
        assert_eq!(
            show(&cfg().plan(&f)),
            [
                "M /srv/fsmirror",
                "M http://lan.example",
                "M https://gm1.example",
                "U http://cgnu.example/gnu/a/a-1.tgz",
                "U https://ftp.gnu.org/gnu/a/a-1.tgz",
                "U https://mirror2.example/gnu/a/a-1.tgz",
                "P https://up.example/a-1.tgz",
                "P https://up2.example/a-1.tgz",
            ]
        );
    }

    #[test]
    fn primaryuri_first() {
        let f = fetchable(
            &["https://up.example/a-1.tgz", "mirror://gnu/a/a-1.tgz"],
            Restrict {
                primaryuri: true,
                ..Default::default()
            },
        );
        assert_eq!(
            show(&cfg().plan(&f)),
            [
                "M /srv/fsmirror",
                "P https://up.example/a-1.tgz",
                "P https://ftp.gnu.org/gnu/a/a-1.tgz",
                "P https://mirror2.example/gnu/a/a-1.tgz",
                "M http://lan.example",
                "M https://gm1.example",
                "U http://cgnu.example/gnu/a/a-1.tgz",
            ]
        );
    }

    #[test]
    fn restrict_mirror_and_fetch() {
        let mirror = Restrict {
            mirror: true,
            ..Default::default()
        };
        let f = fetchable(&["https://up.example/a-1.tgz"], mirror);
        assert_eq!(
            show(&cfg().plan(&f)),
            [
                "M /srv/fsmirror",
                "M http://lan.example",
                "P https://up.example/a-1.tgz"
            ]
        );
        let fetch = Restrict {
            fetch: true,
            ..Default::default()
        };
        let f = fetchable(&["https://up.example/a-1.tgz"], fetch);
        assert_eq!(
            show(&cfg().plan(&f)),
            ["M /srv/fsmirror", "M http://lan.example"]
        );
        // fetch+ lifts the fetch restriction but not the mirror one.
        let f = fetchable(&["fetch+https://up.example/a-1.tgz"], fetch);
        assert_eq!(
            show(&cfg().plan(&f)),
            [
                "M /srv/fsmirror",
                "M http://lan.example",
                "P https://up.example/a-1.tgz"
            ]
        );
        // mirror+ lifts both.
        let f = fetchable(&["mirror+https://up.example/a-1.tgz"], fetch);
        assert_eq!(
            show(&cfg().plan(&f)),
            [
                "M /srv/fsmirror",
                "M http://lan.example",
                "M https://gm1.example",
                "P https://up.example/a-1.tgz"
            ]
        );
    }

    #[test]
    fn unknown_mirror_and_force_mirror() {
        let f = fetchable(
            &["mirror://nosuch/x/a-1.tgz", "https://up.example/a-1.tgz"],
            Restrict::default(),
        );
        let mut c = cfg();
        c.force_mirror = true;
        let p = c.plan(&f);
        assert_eq!(p.warnings, ["no known mirror by the name: nosuch"]);
        assert!(!show(&p).iter().any(|s| s.starts_with('P')));
    }

    #[test]
    fn shuffle_keeps_members() {
        let f = fetchable(&["mirror://gnu/a/a-1.tgz"], Restrict::default());
        let mut c = cfg();
        c.no_shuffle = false;
        let mut got = show(&c.plan(&f));
        got.sort();
        let mut want = show(&cfg().plan(&f));
        want.sort();
        assert_eq!(got, want);
    }
}
