//! Bindings of `fupin_core::stats`: the shared statistics the Python package uses instead of its
//! own (normal critical values, two-sided p-values).

use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;

use crate::convert::F64s;
use crate::errors::IntoPyResult;

/// The two-sided normal critical value z_{(1+level)/2}; `level` must lie in (0, 1).
#[pyfunction]
fn z_for_level(py: Python<'_>, level: f64) -> PyResult<f64> {
    fupin_core::stats::z_for_level(level).py_err(py)
}

/// Two-sided normal p-values 2·(1 − Φ(|z|)) of z statistics.
#[pyfunction]
fn two_sided_p_values<'py>(py: Python<'py>, z: F64s<'py>) -> Bound<'py, PyArray1<f64>> {
    z.as_array()
        .mapv(fupin_core::stats::two_sided_p_value)
        .into_pyarray(py)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(z_for_level, m)?)?;
    m.add_function(wrap_pyfunction!(two_sided_p_values, m)?)
}
