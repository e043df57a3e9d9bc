//! Command-line interface of the `usher` binary: the parser, and the subcommands that are more
//! than starting the server.
pub mod apps;
pub mod import;
pub mod keys;

use clap::{Parser, Subcommand};

/// Usher: hosted sign-up and sign-in, organizations and provisioning for B2B products.
///
/// Configuration comes from the environment (USHER_LISTEN, USHER_PUBLIC_URL, USHER_DATA_DIR,
/// DATABASE_URL, USHER_SMTP_URL, USHER_MAIL_FROM, USHER_SECRET_KEY, USHER_AUTH_RATE_LIMIT,
/// USHER_TRUSTED_PROXIES, USHER_PASSWORD_MIN_LENGTH, USHER_DNS_SERVER, USHER_EXTRA_CA_FILE, RUST_LOG,
/// USHER_LOG_FORMAT); see the README for the table.
#[derive(Debug, Parser)]
#[command(name = "usher", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the web interface (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Register the product's applications (the OAuth clients of Usher's OpenID Provider).
    /// Works beside a running server on the same database.
    Apps {
        #[command(subcommand)]
        command: apps::AppsCommand,
    },
    /// Import users from a file: Auth0's bulk-import JSON, NDJSON or CSV. Works beside a
    /// running server.
    Import(import::ImportArgs),
    /// Manage the keys Usher signs tokens with. Works beside a running server.
    Keys {
        #[command(subcommand)]
        command: keys::KeysCommand,
    },
}
