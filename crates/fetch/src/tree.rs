//! Verifying a directory tree against its Manifests (GLEP 74, and old-style thick package
//! Manifests with `EBUILD`/`AUX`/`MISC`).
//!
//! Starting from `<root>/Manifest`, every `MANIFEST` entry is verified *before* it is read
//! (and decompressed), and then covers its own directory and everything below it. `DATA`,
//! `EBUILD`, `MISC` and `AUX` entries are checked (size first, then every supported hash in
//! one read); `IGNORE` entries exclude a path and everything under it; `DIST` and
//! `TIMESTAMP` entries do not name files in the tree. In strict mode, files no entry covers
//! are reported too. Reading never writes anything.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

use crate::hash::{Digests, HashAlgorithm, VerifyError, verify_file};
use crate::manifest::{Entry, FileTag, Manifest, ManifestError};

/// What is wrong with one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeProblem {
    /// A Manifest lists the file but it is not there.
    Missing,
    /// The file differs from its entry.
    Mismatch(VerifyError),
    /// No entry covers the file (strict mode).
    Unlisted,
    /// Two Manifests list the same path.
    Duplicate,
    /// A Manifest could not be read or parsed.
    BadManifest(ManifestError),
    /// The file could not be read.
    Io(String),
}

/// One finding of [`verify_tree`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeIssue {
    /// Path relative to the tree root, `/`-separated.
    pub path: String,
    /// What is wrong.
    pub problem: TreeProblem,
}

/// Options of [`verify_tree`].
#[derive(Debug, Clone, Default)]
pub struct TreeOptions {
    /// Report files that no entry covers (a full GLEP 74 tree requires full coverage).
    pub strict: bool,
    /// Hashes every entry must carry (`manifest-required-hashes`).
    pub required: Vec<HashAlgorithm>,
}

/// The outcome of [`verify_tree`].
#[derive(Debug, Clone, Default)]
pub struct TreeReport {
    /// Files checked and found correct.
    pub verified: usize,
    /// Manifests read.
    pub manifests: usize,
    /// Problems found, in path order.
    pub issues: Vec<TreeIssue>,
}

fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        rel.to_owned()
    } else {
        format!("{dir}/{rel}")
    }
}

fn parent(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(d, _)| d)
}

fn under(path: &str, prefix: &str) -> bool {
    prefix.is_empty()
        || path == prefix
        || (path.starts_with(prefix) && path.as_bytes().get(prefix.len()) == Some(&b'/'))
}

/// Verifies the tree at `root` against `<root>/Manifest` (see the module documentation).
pub fn verify_tree(root: &Path, options: &TreeOptions) -> TreeReport {
    let mut report = TreeReport::default();
    let mut covered: BTreeMap<String, Digests> = BTreeMap::new();
    let mut manifests: BTreeSet<String> = BTreeSet::new();
    let mut ignored: Vec<String> = Vec::new();
    let mut issues: Vec<TreeIssue> = Vec::new();
    let mut queue: VecDeque<String> = VecDeque::from(["Manifest".to_owned()]);
    while let Some(mpath) = queue.pop_front() {
        let manifest = match Manifest::load(&root.join(&mpath)) {
            Ok(m) => m,
            Err(e) => {
                issues.push(TreeIssue {
                    path: mpath.clone(),
                    problem: if root.join(&mpath).exists() {
                        TreeProblem::BadManifest(e)
                    } else {
                        TreeProblem::Missing
                    },
                });
                continue;
            }
        };
        report.manifests += 1;
        manifests.insert(mpath.clone());
        let dir = parent(&mpath).to_owned();
        for e in manifest.entries() {
            match e {
                Entry::Ignore { path, .. } => ignored.push(join(&dir, path)),
                Entry::Timestamp { .. } => {}
                Entry::File(f) if f.tag == FileTag::Dist => {}
                Entry::File(f) => {
                    let rel = join(&dir, &f.tree_path());
                    for r in &options.required {
                        if f.digests.get(*r).is_none() {
                            issues.push(TreeIssue {
                                path: rel.clone(),
                                problem: TreeProblem::Mismatch(VerifyError::MissingRequired(*r)),
                            });
                        }
                    }
                    if covered.contains_key(&rel) {
                        issues.push(TreeIssue {
                            path: rel,
                            problem: TreeProblem::Duplicate,
                        });
                        continue;
                    }
                    if f.tag == FileTag::Manifest {
                        // Verify a sub-Manifest before reading it.
                        match check(root, &rel, &f.digests) {
                            None => {
                                report.verified += 1;
                                queue.push_back(rel.clone());
                            }
                            Some(p) => issues.push(TreeIssue {
                                path: rel.clone(),
                                problem: p,
                            }),
                        }
                        manifests.insert(rel.clone());
                    }
                    covered.insert(rel, f.digests.clone());
                }
            }
        }
    }
    for (rel, digests) in &covered {
        if manifests.contains(rel) || ignored.iter().any(|i| under(rel, i)) {
            continue;
        }
        match check(root, rel, digests) {
            None => report.verified += 1,
            Some(p) => issues.push(TreeIssue {
                path: rel.clone(),
                problem: p,
            }),
        }
    }
    if options.strict {
        let mut stack: Vec<(PathBuf, String)> = vec![(root.to_owned(), String::new())];
        while let Some((dir, rel_dir)) = stack.pop() {
            let Ok(rd) = fs::read_dir(&dir) else { continue };
            for entry in rd.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let rel = join(&rel_dir, &name);
                if ignored.iter().any(|i| under(&rel, i)) {
                    continue;
                }
                let Ok(ft) = entry.file_type() else { continue };
                if ft.is_dir() {
                    stack.push((entry.path(), rel));
                } else if !covered.contains_key(&rel) && !manifests.contains(&rel) {
                    issues.push(TreeIssue {
                        path: rel,
                        problem: TreeProblem::Unlisted,
                    });
                }
            }
        }
    }
    issues.sort_by(|a, b| a.path.cmp(&b.path));
    report.issues = issues;
    report
}

