//! A small dense solver for symmetric positive-definite systems (Cholesky), enough for the
//! information matrices of hazard models and the variance matrix of the log-rank test.
//!
//! Matrices are `ndarray` [`Array2`]s; the dimension is the number of coefficients (tens at most), so
//! a plain O(k³) factorisation is all that is needed.

use ndarray::{Array1, Array2};

/// Why a Cholesky factorisation failed: the first pivot (0-based) that was not positive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct NotPositiveDefinite {
    /// The column whose pivot was not positive (it is a linear combination of earlier columns).
    pub column: usize,
    /// The pivot found there.
    pub pivot: f64,
}

/// Lower-triangular Cholesky factor `L` with `a = L Lᵀ`.
///
/// A pivot is rejected when it is not above `1e-12` times the largest diagonal element of `a`
/// (relative to the matrix's scale), which flags exactly collinear columns as well as
/// numerically collinear ones.
pub(crate) fn cholesky(a: &Array2<f64>) -> Result<Array2<f64>, NotPositiveDefinite> {
    let k = a.nrows();
    debug_assert_eq!(k, a.ncols());
    let scale = (0..k).map(|i| a[[i, i]].abs()).fold(0.0_f64, f64::max);
    let threshold = 1e-12 * scale.max(f64::MIN_POSITIVE);
    let mut l = Array2::<f64>::zeros((k, k));
    for j in 0..k {
        let mut d = a[[j, j]];
        for p in 0..j {
            d -= l[[j, p]] * l[[j, p]];
        }
        if !d.is_finite() || d <= threshold {
            return Err(NotPositiveDefinite {
                column: j,
                pivot: d,
            });
        }
        let djj = d.sqrt();
        l[[j, j]] = djj;
        for i in (j + 1)..k {
            let mut s = a[[i, j]];
            for p in 0..j {
                s -= l[[i, p]] * l[[j, p]];
            }
            l[[i, j]] = s / djj;
        }
    }
    Ok(l)
}

/// Solve `L Lᵀ x = b` given the Cholesky factor `L`.
pub(crate) fn cholesky_solve(l: &Array2<f64>, b: &Array1<f64>) -> Array1<f64> {
    let k = l.nrows();
    let mut y = b.clone();
    for i in 0..k {
        let mut s = y[i];
        for p in 0..i {
            s -= l[[i, p]] * y[p];
        }
        y[i] = s / l[[i, i]];
    }
    for i in (0..k).rev() {
        let mut s = y[i];
        for p in (i + 1)..k {
            s -= l[[p, i]] * y[p];
        }
        y[i] = s / l[[i, i]];
    }
    y
}

/// The inverse of `L Lᵀ` given its Cholesky factor `L` (symmetric by construction).
pub(crate) fn cholesky_inverse(l: &Array2<f64>) -> Array2<f64> {
    let k = l.nrows();
    let mut inv = Array2::<f64>::zeros((k, k));
    for j in 0..k {
        let mut e = Array1::<f64>::zeros(k);
        e[j] = 1.0;
        let col = cholesky_solve(l, &e);
        inv.column_mut(j).assign(&col);
    }
    // Symmetrise away rounding differences.
    for i in 0..k {
        for j in (i + 1)..k {
            let m = 0.5 * (inv[[i, j]] + inv[[j, i]]);
            inv[[i, j]] = m;
            inv[[j, i]] = m;
        }
    }
    inv
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    #[test]
    fn solves_and_inverts_a_known_system() {
        // A = [[4, 2, 0.4], [2, 5, 1], [0.4, 1, 3]]; check A x = b and A A⁻¹ = I by multiplication.
        let a = array![[4.0, 2.0, 0.4], [2.0, 5.0, 1.0], [0.4, 1.0, 3.0]];
        let l = cholesky(&a).unwrap();
        let rebuilt = l.dot(&l.t());
        for (x, y) in rebuilt.iter().zip(a.iter()) {
            assert!((x - y).abs() < 1e-12);
        }
        let b = array![1.0, -2.0, 0.5];
        let x = cholesky_solve(&l, &b);
        let ax = a.dot(&x);
        for (u, v) in ax.iter().zip(b.iter()) {
            assert!((u - v).abs() < 1e-12);
        }
        let inv = cholesky_inverse(&l);
        let eye = a.dot(&inv);
        for i in 0..3 {
            for j in 0..3 {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((eye[[i, j]] - want).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn collinear_columns_are_reported() {
        // Third column = first + second.
        let a = array![[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 2.0]];
        let err = cholesky(&a).unwrap_err();
        assert_eq!(err.column, 2);
    }
}
