//! Selection (threshold, quota allocated county → village) and targeting errors.

use fupin_core::targeting::{self, TargetingErrors};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{ids_from_py, row_to_py, table_to_py, whole_numbers};
use crate::errors::IntoPyResult;
use crate::long_call::run_short;
use crate::registry::PyRegistry;

type Weights<'py> = Option<PyReadonlyArray1<'py, f64>>;

/// Group indices (u32) from an int64 array.
pub(crate) fn group_codes(
    py: Python<'_>,
    name: &str,
    a: &PyReadonlyArray1<'_, i64>,
) -> PyResult<Vec<u32>> {
    whole_numbers(
        "arguments",
        name,
        a,
        |_: u32| true,
        "must be a non-negative group index",
    )
    .py_err(py)
}

fn counts(py: Python<'_>, name: &str, a: &PyReadonlyArray1<'_, i64>) -> PyResult<Vec<u64>> {
    let ok = |v: u64| i64::try_from(v).is_ok();
    whole_numbers("arguments", name, a, ok, "must be a non-negative integer").py_err(py)
}

fn u64_array<'py>(py: Python<'py>, v: &[u64]) -> Bound<'py, PyArray1<i64>> {
    v.iter()
        .map(|&x| x as i64)
        .collect::<Vec<i64>>()
        .into_pyarray(py)
}

#[pyfunction]
fn select_below<'py>(
    py: Python<'py>,
    scores: PyReadonlyArray1<'_, f64>,
    threshold: f64,
) -> PyResult<Bound<'py, PyArray1<bool>>> {
    let s = scores.as_array().to_vec();
    Ok(run_short(py, move || targeting::select_below(&s, threshold))?.into_pyarray(py))
}

#[pyfunction]
#[pyo3(signature = (total, poverty, capacity=None))]
fn allocate_quota<'py>(
    py: Python<'py>,
    total: u64,
    poverty: PyReadonlyArray1<'_, f64>,
    capacity: Option<PyReadonlyArray1<'_, i64>>,
) -> PyResult<Bound<'py, PyArray1<i64>>> {
    let p = poverty.as_array().to_vec();
    let cap = capacity.map(|c| counts(py, "capacity", &c)).transpose()?;
    let q = run_short(py, move || {
        targeting::allocate_quota(total, &p, cap.as_deref())
    })?;
    Ok(u64_array(py, &q))
}

#[pyfunction]
#[pyo3(signature = (total, village_poverty, village_county, village_capacity, n_counties=None))]
fn allocate_top_down<'py>(
    py: Python<'py>,
    total: u64,
    village_poverty: PyReadonlyArray1<'_, f64>,
    village_county: PyReadonlyArray1<'_, i64>,
    village_capacity: PyReadonlyArray1<'_, i64>,
    n_counties: Option<usize>,
) -> PyResult<Bound<'py, PyDict>> {
    let p = village_poverty.as_array().to_vec();
    let c = group_codes(py, "village_county", &village_county)?;
    let k = counts(py, "village_capacity", &village_capacity)?;
    let plan = run_short(py, move || {
        targeting::allocate_top_down(total, &p, &c, &k, n_counties)
    })?;
    let out = PyDict::new(py);
    out.set_item("county", u64_array(py, &plan.county))?;
    out.set_item("village", u64_array(py, &plan.village))?;
    Ok(out)
}

#[pyfunction]
#[pyo3(signature = (scores, household_village, village_quota, ids=None))]
fn select_by_quota<'py>(
    py: Python<'py>,
    scores: PyReadonlyArray1<'_, f64>,
    household_village: PyReadonlyArray1<'_, i64>,
    village_quota: PyReadonlyArray1<'_, i64>,
    ids: Option<&Bound<'_, PyAny>>,
) -> PyResult<Bound<'py, PyArray1<bool>>> {
    let s = scores.as_array().to_vec();
    let v = group_codes(py, "household_village", &household_village)?;
    let q = counts(py, "village_quota", &village_quota)?;
    let ids = ids.map(ids_from_py).transpose()?;
    Ok(run_short(py, move || {
        targeting::select_by_quota(&s, &v, &q, ids.as_ref())
    })?
    .into_pyarray(py))
}

