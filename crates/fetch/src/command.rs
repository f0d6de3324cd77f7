//! External download commands: make.conf's `FETCHCOMMAND`, `RESUMECOMMAND` and their
//! protocol-specific forms `FETCHCOMMAND_<PROTO>` / `RESUMECOMMAND_<PROTO>`, as Portage runs
//! them (`lib/portage/package/ebuild/fetch.py`, make.conf(5)).
//!
//! * A [`CommandTemplate`] is one variable's value. It must contain the literal text
//!   `${FILE}` (Portage's check), be non-empty and have balanced quotes.
//! * For a download it is expanded with Portage's `varexpand` rules, knowing only the
//!   variables `DISTDIR`, `URI` and `FILE`, and as Portage also `DIGESTS` (the Manifest's
//!   hashes as `blake2b:<hex> sha512:<hex>`, here in name order) and `PORTAGE_SSH_OPTS`
//!   (when configured) (`$VAR` or `${VAR}`; any other variable expands to nothing; nothing is expanded inside single quotes; `\$` and `\\` lose their backslash),
//!   then split into words like a POSIX shell would (the `shlex` crate; quotes removed), and
//!   run directly, without a shell: stdin is `/dev/null`, stdout and stderr are captured (the
//!   last line of output is quoted when the command fails), the environment is inherited
//!   (proxies). `FILE` is the name of the partial download (`<distfile>.__download__`) inside
//!   `DISTDIR`; the command must write `${DISTDIR}/${FILE}`.
//! * [`FetchCommands`] holds every configured variable and picks the commands for a URL:
//!   `FETCHCOMMAND_<SCHEME>` (scheme upper-cased) when set, else the plain `FETCHCOMMAND` for
//!   every scheme but `file`; for resuming, `RESUMECOMMAND_<SCHEME>` else `RESUMECOMMAND`.
//!   A plain command given as a built-in default ([`FetchCommands::set_default`], strata's
//!   make.globals wget) only serves schemes the built-in transports cannot handle, so
//!   http/https keep the built-in client unless the user configured a command.
//!
//! Differences from Python's `shlex.split`: a word starting with `#` starts a comment (the
//! `shlex` crate's rule; Portage keeps it as a word), and `\r` is not a separator.
//!
//! ```
//! use std::path::Path;
//! use strata_fetch::{CommandTemplate, FetchCommands, TemplateError};
//!
//! let t = CommandTemplate::parse("FETCHCOMMAND", r#"wget -O "${DISTDIR}/${FILE}" "$URI""#)?;
//! let words = t.expand(Path::new("/var/cache/dist files"), "ftp://h/f.tgz", "f.tgz.__download__")?;
//! assert_eq!(words, ["wget", "-O", "/var/cache/dist files/f.tgz.__download__", "ftp://h/f.tgz"]);
//! assert!(matches!(
//!     CommandTemplate::parse("FETCHCOMMAND", "wget $URI"),
//!     Err(TemplateError::MissingFile { .. })
//! ));
//!
//! // A protocol-specific command covers its scheme only; http stays built-in here.
//! let c = FetchCommands::from_vars([("FETCHCOMMAND_FTP", "curl -o ${FILE} ${URI}")]);
//! assert!(c.select("ftp://h/f.tgz", |_| true).is_some());
//! assert!(c.select("https://h/f.tgz", |_| true).is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use crate::transport::{Response, Transport, TransportError};

/// The variables a command template may use.
pub const COMMAND_VARIABLES: [&str; 5] = ["DISTDIR", "URI", "FILE", "DIGESTS", "PORTAGE_SSH_OPTS"];

/// Why a command template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// The value is empty (or only blanks).
    #[error("{var} is empty")]
    Empty {
        /// The variable (`FETCHCOMMAND_FTP`).
        var: String,
    },
    /// The value lacks the literal `${FILE}` Portage requires.
    #[error("{var} does not contain the required ${{FILE}} parameter: {command:?}")]
    MissingFile {
        /// The variable.
        var: String,
        /// Its value.
        command: String,
    },
    /// A `${` without its `}`, or `$` followed by something that is not a name.
    #[error("{var}: {problem} at character {offset}: {command:?}")]
    BadSubstitution {
        /// The variable.
        var: String,
        /// Its value.
        command: String,
        /// Character offset of the `$`.
        offset: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// A quote without its closing quote (or a trailing backslash), found when splitting
    /// the expanded command into words.
    #[error("{var}: unbalanced quotes (or a trailing backslash) in {command:?}")]
    UnbalancedQuotes {
        /// The variable.
        var: String,
        /// The text being split (the expanded command when the expansion introduced it).
        command: String,
    },
}

