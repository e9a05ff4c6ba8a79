//! Bindings of `fupin_core::timelines`: survival tables, the log-rank test, panel spells and
//! person-periods as dicts of columns, and `HazardModel` (a fitted discrete-time hazard model that
//! holds the core struct and pickles through JSON). Argument normalisation (DataFrames, text ids,
//! 0/1 flags) and the documentation live in `python/fupin/timelines.py`.

use fupin_core::registry::Table;
use fupin_core::timelines::{
    self, HazardDesign, HazardOptions, Link, Panel, SpellKind, TimeDummies,
};
use numpy::{IntoPyArray, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use serde::Serialize;

use crate::convert::{
    Bools, Dict, F64s, I64s, enum_from_name, fields_to_py, from_json, opt_vec, reduce_json,
    table_from_py, table_to_py, to_json, vec as to_vec, whole_numbers, years,
};
use crate::errors::{IntoPyResult, validation};
use crate::long_call::run_short;

type Arr1<'py> = Bound<'py, numpy::PyArray1<f64>>;
type Matrix<'py> = PyReadonlyArray2<'py, f64>;
type Arr2<'py> = Bound<'py, numpy::PyArray2<f64>>;

/// A fit's scalar fields and its `table` as columns.
fn fit_to_py<'py>(py: Python<'py>, fit: &impl Serialize, table: Table) -> Dict<'py> {
    let out = fields_to_py(py, fit, &["table"])?;
    out.set_item("table", table_to_py(py, table)?)?;
    Ok(out)
}

/// `estimator` of durations, event flags, optional weights and integer `groups`:
/// * "kaplan_meier": `{"table": {column: array}, "median", "median_ci_lower", "median_ci_upper",
///   "conf_level", "n_rows"}` (medians None where undefined); with `groups`, `{"groups": array,
///   "fits": [fit dict, …]}` (groups ascending);
/// * "nelson_aalen": `{"table": {column: array}, "conf_level", "n_rows"}`;
/// * "logrank" (needs `groups`, ignores weights): `{"groups", "n", "observed", "expected",
///   "variance" (k × k), "chi2", "df", "p_value"}`.
#[pyfunction]
#[pyo3(signature = (estimator, durations, observed, weights=None, groups=None, conf_level=0.95))]
fn survival<'py>(
    py: Python<'py>,
    estimator: &str,
    durations: F64s<'_>,
    observed: Bools<'_>,
    weights: Option<F64s<'_>>,
    groups: Option<I64s<'_>>,
    conf_level: f64,
) -> Dict<'py> {
    let (d, o) = (to_vec(&durations), to_vec(&observed));
    let (w, g) = (opt_vec(weights), opt_vec(groups));
    let w = w.as_deref();
    match (estimator, g) {
        ("kaplan_meier", None) => {
            let km = run_short(py, || timelines::kaplan_meier_with(&d, &o, w, conf_level))?;
            fit_to_py(py, &km, km.table.to_table())
        }
        ("kaplan_meier", Some(g)) => {
            let by = run_short(py, || {
                timelines::kaplan_meier_by_group(&d, &o, &g, w, conf_level)
            })?;
            let fits = by.fits.iter().map(|f| fit_to_py(py, f, f.table.to_table()));
            let out = PyDict::new(py);
            out.set_item("fits", fits.collect::<PyResult<Vec<_>>>()?)?;
            out.set_item("groups", by.groups.into_pyarray(py))?;
            Ok(out)
        }
        ("nelson_aalen", _) => {
            let na = run_short(py, || timelines::nelson_aalen_with(&d, &o, w, conf_level))?;
            fit_to_py(py, &na, na.table.to_table())
        }
        ("logrank", Some(g)) => {
            let lr = run_short(py, || timelines::logrank(&d, &o, &g, None))?;
            let out = table_to_py(py, lr.to_table())?;
            let skip = ["groups", "n", "observed", "expected", "variance"];
            out.update(fields_to_py(py, &lr, &skip)?.as_mapping())?;
            out.set_item("variance", lr.variance.into_pyarray(py))?;
            Ok(out)
        }
        _ => Err(validation(
            py,
            format!("{estimator:?}: no such estimator, or no groups"),
        )),
    }
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
/// "start_row"}` (households ascending; `start_row` 0-based input rows). With `names` (the
/// covariate names, possibly none), the person-period rows instead: `{"household", "year",
/// "period", "event", "source_row", "covariates" (n × p)}`.
#[pyfunction]
#[pyo3(signature = (household, year, poor, kind, covariates=None, names=None))]
fn spells<'py>(
    py: Python<'py>,
    household: I64s<'_>,
    year: I64s<'_>,
    poor: Bools<'_>,
    kind: &str,
    covariates: Option<Matrix<'_>>,
    names: Option<Vec<String>>,
) -> Dict<'py> {
    let kind: SpellKind = enum_from_name("kind", kind).py_err(py)?;
    let (h, p, y) = (to_vec(&household), to_vec(&poor), years(&year).py_err(py)?);
    let Some(names) = names else {
        let sp = run_short(py, move || Ok(Panel::new(&h, &y, &p)?.spells(kind)))?;
        return table_to_py(py, sp.to_table());
    };
    let cov = covariates.map(|c| c.as_array().to_owned());
    let pp = run_short(py, move || {
        Panel::new(&h, &y, &p)?.person_periods(kind, cov.as_ref().map(|c| c.view()), &names)
    })?;
    let out = table_to_py(py, pp.to_table())?;
    out.set_item("covariates", pp.covariates.into_pyarray(py))?;
    Ok(out)
}

