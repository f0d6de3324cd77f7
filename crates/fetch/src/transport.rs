//! Transports: how bytes are fetched from a URL, behind the [`Transport`] trait so tests and
//! other callers can swap them.
//!
//! [`HttpTransport`] speaks http and https (ureq with rustls; redirects followed, stall and
//! connect timeouts, `Range` requests for resuming). [`FileTransport`] reads `file://` URLs
//! and honours offsets too. [`SchemeTransport`] dispatches on the URL scheme. Schemes none
//! of them speak (ftp, sftp, ...) are fetched by make.conf's FETCHCOMMAND, which the
//! [`crate::Fetcher`] runs itself ([`crate::command`]).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::time::Duration;

/// An open download.
pub struct Response {
    /// The body, starting at [`Response::offset`].
    pub body: Box<dyn Read + Send>,
    /// Where the body starts in the file: the requested offset when the server honoured the
    /// range, 0 when it sends the whole file.
    pub offset: u64,
    /// Length of the body, when known (`Content-Length` or file size).
    pub length: Option<u64>,
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("offset", &self.offset)
            .field("length", &self.length)
            .finish_non_exhaustive()
    }
}

/// Why a transport could not open a URL.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    /// The server or file system has no such file (HTTP 404/410, missing file).
    #[error("{url}: not found")]
    NotFound {
        /// The URL.
        url: String,
    },
    /// Another HTTP error status.
    #[error("{url}: HTTP status {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
    },
    /// Connecting or reading timed out.
    #[error("{url}: timed out ({detail})")]
    Timeout {
        /// The URL.
        url: String,
        /// Which timeout.
        detail: String,
    },
    /// No transport handles this scheme.
    #[error("{url}: unsupported URL scheme")]
    UnsupportedScheme {
        /// The URL.
        url: String,
    },
    /// Any other failure (DNS, connection refused, TLS, I/O, too many redirects, ...).
    #[error("{url}: {detail}")]
    Other {
        /// The URL.
        url: String,
        /// What happened.
        detail: String,
    },
}

impl TransportError {
    /// What went wrong, without the URL.
    pub fn reason(&self) -> String {
        match self {
            TransportError::NotFound { .. } => "not found".into(),
            TransportError::Status { status, .. } => format!("HTTP status {status}"),
            TransportError::Timeout { detail, .. } => format!("timed out ({detail})"),
            TransportError::UnsupportedScheme { .. } => "unsupported URL scheme".into(),
            TransportError::Other { detail, .. } => detail.clone(),
        }
    }
}

/// Opens URLs for reading.
pub trait Transport: Send + Sync {
    /// Opens `url`, asking for the bytes from `offset` on (0: the whole file). A transport
    /// that cannot or will not honour the offset returns the whole file with
    /// [`Response::offset`] 0.
    fn open(&self, url: &str, offset: u64) -> Result<Response, TransportError>;

    /// Whether this transport handles URLs of `scheme` (lower-case, without `://`). The
    /// fetcher asks it to decide whether a built-in default `FETCHCOMMAND` is needed
    /// ([`crate::command::FetchCommands::set_default`]). Default: every scheme.
    fn supports(&self, scheme: &str) -> bool {
        let _ = scheme;
        true
    }

    /// Reads a small file (a mirror's `layout.conf`) whole, up to `limit` bytes.
    fn get_small(&self, url: &str, limit: u64) -> Result<Vec<u8>, TransportError> {
        let resp = self.open(url, 0)?;
        let mut out = Vec::new();
        resp.body
            .take(limit)
            .read_to_end(&mut out)
            .map_err(|e| TransportError::Other {
                url: url.to_owned(),
                detail: e.to_string(),
            })?;
        Ok(out)
    }
}

/// The scheme of a URL, lower-cased (`https`), if it has one.
pub fn scheme(url: &str) -> Option<String> {
    let (s, _) = url.split_once("://")?;
    (!s.is_empty()).then(|| s.to_ascii_lowercase())
}

/// Percent-encodes a path for a URL the way Python's `urllib.parse.quote` does (everything
/// but ASCII letters, digits, `_.-~` and `/`).
pub fn quote_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"_.-~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes (invalid ones are kept as they are).
pub fn unquote(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (
                char::from(b[i + 1]).to_digit(16),
                char::from(b[i + 2]).to_digit(16),
            )
        {
            out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// `file://` URLs (absolute paths; `%XX` escapes decoded).
#[derive(Debug, Clone, Copy, Default)]
pub struct FileTransport;

impl FileTransport {
    /// The local path of a `file://` URL.
    pub fn path_of(url: &str) -> Option<PathBuf> {
        let rest = url.strip_prefix("file://")?;
        // file://localhost/path and file:///path
        let rest = rest.strip_prefix("localhost").unwrap_or(rest);
        if !rest.starts_with('/') {
            return None;
        }
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStringExt;
            Some(PathBuf::from(std::ffi::OsString::from_vec(unquote(rest))))
        }
        #[cfg(not(unix))]
        {
            Some(PathBuf::from(
                String::from_utf8_lossy(&unquote(rest)).into_owned(),
            ))
        }
    }
}

impl Transport for FileTransport {
    fn supports(&self, scheme: &str) -> bool {
        scheme == "file"
    }

    fn open(&self, url: &str, offset: u64) -> Result<Response, TransportError> {
        let path = Self::path_of(url).ok_or_else(|| TransportError::UnsupportedScheme {
            url: url.to_owned(),
        })?;
        let other = |e: io::Error| TransportError::Other {
            url: url.to_owned(),
            detail: e.to_string(),
        };
        let mut f = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(TransportError::NotFound {
                    url: url.to_owned(),
                });
            }
            Err(e) => return Err(other(e)),
        };
        let len = f.metadata().map_err(other)?.len();
        if !f.metadata().map_err(other)?.is_file() {
            return Err(TransportError::NotFound {
                url: url.to_owned(),
            });
        }
        let start = if offset <= len { offset } else { 0 };
        f.seek(SeekFrom::Start(start)).map_err(other)?;
        Ok(Response {
            body: Box::new(f),
            offset: start,
            length: Some(len - start),
        })
    }
}