/// Why a command could not be run.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The template is unusable.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// The program could not be started.
    #[error("{var}: cannot run {program:?}: {source}")]
    Spawn {
        /// The variable.
        var: String,
        /// The program (first word).
        program: String,
        /// The error.
        source: io::Error,
    },
}

/// A finished command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutcome {
    /// The variable the command came from.
    pub var: String,
    /// The words it ran with (program first).
    pub argv: Vec<String>,
    /// Its exit status.
    pub status: ExitStatus,
    /// Its captured standard output.
    pub stdout: Vec<u8>,
    /// Its captured standard error.
    pub stderr: Vec<u8>,
}

impl CommandOutcome {
    /// Whether it exited with status 0.
    pub fn success(&self) -> bool {
        self.status.success()
    }

    /// `FETCHCOMMAND_FTP failed (exit status: 3): <last line of output>`.
    pub fn describe(&self) -> String {
        let last = [&self.stderr, &self.stdout].into_iter().find_map(|out| {
            String::from_utf8_lossy(out)
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(str::to_owned)
        });
        let verdict = if self.success() { "ran" } else { "failed" };
        match last {
            Some(line) => format!("{} {verdict} ({}): {line}", self.var, self.status),
            None => format!("{} {verdict} ({})", self.var, self.status),
        }
    }
}

/// One command variable's value, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandTemplate {
    var: String,
    template: String,
}

impl CommandTemplate {
    /// Checks `template`, the value of `var`: non-empty, containing `${FILE}`, expandable
    /// and with balanced quotes.
    pub fn parse(var: &str, template: &str) -> Result<CommandTemplate, TemplateError> {
        if template.trim().is_empty() {
            return Err(TemplateError::Empty { var: var.into() });
        }
        if !template.contains("${FILE}") {
            return Err(TemplateError::MissingFile {
                var: var.into(),
                command: template.into(),
            });
        }
        let t = CommandTemplate {
            var: var.into(),
            template: template.into(),
        };
        // Expanding with quote-free placeholders finds every syntax error of the template
        // itself.
        let argv = t.expand(Path::new("DISTDIR"), "URI", "FILE")?;
        if argv.is_empty() {
            return Err(TemplateError::Empty { var: var.into() });
        }
        Ok(t)
    }

    /// The variable name.
    pub fn var(&self) -> &str {
        &self.var
    }

    /// The template text.
    pub fn template(&self) -> &str {
        &self.template
    }

    /// The command's words for one download.
    pub fn expand(
        &self,
        distdir: &Path,
        uri: &str,
        file: &str,
    ) -> Result<Vec<String>, TemplateError> {
        let distdir = distdir.to_string_lossy();
        self.expand_with(&[("DISTDIR", &*distdir), ("URI", uri), ("FILE", file)])
    }

    /// The command's words with these variables (name, value; the first of a name wins);
    /// any other variable expands to nothing.
    pub fn expand_with(&self, vars: &[(&str, &str)]) -> Result<Vec<String>, TemplateError> {
        let expanded = varexpand(&self.template, vars).map_err(|(offset, problem)| {
            TemplateError::BadSubstitution {
                var: self.var.clone(),
                command: self.template.clone(),
                offset,
                problem,
            }
        })?;
        shlex::split(&expanded).ok_or_else(|| TemplateError::UnbalancedQuotes {
            var: self.var.clone(),
            command: expanded,
        })
    }

    /// Runs the command for one download (no shell; stdin null; output captured) and waits
    /// for it. A non-zero exit is an `Ok` outcome: the caller decides, as Portage does, from
    /// the status and the file.
    pub fn run(
        &self,
        distdir: &Path,
        uri: &str,
        file: &str,
    ) -> Result<CommandOutcome, CommandError> {
        let distdir = distdir.to_string_lossy();
        self.run_with(&[("DISTDIR", &*distdir), ("URI", uri), ("FILE", file)])
    }

