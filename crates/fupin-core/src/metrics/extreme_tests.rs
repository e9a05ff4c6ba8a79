//! Regression tests for extreme but accepted inputs (issue 12, item 11): subnormal and huge
//! incomes and weights, and extreme GE sensitivity. Expected values are worked by hand or come
//! from a rescaled-input identity (every index is invariant to scaling incomes, with the line, and
//! to scaling the weights), evaluated on ordinary normal numbers.

use super::testutil::assert_close;
use super::*;

/// 2^k as an f64 (k within the normal range).
fn pow2(k: i32) -> f64 {
    2f64.powi(k)
}

#[test]
fn theil_with_a_subnormal_income_is_finite() {
    // Mean 50 (+ 2.5e-324): r = 2 for the second row, T = ½·(2 ln 2) = ln 2 up to ~1e-321.
    let t = theil(&[5e-324, 100.0], None).unwrap();
    assert_close(t, 2f64.ln());
    // T is scale-invariant; 2^-1074 is 5e-324, and with incomes 2^-1074 and 1 the first row's share
    // is below rounding, so the index is that of 0 and 1 (ln 2).
    assert_close(
        theil(&[pow2(-1074), 1.0], None).unwrap(),
        theil(&[0.0, 1.0], None).unwrap(),
    );
}

#[test]
fn mld_with_a_subnormal_income_is_finite() {
    // Scale-invariant: ×2^200 makes every income a normal number.
    let y = [1e-310, 1.0];
    let scaled = [1e-310 * pow2(200), pow2(200)];
    assert!(scaled[0].is_normal());
    assert_close(mld(&y, None).unwrap(), mld(&scaled, None).unwrap());
    // By hand: mean ≈ 0.5, L = ½ (ln(0.5/y₁) + ln 0.5), with ln y₁ = ln(y₁·2^200) − 200 ln 2.
    let ln_y1 = (1e-310 * pow2(200)).ln() - 200.0 * 2f64.ln();
    assert_close(mld(&y, None).unwrap(), 0.5 * (2.0 * 0.5f64.ln() - ln_y1));
    // GE(α < 0) with the same incomes: r₁^α is huge but finite in the result for α = −0.5:
    // GE = ((r₁^−½ + r₂^−½)/2 − 1)/(0.75), r = y/mean.
    let g = ge(&y, -0.5, None).unwrap();
    let r1_ln = ln_y1 - 0.5f64.ln();
    let expected = (((-0.5 * r1_ln).exp() + 2f64.sqrt().recip()) / 2.0 - 1.0) / 0.75;
    assert_close(g, expected);
}

#[test]
fn huge_weights_give_the_unweighted_answer() {
    let ys = [1.0, 2.0, 3.0];
    for w in [1e300, 1e308, f64::MAX] {
        let ws = [w; 3];
        // Gini of 1, 2, 3: Σ|yᵢ − yⱼ| = 8, / (2·3²·2) = 2/9.
        assert_close(gini(&ys, Some(&ws)).unwrap(), 2.0 / 9.0);
        // Line 2.5: poor 1 and 2 → P0 = 2/3, P1 = (0.6 + 0.2)/3.
        assert_close(fgt(&ys, 2.5, 0.0, Some(&ws)).unwrap(), 2.0 / 3.0);
        assert_close(fgt(&ys, 2.5, 1.0, Some(&ws)).unwrap(), 0.8 / 3.0);
        assert_close(fgt(&ys, 2.5, 2.0, Some(&ws)).unwrap(), (0.36 + 0.04) / 3.0);
        assert_close(
            watts(&ys, 2.5, Some(&ws)).unwrap(),
            ((2.5f64).ln() + (1.25f64).ln()) / 3.0,
        );
        // Sen, handbook example (0.09), weights equal.
        let hb = [100.0, 110.0, 150.0, 160.0];
        assert_close(sen(&hb, 125.0, Some(&[w; 4])).unwrap(), 0.09);
        // GE: weights equal, so the unweighted value on the same incomes.
        for alpha in [-1.0, 0.0, 0.5, 1.0, 2.0] {
            assert_close(
                ge(&ys, alpha, Some(&ws)).unwrap(),
                ge(&ys, alpha, None).unwrap(),
            );
        }
    }
    // Unequal huge weights: 3:1 ratio gives the hand value of weights 3 and 1.
    assert_close(
        gini(&[1.0, 2.0], Some(&[3e300, 1e300])).unwrap(),
        gini(&[1.0, 2.0], Some(&[3.0, 1.0])).unwrap(),
    );
}

