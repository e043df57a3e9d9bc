//! The only module with SQL. One SQL text serves SQLite and PostgreSQL through `sqlx::Any`
//! (`$n` placeholders, `RETURNING`, `ON CONFLICT`); ids are TEXT, times BIGINT Unix seconds.
//!
//! Functions take any executor, so a service can run them on the pool or inside its own
//! transaction: `users::find_by_email(store.pool(), …)` or `users::insert(&mut *tx, …)`.
pub mod account_failures;
pub mod application_sign_ins;
pub mod applications;
pub mod audit;
pub mod authorization_codes;
pub mod authorization_requests;
pub mod connections;
pub mod domains;
pub mod email_tokens;
pub mod external_identities;
pub mod imports;
pub mod invitations;
pub mod jobs;
pub mod known_browsers;
pub mod legacy_connections;
pub mod logos;
pub mod memberships;
pub mod oidc_connections;
pub mod organizations;
pub mod outbox;
pub mod overview;
pub mod rate_limits;
pub mod refresh_tokens;
pub mod session_store;
pub mod sessions;
pub mod sign_in_failures;
pub mod signing_keys;
pub mod signups;
pub mod sso_flows;
pub mod sso_sign_ins;
pub mod users;

use std::time::Duration;

use anyhow::{Context, bail};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{Any, AnyPool, Executor, Transaction};

use crate::config::Settings;
use crate::private_files;

/// Which database engine the pool talks to, chosen from the URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            bail!("DATABASE_URL must start with sqlite:// or postgres://")
        }
    }
}

/// A handle to the database: a connection pool and the backend it speaks.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

pub type Tx = Transaction<'static, Any>;

impl Store {
    /// Connects and applies pending migrations.
    pub async fn connect(settings: &Settings) -> anyhow::Result<Self> {
        install_default_drivers();
        let url = settings.database_url();
        let backend = Backend::from_url(&url)?;
        if backend == Backend::Sqlite {
            prepare_sqlite_file(&settings.data_dir, &url)?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers run beside the one writer; the busy timeout makes
                        // writers queue instead of failing; foreign keys are off by default.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .context("cannot connect to the database")?;
        let store = Self { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> anyhow::Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.pool).await,
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.pool)
                    .await
            }
        }
        .context("cannot apply database migrations")
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// How many rows a multi-row insert should carry. Binding a statement's parameters costs
    /// SQLite (through sqlx, which looks each one up by name) time that grows with the square
    /// of their number, so its statements stay short; PostgreSQL saves round trips with long
    /// ones (measured with scripts/bench-import.sh).
    pub fn insert_batch(&self) -> usize {
        match self.backend {
            Backend::Sqlite => 50,
            Backend::Postgres => 1000,
        }
    }

    /// Starts a transaction. On SQLite it takes the write lock at once: a deferred transaction
    /// that reads first and writes later fails with "busy" when another writer slipped in
    /// between, which the busy timeout cannot cure.
    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// True when the database answers a trivial query.
    pub async fn is_ready(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }
}

/// Creates the data directory (0700) and the database file (0600) before SQLite opens it, so
/// that its journal files get the same private mode.
fn prepare_sqlite_file(data_dir: &std::path::Path, url: &str) -> anyhow::Result<()> {
    private_files::create_dir(data_dir)
        .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default();
    if path.is_empty() || path.starts_with(':') {
        return Ok(());
    }
    let path = std::path::Path::new(path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        private_files::create_dir(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
    }
    private_files::touch(path).with_context(|| format!("cannot create {}", path.display()))?;
    // Journals left by an earlier version may be readable by others.
    for journal in ["-wal", "-shm"] {
        let journal = std::path::PathBuf::from(format!("{}{journal}", path.display()));
        if journal.exists() {
            private_files::restrict(&journal)?;
        }
    }
    Ok(())
}

/// Current time as Unix seconds, the unit of every time column.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The error for a stored value this version does not know (a role, a mode, a kind): rows are
/// read into enums, and an unknown value is an error, never a silent default.
pub fn unknown_value(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unknown {column} {value:?} in the database").into())
}

/// True when the error is a unique-constraint violation (a lost race on insert).
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}
