//! The Python exception hierarchy of fupin, declared in one place, and the one mapping from
//! `fupin_core::Error` to it.
//!
//! ```text
//! Exception
//! └── fupin.FupinError
//!     ├── fupin.ValidationError   (also a ValueError)  bad data or parameters
//!     ├── fupin.FupinIOError      (also an OSError)    files that cannot be read or written
//!     └── fupin.NumericalError    (also an ArithmeticError) singular systems, no convergence
//! ```
//! Every error has `column`, `row` (1-based, as in the message) and `value` attributes: set where
//! the error names a cell or a parameter, else None (class attributes of `FupinError`, so reading
//! them never raises AttributeError, whoever raised the error).
//! The classes are built with `type(name, bases, ns)` so that one class can subclass both
//! `FupinError` and the matching built-in exception.

use fupin_core::Error;
use pyo3::exceptions::{
    PyArithmeticError, PyException, PyKeyboardInterrupt, PyOSError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

struct Hierarchy {
    base: Py<PyType>,
    validation: Py<PyType>,
    io: Py<PyType>,
    numerical: Py<PyType>,
}

static HIERARCHY: PyOnceLock<Hierarchy> = PyOnceLock::new();

/// The attributes naming the offending cell: class attributes of `FupinError`, None by default.
const ATTRIBUTES: [&str; 3] = ["column", "row", "value"];

fn make_class(
    py: Python<'_>,
    name: &str,
    bases: Vec<Bound<'_, PyAny>>,
    doc: &str,
) -> PyResult<Py<PyType>> {
    let ns = PyDict::new(py);
    ns.set_item("__module__", "fupin")?;
    ns.set_item("__doc__", doc)?;
    let class = py
        .get_type::<PyType>()
        .call1((name, PyTuple::new(py, bases)?, ns))?;
    Ok(class.cast_into::<PyType>()?.unbind())
}

fn hierarchy(py: Python<'_>) -> PyResult<&Hierarchy> {
    HIERARCHY.get_or_try_init(py, || {
        let base = make_class(
            py,
            "FupinError",
            vec![py.get_type::<PyException>().into_any()],
            "Base class of every error raised by fupin. Attributes `column`, `row` (1-based) and \
             `value` name the offending cell or parameter where there is one, else are None.",
        )?;
        for attribute in ATTRIBUTES {
            base.bind(py).setattr(attribute, py.None())?;
        }
        let sub = |name: &str, builtin: Bound<'_, PyType>, doc: &str| {
            make_class(
                py,
                name,
                vec![base.bind(py).clone().into_any(), builtin.into_any()],
                doc,
            )
        };
        Ok(Hierarchy {
            validation: sub(
                "ValidationError",
                py.get_type::<PyValueError>(),
                "Bad input data or parameters. Attributes `column`, `row` (1-based) and `value` \
                 name the offending cell where there is one, else are None.",
            )?,
            io: sub(
                "FupinIOError",
                py.get_type::<PyOSError>(),
                "A file could not be read or written.",
            )?,
            numerical: sub(
                "NumericalError",
                py.get_type::<PyArithmeticError>(),
                "A numerical procedure failed (singular system, no convergence).",
            )?,
            base,
        })
    })
}

/// Add the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let h = hierarchy(py)?;
    m.add("FupinError", h.base.bind(py))?;
    m.add("ValidationError", h.validation.bind(py))?;
    m.add("FupinIOError", h.io.bind(py))?;
    m.add("NumericalError", h.numerical.bind(py))?;
    Ok(())
}

/// Convert a core error into the matching Python exception.
pub fn to_py(py: Python<'_>, err: Error) -> PyErr {
    if matches!(err, Error::Cancelled) {
        return PyKeyboardInterrupt::new_err("fupin run cancelled");
    }
    let h = match hierarchy(py) {
        Ok(h) => h,
        Err(e) => return e,
    };
    let class = match &err {
        Error::Io { .. } => &h.io,
        Error::Numerical { .. } => &h.numerical,
        e if e.is_validation() => &h.validation,
        _ => &h.base,
    };
    let make = || -> PyResult<PyErr> {
        let instance = class.bind(py).call1((err.to_string(),))?;
        instance.setattr("column", err.column())?;
        instance.setattr("row", err.row())?;
        instance.setattr("value", err.value())?;
        Ok(PyErr::from_value(instance))
    };
    make().unwrap_or_else(|e| e)
}

/// A `ValidationError` raised from the binding layer itself (argument checks) that names no
/// cell: `column`, `row` and `value` stay None.
pub fn validation(py: Python<'_>, message: impl Into<String>) -> PyErr {
    validation_at(py, message, None, None, None)
}

/// A `ValidationError` raised from the binding layer that names its parameter or column, the
/// 1-based row and the value, where it knows them.
pub fn validation_at(
    py: Python<'_>,
    message: impl Into<String>,
    column: Option<&str>,
    row: Option<usize>,
    value: Option<String>,
) -> PyErr {
    let make = || -> PyResult<PyErr> {
        let class = hierarchy(py)?.validation.bind(py);
        let instance = class.call1((message.into(),))?;
        instance.setattr("column", column)?;
        instance.setattr("row", row)?;
        instance.setattr("value", value)?;
        Ok(PyErr::from_value(instance))
    };
    make().unwrap_or_else(|e| e)
}

/// Extension to turn `fupin_core::Result` into `PyResult` at the boundary.
pub trait IntoPyResult<T> {
    /// Map the error into its Python exception.
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for fupin_core::Result<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}
