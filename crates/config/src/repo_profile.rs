//! Repository-level profile data: the files directly in a repository's `profiles/`
//! directory that apply to that repository's packages (and, through `masters`, to its
//! child repositories), plus the repository's arch list, profile list and license groups.

use std::path::PathBuf;

use indexmap::IndexMap;

use crate::error::ConfigError;
use crate::linefile::{Line, read_lines};
use crate::profile::read_first_line;
use crate::repos::RepoConfig;

/// Files read from `<repo>/profiles/` that act per repository.
pub const REPO_LEVEL_FILES: &[&str] = &[
    "package.mask",
    "package.use",
    "package.use.mask",
    "package.use.force",
    "use.mask",
    "use.force",
];

/// One entry of `profiles.desc`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileDesc {
    /// The arch keyword.
    pub arch: String,
    /// The profile path relative to `profiles/`.
    pub path: String,
    /// `stable`, `dev` or `exp`.
    pub status: String,
}

/// The repository-level profile data of one repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoProfileData {
    /// The repository name.
    pub repo: String,
    /// `<repo>/profiles`.
    pub dir: PathBuf,
    /// The EAPI of `profiles/` (the `eapi` file, default 0).
    pub eapi: String,
    /// `arch.list`.
    pub arch_list: Vec<String>,
    /// `profiles.desc`.
    pub profiles: Vec<ProfileDesc>,
    /// Repository-level files by name (see [`REPO_LEVEL_FILES`]).
    pub files: IndexMap<&'static str, Vec<Line>>,
}

impl RepoProfileData {
    /// Reads the `profiles/` directory of `repo` (missing files are empty).
    pub fn read(repo: &RepoConfig) -> Result<RepoProfileData, ConfigError> {
        let dir = repo.location.join("profiles");
        let eapi = read_first_line(&dir.join("eapi"))?.unwrap_or_else(|| "0".into());
        let arch_list = read_lines(&dir.join("arch.list"))?
            .into_iter()
            .filter_map(|l| l.tokens.into_iter().next())
            .collect();
        let profiles = read_lines(&dir.join("profiles.desc"))?
            .into_iter()
            .filter(|l| l.tokens.len() >= 3)
            .map(|l| ProfileDesc {
                arch: l.tokens[0].clone(),
                path: l.tokens[1].clone(),
                status: l.tokens[2].clone(),
            })
            .collect();
        let mut files = IndexMap::new();
        for name in REPO_LEVEL_FILES {
            let p = dir.join(name);
            if p.exists() {
                files.insert(*name, read_lines(&p)?);
            }
        }
        Ok(RepoProfileData {
            repo: repo.name.clone(),
            dir,
            eapi,
            arch_list,
            profiles,
            files,
        })
    }
}
