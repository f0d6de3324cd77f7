//! `package.provided` (Portage's `pprovideddict`, pkgcore's `pkg_provided`): package
//! versions declared installed without being in the vdb.
//!
//! Read from every profile directory of the stack whose EAPI allows it (EAPI 0 to 6,
//! formats.md §9.4; a file in a later-EAPI directory is ignored with a warning, as Portage
//! does) and from the user profile (`/etc/portage/profile/package.provided`, allowed
//! unless that directory's own `eapi` file names a later EAPI). The lines are stacked as
//! Portage's `stack_lists(incremental=1)` does: in stacking order, `-X` removes an earlier
//! identical line `X`, `-*` removes everything before it, and a repeated line is kept
//! once, at its first place. Then each surviving line must be a plain
//! `category/package-version` (what `=` makes a valid atom of and `catpkgsplit` splits:
//! no operator, slot or wildcard); other lines become warnings with their file and line.

use strata_atom::cpv::Cpv;

use crate::error::{Location, Warning};
use crate::linefile::{Line, stack_lines};
use crate::profile::Profile;

/// One `package.provided` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvidedEntry {
    /// The version declared provided.
    pub cpv: Cpv,
    /// Where it is declared.
    pub location: Location,
}

/// Whether a profile directory of EAPI `eapi` may have a `package.provided` file (the
/// EAPIs up to 6, with Portage's names for the transitional ones).
pub fn eapi_allows_package_provided(eapi: &str) -> bool {
    match eapi.parse::<u32>() {
        Ok(n) => n <= 6,
        Err(_) => matches!(eapi, "4-python" | "4-slot-abi" | "5-progress" | "5-hdepend"),
    }
}

/// The stacked `package.provided` entries of `profile` (user profile included), in
/// stacking order; problems are appended to `warnings`.
pub fn stack_provided(profile: &Profile, warnings: &mut Vec<Warning>) -> Vec<ProvidedEntry> {
    let mut lines: Vec<Line> = Vec::new();
    for node in &profile.nodes {
        let Some(file) = node.files.get("package.provided") else {
            continue;
        };
        if !eapi_allows_package_provided(&node.eapi) {
            if let Some(first) = file.first() {
                warnings.push(Warning::new(
                    Location::new(&first.location.path, 0),
                    format!(
                        "package.provided is not allowed in EAPI {}; ignored",
                        node.eapi
                    ),
                ));
            }
            continue;
        }
        for line in file {
            if line.tokens.len() != 1 {
                warnings.push(Warning::new(
                    line.location.clone(),
                    format!(
                        "invalid package.provided entry {:?}: expected one category/package-version",
                        line.text()
                    ),
                ));
                continue;
            }
            lines.push(line.clone());
        }
    }
    let (kept, _unmatched) = stack_lines(lines);
    let mut out: Vec<ProvidedEntry> = Vec::new();
    for line in kept {
        let text = &line.tokens[0];
        if out.iter().any(|p| p.cpv.as_str() == text) {
            continue;
        }
        match Cpv::parse(text) {
            Ok(cpv) if cpv.category() != "null" => out.push(ProvidedEntry {
                cpv,
                location: line.location.clone(),
            }),
            Ok(_) => warnings.push(Warning::new(
                line.location.clone(),
                format!("invalid package.provided entry {text:?}: category \"null\""),
            )),
            Err(e) => warnings.push(Warning::new(
                line.location.clone(),
                format!(
                    "invalid package.provided entry {text:?} (expected category/package-version): {e}"
                ),
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::path::Path;

    use super::*;
    use crate::linefile::parse_lines;
    use crate::profile::ProfileNode;

    fn node(eapi: &str, provided: &str, file: &str, is_user: bool) -> ProfileNode {
        let mut lines = Vec::new();
        parse_lines(provided, Path::new(file), &mut lines);
        let mut files = indexmap::IndexMap::new();
        files.insert("package.provided", lines);
        ProfileNode {
            path: Path::new(file).parent().unwrap().to_path_buf(),
            repo: None,
            eapi: eapi.into(),
            deprecated: None,
            make_defaults: crate::settings::Layer::new(file.to_string()),
            files,
            is_user,
        }
    }

    fn profile(nodes: Vec<ProfileNode>) -> Profile {
        Profile {
            path: "/p".into(),
            nodes,
            warnings: Vec::new(),
        }
    }

    fn cpvs(p: &[ProvidedEntry]) -> Vec<&str> {
        p.iter().map(|p| p.cpv.as_str()).collect()
    }

    #[test]
    fn eapis() {
        for e in ["0", "1", "5", "6", "5-progress"] {
            assert!(eapi_allows_package_provided(e), "{e}");
        }
        for e in ["7", "8", "9", "10", "", "x"] {
            assert!(!eapi_allows_package_provided(e), "{e}");
        }
    }

    #[test]
    fn stacking_validation_and_eapi() {
        let p = profile(vec![
            node(
                "5",
                "dev-util/diffball-0.7.1\nsys-apps/a-1\nsys-apps/a-1\ndev-lang/perl-5.36\n",
                "/base/package.provided",
                false,
            ),
            node(
                "8",
                "sys-apps/ignored-1\n",
                "/eapi8/package.provided",
                false,
            ),
            node(
                "0",
                "-dev-util/diffball-0.7.1\n-sys-apps/nothing-1\ndev-util/bsdiff-0.4\n>=sys-apps/op-1\nsys-apps/noversion\nsys-apps/slot-1:0\nnull/x-1\nsys-apps/two-1 sys-apps/three-1\n",
                "/etc/portage/profile/package.provided",
                true,
            ),
        ]);
        let mut w = Vec::new();
        let got = stack_provided(&p, &mut w);
        assert_eq!(
            cpvs(&got),
            ["sys-apps/a-1", "dev-lang/perl-5.36", "dev-util/bsdiff-0.4"]
        );
        assert_eq!(got[0].location.to_string(), "/base/package.provided:2");
        assert_eq!(
            got[2].location.to_string(),
            "/etc/portage/profile/package.provided:3"
        );
        let msgs: Vec<String> = w.iter().map(ToString::to_string).collect();
        assert_eq!(msgs.len(), 6, "{msgs:#?}");
        assert_eq!(
            msgs[0],
            "/eapi8/package.provided: package.provided is not allowed in EAPI 8; ignored"
        );
        assert!(
            msgs[1].starts_with("/etc/portage/profile/package.provided:8: invalid package.provided entry \"sys-apps/two-1 sys-apps/three-1\""),
            "{msgs:#?}"
        );
        for (m, line) in msgs[2..].iter().zip([4, 5, 6, 7]) {
            assert!(
                m.starts_with(&format!(
                    "/etc/portage/profile/package.provided:{line}: invalid package.provided entry"
                )),
                "{m}"
            );
        }
    }

    #[test]
    fn minus_star_clears_inherited() {
        let p = profile(vec![
            node("5", "a/b-1\nc/d-2\n", "/x/package.provided", false),
            node("0", "-*\ne/f-3\n", "/y/package.provided", true),
        ]);
        let mut w = Vec::new();
        assert_eq!(cpvs(&stack_provided(&p, &mut w)), ["e/f-3"]);
        assert!(w.is_empty(), "{w:?}");
    }
}