#[test]
fn huge_incomes_do_not_overflow() {
    // Incomes near f64::MAX: every index is scale-invariant (line scaled too).
    let big = [pow2(1022), pow2(1023), 1.5 * pow2(1023)];
    let small = [1.0, 2.0, 3.0];
    assert_close(gini(&big, None).unwrap(), gini(&small, None).unwrap());
    assert_close(theil(&big, None).unwrap(), theil(&small, None).unwrap());
    assert_close(mld(&big, None).unwrap(), mld(&small, None).unwrap());
    assert_close(ge(&big, 2.0, None).unwrap(), ge(&small, 2.0, None).unwrap());
    let line = 1.25 * pow2(1023);
    assert_close(
        sen(&big, line, Some(&[1.0, 2.0, 1.0])).unwrap(),
        sen(&small, 2.5, Some(&[1.0, 2.0, 1.0])).unwrap(),
    );
}

#[test]
fn subnormal_weights_keep_their_ratios() {
    // Weights 1 : 2 (5e-324 is 2^-1074): P1 = (1·0.5 + 2·0)/3 with line 100.
    let ys = [50.0, 200.0];
    let ws = [5e-324, 1e-323];
    assert_close(fgt(&ys, 100.0, 1.0, Some(&ws)).unwrap(), 0.5 / 3.0);
    assert_close(fgt(&ys, 100.0, 0.0, Some(&ws)).unwrap(), 1.0 / 3.0);
    assert_close(fgt(&ys, 100.0, 2.0, Some(&ws)).unwrap(), 0.25 / 3.0);
    assert_close(watts(&ys, 100.0, Some(&ws)).unwrap(), 2f64.ln() / 3.0);
    assert_close(
        gini(&ys, Some(&ws)).unwrap(),
        gini(&ys, Some(&[1.0, 2.0])).unwrap(),
    );
    assert_close(
        sen(&[50.0, 80.0, 200.0], 100.0, Some(&[5e-324, 5e-324, 1e-323])).unwrap(),
        sen(&[50.0, 80.0, 200.0], 100.0, Some(&[1.0, 1.0, 2.0])).unwrap(),
    );
    assert_close(
        theil(&ys, Some(&ws)).unwrap(),
        theil(&ys, Some(&[1.0, 2.0])).unwrap(),
    );
}

#[test]
fn extreme_ge_alpha_is_finite_or_a_named_error() {
    // No finite answer: r = 2/3, 4/3 and |α| = 1e6 make r^α overflow by far.
    for alpha in [1e6, -1e6, 1e300, -1e300] {
        let e = ge(&[1.0, 2.0], alpha, None).unwrap_err();
        assert_eq!(e.column(), Some("alpha"), "{e}");
        assert!(e.to_string().contains("finite"), "{e}");
    }
    // Equal incomes: r = 1, GE = 0 for any α.
    assert_eq!(ge(&[3.0, 3.0], 1e6, None).unwrap(), 0.0);
    // A finite answer whose terms overflow: incomes 0.5 and 1.5 (mean 1), α = 1770:
    // 1.5^1770 ≈ e^717.7 overflows, but GE = (1.5^α + 0.5^α)/(2α(α − 1)) − 1/(α(α − 1))
    // ≈ exp(α ln 1.5 − ln(2α(α − 1))) ≈ e^702 is finite.
    let alpha = 1770.0;
    let expected = (alpha * 1.5f64.ln() - (2.0 * alpha * (alpha - 1.0)).ln()).exp();
    assert!(expected.is_finite() && (alpha * 1.5f64.ln()) > 709.8);
    assert_close(ge(&[0.5, 1.5], alpha, None).unwrap(), expected);
    // Negative α = −1040: 0.5^α = 2^1040 ≈ e^720.9 overflows; GE ≈ 2^1040/(2·1040·1041) ≈ e^706.
    let a = 1040.0;
    assert!(a * 2f64.ln() > 709.8);
    let expected = (a * 2f64.ln() - (2.0 * a * (a + 1.0)).ln()).exp();
    assert_close(ge(&[0.5, 1.5], -a, None).unwrap(), expected);
}

