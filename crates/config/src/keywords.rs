//! Keyword acceptance (formats.md §9.5 point 2, Portage `KeywordsManager`).

/// Stacks accept-keyword tokens incrementally: `-*` clears, `-X` removes X.
pub fn stack_accept_keywords<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut acc: Vec<String> = Vec::new();
    crate::settings::apply_incremental_tokens(&mut acc, tokens);
    acc
}

/// The tokens a bare `package.accept_keywords` entry (an atom with no keywords) stands
/// for: `~arch` for every stable arch in `accept_keywords`.
pub fn default_testing_keywords(accept_keywords: &[String]) -> Vec<String> {
    accept_keywords
        .iter()
        .filter(|k| !k.starts_with('~') && !k.starts_with('-') && *k != "*" && *k != "**")
        .map(|k| format!("~{k}"))
        .collect()
}

/// Whether a package with `keywords` (its KEYWORDS) is accepted by the accept set
/// `accepted` (ACCEPT_KEYWORDS plus matching package.accept_keywords, already stacked).
///
/// Accepted if any of: a keyword appears in `accepted`; KEYWORDS has `*`, or `~*` while
/// `accepted` has some `~x`; `accepted` has `~*` and KEYWORDS has some `~x`; `accepted`
/// has `*` and KEYWORDS has a stable keyword; `accepted` has `**`. `-x` never accepts.
pub fn keywords_accepted(keywords: &[&str], accepted: &[String]) -> bool {
    let acc = |k: &str| accepted.iter().any(|a| a == k);
    if acc("**") {
        return true;
    }
    let any_testing_accepted = accepted.iter().any(|a| a.starts_with('~') && a.len() > 1);
    for &kw in keywords {
        if kw.starts_with('-') {
            continue;
        }
        if acc(kw) {
            return true;
        }
        if kw == "*" {
            return true;
        }
        if kw == "~*" && any_testing_accepted {
            return true;
        }
        if kw.starts_with('~') {
            if acc("~*") {
                return true;
            }
        } else if acc("*") {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn portage_rules() {
        let stable = s(&["amd64"]);
        let testing = s(&["amd64", "~amd64"]);
        assert!(keywords_accepted(&["amd64", "~x86"], &stable));
        assert!(!keywords_accepted(&["~amd64"], &stable));
        assert!(keywords_accepted(&["~amd64"], &testing));
        assert!(!keywords_accepted(&["amd64"], &s(&["~amd64"])));
        assert!(!keywords_accepted(&[], &testing));
        assert!(keywords_accepted(&[], &s(&["**"])));
        assert!(!keywords_accepted(&["-amd64"], &testing));
        assert!(!keywords_accepted(&["-*"], &testing));
        assert!(keywords_accepted(&["x86"], &s(&["*"])));
        assert!(!keywords_accepted(&["~x86"], &s(&["*"])));
        assert!(keywords_accepted(&["~x86"], &s(&["~*"])));
        assert!(!keywords_accepted(&["x86"], &s(&["~*"])));
        assert!(keywords_accepted(&["*"], &stable));
        assert!(keywords_accepted(&["~*"], &testing));
        assert!(!keywords_accepted(&["~*"], &stable));
    }

    #[test]
    fn stacking_and_defaults() {
        assert_eq!(
            stack_accept_keywords(["amd64", "~amd64", "-amd64"]),
            ["~amd64"]
        );
        assert_eq!(stack_accept_keywords(["amd64", "-*", "x86"]), ["x86"]);
        assert_eq!(
            default_testing_keywords(&s(&["amd64", "~amd64", "x86"])),
            ["~amd64", "~x86"]
        );
    }
}
