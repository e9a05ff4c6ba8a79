//! Elementary functions the engine evaluates billions of times, written so the compiler can
//! vectorise them and so they give the same bits on every machine.
//!
//! The platform's `exp` (glibc, macOS libm, MSVC CRT) is a call the compiler cannot vectorise, and
//! its last bit differs between libraries; [`exp`] here is straight-line arithmetic — a
//! Cody–Waite reduction, a polynomial, and exponent bits built with integer operations (no
//! float-to-int conversion that AVX2 lacks) — so a loop over lanes becomes SIMD code, and a run gives
//! the same incomes on Linux, macOS and Windows. It stays within one unit in the last place of the
//! correctly rounded value (tested against the platform's `exp` over the whole finite range).

/// ln 2 split so that `k · LN2_HI` is exact for every |k| < 2¹¹ (fdlibm's constants).
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const INV_LN2: f64 = std::f64::consts::LOG2_E;
/// 1.5 · 2⁵²: adding it rounds a double of magnitude < 2⁵¹ to an integer kept in the low mantissa
/// bits.
const ROUND_SHIFT: f64 = 6_755_399_441_055_744.0;
/// Arguments are clamped into [`CLAMP_LOW`, `CLAMP_HIGH`]: every x > 709.79 gives +∞ and every
/// x < −745.14 gives 0 anyway, and at the clamps the formula below yields exactly +∞ (2¹⁰²⁴·p) and
/// exactly 0 (below half the smallest subnormal), so no branch is needed for the edges.
const CLAMP_HIGH: f64 = 710.0;
const CLAMP_LOW: f64 = -746.0;

/// 1/n! for n = 2, …, 13: Taylor coefficients of eʳ on |r| ≤ ln2/2 + ε, where the truncation error
/// r¹⁴/14! is below 4·10⁻¹⁸ (1/50 of an ulp of 1).
const INV_FACTORIAL: [f64; 12] = [
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5_040.0,
    1.0 / 40_320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

/// eˣ without branches: overflow gives +∞, underflow 0 (through the subnormals), NaN stays NaN.
/// Within one ulp of the correctly rounded value.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    // Written as selects (no early returns) so that a loop over lanes vectorises; NaN compares
    // false both times and passes through to a NaN result.
    let xc = if x > CLAMP_HIGH { CLAMP_HIGH } else { x };
    let xc = if xc < CLAMP_LOW { CLAMP_LOW } else { xc };
    // x = k·ln2 + r with k the nearest integer to x/ln2.
    let shifted = xc * INV_LN2 + ROUND_SHIFT;
    let k = (shifted.to_bits() as i64).wrapping_sub(ROUND_SHIFT.to_bits() as i64);
    let kf = shifted - ROUND_SHIFT;
    let r = (xc - kf * LN2_HI) - kf * LN2_LO;
    // eʳ = 1 + r + r²·(1/2 + r/6 + …). The tail polynomial goes by Estrin's scheme (pairs, then
    // pairs of pairs with r², r⁴, r⁸): a dependency chain of 6 operations instead of Horner's 24,
    // which keeps a few lanes of exps from waiting on latency. Adding 1 + r last keeps the
    // rounding error of the tail below half an ulp.
    let c = &INV_FACTORIAL;
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let q0 = (c[0] + c[1] * r) + (c[2] + c[3] * r) * r2;
    let q1 = (c[4] + c[5] * r) + (c[6] + c[7] * r) * r2;
    let q2 = (c[8] + c[9] * r) + (c[10] + c[11] * r) * r2;
    let tail = (q0 + q1 * r4) + q2 * r8;
    let p = 1.0 + (r + r2 * tail);
    // 2ᵏ as two factors so that k ∈ [−1075, 1024] never leaves the normal exponent range of either
    // factor; the product then rounds once into the subnormals or to infinity where it must.
    let k1 = k >> 1;
    let k2 = k.wrapping_sub(k1);
    let scale1 = f64::from_bits((k1.wrapping_add(1023) as u64) << 52);
    let scale2 = f64::from_bits((k2.wrapping_add(1023) as u64) << 52);
    p * scale1 * scale2
}

/// [`exp`] of each element: a loop the compiler vectorises on its own (keep it separate from other
/// work — a large loop body defeats the vectoriser).
#[inline(always)]
pub fn exp_lanes<const N: usize>(x: &[f64; N]) -> [f64; N] {
    let mut out = [0.0; N];
    for (o, &v) in out.iter_mut().zip(x) {
        *o = exp(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite doubles of the same sign.
    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn matches_the_platform_exp_within_one_ulp() {
        // A dense sweep of the finite range plus the region the engine lives in (|x| < 20).
        let mut worst = 0;
        let mut checked = 0;
        let mut x = -745.0;
        while x < 709.7 {
            let (ours, reference) = (exp(x), x.exp());
            worst = worst.max(ulps(ours, reference));
            checked += 1;
            x += 0.000_731;
        }
        let mut state = 12_345u64;
        for _ in 0..1_000_000 {
            state = crate::random::mix64(state.wrapping_add(0x9e37_79b9_7f4a_7c15));
            let x = crate::random::open01(state) * 40.0 - 20.0;
            worst = worst.max(ulps(exp(x), x.exp()));
            checked += 1;
        }
        assert!(checked > 2_000_000);
        assert!(worst <= 1, "worst error {worst} ulp");
    }

    #[test]
    fn exact_values_and_edges() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert!(ulps(exp(1.0), std::f64::consts::E) <= 1);
        assert_eq!(exp(std::f64::consts::LN_2), 2.0);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(-746.0), 0.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert!(exp(f64::NAN).is_nan());
        // The largest finite result and the smallest subnormal one.
        let top = exp(709.782_712_893_384);
        assert!(top.is_finite() && top > 1.79e308);
        let bottom = exp(-745.0);
        assert!(bottom > 0.0 && bottom < f64::MIN_POSITIVE);
        assert_eq!(bottom, (-745.0f64).exp());
        // Subnormal results keep their precision as far as the format allows.
        for x in [-708.5, -710.0, -720.25, -740.0] {
            assert!(ulps(exp(x), x.exp()) <= 1, "{x}");
        }
        // eᵃ·eᵇ = eᵃ⁺ᵇ to rounding, an identity that does not use the platform's exp.
        for (a, b) in [(0.3, 0.4), (-2.5, 7.25), (10.0, -3.5)] {
            let rel = (exp(a) * exp(b) / exp(a + b) - 1.0).abs();
            assert!(rel < 4.0 * f64::EPSILON, "{a} {b}");
        }
    }
}
