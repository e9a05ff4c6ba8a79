//! Bindings of `fupin_core::targeting`: plain functions over NumPy arrays, results as dicts of
//! columns, and small pyclasses for the objects a user keeps (a fitted proxy-means test, an
//! Alkire–Foster index, a checklist). Docstrings, argument normalisation and DataFrames live in
//! `fupin.targeting`.

mod checks;
mod mpi;
mod pmt;
mod select;

use fupin_core::Ids;
use pyo3::prelude::*;

use crate::errors::validation;

/// One external id as a Python int or str.
pub(crate) fn id_obj(py: Python<'_>, ids: &Ids, i: usize) -> PyResult<Py<PyAny>> {
    Ok(match ids {
        Ids::Int(v) => v[i].into_pyobject(py)?.into_any().unbind(),
        Ids::Text(v) => v[i].clone().into_pyobject(py)?.into_any().unbind(),
    })
}

/// External ids of the 0-based `rows` as a list of ints or strs.
pub(crate) fn ids_at(
    py: Python<'_>,
    ids: &Ids,
    rows: impl Iterator<Item = usize>,
) -> PyResult<Vec<Py<PyAny>>> {
    rows.map(|i| id_obj(py, ids, i)).collect()
}

/// Parse JSON text into a parameter struct, as a `ValidationError` naming `what`.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    py: Python<'_>,
    what: &str,
    text: &str,
) -> PyResult<T> {
    serde_json::from_str(text).map_err(|e| {
        validation(
            py,
            format!("{what}: {e} (line {}, column {})", e.line(), e.column()),
        )
    })
}

/// Serialise a struct as JSON text.
pub(crate) fn to_json<T: serde::Serialize>(
    py: Python<'_>,
    what: &str,
    value: &T,
) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| validation(py, format!("{what}: {e}")))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    pmt::register(m)?;
    select::register(m)?;
    mpi::register(m)?;
    checks::register(m)?;
    Ok(())
}
