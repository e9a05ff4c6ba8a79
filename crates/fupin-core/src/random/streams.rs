//! Counter-based random draws: every draw is a pure function of its keys.
//!
//! A household draw is `random::key(seed, &[HOUSEHOLD, id_key, replicate, year, purpose])`: the
//! SplitMix64-finaliser chain of [`crate::random::key`] over the household's *external* id, the
//! replicate, the calendar year and a purpose constant ([`super::purpose`]). A village draw uses
//! `[VILLAGE, village id_key, replicate, year, purpose]`. Nothing depends on thread, chunk, the
//! household's position in the registry, or on any other draw: a draw that a branch skips (the cost
//! of a health shock that did not happen) disturbs nothing, and a measure can add draws under new
//! purposes without changing the baseline's.
//!
//! The chain is computed incrementally — one finaliser for the household-replicate, one per
//! household-year, one per draw — so a draw costs about one 64-bit mix (see the `streams` bench,
//! which compares this with Xoshiro256++ streams per household-replicate and per household-year).
//! Normal variates use rand_distr's ziggurat ([`rand_distr::StandardNormal`]) fed by a SplitMix64
//! sequence started at the draw's key (one 64-bit word in about 99 % of calls).
//!
//! The engine draws for [`LANES`] households at once ([`Keys::replicate_lanes`],
//! [`Keys::year_lanes`], [`normal_lanes`], [`uniform_lanes`]): the same keys and the same values,
//! bit for bit, as the per-household [`Draws`], computed in loops the compiler turns into SIMD code
//! (the ziggurat's accepting first step over lanes, its rare remainder per lane; see
//! `random::ziggurat`).

use rand::TryRng;
use rand::distr::Distribution;
use rand_distr::StandardNormal;

use super::{key, mix64, open01};

pub use super::purpose::{HOUSEHOLD, VILLAGE};

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// Households drawn together by the engine: 8 lanes fill two AVX2 registers of 64-bit values.
pub const LANES: usize = 8;

/// One value per lane.
pub type Lanes<T> = [T; LANES];

/// The per-position key mix of [`crate::random::key`]: `mix64(k + GOLDEN·(position + 1))`.
#[inline]
fn part(k: u64, position: u64) -> u64 {
    mix64(k.wrapping_add(GOLDEN.wrapping_mul(position + 1)))
}

/// The last link of a draw's key chain for `purpose`: precomputed for the model's own purposes.
#[inline]
fn purpose_part(precomputed: &[u64; 6], purpose: u64) -> u64 {
    match precomputed.get(purpose as usize) {
        Some(&p) => p,
        None => part(purpose, 4),
    }
}

/// Precomputed parts of the key chain for a run: the year and purpose mixes.
#[derive(Debug, Clone)]
pub struct Keys {
    seed: u64,
    years: Vec<u64>,
    purposes: [u64; 6],
}

impl Keys {
    /// Keys for a run with this seed over these calendar years.
    pub fn new(seed: u64, years: &[i32]) -> Self {
        let mut purposes = [0; 6];
        for (p, slot) in purposes.iter_mut().enumerate() {
            *slot = part(p as u64, 4);
        }
        Keys {
            seed,
            years: years.iter().map(|&y| part(y as i64 as u64, 3)).collect(),
            purposes,
        }
    }

    /// Key of an entity (household or village): `key(seed, &[domain, id_key])`.
    #[inline]
    pub fn entity(&self, domain: u64, id_key: u64) -> u64 {
        key(self.seed, &[domain, id_key])
    }

    /// Key of an entity in a replicate: `key(seed, &[domain, id_key, replicate])`.
    #[inline]
    pub fn replicate(&self, entity: u64, replicate: u32) -> u64 {
        mix64(entity ^ part(u64::from(replicate), 2))
    }

    /// [`Keys::replicate`] for each lane.
    #[inline(always)]
    pub fn replicate_lanes(&self, entities: &Lanes<u64>, replicate: u32) -> Lanes<u64> {
        let p = part(u64::from(replicate), 2);
        let mut out = [0; LANES];
        for (o, &e) in out.iter_mut().zip(entities) {
            *o = mix64(e ^ p);
        }
        out
    }

    /// The keys of [`Keys::year`] (`Draws::key`) for each lane.
    #[inline(always)]
    pub fn year_lanes(&self, replicates: &Lanes<u64>, t: usize) -> Lanes<u64> {
        let y = self.years[t];
        let mut out = [0; LANES];
        for (o, &r) in out.iter_mut().zip(replicates) {
            *o = mix64(r ^ y);
        }
        out
    }

    /// The key part of `purpose`, for [`normal_lanes`] and [`uniform_lanes`].
    #[inline]
    pub fn purpose_part(&self, purpose: u64) -> u64 {
        purpose_part(&self.purposes, purpose)
    }

