//! Manifest2, fetchables, mirror expansion, downloading with resume and streaming
//! verification.
//!
//! * [`hash`]: one-pass multi-hashing ([`MultiHasher`]) and [`Digests`] (size plus named
//!   hashes, as a Manifest records them), with verification rules.
//! * [`manifest`]: Manifest2 / GLEP 74 parsing, policy checks (`manifest-hashes`,
//!   `manifest-required-hashes`, thin Manifests) and writing; [`tree`] verifies a whole tree.
//! * [`fetchable`]: distfiles from evaluated SRC_URI leaves (`->` renames, `fetch+`/`mirror+`,
//!   merging in SRC_URI order) with their Manifest digests and the package's RESTRICT.
//! * [`mirrors`]: `thirdpartymirrors`, `/etc/portage/mirrors`, `GENTOO_MIRRORS` and Portage's
//!   candidate URI order; [`layout`] and [`mirror_layouts`]: GLEP 75 mirror layouts.
//! * [`fetcher`]: locking ([`lock`]), resume rules, streaming verification, retries across
//!   URIs, moving bad files aside, parallel downloads; through the swappable
//!   [`transport::Transport`] (http/https via ureq + rustls, `file://`), local
//!   [`source::DistfileSource`]s consulted first, and [`progress::Progress`] events (the
//!   library never prints).
//! * [`command`]: make.conf's `FETCHCOMMAND` / `RESUMECOMMAND` and their `_<PROTO>` forms,
//!   checked, expanded (`${DISTDIR}`, `${URI}`, `${FILE}`, Portage's `varexpand`), split like
//!   a shell and run without one; [`Fetcher::with_commands`] uses them for the schemes they
//!   cover (ftp, sftp, ... or every remote scheme for a user-set plain `FETCHCOMMAND`), the
//!   command writing `<name>.__download__` itself, verified as any download.
//!
//! Verifying a file against a Manifest entry:
//!
//! ```
//! use strata_fetch::{Manifest, hash::{hash_file, verify_file, HashAlgorithm}};
//!
//! let dir = std::env::temp_dir().join(format!("strata-fetch-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let file = dir.join("hello-1.0.tar.gz");
//! std::fs::write(&file, b"hello world\n")?;
//!
//! // Write a Manifest line for the file, parse it back and verify the file against it.
//! let digests = hash_file(&file, [HashAlgorithm::Blake2b, HashAlgorithm::Sha512])?;
//! let line = format!(
//!     "DIST hello-1.0.tar.gz {} BLAKE2B {} SHA512 {}\n",
//!     digests.size().unwrap_or(0),
//!     digests.hex("BLAKE2B").unwrap_or_default(),
//!     digests.hex("SHA512").unwrap_or_default(),
//! );
//! let manifest = Manifest::parse(&line)?;
//! let entry = manifest.dist("hello-1.0.tar.gz").expect("entry");
//! assert_eq!(entry.size(), 12);
//! verify_file(&file, &entry.digests, &[HashAlgorithm::Blake2b])?;
//!
//! // A changed file no longer verifies.
//! std::fs::write(&file, b"hello world?")?;
//! assert!(verify_file(&file, &entry.digests, &[]).is_err());
//! std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Fetching a distfile (here from a `file://` URL, so the example needs no network):
//!
//! ```
//! use std::sync::Arc;
//! use strata_fetch::{
//!     FetchOptions, Fetchable, FetchedFrom, Fetcher, Manifest, Restrict, SchemeTransport,
//!     SrcUriItem, hash::{hash_file, HashAlgorithm},
//! };
//!
//! let up = std::env::temp_dir().join(format!("strata-fetch-up-{}", std::process::id()));
//! let distdir = up.join("distfiles");
//! std::fs::create_dir_all(&up)?;
//! std::fs::write(up.join("v1.0.tar.gz"), b"release tarball")?;
//! let d = hash_file(&up.join("v1.0.tar.gz"), [HashAlgorithm::Blake2b])?;
//! let manifest = Manifest::parse(&format!(
//!     "DIST foo-1.0.tar.gz {} BLAKE2B {}\n",
//!     d.size().unwrap_or(0),
//!     d.hex("BLAKE2B").unwrap_or_default()
//! ))?;
//!
//! // SRC_URI="file://.../v1.0.tar.gz -> foo-1.0.tar.gz"
//! let src = format!("file://{}/v1.0.tar.gz", up.display());
//! let items = [SrcUriItem::from_token(&src, Some("foo-1.0.tar.gz"))];
//! let fetchables = Fetchable::from_items(items, Some(&manifest), Restrict::default())?;
//!
//! let fetcher = Fetcher::new(FetchOptions::new(&distdir), Arc::new(SchemeTransport::default()));
//! let got = fetcher.fetch(&fetchables[0])?;
//! assert_eq!(got.from, FetchedFrom::Url(src));
//! assert_eq!(std::fs::read(distdir.join("foo-1.0.tar.gz"))?, b"release tarball");
//! // A second run finds it in place and verified.
//! assert_eq!(fetcher.fetch(&fetchables[0])?.from, FetchedFrom::AlreadyPresent);
//! std::fs::remove_dir_all(&up)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod command;
pub mod fetchable;
pub mod fetcher;
pub mod hash;
pub mod layout;
pub mod lock;
pub mod manifest;
pub mod mirror_layouts;
pub mod mirrors;
pub mod progress;
pub mod source;
pub mod transport;
pub mod tree;

pub use command::{CommandError, CommandTemplate, CommandTransport, FetchCommands, TemplateError};
pub use fetchable::{Fetchable, FetchableError, Restrict, SrcUriItem, UriPrefix, UriSource};
pub use fetcher::{FetchError, FetchOptions, Fetched, FetchedFrom, Fetcher, LockMode};
pub use hash::{Digests, HashAlgorithm, MultiHasher, VerifyError};
pub use layout::{Layout, LayoutConf};
pub use manifest::{Entry, FileEntry, FileTag, Manifest, ManifestError, ManifestPolicy};
pub use mirrors::{Candidate, MirrorConfig, MirrorMap, UriPlan};
pub use progress::{FetchEvent, NoProgress, Progress};
pub use source::{DirectorySource, DistfileSource, SourceError};
pub use transport::{
    FileTransport, HttpOptions, HttpTransport, SchemeTransport, Transport, TransportError,
};
