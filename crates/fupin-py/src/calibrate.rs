//! Bindings of the calibration half of `fupin_core::timelines`: the income-process estimator and
//! the simulated-method-of-moments fit of a headcount series. Python (`fupin/_calibrate.py`) does
//! the argument normalisation, documentation and DataFrames.

use fupin_core::Error;
use fupin_core::calibrate::{
    IncomeOptions, IncomePanel, SmmOptions, SmmParameter, SmmTarget, estimate_income_process,
    fit_headcount,
};
use fupin_core::dynamics::IncomeModel;
use fupin_core::results::Outcome;
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::{IntoPyResult, validation, validation_at};
use crate::long_call::run_long;
use crate::registry::PyRegistry;

fn codes(py: Python<'_>, name: &str, a: &PyReadonlyArray1<'_, i64>) -> PyResult<Vec<u32>> {
    a.as_array()
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            u32::try_from(v).map_err(|_| {
                validation_at(
                    py,
                    format!(
                        "panel: column `{name}`, row {}: code {v} out of range",
                        i + 1
                    ),
                    Some(name),
                    Some(i + 1),
                    Some(v.to_string()),
                )
            })
        })
        .collect()
}

/// Income-process calibration of a household × year panel (codes already factorised).
#[pyfunction]
#[pyo3(signature = (household, year, income, village=None, health=None, disaster=None, jump=0.15, bootstrap=199, seed=0))]
#[allow(clippy::too_many_arguments)]
fn calibrate_income<'py>(
    py: Python<'py>,
    household: PyReadonlyArray1<'py, i64>,
    year: PyReadonlyArray1<'py, i64>,
    income: PyReadonlyArray1<'py, f64>,
    village: Option<PyReadonlyArray1<'py, i64>>,
    health: Option<PyReadonlyArray1<'py, bool>>,
    disaster: Option<PyReadonlyArray1<'py, bool>>,
    jump: f64,
    bootstrap: u32,
    seed: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let hh = codes(py, "household", &household)?;
    let vil = village
        .as_ref()
        .map(|v| codes(py, "village", v))
        .transpose()?;
    let years: Vec<i32> = year
        .as_array()
        .iter()
        .enumerate()
        .map(|(i, &y)| {
            i32::try_from(y).map_err(|_| {
                validation_at(
                    py,
                    format!(
                        "panel: column `year`, row {}: value {y} is not a valid year",
                        i + 1
                    ),
                    Some("year"),
                    Some(i + 1),
                    Some(y.to_string()),
                )
            })
        })
        .collect::<PyResult<_>>()?;
    let inc = income.as_array().to_vec();
    let health = health.map(|a| a.as_array().to_vec());
    let disaster = disaster.map(|a| a.as_array().to_vec());
    let options = IncomeOptions {
        jump,
        bootstrap,
        seed,
    };
    let fit = run_long(py, None, |_| {
        let panel = IncomePanel {
            household: &hh,
            year: &years,
            income: &inc,
            village: vil.as_deref(),
            health: health.as_deref(),
            disaster: disaster.as_deref(),
        };
        estimate_income_process(&panel, &options)
    })?;
    let out = PyDict::new(py);
    let names: Vec<String> = fit.parameters.iter().map(|p| p.name.clone()).collect();
    out.set_item("name", names)?;
    let est: Vec<f64> = fit.parameters.iter().map(|p| p.estimate).collect();
    let se: Vec<f64> = fit.parameters.iter().map(|p| p.std_err).collect();
    out.set_item("estimate", est.into_pyarray(py))?;
    out.set_item("std_err", se.into_pyarray(py))?;
    let (ys, yt): (Vec<i32>, Vec<i32>) = fit.cov_years.iter().copied().unzip();
    out.set_item("cov_year_s", ys.into_pyarray(py))?;
    out.set_item("cov_year_t", yt.into_pyarray(py))?;
    out.set_item("cov_observed", fit.cov_observed.into_pyarray(py))?;
    out.set_item("cov_fitted", fit.cov_fitted.into_pyarray(py))?;
    out.set_item("growth_year", fit.growth_years.into_pyarray(py))?;
    out.set_item("growth_observed", fit.growth_observed.into_pyarray(py))?;
    out.set_item("growth_fitted", fit.growth_fitted.into_pyarray(py))?;
    out.set_item("households", fit.households)?;
    out.set_item("clusters", fit.clusters)?;
    out.set_item("first_year", fit.years.0)?;
    out.set_item("last_year", fit.years.1)?;
    out.set_item("flagged", fit.flagged)?;
    out.set_item("bootstrap_ok", fit.bootstrap_ok)?;
    out.set_item("bootstrap_failed", fit.bootstrap_failed)?;
    Ok(out)
}

