//! Sums beyond the cells, accumulated by the runner: spending by measure, year and county; exits
//! and returns by primary cause; exit spells; guarantee-fund losses; and money that left the
//! exact range. Their tables are in [`crate::results`].

use std::collections::BTreeMap;

use super::accumulate::{CAUSE_GROUPS, add_slices};
use super::kernel::Scratch;
use crate::error::Error;
use crate::registry::Registry;

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
