//! The `category/package` names a dependency specification mentions, for reverse-dependency
//! lookups. Tolerant: it never fails, it only collects what looks like an atom.

/// Every distinct `category/package` named by an atom in `spec` (blockers included),
/// in order of first appearance. Groups (`||`, `^^`, `??`, parentheses) and USE
/// conditionals (`flag?`, `!flag?`) are skipped.
pub fn dep_packages(spec: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for token in spec.split_ascii_whitespace() {
        if let Some(cp) = atom_package(token)
            && !out.contains(&cp)
        {
            out.push(cp);
        }
    }
    out
}

/// The `category/package` of one atom token, or `None` for operators and conditionals.
pub fn atom_package(token: &str) -> Option<&str> {
    if matches!(token, "(" | ")" | "||" | "^^" | "??") || token.ends_with('?') {
        return None;
    }
    let mut s = token;
    s = s
        .strip_prefix("!!")
        .or_else(|| s.strip_prefix('!'))
        .unwrap_or(s);
    let unop = s.trim_start_matches(['<', '>', '=', '~']);
    let versioned = unop.len() != s.len();
    let mut end = unop.len();
    for (i, b) in unop.bytes().enumerate() {
        if b == b':' || b == b'[' {
            end = i;
            break;
        }
    }
    let mut cpv = &unop[..end];
    if versioned {
        cpv = cpv.strip_suffix('*').unwrap_or(cpv);
        let (cat, rest) = cpv.split_once('/')?;
        let at = strata_atom::name::version_suffix_start(rest)?;
        cpv = &cpv[..cat.len() + 1 + at];
    }
    let (cat, pkg) = cpv.split_once('/')?;
    if cat.is_empty() || pkg.is_empty() || pkg.contains('/') {
        return None;
    }
    Some(cpv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_names_from_every_atom_form() {
        let spec = ">=dev-lang/python-3.11:3.11[sqlite] || ( app-a/b:= !!<app-c/d-1 ) \
                    doc? ( =dev-python/sphinx-7* ) !x? ( ~sys-libs/zlib-1.3-r1 app-a/b ) \
                    !<sys-apps/foo-2.0_rc1::gentoo";
        assert_eq!(
            dep_packages(spec),
            [
                "dev-lang/python",
                "app-a/b",
                "app-c/d",
                "dev-python/sphinx",
                "sys-libs/zlib",
                "sys-apps/foo"
            ]
        );
    }

    #[test]
    fn ignores_non_atoms() {
        assert!(dep_packages("( ) || foo? !bar? nonsense").is_empty());
        assert_eq!(atom_package(">=foo"), None);
    }
}
