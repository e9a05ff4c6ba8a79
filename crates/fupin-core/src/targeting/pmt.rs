//! Proxy-means test (PMT): weighted least squares of log welfare on observable proxies.
//!
//! A PMT predicts a household's welfare (usually log income or consumption per person) from
//! characteristics that are easy to observe and hard to hide — the "five looks" (五看: housing,
//! production means, labour capacity, education, health) and whatever else the caller names — and
//! selects households whose predicted welfare is low (Grosh & Baker 1995, "Proxy means tests for
//! targeting social programs", World Bank LSMS WP 118).
//!
//! Estimation is weighted least squares with survey weights `w`:
//! `β = (XᵀWX)⁻¹XᵀWy`, solved by Householder QR of `√W X` (see [`super::linalg`]). Reported:
//!
//! * **R²** (weighted): `1 − Σwe² / Σw(y − ȳ_w)²` with `ȳ_w` the weighted mean, when the model has
//!   an intercept; without one the uncentred `1 − Σwe² / Σwy²` (as statsmodels' WLS does).
//! * **adjusted R²**: `1 − (1 − R²)(n − c)/(n − k)` with `c` = 1 with an intercept, 0 without.
//! * **residual variance**: `σ² = (Σwe² / Σw) · n/(n − k)`, the weighted mean squared residual with
//!   a degrees-of-freedom correction; it does not depend on the scale of the weights.
//! * **classical standard errors**: square roots of the diagonal of `(Σwe²/(n − k)) (XᵀWX)⁻¹`.
//! * **robust (HC1) standard errors**: of the sandwich
//!   `n/(n − k) · (XᵀWX)⁻¹ Xᵀ W diag(e²) W X (XᵀWX)⁻¹` (White 1980 with the MacKinnon & White 1985
//!   HC1 small-sample factor; the same as Stata's `regress … [pweight=w], vce(robust)`).
//!
//! Both kinds of standard error are invariant to rescaling the weights. The fit does not depend on
//! the order of the rows, to the bit: its sums run over the rows in a canonical order.

use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::linalg::wls;
use super::validate::{non_empty, same_len, show, weights as check_weights};
use crate::error::{Error, Result};

/// Name of the intercept coefficient.
pub const INTERCEPT: &str = "intercept";

/// A fitted proxy-means test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProxyMeansTest {
    proxies: Vec<String>,
    intercept: bool,
    names: Vec<String>,
    coefficients: Vec<f64>,
    se_robust: Vec<f64>,
    se_classical: Vec<f64>,
    cov_robust: Array2<f64>,
    r_squared: f64,
    adj_r_squared: f64,
    residual_variance: f64,
    n_obs: usize,
    /// How the design matrix is built from a table (empty for a test fitted on a bare matrix, or
    /// saved before tests kept their design).
    #[serde(default)]
    design: super::PmtDesign,
}

/// Validate a design and target; return the design with the intercept column prepended (if any),
/// the coefficient names and the weights.
pub(crate) fn prepare<S: AsRef<str>>(
    table: &str,
    x: ArrayView2<f64>,
    names: &[S],
    y: &[f64],
    weights: Option<&[f64]>,
    intercept: bool,
) -> Result<(Array2<f64>, Vec<String>, Vec<f64>)> {
    let (n, p) = x.dim();
    non_empty(table, n)?;
    same_len(table, "names", p, names.len())?;
    same_len(table, "target", n, y.len())?;
    let w = check_weights(table, weights, n)?;
    let mut coef_names: Vec<String> = Vec::with_capacity(p + 1);
    if intercept {
        coef_names.push(INTERCEPT.into());
    }
    for s in names {
        let s = s.as_ref();
        if coef_names.iter().any(|c| c == s) {
            return Err(Error::invalid_parameter(
                "names",
                format!("{s:?}"),
                "appears twice among the coefficient names (or clashes with `intercept`)",
            ));
        }
        coef_names.push(s.to_string());
    }
    check_design(table, x, &coef_names[usize::from(intercept)..])?;
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(Error::invalid_value(
            table,
            "target",
            i + 1,
            show(y[i]),
            "is not a finite number",
        ));
    }
    let k = coef_names.len();
    if k == 0 {
        return Err(Error::invalid_parameter(
            "x",
            "0 columns",
            "a fit needs at least one proxy or the intercept",
        ));
    }
    if n <= k {
        return Err(Error::invalid_parameter(
            "x",
            format!("{n} rows"),
            format!("a fit of {k} coefficients needs more than {k} observations"),
        ));
    }
    let mut design = Array2::<f64>::ones((n, k));
    design
        .slice_mut(ndarray::s![.., usize::from(intercept)..])
        .assign(&x);
    Ok((design, coef_names, w))
}

