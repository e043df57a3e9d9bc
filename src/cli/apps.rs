//! `usher apps create`: registers an application and prints its client id (and, for a
//! confidential one, its secret) as JSON, for scripts that set up a deployment.
use anyhow::Context;
use clap::{Args, Subcommand};

use crate::config::Settings;
use crate::domain::application::{
    AppName, ClientKind, NewApplication, OrgPolicy, RedirectUri, parse_uris,
};
use crate::domain::audit::Actor;
use crate::domain::signing_key::SigningAlgorithm;
use crate::services::applications;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum AppsCommand {
    /// Register an application; prints {"client_id": …, "client_secret": …} (no secret with
    /// --public). The secret is shown this once: Usher keeps only its hash.
    Create(CreateApp),
}

#[derive(Debug, Args)]
pub struct CreateApp {
    /// The name people see.
    #[arg(long)]
    name: String,
    /// Where Usher may send people back after sign-in, matched exactly (https, or http on
    /// loopback). Repeat for several.
    #[arg(long = "redirect-uri", required = true)]
    redirect_uris: Vec<String>,
    /// A single-page or native app: no secret, PKCE required.
    #[arg(long)]
    public: bool,
    /// Where Usher may send people after signing out. Repeat for several.
    #[arg(long = "post-logout-redirect-uri")]
    post_logout_redirect_uris: Vec<String>,
    /// Where Usher starts a sign-in on the app's behalf (after an invitation, say).
    #[arg(long)]
    initiate_login_uri: Option<String>,
    /// Where Usher POSTs OpenID Connect back-channel logout tokens when a sign-in ends.
    #[arg(long)]
    backchannel_logout_uri: Option<String>,
    /// The algorithm of the app's ID and access tokens.
    #[arg(long, default_value = "RS256", value_parser = ["RS256", "ES256"])]
    signing_alg: String,
    /// Land people in this app after they accept an invitation or verify their email (needs
    /// --initiate-login-uri); replaces the deployment's current default.
    #[arg(long, requires = "initiate_login_uri")]
    default: bool,
    /// Whether people sign in to one of their organizations.
    #[arg(long, default_value = "optional", value_parser = ["required", "optional", "none"])]
    organizations: String,
}

impl CreateApp {
    fn parse(&self) -> anyhow::Result<NewApplication> {
        let problem = |what: &str, message: &str| anyhow::anyhow!("{what}: {message}");
        let uris = |list: &[String], required| {
            parse_uris(
                &list.iter().map(String::as_str).collect::<Vec<_>>(),
                required,
            )
        };
        Ok(NewApplication {
            name: AppName::parse(&self.name).map_err(|m| problem("--name", m))?,
            kind: if self.public {
                ClientKind::Public
            } else {
                ClientKind::Confidential
            },
            organizations: OrgPolicy::parse(&self.organizations)
                .ok_or_else(|| problem("--organizations", "use required, optional or none"))?,
            redirect_uris: uris(&self.redirect_uris, true)
                .map_err(|m| problem("--redirect-uri", m))?,
            post_logout_redirect_uris: uris(&self.post_logout_redirect_uris, false)
                .map_err(|m| problem("--post-logout-redirect-uri", m))?,
            initiate_login_uri: self
                .initiate_login_uri
                .as_deref()
                .map(RedirectUri::parse)
                .transpose()
                .map_err(|m| problem("--initiate-login-uri", m))?,
            backchannel_logout_uri: self
                .backchannel_logout_uri
                .as_deref()
                .map(RedirectUri::parse)
                .transpose()
                .map_err(|m| problem("--backchannel-logout-uri", m))?,
            signing_algorithm: SigningAlgorithm::parse(&self.signing_alg)
                .ok_or_else(|| problem("--signing-alg", "use RS256 or ES256"))?,
            deployment_default: self.default,
        })
    }
}

pub async fn run(command: AppsCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        AppsCommand::Create(args) => {
            let app = args.parse()?;
            let store = Store::connect(settings).await?;
            let (app, secret) = applications::register(&store, &Actor::default(), &app)
                .await
                .context("registering the application")?;
            let mut printed = serde_json::json!({ "client_id": app.client_id.as_str() });
            if let Some(secret) = secret {
                printed["client_secret"] = secret.as_str().into();
            }
            println!("{printed}");
            Ok(())
        }
    }
}
