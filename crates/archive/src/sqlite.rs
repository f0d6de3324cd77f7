//! [`SqliteIndex`]: the embedded index (bundled SQLite, WAL mode).
//!
//! Several processes may open one database at once: writes run in `BEGIN IMMEDIATE`
//! transactions and waits for the lock are bounded by a busy timeout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use crate::digests::BlobDigests;
use crate::error::{ArchiveError, Result};
use crate::index::{ArchiveIndex, ArchiveRecord, BlobRecord, BlobState, ListFilter, NewArchive};
use crate::key::ArchiveKey;

/// Schema version written to the `meta` table.
pub const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs(
    sha512 TEXT PRIMARY KEY,
    blake2b TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    verified_at INTEGER,
    state TEXT NOT NULL CHECK(state IN ('ok', 'quarantined', 'missing'))
);
CREATE TABLE IF NOT EXISTS archives(
    id INTEGER PRIMARY KEY,
    final_name TEXT NOT NULL,
    key_digest TEXT NOT NULL,
    key_json TEXT NOT NULL,
    sha512 TEXT NOT NULL REFERENCES blobs(sha512),
    metadata_json TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    superseded_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS archives_active ON archives(key_digest)
    WHERE superseded_at IS NULL;
CREATE INDEX IF NOT EXISTS archives_name ON archives(final_name);
CREATE INDEX IF NOT EXISTS archives_sha512 ON archives(sha512);
";

const SELECT_ARCHIVE: &str = "SELECT a.id, a.final_name, a.key_json, a.key_digest, a.sha512,
    b.blake2b, b.sha256, b.size, a.metadata_json, a.created_at, a.superseded_at, b.state
    FROM archives a JOIN blobs b ON a.sha512 = b.sha512";

/// The SQLite archive index.
pub struct SqliteIndex {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteIndex")
            .field("path", &self.path)
            .finish()
    }
}

