//! `pmaint archive`: the dynamic-archive store (store, find, list, show, verify, gc,
//! export, import, manifest). Argument parsing and printing only; the work is done by
//! strata-archive.

use std::collections::{BTreeMap, BTreeSet};
use std::error::Error;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use strata_archive::{
    Archive, ArchiveKey, ExportLayout, ExportOptions, GcOptions, GcRoots, ListFilter, Store,
    StoredArchive, update_manifest,
};

/// Arguments of `pmaint archive`.
#[derive(clap::Args)]
#[command(
    after_help = "Keys are maps of strings to strings: give members as -k name=value \
(repeatable) or as a JSON object of strings, -k '{\"name\": \"value\"}'.

Examples:
  pmaint archive --store /var/lib/strata/archives store foo-1.0-vendor.tar.xz -k catpkg=dev-go/foo -k gosum=abc vendor/
  pmaint archive --store S find foo-1.0-vendor.tar.xz -k '{\"catpkg\": \"dev-go/foo\", \"gosum\": \"abc\"}'
  pmaint archive --store S list --json
  pmaint archive --store S gc --manifests /var/db/repos/gentoo --grace 30d --pretend
  pmaint archive --store S export /srv/mirror/distfiles --layout filename-hash"
)]
pub struct Args {
    /// The store directory (must exist; its layout is created on first use). Default:
    /// $STRATA_ARCHIVE_STORE.
    #[arg(long, global = true)]
    pub store: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: ArchiveCommand,
}

