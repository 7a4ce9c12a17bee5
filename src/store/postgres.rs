//! The PostgreSQL backend, for deployments with several stateless app nodes.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{NoTls, error::SqlState};

use super::StoreError;
use super::sql::{Expect, Row, Stmt, Value};

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/postgres/0001_init.sql")),
    (
        2,
        include_str!("../../migrations/postgres/0002_licenses.sql"),
    ),
    (
        3,
        include_str!("../../migrations/postgres/0003_datasets.sql"),
    ),
    (4, include_str!("../../migrations/postgres/0004_lists.sql")),
    (
        5,
        include_str!("../../migrations/postgres/0005_contact_points.sql"),
    ),
    (
        6,
        include_str!("../../migrations/postgres/0006_geozones.sql"),
    ),
];

/// A pool of connections to one PostgreSQL database.
pub struct PostgresDb {
    pool: Pool,
}

impl PostgresDb {
    /// Connects and applies pending migrations (under an advisory lock, so nodes starting
    /// together migrate once).
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Internal(format!("invalid database URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(16)
            .build()
            .map_err(|e| StoreError::Internal(e.to_string()))?;
        let db = PostgresDb { pool };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        client
            .batch_execute(
                "SELECT pg_advisory_lock(727274); \
                 CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)",
            )
            .await
            .map_err(map_err)?;
        let result = async {
            let applied: Vec<i64> = client
                .query("SELECT version FROM schema_migrations", &[])
                .await
                .map_err(map_err)?
                .iter()
                .map(|r| r.get(0))
                .collect();
            for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| !applied.contains(v)) {
                let tx = client.transaction().await.map_err(map_err)?;
                tx.batch_execute(sql).await.map_err(|e| {
                    StoreError::Internal(format!("migration {version} failed: {e}"))
                })?;
                tx.execute(
                    "INSERT INTO schema_migrations (version) VALUES ($1)",
                    &[version],
                )
                .await
                .map_err(map_err)?;
                tx.commit().await.map_err(map_err)?;
            }
            Ok(())
        }
        .await;
        client
            .batch_execute("SELECT pg_advisory_unlock(727274)")
            .await
            .map_err(map_err)?;
        result
    }

    /// The pool's connections: open, idle, requests waiting for one, and the most it opens.
    pub fn pool_status(&self) -> (usize, usize, usize, usize) {
        let status = self.pool.status();
        (
            status.size,
            status.available,
            status.waiting,
            status.max_size,
        )
    }

    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        self.pool
            .get()
            .await
            .map_err(|e| StoreError::Internal(format!("database unavailable: {e}")))
    }

    pub async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await.map_err(map_err)?;
        let rows = client
            .query(&stmt, &to_sql_params(params))
            .await
            .map_err(map_err)?;
        rows.iter().map(convert_row).collect()
    }

    pub async fn write(&self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(map_err)?;
        let mut results = Vec::with_capacity(stmts.len());
        for stmt in &stmts {
            let prepared = tx.prepare_cached(stmt.sql).await.map_err(map_err)?;
            let params = to_sql_params(&stmt.params);
            let (changed, rows) = if prepared.columns().is_empty() {
                (
                    tx.execute(&prepared, &params).await.map_err(map_err)?,
                    Vec::new(),
                )
            } else {
                let rows = tx.query(&prepared, &params).await.map_err(map_err)?;
                let rows: Vec<Row> = rows.iter().map(convert_row).collect::<Result<_, _>>()?;
                (rows.len() as u64, rows)
            };
            if stmt.expect == Expect::One && changed != 1 {
                return Err(StoreError::Conflict(
                    "the object changed or disappeared meanwhile".into(),
                ));
            }
            results.push(rows);
        }
        tx.commit().await.map_err(map_err)?;
        Ok(results)
    }
}

fn to_sql_params(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values
        .iter()
        .map(|v| match v {
            Value::Int(i) => i as &(dyn ToSql + Sync),
            Value::Text(t) => t as &(dyn ToSql + Sync),
        })
        .collect()
}

fn convert_row(row: &tokio_postgres::Row) -> Result<Row, StoreError> {
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let value = match *column.type_() {
            Type::INT8 => Value::Int(row.try_get(i).map_err(map_err)?),
            Type::INT4 => Value::Int(
                row.try_get::<_, Option<i32>>(i)
                    .map_err(map_err)?
                    .map(i64::from),
            ),
            Type::INT2 => Value::Int(
                row.try_get::<_, Option<i16>>(i)
                    .map_err(map_err)?
                    .map(i64::from),
            ),
            Type::BOOL => Value::Int(
                row.try_get::<_, Option<bool>>(i)
                    .map_err(map_err)?
                    .map(i64::from),
            ),
            Type::NUMERIC | Type::FLOAT8 => {
                return Err(StoreError::Internal(format!(
                    "column {} has a numeric type; cast it to BIGINT",
                    column.name()
                )));
            }
            _ => Value::Text(row.try_get(i).map_err(map_err)?),
        };
        values.push(value);
    }
    Ok(Row(values))
}

/// The migration versions this backend knows, for the test that keeps both backends in step.
pub fn migration_versions() -> Vec<i64> {
    MIGRATIONS.iter().map(|(v, _)| *v).collect()
}

fn map_err(e: tokio_postgres::Error) -> StoreError {
    if e.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        return StoreError::Conflict(
            e.as_db_error()
                .map(|d| d.message().to_owned())
                .unwrap_or_default(),
        );
    }
    // `Display` of a server error is only "db error"; the server's own message says what failed.
    match e.as_db_error() {
        Some(db) => StoreError::Internal(format!("{}: {}", db.code().code(), db.message())),
        None => StoreError::Internal(e.to_string()),
    }
}
