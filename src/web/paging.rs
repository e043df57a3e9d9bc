//! Keyset pagination as pages see it: one page size, and the key that starts the next page.
use crate::store::memberships::MemberRow;

pub const PER_PAGE: i64 = 50;

/// The key of the page after `rows`: the last row's key when the page is full (a shorter page
/// is the last one).
pub fn next_key<T>(rows: &[T], key: impl Fn(&T) -> String) -> Option<String> {
    (rows.len() as i64 == PER_PAGE)
        .then(|| rows.last().map(key))
        .flatten()
}

/// Member pages are keyed by `{joined}.{user id}`.
pub fn member_key(member: &MemberRow) -> String {
    format!("{}.{}", member.created_at, member.user_id)
}

pub fn parse_member_key(key: &str) -> Option<(i64, &str)> {
    let (time, id) = key.split_once('.')?;
    Some((time.parse().ok()?, id))
}

/// Organization pages are keyed by `{name}\n{id}`: names may hold any other character.
pub fn org_key(name: &str, id: &str) -> String {
    format!("{name}\n{id}")
}

pub fn parse_org_key(key: &str) -> Option<(&str, &str)> {
    key.split_once('\n')
}
