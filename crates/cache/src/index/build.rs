//! Building an index: cache entries read in parallel, per-package data from the caller,
//! encoded into the on-disk layout.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use sha2::{Digest, Sha256};

use crate::backend::list_entries;
use crate::eclass::EclassPath;
use crate::entry::{CacheEntry, EntryKey, split_pf};
use crate::error::CacheError;
use crate::index::deps::dep_packages;
use crate::index::fingerprint::{IndexSpec, Inputs};
use crate::index::format::{
    self, DEP_FIELDS, FIELD_COUNT, Field, RecordMeta, RecordStrings, RevdepRow,
};
use crate::index::reasons::encode_reasons;
use crate::index::snapshot::{self, EclassSnap, SkippedEntry, Snapshot};
use crate::index::stamp::{DirHandle, Stamp};
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
    /// `<description>` of the maintainership (GLEP 68), when given.
    pub description: Option<String>,
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
        out.push('\t');
        out.push_str(&clean(m.description.as_deref().unwrap_or("")));
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
    stale_data: String,
    entry_stamp: Option<Stamp>,
    ebuild_stamp: Option<Stamp>,
    validity: u32,
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
    r[Field::StaleData as usize] = &p.stale_data;
    // One pass over the fields instead of a lookup per key; the first of duplicated
    // keys wins, as `CacheEntry::get` reads it.
    let mut seen = [false; FIELD_COUNT];
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
            "SLOT" => Field::SlotRaw,
            "EAPI" => Field::EapiRaw,
            "PROPERTIES" => Field::Properties,
            "RESTRICT" => Field::Restrict,
            _ => continue,
        };
        if !std::mem::replace(&mut seen[field as usize], true) {
            r[field as usize] = v;
        }
    }
    if let Some(pkg) = pkg {
        r[Field::LongDescription as usize] = &pkg.longdescription;
        r[Field::Maintainers as usize] = &pkg.maintainers;
        r[Field::Upstream as usize] = &pkg.upstream;
    }
    r
}

/// Builds the index file bytes for `spec`, with the fingerprint `inputs` gives (from
/// [`crate::index::gather`]). The entries are listed again here, after the cache
/// directories are stamped (so the stored stamps never claim a later state than what
/// was read); `inputs.keys` is not used.
pub fn build(
    spec: &IndexSpec,
    inputs: &Inputs,
    extra: &dyn PackageExtraSource,
) -> Result<(Vec<u8>, BuildReport), CacheError> {
    build_with(spec, extra, Some(inputs.fingerprint))
}

