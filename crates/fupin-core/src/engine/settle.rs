//! One replicate-year of a block of [`LANES`] households after its draws: measures (lane by lane,
//! only when the scenario has any), then net income, status and sums over lanes, in short loops the
//! compiler vectorises, then the rarer events: exits and returns in the lanes that have one (a bit
//! mask), and with measures, top-ups, losses and spending lane by lane.
//!
//! Money and gaps are summed exactly. Where every lane's weight units × size is below 2³⁰ and every
//! rounded value below 2⁵² — any realistic block — that is [`weighted_lane_sum`] over lanes (64-bit
//! integers and 32-bit multiplies, which vectorise); otherwise an i128 loop gives the same integers.
//!
//! Padding lanes (a village's last block is usually short) carry weight 0, so they add nothing to
//! any sum; the event loops stop at the block's length.
//!
//! **Money range.** A household's money values are whole fen in an `i64`: up to 2⁶³ fen (about
//! 9.2·10¹⁸ fen, 9.2·10¹⁶ yuan per person or household a year). A value at or beyond that (an
//! absurd registry income, or one that the income model grows there) cannot be summed exactly;
//! rather than saturate, the block records it ([`MoneyOverflow`]) and `simulate` fails with an
//! error naming the household. The check costs nothing in the narrow path (every value there is
//! below 2⁵²): only blocks already on the wide path, and floor top-ups, look.

// Loops over lanes index several arrays in step; that is what the vectoriser reads best.
#![allow(clippy::needless_range_loop)]

use super::accumulate::{CAUSE_GROUPS, Cell, weighted_lane_sum, weighted_lane_sum_30};
use crate::units::{GAP_SCALE, NARROW_WEIGHT, TWO_52, TWO_63, floor_below_2_52, weight_units};

use super::flow_sums::{MoneyKind, MoneyOverflow};
use super::kernel::{ArmTables, Hook, Run, Scratch};
use crate::dynamics::IncomeModel;
use crate::dynamics::{YearContext, YearState};
use crate::random::streams::{HOUSEHOLD, LANES, Lanes};
use crate::registry::IdRef;

/// The constants of a block's households, one per lane.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BlockHouseholds {
    /// Households in the block (lanes `n..` are padding).
    pub n: usize,
    pub row: Lanes<usize>,
    /// Stream keys `Keys::entity(HOUSEHOLD, id_key)`.
    pub key: Lanes<u64>,
    /// Market income per person at the start, yuan.
    pub m0: Lanes<f64>,
    /// Probability of a health shock per year.
    pub p_health: Lanes<f64>,
    pub size: Lanes<u16>,
    pub inv_size: Lanes<f64>,
    /// Weight units, and weight units × size (0 in padding lanes).
    pub w: Lanes<i64>,
    pub wp: Lanes<i64>,
    /// Every lane's weight units × size (so its weight units too) is below [`NARROW_WEIGHT`]
    /// (see [`weighted_lane_sum`]).
    pub narrow: bool,
    pub school: Lanes<f64>,
    pub registered: Lanes<bool>,
    pub housing: Lanes<bool>,
    pub insured: Lanes<bool>,
    pub schooling: Lanes<bool>,
    pub cause: Lanes<usize>,
}

