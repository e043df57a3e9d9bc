//! Legacy stores for the migration tests: a real SQLite, PostgreSQL or MariaDB database with
//! a `users` table as an older application would have it, and a small HTTP sign-in endpoint.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, AssertSqlSafe, Connection};

/// `PASSWORD` as Python's bcrypt 5.0.0 hashed it.
pub const BCRYPT: &str = "$2b$04$a4LXzhauaCjwwSemNYAYvOuWSBIhYLueIiNXwqOoZgDLuCc0D9rvK";

/// Where MariaDB is, from TEST_MARIADB_URL (the machines' MariaDB by default).
fn mariadb_url() -> String {
    std::env::var("TEST_MARIADB_URL").unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".into())
}

fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub enum Kind {
    Sqlite,
    Postgres,
    Mariadb,
}

/// A legacy database of its own for one test, dropped at the end.
pub struct LegacyDb {
    pub kind: Kind,
    /// The URL the operator types into Usher.
    pub url: String,
    pool: AnyPool,
    /// The database to drop afterwards, and where to drop it from.
    drop: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

impl LegacyDb {
    pub async fn sqlite() -> Self {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("legacy.db");
        let url = format!("sqlite://{}?mode=rwc", path.display());
        let pool = pool(&url).await;
        Self::with_table(Kind::Sqlite, url, pool, None, Some(dir)).await
    }

    /// A database on the PostgreSQL server; its URL carries a password (the server trusts
    /// any), so that the tests can look for it where it must never appear.
    pub async fn postgres(password: &str) -> Self {
        sqlx::any::install_default_drivers();
        let admin = postgres_admin_url();
        let name = format!("legacy_{}", uuid::Uuid::now_v7().simple());
        let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
        let mut url = url::Url::parse(&admin).unwrap();
        url.set_path(&name);
        url.set_password(Some(password)).unwrap();
        let url = url.to_string();
        let pool = pool(&url).await;
        Self::with_table(Kind::Postgres, url, pool, Some((admin, name)), None).await
    }

    /// A database on the MariaDB server; `None` (said loudly) when there is no MariaDB on a
    /// developer's machine. Under CI a missing MariaDB fails the test.
    pub async fn mariadb() -> Option<Self> {
        sqlx::any::install_default_drivers();
        let admin = mariadb_url();
        let mut conn = match sqlx::MySqlConnection::connect(&admin).await {
            Ok(conn) => conn,
            Err(err) if std::env::var_os("CI").is_none() => {
                eprintln!(
                    "MARIADB NOT REACHABLE at {admin} ({err}): the MariaDB legacy store test did not run"
                );
                return None;
            }
            Err(err) => panic!("MariaDB is required under CI ({admin}): {err}"),
        };
        let name = format!("legacy_{}", uuid::Uuid::now_v7().simple());
        sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .unwrap();
        let mut url = url::Url::parse(&admin).unwrap();
        url.set_path(&name);
        let url = url.to_string();
        let pool = pool(&url).await;
        Some(Self::with_table(Kind::Mariadb, url, pool, Some((admin, name)), None).await)
    }

    async fn with_table(
        kind: Kind,
        url: String,
        pool: AnyPool,
        drop: Option<(String, String)>,
        dir: Option<tempfile::TempDir>,
    ) -> Self {
        let text = match kind {
            Kind::Mariadb => "VARCHAR(255)",
            _ => "TEXT",
        };
        let sql = format!(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email {text} NOT NULL, \
             password_hash {text}, name {text}, email_verified INTEGER NOT NULL)"
        );
        sqlx::query(AssertSqlSafe(sql))
            .execute(&pool)
            .await
            .unwrap();
        Self {
            kind,
            url,
            pool,
            drop,
            _dir: dir,
        }
    }

    fn placeholders(&self, n: usize) -> Vec<String> {
        (1..=n)
            .map(|i| match self.kind {
                Kind::Mariadb => "?".to_owned(),
                _ => format!("${i}"),
            })
            .collect()
    }

    /// The lookup query in this database's placeholder syntax.
    pub fn lookup_query(&self) -> String {
        let p = self.placeholders(1);
        format!(
            "SELECT id, email, password_hash, name, email_verified FROM users WHERE email = {}",
            p[0]
        )
    }

    /// The keyset-paged all-users query in this database's placeholder syntax.
    pub fn all_users_query(&self) -> String {
        let p = self.placeholders(2);
        format!(
            "SELECT id, email, password_hash, name, email_verified FROM users \
             WHERE id > {} ORDER BY id LIMIT {}",
            p[0], p[1]
        )
    }

    pub async fn add_user(&self, id: i64, email: &str, name: &str, hash: &str) {
        self.add_user_verified(id, email, name, hash, true).await;
    }