/// The rows in a canonical order — by target, weight, then the design row — so that every sum of
/// the fit adds the same numbers in the same order whatever the order of the input rows: the fit
/// (and so every prediction and selection from it) does not depend on row order, to the bit.
fn canonical_rows(
    design: Array2<f64>,
    target: &[f64],
    w: Vec<f64>,
) -> (Array2<f64>, Vec<f64>, Vec<f64>) {
    let n = target.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        target[a]
            .total_cmp(&target[b])
            .then(w[a].total_cmp(&w[b]))
            .then_with(|| {
                let (ra, rb) = (design.row(a), design.row(b));
                ra.iter()
                    .zip(rb.iter())
                    .map(|(x, y)| x.total_cmp(y))
                    .find(|o| o.is_ne())
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
    });
    if order.iter().enumerate().all(|(k, &i)| k == i) {
        return (design, target.to_vec(), w);
    }
    let design = design.select(ndarray::Axis(0), &order);
    let target = order.iter().map(|&i| target[i]).collect();
    let w = order.iter().map(|&i| w[i]).collect();
    (design, target, w)
}

fn check_design(table: &str, x: ArrayView2<f64>, names: &[String]) -> Result<()> {
    for ((i, j), v) in x.indexed_iter() {
        if !v.is_finite() {
            return Err(Error::invalid_value(
                table,
                names[j].clone(),
                i + 1,
                show(*v),
                "is not a finite number",
            ));
        }
    }
    Ok(())
}

impl ProxyMeansTest {
    /// Fit `target ≈ Xβ` by weighted least squares.
    ///
    /// `x` is `n × p` (one column per proxy, named by `names`); with `intercept` a constant
    /// column named `intercept` is prepended. `target` is the welfare measure (for log income use
    /// [`super::log_target`]). `weights` are survey weights (default 1).
    ///
    /// # Errors
    /// [`Error::Empty`], [`Error::LengthMismatch`] (`names`, `target`, `weights`),
    /// [`Error::InvalidValue`] for a non-finite cell (naming the proxy and row) or weight,
    /// [`Error::InvalidParameter`] for duplicate names, too few rows (n ≤ k), a rank-deficient
    /// design (naming the first column that is a linear combination of the earlier ones) or a
    /// column at a scale so extreme that its coefficient or (co)variance leaves the floating-point
    /// range (naming it).
    ///
    /// # Examples
    /// ```
    /// use ndarray::array;
    /// use fupin_core::targeting::ProxyMeansTest;
    /// let x = array![[0.0], [1.0], [2.0], [3.0]];
    /// let y = [1.0, 3.0, 5.0, 7.0]; // y = 1 + 2x exactly
    /// let pmt = ProxyMeansTest::fit(x.view(), &["rooms"], &y, None, true).unwrap();
    /// assert!((pmt.coefficients()[1] - 2.0).abs() < 1e-12);
    /// assert!((pmt.r_squared() - 1.0).abs() < 1e-12);
    /// assert!((pmt.predict(array![[10.0]].view()).unwrap()[0] - 21.0).abs() < 1e-9);
    /// ```
    pub fn fit<S: AsRef<str>>(
        x: ArrayView2<f64>,
        names: &[S],
        target: &[f64],
        weights: Option<&[f64]>,
        intercept: bool,
    ) -> Result<Self> {
        let table = "proxy_means_test";
        let (design, coef_names, w) = prepare(table, x, names, target, weights, intercept)?;
        let (design, target, w) = canonical_rows(design, target, w);
        let target = &target[..];
        let y = Array1::from(target.to_vec());
        let sol = wls(design.view(), y.view(), &w, &coef_names)?;
        let (n, k) = design.dim();
        let fitted = design.dot(&sol.beta);
        let e: Vec<f64> = (0..n).map(|i| target[i] - fitted[i]).collect();
        let sw: f64 = w.iter().sum();
        let ssr: f64 = (0..n).map(|i| w[i] * e[i] * e[i]).sum();
        let tss: f64 = if intercept {
            let mean = (0..n).map(|i| w[i] * target[i]).sum::<f64>() / sw;
            (0..n).map(|i| w[i] * (target[i] - mean).powi(2)).sum()
        } else {
            (0..n).map(|i| w[i] * target[i] * target[i]).sum()
        };
        let r_squared = if tss > 0.0 { 1.0 - ssr / tss } else { f64::NAN };
        let c = if intercept { 1.0 } else { 0.0 };
        let (nf, kf) = (n as f64, k as f64);
        let adj_r_squared = 1.0 - (1.0 - r_squared) * (nf - c) / (nf - kf);
        let residual_variance = ssr / sw * nf / (nf - kf);
        // The sandwich in the equilibrated design X̃ = X·diag(s) (entries that neither under- nor
        // overflow), scaled back at the end: cov_ij = coṽ_ij·s_i·s_j.
        let cs = &sol.col_scale;
        // Meat: Σ (wᵢeᵢ)² x̃ᵢx̃ᵢᵀ.
        let mut meat = Array2::<f64>::zeros((k, k));
        for i in 0..n {
            let s = (w[i] * e[i]).powi(2);
            let row = design.row(i);
            for a in 0..k {
                let ra = s * (row[a] * cs[a]);
                for b in 0..=a {
                    meat[[a, b]] += ra * (row[b] * cs[b]);
                }
            }
        }
        for a in 0..k {
            for b in 0..a {
                meat[[b, a]] = meat[[a, b]];
            }
        }
        let bread = &sol.xtwx_inv_scaled;
        let mut cov_robust = bread.dot(&meat).dot(bread) * (nf / (nf - kf));
        let scale = ssr / (nf - kf);
        let se_robust: Vec<f64> = (0..k)
            .map(|j| cov_robust[[j, j]].max(0.0).sqrt() * cs[j])
            .collect();
        let se_classical: Vec<f64> = (0..k)
            .map(|j| (scale * bread[[j, j]]).max(0.0).sqrt() * cs[j])
            .collect();
        for ((a, b), c) in cov_robust.indexed_iter_mut() {
            *c = *c * cs[a] * cs[b];
        }
        let finite = |j: usize| {
            se_robust[j].is_finite()
                && se_classical[j].is_finite()
                && cov_robust.row(j).iter().all(|c| c.is_finite())
        };
        if let Some(j) = (0..k).find(|&j| !finite(j)) {
            return Err(super::linalg::out_of_range(&coef_names, j));
        }
        Ok(ProxyMeansTest {
            proxies: coef_names[usize::from(intercept)..].to_vec(),
            intercept,
            names: coef_names,
            coefficients: sol.beta.to_vec(),
            se_robust,
            se_classical,
            cov_robust,
            r_squared,
            adj_r_squared,
            residual_variance,
            n_obs: n,
            design: super::PmtDesign::default(),
        })
    }

