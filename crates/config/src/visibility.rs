//! Visibility of a package version in a domain (formats.md §9.5), explainable: every
//! reason a package is hidden names the mask file and line, the keywords, or the licenses.

use std::borrow::Cow;
use std::fmt;

use crate::domain::{Domain, PackageInfo};
use crate::error::Location;
use crate::keywords::{keywords_accepted, stack_accept_keywords};
use crate::license::unaccepted_licenses;

/// One reason a package is not visible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hidden {
    /// A `package.mask` entry matches and no `package.unmask` entry cancels it.
    Masked {
        /// The mask entry as written.
        entry: String,
        /// Where it is.
        location: Location,
        /// The comment above it.
        reason: Vec<String>,
    },
    /// None of its KEYWORDS is accepted.
    Keywords {
        /// The package's KEYWORDS.
        keywords: Vec<String>,
        /// The accepted keywords for it.
        accepted: Vec<String>,
    },
    /// Its LICENSE needs licenses that are not accepted.
    License {
        /// The licenses lacking.
        missing: Vec<String>,
    },
    /// Its LICENSE does not parse.
    BadLicense {
        /// The problem.
        message: String,
    },
    /// Its PROPERTIES has tokens ACCEPT_PROPERTIES / package.properties do not accept.
    Properties {
        /// The tokens lacking.
        missing: Vec<String>,
    },
    /// Its RESTRICT has tokens ACCEPT_RESTRICT / package.accept_restrict do not accept.
    Restrict {
        /// The tokens lacking.
        missing: Vec<String>,
    },
    /// Its EAPI is not supported.
    Eapi {
        /// The EAPI.
        eapi: String,
    },
}

impl fmt::Display for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Hidden::Masked {
                entry,
                location,
                reason,
            } => {
                write!(f, "masked by {entry:?} at {location}")?;
                if !reason.is_empty() {
                    write!(f, ": {}", reason.join(" "))?;
                }
                Ok(())
            }
            Hidden::Keywords { keywords, accepted } => write!(
                f,
                "missing keyword: KEYWORDS={:?}, accepted {:?}",
                keywords.join(" "),
                accepted.join(" ")
            ),
            Hidden::License { missing } => write!(f, "license not accepted: {}", missing.join(" ")),
            Hidden::BadLicense { message } => write!(f, "malformed LICENSE: {message}"),
            Hidden::Properties { missing } => {
                write!(f, "PROPERTIES not accepted: {}", missing.join(" "))
            }
            Hidden::Restrict { missing } => {
                write!(f, "RESTRICT not accepted: {}", missing.join(" "))
            }
            Hidden::Eapi { eapi } => write!(f, "unsupported EAPI {eapi:?}"),
        }
    }
}

impl Domain {
    /// The accept-keywords set for `pkg`: ACCEPT_KEYWORDS plus matching
    /// `package.accept_keywords` entries, stacked.
    pub fn accepted_keywords_for(&self, pkg: &PackageInfo<'_>) -> Vec<String> {
        let mut matching = self
            .package_keywords
            .for_package(pkg.cpv.cp())
            .filter(|e| e.spec.matches_package(pkg))
            .peekable();
        if matching.peek().is_none() {
            return self.accept_keywords_stacked.clone();
        }
        let extra = matching.flat_map(|e| e.data.iter().map(String::as_str));
        stack_accept_keywords(self.accept_keywords.iter().map(String::as_str).chain(extra))
    }

    /// The package's KEYWORDS as the profile's `package.keywords` entries change them
    /// (tokens added; `-kw` removes, `-*` clears).
    pub fn effective_keywords(&self, pkg: &PackageInfo<'_>) -> Vec<String> {
        let mut out: Vec<String> = pkg
            .keywords
            .split_whitespace()
            .map(str::to_string)
            .collect();
        for e in self
            .profile_keywords
            .for_package(pkg.cpv.cp())
            .filter(|e| e.spec.matches_package(pkg))
        {
            for tok in &e.data {
                if tok == "-*" {
                    out.clear();
                } else if let Some(rest) = tok.strip_prefix('-')
                    && out.iter().any(|k| k == rest)
                {
                    out.retain(|k| k != rest);
                } else if !out.contains(tok) {
                    out.push(tok.clone());
                }
            }
        }
        out
    }

