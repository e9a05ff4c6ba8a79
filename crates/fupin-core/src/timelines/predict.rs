//! Predictions from a fitted [`HazardModel`]: yearly hazards, survival curves
//! S(t) = Π_{s ≤ t} (1 − h_s) for new households, and confidence intervals of the coefficients.

use ndarray::{Array2, ArrayView2};

use super::hazard::HazardModel;
use super::person_period::{TimeDummies, design_matrix};
use crate::{Error, Result};

impl HazardModel {
    fn check_rows(&self, x: ArrayView2<'_, f64>, what: &str) -> Result<()> {
        if x.ncols() != self.coef.len() {
            return Err(Error::invalid_parameter(
                what,
                format!("{} columns", x.ncols()),
                format!(
                    "the model has {} coefficients ({:?})",
                    self.coef.len(),
                    self.names
                ),
            ));
        }
        for ((i, j), &v) in x.indexed_iter() {
            if !v.is_finite() {
                return Err(Error::invalid_value(
                    what,
                    &self.names[j],
                    i + 1,
                    v,
                    "must be finite",
                ));
            }
        }
        Ok(())
    }

    fn eta(&self, x: ArrayView2<'_, f64>, i: usize) -> f64 {
        x.row(i).iter().zip(&self.coef).map(|(a, b)| a * b).sum()
    }

    /// Predicted yearly hazards for design rows `x` (same columns as the fit).
    pub fn predict_hazard(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        self.check_rows(x, "x")?;
        Ok((0..x.nrows())
            .map(|i| self.link.hazard(self.eta(x, i)))
            .collect())
    }

    /// Survival S(t) = Π_{s ≤ t} (1 − h_s) where the rows of `x` are one household's design rows
    /// for consecutive periods 1, 2, …; the sum is taken on the log scale for accuracy.
    pub fn survival(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        self.check_rows(x, "x")?;
        let mut log_s = 0.0;
        Ok((0..x.nrows())
            .map(|i| {
                log_s += self.link.log_h_and_log_1mh(self.eta(x, i)).1;
                log_s.exp()
            })
            .collect())
    }

    /// Survival curves for new households: row r of `covariates` holds household r's covariates
    /// (the non-time columns, in fit order); the model must have been fitted on
    /// [`super::PersonPeriods::design`] with the same `dummies` (checked by name). Returns an
    /// `(households × horizon)` array with S(1), …, S(horizon); covariates are held constant over
    /// time.
    ///
    /// # Examples
    ///
    /// ```
    /// use fupin_core::timelines::{fit_hazard, HazardOptions, Panel, SpellKind, TimeDummies};
    /// use ndarray::Array2;
    ///
    /// // Eight households poor in 2014; exits after 1, 1, 2, 2, 3 years, three still poor in 2017.
    /// let exit_after = [1, 1, 2, 2, 3, 9, 9, 9];
    /// let (mut hh, mut year, mut poor) = (vec![], vec![], vec![]);
    /// for (h, &e) in exit_after.iter().enumerate() {
    ///     for t in 0..4 {
    ///         hh.push(h as i64);
    ///         year.push(2014 + t);
    ///         poor.push(t < e);
    ///     }
    /// }
    /// let pp = Panel::new(&hh, &year, &poor)?.person_periods(SpellKind::Exit, None, &[])?;
    /// let dummies = TimeDummies::new(3)?;
    /// let (x, names) = pp.design(dummies)?;
    /// let m = fit_hazard(x.view(), &names, &pp.event, None, None, &HazardOptions::default())?;
    /// let s = m.survival_curves(Array2::zeros((1, 0)).view(), 3, dummies)?;
    /// // Life table: 1 − 2/8, then 1 − 2/6, then 1 − 1/4.
    /// assert!((s[[0, 2]] - 0.75 * (4.0 / 6.0) * 0.75).abs() < 1e-8);
    /// # Ok::<(), fupin_core::Error>(())
    /// ```
    pub fn survival_curves(
        &self,
        covariates: ArrayView2<'_, f64>,
        horizon: u32,
        dummies: TimeDummies,
    ) -> Result<Array2<f64>> {
        if horizon == 0 {
            return Err(Error::invalid_parameter("horizon", 0, "must be ≥ 1"));
        }
        let p = covariates.ncols();
        let dn = dummies.names();
        if p + dn.len() != self.coef.len() || self.names[p..] != dn[..] {
            return Err(Error::invalid_parameter(
                "covariates",
                format!("{p} columns with dummies {dn:?}"),
                format!("do not match the model's columns {:?}", self.names),
            ));
        }
        let m = covariates.nrows();
        let h = horizon as usize;
        let mut out = Array2::<f64>::zeros((m, h));
        let periods: Vec<u32> = (1..=horizon).collect();
        for r in 0..m {
            let rep = Array2::from_shape_fn((h, p), |(_, j)| covariates[[r, j]]);
            let x = design_matrix(rep.view(), &periods, dummies)?;
            let s = self.survival(x.view()).map_err(|e| match e {
                Error::InvalidValue { column, value, .. } => {
                    Error::invalid_value("covariates", column, r + 1, value, "must be finite")
                }
                other => other,
            })?;
            out.row_mut(r).assign(&ndarray::Array1::from(s));
        }
        Ok(out)
    }

