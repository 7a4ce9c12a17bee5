//! The embedded backend: one SQLite file in WAL mode.
//!
//! Reads run inline on pooled read-only connections (indexed, bounded statements only); writes run
//! on the single writer connection inside `spawn_blocking`, each batch in one `BEGIN IMMEDIATE`
//! transaction. Another process (the CLI) may write the same file: WAL readers see its commits on
//! their next statement, so nothing is cached here.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::Mutex;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, ToSql};

use super::StoreError;
use super::sql::{Expect, Row, Stmt, Value};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/sqlite/0001_init.sql")),
    (2, include_str!("../../migrations/sqlite/0002_licenses.sql")),
    (3, include_str!("../../migrations/sqlite/0003_datasets.sql")),
    (4, include_str!("../../migrations/sqlite/0004_lists.sql")),
    (
        5,
        include_str!("../../migrations/sqlite/0005_contact_points.sql"),
    ),
    (6, include_str!("../../migrations/sqlite/0006_geozones.sql")),
];

/// A SQLite database file with one writer and a pool of readers.
pub struct SqliteDb {
    path: PathBuf,
    // Fields drop in order: the read-only connections must close before the writer, so that
    // the writer closes last and can checkpoint and remove the WAL file.
    readers: Mutex<Vec<Connection>>,
    /// Read-only connections open, idle or in use.
    readers_open: AtomicUsize,
    writer: Arc<Mutex<Connection>>,
}

/// Idle read-only connections kept for the next reads; more are opened when needed.
const READERS_KEPT: usize = 16;

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // Without the query-planner stability guarantee, SQLite re-prepares a cached statement at
    // every new parameter value of many joins and sorts: a full parse per request.
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Pages are read from a memory map of the file (the OS page cache) rather than copied in
    // by a system call each: most of a read's cost once the database outgrows SQLite's own
    // per-connection cache. The size only reserves address space.
    conn.pragma_update(None, "mmap_size", 64_i64 << 30)?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(())
}

impl SqliteDb {
    /// Opens (creating if needed) the database file and applies pending migrations.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let writer = Connection::open(path).map_err(internal)?;
        writer
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(internal)?;
        configure(&writer).map_err(internal)?;
        migrate(&writer)?;
        Ok(SqliteDb {
            path: path.to_owned(),
            writer: Arc::new(Mutex::new(writer)),
            readers: Mutex::new(Vec::new()),
            readers_open: AtomicUsize::new(0),
        })
    }

    /// Gives the writer connection a page cache large enough for the indexes a bulk load
    /// touches at random and checkpoints every 40 MB of WAL instead of 4 MB: without them, each
    /// batch rereads and rewrites the same index pages several times.
    pub fn tune_for_bulk_load(&self) -> Result<(), StoreError> {
        let conn = self.writer.lock();
        conn.pragma_update(None, "cache_size", -256 * 1024)
            .map_err(internal)?;
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)
            .map_err(internal)?;
        Ok(())
    }

    fn reader(&self) -> Result<Connection, StoreError> {
        if let Some(conn) = self.readers.lock().pop() {
            return Ok(conn);
        }
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(internal)?;
        configure(&conn).map_err(internal)?;
        self.readers_open.fetch_add(1, Ordering::Relaxed);
        Ok(conn)
    }

    /// The read-only connections: open (idle or in use), idle, and how many are kept idle.
    pub fn readers_status(&self) -> (usize, usize, usize) {
        let idle = self.readers.lock().len();
        (
            self.readers_open.load(Ordering::Relaxed),
            idle,
            READERS_KEPT,
        )
    }

    /// Runs a read statement inline on a pooled connection.
    pub fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let conn = self.reader()?;
        let result = run_query(&conn, sql, params);
        let mut readers = self.readers.lock();
        if readers.len() < READERS_KEPT {
            readers.push(conn);
        } else {
            self.readers_open.fetch_sub(1, Ordering::Relaxed);
        }
        result
    }

    /// Runs a batch of statements in one transaction on the writer connection.
    pub async fn write(&self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, StoreError> {
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = writer.lock();
            let tx = conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(map_err)?;
            let mut results = Vec::with_capacity(stmts.len());
            for stmt in &stmts {
                let mut prepared = tx.prepare_cached(&positional(stmt.sql)).map_err(map_err)?;
                let params = to_sql_params(&stmt.params);
                let returns_rows = prepared.column_count() > 0;
                let (changed, rows) = if returns_rows {
                    let rows = collect_rows(&mut prepared, &params)?;
                    (tx.changes() as usize, rows)
                } else {
                    (
                        prepared.execute(params.as_slice()).map_err(map_err)?,
                        Vec::new(),
                    )
                };
                if stmt.expect == Expect::One && changed != 1 {
                    return Err(StoreError::Conflict(
                        "the object changed or disappeared meanwhile".into(),
                    ));
                }
                results.push(rows);
            }
            tx.commit().map_err(map_err)?;
            Ok(results)
        })
        .await
        .map_err(|e| StoreError::Internal(e.to_string()))?
    }
}