    /// Calls `f` with the package's effective KEYWORDS
    /// ([`Domain::effective_keywords`]) and its accepted keywords
    /// ([`Domain::accepted_keywords_for`]), borrowed when no entry changes them (most
    /// packages).
    pub(crate) fn with_keywords<R>(
        &self,
        pkg: &PackageInfo<'_>,
        f: impl FnOnce(&[&str], &[String]) -> R,
    ) -> R {
        let cp = pkg.cpv.cp();
        let changed = self
            .profile_keywords
            .for_package(cp)
            .any(|e| e.spec.matches_package(pkg));
        let extra = self
            .package_keywords
            .for_package(cp)
            .any(|e| e.spec.matches_package(pkg));
        if changed || extra {
            let keywords = self.effective_keywords(pkg);
            let kw: Vec<&str> = keywords.iter().map(String::as_str).collect();
            return f(&kw, &self.accepted_keywords_for(pkg));
        }
        let kw: Vec<&str> = pkg.keywords.split_whitespace().collect();
        f(&kw, &self.accept_keywords_stacked)
    }

    /// The mask entries that hide `pkg` (none if any unmask entry matches it).
    pub fn masked_by(&self, pkg: &PackageInfo<'_>) -> Vec<Hidden> {
        let cp = pkg.cpv.cp();
        let mut masks = self
            .masks
            .for_package(cp)
            .filter(|m| self.scope_applies(&m.repo_scope, pkg.repo) && m.spec.matches_package(pkg))
            .peekable();
        if masks.peek().is_none()
            || self
                .unmasks
                .for_package(cp)
                .any(|u| u.spec.matches_package(pkg))
        {
            return Vec::new();
        }
        masks
            .map(|m| Hidden::Masked {
                entry: m.text.clone(),
                location: m.location.clone(),
                reason: m.comment.clone(),
            })
            .collect()
    }

    /// Every reason `pkg` is not visible; empty when it is visible.
    pub fn visibility(&self, pkg: &PackageInfo<'_>) -> Vec<Hidden> {
        let mut out = self.masked_by(pkg);
        if strata_atom::Eapi::parse(pkg.eapi).is_err() {
            out.push(Hidden::Eapi {
                eapi: pkg.eapi.to_string(),
            });
        }
        if !self.with_keywords(pkg, keywords_accepted) {
            out.push(Hidden::Keywords {
                keywords: self.effective_keywords(pkg),
                accepted: self.accepted_keywords_for(pkg),
            });
        }
        let tokens: Vec<(String, Location)> = self
            .package_license
            .for_package(pkg.cpv.cp())
            .filter(|e| e.spec.matches_package(pkg))
            .flat_map(|e| e.data.iter().map(|l| (l.clone(), e.location.clone())))
            .collect();
        let accept = if tokens.is_empty() {
            Cow::Borrowed(&self.accept_license)
        } else {
            let mut accept = self.accept_license.clone();
            let mut ignored = Vec::new();
            accept.apply(&tokens, &self.license_groups, &mut ignored);
            Cow::Owned(accept)
        };
        let use_config;
        let conditional = [pkg.license, pkg.properties, pkg.restrict]
            .iter()
            .any(|v| v.contains('?'));
        let enabled: Box<dyn Fn(&str) -> bool> = if conditional {
            use_config = self.effective_use(pkg);
            Box::new(|f: &str| use_config.is_enabled(f))
        } else {
            Box::new(|_: &str| false)
        };
        match unaccepted_licenses(pkg.license, &accept, &*enabled) {
            Ok(missing) if missing.is_empty() => {}
            Ok(missing) => out.push(Hidden::License { missing }),
            Err(message) => out.push(Hidden::BadLicense { message }),
        }
        for (value, global, entries, is_props) in [
            (
                pkg.properties,
                &self.accept_properties,
                &self.package_properties,
                true,
            ),
            (
                pkg.restrict,
                &self.accept_restrict,
                &self.package_restrict,
                false,
            ),
        ] {
            if value.trim().is_empty() {
                continue;
            }
            let tokens: Vec<(String, Location)> = entries
                .for_package(pkg.cpv.cp())
                .filter(|e| e.spec.matches_package(pkg))
                .flat_map(|e| e.data.iter().map(|t| (t.clone(), e.location.clone())))
                .collect();
            let accept = if tokens.is_empty() {
                Cow::Borrowed(global)
            } else {
                let mut accept = global.clone();
                accept.apply(&tokens, &self.license_groups, &mut Vec::new());
                Cow::Owned(accept)
            };
            // Malformed values are reported through LICENSE-like parsing as all missing.
            let missing = unaccepted_licenses(value, &accept, &*enabled)
                .unwrap_or_else(|_| value.split_whitespace().map(str::to_string).collect());
            if !missing.is_empty() {
                out.push(if is_props {
                    Hidden::Properties { missing }
                } else {
                    Hidden::Restrict { missing }
                });
            }
        }
        out
    }

    /// Whether `pkg` is visible.
    pub fn is_visible(&self, pkg: &PackageInfo<'_>) -> bool {
        self.visibility(pkg).is_empty()
    }
}
