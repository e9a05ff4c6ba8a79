//! The binding's one conversion module: core values to Python objects and back.
//!
//! * tables: the core's column [`Table`] to a dict of NumPy columns (numbers, flags) and lists
//!   (text), and back;
//! * ids: the core's [`Ids`] to a NumPy int64 array or a list of str;
//! * parameters: serde data from and to JSON, errors naming what was parsed.
//!
//! Every other module of the binding converts through these functions rather than by hand.

use fupin_core::registry::{ColumnData, Table};
use fupin_core::{Error, Ids};
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::validation_at;

/// A core table as a dict of columns: NumPy arrays for numbers and flags, lists for text.
pub(crate) fn table_to_py<'py>(py: Python<'py>, table: Table) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for column in table.columns {
        match column.data {
            ColumnData::Int(v) => out.set_item(column.name, v.into_pyarray(py))?,
            ColumnData::Float(v) => out.set_item(column.name, v.into_pyarray(py))?,
            ColumnData::Bool(v) => out.set_item(column.name, v.into_pyarray(py))?,
            ColumnData::Text(v) => out.set_item(column.name, v)?,
        }
    }
    Ok(out)
}

/// One column of a dict handed over by Python.
fn column_from_py(
    py: Python<'_>,
    table: &str,
    name: &str,
    obj: &Bound<'_, PyAny>,
) -> PyResult<ColumnData> {
    if let Ok(a) = obj.extract::<PyReadonlyArray1<'_, i64>>() {
        return Ok(ColumnData::Int(a.as_array().to_vec()));
    }
    if let Ok(a) = obj.extract::<PyReadonlyArray1<'_, f64>>() {
        return Ok(ColumnData::Float(a.as_array().to_vec()));
    }
    if let Ok(a) = obj.extract::<PyReadonlyArray1<'_, bool>>() {
        return Ok(ColumnData::Bool(a.as_array().to_vec()));
    }
    if let Ok(v) = obj.extract::<Vec<Option<String>>>() {
        return Ok(ColumnData::Text(v));
    }
    Err(validation_at(
        py,
        format!(
            "{table}: column `{name}` must be a 1-D int64, float64 or bool array or a list of \
             str/None, got {}",
            obj.get_type().name()?
        ),
        Some(name),
        None,
        None,
    ))
}

/// A dict of columns handed over by Python as a core table named `name`.
pub(crate) fn table_from_py(
    py: Python<'_>,
    name: &str,
    columns: &Bound<'_, PyDict>,
) -> PyResult<Table> {
    use crate::errors::IntoPyResult;
    let mut table = Table::new(name);
    for (key, value) in columns.iter() {
        let column: String = key.extract()?;
        let data = column_from_py(py, name, &column, &value)?;
        table.push(column, data).py_err(py)?;
    }
    Ok(table)
}

/// External ids as a NumPy int64 array or a list of str.
pub(crate) fn ids_to_py(py: Python<'_>, ids: &Ids) -> PyResult<Py<PyAny>> {
    Ok(match ids {
        Ids::Int(v) => v.clone().into_pyarray(py).into_any().unbind(),
        Ids::Text(v) => v.clone().into_pyobject(py)?.into_any().unbind(),
    })
}

/// One external id as a Python int or str.
pub(crate) fn id_to_py(py: Python<'_>, ids: &Ids, i: usize) -> PyResult<Py<PyAny>> {
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
    rows.map(|i| id_to_py(py, ids, i)).collect()
}

/// Parse JSON text into serde data; the error names `what` and quotes the start of the text.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    what: &str,
    text: &str,
) -> fupin_core::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        Error::invalid_parameter(
            what,
            text_excerpt(text),
            format!("{e} (line {}, column {})", e.line(), e.column()),
        )
    })
}

/// The first 80 characters of `text`, marked when cut.
pub(crate) fn text_excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(80).collect();
    if text.chars().count() > 80 {
        s.push('…');
    }
    s
}

/// Serde data as JSON text.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> fupin_core::Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(e.to_string()))
}