    /// [`CommandTemplate::run`] with these variables ([`CommandTemplate::expand_with`]).
    pub fn run_with(&self, vars: &[(&str, &str)]) -> Result<CommandOutcome, CommandError> {
        let argv = self.expand_with(vars)?;
        let Some((program, args)) = argv.split_first() else {
            return Err(TemplateError::Empty {
                var: self.var.clone(),
            }
            .into());
        };
        let out = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .map_err(|source| CommandError::Spawn {
                var: self.var.clone(),
                program: program.clone(),
                source,
            })?;
        Ok(CommandOutcome {
            var: self.var.clone(),
            argv,
            status: out.status,
            stdout: out.stdout,
            stderr: out.stderr,
        })
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Portage's `varexpand` (quotes kept for the shell-like split that follows; `$VAR` and
/// `${VAR}` replaced from `vars`, unknown names by nothing; nothing expanded inside single
/// quotes; `\$` and `\\` lose their backslash, `\<newline>` disappears, other escapes are
/// kept; newlines become spaces). `Err((offset, problem))` where Portage reports an error.
fn varexpand(s: &str, vars: &[(&str, &str)]) -> Result<String, (usize, &'static str)> {
    const EOF: &str = "unexpected end while looking for the matching `}'";
    let c: Vec<char> = s.chars().collect();
    let len = c.len();
    let (mut insing, mut indoub) = (false, false);
    let mut out = String::with_capacity(s.len());
    let mut pos = 0;
    while pos < len {
        let cur = c[pos];
        if cur == '\'' {
            out.push(cur);
            if !indoub {
                insing = !insing;
            }
            pos += 1;
            continue;
        }
        if cur == '"' {
            out.push(cur);
            if !insing {
                indoub = !indoub;
            }
            pos += 1;
            continue;
        }
        if insing {
            out.push(cur);
            pos += 1;
            continue;
        }
        match cur {
            '\n' => {
                out.push(' ');
                pos += 1;
            }
            '\\' => {
                let Some(&next) = c.get(pos + 1) else {
                    out.push(cur);
                    break;
                };
                pos += 2;
                match next {
                    '$' => out.push('$'),
                    '\\' => {
                        out.push('\\');
                        // Portage's bug-for-bug behaviour: `\\` followed by a quote or `$`
                        // keeps that character literally.
                        if let Some(&q) = c.get(pos)
                            && matches!(q, '\'' | '"' | '$')
                        {
                            out.push(q);
                            pos += 1;
                        }
                    }
                    '\n' => {}
                    _ => {
                        out.push('\\');
                        out.push(next);
                    }
                }
            }
            '$' => {
                let dollar = pos;
                pos += 1;
                if pos == len {
                    out.push('$');
                    continue;
                }
                let braced = c[pos] == '{';
                if braced {
                    pos += 1;
                    if pos == len {
                        return Err((dollar, EOF));
                    }
                }
                let start = pos;
                while is_word_char(c[pos]) {
                    if pos + 1 >= len {
                        if braced {
                            return Err((dollar, EOF));
                        }
                        pos += 1;
                        break;
                    }
                    pos += 1;
                }
                let name: String = c[start..pos].iter().collect();
                if braced {
                    if c.get(pos) != Some(&'}') {
                        return Err((dollar, EOF));
                    }
                    pos += 1;
                }
                if name.is_empty() {
                    return Err((dollar, "bad substitution"));
                }
                if let Some((_, v)) = vars.iter().find(|(k, _)| *k == name) {
                    out.push_str(v);
                }
            }
            _ => {
                out.push(cur);
                pos += 1;
            }
        }
    }
    Ok(out)
}

/// A configured command: checked, or why it cannot be used (reported when a download needs
/// it, as Portage does).
pub type ConfiguredCommand = Result<CommandTemplate, TemplateError>;

/// The commands chosen for one URL.
#[derive(Debug, Clone, Copy)]
pub struct Selected<'a> {
    /// The command that downloads the file from scratch.
    pub fetch: &'a ConfiguredCommand,
    /// The command that continues a partial download, if any (else the download restarts
    /// with [`Selected::fetch`]).
    pub resume: Option<&'a ConfiguredCommand>,
}

/// make.conf's download commands (see the module documentation for which applies when).
#[derive(Debug, Clone, Default)]
pub struct FetchCommands {
    /// `FETCHCOMMAND_<PROTO>` by upper-case protocol; `""` for the plain `FETCHCOMMAND`.
    fetch: BTreeMap<String, ConfiguredCommand>,
    /// `RESUMECOMMAND_<PROTO>` likewise.
    resume: BTreeMap<String, ConfiguredCommand>,
    /// The plain FETCHCOMMAND is a built-in default.
    fetch_is_default: bool,
    /// The plain RESUMECOMMAND is a built-in default.
    resume_is_default: bool,
    /// `PORTAGE_SSH_OPTS`, passed to the commands.
    ssh_opts: Option<String>,
}

/// Splits `FETCHCOMMAND_FTP` into (resume?, `FTP`); `None` for other names.
fn classify(var: &str) -> Option<(bool, &str)> {
    let (resume, rest) = if let Some(r) = var.strip_prefix("FETCHCOMMAND") {
        (false, r)
    } else {
        (true, var.strip_prefix("RESUMECOMMAND")?)
    };
    match rest {
        "" => Some((resume, "")),
        _ => {
            let proto = rest.strip_prefix('_')?;
            (!proto.is_empty()).then_some((resume, proto))
        }
    }
}

impl FetchCommands {
    /// No commands: every URL goes to the built-in transports.
    pub fn new() -> FetchCommands {
        FetchCommands::default()
    }

