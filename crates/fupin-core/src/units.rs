//! Money and weight units: the fixed-point scales of the engine's exact sums, fen, the largest
//! amounts and horizons accepted, and the float-to-integer helpers the hot loop uses.
//!
//! A leaf: it imports nothing from the crate.

/// Largest money amount accepted for a parameter, yuan (keeps fen sums far from overflow).
pub const MAX_YUAN: f64 = 1e12;

/// Largest number of simulated (and planned) years.
pub const MAX_YEARS: u32 = 200;

/// Whether `v` is a finite amount of yuan in [0, [`MAX_YUAN`]].
#[inline]
pub fn is_yuan(v: f64) -> bool {
    v.is_finite() && (0.0..=MAX_YUAN).contains(&v)
}

/// Fen of a non-negative amount of yuan, rounded down (so a reservation never exceeds the yuan).
#[inline]
pub fn fen(yuan: f64) -> i64 {
    if yuan > 0.0 {
        (yuan * 100.0).floor() as i64
    } else {
        0
    }
}

/// Fixed-point units per unit of household weight.
pub const WEIGHT_SCALE: i64 = 1 << 20;

/// Fixed-point units per unit of normalised poverty gap.
pub const GAP_SCALE: i64 = 1_000_000_000;

/// Weight units of a household weight (`round(weight · 2²⁰)`).
#[inline]
pub fn weight_units(weight: f64) -> i64 {
    (weight * WEIGHT_SCALE as f64).round() as i64
}

/// Weight units × size below which a block's money and gap sums take [`weighted_lane_sum`]
/// (weight × size < 1,024: every registry of unweighted households, most weighted ones).
pub(crate) const NARROW_WEIGHT: i64 = 1 << 30;

/// 2⁵²: from here up every `f64` is an integer, and below it [`floor_below_2_52`] is exact.
pub(crate) const TWO_52: f64 = 4_503_599_627_370_496.0;

/// 2⁶³ as an `f64`: money in fen at or above it does not fit an `i64` (see `settle`).
pub(crate) const TWO_63: f64 = 9_223_372_036_854_775_808.0;

/// `floor(v)`, which is `v as i64`, for 0 ≤ v < 2⁵², without the float-to-64-bit-integer
/// conversion AVX2 lacks (and without a call to `floor`, which plain SSE2 lacks): `v + 2⁵²` is `v`
/// rounded to the nearest integer plus 2⁵², a float whose unit in the last place is 1, so its bits
/// minus those of 2⁵² are that integer; one less where rounding went up.
#[inline(always)]
pub(crate) fn floor_below_2_52(v: f64) -> u64 {
    let shifted = v + TWO_52;
    let nearest = shifted.to_bits() - TWO_52.to_bits();
    nearest - u64::from(shifted - TWO_52 > v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fen_rounds_down_and_yuan_bounds() {
        assert_eq!(fen(12.345), 1234);
        assert_eq!(fen(0.0), 0);
        assert_eq!(fen(-3.0), 0);
        assert_eq!(fen(0.019_999), 1);
        assert!(is_yuan(0.0) && is_yuan(1e12));
        assert!(!is_yuan(-0.01) && !is_yuan(1e12 * (1.0 + f64::EPSILON)) && !is_yuan(f64::NAN));
        assert!(!is_yuan(f64::INFINITY));
        // 2^20 units per unit of weight; a half unit rounds away from zero.
        assert_eq!(weight_units(1.0), 1_048_576);
        assert_eq!(weight_units(3.0 / 1_048_576.0), 3);
        assert_eq!(weight_units(2.5 / 1_048_576.0), 3);
    }
}
