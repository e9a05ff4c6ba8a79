//! Paired comparison of two scenarios, replicate by replicate.
//!
//! All scenarios of a run share common random numbers: replicate r of scenario A and replicate r of
//! scenario B see the same shocks. The difference of a quantity is estimated by the mean of the
//! replicate-wise differences d_r = b_r − a_r, with standard error sd(d)/√R and a Student-t
//! interval on R − 1 degrees of freedom (the paired interval). Next to it, the unpaired interval
//! treats the two scenarios as independent samples: standard error √(var_a/R + var_b/R) and
//! Welch–Satterthwaite degrees of freedom. Positive correlation between a_r and b_r — which common
//! random numbers create — makes the paired interval the narrower.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::tables::Outcome;
use crate::engine::Results;
use crate::error::{Error, Result};
pub use crate::stats::t_quantile;

/// Options of [`Results::compare`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompareOptions {
    /// k of "sustained exit": exited and not returned within k years. Default 2 (assumption: the
    /// post-exit monitoring practice of checking returns in the following years).
    pub sustained_years: u32,
    /// Confidence level of the intervals. Default 0.95.
    pub level: f64,
}

impl Default for CompareOptions {
    fn default() -> Self {
        CompareOptions {
            sustained_years: 2,
            level: 0.95,
        }
    }
}

/// Differences `b − a` by quantity × year, column-wise.
///
/// Quantities: `exits`, `sustained_exits`, `poor_households`, `poor_people`, `fgt1`,
/// `programme_spending` (yuan), `cost_per_exit` and `cost_per_sustained_exit` (cumulative spending
/// to the year divided by cumulative exits, per replicate; NaN where a replicate has none).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Comparison {
    /// Name of scenario A.
    pub a: String,
    /// Name of scenario B.
    pub b: String,
    /// Quantity.
    pub quantity: Vec<String>,
    /// Calendar year.
    pub year: Vec<i32>,
    /// Mean of A over replicates.
    pub mean_a: Vec<f64>,
    /// Mean of B over replicates.
    pub mean_b: Vec<f64>,
    /// Mean difference B − A.
    pub difference: Vec<f64>,
    /// Standard error from the pairing.
    pub paired_se: Vec<f64>,
    /// Lower end of the paired interval.
    pub paired_low: Vec<f64>,
    /// Upper end of the paired interval.
    pub paired_high: Vec<f64>,
    /// Standard error treating A and B as independent.
    pub unpaired_se: Vec<f64>,
    /// Lower end of the unpaired (Welch) interval.
    pub unpaired_low: Vec<f64>,
    /// Upper end of the unpaired (Welch) interval.
    pub unpaired_high: Vec<f64>,
}

fn mean_var(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = if v.len() > 1 {
        v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0)
    } else {
        f64::NAN
    };
    (m, var)
}

fn cumulative_ratio(num: &Array2<f64>, den: &Array2<f64>) -> Array2<f64> {
    let (r_n, t_n) = num.dim();
    let mut out = Array2::zeros((r_n, t_n));
    for r in 0..r_n {
        let (mut a, mut b) = (0.0, 0.0);
        for t in 0..t_n {
            a += num[[r, t]];
            b += den[[r, t]];
            out[[r, t]] = if b > 0.0 { a / b } else { f64::NAN };
        }
    }
    out
}

impl Results {
    /// Replicate × year values of every comparison quantity for scenario `s`.
    fn comparison_values(&self, s: usize, k: u32) -> Vec<(&'static str, Array2<f64>)> {
        let exits = self.replicate_values(s, Outcome::Exits);
        let sustained = self.sustained_exits(s, k);
        let spending = self.replicate_values(s, Outcome::ProgrammeSpending);
        vec![
            ("cost_per_exit", cumulative_ratio(&spending, &exits)),
            (
                "cost_per_sustained_exit",
                cumulative_ratio(&spending, &sustained),
            ),
            ("exits", exits),
            ("sustained_exits", sustained),
            (
                "poor_households",
                self.replicate_values(s, Outcome::PoorHouseholds),
            ),
            ("poor_people", self.replicate_values(s, Outcome::PoorPeople)),
            ("fgt1", self.replicate_values(s, Outcome::Fgt1)),
            ("programme_spending", spending),
        ]
    }

