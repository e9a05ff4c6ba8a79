//! What analysts read: tables computed from the raw sums of [`Results`].
//!
//! Means are over replicates; bands are the 5th and 95th percentiles of per-replicate totals with
//! linear interpolation between order statistics (NumPy's default, Hyndman–Fan type 7). Ratios use
//! the registry's population (sum of village populations) as denominator: people outside the
//! registry are taken to be above the line.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::engine::{Cell, below_threshold};
use crate::engine::{Results, ScenarioResults};
use crate::error::{Error, Result};
use crate::units::{GAP_SCALE, WEIGHT_SCALE};

/// A per-year quantity of the replicate totals ([`Results::replicate_values`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Households failing the exit standard.
    PoorHouseholds,
    /// People in those households.
    PoorPeople,
    /// Poor people / population.
    HeadcountRatio,
    /// People below the income line / population (FGT0; read from JSON as
    /// `income_headcount_ratio` too, its former name).
    #[serde(alias = "income_headcount_ratio")]
    Fgt0,
    /// Poverty gap index (FGT1) over the population.
    Fgt1,
    /// Squared poverty gap index (FGT2) over the population.
    Fgt2,
    /// Household exits (脱贫) in the year.
    Exits,
    /// Returns to poverty (返贫) in the year.
    Returns,
    /// New entrants into poverty in the year.
    Entrants,
    /// Mean net income per person of the simulated households, yuan.
    MeanIncome,
    /// Out-of-pocket health spending of all simulated households, yuan.
    HealthSpending,
    /// Programme spending (measures), yuan.
    ProgrammeSpending,
}

impl Outcome {
    /// Every measure, in table order.
    pub const ALL: [Outcome; 12] = [
        Outcome::PoorHouseholds,
        Outcome::PoorPeople,
        Outcome::HeadcountRatio,
        Outcome::Fgt0,
        Outcome::Fgt1,
        Outcome::Fgt2,
        Outcome::Exits,
        Outcome::Returns,
        Outcome::Entrants,
        Outcome::MeanIncome,
        Outcome::HealthSpending,
        Outcome::ProgrammeSpending,
    ];
}

pub(crate) use crate::stats::band;
pub use crate::stats::percentile;

/// The yearly summary of every scenario, one row per scenario × year (column-wise).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// Scenario name.
    pub scenario: Vec<String>,
    /// Calendar year.
    pub year: Vec<i32>,
    /// Poor households: mean over replicates, 5th and 95th percentiles.
    #[serde(alias = "poor_households_mean")]
    pub poor_households: Vec<f64>,
    /// 5th percentile.
    pub poor_households_p5: Vec<f64>,
    /// 95th percentile.
    pub poor_households_p95: Vec<f64>,
    /// Poor people: mean over replicates.
    #[serde(alias = "poor_people_mean")]
    pub poor_people: Vec<f64>,
    /// 5th percentile.
    pub poor_people_p5: Vec<f64>,
    /// 95th percentile.
    pub poor_people_p95: Vec<f64>,
    /// Mean poor people / population.
    pub headcount_ratio: Vec<f64>,
    /// Mean people below the income line / population (FGT0).
    #[serde(alias = "income_headcount_ratio")]
    pub fgt0: Vec<f64>,
    /// Mean FGT1.
    pub fgt1: Vec<f64>,
    /// Mean FGT2.
    pub fgt2: Vec<f64>,
    /// Mean exits.
    #[serde(alias = "exits_mean")]
    pub exits: Vec<f64>,
    /// Mean returns.
    #[serde(alias = "returns_mean")]
    pub returns: Vec<f64>,
    /// Mean entrants.
    #[serde(alias = "entrants_mean")]
    pub entrants: Vec<f64>,
    /// Mean net income per person of the simulated households, yuan.
    pub mean_income: Vec<f64>,
    /// Mean out-of-pocket health spending, yuan.
    pub health_spending: Vec<f64>,
    /// Mean programme spending, yuan.
    pub programme_spending: Vec<f64>,
}

impl Results {
    /// Population of the registry's villages (people).
    pub fn population(&self) -> u64 {
        self.villages.population.iter().sum()
    }

    fn value(&self, c: &Cell, m: Outcome) -> f64 {
        let w = WEIGHT_SCALE as f64;
        let pop = self.population() as f64;
        let gap = GAP_SCALE as f64;
        let ratio = |x: f64| if pop > 0.0 { x / pop } else { 0.0 };
        match m {
            Outcome::PoorHouseholds => c.poor_households as f64 / w,
            Outcome::PoorPeople => c.poor_people as f64 / w,
            Outcome::HeadcountRatio => ratio(c.poor_people as f64 / w),
            Outcome::Fgt0 => ratio(c.income_poor_people as f64 / w),
            Outcome::Fgt1 => ratio(c.fgt1 as f64 / (w * gap)),
            Outcome::Fgt2 => ratio(c.fgt2 as f64 / (w * gap * gap)),
            Outcome::Exits => c.exits as f64 / w,
            Outcome::Returns => c.returns as f64 / w,
            Outcome::Entrants => c.entrants as f64 / w,
            Outcome::MeanIncome => {
                if self.registry_people > 0 {
                    c.income_fen as f64 / 100.0 / self.registry_people as f64
                } else {
                    0.0
                }
            }
            Outcome::HealthSpending => c.health_oop_fen as f64 / (100.0 * w),
            Outcome::ProgrammeSpending => c.spending_fen as f64 / (100.0 * w),
        }
    }