    pub async fn add_user_verified(
        &self,
        id: i64,
        email: &str,
        name: &str,
        hash: &str,
        verified: bool,
    ) {
        let p = self.placeholders(5);
        let sql = format!(
            "INSERT INTO users (id, email, password_hash, name, email_verified) \
             VALUES ({}, {}, {}, {}, {})",
            p[0], p[1], p[2], p[3], p[4]
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(id)
            .bind(email.to_owned())
            .bind(hash.to_owned())
            .bind(name.to_owned())
            .bind(i32::from(verified))
            .execute(&self.pool)
            .await
            .unwrap();
    }

    /// Users 1 to `n`, `user{i}@example.com`, all verified, with `hash`, in one transaction.
    pub async fn add_many(&self, n: usize, hash: &str) {
        let mut tx = self.pool.begin().await.unwrap();
        let p = self.placeholders(4);
        let sql = format!(
            "INSERT INTO users (id, email, password_hash, name, email_verified) \
             VALUES ({}, {}, {}, {}, 1)",
            p[0], p[1], p[2], p[3]
        );
        for i in 1..=n {
            sqlx::query(AssertSqlSafe(sql.clone()))
                .bind(i as i64)
                .bind(format!("user{i}@example.com"))
                .bind(hash.to_owned())
                .bind(format!("User {i}"))
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
    }

    pub async fn set_hash(&self, email: &str, hash: &str) {
        let p = self.placeholders(2);
        let sql = format!(
            "UPDATE users SET password_hash = {} WHERE email = {}",
            p[0], p[1]
        );
        sqlx::query(AssertSqlSafe(sql))
            .bind(hash.to_owned())
            .bind(email.to_owned())
            .execute(&self.pool)
            .await
            .unwrap();
    }

    pub async fn remove_user(&self, email: &str) {
        let p = self.placeholders(1);
        let sql = format!("DELETE FROM users WHERE email = {}", p[0]);
        sqlx::query(AssertSqlSafe(sql))
            .bind(email.to_owned())
            .execute(&self.pool)
            .await
            .unwrap();
    }
}

async fn pool(url: &str) -> AnyPool {
    AnyPoolOptions::new()
        .max_connections(2)
        .connect(url)
        .await
        .unwrap_or_else(|err| panic!("cannot open the legacy database: {err}"))
}

impl Drop for LegacyDb {
    fn drop(&mut self) {
        let Some((admin, name)) = self.drop.take() else {
            return;
        };
        let postgres = matches!(self.kind, Kind::Postgres);
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                if postgres {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                        let _ = sqlx::query(AssertSqlSafe(sql)).execute(&mut conn).await;
                    }
                } else if let Ok(mut conn) = sqlx::MySqlConnection::connect(&admin).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name}");
                    let _ = sqlx::query(AssertSqlSafe(sql)).execute(&mut conn).await;
                }
            });
        })
        .join();
    }
}

/// How the HTTP endpoint behaves.
#[derive(Clone, Copy)]
pub enum Behaviour {
    /// Checks the password against `PASSWORD`.
    Answers,
    /// Takes longer to answer than any sign-in waits.
    Hangs,
    /// Answers 500.
    Fails,
    /// Says yes to any password, with a user of this email.
    ClaimsToBe(&'static str),
}

/// A legacy sign-in endpoint on a port of its own: POST {"email","password"} with the bearer
/// token `legacy-token`; it knows one user, `PASSWORD`'s owner at `email`.
pub struct Endpoint {
    pub url: String,
    /// The requests it has received.
    pub calls: Arc<AtomicUsize>,
    server: actix_web::dev::ServerHandle,
}

impl Endpoint {
    pub async fn start(email: &str, behaviour: Behaviour) -> Self {
        use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
        let calls = Arc::new(AtomicUsize::new(0));
        let (email, counted) = (email.to_owned(), calls.clone());
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = HttpServer::new(move || {
            let (email, counted) = (email.clone(), counted.clone());
            App::new().route(
                "/check",
                web::post().to(
                    move |req: HttpRequest, body: web::Json<serde_json::Value>| {
                        let (email, counted) = (email.clone(), counted.clone());
                        async move {
                            counted.fetch_add(1, Ordering::SeqCst);
                            match behaviour {
                                Behaviour::Hangs => {
                                    tokio::time::sleep(Duration::from_secs(30)).await;
                                }
                                Behaviour::Fails => {
                                    return HttpResponse::InternalServerError().finish();
                                }
                                Behaviour::ClaimsToBe(someone) => {
                                    return HttpResponse::Ok().json(serde_json::json!({
                                        "id": "someone", "email": someone,
                                        "email_verified": true,
                                    }));
                                }
                                Behaviour::Answers => {}
                            }
                            let bearer = req
                                .headers()
                                .get("authorization")
                                .and_then(|value| value.to_str().ok());
                            if bearer != Some("Bearer legacy-token") {
                                return HttpResponse::Forbidden().finish();
                            }
                            if body["email"] == email.as_str()
                                && body["password"] == crate::helpers::PASSWORD
                            {
                                HttpResponse::Ok().json(serde_json::json!({
                                    "user_id": 42, "email": email, "name": "Hana Http",
                                    "email_verified": true,
                                }))
                            } else {
                                HttpResponse::Unauthorized().finish()
                            }
                        }
                    },
                ),
            )
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            url: format!("http://127.0.0.1:{port}/check"),
            calls,
            server: handle,
        }
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    pub async fn stop(&self) {
        self.server.stop(false).await;
    }
}
