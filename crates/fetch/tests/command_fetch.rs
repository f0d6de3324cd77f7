//! The fetcher running make.conf's FETCHCOMMAND / RESUMECOMMAND family: small `sh -c`
//! scripts that "download" by copying from a local directory, so ftp://, sftp://, custom
//! schemes (and http:// when a plain FETCHCOMMAND is set) work without any network. The
//! scripts log the words they received, which the tests check.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use strata_fetch::fetcher::{CHECKSUM_FAILURE_INFIX, DOWNLOAD_SUFFIX};
use strata_fetch::hash::{HashAlgorithm, hash_file};
use strata_fetch::{
    FetchCommands, FetchError, FetchOptions, Fetchable, FetchedFrom, Fetcher, Restrict,
    SchemeTransport, TemplateError, UriPrefix, UriSource,
};

/// A temporary tree: `up stream/` (what the commands copy from), `dist files/` (DISTDIR)
/// and `log` (one line per command run: label|argv...|). Paths have spaces on purpose.
struct Fixture {
    _dir: tempfile::TempDir,
    src: PathBuf,
    distdir: PathBuf,
    log: PathBuf,
}

fn content(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("up stream");
        let distdir = dir.path().join("dist files");
        fs::create_dir_all(&src).unwrap();
        let log = dir.path().join("log");
        Fixture {
            _dir: dir,
            src,
            distdir,
            log,
        }
    }

    /// Puts `bytes` at `up stream/<path>`.
    fn upstream(&self, path: &str, bytes: &[u8]) -> PathBuf {
        let p = self.src.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, bytes).unwrap();
        p
    }

    /// A fetchable for `name` with the digests of `up stream/<digests_of>` and `uris`.
    fn fetchable(&self, name: &str, digests_of: &str, uris: &[&str]) -> Fetchable {
        let d = hash_file(
            &self.src.join(digests_of),
            [HashAlgorithm::Blake2b, HashAlgorithm::Sha512],
        )
        .unwrap();
        let mut f = Fetchable::new(name, Some(d), Restrict::default());
        for u in uris {
            f.add_source(UriSource {
                uri: (*u).to_owned(),
                prefix: UriPrefix::None,
            });
        }
        f
    }

    /// A FETCHCOMMAND that logs `label|DISTDIR|URI|FILE|` and copies `up stream/<path of
    /// the URI after the host>` to `${DISTDIR}/${FILE}`; exit 3 when there is no such file,
    /// exit 1 (after copying) for paths under `fail/`.
    fn fetch_cmd(&self, label: &str) -> String {
        format!(
            r#"sh -c 'printf "%s|" "$0" "$@" >> "{log}"; echo >> "{log}"; p="${{2#*://*/}}"; test -f "{src}/$p" || {{ echo "no such file: $p" >&2; exit 3; }}; cp "{src}/$p" "$1/$3"; case "$p" in fail/*) exit 1;; esac' {label} "${{DISTDIR}}" "${{URI}}" "${{FILE}}""#,
            log = self.log.display(),
            src = self.src.display(),
        )
    }

    /// A RESUMECOMMAND that logs like [`Fixture::fetch_cmd`] and appends the bytes of the
    /// upstream file beyond the partial file's size.
    fn resume_cmd(&self, label: &str) -> String {
        format!(
            r#"sh -c 'printf "%s|" "$0" "$@" >> "{log}"; echo >> "{log}"; p="${{2#*://*/}}"; have=$(wc -c < "$1/$3"); tail -c +$((have + 1)) "{src}/$p" >> "$1/$3"' {label} "${{DISTDIR}}" "${{URI}}" "${{FILE}}""#,
            log = self.log.display(),
            src = self.src.display(),
        )
    }

    fn log_lines(&self) -> Vec<String> {
        fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// The log line a command labelled `label` writes for `uri` and distfile `name`.
    fn line(&self, label: &str, uri: &str, name: &str) -> String {
        format!(
            "{label}|{}|{uri}|{name}{DOWNLOAD_SUFFIX}|",
            self.distdir.display()
        )
    }

    fn fetcher(&self, commands: FetchCommands) -> Fetcher {
        let mut options = FetchOptions::new(&self.distdir);
        options.mirror_cache_file = false;
        Fetcher::new(options, Arc::new(SchemeTransport::default())).with_commands(commands)
    }

    fn moved_aside(&self, name: &str) -> Vec<PathBuf> {
        let prefix = format!("{name}{CHECKSUM_FAILURE_INFIX}");
        let mut v: Vec<PathBuf> = fs::read_dir(&self.distdir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .starts_with(&prefix)
            })
            .collect();
        v.sort();
        v
    }
}

