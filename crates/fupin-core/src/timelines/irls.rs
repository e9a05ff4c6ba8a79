//! Iteratively reweighted least squares (Fisher scoring) for binary GLMs with a logit or
//! complementary log-log link: the numerical core of [`super::hazard`].
//!
//! The safeguards follow R's `glm.fit` and `binomial()` family: starting values
//! μ₀ = (y + 0.5)/2, fitted probabilities kept within [ε, 1 − ε] (ε = machine epsilon) where they
//! enter the weights, and step halving when the deviance increases or is not finite.

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

/// The link between the linear predictor η and the yearly hazard h.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// h = 1 / (1 + e^{−η}): coefficients are log odds ratios of the yearly hazard.
    Logit,
    /// h = 1 − exp(−e^η): the grouped-time version of a continuous-time proportional-hazards
    /// model (Prentice & Gloeckler 1978); coefficients are log hazard ratios.
    Cloglog,
}

const EPS: f64 = f64::EPSILON;

/// ln(1 + eˣ) without overflow.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

impl Link {
    /// The hazard h(η), computed without clamping.
    pub(crate) fn hazard(self, eta: f64) -> f64 {
        match self {
            Link::Logit => 1.0 / (1.0 + (-eta).exp()),
            Link::Cloglog => -(-eta.exp()).exp_m1(),
        }
    }

    /// ln h(η) and ln(1 − h(η)), computed stably.
    pub(crate) fn log_h_and_log_1mh(self, eta: f64) -> (f64, f64) {
        match self {
            Link::Logit => (-softplus(-eta), -softplus(eta)),
            Link::Cloglog => {
                let e = eta.exp();
                ((-(-e).exp_m1()).ln(), -e)
            }
        }
    }

    /// The link function η(μ), used for starting values.
    fn link(self, mu: f64) -> f64 {
        match self {
            Link::Logit => (mu / (1.0 - mu)).ln(),
            Link::Cloglog => (-(-mu).ln_1p()).ln(),
        }
    }

    /// (μ, dμ/dη), clamped away from 0 and 1 as in R's `binomial()` family.
    fn mu_and_derivative(self, eta: f64) -> (f64, f64) {
        match self {
            Link::Logit => {
                let mu = self.hazard(eta).clamp(EPS, 1.0 - EPS);
                (mu, (mu * (1.0 - mu)).max(EPS))
            }
            Link::Cloglog => {
                let e = eta.min(700.0).exp();
                let mu = self.hazard(eta).clamp(EPS, 1.0 - EPS);
                (mu, (e * (-e).exp()).max(EPS))
            }
        }
    }
}

/// Data of one fit, rows contiguous (row-major `x`).
#[derive(Debug)]
pub(crate) struct Problem<'a> {
    pub x: &'a [f64],
    pub n: usize,
    pub k: usize,
    pub y: &'a [bool],
    pub w: Option<&'a [f64]>,
    pub link: Link,
}

/// Per-iteration quantities at a coefficient vector.
#[derive(Debug)]
pub(crate) struct Evaluation {
    /// Log-likelihood (weighted).
    pub loglik: f64,
    /// XᵀWX: the expected (Fisher) information.
    pub information: Array2<f64>,
    /// XᵀWz: right-hand side of the next IRLS step.
    pub rhs: Array1<f64>,
    /// Per-row score factor: pwᵢ (yᵢ − μᵢ) μ'ᵢ / (μᵢ(1 − μᵢ)); the score of row i is this times xᵢ.
    pub score_factor: Vec<f64>,
    /// Rows whose fitted hazard is within 1e-8 of 0 or 1.
    pub n_boundary: usize,
}

