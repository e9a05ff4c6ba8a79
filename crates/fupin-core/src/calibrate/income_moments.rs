//! The estimator behind [`estimate_income_process`](super::estimate_income_process): the panel
//! reduced to per-cluster sufficient statistics, the model's growth covariances, and one estimate
//! for given cluster multiplicities (1 for the sample, bootstrap counts otherwise). The moment
//! conditions are stated in [`income`](super::income)'s module docs.

use super::income::IncomePanel;
use super::least_squares::{LmOutcome, LmSettings, minimise};
use crate::error::{Error, Result};

/// Sufficient statistics of one cluster (village, or household without village ids).
#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    pub n: f64,
    /// Σ Δx_t over members, t = 2…T (index t − 2).
    pub sum: Vec<f64>,
    /// Σ Δx_s Δx_t over members (K × K, row-major).
    pub cross: Vec<f64>,
    /// Σ (x_t − x_0) over members, t = 1…T (index t − 1).
    pub level: Vec<f64>,
    /// Σ (x_t − x_0)² over members, t = 1…T.
    pub level_sq: Vec<f64>,
    /// Flagged disaster by year 1…T (from the `disaster` column).
    pub given: Vec<bool>,
    pub health_events: f64,
    pub health_obs: f64,
}

pub(crate) struct Prepared {
    pub clusters: Vec<Cluster>,
    pub t_n: usize,
    pub first_year: i32,
    pub households: usize,
    pub by_village: bool,
    pub flags_given: bool,
    pub health: bool,
}

pub(crate) fn prepare(panel: &IncomePanel<'_>) -> Result<Prepared> {
    let n = panel.household.len();
    if n == 0 {
        return Err(Error::Empty {
            table: "panel".into(),
        });
    }
    let check_len = |name: &str, len: usize| {
        if len == n {
            Ok(())
        } else {
            Err(Error::LengthMismatch {
                table: "panel".into(),
                column: name.into(),
                expected: n,
                found: len,
            })
        }
    };
    check_len("year", panel.year.len())?;
    check_len("income", panel.income.len())?;
    if let Some(v) = panel.village {
        check_len("village", v.len())?;
    }
    if let Some(v) = panel.health {
        check_len("health", v.len())?;
    }
    if let Some(v) = panel.disaster {
        check_len("disaster", v.len())?;
    }
    for (i, &y) in panel.income.iter().enumerate() {
        if !(y.is_finite() && y > 0.0) {
            return Err(Error::invalid_value(
                "panel",
                "income",
                i + 1,
                y,
                "must be finite and > 0 (log income)",
            ));
        }
    }
    let first_year = panel.year.iter().copied().min().unwrap_or(0);
    let last_year = panel.year.iter().copied().max().unwrap_or(0);
    let t1 = i64::from(last_year) - i64::from(first_year) + 1;
    if t1 < 5 {
        return Err(Error::invalid_parameter(
            "year",
            format!("{first_year}–{last_year}"),
            "calibration needs at least 5 consecutive years (4 growths)",
        ));
    }
    let t1 = usize::try_from(t1).map_err(|_| Error::Internal("panel years".into()))?;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (panel.household[i], panel.year[i]));
    let t_n = t1 - 1;
    let k_n = t_n - 1;
    let mut clusters: Vec<Cluster> = Vec::new();
    let mut village_slot: std::collections::HashMap<u32, usize> = Default::default();
    let mut households = 0usize;
    let mut start = 0usize;
    while start < n {
        let code = panel.household[order[start]];
        let mut end = start;
        while end < n && panel.household[order[end]] == code {
            end += 1;
        }
        let rows = &order[start..end];
        let first_row = rows[0];
        if rows.len() != t1 {
            return Err(Error::invalid_value(
                "panel",
                "year",
                first_row + 1,
                format!("{} years for household {code}", rows.len()),
                format!(
                    "calibration needs a balanced panel: every household in each of the {t1} years {first_year}–{last_year}, once"
                ),
            ));
        }
        for (t, &i) in rows.iter().enumerate() {
            if i64::from(panel.year[i]) != i64::from(first_year) + t as i64 {
                return Err(Error::invalid_value(
                    "panel",
                    "year",
                    i + 1,
                    panel.year[i],
                    format!(
                        "household {code} is not seen once in each year {first_year}–{last_year}"
                    ),
                ));
            }
        }
        let slot = match panel.village {
            Some(v) => {
                let vc = v[first_row];
                if let Some(&i) = rows.iter().find(|&&i| v[i] != vc) {
                    return Err(Error::invalid_value(
                        "panel",
                        "village",
                        i + 1,
                        v[i],
                        format!("household {code} changes village (was {vc})"),
                    ));
                }
                let next = clusters.len();
                *village_slot.entry(vc).or_insert(next)
            }
            None => clusters.len(),
        };
        if slot == clusters.len() {
            clusters.push(Cluster {
                n: 0.0,
                sum: vec![0.0; k_n],
                cross: vec![0.0; k_n * k_n],
                level: vec![0.0; t_n],
                level_sq: vec![0.0; t_n],
                given: vec![false; t_n],
                health_events: 0.0,
                health_obs: 0.0,
            });
        }
        let c = &mut clusters[slot];
        let x: Vec<f64> = rows.iter().map(|&i| panel.income[i].ln()).collect();
        let z: Vec<f64> = (2..=t_n).map(|t| x[t] - x[t - 1]).collect();
        c.n += 1.0;
        for a in 0..k_n {
            c.sum[a] += z[a];
            for b in 0..k_n {
                c.cross[a * k_n + b] += z[a] * z[b];
            }
        }
        for t in 1..=t_n {
            c.level[t - 1] += x[t] - x[0];
            c.level_sq[t - 1] += (x[t] - x[0]).powi(2);
            if let Some(d) = panel.disaster {
                c.given[t - 1] |= d[rows[t]];
            }
            if let Some(h) = panel.health {
                c.health_events += f64::from(u8::from(h[rows[t]]));
                c.health_obs += 1.0;
            }
        }
        households += 1;
        start = end;
    }
    Ok(Prepared {
        clusters,
        t_n,
        first_year,
        households,
        by_village: panel.village.is_some(),
        flags_given: panel.disaster.is_some(),
        health: panel.health.is_some(),
    })
}

