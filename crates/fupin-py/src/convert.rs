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

/// Ids handed over by Python (household ids for ties, a person's household): an int64 array or
/// a list of str.
pub(crate) fn ids_from_py(obj: &Bound<'_, PyAny>) -> PyResult<Ids> {
    if let Ok(a) = obj.extract::<PyReadonlyArray1<'_, i64>>() {
        return Ok(Ids::Int(a.as_array().to_vec()));
    }
    Ok(Ids::Text(obj.extract::<Vec<String>>()?))
}

/// One external id as a Python int or str.
#[allow(dead_code)] // for the binding modules of the other parts of issue 13
pub(crate) fn id_to_py(py: Python<'_>, ids: &Ids, i: usize) -> PyResult<Py<PyAny>> {
    Ok(match ids {
        Ids::Int(v) => v[i].into_pyobject(py)?.into_any().unbind(),
        Ids::Text(v) => v[i].clone().into_pyobject(py)?.into_any().unbind(),
    })
}

/// External ids of the 0-based `rows` as a list of ints or strs.
#[allow(dead_code)] // for the binding modules of the other parts of issue 13
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

/// The fields of serde data (a struct) as a dict, leaving out the fields named in `skip` (tables
/// and arrays the caller adds in their NumPy form): numbers, text, flags, `None` and lists and
/// dicts of them. Non-finite numbers serialise as `None`, so a field that may be NaN belongs in a
/// table instead.
pub(crate) fn fields_to_py<'py>(
    py: Python<'py>,
    value: &impl serde::Serialize,
    skip: &[&str],
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => {
            for (k, v) in map.iter().filter(|(k, _)| !skip.contains(&k.as_str())) {
                out.set_item(k, json_to_py(py, v)?)?;
            }
            Ok(out)
        }
        other => Err(crate::errors::to_py(
            py,
            Error::Internal(format!("fields_to_py: not a struct: {other:?}")),
        )),
    }
}

/// A JSON value as the matching Python object.
fn json_to_py<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => pyo3::types::PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any(),
        },
        Value::String(s) => s.into_pyobject(py)?.into_any(),
        Value::Array(a) => {
            let items = a.iter().map(|x| json_to_py(py, x));
            pyo3::types::PyList::new(py, items.collect::<PyResult<Vec<_>>>()?)?.into_any()
        }
        Value::Object(m) => {
            let d = PyDict::new(py);
            for (k, x) in m {
                d.set_item(k, json_to_py(py, x)?)?;
            }
            d.into_any()
        }
    })
}

/// A one-row table as a dict of Python scalars (numbers stay floats, NaN included).
pub(crate) fn row_to_py<'py>(py: Python<'py>, table: Table) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for column in table.columns {
        match column.data {
            ColumnData::Int(v) => out.set_item(column.name, v.first())?,
            ColumnData::Float(v) => out.set_item(column.name, v.first())?,
            ColumnData::Bool(v) => out.set_item(column.name, v.first())?,
            ColumnData::Text(v) => out.set_item(column.name, v.first().cloned().flatten())?,
        }
    }
    Ok(out)
}

/// An enum from its serde name (`"logit"`, `"exit"`, …); an unknown name is an error naming the
/// parameter and the names it accepts.
pub(crate) fn enum_from_name<T: serde::de::DeserializeOwned>(
    parameter: &str,
    name: &str,
) -> fupin_core::Result<T> {
    serde_json::from_value(serde_json::Value::String(name.into()))
        .map_err(|e| Error::invalid_parameter(parameter, format!("{name:?}"), e.to_string()))
}

/// An int64 array as whole numbers of type `T` (years, periods, codes, counts). A value `T` cannot
/// hold, or that `ok` refuses, is an error naming `table`, `column`, the 1-based row and the value.
pub(crate) fn whole_numbers<T: TryFrom<i64> + Copy>(
    table: &str,
    column: &str,
    values: &PyReadonlyArray1<'_, i64>,
    ok: impl Fn(T) -> bool,
    reason: &str,
) -> fupin_core::Result<Vec<T>> {
    let values = values.as_array();
    let check = |(i, &v): (usize, &i64)| {
        T::try_from(v)
            .ok()
            .filter(|&t| ok(t))
            .ok_or_else(|| Error::invalid_value(table, column, i + 1, v, reason))
    };
    values.iter().enumerate().map(check).collect()
}

/// Calendar years (a panel's `year` column) as `i32`.
pub(crate) fn years(values: &PyReadonlyArray1<'_, i64>) -> fupin_core::Result<Vec<i32>> {
    whole_numbers(
        "panel",
        "year",
        values,
        |_: i32| true,
        "is not a valid year",
    )
}

/// A NumPy array's values, copied (so that the GIL can be released).
pub(crate) fn vec<T: numpy::Element + Copy>(a: &PyReadonlyArray1<'_, T>) -> Vec<T> {
    a.as_array().to_vec()
}

/// An optional NumPy array's values, copied.
pub(crate) fn opt_vec<T: numpy::Element + Copy>(
    a: Option<PyReadonlyArray1<'_, T>>,
) -> Option<Vec<T>> {
    a.map(|a| a.as_array().to_vec())
}

/// `__reduce__` of a pyclass that pickles through its JSON form: `(type(self).from_json, (json,))`.
pub(crate) fn reduce_json<'py, T: pyo3::PyClass>(
    slf: &Bound<'py, T>,
    json: String,
) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
    let py = slf.py();
    let ctor = py.get_type::<T>().getattr("from_json")?;
    pyo3::types::PyTuple::new(py, [ctor.into_any(), (json,).into_pyobject(py)?.into_any()])
}

/// Add `(name, values)` pairs to the dict `out` as NumPy arrays.
pub(crate) fn set_arrays<T: numpy::Element>(
    out: &Bound<'_, PyDict>,
    items: impl IntoIterator<Item = (&'static str, Vec<T>)>,
) -> PyResult<()> {
    items
        .into_iter()
        .try_for_each(|(k, v)| out.set_item(k, v.into_pyarray(out.py())))
}

/// NumPy arrays as the binding's functions take them.
pub(crate) type F64s<'py> = PyReadonlyArray1<'py, f64>;
pub(crate) type I64s<'py> = PyReadonlyArray1<'py, i64>;
pub(crate) type Bools<'py> = PyReadonlyArray1<'py, bool>;
/// What a binding function returning a dict gives back.
pub(crate) type Dict<'py> = PyResult<Bound<'py, PyDict>>;
