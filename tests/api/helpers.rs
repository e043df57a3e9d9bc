//! `spawn_app` and the `TestApp` driver: one method per thing a browser does.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::{Client, Response, StatusCode, redirect};
use sqlx::Connection;
use usher::config::Settings;
use usher::startup::Application;
use usher::store::Store;

pub const PASSWORD: &str = "correct horse battery staple";
pub const NEW_PASSWORD: &str = "purple elephant saxophone morning";

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

pub struct TestApp {
    pub address: String,
    pub port: u16,
    pub data_dir: std::sync::Arc<tempfile::TempDir>,
    pub store: Store,
    pub operator_setup_link: Option<String>,
    pub client: Client,
    db: std::sync::Arc<TestDb>,
}

/// Settings for a test: random port, fresh data dir, no throttling unless a test asks.
pub fn test_settings(data_dir: &Path, db: &TestDb) -> Settings {
    let mut settings = Settings::new(data_dir);
    settings.listen = "127.0.0.1:0".into();
    settings.database_url = db.url.clone();
    settings.secret_key = Some(
        "test secret key: at least thirty-two bytes long"
            .to_owned()
            .into(),
    );
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

/// A client that behaves like one browser: it keeps cookies and does not follow redirects,
/// so tests can see each one.
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(redirect::Policy::none())
        .build()
        .expect("client")
}

/// The value of `name="csrf_token"` in a page.
pub fn csrf_in(html: &str) -> String {
    hidden_field(html, "csrf_token").expect("page has no CSRF field")
}

pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

pub fn location(res: &Response) -> String {
    res.headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The `name=value` part of the response's Set-Cookie for `name`.
pub fn set_cookie(res: &Response, name: &str) -> Option<String> {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// The `token` parameter of a link.
pub fn token_in(link: &str) -> String {
    link.split("token=")
        .nth(1)
        .expect("no token in the link")
        .to_owned()
}

/// An email as read back from the outbox folder.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
}

impl Mail {
    /// The first link in the text part that goes to `path`.
    pub fn link_to(&self, path: &str) -> String {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(path))
            .unwrap_or_else(|| panic!("no link to {path} in {:?}", self.text))
            .to_owned()
    }
}

/// Parses an RFC 5322 message as Usher writes it (multipart/alternative, quoted-printable).
pub fn parse_eml(raw: &str) -> Mail {
    let raw = raw.replace("\r\n", "\n");
    let header = |name: &str| {
        raw.lines()
            .find(|l| {
                l.to_lowercase()
                    .starts_with(&format!("{}: ", name.to_lowercase()))
            })
            .map(|l| l[name.len() + 2..].trim().to_owned())
            .unwrap_or_default()
    };
    // Parts end at the MIME boundary line; a body line may well start with "--" itself.
    let boundary = raw
        .split("boundary=\"")
        .nth(1)
        .and_then(|b| b.split('"').next())
        .expect("no MIME boundary");
    let text_start = raw.find("Content-Type: text/plain").expect("no text part");
    let body_start = raw[text_start..].find("\n\n").expect("no body") + text_start + 2;
    let body_end = raw[body_start..]
        .find(&format!("\n--{boundary}"))
        .map_or(raw.len(), |i| i + body_start);
    Mail {
        to: header("To"),
        subject: header("Subject"),
        text: decode_quoted_printable(&raw[body_start..body_end]),
    }
}

