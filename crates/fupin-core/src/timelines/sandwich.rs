//! Cluster-robust (sandwich) covariance of a binary GLM fit: V = c · A⁻¹ (Σ_g u_g u_gᵀ) A⁻¹ with
//! u_g the summed score of cluster g and c = G/(G − 1) · (N − 1)/(N − K) ("CR1"; see
//! [`super::hazard`] for the conventions).

use ndarray::{Array1, Array2};

use super::irls::Problem;
use super::risk;

/// CR1 sandwich: c · A⁻¹ B A⁻¹ with B = Σ_g u_g u_gᵀ.
pub(crate) fn cluster_robust(
    p: &Problem<'_>,
    score_factor: &[f64],
    bread: &Array2<f64>,
    clusters: &[i64],
) -> (Array2<f64>, usize) {
    let k = p.k;
    let (labels, members) = risk::split_groups(clusters);
    let g = labels.len();
    let mut meat = Array2::<f64>::zeros((k, k));
    let mut u = Array1::<f64>::zeros(k);
    for rows in &members {
        u.fill(0.0);
        for &i in rows {
            for j in 0..k {
                u[j] += score_factor[i] * p.x[i * k + j];
            }
        }
        for a in 0..k {
            for b in 0..k {
                meat[[a, b]] += u[a] * u[b];
            }
        }
    }
    let (gf, nf, kf) = (g as f64, p.n as f64, k as f64);
    let c = gf / (gf - 1.0) * (nf - 1.0) / (nf - kf);
    let v = bread.dot(&meat).dot(bread) * c;
    (v, g)
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use crate::timelines::hazard::tests::simulate;
    use crate::timelines::linalg;
    use crate::timelines::{HazardOptions, Link, fit_hazard};

    #[test]
    fn cluster_robust_matches_numerical_derivatives() {
        // Independent sandwich: scores by central differences of each row's log-likelihood, the
        // information by central differences of the total score (logit: observed = expected).
        let (x, names, event, hh) = simulate(Link::Logit, 7);
        let x = x.slice(ndarray::s![..300, ..]).to_owned();
        let (event, hh) = (&event[..300], &hh[..300]);
        let villages: Vec<i64> = hh.iter().map(|h| h / 7).collect();
        let m = fit_hazard(
            x.view(),
            &names,
            event,
            None,
            Some(&villages),
            &HazardOptions::default(),
        )
        .unwrap();
        let k = m.coef.len();
        let row_ll = |i: usize, b: &[f64]| {
            let eta: f64 = (0..k).map(|j| x[[i, j]] * b[j]).sum();
            let h = 1.0 / (1.0 + (-eta).exp());
            if event[i] { h.ln() } else { (1.0 - h).ln() }
        };
        let grad = |i: usize, b: &[f64]| -> Vec<f64> {
            (0..k)
                .map(|j| {
                    let (mut bp, mut bm) = (b.to_vec(), b.to_vec());
                    bp[j] += 1e-5;
                    bm[j] -= 1e-5;
                    (row_ll(i, &bp) - row_ll(i, &bm)) / 2e-5
                })
                .collect()
        };
        let mut info = Array2::<f64>::zeros((k, k));
        for j in 0..k {
            let (mut bp, mut bm) = (m.coef.clone(), m.coef.clone());
            bp[j] += 1e-4;
            bm[j] -= 1e-4;
            for i in 0..x.nrows() {
                let (gp, gm) = (grad(i, &bp), grad(i, &bm));
                for a in 0..k {
                    info[[a, j]] -= (gp[a] - gm[a]) / 2e-4;
                }
            }
        }
        let l = linalg::cholesky(&info).unwrap();
        let bread = linalg::cholesky_inverse(&l);
        let mut meat = Array2::<f64>::zeros((k, k));
        let mut labels = villages.clone();
        labels.dedup();
        for g in &labels {
            let mut u = vec![0.0; k];
            for i in (0..x.nrows()).filter(|&i| villages[i] == *g) {
                for (a, v) in grad(i, &m.coef).into_iter().enumerate() {
                    u[a] += v;
                }
            }
            for a in 0..k {
                for b in 0..k {
                    meat[[a, b]] += u[a] * u[b];
                }
            }
        }
        let (gn, nn, kk) = (labels.len() as f64, x.nrows() as f64, k as f64);
        let v = bread.dot(&meat).dot(&bread) * (gn / (gn - 1.0) * (nn - 1.0) / (nn - kk));
        let robust = m.robust_std_err.as_ref().unwrap();
        for j in 0..k {
            assert!((bread[[j, j]].sqrt() / m.std_err[j] - 1.0).abs() < 1e-4);
            assert!((v[[j, j]].sqrt() / robust[j] - 1.0).abs() < 1e-4, "{j}");
        }
        assert_eq!(m.n_clusters, Some(labels.len()));
    }
}
