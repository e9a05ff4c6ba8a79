//! The proxy-means test: a frozen pyclass holding the fitted core struct (picklable through its
//! JSON form), k-fold cross-validation, dummy coding and the log target.

use std::sync::Arc;

use fupin_core::targeting::{self, Dummies, PmtDesign, Proxy, ProxyMeansTest};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::{IntoPyDict, PyDict, PyTuple};

use super::select::Arr;
use crate::convert::{fields_to_py, from_json, opt_vec, reduce_json, row_to_py, set_arrays};
use crate::convert::{table_from_py, to_json, vec};
use crate::errors::{IntoPyResult, validation_at};
use crate::long_call::run_short;

type Weights<'py> = Option<Arr<'py, f64>>;

/// A proxy as Python gives it: (name, levels or None, reference or None).
type ProxySpec = (String, Option<Vec<String>>, Option<String>);

fn design_from(proxies: Vec<ProxySpec>) -> PmtDesign {
    let proxy = |(name, levels, reference)| Proxy {
        name,
        levels,
        reference,
    };
    let proxies = proxies.into_iter().map(proxy).collect();
    PmtDesign { proxies }
}

/// A fitted proxy-means test (see `fupin.targeting.ProxyMeansTest` for the documented face).
#[pyclass(module = "fupin._native", name = "ProxyMeansTest", frozen)]
#[derive(Debug)]
pub struct PyProxyMeansTest {
    inner: Arc<ProxyMeansTest>,
}

impl From<ProxyMeansTest> for PyProxyMeansTest {
    fn from(m: ProxyMeansTest) -> Self {
        PyProxyMeansTest { inner: Arc::new(m) }
    }
}

#[pymethods]
impl PyProxyMeansTest {
    /// Fit on `proxies` ((name, levels or None, reference or None) each; levels `[]` mark a
    /// categorical proxy) read from the dict `columns`; the test keeps the design.
    #[staticmethod]
    #[pyo3(signature = (columns, proxies, target, weights=None, intercept=true))]
    fn fit_table(
        py: Python<'_>,
        columns: &Bound<'_, PyDict>,
        proxies: Vec<ProxySpec>,
        target: Arr<'_, f64>,
        weights: Weights<'_>,
        intercept: bool,
    ) -> PyResult<Self> {
        let data = table_from_py(py, "data", columns)?;
        let (design, y, w) = (design_from(proxies), vec(&target), opt_vec(weights));
        let fit = ProxyMeansTest::fit_table;
        Ok(run_short(py, move || fit(&data, &design, &y, w.as_deref(), intercept))?.into())
    }

    /// The same test with the design `proxies` (for a test saved before the core kept it).
    fn with_design(&self, proxies: Vec<ProxySpec>) -> Self {
        let design = design_from(proxies);
        (*self.inner).clone().with_design(design).into()
    }

    /// The kept design as (name, levels or None, reference or None) per proxy.
    #[getter]
    fn design(&self) -> Vec<ProxySpec> {
        let spec = |p: &Proxy| (p.name.clone(), p.levels.clone(), p.reference.clone());
        self.inner.design().proxies.iter().map(spec).collect()
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

    /// The fitted model as JSON text.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        to_json(&*self.inner).py_err(py)
    }

