//! Downloading distfiles into DISTDIR with locking, resuming, streaming verification and
//! retries across candidate URIs, following Portage's rules.
//!
//! For each [`Fetchable`]:
//!
//! 1. The distfile is locked ([`DistfileLock`]).
//! 2. An existing `DISTDIR/<name>` with the right size and hashes is kept. A wrong one is
//!    moved aside to `<name>._checksum_failure_.<random>` (never deleted; an identical
//!    earlier failure is reused instead). Without a Manifest entry, any non-empty existing
//!    file is kept, as Portage does.
//! 3. A partial `<name>.__download__` is deleted when empty or when the size is unknown,
//!    moved aside when bigger than the expected size or smaller than the minimum resume
//!    size (`PORTAGE_FETCH_RESUME_MIN_SIZE`, default 350 KiB), verified and kept when it has
//!    exactly the expected size, and otherwise resumed with a range request.
//! 4. [`DistfileSource`]s are asked before the network.
//! 5. The candidates ([`MirrorConfig::plan`]) are tried in order. Each download streams into
//!    `<name>.__download__` while all expected hashes are computed in the same pass; a
//!    transfer that would exceed the expected size is cut off at once. A complete file is
//!    verified (size, then hashes) and renamed into place; a short one is resumed from the
//!    next candidate; a wrong one is moved aside and the next candidate tried. After two
//!    checksum failures the upstream URIs are tried first; after
//!    `PORTAGE_FETCH_CHECKSUM_TRY_MIRRORS` (default 5) the distfile fails.
//!
//! A candidate whose scheme has a download command ([`Fetcher::with_commands`],
//! make.conf's `FETCHCOMMAND` family, chosen as [`FetchCommands::select`] says) is not
//! streamed through the transport: the command itself writes `DISTDIR/<name>.__download__`
//! (`${FILE}`), as in Portage. A fresh download removes any partial file first; a partial
//! download is continued with `RESUMECOMMAND(_<PROTO>)` when there is one, else restarted
//! with the fetch command. Afterwards, as in Portage: a missing or empty file is a failed
//! attempt (started over next time); a non-zero exit with a file shorter than the Manifest
//! size is a broken transfer, resumed from the next candidate (without digests, any
//! non-zero exit fails the attempt and the next one starts over); otherwise the exit status
//! does not matter and the file is verified like a streamed one: a complete file is renamed
//! into place, a wrong one (also a short one after a zero exit: the digests are probably
//! outdated) is moved aside and counts as a checksum failure. A command that makes a
//! directory of `${FILE}` stops the distfile ([`FetchError::DirectoryInTheWay`]). An
//! unusable command (no `${FILE}`, unbalanced quotes, ...) fails each attempt that needs
//! it, naming the variable. A mirror's `layout.conf` on such a scheme is read by running the
//! command too ([`crate::command::CommandTransport`]).

use std::collections::{HashSet, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::command::{CommandTransport, FetchCommands, Selected};
use crate::fetchable::Fetchable;
use crate::hash::{Digests, HashAlgorithm, MultiHasher, VerifyError, hash_file, to_hex};
use crate::lock::DistfileLock;
use crate::mirror_layouts::MirrorLayouts;
use crate::mirrors::{Candidate, MirrorConfig, UriPlan};
use crate::progress::{FetchEvent, NoProgress, Progress};
use crate::source::DistfileSource;
use crate::transport::Transport;

/// Suffix of partial downloads.
pub const DOWNLOAD_SUFFIX: &str = ".__download__";
/// Infix of files moved aside after a failed verification.
pub const CHECKSUM_FAILURE_INFIX: &str = "._checksum_failure_.";
/// Portage's default `PORTAGE_FETCH_RESUME_MIN_SIZE` (350K).
pub const DEFAULT_RESUME_MIN_SIZE: u64 = 350 * 1024;

/// Parses a `PORTAGE_FETCH_RESUME_MIN_SIZE` value: digits with an optional `K`, `M`, `G`,
/// `T`, `P`, `E`, `Z` or `Y` suffix (powers of 1024); whitespace is ignored. `None` if
/// malformed (Portage then uses the default).
pub fn parse_resume_min_size(s: &str) -> Option<u64> {
    let s: String = s.split_whitespace().collect();
    if s.is_empty() {
        return Some(DEFAULT_RESUME_MIN_SIZE);
    }
    let (digits, suffix) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s.as_str(), ""),
    };
    let shift = match suffix {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        "P" => 50,
        "E" => 60,
        "Z" => 70,
        "Y" => 80,
        _ => return None,
    };
    let n: u64 = digits.parse().ok()?;
    if shift >= 64 {
        return if n == 0 { Some(0) } else { Some(u64::MAX) };
    }
    Some(n.saturating_mul(1u64 << shift))
}

