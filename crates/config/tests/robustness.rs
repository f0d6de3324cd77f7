//! Parsers never panic on arbitrary input, and report problems as data.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use proptest::prelude::*;
use strata_config::ini::Ini;
use strata_config::license::{AcceptSet, unaccepted_licenses};
use strata_config::linefile::parse_lines;
use strata_config::shell::{ShellFileParser, ShellOptions};
use strata_config::spec::{PackageSpec, SpecContext};
use strata_config::toml_source::parse_toml_config;

/// Text made of the characters that matter to these parsers.
fn config_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("\n"),
            Just(" "),
            Just("\t"),
            Just("="),
            Just("\""),
            Just("'"),
            Just("\\"),
            Just("$"),
            Just("{"),
            Just("}"),
            Just(":-"),
            Just("#"),
            Just("["),
            Just("]"),
            Just("("),
            Just(")"),
            Just("||"),
            Just("?"),
            Just("!"),
            Just("-"),
            Just("*"),
            Just("/"),
            Just(":"),
            Just("::"),
            Just("A"),
            Just("USE"),
            Just("x"),
            Just("1"),
            Just("source"),
            Just("export"),
            Just("é"),
            Just(";"),
            Just("`"),
        ],
        0..60,
    )
    .prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn shell_parser_total(text in config_text()) {
        let none = |_: &str| None;
        let mut p = ShellFileParser::new(ShellOptions { allow_source: false }, &none);
        p.parse_str(&text, Path::new("make.conf"));
        for w in &p.warnings {
            prop_assert!(w.location.line >= 1 && w.location.line <= text.lines().count().max(1) + 1);
        }
    }

    #[test]
    fn ini_lines_license_spec_toml_total(text in config_text()) {
        let mut w = Vec::new();
        let mut ini = Ini::default();
        ini.parse_str(&text, Path::new("repos.conf"), &mut w);
        let mut lines = Vec::new();
        parse_lines(&text, Path::new("package.use"), &mut lines);
        let _ = unaccepted_licenses(&text, &AcceptSet::default(), &|_| true);
        for tok in text.split_whitespace() {
            let _ = PackageSpec::parse(tok, SpecContext::user_config());
            let _ = PackageSpec::parse(tok, SpecContext::profile("8", false));
        }
        let _ = parse_toml_config(&text, Path::new("x.toml"));
    }
}
