//! Bindings of `fupin_core::synth`: the embedded counties and synthetic registries of any size.

use fupin_core::parallel::with_threads;
use fupin_core::synth::{self, SynthConfig};
use pyo3::prelude::*;

use crate::convert::{from_json, to_json};
use crate::errors::IntoPyResult;
use crate::long_call::run_long;
use crate::registry::PyRegistry;

/// One of the embedded county presets, generated with `seed`.
#[pyfunction]
#[pyo3(signature = (name, seed=0))]
fn county(py: Python<'_>, name: String, seed: u64) -> PyResult<PyRegistry> {
    let registry = run_long(py, None, move |_| synth::county(&name, seed))?;
    Ok(PyRegistry::wrap(registry))
}

/// The presets and their published figures, as JSON (a list of objects).
#[pyfunction]
fn county_presets(py: Python<'_>) -> PyResult<String> {
    to_json(&synth::presets()).py_err(py)
}

/// A synthetic registry of any size, generated in parallel; `config` is a JSON object of
/// `SynthConfig` fields (households, villages and seed are set from the arguments).
#[pyfunction]
#[pyo3(signature = (households, villages, seed=0, config=None, threads=None))]
fn synthetic(
    py: Python<'_>,
    households: usize,
    villages: usize,
    seed: u64,
    config: Option<String>,
    threads: Option<usize>,
) -> PyResult<PyRegistry> {
    let mut cfg = match config {
        Some(text) => from_json::<SynthConfig>("config", &text).py_err(py)?,
        None => SynthConfig::new(households, villages),
    };
    cfg.households = households;
    cfg.villages = villages;
    cfg.seed = seed;
    let registry = run_long(py, None, move |_| with_threads(threads, || cfg.generate())?)?;
    Ok(PyRegistry::wrap(registry))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(county, m)?)?;
    m.add_function(wrap_pyfunction!(county_presets, m)?)?;
    m.add_function(wrap_pyfunction!(synthetic, m)?)?;
    Ok(())
}
