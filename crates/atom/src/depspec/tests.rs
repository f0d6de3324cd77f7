//! Unit tests of the parser, evaluation and satisfaction.

use super::*;
use crate::error::ParseError;

fn parse(s: &str, kind: DepKind, eapi: Eapi) -> DepSpec {
    match DepSpec::parse(s, kind, eapi) {
        Ok(spec) => spec,
        Err(e) => panic!("{s:?} as {kind} in EAPI {eapi}: {e}"),
    }
}

fn err_pos(s: &str, kind: DepKind, eapi: Eapi) -> usize {
    match DepSpec::parse(s, kind, eapi) {
        Ok(spec) => panic!("{s:?} as {kind} in EAPI {eapi} parsed: {spec}"),
        Err(e) => e.position().expect("error has a position"),
    }
}

fn canon(s: &str, kind: DepKind) -> String {
    let spec = parse(s, kind, Eapi::E8);
    let text = spec.to_string();
    assert_eq!(DepSpec::parse(&text, kind, Eapi::E8), Ok(spec), "{text}");
    text
}

#[test]
fn structure_and_canonical_form() {
    assert_eq!(canon("", DepKind::Depend), "");
    assert_eq!(canon(" \t\n ", DepKind::Depend), "");
    assert_eq!(
        canon("  a/b\t( c/d   e/f )\n|| ( g/h i/j )", DepKind::Depend),
        "a/b ( c/d e/f ) || ( g/h i/j )"
    );
    assert_eq!(
        canon("!x? ( y? ( a/b ) ) ( c/d )", DepKind::Depend),
        "!x? ( y? ( a/b ) ) ( c/d )"
    );
    let spec = parse("|| ( a/b x? ( c/d ) )", DepKind::Depend, Eapi::E8);
    match spec.items() {
        [DepNode::AnyOf(children)] => {
            assert!(matches!(&children[0], DepNode::Leaf(Leaf::Atom(_))));
            match &children[1] {
                DepNode::Conditional(cond, inner) => {
                    assert_eq!((cond.flag(), cond.negated()), ("x", false));
                    assert_eq!(inner.len(), 1);
                }
                other => panic!("{other:?}"),
            }
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        canon(
            "^^ ( a b ) ?? ( !c d ) || ( e ( f g ) )",
            DepKind::RequiredUse
        ),
        "^^ ( a b ) ?? ( !c d ) || ( e ( f g ) )"
    );
}

#[test]
fn syntax_errors_and_positions() {
    let d = DepKind::Depend;
    assert_eq!(err_pos("|| ( a/b", d, Eapi::E8), 8);
    assert_eq!(err_pos("a/b )", d, Eapi::E8), 4);
    assert_eq!(err_pos("( a/b)", d, Eapi::E8), 5);
    assert_eq!(err_pos("(a/b )", d, Eapi::E8), 0);
    assert_eq!(err_pos("|| a/b", d, Eapi::E8), 3);
    assert_eq!(err_pos("||", d, Eapi::E8), 2);
    assert_eq!(err_pos("x? a/b", d, Eapi::E8), 3);
    assert_eq!(err_pos("x?", d, Eapi::E8), 2);
    assert_eq!(err_pos("a/b ?", d, Eapi::E8), 4);
    assert_eq!(err_pos("a/b !? ( c/d )", d, Eapi::E8), 5);
    assert_eq!(err_pos("a/b -x? ( c/d )", d, Eapi::E8), 4);
    assert_eq!(err_pos("^^ ( a/b )", d, Eapi::E8), 0);
    assert_eq!(err_pos("?? ( a/b )", d, Eapi::E8), 0);
    assert_eq!(err_pos("a/b nocategory", d, Eapi::E8), 4);
    // Empty groups of every form.
    assert_eq!(err_pos("a/b ( )", d, Eapi::E8), 6);
    assert_eq!(err_pos("|| ( )", d, Eapi::E8), 5);
    assert_eq!(err_pos("x? ( ( ) )", d, Eapi::E8), 7);
    parse("^^ ( ) ( || ( ) ) x? ( )", DepKind::RequiredUse, Eapi::E8);
    let e = DepSpec::parse("|| ( a/b", d, Eapi::E8).expect_err("unbalanced");
    assert_eq!(
        e.to_string(),
        r#"invalid dependency specification "|| ( a/b": missing ')' (at 8)"#
    );
    assert!(matches!(
        e,
        ParseError::Invalid {
            kind: crate::InputKind::DepSpec,
            ..
        }
    ));
}

#[test]
fn any_of_only_where_allowed() {
    for kind in [DepKind::SrcUri, DepKind::Restrict, DepKind::Properties] {
        assert_eq!(err_pos("|| ( a b )", kind, Eapi::E8), 0, "{kind}");
    }
    parse("|| ( GPL-2 MIT )", DepKind::License, Eapi::E0);
    parse("|| ( a b )", DepKind::RequiredUse, Eapi::E4);
}

#[test]
fn eapi_gates() {
    let e = DepSpec::parse("dev-libs/a", DepKind::Bdepend, Eapi::E6).expect_err("gated");
    assert_eq!(
        e.to_string(),
        r#"invalid dependency specification "dev-libs/a": BDEPEND is not allowed in EAPI 6 (at 0)"#
    );
    assert!(DepSpec::parse("dev-libs/a", DepKind::Bdepend, Eapi::E7).is_ok());
    assert!(DepSpec::parse(" a/b", DepKind::Idepend, Eapi::E7).is_err());
    assert!(DepSpec::parse("", DepKind::Idepend, Eapi::E7).is_ok());
    assert!(DepSpec::parse("a/b", DepKind::Idepend, Eapi::E8).is_ok());
    assert!(DepSpec::parse("foo", DepKind::RequiredUse, Eapi::E3).is_err());
    assert!(DepSpec::parse("^^ ( a b )", DepKind::RequiredUse, Eapi::E4).is_ok());
    assert_eq!(err_pos("a ?? ( b c )", DepKind::RequiredUse, Eapi::E4), 2);
    assert!(DepSpec::parse("?? ( b c )", DepKind::RequiredUse, Eapi::E5).is_ok());
    let e = DepSpec::parse("?? ( b c )", DepKind::RequiredUse, Eapi::E4).expect_err("gated");
    assert!(matches!(e, ParseError::EapiFeature { .. }), "{e}");
}

#[test]
fn slot_equals_operator() {
    parse("a/b:= c/d:0=", DepKind::Depend, Eapi::E5);
    assert_eq!(
        err_pos("x/y || ( a/b:= c/d )", DepKind::Depend, Eapi::E8),
        9
    );
    assert_eq!(
        err_pos("|| ( ( a/b c/d:0= ) )", DepKind::Rdepend, Eapi::E8),
        11
    );
    assert_eq!(
        err_pos("|| ( x? ( c/d:= ) )", DepKind::Rdepend, Eapi::E8),
        10
    );
    assert_eq!(err_pos("a/b:=", DepKind::Pdepend, Eapi::E8), 0);
    parse("a/b:* || ( c/d:* e/f:1 )", DepKind::Pdepend, Eapi::E8);
}

#[test]
fn leaves_per_kind() {
    let lic = parse(
        "GPL-2+ || ( MIT BSD ) x? ( Apache-2.0 )",
        DepKind::License,
        Eapi::E8,
    );
    let names: Vec<_> = lic.leaves().filter_map(Leaf::as_license).collect();
    assert_eq!(names, ["GPL-2+", "MIT", "BSD", "Apache-2.0"]);
    assert_eq!(err_pos("MIT @FREE", DepKind::License, Eapi::E8), 4);
    assert_eq!(err_pos("MIT -GPL", DepKind::License, Eapi::E8), 4);

    let ru = parse("a !b x? ( !c )", DepKind::RequiredUse, Eapi::E8);
    let flags: Vec<_> = ru
        .leaves()
        .filter_map(Leaf::as_flag)
        .map(|c| c.to_string())
        .collect();
    assert_eq!(flags, ["a", "!b", "!c"]);
    assert_eq!(err_pos("a !!b", DepKind::RequiredUse, Eapi::E8), 3);
    assert_eq!(err_pos("a _b", DepKind::RequiredUse, Eapi::E8), 2);

    let r = parse(
        "test? ( test ) bindist network-sandbox",
        DepKind::Restrict,
        Eapi::E8,
    );
    let words: Vec<_> = r.leaves().filter_map(Leaf::as_word).collect();
    assert_eq!(words, ["test", "bindist", "network-sandbox"]);
    assert_eq!(err_pos("test !x", DepKind::Restrict, Eapi::E8), 5);
    assert_eq!(err_pos("live a=b", DepKind::Properties, Eapi::E8), 6);
}

#[test]
fn src_uri() {
    let k = DepKind::SrcUri;
    let spec = parse(
        "https://a.org/x-1.tar.gz -> y-1.tar.gz x? ( mirror://gnu/x/z.tgz ) local.zip",
        k,
        Eapi::E2,
    );
    let got: Vec<_> = spec
        .uris()
        .map(|u| (u.uri(), u.distfile(), u.is_mirror(), u.rename()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "https://a.org/x-1.tar.gz",
                "y-1.tar.gz",
                false,
                Some("y-1.tar.gz")
            ),
            ("mirror://gnu/x/z.tgz", "z.tgz", true, None),
            ("local.zip", "local.zip", false, None),
        ]
    );
    let off: Vec<_> = spec.evaluated_uris(&NoFlags).map(Uri::distfile).collect();
    assert_eq!(off, ["y-1.tar.gz", "local.zip"]);

    // Arrows: EAPI 2+, whitespace separated, a plain name after, a URI before.
    assert_eq!(err_pos("https://a/b -> c", k, Eapi::E1), 12);
    assert_eq!(err_pos("https://a/b->c", k, Eapi::E8), 11);
    assert_eq!(err_pos("https://a/b -> c->d", k, Eapi::E8), 16);
    assert_eq!(err_pos("https://a/b -> d/c", k, Eapi::E8), 16);
    assert_eq!(err_pos("https://a/b ->", k, Eapi::E8), 14);
    assert_eq!(err_pos("( https://a/b -> )", k, Eapi::E8), 17);
    assert_eq!(err_pos("https://a/b -> c -> d", k, Eapi::E8), 17);
    assert_eq!(err_pos("-> c", k, Eapi::E8), 0);
    assert_eq!(err_pos("file.tar -> c", k, Eapi::E8), 9);
    // Names: a URI needs a basename unless renamed; a bare name has no '/'.
    assert_eq!(err_pos("https://a/b/", k, Eapi::E8), 0);
    parse("https://a/b/ -> b.tar", k, Eapi::E8);
    assert_eq!(err_pos("x dir/file.tar", k, Eapi::E8), 5);
    assert_eq!(err_pos("x 1http://a/b", k, Eapi::E8), 2);
    assert_eq!(err_pos("mirror://gnu", k, Eapi::E8), 0);
    assert_eq!(err_pos("mirror:///x.tar", k, Eapi::E8), 0);
    // fetch+ / mirror+ from EAPI 8, on URIs only.
    assert_eq!(err_pos("a fetch+https://a/b", k, Eapi::E7), 2);
    assert_eq!(err_pos("mirror+b.tar", k, Eapi::E8), 0);
    let p = parse("fetch+https://a/b mirror+mirror://m/c -> d", k, Eapi::E8);
    let prefixes: Vec<_> = p.uris().map(|u| (u.prefix(), u.uri())).collect();
    assert_eq!(
        prefixes,
        [
            (Some(UriPrefix::Fetch), "https://a/b"),
            (Some(UriPrefix::Mirror), "mirror://m/c"),
        ]
    );
    assert_eq!(p.to_string(), "fetch+https://a/b mirror+mirror://m/c -> d");
}

