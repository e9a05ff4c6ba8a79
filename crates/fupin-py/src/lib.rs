//! `fupin._native`: PyO3 bindings of `fupin-core`. Each module here mirrors a core module; no model
//! logic lives in this crate. Inputs are copied into owned Rust values, the GIL is released for
//! the work, and every core error is mapped by `errors::to_py`.

mod calibrate;
mod dynamics;
mod engine;
mod errors;
mod long_call;
mod metrics;
mod policy;
mod registry;
mod synth;
mod targeting;
mod timelines;

use pyo3::prelude::*;

/// The native module; the public face is the `fupin` package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add_class::<registry::PyRegistry>()?;
    dynamics::register(m)?;
    engine::register(m)?;
    metrics::register(m)?;
    policy::register(m)?;
    synth::register(m)?;
    targeting::register(m)?;
    timelines::register(m)?;
    calibrate::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
