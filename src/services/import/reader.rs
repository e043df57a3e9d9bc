//! Reads an import file a row at a time, whatever its size: a JSON array of user objects,
//! NDJSON, or CSV. Each row comes with the byte after it, so that an import can stop after any
//! row and go on from there later; a file that is not what it says fails with the position of
//! the fault.
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use serde_json::Value;

use crate::domain::import::{CSV_COLUMNS, ImportFormat, ImportRecord, RowError};

/// Where reading stands: the byte after the last row read, and its line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Position {
    pub offset: u64,
    pub line: i64,
}

/// A row, where it starts (its line), and the position after it.
pub struct Row {
    pub line: i64,
    pub after: Position,
    pub record: Result<ImportRecord, RowError>,
    /// The row's email as written, for the report of a row that failed.
    pub email: Option<String>,
}

/// A row as read, before it is made into a user: JSON as `T` (a `Value` to import it, or
/// `IgnoredAny` when only the file's shape is checked), or a CSV record.
enum Raw<T> {
    Json(T),
    Csv(csv::StringRecord),
}

impl Row {
    fn of(line: i64, after: Position, raw: Raw<Value>) -> Self {
        match raw {
            Raw::Json(value) => Row {
                line,
                after,
                record: ImportRecord::from_auth0(&value),
                email: email_in(&value),
            },
            Raw::Csv(record) => {
                let field = |i: usize| record.get(i).unwrap_or_default();
                Row {
                    line,
                    after,
                    record: ImportRecord::from_csv([field(0), field(1), field(2), field(3)]),
                    email: Some(field(0).to_owned()),
                }
            }
        }
    }
}

fn email_in(value: &Value) -> Option<String> {
    value
        .get("email")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Why a file cannot be imported: what is wrong, and where (line 1 is the first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct FileError {
    pub line: i64,
    pub message: String,
}

impl FileError {
    fn at(line: i64, message: impl Into<String>) -> Self {
        Self {
            line,
            message: message.into(),
        }
    }
}

/// A reader that counts the bytes and line breaks that pass through it.
struct Counting<R> {
    inner: R,
    offset: u64,
    line: i64,
}

impl<R: BufRead> Counting<R> {
    /// The next byte, without taking it.
    fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.inner.fill_buf()?.first().copied())
    }

    fn take_byte(&mut self) -> io::Result<Option<u8>> {
        let byte = self.peek()?;
        if let Some(byte) = byte {
            self.inner.consume(1);
            self.offset += 1;
            if byte == b'\n' {
                self.line += 1;
            }
        }
        Ok(byte)
    }

    /// Skips whitespace; the first other byte, not taken.
    fn skip_space(&mut self) -> io::Result<Option<u8>> {
        while let Some(byte) = self.peek()? {
            if !byte.is_ascii_whitespace() {
                return Ok(Some(byte));
            }
            self.take_byte()?;
        }
        Ok(None)
    }
}

impl<R: BufRead> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.offset += n as u64;
        self.line += buf[..n].iter().filter(|&&b| b == b'\n').count() as i64;
        Ok(n)
    }
}

enum Shape {
    /// A JSON array: `started` once past its `[`.
    Array {
        started: bool,
        first: bool,
    },
    Lines,
    Csv(Box<csv::Reader<File>>),
}

pub struct Reader {
    input: Counting<BufReader<File>>,
    shape: Shape,
    done: bool,
}

fn io_error(line: i64) -> impl Fn(io::Error) -> FileError {
    move |err| FileError::at(line, format!("the file cannot be read: {err}"))
}

impl Reader {
    /// Opens `path` to read its rows from `from` (the start, or where an import stopped).
    pub fn open(path: &Path, format: ImportFormat, from: Position) -> Result<Self, FileError> {
        let mut file = File::open(path).map_err(io_error(0))?;
        let shape = match format {
            ImportFormat::Json => Shape::Array {
                started: from.offset > 0,
                first: from.offset == 0,
            },
            ImportFormat::Ndjson => Shape::Lines,
            ImportFormat::Csv => Shape::Csv(Box::new(csv_reader(path, from)?)),
        };
        file.seek(SeekFrom::Start(from.offset))
            .map_err(io_error(from.line))?;
        Ok(Self {
            input: Counting {
                inner: BufReader::with_capacity(64 * 1024, file),
                offset: from.offset,
                line: from.line.max(1),
            },
            shape,
            done: false,
        })
    }

    fn position(&self) -> Position {
        Position {
            offset: self.input.offset,
            line: self.input.line,
        }
    }

    /// The next row; `None` at the end of the file.
    pub fn next_row(&mut self) -> Result<Option<Row>, FileError> {
        Ok(self
            .next_raw::<Value>()?
            .map(|(line, after, raw)| Row::of(line, after, raw)))
    }

    /// The next row, its line and the position after it, its JSON read as `T`.
    fn next_raw<T: serde::de::DeserializeOwned>(
        &mut self,
    ) -> Result<Option<(i64, Position, Raw<T>)>, FileError> {
        if self.done {
            return Ok(None);
        }
        let row = match &mut self.shape {
            Shape::Array { .. } => self.next_in_array()?,
            Shape::Lines => self.next_line()?,
            Shape::Csv(_) => self.next_csv()?,
        };
        self.done = row.is_none();
        Ok(row)
    }