fn commands(vars: &[(&str, &str)]) -> FetchCommands {
    let c = FetchCommands::from_vars(vars.iter().copied());
    assert!(c.problems().is_empty(), "{:?}", c.problems());
    c
}

fn errors(e: FetchError) -> Vec<String> {
    match e {
        FetchError::Failed { attempts, .. } => attempts.into_iter().map(|a| a.error).collect(),
        other => panic!("unexpected error {other:?}"),
    }
}

fn read(p: &Path) -> Vec<u8> {
    fs::read(p).unwrap()
}

#[test]
fn fetchcommand_downloads_ftp_and_custom_schemes_with_expanded_quoted_words() {
    let fx = Fixture::new();
    let data = content(3000, 1);
    fx.upstream("pub/foo-1.tar.gz", &data);
    fx.upstream("x/bar-2.tar.gz", &content(10, 2));
    let ftp = "ftp://example.invalid/pub/foo-1.tar.gz";
    let custom = "strata-test://host/x/bar-2.tar.gz";
    let foo = fx.fetchable("foo-1.tar.gz", "pub/foo-1.tar.gz", &[ftp]);
    // A name with a space (a `->` rename): ${FILE} stays one word thanks to the quotes.
    let bar = fx.fetchable("my bar-2.tar.gz", "x/bar-2.tar.gz", &[custom]);

    // Without commands, ftp:// is not supported at all.
    let plain = fx.fetcher(FetchCommands::new());
    let e = errors(plain.fetch(&foo).unwrap_err());
    assert_eq!(e, ["unsupported URL scheme"]);

    let fetcher = fx.fetcher(commands(&[("FETCHCOMMAND", &fx.fetch_cmd("fetch"))]));
    let got = fetcher.fetch(&foo).unwrap();
    assert_eq!(got.from, FetchedFrom::Url(ftp.into()));
    assert_eq!(read(&fx.distdir.join("foo-1.tar.gz")), data);
    assert!(!fx.distdir.join("foo-1.tar.gz.__download__").exists());
    assert_eq!(got.digests.unwrap().size(), Some(3000));

    let got = fetcher.fetch(&bar).unwrap();
    assert_eq!(got.from, FetchedFrom::Url(custom.into()));
    assert_eq!(read(&fx.distdir.join("my bar-2.tar.gz")), content(10, 2));
    assert_eq!(
        fx.log_lines(),
        [
            fx.line("fetch", ftp, "foo-1.tar.gz"),
            fx.line("fetch", custom, "my bar-2.tar.gz")
        ]
    );
    // Present and verified: the command is not run again.
    assert_eq!(
        fetcher.fetch(&foo).unwrap().from,
        FetchedFrom::AlreadyPresent
    );
    assert_eq!(fx.log_lines().len(), 2);
}

#[test]
fn failing_command_moves_on_to_the_next_uri() {
    let fx = Fixture::new();
    let data = content(500, 3);
    fx.upstream("foo-1.tar.gz", &data);
    let (missing, good) = ("ftp://a/nothing/foo-1.tar.gz", "ftp://b/foo-1.tar.gz");
    let f = fx.fetchable("foo-1.tar.gz", "foo-1.tar.gz", &[missing, good]);
    let fetcher = fx.fetcher(commands(&[("FETCHCOMMAND", &fx.fetch_cmd("fetch"))]));
    assert_eq!(
        fetcher.fetch(&f).unwrap().from,
        FetchedFrom::Url(good.into())
    );
    assert_eq!(read(&fx.distdir.join("foo-1.tar.gz")), data);
    assert_eq!(
        fx.log_lines(),
        [
            fx.line("fetch", missing, "foo-1.tar.gz"),
            fx.line("fetch", good, "foo-1.tar.gz")
        ]
    );

    // Every URI failing: the attempts carry the variable, exit status and last output line.
    let g = fx.fetchable("foo-1.tar.gz", "foo-1.tar.gz", &[missing, "ftp://c/no/x"]);
    fs::remove_file(fx.distdir.join("foo-1.tar.gz")).unwrap();
    let e = errors(fetcher.fetch(&g).unwrap_err());
    assert_eq!(e.len(), 2);
    for (err, path) in e.iter().zip(["nothing/foo-1.tar.gz", "no/x"]) {
        assert!(
            err.starts_with("FETCHCOMMAND failed (exit status: 3)"),
            "{err}"
        );
        assert!(err.contains(&format!("no such file: {path}")), "{err}");
        assert!(
            err.contains("did not create foo-1.tar.gz.__download__"),
            "{err}"
        );
    }
}

