//! Reading and writing tables as CSV (UTF-8, header line, comma-separated).
//!
//! Column types are inferred: a column whose every non-empty cell is a canonical integer (no
//! leading zeros or plus sign, so ids such as `007` stay text) is integer; a column of numbers is
//! float (empty cells become NaN, which validation reports as missing); `true`/`false` is boolean;
//! anything else is text. Writing then reading a table gives the same table back.

use std::path::Path;

use super::table::whole_number_text;
use super::{ColumnData, Table};
use crate::error::{Error, Result};

/// The longest record (line) [`read_csv`] accepts, in bytes. A registry row is well under a
/// kilobyte; a file without line ends (or `/dev/zero`) is refused here instead of filling memory.
pub const MAX_RECORD_BYTES: u64 = 1 << 20;

/// `line`: the line the reader was at, for errors that carry no position (I/O errors).
fn parse_error(path: &Path, err: csv::Error, line: u64) -> Error {
    let line = err.position().map_or(line, csv::Position::line);
    let message = err.to_string();
    match err.into_kind() {
        csv::ErrorKind::Io(source) => read_error(path, line, source),
        _ => Error::Parse {
            path: path.display().to_string(),
            line,
            message,
        },
    }
}

/// An I/O error while reading: [`Error::Io`], unless it is the cancellation or the record limit
/// raised by [`Limited`].
fn read_error(path: &Path, line: u64, source: std::io::Error) -> Error {
    match source.get_ref().and_then(|e| e.downcast_ref::<Stop>()) {
        Some(Stop::Cancelled) => Error::Cancelled,
        Some(Stop::TooLong) => csv_error(
            path,
            line.max(1),
            None,
            None,
            None,
            format!(
                "a record (line) longer than {MAX_RECORD_BYTES} bytes: not a CSV file of \
                 registry rows (or a line end is missing)"
            ),
        ),
        None => Error::Io {
            path: path.to_path_buf(),
            source,
        },
    }
}

fn csv_error(
    path: &Path,
    line: u64,
    row: Option<usize>,
    column: Option<String>,
    value: Option<String>,
    message: String,
) -> Error {
    Error::Csv {
        path: path.display().to_string(),
        line,
        row,
        column,
        value,
        message,
    }
}

/// Why [`Limited`] stopped a read.
#[derive(Debug)]
enum Stop {
    Cancelled,
    TooLong,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stop::Cancelled => "cancelled",
            Stop::TooLong => "record too long",
        })
    }
}

impl std::error::Error for Stop {}

/// A reader that stops once more than [`MAX_RECORD_BYTES`] (plus the CSV reader's buffer) are read
/// without the counter being reset — the caller resets it after each record — and when the read is
/// cancelled (see [`crate::cancel`]).
struct Limited<R> {
    inner: R,
    since_record: std::rc::Rc<std::cell::Cell<u64>>,
    cancel: Option<crate::cancel::Token>,
}

impl<R: std::io::Read> std::io::Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let stop = |why| Err(std::io::Error::other(why));
        if self
            .cancel
            .as_ref()
            .is_some_and(crate::cancel::Token::is_cancelled)
        {
            return stop(Stop::Cancelled);
        }
        if self.since_record.get() > MAX_RECORD_BYTES + BUFFER as u64 {
            return stop(Stop::TooLong);
        }
        let n = self.inner.read(buf)?;
        self.since_record.set(self.since_record.get() + n as u64);
        Ok(n)
    }
}

/// The CSV reader's buffer, in bytes.
const BUFFER: usize = 64 * 1024;

fn is_canonical_int(s: &str) -> Option<i64> {
    let v: i64 = s.parse().ok()?;
    (v.to_string() == s).then_some(v)
}

/// The cells of one column as read: their text end to end, and where each ends (two allocations
/// a column, not one a cell, so 10^7 rows are quick to read and to drop).
#[derive(Debug, Default)]
struct Cells {
    text: String,
    ends: Vec<usize>,
}

impl Cells {
    fn push(&mut self, cell: &str) {
        self.text.push_str(cell);
        self.ends.push(self.text.len());
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        // Every end was a string's end when pushed, so it is a character boundary.
        self.text.get(start..self.ends[i]).unwrap_or_default()
    }

    fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i))
    }
}

fn infer(cells: &Cells) -> Result<ColumnData> {
    let non_empty = || cells.iter().filter(|c| !c.is_empty());
    let any_empty = cells.iter().any(str::is_empty);
    let mut ints = Vec::with_capacity(cells.len());
    if !any_empty && !cells.is_empty() {
        for (i, c) in cells.iter().enumerate() {
            crate::cancel::poll(i)?;
            match is_canonical_int(c) {
                Some(v) => ints.push(v),
                None => break,
            }
        }
        if ints.len() == cells.len() {
            return Ok(ColumnData::Int(ints));
        }
    }
    drop(ints);
    if !any_empty && !cells.is_empty() && non_empty().all(|c| c == "true" || c == "false") {
        return Ok(ColumnData::Bool(
            cells.iter().map(|c| c == "true").collect(),
        ));
    }
    // Whole numbers not written in canonical form (`007`, `+5`, `-0`) are codes, not numbers (as
    // numbers they would become the ids 7, 5 and 0), and whole numbers beyond 64 bits (ids of 2^63
    // and more) would be rounded as floats: keep such columns as text, exactly. Numeric columns
    // read text as numbers.
    let coded = |c: &str| whole_number_text(c).is_some() && is_canonical_int(c).is_none();
    let mut floats = Vec::with_capacity(cells.len());
    let mut numeric = non_empty().next().is_some();
    for (i, c) in cells.iter().enumerate() {
        if !numeric {
            break;
        }
        crate::cancel::poll(i)?;
        if c.is_empty() {
            floats.push(f64::NAN);
            continue;
        }
        match c.trim().parse::<f64>() {
            Ok(x) if !coded(c) => floats.push(x),
            _ => numeric = false,
        }
    }
    if numeric {
        return Ok(ColumnData::Float(floats));
    }
    drop(floats);
    let mut text = Vec::with_capacity(cells.len());
    for (i, c) in cells.iter().enumerate() {
        crate::cancel::poll(i)?;
        text.push((!c.is_empty()).then(|| c.to_string()));
    }
    Ok(ColumnData::Text(text))
}

/// Read a CSV file into a [`Table`] named after the file.
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened or read (a directory, say); [`Error::Csv`] for
/// malformed CSV, naming the line and, where known, the row, column and value: ragged rows, bytes
/// that are not UTF-8 (a GBK file, say), a header name given twice, a record longer than
/// [`MAX_RECORD_BYTES`]; [`Error::Cancelled`] when the read is cancelled (see [`crate::cancel`]).
pub fn read_csv(path: impl AsRef<Path>) -> Result<Table> {
    let path = path.as_ref();
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    if file.metadata().map_err(io)?.is_dir() {
        return Err(io(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a directory, not a CSV file",
        )));
    }
    read_csv_from(file, &file_name(path), path)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    )
}

/// Bytes of a cell that is not UTF-8, for a message: printable ASCII as is, every other byte as
/// `\xNN` (the first 64 bytes).
fn show_bytes(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(64)];
    let mut out = String::new();
    for &b in shown {
        if b.is_ascii_graphic() || b == b' ' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    if bytes.len() > shown.len() {
        out.push('…');
    }
    format!("\"{out}\"")
}

/// The fields of `record` as text, or the error naming the first field that is not UTF-8.
fn fields<'r>(
    record: &'r csv::ByteRecord,
    headers: Option<&[String]>,
    path: &Path,
    line: u64,
    row: Option<usize>,
) -> Result<Vec<&'r str>> {
    record
        .iter()
        .enumerate()
        .map(|(k, bytes)| {
            std::str::from_utf8(bytes).map_err(|_| {
                let column = headers.and_then(|h| h.get(k).cloned());
                let place = match (&row, &column) {
                    (Some(r), Some(c)) => format!("row {r}, column `{c}`"),
                    _ => format!("header, field {}", k + 1),
                };
                csv_error(
                    path,
                    line,
                    row,
                    column,
                    Some(show_bytes(bytes)),
                    format!(
                        "{place}: {} is not valid UTF-8 (a GBK/GB18030 file? save it as UTF-8)",
                        show_bytes(bytes)
                    ),
                )
            })
        })
        .collect()
}

