//! Tables of the sums beyond the cells — spending by measure, year and county; guarantee-fund
//! losses; exits and returns by primary cause; exit spells.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::tables::band;
use crate::engine::{CAUSE_GROUPS, Results};
use crate::registry::Cause;
use crate::units::WEIGHT_SCALE;

/// Programme spending by scenario × year × measure (yuan; over replicates: mean, 5th and 95th
/// percentiles), column-wise.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SpendingTable {
    /// Scenario name.
    pub scenario: Vec<String>,
    /// Calendar year.
    pub year: Vec<i32>,
    /// Measure name.
    pub measure: Vec<String>,
    /// Mean over replicates, yuan.
    pub mean: Vec<f64>,
    /// 5th percentile over replicates, yuan.
    pub p5: Vec<f64>,
    /// 95th percentile over replicates, yuan.
    pub p95: Vec<f64>,
}

/// Programme spending by scenario × county × year × measure (yuan; over replicates: mean, 5th and
/// 95th percentiles), column-wise; only rows with spending in some replicate.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CountySpendingTable {
    /// Scenario name.
    pub scenario: Vec<String>,
    /// County id.
    pub county: Vec<String>,
    /// Calendar year.
    pub year: Vec<i32>,
    /// Measure name.
    pub measure: Vec<String>,
    /// Mean over replicates, yuan.
    pub mean: Vec<f64>,
    /// 5th percentile over replicates, yuan.
    pub p5: Vec<f64>,
    /// 95th percentile over replicates, yuan.
    pub p95: Vec<f64>,
}

/// Microcredit defaults charged to the guarantee fund by scenario × year (yuan; over replicates:
/// mean, 5th and 95th percentiles), column-wise; scenarios with measures only.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LossTable {
    /// Scenario name.
    pub scenario: Vec<String>,
    /// Calendar year.
    pub year: Vec<i32>,
    /// Mean over replicates, yuan.
    pub mean: Vec<f64>,
    /// 5th percentile over replicates, yuan.
    pub p5: Vec<f64>,
    /// 95th percentile over replicates, yuan.
    pub p95: Vec<f64>,
}

/// Exits and returns by scenario × year × primary cause (means over replicates), column-wise.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CauseTable {
    /// Scenario name.
    pub scenario: Vec<String>,
    /// Calendar year.
    pub year: Vec<i32>,
    /// Cause code (`illness`, …), or `none` where no primary cause is recorded.
    pub cause: Vec<String>,
    /// Mean exits (脱贫), households.
    #[serde(alias = "exits_mean")]
    pub exits: Vec<f64>,
    /// Mean returns (返贫), households.
    #[serde(alias = "returns_mean")]
    pub returns: Vec<f64>,
}

/// The code of cause group `g` (`none` for the last).
pub fn cause_group_code(g: usize) -> &'static str {
    Cause::ALL.get(g).map_or("none", |c| c.code())
}

const UNIT: f64 = 100.0 * WEIGHT_SCALE as f64;

impl Results {
    /// Spending of scenario `s` by replicate × year for the measure with index `k` of its
    /// categories, yuan.
    pub fn spending_values(&self, s: usize, k: usize) -> Array2<f64> {
        let sc = &self.scenarios[s];
        let (t_n, k_n) = (self.n_years(), sc.categories.len());
        Array2::from_shape_fn((self.replications as usize, t_n), |(r, t)| {
            sc.spending[(r * t_n + t) * k_n + k] as f64 / UNIT
        })
    }

    /// Programme spending by scenario × year × measure (scenarios with measures only).
    pub fn spending(&self) -> SpendingTable {
        let mut out = SpendingTable::default();
        for (s, sc) in self.scenarios.iter().enumerate() {
            for (k, name) in sc.categories.iter().enumerate() {
                let v = self.spending_values(s, k);
                for t in 0..self.n_years() {
                    let mut col = v.column(t).to_vec();
                    out.scenario.push(sc.name.clone());
                    out.year.push(self.years[t]);
                    out.measure.push(name.clone());
                    let [mean, p5, p95] = band(&mut col);
                    out.mean.push(mean);
                    out.p5.push(p5);
                    out.p95.push(p95);
                }
            }
        }
        out
    }

