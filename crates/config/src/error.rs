//! Errors and warnings: every one names the file and line it comes from.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A place in a configuration file: a path and a 1-based line number (0 = the whole file,
/// or a place that is not in any file such as built-in defaults).
///
/// Cheap to clone (shared); read its parts through `location.path` and `location.line`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Location(Arc<Place>);

/// The parts of a [`Location`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Place {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number; 0 when the location is the whole file.
    pub line: usize,
}

impl std::ops::Deref for Location {
    type Target = Place;
    fn deref(&self) -> &Place {
        &self.0
    }
}

impl Location {
    /// A location at `line` of `path`.
    pub fn new(path: impl Into<PathBuf>, line: usize) -> Location {
        Location(Arc::new(Place {
            path: path.into(),
            line,
        }))
    }

    /// A location meaning "built in", used for defaults that come from no file.
    pub fn builtin() -> Location {
        Location::new("<builtin>", 0)
    }

    /// Whether this is [`Location::builtin`].
    pub fn is_builtin(&self) -> bool {
        self.path == Path::new("<builtin>")
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.path.display())
        } else {
            write!(f, "{}:{}", self.path.display(), self.line)
        }
    }
}

/// A problem that did not stop loading: the offending line was skipped, the rest loaded.
/// Warnings are returned as data; this library never prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where the problem is.
    pub location: Location,
    /// What is wrong.
    pub message: String,
}

impl Warning {
    /// A warning at `location`.
    pub fn new(location: Location, message: impl Into<String>) -> Warning {
        Warning {
            location,
            message: message.into(),
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Errors that stop loading the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A file or directory could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path being read.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A file could not be parsed at all.
    #[error("{location}: {message}")]
    Parse {
        /// Where.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// A repository section has no `location`, or its location does not exist.
    #[error("{location}: repository {repo:?}: {message}")]
    RepoLocation {
        /// The repository name.
        repo: String,
        /// Where the repository is defined.
        location: Location,
        /// What is wrong with its location.
        message: String,
    },
    /// A profile directory does not exist or is not a directory.
    #[error("{location}: profile {path} does not exist")]
    MissingProfile {
        /// The profile path that was named.
        path: PathBuf,
        /// Where it was named (a `parent` file line or the make.profile link).
        location: Location,
    },
    /// The `parent` files of the profiles form a cycle.
    #[error("{location}: profile parent cycle: {}", format_chain(.chain))]
    ProfileCycle {
        /// The profile directories in the cycle, the first one repeated last.
        chain: Vec<PathBuf>,
        /// The `parent` line that closes the cycle.
        location: Location,
    },
    /// A `parent` line names a repository that is not configured.
    #[error("{location}: unknown repository {repo:?} in profile parent")]
    UnknownProfileRepo {
        /// The repository name.
        repo: String,
        /// The `parent` line.
        location: Location,
    },
    /// A config section names a class no registered implementation provides.
    #[error("{location}: section {section:?}: unknown class {class:?}")]
    UnknownClass {
        /// The section.
        section: String,
        /// The class named.
        class: String,
        /// Where `class` was set.
        location: Location,
    },
    /// A config section has no `class` (and inherits none).
    #[error("{location}: section {section:?}: no class given")]
    NoClass {
        /// The section.
        section: String,
        /// Where the section is defined.
        location: Location,
    },
    /// A section that was asked for does not exist.
    #[error("{location}: unknown section {section:?}{}", .key.as_ref().map(|k| format!(" (referenced by key {k:?})")).unwrap_or_default())]
    UnknownSection {
        /// The missing section name.
        section: String,
        /// The referring key, if the name came from a reference.
        key: Option<String>,
        /// Where it was referenced (builtin if asked for directly).
        location: Location,
    },
    /// A value does not have the type its field declares.
    #[error("{location}: section {section:?}, key {key:?}: expected {expected}, got {value:?}")]
    Type {
        /// The section.
        section: String,
        /// The key.
        key: String,
        /// The expected type.
        expected: String,
        /// The value given.
        value: String,
        /// Where the value was set.
        location: Location,
    },
    /// A required field is missing.
    #[error("{location}: section {section:?}: required key {key:?} is missing")]
    MissingKey {
        /// The section.
        section: String,
        /// The missing key.
        key: String,
        /// Where the section is defined.
        location: Location,
    },
    /// A key the class does not know.
    #[error("{location}: section {section:?}: unknown key {key:?} for class {class:?}")]
    UnknownKey {
        /// The section.
        section: String,
        /// The key.
        key: String,
        /// The class.
        class: String,
        /// Where the key was set.
        location: Location,
    },
    /// Sections reference or inherit each other in a cycle.
    #[error("{location}: section {section:?}: {kind} cycle: {}", .chain.join(" -> "))]
    SectionCycle {
        /// The section closing the cycle.
        section: String,
        /// `reference` or `inherit`.
        kind: &'static str,
        /// The names in the cycle.
        chain: Vec<String>,
        /// Where the closing reference was made.
        location: Location,
    },
    /// Building the object of a section failed.
    #[error("{location}: section {section:?}{}: {message}", .key.as_ref().map(|k| format!(", key {k:?}")).unwrap_or_default())]
    Build {
        /// The section.
        section: String,
        /// The key involved, if any.
        key: Option<String>,
        /// What went wrong.
        message: String,
        /// Where the section (or key) is defined.
        location: Location,
    },
    /// No section of the wanted type is marked as the default.
    #[error("no default section of type {typename:?}{}", if .candidates.is_empty() { String::new() } else { format!(" (candidates: {})", .candidates.join(", ")) })]
    NoDefault {
        /// The type name.
        typename: String,
        /// Sections of that type (none or several marked default).
        candidates: Vec<String>,
    },
    /// A domain was asked for by a name that is not a `domain` section.
    #[error("no domain section named {name:?} ({})", if .available.is_empty() { "the configuration has no domain sections".to_owned() } else { format!("domain sections: {}", .available.join(", ")) })]
    UnknownDomain {
        /// The name asked for.
        name: String,
        /// The `domain` sections there are.
        available: Vec<String>,
    },
}

fn format_chain(chain: &[PathBuf]) -> String {
    chain
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(" -> ")
}

impl ConfigError {
    /// Wraps an I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> ConfigError {
        ConfigError::Io {
            path: path.into(),
            source,
        }
    }
}
