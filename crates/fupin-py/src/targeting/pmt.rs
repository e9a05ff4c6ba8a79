//! The proxy-means test: a frozen pyclass holding the fitted core struct (picklable through its
//! JSON form), k-fold cross-validation, dummy coding and the log target.

use std::sync::Arc;

use fupin_core::targeting::{self, Dummies, PmtDesign, Proxy, ProxyMeansTest};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::{fields_to_py, from_json, reduce_json, row_to_py, table_from_py, to_json};
use crate::errors::{IntoPyResult, validation_at};
use crate::long_call::run_short;

type Weights<'py> = Option<PyReadonlyArray1<'py, f64>>;

/// A proxy as Python gives it: (name, levels or None, reference or None).
type ProxySpec = (String, Option<Vec<String>>, Option<String>);

fn design_from(proxies: Vec<ProxySpec>) -> PmtDesign {
    let proxies = proxies.into_iter().map(|(name, levels, reference)| Proxy {
        name,
        levels,
        reference,
    });
    PmtDesign {
        proxies: proxies.collect(),
    }
}

/// A fitted proxy-means test (see `fupin.targeting.ProxyMeansTest` for the documented face).
#[pyclass(module = "fupin._native", name = "ProxyMeansTest", frozen)]
#[derive(Debug)]
pub struct PyProxyMeansTest {
    inner: Arc<ProxyMeansTest>,
}

#[pymethods]
impl PyProxyMeansTest {
    /// Weighted least squares of `target` on the columns of `x` (named by `names`).
    #[staticmethod]
    #[pyo3(signature = (x, names, target, weights=None, intercept=true))]
    fn fit(
        py: Python<'_>,
        x: PyReadonlyArray2<'_, f64>,
        names: Vec<String>,
        target: PyReadonlyArray1<'_, f64>,
        weights: Weights<'_>,
        intercept: bool,
    ) -> PyResult<Self> {
        let x = x.as_array().to_owned();
        let y = target.as_array().to_vec();
        let w = weights.map(|w| w.as_array().to_vec());
        let fit = run_short(py, move || {
            ProxyMeansTest::fit(x.view(), &names, &y, w.as_deref(), intercept)
        })?;
        Ok(PyProxyMeansTest {
            inner: Arc::new(fit),
        })
    }

    /// Fit on `proxies` ((name, levels or None, reference or None) each; levels `[]` mark a
    /// categorical proxy) read from the dict `columns`; the test keeps the design.
    #[staticmethod]
    #[pyo3(signature = (columns, proxies, target, weights=None, intercept=true))]
    fn fit_table(
        py: Python<'_>,
        columns: &Bound<'_, PyDict>,
        proxies: Vec<ProxySpec>,
        target: PyReadonlyArray1<'_, f64>,
        weights: Weights<'_>,
        intercept: bool,
    ) -> PyResult<Self> {
        let data = table_from_py(py, "data", columns)?;
        let design = design_from(proxies);
        let (y, w) = (
            target.as_array().to_vec(),
            weights.map(|w| w.as_array().to_vec()),
        );
        let fit = run_short(py, move || {
            ProxyMeansTest::fit_table(&data, &design, &y, w.as_deref(), intercept)
        })?;
        Ok(PyProxyMeansTest {
            inner: Arc::new(fit),
        })
    }

    /// The same test with the design `proxies` (for a test saved before the core kept it).
    fn with_design(&self, proxies: Vec<ProxySpec>) -> Self {
        let inner = (*self.inner).clone().with_design(design_from(proxies));
        PyProxyMeansTest {
            inner: Arc::new(inner),
        }
    }

    /// The kept design as (name, levels or None, reference or None) per proxy.
    #[getter]
    fn design(&self) -> Vec<ProxySpec> {
        let proxies = self.inner.design().proxies.iter();
        proxies
            .map(|p| (p.name.clone(), p.levels.clone(), p.reference.clone()))
            .collect()
    }

