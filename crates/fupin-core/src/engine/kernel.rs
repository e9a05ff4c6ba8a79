//! The hot loop: every household of one village through every replicate and year of one scenario.
//!
//! Households go in blocks of [`LANES`]: a block's constants are read once, then for each replicate
//! all its draws and `exp`s for every year are computed over lanes ([`draw_replicate`], SIMD code),
//! and each household-year is settled in turn — measures, net income, status, sums. Path state
//! (status, guarantees, memory) lives in a small per-lane array; nothing is allocated per household.
//! The village's disaster factors for every replicate-year are drawn once per village. Sums go into
//! the village's replicate × year cells, once per block and year.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU16, Ordering};

use super::accumulate::{CAUSE_GROUPS, Cell};
use super::flow_sums::MoneyOverflow;
use super::settle::{BlockHouseholds, BlockState, settle_year};
use super::shocks::{BlockShocks, draw_replicate};
use crate::dynamics::IncomeModel;
use crate::dynamics::{Treatment, YearContext, YearState};
use crate::random::purpose;
use crate::random::streams::{Keys, LANES, VILLAGE};
use crate::registry::{IdRef, Registry};

/// A scenario's model turned into per-year tables.
#[derive(Debug)]
pub(crate) struct ArmTables<'a> {
    pub model: IncomeModel,
    pub treatment: Option<&'a dyn Treatment>,
    /// The line by year index.
    pub line: Vec<f64>,
    /// 1 / line (0 where the line is 0).
    pub inv_line: Vec<f64>,
    /// (1 + g)^(t + 1) by year index.
    pub growth: Vec<f64>,
    /// Lognormal mean corrections −Var(p_t)/2 − σ_ε²/2 by year index.
    pub correction: Vec<f64>,
}

impl<'a> ArmTables<'a> {
    pub fn new(
        model: IncomeModel,
        treatment: Option<&'a dyn Treatment>,
        years: &[i32],
    ) -> crate::error::Result<Self> {
        let p = model.income;
        let line = model.line.lines(years)?;
        let inv_line = line
            .iter()
            .map(|&z| if z > 0.0 { 1.0 / z } else { 0.0 })
            .collect();
        let mut growth = Vec::with_capacity(years.len());
        let mut correction = Vec::with_capacity(years.len());
        let mut var = 0.0;
        for t in 0..years.len() {
            growth.push((1.0 + p.growth).powi(t as i32 + 1));
            var = p.persistence * p.persistence * var + p.persistent_sd * p.persistent_sd;
            correction.push(-0.5 * var - 0.5 * p.transitory_sd * p.transitory_sd);
        }
        Ok(ArmTables {
            model,
            treatment,
            line,
            inv_line,
            growth,
            correction,
        })
    }
}

/// Run-wide inputs shared by every village.
#[derive(Debug)]
pub(crate) struct Run<'a> {
    pub registry: &'a Registry,
    pub keys: Keys,
    pub years: Vec<i32>,
    pub replications: u32,
}

/// Per-worker buffers, reused across villages.
#[derive(Debug)]
pub(crate) struct Scratch {
    /// Village × replicate × year sums (replicate-major).
    pub cells: Vec<Cell>,
    /// Disaster factor (1 or 1 − loss) by replicate × year.
    cut: Vec<f64>,
    /// The draws of the current block and replicate.
    pub shocks: BlockShocks,
    /// The block's paths: incomes and poor flags by lane × replicate × year.
    path_income: Vec<f64>,
    path_poor: Vec<bool>,
    /// Village spending by replicate × year × category (weight units × fen).
    pub spend: Vec<i128>,
    /// Village exits and returns by replicate × year × primary cause (weight units).
    pub cause_exits: Vec<i64>,
    pub cause_returns: Vec<i64>,
    /// Exits by replicate × exit year × (years + 1): column d ≥ 1 counts exits followed by a
    /// return d years later, column 0 those not followed by a return within the run.
    pub spells: Vec<i64>,
    /// One household-year's spending by category, fen, for each lane (lane-major).
    pub hh_spend: Vec<i64>,
    /// Village guarantee-fund losses by replicate × year (weight units × fen).
    pub losses: Vec<i128>,
    /// The first household-year of the village whose money left the exact range (see `settle`).
    pub money_overflow: Option<MoneyOverflow>,
}

