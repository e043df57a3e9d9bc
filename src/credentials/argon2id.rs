//! argon2id in the PHC string form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`): what Usher
//! writes, and checked here by recomputing into memory the caller keeps between hashes.
use anyhow::Context;
use argon2::password_hash::phc::{self, Output, ParamsString, Salt};
use argon2::{ARGON2ID_IDENT, Algorithm, Argon2, Block, Params, Version};
use subtle::ConstantTimeEq;

use super::hash::UnreadableHash;

/// OWASP's argon2id setting, which Usher writes today: 19 MiB, 2 passes, 1 lane, a 32-byte
/// output, version 1.3. A stored hash with any other setting is rehashed with this one.
pub const CURRENT: Settings = Settings {
    version: 0x13,
    m_cost: 19_456,
    t_cost: 2,
    p_cost: 1,
    output_len: 32,
};

/// The cost settings of an argon2id hash: what decides how much work checking it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// 0x13 (1.3, written as `v=19`) or the original 0x10.
    pub version: u32,
    /// Memory in KiB.
    pub m_cost: u32,
    /// Passes over the memory.
    pub t_cost: u32,
    /// Lanes.
    pub p_cost: u32,
    /// Length of the hash in bytes.
    pub output_len: usize,
}

/// A parsed argon2id hash: everything needed to recompute it from a password.
#[derive(Clone)]
pub struct Argon2idHash {
    version: Version,
    params: Params,
    salt: Salt,
    output: Output,
}

impl std::fmt::Debug for Argon2idHash {
    /// Shows the settings only: a hash is as secret as the password it guards against guessing.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Argon2idHash")
            .field("settings", &self.settings())
            .finish_non_exhaustive()
    }
}

impl Argon2idHash {
    /// Parses a PHC string whose algorithm is argon2id. A missing `v=` means version 0x10, as
    /// in the reference implementation, which wrote no version before 1.3.
    pub fn parse(stored: &str) -> Result<Self, UnreadableHash> {
        let malformed = |reason: &'static str| UnreadableHash::Malformed {
            kind: "argon2id",
            reason,
        };
        let phc = phc::PasswordHash::new(stored).map_err(|_| malformed("not a PHC string"))?;
        if phc.algorithm != ARGON2ID_IDENT {
            return Err(malformed("not argon2id"));
        }
        let version = match phc.version {
            None => Version::V0x10,
            Some(v) => Version::try_from(v).map_err(|_| malformed("unknown version"))?,
        };
        let params = Params::try_from(&phc).map_err(|_| malformed("invalid parameters"))?;
        if !params.keyid().is_empty() {
            return Err(malformed("needs a secret key Usher does not have"));
        }
        let salt = phc.salt.ok_or_else(|| malformed("no salt"))?;
        if salt.len() < argon2::MIN_SALT_LEN {
            return Err(malformed("salt shorter than 8 bytes"));
        }
        let output = phc.hash.ok_or_else(|| malformed("no hash"))?;
        Ok(Self {
            version,
            params,
            salt,
            output,
        })
    }

    pub fn settings(&self) -> Settings {
        Settings {
            version: self.version.into(),
            m_cost: self.params.m_cost(),
            t_cost: self.params.t_cost(),
            p_cost: self.params.p_cost(),
            output_len: self.output.len(),
        }
    }

    /// True when this hash was made with other settings (or with associated data) than
    /// Usher's current ones.
    pub fn needs_rehash(&self) -> bool {
        self.settings() != CURRENT || !self.params.data().is_empty()
    }

    /// Recomputes the hash of `password` with this hash's salt and settings and compares the
    /// two in constant time.
    pub fn verify(&self, password: &[u8], memory: &mut Memory) -> anyhow::Result<bool> {
        let argon2 = Argon2::new(Algorithm::Argon2id, self.version, self.params.clone());
        let mut computed = [0u8; Output::MAX_LENGTH];
        let computed = &mut computed[..self.output.len()];
        memory.hash_into(&argon2, password, &self.salt, computed)?;
        Ok(bool::from(computed.ct_eq(self.output.as_bytes())))
    }
}

/// Hashes `password` with the current settings and a fresh random salt, into a standard PHC
/// string that any argon2 implementation verifies.
pub fn hash(password: &[u8], memory: &mut Memory) -> anyhow::Result<String> {
    let salt = argon2::password_hash::try_generate_salt().context("no randomness for a salt")?;
    let params = current_params()?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut output = [0u8; CURRENT.output_len];
    memory.hash_into(&argon2, password, &salt, &mut output)?;
    let phc = phc::PasswordHash {
        algorithm: ARGON2ID_IDENT,
        version: Some(CURRENT.version),
        params: ParamsString::try_from(&params)
            .map_err(|err| anyhow::anyhow!("argon2 parameters: {err}"))?,
        salt: Some(Salt::new(&salt).map_err(|err| anyhow::anyhow!("argon2 salt: {err}"))?),
        hash: Some(Output::new(&output).map_err(|err| anyhow::anyhow!("argon2 output: {err}"))?),
    };
    Ok(phc.to_string())
}

fn current_params() -> anyhow::Result<Params> {
    Params::new(CURRENT.m_cost, CURRENT.t_cost, CURRENT.p_cost, None)
        .map_err(|err| anyhow::anyhow!("invalid argon2 parameters: {err}"))
}

/// argon2's working memory (19 MiB at the current settings), kept by a hashing thread from
/// one hash to the next. Getting it afresh for every hash costs a server more than the hash
/// itself once the allocator hands it back to the kernel: thousands of page faults, each page
/// zeroed again. Its content needs no clearing between uses: argon2's first pass writes every
/// block before reading it.
#[derive(Default)]
pub struct Memory {
    blocks: Vec<Block>,
}