/// `pmaint archive` subcommands.
#[derive(clap::Subcommand)]
pub enum ArchiveCommand {
    /// Build a deterministic tarball from input paths and store it under a name and key;
    /// prints the blob path.
    Store {
        /// Final name; its extension (.tar.xz, .tar.zst, .tar.gz, .tar.bz2) picks the
        /// compression.
        name: String,
        /// Files and directories to archive, each under its own file name. An argument
        /// starting with `{` is a JSON key object, and one of the form `name=value` that is
        /// not an existing path is a key member (use -k to be explicit).
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Key member `name=value`, or a JSON object of strings (repeatable).
        #[arg(short, long = "key")]
        keys: Vec<String>,
        /// Metadata member `name=value` (repeatable; not part of the key).
        #[arg(short, long = "metadata")]
        metadata: Vec<String>,
        /// Directory inside the archive to put the inputs in.
        #[arg(long, default_value = "")]
        prefix: String,
        /// Modification time written for every entry (seconds since the epoch).
        #[arg(long, default_value_t = 0)]
        mtime: u64,
        /// Print the stored record as JSON instead of the blob path.
        #[arg(long)]
        json: bool,
    },
    /// Copy an existing file into the store under a name and key; prints the blob path.
    Import {
        /// The file.
        file: PathBuf,
        /// Final name (any valid distfile name).
        name: String,
        /// Key member `name=value`, or a JSON object of strings (repeatable).
        #[arg(short, long = "key")]
        keys: Vec<String>,
        /// Metadata member `name=value` (repeatable).
        #[arg(short, long = "metadata")]
        metadata: Vec<String>,
    },
    /// Print the blob path of the archive stored under exactly this name and key (exit
    /// status 1 when there is none).
    Find {
        /// Final name.
        name: String,
        /// Key members `name=value` or JSON objects of strings (same as -k).
        members: Vec<String>,
        /// Key member `name=value`, or a JSON object of strings (repeatable).
        #[arg(short, long = "key")]
        keys: Vec<String>,
        /// Print the record as JSON instead of the path.
        #[arg(long)]
        json: bool,
    },
    /// List stored archives.
    List {
        /// Only this final name.
        #[arg(long)]
        name: Option<String>,
        /// Include superseded rows.
        #[arg(long)]
        all: bool,
        /// JSON output (an array of records).
        #[arg(long)]
        json: bool,
    },
    /// Show archives by row id, SHA512 prefix (8+ hex digits) or final name.
    Show {
        /// Id, SHA512 prefix or final name.
        query: String,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Re-hash every blob; corrupt ones move to quarantine/ (exit status 1 if anything is
    /// wrong).
    Verify {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Remove blobs no root keeps, after a grace period.
    Gc {
        /// Manifest files or trees whose DIST hashes are roots (repeatable).
        #[arg(long = "manifests")]
        manifests: Vec<PathBuf>,
        /// A SHA512 to keep as a root (a pin; repeatable).
        #[arg(long = "keep")]
        keep: Vec<String>,
        /// Grace period: N followed by s, m, h or d (default 30d).
        #[arg(long, default_value = "30d")]
        grace: String,
        /// Report only; remove nothing.
        #[arg(long, short)]
        pretend: bool,
        /// Let active archives go too when no Manifest root refers to them.
        #[arg(long)]
        prune_unrooted: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Export archives to a distfiles directory or a GLEP 75 mirror layout.
    Export {
        /// Destination directory (created if needed).
        dest: PathBuf,
        /// flat (by final name), filename-hash (BLAKE2B 8) or content-hash (SHA512 8:8:8).
        #[arg(long, default_value = "flat")]
        layout: String,
        /// Only these final names (repeatable).
        #[arg(long = "name")]
        names: Vec<String>,
        /// Copy instead of hard-linking.
        #[arg(long)]
        copy: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Print Manifest DIST lines for stored archives (all active ones, or these names).
    Manifest {
        /// Final names.
        names: Vec<String>,
        /// Add or replace these DIST entries in this Manifest file instead of printing.
        #[arg(long)]
        write: Option<PathBuf>,
    },
}

/// Runs `pmaint archive`. A closed stdout (e.g. piped into `head`) ends it quietly.
pub fn run(args: Args) -> Result<ExitCode, Box<dyn Error>> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run_to(args, &mut out).and_then(|code| {
        out.flush()?;
        Ok(code)
    });
    match result {
        Err(e)
            if e.downcast_ref::<io::Error>().map(io::Error::kind)
                == Some(io::ErrorKind::BrokenPipe) =>
        {
            Ok(ExitCode::SUCCESS)
        }
        other => other,
    }
}

fn run_to(args: Args, out: &mut impl Write) -> Result<ExitCode, Box<dyn Error>> {
    let root = args
        .store
        .or_else(|| std::env::var_os("STRATA_ARCHIVE_STORE").map(PathBuf::from))
        .ok_or("no store given: use --store DIR or set STRATA_ARCHIVE_STORE")?;
    let store = Store::open(&root)?;
    match args.command {
        ArchiveCommand::Store {
            name,
            inputs,
            keys,
            metadata,
            prefix,
            mtime,
            json,
        } => {
            let mut keys = keys;
            let mut paths = Vec::new();
            for input in inputs {
                match input.to_str() {
                    Some(s) if s.starts_with('{') || (s.contains('=') && !input.exists()) => {
                        keys.push(s.to_owned());
                    }
                    _ => paths.push(input),
                }
            }
            if paths.is_empty() {
                return Err("no input paths to archive".into());
            }
            let key = parse_key(&keys)?;
            let mut archive = Archive::new(&name)?;
            archive.set_mtime(mtime);
            for (k, v) in parse_pairs(&metadata)? {
                archive.set_metadata(k, v);
            }
            for input in &paths {
                archive.add_path(input, &prefix)?;
            }
            let stored = archive.store(&store, &key)?;
            print_one(out, &stored, json)?;
        }
        ArchiveCommand::Import {
            file,
            name,
            keys,
            metadata,
        } => {
            let key = parse_key(&keys)?;
            let meta: BTreeMap<String, String> = parse_pairs(&metadata)?.into_iter().collect();
            let stored = store.import(&file, &name, &key, &meta)?;
            writeln!(out, "{}", stored.path().display())?;
        }
        ArchiveCommand::Find {
            name,
            members,
            mut keys,
            json,
        } => {
            keys.extend(members);
            let key = parse_key(&keys)?;
            match Archive::find(&store, &name, &key)? {
                Some(found) => print_one(out, &found, json)?,
                None => {
                    eprintln!("pmaint: no archive {name} with key {key}");
                    return Ok(ExitCode::from(1));
                }
            }
        }
        ArchiveCommand::List { name, all, json } => {
            let rows = store.list(&ListFilter {
                final_name: name,
                include_superseded: all,
            })?;
            print_many(out, &rows, json)?;
        }
        ArchiveCommand::Show { query, json } => {
            let rows = store.show(&query)?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
            } else {
                for (i, r) in rows.iter().enumerate() {
                    if i > 0 {
                        writeln!(out)?;
                    }
                    print_details(out, r)?;
                }
            }
        }
        ArchiveCommand::Verify { json } => {
            let report = store.verify()?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
            } else {
                writeln!(
                    out,
                    "checked {}, ok {}, quarantined {}, missing {}, unindexed {}, stray {}, \
                     already quarantined {}",
                    report.checked,
                    report.ok,
                    report.quarantined.len(),
                    report.missing.len(),
                    report.unindexed.len(),
                    report.stray.len(),
                    report.already_quarantined
                )?;
                for q in &report.quarantined {
                    writeln!(
                        out,
                        "quarantined {} -> {} ({})",
                        q.sha512,
                        q.moved_to.display(),
                        q.reason
                    )?;
                }
                for m in &report.missing {
                    writeln!(out, "missing {m}")?;
                }
                for p in report.unindexed.iter().chain(&report.stray) {
                    writeln!(out, "not indexed {}", p.display())?;
                }
            }
            if !report.is_clean() {
                return Ok(ExitCode::from(1));
            }
        }
        ArchiveCommand::Gc {
            manifests,
            keep,
            grace,
            pretend,
            prune_unrooted,
            json,
        } => {
            let mut roots = GcRoots::new();
            roots.add_manifests(&manifests)?;
            for sha in keep {
                if sha.len() != 128 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(format!("--keep {sha:?} is not a SHA512 hex digest").into());
                }
                roots.sha512.insert(sha.to_ascii_lowercase());
            }
            let report = store.gc(&GcOptions {
                roots,
                grace: parse_duration(&grace)?,
                pretend,
                prune_unrooted,
                ..GcOptions::default()
            })?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
            } else {
                let verb = if pretend { "would remove" } else { "removed" };
                for a in &report.removed_archives {
                    writeln!(out, "{verb} archive {} {} {}", a.id, a.final_name, a.key)?;
                }
                for b in &report.removed_blobs {
                    writeln!(out, "{verb} blob {} ({} bytes)", b.sha512, b.size)?;
                }
                for t in &report.removed_tmp {
                    writeln!(out, "{verb} temporary file {}", t.display())?;
                }
                writeln!(
                    out,
                    "{verb} {} archives, {} blobs, {} bytes; kept {} blobs ({} rooted)",
                    report.removed_archives.len(),
                    report.removed_blobs.len(),
                    report.freed_bytes,
                    report.kept_blobs,
                    report.rooted_blobs
                )?;
            }
        }
        ArchiveCommand::Export {
            dest,
            layout,
            names,
            copy,
            json,
        } => {
            let layout = match layout.as_str() {
                "flat" => ExportLayout::Flat,
                "filename-hash" => ExportLayout::FilenameHash,
                "content-hash" => ExportLayout::ContentHash,
                other => {
                    return Err(format!(
                        "unknown layout {other:?}: use flat, filename-hash or content-hash"
                    )
                    .into());
                }
            };
            let report = store.export(
                &dest,
                &ExportOptions {
                    layout,
                    names: names.into_iter().collect::<BTreeSet<_>>(),
                    copy,
                },
            )?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
            } else {
                for p in &report.written {
                    writeln!(out, "wrote {}", p.display())?;
                }
                for (name, sha) in &report.shadowed {
                    writeln!(out, "shadowed {name} {sha} (an older variant)")?;
                }
                for p in &report.conflicts {
                    writeln!(out, "conflict {} (exists with other content)", p.display())?;
                }
                writeln!(
                    out,
                    "{} written, {} already present, {} conflicts",
                    report.written.len(),
                    report.present.len(),
                    report.conflicts.len()
                )?;
            }
            if !report.conflicts.is_empty() {
                return Ok(ExitCode::from(1));
            }
        }
        ArchiveCommand::Manifest { names, write } => {
            let rows = store.list(&ListFilter::default())?;
            let mut newest: BTreeMap<String, StoredArchive> = BTreeMap::new();
            for r in rows {
                if !names.is_empty() && !names.contains(&r.record.final_name) {
                    continue;
                }
                let keep = newest.get(r.final_name()).is_none_or(|prev| {
                    (prev.record.created_at, prev.record.id) < (r.record.created_at, r.record.id)
                });
                if keep {
                    newest.insert(r.final_name().to_owned(), r);
                }
            }
            for n in &names {
                if !newest.contains_key(n) {
                    return Err(format!("no archive named {n}").into());
                }
            }
            if let Some(path) = write {
                let rows: Vec<&StoredArchive> = newest.values().collect();
                for name in update_manifest(&path, &rows)? {
                    writeln!(out, "updated DIST {name} in {}", path.display())?;
                }
            } else {
                for r in newest.values() {
                    writeln!(out, "{}", r.manifest_line())?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds a key from `name=value` members and JSON objects.
fn parse_key(items: &[String]) -> Result<ArchiveKey, Box<dyn Error>> {
    let mut key = ArchiveKey::new();
    for item in items {
        if item.trim_start().starts_with('{') {
            for (k, v) in ArchiveKey::from_json(item)?.iter() {
                if key.insert(k, v).is_some() {
                    return Err(format!("key member {k:?} given twice").into());
                }
            }
        } else {
            key.add_pair(item)?;
        }
    }
    Ok(key)
}

fn parse_pairs(items: &[String]) -> Result<Vec<(String, String)>, Box<dyn Error>> {
    items
        .iter()
        .map(|p| match p.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
            _ => Err(format!("expected name=value, got {p:?}").into()),
        })
        .collect()
}

/// Parses `30d`, `12h`, `15m`, `90s` or a bare number of seconds.
fn parse_duration(s: &str) -> Result<Duration, Box<dyn Error>> {
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("bad duration {s:?}: expected e.g. 30d, 12h, 15m, 90s"))?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(format!("bad duration unit in {s:?}: use s, m, h or d").into()),
    };
    Ok(Duration::from_secs(n.saturating_mul(mult)))
}

fn print_one(out: &mut impl Write, a: &StoredArchive, json: bool) -> Result<(), Box<dyn Error>> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(a)?)?;
    } else {
        writeln!(out, "{}", a.path().display())?;
    }
    Ok(())
}