impl Scratch {
    pub fn new(replications: u32, years: usize) -> Self {
        let n = replications as usize * years;
        Scratch {
            cells: vec![Cell::default(); n],
            cut: vec![1.0; n],
            shocks: BlockShocks::new(years),
            path_income: Vec::new(),
            path_poor: Vec::new(),
            spend: Vec::new(),
            cause_exits: vec![0; n * CAUSE_GROUPS],
            cause_returns: vec![0; n * CAUSE_GROUPS],
            spells: vec![0; n * (years + 1)],
            hh_spend: Vec::new(),
            losses: vec![0; n],
            money_overflow: None,
        }
    }
}

/// Where per-household outputs of one scenario go (registry order).
#[derive(Debug)]
pub(crate) struct HouseholdSink<'a> {
    /// Replicates whose first exit fell in year t: household × year.
    pub first_exit: &'a [AtomicU16],
    /// Replicates with a return after exit: one per household.
    pub returned: &'a [AtomicU16],
    /// Paths by replicate × household × year, if kept.
    pub paths: Option<&'a Mutex<super::output::Paths>>,
}

/// What the engine calls treatments through; `()` is the baseline and compiles to nothing.
pub(crate) trait Hook {
    /// Whether `apply` does anything (false only for the baseline `()`).
    const ACTIVE: bool;
    /// Number of spending categories reported.
    fn categories(&self) -> usize;
    /// Apply; `spend` has one slot per category. Returns the floor top-up's category.
    fn apply(
        &self,
        ctx: &YearContext<'_>,
        state: &mut YearState,
        spend: &mut [i64],
    ) -> Option<usize>;
}

impl Hook for () {
    const ACTIVE: bool = false;

    #[inline(always)]
    fn categories(&self) -> usize {
        0
    }

    #[inline(always)]
    fn apply(&self, _: &YearContext<'_>, _: &mut YearState, _: &mut [i64]) -> Option<usize> {
        None
    }
}

impl Hook for &dyn Treatment {
    const ACTIVE: bool = true;

    fn categories(&self) -> usize {
        Treatment::categories(*self).len()
    }

    #[inline]
    fn apply(
        &self,
        ctx: &YearContext<'_>,
        state: &mut YearState,
        spend: &mut [i64],
    ) -> Option<usize> {
        if spend.is_empty() {
            Treatment::apply(*self, ctx, state);
            None
        } else {
            self.apply_tracked(ctx, state, spend)
        }
    }
}

/// Simulate the households `rows` of village `v`; fills `scratch.cells` (zeroed here) and the sinks.
/// Returns whether it finished (false: cancelled midway; outputs are then incomplete).
#[allow(clippy::too_many_arguments)]
pub(crate) fn village<H: Hook>(
    run: &Run<'_>,
    plan: &ArmTables<'_>,
    hook: &H,
    v: usize,
    rows: &[u32],
    scratch: &mut Scratch,
    sink: &HouseholdSink<'_>,
    cancelled: &dyn Fn() -> bool,
) -> bool {
    crate::simd::vectorized(
        #[inline(always)]
        || village_blocks(run, plan, hook, v, rows, scratch, sink, cancelled),
    )
}

