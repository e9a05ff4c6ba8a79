//! Thread-count policy for every parallel computation in fupin.
//!
//! Each call runs in a rayon pool built for that call, never in rayon's global pool. A pool's
//! threads are not inherited by a `fork()`ed child, and a child that found a global pool
//! half-initialised by its parent would deadlock; a per-call pool is created fresh in whichever
//! process runs the call, so `multiprocessing` children and Dask workers are safe. Building a pool
//! costs tens of microseconds per thread, nothing beside the work it runs.
//!
//! The number of threads comes from, in order: the call's `threads` argument, the
//! `FUPIN_NUM_THREADS` environment variable, `RAYON_NUM_THREADS`, and the number of CPUs.
//! Results never depend on it: every random draw is keyed by data, not by thread.

use crate::error::{Error, Result};

/// Environment variable that sets the default number of threads.
pub const THREADS_ENV: &str = "FUPIN_NUM_THREADS";

/// Resolve the number of threads for a call (see the module docs for the order).
///
/// # Errors
/// [`Error::InvalidParameter`] for `Some(0)` or an environment variable that is not a positive
/// integer.
pub fn resolve_threads(threads: Option<usize>) -> Result<usize> {
    if let Some(n) = threads {
        if n == 0 {
            return Err(Error::invalid_parameter(
                "threads",
                0,
                "must be at least 1 (or None for the default)",
            ));
        }
        return Ok(n);
    }
    for var in [THREADS_ENV, "RAYON_NUM_THREADS"] {
        if let Some(n) = parse_threads(var, std::env::var(var).ok().as_deref())? {
            return Ok(n);
        }
    }
    Ok(std::thread::available_parallelism().map_or(1, usize::from))
}

/// The thread count a variable's value asks for: `None` when unset or blank.
///
/// # Errors
/// [`Error::InvalidParameter`] naming `var` when the value is not a positive whole number.
pub fn parse_threads(var: &str, value: Option<&str>) -> Result<Option<usize>> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match text.parse::<usize>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(Error::invalid_parameter(
            var,
            format!("{text:?}"),
            "must be a positive whole number of threads",
        )),
    }
}

/// Run `work` in a fresh rayon pool of `threads` threads (resolved by [`resolve_threads`]).
///
/// # Examples
/// ```
/// use rayon::prelude::*;
/// let total: u64 = fupin_core::parallel::with_threads(Some(2), || {
///     (1..=100u64).into_par_iter().sum()
/// })
/// .unwrap();
/// assert_eq!(total, 5050);
/// ```
pub fn with_threads<R, F>(threads: Option<usize>, work: F) -> Result<R>
where
    R: Send,
    F: FnOnce() -> R + Send,
{
    Ok(pool(resolve_threads(threads)?)?.install(work))
}

/// A fresh rayon pool of `threads` threads named `fupin-<i>`.
///
/// # Errors
/// [`Error::Internal`] if the operating system refuses to start the threads.
pub fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("fupin-{i}"))
        .build()
        .map_err(|e| Error::Internal(format!("could not start {threads} threads: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_threads_win_and_zero_is_rejected() {
        assert_eq!(resolve_threads(Some(3)).unwrap(), 3);
        let e = resolve_threads(Some(0)).unwrap_err();
        assert_eq!(e.column(), Some("threads"));
    }

    #[test]
    fn variable_values_parse_or_name_the_variable() {
        assert_eq!(parse_threads(THREADS_ENV, Some(" 3 ")).unwrap(), Some(3));
        assert_eq!(parse_threads(THREADS_ENV, None).unwrap(), None);
        assert_eq!(parse_threads(THREADS_ENV, Some("  ")).unwrap(), None);
        for bad in ["0", "-2", "two"] {
            let e = parse_threads(THREADS_ENV, Some(bad)).unwrap_err();
            assert_eq!(e.column(), Some(THREADS_ENV));
        }
    }

    #[test]
    fn work_runs_on_the_requested_number_of_threads() {
        let n = with_threads(Some(3), rayon::current_num_threads).unwrap();
        assert_eq!(n, 3);
    }
}
