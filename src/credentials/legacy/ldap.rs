//! LDAP userPassword schemes (RFC 2307 and OpenLDAP's): `{SHA}`, `{SSHA}`, `{SSHA256}`,
//! `{SSHA512}`, `{MD5}` and `{SMD5}`, each the base64 of the digest of the password and the
//! salt, followed by the salt.
use super::digests::{self, Digest, same};

#[derive(Debug, Clone)]
pub struct Ldap {
    digest: Digest,
    hash: Vec<u8>,
    salt: Vec<u8>,
}

impl Ldap {
    /// A `{SCHEME}base64` value; the scheme in any case, as directories accept it.
    pub fn parse(stored: &str) -> Option<Self> {
        let (scheme, encoded) = stored.strip_prefix('{')?.split_once('}')?;
        let (digest, salted) = match scheme.to_ascii_uppercase().as_str() {
            "SHA" => (Digest::Sha1, false),
            "SSHA" => (Digest::Sha1, true),
            "SHA256" => (Digest::Sha256, false),
            "SSHA256" => (Digest::Sha256, true),
            "SHA512" => (Digest::Sha512, false),
            "SSHA512" => (Digest::Sha512, true),
            "MD5" => (Digest::Md5, false),
            "SMD5" => (Digest::Md5, true),
            _ => return None,
        };
        let bytes = digests::base64_any(encoded)?;
        let fits = if salted {
            bytes.len() > digest.len()
        } else {
            bytes.len() == digest.len()
        };
        if !fits {
            return None;
        }
        let (hash, salt) = bytes.split_at(digest.len());
        Some(Self {
            digest,
            hash: hash.to_vec(),
            salt: salt.to_vec(),
        })
    }

    pub fn verify(&self, password: &[u8]) -> bool {
        same(&self.digest.of(&[password, &self.salt]), &self.hash)
    }
}
