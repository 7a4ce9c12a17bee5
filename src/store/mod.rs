//! The one storage interface of the application. All SQL lives under this module.
//!
//! [`Store`] offers typed operations per area (users, organizations, follows…); underneath, a
//! [`Db`] runs statements on SQLite or PostgreSQL. Statements are written once in the dialect both
//! accept, so the two backends cannot drift apart, and the same test suite runs on both.

pub mod changelog;
pub mod community;
pub mod contact_points;
pub mod dataset_view;
pub mod datasets;
pub mod follows;
pub mod geozones;
pub mod import;
pub mod licenses;
pub mod organizations;
pub mod postgres;
pub mod resources;
pub mod scan;
pub mod site;
pub mod sql;
pub mod sqlite;
pub mod users;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::params;
use sql::{Row, Stmt, Value};

/// What can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness constraint or an optimistic-concurrency check failed.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("storage error: {0}")]
    Internal(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database underneath a [`Store`].
pub enum Db {
    Sqlite(sqlite::SqliteDb),
    Postgres(postgres::PostgresDb),
}

/// Typed access to everything the portal stores. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: Arc<Db>,
    /// Signalled after every committed write of this process (the search indexer waits on it).
    written: Arc<tokio::sync::Notify>,
    /// Write batches of this process that have ended, committed or not (see [`Store::writes`]).
    writes: Arc<AtomicU64>,
    /// Called after every write batch of this process (see [`Store::on_write`]).
    hooks: Arc<parking_lot::RwLock<Vec<WriteHook>>>,
}

/// How a store's connection pool is used (see [`Store::pool_status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// `postgresql`, or `sqlite_readers` (SQLite's read-only connections; its one writer is
    /// not pooled).
    pub pool: &'static str,
    /// Connections open, idle or in use.
    pub size: usize,
    /// Idle connections.
    pub available: usize,
    /// Requests waiting for a connection (SQLite opens another one instead: always 0).
    pub waiting: usize,
    /// The most connections opened (PostgreSQL) or kept idle (SQLite).
    pub max_size: usize,
}

/// An object a write batch changed, as its change-log entry names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub kind: String,
    pub object_id: String,
}

type WriteHook = Box<dyn Fn(&[Changed]) + Send + Sync>;

