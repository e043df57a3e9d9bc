//! `spawn_app` and the `TestApp` driver: one method per thing a browser does.
#![allow(dead_code)]

mod actions;
mod browser;
mod db;
mod dns;
pub mod idp;
pub mod legacy;
mod mail;
pub mod oidc;
pub mod receiver;

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::{Client, Response};
use usher::config::Settings;
use usher::startup::Application;
use usher::store::Store;

pub use browser::{browser, csrf_in, location, pager_href, set_cookie, token_in};
pub use db::{TestDb, on_postgres};
pub use dns::DnsServer;
pub use mail::{parse_eml, read_mail_dir};

pub const PASSWORD: &str = "correct horse battery staple";
pub const NEW_PASSWORD: &str = "purple elephant saxophone morning";

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub data_dir: std::sync::Arc<tempfile::TempDir>,
    pub store: Store,
    pub operator_setup_link: Option<String>,
    pub client: Client,
    db: std::sync::Arc<TestDb>,
}

/// The secret key of every test app.
pub const TEST_SECRET_KEY: &str = "test secret key: at least thirty-two bytes long";

/// What seals and opens the secrets a test app keeps in its database.
pub fn test_sealer() -> usher::sealing::Sealer {
    let mut settings = Settings::new(Path::new("."));
    settings.secret_key = Some(TEST_SECRET_KEY.to_owned().into());
    let secret = usher::secret_key::SecretKey::load(&settings).expect("the test secret key");
    usher::sealing::Sealer::new(&secret).expect("a sealer")
}

/// Settings for a test: random port, fresh data dir, no throttling unless a test asks.
pub fn test_settings(data_dir: &Path, db: &TestDb) -> Settings {
    let mut settings = Settings::new(data_dir);
    settings.listen = "127.0.0.1:0".into();
    settings.database_url = db.url.clone();
    settings.secret_key = Some(TEST_SECRET_KEY.to_owned().into());
    settings.auth_rate_limit = 0;
    settings.recipient_mail_limit = usher::config::RecipientMailLimit::OFF;
    settings
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    usher::telemetry::init();
    let db = std::sync::Arc::new(TestDb::create().await);
    spawn_on(db, configure).await
}

/// Starts an instance on an existing test database (scale-out tests run two).
pub async fn spawn_on(
    db: std::sync::Arc<TestDb>,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings = test_settings(data_dir.path(), &db);
    configure(&mut settings);
    let app = Application::build(settings)
        .await
        .expect("application failed to start");
    let port = app.port();
    let store = app.store().clone();
    let operator_setup_link = app.operator_setup_link().map(str::to_owned);
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        data_dir: std::sync::Arc::new(data_dir),
        store,
        operator_setup_link,
        client: browser(),
        db,
    }
}

/// Polls `check` until it returns Some, failing the test after `limit`.
pub async fn eventually<T, F, Fut>(limit: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET failed")
    }

    pub async fn get_html(&self, path: &str) -> String {
        self.get(path).await.text().await.expect("body")
    }

    /// Submits a form the way a browser would, CSRF field included.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Response {
        let token = self.csrf().await;
        let mut body: Vec<(&str, &str)> = fields.to_vec();
        body.push(("csrf_token", &token));
        self.client
            .post(self.url(path))
            .form(&body)
            .send()
            .await
            .expect("POST failed")
    }

    /// Number of rows in a table (to prove that a refused request wrote nothing).
    pub async fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(self.store.pool())
            .await
            .expect("count")
    }

    /// Runs SQL against the test database, to age tokens and the like.
    pub async fn exec(&self, sql: &str) {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(self.store.pool())
            .await
            .expect("exec");
    }

    /// A second browser on the same app.
    pub fn other_browser(&self) -> TestApp {
        TestApp {
            address: self.address.clone(),
            port: self.port,
            data_dir: self.data_dir.clone(),
            store: self.store.clone(),
            operator_setup_link: None,
            client: browser(),
            db: self.db.clone(),
        }
    }

    /// Runs the `usher` binary with `args` on this app's database and data directory, as an
    /// operator would beside the running server. It runs off the test's runtime, which keeps
    /// serving the app meanwhile: a server task holding SQLite's write lock must be able to
    /// finish while the command waits for it.
    pub async fn run_cli(&self, args: &[&str]) -> std::process::Output {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_usher"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("USHER_DATA_DIR", self.data_dir.path())
            .env("DATABASE_URL", self.db.url.clone().expect("a database URL"))
            .env("USHER_SECRET_KEY", TEST_SECRET_KEY)
            .env("RUST_LOG", "warn")
            .args(args);
        tokio::task::spawn_blocking(move || command.output().expect("the usher binary runs"))
            .await
            .expect("the usher binary ran")
    }

    pub fn db(&self) -> std::sync::Arc<TestDb> {
        self.db.clone()
    }
}
