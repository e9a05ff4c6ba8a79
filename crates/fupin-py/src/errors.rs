//! The one mapping from `fupin_core::Error` to the Python exception hierarchy of fupin, which is
//! declared in one place, `fupin._errors` (imported on first use and exported by this module):
//!
//! ```text
//! Exception
//! └── fupin.FupinError
//!     ├── fupin.ValidationError   (also a ValueError)  bad data or parameters
//!     ├── fupin.FupinIOError      (also an OSError)    files that cannot be read or written
//!     └── fupin.NumericalError    (also an ArithmeticError) singular systems, no convergence
//! ```
//! Every error has `column`, `row` (1-based, as in the message) and `value` attributes: set where
//! the error names a cell or a parameter, else None.

use fupin_core::Error;
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

/// The classes named `NAMES`, in that order.
static HIERARCHY: PyOnceLock<[Py<PyType>; 4]> = PyOnceLock::new();
const NAMES: [&str; 4] = [
    "FupinError",
    "ValidationError",
    "FupinIOError",
    "NumericalError",
];

fn hierarchy(py: Python<'_>) -> PyResult<&[Py<PyType>; 4]> {
    HIERARCHY.get_or_try_init(py, || {
        let module = py.import("fupin._errors")?;
        let class = |i: usize| -> PyResult<Py<PyType>> {
            Ok(module.getattr(NAMES[i])?.cast_into::<PyType>()?.unbind())
        };
        Ok([class(0)?, class(1)?, class(2)?, class(3)?])
    })
}

/// Add the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let h = hierarchy(m.py())?;
    for (i, name) in NAMES.iter().enumerate() {
        m.add(*name, h[i].bind(m.py()))?;
    }
    Ok(())
}

/// An instance of class `i` of the hierarchy with its `column`, `row` and `value` attributes.
fn raise(
    py: Python<'_>,
    i: usize,
    message: String,
    column: Option<&str>,
    row: Option<usize>,
    value: Option<&str>,
) -> PyErr {
    let make = || -> PyResult<PyErr> {
        let instance = hierarchy(py)?[i].bind(py).call1((message,))?;
        instance.setattr("column", column)?;
        instance.setattr("row", row)?;
        instance.setattr("value", value)?;
        Ok(PyErr::from_value(instance))
    };
    make().unwrap_or_else(|e| e)
}

/// Convert a core error into the matching Python exception.
pub fn to_py(py: Python<'_>, err: Error) -> PyErr {
    let class = match &err {
        Error::Cancelled => return PyKeyboardInterrupt::new_err("fupin run cancelled"),
        Error::Io { .. } => 2,
        Error::Numerical { .. } => 3,
        e if e.is_validation() => 1,
        _ => 0,
    };
    raise(
        py,
        class,
        err.to_string(),
        err.column(),
        err.row(),
        err.value(),
    )
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
    raise(py, 1, message.into(), column, row, value.as_deref())
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