    /// Guarantee-fund losses of scenario `s` by replicate × year, yuan (zeros for a scenario
    /// without measures).
    pub fn guarantee_loss_values(&self, s: usize) -> Array2<f64> {
        let sc = &self.scenarios[s];
        let t_n = self.n_years();
        Array2::from_shape_fn((self.replications as usize, t_n), |(r, t)| {
            sc.guarantee_losses[r * t_n + t] as f64 / UNIT
        })
    }

    /// Microcredit defaults charged to the guarantee fund by scenario × year (scenarios with
    /// measures only).
    pub fn guarantee_losses(&self) -> LossTable {
        let mut out = LossTable::default();
        for (s, sc) in self.scenarios.iter().enumerate() {
            if sc.categories.is_empty() {
                continue;
            }
            let v = self.guarantee_loss_values(s);
            for t in 0..self.n_years() {
                let mut col = v.column(t).to_vec();
                out.scenario.push(sc.name.clone());
                out.year.push(self.years[t]);
                let [mean, p5, p95] = band(&mut col);
                out.mean.push(mean);
                out.p5.push(p5);
                out.p95.push(p95);
            }
        }
        out
    }

    /// Spending of scenario `s` in county `c` (dense index) by replicate × year for the measure
    /// with index `k` of its categories, yuan.
    pub fn county_spending_values(&self, s: usize, c: usize, k: usize) -> Array2<f64> {
        let sc = &self.scenarios[s];
        let (t_n, k_n) = (self.n_years(), sc.categories.len());
        let reps = self.replications as usize;
        Array2::from_shape_fn((reps, t_n), |(r, t)| {
            sc.county_spending[((c * reps + r) * t_n + t) * k_n + k] as f64 / UNIT
        })
    }

    /// Programme spending by scenario × county × year × measure, with the band over replicates
    /// (rows with spending in some replicate only).
    pub fn county_spending(&self) -> CountySpendingTable {
        let mut out = CountySpendingTable::default();
        for (s, sc) in self.scenarios.iter().enumerate() {
            for c in 0..self.counties.population.len() {
                for (k, name) in sc.categories.iter().enumerate() {
                    let v = self.county_spending_values(s, c, k);
                    for t in 0..self.n_years() {
                        let mut col = v.column(t).to_vec();
                        if col.iter().all(|&x| x == 0.0) {
                            continue;
                        }
                        out.scenario.push(sc.name.clone());
                        out.county.push(self.counties.ids.display(c));
                        out.year.push(self.years[t]);
                        out.measure.push(name.clone());
                        let [mean, p5, p95] = band(&mut col);
                        out.mean.push(mean);
                        out.p5.push(p5);
                        out.p95.push(p95);
                    }
                }
            }
        }
        out
    }

    /// Exits and returns by scenario × year × primary cause (rows with any flow only).
    pub fn flows_by_cause(&self) -> CauseTable {
        let mut out = CauseTable::default();
        let t_n = self.n_years();
        let reps = self.replications as usize;
        let d = f64::from(self.replications) * WEIGHT_SCALE as f64;
        for sc in &self.scenarios {
            for t in 0..t_n {
                for g in 0..CAUSE_GROUPS {
                    let sum = |v: &[i64]| -> i64 {
                        (0..reps).map(|r| v[(r * t_n + t) * CAUSE_GROUPS + g]).sum()
                    };
                    let (e, r) = (sum(&sc.cause_exits), sum(&sc.cause_returns));
                    if e != 0 || r != 0 {
                        out.scenario.push(sc.name.clone());
                        out.year.push(self.years[t]);
                        out.cause.push(cause_group_code(g).to_string());
                        out.exits.push(e as f64 / d);
                        out.returns.push(r as f64 / d);
                    }
                }
            }
        }
        out
    }

    /// Sustained exits of scenario `s` by replicate × year: exits of the year not followed by a
    /// return within `k` years. Exits in the last `k` years are right-censored: they count as
    /// sustained if no return happened before the run ended.
    pub fn sustained_exits(&self, s: usize, k: u32) -> Array2<f64> {
        let sc = &self.scenarios[s];
        let t_n = self.n_years();
        let w = WEIGHT_SCALE as f64;
        Array2::from_shape_fn((self.replications as usize, t_n), |(r, t)| {
            let row = &sc.exit_spells[(r * t_n + t) * (t_n + 1)..(r * t_n + t + 1) * (t_n + 1)];
            let kept: i64 = row
                .iter()
                .enumerate()
                .filter(|&(d, _)| d == 0 || d > k as usize)
                .map(|(_, &x)| x)
                .sum();
            kept as f64 / w
        })
    }
}