    /// Wald confidence intervals β ± z·se at `level` (in (0, 1)), with the cluster-robust errors
    /// when `robust` is true (an error if the fit had no clusters).
    pub fn conf_int(&self, level: f64, robust: bool) -> Result<(Vec<f64>, Vec<f64>)> {
        if !(level.is_finite() && level > 0.0 && level < 1.0) {
            return Err(Error::invalid_parameter(
                "level",
                level,
                "must lie strictly between 0 and 1",
            ));
        }
        let se = if robust {
            self.robust_std_err.as_ref().ok_or_else(|| {
                Error::invalid_parameter("robust", true, "the model was fitted without clusters")
            })?
        } else {
            &self.std_err
        };
        let z = crate::stats::normal_quantile(0.5 * (1.0 + level));
        Ok((
            self.coef.iter().zip(se).map(|(b, s)| b - z * s).collect(),
            self.coef.iter().zip(se).map(|(b, s)| b + z * s).collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use ndarray::{Array2, array};

    use crate::random as rng;
    use crate::timelines::{
        HazardOptions, Link, Panel, SpellKind, TimeDummies, fit_hazard, kaplan_meier,
    };

    /// A random panel: 300 households over 2014–2019, poor flags from a persistent process.
    fn panel() -> (Vec<i64>, Vec<i32>, Vec<bool>) {
        use rand::RngExt;
        let mut s = rng::stream(5, &[]);
        let (mut h, mut y, mut p) = (Vec::new(), Vec::new(), Vec::new());
        for hh in 0..300 {
            let first = 2014 + s.random_range(0..2);
            let mut poor = s.random_bool(0.8);
            for year in first..2020 {
                h.push(hh);
                y.push(year);
                p.push(poor);
                poor = if poor {
                    s.random_bool(0.7)
                } else {
                    s.random_bool(0.2)
                };
            }
        }
        (h, y, p)
    }

    #[test]
    fn saturated_survival_curve_equals_kaplan_meier() {
        // Independent route: spells → Kaplan–Meier at integer times, against person-periods →
        // saturated hazard model → Π(1 − h). Censorings at t stay at risk at t in both.
        let (h, y, p) = panel();
        let panel = Panel::new(&h, &y, &p).unwrap();
        for kind in [SpellKind::Exit, SpellKind::Return] {
            let sp = panel.spells(kind);
            let km = kaplan_meier(&sp.duration, &sp.observed, None).unwrap();
            let pp = panel.person_periods(kind, None, &[]).unwrap();
            let dummies = TimeDummies::new(pp.max_period()).unwrap();
            let (x, names) = pp.design(dummies).unwrap();
            for link in [Link::Logit, Link::Cloglog] {
                let opts = HazardOptions {
                    link,
                    ..HazardOptions::default()
                };
                let m = fit_hazard(x.view(), &names, &pp.event, None, None, &opts).unwrap();
                let horizon = pp.max_period();
                let s = m
                    .survival_curves(Array2::zeros((1, 0)).view(), horizon, dummies)
                    .unwrap();
                for t in 1..=horizon {
                    let want = km.survival_at(f64::from(t));
                    let got = s[[0, t as usize - 1]];
                    assert!(
                        (got - want).abs() < 1e-9,
                        "{kind:?} {link:?} t={t}: {got} {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn predictions_follow_the_link_and_validate() {
        let (h, y, p) = panel();
        let panel = Panel::new(&h, &y, &p).unwrap();
        let years: Vec<f64> = y.iter().map(|&v| f64::from(v - 2014)).collect();
        let cov = Array2::from_shape_vec((years.len(), 1), years).unwrap();
        let pp = panel
            .person_periods(SpellKind::Exit, Some(cov.view()), &["trend".into()])
            .unwrap();
        let dummies = TimeDummies::new(3).unwrap();
        let (x, names) = pp.design(dummies).unwrap();
        let m = fit_hazard(
            x.view(),
            &names,
            &pp.event,
            None,
            None,
            &HazardOptions::default(),
        )
        .unwrap();
        // Hazards by hand from the coefficients, and S as a product of (1 − h).
        let rows = array![
            [1.0, 1.0, 0.0, 0.0],
            [1.0, 0.0, 1.0, 0.0],
            [1.0, 0.0, 0.0, 1.0]
        ];
        let hz = m.predict_hazard(rows.view()).unwrap();
        let mut s = 1.0;
        let surv = m.survival(rows.view()).unwrap();
        for i in 0..3 {
            let eta: f64 = (0..4).map(|j| rows[[i, j]] * m.coef[j]).sum();
            assert!((hz[i] - 1.0 / (1.0 + (-eta).exp())).abs() < 1e-14);
            s *= 1.0 - hz[i];
            assert!((surv[i] - s).abs() < 1e-14);
        }
        let curves = m
            .survival_curves(array![[1.0], [3.0]].view(), 3, dummies)
            .unwrap();
        assert_eq!(curves.row(0).to_vec(), surv);
        // Validation.
        assert!(m.predict_hazard(array![[1.0, 0.0]].view()).is_err());
        let e = m
            .predict_hazard(array![[1.0, f64::NAN, 0.0, 0.0]].view())
            .unwrap_err();
        assert_eq!((e.column(), e.row()), (Some("t1"), Some(1)));
        let e = m
            .survival_curves(array![[f64::NAN]].view(), 2, dummies)
            .unwrap_err();
        assert_eq!((e.column(), e.row()), (Some("trend"), Some(1)));
        assert!(m.survival_curves(array![[1.0]].view(), 0, dummies).is_err());
        let other = TimeDummies::new(4).unwrap();
        assert!(m.survival_curves(array![[1.0]].view(), 2, other).is_err());
        assert!(m.conf_int(0.95, true).is_err());
        assert!(m.conf_int(1.0, false).is_err());
        let (lo, hi) = m.conf_int(0.95, false).unwrap();
        for j in 0..4 {
            let half = 1.959_963_984_540_054 * m.std_err[j];
            assert!(
                (hi[j] - m.coef[j] - half).abs() < 1e-9 && (m.coef[j] - lo[j] - half).abs() < 1e-9
            );
        }
    }
}