    /// The draws whose key ([`Draws::key`]) is `key`, e.g. one lane of [`Keys::year_lanes`].
    #[inline]
    pub fn draws(&self, key: u64) -> Draws {
        Draws {
            key,
            purposes: self.purposes,
        }
    }

    /// Draws of an entity-replicate in the year with index `t` of the run.
    #[inline]
    pub fn year(&self, replicate: u64, t: usize) -> Draws {
        Draws {
            key: mix64(replicate ^ self.years[t]),
            purposes: self.purposes,
        }
    }
}

/// The draws of one entity (household or village) in one replicate-year.
#[derive(Debug, Clone, Copy)]
pub struct Draws {
    key: u64,
    purposes: [u64; 6],
}

impl Draws {
    /// The draws for these keys computed from scratch (the reference for [`Keys::year`]).
    pub fn at(seed: u64, domain: u64, id_key: u64, replicate: u32, year: i32) -> Draws {
        let keys = Keys::new(seed, &[year]);
        keys.year(keys.replicate(keys.entity(domain, id_key), replicate), 0)
    }

    /// The key of this entity-replicate-year: `key(seed, &[domain, id, replicate, year])`.
    #[inline]
    pub fn key(&self) -> u64 {
        self.key
    }

    /// The 64 random bits for `purpose`: `key(seed, &[domain, id, replicate, year, purpose])`.
    #[inline]
    pub fn bits(&self, purpose: u64) -> u64 {
        mix64(self.key ^ purpose_part(&self.purposes, purpose))
    }

    /// A uniform draw in (0, 1) for `purpose`.
    #[inline]
    pub fn uniform(&self, purpose: u64) -> f64 {
        open01(self.bits(purpose))
    }

    /// A standard normal draw for `purpose`: rand_distr's ziggurat on the SplitMix64 sequence whose
    /// k-th word (k = 1, 2, …; one word in about 99 % of draws) is
    /// `mix64((key ^ part(purpose)) + k·γ)` — the same chain as [`Draws::bits`] without its last mix,
    /// so a normal costs one 64-bit mix.
    #[inline]
    pub fn normal(&self, purpose: u64) -> f64 {
        let mut rng = SplitMix {
            state: self.key ^ purpose_part(&self.purposes, purpose),
        };
        StandardNormal.sample(&mut rng)
    }
}

/// [`Draws::uniform`] for each lane: `year_keys` from [`Keys::year_lanes`], `part` from
/// [`Keys::purpose_part`].
#[inline(always)]
pub fn uniform_lanes(year_keys: &Lanes<u64>, part: u64) -> Lanes<f64> {
    let mut out = [0.0; LANES];
    for (o, &k) in out.iter_mut().zip(year_keys) {
        *o = open01(mix64(k ^ part));
    }
    out
}

/// [`Draws::normal`] for each lane, bit for bit.
#[inline(always)]
pub fn normal_lanes(year_keys: &Lanes<u64>, part: u64) -> Lanes<f64> {
    let mut out = [0.0; LANES];
    let mut limit = [0.0; LANES];
    for ((o, lim), &k) in out.iter_mut().zip(&mut limit).zip(year_keys) {
        (*o, *lim) = super::ziggurat::first_step(mix64((k ^ part).wrapping_add(GOLDEN)));
    }
    // One well-predicted branch per block (all lanes accepted in about 92 % of blocks) instead of
    // one per lane, and a single out-of-line call site, so the vector registers stay live.
    let mut all_accepted = true;
    for (&x, &lim) in out.iter().zip(&limit) {
        all_accepted &= super::ziggurat::accepts(x, lim);
    }
    if !all_accepted {
        finish_rejected(&mut out, &limit, year_keys, part);
    }
    out
}

/// The lanes of [`normal_lanes`] whose first ziggurat step rejected, finished by rand_distr.
#[cold]
#[inline(never)]
fn finish_rejected(out: &mut Lanes<f64>, limit: &Lanes<f64>, year_keys: &Lanes<u64>, part: u64) {
    for ((o, &lim), &k) in out.iter_mut().zip(limit).zip(year_keys) {
        if !super::ziggurat::accepts(*o, lim) {
            *o = super::ziggurat::finish(k ^ part);
        }
    }
}

/// Normal draws wanted for a sparse subset of household-years (a health shock's cost: about one in
/// seven), collected without a branch per lane and drawn [`LANES`] at a time by [`normal_lanes`]:
/// the same values as [`Draws::normal`].
///
/// Push at most [`LANES`] household-years between checks of [`SparseNormals::is_full`], and
/// [`SparseNormals::draw`] when it is; draw the remainder at the end.
#[derive(Debug, Clone, Default)]
pub struct SparseNormals {
    /// Year keys ([`Keys::year_lanes`]) and caller's slots of the wanted draws.
    keys: [u64; 2 * LANES],
    slots: [usize; 2 * LANES],
    len: usize,
}

