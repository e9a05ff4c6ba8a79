//! Bindings of `fupin_core::metrics`: indices over NumPy arrays, and the poverty profile as column
//! dicts (the Python layer makes DataFrames of them).

use fupin_core::Registry;
use fupin_core::metrics::{self, GroupRow, Profile};
use fupin_core::parallel::with_threads;
use fupin_core::registry::Table;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::table_to_py;
use crate::long_call::run_long;
use crate::registry::PyRegistry;

type Weights<'py> = Option<PyReadonlyArray1<'py, f64>>;

/// Copy the arrays (so the GIL can be released) and run an index in a per-call pool.
fn index(
    py: Python<'_>,
    incomes: PyReadonlyArray1<'_, f64>,
    weights: Weights<'_>,
    f: impl FnOnce(&[f64], Option<&[f64]>) -> fupin_core::Result<f64> + Send,
) -> PyResult<f64> {
    let y = incomes.as_array().to_vec();
    let w = weights.map(|w| w.as_array().to_vec());
    run_long(py, None, move |_| {
        with_threads(None, || f(&y, w.as_deref()))?
    })
}

#[pyfunction]
#[pyo3(signature = (incomes, line, alpha=0.0, weights=None))]
fn fgt(
    py: Python<'_>,
    incomes: PyReadonlyArray1<'_, f64>,
    line: f64,
    alpha: f64,
    weights: Weights<'_>,
) -> PyResult<f64> {
    index(py, incomes, weights, move |y, w| {
        metrics::fgt(y, line, alpha, w)
    })
}

#[pyfunction]
#[pyo3(signature = (incomes, line, weights=None))]
fn watts(
    py: Python<'_>,
    incomes: PyReadonlyArray1<'_, f64>,
    line: f64,
    weights: Weights<'_>,
) -> PyResult<f64> {
    index(py, incomes, weights, move |y, w| metrics::watts(y, line, w))
}

#[pyfunction]
#[pyo3(signature = (incomes, line, weights=None))]
fn sen(
    py: Python<'_>,
    incomes: PyReadonlyArray1<'_, f64>,
    line: f64,
    weights: Weights<'_>,
) -> PyResult<f64> {
    index(py, incomes, weights, move |y, w| metrics::sen(y, line, w))
}

#[pyfunction]
#[pyo3(signature = (incomes, weights=None))]
fn gini(py: Python<'_>, incomes: PyReadonlyArray1<'_, f64>, weights: Weights<'_>) -> PyResult<f64> {
    index(py, incomes, weights, metrics::gini)
}

#[pyfunction]
#[pyo3(signature = (incomes, weights=None))]
fn theil(
    py: Python<'_>,
    incomes: PyReadonlyArray1<'_, f64>,
    weights: Weights<'_>,
) -> PyResult<f64> {
    index(py, incomes, weights, metrics::theil)
}

#[pyfunction]
#[pyo3(signature = (incomes, weights=None))]
fn mld(py: Python<'_>, incomes: PyReadonlyArray1<'_, f64>, weights: Weights<'_>) -> PyResult<f64> {
    index(py, incomes, weights, metrics::mld)
}

#[pyfunction]
#[pyo3(signature = (incomes, alpha, weights=None))]
fn ge(
    py: Python<'_>,
    incomes: PyReadonlyArray1<'_, f64>,
    alpha: f64,
    weights: Weights<'_>,
) -> PyResult<f64> {
    index(py, incomes, weights, move |y, w| metrics::ge(y, alpha, w))
}

/// Group rows as a dict of columns (see `GroupRow::table`), with `above_threshold` (true, false
/// or None) after `exit_threshold`.
fn rows_to_columns<'py>(
    py: Python<'py>,
    rows: &[GroupRow],
    registry: &Registry,
) -> PyResult<Bound<'py, PyDict>> {
    let mut table = GroupRow::table(rows, registry);
    let at = table
        .columns
        .iter()
        .position(|c| c.name == "exit_threshold");
    let shares = table
        .columns
        .split_off(at.map_or(table.columns.len(), |i| i + 1));
    let out = table_to_py(py, table)?;
    let above: Vec<Option<bool>> = rows.iter().map(|r| r.above_threshold).collect();
    out.set_item("above_threshold", above)?;
    let shares = Table::from_columns("shares", shares.into_iter().map(|c| (c.name, c.data)));
    out.update(table_to_py(py, shares)?.as_mapping())?;
    Ok(out)
}

/// The poverty profile as `{level: columns}` for levels all, village, county, cause, primary_cause.
#[pyfunction]
fn profile<'py>(py: Python<'py>, registry: &PyRegistry, line: f64) -> PyResult<Bound<'py, PyDict>> {
    let reg = registry.inner.clone();
    let reg2 = reg.clone();
    let p: Profile = run_long(py, None, move |_| metrics::profile(&reg2, line))?;
    let out = PyDict::new(py);
    out.set_item(
        "all",
        rows_to_columns(py, std::slice::from_ref(&p.overall), &reg)?,
    )?;
    out.set_item("village", rows_to_columns(py, &p.villages, &reg)?)?;
    out.set_item("county", rows_to_columns(py, &p.counties, &reg)?)?;
    out.set_item("cause", rows_to_columns(py, &p.causes, &reg)?)?;
    out.set_item(
        "primary_cause",
        rows_to_columns(py, &p.primary_causes, &reg)?,
    )?;
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fgt, m)?)?;
    m.add_function(wrap_pyfunction!(watts, m)?)?;
    m.add_function(wrap_pyfunction!(sen, m)?)?;
    m.add_function(wrap_pyfunction!(gini, m)?)?;
    m.add_function(wrap_pyfunction!(theil, m)?)?;
    m.add_function(wrap_pyfunction!(mld, m)?)?;
    m.add_function(wrap_pyfunction!(ge, m)?)?;
    m.add_function(wrap_pyfunction!(profile, m)?)?;
    Ok(())
}
