//! Kaplan–Meier survival estimates with Greenwood variance, log-log confidence intervals and the
//! median survival time with its confidence interval.
//!
//! Conventions (Kalbfleisch & Prentice 2002, §1.4; Klein & Moeschberger 2003, §4.2–4.5):
//! - **Ties**: at a time with both events and censorings, the events happen first; rows censored at
//!   t are still in the risk set at t. S(t) = Π_{tᵢ ≤ t} (1 − dᵢ/nᵢ).
//! - **Weights** are survey weights: every count (at risk, events, censored) is a sum of weights, so
//!   integer weights give exactly the estimate on the replicated data. Greenwood's formula is then
//!   applied to the weighted counts (as R's `survfit` does with case weights): exact for frequency
//!   weights, a model-based approximation for sampling weights (a design-based variance would need
//!   linearisation over strata and clusters, which this function does not know).
//! - **Variance**: Greenwood, Var Ŝ(t) = Ŝ(t)² Σ_{tᵢ ≤ t} dᵢ / (nᵢ (nᵢ − dᵢ)). `std_err` is its
//!   square root (the standard error of S itself, not of log S).
//! - **Intervals**: log-log ("exponential Greenwood", Kalbfleisch & Prentice), from a normal interval
//!   on log(−log S): Ŝ^{exp(±z σ / log Ŝ)} with σ² the Greenwood sum. They stay inside [0, 1]. Where
//!   Ŝ = 1 (no event yet) the interval is [1, 1] and `std_err` 0; where Ŝ = 0 the Greenwood sum is
//!   infinite and `std_err`, `ci_lower`, `ci_upper` are NaN (R reports NA there).
//! - **Median**: the smallest time with Ŝ(t) ≤ 0.5 (Klein & Moeschberger §4.5; R instead averages
//!   two times when Ŝ equals 0.5 exactly over an interval). Its interval follows Brookmeyer &
//!   Crowley (1982) through the pointwise bands: the lower limit is the first time the lower band
//!   falls to ≤ 0.5, the upper limit the first time the upper band does; `None` when a band never
//!   reaches 0.5 within the data (R's NA). Where Ŝ = 0 both bands count as 0 for this search.

use serde::{Deserialize, Serialize};

use super::risk::{self, DEFAULT_CONF_LEVEL};
use crate::Result;

/// Tolerance for "Ŝ ≤ 0.5": products of ratios can land a few ulps above an exact 0.5.
const HALF_TOL: f64 = 1e-12;

/// A survival table: one row per distinct time (events or censorings), as plain columns.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SurvivalTable {
    /// Distinct durations, ascending.
    pub time: Vec<f64>,
    /// (Weighted) number at risk just before `time` (durations ≥ `time`).
    pub at_risk: Vec<f64>,
    /// (Weighted) number of events at `time`.
    pub events: Vec<f64>,
    /// (Weighted) number censored at `time`.
    pub censored: Vec<f64>,
    /// Kaplan–Meier Ŝ(time).
    pub survival: Vec<f64>,
    /// Greenwood standard error of Ŝ(time).
    pub std_err: Vec<f64>,
    /// Lower log-log confidence limit.
    pub ci_lower: Vec<f64>,
    /// Upper log-log confidence limit.
    pub ci_upper: Vec<f64>,
}

impl SurvivalTable {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// True when the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }
}

/// A fitted Kaplan–Meier curve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KaplanMeier {
    /// The survival table.
    pub table: SurvivalTable,
    /// Median survival time (smallest time with Ŝ ≤ 0.5), `None` if Ŝ stays above 0.5.
    pub median: Option<f64>,
    /// Lower confidence limit of the median (Brookmeyer–Crowley via the bands).
    pub median_ci_lower: Option<f64>,
    /// Upper confidence limit of the median, `None` when unbounded within the data.
    pub median_ci_upper: Option<f64>,
    /// Confidence level of every interval.
    pub conf_level: f64,
    /// Number of input rows.
    pub n_rows: usize,
}

impl KaplanMeier {
    /// Ŝ(t) as a right-continuous step function: 1 before the first time, NaN for a NaN `t`.
    pub fn survival_at(&self, t: f64) -> f64 {
        if t.is_nan() {
            return f64::NAN;
        }
        let k = self.table.time.partition_point(|&x| x <= t);
        if k == 0 {
            1.0
        } else {
            self.table.survival[k - 1]
        }
    }
}

