//! Bindings of `fupin_core::targeting`: plain functions over NumPy arrays, results as dicts of
//! columns, and small pyclasses for the objects a user keeps (a fitted proxy-means test, an
//! Alkire–Foster index, a checklist). Docstrings, argument normalisation and DataFrames live in
//! `fupin.targeting`.

mod checks;
mod mpi;
mod pmt;
mod select;

use pyo3::prelude::*;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<pmt::PyProxyMeansTest>()?;
    m.add_class::<mpi::PyMpi>()?;
    m.add_class::<checks::PyChecklist>()?;
    m.add_class::<checks::PyRecordRules>()?;
    let functions = [
        wrap_pyfunction!(pmt::dummies, m)?,
        wrap_pyfunction!(pmt::log_target, m)?,
        wrap_pyfunction!(select::select_below, m)?,
        wrap_pyfunction!(select::allocate_quota, m)?,
        wrap_pyfunction!(select::select_by_quota, m)?,
        wrap_pyfunction!(select::estimated_poor_by_village, m)?,
        wrap_pyfunction!(select::quota_selection, m)?,
        wrap_pyfunction!(select::targeting_errors, m)?,
        wrap_pyfunction!(mpi::mpi, m)?,
        wrap_pyfunction!(mpi::five_looks, m)?,
        wrap_pyfunction!(mpi::two_assurances_three_guarantees, m)?,
        wrap_pyfunction!(checks::exit_check, m)?,
        wrap_pyfunction!(checks::check_records, m)?,
        wrap_pyfunction!(checks::adjust, m)?,
    ];
    functions.into_iter().try_for_each(|f| m.add_function(f))
}
