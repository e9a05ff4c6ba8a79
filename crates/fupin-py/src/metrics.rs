//! Bindings of `fupin_core::metrics`: indices over NumPy arrays, and the poverty profile as column
//! dicts (the Python layer makes DataFrames of them).

use fupin_core::metrics::{self, GroupRow, Profile};
use fupin_core::parallel::with_threads;
use fupin_core::registry::Table;
use fupin_core::{Error, Registry};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{Dict, F64s, opt_vec, table_to_py, vec};
use crate::long_call::run_long;
use crate::registry::PyRegistry;

/// The inequality or poverty `index` ("fgt", "watts", "sen", "gini", "theil", "mld", "ge") of
/// `incomes` (poverty line `line`, parameter `alpha` of fgt and ge), computed in a per-call pool.
#[pyfunction]
#[pyo3(signature = (index, incomes, line=0.0, alpha=0.0, weights=None))]
fn index(
    py: Python<'_>,
    index: &str,
    incomes: F64s<'_>,
    line: f64,
    alpha: f64,
    weights: Option<F64s<'_>>,
) -> PyResult<f64> {
    let (y, w) = (vec(&incomes), opt_vec(weights));
    let (y, w) = (&y[..], w.as_deref());
    let compute = || match index {
        "fgt" => metrics::fgt(y, line, alpha, w),
        "watts" => metrics::watts(y, line, w),
        "sen" => metrics::sen(y, line, w),
        "gini" => metrics::gini(y, w),
        "theil" => metrics::theil(y, w),
        "mld" => metrics::mld(y, w),
        "ge" => metrics::ge(y, alpha, w),
        _ => Err(Error::invalid_parameter("index", index, "no such index")),
    };
    run_long(py, None, move |_| with_threads(None, compute)?)
}

/// Group rows as a dict of columns (see `GroupRow::table`), with `above_threshold` (true, false
/// or None) after `exit_threshold`.
fn rows_to_columns<'py>(py: Python<'py>, rows: &[GroupRow], registry: &Registry) -> Dict<'py> {
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
fn profile<'py>(py: Python<'py>, registry: &PyRegistry, line: f64) -> Dict<'py> {
    let reg = &registry.inner;
    let p: Profile = run_long(py, None, |_| metrics::profile(reg, line))?;
    let out = PyDict::new(py);
    let levels = [
        ("all", std::slice::from_ref(&p.overall)),
        ("village", &p.villages[..]),
        ("county", &p.counties[..]),
        ("cause", &p.causes[..]),
        ("primary_cause", &p.primary_causes[..]),
    ];
    for (level, rows) in levels {
        out.set_item(level, rows_to_columns(py, rows, reg)?)?;
    }
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(index, m)?)?;
    m.add_function(wrap_pyfunction!(profile, m)?)
}
