//! Nelson–Aalen cumulative hazard with its variance and confidence interval.
//!
//! Ĥ(t) = Σ_{tᵢ ≤ t} dᵢ / nᵢ with ties and weights as in [`super::km`] (events before censorings at
//! the same time; counts are sums of survey weights).
//!
//! **Variance**: the Poisson-type estimator Var Ĥ(t) = Σ_{tᵢ ≤ t} dᵢ / nᵢ² (Aalen 1978; Klein &
//! Moeschberger 2003, eq. 4.2.4). It is the variance of the counting-process martingale and needs
//! no tie correction; the alternative binomial form Σ d(n − d)/n³ is smaller with heavy ties.
//!
//! **Interval**: log-transformed, Ĥ · exp(± z σ / Ĥ) (Klein & Moeschberger 2003, §4.3, for the
//! cumulative hazard; the same as the log-log interval for S = exp(−H)), which stays positive.
//! Where Ĥ = 0 (no event yet) the interval is [0, 0] and the standard error 0.

use serde::{Deserialize, Serialize};

use super::risk::{self, DEFAULT_CONF_LEVEL};
use crate::Result;

/// A cumulative-hazard table: one row per distinct time, as plain columns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CumulativeHazardTable {
    /// Distinct durations, ascending.
    pub time: Vec<f64>,
    /// (Weighted) number at risk just before `time`.
    pub at_risk: Vec<f64>,
    /// (Weighted) number of events at `time`.
    pub events: Vec<f64>,
    /// (Weighted) number censored at `time`.
    pub censored: Vec<f64>,
    /// Nelson–Aalen Ĥ(time).
    pub cumulative_hazard: Vec<f64>,
    /// Standard error of Ĥ(time) (square root of Σ d/n²).
    pub std_err: Vec<f64>,
    /// Lower log-transformed confidence limit.
    pub ci_lower: Vec<f64>,
    /// Upper log-transformed confidence limit.
    pub ci_upper: Vec<f64>,
}

/// A fitted Nelson–Aalen curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NelsonAalen {
    /// The cumulative-hazard table.
    pub table: CumulativeHazardTable,
    /// Confidence level of the intervals.
    pub conf_level: f64,
    /// Number of input rows.
    pub n_rows: usize,
}

impl NelsonAalen {
    /// Ĥ(t) as a right-continuous step function: 0 before the first time, NaN for a NaN `t`.
    pub fn cumulative_hazard_at(&self, t: f64) -> f64 {
        if t.is_nan() {
            return f64::NAN;
        }
        let k = self.table.time.partition_point(|&x| x <= t);
        if k == 0 {
            0.0
        } else {
            self.table.cumulative_hazard[k - 1]
        }
    }
}

/// Nelson–Aalen estimate at the default 95 % level. See the module docs for the conventions.
///
/// # Examples
///
/// ```
/// use fupin_core::timelines::nelson_aalen;
///
/// // Events at 1 and 2, a censoring at 2: H(1) = 1/3, H(2) = 1/3 + 1/2.
/// let na = nelson_aalen(&[1.0, 2.0, 2.0], &[true, true, false], None)?;
/// assert!((na.cumulative_hazard_at(2.0) - (1.0 / 3.0 + 0.5)).abs() < 1e-15);
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn nelson_aalen(
    durations: &[f64],
    observed: &[bool],
    weights: Option<&[f64]>,
) -> Result<NelsonAalen> {
    nelson_aalen_with(durations, observed, weights, DEFAULT_CONF_LEVEL)
}

/// Nelson–Aalen estimate with intervals at `conf_level` (in (0, 1); 0.95 in [`nelson_aalen`]).
pub fn nelson_aalen_with(
    durations: &[f64],
    observed: &[bool],
    weights: Option<&[f64]>,
    conf_level: f64,
) -> Result<NelsonAalen> {
    risk::validate("nelson_aalen", durations, observed, weights)?;
    let z = risk::z_for_level(conf_level)?;
    let rt = risk::risk_table(durations, observed, weights);
    let m = rt.time.len();
    let mut table = CumulativeHazardTable {
        cumulative_hazard: Vec::with_capacity(m),
        std_err: Vec::with_capacity(m),
        ci_lower: Vec::with_capacity(m),
        ci_upper: Vec::with_capacity(m),
        ..CumulativeHazardTable::default()
    };
    let (mut h, mut var) = (0.0_f64, 0.0_f64);
    for j in 0..m {
        let (n, d) = (rt.at_risk[j], rt.events[j]);
        h += d / n;
        var += d / (n * n);
        let se = var.sqrt();
        let (lo, hi) = if h > 0.0 {
            let f = (z * se / h).exp();
            (h / f, h * f)
        } else {
            (0.0, 0.0)
        };
        table.cumulative_hazard.push(h);
        table.std_err.push(se);
        table.ci_lower.push(lo);
        table.ci_upper.push(hi);
    }
    table.time = rt.time;
    table.at_risk = rt.at_risk;
    table.events = rt.events;
    table.censored = rt.censored;
    Ok(NelsonAalen {
        table,
        conf_level,
        n_rows: durations.len(),
    })
}

