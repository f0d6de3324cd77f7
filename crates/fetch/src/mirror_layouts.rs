//! Resolving a distfile mirror candidate to a URL: reads (and caches) each mirror's GLEP 75
//! `layout.conf`, as Portage's `get_mirror_url` does.
//!
//! A URL mirror's configuration is `<base>/distfiles/layout.conf` and files are at
//! `<base>/distfiles/<layout path>` (the path percent-encoded); a file-system mirror (a base
//! starting with `/`) has `<base>/layout.conf` and `<base>/<layout path>`. An unreadable
//! configuration means `flat`. Layouts are cached in memory and, when a cache file is set
//! (Portage uses `${DISTDIR}/.mirror-cache.json`, in the same JSON form), on disk for 24
//! hours.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::hash::Digests;
use crate::layout::LayoutConf;
use crate::transport::{Transport, quote_path};

/// How long a cached layout stays valid.
pub const CACHE_TTL: Duration = Duration::from_secs(86_400);

/// Cache of mirror layouts.
#[derive(Debug, Default)]
pub struct MirrorLayouts {
    memory: Mutex<HashMap<String, LayoutConf>>,
    cache_file: Option<PathBuf>,
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

impl MirrorLayouts {
    /// An in-memory cache only.
    pub fn new() -> Self {
        MirrorLayouts::default()
    }

    /// Also persists layouts in `file` (Portage's `.mirror-cache.json` format:
    /// `{"<mirror>": [<unix time>, [["filename-hash", "BLAKE2B", "8"], ["flat"]]]}`).
    pub fn with_cache_file(file: PathBuf) -> Self {
        MirrorLayouts {
            memory: Mutex::default(),
            cache_file: Some(file),
        }
    }

    fn read_disk(&self, base: &str) -> Option<LayoutConf> {
        let text = std::fs::read_to_string(self.cache_file.as_ref()?).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        let entry = json.get(base)?.as_array()?;
        let ts = entry.first()?.as_f64()?;
        if ts < now() - CACHE_TTL.as_secs_f64() {
            return None;
        }
        let structure = entry
            .get(1)?
            .as_array()?
            .iter()
            .map(|v| {
                v.as_array().map(|words| {
                    words
                        .iter()
                        .filter_map(|w| w.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
            })
            .collect::<Option<Vec<String>>>()?;
        Some(LayoutConf { structure })
    }

    fn write_disk(&self, base: &str, conf: &LayoutConf) {
        let Some(file) = &self.cache_file else { return };
        let mut json = std::fs::read_to_string(file)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .filter(serde_json::Value::is_object)
            .unwrap_or_else(|| serde_json::json!({}));
        let structure: Vec<Vec<&str>> = conf
            .structure
            .iter()
            .map(|s| s.split_whitespace().collect())
            .collect();
        if let Some(map) = json.as_object_mut() {
            map.insert(base.to_owned(), serde_json::json!([now(), structure]));
        }
        // Best effort, written atomically; a cache that cannot be written is only a cache.
        let tmp = file.with_extension("json.__tmp__");
        if std::fs::write(&tmp, json.to_string()).is_ok() && std::fs::rename(&tmp, file).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }

    /// The layout configuration of a mirror, from cache or read through `transport`.
    /// Returns the configuration and, when it could not be read, why (then it is flat).
    pub fn conf(&self, transport: &dyn Transport, base: &str) -> (LayoutConf, Option<String>) {
        if let Ok(mem) = self.memory.lock()
            && let Some(c) = mem.get(base)
        {
            return (c.clone(), None);
        }
        if let Some(c) = self.read_disk(base) {
            self.remember(base, &c);
            return (c, None);
        }
        let (conf, problem) = if base.starts_with('/') {
            match std::fs::read_to_string(Path::new(base).join("layout.conf")) {
                Ok(t) => (Some(LayoutConf::parse(&t)), None),
                Err(e) => (None, Some(format!("{base}/layout.conf: {e}"))),
            }
        } else {
            let url = format!("{base}/distfiles/layout.conf");
            match transport.get_small(&url, 64 * 1024) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(t) => (Some(LayoutConf::parse(&t)), None),
                    Err(_) => (None, Some(format!("{url}: not UTF-8"))),
                },
                Err(e) => (None, Some(e.to_string())),
            }
        };
        match conf {
            Some(c) => {
                self.remember(base, &c);
                if !base.starts_with('/') {
                    self.write_disk(base, &c);
                }
                (c, None)
            }
            None => {
                // Flat for this run; not persisted, so it is retried next time.
                let flat = LayoutConf::default();
                self.remember(base, &flat);
                (flat, problem)
            }
        }
    }

    fn remember(&self, base: &str, conf: &LayoutConf) {
        if let Ok(mut mem) = self.memory.lock() {
            mem.insert(base.to_owned(), conf.clone());
        }
    }

    /// The URL of distfile `name` on the mirror at `base` (a `file://` URL for a file-system
    /// mirror), plus a warning when the mirror's layout could not be read.
    pub fn url(
        &self,
        transport: &dyn Transport,
        base: &str,
        name: &str,
        digests: Option<&Digests>,
    ) -> (String, Option<String>) {
        let (conf, problem) = self.conf(transport, base);
        let layout = conf.best(digests);
        let path = layout
            .path(name, digests)
            .unwrap_or_else(|| name.to_owned());
        let url = if base.starts_with('/') {
            format!("file://{}", quote_path(&format!("{base}/{path}")))
        } else {
            let scheme = crate::transport::scheme(base).unwrap_or_default();
            let path = if matches!(scheme.as_str(), "http" | "https" | "ftp") {
                quote_path(&path)
            } else {
                path
            };
            format!("{base}/distfiles/{path}")
        };
        (url, problem)
    }
}
