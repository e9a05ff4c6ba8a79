//! Calibration of the income model to a household × year panel of incomes, by moments.
//!
//! # The model and its moment conditions
//!
//! For household `i` in panel year `t = 0, 1, …, T` (consecutive calendar years), with
//! `x_it = ln y_it`, the engine's income process ([`IncomeModel`](crate::dynamics::IncomeModel)) is
//!
//! ```text
//! x_it = a_i + t·γ + c_t + p_it + ε_it,   p_it = ρ·p_i,t−1 + η_it,   γ = ln(1 + g),
//! Var η = σ_η²,  Var ε = σ_ε²,  v_t = Var p_it = ρ² v_{t−1} + σ_η²,  c_t = −v_t/2 − σ_ε²/2,
//! ```
//!
//! where `c_t` is the lognormal mean correction that makes mean income grow at exactly `g`.
//! The first panel year is special (in the engine it is the registry's base year, with `p = 0`
//! and no transitory shock; in survey data it has both), so the moments use the growths
//! `Δx_it = x_it − x_i,t−1` for `t = 2, …, T` only, and the variance of the persistent component
//! in year 1, `v_1 = σ_1²`, is a free nuisance parameter (`initial_sd`; it equals σ_η in data
//! simulated by the engine). Then, for `2 ≤ s ≤ t ≤ T`,
//!
//! ```text
//! Cov(Δx_s, Δx_t) = P(s,t) − P(s−1,t) − P(s,t−1) + P(s−1,t−1) + σ_ε²·(2·[s = t] − [t = s + 1]),
//! P(a,b) = ρ^|a−b| · v_min(a,b),
//! E[Δx_t]         = γ − (v_t − v_{t−1})/2.
//! ```
//!
//! (ρ, σ_η, σ_ε, σ_1) minimise the *equally weighted* distance between the sample covariances
//! of the growths and these (Abowd & Card 1989, Econometrica 57:411–445; Altonji & Segal 1996,
//! JBES 14:353–366, on why identity weights); then `γ̂` is the mean over `t` of
//! `mean Δx_t + (v̂_t − v̂_{t−1})/2`. With ρ = 1 (a random walk) σ_1 is not identified.
//!
//! **Village shocks.** With village ids, growths are demeaned within village × year (sample
//! covariances divide by Σ (n_v − 1)), which absorbs village disasters and any village-level growth;
//! without them, by year. Disasters are the village-years flagged in a `disaster` column
//! (`disaster.probability` = the flagged share of village-years 1…T, `disaster.income_loss` =
//! `1 − exp(mean deviation of flagged village-years from the unflagged mean)`), or, without one,
//! found as a **two-component mixture**: the deviation of village `v`'s mean of `x_t − x_0` from
//! the median village's is `N(0, s_t²/n_v)` in a normal year and `N(ℓ, s_t²/n_v)` in a disaster
//! year (`s_t²` the pooled within-village variance, `ℓ = ln(1 − loss)`), mixed with probability
//! `p`; EM (Dempster, Laird & Rubin 1977) from a **jump rule** start (village-years more than
//! `jump` = 0.15 log points below the median) estimates `p` (`disaster.probability`) and `ℓ`
//! (`disaster.income_loss = 1 − e^ℓ`), and a village-year is flagged when its posterior
//! probability of a disaster exceeds ½. Because the noise of each village's mean is modelled, small
//! villages do not inflate the frequency as a fixed threshold would. `γ̂` uses only growths whose
//! village was unflagged in both years.
//!
//! **Health shocks** enter net income additively, where they cannot be told from transitory
//! shocks; give market income (before out-of-pocket costs) and a `health` flag column, whose mean
//! over years 1…T is reported as `health.shock_rate`.
//!
//! **Uncertainty**: a cluster bootstrap (Cameron, Gelbach & Miller 2008, REStat 90:414–427):
//! villages (or households, without village ids) resampled with replacement, `bootstrap` times,
//! the whole estimator re-run on each; every draw comes from `rng::stream(seed, [key, b])`.
//! Standard errors are the standard deviations of the bootstrap estimates.

use rand::RngExt;

use super::income_moments::{estimate_once, model_moments, prepare};
use crate::error::{Error, Result};
use crate::random as rng;

/// Stream key of the calibration bootstrap ("calibrat").
use crate::random::purpose::BOOTSTRAP as BOOTSTRAP_KEY;

