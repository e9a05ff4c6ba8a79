//! Keyed random streams: every draw is a pure function of a seed and a tuple of keys.
//!
//! A stream is a [`Xoshiro256PlusPlus`] generator (a fixed, documented algorithm, so results never
//! change with a `rand` upgrade) whose 256-bit state is derived from `(seed, keys…)` by chaining the
//! SplitMix64 finaliser. Keys are things like a household's *external* id, a replicate, a year and a
//! purpose constant — never a thread, chunk or position in a shard — so results do not depend on
//! thread count, chunking, household order or sharding.
//!
//! The engine's counter-based draws are in [`streams`] (with the ziggurat over lanes), and every
//! purpose constant of every draw in the crate is in [`purpose`], one table checked for
//! collisions. A leaf: it imports nothing from the crate's domain modules; the registry keys its
//! external ids through [`int_key`] and [`text_key`].

use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

pub mod purpose;
pub mod streams;
mod ziggurat;

pub use streams::{
    Draws, HOUSEHOLD, Keys, LANES, Lanes, SparseNormals, SplitMix, VILLAGE, normal_lanes,
    uniform_lanes,
};

/// The generator behind every stream.
pub type Stream = Xoshiro256PlusPlus;

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer with full avalanche.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// Fold `keys` into one 64-bit key under `seed`. Order matters: `(1, 2)` and `(2, 1)` differ.
#[inline]
pub fn key(seed: u64, keys: &[u64]) -> u64 {
    let mut h = mix64(seed ^ GOLDEN);
    for (i, &k) in keys.iter().enumerate() {
        h = mix64(h ^ mix64(k.wrapping_add(GOLDEN.wrapping_mul(i as u64 + 1))));
    }
    h
}

/// A generator seeded from `(seed, keys…)`.
#[inline]
pub fn stream(seed: u64, keys: &[u64]) -> Stream {
    let k = key(seed, keys);
    let mut s = [0u8; 32];
    let mut z = k;
    for chunk in s.chunks_exact_mut(8) {
        z = z.wrapping_add(GOLDEN);
        chunk.copy_from_slice(&mix64(z).to_le_bytes());
    }
    // An all-zero state is the one state Xoshiro cannot leave; SplitMix64 outputs of four
    // consecutive counters are never all zero, but guard anyway.
    if s.iter().all(|&b| b == 0) {
        s[0] = 1;
    }
    Xoshiro256PlusPlus::from_seed(s)
}

/// The stable 64-bit key of an integer external id: the integer itself (two's complement).
#[inline]
pub fn int_key(id: i64) -> u64 {
    id as u64
}

/// The stable 64-bit key of a text external id: FNV-1a, mixed away from small integer keys.
/// Text and integer ids never need to agree (a registry holds one kind).
#[inline]
pub fn text_key(id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // Keep text keys apart from small integer keys.
    mix64(h ^ 0x7465_7874)
}

/// A uniform draw in the open interval (0, 1) from 52 random bits: never exactly 0 or 1, so logs
/// and inverse CDFs stay finite (the largest value is 1 − 2⁻⁵³, exactly representable).
#[inline]
pub fn open01(bits: u64) -> f64 {
    // (k + ½)·2⁻⁵² for the top 52 bits k, built from the bits of 1 + k·2⁻⁵² (exact, and free of
    // the integer-to-float conversion that has no AVX2 instruction, so loops over lanes vectorise).
    let one_plus = f64::from_bits((bits >> 12) | 0x3ff0_0000_0000_0000);
    (one_plus - 1.0) + HALF_ULP_OF_ONE
}

/// 2⁻⁵³.
const HALF_ULP_OF_ONE: f64 = 1.0 / (1u64 << 53) as f64;

#[cfg(test)]
mod tests {
    use rand::Rng;

    use super::*;

    #[test]
    fn streams_are_pure_functions_of_their_keys() {
        let a: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(stream(7, &[1, 2, 3]), |s, _: u64| Some(s.next_u64()))
            .collect();
        let b: Vec<u64> = (0..4)
            .map(|_| 0)
            .scan(stream(7, &[1, 2, 3]), |s, _: u64| Some(s.next_u64()))
            .collect();
        assert_eq!(a, b);
        assert_ne!(key(7, &[1, 2]), key(7, &[2, 1]));
        assert_ne!(key(7, &[1]), key(8, &[1]));
        assert_ne!(key(7, &[0]), key(7, &[0, 0]));
    }

    #[test]
    fn open01_stays_inside() {
        assert!(open01(0) > 0.0);
        assert!(open01(u64::MAX) < 1.0);
        // The bit construction equals the arithmetic definition (k + ½)·2⁻⁵², exactly.
        for bits in [
            0u64,
            1 << 12,
            12_345 << 12,
            u64::MAX,
            0x0123_4567_89ab_cdef,
            1 << 63,
        ] {
            let k = (bits >> 12) as f64;
            assert_eq!(open01(bits), (k + 0.5) * (1.0 / (1u64 << 52) as f64));
        }
    }

    #[test]
    fn id_keys_are_stable() {
        assert_eq!(int_key(42), 42);
        assert_eq!(int_key(-1), u64::MAX);
        assert_eq!(text_key("a"), text_key("a"));
        assert_ne!(text_key("a"), text_key("b"));
        // FNV-1a of the empty text is its offset basis, then the mix.
        assert_eq!(text_key(""), mix64(0xcbf2_9ce4_8422_2325 ^ 0x7465_7874));
    }
}
