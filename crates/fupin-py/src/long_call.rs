//! The one helper every long call goes through: inputs already owned, the GIL released for the
//! whole computation, Ctrl-C turned into `KeyboardInterrupt` within about a tenth of a second,
//! progress reported to an optional Python callable, and panics turned into `FupinError`.
//!
//! Signals reach only the main thread, so the work runs on a scoped worker thread while the
//! calling thread polls: it re-attaches every `POLL` to run `check_signals` and the progress
//! callback, and raises the cancel flag the core's progress hook reads.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use fupin_core::Error;
use pyo3::prelude::*;

use crate::errors::to_py;

const POLL: Duration = Duration::from_millis(50);

/// The core's progress hook: `(done, total) -> keep going`.
pub type Progress<'a> = &'a (dyn Fn(u64, u64) -> bool + Sync);

/// Run `work` without the GIL. `progress`, if given, is called as `progress(done, total)` from the
/// calling thread whenever `done` has advanced; an exception it raises cancels the run and is
/// re-raised.
pub fn run_long<T, F>(py: Python<'_>, progress: Option<Py<PyAny>>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce(Progress<'_>) -> fupin_core::Result<T> + Send,
{
    let cancel = AtomicBool::new(false);
    let done = AtomicU64::new(0);
    let total = AtomicU64::new(0);
    let hook = |d: u64, t: u64| {
        done.store(d, Ordering::Relaxed);
        total.store(t, Ordering::Relaxed);
        !cancel.load(Ordering::Relaxed)
    };
    let (outcome, interrupt) = py.detach(|| {
        std::thread::scope(|scope| {
            let worker = scope.spawn(|| work(&hook));
            let mut interrupt: Option<PyErr> = None;
            let mut reported = u64::MAX;
            while !worker.is_finished() {
                std::thread::sleep(POLL);
                if interrupt.is_some() {
                    continue;
                }
                Python::attach(|py| {
                    if let Err(e) = py.check_signals() {
                        cancel.store(true, Ordering::Relaxed);
                        interrupt = Some(e);
                        return;
                    }
                    let d = done.load(Ordering::Relaxed);
                    if let Some(cb) = &progress
                        && d != reported
                    {
                        reported = d;
                        if let Err(e) = cb.call1(py, (d, total.load(Ordering::Relaxed))) {
                            cancel.store(true, Ordering::Relaxed);
                            interrupt = Some(e);
                        }
                    }
                });
            }
            (worker.join(), interrupt)
        })
    });
    if let Some(e) = interrupt {
        return Err(e);
    }
    match outcome {
        Ok(Ok(value)) => {
            if let Some(cb) = &progress {
                let t = total.load(Ordering::Relaxed);
                cb.call1(py, (t, t))?;
            }
            Ok(value)
        }
        Ok(Err(e)) => Err(to_py(py, e)),
        Err(panic) => Err(to_py(py, panic_error(&*panic))),
    }
}

/// Run a short computation without the GIL, turning a panic into an error.
pub fn run_short<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> fupin_core::Result<T> + Send,
{
    let outcome = py.detach(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)));
    match outcome {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(to_py(py, e)),
        Err(panic) => Err(to_py(py, panic_error(&*panic))),
    }
}

fn panic_error(panic: &(dyn std::any::Any + Send)) -> Error {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Error::Internal(format!("panic: {message}"))
}
