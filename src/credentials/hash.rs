//! A stored password hash, parsed: which kind it is decides how a password is checked against
//! it and whether it should be rewritten with Usher's current argon2id settings.
use std::str::FromStr;

use super::argon2id::{self, Argon2idHash, Memory};
use super::legacy::LegacyHash;

/// A password hash as stored on an account. Parsing never guesses: a string of no kind Usher
/// knows, or a known kind that does not parse, is an error rather than a hash that can never
/// match, so a damaged or foreign value shows up instead of locking its owner out unnoticed.
#[derive(Debug, Clone)]
pub struct PasswordHash(Stored);

/// Usher's own argon2id, or a format users brought from another system (see `legacy`).
#[derive(Debug, Clone)]
enum Stored {
    Argon2id(Argon2idHash),
    Legacy(LegacyHash),
}

/// What a stored hash is, with the settings that decide how costly it is to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashKind {
    /// argon2id in PHC form, the kind Usher writes.
    Argon2id(argon2id::Settings),
    /// A format from another system, by name (`bcrypt`, `phpass`…).
    Legacy(&'static str),
}

/// Why a stored string is not a hash Usher can check. It never carries the string itself: a
/// hash must not end up in a log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnreadableHash {
    #[error("the stored password hash is of no kind Usher knows")]
    UnknownKind,
    #[error("the stored {kind} password hash is malformed: {reason}")]
    Malformed {
        kind: &'static str,
        reason: &'static str,
    },
}

impl PasswordHash {
    /// Reads a stored hash, recognised by its prefix.
    pub fn parse(stored: &str) -> Result<Self, UnreadableHash> {
        if stored.starts_with("$argon2id$") {
            return Ok(Self(Stored::Argon2id(Argon2idHash::parse(stored)?)));
        }
        match LegacyHash::parse(stored) {
            Some(Ok(legacy)) => Ok(Self(Stored::Legacy(legacy))),
            Some(Err((kind, reason))) => Err(UnreadableHash::Malformed { kind, reason }),
            None => Err(UnreadableHash::UnknownKind),
        }
    }

    pub fn kind(&self) -> HashKind {
        match &self.0 {
            Stored::Argon2id(hash) => HashKind::Argon2id(hash.settings()),
            Stored::Legacy(hash) => HashKind::Legacy(hash.name()),
        }
    }

    /// True when a successful sign-in should replace this hash with a new one of Usher's
    /// current kind and settings: another kind, or argon2id with other settings.
    pub fn needs_rehash(&self) -> bool {
        match &self.0 {
            Stored::Argon2id(hash) => hash.needs_rehash(),
            Stored::Legacy(_) => true,
        }
    }

    /// Checks `password`, on the calling thread: this is the slow part, to be run off the
    /// async threads (see `Passwords`). `memory` is argon2's working memory, kept by the caller.
    pub(super) fn verify(&self, password: &[u8], memory: &mut Memory) -> anyhow::Result<bool> {
        match &self.0 {
            Stored::Argon2id(hash) => hash.verify(password, memory),
            // Passwords reach Usher as text; a byte string that is not UTF-8 matches nothing.
            Stored::Legacy(hash) => Ok(std::str::from_utf8(password).is_ok_and(|p| hash.verify(p))),
        }
    }
}

impl FromStr for PasswordHash {
    type Err = UnreadableHash;

    fn from_str(stored: &str) -> Result<Self, Self::Err> {
        Self::parse(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWORD: &[u8] = b"correct horse battery staple";
    // Made for PASSWORD by the reference implementation's command line (Debian's `argon2`
    // 0~20171227): `echo -n PASSWORD | argon2 somesaltsomesalt -id -t 2 -k 19456 -p 1 -l 32 -e`.
    const USHER_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$\
                              c29tZXNhbHRzb21lc2FsdA$ISO7kkvFzh19GM8qB7patN3C3Y9HHsjlVTfEZ9T600Y";
    /// `-t 3 -k 4096`: fewer KiB than Usher asks for.
    const CHEAP_HASH: &str = "$argon2id$v=19$m=4096,t=3,p=1$\
                              c29tZXNhbHRzb21lc2FsdA$wyCDnyqtf4jfXqRB9zffoQ1NL9/K5K8LyDZY031hXpY";
    /// `-v 10 -t 1 -k 1024`: argon2 1.0.
    const OLD_VERSION_HASH: &str = "$argon2id$v=16$m=1024,t=1,p=1$\
                              c29tZXNhbHRzb21lc2FsdA$fQ0X2OvmQMAsL4TYpaU5w9fY+aIilUKN6hPKfEydNyA";

    #[test]
    fn parses_usher_argon2id_hashes_with_their_settings() {
        let hash: PasswordHash = USHER_HASH.parse().unwrap();
        let HashKind::Argon2id(settings) = hash.kind() else {
            panic!("not argon2id");
        };
        assert_eq!(settings, argon2id::CURRENT);
        assert_eq!(
            (settings.m_cost, settings.t_cost, settings.p_cost),
            (19_456, 2, 1)
        );
        assert!(!hash.needs_rehash());
        let mut memory = Memory::default();
        assert!(hash.verify(PASSWORD, &mut memory).unwrap());
        assert!(
            !hash
                .verify(b"correct horse battery stapler", &mut memory)
                .unwrap()
        );
    }

    #[test]
    fn other_argon2id_settings_verify_and_need_a_rehash() {
        let mut memory = Memory::default();
        for (stored, version, m_cost, t_cost) in [
            (CHEAP_HASH, 0x13, 4096, 3),
            (OLD_VERSION_HASH, 0x10, 1024, 1),
        ] {
            let hash = PasswordHash::parse(stored).unwrap();
            let HashKind::Argon2id(settings) = hash.kind() else {
                panic!("not argon2id");
            };
            assert_eq!(
                (settings.version, settings.m_cost, settings.t_cost),
                (version, m_cost, t_cost)
            );
            assert!(hash.needs_rehash(), "{stored}");
            assert!(hash.verify(PASSWORD, &mut memory).unwrap(), "{stored}");
            assert!(!hash.verify(b"wrong", &mut memory).unwrap(), "{stored}");
        }
    }

    #[test]
    fn the_same_hash_text_under_other_settings_does_not_match() {
        let moved = USHER_HASH.replace("m=19456,t=2", "m=4096,t=3");
        let hash = PasswordHash::parse(&moved).unwrap();
        assert!(!hash.verify(PASSWORD, &mut Memory::default()).unwrap());
    }

    #[test]
    fn unknown_and_malformed_strings_are_errors_not_hashes() {
        for unknown in [
            "",
            "hunter2",
            "$7$CU..../....abc",
            "5f4dcc3b5aa765d61d8327deb882cf99",
            "sha1$salt$hash",
        ] {
            assert_eq!(
                PasswordHash::parse(unknown).unwrap_err(),
                UnreadableHash::UnknownKind,
                "{unknown}"
            );
        }
        for malformed in [
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA",
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$not base64!",
            "$argon2id$v=99$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaA",
        ] {
            let err = PasswordHash::parse(malformed).unwrap_err();
            assert!(
                matches!(
                    err,
                    UnreadableHash::Malformed {
                        kind: "argon2id",
                        ..
                    }
                ),
                "{malformed}: {err}"
            );
        }
    }

    #[test]
    fn errors_do_not_repeat_the_stored_string() {
        let stored = USHER_HASH.replace("v=19", "v=99");
        let err = PasswordHash::parse(&stored).unwrap_err().to_string();
        assert!(!err.contains("c29tZXNhbHRzb21lc2FsdA"), "{err}");
    }
}