    /// Per-replicate values of `measure` for scenario `s`: replicates × years (for bands and paired
    /// comparisons between scenarios, which share their random numbers replicate by replicate).
    pub fn replicate_values(&self, s: usize, measure: Outcome) -> Array2<f64> {
        let t_n = self.n_years();
        let sc = &self.scenarios[s];
        Array2::from_shape_fn((self.replications as usize, t_n), |(r, t)| {
            self.value(&sc.totals[r * t_n + t], measure)
        })
    }

    /// The yearly summary of every scenario.
    pub fn summary(&self) -> Summary {
        let mut out = Summary::default();
        let t_n = self.n_years();
        for (s, sc) in self.scenarios.iter().enumerate() {
            let per: Vec<Array2<f64>> = Outcome::ALL
                .iter()
                .map(|&m| self.replicate_values(s, m))
                .collect();
            let mean = |m: Outcome, t: usize| {
                let i = Outcome::ALL.iter().position(|&x| x == m).unwrap_or(0);
                per[i].column(t).mean().unwrap_or(f64::NAN)
            };
            let band = |m: Outcome, t: usize, q: f64| {
                let i = Outcome::ALL.iter().position(|&x| x == m).unwrap_or(0);
                percentile(&mut per[i].column(t).to_vec(), q)
            };
            for t in 0..t_n {
                out.scenario.push(sc.name.clone());
                out.year.push(self.years[t]);
                out.poor_households.push(mean(Outcome::PoorHouseholds, t));
                out.poor_households_p5
                    .push(band(Outcome::PoorHouseholds, t, 0.05));
                out.poor_households_p95
                    .push(band(Outcome::PoorHouseholds, t, 0.95));
                out.poor_people.push(mean(Outcome::PoorPeople, t));
                out.poor_people_p5.push(band(Outcome::PoorPeople, t, 0.05));
                out.poor_people_p95.push(band(Outcome::PoorPeople, t, 0.95));
                out.headcount_ratio.push(mean(Outcome::HeadcountRatio, t));
                out.fgt0.push(mean(Outcome::Fgt0, t));
                out.fgt1.push(mean(Outcome::Fgt1, t));
                out.fgt2.push(mean(Outcome::Fgt2, t));
                out.exits.push(mean(Outcome::Exits, t));
                out.returns.push(mean(Outcome::Returns, t));
                out.entrants.push(mean(Outcome::Entrants, t));
                out.mean_income.push(mean(Outcome::MeanIncome, t));
                out.health_spending.push(mean(Outcome::HealthSpending, t));
                out.programme_spending
                    .push(mean(Outcome::ProgrammeSpending, t));
            }
        }
        out
    }

    /// Village exit (出列) year distribution of scenario `s`: villages × (years + 1), the share of
    /// replicates whose incidence first fell below the threshold in each year (last column: not by
    /// the last year). A village without simulated households has incidence 0 and exits in the first
    /// year.
    pub fn village_exit_distribution(&self, s: usize) -> Array2<f64> {
        let sc = &self.scenarios[s];
        let t1 = self.n_years() + 1;
        let r = f64::from(self.replications);
        Array2::from_shape_fn((sc.village_households.len(), t1), |(v, t)| {
            if sc.village_households[v] == 0 {
                f64::from(u8::from(t == 0))
            } else {
                f64::from(sc.village_exit[v * t1 + t]) / r
            }
        })
    }

    /// County exit (摘帽) year distribution of scenario `s`: counties × (years + 1), as for villages,
    /// from county incidence (poor people / county population) in each replicate.
    pub fn county_exit_distribution(&self, s: usize) -> Array2<f64> {
        let sc = &self.scenarios[s];
        let t_n = self.n_years();
        let reps = self.replications as usize;
        let nc = self.counties.population.len();
        let mut counts = Array2::<u32>::zeros((nc, t_n + 1));
        for c in 0..nc {
            let pop = self.counties.population[c];
            let thr = self.counties.threshold[c];
            for r in 0..reps {
                let off = (c * reps + r) * t_n;
                let t = sc.county_poor[off..off + t_n]
                    .iter()
                    .position(|g| below_threshold(g.poor_people, pop, thr))
                    .unwrap_or(t_n);
                counts[[c, t]] += 1;
            }
        }
        counts.mapv(|k| f64::from(k) / reps as f64)
    }