/// Builds the index bytes; the fingerprint is `fingerprint`, or one computed from every
/// stamp the build took.
pub(crate) fn build_with(
    spec: &IndexSpec,
    extra: &dyn PackageExtraSource,
    fingerprint: Option<[u8; 32]>,
) -> Result<(Vec<u8>, BuildReport), CacheError> {
    let mut report = BuildReport::default();

    // Stamps first, then the reads they vouch for.
    let (cache_root, cache_categories) = snapshot::cache_dir_stamps(&spec.cache_dir)?;
    let keys = list_entries(&spec.cache_dir)?;
    let (root, categories) = snapshot::walk_tree(&spec.repo, &spec.tree_skip)?;

    // Eclass state (stamps before hashing).
    let (eclass_path, eclass_dirs, eclasses) = match &spec.eclass_dirs {
        None => (None, Vec::new(), Vec::new()),
        Some(dirs) => {
            let mut dir_stamps = Vec::with_capacity(dirs.len());
            for d in dirs {
                dir_stamps.push(Stamp::of(d).map_err(|e| CacheError::io(d, e))?);
            }
            let path = EclassPath::new(dirs.clone())?;
            let mut names: Vec<&str> = dirs
                .iter()
                .flat_map(|d| {
                    std::fs::read_dir(d)
                        .into_iter()
                        .flatten()
                        .flatten()
                        .filter_map(|e| e.file_name().into_string().ok())
                        .filter_map(|n| n.strip_suffix(".eclass").map(str::to_owned))
                        .collect::<Vec<_>>()
                })
                .filter_map(|n| path.get(&n).map(|f| f.name()))
                .collect();
            names.sort_unstable();
            names.dedup();
            let snaps: Vec<Result<EclassSnap, CacheError>> = names
                .par_iter()
                .filter_map(|n| path.get(n))
                .map(|f| {
                    let stamp = Stamp::of(f.path()).map_err(|e| CacheError::io(f.path(), e))?;
                    let md5 = f.md5().map(str::to_owned).unwrap_or_default();
                    let dir = dirs.iter().position(|d| d == f.dir()).unwrap_or(0) as u32;
                    Ok(EclassSnap {
                        name: f.name().to_owned(),
                        dir,
                        stamp,
                        md5,
                    })
                })
                .collect();
            let snaps = snaps.into_iter().collect::<Result<Vec<_>, _>>()?;
            (Some(path), dir_stamps, snaps)
        }
    };

    // Per-package data, in parallel.
    let mut packages: Vec<(&str, &str)> = Vec::new();
    for key in &keys {
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
    let repo_dir = DirHandle::open(&spec.repo);
    let cache_handle = DirHandle::open(&spec.cache_dir);
    let parsed: Vec<(Option<Stamp>, Result<Parsed, CacheError>)> = keys
        .par_iter()
        .map(|key| {
            let rel = format!("{}/{}", key.category, key.pf);
            let path = spec.cache_dir.join(&rel);
            let entry_stamp = match cache_handle.stamp(&rel) {
                Ok(s) => s,
                Err(e) => return (None, Err(CacheError::io(&path, e))),
            };
            (
                entry_stamp,
                parse_one(
                    spec,
                    key,
                    &path,
                    entry_stamp,
                    &repo_dir,
                    eclass_path.as_ref(),
                ),
            )
        })
        .collect();
    let mut kept: Vec<(&EntryKey, Parsed)> = Vec::with_capacity(parsed.len());
    let mut skipped = Vec::new();
    for (key, (stamp, r)) in keys.iter().zip(parsed) {
        match r {
            Ok(p) => kept.push((key, p)),
            Err(e) => {
                skipped.push(SkippedEntry {
                    category: key.category.clone(),
                    pf: key.pf.clone(),
                    stamp,
                    error: e.to_string(),
                });
                report.skipped.push((key.clone(), e));
            }
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
    let metas: Vec<RecordMeta<'_>> = kept
        .iter()
        .map(|(_, p)| RecordMeta {
            kv: p
                .entry
                .fields()
                .filter(|(k, _)| !format::COLD_KEYS.contains(k))
                .collect(),
            entry: p.entry_stamp,
            ebuild: p.ebuild_stamp,
            validity: p.validity,
            present: format::ENTRY_FIELDS
                .iter()
                .enumerate()
                .filter(|(_, (k, _))| p.entry.get(k).is_some())
                .fold(0, |m, (i, _)| m | 1 << i),
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
    let snap = Snapshot {
        root,
        categories,
        cache_root,
        cache_categories,
        eclass_dirs,
        eclasses,
        skipped,
    };
    let snap_bytes = snapshot::encode(&snap)?;
    let fingerprint = match fingerprint {
        Some(f) => f,
        None => {
            let mut h = Sha256::new();
            h.update(spec_identity(spec));
            h.update(&snap_bytes);
            for m in &metas {
                let mut b = Vec::with_capacity(64);
                Stamp::encode(m.entry, &mut b);
                Stamp::encode(m.ebuild, &mut b);
                h.update(&b);
            }
            let mut f = [0u8; 32];
            f.copy_from_slice(&h.finalize());
            f
        }
    };
    let bytes = format::encode(&records, &metas, revdeps, &snap_bytes, &fingerprint, flags)?;
    Ok((bytes, report))
}

/// What identifies a spec (format version, salt, canonical repository, cache and eclass
/// directories): stored indexes are only used for the same identity.
pub(crate) fn spec_identity(spec: &IndexSpec) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"strata-index");
    h.update(format::FORMAT_VERSION.to_le_bytes());
    h.update(spec.salt.as_bytes());
    h.update([0]);
    let repo = std::fs::canonicalize(&spec.repo).unwrap_or_else(|_| spec.repo.clone());
    h.update(repo.to_string_lossy().as_bytes());
    h.update([0]);
    h.update(spec.cache_dir.to_string_lossy().as_bytes());
    for d in spec.eclass_dirs.iter().flatten() {
        h.update([0]);
        h.update(d.to_string_lossy().as_bytes());
    }
    for d in &spec.tree_skip {
        h.update([1]);
        h.update(d.as_bytes());
    }
    let mut f = [0u8; 32];
    f.copy_from_slice(&h.finalize());
    f
}

fn parse_one(
    spec: &IndexSpec,
    key: &EntryKey,
    path: &Path,
    entry_stamp: Option<Stamp>,
    repo_dir: &DirHandle,
    eclass_path: Option<&EclassPath>,
) -> Result<Parsed, CacheError> {
    if entry_stamp.is_none() {
        return Err(CacheError::io(
            path,
            std::io::Error::from(std::io::ErrorKind::NotFound),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| CacheError::io(path, e))?;
    let entry = parse_md5_entry(bytes, path)?;
    let (pn, _) = split_pf(&key.category, &key.pf)?;
    let inherited = entry.inherited().collect::<Vec<_>>().join(" ");
    let ebuild_rel = format!("{}/{pn}/{}.ebuild", key.category, key.pf);
    let ebuild_stamp = repo_dir
        .stamp(&ebuild_rel)
        .map_err(|e| CacheError::io(spec.repo.join(&ebuild_rel), e))?;
    let (stale, stale_data, validity) = match eclass_path {
        None => (String::new(), String::new(), 0),
        Some(eclasses) => {
            let ebuild = spec.repo.join(&ebuild_rel);
            match validate_entry(&entry, &ebuild, eclasses, EbuildChecksumKind::Md5) {
                Ok(Validity::Valid) => (String::new(), String::new(), 1),
                Ok(Validity::Stale(reasons)) => (
                    reasons
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                    encode_reasons(&reasons),
                    2,
                ),
                Err(e) => (format!("cannot validate: {e}"), e.to_string(), 3),
            }
        }
    };
    Ok(Parsed {
        pn_len: pn.len(),
        entry,
        inherited,
        stale,
        stale_data,
        entry_stamp,
        ebuild_stamp,
        validity,
    })
}
