//! The one helper every long call goes through: inputs already owned, the GIL released for the
//! whole computation, Ctrl-C turned into `KeyboardInterrupt` within about a tenth of a second,
//! progress reported to an optional Python callable, and panics turned into `FupinError`.
//!
//! Signals reach only the main thread, so the work runs on a scoped worker thread while the
//! calling thread polls: it re-attaches every `POLL` to run `check_signals` and the progress
//! callback, and on Ctrl-C cancels the work's `fupin_core::cancel` token, which the core's loops
//! (and its progress hook) poll. The worker wakes the caller as soon as it finishes.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use fupin_core::Error;
use fupin_core::cancel::{self, Token};
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
    let token = Token::new();
    let done = AtomicU64::new(0);
    let total = AtomicU64::new(0);
    let hook = |d: u64, t: u64| {
        done.store(d, Ordering::Relaxed);
        total.store(t, Ordering::Relaxed);
        !token.is_cancelled()
    };
    let (outcome, interrupt) = py.detach(|| {
        std::thread::scope(|scope| {
            // The worker owns the sender: however it ends (value, error or panic) the channel
            // wakes the caller at once, so a call takes as long as its work, not a whole tick.
            let (tx, rx) = mpsc::channel::<()>();
            let worker = scope.spawn(|| {
                let _finished = tx;
                let work = AssertUnwindSafe(|| cancel::scope(&token, || work(&hook)));
                std::panic::catch_unwind(work)
            });
            let mut interrupt: Option<PyErr> = None;
            let mut reported = u64::MAX;
            while let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(POLL) {
                if interrupt.is_some() {
                    continue;
                }
                Python::attach(|py| {
                    if let Err(e) = py.check_signals() {
                        token.cancel();
                        interrupt = Some(e);
                        return;
                    }
                    let d = done.load(Ordering::Relaxed);
                    if let Some(cb) = &progress
                        && d != reported
                    {
                        reported = d;
                        if let Err(e) = cb.call1(py, (d, total.load(Ordering::Relaxed))) {
                            token.cancel();
                            interrupt = Some(e);
                        }
                    }
                });
            }
            let outcome = match worker.join() {
                Ok(caught) => caught,
                Err(panic) => Err(panic),
            };
            (outcome, interrupt)
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

/// Run a short computation without the GIL (no progress), turning a panic into an error.
pub fn run_short<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> fupin_core::Result<T> + Send,
) -> PyResult<T> {
    run_long(py, None, move |_| work())
}

fn panic_error(panic: &(dyn std::any::Any + Send)) -> Error {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Error::Internal(format!("panic: {message}"))
}
