//! Bounded nonlinear least squares (Levenberg–Marquardt with projection onto box bounds), the one
//! optimiser behind both calibrations: the minimum-distance fit of the income process's
//! covariances ([`estimate_income_process`](super::estimate_income_process)) and the simulated
//! method of moments ([`fit_headcount`](super::fit_headcount)).
//!
//! Residuals are evaluated in *batches* (a list of parameter points → one residual vector each),
//! so a simulator can evaluate the centre and every finite-difference point of a Jacobian in one
//! run with common random numbers.
//!
//! The step solves `(JᵀJ + λ·diag(JᵀJ)) δ = −Jᵀr` (Marquardt 1963's scaling), projects `x + δ`
//! onto the bounds, and accepts it if the sum of squares falls (λ ÷ 3), else retries with λ × 4.
//! Forward differences with step `h_j` (backward where `x_j + h_j` would leave the box).

use ndarray::{Array1, Array2};

use crate::error::{Error, Result};
use crate::timelines::linalg::{cholesky, cholesky_solve};

/// Evaluate residual vectors at a batch of points (all the same length).
pub(crate) type Batch<'a> = dyn FnMut(&[Vec<f64>]) -> Result<Vec<Vec<f64>>> + 'a;

/// Settings of [`minimise`].
#[derive(Debug, Clone)]
pub(crate) struct LmSettings {
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Finite-difference step per parameter.
    pub step: Vec<f64>,
    pub max_iterations: u32,
    /// Stop when every |δ_j| ≤ `x_tolerance · step_j`, or the relative fall in the sum of
    /// squares is below `f_tolerance`.
    pub x_tolerance: f64,
    pub f_tolerance: f64,
}

/// Where [`minimise`] stopped.
#[derive(Debug, Clone)]
pub(crate) struct LmOutcome {
    pub x: Vec<f64>,
    pub ssr: f64,
    pub iterations: u32,
    pub converged: bool,
}

fn ssr(r: &[f64]) -> f64 {
    r.iter().map(|v| v * v).sum()
}

fn clamp(x: &mut [f64], s: &LmSettings) {
    for (j, v) in x.iter_mut().enumerate() {
        *v = v.clamp(s.lower[j], s.upper[j]);
    }
}

/// The batch of points for a forward-difference Jacobian at `x`: `x` first, then `x ± h_j e_j`;
/// returns the points and the signed steps.
pub(crate) fn forward_points(x: &[f64], s: &LmSettings) -> (Vec<Vec<f64>>, Vec<f64>) {
    let mut points = vec![x.to_vec()];
    let mut steps = Vec::with_capacity(x.len());
    for j in 0..x.len() {
        let mut p = x.to_vec();
        let h = if x[j] + s.step[j] <= s.upper[j] {
            s.step[j]
        } else {
            -s.step[j]
        };
        p[j] += h;
        steps.push(h);
        points.push(p);
    }
    (points, steps)
}

/// Jacobian (rows: residuals, columns: parameters) from evaluations at `forward_points`.
pub(crate) fn forward_jacobian(values: &[Vec<f64>], steps: &[f64]) -> Array2<f64> {
    let m = values[0].len();
    Array2::from_shape_fn((m, steps.len()), |(i, j)| {
        (values[j + 1][i] - values[0][i]) / steps[j]
    })
}

fn check_batch(values: &[Vec<f64>], n: usize, m: Option<usize>) -> Result<()> {
    if values.len() != n {
        return Err(Error::Internal(format!(
            "least squares: {} residual vectors for {n} points",
            values.len()
        )));
    }
    let m = m.unwrap_or_else(|| values.first().map_or(0, Vec::len));
    for v in values {
        if v.len() != m {
            return Err(Error::Internal(
                "least squares: residual lengths differ".into(),
            ));
        }
        if let Some(bad) = v.iter().find(|r| !r.is_finite()) {
            return Err(Error::Numerical {
                what: "least squares".into(),
                reason: format!("a residual is {bad} (not finite)"),
            });
        }
    }
    Ok(())
}