/// A household × year panel of incomes (one row per household and year, any order).
#[derive(Debug, Clone, Copy)]
pub struct IncomePanel<'a> {
    /// Household code per row (any integers; one code per household).
    pub household: &'a [u32],
    /// Calendar year per row; each household must be seen in every year of the panel.
    pub year: &'a [i32],
    /// Income per person per row, yuan; finite and > 0 (market income: see the module docs).
    pub income: &'a [f64],
    /// Village code per row (constant within a household), for village × year effects and disasters.
    pub village: Option<&'a [u32]>,
    /// Health shock in the household's year (for `health.shock_rate`).
    pub health: Option<&'a [bool]>,
    /// Disaster in the household's village and year (replaces the jump rule).
    pub disaster: Option<&'a [bool]>,
}

/// Settings of [`estimate_income_process`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct IncomeOptions {
    /// Start of the disaster mixture's EM: village-years whose mean log income (relative to the
    /// base year) falls more than this many log points below the median village's. Default 0.15
    /// (about half the model's default loss, ln(1 − 0.3) ≈ −0.36; see the module docs).
    pub jump: f64,
    /// Bootstrap replicates for the standard errors (0: none; errors are then NaN). Default 199.
    pub bootstrap: u32,
    /// Seed of the bootstrap's resampling stream.
    pub seed: u64,
}

impl Default for IncomeOptions {
    fn default() -> Self {
        IncomeOptions {
            jump: 0.15,
            bootstrap: 199,
            seed: 0,
        }
    }
}

/// One estimated parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// The income-model field it maps to (`income.growth`, …), or `initial_sd` /
    /// `health.shock_rate` (descriptive, no model field).
    pub name: String,
    /// Point estimate.
    pub estimate: f64,
    /// Bootstrap standard error (NaN without bootstrap or when undefined).
    pub std_err: f64,
}

/// The estimate of [`estimate_income_process`] with its fit.
#[derive(Debug, Clone, PartialEq)]
pub struct IncomeEstimate {
    /// `income.growth`, `income.persistence`, `income.persistent_sd`, `income.transitory_sd`,
    /// `initial_sd`, then `disaster.probability` and `disaster.income_loss` (with village ids or
    /// flags) and `health.shock_rate` (with health flags).
    pub parameters: Vec<Estimate>,
    /// Covariance moments: calendar years of the two growths, sample value, fitted value.
    pub cov_years: Vec<(i32, i32)>,
    /// Sample covariances of the growths.
    pub cov_observed: Vec<f64>,
    /// Model covariances at the estimate.
    pub cov_fitted: Vec<f64>,
    /// Mean-growth moments: calendar year, sample mean of Δx over unflagged villages, fitted.
    pub growth_years: Vec<i32>,
    /// Sample mean log growth by year.
    pub growth_observed: Vec<f64>,
    /// Fitted mean log growth by year.
    pub growth_fitted: Vec<f64>,
    /// Households, clusters (villages or households) and panel years.
    pub households: usize,
    /// Resampling clusters.
    pub clusters: usize,
    /// First and last calendar year.
    pub years: (i32, i32),
    /// Village-years flagged as disasters (years 1…T; posterior > ½ under the mixture).
    pub flagged: u64,
    /// Bootstrap replicates that succeeded / failed.
    pub bootstrap_ok: u32,
    /// Bootstrap replicates whose fit failed (excluded from the errors).
    pub bootstrap_failed: u32,
}