/// Verifies one file. The file is not stat'ed ahead of [`verify_file`] (which reads its
/// size before hashing it): whether it is missing is decided from the error, with an
/// `lstat` only then, so a dangling symlink is still an I/O problem, not a missing file.
fn check(root: &Path, rel: &str, digests: &Digests) -> Option<TreeProblem> {
    let path = root.join(rel);
    match verify_file(&path, digests, &[]) {
        Ok(()) => None,
        Err(crate::hash::VerifyFileError::Mismatch { source, .. }) => {
            Some(TreeProblem::Mismatch(source))
        }
        Err(crate::hash::VerifyFileError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound
                && fs::symlink_metadata(&path).is_err() =>
        {
            Some(TreeProblem::Missing)
        }
        Err(crate::hash::VerifyFileError::Io { source, .. }) => {
            Some(TreeProblem::Io(source.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::hash::DEFAULT_MANIFEST_HASHES;
    use crate::manifest::FileEntry;
    use std::io::Write;

    fn entry(root: &Path, tag: FileTag, rel_to: &str, rel: &str) -> Entry {
        let file = root.join(rel_to).join(match tag {
            FileTag::Aux => format!("files/{rel}"),
            _ => rel.to_owned(),
        });
        Entry::File(FileEntry::for_file(tag, rel, &file, &DEFAULT_MANIFEST_HASHES).unwrap())
    }

    #[test]
    fn glep74_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("app-misc/foo/files")).unwrap();
        fs::create_dir_all(root.join("distfiles")).unwrap();
        fs::write(root.join("header.txt"), b"hello").unwrap();
        fs::write(root.join("app-misc/foo/foo-1.ebuild"), b"EAPI=8\n").unwrap();
        fs::write(root.join("app-misc/foo/files/fix.patch"), b"--- a\n").unwrap();
        fs::write(root.join("app-misc/foo/metadata.xml"), b"<pkgmetadata/>").unwrap();
        fs::write(root.join("distfiles/junk"), b"ignored").unwrap();

        // Package Manifest (thick, old tags), gzipped as a sub-Manifest.
        let mut pkg = Manifest::new();
        pkg.push(entry(root, FileTag::Ebuild, "app-misc/foo", "foo-1.ebuild"));
        pkg.push(entry(root, FileTag::Aux, "app-misc/foo", "fix.patch"));
        pkg.push(entry(root, FileTag::Misc, "app-misc/foo", "metadata.xml"));
        let gz = root.join("app-misc/foo/Manifest.gz");
        let mut enc = flate2::write::GzEncoder::new(
            fs::File::create(&gz).unwrap(),
            flate2::Compression::default(),
        );
        enc.write_all(pkg.to_string().as_bytes()).unwrap();
        enc.finish().unwrap();

        let mut top = Manifest::new();
        top.push(Entry::Timestamp {
            value: "2026-08-21T17:31:03Z".into(),
            line: 0,
        });
        top.push(Entry::Ignore {
            path: "distfiles".into(),
            line: 0,
        });
        top.push(entry(root, FileTag::Data, "", "header.txt"));
        top.push(entry(
            root,
            FileTag::Manifest,
            "",
            "app-misc/foo/Manifest.gz",
        ));
        fs::write(root.join("Manifest"), top.to_string()).unwrap();

        let strict = TreeOptions {
            strict: true,
            required: vec![HashAlgorithm::Blake2b],
        };
        let r = verify_tree(root, &strict);
        assert_eq!(r.issues, []);
        assert_eq!((r.manifests, r.verified), (2, 5));

        // Break things: change a file, add an unlisted one, remove one.
        fs::write(root.join("app-misc/foo/foo-1.ebuild"), b"EAPI=7\n").unwrap();
        fs::write(root.join("app-misc/foo/stray"), b"x").unwrap();
        fs::remove_file(root.join("header.txt")).unwrap();
        let r = verify_tree(root, &strict);
        let got: Vec<(&str, &TreeProblem)> = r
            .issues
            .iter()
            .map(|i| (i.path.as_str(), &i.problem))
            .collect();
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(matches!(
            got[0],
            ("app-misc/foo/foo-1.ebuild", TreeProblem::Mismatch(_))
        ));
        assert_eq!(got[1], ("app-misc/foo/stray", &TreeProblem::Unlisted));
        assert_eq!(got[2], ("header.txt", &TreeProblem::Missing));

        // A dangling symlink is not a missing file: it is there, and cannot be read.
        std::os::unix::fs::symlink("nowhere", root.join("header.txt")).unwrap();
        let r = verify_tree(root, &strict);
        let header = r.issues.iter().find(|i| i.path == "header.txt").unwrap();
        assert!(matches!(header.problem, TreeProblem::Io(_)), "{header:?}");

        // A tampered sub-Manifest is not read at all.
        fs::write(&gz, b"garbage").unwrap();
        let r = verify_tree(root, &TreeOptions::default());
        assert_eq!(r.manifests, 1);
        assert!(matches!(r.issues[0].problem, TreeProblem::Mismatch(_)));
    }
}