#[test]
fn evaluation() {
    let spec = parse(
        "a/a x? ( b/b !y? ( c/c ) ) || ( x? ( d/d e/e ) y? ( f/f ) g/g ) !x? ( h/h )",
        DepKind::Depend,
        Eapi::E8,
    );
    let x = spec.evaluate(&["x"][..]);
    assert_eq!(x.to_string(), "a/a b/b c/c || ( ( d/d e/e ) g/g )");
    assert!(!x.has_conditionals() && spec.has_conditionals());
    let y = spec.evaluate(&["y"][..]);
    assert_eq!(y.to_string(), "a/a || ( f/f g/g ) h/h");
    let flat: Vec<String> = spec
        .evaluated_atoms(&["y"][..])
        .map(ToString::to_string)
        .collect();
    let flat_of_evaluated: Vec<String> = y.atoms().map(ToString::to_string).collect();
    assert_eq!(flat, flat_of_evaluated);
    assert_eq!(spec.atoms().count(), 8);

    // Emptied groups: an all-of is dropped where it does not matter, kept in a choice.
    let e = parse(
        "( x? ( a/a ) ) || ( ( x? ( b/b ) ) c/c ) || ( x? ( d/d ) )",
        DepKind::Depend,
        Eapi::E8,
    );
    assert_eq!(e.evaluate(&NoFlags).to_string(), "|| ( ( ) c/c ) || ( )");
}