/// `value` as a whole number ≥ 1, or an error naming the parameter.
fn at_least_one(py: Python<'_>, name: &str, value: i64) -> PyResult<u32> {
    let ok = u32::try_from(value).ok().filter(|&v| v >= 1);
    ok.ok_or_else(|| fupin_core::Error::invalid_parameter(name, value, "must be ≥ 1"))
        .py_err(py)
}

/// 1-based periods; a value below 1 is an error naming `table`, the row and the value.
fn periods(table: &str, values: &I64s<'_>) -> fupin_core::Result<Vec<u32>> {
    let ok = |t: u32| t >= 1;
    whole_numbers(table, "period", values, ok, "must be a whole number ≥ 1")
}

/// The design matrix `[covariates | time dummies t1 … t{K-1}, t{K}+]` and its dummy names.
#[pyfunction]
fn design_matrix<'py>(
    py: Python<'py>,
    covariates: Matrix<'_>,
    periods: I64s<'_>,
    max_period: i64,
) -> PyResult<(Arr2<'py>, Vec<String>)> {
    let d = TimeDummies::new(at_least_one(py, "max_period", max_period)?).py_err(py)?;
    let t = self::periods("design", &periods).py_err(py)?;
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

#[pymethods]
impl PyHazardModel {
    /// Fit by IRLS on the design matrix `x` with column `names` (an empty design: give it with
    /// `with_design` for `predict_table`).
    #[staticmethod]
    #[pyo3(signature = (x, names, event, weights=None, clusters=None, link="logit", max_iter=50, tol=1e-8))]
    #[allow(clippy::too_many_arguments)]
    fn fit(
        py: Python<'_>,
        x: Matrix<'_>,
        names: Vec<String>,
        event: Bools<'_>,
        weights: Option<F64s<'_>>,
        clusters: Option<I64s<'_>>,
        link: &str,
        max_iter: usize,
        tol: f64,
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
        Ok(PyHazardModel { inner })
    }

    /// The same model with the design `covariates`, `max_period`, `period` (after `fit`, and for
    /// models saved before the core kept the design).
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
        let t = periods.map(|p| self::periods("data", &p)).transpose();
        let h = run_short(py, || self.inner.predict_table(&data, t?.as_deref()))?;
        Ok(h.into_pyarray(py))
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
    /// The fields of the core struct as a dict (`coef`, `std_err`, `cov`, `robust_std_err` and
    /// `robust_cov` as arrays; `link` by name; `design` a dict of `covariates`, `max_period`,
    /// `period`).
    fn fields<'py>(&self, py: Python<'py>) -> Dict<'py> {
        let m = &self.inner;
        let arrays = ["coef", "std_err", "cov", "robust_std_err", "robust_cov"];
        let out = fields_to_py(py, m, &arrays)?;
        out.set_item(arrays[0], m.coef.clone().into_pyarray(py))?;
        out.set_item(arrays[1], m.std_err.clone().into_pyarray(py))?;
        out.set_item(arrays[2], m.cov.clone().into_pyarray(py))?;
        let robust = m.robust_std_err.clone().map(|v| v.into_pyarray(py));
        out.set_item(arrays[3], robust)?;
        out.set_item(arrays[4], m.robust_cov.clone().map(|c| c.into_pyarray(py)))?;
        Ok(out)
    }

    /// Predicted yearly hazards for design rows `x`.
    fn predict_hazard<'py>(&self, py: Python<'py>, x: Matrix<'_>) -> PyResult<Arr1<'py>> {
        let x = x.as_array().to_owned();
        let h = run_short(py, || self.inner.predict_hazard(x.view()))?;
        Ok(h.into_pyarray(py))
    }

    /// Survival curves (households × horizon) for covariate rows held constant over time.
    fn survival_curves<'py>(
        &self,
        py: Python<'py>,
        covariates: Matrix<'_>,
        horizon: i64,
        max_period: i64,
    ) -> PyResult<Arr2<'py>> {
        let d = TimeDummies::new(at_least_one(py, "max_period", max_period)?).py_err(py)?;
        let h = at_least_one(py, "horizon", horizon)?;
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

    fn __eq__(&self, other: &Self) -> bool {
        self.inner == other.inner
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        reduce_json(slf, slf.get().to_json(slf.py())?)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(survival, m)?)?;
    m.add_function(wrap_pyfunction!(poor_flags, m)?)?;
    m.add_function(wrap_pyfunction!(spells, m)?)?;
    m.add_function(wrap_pyfunction!(design_matrix, m)?)?;
    m.add_class::<PyHazardModel>()
}
