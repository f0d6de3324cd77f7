//! Manifest2, fetchables, mirror expansion, downloading with resume and streaming
//! verification.
//!
//! * [`hash`]: one-pass multi-hashing ([`MultiHasher`]) and [`Digests`] (size plus named
//!   hashes, as a Manifest records them), with verification rules.
//! * [`manifest`]: Manifest2 / GLEP 74 parsing, policy checks (`manifest-hashes`,
//!   `manifest-required-hashes`, thin Manifests) and writing.
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