/// Kaplan–Meier estimate at the default 95 % level. See the module docs for the conventions.
///
/// # Examples
///
/// ```
/// use fupin_core::timelines::kaplan_meier;
///
/// // Freireich et al. (1963), 6-MP arm; `false` marks a censored time.
/// let t = [6., 6., 6., 6., 7., 9., 10., 10., 11., 13., 16., 17., 19., 20., 22., 23., 25., 32., 32., 34., 35.];
/// let e = [true, true, true, false, true, false, true, false, false, true, true, false, false,
///          false, true, true, false, false, false, false, false];
/// let km = kaplan_meier(&t, &e, None)?;
/// assert!((km.survival_at(6.0) - 0.8571).abs() < 5e-5);
/// assert_eq!(km.median, Some(23.0));
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn kaplan_meier(
    durations: &[f64],
    observed: &[bool],
    weights: Option<&[f64]>,
) -> Result<KaplanMeier> {
    kaplan_meier_with(durations, observed, weights, DEFAULT_CONF_LEVEL)
}

/// Kaplan–Meier estimate with intervals at `conf_level` (in (0, 1); 0.95 in [`kaplan_meier`]).
pub fn kaplan_meier_with(
    durations: &[f64],
    observed: &[bool],
    weights: Option<&[f64]>,
    conf_level: f64,
) -> Result<KaplanMeier> {
    risk::validate("kaplan_meier", durations, observed, weights)?;
    let z = risk::z_for_level(conf_level)?;
    let rt = risk::risk_table(durations, observed, weights);
    let m = rt.time.len();
    let mut table = SurvivalTable {
        survival: Vec::with_capacity(m),
        std_err: Vec::with_capacity(m),
        ci_lower: Vec::with_capacity(m),
        ci_upper: Vec::with_capacity(m),
        ..SurvivalTable::default()
    };
    let (mut s, mut gw) = (1.0_f64, 0.0_f64);
    for j in 0..m {
        let (n, d) = (rt.at_risk[j], rt.events[j]);
        if d > 0.0 {
            s *= 1.0 - d / n;
            gw += if n > d {
                d / (n * (n - d))
            } else {
                f64::INFINITY
            };
            if n <= d {
                s = 0.0;
            }
        }
        let (se, lo, hi) = if s <= 0.0 {
            (f64::NAN, f64::NAN, f64::NAN)
        } else if gw == 0.0 {
            (0.0, 1.0, 1.0)
        } else {
            let sigma = gw.sqrt();
            let ln_s = s.ln();
            let a = (z * sigma / ln_s).exp();
            (s * sigma, s.powf(1.0 / a), s.powf(a))
        };
        table.survival.push(s);
        table.std_err.push(se);
        table.ci_lower.push(lo);
        table.ci_upper.push(hi);
    }
    table.time = rt.time;
    table.at_risk = rt.at_risk;
    table.events = rt.events;
    table.censored = rt.censored;

    let band = |v: f64, s: f64| if s <= 0.0 { 0.0 } else { v };
    let first_below = |vals: &dyn Fn(usize) -> f64| {
        (0..m)
            .find(|&j| vals(j) <= 0.5 + HALF_TOL)
            .map(|j| table.time[j])
    };
    let median = first_below(&|j| table.survival[j]);
    let median_ci_lower = first_below(&|j| band(table.ci_lower[j], table.survival[j]));
    let median_ci_upper = first_below(&|j| band(table.ci_upper[j], table.survival[j]));
    Ok(KaplanMeier {
        table,
        median,
        median_ci_lower,
        median_ci_upper,
        conf_level,
        n_rows: durations.len(),
    })
}

/// Kaplan–Meier curves, one per group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KaplanMeierByGroup {
    /// Group labels, ascending.
    pub groups: Vec<i64>,
    /// One fit per label, in the order of `groups`.
    pub fits: Vec<KaplanMeier>,
}

/// One Kaplan–Meier curve per group label (cause, village, measure received … coded as integers;
/// the Python layer factorises text labels). Each group is fitted exactly as [`kaplan_meier_with`]
/// on its own rows.
pub fn kaplan_meier_by_group(
    durations: &[f64],
    observed: &[bool],
    groups: &[i64],
    weights: Option<&[f64]>,
    conf_level: f64,
) -> Result<KaplanMeierByGroup> {
    risk::validate("kaplan_meier", durations, observed, weights)?;
    risk::validate_groups("kaplan_meier", groups, durations.len())?;
    let (labels, members) = risk::split_groups(groups);
    let mut fits = Vec::with_capacity(labels.len());
    for rows in &members {
        let d: Vec<f64> = rows.iter().map(|&i| durations[i]).collect();
        let o: Vec<bool> = rows.iter().map(|&i| observed[i]).collect();
        let w: Option<Vec<f64>> = weights.map(|w| rows.iter().map(|&i| w[i]).collect());
        fits.push(kaplan_meier_with(&d, &o, w.as_deref(), conf_level)?);
    }
    Ok(KaplanMeierByGroup {
        groups: labels,
        fits,
    })
}

