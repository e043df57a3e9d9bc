//! Application: wires settings, storage, mail and the HTTP server together.
use std::net::TcpListener;

use actix_session::SessionMiddleware;
use actix_session::config::{BrowserSession, CookieContentSecurity};
use actix_web::cookie::{Key, SameSite, time::Duration};
use actix_web::dev::Server;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer};
use anyhow::Context;
use lettre::message::Mailbox;
use tracing_actix_web::TracingLogger;
use url::Url;

use crate::api;
use crate::auth::cookies::CookieConfig;
use crate::auth::csrf;
use crate::auth::session::{SID_KEY, USER_ID_KEY};
use crate::config::Settings;
use crate::credentials::Passwords;
use crate::dns::DnsResolver;
use crate::email::MailQueue;
use crate::email::transport::Transport;
use crate::sealing::Sealer;
use crate::secret_key::SecretKey;
use crate::services::legacy::{self, LegacyStores};
use crate::services::signing_keys::KeyRing;
use crate::services::{operator, signing_keys};
use crate::state::{AppState, Links};
use crate::store::Store;
use crate::store::session_store::DbSessionStore;
use crate::telemetry::RequestSpan;
use crate::web::{self, error_pages, extractors, notice, security_headers};
use crate::worker::Runner;

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
        let secret = SecretKey::load(&settings)?;
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
        let dev_outbox = settings.smtp_url.is_none();
        let dev_outbox_served =
            dev_outbox && address.ip().is_loopback() && is_loopback(&public_url);
        if dev_outbox {
            tracing::warn!(
                folder = %settings.mail_dir().display(),
                "USHER_SMTP_URL is not set: no email leaves this machine. Every message, with its \
                 sign-in and reset links, goes to the dev outbox{}",
                if dev_outbox_served { ", also listed at /dev/mail for this machine only" } else { "" }
            );
        }
        let dns = DnsResolver::new(settings.dns_server)?;
        let http = crate::outbound::client(settings.extra_ca_file.as_deref())?;
        let state = AppState {
            store: store.clone(),
            passwords: Passwords::for_this_machine()?,
            mail: mail.clone(),
            links: Links::new(public_url.clone()),
            auth_rate_limit: settings.auth_rate_limit,
            recipient_mail_limit: settings.recipient_mail_limit,
            password_rules: settings.password_rules,
            dev_outbox: dev_outbox_served,
            trusted_proxies: settings
                .trusted_proxies
                .iter()
                .map(|ip| ip.to_canonical())
                .collect(),
            dns: dns.clone(),
            sealer: Sealer::new(&secret)?,
            keys: KeyRing::default(),
            http: http.clone(),
            legacy: LegacyStores::new(crate::outbound::client_with_timeouts(
                settings.extra_ca_file.as_deref(),
                legacy::http::CONNECT_TIMEOUT,
                legacy::http::READ_TIMEOUT,
            )?),
            imports_dir: settings.data_dir.join("imports"),
        };
        // The first signing key, made off the request path (an RSA key takes a moment).
        let (keys_store, sealer) = (store.clone(), state.sealer.clone());
        tokio::spawn(async move {
            if let Err(err) = signing_keys::ensure_first(&keys_store, &sealer).await {
                tracing::error!(error = %err, "cannot make the first token signing key");
            }
        });
        tokio::spawn(
            Runner {
                store: store.clone(),
                transport,
                from,
                queue: mail,
                dns,
                sealer: state.sealer.clone(),
                issuer: state.links.issuer(),
                http,
                legacy: state.legacy.clone(),
            }
            .run(),
        );
        let operator_setup_link = operator::setup_link(&state).await?;

        let cookies = CookieConfig {
            secure: https,
            csrf_name: if https {
                "__Host-usher_csrf"
            } else {
                "usher_csrf"
            },
            browser_name: if https {
                "__Host-usher_browser"
            } else {
                "usher_browser"
            },
            sso_name: if https {
                "__Host-usher_sso"
            } else {
                "usher_sso"
            },
            csrf_key: secret.derive("usher csrf token v1")?,
            public_origin: public_url.origin().ascii_serialization(),
        };
        let server = serve(listener, state, secret.cookie_key(), cookies)?;
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

fn serve(
    listener: TcpListener,
    state: AppState,
    key: Key,
    cookies: CookieConfig,
) -> anyhow::Result<Server> {
    let https = cookies.secure;
    // Under https the cookies get the `__Host-` prefix: Secure, host-only, path `/`.
    let session_cookie = if https {
        "__Host-usher_session"
    } else {
        "usher_session"
    };
    let cookies = actix_web::web::Data::new(cookies);
    let state = actix_web::web::Data::new(state);
    let server = HttpServer::new(move || {
        let sessions = SessionMiddleware::builder(
            DbSessionStore::new(state.store.clone(), USER_ID_KEY, SID_KEY),
            key.clone(),
        )
        .cookie_name(session_cookie.to_owned())
        .cookie_secure(https)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_path("/".to_owned())
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(BrowserSession::default().state_ttl(Duration::hours(12)))
        .build();
        // Two faces over one core. The JSON face has no session and no CSRF; the browser
        // face's middleware is listed innermost first: a request passes error pages, session,
        // CSRF and notices, in that order, before reaching a handler. Both get tracing and the
        // security headers.
        let browser = actix_web::web::scope("")
            .wrap(from_fn(notice::clear_after_display))
            .wrap(from_fn(csrf::middleware))
            .wrap(sessions)
            .wrap(error_pages::middleware())
            .app_data(extractors::form_config())
            .app_data(extractors::query_config())
            .app_data(extractors::path_config())
            .configure(web::configure)
            .default_service(actix_web::web::to(web::not_found));
        App::new()
            .wrap(security_headers::middleware(https))
            .wrap(TracingLogger::<RequestSpan>::new())
            .app_data(state.clone())
            .app_data(cookies.clone())
            .configure(api::configure)
            .service(browser)
    })
    .listen(listener)?
    .run();
    Ok(server)
}

/// True when the URL names this machine (the dev outbox is served to such deployments only).
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.to_canonical().is_loopback(),
        Some(url::Host::Domain(name)) => name == "localhost",
        None => false,
    }
}
