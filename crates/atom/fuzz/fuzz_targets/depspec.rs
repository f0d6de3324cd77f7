//! Fuzz `DepSpec::parse` for every kind under a fuzzer-chosen EAPI.
//!
//! The first byte picks the EAPI (and, with its high bits, which USE flags count as
//! enabled); the rest is the specification. Whenever it parses:
//! * its `Display` re-parses to an equal value and is a fixed point;
//! * evaluation leaves no conditional, re-parses equal (unless groups were emptied,
//!   which Display shows as the invalid `( )`), yields the same leaves as the
//!   evaluating iterator, and keeps REQUIRED_USE satisfaction;
//! * reduction keeps the evaluated leaves in order and is idempotent;
//! * every SRC_URI entry has a non-empty distfile name without `/`.
//!
//! Whenever it fails, the error's position lies within the input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use strata_atom::Eapi;
use strata_atom::depspec::{DepKind, DepSpec};

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(s) = std::str::from_utf8(rest) else {
        return;
    };
    let eapi = Eapi::ALL[usize::from(first) % Eapi::ALL.len()];
    let salt = first / 16;
    // A deterministic, input-dependent set of enabled flags.
    let enabled = move |flag: &str| (flag.len() as u8 ^ salt) & 1 == 1;

    for kind in DepKind::ALL {
        let spec = match DepSpec::parse(s, kind, eapi) {
            Ok(spec) => spec,
            Err(e) => {
                let pos = e.position().expect("a parse error has a position");
                assert!(pos <= s.len(), "{e}");
                continue;
            }
        };
        let text = spec.to_string();
        let again = DepSpec::parse(&text, kind, eapi)
            .unwrap_or_else(|e| panic!("{kind} {s:?}: Display {text:?} does not re-parse: {e}"));
        assert_eq!(again, spec, "{kind} {s:?}");
        assert_eq!(again.to_string(), text);

        let evaluated = spec.evaluate(&enabled);
        assert!(!evaluated.has_conditionals());
        // Emptied groups show as `( )`, which is no valid input; the rest parses back.
        let evaluated_text = evaluated.to_string();
        if !evaluated_text.contains("( )") {
            let reparsed = DepSpec::parse(&evaluated_text, kind, eapi).unwrap_or_else(|e| {
                panic!("{kind} {s:?}: evaluated {evaluated_text:?} does not re-parse: {e}")
            });
            assert_eq!(reparsed, evaluated);
        }
        assert!(spec.evaluated_leaves(&enabled).eq(evaluated.leaves()));
        assert!(spec.leaves().count() >= evaluated.leaves().count());
        let reduced = spec.reduce(&enabled);
        assert!(reduced.leaves().eq(evaluated.leaves()));
        assert_eq!(reduced.reduce(&enabled), reduced);
        if kind == DepKind::RequiredUse {
            assert_eq!(
                spec.is_satisfied(&enabled),
                evaluated.is_satisfied(&enabled)
            );
        }
        for uri in spec.uris() {
            let name = uri.distfile();
            assert!(!name.is_empty() && !name.contains('/'), "{uri}");
        }
    }
});
