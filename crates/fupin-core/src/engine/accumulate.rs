//! Exact, additive accumulators.
//!
//! Every sum the engine keeps is an integer, so adding partial sums in any order or grouping —
//! across threads, chunks or shards — gives exactly the single-run total:
//!
//! * household weights are fixed point: `round(weight · 2²⁰)` ([`WEIGHT_SCALE`](crate::units::WEIGHT_SCALE)); a full register
//!   (weight 1) counts 1,048,576 per household, so counts of households and people are exact
//!   integers of weight units;
//! * money is fen (1/100 yuan), rounded per household-year, times the weight units (i128);
//! * the normalised poverty gap `g = (z − y)/z` of a person is fixed point `round(g · 10⁹)`
//!   ([`GAP_SCALE`](crate::units::GAP_SCALE)); FGT1 sums `weight units · size · g_fp` and FGT2 sums
//!   `weight units · size · g_fp²` (units of 10⁻¹⁸), both in i128. The rounding of `g` is at most
//!   5·10⁻¹⁰ per person, far below any reported digit.

use std::ops::AddAssign;

use serde::{Deserialize, Serialize};

use crate::random::{LANES, Lanes};
use crate::units::WEIGHT_SCALE;
#[cfg(test)]
use crate::units::weight_units;
#[cfg(test)]
use crate::units::{NARROW_WEIGHT, TWO_52, floor_below_2_52};

/// Groups of exits and returns by primary cause: the 13 causes in code order, then "none recorded".
pub const CAUSE_GROUPS: usize = 14;

/// `Σ weights[l] · values[l]`, exactly, for weights below 2³⁰ ([`NARROW_WEIGHT`]) and values below
/// 2⁶⁰. Each value is split into two 30-bit halves, so every product is a 32×32-bit multiply (one
/// SIMD instruction for four lanes) below 2⁶⁰, and eight of them sum below 2⁶³.
#[inline(always)]
pub(crate) fn weighted_lane_sum(weights: &Lanes<u64>, values: &Lanes<u64>) -> i128 {
    let high = values.map(|v| v >> HALF);
    let low = values.map(|v| v & ((1 << HALF) - 1));
    (weighted_lane_sum_30(weights, &high) << HALF) + weighted_lane_sum_30(weights, &low)
}

/// [`weighted_lane_sum`] for values below 2³⁰: one product per lane.
#[inline(always)]
pub(crate) fn weighted_lane_sum_30(weights: &Lanes<u64>, values: &Lanes<u64>) -> i128 {
    let mut products = [0u64; LANES];
    for ((p, &w), &v) in products.iter_mut().zip(weights).zip(values) {
        *p = u64::from(w as u32) * u64::from(v as u32);
    }
    i128::from(products.iter().sum::<u64>())
}

/// The split of [`weighted_lane_sum`]: bits per half.
const HALF: u32 = 30;

/// Sums for one scenario × replicate × year (or a village's share of them).
///
/// Counts are in weight units (divide by [`WEIGHT_SCALE`]); money in fen × weight units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cell {
    /// Households failing the exit standard (poor: registered not yet exited, returned, entered).
    pub poor_households: i64,
    /// People in those households.
    pub poor_people: i64,
    /// People with net income below the line (income poverty, FGT0 numerator).
    pub income_poor_people: i64,
    /// Households that met the exit standard this year after being poor last year (脱贫).
    pub exits: i64,
    /// Households that fell back after having exited (返贫).
    pub returns: i64,
    /// Households that fell into poverty without having exited before (新增, unregistered rows).
    pub entrants: i64,
    /// Σ weight units · size · round(gap · 10⁹).
    pub fgt1: i128,
    /// Σ weight units · size · round(gap · 10⁹)².
    pub fgt2: i128,
    /// Σ weight units · size · net income per person in fen.
    pub income_fen: i128,
    /// Σ weight units · out-of-pocket health spending of the household in fen.
    pub health_oop_fen: i128,
    /// Σ weight units · programme spending on the household in fen (measures).
    pub spending_fen: i128,
}

impl Cell {
    /// Add another cell's sums.
    #[inline]
    pub fn add(&mut self, o: &Cell) {
        self.poor_households += o.poor_households;
        self.poor_people += o.poor_people;
        self.income_poor_people += o.income_poor_people;
        self.exits += o.exits;
        self.returns += o.returns;
        self.entrants += o.entrants;
        self.fgt1 += o.fgt1;
        self.fgt2 += o.fgt2;
        self.income_fen += o.income_fen;
        self.health_oop_fen += o.health_oop_fen;
        self.spending_fen += o.spending_fen;
    }
}

impl AddAssign for Cell {
    #[inline]
    fn add_assign(&mut self, o: Cell) {
        self.add(&o);
    }
}

/// Poor households and poor people of a group (village or county), weight units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupCell {
    /// Households failing the exit standard.
    pub poor_households: i64,
    /// People in those households.
    pub poor_people: i64,
}

