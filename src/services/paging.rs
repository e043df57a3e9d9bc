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

/// Where a member search page starts: the members whose email matches come first, by email,
/// then those whose name alone matches, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchCursor {
    /// After this (email, user id) among the email matches.
    Email(String, String),
    /// After this (name key, user id) among the name matches.
    Name(String, String),
}

impl SearchCursor {
    /// `e\n{email}\n{user id}` or `n\n{name key}\n{user id}`.
    pub fn key(&self) -> String {
        match self {
            Self::Email(email, id) => format!("e\n{email}\n{id}"),
            Self::Name(name, id) => format!("n\n{name}\n{id}"),
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        let (kind, rest) = key.split_once('\n')?;
        let (value, id) = rest.rsplit_once('\n')?;
        let (value, id) = (value.to_owned(), id.to_owned());
        match kind {
            "e" => Some(Self::Email(value, id)),
            "n" => Some(Self::Name(value, id)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_cursors_survive_their_key() {
        for cursor in [
            SearchCursor::Email("ada@example.com".into(), "u1".into()),
            SearchCursor::Name("ada\nlovelace".into(), "u2".into()),
        ] {
            assert_eq!(SearchCursor::parse(&cursor.key()), Some(cursor));
        }
        assert_eq!(SearchCursor::parse("x\na\nb"), None);
        assert_eq!(SearchCursor::parse("garbage"), None);
    }
}
