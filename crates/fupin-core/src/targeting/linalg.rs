//! Weighted least squares by Householder QR.
//!
//! The system `√W X β = √W y` is reduced by Householder reflections to `R β = Qᵀ√W y` without ever
//! forming `XᵀWX`, so the condition number that matters is that of `√W X`, not its square
//! (Golub & Van Loan, *Matrix Computations*, 4th ed., §5.3). `(XᵀWX)⁻¹ = R⁻¹R⁻ᵀ` follows from the
//! triangular factor. Columns are reduced in order without pivoting, so a column whose remaining
//! norm after the earlier reflections is negligible is (numerically) a linear combination of the
//! earlier columns, and is named in the error.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::error::{Error, Result};

/// A column is declared collinear when the part of it orthogonal to the earlier columns is below
/// this fraction of its own norm (a condition number above about 10¹⁰, where a coefficient would
/// keep fewer than six significant digits in double precision).
pub const COLLINEARITY_TOLERANCE: f64 = 1e-10;

/// The result of a weighted least-squares solve.
#[derive(Debug, Clone)]
pub(crate) struct WlsSolution {
    /// Coefficients.
    pub beta: Array1<f64>,
    /// The powers of two `s_j` the columns were multiplied by (see [`wls`]).
    pub col_scale: Vec<f64>,
    /// `(X̃ᵀWX̃)⁻¹` of the equilibrated design `X̃ = X·diag(s)`: `(XᵀWX)⁻¹_ij = this_ij·s_i·s_j`,
    /// without the under- or overflow the unscaled entries may suffer.
    pub xtwx_inv_scaled: Array2<f64>,
}

/// Solve `min Σ wᵢ (yᵢ − xᵢβ)²`. `names` label the columns of `x` for the error on a
/// rank-deficient design. Inputs must already be validated (finite, positive weights, n ≥ k).
pub(crate) fn wls(
    x: ArrayView2<f64>,
    y: ArrayView1<f64>,
    w: &[f64],
    names: &[String],
) -> Result<WlsSolution> {
    let (n, k) = x.dim();
    let mut a = Array2::<f64>::zeros((n, k));
    let mut b = Array1::<f64>::zeros(n);
    for i in 0..n {
        let s = w[i].sqrt();
        for j in 0..k {
            a[[i, j]] = s * x[[i, j]];
        }
        b[i] = s * y[i];
    }
    // Equilibrate: each column times the power of two that brings its norm to [1, 2) (exact), so
    // squares of its entries neither underflow nor overflow in the reflections (a column of values
    // near 1e-287 gave 0/0); the solution is scaled back at the end.
    let mut col_scale = vec![1.0; k];
    for j in 0..k {
        let c = norm(a.column(j));
        if c <= 0.0 {
            return Err(collinear(names, j, false));
        }
        col_scale[j] = crate::metrics::pow2_scale(c);
        a.column_mut(j).mapv_inplace(|t| t * col_scale[j]);
    }
    let col_norms: Vec<f64> = (0..k).map(|j| norm(a.column(j))).collect();
    let mut v = vec![0.0; n];
    for j in 0..k {
        let rest = norm(a.slice(ndarray::s![j.., j]));
        if col_norms[j] <= 0.0 || rest <= COLLINEARITY_TOLERANCE * col_norms[j] {
            return Err(collinear(names, j, col_norms[j] > 0.0));
        }
        let alpha = if a[[j, j]] > 0.0 { -rest } else { rest };
        // Householder vector v = a[j.., j] − α e₁.
        for i in j..n {
            v[i] = a[[i, j]];
        }
        v[j] -= alpha;
        let vv: f64 = v[j..n].iter().map(|t| t * t).sum();
        for c in j..k {
            let dot: f64 = (j..n).map(|i| v[i] * a[[i, c]]).sum();
            let f = 2.0 * dot / vv;
            for i in j..n {
                a[[i, c]] -= f * v[i];
            }
        }
        let dot: f64 = (j..n).map(|i| v[i] * b[i]).sum();
        let f = 2.0 * dot / vv;
        for i in j..n {
            b[i] -= f * v[i];
        }
    }
    // R is the upper k×k block of `a`; invert it by back substitution, column by column.
    let mut r_inv = Array2::<f64>::zeros((k, k));
    for c in 0..k {
        for i in (0..=c).rev() {
            let mut s = if i == c { 1.0 } else { 0.0 };
            for m in i + 1..=c {
                s -= a[[i, m]] * r_inv[[m, c]];
            }
            r_inv[[i, c]] = s / a[[i, i]];
        }
    }
    let qtb = b.slice(ndarray::s![..k]);
    let mut beta = r_inv.dot(&qtb);
    let xtwx_inv_scaled = r_inv.dot(&r_inv.t());
    // Undo the equilibration: β_j = β̃_j·s_j (and (XᵀWX)⁻¹_jj = (X̃ᵀWX̃)⁻¹_jj·s_j², checked).
    for j in 0..k {
        beta[j] *= col_scale[j];
    }
    let finite = |j: usize| {
        beta[j].is_finite() && (xtwx_inv_scaled[[j, j]] * col_scale[j] * col_scale[j]).is_finite()
    };
    if let Some(j) = (0..k).find(|&j| !finite(j)) {
        return Err(out_of_range(names, j));
    }
    Ok(WlsSolution {
        beta,
        col_scale,
        xtwx_inv_scaled,
    })
}

