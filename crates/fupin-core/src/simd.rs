//! Vector instructions chosen at run time.
//!
//! The engine's hot loops are written over lanes of plain arrays (see
//! [`random::LANES`](crate::random::LANES)) so the compiler can vectorise them.
//! A default x86-64 build may only use SSE2 (two doubles per register); [`vectorized`] runs a
//! closure compiled a second time with AVX2 enabled (four doubles) when the CPU has it. The two
//! compilations give the same bits: Rust never fuses `a * b + c` into an FMA on its own, integer
//! and IEEE operations are exact or correctly rounded in both, and the engine's `exp` is
//! [`crate::fastmath::exp`], not a library call. [`set_enabled`] turns the AVX2 path off, to check
//! that claim or to compare speeds.

use std::sync::atomic::{AtomicBool, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Allow (`true`, the default) or forbid the AVX2 compilation of the engine's loops, process-wide.
pub fn set_enabled(enabled: bool) {
    ENABLED.store(enabled, Ordering::Relaxed);
}

/// Whether [`vectorized`] would run the AVX2 compilation on this machine now.
pub fn enabled() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        ENABLED.load(Ordering::Relaxed) && std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Run `f`, compiled with AVX2 where [`enabled`]. Put the work in `#[inline(always)]` functions
/// called from `f`, so it is compiled into the AVX2 copy.
#[inline(always)]
#[allow(unsafe_code)] // the one unsafe block of the workspace; its soundness argument is below
pub fn vectorized<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    if enabled() {
        // SAFETY: `avx2` is safe Rust whose only precondition is that the CPU supports AVX2, which
        // `enabled()` has just checked with `is_x86_feature_detected!("avx2")`.
        return unsafe { avx2(f) };
    }
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_compilations_agree_bit_for_bit() {
        #[inline(always)]
        fn work() -> Vec<u64> {
            let mut lanes = [0.0f64; 64];
            for (i, v) in lanes.iter_mut().enumerate() {
                let x = (i as f64 - 32.0) * 0.731;
                *v = crate::fastmath::exp(x) * 1.000_000_1 + x * x / 3.0;
            }
            lanes.iter().map(|v| v.to_bits()).collect()
        }
        let fast = vectorized(work);
        set_enabled(false);
        let plain = vectorized(work);
        set_enabled(true);
        assert_eq!(fast, plain);
        assert_eq!(plain, work());
    }
}