#[pyfunction]
#[pyo3(signature = (scores, household_village, threshold, weights=None, n_villages=None))]
fn estimated_poor_by_village<'py>(
    py: Python<'py>,
    scores: PyReadonlyArray1<'_, f64>,
    household_village: PyReadonlyArray1<'_, i64>,
    threshold: f64,
    weights: Weights<'_>,
    n_villages: Option<usize>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let s = scores.as_array().to_vec();
    let v = group_codes(py, "household_village", &household_village)?;
    let w = weights.map(|w| w.as_array().to_vec());
    Ok(run_short(py, move || {
        targeting::estimated_poor_by_village(&s, &v, threshold, w.as_deref(), n_villages)
    })?
    .into_pyarray(py))
}

/// The whole quota procedure on a registry: village poverty, county and village quotas, selection.
#[pyfunction]
fn quota_selection<'py>(
    py: Python<'py>,
    registry: &PyRegistry,
    scores: PyReadonlyArray1<'_, f64>,
    threshold: f64,
    total: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let reg = registry.inner.clone();
    let s = scores.as_array().to_vec();
    let q = run_short(py, move || {
        targeting::quota_selection(&reg, &s, threshold, total)
    })?;
    let out = PyDict::new(py);
    out.set_item("village_poverty", q.village_poverty.into_pyarray(py))?;
    out.set_item("county_quota", u64_array(py, &q.plan.county))?;
    out.set_item("village_quota", u64_array(py, &q.plan.village))?;
    out.set_item("selected", q.selected.into_pyarray(py))?;
    Ok(out)
}

#[pyfunction]
#[pyo3(signature = (selected, poor, weights=None))]
fn targeting_errors<'py>(
    py: Python<'py>,
    selected: PyReadonlyArray1<'_, bool>,
    poor: PyReadonlyArray1<'_, bool>,
    weights: Weights<'_>,
) -> PyResult<Bound<'py, PyDict>> {
    let s = selected.as_array().to_vec();
    let p = poor.as_array().to_vec();
    let w = weights.map(|w| w.as_array().to_vec());
    let e = run_short(py, move || targeting::errors(&s, &p, w.as_deref()))?;
    row_to_py(py, e.to_table())
}

#[pyfunction]
#[pyo3(signature = (scores, poor, thresholds, weights=None))]
fn error_curve<'py>(
    py: Python<'py>,
    scores: PyReadonlyArray1<'_, f64>,
    poor: PyReadonlyArray1<'_, bool>,
    thresholds: PyReadonlyArray1<'_, f64>,
    weights: Weights<'_>,
) -> PyResult<Bound<'py, PyDict>> {
    let s = scores.as_array().to_vec();
    let p = poor.as_array().to_vec();
    let t = thresholds.as_array().to_vec();
    let w = weights.map(|w| w.as_array().to_vec());
    let rows = run_short(py, move || targeting::error_curve(&s, &p, &t, w.as_deref()))?;
    table_to_py(py, TargetingErrors::table(&rows))
}

#[pyfunction]
#[pyo3(signature = (selected, poor, group, n_groups=None, weights=None))]
fn errors_by_group<'py>(
    py: Python<'py>,
    selected: PyReadonlyArray1<'_, bool>,
    poor: PyReadonlyArray1<'_, bool>,
    group: PyReadonlyArray1<'_, i64>,
    n_groups: Option<usize>,
    weights: Weights<'_>,
) -> PyResult<Bound<'py, PyDict>> {
    let s = selected.as_array().to_vec();
    let p = poor.as_array().to_vec();
    let g = group_codes(py, "group", &group)?;
    let w = weights.map(|w| w.as_array().to_vec());
    let rows = run_short(py, move || {
        targeting::errors_by_group(&s, &p, &g, n_groups, w.as_deref())
    })?;
    table_to_py(py, TargetingErrors::table(&rows))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(select_below, m)?)?;
    m.add_function(wrap_pyfunction!(allocate_quota, m)?)?;
    m.add_function(wrap_pyfunction!(allocate_top_down, m)?)?;
    m.add_function(wrap_pyfunction!(select_by_quota, m)?)?;
    m.add_function(wrap_pyfunction!(estimated_poor_by_village, m)?)?;
    m.add_function(wrap_pyfunction!(quota_selection, m)?)?;
    m.add_function(wrap_pyfunction!(targeting_errors, m)?)?;
    m.add_function(wrap_pyfunction!(error_curve, m)?)?;
    m.add_function(wrap_pyfunction!(errors_by_group, m)?)?;
    Ok(())
}
