//! Progress reporting: the library never prints; it reports [`FetchEvent`]s to a
//! [`Progress`] implementation (the `pmaint` binary draws progress bars from them).

use std::path::Path;

/// Something that happened while fetching.
#[derive(Debug, Clone, Copy)]
pub enum FetchEvent<'a> {
    /// Work on a distfile begins.
    Start {
        /// Distfile name.
        name: &'a str,
        /// Expected size, when known.
        size: Option<u64>,
    },
    /// A download attempt begins.
    Attempt {
        /// Distfile name.
        name: &'a str,
        /// The URL.
        url: &'a str,
        /// Bytes already on disk that this attempt continues from.
        offset: u64,
        /// Expected size of the whole file, when known.
        total: Option<u64>,
    },
    /// Bytes arrived.
    Progress {
        /// Distfile name.
        name: &'a str,
        /// Bytes of the file on disk so far (including a resumed prefix).
        done: u64,
        /// Expected size of the whole file, when known.
        total: Option<u64>,
    },
    /// An attempt failed; the next candidate will be tried.
    AttemptFailed {
        /// Distfile name.
        name: &'a str,
        /// The URL (or source) that failed.
        url: &'a str,
        /// Why.
        error: &'a str,
    },
    /// A file that did not verify was moved aside (never deleted).
    MovedAside {
        /// Distfile name.
        name: &'a str,
        /// New path of the moved file.
        to: &'a Path,
        /// Why.
        reason: &'a str,
    },
    /// A non-fatal problem (an unknown `mirror://` name, an unreadable mirror layout, ...).
    Warning {
        /// Distfile name.
        name: &'a str,
        /// The message.
        message: &'a str,
    },
    /// Work on a distfile ended.
    Finish {
        /// Distfile name.
        name: &'a str,
        /// Whether it is now present and verified.
        ok: bool,
    },
}

/// Receives [`FetchEvent`]s; called from the fetching threads.
pub trait Progress: Send + Sync {
    /// Handles one event.
    fn event(&self, event: &FetchEvent<'_>);
}

/// Ignores every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn event(&self, _event: &FetchEvent<'_>) {}
}

impl<F: Fn(&FetchEvent<'_>) + Send + Sync> Progress for F {
    fn event(&self, event: &FetchEvent<'_>) {
        self(event)
    }
}
