//! Person-period (household × year at risk) expansion of spells, and time-since-entry dummies,
//! for discrete-time hazard models ([`super::hazard`]).
//!
//! A spell of duration D contributes rows for periods 1..=D: period t is the t-th year at risk, its
//! `year` is the calendar year in which the outcome is seen (start year + t) and `event` is true only
//! in the last row of a spell that ends with the event. Covariates come from the input row of the
//! *previous* year (start year + t − 1): the household's state while at risk, measured before the
//! outcome (predetermined), so a covariate cannot be a consequence of the exit it explains.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::spells::{Panel, SpellKind};
use crate::{Error, Result};

/// Person-period rows as plain columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonPeriods {
    /// Which spell the rows come from.
    pub kind: SpellKind,
    /// Household key.
    pub household: Vec<i64>,
    /// Calendar year in which the outcome is observed.
    pub year: Vec<i32>,
    /// Years at risk so far, 1-based (time since entry into the spell).
    pub period: Vec<u32>,
    /// True in the year the event (exit or return) happens.
    pub event: Vec<bool>,
    /// 0-based input row whose covariates describe this period (the previous year's row). Use it to
    /// join any further column, e.g. the village for clustered standard errors.
    pub source_row: Vec<usize>,
    /// Covariates taken from `source_row` (n × p; p = 0 when none were given).
    pub covariates: Array2<f64>,
    /// Names of the covariate columns.
    pub covariate_names: Vec<String>,
}

impl PersonPeriods {
    /// Number of person-period rows.
    pub fn len(&self) -> usize {
        self.household.len()
    }

    /// True when there are no rows (no household was ever at risk).
    pub fn is_empty(&self) -> bool {
        self.household.is_empty()
    }

    /// The largest period present (0 when empty).
    pub fn max_period(&self) -> u32 {
        self.period.iter().copied().max().unwrap_or(0)
    }

    /// The design matrix: covariates first, then the time dummies of `dummies`; with the names of
    /// its columns. The full set of dummies replaces the intercept (do not add one).
    pub fn design(&self, dummies: TimeDummies) -> Result<(Array2<f64>, Vec<String>)> {
        let x = design_matrix(self.covariates.view(), &self.period, dummies)?;
        let mut names = self.covariate_names.clone();
        names.extend(dummies.names());
        Ok((x, names))
    }
}

/// Time-since-entry dummies: one indicator per period 1..K−1 and one for periods ≥ K (pooled),
/// named `t1`, …, `t{K-1}`, `t{K}+`. Pooling late periods avoids separation where few households
/// remain at risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeDummies {
    /// K: the first pooled period (≥ 1).
    pub max_period: u32,
}

impl TimeDummies {
    /// Dummies for periods 1..K−1 and K or later. `max_period` must be ≥ 1.
    pub fn new(max_period: u32) -> Result<TimeDummies> {
        if max_period == 0 {
            return Err(Error::invalid_parameter("max_period", 0, "must be ≥ 1"));
        }
        Ok(TimeDummies { max_period })
    }

    /// Number of dummy columns (K).
    pub fn len(&self) -> usize {
        self.max_period as usize
    }

    /// Always false (K ≥ 1); present for API symmetry with `len`.
    pub fn is_empty(&self) -> bool {
        self.max_period == 0
    }

    /// Column names: `t1`, …, `t{K-1}`, `t{K}+`.
    pub fn names(&self) -> Vec<String> {
        (1..=self.max_period)
            .map(|t| {
                if t == self.max_period {
                    format!("t{t}+")
                } else {
                    format!("t{t}")
                }
            })
            .collect()
    }

    /// The 0-based dummy column of `period` (≥ 1).
    pub fn column(&self, period: u32) -> usize {
        (period.min(self.max_period) as usize).saturating_sub(1)
    }
}