#[test]
fn wrong_checksum_is_moved_aside_and_the_next_uri_tried() {
    let fx = Fixture::new();
    let data = content(800, 4);
    let mut bad = data.clone();
    bad[100] ^= 0xff;
    fx.upstream("foo-1.tar.gz", &data);
    fx.upstream("bad/foo-1.tar.gz", &bad);
    let (wrong, good) = ("ftp://a/bad/foo-1.tar.gz", "sftp://b/foo-1.tar.gz");
    let fetcher = fx.fetcher(commands(&[("FETCHCOMMAND", &fx.fetch_cmd("fetch"))]));

    // Only the wrong file: rejected as for HTTP.
    let only_wrong = fx.fetchable("foo-1.tar.gz", "foo-1.tar.gz", &[wrong]);
    let e = errors(fetcher.fetch(&only_wrong).unwrap_err());
    assert_eq!(e.len(), 1);
    assert!(e[0].contains("BLAKE2B"), "{e:?}");
    assert!(!fx.distdir.join("foo-1.tar.gz").exists());
    let aside = fx.moved_aside("foo-1.tar.gz");
    assert_eq!(aside.len(), 1);
    assert_eq!(read(&aside[0]), bad);

    let f = fx.fetchable("foo-1.tar.gz", "foo-1.tar.gz", &[wrong, good]);
    assert_eq!(
        fetcher.fetch(&f).unwrap().from,
        FetchedFrom::Url(good.into())
    );
    assert_eq!(read(&fx.distdir.join("foo-1.tar.gz")), data);
    // The identical bad copy was recognised, not kept twice.
    assert_eq!(fx.moved_aside("foo-1.tar.gz"), aside);
}

#[test]
fn protocol_specific_command_wins_and_plain_fetchcommand_covers_remote_schemes() {
    let fx = Fixture::new();
    let data = content(64, 5);
    let local = fx.upstream("foo-1.tar.gz", &data);
    let fetcher = fx.fetcher(commands(&[
        ("FETCHCOMMAND", &fx.fetch_cmd("generic")),
        ("FETCHCOMMAND_FTP", &fx.fetch_cmd("ftp")),
    ]));
    let f = |uri: &str| fx.fetchable("foo-1.tar.gz", "foo-1.tar.gz", &[uri]);
    let done = |uri: &str| {
        let got = fetcher.fetch(&f(uri)).unwrap();
        assert_eq!(got.from, FetchedFrom::Url(uri.into()));
        fs::remove_file(fx.distdir.join("foo-1.tar.gz")).unwrap();
    };
    done("ftp://a/foo-1.tar.gz");
    done("sftp://a/foo-1.tar.gz");
    // A plain FETCHCOMMAND set by the user handles http too (port 9 is never contacted).
    done("http://127.0.0.1:9/foo-1.tar.gz");
    // file:// stays with the built-in transport.
    done(&format!("file://{}", local.display()));
    assert_eq!(
        fx.log_lines(),
        [
            fx.line("ftp", "ftp://a/foo-1.tar.gz", "foo-1.tar.gz"),
            fx.line("generic", "sftp://a/foo-1.tar.gz", "foo-1.tar.gz"),
            fx.line("generic", "http://127.0.0.1:9/foo-1.tar.gz", "foo-1.tar.gz"),
        ]
    );
}