    /// The design kept by the fit (empty for a test fitted on a bare matrix).
    pub fn design(&self) -> &super::PmtDesign {
        &self.design
    }

    /// The same test with `design` (for a test fitted on a matrix, or saved before tests kept
    /// their design).
    pub fn with_design(mut self, design: super::PmtDesign) -> Self {
        self.design = design;
        self
    }

    /// Predicted welfare for the rows of `x` (the proxy columns in the order of the fit, without
    /// the intercept).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] for the wrong number of columns; [`Error::InvalidValue`] for a
    /// non-finite cell.
    pub fn predict(&self, x: ArrayView2<f64>) -> Result<Vec<f64>> {
        let table = "predict";
        same_len(table, "x columns", self.proxies.len(), x.ncols())?;
        check_design(table, x, &self.proxies)?;
        let off = usize::from(self.intercept);
        let b0 = if self.intercept {
            self.coefficients[0]
        } else {
            0.0
        };
        Ok(x.rows()
            .into_iter()
            .map(|row| {
                b0 + row
                    .iter()
                    .zip(&self.coefficients[off..])
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
            })
            .collect())
    }

    /// Names of the coefficients (`intercept` first when fitted with one, then the proxies).
    pub fn names(&self) -> &[String] {
        &self.names
    }
    /// Names of the proxies (the columns `predict` expects).
    pub fn proxies(&self) -> &[String] {
        &self.proxies
    }
    /// Whether an intercept was fitted.
    pub fn intercept(&self) -> bool {
        self.intercept
    }
    /// Coefficients, in the order of [`names`](Self::names).
    pub fn coefficients(&self) -> &[f64] {
        &self.coefficients
    }
    /// HC1 heteroskedasticity-robust standard errors.
    pub fn robust_se(&self) -> &[f64] {
        &self.se_robust
    }
    /// Classical (homoskedastic) standard errors.
    pub fn classical_se(&self) -> &[f64] {
        &self.se_classical
    }
    /// HC1 covariance matrix of the coefficients (k × k).
    pub fn robust_covariance(&self) -> &Array2<f64> {
        &self.cov_robust
    }
    /// Weighted R².
    pub fn r_squared(&self) -> f64 {
        self.r_squared
    }
    /// Adjusted R².
    pub fn adj_r_squared(&self) -> f64 {
        self.adj_r_squared
    }
    /// Residual variance `σ²`.
    pub fn residual_variance(&self) -> f64 {
        self.residual_variance
    }
    /// Number of observations.
    pub fn n_obs(&self) -> usize {
        self.n_obs
    }
    /// Residual degrees of freedom `n − k` (k coefficients, the intercept included).
    pub fn df_resid(&self) -> usize {
        self.n_obs - self.names.len()
    }
    /// t statistics `β / se_HC1` (`NaN` where the standard error is 0).
    pub fn t_values(&self) -> Vec<f64> {
        self.coefficients
            .iter()
            .zip(&self.se_robust)
            .map(|(b, s)| if *s > 0.0 { b / s } else { f64::NAN })
            .collect()
    }
    /// Two-sided p-values of the robust t statistics against Student's t with `n − k` degrees of
    /// freedom (as Stata's `regress …, vce(robust)` reports them); `NaN` where t is `NaN`.
    pub fn p_values(&self) -> Vec<f64> {
        let df = self.df_resid() as f64;
        let p = |t| crate::stats::t_two_sided_p_value(t, df);
        self.t_values().into_iter().map(p).collect()
    }
}

#[cfg(test)]
#[path = "pmt_tests.rs"]
mod tests;