fn decode_quoted_printable(s: &str) -> String {
    let joined = s.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'=' && i + 2 < bytes.len())
            .then(|| u8::from_str_radix(&joined[i + 1..i + 3], 16).ok())
            .flatten();
        if let Some(b) = escaped {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
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

pub fn read_mail_dir(dir: &Path) -> Vec<Mail> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "eml"));
    files.sort();
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|raw| parse_eml(&raw))
        .collect()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn mail_dir(&self) -> PathBuf {
        self.data_dir.path().join("mail")
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

    /// The CSRF token this browser's forms carry.
    pub async fn csrf(&self) -> String {
        csrf_in(&self.get_html("/forgot-password").await)
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

    /// Signs up and waits for the email it sends, so that the newest mail is that one.
    pub async fn sign_up(&self, name: &str, email: &str, password: &str) -> Response {
        let seen = self.mails_to(&email.trim().to_lowercase()).len();
        let fields = [("name", name), ("email", email), ("password", password)];
        let res = self.post("/signup", &fields).await;
        if res.status() == StatusCode::OK {
            self.await_mail(email, seen).await;
        }
        res
    }

    /// Every email sent to `to` so far, oldest first.
    pub fn mails_to(&self, to: &str) -> Vec<Mail> {
        read_mail_dir(&self.mail_dir())
            .into_iter()
            .filter(|m| m.to == to)
            .collect()
    }

    /// Waits for the `n`th (1-based) email to `to`.
    pub async fn nth_mail_to(&self, to: &str, n: usize) -> Mail {
        eventually(
            Duration::from_secs(10),
            &format!("email #{n} to {to}"),
            || async { self.mails_to(to).get(n - 1).cloned() },
        )
        .await
    }

    pub async fn last_mail_with_subject(&self, to: &str, subject: &str) -> Mail {
        eventually(
            Duration::from_secs(10),
            &format!("'{subject}' to {to}"),
            || async {
                self.mails_to(to)
                    .into_iter()
                    .rev()
                    .find(|m| m.subject.contains(subject))
            },
        )
        .await
    }

    /// Opens a link from an email and presses its confirm button.
    pub async fn follow_verification(&self, link: &str) -> Response {
        let token = link.split("token=").nth(1).expect("token in link");
        let page = self.client.get(link).send().await.expect("GET link");
        assert_eq!(
            page.status(),
            StatusCode::OK,
            "verification page did not open"
        );
        self.post("/verify-email", &[("token", token)]).await
    }

    /// Opens a verification link and presses its button; the status of whatever answers
    /// (the page of a dead link is 410 at either step).
    pub async fn follow_verification_status(&self, link: &str) -> StatusCode {
        let page = self.client.get(link).send().await.expect("GET link");
        if page.status() != StatusCode::OK {
            return page.status();
        }
        self.post("/verify-email", &[("token", &token_in(link))])
            .await
            .status()
    }

    /// Signs up and verifies an account; the browser ends up signed in.
    pub async fn create_verified_user(&self, name: &str, email: &str, password: &str) {
        assert_eq!(
            self.sign_up(name, email, password).await.status(),
            StatusCode::OK
        );
        let mail = self
            .last_mail_with_subject(email, "Verify your email")
            .await;
        let res = self
            .follow_verification(&mail.link_to("/verify-email"))
            .await;
        assert_eq!(location(&res), "/account");
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Response {
        self.post("/login", &[("email", email)]).await;
        self.post(
            "/login/password",
            &[("email", email), ("password", password)],
        )
        .await
    }

    pub async fn sign_out(&self) -> Response {
        self.post("/logout", &[]).await
    }

    /// True when this browser's session reaches the account page.
    pub async fn is_signed_in(&self) -> bool {
        self.get("/account").await.status() == StatusCode::OK
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

    pub fn db(&self) -> std::sync::Arc<TestDb> {
        self.db.clone()
    }

    /// Sends a request with exactly this Cookie header and no cookie jar.
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> Response {
        Client::builder()
            .redirect(redirect::Policy::none())
            .build()
            .expect("client")
            .get(self.url(path))
            .header(COOKIE, cookie)
            .send()
            .await
            .expect("GET failed")
    }
}

impl TestApp {
    /// Creates the first operator through the setup link; this browser is then signed in as it.
    pub async fn become_operator(&self) {
        let link = self.operator_setup_link.clone().expect("setup link");
        let token = link.split("token=").nth(1).unwrap().to_owned();
        let fields = [
            ("token", token.as_str()),
            ("name", "Olga Operator"),
            ("email", "olga@example.com"),
            ("password", PASSWORD),
        ];
        let res = self.post("/setup/operator", &fields).await;
        assert_eq!(location(&res), "/admin", "operator setup failed");
    }

    /// The operator creates an organization (this browser must be the operator's).
    pub async fn create_org(
        &self,
        name: &str,
        slug: &str,
        mode: &str,
        self_signup: bool,
    ) -> Response {
        let mut fields = vec![("name", name), ("slug", slug), ("mode", mode)];
        if self_signup {
            fields.push(("self_signup", "on"));
        }
        self.post("/admin/orgs/new", &fields).await
    }

    /// The operator invites `email` as owner of the organization.
    /// Waits until the invitation email has arrived, so that the newest mail is this one.
    pub async fn invite_owner(&self, slug: &str, email: &str) -> Response {
        let seen = self.mails_to(&email.trim().to_lowercase()).len();
        let res = self
            .post(&format!("/admin/orgs/{slug}/invite"), &[("email", email)])
            .await;
        if res.status() == StatusCode::SEE_OTHER {
            self.next_mail_to(email, seen).await;
        }
        res
    }

    /// With the dev outbox, waits for the email a form just queued for `typed` (as typed).
    async fn await_mail(&self, typed: &str, seen: usize) {
        if self.mail_dir().exists() {
            self.next_mail_to(&typed.trim().to_lowercase(), seen).await;
        }
    }

    /// Waits for one more email to `to` than `seen`, and returns it.
    pub async fn next_mail_to(&self, to: &str, seen: usize) -> Mail {
        self.nth_mail_to(to, seen + 1).await
    }

    /// Accepts the newest invitation mailed to `email` by creating an account.
    pub async fn accept_invitation_as_new(
        &self,
        email: &str,
        name: &str,
        password: &str,
    ) -> Response {
        let mail = self.last_mail_with_subject(email, "invited").await;
        let link = mail.link_to("/invitations/");
        let path = link.replace(&self.address, "");
        assert_eq!(self.get(&path).await.status(), StatusCode::OK);
        self.post(&path, &[("name", name), ("password", password)])
            .await
    }

    /// Asks for a reset link at `forgot_path` and returns the token of the email that arrives.
    pub async fn reset_token_via(&self, forgot_path: &str, email: &str) -> String {
        let seen = self.mails_to(email).len();
        let res = self.post(forgot_path, &[("email", email)]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let mail = self.next_mail_to(email, seen).await;
        assert!(
            mail.subject.contains("Reset your password"),
            "{}",
            mail.subject
        );
        token_in(&mail.link_to("/reset-password"))
    }

    pub async fn reset_token(&self, email: &str) -> String {
        self.reset_token_via("/forgot-password", email).await
    }

    /// Signs in on an organization's own sign-in page.
    pub async fn sign_in_at(&self, slug: &str, email: &str, password: &str) -> Response {
        self.post(&format!("/o/{slug}/login"), &[("email", email)])
            .await;
        self.post(
            &format!("/o/{slug}/login/password"),
            &[("email", email), ("password", password)],
        )
        .await
    }

    /// Signs up on an organization's own sign-up page.
    pub async fn sign_up_at(
        &self,
        slug: &str,
        name: &str,
        email: &str,
        password: &str,
    ) -> Response {
        let seen = self.mails_to(&email.trim().to_lowercase()).len();
        let fields = [("name", name), ("email", email), ("password", password)];
        let res = self.post(&format!("/o/{slug}/signup"), &fields).await;
        if res.status() == StatusCode::OK {
            self.await_mail(email, seen).await;
        }
        res
    }
}