#[test]
fn builtin_default_fetchcommand_only_fills_unsupported_schemes() {
    let fx = Fixture::new();
    fx.upstream("foo-1.tar.gz", &content(64, 6));
    let mut c = FetchCommands::new();
    c.set_default("FETCHCOMMAND", &fx.fetch_cmd("default"));
    let fetcher = fx.fetcher(c);
    // A closed loopback port: the built-in client tries (and fails); the command is not run.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let http = format!("http://127.0.0.1:{port}/foo-1.tar.gz");
    let e = errors(
        fetcher
            .fetch(&fx.fetchable("foo-1.tar.gz", "foo-1.tar.gz", &[&http]))
            .unwrap_err(),
    );
    assert!(!e[0].contains("default"), "{e:?}");
    assert!(fx.log_lines().is_empty());
    let ftp = "ftp://a/foo-1.tar.gz";
    let got = fetcher
        .fetch(&fx.fetchable("foo-1.tar.gz", "foo-1.tar.gz", &[ftp]))
        .unwrap();
    assert_eq!(got.from, FetchedFrom::Url(ftp.into()));
    assert_eq!(fx.log_lines(), [fx.line("default", ftp, "foo-1.tar.gz")]);
}

#[test]
fn resumecommand_continues_a_partial_download() {
    let fx = Fixture::new();
    let data = content(2000, 7);
    fx.upstream("foo-1.tar.gz", &data);
    let partial = fx.distdir.join("foo-1.tar.gz.__download__");
    let ftp = "ftp://a/foo-1.tar.gz";
    let f = fx.fetchable("foo-1.tar.gz", "foo-1.tar.gz", &[ftp]);
    let fetcher_with = |vars: &[(&str, &str)]| {
        let mut options = FetchOptions::new(&fx.distdir);
        options.mirror_cache_file = false;
        options.resume_min_size = 100;
        Fetcher::new(options, Arc::new(SchemeTransport::default())).with_commands(commands(vars))
    };
    let fetch = fx.fetch_cmd("fetch");
    let resume = fx.resume_cmd("resume");
    let resume_ftp = fx.resume_cmd("resume-ftp");

    fs::create_dir_all(&fx.distdir).unwrap();
    fs::write(&partial, &data[..700]).unwrap();
    let fetcher = fetcher_with(&[("FETCHCOMMAND", &fetch), ("RESUMECOMMAND", &resume)]);
    assert_eq!(
        fetcher.fetch(&f).unwrap().from,
        FetchedFrom::Url(ftp.into())
    );
    assert_eq!(read(&fx.distdir.join("foo-1.tar.gz")), data);
    assert_eq!(fx.log_lines(), [fx.line("resume", ftp, "foo-1.tar.gz")]);

    // RESUMECOMMAND_FTP wins over RESUMECOMMAND.
    fs::remove_file(fx.distdir.join("foo-1.tar.gz")).unwrap();
    fs::write(&partial, &data[..700]).unwrap();
    let fetcher = fetcher_with(&[
        ("FETCHCOMMAND", &fetch),
        ("RESUMECOMMAND", &resume),
        ("RESUMECOMMAND_FTP", &resume_ftp),
    ]);
    assert_eq!(
        fetcher.fetch(&f).unwrap().from,
        FetchedFrom::Url(ftp.into())
    );
    assert_eq!(read(&fx.distdir.join("foo-1.tar.gz")), data);
    assert_eq!(
        fx.log_lines().last().unwrap(),
        &fx.line("resume-ftp", ftp, "foo-1.tar.gz")
    );

    // No RESUMECOMMAND: the partial file is dropped and FETCHCOMMAND starts over (a
    // garbage partial file shows it was not appended to).
    fs::remove_file(fx.distdir.join("foo-1.tar.gz")).unwrap();
    fs::write(&partial, vec![b'?'; 700]).unwrap();
    let fetcher = fetcher_with(&[("FETCHCOMMAND", &fetch)]);
    assert_eq!(
        fetcher.fetch(&f).unwrap().from,
        FetchedFrom::Url(ftp.into())
    );
    assert_eq!(read(&fx.distdir.join("foo-1.tar.gz")), data);
    assert_eq!(
        fx.log_lines().last().unwrap(),
        &fx.line("fetch", ftp, "foo-1.tar.gz")
    );
}

