//! The small SQL vocabulary both backends speak: typed parameters, rows and write batches.
//!
//! Statements are written once in the dialect common to SQLite and PostgreSQL (`$1` parameters,
//! `BIGINT`/`TEXT` columns, `ON CONFLICT`, `RETURNING`), so every query lives in one place.

use super::StoreError;

/// A parameter or a column value. Nulls keep their type because PostgreSQL needs it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(Some(v))
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::Int(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Int(Some(v as i64))
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(Some(v.to_owned()))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(Some(v))
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::Text(v)
    }
}
impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Self {
        Value::Text(v.map(str::to_owned))
    }
}

/// Builds a parameter list: `params![id, 3_i64, None::<String>]`.
#[macro_export]
macro_rules! params {
    ($($v:expr),* $(,)?) => { vec![$($crate::store::sql::Value::from($v)),*] };
}

/// One result row, read by column position.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Value>);

impl Row {
    pub fn text(&self, i: usize) -> Result<String, StoreError> {
        match self.0.get(i) {
            Some(Value::Text(Some(s))) => Ok(s.clone()),
            other => Err(StoreError::Internal(format!(
                "column {i}: expected text, got {other:?}"
            ))),
        }
    }
    /// [`Row::text`] without the copy.
    pub fn str(&self, i: usize) -> Result<&str, StoreError> {
        match self.0.get(i) {
            Some(Value::Text(Some(s))) => Ok(s),
            other => Err(StoreError::Internal(format!(
                "column {i}: expected text, got {other:?}"
            ))),
        }
    }
    pub fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.0.get(i) {
            Some(Value::Text(v)) => Ok(v.clone()),
            Some(Value::Int(None)) => Ok(None),
            other => Err(StoreError::Internal(format!(
                "column {i}: expected text, got {other:?}"
            ))),
        }
    }
    pub fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.0.get(i) {
            Some(Value::Int(Some(v))) => Ok(*v),
            other => Err(StoreError::Internal(format!(
                "column {i}: expected integer, got {other:?}"
            ))),
        }
    }
    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.0.get(i) {
            Some(Value::Int(v)) => Ok(*v),
            Some(Value::Text(None)) => Ok(None),
            other => Err(StoreError::Internal(format!(
                "column {i}: expected integer, got {other:?}"
            ))),
        }
    }
}

/// What a statement of a write batch must have done for the batch to commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Any number of rows.
    Any,
    /// Exactly one row changed, else the whole batch rolls back with [`StoreError::Conflict`]
    /// (used for optimistic concurrency on `version` columns and for "must exist" updates).
    One,
}

/// One statement of a transactional write batch.
#[derive(Debug, Clone)]
pub struct Stmt {
    pub sql: &'static str,
    pub params: Vec<Value>,
    pub expect: Expect,
    /// The statement appends change-log entries whose objects it finds in the transaction,
    /// and returns their `kind, object_id`.
    pub logs_found: bool,
}

impl Stmt {
    pub fn new(sql: &'static str, params: Vec<Value>) -> Self {
        Stmt {
            sql,
            params,
            expect: Expect::Any,
            logs_found: false,
        }
    }
    pub fn expect_one(mut self) -> Self {
        self.expect = Expect::One;
        self
    }
    /// The change-log entry every write of a stored object appends in its own transaction.
    pub fn change(kind: &str, object_id: &str, op: &str, at: i64) -> Self {
        Stmt::new(
            CHANGE_SQL,
            vec![kind.into(), object_id.into(), op.into(), at.into()],
        )
    }

    /// Change-log entries of objects found by the statement itself (an `INSERT INTO changes
    /// … SELECT … RETURNING kind, object_id`), when which objects a write changes depends on
    /// what is stored: the write hook is told of those it returned.
    pub fn changes_found(sql: &'static str, params: Vec<Value>) -> Self {
        Stmt {
            logs_found: true,
            ..Stmt::new(sql, params)
        }
    }

    /// The `(kind, object id)` of a [`Stmt::change`] entry; `None` for any other statement.
    pub fn changed_object(&self) -> Option<(&str, &str)> {
        if self.sql != CHANGE_SQL {
            return None;
        }
        match self.params.as_slice() {
            [Value::Text(Some(kind)), Value::Text(Some(id)), ..] => Some((kind, id)),
            _ => None,
        }
    }
}

const CHANGE_SQL: &str = "INSERT INTO changes (kind, object_id, op, at) VALUES ($1, $2, $3, $4)";