impl BlockHouseholds {
    /// Read the households `rows` (at most [`LANES`]).
    pub fn read(run: &Run<'_>, model: &IncomeModel, rows: &[u32]) -> Self {
        let h = run.registry.households();
        let mut b = BlockHouseholds {
            n: rows.len(),
            ..BlockHouseholds::default()
        };
        for (l, &row32) in rows.iter().enumerate() {
            let row = row32 as usize;
            let size = h.size[row];
            let w = weight_units(h.weight[row]);
            let students = h.students[row];
            b.row[l] = row;
            b.key[l] = run
                .keys
                .entity(HOUSEHOLD, h.id.get(row).map_or(row as u64, IdRef::key));
            b.m0[l] = h.income_per_capita[row];
            b.p_health[l] =
                model.health_probability(h.chronic_illness[row], h.disability[row], h.elderly[row]);
            b.size[l] = size;
            b.inv_size[l] = 1.0 / f64::from(size);
            b.w[l] = w;
            b.wp[l] = w * i64::from(size);
            b.school[l] = f64::from(students) * model.schooling.cost_per_student;
            b.registered[l] = h.registered[row];
            b.housing[l] = h.housing_safe[row];
            b.insured[l] = h.insured[row];
            b.schooling[l] = model.exit.schooling_guaranteed || students == 0;
            b.cause[l] = h.primary_cause[row].map_or(CAUSE_GROUPS - 1, |c| c as usize);
        }
        // Sizes are at least 1 (the registry checks), so w ≤ wp; and `simulate` refuses registries
        // whose weighted people overflow the fixed-point counts, so wp does not wrap.
        b.narrow = b.wp.iter().all(|&wp| (0..NARROW_WEIGHT).contains(&wp));
        b
    }
}

/// The block's households' state along one replicate.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockState {
    /// Failing the exit standard now.
    pub poor: Lanes<bool>,
    pub ever_exited: Lanes<bool>,
    /// Returned to poverty after an exit, at any time in this replicate.
    pub returned: Lanes<bool>,
    pub housing: Lanes<bool>,
    pub insured: Lanes<bool>,
    pub schooling_ok: Lanes<bool>,
    /// Year index of the first exit (`usize::MAX`: none yet).
    pub first_exit: Lanes<usize>,
    /// Year index of the exit that began the current non-poor spell (`usize::MAX`: none).
    pub last_exit: Lanes<usize>,
    pub memory: Lanes<[f64; 4]>,
}

impl BlockState {
    pub fn start(b: &BlockHouseholds) -> Self {
        BlockState {
            poor: b.registered,
            ever_exited: [false; LANES],
            returned: [false; LANES],
            housing: b.housing,
            insured: b.insured,
            schooling_ok: b.schooling,
            first_exit: [usize::MAX; LANES],
            last_exit: [usize::MAX; LANES],
            memory: [[0.0; 4]; LANES],
        }
    }
}

/// What measures may change in a household-year, by lane, starting from the model's values.
struct YearInputs {
    market: Lanes<f64>,
    medical: Lanes<f64>,
    oop_share: Lanes<f64>,
    school: Lanes<f64>,
    transfers: Lanes<f64>,
    floor: Lanes<f64>,
    spending_fen: Lanes<i64>,
    floor_cap_fen: Lanes<i64>,
    loss_fen: Lanes<i64>,
    floor_category: Lanes<Option<usize>>,
}

/// Record that household `row` has a money value beyond the exact range in replicate `r`, year
/// index `t` (keeping the first in (row, replicate, year) order, so the error does not depend on
/// the order blocks run in).
#[cold]
#[inline(never)]
fn note_overflow(scratch: &mut Scratch, row: usize, r: u32, t: usize, kind: MoneyKind, yuan: f64) {
    let new = MoneyOverflow {
        row,
        replicate: r,
        year: t,
        kind,
        yuan,
    };
    MoneyOverflow::keep_first(&mut scratch.money_overflow, Some(new));
}

