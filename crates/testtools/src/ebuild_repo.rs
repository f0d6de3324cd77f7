//! Small ebuild repositories written by tests: the skeleton a repository and a profile
//! need, and ebuilds with md5-cache entries that validate.

use std::path::Path;

use md5::{Digest, Md5};

use crate::tree::write_file;

/// Writes the skeleton of an ebuild repository named `name` at `repo`: `profiles/repo_name`,
/// `profiles/categories` (`categories`, one per line), a profile `profiles/default` (EAPI 8,
/// ARCH amd64, ACCEPT_KEYWORDS amd64) and `metadata/layout.conf` with no masters followed
/// by `layout_extra` lines. Returns the profile's path (for [`crate::write_portage_config`]).
///
/// # Panics
/// On any I/O error.
pub fn write_repo_skeleton(
    repo: &Path,
    name: &str,
    categories: &[&str],
    layout_extra: &str,
) -> std::path::PathBuf {
    write_file(repo, "profiles/repo_name", &format!("{name}\n"));
    let mut cats = categories.join("\n");
    cats.push('\n');
    write_file(repo, "profiles/categories", &cats);
    write_file(repo, "profiles/default/eapi", "8\n");
    write_file(
        repo,
        "profiles/default/make.defaults",
        "ARCH=\"amd64\"\nACCEPT_KEYWORDS=\"amd64\"\n",
    );
    write_file(
        repo,
        "metadata/layout.conf",
        &format!("masters =\n{layout_extra}"),
    );
    repo.join("profiles/default")
}

/// Writes the ebuild of `cpv` (`category/PF`) with the text `ebuild`, and its md5-cache
/// entry: `keys` as `KEY=value` lines in the order given, then `_md5_` of the ebuild, so
/// the entry validates (for an ebuild inheriting nothing).
///
/// # Panics
/// On a `cpv` without `/` or a PF without a version, and on any I/O error.
pub fn write_ebuild_with_entry(repo: &Path, cpv: &str, ebuild: &str, keys: &[(&str, &str)]) {
    let (category, pf) = cpv
        .split_once('/')
        .unwrap_or_else(|| panic!("{cpv:?} is not category/PF"));
    let pn = package_name(pf).unwrap_or_else(|| panic!("{pf:?} has no version"));
    write_file(repo, &format!("{category}/{pn}/{pf}.ebuild"), ebuild);
    let mut entry = String::new();
    for (k, v) in keys {
        entry.push_str(&format!("{k}={v}\n"));
    }
    let digest: String = Md5::digest(ebuild.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    entry.push_str(&format!("_md5_={digest}\n"));
    write_file(repo, &format!("metadata/md5-cache/{cpv}"), &entry);
}

/// PN of a PF: everything before the version (`foo-bar-1.2-r1` → `foo-bar`); the version
/// starts at the last `-` followed by a digit, not counting a `-rN` revision.
fn package_name(pf: &str) -> Option<&str> {
    let without_rev = match pf.rsplit_once("-r") {
        Some((head, rev)) if !rev.is_empty() && rev.bytes().all(|b| b.is_ascii_digit()) => head,
        _ => pf,
    };
    let (pn, ver) = without_rev.rsplit_once('-')?;
    ver.starts_with(|c: char| c.is_ascii_digit()).then_some(pn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        assert_eq!(package_name("foo-1"), Some("foo"));
        assert_eq!(package_name("foo-bar-1.2-r1"), Some("foo-bar"));
        assert_eq!(package_name("foo-2a_rc1"), Some("foo"));
        assert_eq!(package_name("foo"), None);
    }
}
