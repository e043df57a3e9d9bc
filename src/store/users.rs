//! Users: one row per account, unique on (connection, normalized email).
use sqlx::{Any, Executor, FromRow};

use super::now;
use crate::domain::{ConnectionId, DisplayName, Email, OrganizationId, User, UserId, UserSummary};

/// The columns a `UserRow` is read from, as a literal for `concat!`.
macro_rules! user_columns {
    () => {
        "id, connection_id, email, name, password_hash, email_verified_at, operator_since, blocked_at"
    };
}

#[derive(FromRow)]
struct UserRow {
    id: String,
    connection_id: String,
    email: String,
    name: String,
    password_hash: Option<String>,
    email_verified_at: Option<i64>,
    operator_since: Option<i64>,
    blocked_at: Option<i64>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            id: UserId::from_stored(row.id),
            connection_id: ConnectionId::from_stored(row.connection_id),
            email: Email::from_stored(row.email),
            name: DisplayName::from_stored(row.name),
            password_hash: row.password_hash,
            email_verified: row.email_verified_at.is_some(),
            is_operator: row.operator_since.is_some(),
            blocked: row.blocked_at.is_some(),
        }
    }
}

/// What creating a user needs.
pub struct UserInsertForm<'a> {
    pub connection_id: &'a ConnectionId,
    pub email: &'a Email,
    pub name: &'a DisplayName,
    /// `None` for a person who signs in through their company's identity provider only.
    pub password_hash: Option<&'a str>,
    pub email_verified: bool,
    pub operator: bool,
}

pub async fn insert<'c, E>(db: E, form: UserInsertForm<'_>) -> Result<User, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let now = now();
    let stamp = |on: bool| on.then_some(now);
    sqlx::query_as::<_, UserRow>(concat!(
        "INSERT INTO users (id, connection_id, email, name, password_hash, email_verified_at,
                            operator_since, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
         RETURNING ",
        user_columns!()
    ))
    .bind(UserId::new().as_str().to_owned())
    .bind(form.connection_id.as_str().to_owned())
    .bind(form.email.as_str().to_owned())
    .bind(form.name.as_str().to_owned())
    .bind(form.password_hash.map(str::to_owned))
    .bind(stamp(form.email_verified))
    .bind(stamp(form.operator))
    .bind(now)
    .fetch_one(db)
    .await
    .map(User::from)
}

pub async fn find_by_id<'c, E>(db: E, id: &UserId) -> Result<Option<User>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, UserRow>(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE id = $1"
    ))
    .bind(id.as_str().to_owned())
    .fetch_optional(db)
    .await
    .map(|row| row.map(User::from))
}

pub async fn find_by_email<'c, E>(
    db: E,
    connection_id: &ConnectionId,
    email: &Email,
) -> Result<Option<User>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, UserRow>(concat!(
        "SELECT ",
        user_columns!(),
        " FROM users WHERE connection_id = $1 AND email = $2"
    ))
    .bind(connection_id.as_str().to_owned())
    .bind(email.as_str().to_owned())
    .fetch_optional(db)
    .await
    .map(|row| row.map(User::from))
}

/// Rows a multi-row insert takes at most: within SQLite's and PostgreSQL's bound-parameter
/// limits at eight parameters a row (see `Store::insert_batch` for the size to use).
pub const MAX_INSERT_BATCH: usize = 4000;

/// Creates many users in one statement (at most `MAX_INSERT_BATCH`), for a bulk import: the users
/// created; an email the connection has already (or that comes twice) is left out.
pub async fn insert_many_unless_taken<'c, E>(
    db: E,
    forms: &[UserInsertForm<'_>],
) -> Result<Vec<User>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    if forms.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = String::from(
        "INSERT INTO users (id, connection_id, email, name, password_hash, email_verified_at,
                            operator_since, created_at, updated_at) VALUES ",
    );
    for i in 0..forms.len() {
        let n = i * 8;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
            n + 1,
            n + 2,
            n + 3,
            n + 4,
            n + 5,
            n + 6,
            n + 7,
            n + 8,
            n + 8
        ));
    }
    sql.push_str(concat!(
        " ON CONFLICT (connection_id, email) DO NOTHING RETURNING ",
        user_columns!()
    ));
    let now = now();
    let stamp = |on: bool| on.then_some(now);
    // The text is built from placeholders only; every value is bound.
    let mut query = sqlx::query_as::<_, UserRow>(sqlx::AssertSqlSafe(sql));
    for form in forms {
        query = query
            .bind(UserId::new().as_str().to_owned())
            .bind(form.connection_id.as_str().to_owned())
            .bind(form.email.as_str().to_owned())
            .bind(form.name.as_str().to_owned())
            .bind(form.password_hash.map(str::to_owned))
            .bind(stamp(form.email_verified))
            .bind(stamp(form.operator))
            .bind(now);
    }
    Ok(query
        .fetch_all(db)
        .await?
        .into_iter()
        .map(User::from)
        .collect())
}

/// Renames the user, and the name key of their memberships with it (one statement each;
/// callers run both in a transaction).
pub async fn update_name(
    tx: &mut super::Tx,
    id: &UserId,
    name: &DisplayName,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET name = $1, updated_at = $2 WHERE id = $3")
        .bind(name.as_str().to_owned())
        .bind(now())
        .bind(id.as_str().to_owned())
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE memberships SET name_key = $1 WHERE user_id = $2")
        .bind(name.search_key())
        .bind(id.as_str().to_owned())
        .execute(&mut **tx)
        .await
        .map(drop)
}

