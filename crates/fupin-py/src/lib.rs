//! `fupin._native`: PyO3 bindings of `fupin-core`. Each module here mirrors a core module; no model
//! logic lives in this crate. Inputs are copied into owned Rust values, the GIL is released for
//! the work, and every core error is mapped by `errors::to_py`.

mod calibrate;
mod convert;
mod dynamics;
mod errors;
mod handle;
mod long_call;
mod measures;
mod metrics;
mod policy;
mod registry;
mod results;
mod scenario;
mod stats;
mod synth;
mod targeting;
mod timelines;

use pyo3::prelude::*;

/// Load NumPy's C API now, at import. rust-numpy loads it on first use by importing
/// `numpy._core.multiarray`, and panics (a `PanicException` in Python) if that import fails — which
/// a pending Ctrl-C makes it do when the first array a process returns comes right after an
/// interrupted call. Importing the module here first turns any failure into an ordinary exception.
fn load_numpy_api(py: Python<'_>) -> PyResult<()> {
    if let Err(e) = py.import("numpy._core.multiarray") {
        if !e.is_instance_of::<pyo3::exceptions::PyModuleNotFoundError>(py) {
            return Err(e);
        }
        py.import("numpy.core.multiarray")?; // NumPy 1.x
    }
    let _ = numpy::PyArray1::<f64>::zeros(py, 0, false);
    Ok(())
}

/// The native module; the public face is the `fupin` package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    load_numpy_api(m.py())?;
    errors::register(m)?;
    m.add_class::<registry::PyRegistry>()?;
    dynamics::register(m)?;
    results::register(m)?;
    stats::register(m)?;
    metrics::register(m)?;
    measures::register(m)?;
    policy::register(m)?;
    scenario::register(m)?;
    synth::register(m)?;
    targeting::register(m)?;
    timelines::register(m)?;
    calibrate::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
