//! Application: wires settings, storage, mail and the HTTP server together.
use std::net::TcpListener;
use std::path::Path;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_web::cookie::{Key, SameSite, time::Duration};
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer};
use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use lettre::message::Mailbox;
use secrecy::ExposeSecret;
use tracing_actix_web::TracingLogger;
use url::Url;

use crate::auth::Passwords;
use crate::auth::csrf::{self, CsrfConfig};
use crate::auth::session_store::DbSessionStore;
use crate::config::Settings;
use crate::email::MailQueue;
use crate::email::transport::Transport;
use crate::email::worker::MailWorker;
use crate::services::operator;
use crate::state::{AppState, Links};
use crate::store::Store;
use crate::telemetry::RequestSpan;
use crate::web::{self, error_pages, notice, security_headers};

pub struct Application {
    store: Store,
    port: u16,
    public_url: Url,
    operator_setup_link: Option<String>,
    server: Server,
}

impl Application {
    /// Connects and migrates the database, starts the mail worker and binds the listener
    /// (port 0 picks a free port, as tests do). Serving starts with `run_until_stopped`.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = Store::connect(&settings).await?;
        let key = cookie_key(&settings)?;
        let listener = TcpListener::bind(&settings.listen)
            .with_context(|| format!("cannot listen on {}", settings.listen))?;
        let address = listener.local_addr()?;
        let public_url = match &settings.public_url {
            Some(url) => url.clone(),
            None => Url::parse(&format!("http://{address}"))?,
        };
        let https = public_url.scheme() == "https";

        let mail = MailQueue::default();
        let transport = Transport::new(settings.smtp_url.as_ref(), settings.mail_dir())?;
        let from: Mailbox = settings.mail_from.parse().with_context(|| {
            format!(
                "USHER_MAIL_FROM is not a valid address: {}",
                settings.mail_from
            )
        })?;
        let state = AppState {
            store: store.clone(),
            passwords: Passwords::for_this_machine()?,
            mail: mail.clone(),
            links: Links::new(public_url.clone()),
            auth_rate_limit: settings.auth_rate_limit,
            dev_mail: settings.smtp_url.is_none(),
            trusted_proxies: settings.trusted_proxies.clone(),
        };
        tokio::spawn(
            MailWorker {
                store: store.clone(),
                transport,
                from,
                queue: mail,
            }
            .run(),
        );
        let operator_setup_link = operator::setup_link(&state).await?;

        let server = serve(listener, state, key, https)?;
        Ok(Self {
            store,
            port: address.port(),
            public_url,
            operator_setup_link,
            server,
        })
    }

    /// The database handle the application uses (tests inspect and break it).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn public_url(&self) -> &Url {
        &self.public_url
    }

    /// The one-time link that creates the first platform operator, while there is none.
    pub fn operator_setup_link(&self) -> Option<&str> {
        self.operator_setup_link.as_deref()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

fn serve(listener: TcpListener, state: AppState, key: Key, https: bool) -> anyhow::Result<Server> {
    // Under https the cookies get the `__Host-` prefix: Secure, host-only, path `/`.
    let (session_cookie, csrf_cookie) = if https {
        ("__Host-usher_session", "__Host-usher_csrf")
    } else {
        ("usher_session", "usher_csrf")
    };
    let csrf_config = actix_web::web::Data::new(CsrfConfig {
        cookie_name: csrf_cookie,
        secure: https,
    });
    let state = actix_web::web::Data::new(state);
    let server = HttpServer::new(move || {
        let sessions =
            SessionMiddleware::builder(DbSessionStore::new(state.store.clone()), key.clone())
                .cookie_name(session_cookie.to_owned())
                .cookie_secure(https)
                .cookie_http_only(true)
                .cookie_same_site(SameSite::Lax)
                .cookie_path("/".to_owned())
                .cookie_content_security(CookieContentSecurity::Private)
                .session_lifecycle(BrowserSession::default().state_ttl(Duration::hours(12)))
                .build();
        // Listed innermost first: the request passes tracing, headers, error pages, session,
        // CSRF and notices, in that order, before reaching a handler.
        App::new()
            .wrap(from_fn(notice::clear_after_display))
            .wrap(from_fn(csrf::middleware))
            .wrap(sessions)
            .wrap(error_pages::middleware())
            .wrap(security_headers::middleware(https))
            .wrap(TracingLogger::<RequestSpan>::new())
            .app_data(state.clone())
            .app_data(csrf_config.clone())
            .configure(web::configure)
            .default_service(actix_web::web::to(web::not_found))
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// The key that signs and encrypts cookies: from USHER_SECRET_KEY, or generated once into
/// the data dir so that restarts keep sessions valid.
fn cookie_key(settings: &Settings) -> anyhow::Result<Key> {
    let material = match &settings.secret_key {
        Some(secret) => secret.expose_secret().as_bytes().to_vec(),
        None => load_or_create_secret(&settings.data_dir.join("secret.key"))?,
    };
    if material.len() < 32 {
        bail!("USHER_SECRET_KEY must be at least 32 characters long");
    }
    Ok(Key::derive_from(&material))
}

fn load_or_create_secret(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        return STANDARD
            .decode(existing.trim())
            .with_context(|| format!("{} is not valid base64", path.display()));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let secret: [u8; 64] = rand::random();
    write_private(path, STANDARD.encode(secret).as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(secret.to_vec())
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents)
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, contents)
}