/// Read CSV from any reader; `name` names the table in error messages.
///
/// # Errors
/// As [`read_csv`].
pub fn read_csv_from(reader: impl std::io::Read, name: &str, path: &Path) -> Result<Table> {
    let since_record = std::rc::Rc::new(std::cell::Cell::new(0u64));
    let limited = Limited {
        inner: reader,
        since_record: since_record.clone(),
        cancel: crate::cancel::current(),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(BUFFER)
        .from_reader(limited);
    let mut record = csv::ByteRecord::new();
    let line = |rdr: &csv::Reader<_>| rdr.position().line();
    if !rdr
        .read_byte_record(&mut record)
        .map_err(|e| parse_error(path, e, 1))?
    {
        return Ok(Table::new(name));
    }
    since_record.set(0);
    let headers: Vec<String> = fields(&record, None, path, 1, None)?
        .into_iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    for (k, h) in headers.iter().enumerate() {
        if h.is_empty() {
            // A column without a name cannot be read or reported by name: refuse it rather than
            // ignore its cells.
            return Err(csv_error(
                path,
                1,
                None,
                None,
                Some(String::new()),
                format!(
                    "header: field {} has no column name (name it or remove it)",
                    k + 1
                ),
            ));
        }
        if let Some(first) = headers[..k].iter().position(|o| o == h) {
            return Err(csv_error(
                path,
                1,
                None,
                Some(h.clone()),
                Some(h.clone()),
                format!(
                    "header: column `{h}` is named twice (fields {} and {})",
                    first + 1,
                    k + 1
                ),
            ));
        }
    }
    let mut cells: Vec<Cells> = headers.iter().map(|_| Cells::default()).collect();
    let mut row = 0usize;
    loop {
        let at = line(&rdr);
        if !rdr
            .read_byte_record(&mut record)
            .map_err(|e| parse_error(path, e, at))?
        {
            break;
        }
        since_record.set(0);
        row += 1;
        crate::cancel::poll(row)?;
        let at = record.position().map_or(at, csv::Position::line);
        if record.len() != headers.len() {
            return Err(ragged(path, at, row, &headers, record.len()));
        }
        for (col, cell) in
            cells
                .iter_mut()
                .zip(fields(&record, Some(&headers), path, at, Some(row))?)
        {
            col.push(cell.trim());
        }
    }
    let mut table = Table::new(name);
    for (header, col) in headers.into_iter().zip(cells) {
        table.push(header, infer(&col)?)?;
    }
    Ok(table)
}

/// A row with another number of fields than the header: names the first missing column (or the
/// count of extra fields).
fn ragged(path: &Path, line: u64, row: usize, headers: &[String], found: usize) -> Error {
    let expected = headers.len();
    let (column, what) = if found < expected {
        let c = headers[found].clone();
        (
            Some(c.clone()),
            format!("column `{c}` and later ones are missing"),
        )
    } else {
        (
            None,
            format!("{} extra field(s) beyond the header's", found - expected),
        )
    };
    csv_error(
        path,
        line,
        Some(row),
        column,
        Some(format!("{found} fields")),
        format!("row {row}: {found} fields, the header has {expected}: {what}"),
    )
}

/// Write a table as CSV. Floats are written in their shortest round-trip form; NaN as an empty cell.
pub fn write_csv(table: &Table, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let file = std::fs::File::create(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    write_csv_to(table, std::io::BufWriter::new(file), path)
}

/// Write a table as CSV to any writer.
pub fn write_csv_to(table: &Table, writer: impl std::io::Write, path: &Path) -> Result<()> {
    let mut wtr = csv::Writer::from_writer(writer);
    let io = |e: csv::Error| parse_error(path, e, 0);
    wtr.write_record(table.columns.iter().map(|c| c.name.as_str()))
        .map_err(io)?;
    for row in 0..table.nrows() {
        wtr.write_record(table.columns.iter().map(|c| c.data.cell_text(row)))
            .map_err(io)?;
    }
    wtr.flush().map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
#[path = "csv_io_tests.rs"]
mod tests;
