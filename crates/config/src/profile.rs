//! Profiles (formats.md §9.4, PMS ch. 5): the `make.profile` chain of `parent` files, each
//! directory's `eapi`, `make.defaults` and line-stacked files, and `/etc/portage/profile`.
//!
//! This module reads and stacks the profile *as text*; package matching of its entries is
//! done by [`crate::domain`].

use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::error::{ConfigError, Location, Warning};
use crate::linefile::{Line, read_lines, stack_lines};
use crate::repos::RepoSet;
use crate::settings::Layer;
use crate::shell::{ShellFileParser, ShellOptions};

/// The line-stacked files a profile directory may have.
pub const PROFILE_FILES: &[&str] = &[
    "package.mask",
    "package.unmask",
    "package.use",
    "package.use.mask",
    "package.use.force",
    "package.use.stable",
    "package.use.stable.mask",
    "package.use.stable.force",
    "use.mask",
    "use.force",
    "use.stable",
    "use.stable.mask",
    "use.stable.force",
    "packages",
    "package.provided",
    "package.accept_keywords",
    "package.keywords",
];

/// One profile directory in the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileNode {
    /// The directory (canonical).
    pub path: PathBuf,
    /// The repository containing it, if any.
    pub repo: Option<String>,
    /// Its EAPI (the `eapi` file; `0` when absent). Not inherited.
    pub eapi: String,
    /// The `deprecated` file's first line (the replacement profile), if any.
    pub deprecated: Option<String>,
    /// Its `make.defaults`, expanded in stacking order.
    pub make_defaults: Layer,
    /// Its line files, by name (see [`PROFILE_FILES`]); absent files have no entry.
    pub files: IndexMap<&'static str, Vec<Line>>,
    /// Whether this is the user profile (`/etc/portage/profile`).
    pub is_user: bool,
}

/// A stacked profile: the directories in stacking order (parents first, depth-first, left
/// to right; a directory appears each time it is reached), the user profile last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The profile the configuration selected (the `make.profile` target).
    pub path: PathBuf,
    /// The directories in stacking order.
    pub nodes: Vec<ProfileNode>,
    /// Problems found while loading (skipped lines).
    pub warnings: Vec<Warning>,
}

impl Profile {
    /// Loads the profile at `path` (a `make.profile` symlink or directory), then
    /// `user_profile` if it exists. `repos` resolves `repo:path` parents and tells which
    /// repository (and so which `profile-formats`) each directory belongs to.
    pub fn load(
        path: &Path,
        user_profile: Option<&Path>,
        repos: &RepoSet,
    ) -> Result<Profile, ConfigError> {
        let mut warnings = Vec::new();
        let mut loader = Loader {
            repos,
            warnings: &mut warnings,
            nodes: Vec::new(),
            stack: Vec::new(),
            raw_vars: IndexMap::new(),
        };
        let canon = std::fs::canonicalize(path).map_err(|_| ConfigError::MissingProfile {
            path: path.to_path_buf(),
            location: Location::new(path, 0),
        })?;
        if !canon.is_dir() {
            return Err(ConfigError::MissingProfile {
                path: path.to_path_buf(),
                location: Location::new(path, 0),
            });
        }
        loader.visit(&canon)?;
        if let Some(user) = user_profile
            && user.is_dir()
        {
            let node = loader.read_node(user, true)?;
            loader.nodes.push(node);
        }
        let nodes = loader.nodes;
        Ok(Profile {
            path: canon,
            nodes,
            warnings,
        })
    }

    /// The `make.defaults` layers in stacking order.
    pub fn layers(&self) -> Vec<Layer> {
        self.nodes.iter().map(|n| n.make_defaults.clone()).collect()
    }

    /// All lines of `file` across the stack, in order, before `-X` removal.
    pub fn all_lines(&self, file: &str) -> Vec<Line> {
        self.nodes
            .iter()
            .filter_map(|n| n.files.get(file))
            .flatten()
            .cloned()
            .collect()
    }

    /// The lines of `file` stacked: each `-X` removes earlier `X`, `-*` clears. Returns the
    /// survivors and the `-X` lines that removed nothing.
    pub fn stacked(&self, file: &str) -> (Vec<Line>, Vec<Line>) {
        stack_lines(self.all_lines(file))
    }

    /// The `@system` set: `*atom` lines of `packages` (`-*atom` removes, `-*` clears).
    pub fn system_set(&self) -> Vec<Line> {
        let mut out: Vec<Line> = Vec::new();
        for line in self.all_lines("packages") {
            let t = line.text();
            if t == "-*" {
                out.clear();
            } else if let Some(atom) = t.strip_prefix("-*") {
                out.retain(|l| l.tokens[0] != atom);
            } else if let Some(atom) = t.strip_prefix('*') {
                let mut l = line.clone();
                l.tokens = vec![atom.to_string()];
                out.push(l);
            }
        }
        out
    }
}

struct Loader<'a> {
    repos: &'a RepoSet,
    warnings: &'a mut Vec<Warning>,
    nodes: Vec<ProfileNode>,
    stack: Vec<PathBuf>,
    raw_vars: IndexMap<String, String>,
}