#[test]
fn required_use_satisfaction() {
    let check =
        |s: &str, eapi: Eapi, on: &[&str]| parse(s, DepKind::RequiredUse, eapi).is_satisfied(on);
    assert!(check("|| ( a b )", Eapi::E8, &["b"]));
    assert!(!check("|| ( a b )", Eapi::E8, &[]));
    assert!(check("^^ ( a b c )", Eapi::E8, &["c"]));
    assert!(!check("^^ ( a b c )", Eapi::E8, &["a", "c"]));
    assert!(!check("^^ ( a b c )", Eapi::E8, &[]));
    assert!(check("?? ( a b c )", Eapi::E8, &[]));
    assert!(check("?? ( a b c )", Eapi::E8, &["b"]));
    assert!(!check("?? ( a b c )", Eapi::E8, &["a", "b"]));
    assert!(check("x? ( a ) !x? ( b )", Eapi::E8, &["x", "a"]));
    assert!(!check("x? ( a ) !x? ( b )", Eapi::E8, &["a"]));
    assert!(check("!a", Eapi::E8, &[]));
    // Empty groups: matched in 0–6, not from 7; disabled conditionals are no members.
    assert!(check("|| ( )", Eapi::E6, &[]));
    assert!(!check("|| ( )", Eapi::E7, &[]));
    assert!(check("^^ ( )", Eapi::E4, &[]));
    assert!(!check("^^ ( )", Eapi::E8, &[]));
    assert!(check("?? ( )", Eapi::E8, &[]));
    assert!(check("( ( ) )", Eapi::E8, &[]));
    assert!(check("|| ( x? ( a ) )", Eapi::E6, &[]));
    assert!(!check("|| ( x? ( a ) )", Eapi::E7, &[]));
    assert!(check("^^ ( !x? ( a ) )", Eapi::E4, &["x"]));
    assert!(!check("^^ ( !x? ( a ) )", Eapi::E8, &["x"]));
    assert!(check("?? ( x? ( a ) )", Eapi::E8, &[]));
    // An enabled conditional is a member, met when its (disabled) children are.
    assert!(check("^^ ( x? ( y? ( a ) ) )", Eapi::E8, &["x"]));
    assert!(!check("^^ ( x? ( y? ( a ) ) b )", Eapi::E8, &["x", "b"]));
    assert!(check("|| ( )", Eapi::E6, &[]));
    assert!(!check("|| ( )", Eapi::E7, &[]));
    assert!(check("^^ ( )", Eapi::E4, &[]));
    assert!(!check("^^ ( )", Eapi::E8, &[]));
    assert!(check("?? ( )", Eapi::E8, &[]));
    assert!(check("( ( ) )", Eapi::E8, &[]));
    assert!(check("|| ( x? ( a ) )", Eapi::E6, &[]));
    assert!(!check("|| ( x? ( a ) )", Eapi::E7, &[]));
    assert!(!check("^^ ( x? ( a ) b )", Eapi::E8, &["x", "a", "b"]));
    assert!(check("^^ ( x? ( a ) b )", Eapi::E8, &["a", "b"]));
    // All-of and nested groups.
    assert!(check("|| ( ( a b ) c )", Eapi::E8, &["a", "b"]));
    assert!(!check("|| ( ( a b ) c )", Eapi::E8, &["a"]));
    // Evaluation keeps satisfaction.
    for on in [&[][..], &["x"], &["x", "a"], &["a", "b"], &["x", "b"]] {
        for s in [
            "^^ ( x? ( a ) b )",
            "|| ( x? ( a b ) !x? ( b ) )",
            "x? ( ?? ( a b ) )",
        ] {
            let spec = parse(s, DepKind::RequiredUse, Eapi::E8);
            assert_eq!(
                spec.evaluate(on).is_satisfied(on),
                spec.is_satisfied(on),
                "{s} {on:?}"
            );
        }
    }
}

#[test]
fn depth_is_bounded() {
    let deep = "( ".repeat(MAX_DEPTH) + "x " + &") ".repeat(MAX_DEPTH);
    assert!(DepSpec::parse(&deep, DepKind::Restrict, Eapi::E8).is_ok());
    let deeper = "( ".repeat(MAX_DEPTH + 1) + "x " + &") ".repeat(MAX_DEPTH + 1);
    assert_eq!(err_pos(&deeper, DepKind::Restrict, Eapi::E8), 2 * MAX_DEPTH);
    let huge = "( ".repeat(100_000);
    assert!(DepSpec::parse(&huge, DepKind::Restrict, Eapi::E8).is_err());
}

#[test]
fn non_ascii_input_is_an_error_not_a_panic() {
    for kind in DepKind::ALL {
        for s in ["é", "a/é", "( é )", "é? ( a )", "ü -> ö", "€€ ( )"] {
            let _ = DepSpec::parse(s, kind, Eapi::E8);
        }
    }
    assert!(DepSpec::parse("é", DepKind::License, Eapi::E8).is_err());
}
