//! The log-rank test of equal survival in k ≥ 2 groups (Mantel 1966; Peto & Peto 1972).
//!
//! At each distinct event time t with nⱼ at risk and dⱼ events in group j (n, d in total):
//! Eⱼ = Σ d nⱼ / n and the hypergeometric covariance
//! Vⱼₗ = Σ d (n − d)/(n − 1) · nⱼ/n · (δⱼₗ − nₗ/n) (terms with n = 1 contribute 0).
//! The statistic is χ² = (O − E)ᵀ V⁻ (O − E) on the first k − 1 groups, with k − 1 degrees of
//! freedom (the same as R's `survdiff` with `rho = 0`). Ties are handled by the hypergeometric
//! variance above, which is exact for tied event times.
//!
//! **Weights are refused**: a survey-weighted log-rank test needs a design-based variance (strata,
//! clusters), not weighted counts plugged into the hypergeometric variance, which would overstate
//! the evidence by the size of the weights. Passing `Some(weights)` returns an
//! [`Error::InvalidParameter`] naming `weights`; fit a weighted discrete-time hazard model with
//! cluster-robust errors instead ([`super::hazard`]).

use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ChiSquared, ContinuousCDF};

use super::linalg;
use super::risk;
use crate::{Error, Result};

/// Result of a log-rank test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRank {
    /// Group labels, ascending.
    pub groups: Vec<i64>,
    /// Number of rows per group.
    pub n: Vec<usize>,
    /// Observed events per group.
    pub observed: Vec<f64>,
    /// Expected events per group under equal survival.
    pub expected: Vec<f64>,
    /// k × k covariance matrix of O − E.
    pub variance: Array2<f64>,
    /// The χ² statistic.
    pub chi2: f64,
    /// Degrees of freedom (k − 1).
    pub df: usize,
    /// Upper-tail p-value of `chi2` under χ²(df).
    pub p_value: f64,
}

/// Log-rank test of equal survival across the groups in `groups` (integer labels, at least two).
///
/// # Examples
///
/// ```
/// use fupin_core::timelines::logrank;
///
/// let t = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
/// let e = [true; 8];
/// let g = [0, 0, 0, 0, 1, 1, 1, 1];
/// let lr = logrank(&t, &e, &g, None)?;
/// assert_eq!(lr.df, 1);
/// assert!(lr.p_value < 0.05);
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn logrank(
    durations: &[f64],
    observed: &[bool],
    groups: &[i64],
    weights: Option<&[f64]>,
) -> Result<LogRank> {
    if weights.is_some() {
        return Err(Error::invalid_parameter(
            "weights",
            "given",
            "the log-rank test does not take survey weights (their variance is design-based); \
             use a weighted discrete-time hazard model with cluster-robust errors",
        ));
    }
    risk::validate("logrank", durations, observed, None)?;
    risk::validate_groups("logrank", groups, durations.len())?;
    let (labels, members) = risk::split_groups(groups);
    let k = labels.len();
    if k < 2 {
        return Err(Error::invalid_parameter(
            "groups",
            format!("{k} distinct label(s)"),
            "the log-rank test needs at least two groups",
        ));
    }
    // Per group: sorted durations (for at-risk counts) and sorted event times.
    let mut sorted_t: Vec<Vec<f64>> = Vec::with_capacity(k);
    let mut sorted_ev: Vec<Vec<f64>> = Vec::with_capacity(k);
    for rows in &members {
        let mut t: Vec<f64> = rows.iter().map(|&i| durations[i]).collect();
        t.sort_by(f64::total_cmp);
        let mut ev: Vec<f64> = rows
            .iter()
            .filter(|&&i| observed[i])
            .map(|&i| durations[i])
            .collect();
        ev.sort_by(f64::total_cmp);
        sorted_t.push(t);
        sorted_ev.push(ev);
    }
    let mut event_times: Vec<f64> = sorted_ev.iter().flatten().copied().collect();
    event_times.sort_by(f64::total_cmp);
    event_times.dedup();

    let mut o = Array1::<f64>::zeros(k);
    let mut e = Array1::<f64>::zeros(k);
    let mut v = Array2::<f64>::zeros((k, k));
    let mut nj = vec![0.0; k];
    let mut dj = vec![0.0; k];
    for &t in &event_times {
        for g in 0..k {
            let st = &sorted_t[g];
            nj[g] = (st.len() - st.partition_point(|&x| x < t)) as f64;
            let se = &sorted_ev[g];
            dj[g] = (se.partition_point(|&x| x <= t) - se.partition_point(|&x| x < t)) as f64;
        }
        let n: f64 = nj.iter().sum();
        let d: f64 = dj.iter().sum();
        for g in 0..k {
            o[g] += dj[g];
            e[g] += d * nj[g] / n;
        }
        if n > 1.0 {
            let c = d * (n - d) / (n - 1.0);
            for a in 0..k {
                for b in 0..k {
                    let delta = if a == b { 1.0 } else { 0.0 };
                    v[[a, b]] += c * nj[a] / n * (delta - nj[b] / n);
                }
            }
        }
    }
    let r = k - 1;
    let diff: Array1<f64> = (&o - &e).slice(ndarray::s![..r]).to_owned();
    let sub = v.slice(ndarray::s![..r, ..r]).to_owned();
    let l = linalg::cholesky(&sub).map_err(|bad| Error::Numerical {
        what: "log-rank test".into(),
        reason: format!(
            "the variance of group {} is not positive given the others (pivot {:e}): \
             does it have anyone at risk at an event time?",
            labels[bad.column], bad.pivot
        ),
    })?;
    let sol = linalg::cholesky_solve(&l, &diff);
    let chi2 = diff.dot(&sol);
    let dist = ChiSquared::new(r as f64).map_err(|err| Error::Numerical {
        what: "log-rank test".into(),
        reason: err.to_string(),
    })?;
    Ok(LogRank {
        groups: labels,
        n: members.iter().map(Vec::len).collect(),
        observed: o.to_vec(),
        expected: e.to_vec(),
        variance: v,
        chi2,
        df: r,
        p_value: dist.sf(chi2),
    })
}

