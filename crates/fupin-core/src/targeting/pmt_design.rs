//! The design a fitted [`ProxyMeansTest`] keeps: its proxy columns, numeric or categorical (coded
//! as dummies with the levels and reference level of the fit), so that it builds the design
//! matrix of new data itself and predicts from a [`Table`].

use ndarray::{Array2, concatenate, s};
use serde::{Deserialize, Serialize};

use super::design::Dummies;
use super::pmt::ProxyMeansTest;
use crate::error::{Error, Result};
use crate::registry::{ColumnData, Table};

/// One proxy of a proxy-means test: a numeric column, or a categorical one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Proxy {
    /// The column's name.
    pub name: String,
    /// `None` for a numeric proxy; for a categorical one its levels in byte-wise order (empty
    /// until the fit reads them from the data).
    pub levels: Option<Vec<String>>,
    /// The reference level of a categorical proxy (absorbed by the intercept): given before the
    /// fit, or the first level.
    pub reference: Option<String>,
}

/// How a proxy-means test's design matrix is built from a table: each proxy in order, a numeric
/// column as itself, a categorical one as its dummies `name=level` for every level but the
/// reference.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PmtDesign {
    /// The proxies, in order.
    pub proxies: Vec<Proxy>,
}

impl PmtDesign {
    /// The design matrix of `data` and its column names, with the levels of the fit.
    ///
    /// # Errors
    /// [`Error::MissingColumn`] for a proxy `data` lacks; [`Error::InvalidValue`] for a value that
    /// is not a finite number, a missing category or a level the fit did not see.
    pub fn matrix(&self, data: &Table) -> Result<(Array2<f64>, Vec<String>)> {
        self.build(data, false).map(|(x, names, _)| (x, names))
    }

    /// The design matrix of `data`, its column names and the design with the levels read from
    /// `data` (for fitting).
    pub fn fit_matrix(&self, data: &Table) -> Result<(Array2<f64>, Vec<String>, PmtDesign)> {
        self.build(data, true)
    }

    fn build(&self, data: &Table, fitting: bool) -> Result<(Array2<f64>, Vec<String>, PmtDesign)> {
        let n = data.nrows();
        let mut x = Array2::zeros((n, 0));
        let mut names = Vec::new();
        let mut design = self.clone();
        for proxy in &mut design.proxies {
            let Some(levels) = &proxy.levels else {
                let column = Array2::from_shape_vec((n, 1), data.numbers(&proxy.name)?)
                    .map_err(|e| Error::Internal(e.to_string()))?;
                x = concatenate![ndarray::Axis(1), x, column];
                names.push(proxy.name.clone());
                continue;
            };
            let values = labels(data, &proxy.name)?;
            let reference = proxy.reference.as_deref();
            let d = match (fitting, reference) {
                (false, Some(r)) => Dummies::with_levels(&proxy.name, levels.clone(), r, &values)?,
                _ => Dummies::new(&proxy.name, &values, reference)?,
            };
            x = concatenate![ndarray::Axis(1), x, d.matrix.slice(s![.., ..])];
            names.extend(d.names);
            proxy.levels = Some(d.levels);
            proxy.reference = Some(d.reference);
        }
        Ok((x, names, design))
    }
}

/// The text values of a categorical column, every one present.
fn labels(data: &Table, name: &str) -> Result<Vec<String>> {
    let missing = |row: usize| Error::invalid_value(&data.name, name, row + 1, "", "is missing");
    match data.require(name)? {
        ColumnData::Text(v) => v
            .iter()
            .enumerate()
            .map(|(i, s)| s.clone().ok_or_else(|| missing(i)))
            .collect(),
        other => Err(Error::invalid_value(
            &data.name,
            name,
            1,
            other.cell_text(0),
            "is a categorical proxy: give its values as text",
        )),
    }
}

impl ProxyMeansTest {
    /// Fit on the proxies of `design` read from `data` (categorical ones coded as dummies with the
    /// levels found in `data`); the model keeps the design for [`ProxyMeansTest::predict_table`].
    ///
    /// # Errors
    /// Those of [`PmtDesign::fit_matrix`] and [`ProxyMeansTest::fit`].
    pub fn fit_table(
        data: &Table,
        design: &PmtDesign,
        target: &[f64],
        weights: Option<&[f64]>,
        intercept: bool,
    ) -> Result<Self> {
        let (x, names, design) = design.fit_matrix(data)?;
        Ok(Self::fit(x.view(), &names, target, weights, intercept)?.with_design(design))
    }

