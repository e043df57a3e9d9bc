//! Token signing keys as cryptography: generating an RSA key, and turning its PEM into
//! openidconnect's signing key and public JWK.
use anyhow::Context;
use openidconnect::core::{CoreJsonWebKey, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};

/// The modulus size of new RSA keys.
const RSA_BITS: usize = 2048;

/// A new RSA private key, as PKCS#1 PEM. Takes a fraction of a second: call it off the async
/// threads.
pub fn generate_rsa_pem() -> anyhow::Result<String> {
    let key = rsa::RsaPrivateKey::new(&mut rand08::rngs::OsRng, RSA_BITS)
        .context("generating an RSA key")?;
    Ok(key
        .to_pkcs1_pem(LineEnding::LF)
        .context("encoding an RSA key")?
        .to_string())
}

/// The key that signs with the private key in `pem`, naming itself `kid` in token headers.
pub fn rsa_signer(pem: &str, kid: &str) -> anyhow::Result<CoreRsaPrivateSigningKey> {
    CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.to_owned())))
        .map_err(|err| anyhow::anyhow!("a stored signing key does not parse: {err}"))
}

/// The public JWK of the private key in `pem`, with its `kid`, `use` and `alg`.
pub fn public_jwk(pem: &str, kid: &str, alg: &str) -> anyhow::Result<serde_json::Value> {
    let key: CoreJsonWebKey = rsa_signer(pem, kid)?.as_verification_key();
    let mut jwk = serde_json::to_value(key)?;
    jwk["alg"] = alg.into();
    Ok(jwk)
}