/// What to do when another process holds a distfile's lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LockMode {
    /// Wait for it.
    #[default]
    Wait,
    /// Skip the distfile ([`FetchedFrom::LockedElsewhere`]), like Portage's `--fetchonly`.
    Skip,
    /// Do not lock (a read-only or private DISTDIR).
    Off,
}

/// Fetcher settings.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// DISTDIR.
    pub distdir: PathBuf,
    /// Partial downloads smaller than this are restarted rather than resumed.
    pub resume_min_size: u64,
    /// Checksum failures tolerated per distfile (`PORTAGE_FETCH_CHECKSUM_TRY_MIRRORS`).
    pub checksum_try_mirrors: usize,
    /// After this many checksum failures, upstream URIs are tried first.
    pub checksum_failure_primaryuri: usize,
    /// Fetch distfiles without a Manifest entry (unverified). Off by default.
    pub allow_missing_digests: bool,
    /// Hashes every Manifest entry must carry (`manifest-required-hashes`).
    pub required_hashes: Vec<HashAlgorithm>,
    /// Extra hashes to compute while downloading (reported in [`Fetched::digests`]).
    pub extra_hashes: Vec<HashAlgorithm>,
    /// Locking behaviour.
    pub lock: LockMode,
    /// Persist mirror layouts in `DISTDIR/.mirror-cache.json`.
    pub mirror_cache_file: bool,
}

impl FetchOptions {
    /// Portage's defaults for a DISTDIR.
    pub fn new(distdir: impl Into<PathBuf>) -> Self {
        FetchOptions {
            distdir: distdir.into(),
            resume_min_size: DEFAULT_RESUME_MIN_SIZE,
            checksum_try_mirrors: 5,
            checksum_failure_primaryuri: 2,
            allow_missing_digests: false,
            required_hashes: Vec::new(),
            extra_hashes: Vec::new(),
            lock: LockMode::Wait,
            mirror_cache_file: true,
        }
    }
}

/// Where a fetched distfile came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchedFrom {
    /// It was already in DISTDIR and verified.
    AlreadyPresent,
    /// A complete partial download was found, verified and moved into place.
    CompletedPartial,
    /// A [`DistfileSource`] provided it (index into the fetcher's sources).
    Source(usize),
    /// Downloaded from this URL.
    Url(String),
    /// Another process holds the lock ([`LockMode::Skip`]); nothing was done.
    LockedElsewhere,
}

/// A successful fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The distfile name.
    pub name: String,
    /// Its path in DISTDIR.
    pub path: PathBuf,
    /// Where it came from.
    pub from: FetchedFrom,
    /// Digests computed from the content when the fetcher read it (size, the Manifest's
    /// supported hashes and [`FetchOptions::extra_hashes`]); `None` when it did not.
    pub digests: Option<Digests>,
}

/// One failed attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The URL, or `source #n`.
    pub url: String,
    /// What went wrong.
    pub error: String,
}

/// Why a distfile could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The name is not a plain file name.
    #[error("{name:?} is not a valid distfile name")]
    BadName {
        /// The name.
        name: String,
    },
    /// No Manifest entry and missing digests are not allowed.
    #[error("{name}: no Manifest digests (missing DIST entry)")]
    MissingDigests {
        /// The name.
        name: String,
    },
    /// The Manifest entry cannot be used for verification.
    #[error("{name}: {source}")]
    Unverifiable {
        /// The name.
        name: String,
        /// Why.
        source: VerifyError,
    },
    /// RESTRICT=fetch and the file is missing: the user must fetch it (`pkg_nofetch`).
    #[error("{name}: fetch restricted; it must be downloaded by hand")]
    Restricted {
        /// The name.
        name: String,
    },
    /// No candidate URI at all.
    #[error("{name}: no URI to fetch from")]
    NoSources {
        /// The name.
        name: String,
    },
    /// Every candidate failed.
    #[error("{name}: all {} attempts failed{}", attempts.len(), attempts.last().map(|a| format!(" (last: {}: {})", a.url, a.error)).unwrap_or_default())]
    Failed {
        /// The name.
        name: String,
        /// The attempts, in order.
        attempts: Vec<Attempt>,
    },
    /// A directory is where the distfile should be.
    #[error("{}: a directory is in the way", path.display())]
    DirectoryInTheWay {
        /// The path.
        path: PathBuf,
    },
    /// A file-system error in DISTDIR.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: io::Error,
    },
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> FetchError + '_ {
    move |source| FetchError::Io {
        path: path.to_owned(),
        source,
    }
}

