//! Keyset pagination: one page size, and the opaque cursor that starts the next page. A page's
//! cost does not grow with how far into the list it is.

pub const PER_PAGE: i64 = 50;

/// One page of a list, with the cursor of the next page when there is one.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// A page of `items`, fetched `PER_PAGE` at a time: a full page has a next one, keyed by
    /// its last item.
    pub fn of(items: Vec<T>, key: impl Fn(&T) -> String) -> Self {
        let next = (items.len() as i64 == PER_PAGE)
            .then(|| items.last().map(key))
            .flatten();
        Self { items, next }
    }
}

/// Member pages are keyed by `{joined}.{user id}`.
pub fn member_key(joined_at: i64, user_id: &str) -> String {
    format!("{joined_at}.{user_id}")
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

/// Member search pages are keyed by `{email}\n{user id}`.
pub fn search_key(email: &str, user_id: &str) -> String {
    format!("{email}\n{user_id}")
}

pub fn parse_search_key(key: &str) -> Option<(&str, &str)> {
    key.split_once('\n')
}