/// [`village`]: the households in blocks of [`LANES`]; each block's draws for a replicate at once
/// ([`draw_replicate`]), then each household-year's measures, net income, status and sums.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn village_blocks<H: Hook>(
    run: &Run<'_>,
    plan: &ArmTables<'_>,
    hook: &H,
    v: usize,
    rows: &[u32],
    scratch: &mut Scratch,
    sink: &HouseholdSink<'_>,
    cancelled: &dyn Fn() -> bool,
) -> bool {
    let reg = run.registry;
    let keys = &run.keys;
    let t_n = run.years.len();
    let reps = run.replications;
    let m = &plan.model;

    scratch.cells.fill(Cell::default());
    scratch.money_overflow = None;
    let k_n = hook.categories();
    scratch.spend.clear();
    scratch.spend.resize(reps as usize * t_n * k_n, 0);
    scratch.hh_spend.clear();
    scratch.hh_spend.resize(LANES * k_n, 0);
    scratch.cause_exits.fill(0);
    scratch.cause_returns.fill(0);
    scratch.losses.fill(0);
    scratch.spells.fill(0);
    let keep_paths = sink.paths.is_some();
    if keep_paths {
        let n = LANES * reps as usize * t_n;
        scratch.path_income.resize(n, 0.0);
        scratch.path_poor.resize(n, false);
    }
    // Village disasters: one draw per replicate-year, shared by every household of the village.
    let disaster_p = m.disaster.probability;
    if disaster_p > 0.0 {
        let vid = reg.villages().id.get(v).map_or(v as u64, IdRef::key);
        let vkey = keys.entity(VILLAGE, vid);
        let hit = 1.0 - m.disaster.income_loss;
        for r in 0..reps {
            let rk = keys.replicate(vkey, r);
            for t in 0..t_n {
                let u = keys.year(rk, t).uniform(purpose::DISASTER);
                scratch.cut[r as usize * t_n + t] = if u < disaster_p { hit } else { 1.0 };
            }
        }
    } else {
        scratch.cut.fill(1.0);
    }

    let keep_households = !sink.first_exit.is_empty();
    // Replicates whose first exit fell in year t, by year × lane (one small allocation a village).
    let mut first_counts = vec![[0u16; LANES]; t_n];
    for rows_of_block in rows.chunks(LANES) {
        if cancelled() {
            return false;
        }
        let block = BlockHouseholds::read(run, m, rows_of_block);
        let n = block.n;
        first_counts.fill([0; LANES]);
        let mut returned_reps = [0u16; LANES];

        for r in 0..reps {
            let base = r as usize * t_n;
            draw_replicate(
                keys,
                plan,
                &block,
                r,
                &scratch.cut[base..base + t_n],
                &mut scratch.shocks,
            );
            let mut state = BlockState::start(&block);
            for t in 0..t_n {
                let y = settle_year(run, plan, hook, &block, &mut state, r, t, scratch);
                if keep_paths {
                    for (l, (&income, &poor)) in y.iter().zip(&state.poor).take(n).enumerate() {
                        let i = (l * reps as usize + r as usize) * t_n + t;
                        scratch.path_income[i] = income;
                        scratch.path_poor[i] = poor;
                    }
                }
            }
            for l in 0..n {
                if state.last_exit[l] != usize::MAX {
                    scratch.spells[(base + state.last_exit[l]) * (t_n + 1)] += block.w[l];
                }
                if state.first_exit[l] < t_n {
                    first_counts[state.first_exit[l]][l] += 1;
                }
                returned_reps[l] += u16::from(state.returned[l]);
            }
        }
        if keep_households {
            for (l, &row) in block.row[..n].iter().enumerate() {
                for (t, counts) in first_counts.iter().enumerate() {
                    sink.first_exit[row * t_n + t].store(counts[l], Ordering::Relaxed);
                }
                sink.returned[row].store(returned_reps[l], Ordering::Relaxed);
            }
        }
        if let Some(paths) = sink.paths {
            let mut p = match paths.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            for (l, &row) in block.row[..n].iter().enumerate() {
                let lane = l * reps as usize * t_n..(l + 1) * reps as usize * t_n;
                p.store(
                    row,
                    &scratch.path_income[lane.clone()],
                    &scratch.path_poor[lane],
                );
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_tables_match_hand_computation() {
        let mut model = IncomeModel::default();
        model.income.growth = 0.1;
        model.income.persistence = 0.5;
        model.income.persistent_sd = 0.2;
        model.income.transitory_sd = 0.3;
        let plan = ArmTables::new(model, None, &[2016, 2017, 2018]).unwrap();
        assert!((plan.growth[0] - 1.1).abs() < 1e-15);
        assert!((plan.growth[2] - 1.331).abs() < 1e-12);
        // Var(p_1) = 0.04; Var(p_2) = 0.25·0.04 + 0.04 = 0.05.
        assert!((plan.correction[0] - (-0.02 - 0.045)).abs() < 1e-15);
        assert!((plan.correction[1] - (-0.025 - 0.045)).abs() < 1e-15);
        assert_eq!(plan.line[0], 2952.0);
        assert!((plan.inv_line[0] * 2952.0 - 1.0).abs() < 1e-15);
        let zero = ArmTables::new(
            IncomeModel {
                line: crate::dynamics::PovertyLine::constant(0.0),
                ..IncomeModel::default()
            },
            None,
            &[2016],
        )
        .unwrap();
        assert_eq!(zero.inv_line[0], 0.0);
    }
}
