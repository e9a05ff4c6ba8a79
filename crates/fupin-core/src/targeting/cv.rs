//! Out-of-sample evaluation of a proxy-means test by k-fold cross-validation.

use ndarray::{Array2, ArrayView2, Axis};
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::accuracy::{TargetingErrors, errors};
use super::pmt::{ProxyMeansTest, prepare};
use crate::error::{Error, Result};
use crate::random::stream;

/// Purpose key of the fold-assignment stream ("pmt-cv" in ASCII).
use crate::random::purpose::CV_FOLDS as CV_PURPOSE;

/// Results of k-fold cross-validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossValidation {
    /// Number of folds.
    pub folds: usize,
    /// Fold of each row (0-based).
    pub fold: Vec<usize>,
    /// Out-of-fold prediction of each row (from the model fitted without its fold).
    pub predictions: Vec<f64>,
    /// Pooled out-of-sample R²: `1 − Σw(y − ŷ)² / Σw(y − ȳ_w)²`, with ȳ_w the weighted mean of
    /// all rows.
    pub r_squared: f64,
    /// Pooled out-of-sample root mean squared error, `√(Σw(y − ŷ)² / Σw)`.
    pub rmse: f64,
    /// R² within each fold (against the fold's own weighted mean).
    pub fold_r_squared: Vec<f64>,
    /// RMSE within each fold.
    pub fold_rmse: Vec<f64>,
    /// The threshold of the targeting errors.
    pub threshold: f64,
    /// Targeting errors when rows with out-of-fold prediction below `threshold` are selected and
    /// rows with target below `threshold` are poor.
    pub errors: TargetingErrors,
}

/// Assign `n` rows to `folds` folds of sizes differing by at most one: a Fisher–Yates shuffle of
/// the rows drawn from the stream `(seed, CV_PURPOSE)`, then position modulo `folds`. The index
/// draw is Lemire's multiply-shift (bias below n/2⁶⁴), written out so that results never change
/// with a `rand` upgrade.
pub(crate) fn assign_folds(n: usize, folds: usize, seed: u64) -> Vec<usize> {
    let mut rng = stream(seed, &[CV_PURPOSE, n as u64]);
    let mut perm: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = ((u128::from(rng.next_u64()) * (i as u128 + 1)) >> 64) as usize;
        perm.swap(i, j);
    }
    let mut fold = vec![0; n];
    for (pos, &row) in perm.iter().enumerate() {
        fold[row] = pos % folds;
    }
    fold
}

/// Fit a proxy-means test on all folds but one and predict the left-out fold, for each fold.
///
/// Arguments are those of [`ProxyMeansTest::fit`], plus `folds` (2 ≤ folds ≤ n), `seed` for the
/// deterministic fold assignment, and `threshold` (in the units of the target, e.g. the log of the
/// poverty line) for the targeting errors.
///
/// # Errors
/// Those of [`ProxyMeansTest::fit`] (also when a training set is rank-deficient), and
/// [`Error::InvalidParameter`] for `folds` out of range or a non-finite `threshold`.
///
/// # Examples
/// ```
/// use ndarray::Array2;
/// use fupin_core::targeting::cross_validate;
/// let x = Array2::from_shape_fn((20, 1), |(i, _)| i as f64);
/// let y: Vec<f64> = (0..20).map(|i| 1.0 + 0.5 * i as f64).collect();
/// let cv = cross_validate(x.view(), &["x"], &y, None, true, 5, 7, 3.0).unwrap();
/// assert!(cv.rmse < 1e-9 && (cv.r_squared - 1.0).abs() < 1e-9);
/// ```
#[allow(clippy::too_many_arguments)]
pub fn cross_validate<S: AsRef<str>>(
    x: ArrayView2<f64>,
    names: &[S],
    target: &[f64],
    weights: Option<&[f64]>,
    intercept: bool,
    folds: usize,
    seed: u64,
    threshold: f64,
) -> Result<CrossValidation> {
    let n = x.nrows();
    // Validate everything once, with the messages of a full fit.
    let (_, _, w) = prepare("cross_validate", x, names, target, weights, intercept)?;
    if folds < 2 || folds > n {
        return Err(Error::invalid_parameter(
            "folds",
            folds,
            format!("must be between 2 and the number of rows ({n})"),
        ));
    }
    if !threshold.is_finite() {
        return Err(Error::invalid_parameter(
            "threshold",
            threshold,
            "is not a finite number",
        ));
    }
    let fold = assign_folds(n, folds, seed);
    let mut predictions = vec![0.0; n];
    let mut fold_r_squared = Vec::with_capacity(folds);
    let mut fold_rmse = Vec::with_capacity(folds);
    for f in 0..folds {
        let train: Vec<usize> = (0..n).filter(|&i| fold[i] != f).collect();
        let test: Vec<usize> = (0..n).filter(|&i| fold[i] == f).collect();
        let xt: Array2<f64> = x.select(Axis(0), &train);
        let yt: Vec<f64> = train.iter().map(|&i| target[i]).collect();
        let wt: Vec<f64> = train.iter().map(|&i| w[i]).collect();
        let model = ProxyMeansTest::fit(xt.view(), names, &yt, Some(&wt), intercept)?;
        let pred = model.predict(x.select(Axis(0), &test).view())?;
        for (&i, p) in test.iter().zip(pred) {
            predictions[i] = p;
        }
        let (r2, rmse) = fit_stats(&test, target, &predictions, &w);
        fold_r_squared.push(r2);
        fold_rmse.push(rmse);
    }
    let all: Vec<usize> = (0..n).collect();
    let (r_squared, rmse) = fit_stats(&all, target, &predictions, &w);
    let selected: Vec<bool> = predictions.iter().map(|p| *p < threshold).collect();
    let poor: Vec<bool> = target.iter().map(|y| *y < threshold).collect();
    let errors = errors(&selected, &poor, Some(&w))?;
    Ok(CrossValidation {
        folds,
        fold,
        predictions,
        r_squared,
        rmse,
        fold_r_squared,
        fold_rmse,
        threshold,
        errors,
    })
}

