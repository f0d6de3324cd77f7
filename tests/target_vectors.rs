//! pkgcore's extended target syntax: every target in `vectors/targets.txt` is parsed with
//! `strata_restrict::parse_target` and matched against the packages listed under it, and
//! every invalid target must fail at the given byte position.
#![allow(clippy::unwrap_used)]

use strata_restrict::{Attr, MemoryPackage, Restriction, parse_target};

/// A package line: `cat/pkg-ver[:slot[/sub]][::repo] [use=a,b] [iuse=a,+b]`.
fn package(spec: &str) -> MemoryPackage {
    let mut fields = spec.split_ascii_whitespace();
    let head = fields.next().expect("package spec");
    let (head, repo) = match head.split_once("::") {
        Some((h, r)) => (h, Some(r)),
        None => (head, None),
    };
    let (cpv, slot) = match head.split_once(':') {
        Some((c, s)) => (c, Some(s)),
        None => (head, None),
    };
    let mut p = MemoryPackage::new(cpv).unwrap_or_else(|e| panic!("bad cpv in {spec:?}: {e}"));
    if let Some(s) = slot {
        p = p.with_slot(s);
    }
    if let Some(r) = repo {
        p = p.with_repo(r);
    }
    for f in fields {
        let (k, v) = f
            .split_once('=')
            .unwrap_or_else(|| panic!("bad field {f:?}"));
        let list = v.split(',').filter(|s| !s.is_empty());
        p = match k {
            "use" => p.with_list(Attr::Use, list),
            "iuse" => p.with_list(Attr::Iuse, list),
            _ => panic!("unknown field {k:?} in {spec:?}"),
        };
    }
    p
}

#[test]
fn target_vectors() {
    let path = strata_tests::vectors_dir().join("targets.txt");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let mut current: Option<(String, Restriction)> = None;
    let (mut targets, mut checks, mut invalid) = (0, 0, 0);
    let mut failures = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let lineno = n + 1;
        if let Some(t) = line.strip_prefix("target: ") {
            targets += 1;
            match parse_target(t) {
                Ok(r) => current = Some((t.to_owned(), r)),
                Err(e) => {
                    failures.push(format!("line {lineno}: {t:?} must parse: {e}"));
                    current = None;
                }
            }
        } else if let Some(rest) = line.strip_prefix("invalid: ") {
            invalid += 1;
            current = None;
            let (t, pos) = rest.rsplit_once(" @ ").expect("invalid: <target> @ <pos>");
            let want = if pos == "-" {
                None
            } else {
                Some(pos.parse::<usize>().expect("position"))
            };
            match parse_target(t) {
                Ok(r) => failures.push(format!("line {lineno}: {t:?} must fail, gave {r}")),
                Err(e) => {
                    if e.position() != want {
                        failures.push(format!(
                            "line {lineno}: {t:?} failed at {:?}, expected {want:?}: {e}",
                            e.position()
                        ));
                    }
                    assert_eq!(e.input(), t);
                }
            }
        } else if let Some((sign, spec)) = line
            .strip_prefix("+ ")
            .map(|s| (true, s))
            .or_else(|| line.strip_prefix("- ").map(|s| (false, s)))
        {
            checks += 1;
            let Some((t, r)) = &current else {
                continue; // The target failed to parse; already reported.
            };
            let p = package(spec);
            if r.matches(&p) != sign {
                failures.push(format!(
                    "line {lineno}: {t:?} (= {r}) must {}match {spec}",
                    if sign { "" } else { "not " }
                ));
            }
            // Candidate pruning never loses a match.
            if sign
                && !r
                    .candidates()
                    .matches(p.cpv().category(), p.cpv().package())
            {
                failures.push(format!(
                    "line {lineno}: {t:?} candidates {} exclude {spec}",
                    r.candidates()
                ));
            }
        } else {
            assert!(
                line.trim().is_empty() || line.starts_with('#'),
                "line {lineno}: unrecognised {line:?}"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(targets >= 40, "only {targets} targets");
    assert!(checks >= 150, "only {checks} checks");
    assert!(invalid >= 20, "only {invalid} invalid targets");
}
