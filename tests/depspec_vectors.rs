//! Dependency-specification vectors: tests/vectors/depspec.txt (its header gives the
//! format). Every case is checked under each EAPI it names; all failures are reported.

use std::ops::RangeInclusive;

use strata_atom::depspec::{DepKind, DepSpec, Leaf};
use strata_atom::{Eapi, ParseError};

/// Undoes the file's escapes: `\t`, `\n`, `\s` (space), `\\`.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('s') => out.push(' '),
            Some('\\') => out.push('\\'),
            other => panic!("bad escape \\{other:?} in {s:?}"),
        }
    }
    out
}

/// `8`, `0-6`, `7-` or `2,5,8`.
fn eapis(spec: &str) -> Vec<Eapi> {
    let parse = |s: &str| Eapi::parse(s).unwrap_or_else(|e| panic!("EAPI {s:?}: {e}"));
    let mut out = Vec::new();
    for part in spec.split(',') {
        match part.split_once('-') {
            Some((lo, hi)) => {
                let lo = parse(lo);
                let hi = if hi.is_empty() {
                    Eapi::LATEST
                } else {
                    parse(hi)
                };
                out.extend(Eapi::ALL.into_iter().filter(|e| (lo..=hi).contains(e)));
            }
            None => out.push(parse(part)),
        }
    }
    assert!(!out.is_empty(), "no EAPI in {spec:?}");
    out
}

/// `4` or `4..9`.
fn positions(spec: &str) -> RangeInclusive<usize> {
    let num = |s: &str| {
        s.parse::<usize>()
            .unwrap_or_else(|e| panic!("position {s:?}: {e}"))
    };
    match spec.split_once("..") {
        Some((lo, hi)) => num(lo)..=num(hi),
        None => num(spec)..=num(spec),
    }
}

/// Enabled flags: comma separated, `-` for none.
fn flag_list(spec: &str) -> Vec<&str> {
    if spec == "-" {
        Vec::new()
    } else {
        spec.split(',').collect()
    }
}

struct Case<'a> {
    verb: &'a str,
    kind: DepKind,
    eapis: Vec<Eapi>,
    extra: Option<&'a str>,
    input: String,
    expected: Option<String>,
}

fn parse_line(line: &str) -> Case<'_> {
    let (head, rest) = line
        .split_once(": ")
        .or_else(|| line.strip_suffix(':').map(|h| (h, "")))
        .expect("`<head>: <input>`");
    let (input, expected) = if let Some(input) = rest.strip_suffix(" =>") {
        (input, Some(""))
    } else {
        match rest.split_once(" => ") {
            Some((input, expected)) => (input, Some(expected)),
            None => (rest, None),
        }
    };
    let fields: Vec<&str> = head.split_whitespace().collect();
    let (verb, kind, eapi_spec, extra) = match fields[..] {
        [verb, kind, eapis] => (verb, kind, eapis, None),
        [verb, kind, eapis, extra] => (verb, kind, eapis, Some(extra)),
        _ => panic!("bad head {head:?}"),
    };
    Case {
        verb,
        kind: kind.parse().unwrap_or_else(|e| panic!("{e}")),
        eapis: eapis(eapi_spec),
        extra,
        input: unescape(input),
        expected: expected.map(unescape),
    }
}

