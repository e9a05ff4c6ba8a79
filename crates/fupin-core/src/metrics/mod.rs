//! Poverty and inequality measures, with optional survey weights, and poverty profiles by group.
//!
//! | function | index | zero incomes |
//! | --- | --- | --- |
//! | [`fgt`] | Foster–Greer–Thorbecke P_α, any α ≥ 0 (P₀ headcount, P₁ gap, P₂ severity) | allowed (gap 1) |
//! | [`watts`] | Watts: mean of ln(z / y) over the poor | error (ln 0) |
//! | [`sen`] | Sen: P₀·[I + (1 − I)·G_p] | allowed |
//! | [`gini`] | Gini (population form) | allowed; mean must be > 0 |
//! | [`ge`] | generalized entropy GE(α) | allowed for α > 0; error for α ≤ 0 |
//! | [`theil`] | Theil T = GE(1) | allowed (0·ln 0 = 0); mean must be > 0 |
//! | [`mld`] | mean log deviation = GE(0) | error (ln 0) |
//! | [`profile`] | counts, FGT(0, 1, 2), incidence and causes by village, county and cause | — |
//!
//! **Inputs.** Incomes are a slice of finite numbers ≥ 0 (yuan per person per year); `weights`, if
//! given, are survey weights: finite, > 0, one per income. A poverty line must be finite and > 0;
//! a person is poor when their income is *strictly* below it. A bad value is an
//! [`Error::InvalidValue`](crate::Error::InvalidValue) naming the function, the column (`incomes`
//! or `weights`), the 1-based row and the value; an empty slice is
//! [`Error::Empty`](crate::Error::Empty), mismatched lengths
//! [`Error::LengthMismatch`](crate::Error::LengthMismatch), and a bad line or α
//! [`Error::InvalidParameter`](crate::Error::InvalidParameter).
//!
//! **Accuracy and determinism.** Sums are Neumaier-compensated ([`CompensatedSum`]) over fixed
//! chunks merged in a fixed order; inputs of 131,072 rows or more use the rayon pool. Results are
//! bit-for-bit the same for any number of threads. Weights (and, where sums multiply them,
//! incomes) are scaled by a power of two before summing — exact for ordinary inputs, and every
//! index is invariant to it — so weights up to `f64::MAX` or down to subnormals, and incomes from
//! subnormals to `f64::MAX`, give finite, correct results; ratios and logarithms that would leave
//! the normal range are taken through logarithms. An accepted input never yields NaN: where no
//! finite answer exists (GE(α) with an extreme α) the call is an error naming `alpha`.
//!
//! # Examples
//! ```
//! use fupin_core::metrics;
//! let incomes = [100.0, 110.0, 150.0, 160.0];
//! let p1 = metrics::fgt(&incomes, 125.0, 1.0, None)?;
//! assert!((p1 - 0.08).abs() < 1e-15);
//! let g = metrics::gini(&incomes, Some(&[1.0, 2.0, 2.0, 1.0]))?;
//! assert!(g > 0.0 && g < 1.0);
//! # Ok::<(), fupin_core::Error>(())
//! ```

mod group;
mod inequality;
mod poverty;
mod profile;
mod sample;

pub use group::{GroupKey, GroupRow, N_CAUSES};
pub use inequality::{ge, gini, mld, theil};
pub use poverty::{fgt, sen, watts};
pub use profile::{Profile, profile};
pub use sample::CompensatedSum;
pub(crate) use sample::pow2_scale;

#[cfg(test)]
mod extreme_tests;
#[cfg(test)]
mod testutil;

#[cfg(test)]
mod tests {
    use super::testutil::{assert_close, incomes_and_weights};
    use super::*;

    fn all_indices(ys: &[f64], ws: Option<&[f64]>) -> Vec<f64> {
        vec![
            fgt(ys, 4000.0, 0.0, ws).unwrap(),
            fgt(ys, 4000.0, 1.0, ws).unwrap(),
            fgt(ys, 4000.0, 2.0, ws).unwrap(),
            fgt(ys, 4000.0, 0.7, ws).unwrap(),
            watts(ys, 4000.0, ws).unwrap(),
            sen(ys, 4000.0, ws).unwrap(),
            gini(ys, ws).unwrap(),
            theil(ys, ws).unwrap(),
            mld(ys, ws).unwrap(),
            ge(ys, 2.0, ws).unwrap(),
        ]
    }

    #[test]
    fn results_are_identical_for_any_thread_count() {
        // Long enough to take the parallel path, with a ragged last chunk.
        let n = sample::PARALLEL_MIN + sample::CHUNK / 3;
        let (ys, ws) = incomes_and_weights(n, 77);
        let run = |threads: usize, weights: Option<&[f64]>| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| all_indices(&ys, weights))
        };
        for weights in [None, Some(&ws[..])] {
            let one = run(1, weights);
            let three = run(3, weights);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&one), bits(&three));
        }
        // And accurate against plain loops in a different order (descending incomes).
        let mut rows: Vec<(f64, f64)> = ys.iter().copied().zip(ws.iter().copied()).collect();
        rows.sort_by(|a, b| b.0.total_cmp(&a.0));
        let w: f64 = rows.iter().map(|r| r.1).sum();
        let p1: f64 = rows
            .iter()
            .filter(|r| r.0 < 4000.0)
            .map(|r| r.1 * (4000.0 - r.0) / 4000.0)
            .sum::<f64>()
            / w;
        let mu = rows.iter().map(|r| r.0 * r.1).sum::<f64>() / w;
        let t: f64 = rows
            .iter()
            .map(|r| r.1 * r.0 / mu * (r.0 / mu).ln())
            .sum::<f64>()
            / w;
        let one = run(1, Some(&ws));
        assert_close(one[1], p1);
        assert_close(one[7], t);
    }
}