/// Minimise `Σ r(x)²` over the box `[lower, upper]` from `x0` (projected onto the box first).
pub(crate) fn minimise(eval: &mut Batch<'_>, x0: &[f64], s: &LmSettings) -> Result<LmOutcome> {
    let p = x0.len();
    let mut x = x0.to_vec();
    clamp(&mut x, s);
    let mut lambda = 1e-3;
    let mut iterations = 0u32;
    let mut converged = false;
    let mut f = f64::INFINITY;
    while iterations < s.max_iterations {
        iterations += 1;
        let (points, steps) = forward_points(&x, s);
        let values = eval(&points)?;
        check_batch(&values, points.len(), None)?;
        let r = values[0].clone();
        f = ssr(&r);
        let jac = forward_jacobian(&values, &steps);
        let jtj = jac.t().dot(&jac);
        let jtr: Array1<f64> = jac.t().dot(&Array1::from(r.clone()));
        let scale = (0..p).map(|j| jtj[[j, j]]).fold(0.0_f64, f64::max);
        // Active bounds: a parameter on a bound that descent would push outwards stays put, and
        // the others are solved for with it fixed (a projected step would distort them).
        let active: Vec<bool> = (0..p)
            .map(|j| (x[j] <= s.lower[j] && jtr[j] > 0.0) || (x[j] >= s.upper[j] && jtr[j] < 0.0))
            .collect();
        let mut accepted = false;
        for _ in 0..12 {
            let mut a = jtj.clone();
            for j in 0..p {
                a[[j, j]] += lambda * jtj[[j, j]].max(1e-12 * scale.max(1e-300));
            }
            let mut rhs = jtr.mapv(|v| -v);
            for j in (0..p).filter(|&j| active[j]) {
                for k in 0..p {
                    a[[j, k]] = 0.0;
                    a[[k, j]] = 0.0;
                }
                a[[j, j]] = 1.0;
                rhs[j] = 0.0;
            }
            let Ok(l) = cholesky(&a) else {
                lambda *= 4.0;
                continue;
            };
            let delta = cholesky_solve(&l, &rhs);
            let mut trial: Vec<f64> = x.iter().zip(delta.iter()).map(|(a, b)| a + b).collect();
            clamp(&mut trial, s);
            let moved: Vec<f64> = trial.iter().zip(&x).map(|(a, b)| a - b).collect();
            if moved
                .iter()
                .zip(&s.step)
                .all(|(d, h)| d.abs() <= s.x_tolerance * h)
            {
                converged = true;
                break;
            }
            let tv = eval(std::slice::from_ref(&trial))?;
            check_batch(&tv, 1, Some(r.len()))?;
            let ft = ssr(&tv[0]);
            if ft < f {
                let fall = (f - ft) / f.max(f64::MIN_POSITIVE);
                x = trial;
                f = ft;
                lambda = (lambda / 3.0).max(1e-9);
                accepted = true;
                if fall < s.f_tolerance {
                    converged = true;
                }
                break;
            }
            lambda *= 4.0;
        }
        if converged || !accepted {
            // Not accepted after every λ: no descent direction left at this precision.
            converged = true;
            break;
        }
    }
    Ok(LmOutcome {
        x,
        ssr: f,
        iterations,
        converged,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(p: usize) -> LmSettings {
        LmSettings {
            lower: vec![-10.0; p],
            upper: vec![10.0; p],
            step: vec![1e-6; p],
            max_iterations: 200,
            x_tolerance: 1e-3,
            f_tolerance: 1e-14,
        }
    }

    #[test]
    fn rosenbrock_minimum_is_found() {
        // r = (10 (x2 − x1²), 1 − x1): minimum at (1, 1) with Σr² = 0 (Moré, Garbow & Hillstrom 1981).
        let mut eval = |pts: &[Vec<f64>]| -> Result<Vec<Vec<f64>>> {
            Ok(pts
                .iter()
                .map(|x| vec![10.0 * (x[1] - x[0] * x[0]), 1.0 - x[0]])
                .collect())
        };
        let out = minimise(&mut eval, &[-1.2, 1.0], &settings(2)).unwrap();
        assert!((out.x[0] - 1.0).abs() < 1e-5, "{:?}", out.x);
        assert!((out.x[1] - 1.0).abs() < 1e-5, "{:?}", out.x);
        assert!(out.ssr < 1e-10);
    }

    #[test]
    fn linear_fit_matches_normal_equations_and_respects_bounds() {
        // y = a + b t on 4 points, the least-squares line by hand.
        let t = [0.0, 1.0, 2.0, 3.0];
        let y = [1.0, 2.0, 3.0, 4.5];
        let mut eval = |pts: &[Vec<f64>]| -> Result<Vec<Vec<f64>>> {
            Ok(pts
                .iter()
                .map(|p| (0..4).map(|i| y[i] - p[0] - p[1] * t[i]).collect())
                .collect())
        };
        // t̄ = 1.5, ȳ = 2.625, Σ(t−t̄)(y−ȳ) = 5.75, Σ(t−t̄)² = 5 → b = 1.15, a = 2.625 − 1.725 = 0.9.
        let out = minimise(&mut eval, &[0.0, 0.0], &settings(2)).unwrap();
        assert!((out.x[1] - 1.15).abs() < 1e-6, "{:?}", out.x);
        assert!((out.x[0] - 0.9).abs() < 1e-6, "{:?}", out.x);
        // With b ≤ 1 the constrained optimum has b = 1 and a = ȳ − t̄ = 1.125.
        let mut s = settings(2);
        s.upper[1] = 1.0;
        let out = minimise(&mut eval, &[0.0, 0.0], &s).unwrap();
        assert!((out.x[1] - 1.0).abs() < 1e-12, "{:?}", out.x);
        assert!((out.x[0] - 1.125).abs() < 1e-6, "{:?}", out.x);
    }

    #[test]
    fn non_finite_residuals_are_an_error() {
        let mut eval = |pts: &[Vec<f64>]| -> Result<Vec<Vec<f64>>> {
            Ok(pts.iter().map(|_| vec![f64::NAN]).collect())
        };
        let err = minimise(&mut eval, &[0.0], &settings(1)).unwrap_err();
        assert!(matches!(err, Error::Numerical { .. }), "{err}");
    }
}
