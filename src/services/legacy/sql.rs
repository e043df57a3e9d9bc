//! A legacy store that is a database: PostgreSQL, MySQL/MariaDB or SQLite, read through
//! sqlx's `Any` driver with the operator's own queries. One user by email (the lookup query),
//! or all users a page at a time (the keyset-paged all-users query).
//!
//! The queries are the operator's: Usher runs them as written against the legacy database
//! (never against its own), and binds every value.
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, AssertSqlSafe, Column, Executor, Row, SqlSafeStr, Statement};

use super::LegacyError;
use crate::domain::legacy::{Dialect, IdType, missing_columns, truthy};

/// How long a query may take before the store counts as down.
const QUERY_TIMEOUT: Duration = Duration::from_secs(3);

/// A legacy database, with a small pool of its own.
pub struct SqlStore {
    pool: AnyPool,
}

/// One row of a legacy query, as text, before its email is checked.
#[derive(Debug, Clone)]
pub struct RawUser {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub password_hash: Option<String>,
    pub email_verified: bool,
    /// Whether the id came as a number.
    pub numeric_id: bool,
}

/// Where a read of all users starts, or goes on: after the last id seen.
#[derive(Debug, Clone)]
pub enum After {
    Start(IdType),
    Integer(i64),
    Text(String),
}

impl After {
    /// The cursor kept with an import: the last id seen, as text.
    pub fn resume(id_type: IdType, cursor: Option<&str>) -> Self {
        match (id_type, cursor) {
            (_, None) => Self::Start(id_type),
            (IdType::Integer, Some(id)) => id
                .parse()
                .map_or_else(|_| Self::Text(id.to_owned()), Self::Integer),
            (IdType::Text, Some(id)) => Self::Text(id.to_owned()),
        }
    }
}

/// What checking the queries found.
#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    pub lookup_columns: Vec<String>,
    /// Whether the lookup found the test email.
    pub test_email_found: bool,
    pub all_users_columns: Vec<String>,
    pub id_type: Option<IdType>,
}

impl SqlStore {
    /// A pool for `url`; nothing is connected until the first query.
    pub fn open(url: &str) -> Result<Self, LegacyError> {
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(2))
            .idle_timeout(Duration::from_secs(300))
            .connect_lazy(url)
            .map_err(|err| LegacyError::Misconfigured(redacted(&err)))?;
        Ok(Self { pool })
    }

    /// The user whose email is `email`, if the store has one.
    pub async fn lookup(&self, query: &str, email: &str) -> Result<Option<RawUser>, LegacyError> {
        let sql = AssertSqlSafe(query.to_owned());
        let row = timed(
            sqlx::query(sql)
                .bind(email.to_owned())
                .fetch_optional(&self.pool),
        )
        .await?;
        row.map(|row| raw_user(&row)).transpose()
    }

    /// Up to `limit` users after `after`, in id order.
    pub async fn page(
        &self,
        query: &str,
        after: &After,
        limit: i64,
    ) -> Result<Vec<RawUser>, LegacyError> {
        let sql = AssertSqlSafe(query.to_owned());
        let query = match after {
            After::Start(IdType::Integer) => sqlx::query(sql).bind(i64::MIN),
            After::Start(IdType::Text) => sqlx::query(sql).bind(String::new()),
            After::Integer(id) => sqlx::query(sql).bind(*id),
            After::Text(id) => sqlx::query(sql).bind(id.clone()),
        };
        let rows = timed(query.bind(limit).fetch_all(&self.pool)).await?;
        rows.iter().map(raw_user).collect()
    }

    /// How many users the all-users query reads in all.
    pub async fn count(&self, query: &str, id_type: IdType) -> Result<i64, LegacyError> {
        // On lines of their own: a comment that ends the query ends with its line.
        let sql = AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM (\n{query}\n) AS legacy_users"
        ));
        let start = sqlx::query_scalar::<_, i64>(sql);
        let start = match id_type {
            IdType::Integer => start.bind(i64::MIN),
            IdType::Text => start.bind(String::new()),
        };
        timed(start.bind(i64::MAX).fetch_one(&self.pool)).await
    }

    /// Runs the queries once, the lookup with `test_email`, and reports what came back: the
    /// columns each returns, whether the email was found, how ids compare.
    pub async fn check(
        &self,
        dialect: Dialect,
        lookup: &str,
        all_users: Option<&str>,
        test_email: &str,
    ) -> Result<CheckReport, LegacyError> {
        let refuse = |message: String| Err(LegacyError::Misconfigured(message));
        if let Err(message) = dialect.check_placeholders(lookup, 1) {
            return refuse(format!("The lookup query: {message}"));
        }
        let mut report = CheckReport {
            lookup_columns: self.columns(lookup).await?,
            ..CheckReport::default()
        };
        let missing = missing_columns(&report.lookup_columns);
        if !missing.is_empty() {
            return refuse(format!(
                "The lookup query returns {}, but not {}.",
                listed(&report.lookup_columns),
                missing.join(", ")
            ));
        }
        let found = self.lookup(lookup, test_email).await?;
        report.test_email_found = found.is_some();
        let Some(all_users) = all_users else {
            return Ok(report);
        };
        if let Err(message) = dialect.check_placeholders(all_users, 2) {
            return refuse(format!("The all-users query: {message}"));
        }
        report.all_users_columns = self.columns(all_users).await?;
        let missing = missing_columns(&report.all_users_columns);
        if !missing.is_empty() {
            return refuse(format!(
                "The all-users query returns {}, but not {}.",
                listed(&report.all_users_columns),
                missing.join(", ")
            ));
        }
        // Whether ids are numbers decides where paging starts. A number start works on text
        // ids in SQLite and MySQL (which compare across types) but is an error in PostgreSQL,
        // whose text ids then start from the empty string.
        report.id_type = Some(
            match self
                .page(all_users, &After::Start(IdType::Integer), 1)
                .await
            {
                Ok(first) => first.first().map_or(IdType::Integer, id_type_of),
                Err(_) => {
                    self.page(all_users, &After::Start(IdType::Text), 1).await?;
                    IdType::Text
                }
            },
        );
        Ok(report)
    }

    /// The columns `query` returns, by name, without running it.
    async fn columns(&self, query: &str) -> Result<Vec<String>, LegacyError> {
        let statement = timed(
            self.pool
                .prepare(AssertSqlSafe(query.to_owned()).into_sql_str()),
        )
        .await?;
        Ok(statement
            .columns()
            .iter()
            .map(|column| column.name().to_owned())
            .collect())
    }
}