impl Loader<'_> {
    fn visit(&mut self, dir: &Path) -> Result<(), ConfigError> {
        self.stack.push(dir.to_path_buf());
        let parent_file = dir.join("parent");
        let repo = self.repos.containing(dir);
        let allow_colon = repo.is_none_or(|r| r.layout.has_profile_format("portage-2"));
        for line in read_lines(&parent_file)? {
            if line.tokens.len() != 1 {
                self.warnings.push(Warning::new(
                    line.location.clone(),
                    format!("expected one parent per line, got {:?}", line.text()),
                ));
                continue;
            }
            let entry = &line.tokens[0];
            let target = match entry.split_once(':') {
                Some((repo_name, rel)) if allow_colon => {
                    let base = if repo_name.is_empty() {
                        repo.map(|r| r.location.join("profiles"))
                    } else {
                        self.repos
                            .get(repo_name)
                            .map(|r| r.location.join("profiles"))
                    };
                    match base {
                        Some(b) => b.join(rel.trim_start_matches('/')),
                        None => {
                            return Err(ConfigError::UnknownProfileRepo {
                                repo: repo_name.to_string(),
                                location: line.location.clone(),
                            });
                        }
                    }
                }
                _ => dir.join(entry),
            };
            let canon = match std::fs::canonicalize(&target) {
                Ok(c) if c.is_dir() => c,
                _ => {
                    return Err(ConfigError::MissingProfile {
                        path: target,
                        location: line.location.clone(),
                    });
                }
            };
            if let Some(pos) = self.stack.iter().position(|p| *p == canon) {
                let mut chain = self.stack[pos..].to_vec();
                chain.push(canon);
                return Err(ConfigError::ProfileCycle {
                    chain,
                    location: line.location.clone(),
                });
            }
            self.visit(&canon)?;
        }
        self.stack.pop();
        let node = self.read_node(dir, false)?;
        self.nodes.push(node);
        Ok(())
    }

    fn read_node(&mut self, dir: &Path, is_user: bool) -> Result<ProfileNode, ConfigError> {
        let repo = self.repos.containing(dir);
        let eapi = match read_first_line(&dir.join("eapi"))? {
            Some(e) => e,
            None => default_eapi(repo.map(|r| (&r.layout, r.location.as_path())))?,
        };
        let deprecated = read_first_line(&dir.join("deprecated"))?;
        let allow_dirs = is_user
            || repo.is_none_or(|r| {
                r.layout.has_profile_format("portage-1") || r.layout.has_profile_format("portage-2")
            })
            || eapi.parse::<u32>().is_ok_and(|e| e >= 7);
        let mut files = IndexMap::new();
        for name in PROFILE_FILES {
            let p = dir.join(name);
            if !p.exists() {
                continue;
            }
            if p.is_dir() && !allow_dirs {
                self.warnings.push(Warning::new(
                    Location::new(&p, 0),
                    "a directory here needs profile-formats portage-1 or EAPI 7; read anyway",
                ));
            }
            files.insert(*name, read_lines(&p)?);
        }
        let md = dir.join("make.defaults");
        let mut layer = Layer::new(dir.display().to_string());
        if md.is_file() {
            let raw = &self.raw_vars;
            let fallback = |k: &str| raw.get(k).cloned();
            let mut parser = ShellFileParser::new(
                ShellOptions {
                    allow_source: false,
                },
                &fallback,
            );
            parser.parse_path(&md)?;
            self.warnings.append(&mut parser.warnings);
            for a in parser.assignments {
                layer.set(a.name, a.value, a.location);
            }
            for (k, v) in parser.vars {
                self.raw_vars.insert(k, v);
            }
        }
        Ok(ProfileNode {
            path: dir.to_path_buf(),
            repo: repo.map(|r| r.name.clone()),
            eapi,
            deprecated,
            make_defaults: layer,
            files,
            is_user,
        })
    }
}

/// The EAPI of a profile directory without an `eapi` file: `profile_eapi_when_unspecified`
/// with `profile-formats = profile-default-eapi`; in a repository whose `profiles/eapi` is
/// 9 or later, that EAPI; otherwise 0.
fn default_eapi(repo: Option<(&crate::layout::LayoutConf, &Path)>) -> Result<String, ConfigError> {
    let Some((layout, location)) = repo else {
        return Ok("0".into());
    };
    if layout.has_profile_format("profile-default-eapi")
        && let Some(e) = layout.values.get("profile_eapi_when_unspecified")
    {
        return Ok(e.clone());
    }
    let top = read_first_line(&location.join("profiles/eapi"))?;
    Ok(match top {
        Some(e) if e.parse::<u32>().is_ok_and(|n| n >= 9) => e,
        _ => "0".into(),
    })
}

/// The first line of a small file, trimmed; `None` if the file does not exist.
pub fn read_first_line(path: &Path) -> Result<Option<String>, ConfigError> {
    match std::fs::read(path) {
        Ok(b) => Ok(String::from_utf8_lossy(&b)
            .lines()
            .next()
            .map(|l| l.trim().to_string())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ConfigError::io(path, e)),
    }
}