impl CumulativeHazardTable {
    /// The columns `time`, `at_risk`, `events`, `censored`, `cumulative_hazard`, `std_err`,
    /// `ci_lower`, `ci_upper` as a [`Table`](crate::registry::Table).
    pub fn to_table(&self) -> crate::registry::Table {
        use crate::registry::{ColumnData as C, Table};
        Table::from_columns(
            "cumulative_hazard",
            [
                ("time", C::floats(self.time.clone())),
                ("at_risk", C::floats(self.at_risk.clone())),
                ("events", C::floats(self.events.clone())),
                ("censored", C::floats(self.censored.clone())),
                (
                    "cumulative_hazard",
                    C::floats(self.cumulative_hazard.clone()),
                ),
                ("std_err", C::floats(self.std_err.clone())),
                ("ci_lower", C::floats(self.ci_lower.clone())),
                ("ci_upper", C::floats(self.ci_upper.clone())),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timelines::km::tests::six_mp;

    #[test]
    fn six_mp_by_hand() {
        // Event times of the 6-MP arm with (n, d): 6 (21, 3), 7 (17, 1), 10 (15, 1), 13 (12, 1),
        // 16 (11, 1), 22 (7, 1), 23 (6, 1).
        let (t, e) = six_mp();
        let na = nelson_aalen(&t, &e, None).unwrap();
        let steps = [
            (6.0, 21.0, 3.0),
            (7.0, 17.0, 1.0),
            (10.0, 15.0, 1.0),
            (13.0, 12.0, 1.0),
            (16.0, 11.0, 1.0),
            (22.0, 7.0, 1.0),
            (23.0, 6.0, 1.0),
        ];
        let (mut h, mut v) = (0.0, 0.0);
        for (time, n, d) in steps {
            h += d / n;
            v += d / (n * n);
            let j = na.table.time.iter().position(|&x| x == time).unwrap();
            assert_eq!(na.table.at_risk[j], n);
            assert!((na.table.cumulative_hazard[j] - h).abs() < 1e-14);
            assert!((na.table.std_err[j] - v.sqrt()).abs() < 1e-14);
            let z = 1.959_963_984_540_054;
            let lo = (h.ln() - z * v.sqrt() / h).exp();
            let hi = (h.ln() + z * v.sqrt() / h).exp();
            assert!((na.table.ci_lower[j] - lo).abs() < 1e-12);
            assert!((na.table.ci_upper[j] - hi).abs() < 1e-12);
        }
        // Final value: 3/21 + 1/17 + 1/15 + 1/12 + 1/11 + 1/7 + 1/6.
        let total =
            3.0 / 21.0 + 1.0 / 17.0 + 1.0 / 15.0 + 1.0 / 12.0 + 1.0 / 11.0 + 1.0 / 7.0 + 1.0 / 6.0;
        assert!((na.cumulative_hazard_at(100.0) - total).abs() < 1e-14);
        assert_eq!(na.cumulative_hazard_at(5.0), 0.0);
        // Censor-only rows before any event have a degenerate interval.
        let j9 = na.table.time.iter().position(|&x| x == 9.0).unwrap();
        assert_eq!(na.table.events[j9], 0.0);
        assert_eq!(na.table.censored[j9], 1.0);
    }

    #[test]
    fn weights_act_as_replication_and_inputs_are_validated() {
        let a = nelson_aalen(
            &[1.0, 2.0, 3.0],
            &[true, false, true],
            Some(&[2.0, 1.0, 3.0]),
        )
        .unwrap();
        let b = nelson_aalen(
            &[1.0, 1.0, 2.0, 3.0, 3.0, 3.0],
            &[true, true, false, true, true, true],
            None,
        )
        .unwrap();
        assert_eq!(a.table, b.table);
        let e = nelson_aalen(&[1.0, f64::INFINITY], &[true, true], None).unwrap_err();
        assert_eq!((e.column(), e.row()), (Some("durations"), Some(2)));
        assert!(nelson_aalen_with(&[1.0], &[true], None, 0.0).is_err());
        let na = nelson_aalen(&[0.0, 1.0], &[false, false], None).unwrap();
        assert_eq!(na.table.ci_upper, vec![0.0, 0.0]);
    }
}
