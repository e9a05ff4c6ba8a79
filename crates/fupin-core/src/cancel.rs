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

    #[test]
    fn pools_built_in_a_scope_hand_the_token_to_their_threads() {
        use rayon::prelude::*;
        let t = Token::new();
        t.cancel();
        let cancelled = scope(&t, || {
            crate::parallel::with_threads(Some(3), || {
                (0..64)
                    .into_par_iter()
                    .map(|_| is_cancelled())
                    .collect::<Vec<_>>()
            })
        })
        .unwrap();
        assert!(cancelled.iter().all(|&c| c));
        // Outside any scope a pool's threads see no token.
        let free = crate::parallel::with_threads(Some(2), is_cancelled).unwrap();
        assert!(!free);
    }
}
