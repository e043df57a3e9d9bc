//! Passwords: the stored hash kinds Usher can check (its own argon2id, and the formats
//! migrated users bring, in `legacy`), whether a hash should be rewritten, and the hasher that
//! runs the slow part off the async threads with argon2's working memory kept between hashes.
mod argon2id;
mod hash;
mod hasher;
mod legacy;

pub use argon2id::Settings as Argon2idSettings;
pub use hash::{HashKind, PasswordHash, UnreadableHash};
pub use hasher::{Passwords, Verdict, hash_once};
