//! The planner's state for one plan: the money left in each pool, the assignments made so far and
//! the year's rules for funding them (recurring commitments first, then the policy's new
//! assignments; see [`super::plan`]).

use std::collections::HashMap;

use super::plan::Assignment;
use crate::error::Result;
use crate::measures::{MeasureSpec, memory};
use crate::registry::Registry;
use crate::units::weight_units;

pub(super) struct Planner<'a> {
    pub(super) registry: &'a Registry,
    pub(super) specs: Vec<&'a MeasureSpec>,
    pub(super) lines: Vec<f64>,
    pub(super) years: Vec<i32>,
    pub(super) pool_of: Vec<u32>,
    pub(super) unlimited: bool,
    pub(super) remaining: Vec<i128>,
    pub(super) assignments: Vec<Assignment>,
    /// Stateful slots used per household.
    pub(super) slots: Vec<u8>,
    /// Intensity given per (household, measure).
    pub(super) given: HashMap<(u32, u16), f64>,
    pub(super) committed: Vec<i128>,
    pub(super) n_pools: usize,
    /// The guarantee fund's capacity (none: unlimited).
    pub(super) loan_capacity: Option<i128>,
    /// Loans outstanding by year.
    pub(super) outstanding: Vec<i128>,
}

impl Planner<'_> {
    pub(super) fn pool(&self, row: u32) -> usize {
        self.pool_of.get(row as usize).map_or(0, |&c| c as usize)
    }

    pub(super) fn weight(&self, row: u32) -> i128 {
        i128::from(weight_units(
            self.registry.households().weight[row as usize],
        ))
    }

    pub(super) fn cost(&self, t: usize, row: u32, m: u16, k: u32, intensity: f64) -> i128 {
        let r = self.specs[m as usize].reservation(
            self.registry,
            row as usize,
            k,
            self.lines[t],
            intensity,
        );
        self.weight(row) * i128::from(r.total())
    }

    pub(super) fn commit(&mut self, t: usize, q: usize, m: u16, cost: i128) {
        let t_n = self.years.len();
        let m_n = self.specs.len();
        self.committed[(q * t_n + t) * m_n + m as usize] += cost;
        self.remaining[q] -= cost;
    }

    /// Fund the years after the first of earlier assignments; end those that no longer fit.
    pub(super) fn recurring(&mut self, t: usize) -> Result<()> {
        let year = self.years[t];
        for i in 0..self.assignments.len() {
            crate::cancel::poll(i)?;
            let a = self.assignments[i];
            if a.start_year >= year || a.end_year.is_some() {
                continue;
            }
            let cost = self.cost(
                t,
                a.household,
                a.measure,
                (year - a.start_year) as u32,
                a.intensity,
            );
            if cost == 0 {
                continue;
            }
            let q = self.pool(a.household);
            if self.unlimited || cost <= self.remaining[q] {
                self.commit(t, q, a.measure, cost);
            } else {
                self.assignments[i].end_year = Some(year);
            }
        }
        Ok(())
    }

    /// Add an assignment starting in year `t` if its first year's reservation fits.
    pub(super) fn try_add(&mut self, t: usize, row: u32, m: u16, intensity: f64) -> bool {
        let stateful = self.specs[m as usize].stateful();
        if stateful && u32::from(self.slots[row as usize]) >= memory::SLOTS {
            return false;
        }
        let cost = self.cost(t, row, m, 0, intensity);
        let q = self.pool(row);
        if !self.unlimited && cost > self.remaining[q] {
            return false;
        }
        // Loans outstanding only fall after year t until a new loan is made, so checking t suffices.
        let (loan_fen, term) = self.specs[m as usize].loan(intensity);
        let loan = self.weight(row) * i128::from(loan_fen);
        if loan > 0
            && self
                .loan_capacity
                .is_some_and(|cap| self.outstanding[t] + loan > cap)
        {
            return false;
        }
        let t_end = (t + term as usize).min(self.years.len());
        for v in &mut self.outstanding[t..t_end] {
            *v += loan;
        }
        self.commit(t, q, m, cost);
        let slot = self.slots[row as usize];
        if stateful {
            self.slots[row as usize] += 1;
        }
        *self.given.entry((row, m)).or_insert(0.0) += intensity;
        self.assignments.push(Assignment {
            household: row,
            measure: m,
            start_year: self.years[t],
            end_year: None,
            intensity,
            slot,
        });
        true
    }

    /// One year of 大水漫灌: every registered household, every eligible measure of the mix, one
    /// intensity per pool; households taken in `id_order` (rows sorted by household id), so where
    /// the money or the guarantee fund runs short the lower ids are funded first.
    pub(super) fn uniform(
        &mut self,
        t: usize,
        mix: &[u16],
        min_intensity: f64,
        id_order: &[u32],
    ) -> Result<()> {
        let reg = self.registry;
        let h = reg.households();
        let mut cands = Vec::new();
        let mut need = vec![0i128; self.n_pools];
        let mut margin = vec![0i128; self.n_pools];
        for (i, &row) in id_order.iter().enumerate() {
            crate::cancel::poll(i)?;
            if !h.registered[row as usize] {
                continue;
            }
            for &m in mix {
                if !self.specs[m as usize].eligible(reg, row as usize) {
                    continue;
                }
                let want = 1.0 - self.given.get(&(row, m)).copied().unwrap_or(0.0);
                if want < min_intensity {
                    continue;
                }
                let q = self.pool(row);
                need[q] += self.cost(t, row, m, 0, want);
                margin[q] += 2 * self.weight(row);
                cands.push((row, m, want));
            }
        }
        let x: Vec<f64> = (0..self.n_pools)
            .map(|q| {
                if self.unlimited || need[q] == 0 {
                    1.0
                } else {
                    ((self.remaining[q] - margin[q]).max(0) as f64 / need[q] as f64).min(1.0)
                }
            })
            .collect();
        for (i, (row, m, want)) in cands.into_iter().enumerate() {
            crate::cancel::poll(i)?;
            let intensity = x[self.pool(row)] * want;
            if intensity >= min_intensity {
                self.try_add(t, row, m, intensity);
            }
        }
        Ok(())
    }
}