    /// Predicted target for the rows of `data`, a table holding the proxy columns, through the
    /// design kept by the fit.
    ///
    /// # Errors
    /// Those of [`PmtDesign::matrix`] and [`ProxyMeansTest::predict`].
    pub fn predict_table(&self, data: &Table) -> Result<Vec<f64>> {
        let (x, _) = self.design().matrix(data)?;
        self.predict(x.view())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(v: &[&str]) -> ColumnData {
        ColumnData::Text(v.iter().map(|s| Some(s.to_string())).collect())
    }

    fn design() -> PmtDesign {
        PmtDesign {
            proxies: vec![
                Proxy {
                    name: "rooms".into(),
                    levels: None,
                    reference: None,
                },
                Proxy {
                    name: "roof".into(),
                    levels: Some(Vec::new()),
                    reference: Some("tile".into()),
                },
            ],
        }
    }

    #[test]
    fn fits_and_predicts_from_tables_through_the_kept_design() {
        // y = 1 + 0.5·rooms + 2·[roof=straw] − 1·[roof=iron], exactly (reference: tile).
        let rooms = [1.0, 2.0, 3.0, 1.0, 2.0, 4.0];
        let roof = ["tile", "straw", "iron", "straw", "tile", "iron"];
        let dummy = |r: &str, l: &str| f64::from(u8::from(r == l));
        let y: Vec<f64> = rooms
            .iter()
            .zip(roof)
            .map(|(&x, r)| 1.0 + 0.5 * x + 2.0 * dummy(r, "straw") - dummy(r, "iron"))
            .collect();
        let data = Table::from_columns(
            "data",
            [
                ("roof", text(&roof)),
                ("rooms", ColumnData::Float(rooms.to_vec())),
            ],
        );
        let m = ProxyMeansTest::fit_table(&data, &design(), &y, None, true).unwrap();
        assert_eq!(m.names(), ["intercept", "rooms", "roof=iron", "roof=straw"]);
        let kept = &m.design().proxies[1];
        assert_eq!(
            kept.levels.as_deref(),
            Some(&["iron".to_string(), "straw".into(), "tile".into()][..])
        );
        let new = Table::from_columns(
            "new",
            [
                ("rooms", ColumnData::Int(vec![10, 0])),
                ("roof", text(&["iron", "tile"])),
            ],
        );
        let p = m.predict_table(&new).unwrap();
        // By hand: 1 + 0.5·10 − 1 = 5; 1 + 0 = 1.
        assert!(
            (p[0] - 5.0).abs() < 1e-9 && (p[1] - 1.0).abs() < 1e-9,
            "{p:?}"
        );
        let unseen = Table::from_columns(
            "new",
            [
                ("rooms", ColumnData::Int(vec![1])),
                ("roof", text(&["thatch"])),
            ],
        );
        let e = m.predict_table(&unseen).unwrap_err().to_string();
        assert!(
            e.contains("thatch") && e.contains("not a known level"),
            "{e}"
        );
        let e = m.predict_table(&Table::from_columns("new", [("roof", text(&["iron"]))]));
        assert!(e.unwrap_err().to_string().contains("`rooms`"));
    }

    #[test]
    fn models_saved_without_a_design_still_load() {
        let data = Table::from_columns("d", [("rooms", ColumnData::Float(vec![1.0, 2.0, 3.0]))]);
        let only = PmtDesign {
            proxies: vec![design().proxies[0].clone()],
        };
        let m = ProxyMeansTest::fit_table(&data, &only, &[1.0, 2.5, 2.9], None, true).unwrap();
        let mut json = serde_json::to_value(&m).unwrap();
        json.as_object_mut().unwrap().remove("design");
        let old: ProxyMeansTest = serde_json::from_value(json).unwrap();
        assert!(old.design().proxies.is_empty());
        assert_eq!(old.coefficients(), m.coefficients());
    }
}
