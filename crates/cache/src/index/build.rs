//! Building an index: cache entries read in parallel, per-package data from the caller,
//! encoded into the on-disk layout.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use crate::eclass::EclassPath;
use crate::entry::{CacheEntry, EntryKey, split_pf};
use crate::error::CacheError;
use crate::index::deps::dep_packages;
use crate::index::fingerprint::{IndexSpec, Inputs};
use crate::index::format::{self, DEP_FIELDS, FIELD_COUNT, Field, RecordStrings, RevdepRow};
use crate::md5_dict::parse_md5_entry;
use crate::validate::{EbuildChecksumKind, Validity, validate_entry};

/// A `proxied` attribute of a metadata.xml maintainer (GLEP 67).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Proxied {
    /// Not proxied (attribute absent or `no`).
    #[default]
    No,
    /// `proxied="yes"`: the maintainer is proxied.
    Yes,
    /// `proxied="proxy"`: the maintainer is the proxy.
    Proxy,
}

impl Proxied {
    /// The attribute value (`no`, `yes`, `proxy`).
    pub fn as_str(self) -> &'static str {
        match self {
            Proxied::No => "no",
            Proxied::Yes => "yes",
            Proxied::Proxy => "proxy",
        }
    }

    /// Parses the attribute value; anything else is `No`.
    pub fn parse(s: &str) -> Self {
        match s {
            "yes" => Proxied::Yes,
            "proxy" => Proxied::Proxy,
            _ => Proxied::No,
        }
    }
}

/// One `<maintainer>` of a package's metadata.xml.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Maintainer {
    /// `<email>`.
    pub email: String,
    /// `<name>`, when given.
    pub name: Option<String>,
    /// The `type` attribute (`person`, `project`), when given.
    pub kind: Option<String>,
    /// The `proxied` attribute.
    pub proxied: Proxied,
}

/// Per-package data the caller supplies (the repository crate parses metadata.xml).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PackageExtra {
    /// Maintainers in file order.
    pub maintainers: Vec<Maintainer>,
    /// `<longdescription>` (the English one, or the first).
    pub longdescription: Option<String>,
    /// `<upstream><remote-id type="T">ID</remote-id>` pairs `(T, ID)`.
    pub remote_ids: Vec<(String, String)>,
}

/// Where the index builder gets per-package data. Called once per package, from several
/// threads; `metadata_xml` is `<repo>/<category>/<package>/metadata.xml` (it may not exist).
pub trait PackageExtraSource: Sync {
    /// The data for one package; an `Err` is reported and the package indexed without it.
    fn extra(
        &self,
        category: &str,
        package: &str,
        metadata_xml: &Path,
    ) -> Result<PackageExtra, String>;
}

/// A source that supplies nothing (indexes only what the cache holds).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoExtra;

impl PackageExtraSource for NoExtra {
    fn extra(&self, _: &str, _: &str, _: &Path) -> Result<PackageExtra, String> {
        Ok(PackageExtra::default())
    }
}

impl<F> PackageExtraSource for F
where
    F: Fn(&str, &str, &Path) -> Result<PackageExtra, String> + Sync,
{
    fn extra(
        &self,
        category: &str,
        package: &str,
        metadata_xml: &Path,
    ) -> Result<PackageExtra, String> {
        self(category, package, metadata_xml)
    }
}

/// What a build did not manage to index.
#[derive(Debug, Default)]
pub struct BuildReport {
    /// Entries indexed.
    pub indexed: usize,
    /// Entries that could not be read or parsed (left out of the index).
    pub skipped: Vec<(EntryKey, CacheError)>,
    /// Packages whose extra data failed (indexed without it).
    pub extra_errors: Vec<CacheError>,
}

/// Replaces tabs and newlines, which the encoded multi-value fields use as separators.
fn clean(s: &str) -> String {
    s.replace(['\t', '\n', '\r'], " ")
}

fn encode_maintainers(ms: &[Maintainer]) -> String {
    let mut out = String::new();
    for m in ms {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&clean(&m.email));
        out.push('\t');
        out.push_str(&clean(m.name.as_deref().unwrap_or("")));
        out.push('\t');
        out.push_str(&clean(m.kind.as_deref().unwrap_or("")));
        out.push('\t');
        out.push_str(m.proxied.as_str());
    }
    out
}

fn encode_remote_ids(ids: &[(String, String)]) -> String {
    let mut out = String::new();
    for (kind, id) in ids {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&clean(kind));
        out.push('\t');
        out.push_str(&clean(id));
    }
    out
}

struct PackageStrings {
    longdescription: String,
    maintainers: String,
    upstream: String,
}

/// One parsed entry and the derived strings its record needs.
struct Parsed {
    entry: CacheEntry,
    pn_len: usize,
    inherited: String,
    stale: String,
}