/// Estimate the income model's growth, persistence, the two volatilities and the shock
/// frequencies from a balanced household × year income panel (see the module docs for the
/// moment conditions, the jump rule and the bootstrap).
///
/// # Errors
/// [`Error::Empty`], [`Error::LengthMismatch`], [`Error::InvalidValue`] (income not finite and
/// positive, an unbalanced panel, a household changing village), [`Error::InvalidParameter`] (fewer
/// than 5 years, a bad `jump`), [`Error::Numerical`] (villages of one household, everything flagged).
///
/// # Examples
/// ```
/// use fupin_core::calibrate::{IncomeOptions, IncomePanel, estimate_income_process};
/// // 40 households × 6 years, all growing 5 % a year from different levels.
/// let (mut h, mut y, mut inc) = (vec![], vec![], vec![]);
/// for i in 0..40u32 {
///     for t in 0..6 {
///         h.push(i);
///         y.push(2015 + t);
///         inc.push((2000.0 + 50.0 * f64::from(i)) * 1.05f64.powi(t));
///     }
/// }
/// let panel = IncomePanel { household: &h, year: &y, income: &inc, village: None, health: None, disaster: None };
/// let fit = estimate_income_process(&panel, &IncomeOptions { bootstrap: 0, ..Default::default() })?;
/// assert_eq!(fit.parameters[0].name, "income.growth");
/// assert!((fit.parameters[0].estimate - 0.05).abs() < 1e-4);
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn estimate_income_process(
    panel: &IncomePanel<'_>,
    options: &IncomeOptions,
) -> Result<IncomeEstimate> {
    if !(options.jump.is_finite() && options.jump > 0.0 && options.jump < 1.0) {
        return Err(Error::invalid_parameter(
            "jump",
            options.jump,
            "must lie in (0, 1) (log points)",
        ));
    }
    let prep = prepare(panel)?;
    let g = prep.clusters.len();
    let full = estimate_once(&prep, &vec![1.0; g], options.jump, None)?;
    let k = full.values.len();
    let mut draws: Vec<Vec<f64>> = Vec::new();
    let mut failed = 0u32;
    for b in 0..options.bootstrap {
        crate::cancel::check()?;
        let mut rng = rng::stream(options.seed, &[BOOTSTRAP_KEY, u64::from(b)]);
        let mut mult = vec![0.0; g];
        for _ in 0..g {
            mult[rng.random_range(0..g)] += 1.0;
        }
        match estimate_once(&prep, &mult, options.jump, Some(&full.theta)) {
            Ok(p) if p.values.iter().all(|v| v.is_finite()) => draws.push(p.values),
            _ => failed += 1,
        }
    }
    let std_err: Vec<f64> = (0..k)
        .map(|j| {
            let n = draws.len() as f64;
            if draws.len() < 2 {
                return f64::NAN;
            }
            let mean = draws.iter().map(|d| d[j]).sum::<f64>() / n;
            (draws.iter().map(|d| (d[j] - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        })
        .collect();
    let mut names = vec![
        "income.growth",
        "income.persistence",
        "income.persistent_sd",
        "income.transitory_sd",
        "initial_sd",
    ];
    if prep.by_village || prep.flags_given {
        names.extend(["disaster.probability", "disaster.income_loss"]);
    }
    if prep.health {
        names.push("health.shock_rate");
    }
    let parameters = names
        .iter()
        .zip(&full.values)
        .zip(&std_err)
        .map(|((n, &e), &s)| Estimate {
            name: (*n).to_string(),
            estimate: e,
            std_err: s,
        })
        .collect();
    let t_n = prep.t_n;
    let (fitted, v) = model_moments(&full.theta, t_n);
    let mut cov_years = Vec::new();
    for s in 2..=t_n {
        for t in s..=t_n {
            cov_years.push((prep.first_year + s as i32, prep.first_year + t as i32));
        }
    }
    let gamma = (1.0 + full.values[0]).ln();
    Ok(IncomeEstimate {
        parameters,
        cov_years,
        cov_observed: full.cov_observed,
        cov_fitted: fitted,
        growth_years: (2..=t_n).map(|t| prep.first_year + t as i32).collect(),
        growth_observed: full.growth_observed,
        growth_fitted: (2..=t_n).map(|t| gamma - (v[t] - v[t - 1]) / 2.0).collect(),
        households: prep.households,
        clusters: g,
        years: (prep.first_year, prep.first_year + t_n as i32),
        flagged: full.flagged,
        bootstrap_ok: draws.len() as u32,
        bootstrap_failed: failed,
    })
}

impl IncomeEstimate {
    /// The estimate as [`Table`](crate::registry::Table)s: the parameters (`name`, `estimate`,
    /// `std_err`), the autocovariance fit (`cov_year_s`, `cov_year_t`, `cov_observed`,
    /// `cov_fitted`) and the growth fit (`growth_year`, `growth_observed`, `growth_fitted`).
    pub fn tables(&self) -> [crate::registry::Table; 3] {
        use crate::registry::{ColumnData as C, Table};
        let p = &self.parameters;
        let parameters = Table::from_columns(
            "parameters",
            [
                ("name", C::text(p.iter().map(|e| e.name.clone()))),
                ("estimate", C::floats(p.iter().map(|e| e.estimate))),
                ("std_err", C::floats(p.iter().map(|e| e.std_err))),
            ],
        );
        let covariances = Table::from_columns(
            "covariances",
            [
                ("cov_year_s", C::whole(self.cov_years.iter().map(|y| y.0))),
                ("cov_year_t", C::whole(self.cov_years.iter().map(|y| y.1))),
                ("cov_observed", C::floats(self.cov_observed.clone())),
                ("cov_fitted", C::floats(self.cov_fitted.clone())),
            ],
        );
        let growth = Table::from_columns(
            "growth",
            [
                ("growth_year", C::whole(self.growth_years.iter().copied())),
                ("growth_observed", C::floats(self.growth_observed.clone())),
                ("growth_fitted", C::floats(self.growth_fitted.clone())),
            ],
        );
        [parameters, covariances, growth]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ar1_panel(
        n: usize,
        t1: usize,
        seed: u64,
        villages: usize,
    ) -> (Vec<u32>, Vec<i32>, Vec<f64>, Vec<u32>) {
        use rand_distr::{Distribution, StandardNormal};
        let (rho, se, st, g) = (0.6, 0.2, 0.15, 0.08_f64);
        let (mut h, mut y, mut inc, mut v) = (vec![], vec![], vec![], vec![]);
        for i in 0..n {
            let mut r = rng::stream(seed, &[i as u64]);
            let mut z = || -> f64 { StandardNormal.sample(&mut r) };
            let a: f64 = 8.0 + 0.5 * z();
            let mut p = 0.0;
            for t in 0..t1 {
                let mut x = a + t as f64 * (1.0 + g).ln();
                if t > 0 {
                    p = rho * p + se * z();
                    x += p + st * z();
                }
                h.push(i as u32);
                y.push(2010 + t as i32);
                inc.push(x.exp());
                v.push((i % villages) as u32);
            }
        }
        (h, y, inc, v)
    }

    #[test]
    fn recovers_an_ar1_plus_noise_process_within_bootstrap_errors() {
        let (h, y, inc, _) = ar1_panel(3000, 10, 11, 1);
        let panel = IncomePanel {
            household: &h,
            year: &y,
            income: &inc,
            village: None,
            health: None,
            disaster: None,
        };
        let fit = estimate_income_process(
            &panel,
            &IncomeOptions {
                bootstrap: 60,
                ..Default::default()
            },
        )
        .unwrap();
        // Growth here is of the median (no mean correction): E Δx = ln 1.08, so ĝ estimates
        // exp(ln 1.08 + (v_t − v_{t−1})/2) − 1; with v_1 = σ_η² the increments are known.
        let truth = [0.6, 0.2, 0.15, 0.2];
        for (j, &want) in truth.iter().enumerate() {
            let e = &fit.parameters[j + 1];
            assert!(e.std_err > 0.0 && e.std_err < 0.12, "{e:?}");
            assert!(
                (e.estimate - want).abs() < 3.0 * e.std_err,
                "{e:?} vs {want}"
            );
        }
        let mut v = vec![0.0, 0.04];
        for t in 2..=9 {
            v.push(0.36 * v[t - 1] + 0.04);
        }
        let drift = (2..=9).map(|t| (v[t] - v[t - 1]) / 2.0).sum::<f64>() / 8.0;
        let g_true = (1.08f64.ln() + drift).exp() - 1.0;
        let g = &fit.parameters[0];
        assert!(g.std_err > 0.0 && g.std_err < 0.01, "{g:?}");
        assert!(
            (g.estimate - g_true).abs() < 3.0 * g.std_err,
            "{g:?} vs {g_true}"
        );
        assert_eq!(fit.households, 3000);
        assert_eq!(fit.bootstrap_ok + fit.bootstrap_failed, 60);
        assert_eq!(fit.cov_observed.len(), 36);
    }

    #[test]
    fn bad_panels_are_errors_naming_the_problem() {
        let (h, y, mut inc, _) = ar1_panel(10, 6, 1, 1);
        let panel = |h: &[u32], y: &[i32], inc: &[f64]| {
            let p = IncomePanel {
                household: h,
                year: y,
                income: inc,
                village: None,
                health: None,
                disaster: None,
            };
            estimate_income_process(&p, &IncomeOptions::default()).unwrap_err()
        };
        inc[7] = -1.0;
        let e = panel(&h, &y, &inc);
        assert_eq!((e.column(), e.row()), (Some("income"), Some(8)));
        inc[7] = 100.0;
        let e = panel(&h[1..], &y[1..], &inc[1..]);
        assert_eq!(e.column(), Some("year"), "{e}");
        let e = panel(&h[..24], &y[..24], &inc[..23]);
        assert!(matches!(e, Error::LengthMismatch { .. }), "{e}");
        let e = panel(&h[..4], &y[..4], &inc[..4]);
        assert!(matches!(e, Error::InvalidParameter { .. }), "{e}");
        let e = panel(&[], &[], &[]);
        assert!(matches!(e, Error::Empty { .. }), "{e}");
    }
}