impl LogRank {
    /// The per-group columns `groups`, `n`, `observed`, `expected` as a
    /// [`Table`](crate::registry::Table); `variance` and the test statistics stay fields.
    pub fn to_table(&self) -> crate::registry::Table {
        use crate::registry::{ColumnData as C, Table};
        Table::from_columns(
            "logrank",
            [
                ("groups", C::Int(self.groups.clone())),
                ("n", C::whole(self.n.iter().copied())),
                ("observed", C::floats(self.observed.clone())),
                ("expected", C::floats(self.expected.clone())),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timelines::km::tests::six_mp;

    fn freireich() -> (Vec<f64>, Vec<bool>, Vec<i64>) {
        let (mut t, mut e) = six_mp();
        let mut g = vec![1; t.len()];
        let placebo = [
            1., 1., 2., 2., 3., 4., 4., 5., 5., 8., 8., 8., 8., 11., 11., 12., 12., 15., 17., 22.,
            23.,
        ];
        t.extend_from_slice(&placebo);
        e.extend(std::iter::repeat_n(true, placebo.len()));
        g.extend(std::iter::repeat_n(0, placebo.len()));
        (t, e, g)
    }

    #[test]
    fn freireich_six_mp_against_placebo() {
        let (t, e, g) = freireich();
        let lr = logrank(&t, &e, &g, None).unwrap();
        // Published: χ² = 16.79 on 1 df (e.g. Kalbfleisch & Prentice; R survdiff prints 16.8).
        assert!((lr.chi2 - 16.79).abs() < 0.005, "chi2 = {}", lr.chi2);
        assert_eq!(lr.df, 1);
        assert_eq!(lr.observed, vec![21.0, 9.0]);
        // Expected events, R survdiff: placebo 10.7, 6-MP 19.3.
        assert!((lr.expected[0] - 10.75).abs() < 0.01);
        assert!((lr.expected[0] + lr.expected[1] - 30.0).abs() < 1e-12);
        assert!(lr.p_value < 1e-4 && lr.p_value > 1e-5);
        // Independent check of the p-value: for 1 df, P(χ² > x) = erfc(sqrt(x / 2)).
        let p = statrs::function::erf::erfc((lr.chi2 / 2.0).sqrt());
        assert!((lr.p_value - p).abs() < 1e-12);
        // The statistic does not depend on which group is left out.
        let flipped: Vec<i64> = g.iter().map(|x| 1 - x).collect();
        let lr2 = logrank(&t, &e, &flipped, None).unwrap();
        assert!((lr2.chi2 - lr.chi2).abs() < 1e-10);
        // Direct two-group formula (O₁ − E₁)² / V₁₁ with counts by brute force.
        let mut times: Vec<f64> = (0..t.len()).filter(|&i| e[i]).map(|i| t[i]).collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        let (mut o1, mut e1, mut v1) = (0.0, 0.0, 0.0);
        for &u in &times {
            let count = |grp: Option<i64>, ev: bool| {
                (0..t.len())
                    .filter(|&i| grp.is_none_or(|x| g[i] == x))
                    .filter(|&i| if ev { t[i] == u && e[i] } else { t[i] >= u })
                    .count() as f64
            };
            let (n, d, n1, d1) = (
                count(None, false),
                count(None, true),
                count(Some(1), false),
                count(Some(1), true),
            );
            o1 += d1;
            e1 += d * n1 / n;
            v1 += d * (n1 / n) * (1.0 - n1 / n) * (n - d) / (n - 1.0);
        }
        assert!(((o1 - e1) * (o1 - e1) / v1 - lr.chi2).abs() < 1e-10);
    }

    #[test]
    fn three_groups_do_not_depend_on_the_dropped_group() {
        // Split the placebo arm in two: with three groups, the k − 1 statistic must not depend on
        // which group is dropped, and the rows of V sum to zero.
        let (t, e, mut g) = freireich();
        for (i, x) in g.iter_mut().enumerate() {
            if *x == 0 && i % 2 == 0 {
                *x = 2;
            }
        }
        let lr = logrank(&t, &e, &g, None).unwrap();
        assert_eq!(lr.df, 2);
        for a in 0..3 {
            let row: f64 = (0..3).map(|b| lr.variance[[a, b]]).sum();
            assert!(row.abs() < 1e-10);
        }
        let relabel: Vec<i64> = g.iter().map(|&x| (x + 1) % 3).collect();
        let lr2 = logrank(&t, &e, &relabel, None).unwrap();
        assert!((lr.chi2 - lr2.chi2).abs() < 1e-9);
    }

    #[test]
    fn refuses_weights_single_groups_and_bad_rows() {
        let (t, e, g) = freireich();
        let w = vec![1.0; t.len()];
        let err = logrank(&t, &e, &g, Some(&w)).unwrap_err();
        assert_eq!(err.column(), Some("weights"));
        let one = vec![3; t.len()];
        assert_eq!(
            logrank(&t, &e, &one, None).unwrap_err().column(),
            Some("groups")
        );
        assert!(logrank(&t, &e, &g[1..], None).is_err());
        // A group whose rows all end before the first event has zero variance.
        let err = logrank(&[0.5, 2.0, 3.0], &[false, true, true], &[7, 8, 8], None).unwrap_err();
        assert!(matches!(err, Error::Numerical { .. }));
    }
}
