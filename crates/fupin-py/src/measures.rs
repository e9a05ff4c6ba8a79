//! Bindings of `fupin_core::measures`: the measure handle, the default catalogue and the measure
//! kinds.

use fupin_core::measures::{MeasureCatalog, MeasureKind, NamedMeasure};
use pyo3::prelude::*;

use crate::convert::from_json;
use crate::handle::param_handle;

/// Parse one named measure and validate it (a catalogue of the one measure checks the name as
/// well as the parameters).
fn parse_measure(text: &str) -> fupin_core::Result<NamedMeasure> {
    let m: NamedMeasure = from_json("measure", text)?;
    MeasureCatalog {
        measures: vec![m.clone()],
    }
    .validate()?;
    Ok(m)
}

fn measure_repr(m: &NamedMeasure) -> String {
    format!("Measure({:?}, kind={:?})", m.name, m.spec.kind().code())
}

param_handle! { PyMeasure("Measure", NamedMeasure), parse_measure, measure_repr, {} }

/// The measures of the default catalogue, in order.
#[pyfunction]
fn default_measures() -> Vec<PyMeasure> {
    MeasureCatalog::default()
        .measures
        .into_iter()
        .map(PyMeasure::new)
        .collect()
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyMeasure>()?;
    m.add_function(wrap_pyfunction!(default_measures, m)?)?;
    let kinds: Vec<&str> = MeasureKind::ALL.iter().map(|k| k.code()).collect();
    m.add("MEASURE_KINDS", kinds)?;
    Ok(())
}