#[test]
fn exit_status_and_size_decide_like_portage() {
    let fx = Fixture::new();
    let data = content(1000, 8);
    fx.upstream("foo-1.tar.gz", &data);
    fx.upstream("fail/half/foo-1.tar.gz", &data[..400]);
    fx.upstream("half/foo-1.tar.gz", &data[..400]);
    fx.upstream("fail/full/foo-1.tar.gz", &data);
    let fetch = fx.fetch_cmd("fetch");
    let resume = fx.resume_cmd("resume");
    let mut options = FetchOptions::new(&fx.distdir);
    options.mirror_cache_file = false;
    options.resume_min_size = 100;
    let fetcher =
        Fetcher::new(options, Arc::new(SchemeTransport::default())).with_commands(commands(&[
            ("FETCHCOMMAND", &fetch),
            ("RESUMECOMMAND", &resume),
        ]));
    let name = "foo-1.tar.gz";
    let final_path = fx.distdir.join(name);

    // Non-zero exit with a short file: a broken transfer, resumed from the next URI.
    let (broken, good) = ("ftp://a/fail/half/foo-1.tar.gz", "ftp://b/foo-1.tar.gz");
    let f = fx.fetchable(name, name, &[broken, good]);
    assert_eq!(
        fetcher.fetch(&f).unwrap().from,
        FetchedFrom::Url(good.into())
    );
    assert_eq!(read(&final_path), data);
    assert_eq!(
        fx.log_lines(),
        [
            fx.line("fetch", broken, name),
            fx.line("resume", good, name)
        ]
    );
    assert!(fx.moved_aside(name).is_empty());

    // Exit 0 with a short file: the digests are probably outdated; a checksum failure,
    // moved aside, and the next URI starts from scratch.
    fs::remove_file(&final_path).unwrap();
    let short = "ftp://a/half/foo-1.tar.gz";
    let f = fx.fetchable(name, name, &[short, good]);
    assert_eq!(
        fetcher.fetch(&f).unwrap().from,
        FetchedFrom::Url(good.into())
    );
    assert_eq!(read(&final_path), data);
    assert_eq!(
        fx.log_lines()[2..],
        [fx.line("fetch", short, name), fx.line("fetch", good, name)]
    );
    let aside = fx.moved_aside(name);
    assert_eq!(aside.len(), 1);
    assert_eq!(read(&aside[0]), &data[..400]);

    // Non-zero exit but the complete, correct file: the digests decide (accepted).
    fs::remove_file(&final_path).unwrap();
    let full = "ftp://a/fail/full/foo-1.tar.gz";
    let f = fx.fetchable(name, name, &[full]);
    assert_eq!(
        fetcher.fetch(&f).unwrap().from,
        FetchedFrom::Url(full.into())
    );
    assert_eq!(read(&final_path), data);

    // Without digests only the exit status can tell: a non-zero exit fails.
    let mut options = FetchOptions::new(&fx.distdir);
    options.mirror_cache_file = false;
    options.allow_missing_digests = true;
    let fetcher = Fetcher::new(options, Arc::new(SchemeTransport::default()))
        .with_commands(commands(&[("FETCHCOMMAND", &fetch)]));
    let mut f = Fetchable::new("other.tar.gz", None, Restrict::default());
    f.add_source(UriSource {
        uri: full.into(),
        prefix: UriPrefix::None,
    });
    let e = errors(fetcher.fetch(&f).unwrap_err());
    assert!(
        e[0].starts_with("FETCHCOMMAND failed (exit status: 1)"),
        "{e:?}"
    );
    assert!(!fx.distdir.join("other.tar.gz").exists());
}

#[test]
fn template_without_file_is_rejected_naming_the_variable() {
    let fx = Fixture::new();
    fx.upstream("foo-1.tar.gz", &content(64, 9));
    let marker = fx.distdir.join("ran");
    let no_file = format!(
        r#"sh -c 'touch "{}"' x "${{DISTDIR}}/$FILE" "${{URI}}""#,
        marker.display()
    );
    let c = FetchCommands::from_vars([("FETCHCOMMAND_FTP", no_file.as_str())]);
    let problems = c.problems();
    assert_eq!(problems.len(), 1);
    assert!(
        matches!(problems[0], TemplateError::MissingFile { var, .. } if var == "FETCHCOMMAND_FTP"),
        "{problems:?}"
    );
    let fetcher = fx.fetcher(c);
    let f = fx.fetchable("foo-1.tar.gz", "foo-1.tar.gz", &["ftp://a/foo-1.tar.gz"]);
    let e = errors(fetcher.fetch(&f).unwrap_err());
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("FETCHCOMMAND_FTP does not contain the required ${FILE} parameter"),
        "{e:?}"
    );
    assert!(!marker.exists(), "the command must not run");

    // The other template errors, with the variable named.
    let c = FetchCommands::from_vars([
        ("FETCHCOMMAND", ""),
        ("RESUMECOMMAND_SFTP", "sftp \"${URI} ${FILE}"),
    ]);
    let msgs: Vec<String> = c.problems().iter().map(|p| p.to_string()).collect();
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0], "FETCHCOMMAND is empty");
    assert!(
        msgs[1].starts_with("RESUMECOMMAND_SFTP: unbalanced quotes"),
        "{msgs:?}"
    );
}

