//! Bindings of `fupin_core::engine`: `simulate` (its `Results` handle is in `results.rs`). Models
//! and scenarios cross as JSON (they are serde data).

use std::sync::Arc;

use fupin_core::Error;
use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::{RunConfig, Scenario, simulate as run_simulation};
use pyo3::prelude::*;

use crate::convert::{from_json, text_excerpt, to_json};
use crate::errors::IntoPyResult;
use crate::long_call::run_long;
use crate::registry::PyRegistry;
use crate::results::PyResults;

/// The default income model as JSON.
#[pyfunction]
fn income_model_default(py: Python<'_>) -> PyResult<String> {
    to_json(&IncomeModel::default()).py_err(py)
}

/// Parse (JSON or TOML), validate and normalise an income model; returns canonical JSON.
#[pyfunction]
#[pyo3(signature = (text, format="json"))]
fn income_model_check(py: Python<'_>, text: &str, format: &str) -> PyResult<String> {
    let model = match format {
        "json" => IncomeModel::from_json(text),
        "toml" => IncomeModel::from_toml(text),
        other => Err(Error::invalid_parameter(
            "format",
            other,
            "must be \"json\" or \"toml\"",
        )),
    }
    .py_err(py)?;
    model.validate().py_err(py)?;
    to_json(&model).py_err(py)
}

/// An income model (JSON) as TOML.
#[pyfunction]
fn income_model_to_toml(py: Python<'_>, json: &str) -> PyResult<String> {
    IncomeModel::from_json(json)
        .and_then(|m| m.to_toml())
        .py_err(py)
}

/// Parse and validate a scenario (JSON or TOML); returns canonical JSON.
#[pyfunction]
#[pyo3(signature = (text, format="json"))]
fn scenario_check(py: Python<'_>, text: &str, format: &str) -> PyResult<String> {
    let scenario: Scenario = match format {
        "json" => from_json("scenario", text),
        "toml" => toml::from_str(text)
            .map_err(|e| Error::invalid_parameter("scenario", text_excerpt(text), e.to_string())),
        other => Err(Error::invalid_parameter(
            "format",
            other,
            "must be \"json\" or \"toml\"",
        )),
    }
    .py_err(py)?;
    scenario.validate().py_err(py)?;
    to_json(&scenario).py_err(py)
}

/// A scenario (JSON) as TOML.
#[pyfunction]
fn scenario_to_toml(py: Python<'_>, json: &str) -> PyResult<String> {
    let scenario: Scenario = from_json("scenario", json).py_err(py)?;
    toml::to_string(&scenario)
        .map_err(|e| Error::Internal(e.to_string()))
        .py_err(py)
}

/// Simulate `registry` under the scenarios (JSON list) with the model (JSON).
#[pyfunction]
#[pyo3(signature = (registry, scenarios, model, first_year, years, replications, seed, threads=None, household_outputs=true, keep_paths=false, progress=None, plans=None))]
#[allow(clippy::too_many_arguments)]
fn simulate(
    py: Python<'_>,
    registry: &PyRegistry,
    scenarios: &str,
    model: &str,
    first_year: i32,
    years: u32,
    replications: u32,
    seed: u64,
    threads: Option<usize>,
    household_outputs: bool,
    keep_paths: bool,
    progress: Option<Py<PyAny>>,
    plans: Option<Vec<Option<String>>>,
) -> PyResult<PyResults> {
    let mut scenarios: Vec<Scenario> = from_json("scenarios", scenarios).py_err(py)?;
    // Plans made beforehand (JSON, one slot per scenario): run instead of planning the policy.
    for (s, text) in scenarios.iter_mut().zip(plans.unwrap_or_default()) {
        if let Some(text) = text {
            let p = fupin_core::policy::Plan::from_json(&text).py_err(py)?;
            s.plan = Some(Arc::new(p));
        }
    }
    let model = IncomeModel::from_json(model).py_err(py)?;
    let config = RunConfig {
        first_year,
        years,
        replications,
        seed,
        threads,
        household_outputs,
        keep_paths,
    };
    let reg = registry.inner.clone();
    let results = run_long(py, progress, move |hook| {
        run_simulation(&reg, &scenarios, &model, &config, &mut |done, total| {
            hook(done, total)
        })
    })?;
    Ok(PyResults::new(results))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(income_model_default, m)?)?;
    m.add_function(wrap_pyfunction!(income_model_check, m)?)?;
    m.add_function(wrap_pyfunction!(income_model_to_toml, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_check, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_to_toml, m)?)?;
    Ok(())
}