    /// The design matrix of the dict `columns` and its column names, through the kept design.
    fn design_matrix<'py>(
        &self,
        py: Python<'py>,
        columns: &Bound<'_, PyDict>,
    ) -> PyResult<(Bound<'py, PyArray2<f64>>, Vec<String>)> {
        let data = table_from_py(py, "data", columns)?;
        let (x, names) = run_short(py, || self.inner.design().matrix(&data))?;
        Ok((x.into_pyarray(py), names))
    }

    /// Predicted target for the rows of the dict `columns`, through the kept design.
    fn predict_table<'py>(
        &self,
        py: Python<'py>,
        columns: &Bound<'_, PyDict>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let data = table_from_py(py, "data", columns)?;
        Ok(run_short(py, || self.inner.predict_table(&data))?.into_pyarray(py))
    }

    /// Predicted target for the rows of `x` (proxy columns in the order of the fit).
    fn predict<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let x = x.as_array().to_owned();
        let model = self.inner.clone();
        Ok(run_short(py, move || model.predict(x.view()))?.into_pyarray(py))
    }

    /// The fitted model as JSON text.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        to_json(&*self.inner).py_err(py)
    }

    /// A fitted model from its JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        let inner: ProxyMeansTest = from_json("ProxyMeansTest", text).py_err(py)?;
        Ok(PyProxyMeansTest {
            inner: Arc::new(inner),
        })
    }

    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.names().to_vec()
    }
    #[getter]
    fn proxies(&self) -> Vec<String> {
        self.inner.proxies().to_vec()
    }
    #[getter]
    fn intercept(&self) -> bool {
        self.inner.intercept()
    }
    #[getter]
    fn coefficients<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.coefficients().to_vec().into_pyarray(py)
    }
    #[getter]
    fn robust_se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.robust_se().to_vec().into_pyarray(py)
    }
    #[getter]
    fn classical_se<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.classical_se().to_vec().into_pyarray(py)
    }
    #[getter]
    fn robust_covariance<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray2<f64>> {
        self.inner.robust_covariance().clone().into_pyarray(py)
    }
    #[getter]
    fn t_values<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.t_values().into_pyarray(py)
    }
    #[getter]
    fn p_values<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.p_values().into_pyarray(py)
    }
    #[getter]
    fn r_squared(&self) -> f64 {
        self.inner.r_squared()
    }
    #[getter]
    fn adj_r_squared(&self) -> f64 {
        self.inner.adj_r_squared()
    }
    #[getter]
    fn residual_variance(&self) -> f64 {
        self.inner.residual_variance()
    }
    #[getter]
    fn n_obs(&self) -> usize {
        self.inner.n_obs()
    }
    #[getter]
    fn df_resid(&self) -> usize {
        self.inner.df_resid()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyProxyMeansTest>()
            .is_ok_and(|o| *o.get().inner == *self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "ProxyMeansTest(coefficients={}, n_obs={}, r_squared={:.4})",
            self.inner.names().len(),
            self.inner.n_obs(),
            self.inner.r_squared()
        )
    }

    /// Pickle through the JSON form.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_json(slf, slf.get().to_json(slf.py())?)
    }
}

/// k-fold cross-validation of a proxy-means test; a dict of the fold assignment, out-of-fold
/// predictions, fit statistics and the targeting errors at `threshold`.
#[pyfunction]
#[pyo3(signature = (x, names, target, weights=None, intercept=true, folds=5, seed=0, threshold=0.0))]
#[allow(clippy::too_many_arguments)]
fn pmt_cross_validate<'py>(
    py: Python<'py>,
    x: PyReadonlyArray2<'_, f64>,
    names: Vec<String>,
    target: PyReadonlyArray1<'_, f64>,
    weights: Weights<'_>,
    intercept: bool,
    folds: usize,
    seed: u64,
    threshold: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let x = x.as_array().to_owned();
    let y = target.as_array().to_vec();
    let w = weights.map(|w| w.as_array().to_vec());
    let cv = run_short(py, move || {
        targeting::cross_validate(
            x.view(),
            &names,
            &y,
            w.as_deref(),
            intercept,
            folds,
            seed,
            threshold,
        )
    })?;
    let out = PyDict::new(py);
    out.set_item("folds", cv.folds)?;
    let fold: Vec<i64> = cv.fold.iter().map(|&f| f as i64).collect();
    out.set_item("fold", fold.into_pyarray(py))?;
    out.set_item("predictions", cv.predictions.into_pyarray(py))?;
    out.set_item("r_squared", cv.r_squared)?;
    out.set_item("rmse", cv.rmse)?;
    out.set_item("fold_r_squared", cv.fold_r_squared.into_pyarray(py))?;
    out.set_item("fold_rmse", cv.fold_rmse.into_pyarray(py))?;
    out.set_item("threshold", cv.threshold)?;
    out.set_item("errors", row_to_py(py, cv.errors.to_table())?)?;
    Ok(out)
}

/// Dummy columns of a categorical proxy: new levels from the values, or the fixed `levels` and
/// `reference` of an earlier fit.
#[pyfunction]
#[pyo3(signature = (name, values, reference=None, levels=None))]
fn dummies<'py>(
    py: Python<'py>,
    name: String,
    values: Vec<String>,
    reference: Option<String>,
    levels: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyDict>> {
    let d = match levels {
        None => run_short(py, move || {
            Dummies::new(&name, &values, reference.as_deref())
        })?,
        Some(levels) => {
            let Some(reference) = reference else {
                return Err(validation_at(
                    py,
                    format!("dummies `{name}`: fixed levels need their reference level"),
                    Some(&name),
                    None,
                    None,
                ));
            };
            run_short(py, move || {
                Dummies::with_levels(&name, levels, &reference, &values)
            })?
        }
    };
    let out = fields_to_py(py, &d, &["matrix"])?;
    out.set_item("matrix", d.matrix.into_pyarray(py))?;
    Ok(out)
}

/// Natural log of a strictly positive target; errors name `column` and the row.
#[pyfunction]
fn log_target<'py>(
    py: Python<'py>,
    column: String,
    values: PyReadonlyArray1<'_, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let v = values.as_array().to_vec();
    Ok(run_short(py, move || targeting::log_target(&column, &v))?.into_pyarray(py))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyProxyMeansTest>()?;
    m.add_function(wrap_pyfunction!(pmt_cross_validate, m)?)?;
    m.add_function(wrap_pyfunction!(dummies, m)?)?;
    m.add_function(wrap_pyfunction!(log_target, m)?)?;
    Ok(())
}