/// SMM fit of income-model parameters to a target series of a measure.
#[pyfunction]
#[pyo3(signature = (registry, model, names, start, lower, upper, step, first_year, target, target_se, measure, replications, seed, threads, max_iterations, progress=None))]
#[allow(clippy::too_many_arguments)]
fn calibrate_headcount<'py>(
    py: Python<'py>,
    registry: &PyRegistry,
    model: &str,
    names: Vec<String>,
    start: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
    step: Vec<f64>,
    first_year: i32,
    target: Vec<f64>,
    target_se: Option<Vec<f64>>,
    measure: &str,
    replications: u32,
    seed: u64,
    threads: Option<usize>,
    max_iterations: u32,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let model = IncomeModel::from_json(model).py_err(py)?;
    let measure: Outcome = serde_json::from_value(serde_json::Value::String(measure.into()))
        .map_err(|e| Error::invalid_parameter("measure", measure, e.to_string()))
        .py_err(py)?;
    let k = names.len();
    if [start.len(), lower.len(), upper.len(), step.len()] != [k; 4] {
        return Err(validation(
            py,
            "parameters: start, bounds and steps must match the names",
        ));
    }
    let params: Vec<SmmParameter> = (0..k)
        .map(|j| SmmParameter {
            name: names[j].clone(),
            start: start[j],
            lower: lower[j],
            upper: upper[j],
            step: step[j],
        })
        .collect();
    let target = SmmTarget {
        first_year,
        values: target,
        std_err: target_se,
    };
    let options = SmmOptions {
        measure,
        replications,
        seed,
        threads,
        max_iterations,
    };
    let reg = registry.inner.clone();
    let fit = run_long(py, progress, move |hook| {
        fit_headcount(&reg, &model, &params, &target, &options, &mut |d, t| {
            hook(d, t)
        })
    })?;
    let out = PyDict::new(py);
    out.set_item("name", fit.names)?;
    out.set_item("estimate", fit.estimate.into_pyarray(py))?;
    out.set_item("std_err", fit.std_err.into_pyarray(py))?;
    out.set_item("covariance", fit.covariance.into_pyarray(py))?;
    out.set_item("at_bound", fit.at_bound)?;
    out.set_item("year", fit.years.into_pyarray(py))?;
    out.set_item("target", fit.target.into_pyarray(py))?;
    out.set_item("simulated", fit.simulated.into_pyarray(py))?;
    out.set_item("simulated_sd", fit.simulated_sd.into_pyarray(py))?;
    out.set_item("jacobian", fit.jacobian.into_pyarray(py))?;
    out.set_item("objective", fit.objective)?;
    out.set_item("iterations", fit.iterations)?;
    out.set_item("evaluations", fit.evaluations)?;
    out.set_item("converged", fit.converged)?;
    let json = serde_json::to_string(&fit.model).map_err(|e| Error::Internal(e.to_string()));
    out.set_item("model", json.py_err(py)?)?;
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(calibrate_income, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate_headcount, m)?)?;
    Ok(())
}