/// Model covariances of the growths t = 2…T (upper triangle, row-major) and v_1…v_T.
pub(crate) fn model_moments(theta: &[f64], t_n: usize) -> (Vec<f64>, Vec<f64>) {
    let (rho, se, st, s1) = (theta[0], theta[1], theta[2], theta[3]);
    let mut v = vec![0.0; t_n + 1];
    v[1] = s1 * s1;
    for t in 2..=t_n {
        v[t] = rho * rho * v[t - 1] + se * se;
    }
    let p = |a: usize, b: usize| {
        let (lo, hi) = (a.min(b), a.max(b));
        rho.powi((hi - lo) as i32) * v[lo]
    };
    let mut out = Vec::new();
    for s in 2..=t_n {
        for t in s..=t_n {
            let trans = if s == t {
                2.0 * st * st
            } else if t == s + 1 {
                -st * st
            } else {
                0.0
            };
            out.push(p(s, t) - p(s - 1, t) - p(s, t - 1) + p(s - 1, t - 1) + trans);
        }
    }
    (out, v)
}

/// Weighted median of `values` (weights = multiplicities), the lower one on ties.
fn weighted_median(pairs: &mut [(f64, f64)]) -> f64 {
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = pairs.iter().map(|p| p.1).sum();
    let mut acc = 0.0;
    for &(v, w) in pairs.iter() {
        acc += w;
        if acc >= total / 2.0 {
            return v;
        }
    }
    f64::NAN
}

