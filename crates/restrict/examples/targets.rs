//! Parses pkgcore extended targets given on the command line and prints the restriction
//! each becomes, its name candidates, or the error.
//!
//! `cargo run -p strata-restrict --example targets -- 'dev-*/py*:3' '>=portage-2.1'`

use strata_restrict::parse_target;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let defaults = [
        "*",
        "dev-*/*",
        "*-apps/portage*",
        ">=portage-2.1",
        ">=*/alsa-*-1.1.7",
        "dev-qt/*:5",
        "boost:0/1.60",
        "foo*::gentoo",
        ">=dev-lang/python-3.11:3.11::gentoo[ssl]",
        "!dev-lang/python",
        "dev-**",
        "dev-lang/pyth@n",
    ];
    let targets: Vec<&str> = if args.is_empty() {
        defaults.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    for t in targets {
        match parse_target(t) {
            Ok(r) => println!("{t}\n  restriction: {r}\n  candidates:  {}", r.candidates()),
            Err(e) => println!("{t}\n  error: {e}"),
        }
    }
}
