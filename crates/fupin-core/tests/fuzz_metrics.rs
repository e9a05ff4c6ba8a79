//! Property-based fuzzing of the poverty and inequality measures with arbitrary `f64` incomes,
//! weights, lines and α (subnormal, huge, zero, negative, NaN, infinite). Contract: `Ok` with a
//! finite value within the measure's range, or `Err(fupin_core::Error)`; never a panic; bad input
//! (a negative or non-finite income, a weight that is not positive and finite) never accepted.

mod fuzz_support;

use fupin_core::metrics::{fgt, ge, gini, mld, sen, theil, watts};
use fuzz_support::{config, count};
use proptest::prelude::*;

const WILD: &[f64] = &[
    0.0,
    -0.0,
    5e-324,
    1e-310,
    1e-300,
    1e-30,
    1e30,
    1e300,
    1.7e308,
    f64::MAX,
    -1.0,
    -5e-324,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => 0.0..1e6_f64,
        2 => proptest::sample::select(WILD),
        1 => any::<f64>(),
    ]
}

fn weight() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => 0.01..100.0_f64,
        2 => proptest::sample::select(WILD),
        1 => Just(1e308),
        1 => Just(1e-320),
    ]
}

fn sample() -> impl Strategy<Value = (Vec<f64>, Option<Vec<f64>>)> {
    proptest::collection::vec(number(), 1..30).prop_flat_map(|y| {
        let n = y.len();
        (
            Just(y),
            proptest::option::of(proptest::collection::vec(weight(), n..=n)),
        )
    })
}

fn bad_input(y: &[f64], w: Option<&[f64]>) -> bool {
    y.iter().any(|v| !v.is_finite() || *v < 0.0)
        || w.is_some_and(|w| w.iter().any(|v| !v.is_finite() || *v <= 0.0))
}

fn check(name: &str, out: fupin_core::Result<f64>, y: &[f64], w: Option<&[f64]>, hi: f64) {
    let Ok(v) = out else { return };
    assert!(
        !bad_input(y, w),
        "{name} accepted bad input: incomes {y:?}, weights {w:?}"
    );
    assert!(
        v.is_finite(),
        "FUZZ-NAN: {name} = {v} for incomes {y:?}, weights {w:?}"
    );
    assert!(
        (-1e-12..=hi + 1e-12).contains(&v),
        "{name} = {v} outside [0, {hi}] for incomes {y:?}, weights {w:?}"
    );
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn poverty_measures_finite_or_err(
        (y, w) in sample(),
        line in number(),
        alpha in prop_oneof![proptest::sample::select(&[0.0, 1.0, 2.0, 0.5, 3.0, -1.0, 1e6][..]),
                             number()],
    ) {
        count("poverty_measures_finite_or_err");
        let w = w.as_deref();
        check("fgt", fgt(&y, line, alpha, w), &y, w, 1.0);
        check("watts", watts(&y, line, w), &y, w, f64::INFINITY);
        check("sen", sen(&y, line, w), &y, w, 1.0);
    }

    #[test]
    fn inequality_measures_finite_or_err(
        (y, w) in sample(),
        alpha in prop_oneof![proptest::sample::select(&[0.0, 1.0, 2.0, 0.5, -1.0, 1e6, -1e6][..]),
                             -50.0..50.0_f64, number()],
    ) {
        count("inequality_measures_finite_or_err");
        let w = w.as_deref();
        check("gini", gini(&y, w), &y, w, 1.0);
        check("theil", theil(&y, w), &y, w, f64::INFINITY);
        check("mld", mld(&y, w), &y, w, f64::INFINITY);
        check("ge", ge(&y, alpha, w), &y, w, f64::INFINITY);
    }

    #[test]
    fn measures_ignore_row_order_and_power_of_two_scale(
        y in proptest::collection::vec(1e-3..1e9_f64, 1..30),
        k in -30i32..30,
        seed in any::<u64>(),
        line in 1.0..1e5_f64,
    ) {
        count("measures_ignore_row_order_and_power_of_two_scale");
        let mut order: Vec<usize> = (0..y.len()).collect();
        // A keyed shuffle (Fisher–Yates on a SplitMix sequence).
        let mut s = seed;
        for i in (1..order.len()).rev() {
            s = fupin_core::random::mix64(s.wrapping_add(0x9e37_79b9_7f4a_7c15));
            order.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let p: Vec<f64> = order.iter().map(|&i| y[i]).collect();
        let c = 2f64.powi(k);
        let scaled: Vec<f64> = y.iter().map(|v| v * c).collect();
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-13 * a.abs().max(b.abs()) + 1e-15;
        let pairs: [(&str, f64, f64, f64); 6] = [
            ("gini", gini(&y, None).unwrap(), gini(&p, None).unwrap(), gini(&scaled, None).unwrap()),
            ("theil", theil(&y, None).unwrap(), theil(&p, None).unwrap(), theil(&scaled, None).unwrap()),
            ("mld", mld(&y, None).unwrap(), mld(&p, None).unwrap(), mld(&scaled, None).unwrap()),
            ("fgt1", fgt(&y, line, 1.0, None).unwrap(), fgt(&p, line, 1.0, None).unwrap(),
             fgt(&scaled, line * c, 1.0, None).unwrap()),
            ("sen", sen(&y, line, None).unwrap(), sen(&p, line, None).unwrap(),
             sen(&scaled, line * c, None).unwrap()),
            ("watts", watts(&y, line, None).unwrap(), watts(&p, line, None).unwrap(),
             watts(&scaled, line * c, None).unwrap()),
        ];
        for (name, base, permuted, rescaled) in pairs {
            prop_assert!(close(base, permuted), "{} permuted: {} != {}", name, permuted, base);
            prop_assert!(close(base, rescaled), "{} scaled by 2^{}: {} != {}", name, k, rescaled, base);
        }
    }

    #[test]
    fn headcount_is_the_weighted_count(
        y in proptest::collection::vec(0u32..1_000_000, 1..40),
        w in proptest::collection::vec(1u32..1000, 40),
        line in 0u32..1_000_000,
    ) {
        count("headcount_is_the_weighted_count");
        // Integer incomes and weights: the sums are exact in f64, the ratio correctly rounded.
        let yf: Vec<f64> = y.iter().map(|&v| f64::from(v)).collect();
        let wf: Vec<f64> = w[..y.len()].iter().map(|&v| f64::from(v)).collect();
        let poor: u64 = y.iter().zip(&w).filter(|(yi, _)| **yi < line).map(|(_, wi)| u64::from(*wi)).sum();
        let total: u64 = w[..y.len()].iter().map(|&v| u64::from(v)).sum();
        match fgt(&yf, f64::from(line), 0.0, Some(&wf)) {
            Ok(v) => prop_assert_eq!(v, poor as f64 / total as f64),
            Err(e) => prop_assert!(line == 0, "refused: {}", e),
        }
    }
}