/// A random 8-character suffix like Python's `mkstemp` uses.
fn random_suffix(attempt: u64) -> String {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_";
    let mut h = RandomState::new().build_hasher();
    h.write_u64(attempt);
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    let mut v = h.finish();
    (0..8)
        .map(|_| {
            let c = CHARS[(v % CHARS.len() as u64) as usize];
            v /= CHARS.len() as u64;
            char::from(c)
        })
        .collect()
}

/// Moves a file that failed verification to `<name>._checksum_failure_.<random>` in the
/// same directory, as Portage does; if an earlier failure with identical content is already
/// there, the file is removed and that one's path returned instead. Returns the path the
/// content now has.
pub fn move_aside(file: &Path, name: &str) -> io::Result<PathBuf> {
    let dir = file.parent().unwrap_or(Path::new("."));
    let size = fs::metadata(file)?.len();
    let prefix = format!("{name}{CHECKSUM_FAILURE_INFIX}");
    let mut mine: Option<Digests> = None;
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let Some(other) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !other.starts_with(&prefix) || entry.path() == file {
            continue;
        }
        if entry.metadata().map(|m| m.len()).ok() != Some(size) {
            continue;
        }
        let Ok(theirs) = hash_file(&entry.path(), [HashAlgorithm::Blake2b]) else {
            continue;
        };
        let ours = match &mine {
            Some(d) => d.clone(),
            None => {
                let d = hash_file(file, [HashAlgorithm::Blake2b])?;
                mine = Some(d.clone());
                d
            }
        };
        if ours == theirs {
            fs::remove_file(file)?;
            return Ok(entry.path());
        }
    }
    for attempt in 0..100u64 {
        let target = dir.join(format!("{prefix}{}", random_suffix(attempt)));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&target)
        {
            Ok(_) => {
                fs::rename(file, &target)?;
                return Ok(target);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        "no free checksum-failure name",
    ))
}

/// Result of one streamed download attempt.
enum Streamed {
    /// The transfer ended; the partial file has these digests (and size). A short file is
    /// resumed from the next candidate when `short_resumes`, else it is a wrong file.
    Complete {
        digests: Digests,
        short_resumes: bool,
    },
    /// The transfer broke off (or was cut off) with this many bytes on disk.
    Broken { on_disk: u64, error: String },
    /// The file would be bigger than expected.
    TooBig { error: String },
}

/// Downloads and verifies distfiles.
pub struct Fetcher {
    options: FetchOptions,
    transport: Arc<dyn Transport>,
    mirrors: MirrorConfig,
    sources: Vec<Arc<dyn DistfileSource>>,
    progress: Arc<dyn Progress>,
    layouts: MirrorLayouts,
    commands: FetchCommands,
}

impl std::fmt::Debug for Fetcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetcher")
            .field("options", &self.options)
            .field("mirrors", &self.mirrors)
            .field("sources", &self.sources.len())
            .finish_non_exhaustive()
    }
}

impl Fetcher {
    /// A fetcher with no mirrors, no local sources and no progress reporting.
    pub fn new(options: FetchOptions, transport: Arc<dyn Transport>) -> Self {
        let layouts = if options.mirror_cache_file {
            MirrorLayouts::with_cache_file(options.distdir.join(".mirror-cache.json"))
        } else {
            MirrorLayouts::new()
        };
        Fetcher {
            options,
            transport,
            mirrors: MirrorConfig::default(),
            sources: Vec::new(),
            progress: Arc::new(NoProgress),
            layouts,
            commands: FetchCommands::new(),
        }
    }

    /// Sets the mirror configuration.
    pub fn with_mirrors(mut self, mirrors: MirrorConfig) -> Self {
        self.mirrors = mirrors;
        self
    }

    /// Adds a local source, consulted (in the order added) before the network.
    pub fn with_source(mut self, source: Arc<dyn DistfileSource>) -> Self {
        self.sources.push(source);
        self
    }

    /// Sets the download commands (make.conf's `FETCHCOMMAND` family); by default there are
    /// none and every URL goes through the transport.
    pub fn with_commands(mut self, commands: FetchCommands) -> Self {
        self.commands = commands;
        self
    }

    /// The download commands.
    pub fn commands(&self) -> &FetchCommands {
        &self.commands
    }

