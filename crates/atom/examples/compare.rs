//! Parse versions, CPVs and atoms given on the command line and compare them.
//!
//! ```text
//! cargo run -p strata-atom --example compare -- '>=dev-lang/python-3.11:3.11' dev-lang/python-3.11.4
//! cargo run -p strata-atom --example compare -- 1.0_rc1 1.0 1.0-r1 1.00
//! ```
//!
//! Each argument is read as a version, a `category/package-version`, or an atom (user
//! configuration syntax, so `::repo` is allowed), in that order. Every pair is then
//! compared: versions and CPVs by the PMS order, an atom against a version or CPV by
//! matching, and two atoms by intersection. With no arguments a few examples are shown.
//! A slot for matching can be given as `cat/pkg-1.0:SLOT`.

use std::process::ExitCode;

use strata_atom::ParseError;
use strata_atom::atom::{Atom, MatchTarget};
use strata_atom::cpv::Cpv;
use strata_atom::version::Version;

enum Item {
    Version(Version),
    Cpv(Cpv, Option<String>),
    Atom(Atom),
}

impl Item {
    fn parse(s: &str) -> Result<Item, Vec<ParseError>> {
        let mut errors = Vec::new();
        match Version::parse(s) {
            Ok(v) => return Ok(Item::Version(v)),
            Err(e) => errors.push(e),
        }
        let (cpv_text, slot) = match s.split_once(':') {
            Some((c, slot)) if !slot.starts_with(':') => (c, Some(slot.to_owned())),
            _ => (s, None),
        };
        match Cpv::parse(cpv_text) {
            Ok(c) => return Ok(Item::Cpv(c, slot)),
            Err(e) => errors.push(e),
        }
        match Atom::parse_user(s) {
            Ok(a) => return Ok(Item::Atom(a)),
            Err(e) => errors.push(e),
        }
        Err(errors)
    }

    fn describe(&self) -> String {
        match self {
            Item::Version(v) => {
                format!("version {v}: base {}, revision {}", v.base(), v.revision())
            }
            Item::Cpv(c, slot) => format!(
                "cpv {c}: category {}, package {}, version {}{}",
                c.category(),
                c.package(),
                c.version(),
                slot.as_deref()
                    .map(|s| format!(", slot {s}"))
                    .unwrap_or_default()
            ),
            Item::Atom(a) => {
                let mut parts = vec![format!("cp {}", a.cp())];
                if let Some(b) = a.blocker() {
                    parts.push(format!("blocker {}", b.as_str()));
                }
                if let (Some(op), Some(v)) = (a.op(), a.version()) {
                    parts.push(format!("op {op} version {v}"));
                }
                if let Some(s) = a.slot() {
                    parts.push(format!("slot {s}"));
                }
                if let Some(s) = a.subslot() {
                    parts.push(format!("sub-slot {s}"));
                }
                if let Some(op) = a.slot_op() {
                    parts.push(format!("slot operator {op:?}"));
                }
                if let Some(r) = a.repo() {
                    parts.push(format!("repo {r}"));
                }
                if !a.use_deps().is_empty() {
                    let u: Vec<String> = a.use_deps().iter().map(ToString::to_string).collect();
                    parts.push(format!("USE [{}]", u.join(",")));
                }
                format!("atom {a}: {}", parts.join(", "))
            }
        }
    }

    fn text(&self) -> String {
        match self {
            Item::Version(v) => v.to_string(),
            Item::Cpv(c, None) => c.to_string(),
            Item::Cpv(c, Some(slot)) => format!("{c}:{slot}"),
            Item::Atom(a) => a.to_string(),
        }
    }
}

fn symbol(o: std::cmp::Ordering) -> &'static str {
    match o {
        std::cmp::Ordering::Less => "<",
        std::cmp::Ordering::Equal => "==",
        std::cmp::Ordering::Greater => ">",
    }
}

fn compare(a: &Item, b: &Item) -> Option<String> {
    let (ta, tb) = (a.text(), b.text());
    Some(match (a, b) {
        (Item::Version(x), Item::Version(y)) => format!("{ta} {} {tb}", symbol(x.cmp(y))),
        (Item::Cpv(x, _), Item::Cpv(y, _)) => format!("{ta} {} {tb}", symbol(x.cmp(y))),
        (Item::Version(x), Item::Cpv(y, _)) => {
            format!("{ta} {} {tb} (versions)", symbol(x.cmp(y.version())))
        }
        (Item::Cpv(..), Item::Version(..)) => return compare(b, a),
        (Item::Atom(x), Item::Cpv(c, slot)) => {
            let mut t = MatchTarget::new(c);
            if let Some(s) = slot {
                t = t.with_slot(s);
            }
            if x.matches(&t) {
                format!("{ta} matches {tb}")
            } else if slot.is_none()
                && let Some(want) = x.slot()
            {
                // No slot was given for the package: say what would make it match.
                let slot_text = match x.subslot() {
                    Some(sub) => format!("{want}/{sub}"),
                    None => want.to_owned(),
                };
                if x.matches(&MatchTarget::new(c).with_slot(&slot_text)) {
                    format!("{ta} matches {tb} if its SLOT is {slot_text} (give it as {tb}:SLOT)")
                } else {
                    format!("{ta} does not match {tb}")
                }
            } else {
                format!("{ta} does not match {tb}")
            }
        }
        (Item::Cpv(..), Item::Atom(..)) => return compare(b, a),
        (Item::Atom(x), Item::Version(v)) => {
            let verdict = if x.matches_version(v) {
                "admits"
            } else {
                "does not admit"
            };
            format!("{ta} {verdict} version {tb}")
        }
        (Item::Version(..), Item::Atom(..)) => return compare(b, a),
        (Item::Atom(x), Item::Atom(y)) => {
            let verdict = if x.intersects(y) {
                "intersects"
            } else {
                "does not intersect"
            };
            format!("{ta} {verdict} {tb}")
        }
    })
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        args = [
            ">=dev-lang/python-3.11:3.11",
            "dev-lang/python-3.11.4:3.11",
            "dev-lang/python-3.12.0_rc1:3.12",
            "=dev-lang/python-3.11*",
            "1.0_rc1",
            "1.0",
            "1.00-r1",
        ]
        .map(String::from)
        .to_vec();
        println!("(no arguments: showing examples)");
    }
    let mut items = Vec::new();
    let mut failed = false;
    for arg in &args {
        match Item::parse(arg) {
            Ok(item) => {
                println!("{}", item.describe());
                items.push(item);
            }
            Err(errors) => {
                failed = true;
                eprintln!("error: {arg:?} is not a version, cpv or atom:");
                for e in errors {
                    eprintln!("  {e}");
                }
            }
        }
    }
    if items.len() > 1 {
        println!();
    }
    for (i, a) in items.iter().enumerate() {
        for b in &items[i + 1..] {
            if let Some(line) = compare(a, b) {
                println!("{line}");
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
