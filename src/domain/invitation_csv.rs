//! The file of a bulk invitation: `email,role` per line (the header is optional, the role
//! defaults to member). A file that is not such a file is refused whole, with where it went
//! wrong; rows that are merely invalid are reported one by one later.
use std::fmt;

/// The most rows one file may invite.
pub const MAX_ROWS: usize = 10_000;
/// The largest file accepted: 10,000 long addresses with a role fit well within it.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

/// One row as it stands in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    /// 1-based line number in the file.
    pub line: u64,
    pub email: String,
    pub role: String,
}

/// Why a whole file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvError {
    TooLarge,
    NotUtf8,
    TooManyRows,
    Empty,
    /// A line with another number of columns than one or two.
    WrongColumns {
        line: u64,
        found: usize,
    },
    /// The file is not CSV at all (an unclosed quote, say).
    Malformed {
        line: u64,
    },
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge => write!(
                f,
                "The file is larger than 2 MB. Split it into smaller files."
            ),
            Self::NotUtf8 => write!(
                f,
                "The file is not UTF-8 text. Save it as CSV (UTF-8) and try again."
            ),
            Self::TooManyRows => write!(
                f,
                "The file has more than {MAX_ROWS} rows. Split it into smaller files."
            ),
            Self::Empty => write!(
                f,
                "The file has no rows. Put one address per line: email,role."
            ),
            Self::WrongColumns { line, found } => write!(
                f,
                "Line {line} has {found} columns. Each line needs an email and, optionally, a role: email,role."
            ),
            Self::Malformed { line } => {
                write!(f, "Line {line} is not valid CSV (check its quotes).")
            }
        }
    }
}

/// Reads the rows of `bytes`, or refuses the file.
pub fn parse(bytes: &[u8]) -> Result<Vec<CsvRow>, CsvError> {
    if bytes.len() > MAX_BYTES {
        return Err(CsvError::TooLarge);
    }
    let text = std::str::from_utf8(bytes).map_err(|_| CsvError::NotUtf8)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    // The reader's line count and offsets skip blank lines: a record's line is counted from
    // where the reader started on it, past the blank lines in front of it.
    let line_at = |byte: u64| {
        let bytes = text.as_bytes();
        let mut at = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
        while at < bytes.len() && matches!(bytes[at], b'\n' | b'\r') {
            at += 1;
        }
        bytes[..at].iter().filter(|b| **b == b'\n').count() as u64 + 1
    };
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(|err| CsvError::Malformed {
            line: err
                .position()
                .map_or(index as u64 + 1, |p| line_at(p.byte())),
        })?;
        let line = record
            .position()
            .map_or(index as u64 + 1, |p| line_at(p.byte()));
        let fields: Vec<&str> = record.iter().collect();
        if fields.iter().all(|field| field.is_empty()) {
            continue;
        }
        let is_header = index == 0 && fields[0].eq_ignore_ascii_case("email");
        if is_header {
            continue;
        }
        let (email, role) = match fields.as_slice() {
            [email] => (*email, "member"),
            [email, ""] => (*email, "member"),
            [email, role] => (*email, *role),
            _ => {
                return Err(CsvError::WrongColumns {
                    line,
                    found: fields.len(),
                });
            }
        };
        rows.push(CsvRow {
            line,
            email: email.to_owned(),
            role: role.to_lowercase(),
        });
        if rows.len() > MAX_ROWS {
            return Err(CsvError::TooManyRows);
        }
    }
    if rows.is_empty() {
        return Err(CsvError::Empty);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_with_or_without_header_and_role() {
        let rows = parse(b"email,role\nada@example.com,admin\n\ngrace@example.com\n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(
            rows[0],
            CsvRow {
                line: 2,
                email: "ada@example.com".into(),
                role: "admin".into()
            }
        );
        assert_eq!(rows[1].role, "member");
        assert_eq!(rows[1].line, 4);
        assert_eq!(parse(b"ada@example.com,Owner").unwrap()[0].role, "owner");
    }

    #[test]
    fn bad_files_are_refused_whole() {
        assert_eq!(
            parse(b"a@b.c,member,extra"),
            Err(CsvError::WrongColumns { line: 1, found: 3 })
        );
        assert_eq!(parse(&[0xff, 0xfe, 0x00]), Err(CsvError::NotUtf8));
        assert_eq!(parse(b"email,role\n"), Err(CsvError::Empty));
        let many: String = (0..=MAX_ROWS)
            .map(|i| format!("u{i}@example.com\n"))
            .collect();
        assert_eq!(parse(many.as_bytes()), Err(CsvError::TooManyRows));
        assert_eq!(parse(&vec![b'a'; MAX_BYTES + 1]), Err(CsvError::TooLarge));
    }
}