    /// Sets the progress receiver.
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = progress;
        self
    }

    /// The options.
    pub fn options(&self) -> &FetchOptions {
        &self.options
    }

    /// The candidate plan for a fetchable.
    pub fn plan(&self, f: &Fetchable) -> UriPlan {
        self.mirrors.plan(f)
    }

    /// The URLs that would be tried, in order (mirror candidates resolved through their
    /// layouts, which may read the mirrors' `layout.conf`; a mirror whose layout cannot be
    /// read is reported as a [`FetchEvent::Warning`] and treated as flat).
    pub fn urls(&self, f: &Fetchable) -> Vec<String> {
        let digests = f.digests.as_ref();
        let mut seen = HashSet::new();
        self.plan(f)
            .candidates
            .iter()
            .map(|c| {
                let (url, warning) = self.resolve(c, &f.name, digests);
                if let Some(w) = warning {
                    self.progress.event(&FetchEvent::Warning {
                        name: &f.name,
                        message: &w,
                    });
                }
                url
            })
            .filter(|u| seen.insert(u.clone()))
            .collect()
    }

    fn resolve(
        &self,
        c: &Candidate,
        name: &str,
        digests: Option<&Digests>,
    ) -> (String, Option<String>) {
        match c {
            Candidate::Url { url, .. } => (url.clone(), None),
            Candidate::Mirror { base } if self.commands.is_empty() => {
                self.layouts
                    .url(self.transport.as_ref(), base, name, digests)
            }
            // layout.conf over ftp:// and the like through the commands.
            Candidate::Mirror { base } => {
                let transport = CommandTransport::new(
                    self.transport.as_ref(),
                    &self.commands,
                    &self.options.distdir,
                );
                self.layouts.url(&transport, base, name, digests)
            }
        }
    }

    /// Fetches several distfiles with up to `jobs` in parallel; results in input order.
    pub fn fetch_all(&self, items: &[Fetchable], jobs: usize) -> Vec<Result<Fetched, FetchError>> {
        let jobs = jobs.clamp(1, items.len().max(1));
        let next = AtomicUsize::new(0);
        let mut results: Vec<Option<Result<Fetched, FetchError>>> =
            items.iter().map(|_| None).collect();
        let slots: Vec<std::sync::Mutex<Option<Result<Fetched, FetchError>>>> =
            items.iter().map(|_| std::sync::Mutex::new(None)).collect();
        std::thread::scope(|s| {
            for _ in 0..jobs {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(item) = items.get(i) else { break };
                        let r = self.fetch(item);
                        if let Ok(mut slot) = slots[i].lock() {
                            *slot = Some(r);
                        }
                    }
                });
            }
        });
        for (i, slot) in slots.into_iter().enumerate() {
            results[i] = slot.into_inner().ok().flatten();
        }
        results
            .into_iter()
            .zip(items)
            .map(|(r, item)| {
                r.unwrap_or_else(|| {
                    Err(FetchError::Failed {
                        name: item.name.clone(),
                        attempts: vec![Attempt {
                            url: String::new(),
                            error: "worker thread panicked".into(),
                        }],
                    })
                })
            })
            .collect()
    }

    /// Fetches one distfile into DISTDIR (see the module documentation for the rules).
    pub fn fetch(&self, f: &Fetchable) -> Result<Fetched, FetchError> {
        let size = f.digests.as_ref().and_then(Digests::size);
        self.progress.event(&FetchEvent::Start {
            name: &f.name,
            size,
        });
        let r = self.fetch_inner(f);
        self.progress.event(&FetchEvent::Finish {
            name: &f.name,
            ok: r.is_ok(),
        });
        r
    }

    fn expected(&self, f: &Fetchable) -> Result<Option<Digests>, FetchError> {
        // Zero-byte distfiles are always invalid, so Portage discards their digests.
        let digests = f.digests.clone().filter(|d| d.size() != Some(0));
        match digests {
            None if !self.options.allow_missing_digests => Err(FetchError::MissingDigests {
                name: f.name.clone(),
            }),
            None => Ok(None),
            Some(d) => {
                for r in &self.options.required_hashes {
                    if d.get(*r).is_none() {
                        return Err(FetchError::Unverifiable {
                            name: f.name.clone(),
                            source: VerifyError::MissingRequired(*r),
                        });
                    }
                }
                if d.supported_algorithms().is_empty() {
                    return Err(FetchError::Unverifiable {
                        name: f.name.clone(),
                        source: VerifyError::NoVerifiableHash {
                            recorded: d.iter().map(|(n, _)| n.to_owned()).collect(),
                        },
                    });
                }
                Ok(Some(d))
            }
        }
    }

    fn algorithms(&self, expected: Option<&Digests>) -> Vec<HashAlgorithm> {
        let mut algs = expected
            .map(Digests::supported_algorithms)
            .unwrap_or_default();
        for a in &self.options.extra_hashes {
            if !algs.contains(a) {
                algs.push(*a);
            }
        }
        algs
    }

    /// Checks a complete file; `Ok(digests)` when it verifies.
    fn check_file(
        &self,
        path: &Path,
        expected: Option<&Digests>,
    ) -> Result<Result<Digests, VerifyError>, FetchError> {
        let file = fs::File::open(path).map_err(io_err(path))?;
        let len = file.metadata().map_err(io_err(path))?.len();
        if let Some(want) = expected.and_then(Digests::size)
            && want != len
        {
            return Ok(Err(VerifyError::Size {
                expected: want,
                got: len,
            }));
        }
        let actual = crate::hash::hash_open_file(file, len, self.algorithms(expected))
            .map_err(io_err(path))?;
        Ok(match expected {
            Some(e) => e.verify(&actual, &[]).map(|()| actual),
            None if len == 0 => Err(VerifyError::Size {
                expected: 1,
                got: 0,
            }),
            None => Ok(actual),
        })
    }

    fn moved_aside(&self, name: &str, path: &Path, reason: &str) -> Result<(), FetchError> {
        let to = move_aside(path, name).map_err(io_err(path))?;
        self.progress.event(&FetchEvent::MovedAside {
            name,
            to: &to,
            reason,
        });
        Ok(())
    }

    fn fetch_inner(&self, f: &Fetchable) -> Result<Fetched, FetchError> {
        let name = f.name.as_str();
        if name.is_empty()
            || name.contains('/')
            || name == "."
            || name == ".."
            || name.contains('\0')
        {
            return Err(FetchError::BadName { name: name.into() });
        }
        let expected = self.expected(f)?;
        let expected = expected.as_ref();
        let distdir = &self.options.distdir;
        let final_path = distdir.join(name);
        let done = |from: FetchedFrom, digests: Option<Digests>| Fetched {
            name: name.to_owned(),
            path: final_path.clone(),
            from,
            digests,
        };

        let lock = fs::create_dir_all(distdir).and_then(|()| match self.options.lock {
            LockMode::Off => Ok(Some(None)),
            LockMode::Wait => DistfileLock::acquire(distdir, name).map(|l| Some(Some(l))),
            LockMode::Skip => DistfileLock::try_acquire(distdir, name).map(|l| l.map(Some)),
        });
        let _lock = match lock {
            Ok(Some(l)) => l,
            Ok(None) => return Ok(done(FetchedFrom::LockedElsewhere, None)),
            Err(e) => {
                // A read-only DISTDIR cannot be locked (or written), but a distfile that is
                // already there and verifies is still good.
                if final_path.is_file()
                    && let Ok(Ok(d)) = self.check_file(&final_path, expected)
                {
                    return Ok(done(FetchedFrom::AlreadyPresent, Some(d)));
                }
                return Err(io_err(distdir)(e));
            }
        };

        // 1. An existing distfile.
        match fs::symlink_metadata(&final_path) {
            Ok(meta) if meta.is_dir() => {
                return Err(FetchError::DirectoryInTheWay { path: final_path });
            }
            Ok(_) => match self.check_file(&final_path, expected) {
                Ok(Ok(d)) => return Ok(done(FetchedFrom::AlreadyPresent, Some(d))),
                Ok(Err(why)) => {
                    if fs::metadata(&final_path).map(|m| m.len()).unwrap_or(0) == 0 {
                        fs::remove_file(&final_path).map_err(io_err(&final_path))?;
                    } else {
                        self.moved_aside(name, &final_path, &why.to_string())?;
                    }
                }
                // A dangling symlink: nothing to keep.
                Err(_) if fs::metadata(&final_path).is_err() => {
                    fs::remove_file(&final_path).map_err(io_err(&final_path))?;
                }
                Err(e) => return Err(e),
            },
            Err(_) => {}
        }

        // 2. A partial download.
        let partial = distdir.join(format!("{name}{DOWNLOAD_SUFFIX}"));
        let mut resume_from = 0u64;
        if let Ok(meta) = fs::metadata(&partial) {
            let len = meta.len();
            let want = expected.and_then(Digests::size);
            match want {
                _ if len == 0 => fs::remove_file(&partial).map_err(io_err(&partial))?,
                None => fs::remove_file(&partial).map_err(io_err(&partial))?,
                Some(size) if len > size => {
                    self.moved_aside(name, &partial, "partial download bigger than the distfile")?;
                }
                Some(size) if len == size => match self.check_file(&partial, expected)? {
                    Ok(d) => {
                        fs::rename(&partial, &final_path).map_err(io_err(&final_path))?;
                        return Ok(done(FetchedFrom::CompletedPartial, Some(d)));
                    }
                    Err(why) => self.moved_aside(name, &partial, &why.to_string())?,
                },
                Some(size) if len < self.options.resume_min_size && len < size => {
                    self.moved_aside(
                        name,
                        &partial,
                        "partial download smaller than the minimum resume size",
                    )?;
                }
                Some(_) => resume_from = len,
            }
        }

        let mut attempts: Vec<Attempt> = Vec::new();

        // 3. Local sources.
        if !self.sources.is_empty() {
            let tmp = distdir.join(format!("{name}.__source__"));
            let empty = Digests::new(None);
            for (i, src) in self.sources.iter().enumerate() {
                let label = format!("source #{i}");
                if tmp.exists() {
                    fs::remove_file(&tmp).map_err(io_err(&tmp))?;
                }
                match src.provide(name, expected.unwrap_or(&empty), &tmp) {
                    Ok(false) => {}
                    Ok(true) => match self.check_file(&tmp, expected)? {
                        Ok(d) => {
                            fs::rename(&tmp, &final_path).map_err(io_err(&final_path))?;
                            if resume_from > 0 {
                                let _ = fs::remove_file(&partial);
                            }
                            return Ok(done(FetchedFrom::Source(i), Some(d)));
                        }
                        Err(why) => {
                            let error = why.to_string();
                            self.progress.event(&FetchEvent::AttemptFailed {
                                name,
                                url: &label,
                                error: &error,
                            });
                            self.moved_aside(name, &tmp, &error)?;
                            attempts.push(Attempt { url: label, error });
                        }
                    },
                    Err(e) => {
                        let error = e.to_string();
                        self.progress.event(&FetchEvent::AttemptFailed {
                            name,
                            url: &label,
                            error: &error,
                        });
                        attempts.push(Attempt { url: label, error });
                    }
                }
            }
            if tmp.exists() {
                let _ = fs::remove_file(&tmp);
            }
        }

        // 4. The network.
        let plan = self.plan(f);
        for w in &plan.warnings {
            self.progress
                .event(&FetchEvent::Warning { name, message: w });
        }
        if plan.candidates.is_empty() && attempts.is_empty() {
            return Err(if f.restrict.fetch {
                FetchError::Restricted { name: name.into() }
            } else {
                FetchError::NoSources { name: name.into() }
            });
        }
        let mut queue: VecDeque<Candidate> = plan.candidates.iter().cloned().collect();
        let mut tried: HashSet<String> = HashSet::new();
        let mut checksum_failures = 0usize;
        while let Some(c) = queue.pop_front() {
            let (url, warning) = self.resolve(&c, name, expected);
            if let Some(w) = warning {
                self.progress
                    .event(&FetchEvent::Warning { name, message: &w });
            }
            if !tried.insert(url.clone()) {
                continue;
            }
            let streamed = match self.commands.select(&url, |s| self.transport.supports(s)) {
                Some(selected) => {
                    self.run_command(selected, name, &url, &partial, resume_from, expected)?
                }
                None => self.stream(name, &url, &partial, resume_from, expected),
            };
            let failure: String = match streamed {
                Err(e) => e,
                Ok(Streamed::Broken { on_disk, error }) => {
                    resume_from = on_disk;
                    error
                }
                Ok(Streamed::TooBig { error }) => {
                    resume_from = 0;
                    if partial.exists() {
                        self.moved_aside(name, &partial, &error)?;
                    }
                    checksum_failures += 1;
                    error
                }
                Ok(Streamed::Complete {
                    digests: actual,
                    short_resumes,
                }) => {
                    let verdict = match expected {
                        Some(e) => e.verify(&actual, &[]),
                        None if actual.size() == Some(0) => Err(VerifyError::Size {
                            expected: 1,
                            got: 0,
                        }),
                        None => Ok(()),
                    };
                    match verdict {
                        Ok(()) => {
                            fs::rename(&partial, &final_path).map_err(io_err(&final_path))?;
                            return Ok(done(FetchedFrom::Url(url), Some(actual)));
                        }
                        Err(VerifyError::Size {
                            expected: want,
                            got,
                        }) if got < want && short_resumes => {
                            // Short: keep it and resume from the next candidate.
                            resume_from = got;
                            format!("transfer ended after {got} of {want} bytes")
                        }
                        Err(why) => {
                            resume_from = 0;
                            let error = why.to_string();
                            if fs::metadata(&partial).map(|m| m.len()).unwrap_or(0) > 0 {
                                self.moved_aside(name, &partial, &error)?;
                            } else {
                                let _ = fs::remove_file(&partial);
                            }
                            checksum_failures += 1;
                            error
                        }
                    }
                }
            };
            self.progress.event(&FetchEvent::AttemptFailed {
                name,
                url: &url,
                error: &failure,
            });
            attempts.push(Attempt {
                url,
                error: failure,
            });
            if checksum_failures >= self.options.checksum_try_mirrors.max(1) {
                break;
            }
            if checksum_failures == self.options.checksum_failure_primaryuri
                && !plan.primary.is_empty()
            {
                for u in plan.primary.iter().rev() {
                    queue.push_front(Candidate::Url {
                        url: u.clone(),
                        primary: true,
                    });
                }
            }
        }
        Err(FetchError::Failed {
            name: name.into(),
            attempts,
        })
    }

    /// One download attempt into `partial`, continuing from `offset` when the server allows.
    /// `Err` is a failure that left the partial file as it was.
    fn stream(
        &self,
        name: &str,
        url: &str,
        partial: &Path,
        offset: u64,
        expected: Option<&Digests>,
    ) -> Result<Streamed, String> {
        let total = expected.and_then(Digests::size);
        let mut resp = self.transport.open(url, offset).map_err(|e| e.reason())?;
        if let (Some(len), Some(size)) = (resp.length, total)
            && resp.offset + len > size
        {
            return Ok(Streamed::TooBig {
                error: format!(
                    "server announces {} bytes, the Manifest says {size}",
                    resp.offset + len
                ),
            });
        }
        self.progress.event(&FetchEvent::Attempt {
            name,
            url,
            offset: resp.offset,
            total,
        });
        let mut hasher = MultiHasher::new(self.algorithms(expected));
        let mut file = if resp.offset > 0 {
            // Hash the kept prefix, then append.
            let prefix = File::open(partial).map_err(|e| e.to_string())?;
            hasher
                .update_reader(prefix.take(resp.offset))
                .map_err(|e| e.to_string())?;
            if hasher.size() != resp.offset {
                return Err("partial download changed while resuming".into());
            }
            let mut f = OpenOptions::new()
                .write(true)
                .open(partial)
                .map_err(|e| e.to_string())?;
            f.set_len(resp.offset).map_err(|e| e.to_string())?;
            use std::io::Seek;
            f.seek(io::SeekFrom::End(0)).map_err(|e| e.to_string())?;
            f
        } else {
            File::create(partial).map_err(|e| e.to_string())?
        };
        let mut buf = vec![0u8; 128 * 1024];
        let mut last_report = 0u64;
        loop {
            let n = match resp.body.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    let _ = file.flush();
                    return Ok(Streamed::Broken {
                        on_disk: hasher.size(),
                        error: format!("transfer failed: {e}"),
                    });
                }
            };
            let mut chunk = &buf[..n];
            let mut too_big = false;
            if let Some(size) = total
                && hasher.size() + chunk.len() as u64 > size
            {
                // Keep exactly the expected size on disk; the rest is surplus.
                let keep = usize::try_from(size - hasher.size()).unwrap_or(0);
                chunk = &chunk[..keep];
                too_big = true;
            }
            if let Err(e) = file.write_all(chunk) {
                return Err(format!("{}: {e}", partial.display()));
            }
            hasher.update(chunk);
            if too_big {
                return Ok(Streamed::TooBig {
                    error: format!(
                        "server sent more than the {} bytes expected",
                        total.unwrap_or(0)
                    ),
                });
            }
            if hasher.size() - last_report >= 64 * 1024 {
                last_report = hasher.size();
                self.progress.event(&FetchEvent::Progress {
                    name,
                    done: hasher.size(),
                    total,
                });
            }
        }
        file.flush().map_err(|e| e.to_string())?;
        file.sync_all().map_err(|e| e.to_string())?;
        drop(file);
        self.progress.event(&FetchEvent::Progress {
            name,
            done: hasher.size(),
            total,
        });
        if let Some(len) = resp.length
            && hasher.size() < resp.offset + len
        {
            return Ok(Streamed::Broken {
                on_disk: hasher.size(),
                error: format!(
                    "transfer ended after {} of {} bytes",
                    hasher.size(),
                    resp.offset + len
                ),
            });
        }
        Ok(Streamed::Complete {
            digests: hasher.finish(),
            short_resumes: true,
        })
    }

    /// One download attempt by an external command writing `partial` itself (see the module
    /// documentation). `Ok(Err(_))` is a failure that left the partial file as it was.
    fn run_command(
        &self,
        selected: Selected<'_>,
        name: &str,
        url: &str,
        partial: &Path,
        offset: u64,
        expected: Option<&Digests>,
    ) -> Result<Result<Streamed, String>, FetchError> {
        let total = expected.and_then(Digests::size);
        let resume = selected.resume.filter(|_| offset > 0 && partial.is_file());
        let template = match resume.unwrap_or(selected.fetch) {
            Ok(t) => t,
            Err(e) => return Ok(Err(e.to_string())),
        };
        if resume.is_none() {
            // A fresh download: ${FILE} starts out absent.
            match fs::symlink_metadata(partial) {
                Ok(m) if m.is_dir() => {
                    return Err(FetchError::DirectoryInTheWay {
                        path: partial.to_owned(),
                    });
                }
                Ok(_) => fs::remove_file(partial).map_err(io_err(partial))?,
                Err(_) => {}
            }
        }
        self.progress.event(&FetchEvent::Attempt {
            name,
            url,
            offset: if resume.is_some() { offset } else { 0 },
            total,
        });
        let file = partial
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let on_disk = || fs::metadata(partial).map(|m| m.len()).unwrap_or(0);
        let distdir = self.options.distdir.to_string_lossy();
        let digests = expected
            .map(|d| {
                d.iter()
                    .map(|(n, v)| format!("{}:{}", n.to_ascii_lowercase(), to_hex(v)))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .filter(|d| !d.is_empty());
        let mut vars = vec![
            ("DISTDIR", &*distdir),
            ("URI", url),
            ("FILE", file.as_str()),
        ];
        if let Some(d) = &digests {
            vars.push(("DIGESTS", d));
        }
        if let Some(o) = self.commands.ssh_opts() {
            vars.push(("PORTAGE_SSH_OPTS", o));
        }
        let outcome = match template.run_with(&vars) {
            Ok(o) => o,
            Err(e) => {
                return Ok(Ok(Streamed::Broken {
                    on_disk: on_disk(),
                    error: e.to_string(),
                }));
            }
        };
        let report = outcome.describe();
        if fs::symlink_metadata(partial).is_err() {
            return Ok(Ok(Streamed::Broken {
                on_disk: 0,
                error: format!("{report}; it did not create {file}"),
            }));
        }
        let len = match fs::metadata(partial) {
            Ok(m) if m.is_dir() => {
                return Err(FetchError::DirectoryInTheWay {
                    path: partial.to_owned(),
                });
            }
            Ok(m) => m.len(),
            // A dangling symlink.
            Err(_) => 0,
        };
        self.progress.event(&FetchEvent::Progress {
            name,
            done: len,
            total,
        });
        if len == 0 {
            // Obviously invalid whatever the exit status says.
            fs::remove_file(partial).map_err(io_err(partial))?;
            return Ok(Ok(Streamed::Broken {
                on_disk: 0,
                error: format!("{report}; {file} is empty"),
            }));
        }
        if !outcome.success() {
            match total {
                Some(size) if len < size => {
                    return Ok(Ok(Streamed::Broken {
                        on_disk: len,
                        error: report,
                    }));
                }
                // Without digests, only the exit status can tell.
                None if expected.is_none() => {
                    return Ok(Ok(Streamed::Broken {
                        on_disk: 0,
                        error: report,
                    }));
                }
                // Otherwise the digests decide.
                _ => {}
            }
        }
        let digests = File::open(partial)
            .and_then(|f| crate::hash::hash_open_file(f, len, self.algorithms(expected)));
        match digests {
            Ok(digests) => Ok(Ok(Streamed::Complete {
                digests,
                short_resumes: false,
            })),
            Err(e) => Ok(Err(format!("{}: {e}", partial.display()))),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn resume_min_size_values() {
        assert_eq!(parse_resume_min_size(""), Some(DEFAULT_RESUME_MIN_SIZE));
        assert_eq!(parse_resume_min_size("350K"), Some(358_400));
        assert_eq!(parse_resume_min_size(" 1 M "), Some(1 << 20));
        assert_eq!(parse_resume_min_size("12"), Some(12));
        assert_eq!(parse_resume_min_size("1k"), None);
        assert_eq!(parse_resume_min_size("K"), None);
        assert_eq!(parse_resume_min_size("1.5M"), None);
    }

    #[test]
    fn move_aside_names_and_dedup() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("x.tar.gz.__download__");
        fs::write(&a, b"bad").unwrap();
        let moved = move_aside(&a, "x.tar.gz").unwrap();
        let n = moved.file_name().unwrap().to_str().unwrap().to_owned();
        assert!(n.starts_with("x.tar.gz._checksum_failure_."), "{n}");
        assert_eq!(n.len(), "x.tar.gz._checksum_failure_.".len() + 8);
        assert!(!a.exists());
        // Same bad content again: reuses the earlier copy.
        fs::write(&a, b"bad").unwrap();
        assert_eq!(move_aside(&a, "x.tar.gz").unwrap(), moved);
        assert!(!a.exists());
        // Different content: a new name.
        fs::write(&a, b"other").unwrap();
        assert_ne!(move_aside(&a, "x.tar.gz").unwrap(), moved);
    }
}