impl SparseNormals {
    /// Offer a household-year: its key and slot are always written, and kept only if `wanted`.
    #[inline(always)]
    pub fn push(&mut self, year_key: u64, slot: usize, wanted: bool) {
        let i = self.len % (2 * LANES);
        self.keys[i] = year_key;
        self.slots[i] = slot;
        self.len += usize::from(wanted);
    }

    /// Whether a whole group of [`LANES`] is pending.
    #[inline(always)]
    pub fn is_full(&self) -> bool {
        self.len >= LANES
    }

    /// Whether nothing is pending.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Draw the first (up to) [`LANES`] pending normals for the purpose `part`
    /// ([`Keys::purpose_part`]): their values and slots, of which the first `count` are real; the
    /// rest stay pending.
    #[inline(always)]
    pub fn draw(&mut self, part: u64) -> (Lanes<f64>, Lanes<usize>, usize) {
        let mut keys = [0u64; LANES];
        keys.copy_from_slice(&self.keys[..LANES]);
        let mut slots = [0usize; LANES];
        slots.copy_from_slice(&self.slots[..LANES]);
        let count = self.len.min(LANES);
        self.keys.copy_within(LANES.., 0);
        self.slots.copy_within(LANES.., 0);
        self.len -= count;
        (normal_lanes(&keys, part), slots, count)
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014) as a `rand` generator: the ziggurat's word source.
#[derive(Debug, Clone)]
pub struct SplitMix {
    /// The counter.
    pub state: u64,
}

impl TryRng for SplitMix {
    type Error = core::convert::Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.state = self.state.wrapping_add(GOLDEN);
        Ok(mix64(self.state))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::purpose;

    #[test]
    fn incremental_chain_equals_rng_key() {
        let keys = Keys::new(42, &[2016, 2017, 2018]);
        let hh = keys.entity(HOUSEHOLD, 12345);
        let r = keys.replicate(hh, 7);
        for (t, year) in [2016i32, 2017, 2018].into_iter().enumerate() {
            let d = keys.year(r, t);
            assert_eq!(d.key(), key(42, &[HOUSEHOLD, 12345, 7, year as u64]));
            for p in [0, 1, 3, 5, 1000, 123_456] {
                assert_eq!(
                    d.bits(p),
                    key(42, &[HOUSEHOLD, 12345, 7, year as u64, p]),
                    "purpose {p}"
                );
            }
            assert_eq!(Draws::at(42, HOUSEHOLD, 12345, 7, year).key(), d.key());
        }
        // Domains, seeds, replicates and years all separate the streams.
        let base = Draws::at(1, HOUSEHOLD, 5, 0, 2016).key();
        assert_ne!(base, Draws::at(1, VILLAGE, 5, 0, 2016).key());
        assert_ne!(base, Draws::at(2, HOUSEHOLD, 5, 0, 2016).key());
        assert_ne!(base, Draws::at(1, HOUSEHOLD, 5, 1, 2016).key());
        assert_ne!(base, Draws::at(1, HOUSEHOLD, 5, 0, 2017).key());
    }

    #[test]
    fn normal_and_uniform_moments() {
        // Independent check of the draws' distribution: mean, variance and a tail frequency of
        // 200,000 normals against N(0, 1); the uniform's mean against 1/2.
        let keys = Keys::new(9, &[2020]);
        let n = 200_000;
        let (mut s, mut s2, mut tail, mut su) = (0.0, 0.0, 0usize, 0.0);
        for i in 0..n {
            let d = keys.year(keys.replicate(keys.entity(HOUSEHOLD, i), 0), 0);
            let z = d.normal(purpose::TRANSITORY);
            s += z;
            s2 += z * z;
            tail += usize::from(z > 1.959_963_985);
            su += d.uniform(purpose::HEALTH);
        }
        let nf = n as f64;
        let mean = s / nf;
        let var = s2 / nf - mean * mean;
        // 5 standard errors.
        assert!(mean.abs() < 5.0 / nf.sqrt(), "mean {mean}");
        assert!((var - 1.0).abs() < 5.0 * (2.0 / nf).sqrt(), "var {var}");
        let p = tail as f64 / nf;
        assert!(
            (p - 0.025).abs() < 5.0 * (0.025 * 0.975 / nf).sqrt(),
            "tail {p}"
        );
        assert!((su / nf - 0.5).abs() < 5.0 * (1.0 / 12.0 / nf).sqrt());
    }

    #[test]
    fn purposes_are_uncorrelated() {
        let keys = Keys::new(3, &[2016]);
        let n = 100_000;
        let mut sxy = 0.0;
        for i in 0..n {
            let d = keys.year(keys.replicate(keys.entity(HOUSEHOLD, i), 0), 0);
            sxy += d.normal(purpose::TRANSITORY) * d.normal(purpose::PERSISTENT);
        }
        let r = sxy / n as f64;
        assert!(r.abs() < 5.0 / (n as f64).sqrt(), "correlation {r}");
    }
}