impl SqliteIndex {
    /// Opens (creating if needed) the database at `path`, in WAL mode with a busy timeout
    /// of `busy_timeout`.
    pub fn open(path: &Path, busy_timeout: Duration) -> Result<SqliteIndex> {
        let err = |context: &str| {
            let context = format!("{context} {}", path.display());
            move |e: rusqlite::Error| ArchiveError::Index {
                context,
                message: e.to_string(),
            }
        };
        let mut conn = Connection::open(path).map_err(err("open"))?;
        conn.busy_timeout(busy_timeout).map_err(err("configure"))?;
        // Switching to WAL takes an exclusive lock once per database file. SQLite may
        // answer SQLITE_BUSY at once, without waiting in the busy handler, when processes
        // race to do it on a fresh file (a waiting reader could deadlock the switch), so
        // the switch is retried until the busy timeout has passed.
        let deadline = std::time::Instant::now() + busy_timeout;
        let mode: String = loop {
            match conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0)) {
                Ok(mode) => break mode,
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if matches!(
                        e.code,
                        rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                    ) && std::time::Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(e) => return Err(err("enable WAL on")(e)),
            }
        };
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(ArchiveError::Index {
                context: format!("enable WAL on {}", path.display()),
                message: format!("journal mode is {mode}"),
            });
        }
        conn.execute_batch("PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;")
            .map_err(err("configure"))?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err("create schema in"))?;
        tx.execute_batch(SCHEMA).map_err(err("create schema in"))?;
        let version: Option<String> = tx
            .query_row(
                "SELECT value FROM meta WHERE name = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(err("read schema version of"))?;
        match version {
            None => {
                tx.execute(
                    "INSERT INTO meta(name, value) VALUES ('schema_version', ?1)",
                    [SCHEMA_VERSION.to_string()],
                )
                .map_err(err("write schema version of"))?;
            }
            Some(v) if v == SCHEMA_VERSION.to_string() => {}
            Some(v) => {
                return Err(ArchiveError::Index {
                    context: format!("open {}", path.display()),
                    message: format!("unsupported schema version {v}"),
                });
            }
        }
        tx.commit().map_err(err("create schema in"))?;
        Ok(SqliteIndex {
            path: path.to_owned(),
            conn: Mutex::new(conn),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-done transaction behind
        // (rusqlite rolls back on drop), so a poisoned lock is still usable.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn query_archives(
        &self,
        sql_tail: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<ArchiveRecord>> {
        let conn = self.conn();
        let sql = format!("{SELECT_ARCHIVE} {sql_tail}");
        let mut stmt = conn.prepare_cached(&sql).map_err(db("prepare query"))?;
        let rows = stmt
            .query_map(params, raw_archive)
            .map_err(db("query archives"))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(decode_archive(row.map_err(db("read archive row"))?)?);
        }
        Ok(out)
    }
}

fn db(context: &'static str) -> impl Fn(rusqlite::Error) -> ArchiveError {
    move |e| ArchiveError::Index {
        context: context.to_owned(),
        message: e.to_string(),
    }
}

struct RawArchive {
    id: i64,
    final_name: String,
    key_json: String,
    key_digest: String,
    sha512: String,
    blake2b: String,
    sha256: String,
    size: i64,
    metadata_json: String,
    created_at: i64,
    superseded_at: Option<i64>,
    state: String,
}

fn raw_archive(r: &Row<'_>) -> rusqlite::Result<RawArchive> {
    Ok(RawArchive {
        id: r.get(0)?,
        final_name: r.get(1)?,
        key_json: r.get(2)?,
        key_digest: r.get(3)?,
        sha512: r.get(4)?,
        blake2b: r.get(5)?,
        sha256: r.get(6)?,
        size: r.get(7)?,
        metadata_json: r.get(8)?,
        created_at: r.get(9)?,
        superseded_at: r.get(10)?,
        state: r.get(11)?,
    })
}

fn decode_archive(raw: RawArchive) -> Result<ArchiveRecord> {
    let corrupt = |reason: String| ArchiveError::CorruptRecord { id: raw.id, reason };
    let key = ArchiveKey::from_json(&raw.key_json).map_err(|e| corrupt(e.to_string()))?;
    let metadata: BTreeMap<String, String> =
        serde_json::from_str(&raw.metadata_json).map_err(|e| corrupt(format!("metadata: {e}")))?;
    let state = BlobState::parse(&raw.state)
        .ok_or_else(|| corrupt(format!("blob state {:?}", raw.state)))?;
    let size = u64::try_from(raw.size).map_err(|_| corrupt(format!("size {}", raw.size)))?;
    Ok(ArchiveRecord {
        id: raw.id,
        final_name: raw.final_name,
        key,
        key_digest: raw.key_digest,
        digests: BlobDigests {
            size,
            sha512: raw.sha512,
            blake2b: raw.blake2b,
            sha256: raw.sha256,
        },
        metadata,
        created_at: raw.created_at,
        superseded_at: raw.superseded_at,
        state,
    })
}

type RawBlob = (String, String, String, i64, i64, Option<i64>, String);

fn raw_blob(r: &Row<'_>) -> rusqlite::Result<RawBlob> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
    ))
}

fn decode_blob(
    (sha512, blake2b, sha256, size, created_at, verified_at, state): RawBlob,
) -> Result<BlobRecord> {
    let corrupt = |reason: String| ArchiveError::Index {
        context: format!("blob {sha512}"),
        message: reason,
    };
    Ok(BlobRecord {
        digests: BlobDigests {
            size: u64::try_from(size).map_err(|_| corrupt(format!("size {size}")))?,
            sha512: sha512.clone(),
            blake2b,
            sha256,
        },
        created_at,
        verified_at,
        state: BlobState::parse(&state).ok_or_else(|| corrupt(format!("state {state:?}")))?,
    })
}

const SELECT_BLOB: &str =
    "SELECT sha512, blake2b, sha256, size, created_at, verified_at, state FROM blobs";