fn print_many(
    out: &mut impl Write,
    rows: &[StoredArchive],
    json: bool,
) -> Result<(), Box<dyn Error>> {
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(rows)?)?;
        return Ok(());
    }
    let table: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                r.record.id.to_string(),
                r.record.final_name.clone(),
                r.record.digests.size.to_string(),
                r.record.digests.sha512.chars().take(16).collect(),
                utc(r.record.created_at),
                state(r),
                r.record.key.to_string(),
            ]
        })
        .collect();
    let header = ["ID", "NAME", "SIZE", "SHA512", "CREATED", "STATE", "KEY"];
    let mut width = header.map(str::len);
    for row in &table {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(width).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(cell);
            } else if i == 0 || i == 2 {
                out.push_str(&format!("{cell:>w$}  "));
            } else {
                out.push_str(&format!("{cell:<w$}  "));
            }
        }
        out
    };
    writeln!(out, "{}", line(header.to_vec()))?;
    for row in &table {
        writeln!(out, "{}", line(row.iter().map(String::as_str).collect()))?;
    }
    Ok(())
}

fn state(r: &StoredArchive) -> String {
    if r.record.superseded_at.is_some() {
        "superseded".to_owned()
    } else {
        format!("{:?}", r.record.state).to_lowercase()
    }
}