impl Memory {
    /// Runs `argon2` into `out`. A hash needing more memory than the current settings gets
    /// a buffer of its own for this call only: such hashes are rehashed at their next
    /// successful sign-in, and the kept memory stays the current settings' size.
    fn hash_into(
        &mut self,
        argon2: &Argon2<'_>,
        password: &[u8],
        salt: &[u8],
        out: &mut [u8],
    ) -> anyhow::Result<()> {
        let needed = argon2.params().block_count();
        let kept = CURRENT.m_cost as usize;
        let result = if needed <= kept {
            if self.blocks.len() < kept {
                self.blocks = vec![Block::new(); kept];
            }
            argon2.hash_password_into_with_memory(password, salt, out, &mut self.blocks[..])
        } else {
            let mut once = vec![Block::new(); needed];
            argon2.hash_password_into_with_memory(password, salt, out, &mut once[..])
        };
        result.map_err(|err| anyhow::anyhow!("argon2 hashing failed: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use argon2::PasswordVerifier;
    use argon2::password_hash::PasswordHasher;

    use super::*;

    const PASSWORD: &[u8] = b"correct horse battery staple";

    fn plain(version: Version, params: Params) -> String {
        Argon2::new(Algorithm::Argon2id, version, params)
            .hash_password(PASSWORD)
            .unwrap()
            .to_string()
    }

    #[test]
    fn writes_a_standard_phc_string_the_argon2_crate_verifies() {
        let hash = hash(PASSWORD, &mut Memory::default()).unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        let parsed = phc::PasswordHash::new(&hash).unwrap();
        assert!(Argon2::default().verify_password(PASSWORD, &parsed).is_ok());
        assert!(
            Argon2::default()
                .verify_password(b"wrong", &parsed)
                .is_err()
        );
    }

    #[test]
    fn verifies_what_the_argon2_crate_writes() {
        let stored = plain(Version::V0x13, current_params().unwrap());
        let parsed = Argon2idHash::parse(&stored).unwrap();
        let mut memory = Memory::default();
        assert!(parsed.verify(PASSWORD, &mut memory).unwrap());
        assert!(!parsed.verify(b"wrong", &mut memory).unwrap());
        assert!(!parsed.needs_rehash());
    }

    #[test]
    fn memory_reused_between_hashes_of_other_settings_gives_the_same_answers() {
        let mut memory = Memory::default();
        let small = Params::new(1024, 1, 1, None).unwrap();
        let big = Params::new(CURRENT.m_cost * 2, 1, 1, None).unwrap();
        let lanes = Params::new(4096, 3, 2, Some(64)).unwrap();
        let stored = [
            plain(Version::V0x13, current_params().unwrap()),
            plain(Version::V0x13, small),
            plain(Version::V0x10, big),
            plain(Version::V0x13, lanes),
        ];
        // Twice round, so that each hash runs on memory another one left dirty.
        for stored in stored.iter().chain(stored.iter()) {
            let parsed = Argon2idHash::parse(stored).unwrap();
            assert!(parsed.verify(PASSWORD, &mut memory).unwrap(), "{stored}");
            assert!(!parsed.verify(b"wrong", &mut memory).unwrap(), "{stored}");
        }
    }

    #[test]
    fn a_hash_without_a_version_is_version_16() {
        let stored = plain(Version::V0x10, Params::new(1024, 1, 1, None).unwrap());
        let unversioned = stored.replacen("$v=16", "", 1);
        assert_ne!(stored, unversioned);
        let parsed = Argon2idHash::parse(&unversioned).unwrap();
        assert_eq!(parsed.settings().version, 0x10);
        assert!(parsed.verify(PASSWORD, &mut Memory::default()).unwrap());
        assert!(parsed.needs_rehash());
    }

    #[test]
    fn settings_other_than_the_current_ones_need_a_rehash() {
        let current = Argon2idHash::parse(&hash(PASSWORD, &mut Memory::default()).unwrap());
        assert!(!current.unwrap().needs_rehash());
        for params in [
            Params::new(CURRENT.m_cost / 2, CURRENT.t_cost, CURRENT.p_cost, None),
            Params::new(CURRENT.m_cost, CURRENT.t_cost + 1, CURRENT.p_cost, None),
            Params::new(CURRENT.m_cost, CURRENT.t_cost, CURRENT.p_cost + 1, None),
            Params::new(CURRENT.m_cost, CURRENT.t_cost, CURRENT.p_cost, Some(64)),
        ] {
            let stored = plain(Version::V0x13, params.unwrap());
            assert!(
                Argon2idHash::parse(&stored).unwrap().needs_rehash(),
                "{stored}"
            );
        }
        let old = plain(Version::V0x10, current_params().unwrap());
        assert!(Argon2idHash::parse(&old).unwrap().needs_rehash());
    }

    #[test]
    fn malformed_strings_are_errors() {
        let good = plain(Version::V0x13, Params::new(1024, 1, 1, None).unwrap());
        let salt = good.split('$').nth(4).unwrap().to_owned();
        for bad in [
            good.replace("$argon2id$", "$argon2i$"),
            good.replace("v=19", "v=18"),
            good.replace("m=1024", "m=1"),
            good.replace("t=1", "t=x"),
            good.replace("m=1024", "m=1024,q=1"),
            good.replace(&format!("${salt}"), ""),
            good.rsplit_once('$').unwrap().0.to_owned(),
            good.replace(&salt, "c2FsdA"),
            format!("{good}$extra"),
            "$argon2id$v=19$m=19456,t=2,p=1,keyid=AAAA$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".to_owned(),
        ] {
            assert!(Argon2idHash::parse(&bad).is_err(), "accepted {bad}");
        }
    }
}
