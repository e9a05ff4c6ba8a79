//! The hot loop: every household of one village through every replicate and year of one scenario.
//!
//! Household-major: a household's parameters are computed once and stay in registers for its
//! replicates × years; its path state (persistent income component, status, guarantees) lives in
//! local variables; nothing is allocated per household. The village's disaster factors for every
//! replicate-year are drawn once per village. Sums go into the village's replicate × year cells.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU16, Ordering};

use super::accumulate::{CAUSE_GROUPS, Cell, GAP_SCALE, weight_units};
use super::scenario::{Treatment, YearContext, YearState};
use super::streams::{HOUSEHOLD, Keys, VILLAGE, purpose};
use crate::dynamics::IncomeModel;
use crate::registry::Registry;
use crate::rng::id_key;

/// A scenario's model turned into per-year tables.
#[derive(Debug)]
pub(crate) struct Plan<'a> {
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

impl<'a> Plan<'a> {
    pub fn new(model: IncomeModel, treatment: Option<&'a dyn Treatment>, years: &[i32]) -> Self {
        let p = model.income;
        let line: Vec<f64> = years.iter().map(|&y| model.line.at(y)).collect();
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
        Plan {
            model,
            treatment,
            line,
            inv_line,
            growth,
            correction,
        }
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
    /// One household's paths: incomes and poor flags by replicate × year.
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
    /// One household-year's spending by category, fen.
    hh_spend: Vec<i64>,
    /// Village guarantee-fund losses by replicate × year (weight units × fen).
    pub losses: Vec<i128>,
}

impl Scratch {
    pub fn new(replications: u32, years: usize) -> Self {
        let n = replications as usize * years;
        Scratch {
            cells: vec![Cell::default(); n],
            cut: vec![1.0; n],
            path_income: vec![0.0; n],
            path_poor: vec![false; n],
            spend: Vec::new(),
            cause_exits: vec![0; n * CAUSE_GROUPS],
            cause_returns: vec![0; n * CAUSE_GROUPS],
            spells: vec![0; n * (years + 1)],
            hh_spend: Vec::new(),
            losses: vec![0; n],
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
    pub paths: Option<&'a Mutex<super::results::Paths>>,
}

/// What the engine calls treatments through; `()` is the baseline and compiles to nothing.
pub(crate) trait Hook {
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
    plan: &Plan<'_>,
    hook: &H,
    v: usize,
    rows: &[u32],
    scratch: &mut Scratch,
    sink: &HouseholdSink<'_>,
    cancelled: &dyn Fn() -> bool,
) -> bool {
    let reg = run.registry;
    let h = reg.households();
    let keys = &run.keys;
    let t_n = run.years.len();
    let reps = run.replications;
    let m = &plan.model;
    let ip = m.income;
    let hs = m.health;
    let ex = m.exit;

    scratch.cells.fill(Cell::default());
    let k_n = hook.categories();
    scratch.spend.clear();
    scratch.spend.resize(reps as usize * t_n * k_n, 0);
    scratch.hh_spend.clear();
    scratch.hh_spend.resize(k_n, 0);
    scratch.cause_exits.fill(0);
    scratch.cause_returns.fill(0);
    scratch.losses.fill(0);
    scratch.spells.fill(0);
    // Village disasters: one draw per replicate-year, shared by every household of the village.
    let disaster_p = m.disaster.probability;
    if disaster_p > 0.0 {
        let vid = reg.villages().id.get(v).map_or(v as u64, id_key);
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
    let mut first_counts = [0u16; super::config::MAX_YEARS as usize];
    for &row32 in rows {
        if cancelled() {
            return false;
        }
        let row = row32 as usize;
        let hid = h.id.get(row).map_or(row as u64, id_key);
        let hkey = keys.entity(HOUSEHOLD, hid);
        let size = h.size[row];
        let inv_size = 1.0 / f64::from(size);
        let m0 = h.income_per_capita[row];
        let w = weight_units(h.weight[row]);
        let wp = w * i64::from(size);
        let wp128 = i128::from(wp);
        let p_health =
            m.health_probability(h.chronic_illness[row], h.disability[row], h.elderly[row]);
        let students = h.students[row];
        let school = f64::from(students) * m.schooling.cost_per_student;
        let registered = h.registered[row];
        let housing0 = h.housing_safe[row];
        let insured0 = h.insured[row];
        let schooling0 = ex.schooling_guaranteed || students == 0;
        let cause = h.primary_cause[row].map_or(CAUSE_GROUPS - 1, |c| c as usize);
        first_counts[..t_n].fill(0);
        let mut returned_reps = 0u16;

        for r in 0..reps {
            let rkey = keys.replicate(hkey, r);
            let base = r as usize * t_n;
            let mut persistent = 0.0f64;
            let mut poor = registered;
            let mut ever_exited = false;
            let mut first_exit = usize::MAX;
            let mut returned = false;
            let mut housing = housing0;
            let mut insured = insured0;
            let mut schooling_ok = schooling0;
            let mut memory = [0.0f64; 4];
            let mut last_exit = usize::MAX;
            for t in 0..t_n {
                let d = keys.year(rkey, t);
                if ip.persistent_sd > 0.0 {
                    persistent = ip.persistence * persistent
                        + ip.persistent_sd * d.normal(purpose::PERSISTENT);
                }
                let transitory = if ip.transitory_sd > 0.0 {
                    ip.transitory_sd * d.normal(purpose::TRANSITORY)
                } else {
                    0.0
                };
                let market = m0
                    * plan.growth[t]
                    * (persistent + transitory + plan.correction[t]).exp()
                    * scratch.cut[base + t];
                let medical = if p_health > 0.0 && d.uniform(purpose::HEALTH) < p_health {
                    hs.cost_median * (hs.cost_log_sd * d.normal(purpose::HEALTH_COST)).exp()
                } else {
                    0.0
                };
                let mut st = YearState {
                    market_income: market,
                    medical_cost: medical,
                    oop_share: if insured {
                        hs.oop_share_insured
                    } else {
                        hs.oop_share_uninsured
                    },
                    schooling_cost: school,
                    transfers: 0.0,
                    income_floor: 0.0,
                    housing_safe: housing,
                    insured,
                    schooling_guaranteed: schooling_ok,
                    spending_fen: 0,
                    floor_cap_fen: i64::MAX,
                    guarantee_loss_fen: 0,
                    memory,
                };
                let line = plan.line[t];
                if k_n > 0 {
                    scratch.hh_spend.fill(0);
                }
                let floor_category = hook.apply(
                    &YearContext {
                        registry: reg,
                        household: row,
                        household_key: hkey,
                        draws: d,
                        replicate: r,
                        year: run.years[t],
                        year_index: t,
                        line,
                    },
                    &mut st,
                    &mut scratch.hh_spend,
                );
                housing = st.housing_safe;
                insured = st.insured;
                schooling_ok = st.schooling_guaranteed;
                memory = st.memory;
                let oop = st.medical_cost * st.oop_share;
                let raw = (st.market_income + st.transfers - (oop + st.schooling_cost) * inv_size)
                    .max(0.0);
                let mut y = raw.max(st.income_floor);
                let mut top_up_fen = 0i64;
                if y > raw {
                    top_up_fen = ((y - raw) * f64::from(size) * 100.0 + 0.5) as i64;
                    if top_up_fen > st.floor_cap_fen {
                        // The floor's reservation binds: pay exactly it.
                        top_up_fen = st.floor_cap_fen.max(0);
                        y = raw + top_up_fen as f64 / (100.0 * f64::from(size));
                    }
                }

                let guarantees = (housing || !ex.require_safe_housing)
                    && (insured || !ex.require_insurance)
                    && schooling_ok;
                let income_poor = y < line;
                let meets = !income_poor && guarantees;
                let exit = poor && meets;
                let fall = !poor && !meets;
                let ret = fall && ever_exited;
                let entrant = fall && !ever_exited;
                if exit && first_exit == usize::MAX {
                    first_exit = t;
                }
                ever_exited |= exit;
                returned |= ret;
                poor = !meets;

                let gap = ((line - y) * plan.inv_line[t]).max(0.0);
                let g = (gap * GAP_SCALE as f64 + 0.5) as i64;
                let c = &mut scratch.cells[base + t];
                let pi = i64::from(poor);
                c.poor_households += w * pi;
                c.poor_people += wp * pi;
                c.income_poor_people += wp * i64::from(income_poor);
                c.exits += w * i64::from(exit);
                c.returns += w * i64::from(ret);
                c.entrants += w * i64::from(entrant);
                c.fgt1 += wp128 * i128::from(g);
                c.fgt2 += wp128 * i128::from(g * g);
                c.income_fen += wp128 * i128::from((y * 100.0 + 0.5) as i64);
                if oop > 0.0 {
                    c.health_oop_fen += i128::from(w) * i128::from((oop * 100.0 + 0.5) as i64);
                }
                if top_up_fen != 0 || st.spending_fen != 0 {
                    c.spending_fen += i128::from(w) * i128::from(st.spending_fen + top_up_fen);
                }
                if k_n > 0 {
                    if let Some(fc) = floor_category {
                        scratch.hh_spend[fc] += top_up_fen;
                    }
                    let off = (base + t) * k_n;
                    for (k, &fen) in scratch.hh_spend.iter().enumerate() {
                        if fen != 0 {
                            scratch.spend[off + k] += i128::from(w) * i128::from(fen);
                        }
                    }
                }
                if st.guarantee_loss_fen != 0 {
                    scratch.losses[base + t] += i128::from(w) * i128::from(st.guarantee_loss_fen);
                }
                if exit {
                    scratch.cause_exits[(base + t) * CAUSE_GROUPS + cause] += w;
                    last_exit = t;
                }
                if ret {
                    scratch.cause_returns[(base + t) * CAUSE_GROUPS + cause] += w;
                    if last_exit != usize::MAX {
                        scratch.spells[(base + last_exit) * (t_n + 1) + (t - last_exit)] += w;
                        last_exit = usize::MAX;
                    }
                }
                if sink.paths.is_some() {
                    scratch.path_income[base + t] = y;
                    scratch.path_poor[base + t] = poor;
                }
            }
            if last_exit != usize::MAX {
                scratch.spells[(base + last_exit) * (t_n + 1)] += w;
            }
            if first_exit < t_n {
                first_counts[first_exit] += 1;
            }
            returned_reps += u16::from(returned);
        }
        if keep_households {
            for (t, &count) in first_counts[..t_n].iter().enumerate() {
                sink.first_exit[row * t_n + t].store(count, Ordering::Relaxed);
            }
            sink.returned[row].store(returned_reps, Ordering::Relaxed);
        }
        if let Some(paths) = sink.paths {
            let mut p = match paths.lock() {
                Ok(g) => g,
                Err(poisoned) => poisoned.into_inner(),
            };
            p.store(row, &scratch.path_income, &scratch.path_poor);
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
        let plan = Plan::new(model, None, &[2016, 2017, 2018]);
        assert!((plan.growth[0] - 1.1).abs() < 1e-15);
        assert!((plan.growth[2] - 1.331).abs() < 1e-12);
        // Var(p_1) = 0.04; Var(p_2) = 0.25·0.04 + 0.04 = 0.05.
        assert!((plan.correction[0] - (-0.02 - 0.045)).abs() < 1e-15);
        assert!((plan.correction[1] - (-0.025 - 0.045)).abs() < 1e-15);
        assert_eq!(plan.line[0], 2952.0);
        assert!((plan.inv_line[0] * 2952.0 - 1.0).abs() < 1e-15);
        let zero = Plan::new(
            IncomeModel {
                line: crate::dynamics::PovertyLine::constant(0.0),
                ..IncomeModel::default()
            },
            None,
            &[2016],
        );
        assert_eq!(zero.inv_line[0], 0.0);
    }
}
