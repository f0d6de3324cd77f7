//! Data-driven vectors written from the rules (formats.md sections 4, 10.2 and 10.4):
//! Manifest lines, candidate URI order, GLEP 75 mirror paths. See each file's header.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use strata_fetch::{
    Candidate, Fetchable, Layout, Manifest, MirrorConfig, MirrorMap, Restrict, SrcUriItem,
};

fn vectors(name: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn manifest_lines() {
    let text = vectors("manifest.txt");
    let mut n = 0;
    for (i, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (kind, body) = line.split_once(' ').unwrap();
        let parsed = Manifest::parse(body);
        match kind {
            "ok" => {
                let m = parsed.unwrap_or_else(|e| panic!("line {}: {body:?}: {e}", i + 1));
                assert_eq!(m.entries().len(), 1, "line {}", i + 1);
                assert_eq!(m.to_string(), format!("{body}\n"), "line {}", i + 1);
            }
            "ok~" => {
                let m = parsed.unwrap_or_else(|e| panic!("line {}: {body:?}: {e}", i + 1));
                let written = m.to_string();
                assert_ne!(written, format!("{body}\n"), "line {} is canonical", i + 1);
                // The canonical form is stable and means the same.
                let again = Manifest::parse(&written).unwrap();
                assert_eq!(again.to_string(), written, "line {}", i + 1);
                assert_eq!(again.entries()[0], m.entries()[0], "line {}", i + 1);
            }
            "err" => {
                let e = parsed
                    .err()
                    .unwrap_or_else(|| panic!("line {}: accepted {body:?}", i + 1));
                assert_eq!(e.line, 1, "line {}", i + 1);
            }
            other => panic!("line {}: bad kind {other}", i + 1),
        }
        n += 1;
    }
    assert!(n > 40);
}

fn parse_src(s: &str) -> Vec<SrcUriItem> {
    let toks: Vec<&str> = s.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if toks.get(i + 1) == Some(&"->") {
            out.push(SrcUriItem::from_token(toks[i], Some(toks[i + 2])));
            i += 3;
        } else {
            out.push(SrcUriItem::from_token(toks[i], None));
            i += 1;
        }
    }
    out
}

#[test]
fn uri_order() {
    let text = vectors("uri_order.txt");
    let mut cases = 0;
    for block in text.split("\ncase: ").skip(1) {
        let mut lines = block.lines();
        let title = lines.next().unwrap().to_owned();
        let mut cfg = MirrorConfig {
            no_shuffle: true,
            ..MirrorConfig::default()
        };
        let mut restrict = Restrict::default();
        let mut src = String::new();
        let mut expect: Vec<String> = Vec::new();
        let mut in_expect = false;
        for l in lines {
            if in_expect {
                if !l.trim().is_empty() {
                    expect.push(l.to_owned());
                }
                continue;
            }
            let (k, v) = l.split_once(':').unwrap_or((l, ""));
            let v = v.trim();
            match k.split_whitespace().collect::<Vec<_>>().as_slice() {
                ["restrict"] => restrict = Restrict::from_tokens(v.split_whitespace()),
                ["gentoo_mirrors"] => {
                    cfg.gentoo_mirrors = v.split_whitespace().map(str::to_owned).collect()
                }
                ["local"] => cfg.custom.extend(&MirrorMap::parse(&format!("local {v}"))),
                ["custom", name] => cfg.custom.extend(&MirrorMap::parse(&format!("{name} {v}"))),
                ["thirdparty", name] => cfg
                    .thirdparty
                    .extend(&MirrorMap::parse(&format!("{name} {v}"))),
                ["force_mirror"] => cfg.force_mirror = v == "true",
                ["src"] => src = v.to_owned(),
                ["expect"] => in_expect = true,
                _ => panic!("{title}: bad line {l:?}"),
            }
        }
        let fetchables = Fetchable::from_items(parse_src(&src), None, restrict).unwrap();
        assert_eq!(fetchables.len(), 1, "{title}");
        let plan = cfg.plan(&fetchables[0]);
        let mut got: Vec<String> = plan
            .candidates
            .iter()
            .map(|c| match c {
                Candidate::Mirror { base } => format!("mirror {base}"),
                Candidate::Url { url, .. } => format!("url {url}"),
            })
            .collect();
        got.extend(plan.warnings.iter().map(|w| format!("warn {w}")));
        assert_eq!(got, expect, "case: {title}");
        cases += 1;
    }
    assert!(cases >= 10);
}

#[test]
fn mirror_layout_paths() {
    let text = vectors("layout.txt");
    let mut n = 0;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 3, "{line:?}");
        let got = Layout::parse(f[0]).map(|l| l.path(f[1], None).unwrap());
        match f[2] {
            "-" => assert_eq!(got, None, "{line:?}"),
            want => assert_eq!(got.as_deref(), Some(want), "{line:?}"),
        }
        n += 1;
    }
    assert!(n >= 10);
}
