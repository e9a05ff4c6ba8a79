//! Bindings of `fupin_core::timelines`: survival tables, the log-rank test, panel spells and
//! person-periods as dicts of columns, and `HazardModel` (a fitted discrete-time hazard model that
//! holds the core struct and pickles through JSON). Argument normalisation (DataFrames, text ids,
//! 0/1 flags) and the documentation live in `python/fupin/timelines.py`.

use fupin_core::timelines::{
    self, HazardDesign, HazardOptions, KaplanMeier, Link, Panel, SpellKind, TimeDummies,
};
use ndarray::Array2;
use numpy::{IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::{
    enum_from_name, fields_to_py, from_json, opt_vec, reduce_json, table_from_py, table_to_py,
    to_json, vec as to_vec, whole_numbers, years,
};
use crate::errors::IntoPyResult;
use crate::long_call::run_short;

type F64s<'py> = PyReadonlyArray1<'py, f64>;
type Bools<'py> = PyReadonlyArray1<'py, bool>;
type I64s<'py> = PyReadonlyArray1<'py, i64>;
type Arr1<'py> = Bound<'py, numpy::PyArray1<f64>>;

/// A fit: its scalar fields and its table (`table`) as columns.
fn km_to_py<'py>(py: Python<'py>, km: KaplanMeier) -> PyResult<Bound<'py, PyDict>> {
    let out = fields_to_py(py, &km, &["table"])?;
    out.set_item("table", table_to_py(py, km.table.to_table())?)?;
    Ok(out)
}

/// An estimator of durations, event flags, optional weights and a confidence level.
type Estimator<T> = fn(&[f64], &[bool], Option<&[f64]>, f64) -> fupin_core::Result<T>;

/// Run `estimator` on copies of the arrays with the GIL released.
fn estimate<T: Send>(
    py: Python<'_>,
    (durations, observed, weights): (F64s<'_>, Bools<'_>, Option<F64s<'_>>),
    conf_level: f64,
    estimator: Estimator<T>,
) -> PyResult<T> {
    let (d, o, w) = (to_vec(&durations), to_vec(&observed), opt_vec(weights));
    run_short(py, move || estimator(&d, &o, w.as_deref(), conf_level))
}

/// Kaplan–Meier: `{"table": {column: array}, "median", "median_ci_lower", "median_ci_upper",
/// "conf_level", "n_rows"}` (medians None where undefined).
#[pyfunction]
#[pyo3(signature = (durations, observed, weights=None, conf_level=0.95))]
fn kaplan_meier<'py>(
    py: Python<'py>,
    durations: F64s<'_>,
    observed: Bools<'_>,
    weights: Option<F64s<'_>>,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let arrays = (durations, observed, weights);
    km_to_py(
        py,
        estimate(py, arrays, conf_level, timelines::kaplan_meier_with)?,
    )
}

/// Kaplan–Meier by integer group: `{"groups": array, "fits": [fit dict, …]}` (groups ascending).
#[pyfunction]
#[pyo3(signature = (durations, observed, groups, weights=None, conf_level=0.95))]
fn kaplan_meier_by_group<'py>(
    py: Python<'py>,
    durations: F64s<'_>,
    observed: Bools<'_>,
    groups: I64s<'_>,
    weights: Option<F64s<'_>>,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let (d, o, g, w) = (
        to_vec(&durations),
        to_vec(&observed),
        to_vec(&groups),
        opt_vec(weights),
    );
    let by = run_short(py, move || {
        timelines::kaplan_meier_by_group(&d, &o, &g, w.as_deref(), conf_level)
    })?;
    let out = PyDict::new(py);
    out.set_item("groups", by.groups.into_pyarray(py))?;
    let fits = by.fits.into_iter().map(|f| km_to_py(py, f));
    out.set_item("fits", fits.collect::<PyResult<Vec<_>>>()?)?;
    Ok(out)
}

/// Nelson–Aalen: `{"table": {column: array}, "conf_level", "n_rows"}`.
#[pyfunction]
#[pyo3(signature = (durations, observed, weights=None, conf_level=0.95))]
fn nelson_aalen<'py>(
    py: Python<'py>,
    durations: F64s<'_>,
    observed: Bools<'_>,
    weights: Option<F64s<'_>>,
    conf_level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let arrays = (durations, observed, weights);
    let na = estimate(py, arrays, conf_level, timelines::nelson_aalen_with)?;
    let out = fields_to_py(py, &na, &["table"])?;
    out.set_item("table", table_to_py(py, na.table.to_table())?)?;
    Ok(out)
}