/// Village disasters as a two-component mixture of village-year deviations
/// `δ_vt = mean_v(x_t − x_0) − median over villages`: `δ ~ (1 − p)·N(0, s_vt²) + p·N(ℓ, s_vt²)`, with
/// `s_vt² = s_t²/n_v` from the pooled within-village variance `s_t²`. EM from `p` = share below
/// `−jump`, `ℓ = −2·jump`. Returns the posterior probability of a disaster by cluster × year, `p`
/// and `ℓ` (the log of the income factor of a hit village).
#[allow(clippy::needless_range_loop)]
fn disaster_mixture(
    cl: &[Cluster],
    mult: &[f64],
    t_n: usize,
    jump: f64,
) -> (Vec<Vec<f64>>, f64, f64) {
    let g = cl.len();
    let mut delta = vec![vec![0.0; t_n]; g];
    let mut var = vec![vec![0.0; t_n]; g];
    for t in 0..t_n {
        let mut pairs: Vec<(f64, f64)> = cl
            .iter()
            .zip(mult)
            .filter(|(_, m)| **m > 0.0)
            .map(|(c, &m)| (c.level[t] / c.n, m))
            .collect();
        let median = weighted_median(&mut pairs);
        let (mut ss, mut dof) = (0.0, 0.0);
        for (c, &m) in cl.iter().zip(mult) {
            ss += m * (c.level_sq[t] - c.level[t] * c.level[t] / c.n);
            dof += m * (c.n - 1.0);
        }
        let s2 = if dof > 0.0 { ss / dof } else { 0.0 };
        for (i, c) in cl.iter().enumerate() {
            delta[i][t] = c.level[t] / c.n - median;
            var[i][t] = (s2 / c.n).max(1e-12);
        }
    }
    let total: f64 = mult.iter().sum::<f64>() * t_n as f64;
    let below: f64 = (0..g)
        .map(|i| mult[i] * delta[i].iter().filter(|&&d| d < -jump).count() as f64)
        .sum();
    let mut p = (below / total).clamp(0.01, 0.5);
    let mut fall = -2.0 * jump;
    let mut post = vec![vec![0.0; t_n]; g];
    for _ in 0..500 {
        let (mut sw, mut swd, mut swp) = (0.0, 0.0, 0.0);
        for i in 0..g {
            for t in 0..t_n {
                let (d, v) = (delta[i][t], var[i][t]);
                // log-odds of the disaster component (the common normalising constants cancel).
                let lo = (p / (1.0 - p)).ln() + (d * d - (d - fall) * (d - fall)) / (2.0 * v);
                let w = 1.0 / (1.0 + (-lo).exp());
                post[i][t] = w;
                sw += mult[i] * w;
                swd += mult[i] * w * d / v;
                swp += mult[i] * w / v;
            }
        }
        let p_new = (sw / total).clamp(1e-9, 1.0 - 1e-9);
        let fall_new = if swp > 0.0 {
            (swd / swp).min(0.0)
        } else {
            fall
        };
        let done = (p_new - p).abs() < 1e-12 && (fall_new - fall).abs() < 1e-12;
        p = p_new;
        fall = fall_new;
        if done {
            break;
        }
    }
    (post, p, fall)
}

pub(crate) struct Point {
    pub values: Vec<f64>,
    pub theta: Vec<f64>,
    pub cov_observed: Vec<f64>,
    pub growth_observed: Vec<f64>,
    pub flagged: u64,
}