    /// Paired differences `b − a` by year with paired and unpaired confidence intervals.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `scenario` for an unknown name or `level` outside (0, 1).
    ///
    /// # Examples
    /// ```
    /// # use fupin_core::dynamics::IncomeModel;
    /// # use fupin_core::engine::RunConfig;
    /// # use fupin_core::results::CompareOptions;
    /// # use fupin_core::scenario::{Scenario, simulate};
    /// # use fupin_core::policy::{Budget, ByCause, Policy};
    /// let reg = fupin_core::synth::county("changle", 1)?;
    /// let drip = Scenario::new("by_cause")
    ///     .with_policy(Policy::ByCause(ByCause::default()), Some(Budget::yearly(1_000_000.0)));
    /// let cfg = RunConfig { replications: 8, threads: Some(1), ..RunConfig::new(2016, 3) };
    /// let res = simulate(&reg, &[Scenario::new("baseline"), drip], &IncomeModel::default(), &cfg,
    ///                    &mut |_, _| true)?;
    /// let c = res.compare("baseline", "by_cause", &CompareOptions::default())?;
    /// let i = c.quantity.iter().position(|q| q == "programme_spending").unwrap();
    /// assert!(c.difference[i] > 0.0 && c.paired_low[i] <= c.difference[i]);
    /// # Ok::<(), fupin_core::Error>(())
    /// ```
    pub fn compare(&self, a: &str, b: &str, options: &CompareOptions) -> Result<Comparison> {
        if !(options.level > 0.0 && options.level < 1.0) {
            return Err(Error::invalid_parameter(
                "level",
                options.level,
                "must lie in (0, 1)",
            ));
        }
        let (sa, sb) = (self.scenario_index(a)?, self.scenario_index(b)?);
        let k = options.sustained_years;
        let va = self.comparison_values(sa, k);
        let vb = self.comparison_values(sb, k);
        let r_n = self.replications as f64;
        let p = 0.5 + options.level / 2.0;
        let mut out = Comparison {
            a: a.to_string(),
            b: b.to_string(),
            ..Comparison::default()
        };
        for ((name, xa), (_, xb)) in va.iter().zip(&vb) {
            for t in 0..self.n_years() {
                let ca = xa.column(t).to_vec();
                let cb = xb.column(t).to_vec();
                let d: Vec<f64> = cb.iter().zip(&ca).map(|(y, x)| y - x).collect();
                let (ma, var_a) = mean_var(&ca);
                let (mb, var_b) = mean_var(&cb);
                let (md, var_d) = mean_var(&d);
                let se_p = (var_d / r_n).sqrt();
                let half_p = if se_p > 0.0 {
                    t_quantile(p, r_n - 1.0) * se_p
                } else {
                    0.0
                };
                let (ua, ub) = (var_a / r_n, var_b / r_n);
                let se_u = (ua + ub).sqrt();
                let half_u = if se_u > 0.0 {
                    let df = (ua + ub).powi(2) / (ua * ua / (r_n - 1.0) + ub * ub / (r_n - 1.0));
                    t_quantile(p, df) * se_u
                } else {
                    0.0
                };
                let nan_if = |x: f64, se: f64| if se.is_nan() { f64::NAN } else { x };
                out.quantity.push(name.to_string());
                out.year.push(self.years[t]);
                out.mean_a.push(ma);
                out.mean_b.push(mb);
                out.difference.push(md);
                out.paired_se.push(se_p);
                out.paired_low.push(nan_if(md - half_p, se_p));
                out.paired_high.push(nan_if(md + half_p, se_p));
                out.unpaired_se.push(se_u);
                out.unpaired_low.push(nan_if(md - half_u, se_u));
                out.unpaired_high.push(nan_if(md + half_u, se_u));
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn t_quantiles_match_published_tables() {
        // Student t table (e.g. Abramowitz & Stegun 26.10): t_{0.975}(1) = 12.7062,
        // t_{0.975}(10) = 2.2281, t_{0.95}(30) = 1.6973; the normal 1.95996 in the limit.
        assert!((t_quantile(0.975, 1.0) - 12.706_204_7).abs() < 1e-6);
        assert!((t_quantile(0.975, 10.0) - 2.228_138_85).abs() < 1e-7);
        assert!((t_quantile(0.95, 30.0) - 1.697_260_89).abs() < 1e-7);
        assert!((t_quantile(0.975, f64::INFINITY) - 1.959_963_98).abs() < 1e-6);
        assert!(t_quantile(0.975, 0.0).is_nan());
    }

    #[test]
    fn cumulative_ratio_by_hand() {
        let num = Array2::from_shape_vec((1, 3), vec![10.0, 20.0, 30.0]).unwrap();
        let den = Array2::from_shape_vec((1, 3), vec![0.0, 2.0, 3.0]).unwrap();
        let r = cumulative_ratio(&num, &den);
        assert!(r[[0, 0]].is_nan());
        assert_eq!(r[[0, 1]], 15.0);
        assert_eq!(r[[0, 2]], 12.0);
        let (m, v) = mean_var(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((m, v), (2.5, 5.0 / 3.0));
    }
}