/// SQLite reads `$2` as a *named* parameter numbered by first appearance, while the shared
/// statements mean PostgreSQL's positional `$2`; `?2` is SQLite's positional form. The shared
/// `plateau_list(…)` (a JSON array as rows, see migration 4) is SQLite's `json_each`.
fn positional(sql: &str) -> std::borrow::Cow<'_, str> {
    if sql.contains('$') {
        sql.replace('$', "?")
            .replace("plateau_list(", "json_each(")
            .into()
    } else {
        sql.into()
    }
}

fn run_query(conn: &Connection, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
    let mut stmt = conn.prepare_cached(&positional(sql)).map_err(map_err)?;
    collect_rows(&mut stmt, &to_sql_params(params))
}

fn collect_rows(
    stmt: &mut rusqlite::CachedStatement<'_>,
    params: &[&dyn ToSql],
) -> Result<Vec<Row>, StoreError> {
    let columns = stmt.column_count();
    let mut rows = stmt.query(params).map_err(map_err)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(map_err)? {
        let mut values = Vec::with_capacity(columns);
        for i in 0..columns {
            values.push(match row.get_ref(i).map_err(map_err)? {
                ValueRef::Null => Value::Text(None),
                ValueRef::Integer(v) => Value::Int(Some(v)),
                ValueRef::Real(v) => Value::Int(Some(v as i64)),
                ValueRef::Text(t) | ValueRef::Blob(t) => {
                    Value::Text(Some(String::from_utf8_lossy(t).into_owned()))
                }
            });
        }
        out.push(Row(values));
    }
    Ok(out)
}

fn to_sql_params(values: &[Value]) -> Vec<&dyn ToSql> {
    values
        .iter()
        .map(|v| match v {
            Value::Int(i) => i as &dyn ToSql,
            Value::Text(t) => t as &dyn ToSql,
        })
        .collect()
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(internal)?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        conn.execute_batch(&format!(
            "BEGIN IMMEDIATE; {sql}; PRAGMA user_version = {version}; COMMIT;"
        ))
        .map_err(|e| StoreError::Internal(format!("migration {version} failed: {e}")))?;
    }
    Ok(())
}

/// The migration versions this backend knows, for the test that keeps both backends in step.
pub fn migration_versions() -> Vec<i64> {
    MIGRATIONS.iter().map(|(v, _)| *v).collect()
}

fn internal(e: rusqlite::Error) -> StoreError {
    StoreError::Internal(e.to_string())
}

fn map_err(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(err, msg) = &e
        && err.code == rusqlite::ErrorCode::ConstraintViolation
    {
        return StoreError::Conflict(msg.clone().unwrap_or_else(|| "constraint violation".into()));
    }
    StoreError::Internal(e.to_string())
}