/// Checks one case under one EAPI; `Err` describes the mismatch.
fn check(case: &Case<'_>, eapi: Eapi) -> Result<(), String> {
    let parsed = DepSpec::parse(&case.input, case.kind, eapi);
    let want_error = matches!(case.verb, "error" | "eapierror" | "fail");
    if want_error {
        let range = positions(case.extra.ok_or("error without a position")?);
        let err = match parsed {
            Ok(spec) => return Err(format!("parsed, as {spec:?}")),
            Err(e) => e,
        };
        let kind_ok = match case.verb {
            "error" => matches!(err, ParseError::Invalid { .. }),
            "eapierror" => matches!(err, ParseError::EapiFeature { .. }),
            _ => true,
        };
        if !kind_ok {
            return Err(format!("wrong error kind: {err}"));
        }
        return match err.position() {
            Some(pos) if range.contains(&pos) => Ok(()),
            _ => Err(format!(
                "error at {:?}, want {range:?}: {err}",
                err.position()
            )),
        };
    }
    let spec = parsed.map_err(|e| format!("does not parse: {e}"))?;
    let expected = case.expected.as_deref();
    let canonical = spec.to_string();
    match DepSpec::parse(&canonical, case.kind, eapi) {
        Ok(again) if again == spec => {}
        other => return Err(format!("Display {canonical:?} re-parses as {other:?}")),
    }
    let flags_spec = case.extra.unwrap_or("*");
    let flags = flag_list(flags_spec);
    let flags = &flags[..];
    let got = match case.verb {
        "parse" => {
            let want = expected.unwrap_or(&case.input);
            return if canonical == want {
                Ok(())
            } else {
                Err(format!("canonical {canonical:?}, want {want:?}"))
            };
        }
        "eval" => {
            let evaluated = spec.evaluate(flags);
            if evaluated.has_conditionals() {
                return Err(format!("conditionals left in {evaluated}"));
            }
            evaluated.to_string()
        }
        "reduce" => {
            let reduced = spec.reduce(flags);
            let leaves: Vec<String> = reduced.leaves().map(ToString::to_string).collect();
            let evaluated: Vec<String> = spec
                .evaluated_leaves(flags)
                .map(ToString::to_string)
                .collect();
            if leaves != evaluated {
                return Err(format!(
                    "reduced leaves {leaves:?} != evaluated {evaluated:?}"
                ));
            }
            reduced.to_string()
        }
        "satisfied" => spec.is_satisfied(flags).to_string(),
        "leaves" => {
            let leaves: Vec<String> = if flags_spec == "*" {
                spec.leaves().map(ToString::to_string).collect()
            } else {
                spec.evaluated_leaves(flags)
                    .map(ToString::to_string)
                    .collect()
            };
            leaves.join(" ")
        }
        "distfiles" => spec
            .evaluated_uris(flags)
            .map(|u| u.distfile())
            .collect::<Vec<_>>()
            .join(" "),
        "uris" => spec
            .uris()
            .map(|u| {
                let prefix = u.prefix().map_or("-", |p| p.as_str());
                format!("{prefix}|{}|{}|{}", u.uri(), u.distfile(), u.is_mirror())
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => return Err(format!("unknown verb {other:?}")),
    };
    let want = expected.ok_or("no expected value")?;
    if got == want {
        Ok(())
    } else {
        Err(format!("got {got:?}, want {want:?}"))
    }
}

#[test]
fn depspec_vectors() {
    let path = strata_tests::vectors_dir().join("depspec.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut failures = Vec::new();
    let (mut cases, mut checks) = (0, 0);
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let case = parse_line(line);
        cases += 1;
        for &eapi in &case.eapis {
            checks += 1;
            if let Err(why) = check(&case, eapi) {
                failures.push(format!("line {} (EAPI {eapi}): {line}\n    {why}", n + 1));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cases >= 100, "only {cases} cases");
    assert!(checks > cases, "{checks} checks");
    // The vector file's atoms are all real leaves of their kind.
    let spec = DepSpec::parse("a/b", DepKind::Depend, Eapi::E0).expect("parses");
    assert!(matches!(spec.leaves().next(), Some(Leaf::Atom(_))));
}

/// Generated specifications: canonical Display is the input's tokens joined by single
/// spaces, it parses back to an equal value, and evaluation agrees with the evaluating
/// iterators and with satisfaction.
mod generated {
    use proptest::prelude::*;
    use strata_atom::Eapi;
    use strata_atom::depspec::{DepKind, DepSpec};

    const FLAGS: [&str; 4] = ["a", "b", "c", "d"];

    fn leaf(kind: DepKind) -> BoxedStrategy<String> {
        let pick = |items: &'static [&'static str]| {
            proptest::sample::select(items)
                .prop_map(str::to_owned)
                .boxed()
        };
        match kind {
            DepKind::Depend => pick(&[
                "dev-libs/a",
                ">=dev-libs/b-1.2:0/3[x,-y]",
                "!!sys-apps/c",
                "~app-misc/d-1_rc2",
                "=x11-libs/e-4*:5",
                "virtual/f:*",
            ]),
            DepKind::License => pick(&["GPL-2", "MIT", "Apache-2.0", "LGPL-2.1+", "CC0-1.0"]),
            DepKind::RequiredUse => pick(&["a", "!a", "b", "!b", "c", "d", "!d"]),
            DepKind::SrcUri => pick(&[
                "https://a.org/x-1.tar.gz",
                "https://a.org/v1 -> y-1.tgz",
                "mirror://gnu/z/z-2.tar.xz",
                "fetch+https://b.org/w.zip",
                "local.tar",
            ]),
            _ => pick(&["test", "mirror", "bindist", "live", "strip"]),
        }
    }

    /// A valid item of `kind`, nested up to `depth` groups.
    fn item(kind: DepKind, depth: u32) -> BoxedStrategy<String> {
        let leaf = leaf(kind);
        leaf.prop_recursive(depth, 24, 4, move |inner| {
            let group = proptest::collection::vec(inner, 1..4)
                .prop_map(|items| {
                    let mut s = String::from("(");
                    for i in items {
                        s.push(' ');
                        s.push_str(&i);
                    }
                    s + " )"
                })
                .boxed();
            let mut ops: Vec<&'static str> = vec!["", "a? ", "!b? ", "c? "];
            if kind.allows_any_of() {
                ops.push("|| ");
            }
            if kind.allows_one_of() {
                ops.extend(["^^ ", "?? "]);
            }
            (proptest::sample::select(ops), group)
                .prop_map(|(op, g)| format!("{op}{g}"))
                .boxed()
        })
        .boxed()
    }

    fn spec(kind: DepKind) -> impl Strategy<Value = String> {
        proptest::collection::vec(item(kind, 4), 0..5).prop_map(|items| items.join(" "))
    }

    /// Re-spaces a canonical string with random whitespace runs.
    fn respace(canonical: &str, seps: &[&str]) -> String {
        let mut out = String::new();
        for (i, token) in canonical.split(' ').enumerate() {
            out.push_str(seps[i % seps.len()]);
            out.push_str(token);
        }
        out.push_str(seps[0]);
        out
    }

    fn check(
        kind: DepKind,
        canonical: &str,
        seps: &[&str],
        on: &[&str],
    ) -> Result<(), TestCaseError> {
        let input = respace(canonical, seps);
        let spec = DepSpec::parse(&input, kind, Eapi::E8)
            .map_err(|e| TestCaseError::fail(format!("{input:?}: {e}")))?;
        prop_assert_eq!(spec.to_string(), canonical);
        prop_assert_eq!(DepSpec::parse(canonical, kind, Eapi::E8), Ok(spec.clone()));
        let evaluated = spec.evaluate(on);
        prop_assert!(!evaluated.has_conditionals());
        let a: Vec<String> = spec.evaluated_leaves(on).map(|l| l.to_string()).collect();
        let b: Vec<String> = evaluated.leaves().map(|l| l.to_string()).collect();
        prop_assert_eq!(&a, &b);
        // Emptied groups show as `( )`, which is no valid input; the rest parses back.
        let evaluated_text = evaluated.to_string();
        if !evaluated_text.contains("( )") {
            prop_assert_eq!(
                DepSpec::parse(&evaluated_text, kind, Eapi::E8),
                Ok(evaluated.clone())
            );
        }
        if kind == DepKind::RequiredUse {
            prop_assert_eq!(spec.is_satisfied(on), evaluated.is_satisfied(on));
        }
        // Reduction keeps the evaluated leaves in order and is idempotent.
        let reduced = spec.reduce(on);
        let c: Vec<String> = reduced.leaves().map(|l| l.to_string()).collect();
        prop_assert_eq!(&c, &b);
        prop_assert_eq!(reduced.reduce(on), reduced.clone());
        prop_assert!(!reduced.has_conditionals());
        Ok(())
    }

    fn seps() -> impl Strategy<Value = Vec<&'static str>> {
        proptest::collection::vec(
            proptest::sample::select(&[" ", "  ", "\t", "\n", " \t\n"][..]),
            1..4,
        )
    }

    fn flags() -> impl Strategy<Value = Vec<&'static str>> {
        proptest::sample::subsequence(&FLAGS[..], 0..=FLAGS.len())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn depend(s in spec(DepKind::Depend), seps in seps(), on in flags()) {
            check(DepKind::Depend, &s, &seps, &on)?;
        }

        #[test]
        fn license(s in spec(DepKind::License), seps in seps(), on in flags()) {
            check(DepKind::License, &s, &seps, &on)?;
        }

        #[test]
        fn required_use(s in spec(DepKind::RequiredUse), seps in seps(), on in flags()) {
            check(DepKind::RequiredUse, &s, &seps, &on)?;
        }

        #[test]
        fn src_uri(s in spec(DepKind::SrcUri), seps in seps(), on in flags()) {
            check(DepKind::SrcUri, &s, &seps, &on)?;
        }

        #[test]
        fn restrict(s in spec(DepKind::Restrict), seps in seps(), on in flags()) {
            check(DepKind::Restrict, &s, &seps, &on)?;
        }
    }
}
