//! Bindings of the scenario layer: the scenario and plan handles, scenario files, planning a
//! scenario and simulating scenarios. Scenarios are built from the other parameter handles
//! (income model, policy, budget, measures) without any JSON crossing, and `simulate` takes the
//! handles themselves.

use std::collections::BTreeMap;
use std::sync::Arc;

use fupin_core::Error;
use fupin_core::engine::RunConfig;
use fupin_core::policy::Plan;
use fupin_core::scenario::{
    Scenario, ScenarioFile, ValidScenario, plan_scenario_valid, simulate_valid,
};
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::ids_to_py;
use crate::dynamics::{PyIncomeModel, line_from_parts};
use crate::errors::IntoPyResult;
use crate::handle::param_handle;
use crate::long_call::run_long;
use crate::measures::PyMeasure;
use crate::policy::{PyBudget, PyPolicy};
use crate::registry::PyRegistry;
use crate::results::PyResults;

fn scenario_repr(s: &ValidScenario) -> String {
    format!("Scenario({:?})", s.name)
}

param_handle! { PyScenario("Scenario", ValidScenario), |text| Scenario::parse(text, "json"), scenario_repr,
    formats = Scenario::parse, {
    /// A scenario from its parts (handles), validated once: the name, the policy's measures
    /// against the scenario's catalogue, and that a budget has a policy to spend it. The parts
    /// were validated when they were made; the budget is not checked again.
    #[new]
    #[pyo3(signature = (name, *, model=None, line=None, policy=None, budget=None, measures=Vec::new()))]
    fn build(
        py: Python<'_>,
        name: String,
        model: Option<PyRef<'_, PyIncomeModel>>,
        line: Option<(BTreeMap<i32, f64>, f64)>,
        policy: Option<PyRef<'_, PyPolicy>>,
        budget: Option<PyRef<'_, PyBudget>>,
        measures: Vec<PyRef<'_, PyMeasure>>,
    ) -> PyResult<Self> {
        let mut s = Scenario::new(name);
        s.model = model.map(|m| (*m.inner).clone());
        s.line = line
            .map(|(sch, g)| line_from_parts(sch, g))
            .transpose()
            .py_err(py)?;
        s.policy = policy.map(|p| (*p.inner).clone());
        s.measures = measures.iter().map(|m| (*m.inner).clone()).collect();
        let budget = budget.map(|b| (*b.inner).clone());
        ValidScenario::with_budget(s, budget)
            .map(PyScenario::new)
            .py_err(py)
    }

    /// The parts as a dict of handles (None where absent): `name`, `model`, `line` (as
    /// `(schedule, growth_after)`), `policy`, `budget` and `measures`.
    fn parts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let (s, out) = (&self.inner, PyDict::new(py));
        out.set_item("name", &s.name)?;
        out.set_item("model", s.model.clone().map(PyIncomeModel::new))?;
        let line = s.line.as_ref().map(|l| (l.schedule.clone(), l.growth_after));
        out.set_item("line", line)?;
        out.set_item("policy", s.policy.clone().map(PyPolicy::new))?;
        out.set_item("budget", s.valid_budget().cloned().map(PyBudget::new))?;
        let measures: Vec<PyMeasure> = s.measures.iter().cloned().map(PyMeasure::new).collect();
        out.set_item("measures", measures)?;
        Ok(out)
    }
}}

fn plan_repr(p: &Plan) -> String {
    let (first, last) = (p.years.first(), p.years.last());
    format!(
        "Plan({} assignments, years {}–{}, {} measures{})",
        p.assignments.len(),
        first.copied().unwrap_or_default(),
        last.copied().unwrap_or_default(),
        p.catalog.measures.len(),
        if p.unlimited { ", unlimited" } else { "" }
    )
}

param_handle! { PyPlan("Plan", Plan), Plan::from_json, plan_repr, {} }

/// Parse and validate a file of scenarios (`[[scenario]]` tables in TOML, or
/// `{"scenario": [...]}` in JSON).
#[pyfunction]
#[pyo3(signature = (text, format="toml"))]
fn read_scenarios(py: Python<'_>, text: &str, format: &str) -> PyResult<Vec<PyScenario>> {
    let read = ScenarioFile::parse(text, format).py_err(py)?;
    Ok(read.into_iter().map(PyScenario::new).collect())
}

/// Scenarios as a TOML file of `[[scenario]]` tables.
#[pyfunction]
fn write_scenarios(py: Python<'_>, scenarios: Vec<PyRef<'_, PyScenario>>) -> PyResult<String> {
    let scenario = scenarios
        .iter()
        .map(|s| s.inner.scenario().clone())
        .collect();
    ScenarioFile { scenario }.to_toml().py_err(py)
}