/// Timeouts and identity of [`HttpTransport`].
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Longest wait for any single read (a stalled server fails after this).
    pub read_timeout: Duration,
    /// `User-Agent` header.
    pub user_agent: String,
    /// Redirects to follow.
    pub max_redirects: u32,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            connect_timeout: Duration::from_secs(30),
            read_timeout: Duration::from_secs(60),
            user_agent: format!("strata-fetch/{}", env!("CARGO_PKG_VERSION")),
            max_redirects: 10,
        }
    }
}

/// http and https through ureq (rustls).
#[derive(Debug, Clone)]
pub struct HttpTransport {
    agent: ureq::Agent,
}

impl Default for HttpTransport {
    fn default() -> Self {
        HttpTransport::new(&HttpOptions::default())
    }
}

impl HttpTransport {
    /// A transport with these options.
    pub fn new(options: &HttpOptions) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(options.connect_timeout))
            .timeout_recv_response(Some(options.read_timeout))
            .timeout_per_read(Some(options.read_timeout))
            .user_agent(options.user_agent.as_str())
            .max_redirects(options.max_redirects)
            .http_status_as_error(false)
            .build()
            .into();
        HttpTransport { agent }
    }
}

fn map_ureq(url: &str, e: ureq::Error) -> TransportError {
    match e {
        ureq::Error::StatusCode(404 | 410) => TransportError::NotFound {
            url: url.to_owned(),
        },
        ureq::Error::StatusCode(status) => TransportError::Status {
            url: url.to_owned(),
            status,
        },
        ureq::Error::Timeout(t) => TransportError::Timeout {
            url: url.to_owned(),
            detail: t.to_string(),
        },
        ureq::Error::Io(io) if io.kind() == io::ErrorKind::TimedOut => TransportError::Timeout {
            url: url.to_owned(),
            detail: io.to_string(),
        },
        other => TransportError::Other {
            url: url.to_owned(),
            detail: other.to_string(),
        },
    }
}

/// Reads the first number of `Content-Range: bytes START-END/TOTAL`.
fn content_range_start(v: &str) -> Option<u64> {
    let rest = v.trim().strip_prefix("bytes")?.trim_start();
    let (start, _) = rest.split_once('-')?;
    start.trim().parse().ok()
}

impl Transport for HttpTransport {
    fn supports(&self, scheme: &str) -> bool {
        matches!(scheme, "http" | "https")
    }

    fn open(&self, url: &str, offset: u64) -> Result<Response, TransportError> {
        let mut req = self.agent.get(url);
        if offset > 0 {
            req = req.header("Range", format!("bytes={offset}-"));
        }
        let resp = req.call().map_err(|e| map_ureq(url, e))?;
        let status = resp.status().as_u16();
        match status {
            200 | 206 => {}
            404 | 410 => {
                return Err(TransportError::NotFound {
                    url: url.to_owned(),
                });
            }
            _ => {
                return Err(TransportError::Status {
                    url: url.to_owned(),
                    status,
                });
            }
        }
        let start = if status == 206 {
            let cr = resp
                .headers()
                .get("content-range")
                .and_then(|v| v.to_str().ok())
                .and_then(content_range_start);
            match cr {
                Some(s) if s == offset => offset,
                _ => {
                    return Err(TransportError::Other {
                        url: url.to_owned(),
                        detail: format!("partial content does not start at byte {offset}"),
                    });
                }
            }
        } else {
            0
        };
        let length = resp.body().content_length();
        let body = resp.into_body().into_reader();
        Ok(Response {
            body: Box::new(body),
            offset: start,
            length,
        })
    }
}

/// Dispatches on the URL scheme: `file` to [`FileTransport`], `http`/`https` to
/// [`HttpTransport`]; others are [`TransportError::UnsupportedScheme`].
#[derive(Debug, Clone, Default)]
pub struct SchemeTransport {
    /// The http(s) transport.
    pub http: HttpTransport,
    /// The file transport.
    pub file: FileTransport,
}

impl Transport for SchemeTransport {
    fn supports(&self, scheme: &str) -> bool {
        self.file.supports(scheme) || self.http.supports(scheme)
    }

    fn open(&self, url: &str, offset: u64) -> Result<Response, TransportError> {
        match scheme(url).as_deref() {
            Some("file") => self.file.open(url, offset),
            Some("http" | "https") => self.http.open(url, offset),
            _ => Err(TransportError::UnsupportedScheme {
                url: url.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote_path("ab/c d+e~.tar.gz"), "ab/c%20d%2Be~.tar.gz");
        assert_eq!(unquote("c%20d%2Be%zz%"), b"c d+e%zz%");
    }

    #[test]
    fn file_transport_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a b");
        std::fs::write(&p, b"0123456789").unwrap();
        let url = format!("file://{}", quote_path(p.to_str().unwrap()));
        let mut r = FileTransport.open(&url, 4).unwrap();
        assert_eq!(r.offset, 4);
        let mut s = String::new();
        r.body.read_to_string(&mut s).unwrap();
        assert_eq!(s, "456789");
        assert!(matches!(
            FileTransport.open(&format!("{url}x"), 0),
            Err(TransportError::NotFound { .. })
        ));
        assert_eq!(content_range_start("bytes 100-199/200"), Some(100));
    }
}