/// Weighted R² (against the rows' own weighted mean) and RMSE over `rows`.
fn fit_stats(rows: &[usize], y: &[f64], pred: &[f64], w: &[f64]) -> (f64, f64) {
    let sw: f64 = rows.iter().map(|&i| w[i]).sum();
    let mean = rows.iter().map(|&i| w[i] * y[i]).sum::<f64>() / sw;
    let sse: f64 = rows.iter().map(|&i| w[i] * (y[i] - pred[i]).powi(2)).sum();
    let tss: f64 = rows.iter().map(|&i| w[i] * (y[i] - mean).powi(2)).sum();
    let r2 = if tss > 0.0 { 1.0 - sse / tss } else { f64::NAN };
    (r2, (sse / sw).sqrt())
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::*;

    #[test]
    fn folds_are_balanced_and_deterministic() {
        let a = assign_folds(103, 5, 9);
        assert_eq!(a, assign_folds(103, 5, 9));
        assert_ne!(a, assign_folds(103, 5, 10));
        for f in 0..5 {
            let c = a.iter().filter(|&&x| x == f).count();
            assert!(c == 20 || c == 21, "fold {f} has {c}");
        }
    }

    #[test]
    fn out_of_fold_predictions_come_from_models_without_the_fold() {
        let n = 30;
        let x = Array2::from_shape_fn((n, 2), |(i, j)| ((i * (j + 3)) % 7) as f64 + 0.1 * i as f64);
        let y: Vec<f64> = (0..n)
            .map(|i| x[[i, 0]] - 0.5 * x[[i, 1]] + ((i * 13) % 5) as f64 * 0.3)
            .collect();
        let w: Vec<f64> = (0..n).map(|i| 1.0 + (i % 3) as f64).collect();
        let cv = cross_validate(x.view(), &["a", "b"], &y, Some(&w), true, 3, 1, 2.0).unwrap();
        // Refit fold 1's training set directly and compare one prediction.
        let train: Vec<usize> = (0..n).filter(|&i| cv.fold[i] != 1).collect();
        let xt = x.select(Axis(0), &train);
        let yt: Vec<f64> = train.iter().map(|&i| y[i]).collect();
        let wt: Vec<f64> = train.iter().map(|&i| w[i]).collect();
        let m = ProxyMeansTest::fit(xt.view(), &["a", "b"], &yt, Some(&wt), true).unwrap();
        let i = (0..n).find(|&i| cv.fold[i] == 1).unwrap();
        let p = m.predict(x.select(Axis(0), &[i]).view()).unwrap()[0];
        assert!((cv.predictions[i] - p).abs() < 1e-12);
        // Pooled statistics from their definitions.
        let sw: f64 = w.iter().sum();
        let mean = (0..n).map(|i| w[i] * y[i]).sum::<f64>() / sw;
        let sse: f64 = (0..n)
            .map(|i| w[i] * (y[i] - cv.predictions[i]).powi(2))
            .sum();
        let tss: f64 = (0..n).map(|i| w[i] * (y[i] - mean).powi(2)).sum();
        assert!((cv.r_squared - (1.0 - sse / tss)).abs() < 1e-12);
        assert!((cv.rmse - (sse / sw).sqrt()).abs() < 1e-12);
        let sel: Vec<bool> = cv.predictions.iter().map(|p| *p < 2.0).collect();
        let poor: Vec<bool> = y.iter().map(|v| *v < 2.0).collect();
        assert_eq!(cv.errors, errors(&sel, &poor, Some(&w)).unwrap());
        assert_eq!(cv.fold_rmse.len(), 3);
    }

    #[test]
    fn bad_parameters_are_named() {
        let x = Array2::from_shape_fn((10, 1), |(i, _)| i as f64);
        let y: Vec<f64> = (0..10).map(|i| i as f64).collect();
        let e = cross_validate(x.view(), &["x"], &y, None, true, 1, 0, 0.0).unwrap_err();
        assert_eq!(e.column(), Some("folds"));
        let e = cross_validate(x.view(), &["x"], &y, None, true, 11, 0, 0.0).unwrap_err();
        assert_eq!(e.column(), Some("folds"));
        let e = cross_validate(x.view(), &["x"], &y, None, true, 2, 0, f64::NAN).unwrap_err();
        assert_eq!(e.column(), Some("threshold"));
    }
}