impl ArchiveIndex for SqliteIndex {
    fn insert(&self, new: &NewArchive<'_>) -> Result<ArchiveRecord> {
        let size = i64::try_from(new.digests.size).map_err(|_| ArchiveError::Index {
            context: "insert".into(),
            message: format!("size {} too large", new.digests.size),
        })?;
        let metadata_json =
            serde_json::to_string(new.metadata).map_err(|e| ArchiveError::Index {
                context: "encode metadata".into(),
                message: e.to_string(),
            })?;
        let id = {
            let mut conn = self.conn();
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db("begin insert"))?;
            tx.execute(
                "INSERT INTO blobs(sha512, blake2b, sha256, size, created_at, verified_at, state)
                 VALUES (?1, ?2, ?3, ?4, ?5, NULL, 'ok')
                 ON CONFLICT(sha512) DO UPDATE SET state = 'ok'",
                params![
                    new.digests.sha512,
                    new.digests.blake2b,
                    new.digests.sha256,
                    size,
                    new.now
                ],
            )
            .map_err(db("insert blob"))?;
            let active: Option<(i64, String)> = tx
                .query_row(
                    "SELECT id, sha512 FROM archives WHERE key_digest = ?1 AND superseded_at IS NULL",
                    [new.key_digest],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(db("look up active archive"))?;
            let id = match active {
                Some((id, sha512)) if sha512 == new.digests.sha512 => id,
                other => {
                    if let Some((old, _)) = other {
                        tx.execute(
                            "UPDATE archives SET superseded_at = ?1 WHERE id = ?2",
                            params![new.now, old],
                        )
                        .map_err(db("supersede archive"))?;
                    }
                    tx.execute(
                        "INSERT INTO archives(final_name, key_digest, key_json, sha512,
                             metadata_json, created_at, superseded_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)",
                        params![
                            new.final_name,
                            new.key_digest,
                            new.key.to_json(),
                            new.digests.sha512,
                            metadata_json,
                            new.now
                        ],
                    )
                    .map_err(db("insert archive"))?;
                    tx.last_insert_rowid()
                }
            };
            tx.commit().map_err(db("commit insert"))?;
            id
        };
        self.get(id)?.ok_or_else(|| ArchiveError::CorruptRecord {
            id,
            reason: "row vanished right after insert".into(),
        })
    }

    fn find(&self, key_digest: &str) -> Result<Option<ArchiveRecord>> {
        Ok(self
            .query_archives(
                "WHERE a.key_digest = ?1 AND a.superseded_at IS NULL",
                &[&key_digest],
            )?
            .pop())
    }

    fn list(&self, filter: &ListFilter) -> Result<Vec<ArchiveRecord>> {
        let mut cond = Vec::new();
        if !filter.include_superseded {
            cond.push("a.superseded_at IS NULL");
        }
        if filter.final_name.is_some() {
            cond.push("a.final_name = ?1");
        }
        let mut tail = String::new();
        if !cond.is_empty() {
            tail = format!("WHERE {}", cond.join(" AND "));
        }
        tail.push_str(" ORDER BY a.final_name, a.created_at, a.id");
        match &filter.final_name {
            Some(name) => self.query_archives(&tail, &[name]),
            None => self.query_archives(&tail, &[]),
        }
    }

    fn get(&self, id: i64) -> Result<Option<ArchiveRecord>> {
        Ok(self.query_archives("WHERE a.id = ?1", &[&id])?.pop())
    }

    fn by_sha512_prefix(&self, prefix: &str) -> Result<Vec<ArchiveRecord>> {
        // Hex digests only: no LIKE wildcards can sneak in.
        if !prefix.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(Vec::new());
        }
        let pattern = format!("{}%", prefix.to_ascii_lowercase());
        self.query_archives(
            "WHERE a.sha512 LIKE ?1 ORDER BY a.final_name, a.created_at, a.id",
            &[&pattern],
        )
    }

    fn blob(&self, sha512: &str) -> Result<Option<BlobRecord>> {
        let conn = self.conn();
        let raw = conn
            .query_row(
                &format!("{SELECT_BLOB} WHERE sha512 = ?1"),
                [sha512],
                raw_blob,
            )
            .optional()
            .map_err(db("read blob"))?;
        raw.map(decode_blob).transpose()
    }

    fn blobs(&self) -> Result<Vec<BlobRecord>> {
        let conn = self.conn();
        let mut stmt = conn
            .prepare(&format!("{SELECT_BLOB} ORDER BY sha512"))
            .map_err(db("prepare blob query"))?;
        let rows = stmt.query_map([], raw_blob).map_err(db("query blobs"))?;
        let mut out = Vec::new();
        for row in rows {
            out.push(decode_blob(row.map_err(db("read blob row"))?)?);
        }
        Ok(out)
    }

    fn set_blob_state(
        &self,
        sha512: &str,
        state: BlobState,
        verified_at: Option<i64>,
    ) -> Result<()> {
        let conn = self.conn();
        conn.execute(
            "UPDATE blobs SET state = ?1, verified_at = COALESCE(?2, verified_at) WHERE sha512 = ?3",
            params![state.as_str(), verified_at, sha512],
        )
        .map_err(db("update blob state"))?;
        Ok(())
    }

    fn delete_archives(&self, ids: &[i64]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db("begin delete"))?;
        for id in ids {
            tx.execute("DELETE FROM archives WHERE id = ?1", [id])
                .map_err(db("delete archive"))?;
        }
        tx.commit().map_err(db("commit delete"))?;
        Ok(())
    }

    fn delete_blob(&self, sha512: &str) -> Result<bool> {
        let conn = self.conn();
        let n = conn
            .execute(
                "DELETE FROM blobs WHERE sha512 = ?1
                 AND NOT EXISTS (SELECT 1 FROM archives WHERE archives.sha512 = blobs.sha512)",
                [sha512],
            )
            .map_err(db("delete blob"))?;
        Ok(n > 0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn digests(tag: &str) -> BlobDigests {
        BlobDigests::of_bytes(tag.as_bytes())
    }

    #[test]
    fn insert_supersedes_and_dedups() {
        let dir = tempfile::tempdir().unwrap();
        let idx = SqliteIndex::open(&dir.path().join("i.sqlite"), Duration::from_secs(5)).unwrap();
        let key = ArchiveKey::new().with("v", "1");
        let meta = BTreeMap::new();
        let d1 = digests("one");
        let d2 = digests("two");
        let new = |d: &'static BlobDigests, now| NewArchive {
            final_name: "a.tar.gz",
            key: &key,
            key_digest: "kd",
            digests: d,
            metadata: &meta,
            now,
        };
        let d1: &'static BlobDigests = Box::leak(Box::new(d1));
        let d2: &'static BlobDigests = Box::leak(Box::new(d2));
        let r1 = idx.insert(&new(d1, 10)).unwrap();
        let again = idx.insert(&new(d1, 11)).unwrap();
        assert_eq!(r1.id, again.id, "same key, same blob: no new row");
        let r2 = idx.insert(&new(d2, 12)).unwrap();
        assert_ne!(r1.id, r2.id);
        assert_eq!(idx.find("kd").unwrap().unwrap().digests, *d2);
        let all = idx
            .list(&ListFilter {
                include_superseded: true,
                ..ListFilter::default()
            })
            .unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(idx.get(r1.id).unwrap().unwrap().superseded_at, Some(12));
        assert_eq!(idx.list(&ListFilter::default()).unwrap().len(), 1);
        assert!(!idx.delete_blob(&d1.sha512).unwrap(), "still referenced");
        idx.delete_archives(&[r1.id]).unwrap();
        assert!(idx.delete_blob(&d1.sha512).unwrap());
        assert_eq!(idx.blobs().unwrap().len(), 1);
    }
}
