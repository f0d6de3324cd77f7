//! Builders for pquery's package matching options (pkgcore.md §1.3), so every frontend
//! builds the same restriction for the same option.
//!
//! Options combine as pquery does: the same option given twice is OR-ed (pass several
//! values), different options are AND-ed ([`Restriction::and`]); no option at all is
//! [`Restriction::AlwaysTrue`].
//!
//! ```
//! use strata_restrict::{query, Attr, MemoryPackage, Restriction};
//! let r = Restriction::and([
//!     query::targets(["dev-*/*"]).unwrap(),
//!     query::has_use(["ssl"]),
//!     query::description("python|rust").unwrap(),
//! ]);
//! let p = MemoryPackage::new("dev-lang/rust-1.80.0")
//!     .unwrap()
//!     .with_text(Attr::Description, "Language empowering everyone")
//!     .with_text(Attr::LongDescription, "Rust is a systems language")
//!     .with_list(Attr::Iuse, ["+ssl", "doc"]);
//! assert!(r.matches(&p));
//! ```

use crate::attr::Attr;
use crate::restriction::Restriction;
use crate::target::{TargetError, parse_target};
use crate::value::{Containment, EqualsValue, StrMatch, ValueRestriction};

/// Positional targets: any of them (pkgcore's `parse_match` per target, OR-ed).
pub fn targets<I, S>(targets: I) -> Result<Restriction, TargetError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out = Vec::new();
    for t in targets {
        out.push(parse_target(t.as_ref())?);
    }
    Ok(Restriction::or(out))
}

/// `--has-use FLAG,...`: IUSE lists any of the flags (presence, not enabled state;
/// `+`/`-` IUSE defaults are ignored).
pub fn has_use<I: IntoIterator<Item = S>, S: AsRef<str>>(flags: I) -> Restriction {
    Restriction::attr(
        Attr::Iuse,
        ValueRestriction::contains(flags, Containment::AnyOf),
    )
}

/// `--license L,...`: LICENSE names any of the licenses.
pub fn license<I: IntoIterator<Item = S>, S: AsRef<str>>(licenses: I) -> Restriction {
    Restriction::attr(
        Attr::License,
        ValueRestriction::contains(licenses, Containment::AnyOf),
    )
}

/// `--live`: PROPERTIES contains `live`.
pub fn live() -> Restriction {
    Restriction::attr(
        Attr::Properties,
        ValueRestriction::contains(["live"], Containment::AnyOf),
    )
}

/// `--non-live`: PROPERTIES lacks `live` (a package without PROPERTIES is not live).
pub fn non_live() -> Restriction {
    live().negate()
}

/// `-S/--description REGEX`: a case-insensitive search in DESCRIPTION or the long
/// description.
pub fn description(regex: &str) -> Result<Restriction, regex::Error> {
    let v = ValueRestriction::regex(regex, false)?;
    Ok(Restriction::or([
        Restriction::attr(Attr::Description, v.clone()),
        Restriction::attr(Attr::LongDescription, v),
    ]))
}

/// `--eapi EAPI`: the EAPI is exactly this.
pub fn eapi(eapi: &str) -> Restriction {
    Restriction::attr(Attr::Eapi, ValueRestriction::exact(eapi))
}

/// `--owns PATH`: an installed package whose CONTENTS has this path.
pub fn owns(path: &str) -> Restriction {
    Restriction::attr(Attr::Contents, ValueRestriction::exact(path))
}

/// `--owns-re REGEX`: an installed package with a CONTENTS path matching the regex.
pub fn owns_re(regex: &str) -> Result<Restriction, regex::Error> {
    Ok(Restriction::attr(
        Attr::Contents,
        ValueRestriction::regex(regex, true)?,
    ))
}

/// `--environment-re REGEX`: some line of the saved build environment
/// (`environment.bz2` of an installed or binary package) contains a match of the regex
/// (case-sensitive search per line, as pkgcore's `DataSourceRestriction(AnyMatch(
/// StrRegex(..)))` does). Packages without a saved environment (ebuilds) never match.
pub fn environment_re(regex: &str) -> Result<Restriction, regex::Error> {
    Ok(Restriction::attr(
        Attr::Environment,
        ValueRestriction::AnyLine(StrMatch::regex(regex, true)?),
    ))
}

