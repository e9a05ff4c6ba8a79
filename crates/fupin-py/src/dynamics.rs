//! Bindings of `fupin_core::dynamics`: the poverty line schedule and the income model.

use fupin_core::dynamics::PovertyLine;
use pyo3::prelude::*;

/// The national poverty line of `year`, yuan per person per year.
#[pyfunction]
fn poverty_line(year: i32) -> f64 {
    PovertyLine::national().at(year)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(poverty_line, m)?)?;
    Ok(())
}