fn print_details(out: &mut impl Write, r: &StoredArchive) -> io::Result<()> {
    let rec = &r.record;
    writeln!(out, "id:          {}", rec.id)?;
    writeln!(out, "final name:  {}", rec.final_name)?;
    writeln!(out, "key:         {}", rec.key)?;
    writeln!(out, "key digest:  {}", rec.key_digest)?;
    writeln!(out, "size:        {}", rec.digests.size)?;
    writeln!(out, "SHA512:      {}", rec.digests.sha512)?;
    writeln!(out, "BLAKE2B:     {}", rec.digests.blake2b)?;
    writeln!(out, "SHA256:      {}", rec.digests.sha256)?;
    writeln!(out, "created:     {}", utc(rec.created_at))?;
    if let Some(t) = rec.superseded_at {
        writeln!(out, "superseded:  {}", utc(t))?;
    }
    writeln!(out, "state:       {}", state(r))?;
    for (k, v) in &rec.metadata {
        writeln!(out, "metadata:    {k}={v}")?;
    }
    writeln!(out, "path:        {}", r.path().display())?;
    writeln!(out, "manifest:    {}", r.manifest_line())?;
    Ok(())
}

/// Seconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ`.
fn utc(secs: i64) -> String {
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_787_333_463), "2026-08-21T17:31:03Z");
    }

    #[test]
    fn keys_from_pairs_and_json_merge_and_reject_duplicates() {
        let k = parse_key(&["a=1".into(), "{\"b\": \"2\"}".into()]).expect("valid");
        assert_eq!(k.to_json(), "{\"a\":\"1\",\"b\":\"2\"}");
        assert!(parse_key(&["a=1".into(), "{\"a\": \"2\"}".into()]).is_err());
        assert!(parse_key(&["{\"a\": 2}".into()]).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30d").expect("ok").as_secs(), 30 * 86400);
        assert_eq!(parse_duration("0").expect("ok").as_secs(), 0);
        assert!(parse_duration("3w").is_err());
        assert!(parse_duration("d").is_err());
    }
}
