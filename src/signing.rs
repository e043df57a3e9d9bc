//! Token signing keys as cryptography: generating RSA and P-256 keys, their public JWKs, and
//! signing with them. Signing goes through `ring`, whose RSA is several times faster than the
//! pure-Rust `rsa` crate's: one signature is most of what a token costs.
use anyhow::{Context, anyhow};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use openidconnect::core::{CoreJsonWebKey, CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey, SigningError};
use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair, RSA_PKCS1_SHA256, RsaKeyPair,
};
use rsa::pkcs1::{EncodeRsaPrivateKey, LineEnding};
use rsa::pkcs8::SecretDocument;

use crate::domain::signing_key::SigningAlgorithm;

/// The modulus size of new RSA keys.
const RSA_BITS: usize = 2048;

/// The PEM label of a PKCS#8 private key (the form of P-256 keys).
const PKCS8_LABEL: &str = "PRIVATE KEY";

/// A new private key for `algorithm`, as PEM (PKCS#1 for RSA, PKCS#8 for P-256). RSA takes a
/// fraction of a second: call it off the async threads.
pub fn generate_pem(algorithm: SigningAlgorithm) -> anyhow::Result<String> {
    match algorithm {
        SigningAlgorithm::Rs256 => {
            let key = rsa::RsaPrivateKey::new(&mut rand08::rngs::OsRng, RSA_BITS)
                .context("generating an RSA key")?;
            Ok(key
                .to_pkcs1_pem(LineEnding::LF)
                .context("encoding an RSA key")?
                .to_string())
        }
        SigningAlgorithm::Es256 => {
            let pkcs8 = EcdsaKeyPair::generate_pkcs8(
                &ECDSA_P256_SHA256_FIXED_SIGNING,
                &SystemRandom::new(),
            )
            .map_err(|_| anyhow!("generating a P-256 key"))?;
            let document = SecretDocument::try_from(pkcs8.as_ref())
                .map_err(|err| anyhow!("encoding a P-256 key: {err}"))?;
            Ok(document
                .to_pem(PKCS8_LABEL, LineEnding::LF)
                .map_err(|err| anyhow!("encoding a P-256 key: {err}"))?
                .to_string())
        }
    }
}

/// The public JWK of the private key in `pem`, with its `kid`, `use` and `alg`.
pub fn public_jwk(
    pem: &str,
    kid: &str,
    algorithm: SigningAlgorithm,
) -> anyhow::Result<serde_json::Value> {
    let mut jwk = match algorithm {
        SigningAlgorithm::Rs256 => {
            let key =
                CoreRsaPrivateSigningKey::from_pem(pem, Some(JsonWebKeyId::new(kid.to_owned())))
                    .map_err(|err| anyhow!("an RSA key does not parse: {err}"))?;
            serde_json::to_value(key.as_verification_key())?
        }
        SigningAlgorithm::Es256 => {
            let pair = ec_pair(pem)?;
            // An uncompressed point: 0x04, then x and y of 32 bytes each.
            let point = pair.public_key().as_ref();
            let (x, y) = point
                .get(1..)
                .filter(|xy| xy.len() == 64)
                .map(|xy| xy.split_at(32))
                .ok_or_else(|| anyhow!("a P-256 public key is not an uncompressed point"))?;
            serde_json::json!({
                "kty": "EC",
                "use": "sig",
                "crv": "P-256",
                "kid": kid,
                "x": URL_SAFE_NO_PAD.encode(x),
                "y": URL_SAFE_NO_PAD.encode(y),
            })
        }
    };
    jwk["alg"] = algorithm.as_str().into();
    Ok(jwk)
}

/// `algorithm` as openidconnect names it.
pub fn jws_algorithm(algorithm: SigningAlgorithm) -> CoreJwsSigningAlgorithm {
    match algorithm {
        SigningAlgorithm::Rs256 => CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
        SigningAlgorithm::Es256 => CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    }
}

/// An opened private key and the public JWK that verifies what it signs.
pub struct Signer {
    pub kid: String,
    pub algorithm: SigningAlgorithm,
    pair: Pair,
    public: CoreJsonWebKey,
    rng: SystemRandom,
}

enum Pair {
    Rsa(RsaKeyPair),
    Ec(EcdsaKeyPair),
}

