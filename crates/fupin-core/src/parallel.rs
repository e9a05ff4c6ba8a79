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
//! Results never depend on it: every random draw is keyed by data, not by thread. Every source is
//! checked against `1..=`[`MAX_THREADS`].
//!
//! A pool built inside a [`crate::cancel::scope`] hands its cancellation token to its threads, so
//! the work it runs sees the caller's cancellation.

use crate::error::{Error, Result};

/// Environment variable that sets the default number of threads.
pub const THREADS_ENV: &str = "FUPIN_NUM_THREADS";

/// The most threads one call may ask for (the `threads` argument or either variable).
///
/// More threads than CPUs are allowed (they only share the CPUs), but not without bound: every
/// thread reserves a stack and the work is split into per-thread chunks, so a mistyped count
/// (`threads=10**6`) would spawn threads for minutes before any work. 1,024 is above the CPU count
/// of any single machine fupin targets (the largest cloud instances have 448 vCPUs) and costs at
/// most about 2 GiB of reserved (not resident) stack.
pub const MAX_THREADS: usize = 1024;

fn check_max(name: &str, value: impl std::fmt::Display, n: usize) -> Result<usize> {
    if n > MAX_THREADS {
        return Err(Error::invalid_parameter(
            name,
            value,
            format!("is more than the limit of {MAX_THREADS} threads"),
        ));
    }
    Ok(n)
}

/// Resolve the number of threads for a call (see the module docs for the order).
///
/// # Errors
/// [`Error::InvalidParameter`] for `Some(0)`, more than [`MAX_THREADS`], or an environment
/// variable that is not a whole number in `1..=MAX_THREADS`.
pub fn resolve_threads(threads: Option<usize>) -> Result<usize> {
    if let Some(n) = threads {
        if n == 0 {
            return Err(Error::invalid_parameter(
                "threads",
                0,
                "must be at least 1 (or None for the default)",
            ));
        }
        return check_max("threads", n, n);
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
/// [`Error::InvalidParameter`] naming `var` when the value is not a whole number in
/// `1..=`[`MAX_THREADS`].
pub fn parse_threads(var: &str, value: Option<&str>) -> Result<Option<usize>> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match text.parse::<usize>() {
        Ok(n) if n > 0 => check_max(var, format!("{text:?}"), n).map(Some),
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

/// A fresh rayon pool of `threads` threads named `fupin-<i>`. Its threads take the calling
/// thread's cancellation token (see [`crate::cancel`]).
///
/// # Errors
/// [`Error::InvalidParameter`] for 0 or more than [`MAX_THREADS`] threads; [`Error::Internal`] if
/// the operating system refuses to start the threads.
pub fn pool(threads: usize) -> Result<rayon::ThreadPool> {
    if threads == 0 {
        return Err(Error::invalid_parameter("threads", 0, "must be at least 1"));
    }
    check_max("threads", threads, threads)?;
    let token = crate::cancel::current();
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("fupin-{i}"))
        .start_handler(move |_| {
            if let Some(t) = &token {
                crate::cancel::install(t.clone());
            }
        })
        .build()
        .map_err(|e| Error::Internal(format!("could not start {threads} threads: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cancel::{SORT_RUN, Token, is_cancelled, scope, sort_by};

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
        assert_eq!(
            parse_threads(THREADS_ENV, Some("1024")).unwrap(),
            Some(MAX_THREADS)
        );
        for bad in ["0", "-2", "two", "1025", "1000000"] {
            let e = parse_threads(THREADS_ENV, Some(bad)).unwrap_err();
            assert_eq!(e.column(), Some(THREADS_ENV));
        }
    }

    #[test]
    fn thread_counts_above_the_cap_are_refused_naming_the_parameter() {
        assert_eq!(resolve_threads(Some(MAX_THREADS)).unwrap(), 1024);
        for n in [MAX_THREADS + 1, 1_000_000, usize::MAX] {
            let e = resolve_threads(Some(n)).unwrap_err();
            assert_eq!(e.column(), Some("threads"));
            assert_eq!(e.value(), Some(n.to_string().as_str()));
            let e = pool(n).unwrap_err();
            assert_eq!(e.column(), Some("threads"));
        }
        let e = parse_threads("RAYON_NUM_THREADS", Some("5000")).unwrap_err();
        assert_eq!(e.column(), Some("RAYON_NUM_THREADS"));
        assert_eq!(e.value(), Some("\"5000\""));
    }

    #[test]
    fn work_runs_on_the_requested_number_of_threads() {
        let n = with_threads(Some(3), rayon::current_num_threads).unwrap();
        assert_eq!(n, 3);
    }

    // Tests of cancellation across pools (they use both `cancel` and this module, which sits above
    // it).
    #[test]
    fn pools_built_in_a_scope_hand_the_token_to_their_threads() {
        use rayon::prelude::*;
        let t = Token::new();
        t.cancel();
        let cancelled = scope(&t, || {
            with_threads(Some(3), || {
                (0..64)
                    .into_par_iter()
                    .map(|_| is_cancelled())
                    .collect::<Vec<_>>()
            })
        })
        .unwrap();
        assert!(cancelled.iter().all(|&c| c));
        // Outside any scope a pool's threads see no token.
        let free = with_threads(Some(2), is_cancelled).unwrap();
        assert!(!free);
    }

    #[test]
    fn the_cancellable_sort_equals_a_plain_sort_and_stops_when_cancelled() {
        // Ragged: several runs, the last one short; many ties and negative zeros.
        let n = 3 * SORT_RUN + 12_345;
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let v: Vec<f64> = (0..n)
            .map(|i| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let x = (state % 10_000) as f64 / 8.0;
                if i % 97 == 0 { -0.0 } else { x }
            })
            .collect();
        let mut expected = v.clone();
        expected.sort_by(f64::total_cmp);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        // On the calling thread, and on a pool of three.
        let mut got = v.clone();
        sort_by(&mut got, f64::total_cmp).unwrap();
        assert_eq!(bits(&got), bits(&expected));
        let mut got = v.clone();
        with_threads(Some(3), || sort_by(&mut got, f64::total_cmp))
            .unwrap()
            .unwrap();
        assert_eq!(bits(&got), bits(&expected));

        let token = Token::new();
        token.cancel();
        let mut w = v;
        let r = scope(&token, || sort_by(&mut w, f64::total_cmp));
        assert!(matches!(r, Err(Error::Cancelled)));
    }
}