/// Settle year `t` of replicate `r` for the block: adds to `scratch.cells[r·T + t]` and the
/// village's flow tables, updates `state`, and returns each lane's net income per person.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn settle_year<H: Hook>(
    run: &Run<'_>,
    plan: &ArmTables<'_>,
    hook: &H,
    b: &BlockHouseholds,
    state: &mut BlockState,
    r: u32,
    t: usize,
    scratch: &mut Scratch,
) -> Lanes<f64> {
    let m = &plan.model;
    let ex = m.exit;
    let t_n = run.years.len();
    let cell = r as usize * t_n + t;
    let line = plan.line[t];
    let inv_line = plan.inv_line[t];
    let k_n = scratch.hh_spend.len() / LANES;

    let mut oop_share = [0.0; LANES];
    for (share, &insured) in oop_share.iter_mut().zip(&state.insured) {
        *share = if insured {
            m.health.oop_share_insured
        } else {
            m.health.oop_share_uninsured
        };
    }
    let mut x = YearInputs {
        market: scratch.shocks.market[t],
        medical: scratch.shocks.medical[t],
        oop_share,
        school: b.school,
        transfers: [0.0; LANES],
        floor: [0.0; LANES],
        spending_fen: [0; LANES],
        floor_cap_fen: [i64::MAX; LANES],
        loss_fen: [0; LANES],
        floor_category: [None; LANES],
    };
    if H::ACTIVE {
        apply_measures(run, hook, b, state, (r, t, line), &mut x, scratch);
    }

    // Net income per person, and the floor's top-up where a floor lifts it (measures only).
    let mut oop = [0.0; LANES];
    let mut raw = [0.0; LANES];
    let mut y = [0.0; LANES];
    for l in 0..LANES {
        oop[l] = x.medical[l] * x.oop_share[l];
        raw[l] = (x.market[l] + x.transfers[l] - (oop[l] + x.school[l]) * b.inv_size[l]).max(0.0);
        y[l] = raw[l].max(x.floor[l]);
    }
    let mut top_up_fen = [0i64; LANES];
    for l in 0..b.n {
        if y[l] > raw[l] {
            let size = f64::from(b.size[l]);
            top_up_fen[l] = ((y[l] - raw[l]) * size * 100.0 + 0.5) as i64;
            if top_up_fen[l] > x.floor_cap_fen[l] {
                // The floor's reservation binds: pay exactly it.
                top_up_fen[l] = x.floor_cap_fen[l].max(0);
                y[l] = raw[l] + top_up_fen[l] as f64 / (100.0 * size);
            } else if top_up_fen[l] == i64::MAX {
                // Saturated (no f64 below 2⁶³ converts to i64::MAX): out of the money range.
                let yuan = (y[l] - raw[l]) * size;
                note_overflow(scratch, b.row[l], r, t, MoneyKind::FloorTopUp, yuan);
                top_up_fen[l] = 0;
            }
        }
    }

    // Status: the exit standard (income and the guarantees), exits, returns, entrants. Flags as
    // 0/1 integers and sums as masked adds, one array per sum: bitwise logic without branches,
    // which the compiler vectorises across lanes.
    let mut exit = [0u8; LANES];
    let mut counts = [[0i64; LANES]; 6];
    for l in 0..LANES {
        let housing_ok = u8::from(state.housing[l]) | u8::from(!ex.require_safe_housing);
        let insured_ok = u8::from(state.insured[l]) | u8::from(!ex.require_insurance);
        let guarantees = housing_ok & insured_ok & u8::from(state.schooling_ok[l]);
        let income_poor = u8::from(y[l] < line);
        let meets = (1 - income_poor) & guarantees;
        let was_poor = u8::from(state.poor[l]);
        let ever = u8::from(state.ever_exited[l]);
        let is_exit = was_poor & meets;
        let fall = (1 - was_poor) & (1 - meets);
        let is_ret = fall & ever;
        let entrant = fall & (1 - ever);
        // 1: exit, 2: return (never both), 0: neither.
        exit[l] = is_exit | (is_ret << 1);
        state.ever_exited[l] = (ever | is_exit) == 1;
        state.returned[l] |= is_ret == 1;
        state.poor[l] = meets == 0;
        let (w, wp) = (b.w[l], b.wp[l]);
        let mask = |flag: u8| -i64::from(flag);
        counts[0][l] = w & mask(1 - meets);
        counts[1][l] = wp & mask(1 - meets);
        counts[2][l] = wp & mask(income_poor);
        counts[3][l] = w & mask(is_exit);
        counts[4][l] = w & mask(is_ret);
        counts[5][l] = w & mask(entrant);
    }
    let total = |k: usize| counts[k].iter().sum::<i64>();
    let mut sums = Cell {
        poor_households: total(0),
        poor_people: total(1),
        income_poor_people: total(2),
        exits: total(3),
        returns: total(4),
        entrants: total(5),
        ..Cell::default()
    };
    // Money and gaps, exactly: fen and fixed-point gaps, rounded half up, times weight units.
    let mut gap_fp = [0.0; LANES];
    let mut income_fen = [0.0; LANES];
    let mut oop_fen = [0.0; LANES];
    // None of these is NaN (`y` and the gap come out of `max`, and a NaN cost fails `> 0`), so the
    // largest of them decides whether all are below 2⁵².
    let mut largest = [0.0f64; LANES];
    for l in 0..LANES {
        let gap = ((line - y[l]) * inv_line).max(0.0);
        gap_fp[l] = gap * GAP_SCALE as f64 + 0.5;
        income_fen[l] = y[l] * 100.0 + 0.5;
        oop_fen[l] = if oop[l] > 0.0 {
            oop[l] * 100.0 + 0.5
        } else {
            0.0
        };
        let wider = if income_fen[l] > gap_fp[l] {
            income_fen[l]
        } else {
            gap_fp[l]
        };
        largest[l] = if oop_fen[l] > wider {
            oop_fen[l]
        } else {
            wider
        };
    }
    let largest = largest
        .iter()
        .fold(0.0f64, |m, &v| if v > m { v } else { m });
    if b.narrow && largest < TWO_52 {
        // Every block of a realistic registry: 64-bit sums over lanes that vectorise.
        let wp = b.wp.map(|v| v as u64);
        let w = b.w.map(|v| v as u64);
        let mut g = [0u64; LANES];
        let mut g2 = [0u64; LANES];
        let mut income = [0u64; LANES];
        let mut oop_u = [0u64; LANES];
        for l in 0..LANES {
            g[l] = floor_below_2_52(gap_fp[l]);
            debug_assert!(g[l] < 1 << 30, "gap {}", gap_fp[l]);
            // The gap is at most 1, so g ≤ 10⁹ < 2³⁰: g² is one 32-bit multiply, and FGT1 needs
            // no split.
            g2[l] = u64::from(g[l] as u32) * u64::from(g[l] as u32);
            income[l] = floor_below_2_52(income_fen[l]);
            oop_u[l] = floor_below_2_52(oop_fen[l]);
        }
        sums.fgt1 += weighted_lane_sum_30(&wp, &g);
        sums.fgt2 += weighted_lane_sum(&wp, &g2);
        sums.income_fen += weighted_lane_sum(&wp, &income);
        sums.health_oop_fen += weighted_lane_sum(&w, &oop_u);
    } else {
        if largest >= TWO_63 {
            for l in 0..b.n {
                if income_fen[l] >= TWO_63 {
                    note_overflow(scratch, b.row[l], r, t, MoneyKind::Income, y[l]);
                } else if oop_fen[l] >= TWO_63 {
                    note_overflow(scratch, b.row[l], r, t, MoneyKind::HealthCost, oop[l]);
                }
            }
        }
        for l in 0..LANES {
            let (w, wp) = (i128::from(b.w[l]), i128::from(b.wp[l]));
            let g = gap_fp[l] as i64;
            sums.fgt1 += wp * i128::from(g);
            sums.fgt2 += wp * i128::from(g * g);
            sums.income_fen += wp * i128::from(income_fen[l] as i64);
            sums.health_oop_fen += w * i128::from(oop_fen[l] as i64);
        }
    }
    if H::ACTIVE {
        // Without measures there is no spending and no floor to top up.
        for l in 0..LANES {
            sums.spending_fen += i128::from(b.w[l]) * i128::from(x.spending_fen[l] + top_up_fen[l]);
        }
    }
    scratch.cells[cell].add(&sums);

    // Exits and returns, visiting only the lanes that have one (as bits of `events`).
    let mut events = 0u32;
    for l in 0..LANES {
        events |= u32::from(exit[l] != 0) << l;
    }
    events &= (1 << b.n) - 1;
    while events != 0 {
        let l = events.trailing_zeros() as usize;
        events &= events - 1;
        let w = b.w[l];
        let group = cell * CAUSE_GROUPS + b.cause[l];
        if exit[l] == 1 {
            if state.first_exit[l] == usize::MAX {
                state.first_exit[l] = t;
            }
            scratch.cause_exits[group] += w;
            state.last_exit[l] = t;
        } else {
            scratch.cause_returns[group] += w;
            let last = state.last_exit[l];
            if last != usize::MAX {
                scratch.spells[(r as usize * t_n + last) * (t_n + 1) + (t - last)] += w;
                state.last_exit[l] = usize::MAX;
            }
        }
    }
    if H::ACTIVE {
        // Measures' guarantee losses and spending by category.
        for l in 0..b.n {
            let w = b.w[l];
            if x.loss_fen[l] != 0 {
                scratch.losses[cell] += i128::from(w) * i128::from(x.loss_fen[l]);
            }
            if k_n > 0 {
                let spend = &mut scratch.hh_spend[l * k_n..(l + 1) * k_n];
                if let Some(fc) = x.floor_category[l] {
                    spend[fc] += top_up_fen[l];
                }
                let off = cell * k_n;
                for (k, &fen) in spend.iter().enumerate() {
                    if fen != 0 {
                        scratch.spend[off + k] += i128::from(w) * i128::from(fen);
                    }
                }
            }
        }
    }
    y
}