#[test]
fn digests_and_ssh_opts_are_passed_as_in_portage() {
    let fx = Fixture::new();
    let data = content(100, 10);
    fx.upstream("foo-1.tar.gz", &data);
    let cmd = format!(
        r#"sh -c 'printf "%s|" "$@" > "{log}"; cp "{src}/foo-1.tar.gz" "$1"' x "${{DISTDIR}}/${{FILE}}" "${{DIGESTS}}" "$PORTAGE_SSH_OPTS" "${{UNKNOWN}}""#,
        log = fx.log.display(),
        src = fx.src.display(),
    );
    let mut c = commands(&[("FETCHCOMMAND_SFTP", &cmd)]);
    assert!(c.set("PORTAGE_SSH_OPTS", "-o Port=2222"));
    let f = fx.fetchable("foo-1.tar.gz", "foo-1.tar.gz", &["sftp://h/foo-1.tar.gz"]);
    let d = f.digests.clone().unwrap();
    fx.fetcher(c).fetch(&f).unwrap();
    assert_eq!(read(&fx.distdir.join("foo-1.tar.gz")), data);
    assert_eq!(
        fs::read_to_string(&fx.log).unwrap(),
        format!(
            "{}/foo-1.tar.gz.__download__|blake2b:{} sha512:{}|-o Port=2222||",
            fx.distdir.display(),
            d.hex("BLAKE2B").unwrap(),
            d.hex("SHA512").unwrap()
        )
    );
}

#[test]
fn ftp_mirror_layout_conf_is_read_through_the_command() {
    let fx = Fixture::new();
    let data = content(300, 11);
    let name = "foo-1.tar.gz";
    let hashed = strata_fetch::Layout::parse("filename-hash BLAKE2B 8")
        .unwrap()
        .path(name, None)
        .unwrap();
    assert_ne!(hashed, name);
    fx.upstream(&format!("gentoo/distfiles/{hashed}"), &data);
    fx.upstream(
        "gentoo/distfiles/layout.conf",
        b"[structure]\n0=filename-hash BLAKE2B 8\n1=flat\n",
    );
    fx.upstream(name, &data);
    let f = fx.fetchable(name, name, &["https://upstream.invalid/foo-1.tar.gz"]);
    let fetcher = fx
        .fetcher(commands(&[("FETCHCOMMAND_FTP", &fx.fetch_cmd("ftp"))]))
        .with_mirrors(strata_fetch::MirrorConfig {
            gentoo_mirrors: vec!["ftp://mirror.invalid/gentoo".into()],
            ..Default::default()
        });
    let url = format!("ftp://mirror.invalid/gentoo/distfiles/{hashed}");
    assert_eq!(
        fetcher.fetch(&f).unwrap().from,
        FetchedFrom::Url(url.clone())
    );
    assert_eq!(read(&fx.distdir.join(name)), data);
    let log = fx.log_lines();
    assert_eq!(log.len(), 2, "{log:?}");
    let layout_conf = format!(
        "ftp|{}|ftp://mirror.invalid/gentoo/distfiles/layout.conf|.",
        fx.distdir.display()
    );
    assert!(log[0].starts_with(&layout_conf), "{log:?}");
    assert_eq!(log[1], fx.line("ftp", &url, name));
    // The scratch file is gone; only the distfile (and the lock directory) is left.
    let mut left: Vec<_> = fs::read_dir(&fx.distdir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, [".locks", name]);
}