/// Build a design matrix `[covariates | time dummies]` for rows with the given 1-based `periods`.
/// Used for fitting and for predicting new households (see
/// [`super::hazard::HazardModel::survival_curves`]).
pub fn design_matrix(
    covariates: ArrayView2<'_, f64>,
    periods: &[u32],
    dummies: TimeDummies,
) -> Result<Array2<f64>> {
    if dummies.max_period == 0 {
        return Err(Error::invalid_parameter("max_period", 0, "must be ≥ 1"));
    }
    let (n, p) = covariates.dim();
    if periods.len() != n {
        return Err(Error::LengthMismatch {
            table: "design".into(),
            column: "periods".into(),
            expected: n,
            found: periods.len(),
        });
    }
    let k = dummies.len();
    let mut x = Array2::<f64>::zeros((n, p + k));
    for (i, &t) in periods.iter().enumerate() {
        if t == 0 {
            return Err(Error::invalid_value(
                "design",
                "periods",
                i + 1,
                t,
                "periods are 1-based",
            ));
        }
        for j in 0..p {
            x[[i, j]] = covariates[[i, j]];
        }
        x[[i, p + dummies.column(t)]] = 1.0;
    }
    Ok(x)
}

impl Panel {
    /// Expand the spells of `kind` into person-period rows (see the module docs), carrying
    /// `covariates` (one row per *input* row, columns named by `names`) from the previous year.
    ///
    /// Errors name the covariate column and 1-based input row of a NaN or infinite value, or the
    /// mismatch in rows or names.
    ///
    /// # Examples
    ///
    /// ```
    /// use fupin_core::timelines::{Panel, SpellKind, TimeDummies};
    /// use ndarray::array;
    ///
    /// let panel = Panel::new(&[1, 1, 1], &[2014, 2015, 2016], &[true, true, false])?;
    /// let labour = array![[2.0], [1.0], [1.0]];
    /// let pp = panel.person_periods(SpellKind::Exit, Some(labour.view()), &["labour".into()])?;
    /// assert_eq!(pp.period, vec![1, 2]);
    /// assert_eq!(pp.event, vec![false, true]);
    /// let (x, names) = pp.design(TimeDummies::new(2)?)?;
    /// assert_eq!(names, ["labour", "t1", "t2+"]);
    /// assert_eq!(x.row(1).to_vec(), vec![1.0, 0.0, 1.0]);
    /// # Ok::<(), fupin_core::Error>(())
    /// ```
    pub fn person_periods(
        &self,
        kind: SpellKind,
        covariates: Option<ArrayView2<'_, f64>>,
        names: &[String],
    ) -> Result<PersonPeriods> {
        let n_in = self.n_rows();
        let p = covariates.map_or(0, |c| c.ncols());
        if let Some(c) = covariates {
            if c.nrows() != n_in {
                return Err(Error::LengthMismatch {
                    table: "panel".into(),
                    column: "covariates".into(),
                    expected: n_in,
                    found: c.nrows(),
                });
            }
            for ((i, j), &v) in c.indexed_iter() {
                if !v.is_finite() {
                    return Err(Error::invalid_value(
                        "panel",
                        names.get(j).map_or("covariates", String::as_str),
                        i + 1,
                        v,
                        "must be finite",
                    ));
                }
            }
        }
        if names.len() != p {
            return Err(Error::invalid_parameter(
                "covariate_names",
                format!("{} names", names.len()),
                format!("expected one name per covariate column ({p})"),
            ));
        }
        let mut out = PersonPeriods {
            kind,
            household: Vec::new(),
            year: Vec::new(),
            period: Vec::new(),
            event: Vec::new(),
            source_row: Vec::new(),
            covariates: Array2::zeros((0, p)),
            covariate_names: names.to_vec(),
        };
        for h in 0..self.n_households() {
            let Some(s) = self.span(h, kind) else {
                continue;
            };
            for t in 1..=s.duration {
                out.household.push(self.households[h]);
                out.year.push(self.years[s.start + t]);
                out.period.push(t as u32);
                out.event.push(s.observed && t == s.duration);
                out.source_row.push(self.rows[s.start + t - 1]);
            }
        }
        let mut cov = Array2::<f64>::zeros((out.len(), p));
        if let Some(c) = covariates {
            for (i, &r) in out.source_row.iter().enumerate() {
                cov.row_mut(i).assign(&c.row(r));
            }
        }
        out.covariates = cov;
        Ok(out)
    }
}