#[test]
fn no_nan_from_accepted_extremes() {
    // A grid of extreme accepted inputs: every result is finite or a named error.
    let incomes = [0.0, 5e-324, 1e-310, 1.0, 1e300, f64::MAX];
    let weights = [5e-324, 1e-310, 1.0, 1e300, f64::MAX];
    for &a in &incomes {
        for &b in &incomes {
            for &wa in &weights {
                for &wb in &weights {
                    let ys = [a, b];
                    let ws = [wa, wb];
                    let mut results = vec![
                        gini(&ys, Some(&ws)),
                        theil(&ys, Some(&ws)),
                        mld(&ys, Some(&ws)),
                        fgt(&ys, 1.0, 0.0, Some(&ws)),
                        fgt(&ys, 1.0, 1.5, Some(&ws)),
                        watts(&ys, 1.0, Some(&ws)),
                        sen(&ys, 1.0, Some(&ws)),
                        sen(&ys, f64::MAX, Some(&ws)),
                    ];
                    for alpha in [-1e300, -3.0, 0.5, 2.0, 1770.0, 1e6, 1e300] {
                        results.push(ge(&ys, alpha, Some(&ws)));
                    }
                    for (k, r) in results.into_iter().enumerate() {
                        if let Ok(v) = r {
                            assert!(v.is_finite(), "{k}: {ys:?} {ws:?}: {v}");
                        }
                    }
                }
            }
        }
    }
}

/// A subnormal weight beside a weight > 2: the weight scaling took it to 0, and GE(2) came out
/// as −1/2 (every term of the log-form sum vanished). Found by `tests/fuzz_metrics.rs`.
#[test]
fn ge_keeps_a_huge_term_with_a_subnormal_weight() {
    let (y1, y2) = (849_329.843_601_870_5, 1.010_639_768_602_313_6e260);
    let (w1, w2) = (64.129_845_245_419, 5e-324);
    let g = ge(&[y1, y2], 2.0, Some(&[w1, w2])).unwrap();
    // By hand: w2·y2 ≈ 5e-64 is nothing beside w1·y1, so the mean is y1 (relative 1e-71), the
    // first row's r² is 1 and GE(2) = (Σ w r² / W − 1)/2 = w2·(y2/y1)² / (2W), in logarithms.
    let w = w1 + w2;
    let ln_expected = w2.ln() + 2.0 * (y2.ln() - y1.ln()) - w.ln() - 2f64.ln();
    assert!(g > 1e180, "{g}");
    assert_close(g.ln(), ln_expected);
    // And α = −1 (r^−1 of the first row is 1, of the second ≈ 0): the same weights, GE = 0.
    let g = ge(&[y1, y2], -1.0, Some(&[w1, w2])).unwrap();
    assert!((0.0..1e-12).contains(&g), "{g}");
}

/// A subnormal weight on a large income beside a subnormal income: the income scaling took the
/// subnormal income's digits and the weight scaling the weight (the mean lost its last 1e-8), so
/// MLD came out −2.9e-9. Found by `tests/fuzz_metrics.rs` with 20,000 cases.
#[test]
fn mld_keeps_the_digits_of_subnormal_incomes_and_weights() {
    let (y1, y2, w1, w2) = (
        189_948.224_590_870_87,
        1e-310,
        5e-324,
        93.184_022_434_035_41,
    );
    let got = mld(&[y1, y2], Some(&[w1, w2])).unwrap();
    // By hand, on the inputs scaled by 2^1000 (incomes and weights; MLD is invariant to both),
    // all normal numbers: μ = (w1·y1 + w2·y2)/W, and μ/y2 − 1 = w1·(y1 − y2)/(W·y2) exactly
    // in algebra, so ln(μ/y2) = ln_1p of it without cancellation.
    let c = pow2(1000);
    let (y1, y2, w1, w2) = (y1 * c, y2 * c, w1 * c, w2 * c);
    let w = w1 + w2;
    let mu = (w1 * y1 + w2 * y2) / w;
    let expected = (w1 * (mu / y1).ln() + w2 * (w1 * (y1 - y2) / (w * y2)).ln_1p()) / w;
    assert!(expected > 0.0, "{expected}");
    // MLD is a sum of terms of order 1 that cancel to 1e-10: absolute accuracy ~1e-16.
    assert!((got - expected).abs() <= 1e-14, "{got} vs {expected}");
}

/// The only positive income on a subnormal weight beside a weight > 2: the weight scaling left
/// the products w·y subnormal with a few digits, and the Gini came out 1.019 (found by
/// `tests/fuzz_metrics.rs`, seed 99, 20,000 cases).
#[test]
fn gini_of_income_held_by_a_subnormal_weight_is_within_one() {
    let (w1, w2) = (70.382_711_104_000_18, 1e-320);
    let g = gini(&[0.0, 214_768.030_374_116_12], Some(&[w1, w2])).unwrap();
    // By hand: one group holds everything; Gini = 1 − w2/W (the population share of the holder),
    // which is 1 − 1.4e-322, i.e. 1 in f64.
    assert_close(g, 1.0 - w2 / (w1 + w2));
    assert!(g <= 1.0, "{g}");
}
