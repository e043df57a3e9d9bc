//! Legacy identity stores: a customer's existing user database or sign-in endpoint, as a
//! `legacy` connection. Pure rules; reaching the stores happens in `services::legacy`.
use super::ConnectionId;

/// Where the legacy store's users are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A database Usher reads with one SELECT per sign-in, and checks the hash itself.
    Sql,
    /// An endpoint that checks an email and password and answers with the user.
    Http,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sql => "sql",
            Self::Http => "http",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "sql" => Some(Self::Sql),
            "http" => Some(Self::Http),
            _ => None,
        }
    }
}

/// What a successful sign-in against the legacy store does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The legacy store stays the place of the password: every sign-in asks it, and Usher
    /// keeps the profile and memberships only.
    Proxy,
    /// The first sign-in brings the user over, password rehashed to argon2id; the legacy
    /// store is not asked about them again.
    Migrate,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Proxy => "proxy",
            Self::Migrate => "migrate",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "proxy" => Some(Self::Proxy),
            "migrate" => Some(Self::Migrate),
            _ => None,
        }
    }
}

/// How the store's ids compare, which decides where a keyset-paged read of all users starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdType {
    Integer,
    Text,
}

impl IdType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Integer => "integer",
            Self::Text => "text",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "integer" => Some(Self::Integer),
            "text" => Some(Self::Text),
            _ => None,
        }
    }
}

/// The kind of database a URL names, by its scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Postgres,
    Mysql,
    Sqlite,
}

impl Dialect {
    pub fn of_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0.to_ascii_lowercase();
        match scheme.as_str() {
            "postgres" | "postgresql" => Some(Self::Postgres),
            "mysql" | "mariadb" => Some(Self::Mysql),
            "sqlite" => Some(Self::Sqlite),
            _ => None,
        }
    }

    /// The dialect as stored (`as_str`).
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "postgres" => Some(Self::Postgres),
            "mysql" => Some(Self::Mysql),
            "sqlite" => Some(Self::Sqlite),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Postgres => "postgres",
            Self::Mysql => "mysql",
            Self::Sqlite => "sqlite",
        }
    }

    /// The database's name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Postgres => "PostgreSQL",
            Self::Mysql => "MySQL / MariaDB",
            Self::Sqlite => "SQLite",
        }
    }

    /// Why `query` does not take `params` parameters in this database's syntax, if it does not.
    pub fn check_placeholders(self, query: &str, params: usize) -> Result<(), String> {
        let uses_dollar = query.contains("$1");
        let question_marks = query.matches('?').count();
        match self {
            Self::Mysql if uses_dollar || question_marks != params => Err(format!(
                "MySQL and MariaDB write parameters as ?: this query needs {params} of them."
            )),
            Self::Postgres | Self::Sqlite
                if !(1..=params).all(|n| query.contains(&format!("${n}"))) =>
            {
                let wanted: Vec<String> = (1..=params).map(|n| format!("${n}")).collect();
                Err(format!(
                    "{} writes parameters as $1, $2…: this query needs {}.",
                    self.label(),
                    wanted.join(" and ")
                ))
            }
            _ => Ok(()),
        }
    }
}

/// A legacy connection's settings, as stored (its address and token sealed).
#[derive(Debug, Clone)]
pub struct LegacyConnection {
    pub connection_id: ConnectionId,
    pub name: String,
    pub backend: Backend,
    pub mode: Mode,
    /// `postgres`, `mysql` or `sqlite` for a database, `http` or `https` for an endpoint.
    pub dialect: String,
    pub sealed_address: String,
    pub sealed_token: Option<String>,
    pub lookup_query: Option<String>,
    pub all_users_query: Option<String>,
    pub id_type: IdType,
    /// One more at every change of the settings.
    pub version: i64,
    /// The last time a sign-in could not ask the store, and why.
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl LegacyConnection {
    /// What the address is, for people: never the address itself.
    pub fn address_label(&self) -> &'static str {
        match Dialect::parse(&self.dialect) {
            Some(dialect) => dialect.label(),
            None if self.dialect == "https" => "HTTPS endpoint",
            None => "HTTP endpoint",
        }
    }

    /// Whether its users can be read all at once ("import the rest").
    pub fn can_import_the_rest(&self) -> bool {
        self.backend == Backend::Sql && self.all_users_query.is_some()
    }
}

/// Reads a truthy column or JSON value the way databases spell booleans.
pub fn truthy(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "t" | "true" | "y" | "yes"
    )
}

/// The columns the lookup and all-users queries must return.
pub const COLUMNS: [&str; 5] = ["id", "email", "password_hash", "name", "email_verified"];

/// The columns of `got` that a query must return and does not.
pub fn missing_columns(got: &[String]) -> Vec<&'static str> {
    COLUMNS
        .into_iter()
        .filter(|wanted| !got.iter().any(|column| column.eq_ignore_ascii_case(wanted)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialects_come_from_the_url_scheme() {
        assert_eq!(
            Dialect::of_url("mysql://root@127.0.0.1/test"),
            Some(Dialect::Mysql)
        );
        assert_eq!(Dialect::of_url("postgresql://x/y"), Some(Dialect::Postgres));
        assert_eq!(Dialect::of_url("sqlite:///tmp/a.db"), Some(Dialect::Sqlite));
        assert_eq!(Dialect::of_url("mongodb://x"), None);
        assert_eq!(Dialect::of_url("no scheme"), None);
    }

    #[test]
    fn placeholders_follow_the_database() {
        let dollar = "SELECT * FROM u WHERE id > $1 ORDER BY id LIMIT $2";
        let question = "SELECT * FROM u WHERE id > ? ORDER BY id LIMIT ?";
        assert!(Dialect::Postgres.check_placeholders(dollar, 2).is_ok());
        assert!(Dialect::Sqlite.check_placeholders(dollar, 2).is_ok());
        assert!(Dialect::Mysql.check_placeholders(question, 2).is_ok());
        assert!(Dialect::Mysql.check_placeholders(dollar, 2).is_err());
        assert!(Dialect::Postgres.check_placeholders(question, 2).is_err());
        assert!(
            Dialect::Postgres
                .check_placeholders("SELECT * FROM u WHERE id > $1", 2)
                .is_err()
        );
    }

    #[test]
    fn missing_columns_are_named() {
        let got = vec!["ID".to_owned(), "email".to_owned(), "name".to_owned()];
        assert_eq!(
            missing_columns(&got),
            vec!["password_hash", "email_verified"]
        );
    }

    #[test]
    fn booleans_as_databases_spell_them() {
        for yes in ["1", "true", "TRUE", "t", "yes"] {
            assert!(truthy(yes), "{yes}");
        }
        for no in ["0", "false", "f", "", "no"] {
            assert!(!truthy(no), "{no}");
        }
    }
}