impl PersonPeriods {
    /// The columns `household`, `year`, `period`, `event`, `source_row` (0-based) as a
    /// [`Table`](crate::registry::Table); the covariate matrix stays in `covariates`.
    pub fn to_table(&self) -> crate::registry::Table {
        use crate::registry::{ColumnData as C, Table};
        Table::from_columns(
            "person_periods",
            [
                ("household", C::Int(self.household.clone())),
                ("year", C::whole(self.year.iter().copied())),
                ("period", C::whole(self.period.iter().copied())),
                ("event", C::flags(self.event.clone())),
                ("source_row", C::whole(self.source_row.iter().copied())),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::*;

    #[test]
    fn expansion_by_hand() {
        // Household 1: P P N N P (rows 0..5), household 2: N P P P (rows 5..9), input reversed.
        let mut h = vec![1, 1, 1, 1, 1, 2, 2, 2, 2];
        let mut y = vec![2014, 2015, 2016, 2017, 2018, 2014, 2015, 2016, 2017];
        let mut p = vec![true, true, false, false, true, false, true, true, true];
        h.reverse();
        y.reverse();
        p.reverse();
        // Covariate = 10·household + (year − 2014), so the source row is visible in the value.
        let cov = Array2::from_shape_fn((9, 1), |(i, _)| 10.0 * h[i] as f64 + (y[i] - 2014) as f64);
        let panel = Panel::new(&h, &y, &p).unwrap();
        let pp = panel
            .person_periods(SpellKind::Exit, Some(cov.view()), &["c".into()])
            .unwrap();
        assert_eq!(pp.household, vec![1, 1, 2, 2]);
        assert_eq!(pp.year, vec![2015, 2016, 2016, 2017]);
        assert_eq!(pp.period, vec![1, 2, 1, 2]);
        assert_eq!(pp.event, vec![false, true, false, false]);
        assert_eq!(
            pp.covariates.column(0).to_vec(),
            vec![10.0, 11.0, 21.0, 22.0]
        );
        for (k, &r) in pp.source_row.iter().enumerate() {
            assert_eq!((h[r], y[r] + 1), (pp.household[k], pp.year[k]));
        }
        let rp = panel.person_periods(SpellKind::Return, None, &[]).unwrap();
        assert_eq!(rp.household, vec![1, 1]);
        assert_eq!(rp.year, vec![2017, 2018]);
        assert_eq!(rp.event, vec![false, true]);
        assert_eq!(rp.covariates.dim(), (2, 0));
        // The expansion agrees with the spell table: Σ durations rows, Σ observed events.
        let sp = panel.spells(SpellKind::Exit);
        assert_eq!(pp.len(), sp.duration.iter().sum::<f64>() as usize);
        assert_eq!(
            pp.event.iter().filter(|&&e| e).count(),
            sp.observed.iter().filter(|&&e| e).count()
        );
    }

    #[test]
    fn dummies_pool_late_periods() {
        let d = TimeDummies::new(3).unwrap();
        assert_eq!(d.names(), ["t1", "t2", "t3+"]);
        let x = design_matrix(Array2::zeros((4, 0)).view(), &[1, 2, 3, 7], d).unwrap();
        let want = [[1., 0., 0.], [0., 1., 0.], [0., 0., 1.], [0., 0., 1.]];
        for (i, w) in want.iter().enumerate() {
            assert_eq!(x.row(i).to_vec(), w.to_vec());
        }
        assert!(TimeDummies::new(0).is_err());
        let e = design_matrix(Array2::zeros((2, 0)).view(), &[1, 0], d).unwrap_err();
        assert_eq!((e.column(), e.row()), (Some("periods"), Some(2)));
        assert!(design_matrix(Array2::zeros((2, 0)).view(), &[1], d).is_err());
    }

    #[test]
    fn covariate_errors_name_column_and_row() {
        let panel = Panel::new(&[1, 1], &[2014, 2015], &[true, false]).unwrap();
        let mut c = Array2::<f64>::zeros((2, 2));
        c[[1, 1]] = f64::NAN;
        let names = vec!["a".to_string(), "b".to_string()];
        let e = panel
            .person_periods(SpellKind::Exit, Some(c.view()), &names)
            .unwrap_err();
        assert_eq!((e.column(), e.row()), (Some("b"), Some(2)));
        let c = Array2::<f64>::zeros((3, 2));
        assert!(
            panel
                .person_periods(SpellKind::Exit, Some(c.view()), &names)
                .is_err()
        );
        let c = Array2::<f64>::zeros((2, 2));
        assert!(
            panel
                .person_periods(SpellKind::Exit, Some(c.view()), &names[..1])
                .is_err()
        );
    }
}
