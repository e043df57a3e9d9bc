//! The keys Usher signs tokens with, and when each is published, signs, and is withdrawn.

/// A newly rotated key is published this long before it signs anything, so that every cached
/// copy of the JWKS has it by then.
pub const PUBLISH_AHEAD_SECS: i64 = 3600;

/// A replaced key stays published this long after it stopped signing: longer than any token
/// it signed lives.
pub const OUTLIVE_SECS: i64 = 24 * 3600;

/// The signature algorithms of Usher's keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigningAlgorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256, which OpenID Connect requires every provider to offer.
    Rs256,
    /// ECDSA on P-256 with SHA-256: shorter tokens, cheaper signatures; an application's choice.
    Es256,
}

impl SigningAlgorithm {
    /// Every algorithm Usher signs with; each rotation makes a key for each.
    pub const ALL: [Self; 2] = [Self::Rs256, Self::Es256];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256 (RSA): what every OpenID Connect library accepts",
            Self::Es256 => "ES256 (ECDSA P-256): shorter tokens, for libraries that support it",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|algorithm| algorithm.as_str() == value)
    }
}

impl std::fmt::Display for SigningAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A signing key as stored: the private part sealed, the public part as a JWK.
#[derive(Debug, Clone)]
pub struct StoredSigningKey {
    pub kid: String,
    /// 1 for the first keys, one more for each rotation: two instances cannot both add a key
    /// of one algorithm and generation.
    pub generation: i64,
    pub algorithm: SigningAlgorithm,
    /// The PEM of the private key, sealed for `signing key <kid>`.
    pub sealed_private_key: String,
    /// The public key, a JWK object.
    pub public_jwk: serde_json::Value,
    /// Unix seconds from which the key signs.
    pub signs_from: i64,
    /// Unix seconds until which the key is published; `None` while no newer key replaced it.
    pub published_until: Option<i64>,
}

/// The seal's context of a key's private part: the sealed value belongs to this key alone.
pub fn seal_context(kid: &str) -> String {
    format!("signing key {kid}")
}
