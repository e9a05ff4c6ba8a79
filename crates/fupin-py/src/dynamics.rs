//! Bindings of `fupin_core::dynamics`: the poverty line schedule and the income model.

use fupin_core::dynamics::PovertyLine;
use pyo3::prelude::*;

use crate::convert::from_json;
use crate::errors::IntoPyResult;

/// The poverty line of `year`, yuan per person per year: the national schedule, or the schedule
/// given as JSON (`{"schedule": {"2016": 2952.0}, "growth_after": 0.0}`).
#[pyfunction]
#[pyo3(signature = (year, schedule=None))]
fn poverty_line(py: Python<'_>, year: i64, schedule: Option<&str>) -> PyResult<f64> {
    let line = match schedule {
        None => PovertyLine::national(),
        Some(text) => from_json::<PovertyLine>("line", text)
            .and_then(|l| l.validate().map(|()| l))
            .py_err(py)?,
    };
    line.at(year).py_err(py)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(poverty_line, m)?)?;
    Ok(())
}
