//! Auth0's `custom_password_hash` objects (its bulk-import schema): an algorithm, the hash
//! with its encoding, and for salted digests the salt with its encoding and position, for
//! HMAC the digest and key, for scrypt its parameters. Usher keeps the object as its JSON
//! text, so that an imported user's hash is checked exactly as Auth0 would have.
use serde::Deserialize;

use super::digests::{Digest, Encoding, same};
use super::kdf::{self, Pbkdf2, Scrypt};
use super::{crypt, ldap::Ldap};

#[derive(Debug, Clone, Deserialize)]
struct Object {
    algorithm: String,
    hash: HashPart,
    salt: Option<SaltPart>,
    password: Option<PasswordPart>,
    keylen: Option<usize>,
    cost: Option<u64>,
    #[serde(rename = "blockSize")]
    block_size: Option<u32>,
    parallelization: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
struct HashPart {
    value: String,
    encoding: Option<String>,
    /// HMAC's digest.
    digest: Option<String>,
    /// HMAC's key.
    key: Option<KeyPart>,
}

#[derive(Debug, Clone, Deserialize)]
struct SaltPart {
    value: String,
    encoding: Option<String>,
    position: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct KeyPart {
    value: String,
    encoding: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct PasswordPart {
    encoding: Option<String>,
}

/// How the password's text becomes bytes.
#[derive(Debug, Clone, Copy)]
enum PasswordEncoding {
    Utf8,
    Utf16Le,
    Latin1,
}

/// What a password is checked against, parsed once.
#[derive(Debug, Clone)]
enum Check {
    Salted {
        digest: Digest,
        salt: Vec<u8>,
        prefix: bool,
        hash: Vec<u8>,
    },
    Hmac {
        digest: Digest,
        key: Vec<u8>,
        salt: Vec<u8>,
        prefix: bool,
        hash: Vec<u8>,
    },
    Bcrypt(String),
    Argon2(String),
    Ldap(Ldap),
    Pbkdf2(Pbkdf2),
    Scrypt(Scrypt),
}

#[derive(Debug, Clone)]
pub struct CustomHash {
    check: Check,
    password: PasswordEncoding,
}

fn encoding(name: Option<&str>, default: Encoding) -> Result<Encoding, &'static str> {
    match name {
        None => Ok(default),
        Some(name) => Encoding::named(name).ok_or("an encoding is not hex, base64 or utf8"),
    }
}

fn decoded(value: &str, name: Option<&str>, default: Encoding) -> Result<Vec<u8>, &'static str> {
    encoding(name, default)?
        .decode(value)
        .ok_or("a value does not decode")
}

impl CustomHash {
    /// Parses the object's JSON text; the error names what is wrong, never a value.
    pub fn parse(json: &str) -> Result<Self, &'static str> {
        let object: Object =
            serde_json::from_str(json).map_err(|_| "not a custom_password_hash object")?;
        let password = match object.password.as_ref().and_then(|p| p.encoding.as_deref()) {
            None | Some("utf8") | Some("ascii") => PasswordEncoding::Utf8,
            Some("utf16le") | Some("ucs2") => PasswordEncoding::Utf16Le,
            Some("latin1") | Some("binary") => PasswordEncoding::Latin1,
            Some(_) => return Err("the password encoding is not supported"),
        };
        let (salt, prefix) = match &object.salt {
            None => (Vec::new(), true),
            Some(salt) => (
                decoded(&salt.value, salt.encoding.as_deref(), Encoding::Utf8)?,
                salt.position.as_deref() != Some("suffix"),
            ),
        };
        let hash = &object.hash;
        let check = match object.algorithm.as_str() {
            "md5" | "sha1" | "sha256" | "sha512" => Check::Salted {
                digest: Digest::named(&object.algorithm).ok_or("unknown digest")?,
                hash: decoded(&hash.value, hash.encoding.as_deref(), Encoding::Hex)?,
                salt,
                prefix,
            },
            "hmac" => {
                let key = hash.key.as_ref().ok_or("an hmac object has no key")?;
                Check::Hmac {
                    digest: hash
                        .digest
                        .as_deref()
                        .and_then(Digest::named)
                        .ok_or("the hmac digest is not md5, sha1, sha256 or sha512")?,
                    key: decoded(&key.value, key.encoding.as_deref(), Encoding::Utf8)?,
                    hash: decoded(&hash.value, hash.encoding.as_deref(), Encoding::Hex)?,
                    salt,
                    prefix,
                }
            }
            "bcrypt" => Check::Bcrypt(hash.value.clone()),
            "argon2" if kdf::argon2_within_limits(&hash.value) => Check::Argon2(hash.value.clone()),
            "argon2" => return Err("the argon2 value is no PHC string within Usher's limits"),
            "ldap" => Check::Ldap(Ldap::parse(&hash.value).ok_or("the ldap value does not parse")?),
            "pbkdf2" => Check::Pbkdf2(
                Pbkdf2::parse_dollar(&hash.value).ok_or("the pbkdf2 value is no PHC string")?,
            ),
            "scrypt" => {
                let cost = object.cost.unwrap_or(16_384);
                if !cost.is_power_of_two() || cost < 2 {
                    return Err("the scrypt cost is not a power of two");
                }
                let scrypt = Scrypt {
                    log_n: cost.trailing_zeros() as u8,
                    r: object.block_size.unwrap_or(8),
                    p: object.parallelization.unwrap_or(1),
                    hash: decoded(&hash.value, hash.encoding.as_deref(), Encoding::Hex)?,
                    salt,
                };
                if object.keylen.is_some_and(|len| len != scrypt.hash.len()) {
                    return Err("the scrypt keylen is not the hash's length");
                }
                Check::Scrypt(
                    scrypt
                        .checked()
                        .ok_or("the scrypt parameters are too costly")?,
                )
            }
            _ => return Err("the algorithm is not supported"),
        };
        Ok(Self { check, password })
    }

    pub fn verify(&self, password: &str) -> bool {
        let password = match self.password {
            PasswordEncoding::Utf8 => password.as_bytes().to_vec(),
            PasswordEncoding::Utf16Le => {
                password.encode_utf16().flat_map(u16::to_le_bytes).collect()
            }
            PasswordEncoding::Latin1 => match password
                .chars()
                .map(|c| u8::try_from(u32::from(c)).ok())
                .collect::<Option<Vec<u8>>>()
            {
                Some(bytes) => bytes,
                None => return false,
            },
        };
        let salted = |salt: &[u8], prefix: bool| {
            if prefix {
                [salt, &password].concat()
            } else {
                [&password[..], salt].concat()
            }
        };
        match &self.check {
            Check::Salted {
                digest,
                salt,
                prefix,
                hash,
            } => same(&digest.of(&[&salted(salt, *prefix)]), hash),
            Check::Hmac {
                digest,
                key,
                salt,
                prefix,
                hash,
            } => same(&digest.hmac(key, &salted(salt, *prefix)), hash),
            Check::Bcrypt(stored) => crypt::bcrypt(&password, stored),
            Check::Argon2(stored) => kdf::argon2(&password, stored),
            Check::Ldap(ldap) => ldap.verify(&password),
            Check::Pbkdf2(pbkdf2) => pbkdf2.verify(&password),
            Check::Scrypt(scrypt) => scrypt.verify(&password),
        }
    }
}
