//! Input checks shared by the targeting functions: lengths, finiteness, survey weights.
//!
//! Arrays handed to a targeting function are named as `function`/`argument` in errors (for
//! example table `errors`, column `poor`), with 1-based rows like every other error of the crate.

use crate::error::{Error, Result};

/// Fail with [`Error::LengthMismatch`] unless `found == expected`.
pub(crate) fn same_len(table: &str, column: &str, expected: usize, found: usize) -> Result<()> {
    if found == expected {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            table: table.into(),
            column: column.into(),
            expected,
            found,
        })
    }
}

/// Fail with [`Error::Empty`] when `n == 0`.
pub(crate) fn non_empty(table: &str, n: usize) -> Result<()> {
    if n == 0 {
        Err(Error::Empty {
            table: table.into(),
        })
    } else {
        Ok(())
    }
}

/// Text of a float for an error message (`NaN`, `inf`, or the shortest round-trip form).
pub(crate) fn show(x: f64) -> String {
    if x.is_nan() {
        "NaN".into()
    } else {
        x.to_string()
    }
}

/// Fail on the first non-finite value, naming the 1-based row.
pub(crate) fn finite(table: &str, column: &str, values: &[f64]) -> Result<()> {
    match values.iter().position(|x| !x.is_finite()) {
        Some(i) => Err(Error::invalid_value(
            table,
            column,
            i + 1,
            show(values[i]),
            "is not a finite number",
        )),
        None => Ok(()),
    }
}

/// Survey weights: `None` means 1 for every row; given weights must have length `n` and be
/// positive and finite.
pub(crate) fn weights(table: &str, w: Option<&[f64]>, n: usize) -> Result<Vec<f64>> {
    match w {
        None => Ok(vec![1.0; n]),
        Some(w) => {
            same_len(table, "weights", n, w.len())?;
            if let Some(i) = w.iter().position(|x| !(x.is_finite() && *x > 0.0)) {
                return Err(Error::invalid_value(
                    table,
                    "weights",
                    i + 1,
                    show(w[i]),
                    "is not a positive finite survey weight",
                ));
            }
            Ok(w.to_vec())
        }
    }
}

/// Group indices must be below `n_groups`; returns the number of groups (given or max + 1).
pub(crate) fn groups(
    table: &str,
    column: &str,
    g: &[u32],
    n_groups: Option<usize>,
) -> Result<usize> {
    let needed = g.iter().map(|&x| x as usize + 1).max().unwrap_or(0);
    match n_groups {
        None => Ok(needed),
        Some(m) => {
            if let Some(i) = g.iter().position(|&x| x as usize >= m) {
                return Err(Error::invalid_value(
                    table,
                    column,
                    i + 1,
                    g[i],
                    format!("is not a group index below the {m} groups"),
                ));
            }
            Ok(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_name_column_row_and_value() {
        let e = finite("t", "x", &[1.0, f64::NAN]).unwrap_err();
        assert_eq!(
            (e.column(), e.row(), e.value()),
            (Some("x"), Some(2), Some("NaN"))
        );
        let e = weights("t", Some(&[1.0, 0.0]), 2).unwrap_err();
        assert_eq!(
            (e.column(), e.row(), e.value()),
            (Some("weights"), Some(2), Some("0"))
        );
        assert!(weights("t", Some(&[1.0]), 2).is_err());
        assert_eq!(weights("t", None, 2).unwrap(), vec![1.0, 1.0]);
        assert!(same_len("t", "x", 2, 2).is_ok());
        assert!(non_empty("t", 0).is_err());
        assert_eq!(groups("t", "g", &[0, 3], None).unwrap(), 4);
        let e = groups("t", "g", &[0, 3], Some(3)).unwrap_err();
        assert_eq!(e.row(), Some(2));
    }
}