pub async fn update_password_hash<'c, E>(db: E, id: &UserId, hash: &str) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(hash.to_owned())
        .bind(now())
        .bind(id.as_str().to_owned())
        .execute(db)
        .await
        .map(drop)
}

/// Marks the email verified; keeps the first verification time if it was already set.
pub async fn mark_email_verified<'c, E>(db: E, id: &UserId) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1), updated_at = $1
         WHERE id = $2",
    )
    .bind(now())
    .bind(id.as_str().to_owned())
    .execute(db)
    .await
    .map(drop)
}

pub async fn operator_exists<'c, E>(db: E) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let count: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE operator_since IS NOT NULL")
            .fetch_one(db)
            .await?;
    Ok(count > 0)
}

/// The organization the user chose last, offered first by the picker.
pub async fn last_organization<'c, E>(db: E, id: &UserId) -> Result<Option<String>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let last: Option<Option<String>> =
        sqlx::query_scalar("SELECT last_organization_id FROM users WHERE id = $1")
            .bind(id.as_str().to_owned())
            .fetch_optional(db)
            .await?;
    Ok(last.flatten())
}

pub async fn set_last_organization<'c, E>(
    db: E,
    id: &UserId,
    org: &OrganizationId,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("UPDATE users SET last_organization_id = $1 WHERE id = $2")
        .bind(org.as_str().to_owned())
        .bind(id.as_str().to_owned())
        .execute(db)
        .await
        .map(drop)
}

/// Forgets the user's last choice when it was `org` (they left it, or were removed).
pub async fn clear_last_organization<'c, E>(
    db: E,
    id: &UserId,
    org: &OrganizationId,
) -> Result<(), sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query(
        "UPDATE users SET last_organization_id = NULL WHERE id = $1 AND last_organization_id = $2",
    )
    .bind(id.as_str().to_owned())
    .bind(org.as_str().to_owned())
    .execute(db)
    .await
    .map(drop)
}

#[derive(FromRow)]
struct UserListRow {
    id: String,
    email: String,
    name: String,
    connection_name: String,
    email_verified_at: Option<i64>,
    blocked_at: Option<i64>,
    created_at: i64,
}

impl From<UserListRow> for UserSummary {
    fn from(row: UserListRow) -> Self {
        Self {
            id: UserId::from_stored(row.id),
            email: Email::from_stored(row.email),
            name: DisplayName::from_stored(row.name),
            connection_name: row.connection_name,
            email_verified: row.email_verified_at.is_some(),
            blocked: row.blocked_at.is_some(),
            created_at: row.created_at,
        }
    }
}

/// Blocks the user (`blocked` true) or lets them back in; false when nothing changed (no
/// such user, or already so).
pub async fn set_blocked<'c, E>(db: E, id: &UserId, blocked: bool) -> Result<bool, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    let done = if blocked {
        sqlx::query("UPDATE users SET blocked_at = $2 WHERE id = $1 AND blocked_at IS NULL")
            .bind(id.as_str().to_owned())
            .bind(now())
            .execute(db)
            .await?
    } else {
        sqlx::query("UPDATE users SET blocked_at = NULL WHERE id = $1 AND blocked_at IS NOT NULL")
            .bind(id.as_str().to_owned())
            .execute(db)
            .await?
    };
    Ok(done.rows_affected() == 1)
}

/// Users across the deployment, newest first, before the given id (ids are time-ordered).
pub async fn list_page<'c, E>(
    db: E,
    before: Option<&str>,
    limit: i64,
) -> Result<Vec<UserSummary>, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query_as::<_, UserListRow>(
        "SELECT u.id, u.email, u.name, c.name AS connection_name, u.email_verified_at,
                u.blocked_at, u.created_at
         FROM users u JOIN connections c ON c.id = u.connection_id
         WHERE ($1 = '' OR u.id < $1)
         ORDER BY u.id DESC
         LIMIT $2",
    )
    .bind(before.unwrap_or_default().to_owned())
    .bind(limit)
    .fetch_all(db)
    .await
    .map(|rows| rows.into_iter().map(UserSummary::from).collect())
}

/// Deletes the accounts of a connection that is going away (their memberships with them).
pub async fn delete_for_connection<'c, E>(
    db: E,
    connection: &ConnectionId,
) -> Result<u64, sqlx::Error>
where
    E: Executor<'c, Database = Any>,
{
    sqlx::query("DELETE FROM users WHERE connection_id = $1")
        .bind(connection.as_str().to_owned())
        .execute(db)
        .await
        .map(|done| done.rows_affected())
}

/// Follows the identity provider: the name and email it sends now.
pub async fn update_profile(
    tx: &mut super::Tx,
    id: &UserId,
    email: &Email,
    name: &DisplayName,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET email = $1, updated_at = $2 WHERE id = $3")
        .bind(email.as_str().to_owned())
        .bind(now())
        .bind(id.as_str().to_owned())
        .execute(&mut **tx)
        .await?;
    sqlx::query("UPDATE memberships SET email = $1 WHERE user_id = $2")
        .bind(email.as_str().to_owned())
        .bind(id.as_str().to_owned())
        .execute(&mut **tx)
        .await?;
    update_name(tx, id, name).await
}