/// Log-rank test: `{"groups", "n", "observed", "expected", "variance" (k × k), "chi2", "df",
/// "p_value"}`.
#[pyfunction]
fn logrank<'py>(
    py: Python<'py>,
    durations: F64s<'_>,
    observed: Bools<'_>,
    groups: I64s<'_>,
) -> PyResult<Bound<'py, PyDict>> {
    let (d, o, g) = (to_vec(&durations), to_vec(&observed), to_vec(&groups));
    let lr = run_short(py, move || timelines::logrank(&d, &o, &g, None))?;
    let out = table_to_py(py, lr.to_table())?;
    out.update(
        fields_to_py(
            py,
            &lr,
            &["groups", "n", "observed", "expected", "variance"],
        )?
        .as_mapping(),
    )?;
    out.set_item("variance", lr.variance.into_pyarray(py))?;
    Ok(out)
}

/// Poor flags `income < line` (`line`: one value, or one per row).
#[pyfunction]
fn poor_flags<'py>(
    py: Python<'py>,
    income: F64s<'_>,
    line: F64s<'_>,
) -> PyResult<Bound<'py, numpy::PyArray1<bool>>> {
    let (y, z) = (to_vec(&income), to_vec(&line));
    let flags = run_short(py, move || timelines::poor_flags(&y, &z))?;
    Ok(flags.into_pyarray(py))
}

/// Spells of `kind` ("exit" or "return"): `{"household", "start_year", "duration", "observed",
/// "start_row"}` (households ascending; `start_row` 0-based input rows).
#[pyfunction]
fn spells<'py>(
    py: Python<'py>,
    household: I64s<'_>,
    year: I64s<'_>,
    poor: Bools<'_>,
    kind: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let kind: SpellKind = enum_from_name("kind", kind).py_err(py)?;
    let (h, p, y) = (to_vec(&household), to_vec(&poor), years(&year).py_err(py)?);
    let sp = run_short(py, move || Ok(Panel::new(&h, &y, &p)?.spells(kind)))?;
    table_to_py(py, sp.to_table())
}

/// Person-period rows: `{"household", "year", "period", "event", "source_row", "covariates"
/// (n × p)}`.
#[pyfunction]
#[pyo3(signature = (household, year, poor, kind, covariates=None, names=Vec::new()))]
fn person_periods<'py>(
    py: Python<'py>,
    household: I64s<'_>,
    year: I64s<'_>,
    poor: Bools<'_>,
    kind: &str,
    covariates: Option<PyReadonlyArray2<'_, f64>>,
    names: Vec<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let kind: SpellKind = enum_from_name("kind", kind).py_err(py)?;
    let (h, p, y) = (to_vec(&household), to_vec(&poor), years(&year).py_err(py)?);
    let cov = covariates.map(|c| c.as_array().to_owned());
    let pp = run_short(py, move || {
        Panel::new(&h, &y, &p)?.person_periods(kind, cov.as_ref().map(|c| c.view()), &names)
    })?;
    let out = table_to_py(py, pp.to_table())?;
    out.set_item("covariates", pp.covariates.into_pyarray(py))?;
    Ok(out)
}

fn dummies(py: Python<'_>, max_period: i64) -> PyResult<TimeDummies> {
    let k = u32::try_from(max_period).unwrap_or(0);
    TimeDummies::new(k)
        .map_err(|_| fupin_core::Error::invalid_parameter("max_period", max_period, "must be ≥ 1"))
        .py_err(py)
}

/// The design matrix `[covariates | time dummies t1 … t{K-1}, t{K}+]` and its dummy names.
#[pyfunction]
fn design_matrix<'py>(
    py: Python<'py>,
    covariates: PyReadonlyArray2<'_, f64>,
    periods: I64s<'_>,
    max_period: i64,
) -> PyResult<(Bound<'py, numpy::PyArray2<f64>>, Vec<String>)> {
    let d = dummies(py, max_period)?;
    let t = whole_numbers(
        "design",
        "period",
        &periods,
        |t: u32| t >= 1,
        "must be a whole number ≥ 1",
    );
    let t = t.py_err(py)?;
    let c = covariates.as_array().to_owned();
    let x = run_short(py, move || timelines::design_matrix(c.view(), &t, d))?;
    Ok((x.into_pyarray(py), d.names()))
}