/// `--maintainer REGEX`: a case-insensitive search in `Name <email>` of any maintainer;
/// `maintainer-needed` or an empty string means "has no maintainer".
pub fn maintainer(regex: &str) -> Result<Restriction, regex::Error> {
    if regex.is_empty() || regex == "maintainer-needed" {
        return Ok(Restriction::attr(
            Attr::Maintainers,
            ValueRestriction::Equals(EqualsValue::List(Box::new([]))),
        ));
    }
    Ok(Restriction::attr(
        Attr::Maintainers,
        ValueRestriction::regex(regex, false)?,
    ))
}

/// `--maintainer-name REGEX`: a case-insensitive search in any maintainer's name.
pub fn maintainer_name(regex: &str) -> Result<Restriction, regex::Error> {
    Ok(Restriction::attr(
        Attr::MaintainerNames,
        ValueRestriction::regex(regex, false)?,
    ))
}

/// `--maintainer-email REGEX`: a case-insensitive search in any maintainer's e-mail.
pub fn maintainer_email(regex: &str) -> Result<Restriction, regex::Error> {
    Ok(Restriction::attr(
        Attr::MaintainerEmails,
        ValueRestriction::regex(regex, false)?,
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::memory::MemoryPackage;

    fn pkg() -> MemoryPackage {
        MemoryPackage::new("app-misc/foo-9999")
            .unwrap()
            .with_text(Attr::Description, "A Foo tool")
            .with_list(Attr::Iuse, ["+ssl", "-doc"])
            .with_list(Attr::License, ["GPL-2+", "MIT"])
            .with_list(Attr::Properties, ["live"])
            .with_text(Attr::Eapi, "8")
            .with_list(Attr::Maintainers, ["Jane Doe <jane@example.org>"])
            .with_list(Attr::MaintainerNames, ["Jane Doe"])
            .with_list(Attr::MaintainerEmails, ["jane@example.org"])
            .with_list(Attr::Contents, ["/usr/bin/foo", "/usr/share/foo"])
    }

    #[test]
    fn options() {
        let p = pkg();
        assert!(targets(["dev-*/*", "app-misc/foo"]).unwrap().matches(&p));
        assert!(!targets(["dev-*/*"]).unwrap().matches(&p));
        assert!(targets(["!x"]).is_err());
        assert_eq!(
            targets::<[&str; 0], &str>([]).unwrap(),
            Restriction::AlwaysFalse
        );
        assert!(has_use(["doc"]).matches(&p));
        assert!(has_use(["gtk", "ssl"]).matches(&p));
        assert!(!has_use(["gtk"]).matches(&p));
        assert!(license(["MIT"]).matches(&p));
        assert!(!license(["GPL-2"]).matches(&p));
        assert!(live().matches(&p));
        assert!(!non_live().matches(&p));
        let plain = MemoryPackage::new("a/b-1").unwrap();
        assert!(non_live().matches(&plain));
        assert!(description("foo TOOL").unwrap().matches(&p));
        assert!(!description("^tool").unwrap().matches(&p));
        assert!(
            description("systems").unwrap().matches(
                &plain
                    .clone()
                    .with_text(Attr::LongDescription, "Systems stuff")
            )
        );
        assert!(eapi("8").matches(&p));
        assert!(!eapi("7").matches(&p));
        assert!(owns("/usr/bin/foo").matches(&p));
        assert!(!owns("/usr/bin").matches(&p));
        assert!(owns_re("^/usr/share/").unwrap().matches(&p));
        assert!(maintainer("JANE@").unwrap().matches(&p));
        assert!(!maintainer("maintainer-needed").unwrap().matches(&p));
        let orphan = plain.with_list(Attr::Maintainers, Vec::<String>::new());
        assert!(maintainer("maintainer-needed").unwrap().matches(&orphan));
        assert!(maintainer_name("^jane doe$").unwrap().matches(&p));
        assert!(!maintainer_name("example").unwrap().matches(&p));
        assert!(maintainer_email("example\\.org$").unwrap().matches(&p));
        assert!(description("(").is_err());
        let env = p.clone().with_text(
            Attr::Environment,
            "declare -x CFLAGS=\"-O2 -pipe\"\nexport EAPI=8\n",
        );
        assert!(environment_re("^export EAPI=8$").unwrap().matches(&env));
        assert!(environment_re("O2 -pipe").unwrap().matches(&env));
        assert!(!environment_re("o2").unwrap().matches(&env));
        assert!(!environment_re("pipe.*EAPI").unwrap().matches(&env));
        assert!(
            !environment_re(".").unwrap().matches(&p),
            "no environment: no match"
        );
        assert!(environment_re("(").is_err());
    }
}