    fn next_in_array<T: serde::de::DeserializeOwned>(
        &mut self,
    ) -> Result<Option<(i64, Position, Raw<T>)>, FileError> {
        let Shape::Array { started, first } = &mut self.shape else {
            return Ok(None);
        };
        let line = self.input.line;
        let io = io_error(line);
        if !*started {
            match self.input.skip_space().map_err(&io)? {
                Some(b'[') => {
                    self.input.take_byte().map_err(&io)?;
                    *started = true;
                }
                _ => {
                    return Err(FileError::at(
                        self.input.line,
                        "a JSON import file is an array: it starts with [",
                    ));
                }
            }
        }
        match self.input.skip_space().map_err(&io)? {
            Some(b']') => {
                self.input.take_byte().map_err(&io)?;
                if self.input.skip_space().map_err(&io)?.is_some() {
                    return Err(FileError::at(
                        self.input.line,
                        "something follows the array's closing ]",
                    ));
                }
                return Ok(None);
            }
            Some(b',') if !*first => {
                self.input.take_byte().map_err(&io)?;
            }
            None => {
                return Err(FileError::at(
                    self.input.line,
                    "the array is not closed with ]",
                ));
            }
            Some(_) if *first => {}
            Some(_) => {
                return Err(FileError::at(
                    self.input.line,
                    "expected , or ] between users",
                ));
            }
        }
        *first = false;
        let next = self.input.skip_space().map_err(&io)?;
        let line = self.input.line;
        if next.is_some_and(|byte| byte == b'-' || byte.is_ascii_digit()) {
            // A number is read one byte past its end: the array cannot be followed on.
            return Err(FileError::at(
                line,
                "a number where a user object should be",
            ));
        }
        let mut deserializer = serde_json::Deserializer::from_reader(&mut self.input);
        let value = T::deserialize(&mut deserializer).map_err(|err| {
            FileError::at(line + err.line() as i64 - 1, format!("not JSON: {err}"))
        })?;
        Ok(Some((line, self.position(), Raw::Json(value))))
    }

    fn next_line<T: serde::de::DeserializeOwned>(
        &mut self,
    ) -> Result<Option<(i64, Position, Raw<T>)>, FileError> {
        loop {
            let line = self.input.line;
            let mut text = String::new();
            let read = self
                .input
                .inner
                .read_line(&mut text)
                .map_err(|_| FileError::at(line, "the file is not UTF-8 text"))?;
            if read == 0 {
                return Ok(None);
            }
            self.input.offset += read as u64;
            if text.ends_with('\n') {
                self.input.line += 1;
            }
            if text.trim().is_empty() {
                continue;
            }
            let value: T = serde_json::from_str(&text)
                .map_err(|err| FileError::at(line, format!("not JSON: {err}")))?;
            return Ok(Some((line, self.position(), Raw::Json(value))));
        }
    }

    fn next_csv<T>(&mut self) -> Result<Option<(i64, Position, Raw<T>)>, FileError> {
        let Shape::Csv(reader) = &mut self.shape else {
            return Ok(None);
        };
        let mut record = csv::StringRecord::new();
        let line = reader.position().line() as i64;
        let more = reader
            .read_record(&mut record)
            .map_err(|err| FileError::at(line, format!("not CSV: {err}")))?;
        if !more {
            return Ok(None);
        }
        let line = record.position().map_or(line, |p| p.line() as i64);
        if record.len() != CSV_COLUMNS.len() {
            return Err(FileError::at(
                line,
                format!(
                    "expected {} columns ({}), found {}",
                    CSV_COLUMNS.len(),
                    CSV_COLUMNS.join(","),
                    record.len()
                ),
            ));
        }
        let after = reader.position();
        let after = Position {
            offset: after.byte(),
            line: after.line() as i64,
        };
        Ok(Some((line, after, Raw::Csv(record))))
    }
}

/// A CSV reader past the header (which must name the columns), at `from` when resuming.
fn csv_reader(path: &Path, from: Position) -> Result<csv::Reader<File>, FileError> {
    let file = File::open(path).map_err(io_error(0))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(file);
    let headers = reader
        .headers()
        .map_err(|err| FileError::at(1, format!("not CSV: {err}")))?;
    let names: Vec<String> = headers
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    if names != CSV_COLUMNS {
        return Err(FileError::at(
            1,
            format!("the header must be {}", CSV_COLUMNS.join(",")),
        ));
    }
    if from.offset > 0 {
        let mut position = csv::Position::new();
        position.set_byte(from.offset).set_line(from.line as u64);
        reader.seek(position).map_err(|err| {
            FileError::at(
                from.line,
                format!("cannot go on from where the import stopped: {err}"),
            )
        })?;
    }
    Ok(reader)
}

/// Reads the whole file once, checking its shape (not its rows): how many rows it has, or the
/// first fault. An import checks this before it imports anything.
pub fn check(path: &Path, format: ImportFormat) -> Result<i64, FileError> {
    let mut reader = Reader::open(path, format, Position::default())?;
    let mut rows = 0;
    // Each row's JSON is checked for its syntax only: what it says is judged at import.
    while reader.next_raw::<serde::de::IgnoredAny>()?.is_some() {
        rows += 1;
    }
    Ok(rows)
}