    /// A fitted model from its JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        let m: ProxyMeansTest = from_json("ProxyMeansTest", text).py_err(py)?;
        Ok(m.into())
    }

    /// The fitted numbers as a dict: names, proxies, intercept, fit statistics, and the
    /// coefficients, standard errors, t and p values and HC1 covariance as NumPy arrays.
    fn fields<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let m = &*self.inner;
        let (r2, adj) = (m.r_squared(), m.adj_r_squared());
        let out = [("r_squared", r2), ("adj_r_squared", adj)].into_py_dict(py)?;
        out.set_item("residual_variance", m.residual_variance())?;
        for (k, v) in [("n_obs", m.n_obs()), ("df_resid", m.df_resid())] {
            out.set_item(k, v)?;
        }
        let cov = m.robust_covariance().clone().into_pyarray(py);
        out.set_item("robust_covariance", cov)?;
        out.set_item("names", m.names())?;
        out.set_item("proxies", m.proxies())?;
        out.set_item("intercept", m.intercept())?;
        let (b, se, se0) = (m.coefficients(), m.robust_se(), m.classical_se());
        let (b, se, se0) = (b.to_vec(), se.to_vec(), se0.to_vec());
        set_arrays(
            &out,
            [
                ("coefficients", b),
                ("robust_se", se),
                ("classical_se", se0),
            ],
        )?;
        set_arrays(
            &out,
            [("t_values", m.t_values()), ("p_values", m.p_values())],
        )?;
        Ok(out)
    }

    /// k-fold cross-validation on the rows of the dict `columns` through the kept design; a dict
    /// of the fold assignment, out-of-fold predictions, fit statistics and the targeting errors
    /// at `threshold`.
    #[pyo3(signature = (columns, target, weights=None, folds=5, seed=0, threshold=0.0))]
    #[allow(clippy::too_many_arguments)]
    fn cross_validate<'py>(
        &self,
        py: Python<'py>,
        columns: &Bound<'_, PyDict>,
        target: Arr<'_, f64>,
        weights: Weights<'_>,
        folds: usize,
        seed: u64,
        threshold: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let data = table_from_py(py, "data", columns)?;
        let (m, y, w) = (&self.inner, vec(&target), opt_vec(weights));
        let cv = run_short(py, || {
            let ((x, names), w) = (m.design().matrix(&data)?, w.as_deref());
            let intercept = m.intercept();
            targeting::cross_validate(x.view(), &names, &y, w, intercept, folds, seed, threshold)
        })?;
        let (r2, rmse, t) = (cv.r_squared, cv.rmse, cv.threshold);
        let out = [("r_squared", r2), ("rmse", rmse), ("threshold", t)].into_py_dict(py)?;
        out.set_item("folds", cv.folds)?;
        let fold = cv.fold.iter().map(|&f| f as i64).collect();
        out.set_item("fold", PyArray1::<i64>::from_vec(py, fold))?;
        let (p, r2, rmse) = (cv.predictions, cv.fold_r_squared, cv.fold_rmse);
        set_arrays(&out, [("predictions", p), ("fold_r_squared", r2)])?;
        out.set_item("fold_rmse", rmse.into_pyarray(py))?;
        out.set_item("errors", row_to_py(py, cv.errors.to_table())?)?;
        Ok(out)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        let other = other.cast::<PyProxyMeansTest>();
        other.is_ok_and(|o| *o.get().inner == *self.inner)
    }

    fn __repr__(&self) -> String {
        let m = &self.inner;
        let (k, n, r2) = (m.names().len(), m.n_obs(), m.r_squared());
        format!("ProxyMeansTest(coefficients={k}, n_obs={n}, r_squared={r2:.4})")
    }

    /// Pickle through the JSON form.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_json(slf, slf.get().to_json(slf.py())?)
    }
}

/// Dummy columns of a categorical proxy: new levels from the values, or the fixed `levels` and
/// `reference` of an earlier fit.
#[pyfunction]
#[pyo3(signature = (name, values, reference=None, levels=None))]
pub(super) fn dummies<'py>(
    py: Python<'py>,
    name: String,
    values: Vec<String>,
    reference: Option<String>,
    levels: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyDict>> {
    if levels.is_some() && reference.is_none() {
        let message = format!("dummies `{name}`: fixed levels need their reference level");
        return Err(validation_at(py, message, Some(&name), None, None));
    }
    let r = reference.as_deref();
    let d = run_short(py, || match levels {
        None => Dummies::new(&name, &values, r),
        Some(levels) => Dummies::with_levels(&name, levels, r.unwrap_or_default(), &values),
    })?;
    let out = fields_to_py(py, &d, &["matrix"])?;
    out.set_item("matrix", d.matrix.into_pyarray(py))?;
    Ok(out)
}

/// Natural log of a strictly positive target; errors name `column` and the row.
#[pyfunction]
pub(super) fn log_target<'py>(
    py: Python<'py>,
    column: String,
    values: Arr<'_, f64>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let v = vec(&values);
    Ok(run_short(py, move || targeting::log_target(&column, &v))?.into_pyarray(py))
}
