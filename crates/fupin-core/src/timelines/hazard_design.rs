//! The design a fitted [`HazardModel`] keeps: which columns of a table are its covariates, and how
//! the time dummies are built from the period column, so that the model predicts from a [`Table`]
//! of new person-periods (or households) without the caller rebuilding the design matrix.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::hazard::HazardModel;
use super::person_period::{TimeDummies, design_matrix};
use crate::registry::Table;
use crate::{Error, Result};

/// How a hazard model's design matrix is built from a table: the covariate columns, in coefficient
/// order, then the time dummies `t1 … t{K-1}, t{K}+` of the period column when `max_period` is K.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HazardDesign {
    /// Covariate columns, in the order of the first coefficients.
    pub covariates: Vec<String>,
    /// K, the first pooled period of the time dummies; `None` for a model without them.
    pub max_period: Option<u32>,
    /// Name of the period column (1-based years at risk), when the fit read one.
    pub period: Option<String>,
}

impl HazardDesign {
    /// True for a design that says nothing (a model fitted on a bare matrix, or read from a file
    /// written before models kept their design).
    pub fn is_empty(&self) -> bool {
        self.covariates.is_empty() && self.max_period.is_none() && self.period.is_none()
    }

    /// The covariate matrix of `data`'s `n` rows (n × covariates; `n` counts the rows of a
    /// model without covariates, whose table may have no columns).
    pub fn covariates(&self, data: &Table, n: usize) -> Result<Array2<f64>> {
        if !self.covariates.is_empty() && data.nrows() != n {
            return Err(Error::LengthMismatch {
                table: data.name.clone(),
                column: "period".into(),
                expected: data.nrows(),
                found: n,
            });
        }
        let mut x = Array2::zeros((n, self.covariates.len()));
        for (j, name) in self.covariates.iter().enumerate() {
            for (i, v) in data.numbers(name)?.into_iter().enumerate() {
                x[[i, j]] = v;
            }
        }
        Ok(x)
    }

    /// 1-based periods from `data`'s period column.
    pub fn periods(&self, data: &Table) -> Result<Vec<u32>> {
        let Some(name) = &self.period else {
            return Err(Error::invalid_parameter(
                "period",
                "none",
                "the model was fitted with periods given as an array: pass them",
            ));
        };
        let whole = |(i, x): (usize, f64)| {
            if x >= 1.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX) {
                Ok(x as u32)
            } else {
                Err(Error::invalid_value(
                    &data.name,
                    name,
                    i + 1,
                    x,
                    "must be a whole number ≥ 1",
                ))
            }
        };
        data.numbers(name)?
            .into_iter()
            .enumerate()
            .map(whole)
            .collect()
    }

    /// The design matrix of `data`'s rows: the covariates, then the time dummies of `periods` (or,
    /// when `None`, of the period column).
    pub fn matrix(&self, data: &Table, periods: Option<&[u32]>) -> Result<Array2<f64>> {
        let n = periods.map_or(data.nrows(), <[u32]>::len);
        let x = self.covariates(data, n)?;
        let Some(k) = self.max_period else {
            return Ok(x);
        };
        let owned;
        let periods = match periods {
            Some(p) => p,
            None => {
                owned = self.periods(data)?;
                &owned
            }
        };
        design_matrix(x.view(), periods, TimeDummies::new(k)?)
    }
}

impl HazardModel {
    /// Predicted yearly hazards for the rows of `data`, a table holding the covariate columns
    /// (and the period column, unless `periods` gives one 1-based period per row), through the
    /// design kept by the fit (see [`HazardDesign`]).
    ///
    /// # Errors
    /// [`Error::MissingColumn`] for a covariate or period column `data` lacks;
    /// [`Error::InvalidValue`] for a value that is not a finite number or a period below 1;
    /// [`Error::InvalidParameter`] when the model kept no design (fitted on a bare matrix).
    pub fn predict_table(&self, data: &Table, periods: Option<&[u32]>) -> Result<Vec<f64>> {
        if self.design.is_empty() && !self.coef.is_empty() {
            return Err(Error::invalid_parameter(
                "data",
                data.name.clone(),
                "the model was fitted on a design matrix: predict from one (predict_hazard)",
            ));
        }
        let x = self.design.matrix(data, periods)?;
        self.predict_hazard(x.view())
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array2;

    use super::*;
    use crate::timelines::Link;

    /// A logit model h = 1/(1 + e^{−η}), η = 0.5·x − 1·t1 − 2·t2+, with its design.
    fn model(design: HazardDesign) -> HazardModel {
        HazardModel {
            link: Link::Logit,
            names: vec!["x".into(), "t1".into(), "t2+".into()],
            coef: vec![0.5, -1.0, -2.0],
            cov: Array2::eye(3),
            std_err: vec![1.0; 3],
            robust_cov: None,
            robust_std_err: None,
            n_clusters: None,
            log_likelihood: -1.0,
            n_obs: 10,
            n_events: 3.0,
            iterations: 4,
            design,
        }
    }

    fn design() -> HazardDesign {
        HazardDesign {
            covariates: vec!["x".into()],
            max_period: Some(2),
            period: Some("period".into()),
        }
    }

    fn data() -> Table {
        Table::from_columns(
            "new",
            [
                ("period", ColumnData::Int(vec![1, 2, 5])),
                ("other", ColumnData::Float(vec![9.0, 9.0, 9.0])),
                ("x", ColumnData::Float(vec![1.0, 2.0, 0.0])),
            ],
        )
    }

    fn logistic(eta: f64) -> f64 {
        1.0 / (1.0 + (-eta).exp())
    }

    use crate::registry::ColumnData;

    #[test]
    fn predicts_from_a_table_through_the_kept_design() {
        let h = model(design()).predict_table(&data(), None).unwrap();
        // η by hand: 0.5·1 − 1 (period 1); 0.5·2 − 2 (period 2); 0 − 2 (period 5 pools into t2+).
        let want = [logistic(-0.5), logistic(-1.0), logistic(-2.0)];
        for (got, want) in h.iter().zip(want) {
            assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        }
        let given = model(design())
            .predict_table(&data(), Some(&[2, 1, 1]))
            .unwrap();
        let want = [logistic(-1.5), logistic(0.0), logistic(-1.0)];
        for (got, want) in given.iter().zip(want) {
            assert!((got - want).abs() < 1e-15, "{got} vs {want}");
        }
    }

    #[test]
    fn bad_tables_are_named() {
        let m = model(design());
        let no_x = Table::from_columns("new", [("period", ColumnData::Int(vec![1]))]);
        let e = m.predict_table(&no_x, None).unwrap_err().to_string();
        assert!(e.contains("`x`") && e.contains("missing"), "{e}");
        let zero = Table::from_columns(
            "new",
            [
                ("x", ColumnData::Float(vec![1.0, 1.0])),
                ("period", ColumnData::Int(vec![1, 0])),
            ],
        );
        let e = m.predict_table(&zero, None).unwrap_err().to_string();
        assert!(e.contains("`period`, row 2: value 0"), "{e}");
        let bare = model(HazardDesign::default());
        assert!(bare.predict_table(&data(), None).is_err());
    }

    #[test]
    fn models_saved_without_a_design_still_load() {
        let mut json: serde_json::Value = serde_json::to_value(model(design())).unwrap();
        json.as_object_mut().unwrap().remove("design");
        let old: HazardModel = serde_json::from_value(json).unwrap();
        assert!(old.design.is_empty());
        let back: HazardModel =
            serde_json::from_str(&serde_json::to_string(&model(design())).unwrap()).unwrap();
        assert_eq!(back.design, design());
    }
}