    /// The commands among `vars` (name, value); other names are ignored.
    pub fn from_vars<K: AsRef<str>, V: AsRef<str>>(
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> FetchCommands {
        let mut c = FetchCommands::new();
        for (k, v) in vars {
            c.set(k.as_ref(), v.as_ref());
        }
        c
    }

    /// Whether `var` is `FETCHCOMMAND`, `RESUMECOMMAND` or one of their `_<PROTO>` forms,
    /// or `PORTAGE_SSH_OPTS` (which the commands see): the settings to hand over.
    pub fn is_command_var(var: &str) -> bool {
        var == "PORTAGE_SSH_OPTS" || classify(var).is_some()
    }

    /// `PORTAGE_SSH_OPTS`, if set.
    pub fn ssh_opts(&self) -> Option<&str> {
        self.ssh_opts.as_deref()
    }

    /// Sets a command variable (or `PORTAGE_SSH_OPTS`) configured by the user; returns false
    /// (and does nothing) for any other name. An unusable value is kept and reported when it is needed.
    pub fn set(&mut self, var: &str, value: &str) -> bool {
        self.insert(var, value, false)
    }

    /// Sets the plain `FETCHCOMMAND` / `RESUMECOMMAND` as a built-in default (strata's
    /// make.globals): the default FETCHCOMMAND is used only for schemes the transport
    /// cannot handle, the default RESUMECOMMAND only to resume what the default
    /// FETCHCOMMAND fetches. For other names it is [`FetchCommands::set`].
    pub fn set_default(&mut self, var: &str, value: &str) -> bool {
        self.insert(var, value, true)
    }

    fn insert(&mut self, var: &str, value: &str, default: bool) -> bool {
        if var == "PORTAGE_SSH_OPTS" {
            self.ssh_opts = Some(value.to_owned());
            return true;
        }
        let Some((resume, proto)) = classify(var) else {
            return false;
        };
        let parsed = CommandTemplate::parse(var, value);
        let proto = proto.to_ascii_uppercase();
        let plain = proto.is_empty();
        if resume {
            self.resume.insert(proto, parsed);
            if plain {
                self.resume_is_default = default;
            }
        } else {
            self.fetch.insert(proto, parsed);
            if plain {
                self.fetch_is_default = default;
            }
        }
        true
    }

    /// Whether no command is configured (`PORTAGE_SSH_OPTS` alone does not count).
    pub fn is_empty(&self) -> bool {
        self.fetch.is_empty() && self.resume.is_empty()
    }

    /// The configured values that cannot be used.
    pub fn problems(&self) -> Vec<&TemplateError> {
        self.fetch
            .values()
            .chain(self.resume.values())
            .filter_map(|c| c.as_ref().err())
            .collect()
    }

    /// The commands for `url`, or `None` when the built-in transport handles it.
    /// `builtin_supports(scheme)` says whether the built-in transport handles a (lower-case)
    /// scheme.
    pub fn select(
        &self,
        url: &str,
        builtin_supports: impl Fn(&str) -> bool,
    ) -> Option<Selected<'_>> {
        let (proto, _) = url.split_once("://")?;
        if proto.is_empty() {
            return None;
        }
        let upper = proto.to_ascii_uppercase();
        let lower = proto.to_ascii_lowercase();
        let (fetch, plain) = match self.fetch.get(&upper) {
            Some(f) => (f, false),
            None => {
                let f = self.fetch.get("")?;
                if lower == "file" || (self.fetch_is_default && builtin_supports(&lower)) {
                    return None;
                }
                (f, true)
            }
        };
        let resume = self.resume.get(&upper).or_else(|| {
            self.resume
                .get("")
                .filter(|_| !self.resume_is_default || (plain && self.fetch_is_default))
        });
        Some(Selected { fetch, resume })
    }
}

/// A [`Transport`] for URLs the commands cover: it runs the fetch command into a scratch file
/// in a directory (`.<pid>.<thread>.__command__`, removed once opened), and returns the whole
/// file (offset 0); other URLs go to the inner transport. The [`crate::Fetcher`] reads
/// mirrors' `layout.conf` through it, so an ftp:// mirror's layout is known too (distfiles
/// themselves are written by the command straight into `<name>.__download__`).
pub struct CommandTransport<'a> {
    inner: &'a dyn Transport,
    commands: &'a FetchCommands,
    dir: &'a Path,
}

