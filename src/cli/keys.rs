//! `usher keys rotate`: adds the next token signing key. It is published at once and signs
//! from an hour later; the keys it replaces stay published until every token they signed has
//! expired. Works beside a running server on the same database.
use clap::Subcommand;

use crate::config::Settings;
use crate::sealing::Sealer;
use crate::secret_key::SecretKey;
use crate::services::signing_keys;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Add the next signing key; prints {"kid": …, "signs_from": …} (Unix seconds).
    Rotate,
}

pub async fn run(command: KeysCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        KeysCommand::Rotate => {
            let store = Store::connect(settings).await?;
            let sealer = Sealer::new(&SecretKey::load(settings)?)?;
            let keys = signing_keys::rotate(&store, &sealer).await?;
            let printed: Vec<_> = keys
                .iter()
                .map(|key| {
                    serde_json::json!({
                        "kid": key.kid,
                        "alg": key.algorithm.as_str(),
                        "signs_from": key.signs_from,
                    })
                })
                .collect();
            println!("{}", serde_json::Value::from(printed));
            Ok(())
        }
    }
}
