//! Bindings of `fupin_core::measures` and `fupin_core::policy`: the default measure catalogue,
//! checking measures, policies, budgets and scenario files, and planning a scenario. Specs cross as
//! JSON (they are serde data); the plan comes back as a dict of columns.

use fupin_core::Error;
use fupin_core::dynamics::IncomeModel;
use fupin_core::measures::{MeasureCatalog, NamedMeasure};
use fupin_core::policy::{Budget, Policy};
use fupin_core::scenario::Scenario;
use fupin_core::scenario::plan_scenario;
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::{Deserialize, Serialize};

use crate::convert::{from_json, ids_to_py, text_excerpt, to_json};
use crate::errors::IntoPyResult;
use crate::long_call::run_long;
use crate::registry::PyRegistry;

/// The default measure catalogue (`{"measures": [...]}`) as JSON.
#[pyfunction]
fn measure_catalog_default(py: Python<'_>) -> PyResult<String> {
    to_json(&MeasureCatalog::default()).py_err(py)
}

/// Parse and validate one named measure (JSON); returns canonical JSON with every default filled.
#[pyfunction]
fn measure_check(py: Python<'_>, text: &str) -> PyResult<String> {
    let m: NamedMeasure = from_json("measure", text).py_err(py)?;
    // A catalogue of the one measure checks the name as well as the parameters.
    MeasureCatalog {
        measures: vec![m.clone()],
    }
    .validate()
    .py_err(py)?;
    to_json(&m).py_err(py)
}

/// Parse a policy (JSON); returns canonical JSON with every default filled. Measure names and
/// values are checked against the scenario's catalogue when the policy is put in a scenario.
#[pyfunction]
fn policy_parse(py: Python<'_>, text: &str) -> PyResult<String> {
    let p: Policy = from_json("policy", text).py_err(py)?;
    to_json(&p).py_err(py)
}

/// Parse and validate a budget (JSON); returns canonical JSON.
#[pyfunction]
fn budget_check(py: Python<'_>, text: &str) -> PyResult<String> {
    let b: Budget = from_json("budget", text).py_err(py)?;
    b.validate().py_err(py)?;
    to_json(&b).py_err(py)
}

/// A file of scenarios: `[[scenario]]` tables.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    #[serde(default)]
    scenario: Vec<Scenario>,
}

/// Parse and validate a file of scenarios (`[[scenario]]` tables in TOML, or
/// `{"scenario": [...]}` in JSON); returns the scenarios as a JSON list.
#[pyfunction]
#[pyo3(signature = (text, format="toml"))]
fn scenarios_check(py: Python<'_>, text: &str, format: &str) -> PyResult<String> {
    let file: ScenarioFile = match format {
        "json" => from_json("scenarios", text),
        "toml" => toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map_or(0, |s| text[..s.start].lines().count().max(1) as u64);
            Error::Parse {
                path: "<scenarios TOML>".into(),
                line,
                message: e.message().to_string(),
            }
        }),
        other => Err(Error::invalid_parameter(
            "format",
            other,
            "must be \"json\" or \"toml\"",
        )),
    }
    .py_err(py)?;
    if file.scenario.is_empty() {
        return Err(crate::errors::to_py(
            py,
            Error::invalid_parameter(
                "scenario",
                text_excerpt(text),
                "no [[scenario]] tables found",
            ),
        ));
    }
    for s in &file.scenario {
        s.validate().py_err(py)?;
    }
    to_json(&file.scenario).py_err(py)
}

/// Scenarios (a JSON list) as a TOML file of `[[scenario]]` tables.
#[pyfunction]
fn scenarios_to_toml(py: Python<'_>, json: &str) -> PyResult<String> {
    let scenario: Vec<Scenario> = from_json("scenarios", json).py_err(py)?;
    toml::to_string(&ScenarioFile { scenario })
        .map_err(|e| Error::Internal(e.to_string()))
        .py_err(py)
}

/// Plan a scenario (JSON) for `registry` over `years` years from `first_year` under the model
/// (JSON; its line unless the scenario overrides it). Returns the assignments as columns
/// (`household_id`, `measure`, `start_year`, `end_year` (None: to the end), `intensity`), the
/// `years`, the `measures` of the catalogue, `committed` (years × measures, yuan), `budget` and
/// `available` by year (yuan), the `unfunded` rows of an explicit table, the microcredit
/// `loans_outstanding` by year and `loan_capacity` (yuan), and the plan itself as `json` (for
/// `simulate(..., plans=...)`).
#[pyfunction]
fn plan<'py>(
    py: Python<'py>,
    registry: &PyRegistry,
    scenario: &str,
    model: &str,
    first_year: i32,
    years: u32,
) -> PyResult<Bound<'py, PyDict>> {
    let scenario: Scenario = from_json("scenario", scenario).py_err(py)?;
    let model = IncomeModel::from_json(model).py_err(py)?;
    let reg = registry.inner.clone();
    let name = scenario.name.clone();
    let plan = run_long(py, None, move |_| {
        scenario.validate()?;
        let years: Vec<i32> = (0..years as i32).map(|t| first_year + t).collect();
        let p = plan_scenario(&reg, &scenario, &model, &years)?.ok_or_else(|| {
            Error::invalid_parameter(
                format!("scenario[{name}].policy"),
                "none",
                "the scenario has no policy to plan (give policy=...)",
            )
        })?;
        Ok(p)
    })?;
    let rows: Vec<usize> = plan
        .assignments
        .iter()
        .map(|a| a.household as usize)
        .collect();
    let names = plan.catalog.names();
    let out = PyDict::new(py);
    out.set_item(
        "household_id",
        ids_to_py(py, &registry.inner.households().id.take(&rows))?,
    )?;
    out.set_item(
        "measure",
        plan.assignments
            .iter()
            .map(|a| names[a.measure as usize].clone())
            .collect::<Vec<_>>(),
    )?;
    out.set_item(
        "start_year",
        plan.assignments
            .iter()
            .map(|a| a.start_year)
            .collect::<Vec<_>>()
            .into_pyarray(py),
    )?;
    out.set_item(
        "end_year",
        plan.assignments
            .iter()
            .map(|a| a.end_year)
            .collect::<Vec<_>>(),
    )?;
    out.set_item(
        "intensity",
        plan.assignments
            .iter()
            .map(|a| a.intensity)
            .collect::<Vec<_>>()
            .into_pyarray(py),
    )?;
    out.set_item("years", plan.years.clone())?;
    out.set_item("measures", names)?;
    out.set_item("committed", plan.committed_by_year().into_pyarray(py))?;
    out.set_item("budget", plan.budget_by_year().into_pyarray(py))?;
    out.set_item("available", plan.available_by_year().into_pyarray(py))?;
    out.set_item("unlimited", plan.unlimited)?;
    out.set_item("unfunded", plan.unfunded.clone())?;
    out.set_item("json", to_json(&plan).py_err(py)?)?;
    out.set_item(
        "loans_outstanding",
        plan.loans_outstanding_by_year().into_pyarray(py),
    )?;
    out.set_item("loan_capacity", plan.loan_capacity_yuan())?;
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(measure_catalog_default, m)?)?;
    m.add_function(wrap_pyfunction!(measure_check, m)?)?;
    m.add_function(wrap_pyfunction!(policy_parse, m)?)?;
    m.add_function(wrap_pyfunction!(budget_check, m)?)?;
    m.add_function(wrap_pyfunction!(scenarios_check, m)?)?;
    m.add_function(wrap_pyfunction!(scenarios_to_toml, m)?)?;
    m.add_function(wrap_pyfunction!(plan, m)?)?;
    Ok(())
}
