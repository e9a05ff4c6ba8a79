//! Cancellation of long computations (DESIGN decision 10: every call longer than a second polls
//! for cancellation).
//!
//! A caller that can be interrupted (the Python binding, on Ctrl-C) runs the work inside
//! [`scope`] with a [`Token`]; the work's loops call [`check`] (or [`poll`], which checks once
//! every [`POLL_EVERY`] iterations) and return [`Error::Cancelled`] once the token is cancelled.
//! The token is ambient — held by the thread that runs the work, and handed by
//! [`crate::parallel::pool`] to every thread of a pool built inside the scope — so no function
//! signature carries it, and code run outside any scope (plain Rust callers) never sees a
//! cancellation. Checking costs a thread-local read and a relaxed atomic load.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::error::{Error, Result};

/// Loops over rows check for cancellation once per this many iterations (see [`poll`]).
pub const POLL_EVERY: usize = 1 << 14;

/// A shared flag that cancels the work run in its [`scope`].
#[derive(Debug, Clone, Default)]
pub struct Token(Arc<AtomicBool>);

impl Token {
    /// A fresh, not cancelled token.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask the work to stop (any thread may call this).
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// True once [`Token::cancel`] has been called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Token>> = const { RefCell::new(None) };
}

/// Restores the previous token when a scope ends, also when it unwinds.
struct Restore(Option<Token>);

impl Drop for Restore {
    fn drop(&mut self) {
        let previous = self.0.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Run `work` on this thread with `token` as the ambient cancellation token.
pub fn scope<R>(token: &Token, work: impl FnOnce() -> R) -> R {
    let previous = CURRENT.with(|c| c.borrow_mut().replace(token.clone()));
    let _restore = Restore(previous);
    work()
}

/// Make `token` this thread's ambient token for the rest of its life (for the threads of a pool
/// built inside a [`scope`]; they end with the pool).
pub fn install(token: Token) {
    CURRENT.with(|c| *c.borrow_mut() = Some(token));
}

/// The ambient token of this thread, if any.
pub fn current() -> Option<Token> {
    CURRENT.with(|c| c.borrow().clone())
}

/// True when this thread's ambient token has been cancelled.
pub fn is_cancelled() -> bool {
    CURRENT.with(|c| c.borrow().as_ref().is_some_and(Token::is_cancelled))
}

/// [`Error::Cancelled`] when this thread's ambient token has been cancelled.
///
/// # Errors
/// [`Error::Cancelled`].
pub fn check() -> Result<()> {
    if is_cancelled() {
        Err(Error::Cancelled)
    } else {
        Ok(())
    }
}

/// [`check`] once every [`POLL_EVERY`] values of the loop counter `i` (at `i = 0`, too).
///
/// # Errors
/// [`Error::Cancelled`].
#[inline]
pub fn poll(i: usize) -> Result<()> {
    if i.is_multiple_of(POLL_EVERY) {
        check()
    } else {
        Ok(())
    }
}

/// Inputs of at least this many values are sorted by [`sort_by`] in parallel runs.
pub const SORT_PARALLEL_MIN: usize = 1 << 17;

/// Rows per sorted run of [`sort_by`]: a run sorts in a few milliseconds.
pub(crate) const SORT_RUN: usize = 1 << 20;

/// Sort `v` by the total order `cmp`, checking for cancellation (see [`check`]) before each run
/// of [`SORT_RUN`] rows and during each merge pass, so a sort of 10^8 values stops within a
/// fraction of a second. Inputs of [`SORT_PARALLEL_MIN`] rows or more are sorted in runs merged
/// pairwise (stable merges, one extra buffer of `v`'s length) — in parallel when called on a
/// rayon pool's thread (as inside [`crate::parallel::with_threads`]), else on the calling thread,
/// so rayon's global pool is never started. Shorter inputs sort in place. Under a total order
/// equal elements are identical, so the result is the same as any other sort.
///
/// # Errors
/// [`Error::Cancelled`].
pub fn sort_by<T, F>(v: &mut Vec<T>, cmp: F) -> Result<()>
where
    T: Copy + Send + Sync,
    F: Fn(&T, &T) -> std::cmp::Ordering + Sync,
{
    if v.len() < SORT_PARALLEL_MIN {
        v.sort_unstable_by(&cmp);
        return Ok(());
    }
    let parallel = rayon::current_thread_index().is_some();
    let sort_run = |run: &mut [T]| {
        check()?;
        run.sort_unstable_by(&cmp);
        Ok::<(), Error>(())
    };
    if parallel {
        v.par_chunks_mut(SORT_RUN).try_for_each(sort_run)?;
    } else {
        v.chunks_mut(SORT_RUN).try_for_each(sort_run)?;
    }
    let mut other = v.clone();
    let mut width = SORT_RUN;
    while width < v.len() {
        let merge_pair = |(src, dst): (&[T], &mut [T])| {
            let (a, b) = src.split_at(width.min(src.len()));
            merge(a, b, dst, &cmp);
        };
        if parallel {
            v.par_chunks(2 * width)
                .zip(other.par_chunks_mut(2 * width))
                .for_each(merge_pair);
        } else {
            v.chunks(2 * width)
                .zip(other.chunks_mut(2 * width))
                .for_each(merge_pair);
        }
        // A cancelled merge stops part-way: the check comes before the result is used.
        check()?;
        std::mem::swap(v, &mut other);
        width *= 2;
    }
    Ok(())
}

/// Merge the sorted runs `a` and `b` into `out` (`a`'s element first among equals). Returns early,
/// leaving `out` partly filled, once the work is cancelled.
fn merge<T: Copy, F: Fn(&T, &T) -> std::cmp::Ordering>(a: &[T], b: &[T], out: &mut [T], cmp: &F) {
    let (mut i, mut j) = (0, 0);
    for (k, slot) in out.iter_mut().enumerate() {
        if k.is_multiple_of(SORT_RUN) && is_cancelled() {
            return;
        }
        let take_a = j >= b.len() || (i < a.len() && cmp(&b[j], &a[i]).is_ge());
        if take_a {
            *slot = a[i];
            i += 1;
        } else {
            *slot = b[j];
            j += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scope_sees_its_token_and_restores_the_previous_one() {
        assert!(current().is_none());
        assert!(check().is_ok());
        let outer = Token::new();
        let inner = Token::new();
        scope(&outer, || {
            scope(&inner, || {
                inner.cancel();
                assert!(matches!(check(), Err(Error::Cancelled)));
                assert!(matches!(poll(0), Err(Error::Cancelled)));
                assert!(poll(1).is_ok()); // not a polling iteration
            });
            assert!(check().is_ok()); // the outer token is not cancelled
        });
        assert!(current().is_none());
    }

    #[test]
    fn the_token_is_restored_after_a_panic() {
        let t = Token::new();
        t.cancel();
        let r = std::panic::catch_unwind(|| scope(&t, || panic!("boom")));
        assert!(r.is_err());
        assert!(check().is_ok());
    }
}