/// The scenario's measures, household by household: each sees and changes its own year.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn apply_measures<H: Hook>(
    run: &Run<'_>,
    hook: &H,
    b: &BlockHouseholds,
    state: &mut BlockState,
    (r, t, line): (u32, usize, f64),
    x: &mut YearInputs,
    scratch: &mut Scratch,
) {
    let k_n = scratch.hh_spend.len() / LANES;
    for l in 0..b.n {
        let mut st = YearState {
            market_income: x.market[l],
            medical_cost: x.medical[l],
            oop_share: x.oop_share[l],
            schooling_cost: x.school[l],
            transfers: 0.0,
            income_floor: 0.0,
            housing_safe: state.housing[l],
            insured: state.insured[l],
            schooling_guaranteed: state.schooling_ok[l],
            spending_fen: 0,
            floor_cap_fen: i64::MAX,
            guarantee_loss_fen: 0,
            memory: state.memory[l],
        };
        let spend = &mut scratch.hh_spend[l * k_n..(l + 1) * k_n];
        spend.fill(0);
        x.floor_category[l] = hook.apply(
            &YearContext {
                registry: run.registry,
                household: b.row[l],
                household_key: b.key[l],
                draws: run.keys.draws(scratch.shocks.year_keys[t][l]),
                replicate: r,
                year: run.years[t],
                year_index: t,
                line,
            },
            &mut st,
            spend,
        );
        x.market[l] = st.market_income;
        x.medical[l] = st.medical_cost;
        x.oop_share[l] = st.oop_share;
        x.school[l] = st.schooling_cost;
        x.transfers[l] = st.transfers;
        x.floor[l] = st.income_floor;
        x.spending_fen[l] = st.spending_fen;
        x.floor_cap_fen[l] = st.floor_cap_fen;
        x.loss_fen[l] = st.guarantee_loss_fen;
        state.housing[l] = st.housing_safe;
        state.insured[l] = st.insured;
        state.schooling_ok[l] = st.schooling_guaranteed;
        state.memory[l] = st.memory;
    }
}