fn id_type_of(user: &RawUser) -> IdType {
    if user.numeric_id {
        IdType::Integer
    } else {
        IdType::Text
    }
}

fn listed(columns: &[String]) -> String {
    if columns.is_empty() {
        "no columns".to_owned()
    } else {
        columns.join(", ")
    }
}

/// Runs a query with the store's time limit; a database error becomes words without the URL.
async fn timed<T>(query: impl Future<Output = Result<T, sqlx::Error>>) -> Result<T, LegacyError> {
    match tokio::time::timeout(QUERY_TIMEOUT, query).await {
        Err(_) => Err(LegacyError::Unavailable(
            "the legacy database did not answer in time".into(),
        )),
        Ok(Err(err)) => Err(classify(&err)),
        Ok(Ok(value)) => Ok(value),
    }
}

/// A database that cannot be reached is down; one that refuses the query is misconfigured.
fn classify(err: &sqlx::Error) -> LegacyError {
    match err {
        sqlx::Error::Database(db) => LegacyError::Misconfigured(format!(
            "the legacy database refused the query: {}",
            db.message()
        )),
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::ColumnNotFound(_) => {
            LegacyError::Misconfigured(redacted(err))
        }
        // Every connection is busy: the store is not at fault (nor is it down).
        sqlx::Error::PoolTimedOut => {
            LegacyError::Busy("the legacy database's connections are all busy".into())
        }
        _ => LegacyError::Unavailable(redacted(err)),
    }
}

/// An error's words with anything that looks like a URL taken out (it may hold a password).
fn redacted(err: &sqlx::Error) -> String {
    err.to_string()
        .split_whitespace()
        .map(|word| {
            if word.contains("://") {
                "[address]"
            } else {
                word
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A row's columns by name, whatever their case and type.
fn raw_user(row: &AnyRow) -> Result<RawUser, LegacyError> {
    let index = |name: &str| {
        row.columns()
            .iter()
            .position(|column| column.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                LegacyError::Misconfigured(format!("the query returns no {name} column"))
            })
    };
    let id_index = index("id")?;
    let numeric_id = row.try_get::<Option<i64>, _>(id_index).is_ok()
        || row.try_get::<Option<i32>, _>(id_index).is_ok();
    let id = text(row, id_index)
        .ok_or_else(|| LegacyError::Misconfigured("a user without an id".into()))?;
    Ok(RawUser {
        id,
        email: text(row, index("email")?).unwrap_or_default(),
        name: text(row, index("name")?).filter(|name| !name.trim().is_empty()),
        password_hash: text(row, index("password_hash")?).filter(|hash| !hash.is_empty()),
        email_verified: text(row, index("email_verified")?).is_some_and(|value| truthy(&value)),
        numeric_id,
    })
}

/// A column's value as text, from whichever type the database sent.
fn text(row: &AnyRow, index: usize) -> Option<String> {
    if let Ok(value) = row.try_get::<Option<String>, _>(index) {
        return value;
    }
    if let Ok(value) = row.try_get::<Option<i64>, _>(index) {
        return value.map(|v| v.to_string());
    }
    if let Ok(value) = row.try_get::<Option<i32>, _>(index) {
        return value.map(|v| v.to_string());
    }
    if let Ok(value) = row.try_get::<Option<i16>, _>(index) {
        return value.map(|v| v.to_string());
    }
    if let Ok(value) = row.try_get::<Option<bool>, _>(index) {
        return value.map(|v| v.to_string());
    }
    if let Ok(value) = row.try_get::<Option<Vec<u8>>, _>(index) {
        return value.and_then(|bytes| String::from_utf8(bytes).ok());
    }
    None
}
