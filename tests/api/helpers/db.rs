//! A database of its own for each test: a SQLite file, or a PostgreSQL database that is
//! dropped when the test ends.
use sqlx::Connection;

/// Which database the suite runs on, from TEST_DATABASE (`sqlite`, the default, or `postgres`).
pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A database of its own for one test: a SQLite file in a temporary folder, or a PostgreSQL
/// database that is dropped when the test ends.
pub struct TestDb {
    pub url: Option<String>,
    pg_name: Option<String>,
    _sqlite_dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn create() -> Self {
        if !on_postgres() {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!(
                "sqlite://{}?mode=rwc",
                dir.path().join("usher.db").display()
            );
            return Self {
                url: Some(url),
                pg_name: None,
                _sqlite_dir: Some(dir),
            };
        }
        let admin = postgres_admin_url();
        let name = format!("usher_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .expect("cannot reach TEST_POSTGRES_URL");
        // A natural-language collation, as most deployments have: queries must not rely on
        // byte order. Servers built without ICU get their default collation.
        let icu = format!(
            "CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
        );
        if sqlx::query(sqlx::AssertSqlSafe(icu))
            .execute(&mut conn)
            .await
            .is_err()
        {
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut conn)
                .await
                .expect("cannot create a test database");
        }
        let mut url = url::Url::parse(&admin).expect("TEST_POSTGRES_URL is not a URL");
        url.set_path(&name);
        Self {
            url: Some(url.to_string()),
            pg_name: Some(name),
            _sqlite_dir: None,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        let admin = postgres_admin_url();
        // Drop runs inside the test's runtime; a thread of its own may block on a new one.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&mut conn)
                        .await;
                }
            });
        })
        .join();
    }
}
