//! A minimal column table: the common form in which CSV files, DataFrames and NumPy arrays arrive
//! before validation, and in which the registry leaves again.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::registry::Ids;

/// The values of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnData {
    /// 64-bit integers.
    Int(Vec<i64>),
    /// Floating point; NaN marks a missing value.
    Float(Vec<f64>),
    /// Booleans.
    Bool(Vec<bool>),
    /// Text; `None` marks a missing value.
    Text(Vec<Option<String>>),
}

impl ColumnData {
    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            ColumnData::Int(v) => v.len(),
            ColumnData::Float(v) => v.len(),
            ColumnData::Bool(v) => v.len(),
            ColumnData::Text(v) => v.len(),
        }
    }

    /// True when the column has no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `row` (0-based) as text, for messages and CSV output; missing is empty.
    pub fn cell_text(&self, row: usize) -> String {
        match self {
            ColumnData::Int(v) => v[row].to_string(),
            ColumnData::Float(v) => format_float(v[row]),
            ColumnData::Bool(v) => v[row].to_string(),
            ColumnData::Text(v) => v[row].clone().unwrap_or_default(),
        }
    }
}

/// Shortest text that parses back to the same `f64` (Rust's `Display` guarantees the round trip).
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        x.to_string()
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// The column name.
    pub name: String,
    /// Its values.
    pub data: ColumnData,
}

/// A table of equally long named columns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Table {
    /// The table's name, used in error messages (`households`, `villages`, or a file name).
    pub name: String,
    /// The columns, in order.
    pub columns: Vec<Column>,
}

