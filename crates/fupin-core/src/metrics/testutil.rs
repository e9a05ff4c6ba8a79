//! Helpers shared by the metrics tests.

use crate::random::{key, open01};

/// Assert `a` and `b` agree to 1e-12, relative (absolute near 0).
#[track_caller]
pub(crate) fn assert_close(a: f64, b: f64) {
    let scale = a.abs().max(b.abs()).max(1e-300);
    assert!(
        a == b || (a - b).abs() / scale <= 1e-12,
        "{a} != {b} (relative difference {:e})",
        (a - b).abs() / scale
    );
}

/// `n` positive, log-normally spread incomes (median about 4,000 yuan) and weights in (0.2, 3),
/// a pure function of `seed`.
pub(crate) fn incomes_and_weights(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let u = |i: usize, k: u64| open01(key(seed, &[i as u64, k]));
    let incomes = (0..n)
        .map(|i| {
            // Box–Muller normal, σ = 0.7 on the log scale.
            let z = (-2.0 * u(i, 0).ln()).sqrt() * (std::f64::consts::TAU * u(i, 1)).cos();
            4000.0 * (0.7 * z).exp()
        })
        .collect();
    let weights = (0..n).map(|i| 0.2 + 2.8 * u(i, 2)).collect();
    (incomes, weights)
}

/// Each income repeated `weight` times (weights must be whole numbers).
pub(crate) fn replicate(incomes: &[f64], weights: &[f64]) -> Vec<f64> {
    incomes
        .iter()
        .zip(weights)
        .flat_map(|(&y, &w)| std::iter::repeat_n(y, w as usize))
        .collect()
}