/// A fitted discrete-time hazard model (see `fupin.timelines.HazardModel`).
#[pyclass(module = "fupin._native", name = "HazardModel", frozen)]
#[derive(Debug)]
pub struct PyHazardModel {
    inner: timelines::HazardModel,
}

fn matrix<'py>(py: Python<'py>, a: &Array2<f64>) -> Bound<'py, numpy::PyArray2<f64>> {
    a.clone().into_pyarray(py)
}

#[pymethods]
impl PyHazardModel {
    /// Fit by IRLS on the design matrix `x` with column `names`; the model keeps the design
    /// (`covariates`, time dummies pooled from `max_period`, `period` column) for `predict_table`.
    #[staticmethod]
    #[pyo3(signature = (x, names, event, weights=None, clusters=None, link="logit", max_iter=50, tol=1e-8, covariates=Vec::new(), max_period=None, period=None))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        x: PyReadonlyArray2<'_, f64>,
        names: Vec<String>,
        event: Bools<'_>,
        weights: Option<F64s<'_>>,
        clusters: Option<I64s<'_>>,
        link: &str,
        max_iter: usize,
        tol: f64,
        covariates: Vec<String>,
        max_period: Option<u32>,
        period: Option<String>,
    ) -> PyResult<Self> {
        let options = HazardOptions {
            link: enum_from_name::<Link>("link", link).py_err(py)?,
            max_iter,
            tol,
        };
        let x = x.as_array().to_owned();
        let (e, w, g) = (to_vec(&event), opt_vec(weights), opt_vec(clusters));
        let inner = run_short(py, move || {
            timelines::fit_hazard(x.view(), &names, &e, w.as_deref(), g.as_deref(), &options)
        })?;
        Ok(PyHazardModel { inner }.with_design(covariates, max_period, period))
    }

    /// The same model with the design `covariates`, `max_period`, `period` (for models saved
    /// before the core kept the design).
    #[pyo3(signature = (covariates, max_period=None, period=None))]
    fn with_design(
        &self,
        covariates: Vec<String>,
        max_period: Option<u32>,
        period: Option<String>,
    ) -> Self {
        let mut inner = self.inner.clone();
        inner.design = HazardDesign {
            covariates,
            max_period,
            period,
        };
        PyHazardModel { inner }
    }

    /// Predicted yearly hazards for a dict of columns holding the covariates (and the period
    /// column unless `periods` gives one 1-based period per row), through the kept design.
    #[pyo3(signature = (columns, periods=None))]
    fn predict_table<'py>(
        &self,
        py: Python<'py>,
        columns: &Bound<'_, PyDict>,
        periods: Option<I64s<'_>>,
    ) -> PyResult<Arr1<'py>> {
        let data = table_from_py(py, "data", columns)?;
        let ok = |t: u32| t >= 1;
        let t =
            periods.map(|p| whole_numbers("data", "period", &p, ok, "must be a whole number ≥ 1"));
        let t = t.transpose().py_err(py)?;
        let h = run_short(py, || self.inner.predict_table(&data, t.as_deref()))?;
        Ok(h.into_pyarray(py))
    }
    #[getter]
    fn covariates(&self) -> Vec<String> {
        self.inner.design.covariates.clone()
    }
    #[getter]
    fn max_period(&self) -> Option<u32> {
        self.inner.design.max_period
    }
    #[getter]
    fn period(&self) -> Option<String> {
        self.inner.design.period.clone()
    }

    /// Rebuild a model from `to_json()`.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        let inner = from_json("HazardModel", text).py_err(py)?;
        Ok(PyHazardModel { inner })
    }

    /// The model as JSON (all fields of the core struct).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        to_json(&self.inner).py_err(py)
    }
    #[getter]
    fn link(&self) -> String {
        fupin_core::registry::serde_name(&self.inner.link)
    }
    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.names.clone()
    }
    #[getter]
    fn coef<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArray1<f64>> {
        self.inner.coef.clone().into_pyarray(py)
    }
    #[getter]
    fn std_err<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArray1<f64>> {
        self.inner.std_err.clone().into_pyarray(py)
    }
    #[getter]
    fn cov<'py>(&self, py: Python<'py>) -> Bound<'py, numpy::PyArray2<f64>> {
        matrix(py, &self.inner.cov)
    }
    #[getter]
    fn robust_std_err<'py>(&self, py: Python<'py>) -> Option<Bound<'py, numpy::PyArray1<f64>>> {
        self.inner
            .robust_std_err
            .clone()
            .map(|v| v.into_pyarray(py))
    }
    #[getter]
    fn robust_cov<'py>(&self, py: Python<'py>) -> Option<Bound<'py, numpy::PyArray2<f64>>> {
        self.inner.robust_cov.as_ref().map(|m| matrix(py, m))
    }
    #[getter]
    fn n_clusters(&self) -> Option<usize> {
        self.inner.n_clusters
    }
    #[getter]
    fn log_likelihood(&self) -> f64 {
        self.inner.log_likelihood
    }
    #[getter]
    fn n_obs(&self) -> usize {
        self.inner.n_obs
    }
    #[getter]
    fn n_events(&self) -> f64 {
        self.inner.n_events
    }
    #[getter]
    fn iterations(&self) -> usize {
        self.inner.iterations
    }

    /// Predicted yearly hazards for design rows `x`.
    fn predict_hazard<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
        let x = x.as_array().to_owned();
        let h = run_short(py, || self.inner.predict_hazard(x.view()))?;
        Ok(h.into_pyarray(py))
    }

    /// S(1), …, S(n) for one household's design rows for periods 1, …, n.
    fn survival<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'_, f64>,
    ) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
        let x = x.as_array().to_owned();
        let s = run_short(py, || self.inner.survival(x.view()))?;
        Ok(s.into_pyarray(py))
    }

    /// Survival curves (households × horizon) for covariate rows held constant over time.
    fn survival_curves<'py>(
        &self,
        py: Python<'py>,
        covariates: PyReadonlyArray2<'_, f64>,
        horizon: i64,
        max_period: i64,
    ) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
        let d = dummies(py, max_period)?;
        let h = u32::try_from(horizon).unwrap_or(0);
        if h == 0 {
            return Err(fupin_core::Error::invalid_parameter(
                "horizon",
                horizon,
                "must be ≥ 1",
            ))
            .py_err(py);
        }
        let c = covariates.as_array().to_owned();
        let s = run_short(py, || self.inner.survival_curves(c.view(), h, d))?;
        Ok(s.into_pyarray(py))
    }

    /// Wald intervals `(lower, upper)` at `level`, robust when `robust`.
    #[pyo3(signature = (level=0.95, robust=false))]
    fn conf_int<'py>(
        &self,
        py: Python<'py>,
        level: f64,
        robust: bool,
    ) -> PyResult<(Arr1<'py>, Arr1<'py>)> {
        let (lo, hi) = self.inner.conf_int(level, robust).py_err(py)?;
        Ok((lo.into_pyarray(py), hi.into_pyarray(py)))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyHazardModel>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }

    fn __repr__(&self) -> String {
        format!(
            "HazardModel(link={:?}, coefficients={}, n_obs={}, log_likelihood={:.6})",
            fupin_core::registry::serde_name(&self.inner.link),
            self.inner.coef.len(),
            self.inner.n_obs,
            self.inner.log_likelihood
        )
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_json(slf, slf.get().to_json(slf.py())?)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(kaplan_meier, m)?)?;
    m.add_function(wrap_pyfunction!(kaplan_meier_by_group, m)?)?;
    m.add_function(wrap_pyfunction!(nelson_aalen, m)?)?;
    m.add_function(wrap_pyfunction!(logrank, m)?)?;
    m.add_function(wrap_pyfunction!(poor_flags, m)?)?;
    m.add_function(wrap_pyfunction!(spells, m)?)?;
    m.add_function(wrap_pyfunction!(person_periods, m)?)?;
    m.add_function(wrap_pyfunction!(design_matrix, m)?)?;
    m.add_class::<PyHazardModel>()?;
    Ok(())
}
