//! Bindings of `fupin_core::calibrate`: the income-process estimator and
//! the simulated-method-of-moments fit of a headcount series. Python (`fupin/_calibrate.py`) does
//! the argument normalisation, documentation and DataFrames.

use fupin_core::calibrate::{
    IncomeOptions, IncomePanel, SmmOptions, SmmParameter, SmmTarget, estimate_income_process,
    fit_headcount,
};
use fupin_core::dynamics::IncomeModel;
use fupin_core::registry::Table;
use fupin_core::results::Outcome;
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{
    Bools, Dict, F64s, I64s, enum_from_name, opt_vec, table_to_py, to_json, vec, whole_numbers,
    years,
};
use crate::errors::IntoPyResult;
use crate::long_call::run_long;
use crate::registry::PyRegistry;

fn codes(name: &str, a: &I64s<'_>) -> fupin_core::Result<Vec<u32>> {
    whole_numbers("panel", name, a, |_: u32| true, "is a code out of range")
}

/// Income-process calibration of a household × year panel (codes already factorised).
#[pyfunction]
#[pyo3(signature = (household, year, income, village=None, health=None, disaster=None, jump=0.15, bootstrap=199, seed=0))]
#[allow(clippy::too_many_arguments)]
fn calibrate_income<'py>(
    py: Python<'py>,
    household: I64s<'py>,
    year: I64s<'py>,
    income: F64s<'py>,
    village: Option<I64s<'py>>,
    health: Option<Bools<'py>>,
    disaster: Option<Bools<'py>>,
    jump: f64,
    bootstrap: u32,
    seed: u64,
) -> Dict<'py> {
    let hh = codes("household", &household).py_err(py)?;
    let vil = village
        .map(|v| codes("village", &v))
        .transpose()
        .py_err(py)?;
    let (years, inc) = (years(&year).py_err(py)?, vec(&income));
    let (health, disaster) = (opt_vec(health), opt_vec(disaster));
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
    let out = tables_to_py(py, fit.tables())?;
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
#[pyo3(signature = (registry, model, parameters, first_year, target, target_se, measure, replications, seed, threads, max_iterations, progress=None))]
#[allow(clippy::too_many_arguments)]
fn calibrate_headcount<'py>(
    py: Python<'py>,
    registry: &PyRegistry,
    model: &str,
    parameters: Vec<(String, f64, f64, f64, f64)>,
    first_year: i32,
    target: Vec<f64>,
    target_se: Option<Vec<f64>>,
    measure: &str,
    replications: u32,
    seed: u64,
    threads: Option<usize>,
    max_iterations: u32,
    progress: Option<Py<PyAny>>,
) -> Dict<'py> {
    let model = IncomeModel::from_json(model).py_err(py)?;
    let measure: Outcome = enum_from_name("measure", measure).py_err(py)?;
    let to_param = |(name, start, lower, upper, step)| SmmParameter {
        name,
        start,
        lower,
        upper,
        step,
    };
    let params: Vec<SmmParameter> = parameters.into_iter().map(to_param).collect();
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
    let out = tables_to_py(py, fit.tables())?;
    out.set_item("covariance", fit.covariance.into_pyarray(py))?;
    out.set_item("jacobian", fit.jacobian.into_pyarray(py))?;
    out.set_item("objective", fit.objective)?;
    out.set_item("iterations", fit.iterations)?;
    out.set_item("evaluations", fit.evaluations)?;
    out.set_item("converged", fit.converged)?;
    out.set_item("model", to_json(&fit.model).py_err(py)?)?;
    Ok(out)
}

/// Tables as one dict of their columns.
fn tables_to_py<'py>(py: Python<'py>, tables: impl IntoIterator<Item = Table>) -> Dict<'py> {
    let out = PyDict::new(py);
    for table in tables {
        out.update(table_to_py(py, table)?.as_mapping())?;
    }
    Ok(out)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(calibrate_income, m)?)?;
    m.add_function(wrap_pyfunction!(calibrate_headcount, m)?)
}