#[allow(clippy::needless_range_loop)] // index arithmetic over years is clearer
pub(crate) fn estimate_once(
    prep: &Prepared,
    mult: &[f64],
    jump: f64,
    start: Option<&[f64]>,
) -> Result<Point> {
    let t_n = prep.t_n;
    let k_n = t_n - 1;
    let cl = &prep.clusters;
    // Disaster flags by cluster × year (1…T): given, or from the mixture fitted by EM.
    let mut mixture: Option<(f64, f64)> = None;
    let flags: Vec<Vec<bool>> = if prep.flags_given {
        cl.iter().map(|c| c.given.clone()).collect()
    } else if prep.by_village {
        let (post, p, fall) = disaster_mixture(cl, mult, t_n, jump);
        mixture = Some((p, fall));
        post.iter()
            .map(|row| row.iter().map(|&w| w > 0.5).collect())
            .collect()
    } else {
        vec![vec![false; t_n]; cl.len()]
    };
    let flagged: f64 = (0..cl.len())
        .map(|i| mult[i] * flags[i].iter().filter(|&&b| b).count() as f64)
        .sum();
    // Covariances of the growths.
    let mut cov = vec![0.0; k_n * k_n];
    if prep.by_village {
        let mut dof = 0.0;
        for (c, &m) in cl.iter().zip(mult) {
            if m == 0.0 {
                continue;
            }
            dof += m * (c.n - 1.0);
            for a in 0..k_n {
                for b in 0..k_n {
                    cov[a * k_n + b] += m * (c.cross[a * k_n + b] - c.sum[a] * c.sum[b] / c.n);
                }
            }
        }
        cov.iter_mut().for_each(|v| *v /= dof);
    } else {
        let (mut n, mut sum, mut cross) = (0.0, vec![0.0; k_n], vec![0.0; k_n * k_n]);
        for (c, &m) in cl.iter().zip(mult) {
            n += m * c.n;
            for a in 0..k_n {
                sum[a] += m * c.sum[a];
                for b in 0..k_n {
                    cross[a * k_n + b] += m * c.cross[a * k_n + b];
                }
            }
        }
        for a in 0..k_n {
            for b in 0..k_n {
                cov[a * k_n + b] = (cross[a * k_n + b] - sum[a] * sum[b] / n) / (n - 1.0);
            }
        }
    }
    let mut observed = Vec::new();
    for a in 0..k_n {
        for b in a..k_n {
            observed.push(cov[a * k_n + b]);
        }
    }
    if let Some(bad) = observed.iter().find(|v| !v.is_finite()) {
        return Err(Error::Numerical {
            what: "income calibration".into(),
            reason: format!("a growth covariance is {bad}: too few households per village"),
        });
    }
    let settings = LmSettings {
        lower: vec![0.0; 4],
        upper: vec![1.0, 5.0, 5.0, 5.0],
        step: vec![1e-7; 4],
        max_iterations: 200,
        x_tolerance: 1e-3,
        f_tolerance: 1e-13,
    };
    let mut eval = |pts: &[Vec<f64>]| -> Result<Vec<Vec<f64>>> {
        Ok(pts
            .iter()
            .map(|p| {
                let (m, _) = model_moments(p, t_n);
                observed.iter().zip(&m).map(|(o, f)| o - f).collect()
            })
            .collect())
    };
    let starts: Vec<Vec<f64>> = match start {
        Some(s) => vec![s.to_vec()],
        None => {
            let mean_var = (0..k_n).map(|a| cov[a * k_n + a]).sum::<f64>() / k_n as f64;
            let lag1 = (0..k_n - 1).map(|a| -cov[a * k_n + a + 1]).sum::<f64>() / (k_n - 1) as f64;
            let st = lag1.clamp(mean_var / 8.0, mean_var / 2.0).max(1e-6).sqrt();
            let se = (mean_var / 4.0).max(1e-6).sqrt();
            [0.2, 0.5, 0.8, 0.95]
                .iter()
                .map(|&r| vec![r, se, st, se])
                .collect()
        }
    };
    let mut best: Option<LmOutcome> = None;
    for s in &starts {
        let out = minimise(&mut eval, s, &settings)?;
        if best.as_ref().is_none_or(|b| out.ssr < b.ssr) {
            best = Some(out);
        }
    }
    let theta = best
        .ok_or_else(|| Error::Internal("income calibration: no start".into()))?
        .x;
    let (_, v) = model_moments(&theta, t_n);
    // Mean growth over village-years unflagged in t and t − 1.
    let mut gammas = Vec::new();
    let mut growth_observed = Vec::new();
    for t in 2..=t_n {
        let (mut s, mut n) = (0.0, 0.0);
        for (i, c) in cl.iter().enumerate() {
            if !flags[i][t - 1] && !flags[i][t - 2] {
                s += mult[i] * c.sum[t - 2];
                n += mult[i] * c.n;
            }
        }
        let mean = if n > 0.0 { s / n } else { f64::NAN };
        growth_observed.push(mean);
        if n > 0.0 {
            gammas.push(mean + (v[t] - v[t - 1]) / 2.0);
        }
    }
    if gammas.is_empty() {
        return Err(Error::Numerical {
            what: "income calibration".into(),
            reason: "every village-year is flagged as a disaster: no growth left".into(),
        });
    }
    let gamma = gammas.iter().sum::<f64>() / gammas.len() as f64;
    let mut values = vec![gamma.exp() - 1.0, theta[0], theta[1], theta[2], theta[3]];
    if let Some((p, fall)) = mixture {
        values.push(p);
        values.push(1.0 - fall.exp());
    } else if prep.by_village || prep.flags_given {
        let years: f64 = cl.iter().zip(mult).map(|(_, &m)| m * t_n as f64).sum();
        values.push(flagged / years);
        let (mut dev, mut wsum) = (0.0, 0.0);
        for t in 0..t_n {
            let (mut s, mut n) = (0.0, 0.0);
            for (i, c) in cl.iter().enumerate() {
                if !flags[i][t] {
                    s += mult[i] * c.level[t];
                    n += mult[i] * c.n;
                }
            }
            let reference = s / n;
            for (i, c) in cl.iter().enumerate() {
                if flags[i][t] {
                    dev += mult[i] * (c.level[t] - c.n * reference);
                    wsum += mult[i] * c.n;
                }
            }
        }
        values.push(if wsum > 0.0 {
            1.0 - (dev / wsum).exp()
        } else {
            f64::NAN
        });
    }
    if prep.health {
        let (e, o) = cl.iter().zip(mult).fold((0.0, 0.0), |(e, o), (c, &m)| {
            (e + m * c.health_events, o + m * c.health_obs)
        });
        values.push(e / o);
    }
    Ok(Point {
        values,
        theta,
        cov_observed: observed,
        growth_observed,
        flagged: flagged as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Second implementation: levels p = B u (u iid standard normal), Cov(x) = B Bᵀ + σ_ε² I,
    /// growths by the difference matrix.
    #[allow(clippy::needless_range_loop)]
    fn covariances_by_matrices(theta: &[f64], t_n: usize) -> Vec<f64> {
        let (rho, se, st, s1) = (theta[0], theta[1], theta[2], theta[3]);
        let mut b = vec![vec![0.0; t_n + 1]; t_n + 1];
        for t in 1..=t_n {
            for k in 1..=t {
                let sd = if k == 1 { s1 } else { se };
                b[t][k] = rho.powi((t - k) as i32) * sd;
            }
        }
        let cov_x = |a: usize, c: usize| {
            let mut s: f64 = (1..=t_n).map(|k| b[a][k] * b[c][k]).sum();
            if a == c && a >= 1 {
                s += st * st;
            }
            s
        };
        let mut out = Vec::new();
        for s in 2..=t_n {
            for t in s..=t_n {
                out.push(cov_x(s, t) - cov_x(s - 1, t) - cov_x(s, t - 1) + cov_x(s - 1, t - 1));
            }
        }
        out
    }

    #[test]
    fn model_covariances_match_a_matrix_implementation() {
        for theta in [
            [0.7, 0.15, 0.25, 0.15],
            [0.3, 0.2, 0.1, 0.4],
            [1.0, 0.1, 0.3, 0.5],
            [0.0, 0.2, 0.2, 0.2],
        ] {
            let (a, _) = model_moments(&theta, 6);
            let b = covariances_by_matrices(&theta, 6);
            assert_eq!(a.len(), 15);
            for (x, y) in a.iter().zip(&b) {
                assert!((x - y).abs() < 1e-14, "{theta:?}: {x} vs {y}");
            }
        }
        // ρ = 1: Δp = η, so Var Δx = σ_η² + 2σ_ε², lag 1 = −σ_ε², lag 2 = 0.
        let (a, _) = model_moments(&[1.0, 0.1, 0.3, 0.5], 4);
        assert!((a[0] - (0.01 + 0.18)).abs() < 1e-15);
        assert!((a[1] + 0.09).abs() < 1e-15);
        assert!(a[2].abs() < 1e-15);
    }
}