impl Table {
    /// An empty table called `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Table {
            name: name.into(),
            columns: Vec::new(),
        }
    }

    /// Append a column; the lengths must agree.
    pub fn push(&mut self, name: impl Into<String>, data: ColumnData) -> Result<()> {
        let name = name.into();
        if let Some(first) = self.columns.first()
            && first.data.len() != data.len()
        {
            return Err(Error::LengthMismatch {
                table: self.name.clone(),
                column: name,
                expected: first.data.len(),
                found: data.len(),
            });
        }
        if self.get(&name).is_some() {
            return Err(Error::invalid_value(
                &self.name,
                &name,
                0,
                &name,
                "is a second column of the same name",
            ));
        }
        self.columns.push(Column { name, data });
        Ok(())
    }

    /// Builder form of [`Table::push`].
    pub fn with(mut self, name: impl Into<String>, data: ColumnData) -> Result<Self> {
        self.push(name, data)?;
        Ok(self)
    }

    /// Number of rows (0 for a table without columns).
    pub fn nrows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.data.len())
    }

    /// The column called `name`, if present.
    pub fn get(&self, name: &str) -> Option<&ColumnData> {
        self.columns
            .iter()
            .find(|c| c.name == name)
            .map(|c| &c.data)
    }

    /// The column called `name`, or a [`Error::MissingColumn`]. Every conversion of a column
    /// starts here, so building a registry polls for cancellation (see [`crate::cancel`]) here.
    pub fn require(&self, name: &str) -> Result<&ColumnData> {
        crate::cancel::check()?;
        self.get(name).ok_or_else(|| Error::MissingColumn {
            table: self.name.clone(),
            column: name.to_string(),
        })
    }

    /// Column names in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    /// Read column `name` as identifiers. Integer columns give integer ids, whole-valued float
    /// columns too; text gives text ids. Missing values are errors.
    pub fn ids(&self, name: &str) -> Result<Ids> {
        let data = self.require(name)?;
        let err = |row: usize, value: String, reason: &str| {
            Error::invalid_value(&self.name, name, row + 1, value, reason)
        };
        match data {
            ColumnData::Int(v) => Ok(Ids::Int(v.clone())),
            ColumnData::Float(v) => v
                .iter()
                .enumerate()
                .map(|(row, &x)| {
                    if x.is_nan() {
                        Err(err(
                            row,
                            "(empty)".into(),
                            "is missing; every row needs an id",
                        ))
                    } else if x.fract() != 0.0 || x.abs() > 9.0e15 {
                        Err(err(row, format_float(x), "is not a whole-number id"))
                    } else {
                        // Exact: |x| ≤ 9e15 < 2^53 and x is whole.
                        Ok(x as i64)
                    }
                })
                .collect::<Result<Vec<_>>>()
                .map(Ids::Int),
            ColumnData::Bool(_) => Err(err(0, "true/false".into(), "is not an id column")),
            ColumnData::Text(v) => v
                .iter()
                .enumerate()
                .map(|(row, s)| match s {
                    Some(s) if !s.trim().is_empty() => Ok(s.clone()),
                    _ => Err(err(
                        row,
                        "(empty)".into(),
                        "is missing; every row needs an id",
                    )),
                })
                .collect::<Result<Vec<_>>>()
                .map(Ids::Text),
        }
    }

    /// Read column `name` as finite numbers. NaN, infinities, text and booleans (a true/false
    /// column is not a number: it is never read as 1/0) are errors naming the row and value.
    pub fn numbers(&self, name: &str) -> Result<Vec<f64>> {
        let data = self.require(name)?;
        let err = |row: usize, value: String, reason: &str| {
            Error::invalid_value(&self.name, name, row + 1, value, reason)
        };
        match data {
            ColumnData::Int(v) => v
                .iter()
                .enumerate()
                .map(|(row, &x)| {
                    exact_float(i128::from(x))
                        .ok_or_else(|| err(row, x.to_string(), INEXACT_WHOLE_NUMBER))
                })
                .collect(),
            ColumnData::Bool(v) => Err(err(
                0,
                v.first().map_or_else(String::new, bool::to_string),
                "is true/false, not a number (booleans are not read as 1/0)",
            )),
            ColumnData::Float(v) => {
                if let Some(row) = v.iter().position(|x| !x.is_finite()) {
                    let x = v[row];
                    let (text, reason) = if x.is_nan() {
                        ("NaN".to_string(), "is missing or not a number")
                    } else {
                        (x.to_string(), "is not finite")
                    };
                    return Err(err(row, text, reason));
                }
                Ok(v.clone())
            }
            ColumnData::Text(v) => v
                .iter()
                .enumerate()
                .map(|(row, s)| {
                    let s = s.as_deref().unwrap_or("").trim();
                    if let Some(whole) = whole_number_text(s) {
                        return whole
                            .and_then(exact_float)
                            .or_else(|| shortest_float_form(s))
                            .ok_or_else(|| err(row, s.to_string(), INEXACT_WHOLE_NUMBER));
                    }
                    match s.parse::<f64>() {
                        Ok(x) if x.is_finite() => Ok(x),
                        _ if s.is_empty() => Err(err(row, "(empty)".into(), "is missing")),
                        _ => Err(err(row, format!("{s:?}"), "is not a finite number")),
                    }
                })
                .collect(),
        }
    }

    /// Read column `name` as whole numbers in `0..=max`.
    pub fn counts(&self, name: &str, max: u32) -> Result<Vec<u32>> {
        let values = self.numbers(name)?;
        values
            .iter()
            .enumerate()
            .map(|(row, &x)| {
                if x < 0.0 {
                    Err(Error::invalid_value(
                        &self.name,
                        name,
                        row + 1,
                        format_float(x),
                        "is negative",
                    ))
                } else if x.fract() != 0.0 {
                    Err(Error::invalid_value(
                        &self.name,
                        name,
                        row + 1,
                        format_float(x),
                        "is not a whole number",
                    ))
                } else if x > f64::from(max) {
                    Err(Error::invalid_value(
                        &self.name,
                        name,
                        row + 1,
                        format_float(x),
                        format!("exceeds the maximum of {max}"),
                    ))
                } else {
                    Ok(x as u32)
                }
            })
            .collect()
    }

    /// Read column `name` as flags: booleans, 0/1 numbers, or `true/false/yes/no/1/0/是/否` text.
    pub fn flags(&self, name: &str) -> Result<Vec<bool>> {
        let data = self.require(name)?;
        let err = |row: usize, value: String| {
            Error::invalid_value(
                &self.name,
                name,
                row + 1,
                value,
                "is not a yes/no flag (0/1)",
            )
        };
        match data {
            ColumnData::Bool(v) => Ok(v.clone()),
            ColumnData::Int(v) => v
                .iter()
                .enumerate()
                .map(|(row, &x)| match x {
                    0 => Ok(false),
                    1 => Ok(true),
                    _ => Err(err(row, x.to_string())),
                })
                .collect(),
            ColumnData::Float(v) => v
                .iter()
                .enumerate()
                .map(|(row, &x)| {
                    if x == 0.0 {
                        Ok(false)
                    } else if x == 1.0 {
                        Ok(true)
                    } else if x.is_nan() {
                        Err(err(row, "NaN".into()))
                    } else {
                        Err(err(row, format_float(x)))
                    }
                })
                .collect(),
            ColumnData::Text(v) => v
                .iter()
                .enumerate()
                .map(|(row, s)| {
                    let s = s.as_deref().unwrap_or("").trim();
                    match s.to_ascii_lowercase().as_str() {
                        "1" | "true" | "t" | "yes" | "y" | "是" => Ok(true),
                        "0" | "false" | "f" | "no" | "n" | "否" => Ok(false),
                        _ => Err(err(row, format!("{s:?}"))),
                    }
                })
                .collect(),
        }
    }

    /// Read column `name` as optional text (numbers are rendered as text).
    pub fn texts(&self, name: &str) -> Result<Vec<Option<String>>> {
        let data = self.require(name)?;
        Ok(match data {
            ColumnData::Text(v) => v
                .iter()
                .map(|s| s.as_ref().filter(|s| !s.trim().is_empty()).cloned())
                .collect(),
            other => (0..other.len())
                .map(|row| {
                    let s = other.cell_text(row);
                    (!s.is_empty()).then_some(s)
                })
                .collect(),
        })
    }
}

