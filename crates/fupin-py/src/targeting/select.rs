//! Selection (threshold, quota allocated county → village) and targeting errors.

use fupin_core::targeting::{self, TargetingErrors};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{ids_from_py, opt_vec, row_to_py, table_to_py, vec, whole_numbers};
use crate::errors::IntoPyResult;
use crate::long_call::run_short;
use crate::registry::PyRegistry;

pub(super) type Arr<'py, T> = PyReadonlyArray1<'py, T>;
type Weights<'py> = Option<Arr<'py, f64>>;
type Dict<'py> = PyResult<Bound<'py, PyDict>>;

/// Group indices (u32) from an int64 array.
pub(crate) fn group_codes(py: Python<'_>, name: &str, a: &Arr<'_, i64>) -> PyResult<Vec<u32>> {
    let reason = "must be a non-negative group index";
    whole_numbers("arguments", name, a, |_: u32| true, reason).py_err(py)
}

fn counts(py: Python<'_>, name: &str, a: &Arr<'_, i64>) -> PyResult<Vec<u64>> {
    let ok = |v: u64| i64::try_from(v).is_ok();
    whole_numbers("arguments", name, a, ok, "must be a non-negative integer").py_err(py)
}

fn u64_array<'py>(py: Python<'py>, v: &[u64]) -> Bound<'py, PyArray1<i64>> {
    PyArray1::from_vec(py, v.iter().map(|&x| x as i64).collect())
}

#[pyfunction]
pub(super) fn select_below<'py>(
    py: Python<'py>,
    scores: Arr<'_, f64>,
    threshold: f64,
) -> PyResult<Bound<'py, PyArray1<bool>>> {
    let s = vec(&scores);
    Ok(run_short(py, move || targeting::select_below(&s, threshold))?.into_pyarray(py))
}

/// Quotas apportioned from `total` in proportion to `poverty` (largest remainders, at most
/// `capacity`): `{"village": quotas}`; with `county` (each village's 0-based county code), top
/// down through the counties: `{"county": …, "village": …}`.
#[pyfunction]
#[pyo3(signature = (total, poverty, capacity=None, county=None, n_counties=None))]
pub(super) fn allocate_quota<'py>(
    py: Python<'py>,
    total: u64,
    poverty: Arr<'_, f64>,
    capacity: Option<Arr<'_, i64>>,
    county: Option<Arr<'_, i64>>,
    n_counties: Option<usize>,
) -> Dict<'py> {
    let (p, out) = (vec(&poverty), PyDict::new(py));
    let Some(county) = county else {
        let cap = capacity.map(|c| counts(py, "capacity", &c)).transpose()?;
        let q = run_short(py, || targeting::allocate_quota(total, &p, cap.as_deref()))?;
        out.set_item("village", u64_array(py, &q))?;
        return Ok(out);
    };
    let c = group_codes(py, "village_county", &county)?;
    let k = capacity
        .map(|k| counts(py, "village_capacity", &k))
        .transpose()?;
    let k = k.unwrap_or_default();
    let work = || targeting::allocate_top_down(total, &p, &c, &k, n_counties);
    let plan = run_short(py, work)?;
    out.set_item("county", u64_array(py, &plan.county))?;
    out.set_item("village", u64_array(py, &plan.village))?;
    Ok(out)
}

#[pyfunction]
#[pyo3(signature = (scores, household_village, village_quota, ids=None))]
pub(super) fn select_by_quota<'py>(
    py: Python<'py>,
    scores: Arr<'_, f64>,
    household_village: Arr<'_, i64>,
    village_quota: Arr<'_, i64>,
    ids: Option<&Bound<'_, PyAny>>,
) -> PyResult<Bound<'py, PyArray1<bool>>> {
    let s = vec(&scores);
    let v = group_codes(py, "household_village", &household_village)?;
    let q = counts(py, "village_quota", &village_quota)?;
    let ids = ids.map(ids_from_py).transpose()?;
    let select = move || targeting::select_by_quota(&s, &v, &q, ids.as_ref());
    Ok(run_short(py, select)?.into_pyarray(py))
}

#[pyfunction]
#[pyo3(signature = (scores, household_village, threshold, weights=None, n_villages=None))]
pub(super) fn estimated_poor_by_village<'py>(
    py: Python<'py>,
    scores: Arr<'_, f64>,
    household_village: Arr<'_, i64>,
    threshold: f64,
    weights: Weights<'_>,
    n_villages: Option<usize>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let (s, w) = (vec(&scores), opt_vec(weights));
    let v = group_codes(py, "household_village", &household_village)?;
    let poor =
        move || targeting::estimated_poor_by_village(&s, &v, threshold, w.as_deref(), n_villages);
    Ok(run_short(py, poor)?.into_pyarray(py))
}

/// The whole quota procedure on a registry: village poverty, county and village quotas, selection.
#[pyfunction]
pub(super) fn quota_selection<'py>(
    py: Python<'py>,
    registry: &PyRegistry,
    scores: Arr<'_, f64>,
    threshold: f64,
    total: u64,
) -> Dict<'py> {
    let (reg, s) = (&registry.inner, vec(&scores));
    let work = || targeting::quota_selection(reg, &s, threshold, total);
    let q = run_short(py, work)?;
    let out = PyDict::new(py);
    out.set_item("village_poverty", q.village_poverty.into_pyarray(py))?;
    out.set_item("county_quota", u64_array(py, &q.plan.county))?;
    out.set_item("village_quota", u64_array(py, &q.plan.village))?;
    out.set_item("selected", q.selected.into_pyarray(py))?;
    Ok(out)
}

/// Targeting errors of `selected` against `poor`: one dict of the measures; with `group` (0-based
/// codes), a dict of columns with one row per group; with `thresholds`, `selected` holds scores
/// and there is one row per threshold `t`, selecting `score < t`.
#[pyfunction]
#[pyo3(signature = (selected, poor, weights=None, thresholds=None, group=None, n_groups=None))]
pub(super) fn targeting_errors<'py>(
    py: Python<'py>,
    selected: &Bound<'_, PyAny>,
    poor: Arr<'_, bool>,
    weights: Weights<'_>,
    thresholds: Option<Arr<'_, f64>>,
    group: Option<Arr<'_, i64>>,
    n_groups: Option<usize>,
) -> Dict<'py> {
    let (p, w) = (vec(&poor), opt_vec(weights));
    let rows = if let Some(t) = thresholds {
        let (s, t) = (vec(&selected.extract::<Arr<'_, f64>>()?), vec(&t));
        run_short(py, move || targeting::error_curve(&s, &p, &t, w.as_deref()))?
    } else {
        let s = vec(&selected.extract::<Arr<'_, bool>>()?);
        let Some(g) = group else {
            let e = run_short(py, move || targeting::errors(&s, &p, w.as_deref()))?;
            return row_to_py(py, e.to_table());
        };
        let g = group_codes(py, "group", &g)?;
        let by_group = targeting::errors_by_group;
        run_short(py, move || by_group(&s, &p, &g, n_groups, w.as_deref()))?
    };
    table_to_py(py, TargetingErrors::table(&rows))
}
