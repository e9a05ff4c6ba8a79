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
    pmt::register(m)?;
    select::register(m)?;
    mpi::register(m)?;
    checks::register(m)?;
    Ok(())
}