/// Why a whole number is refused where a number is read: rounding it would change it silently.
const INEXACT_WHOLE_NUMBER: &str = "is a whole number that a 64-bit float cannot hold exactly (it would be rounded); \
     give it as a decimal number if rounding is intended";

/// `x` as an `f64` when the float holds it exactly (every whole number up to 2^53, and larger
/// ones that are multiples of the float's spacing there).
fn exact_float(x: i128) -> Option<f64> {
    let f = x as f64;
    // `f` is finite; converting back saturates at i128's range, so a mismatch is an inexact value.
    (f as i128 == x).then_some(f)
}

/// The float whose shortest decimal form is `s` (as fupin, Rust and most writers print a large
/// float: `2^63` as `9223372036854776000`), so such text reads back as the float it was; `None` for
/// any other text, whose rounding would change the number given.
fn shortest_float_form(s: &str) -> Option<f64> {
    let f: f64 = s.parse().ok()?;
    (f.is_finite() && f.to_string() == s.trim_start_matches('+')).then_some(f)
}

/// A text cell that is a whole number (optional sign, digits only): `Some(Some(value))`, or
/// `Some(None)` when it does not fit in 128 bits; `None` for any other text.
pub(super) fn whole_number_text(s: &str) -> Option<Option<i128>> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.parse::<i128>().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_reject_nan_with_row_and_column() {
        let t = Table::new("households")
            .with("income_per_capita", ColumnData::Float(vec![1.0, f64::NAN]))
            .unwrap();
        let e = t.numbers("income_per_capita").unwrap_err();
        assert_eq!(e.row(), Some(2));
        assert_eq!(e.column(), Some("income_per_capita"));
        assert!(e.to_string().contains("NaN"), "{e}");
    }

    #[test]
    fn whole_numbers_a_float_cannot_hold_are_refused_not_rounded() {
        // Found by the fuzz tests: a uint64 income 2^64 − 1 (crossing as exact text) and an
        // int64 2^53 + 1 were read as the nearest floats.
        for data in [
            ColumnData::Text(vec![Some("1".into()), Some("18446744073709551615".into())]),
            ColumnData::Int(vec![1, (1 << 53) + 1]),
            ColumnData::Text(vec![Some("2".into()), Some("9".repeat(60))]),
        ] {
            let t = Table::new("households")
                .with("income_per_capita", data)
                .unwrap();
            let e = t.numbers("income_per_capita").unwrap_err();
            assert_eq!(
                (e.column(), e.row()),
                (Some("income_per_capita"), Some(2)),
                "{e}"
            );
            assert!(e.to_string().contains("cannot hold exactly"), "{e}");
        }
        // Exactly representable whole numbers, large or not, decimals, and a float's own shortest
        // decimal form (how a written registry shows 2^63: fuzz_csv's round trip) are read as given.
        let t = Table::new("households")
            .with(
                "income_per_capita",
                ColumnData::Text(vec![
                    Some("9007199254740992".into()),
                    Some("18446744073709551616".into()),
                    Some("2.5".into()),
                    Some("-0".into()),
                    Some("9223372036854776000".into()),
                ]),
            )
            .unwrap();
        assert_eq!(
            t.numbers("income_per_capita").unwrap(),
            vec![
                9_007_199_254_740_992.0,
                18_446_744_073_709_551_616.0,
                2.5,
                0.0,
                9_223_372_036_854_775_808.0
            ]
        );
    }

    #[test]
    fn booleans_are_not_numbers() {
        let t = Table::new("households")
            .with("size", ColumnData::Bool(vec![true, false]))
            .unwrap();
        for e in [
            t.numbers("size").unwrap_err(),
            t.counts("size", 100).unwrap_err(),
        ] {
            assert_eq!(
                (e.column(), e.row(), e.value()),
                (Some("size"), Some(1), Some("true")),
                "{e}"
            );
        }
    }

    #[test]
    fn a_blank_float_id_is_shown_empty_not_nan() {
        let t = Table::new("households")
            .with("household_id", ColumnData::Float(vec![1.0, f64::NAN]))
            .unwrap();
        let e = t.ids("household_id").unwrap_err();
        assert_eq!((e.row(), e.value()), (Some(2), Some("(empty)")), "{e}");
    }

    #[test]
    fn counts_reject_fractions_and_negatives() {
        let t = Table::new("h")
            .with("size", ColumnData::Float(vec![2.0, 2.5]))
            .unwrap()
            .with("labour", ColumnData::Int(vec![-1, 0]))
            .unwrap();
        assert!(
            t.counts("size", 100)
                .unwrap_err()
                .to_string()
                .contains("whole")
        );
        assert!(
            t.counts("labour", 100)
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
    }

    #[test]
    fn lengths_must_agree_and_names_be_unique() {
        let t = Table::new("h")
            .with("a", ColumnData::Int(vec![1, 2]))
            .unwrap();
        assert!(matches!(
            t.clone().with("b", ColumnData::Int(vec![1])),
            Err(Error::LengthMismatch { .. })
        ));
        assert!(t.with("a", ColumnData::Int(vec![1, 2])).is_err());
    }

    #[test]
    fn flags_accept_common_spellings() {
        let t = Table::new("h")
            .with(
                "insured",
                ColumnData::Text(vec![
                    Some("yes".into()),
                    Some("0".into()),
                    Some("是".into()),
                ]),
            )
            .unwrap();
        assert_eq!(t.flags("insured").unwrap(), vec![true, false, true]);
    }
}
