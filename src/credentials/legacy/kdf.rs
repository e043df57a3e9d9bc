//! Key-derivation formats: PBKDF2 as PHC strings (`$pbkdf2-sha256$i=…,l=…$…`), as passlib
//! writes them (`$pbkdf2-sha256$29000$…`), as Django (`pbkdf2_sha256$…`) and Werkzeug
//! (`pbkdf2:sha256:…`) do; Django's `bcrypt_sha256$`; scrypt and argon2i/argon2d PHC strings.
use argon2::password_hash::phc;
use argon2::{Argon2, PasswordVerifier};

use super::crypt;
use super::digests::{self, Digest, same};

/// The most PBKDF2 rounds a stored hash may ask for: a hash is data, and must not be able to
/// hold a sign-in for minutes.
const MAX_ROUNDS: u32 = 10_000_000;
/// The longest derived output a stored hash may ask for (each 32 bytes more costs the rounds
/// again).
const MAX_OUTPUT: usize = 64;

/// A PBKDF2 hash, whichever way it was written.
#[derive(Debug, Clone)]
pub struct Pbkdf2 {
    pub digest: Digest,
    pub rounds: u32,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
}

impl Pbkdf2 {
    pub fn verify(&self, password: &[u8]) -> bool {
        let derived = self
            .digest
            .pbkdf2(password, &self.salt, self.rounds, self.hash.len());
        same(&derived, &self.hash)
    }

    fn checked(self) -> Option<Self> {
        let sized = !self.hash.is_empty() && self.hash.len() <= MAX_OUTPUT;
        (self.rounds > 0 && self.rounds <= MAX_ROUNDS && sized).then_some(self)
    }

    /// `$pbkdf2-sha256$i=N,l=L$salt$hash` (PHC, as Auth0 documents) or passlib's
    /// `$pbkdf2-sha256$N$salt$hash` in adapted base64; `$pbkdf2$` is SHA-1.
    pub fn parse_dollar(stored: &str) -> Option<Self> {
        let mut parts = stored.strip_prefix('$')?.split('$');
        let ident = parts.next()?;
        let digest = match ident {
            "pbkdf2" => Digest::Sha1,
            other => Digest::named(other.strip_prefix("pbkdf2-")?)?,
        };
        let (params, salt, hash) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let parsed = if params.starts_with("i=") {
            let rounds = params
                .split(',')
                .find_map(|param| param.strip_prefix("i="))?
                .parse()
                .ok()?;
            Self {
                digest,
                rounds,
                salt: digests::base64_any(salt)?,
                hash: digests::base64_any(hash)?,
            }
        } else {
            Self {
                digest,
                rounds: params.parse().ok()?,
                salt: digests::adapted_base64(salt)?,
                hash: digests::adapted_base64(hash)?,
            }
        };
        parsed.checked()
    }

    /// Django's `pbkdf2_sha256$rounds$salt$base64(hash)`: the salt is used as its text.
    pub fn parse_django(stored: &str) -> Option<Self> {
        let mut parts = stored.split('$');
        let digest = Digest::named(parts.next()?.strip_prefix("pbkdf2_")?)?;
        let (rounds, salt, hash) = (parts.next()?, parts.next()?, parts.next()?);
        Self {
            digest,
            rounds: rounds.parse().ok()?,
            salt: salt.as_bytes().to_vec(),
            hash: digests::base64_any(hash)?,
        }
        .checked()
    }

    /// Werkzeug's `pbkdf2:sha256:rounds$salt$hex(hash)`: the salt is used as its text.
    pub fn parse_werkzeug(stored: &str) -> Option<Self> {
        let (method, rest) = stored.split_once('$')?;
        let (salt, hash) = rest.split_once('$')?;
        let mut method = method.split(':');
        if method.next()? != "pbkdf2" {
            return None;
        }
        let digest = Digest::named(method.next()?)?;
        Self {
            digest,
            rounds: method.next()?.parse().ok()?,
            salt: salt.as_bytes().to_vec(),
            hash: digests::hex(hash)?,
        }
        .checked()
    }
}

/// Django's `bcrypt_sha256$`: bcrypt over the hex SHA-256 of the password.
pub fn django_bcrypt_sha256(password: &[u8], stored: &str) -> bool {
    let Some(bcrypt_hash) = stored.strip_prefix("bcrypt_sha256$") else {
        return false;
    };
    let prehashed: String = Digest::Sha256
        .of(&[password])
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    crypt::bcrypt(prehashed.as_bytes(), bcrypt_hash)
}

/// scrypt cost limits, so that a stored hash cannot ask for gigabytes: its memory (128·r·N
/// bytes) and its parallel passes.
const MAX_SCRYPT_MEMORY: u64 = 64 * 1024 * 1024;
const MAX_SCRYPT_P: u32 = 16;

/// scrypt with its parameters, salt and expected output.
#[derive(Debug, Clone)]
pub struct Scrypt {
    pub log_n: u8,
    pub r: u32,
    pub p: u32,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
}

impl Scrypt {
    /// `$scrypt$ln=…,r=…,p=…$salt$hash` (PHC, as passlib writes it).
    pub fn parse_phc(stored: &str) -> Option<Self> {
        let mut parts = stored.strip_prefix("$scrypt$")?.split('$');
        let (params, salt, hash) = (parts.next()?, parts.next()?, parts.next()?);
        let param = |name: &str| {
            params
                .split(',')
                .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
        };
        Self {
            log_n: param("ln")?.parse().ok()?,
            r: param("r")?.parse().ok()?,
            p: param("p")?.parse().ok()?,
            salt: digests::base64_any(salt)?,
            hash: digests::base64_any(hash)?,
        }
        .checked()
    }

    pub fn checked(self) -> Option<Self> {
        let memory = 1u64
            .checked_shl(u32::from(self.log_n))
            .and_then(|n| n.checked_mul(128 * u64::from(self.r)));
        let within = self.log_n < 32
            && memory.is_some_and(|bytes| bytes <= MAX_SCRYPT_MEMORY)
            && self.p <= MAX_SCRYPT_P
            && !self.hash.is_empty()
            && self.hash.len() <= MAX_OUTPUT;
        within.then_some(self)
    }

    pub fn verify(&self, password: &[u8]) -> bool {
        let Ok(params) = scrypt::Params::new(self.log_n, self.r, self.p) else {
            return false;
        };
        let mut out = vec![0; self.hash.len()];
        scrypt::scrypt(password, &self.salt, &params, &mut out).is_ok() && same(&out, &self.hash)
    }
}

/// The most a stored argon2 hash may ask for: 256 MiB, 10 passes, 16 lanes.
const MAX_ARGON2_KIB: u32 = 256 * 1024;
const MAX_ARGON2_PASSES: u32 = 10;
const MAX_ARGON2_LANES: u32 = 16;

/// An argon2i or argon2d PHC string (argon2id is Usher's own kind), within the caps.
pub fn argon2_within_limits(stored: &str) -> bool {
    phc::PasswordHash::new(stored).is_ok_and(|hash| {
        let within = |name: &str, max: u32| {
            hash.params
                .get_decimal(name)
                .is_some_and(|value| value <= max)
        };
        within("m", MAX_ARGON2_KIB)
            && within("t", MAX_ARGON2_PASSES)
            && within("p", MAX_ARGON2_LANES)
    })
}

pub fn argon2(password: &[u8], stored: &str) -> bool {
    let Ok(hash) = phc::PasswordHash::new(stored) else {
        return false;
    };
    Argon2::default().verify_password(password, &hash).is_ok()
}