impl WlsSolution {
    /// `(XᵀWX)⁻¹` of the design as given.
    #[cfg(test)]
    pub(crate) fn xtwx_inv(&self) -> Array2<f64> {
        let s = &self.col_scale;
        let mut m = self.xtwx_inv_scaled.clone();
        for ((i, j), v) in m.indexed_iter_mut() {
            *v = *v * s[i] * s[j];
        }
        m
    }
}

fn norm(v: ArrayView1<f64>) -> f64 {
    // Scaled to avoid overflow for very large entries.
    let scale = v.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    if scale == 0.0 {
        return 0.0;
    }
    scale * v.iter().map(|x| (x / scale).powi(2)).sum::<f64>().sqrt()
}

/// The coefficient of column `j`, or its variance, leaves the floating-point range: the column's
/// scale (tiny or huge values) is too extreme for a least-squares fit.
pub(crate) fn out_of_range(names: &[String], j: usize) -> Error {
    let name = names
        .get(j)
        .cloned()
        .unwrap_or_else(|| format!("column {j}"));
    Error::invalid_parameter(
        name,
        format!("design column {j}"),
        "is so nearly singular at this scale that its coefficient or its variance leaves the \
         floating-point range (about 1e±308): rescale the column (e.g. change its unit) or drop it",
    )
}

fn collinear(names: &[String], j: usize, nonzero: bool) -> Error {
    let name = names
        .get(j)
        .cloned()
        .unwrap_or_else(|| format!("column {j}"));
    let earlier: Vec<String> = names[..j.min(names.len())]
        .iter()
        .map(|s| format!("`{s}`"))
        .collect();
    let reason = if !nonzero {
        "is zero in every row (with positive weight); the weighted design is rank-deficient: drop it"
            .to_string()
    } else if earlier.is_empty() {
        "is numerically zero; the weighted design is rank-deficient: drop it".to_string()
    } else {
        format!(
            "is (numerically) a linear combination of the earlier columns {}; the weighted design \
             is rank-deficient: drop it (or, for dummies, a reference level)",
            earlier.join(", ")
        )
    };
    Error::invalid_parameter(name, format!("design column {j}"), reason)
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    fn names(k: usize) -> Vec<String> {
        (0..k).map(|j| format!("x{j}")).collect()
    }

    #[test]
    fn solves_an_exactly_determined_system() {
        // 2x + y = 5, x + 3y = 10  →  x = 1, y = 3 (by hand).
        let x = array![[2.0, 1.0], [1.0, 3.0]];
        let y = array![5.0, 10.0];
        let s = wls(x.view(), y.view(), &[1.0, 1.0], &names(2)).unwrap();
        assert!((s.beta[0] - 1.0).abs() < 1e-12 && (s.beta[1] - 3.0).abs() < 1e-12);
        // (XᵀX)⁻¹ for XᵀX = [[5,5],[5,10]]: det 25 → [[10,−5],[−5,5]]/25.
        let want = [[0.4, -0.2], [-0.2, 0.2]];
        for i in 0..2 {
            for j in 0..2 {
                assert!((s.xtwx_inv()[[i, j]] - want[i][j]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn weights_matter_and_simple_mean_is_recovered() {
        // Intercept-only WLS is the weighted mean: (1·1 + 3·3)/4 = 2.5.
        let x = array![[1.0], [1.0]];
        let y = array![1.0, 3.0];
        let s = wls(x.view(), y.view(), &[1.0, 3.0], &names(1)).unwrap();
        assert!((s.beta[0] - 2.5).abs() < 1e-12);
    }

    #[test]
    fn names_the_collinear_column() {
        let x = array![
            [1.0, 2.0, 1.0],
            [1.0, 3.0, 1.0],
            [1.0, 5.0, 1.0],
            [1.0, 7.0, 1.0]
        ];
        let y = array![1.0, 2.0, 3.0, 4.0];
        let e = wls(x.view(), y.view(), &[1.0; 4], &names(3)).unwrap_err();
        assert_eq!(e.column(), Some("x2"));
        assert!(e.to_string().contains("`x0`"), "{e}");
        let z = array![[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]];
        let e = wls(z.view(), array![1.0, 2.0, 3.0].view(), &[1.0; 3], &names(2)).unwrap_err();
        assert_eq!(e.column(), Some("x1"));
        assert!(e.to_string().contains("zero in every row"));
    }
}