impl SurvivalTable {
    /// The columns `time`, `at_risk`, `events`, `censored`, `survival`, `std_err`, `ci_lower`,
    /// `ci_upper` as a [`Table`](crate::registry::Table).
    pub fn to_table(&self) -> crate::registry::Table {
        use crate::registry::{ColumnData as C, Table};
        Table::from_columns(
            "survival",
            [
                ("time", C::floats(self.time.clone())),
                ("at_risk", C::floats(self.at_risk.clone())),
                ("events", C::floats(self.events.clone())),
                ("censored", C::floats(self.censored.clone())),
                ("survival", C::floats(self.survival.clone())),
                ("std_err", C::floats(self.std_err.clone())),
                ("ci_lower", C::floats(self.ci_lower.clone())),
                ("ci_upper", C::floats(self.ci_upper.clone())),
            ],
        )
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use rand::RngExt;

    use super::*;
    use crate::random as rng;

    /// Freireich et al. (1963) 6-MP arm: (time, event).
    pub(crate) fn six_mp() -> (Vec<f64>, Vec<bool>) {
        let raw: [(f64, bool); 21] = [
            (6., true),
            (6., true),
            (6., true),
            (6., false),
            (7., true),
            (9., false),
            (10., true),
            (10., false),
            (11., false),
            (13., true),
            (16., true),
            (17., false),
            (19., false),
            (20., false),
            (22., true),
            (23., true),
            (25., false),
            (32., false),
            (32., false),
            (34., false),
            (35., false),
        ];
        (
            raw.iter().map(|r| r.0).collect(),
            raw.iter().map(|r| r.1).collect(),
        )
    }

    #[test]
    fn freireich_six_mp_survival_and_median() {
        let (t, e) = six_mp();
        let km = kaplan_meier(&t, &e, None).unwrap();
        // Published values (e.g. Klein & Moeschberger 2003, Table 4.1A), 4 decimals.
        for (time, want) in [
            (6.0, 0.8571),
            (7.0, 0.8067),
            (10.0, 0.7529),
            (13.0, 0.6902),
            (16.0, 0.6275),
            (22.0, 0.5378),
            (23.0, 0.4482),
        ] {
            let got = km.survival_at(time);
            assert!((got - want).abs() < 5e-5, "S({time}) = {got}, want {want}");
        }
        assert_eq!(km.survival_at(5.9), 1.0);
        assert_eq!(km.survival_at(40.0), km.survival_at(23.0));
        assert_eq!(km.median, Some(23.0));
        assert_eq!(km.table.at_risk[0], 21.0);
        assert_eq!(km.table.events[0], 3.0);
        assert_eq!(km.table.censored[0], 1.0);
        assert_eq!(km.n_rows, 21);
    }

    /// Greenwood SE and log-log interval by a direct formula over the event times only.
    fn direct_greenwood(t: &[f64], e: &[bool], at: f64, z: f64) -> (f64, f64, f64, f64) {
        let mut times: Vec<f64> = t
            .iter()
            .zip(e)
            .filter(|(ti, ei)| **ei && **ti <= at)
            .map(|(ti, _)| *ti)
            .collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        let (mut s, mut sum) = (1.0, 0.0);
        for &u in &times {
            let n = t.iter().filter(|&&x| x >= u).count() as f64;
            let d = t.iter().zip(e).filter(|(x, ev)| **x == u && **ev).count() as f64;
            s *= (n - d) / n;
            sum += d / (n * (n - d));
        }
        let se = s * sum.sqrt();
        // log-log: Var(log(-log S)) = sum / (log S)^2.
        let theta = (-s.ln()).ln();
        let sd = sum.sqrt() / s.ln().abs();
        let lo = (-(theta + z * sd).exp()).exp();
        let hi = (-(theta - z * sd).exp()).exp();
        (s, se, lo, hi)
    }

    #[test]
    fn greenwood_standard_errors_and_loglog_bands() {
        let (t, e) = six_mp();
        let km = kaplan_meier(&t, &e, None).unwrap();
        let z = 1.959_963_984_540_054;
        let textbook = [
            (6.0, 0.0764),
            (7.0, 0.0869),
            (10.0, 0.0963),
            (13.0, 0.1068),
            (16.0, 0.1141),
            (22.0, 0.1282),
            (23.0, 0.1346),
        ];
        for (time, se_book) in textbook {
            let j = km.table.time.iter().position(|&x| x == time).unwrap();
            let (s, se, lo, hi) = direct_greenwood(&t, &e, time, z);
            assert!((km.table.survival[j] - s).abs() < 1e-12);
            assert!((km.table.std_err[j] - se).abs() < 1e-12);
            assert!(
                (se - se_book).abs() < 5e-5,
                "SE({time}) = {se}, book {se_book}"
            );
            assert!((km.table.ci_lower[j] - lo).abs() < 1e-12);
            assert!((km.table.ci_upper[j] - hi).abs() < 1e-12);
            assert!(lo < s && s < hi);
        }
        // Median CI: the lower band first falls to ≤ 0.5 at t = 13 (0.43 there, 0.503 at t = 10,
        // by the direct formula); the upper band never does, so the upper limit is open (R: NA).
        let (_, _, lo10, _) = direct_greenwood(&t, &e, 10.0, z);
        let (_, _, lo13, _) = direct_greenwood(&t, &e, 13.0, z);
        assert!(lo10 > 0.5 && lo13 <= 0.5);
        assert_eq!(km.median_ci_lower, Some(13.0));
        assert_eq!(km.median_ci_upper, None);
    }

    #[test]
    fn everyone_fails_gives_zero_survival_and_bounded_median_ci() {
        // Five events at 1..5: S = 4/5, 3/5, 2/5, 1/5, 0.
        let t = [1.0, 2.0, 3.0, 4.0, 5.0];
        let km = kaplan_meier(&t, &[true; 5], None).unwrap();
        let want = [0.8, 0.6, 0.4, 0.2, 0.0];
        for (g, w) in km.table.survival.iter().zip(want) {
            assert!((g - w).abs() < 1e-15);
        }
        assert!(km.table.std_err[4].is_nan());
        assert_eq!(km.median, Some(3.0));
        assert!(km.median_ci_upper.is_some());
        // Censoring only: S stays 1 with a degenerate interval.
        let km = kaplan_meier(&[2.0, 3.0], &[false, false], None).unwrap();
        assert_eq!(km.table.survival, vec![1.0, 1.0]);
        assert_eq!(km.table.std_err, vec![0.0, 0.0]);
        assert_eq!(km.median, None);
    }

    #[test]
    fn integer_weights_equal_replicated_rows() {
        let mut s = rng::stream(11, &[1]);
        let n = 60;
        let t: Vec<f64> = (0..n)
            .map(|_| f64::from(s.random_range(1..12u32)))
            .collect();
        let e: Vec<bool> = (0..n).map(|_| s.random_bool(0.6)).collect();
        let w: Vec<f64> = (0..n).map(|_| f64::from(s.random_range(1..5u32))).collect();
        let (mut rt, mut re) = (Vec::new(), Vec::new());
        for i in 0..n {
            for _ in 0..(w[i] as usize) {
                rt.push(t[i]);
                re.push(e[i]);
            }
        }
        let a = kaplan_meier(&t, &e, Some(&w)).unwrap();
        let b = kaplan_meier(&rt, &re, None).unwrap();
        assert_eq!(a.table.time, b.table.time);
        assert_eq!(a.table.at_risk, b.table.at_risk);
        assert_eq!(a.table.events, b.table.events);
        for (col_a, col_b) in [
            (&a.table.survival, &b.table.survival),
            (&a.table.std_err, &b.table.std_err),
            (&a.table.ci_lower, &b.table.ci_lower),
            (&a.table.ci_upper, &b.table.ci_upper),
        ] {
            for (x, y) in col_a.iter().zip(col_b.iter()) {
                assert!((x - y).abs() < 1e-12 || (x.is_nan() && y.is_nan()));
            }
        }
        assert_eq!(a.median, b.median);
    }

    #[test]
    fn by_group_matches_separate_fits_and_validates() {
        let (t, e) = six_mp();
        let g: Vec<i64> = (0..t.len()).map(|i| (i % 3) as i64 * 10).collect();
        let by = kaplan_meier_by_group(&t, &e, &g, None, 0.9).unwrap();
        assert_eq!(by.groups, vec![0, 10, 20]);
        for (k, label) in by.groups.iter().enumerate() {
            let rows: Vec<usize> = (0..t.len()).filter(|&i| g[i] == *label).collect();
            let tt: Vec<f64> = rows.iter().map(|&i| t[i]).collect();
            let ee: Vec<bool> = rows.iter().map(|&i| e[i]).collect();
            assert_eq!(by.fits[k], kaplan_meier_with(&tt, &ee, None, 0.9).unwrap());
        }
        assert!(kaplan_meier_by_group(&t, &e, &[1, 2], None, 0.95).is_err());
        assert!(kaplan_meier_with(&t, &e, None, 1.5).is_err());
    }

    #[test]
    fn higher_level_gives_wider_bands() {
        let (t, e) = six_mp();
        let a = kaplan_meier_with(&t, &e, None, 0.80).unwrap();
        let b = kaplan_meier_with(&t, &e, None, 0.99).unwrap();
        for j in 0..a.table.len() {
            if a.table.survival[j] < 1.0 {
                assert!(b.table.ci_lower[j] < a.table.ci_lower[j]);
                assert!(b.table.ci_upper[j] > a.table.ci_upper[j]);
            }
        }
    }
}
