//! Bindings of `fupin_core::dynamics`: the income model handle, the poverty line schedule and the
//! model's vocabulary (its sections, the first year a line may schedule).

use std::collections::BTreeMap;

use fupin_core::dynamics::{IncomeModel, MIN_YEAR, PovertyLine};
use pyo3::prelude::*;

use crate::errors::IntoPyResult;
use crate::handle::param_handle;

/// A poverty line from its schedule (year → yuan) and growth after the last year, validated.
pub(crate) fn line_from_parts(
    schedule: BTreeMap<i32, f64>,
    growth_after: f64,
) -> fupin_core::Result<PovertyLine> {
    let line = PovertyLine {
        schedule,
        growth_after,
    };
    line.validate()?;
    Ok(line)
}

fn model_repr(m: &IncomeModel) -> String {
    let (inc, h, d) = (&m.income, &m.health, &m.disaster);
    format!(
        "IncomeModel(growth={}, persistence={}, health p={}, disaster p={})",
        inc.growth, inc.persistence, h.base_probability, d.probability
    )
}

param_handle! { PyIncomeModel("IncomeModel", IncomeModel), IncomeModel::from_json, model_repr,
    formats = IncomeModel::parse, {
    /// The default model.
    #[staticmethod]
    fn default() -> Self {
        PyIncomeModel::new(IncomeModel::default())
    }

    /// The model's poverty line in `year`, yuan per person per year.
    fn line(&self, py: Python<'_>, year: i64) -> PyResult<f64> {
        self.inner.line.at(year).py_err(py)
    }
}}

/// The national poverty line of `year`, yuan per person per year.
#[pyfunction]
fn poverty_line(py: Python<'_>, year: i64) -> PyResult<f64> {
    PovertyLine::national().at(year).py_err(py)
}

/// The sections of the income model, in the order of its serde form.
fn model_sections() -> Vec<String> {
    match serde_json::to_value(IncomeModel::default()) {
        Ok(serde_json::Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyIncomeModel>()?;
    m.add_function(wrap_pyfunction!(poverty_line, m)?)?;
    m.add("INCOME_MODEL_SECTIONS", model_sections())?;
    m.add("FIRST_LINE_YEAR", MIN_YEAR)?;
    Ok(())
}