/// The assignments and money of a plan as columns for `fupin.plan`.
fn plan_columns<'py>(
    py: Python<'py>,
    reg: &PyRegistry,
    plan: &Plan,
) -> PyResult<Bound<'py, PyDict>> {
    let (a, names, out) = (&plan.assignments, plan.catalog.names(), PyDict::new(py));
    let rows: Vec<usize> = a.iter().map(|a| a.household as usize).collect();
    let ids = reg.inner.households().id.take(&rows);
    out.set_item("household_id", ids_to_py(py, &ids)?)?;
    let measure: Vec<&String> = a.iter().map(|a| &names[a.measure as usize]).collect();
    out.set_item("measure", measure)?;
    let start: Vec<i32> = a.iter().map(|a| a.start_year).collect();
    out.set_item("start_year", start.into_pyarray(py))?;
    out.set_item("end_year", a.iter().map(|a| a.end_year).collect::<Vec<_>>())?;
    let intensity: Vec<f64> = a.iter().map(|a| a.intensity).collect();
    out.set_item("intensity", intensity.into_pyarray(py))?;
    out.set_item("years", plan.years.clone())?;
    out.set_item("measures", names.clone())?;
    out.set_item("committed", plan.committed_by_year().into_pyarray(py))?;
    out.set_item("budget", plan.budget_by_year().into_pyarray(py))?;
    out.set_item("available", plan.available_by_year().into_pyarray(py))?;
    out.set_item("unlimited", plan.unlimited)?;
    out.set_item("unfunded", plan.unfunded.clone())?;
    let loans = plan.loans_outstanding_by_year();
    out.set_item("loans_outstanding", loans.into_pyarray(py))?;
    out.set_item("loan_capacity", plan.loan_capacity_yuan())?;
    Ok(out)
}

/// Plan a scenario for `registry` over `years` years from `first_year` under the model (its line
/// unless the scenario overrides it). Returns the plan's columns (`household_id`, `measure`,
/// `start_year`, `end_year` (None: to the end), `intensity`, `years`, `measures`, `committed`
/// (years × measures, yuan), `budget` and `available` by year, `unlimited`, `unfunded`,
/// `loans_outstanding`, `loan_capacity`) and the plan handle (for `simulate(..., plans=...)`).
#[pyfunction]
fn plan<'py>(
    py: Python<'py>,
    registry: &PyRegistry,
    scenario: &PyScenario,
    model: &PyIncomeModel,
    first_year: i32,
    years: u32,
) -> PyResult<(Bound<'py, PyDict>, PyPlan)> {
    let (reg, s, m) = (
        registry.inner.clone(),
        scenario.inner.clone(),
        model.inner.clone(),
    );
    let plan = run_long(py, None, move |_| {
        let years: Vec<i32> = (0..years as i32).map(|t| first_year + t).collect();
        plan_scenario_valid(&reg, &s, &m, &years)?.ok_or_else(|| {
            Error::invalid_parameter(
                format!("scenario[{}].policy", s.name),
                "none",
                "the scenario has no policy to plan (give policy=...)",
            )
        })
    })?;
    Ok((plan_columns(py, registry, &plan)?, PyPlan::new(plan)))
}

/// Simulate `registry` under the scenarios with the model; `plans` (one slot per scenario) run
/// instead of planning the scenario's policy.
#[pyfunction]
#[pyo3(signature = (registry, scenarios, model, first_year, years, replications, seed, threads=None, household_outputs=true, keep_paths=false, progress=None, plans=None))]
#[allow(clippy::too_many_arguments)]
fn simulate(
    py: Python<'_>,
    registry: &PyRegistry,
    scenarios: Vec<PyRef<'_, PyScenario>>,
    model: &PyIncomeModel,
    first_year: i32,
    years: u32,
    replications: u32,
    seed: u64,
    threads: Option<usize>,
    household_outputs: bool,
    keep_paths: bool,
    progress: Option<Py<PyAny>>,
    plans: Option<Vec<Option<PyRef<'_, PyPlan>>>>,
) -> PyResult<PyResults> {
    let mut plans = plans.unwrap_or_default().into_iter();
    let scenarios: Vec<ValidScenario> = scenarios
        .iter()
        .map(|s| match plans.next().flatten() {
            Some(p) => s.inner.with_plan(Arc::clone(&p.inner)),
            None => Ok((*s.inner).clone()),
        })
        .collect::<fupin_core::Result<_>>()
        .py_err(py)?;
    let model = model.inner.clone();
    let config = RunConfig {
        replications,
        seed,
        threads,
        household_outputs,
        keep_paths,
        ..RunConfig::new(first_year, years)
    };
    let reg = registry.inner.clone();
    let results = run_long(py, progress, move |hook| {
        simulate_valid(&reg, &scenarios, &model, &config, &mut |done, total| {
            hook(done, total)
        })
    })?;
    Ok(PyResults::new(results))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyScenario>()?;
    m.add_class::<PyPlan>()?;
    for f in [
        wrap_pyfunction!(read_scenarios, m)?,
        wrap_pyfunction!(write_scenarios, m)?,
        wrap_pyfunction!(plan, m)?,
        wrap_pyfunction!(simulate, m)?,
    ] {
        m.add_function(f)?;
    }
    Ok(())
}
