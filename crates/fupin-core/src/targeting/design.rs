//! Building the design matrix of a proxy-means test: dummy columns for categorical proxies, and
//! the log target.

use std::collections::BTreeSet;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::validate::show;
use crate::error::{Error, Result};

/// Dummy (indicator) columns for one categorical proxy, one per level except the reference level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dummies {
    /// The categorical column's name.
    pub name: String,
    /// Every level, in byte-wise lexicographic order (deterministic, independent of row order).
    pub levels: Vec<String>,
    /// The dropped reference level (absorbed by the intercept).
    pub reference: String,
    /// Column names, `name=level`, for the levels other than the reference, in level order.
    pub names: Vec<String>,
    /// `n × (levels − 1)` matrix of 0/1 indicators, columns in the order of `names`.
    pub matrix: Array2<f64>,
}

impl Dummies {
    /// Expand `values` into dummies. Levels are sorted byte-wise; the reference level is
    /// `reference` if given, else the first level in that order.
    ///
    /// # Errors
    /// [`Error::Empty`] for no values; [`Error::InvalidParameter`] `reference` when it is not a
    /// level of the column.
    ///
    /// # Examples
    /// ```
    /// use fupin_core::targeting::Dummies;
    /// let d = Dummies::new("roof", &["tile", "straw", "tile", "concrete"], None).unwrap();
    /// assert_eq!(d.reference, "concrete");
    /// assert_eq!(d.names, vec!["roof=straw", "roof=tile"]);
    /// assert_eq!(d.matrix.row(0).to_vec(), vec![0.0, 1.0]);
    /// ```
    pub fn new<S: AsRef<str>>(name: &str, values: &[S], reference: Option<&str>) -> Result<Self> {
        if values.is_empty() {
            return Err(Error::Empty { table: name.into() });
        }
        let levels: Vec<String> = values
            .iter()
            .map(|v| v.as_ref())
            .collect::<BTreeSet<&str>>()
            .into_iter()
            .map(String::from)
            .collect();
        let reference = match reference {
            None => levels[0].clone(),
            Some(r) => {
                if !levels.iter().any(|l| l == r) {
                    return Err(Error::invalid_parameter(
                        "reference",
                        format!("{r:?}"),
                        format!("is not a level of `{name}` (levels: {})", levels.join(", ")),
                    ));
                }
                r.to_string()
            }
        };
        Self::with_levels(name, levels, &reference, values)
    }

    /// Encode new `values` with fixed `levels` and `reference` (for predicting on new data with
    /// the levels of the fitting data).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] naming the row of a value that is not among `levels`;
    /// [`Error::InvalidParameter`] `reference` when it is not among `levels`.
    pub fn with_levels<S: AsRef<str>>(
        name: &str,
        levels: Vec<String>,
        reference: &str,
        values: &[S],
    ) -> Result<Self> {
        let Some(ref_pos) = levels.iter().position(|l| l == reference) else {
            return Err(Error::invalid_parameter(
                "reference",
                format!("{reference:?}"),
                format!("is not a level of `{name}`"),
            ));
        };
        let kept: Vec<usize> = (0..levels.len()).filter(|&l| l != ref_pos).collect();
        let names: Vec<String> = kept
            .iter()
            .map(|&l| format!("{name}={}", levels[l]))
            .collect();
        let mut matrix = Array2::<f64>::zeros((values.len(), kept.len()));
        for (i, v) in values.iter().enumerate() {
            let v = v.as_ref();
            let Some(l) = levels.iter().position(|x| x == v) else {
                return Err(Error::invalid_value(
                    name,
                    name,
                    i + 1,
                    format!("{v:?}"),
                    format!("is not a known level (levels: {})", levels.join(", ")),
                ));
            };
            if let Some(c) = kept.iter().position(|&x| x == l) {
                matrix[[i, c]] = 1.0;
            }
        }
        Ok(Dummies {
            name: name.into(),
            levels,
            reference: reference.into(),
            names,
            matrix,
        })
    }
}

/// Natural log of a strictly positive target (income or consumption per person), for a
/// proxy-means test of log welfare.
///
/// # Errors
/// [`Error::InvalidValue`] naming `column` and the 1-based row of a value that is not positive and
/// finite (a zero income has no log: choose a floor explicitly before calling).
///
/// # Examples
/// ```
/// let y = fupin_core::targeting::log_target("income", &[1.0, std::f64::consts::E]).unwrap();
/// assert!((y[1] - 1.0).abs() < 1e-15);
/// ```
pub fn log_target(column: &str, values: &[f64]) -> Result<Vec<f64>> {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            if v.is_finite() && v > 0.0 {
                Ok(v.ln())
            } else {
                Err(Error::invalid_value(
                    "target",
                    column,
                    i + 1,
                    show(v),
                    "has no logarithm (must be positive and finite)",
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_sorted_and_reference_dropped() {
        let d = Dummies::new("c", &["b", "a", "c", "b"], Some("b")).unwrap();
        assert_eq!(d.levels, vec!["a", "b", "c"]);
        assert_eq!(d.names, vec!["c=a", "c=c"]);
        let want = [[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 0.0]];
        for (i, row) in want.iter().enumerate() {
            assert_eq!(d.matrix.row(i).to_vec(), row.to_vec());
        }
        // Row order does not change the level order.
        let e = Dummies::new("c", &["c", "b", "a", "b"], Some("b")).unwrap();
        assert_eq!(e.names, d.names);
    }

    #[test]
    fn errors_name_reference_and_unknown_level() {
        let e = Dummies::new("c", &["a", "b"], Some("z")).unwrap_err();
        assert_eq!(e.column(), Some("reference"));
        let e =
            Dummies::with_levels("c", vec!["a".into(), "b".into()], "a", &["a", "q"]).unwrap_err();
        assert_eq!(
            (e.column(), e.row(), e.value()),
            (Some("c"), Some(2), Some("\"q\""))
        );
        assert!(Dummies::new::<&str>("c", &[], None).is_err());
    }

    #[test]
    fn log_target_rejects_non_positive() {
        assert_eq!(log_target("y", &[1.0]).unwrap(), vec![0.0]);
        let e = log_target("y", &[1.0, 0.0]).unwrap_err();
        assert_eq!(
            (e.column(), e.row(), e.value()),
            (Some("y"), Some(2), Some("0"))
        );
        assert!(log_target("y", &[f64::NAN]).is_err());
    }
}