    /// Cumulative version of a year distribution: probability of having exited by each year.
    pub fn exited_by_year(distribution: &Array2<f64>) -> Array2<f64> {
        let (n, t1) = distribution.dim();
        let mut out = Array2::zeros((n, t1.saturating_sub(1)));
        for i in 0..n {
            let mut acc = 0.0;
            for t in 0..t1.saturating_sub(1) {
                acc += distribution[[i, t]];
                out[[i, t]] = acc;
            }
        }
        out
    }

    /// Mean poor people by village × year of scenario `s` (over replicates).
    pub fn village_mean_poor_people(&self, s: usize) -> Array2<f64> {
        let sc = &self.scenarios[s];
        let t_n = self.n_years();
        let d = f64::from(self.replications) * WEIGHT_SCALE as f64;
        Array2::from_shape_fn((sc.village_households.len(), t_n), |(v, t)| {
            sc.village_poor[v * t_n + t].poor_people as f64 / d
        })
    }

    fn household_outputs(&self, s: usize) -> Result<&crate::engine::HouseholdOutputs> {
        let sc: &ScenarioResults = &self.scenarios[s];
        sc.households.as_ref().ok_or_else(|| {
            Error::invalid_parameter(
                "household_outputs",
                "false",
                "per-household outputs were not kept in this run",
            )
        })
    }

    /// Probability that each household has exited by each year: households × years.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `household_outputs` if the run did not keep them.
    pub fn household_exit_probability(&self, s: usize) -> Result<Array2<f64>> {
        let h = self.household_outputs(s)?;
        let t_n = self.n_years();
        let r = f64::from(self.replications);
        let n = h.returned.len();
        let mut out = Array2::zeros((n, t_n));
        for i in 0..n {
            let mut acc = 0u32;
            for t in 0..t_n {
                acc += u32::from(h.first_exit[i * t_n + t]);
                out[[i, t]] = f64::from(acc) / r;
            }
        }
        Ok(out)
    }

    /// For each household: expected first exit year given an exit within the run (NaN if it never
    /// exits in any replicate), the share of replicates never exiting, and the probability of a
    /// return to poverty given an exit (NaN if it never exits).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `household_outputs` if the run did not keep them.
    pub fn household_exit_summary(&self, s: usize) -> Result<HouseholdSummary> {
        let h = self.household_outputs(s)?;
        let t_n = self.n_years();
        let r = f64::from(self.replications);
        let n = h.returned.len();
        let mut out = HouseholdSummary {
            expected_exit_year: Vec::with_capacity(n),
            never_exit_share: Vec::with_capacity(n),
            return_probability: Vec::with_capacity(n),
        };
        for i in 0..n {
            let row = &h.first_exit[i * t_n..(i + 1) * t_n];
            let exited: u32 = row.iter().map(|&c| u32::from(c)).sum();
            let year_sum: f64 = row
                .iter()
                .zip(&self.years)
                .map(|(&c, &y)| f64::from(c) * f64::from(y))
                .sum();
            let e = f64::from(exited);
            out.expected_exit_year
                .push(if exited > 0 { year_sum / e } else { f64::NAN });
            out.never_exit_share.push(1.0 - e / r);
            out.return_probability.push(if exited > 0 {
                f64::from(h.returned[i]) / e
            } else {
                f64::NAN
            });
        }
        Ok(out)
    }
}

/// Per-household exit summary (households in the results' order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdSummary {
    /// Expected first exit year given an exit within the run.
    pub expected_exit_year: Vec<f64>,
    /// Share of replicates in which the household never exits.
    pub never_exit_share: Vec<f64>,
    /// Probability of a return to poverty given an exit.
    pub return_probability: Vec<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_type7_matches_numpy() {
        // numpy.percentile([1, 2, 3, 4, 10], [5, 50, 95]) = [1.2, 3.0, 8.8]
        let mut v = vec![10.0, 2.0, 4.0, 1.0, 3.0];
        assert!((percentile(&mut v, 0.05) - 1.2).abs() < 1e-12);
        assert!((percentile(&mut v, 0.5) - 3.0).abs() < 1e-12);
        assert!((percentile(&mut v, 0.95) - 8.8).abs() < 1e-12);
        assert_eq!(percentile(&mut [7.0], 0.95), 7.0);
        assert!(percentile(&mut [], 0.5).is_nan());
    }

    #[test]
    fn cumulative_distribution() {
        let d = Array2::from_shape_vec((1, 4), vec![0.25, 0.5, 0.0, 0.25]).unwrap();
        let c = Results::exited_by_year(&d);
        assert_eq!(c.row(0).to_vec(), vec![0.25, 0.75, 0.75]);
    }
}
