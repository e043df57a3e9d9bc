//! The crypt(3) family: bcrypt (`$2a$`, `$2b$`, `$2y$`), SHA-256 and SHA-512 crypt (`$5$`,
//! `$6$`), MD5 crypt (`$1$`), and phpass (`$P$`, `$H$`, WordPress and phpBB), the last two
//! compositions of MD5 as their reference implementations define them.
use sha_crypt::{PasswordVerifier, ShaCrypt};

use super::digests::{CRYPT_ALPHABET, Digest, same};

/// bcrypt checks at most the first 72 bytes of a password, as every implementation does.
pub fn bcrypt(password: &[u8], stored: &str) -> bool {
    bcrypt::verify(password, stored).unwrap_or(false)
}

pub fn sha_crypt(password: &[u8], stored: &str) -> bool {
    ShaCrypt::default()
        .verify_password(password, stored)
        .is_ok()
}

/// Poul-Henning Kamp's MD5 crypt, as FreeBSD and glibc write it: `$1$salt$hash`.
pub fn md5_crypt(password: &[u8], stored: &str) -> bool {
    let Some(rest) = stored.strip_prefix("$1$") else {
        return false;
    };
    let Some((salt, _)) = rest.split_once('$') else {
        return false;
    };
    let salt = &salt.as_bytes()[..salt.len().min(8)];
    let alternate = Digest::Md5.of(&[password, salt, password]);
    let mut context = [password, b"$1$", salt].concat();
    let mut left = password.len();
    while left > 0 {
        let take = left.min(16);
        context.extend_from_slice(&alternate[..take]);
        left -= take;
    }
    let mut bits = password.len();
    while bits > 0 {
        context.push(if bits & 1 == 1 {
            0
        } else {
            password.first().copied().unwrap_or(0)
        });
        bits >>= 1;
    }
    let mut last = Digest::Md5.of(&[&context]);
    for round in 0..1000 {
        let mut next = Vec::with_capacity(64);
        next.extend_from_slice(if round & 1 == 1 { password } else { &last });
        if round % 3 != 0 {
            next.extend_from_slice(salt);
        }
        if round % 7 != 0 {
            next.extend_from_slice(password);
        }
        next.extend_from_slice(if round & 1 == 1 { &last } else { password });
        last = Digest::Md5.of(&[&next]);
    }
    let mut encoded = Vec::with_capacity(22);
    for (a, b, c) in [(0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)] {
        let value = (u32::from(last[a]) << 16) | (u32::from(last[b]) << 8) | u32::from(last[c]);
        push_crypt64(&mut encoded, value, 4);
    }
    push_crypt64(&mut encoded, u32::from(last[11]), 2);
    let expected = [b"$1$", salt, b"$", &encoded[..]].concat();
    same(&expected, stored.as_bytes())
}

fn push_crypt64(out: &mut Vec<u8>, mut value: u32, chars: usize) {
    for _ in 0..chars {
        out.push(CRYPT_ALPHABET[(value & 0x3f) as usize]);
        value >>= 6;
    }
}

/// phpass's portable hashes: `$P$` (WordPress) or `$H$` (phpBB), a cost character, eight
/// salt characters, then MD5 iterated 2^cost times over the salt and password.
pub fn phpass(password: &[u8], stored: &str) -> bool {
    let bytes = stored.as_bytes();
    if bytes.len() != 34 {
        return false;
    }
    let Some(log2) = CRYPT_ALPHABET.iter().position(|&c| c == bytes[3]) else {
        return false;
    };
    if !(7..=30).contains(&log2) {
        return false;
    }
    let salt = &bytes[4..12];
    let mut hash = Digest::Md5.of(&[salt, password]);
    for _ in 0..(1u32 << log2) {
        hash = Digest::Md5.of(&[&hash, password]);
    }
    same(&phpass_encode(&hash), &bytes[12..])
}

/// phpass's `encode64`: little-endian groups of three bytes, six bits a character.
fn phpass_encode(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(22);
    for chunk in input.chunks(3) {
        let value = chunk.iter().enumerate().fold(0u32, |value, (i, byte)| {
            value | (u32::from(*byte) << (8 * i))
        });
        push_crypt64(&mut out, value, chunk.len() + 1);
    }
    out
}