impl GroupCell {
    /// Add another group cell.
    #[inline]
    pub fn add(&mut self, o: &GroupCell) {
        self.poor_households += o.poor_households;
        self.poor_people += o.poor_people;
    }
}

impl AddAssign for GroupCell {
    #[inline]
    fn add_assign(&mut self, o: GroupCell) {
        self.add(&o);
    }
}

impl From<&Cell> for GroupCell {
    fn from(c: &Cell) -> Self {
        GroupCell {
            poor_households: c.poor_households,
            poor_people: c.poor_people,
        }
    }
}

/// Add `b` into `a` element by element (equal lengths): integer sums and cells alike.
pub(crate) fn add_slices<T: AddAssign + Copy>(a: &mut [T], b: &[T]) {
    for (x, &y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Whether a group with `poor_people` (weight units) among `population` people is below the exit
/// threshold: incidence `poor / population < threshold` (a group without people is below it).
#[inline]
pub fn below_threshold(poor_people: i64, population: u64, threshold: f64) -> bool {
    (poor_people as f64) < threshold * population as f64 * WEIGHT_SCALE as f64
        || (population == 0 && poor_people == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_add_exactly_in_any_grouping() {
        let mk = |k: i64| Cell {
            poor_households: k,
            poor_people: 3 * k,
            income_poor_people: 2 * k,
            exits: k % 3,
            returns: k % 2,
            entrants: 1,
            fgt1: i128::from(k) * 1_000_000_007,
            fgt2: i128::from(k) * i128::from(k) * 999_999_937,
            income_fen: i128::from(k) << 40,
            health_oop_fen: 5,
            spending_fen: 7,
        };
        let cells: Vec<Cell> = (1..50).map(mk).collect();
        let mut left = Cell::default();
        for c in &cells {
            left.add(c);
        }
        let mut right = Cell::default();
        for chunk in cells.rchunks(7) {
            let mut part = Cell::default();
            for c in chunk {
                part.add(c);
            }
            right.add(&part);
        }
        assert_eq!(left, right);
        assert_eq!(left.poor_households, (1..50).sum::<i64>());
        let json = serde_json::to_string(&left).unwrap();
        assert_eq!(serde_json::from_str::<Cell>(&json).unwrap(), left);
    }

    #[test]
    fn lane_sums_equal_i128_arithmetic() {
        let floors = [
            0.0,
            0.5,
            1.0,
            1.5,
            2.999_999,
            1e9 + 0.5,
            123_456_789.75,
            TWO_52 - 1.0,
        ];
        for v in floors {
            assert_eq!(floor_below_2_52(v), v as i64 as u64, "{v}");
        }
        assert_eq!(floor_below_2_52(TWO_52 - 0.5), (TWO_52 - 0.5) as u64);
        for i in 0..100_000u64 {
            let bits = crate::random::mix64(i);
            // Integers, half-integers and arbitrary fractions across the whole range.
            let v = (bits >> (12 + i % 52)) as f64 * [1.0, 0.5, 0.3][(i % 3) as usize];
            assert_eq!(floor_below_2_52(v), v as u64, "{v}");
        }
        // Extremes of the bounds, and a spread of values built by a mixer.
        let top = [NARROW_WEIGHT as u64 - 1; LANES];
        let biggest = [(1u64 << 60) - 1; LANES];
        let naive = |w: &Lanes<u64>, v: &Lanes<u64>| -> i128 {
            w.iter()
                .zip(v)
                .map(|(&a, &b)| i128::from(a) * i128::from(b))
                .sum()
        };
        assert_eq!(weighted_lane_sum(&top, &biggest), naive(&top, &biggest));
        for seed in 0..1000u64 {
            let w: Lanes<u64> = std::array::from_fn(|l| {
                crate::random::mix64(seed * 16 + l as u64) % NARROW_WEIGHT as u64
            });
            let shift = seed % 60;
            let v: Lanes<u64> = std::array::from_fn(|l| {
                crate::random::mix64(!(seed * 16 + l as u64)) >> (4 + shift)
            });
            assert_eq!(weighted_lane_sum(&w, &v), naive(&w, &v), "seed {seed}");
            let small = v.map(|x| x & ((1 << 30) - 1));
            assert_eq!(weighted_lane_sum_30(&w, &small), naive(&w, &small));
        }
    }

    #[test]
    fn thresholds_and_weights() {
        assert_eq!(weight_units(1.0), WEIGHT_SCALE);
        assert_eq!(weight_units(0.5), WEIGHT_SCALE / 2);
        // 2 poor of 100 people: incidence 0.02 is not below 0.02, 1.99 is.
        assert!(!below_threshold(2 * WEIGHT_SCALE, 100, 0.02));
        assert!(below_threshold(2 * WEIGHT_SCALE - 1, 100, 0.02));
        assert!(below_threshold(0, 0, 0.02));
    }
}
