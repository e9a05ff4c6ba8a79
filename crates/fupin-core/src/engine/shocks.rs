//! Market incomes and health costs of a block of [`LANES`] households through the years of one
//! replicate: every random draw and every `exp` of the model, in loops over lanes that the compiler
//! turns into SIMD code (see [`crate::simd`]).
//!
//! Per lane and year, with `d` the household-replicate-year draws ([`crate::random::Draws`]):
//!
//! ```text
//! p_t     = ρ·p_{t−1} + σ_p·d.normal(PERSISTENT)                      (p_0 = 0)
//! market  = m₀ · (1 + g)^(t+1) · exp(p_t + σ_ε·d.normal(TRANSITORY) + c_t) · disaster cut
//! medical = cost median · exp(σ_c·d.normal(HEALTH_COST))  if d.uniform(HEALTH) < p_health, else 0
//! ```
//!
//! with `c_t` the lognormal mean correction of [`ArmTables`](super::kernel::ArmTables). The health cost is
//! drawn only where a shock happens; draws are keyed, not sequential, so skipping it disturbs none.
//! The shocks of all the replicate's years are gathered first and their costs drawn over lanes
//! afterwards: about one household-year in seven has one, and a branch per lane on it would be
//! mispredicted as often.

// Loops over lanes index several arrays in step; that is what the vectoriser reads best.
#![allow(clippy::needless_range_loop)]

use super::kernel::ArmTables;
use super::settle::BlockHouseholds;
use crate::dynamics::HealthShocks;
use crate::fastmath::exp_lanes;
use crate::random::purpose;
use crate::random::streams::{Keys, LANES, Lanes, SparseNormals, normal_lanes, uniform_lanes};

/// What [`draw_replicate`] leaves for the rest of the year's computation, by year then lane.
#[derive(Debug, Default)]
pub(crate) struct BlockShocks {
    /// The household-replicate-year keys (`Draws::key`), for measures' own draws.
    pub year_keys: Vec<Lanes<u64>>,
    /// Market income per person, yuan.
    pub market: Vec<Lanes<f64>>,
    /// Total cost of the year's health shock (0: none), yuan.
    pub medical: Vec<Lanes<f64>>,
}

impl BlockShocks {
    pub fn new(years: usize) -> Self {
        BlockShocks {
            year_keys: vec![[0; LANES]; years],
            market: vec![[0.0; LANES]; years],
            medical: vec![[0.0; LANES]; years],
        }
    }
}

/// Fill `out` for replicate `r` of the block; `cut` is the village's disaster factor by year of
/// this replicate.
#[inline(always)]
pub(crate) fn draw_replicate(
    keys: &Keys,
    plan: &ArmTables<'_>,
    block: &BlockHouseholds,
    r: u32,
    cut: &[f64],
    out: &mut BlockShocks,
) {
    let ip = plan.model.income;
    let hs = plan.model.health;
    let parts = [
        keys.purpose_part(purpose::PERSISTENT),
        keys.purpose_part(purpose::TRANSITORY),
        keys.purpose_part(purpose::HEALTH),
    ];
    let replicate_keys = keys.replicate_lanes(&block.key, r);
    let mut persistent = [0.0f64; LANES];
    let years = out.year_keys.len().min(cut.len());
    let mut pending = SparseNormals::default();
    for t in 0..years {
        let year_keys = keys.year_lanes(&replicate_keys, t);
        let z_persistent = normal_lanes(&year_keys, parts[0]);
        let z_transitory = normal_lanes(&year_keys, parts[1]);
        let u_health = uniform_lanes(&year_keys, parts[2]);
        let (growth, correction, cut_t) = (plan.growth[t], plan.correction[t], cut[t]);
        // Short separate loops over lanes: each one vectorises.
        let mut income_exponent = [0.0; LANES];
        for l in 0..LANES {
            persistent[l] = ip.persistence * persistent[l] + ip.persistent_sd * z_persistent[l];
            let transitory = ip.transitory_sd * z_transitory[l];
            income_exponent[l] = persistent[l] + transitory + correction;
        }
        let income_factor = exp_lanes(&income_exponent);
        let market = &mut out.market[t];
        for l in 0..LANES {
            market[l] = block.m0[l] * growth * income_factor[l] * cut_t;
        }
        out.medical[t] = [0.0; LANES];
        for l in 0..LANES {
            pending.push(year_keys[l], t * LANES + l, u_health[l] < block.p_health[l]);
        }
        if pending.is_full() {
            draw_costs(&mut pending, keys, hs, &mut out.medical);
        }
        out.year_keys[t] = year_keys;
    }
    if !pending.is_empty() {
        draw_costs(&mut pending, keys, hs, &mut out.medical);
    }
}

/// Write the costs of the first (up to) [`LANES`] pending health shocks into `medical` (by year,
/// then lane).
#[inline(always)]
fn draw_costs(
    pending: &mut SparseNormals,
    keys: &Keys,
    hs: HealthShocks,
    medical: &mut [Lanes<f64>],
) {
    let (z, slots, count) = pending.draw(keys.purpose_part(purpose::HEALTH_COST));
    let mut exponent = [0.0; LANES];
    for l in 0..LANES {
        exponent[l] = hs.cost_log_sd * z[l];
    }
    let factor = exp_lanes(&exponent);
    for (l, &slot) in slots[..count].iter().enumerate() {
        if let Some(cost) = medical.get_mut(slot / LANES) {
            cost[slot % LANES] = hs.cost_median * factor[l];
        }
    }
}