fn record_strings<'a>(
    key: &'a EntryKey,
    p: &'a Parsed,
    pkg: Option<&'a PackageStrings>,
) -> RecordStrings<'a> {
    let mut r: RecordStrings<'a> = [""; FIELD_COUNT];
    let e = &p.entry;
    r[Field::Category as usize] = &key.category;
    r[Field::Pf as usize] = &key.pf;
    r[Field::Package as usize] = key.pf.get(..p.pn_len).unwrap_or("");
    r[Field::Slot as usize] = e.slot();
    r[Field::Subslot as usize] = e.subslot();
    r[Field::Eapi as usize] = e.eapi();
    r[Field::Inherited as usize] = &p.inherited;
    r[Field::Stale as usize] = &p.stale;
    // One pass over the fields instead of a lookup per key.
    for (k, v) in e.fields() {
        let field = match k {
            "DESCRIPTION" => Field::Description,
            "HOMEPAGE" => Field::Homepage,
            "LICENSE" => Field::License,
            "KEYWORDS" => Field::Keywords,
            "IUSE" => Field::Iuse,
            "DEPEND" => Field::Depend,
            "RDEPEND" => Field::Rdepend,
            "PDEPEND" => Field::Pdepend,
            "BDEPEND" => Field::Bdepend,
            "IDEPEND" => Field::Idepend,
            _ => continue,
        };
        r[field as usize] = v;
    }
    if let Some(pkg) = pkg {
        r[Field::LongDescription as usize] = &pkg.longdescription;
        r[Field::Maintainers as usize] = &pkg.maintainers;
        r[Field::Upstream as usize] = &pkg.upstream;
    }
    r
}

/// Builds the index file bytes for `inputs` (from [`crate::index::gather`]).
pub fn build(
    spec: &IndexSpec,
    inputs: &Inputs,
    extra: &dyn PackageExtraSource,
) -> Result<(Vec<u8>, BuildReport), CacheError> {
    let mut report = BuildReport::default();

    // Per-package data, in parallel.
    let mut packages: Vec<(&str, &str)> = Vec::new();
    for key in &inputs.keys {
        let (pn, _) = split_pf(&key.category, &key.pf)?;
        if packages.last() != Some(&(key.category.as_str(), pn)) {
            packages.push((key.category.as_str(), pn));
        }
    }
    let extras: Vec<Result<PackageStrings, CacheError>> = packages
        .par_iter()
        .map(|&(cat, pn)| {
            let xml = spec.repo.join(cat).join(pn).join("metadata.xml");
            let e = extra
                .extra(cat, pn, &xml)
                .map_err(|message| CacheError::ExtraData {
                    category: cat.to_owned(),
                    package: pn.to_owned(),
                    message,
                })?;
            Ok(PackageStrings {
                longdescription: e.longdescription.unwrap_or_default(),
                maintainers: encode_maintainers(&e.maintainers),
                upstream: encode_remote_ids(&e.remote_ids),
            })
        })
        .collect();
    let mut by_package: HashMap<(&str, &str), PackageStrings> =
        HashMap::with_capacity(packages.len());
    for (pkg, result) in packages.iter().zip(extras) {
        match result {
            Ok(p) => {
                by_package.insert(*pkg, p);
            }
            Err(e) => report.extra_errors.push(e),
        }
    }

    // Entries, in parallel.
    let eclass_path = match &spec.eclass_dirs {
        Some(dirs) => Some(EclassPath::new(dirs.clone())?),
        None => None,
    };
    let parsed: Vec<Result<Parsed, CacheError>> = inputs
        .keys
        .par_iter()
        .map(|key| {
            let path = spec.cache_dir.join(&key.category).join(&key.pf);
            let bytes = std::fs::read(&path).map_err(|e| CacheError::io(&path, e))?;
            let entry = parse_md5_entry(bytes, &path)?;
            let (pn, _) = split_pf(&key.category, &key.pf)?;
            let inherited = entry.inherited().collect::<Vec<_>>().join(" ");
            let stale = match &eclass_path {
                None => String::new(),
                Some(eclasses) => {
                    let ebuild = spec
                        .repo
                        .join(&key.category)
                        .join(pn)
                        .join(format!("{}.ebuild", key.pf));
                    match validate_entry(&entry, &ebuild, eclasses, EbuildChecksumKind::Md5) {
                        Ok(Validity::Valid) => String::new(),
                        Ok(Validity::Stale(reasons)) => reasons
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; "),
                        Err(e) => format!("cannot validate: {e}"),
                    }
                }
            };
            Ok(Parsed {
                pn_len: pn.len(),
                entry,
                inherited,
                stale,
            })
        })
        .collect();
    let mut kept: Vec<(&EntryKey, Parsed)> = Vec::with_capacity(parsed.len());
    for (key, r) in inputs.keys.iter().zip(parsed) {
        match r {
            Ok(p) => kept.push((key, p)),
            Err(e) => report.skipped.push((key.clone(), e)),
        }
    }
    report.indexed = kept.len();
    let records: Vec<RecordStrings<'_>> = kept
        .iter()
        .map(|(key, p)| {
            let pn = key.pf.get(..p.pn_len).unwrap_or("");
            record_strings(key, p, by_package.get(&(key.category.as_str(), pn)))
        })
        .collect();

    if u32::try_from(records.len()).is_err() {
        return Err(CacheError::Unwritable {
            key: "search index".to_owned(),
            reason: "more than 2^32 records",
        });
    }
    let revdeps: Vec<RevdepRow<'_>> = records
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, rec)| {
            let mut masks: Vec<(&str, u32)> = Vec::new();
            for (bit, field) in DEP_FIELDS.iter().enumerate() {
                for cp in dep_packages(rec[*field as usize]) {
                    match masks.iter_mut().find(|(p, _)| *p == cp) {
                        Some((_, m)) => *m |= 1 << bit,
                        None => masks.push((cp, 1 << bit)),
                    }
                }
            }
            masks.into_iter().map(move |(package, mask)| RevdepRow {
                package,
                record: i as u32,
                mask,
            })
        })
        .collect();
    let flags = if eclass_path.is_some() {
        format::FLAG_VALIDATED
    } else {
        0
    };
    let bytes = format::encode(&records, revdeps, &inputs.fingerprint, flags)?;
    Ok((bytes, report))
}