impl Signer {
    /// Opens the private key in `pem`, whose public half is `public_jwk`.
    pub fn open(
        pem: &str,
        kid: &str,
        algorithm: SigningAlgorithm,
        public_jwk: &serde_json::Value,
    ) -> anyhow::Result<Self> {
        let pair = match algorithm {
            SigningAlgorithm::Rs256 => Pair::Rsa(
                RsaKeyPair::from_der(pem_contents(pem)?.as_bytes())
                    .map_err(|err| anyhow!("a stored RSA key does not parse: {err}"))?,
            ),
            SigningAlgorithm::Es256 => Pair::Ec(ec_pair(pem)?),
        };
        Ok(Self {
            kid: kid.to_owned(),
            algorithm,
            pair,
            public: serde_json::from_value(public_jwk.clone())
                .context("a stored public JWK does not parse")?,
            rng: SystemRandom::new(),
        })
    }

    /// The JWS algorithm it signs with, as openidconnect names it.
    pub fn jws_algorithm(&self) -> CoreJwsSigningAlgorithm {
        jws_algorithm(self.algorithm)
    }

    /// The signature of `message`.
    pub fn sign_bytes(&self, message: &[u8]) -> anyhow::Result<Vec<u8>> {
        match &self.pair {
            Pair::Rsa(pair) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(&RSA_PKCS1_SHA256, &self.rng, message, &mut signature)
                    .map_err(|_| anyhow!("RSA signing failed"))?;
                Ok(signature)
            }
            Pair::Ec(pair) => Ok(pair
                .sign(&self.rng, message)
                .map_err(|_| anyhow!("ECDSA signing failed"))?
                .as_ref()
                .to_vec()),
        }
    }
}

/// What openidconnect's `IdToken::new` signs with.
impl PrivateSigningKey for Signer {
    type VerificationKey = CoreJsonWebKey;

    fn sign(
        &self,
        signature_alg: &CoreJwsSigningAlgorithm,
        message: &[u8],
    ) -> Result<Vec<u8>, SigningError> {
        if *signature_alg != self.jws_algorithm() {
            return Err(SigningError::UnsupportedAlg(format!("{signature_alg:?}")));
        }
        self.sign_bytes(message)
            .map_err(|err| SigningError::Other(err.to_string()))
    }

    fn as_verification_key(&self) -> CoreJsonWebKey {
        self.public.clone()
    }
}

fn ec_pair(pem: &str) -> anyhow::Result<EcdsaKeyPair> {
    EcdsaKeyPair::from_pkcs8(
        &ECDSA_P256_SHA256_FIXED_SIGNING,
        pem_contents(pem)?.as_bytes(),
        &SystemRandom::new(),
    )
    .map_err(|err| anyhow!("a stored P-256 key does not parse: {err}"))
}

/// The DER inside a PEM private key, whatever its label.
fn pem_contents(pem: &str) -> anyhow::Result<SecretDocument> {
    let (_label, document) =
        SecretDocument::from_pem(pem).map_err(|err| anyhow!("a stored key is not PEM: {err}"))?;
    Ok(document)
}

#[cfg(test)]
mod tests {
    use openidconnect::JsonWebKey;

    use super::*;

    fn round_trip(algorithm: SigningAlgorithm) {
        let pem = generate_pem(algorithm).expect("a key");
        let jwk = public_jwk(&pem, "k1", algorithm).expect("its JWK");
        assert_eq!(jwk["alg"], algorithm.as_str());
        assert_eq!(jwk["kid"], "k1");
        let signer = Signer::open(&pem, "k1", algorithm, &jwk).expect("opened");
        let signature =
            PrivateSigningKey::sign(&signer, &signer.jws_algorithm(), b"message").expect("signed");
        // Verified by openidconnect's own (RustCrypto) code, as relying parties would.
        let verifier: CoreJsonWebKey = serde_json::from_value(jwk).expect("a JWK");
        verifier
            .verify_signature(&signer.jws_algorithm(), b"message", &signature)
            .expect("the signature verifies");
        assert!(
            verifier
                .verify_signature(&signer.jws_algorithm(), b"other", &signature)
                .is_err()
        );
    }

    #[test]
    fn rsa_keys_sign_what_their_jwk_verifies() {
        round_trip(SigningAlgorithm::Rs256);
    }

    #[test]
    fn p256_keys_sign_what_their_jwk_verifies() {
        round_trip(SigningAlgorithm::Es256);
    }

    #[test]
    fn a_key_signs_only_with_its_own_algorithm() {
        let pem = generate_pem(SigningAlgorithm::Es256).expect("a key");
        let jwk = public_jwk(&pem, "k1", SigningAlgorithm::Es256).expect("its JWK");
        let signer = Signer::open(&pem, "k1", SigningAlgorithm::Es256, &jwk).expect("opened");
        assert!(
            PrivateSigningKey::sign(
                &signer,
                &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                b"message"
            )
            .is_err()
        );
    }
}