impl<'a> CommandTransport<'a> {
    /// Commands over `inner`, with scratch files in `dir` (the command's `${DISTDIR}`).
    pub fn new(
        inner: &'a dyn Transport,
        commands: &'a FetchCommands,
        dir: &'a Path,
    ) -> CommandTransport<'a> {
        CommandTransport {
            inner,
            commands,
            dir,
        }
    }
}

impl std::fmt::Debug for CommandTransport<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommandTransport")
            .field("commands", self.commands)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Transport for CommandTransport<'_> {
    fn supports(&self, scheme: &str) -> bool {
        self.inner.supports(scheme)
            || self
                .commands
                .select(&format!("{scheme}://"), |s| self.inner.supports(s))
                .is_some()
    }

    fn open(&self, url: &str, offset: u64) -> Result<Response, TransportError> {
        let Some(selected) = self.commands.select(url, |s| self.inner.supports(s)) else {
            return self.inner.open(url, offset);
        };
        let other = |detail: String| TransportError::Other {
            url: url.to_owned(),
            detail,
        };
        let template = selected.fetch.as_ref().map_err(|e| other(e.to_string()))?;
        let file = format!(
            ".{}.{:?}.__command__",
            std::process::id(),
            std::thread::current().id()
        )
        .replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '.' && c != '_',
            "",
        );
        let path = self.dir.join(&file);
        fs::create_dir_all(self.dir).map_err(|e| other(format!("{}: {e}", self.dir.display())))?;
        let _ = fs::remove_file(&path);
        let dir = self.dir.to_string_lossy();
        let mut vars = vec![("DISTDIR", &*dir), ("URI", url), ("FILE", file.as_str())];
        if let Some(o) = self.commands.ssh_opts() {
            vars.push(("PORTAGE_SSH_OPTS", o));
        }
        let run = template.run_with(&vars);
        let opened = File::open(&path);
        let _ = fs::remove_file(&path);
        let outcome = run.map_err(|e| other(e.to_string()))?;
        if !outcome.success() {
            return Err(other(outcome.describe()));
        }
        let f = opened.map_err(|e| other(format!("{}; {file}: {e}", outcome.describe())))?;
        let len = f.metadata().map_err(|e| other(e.to_string()))?.len();
        Ok(Response {
            body: Box::new(f),
            offset: 0,
            length: Some(len),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn words(t: &str) -> Vec<String> {
        CommandTemplate::parse("FETCHCOMMAND", t)
            .unwrap()
            .expand(Path::new("/d d"), "ftp://h/a b", "x.__download__")
            .unwrap()
    }

    #[test]
    fn expansion_and_splitting() {
        assert_eq!(
            words(r#"wget -O "${DISTDIR}/${FILE}" "${URI}""#),
            ["wget", "-O", "/d d/x.__download__", "ftp://h/a b"]
        );
        // Unquoted: split like a shell would after expansion (Portage's order).
        assert_eq!(
            words("get $URI ${FILE}"),
            ["get", "ftp://h/a", "b", "x.__download__"]
        );
        // Single quotes: no expansion; unknown variables expand to nothing; \$ escapes.
        assert_eq!(
            words(r#"sh -c 'echo $1 ${URI}' ${FOO}x \$URI ${FILE}"#),
            ["sh", "-c", "echo $1 ${URI}", "x", "$URI", "x.__download__"]
        );
    }

    #[test]
    fn template_errors_name_the_variable() {
        let e = CommandTemplate::parse("FETCHCOMMAND_FTP", "  ").unwrap_err();
        assert_eq!(
            e,
            TemplateError::Empty {
                var: "FETCHCOMMAND_FTP".into()
            }
        );
        let e = CommandTemplate::parse("RESUMECOMMAND", "wget $FILE").unwrap_err();
        assert!(matches!(e, TemplateError::MissingFile { ref var, .. } if var == "RESUMECOMMAND"));
        assert!(e.to_string().contains("${FILE}"), "{e}");
        let e = CommandTemplate::parse("FETCHCOMMAND", "wget \"${FILE}").unwrap_err();
        assert!(matches!(e, TemplateError::UnbalancedQuotes { .. }), "{e:?}");
        let e = CommandTemplate::parse("FETCHCOMMAND", "wget ${FILE} ${URI").unwrap_err();
        assert!(
            matches!(e, TemplateError::BadSubstitution { offset: 13, .. }),
            "{e:?}"
        );
        let e = CommandTemplate::parse("FETCHCOMMAND", "wget ${FILE} $(x)").unwrap_err();
        assert!(matches!(
            e,
            TemplateError::BadSubstitution {
                problem: "bad substitution",
                ..
            }
        ));
    }

    #[test]
    fn selection_rules() {
        let ok = "get ${URI} ${FILE}";
        let c = FetchCommands::from_vars([
            ("FETCHCOMMAND", ok),
            ("FETCHCOMMAND_FTP", "ftp ${FILE}"),
            ("RESUMECOMMAND_SFTP", "r ${FILE}"),
            ("PATH", "/bin"),
        ]);
        let var = |url: &str| {
            c.select(url, |_| true)
                .map(|s| s.fetch.as_ref().unwrap().var().to_owned())
        };
        assert_eq!(var("ftp://h/f").as_deref(), Some("FETCHCOMMAND_FTP"));
        assert_eq!(var("FTP://h/f").as_deref(), Some("FETCHCOMMAND_FTP"));
        assert_eq!(var("https://h/f").as_deref(), Some("FETCHCOMMAND"));
        assert_eq!(var("file:///f"), None);
        assert_eq!(var("no-scheme"), None);
        let s = c.select("sftp://h/f", |_| true).unwrap();
        assert_eq!(
            s.resume.unwrap().as_ref().unwrap().var(),
            "RESUMECOMMAND_SFTP"
        );
        assert!(c.select("ftp://h/f", |_| true).unwrap().resume.is_none());

        // Built-in defaults only fill the gaps of the built-in transports.
        let mut d = FetchCommands::new();
        d.set_default("FETCHCOMMAND", ok);
        d.set_default("RESUMECOMMAND", "get -c ${URI} ${FILE}");
        d.set("FETCHCOMMAND_SFTP", "sftp ${FILE}");
        let builtin = |s: &str| matches!(s, "http" | "https" | "file");
        assert!(d.select("https://h/f", builtin).is_none());
        let ftp = d.select("ftp://h/f", builtin).unwrap();
        assert_eq!(ftp.fetch.as_ref().unwrap().var(), "FETCHCOMMAND");
        assert_eq!(ftp.resume.unwrap().as_ref().unwrap().var(), "RESUMECOMMAND");
        // The default wget does not resume what FETCHCOMMAND_SFTP started.
        assert!(d.select("sftp://h/f", builtin).unwrap().resume.is_none());
        assert!(d.problems().is_empty());
        d.set("FETCHCOMMAND_RSYNC", "rsync");
        assert_eq!(d.problems().len(), 1);
    }

    #[test]
    fn runs_without_a_shell_and_reports_status() {
        let t = CommandTemplate::parse(
            "FETCHCOMMAND",
            r#"sh -c 'echo "$1;$2" >&2; exit 3' x "${URI}" "${FILE}""#,
        )
        .unwrap();
        let out = t.run(Path::new("/nonexistent"), "u;v", "f g").unwrap();
        assert!(!out.success());
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(out.stderr, b"u;v;f g\n");
        assert!(
            out.describe().starts_with("FETCHCOMMAND failed ("),
            "{}",
            out.describe()
        );
        assert!(out.describe().ends_with(": u;v;f g"), "{}", out.describe());
        let t = CommandTemplate::parse("FETCHCOMMAND", "/nonexistent/prog ${FILE}").unwrap();
        assert!(matches!(
            t.run(Path::new("/"), "u", "f"),
            Err(CommandError::Spawn { .. })
        ));
    }
}