impl Store {
    /// Opens the store: PostgreSQL when `database_url` is a `postgres://` URL, else SQLite in
    /// `data_dir/plateau.db`. Creates and migrates the schema as needed.
    pub async fn open(data_dir: &Path, database_url: Option<&str>) -> StoreResult<Self> {
        let db = match database_url {
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Db::Postgres(postgres::PostgresDb::connect(url).await?)
            }
            Some(url) if url.starts_with("sqlite://") => Db::Sqlite(sqlite::SqliteDb::open(
                Path::new(&url["sqlite://".len()..]),
            )?),
            Some(other) => {
                return Err(StoreError::Internal(format!(
                    "unsupported database URL {other:?}: use postgres://… or leave it unset for the embedded store"
                )));
            }
            None => {
                std::fs::create_dir_all(data_dir).map_err(|e| {
                    StoreError::Internal(format!(
                        "cannot create data dir {}: {e}",
                        data_dir.display()
                    ))
                })?;
                Db::Sqlite(sqlite::SqliteDb::open(&data_dir.join("plateau.db"))?)
            }
        };
        let store = Store {
            db: Arc::new(db),
            written: Arc::default(),
            writes: Arc::default(),
            hooks: Arc::default(),
        };
        store.seed_licenses().await?;
        store.seed_geozones().await?;
        Ok(store)
    }

    /// Which backend this store runs on, for logs and the site object.
    pub fn backend_name(&self) -> &'static str {
        match &*self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgresql",
        }
    }

    /// How the backend's connection pool is used now.
    pub fn pool_status(&self) -> PoolStatus {
        match &*self.db {
            Db::Sqlite(db) => {
                let (size, available, max_size) = db.readers_status();
                PoolStatus {
                    pool: "sqlite_readers",
                    size,
                    available,
                    waiting: 0,
                    max_size,
                }
            }
            Db::Postgres(db) => {
                let (size, available, waiting, max_size) = db.pool_status();
                PoolStatus {
                    pool: "postgresql",
                    size,
                    available,
                    waiting,
                    max_size,
                }
            }
        }
    }

    pub(crate) async fn query(
        &self,
        sql: &'static str,
        params: Vec<Value>,
    ) -> StoreResult<Vec<Row>> {
        match &*self.db {
            Db::Sqlite(db) => db.query(sql, &params),
            Db::Postgres(db) => db.query(sql, &params).await,
        }
    }

    pub(crate) async fn query_one(
        &self,
        sql: &'static str,
        params: Vec<Value>,
    ) -> StoreResult<Option<Row>> {
        Ok(self.query(sql, params).await?.into_iter().next())
    }

    pub(crate) async fn count(&self, sql: &'static str, params: Vec<Value>) -> StoreResult<i64> {
        match self.query_one(sql, params).await? {
            Some(row) => row.int(0),
            None => Ok(0),
        }
    }

    /// Runs statements in one transaction; returns the rows each statement returned.
    pub(crate) async fn write(&self, stmts: Vec<Stmt>) -> StoreResult<Vec<Vec<Row>>> {
        let mut changed = self.changed_objects(&stmts);
        let found: Vec<usize> = (0..stmts.len()).filter(|&i| stmts[i].logs_found).collect();
        let result = match &*self.db {
            Db::Sqlite(db) => db.write(stmts).await,
            Db::Postgres(db) => db.write(stmts).await,
        };
        if let Ok(rows) = &result {
            for row in found.iter().flat_map(|&i| &rows[i]) {
                if let (Ok(kind), Ok(object_id)) = (row.text(0), row.text(1)) {
                    changed.push(Changed { kind, object_id });
                }
            }
        }
        // Also after a failure: a commit whose acknowledgement was lost did happen (the
        // objects a statement finds are then only known from the change log).
        if !changed.is_empty() {
            for hook in self.hooks.read().iter() {
                hook(&changed);
            }
        }
        self.writes.fetch_add(1, Ordering::Release);
        self.written.notify_one();
        result
    }

    /// Calls `hook` after every write batch this process makes through this store (or a clone
    /// of it), before the write returns, with the objects the batch's change-log entries name.
    /// Writes of other processes are only in the change log.
    pub fn on_write(&self, hook: impl Fn(&[Changed]) + Send + Sync + 'static) {
        self.hooks.write().push(Box::new(hook));
    }

    fn changed_objects(&self, stmts: &[Stmt]) -> Vec<Changed> {
        if self.hooks.read().is_empty() {
            return Vec::new();
        }
        stmts
            .iter()
            .filter_map(Stmt::changed_object)
            .map(|(kind, id)| Changed {
                kind: kind.to_owned(),
                object_id: id.to_owned(),
            })
            .collect()
    }

    /// How many write batches this process has ended through this store (or a clone of it).
    /// Each one has committed or failed by the time it is counted, so a change-log read that
    /// starts after reading `n` here sees the entries of the first `n` writes: what the search
    /// indexes compare to let this process's readers see its writes.
    pub fn writes(&self) -> u64 {
        self.writes.load(Ordering::Acquire)
    }

    /// Wakes up after this process's next committed write (or at once if one happened since
    /// the last wake-up).
    pub async fn written(&self) {
        self.written.notified().await
    }

    /// The sequence number of the newest change-log entry (0 when there is none).
    pub async fn last_change(&self) -> StoreResult<i64> {
        self.count("SELECT COALESCE(MAX(seq), 0) FROM changes", Vec::new())
            .await
    }

    /// Change-log entries with `from < seq <= to` (to re-read sequence numbers that were not
    /// committed yet when first read).
    pub async fn changes_between(&self, from: i64, to: i64) -> StoreResult<Vec<Change>> {
        self.query(
            "SELECT seq, kind, object_id, op, at FROM changes WHERE seq > $1 AND seq <= $2 ORDER BY seq",
            params![from, to],
        )
        .await?
        .iter()
        .map(change_from_row)
        .collect()
    }

    /// Entries of the change log after `seq`, oldest first.
    pub async fn changes_since(&self, seq: i64, limit: i64) -> StoreResult<Vec<Change>> {
        self.query(
            "SELECT seq, kind, object_id, op, at FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
            params![seq, limit],
        )
        .await?
        .iter()
        .map(change_from_row)
        .collect()
    }
}

fn change_from_row(r: &Row) -> StoreResult<Change> {
    Ok(Change {
        seq: r.int(0)?,
        kind: r.text(1)?,
        object_id: r.text(2)?,
        op: r.text(3)?,
        at: r.int(4)?,
    })
}

/// One entry of the ordered change log.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub seq: i64,
    pub kind: String,
    pub object_id: String,
    pub op: String,
    pub at: i64,
}

/// A page of rows: limit and offset computed from 1-based page numbers.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub page: i64,
    pub page_size: i64,
}

impl PageRequest {
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.page_size)
    }
}

/// Items of one page and the total across pages.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// A list of values as the one parameter of `IN (SELECT value FROM plateau_list($n))`.
pub(crate) fn list_param<S: AsRef<str>>(values: &[S]) -> String {
    let values: Vec<&str> = values.iter().map(AsRef::as_ref).collect();
    serde_json::to_string(&values).expect("strings serialize")
}

/// Turns a free-text filter into a `LIKE` pattern over the lowercased, folded `search` column.
pub(crate) fn like_pattern(q: &str) -> String {
    let folded = crate::domain::slug::fold(q);
    let escaped: String = folded
        .chars()
        .filter(|c| *c != '%' && *c != '_' && *c != '\\')
        .collect();
    format!("%{}%", escaped.trim())
}