impl Problem<'_> {
    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.k..(i + 1) * self.k]
    }

    fn weight(&self, i: usize) -> f64 {
        self.w.map_or(1.0, |w| w[i])
    }

    /// Linear predictor of row i.
    pub fn eta(&self, beta: &Array1<f64>, i: usize) -> f64 {
        self.row(i)
            .iter()
            .zip(beta.iter())
            .map(|(a, b)| a * b)
            .sum()
    }

    /// Log-likelihood only (for step halving).
    pub fn loglik(&self, beta: &Array1<f64>) -> f64 {
        (0..self.n)
            .map(|i| {
                let (lh, l1h) = self.link.log_h_and_log_1mh(self.eta(beta, i));
                self.weight(i) * if self.y[i] { lh } else { l1h }
            })
            .sum()
    }

    /// Everything an IRLS step needs, at `eta` per row (a β, or the starting values).
    pub fn evaluate(&self, eta: &[f64]) -> Evaluation {
        let k = self.k;
        // Flat accumulators: this loop is the hot path of every fit (also in debug builds).
        let mut info = vec![0.0; k * k];
        let mut rhs = vec![0.0; k];
        let mut score_factor = Vec::with_capacity(self.n);
        let mut loglik = 0.0;
        let mut n_boundary = 0;
        for (i, &e) in eta.iter().enumerate() {
            let pw = self.weight(i);
            let y = if self.y[i] { 1.0 } else { 0.0 };
            let (mu, dmu) = self.link.mu_and_derivative(e);
            let var = mu * (1.0 - mu);
            let wi = pw * dmu * dmu / var;
            let z = e + (y - mu) / dmu;
            let (lh, l1h) = self.link.log_h_and_log_1mh(e);
            loglik += pw * if self.y[i] { lh } else { l1h };
            let h = self.link.hazard(e);
            if !(1e-8..=1.0 - 1e-8).contains(&h) {
                n_boundary += 1;
            }
            score_factor.push(pw * (y - mu) * dmu / var);
            let xi = self.row(i);
            for (a, &xa) in xi.iter().enumerate() {
                let wxa = wi * xa;
                rhs[a] += wxa * z;
                for (acc, &xb) in info[a * k..a * k + a + 1].iter_mut().zip(xi) {
                    *acc += wxa * xb;
                }
            }
        }
        let information = Array2::from_shape_fn((k, k), |(a, b)| {
            if b <= a {
                info[a * k + b]
            } else {
                info[b * k + a]
            }
        });
        Evaluation {
            loglik,
            information,
            rhs: Array1::from(rhs),
            score_factor,
            n_boundary,
        }
    }

    /// η at β for every row.
    pub fn etas(&self, beta: &Array1<f64>) -> Vec<f64> {
        (0..self.n).map(|i| self.eta(beta, i)).collect()
    }

    /// Starting η from μ₀ = (y + 0.5)/2 (R's `binomial()$initialize` with unit prior weights).
    pub fn start_etas(&self) -> Vec<f64> {
        self.y
            .iter()
            .map(|&y| self.link.link(if y { 0.75 } else { 0.25 }))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_stable_and_consistent() {
        for link in [Link::Logit, Link::Cloglog] {
            for eta in [-40.0, -5.0, -0.3, 0.0, 0.7, 2.0] {
                let h = link.hazard(eta);
                let (lh, l1h) = link.log_h_and_log_1mh(eta);
                assert!((lh.exp() - h).abs() < 1e-14, "{link:?} {eta}");
                assert!((l1h.exp() - (1.0 - h)).abs() < 1e-14, "{link:?} {eta}");
                if (1e-6..1.0 - 1e-6).contains(&h) {
                    assert!((link.link(h) - eta).abs() < 1e-8);
                }
                // dμ/dη against a central difference.
                let (_, d) = link.mu_and_derivative(eta);
                let num = (link.hazard(eta + 1e-6) - link.hazard(eta - 1e-6)) / 2e-6;
                assert!((d - num.max(EPS)).abs() < 1e-8, "{link:?} {eta}");
            }
        }
        assert!(softplus(800.0).is_finite() && softplus(-800.0) >= 0.0);
    }

    #[test]
    fn score_factor_is_the_gradient_of_the_loglik() {
        // Independent check: numerical gradient of the log-likelihood = Σ score_factor·x.
        let x = [1.0, 0.5, 1.0, -1.0, 1.0, 2.0, 1.0, 0.0, 1.0, 1.5];
        let y = [true, false, true, false, false];
        let w = [1.0, 2.0, 0.5, 1.0, 3.0];
        for link in [Link::Logit, Link::Cloglog] {
            let p = Problem {
                x: &x,
                n: 5,
                k: 2,
                y: &y,
                w: Some(&w),
                link,
            };
            let beta = Array1::from(vec![-0.4, 0.3]);
            let ev = p.evaluate(&p.etas(&beta));
            assert!((ev.loglik - p.loglik(&beta)).abs() < 1e-12);
            for j in 0..2 {
                let grad: f64 = (0..5).map(|i| ev.score_factor[i] * x[2 * i + j]).sum();
                let mut bp = beta.clone();
                let mut bm = beta.clone();
                bp[j] += 1e-6;
                bm[j] -= 1e-6;
                let num = (p.loglik(&bp) - p.loglik(&bm)) / 2e-6;
                assert!((grad - num).abs() < 1e-6, "{link:?} {j}: {grad} vs {num}");
            }
        }
    }
}
