//! Sums beyond the cells — spending by measure, year and county; exits and returns by primary cause;
//! exit spells — and the tables read from them.

use std::collections::BTreeMap;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::accumulate::{CAUSE_GROUPS, WEIGHT_SCALE, add_slices};
use super::kernel::Scratch;
use super::results::Results;
use super::tables::band;
use crate::error::Error;
use crate::registry::{Cause, Registry};

/// Which money value of a household-year left the exact range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MoneyKind {
    /// Net income per person.
    Income,
    /// The household's out-of-pocket health cost.
    HealthCost,
    /// The welfare floor's top-up of the household.
    FloorTopUp,
}

/// A household-year whose money is at or beyond 2⁶³ fen, which the exact accumulators cannot hold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct MoneyOverflow {
    /// Registry row (0-based).
    pub row: usize,
    pub replicate: u32,
    /// Year index.
    pub year: usize,
    pub kind: MoneyKind,
    /// The value, yuan.
    pub yuan: f64,
}

impl MoneyOverflow {
    /// Keep in `first` the earlier of it and `other` in (row, replicate, year) order.
    pub fn keep_first(first: &mut Option<MoneyOverflow>, other: Option<MoneyOverflow>) {
        let key = |o: &MoneyOverflow| (o.row, o.replicate, o.year);
        if let Some(o) = other
            && first.is_none_or(|f| key(&o) < key(&f))
        {
            *first = Some(o);
        }
    }

    /// The error naming the household (1-based row), the value and the limit.
    pub fn error(&self, registry: &Registry, years: &[i32]) -> Error {
        let year = years.get(self.year).copied().unwrap_or_default();
        let (column, value, what) = match self.kind {
            MoneyKind::Income => (
                "income_per_capita",
                registry.households().income_per_capita[self.row].to_string(),
                "net income per person",
            ),
            MoneyKind::HealthCost => (
                "health_cost",
                self.yuan.to_string(),
                "out-of-pocket health cost",
            ),
            MoneyKind::FloorTopUp => (
                "floor_top_up",
                self.yuan.to_string(),
                "welfare-floor top-up",
            ),
        };
        Error::invalid_value(
            "households",
            column,
            self.row + 1,
            value,
            format!(
                "gives a {what} of {:e} yuan in {year} (replicate {}), beyond the money range \
                 the simulation sums exactly (2^63 fen, about 9.2e16 yuan per person or \
                 household a year); incomes, costs and model parameters that large are not \
                 plausible",
                self.yuan, self.replicate
            ),
        )
    }
}

/// Per-scenario sums beyond the cells: spending by category, flows by cause, exit spells.
pub(crate) struct Flows {
    k_n: usize,
    nc: usize,
    /// Replicate × year × category.
    pub spend: Vec<i128>,
    /// Replicate × year × category of each county met (sparse: a chunk of villages touches few
    /// counties, so per-worker sums stay small on national registries).
    county_spend: BTreeMap<usize, Vec<i128>>,
    pub cause_exits: Vec<i64>,
    pub cause_returns: Vec<i64>,
    pub spells: Vec<i64>,
    /// Guarantee-fund losses by replicate × year.
    pub losses: Vec<i128>,
    /// The first household-year whose money left the exact range, if any.
    pub money_overflow: Option<MoneyOverflow>,
}

impl Flows {
    pub fn new(reps: usize, t_n: usize, k_n: usize, nc: usize) -> Self {
        let n = reps * t_n;
        Flows {
            k_n,
            nc,
            spend: vec![0; n * k_n],
            county_spend: BTreeMap::new(),
            cause_exits: vec![0; n * CAUSE_GROUPS],
            cause_returns: vec![0; n * CAUSE_GROUPS],
            spells: vec![0; n * (t_n + 1)],
            losses: vec![0; n],
            money_overflow: None,
        }
    }

    /// Add a village's sums (its households all in county `c`).
    pub fn add_village(&mut self, scratch: &Scratch, c: usize) {
        let row = self.spend.len();
        if self.k_n > 0 {
            let county = self.county_spend.entry(c).or_insert_with(|| vec![0; row]);
            for (i, &x) in scratch.spend.iter().enumerate() {
                if x != 0 {
                    self.spend[i] += x;
                    county[i] += x;
                }
            }
        }
        add_slices(&mut self.cause_exits, &scratch.cause_exits);
        add_slices(&mut self.cause_returns, &scratch.cause_returns);
        add_slices(&mut self.spells, &scratch.spells);
        add_slices(&mut self.losses, &scratch.losses);
        MoneyOverflow::keep_first(&mut self.money_overflow, scratch.money_overflow);
    }

    pub fn add(&mut self, o: &Flows) {
        add_slices(&mut self.spend, &o.spend);
        let row = self.spend.len();
        for (&c, b) in &o.county_spend {
            let a = self.county_spend.entry(c).or_insert_with(|| vec![0; row]);
            add_slices(a, b);
        }
        add_slices(&mut self.cause_exits, &o.cause_exits);
        add_slices(&mut self.cause_returns, &o.cause_returns);
        add_slices(&mut self.spells, &o.spells);
        add_slices(&mut self.losses, &o.losses);
        MoneyOverflow::keep_first(&mut self.money_overflow, o.money_overflow);
    }

    /// Spending by county × replicate × year × category, dense over the registry's counties.
    pub fn county_dense(&self) -> Vec<i128> {
        let row = self.spend.len();
        let mut out = vec![0; self.nc * row];
        for (&c, v) in &self.county_spend {
            out[c * row..(c + 1) * row].copy_from_slice(v);
        }
        out
    }
}

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
