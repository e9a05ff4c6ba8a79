//! Reading and writing tables as CSV (UTF-8, header line, comma-separated).
//!
//! Column types are inferred: a column whose every non-empty cell is a canonical integer (no
//! leading zeros or plus sign, so ids such as `007` stay text) is integer; a column of numbers is
//! float (empty cells become NaN, which validation reports as missing); `true`/`false` is boolean;
//! anything else is text. Writing then reading a table gives the same table back.

use std::path::Path;

use super::{ColumnData, Table};
use crate::error::{Error, Result};

fn parse_error(path: &Path, err: &csv::Error) -> Error {
    Error::Parse {
        path: path.display().to_string(),
        line: err.position().map_or(0, |p| p.line()),
        message: err.to_string(),
    }
}

fn is_canonical_int(s: &str) -> Option<i64> {
    let v: i64 = s.parse().ok()?;
    (v.to_string() == s).then_some(v)
}

fn infer(cells: Vec<String>) -> ColumnData {
    let non_empty = || cells.iter().filter(|c| !c.is_empty());
    let any_empty = cells.iter().any(String::is_empty);
    if !any_empty && !cells.is_empty() && non_empty().all(|c| is_canonical_int(c).is_some()) {
        return ColumnData::Int(cells.iter().filter_map(|c| is_canonical_int(c)).collect());
    }
    if !any_empty && !cells.is_empty() && non_empty().all(|c| c == "true" || c == "false") {
        return ColumnData::Bool(cells.iter().map(|c| c == "true").collect());
    }
    // Digits with a leading zero (`007`) are codes, not numbers: keep the column as text.
    let coded = |c: &str| {
        let d = c.strip_prefix('-').unwrap_or(c);
        d.len() > 1 && d.starts_with('0') && d.bytes().all(|b| b.is_ascii_digit())
    };
    if non_empty().next().is_some()
        && !non_empty().any(|c| coded(c))
        && non_empty().all(|c| c.trim().parse::<f64>().is_ok())
    {
        return ColumnData::Float(
            cells
                .iter()
                .map(|c| c.trim().parse::<f64>().unwrap_or(f64::NAN))
                .collect(),
        );
    }
    ColumnData::Text(
        cells
            .into_iter()
            .map(|c| (!c.is_empty()).then_some(c))
            .collect(),
    )
}

/// Read a CSV file into a [`Table`] named after the file.
///
/// # Errors
/// [`Error::Io`] when the file cannot be opened, [`Error::Parse`] for malformed CSV (ragged rows
/// name their line).
pub fn read_csv(path: impl AsRef<Path>) -> Result<Table> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_csv_from(file, &file_name(path), path)
}

fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into(),
    )
}

/// Read CSV from any reader; `name` names the table in error messages.
pub fn read_csv_from(reader: impl std::io::Read, name: &str, path: &Path) -> Result<Table> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| parse_error(path, &e))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    let mut cells: Vec<Vec<String>> = vec![Vec::new(); headers.len()];
    let mut record = csv::StringRecord::new();
    while rdr
        .read_record(&mut record)
        .map_err(|e| parse_error(path, &e))?
    {
        for (col, cell) in cells.iter_mut().zip(record.iter()) {
            col.push(cell.trim().to_string());
        }
    }
    let mut table = Table::new(name);
    for (header, col) in headers.into_iter().zip(cells) {
        table.push(header, infer(col))?;
    }
    Ok(table)
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
    let io = |e: csv::Error| parse_error(path, &e);
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
mod tests {
    use super::*;

    #[test]
    fn inference_keeps_leading_zero_ids_as_text() {
        assert_eq!(
            infer(vec!["007".into(), "8".into()]),
            ColumnData::Text(vec![Some("007".into()), Some("8".into())])
        );
        assert_eq!(
            infer(vec!["7".into(), "-8".into()]),
            ColumnData::Int(vec![7, -8])
        );
        match infer(vec!["1.5".into(), "".into()]) {
            ColumnData::Float(v) => assert!(v[0] == 1.5 && v[1].is_nan()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn round_trip_through_text() {
        let t = Table::new("t")
            .with(
                "id",
                ColumnData::Text(vec![Some("a".into()), Some("b,c".into())]),
            )
            .unwrap()
            .with("x", ColumnData::Float(vec![0.1 + 0.2, 1e-300]))
            .unwrap()
            .with("n", ColumnData::Int(vec![1, 2]))
            .unwrap()
            .with("b", ColumnData::Bool(vec![true, false]))
            .unwrap();
        let mut buf = Vec::new();
        write_csv_to(&t, &mut buf, Path::new("t.csv")).unwrap();
        let back = read_csv_from(buf.as_slice(), "t", Path::new("t.csv")).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn ragged_rows_name_their_line() {
        let text = "a,b\n1,2\n3\n";
        let e = read_csv_from(text.as_bytes(), "t", Path::new("t.csv")).unwrap_err();
        assert!(matches!(e, Error::Parse { line: 3, .. }), "{e}");
    }
}
