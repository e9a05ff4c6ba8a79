//! Village populations consistent with the `poor` flag, and exact integer allocation.
//!
//! Incidence is registered-poor people over the village population. A poor village gets a
//! population with incidence strictly above its exit threshold (and at most 40 %); any other
//! village one with incidence strictly below it. The comparisons are done in integers, so the
//! registry's floating-point incidence agrees with them.

use rand::Rng;

use crate::error::{Error, Result};
use crate::random::{Stream, open01};
use crate::registry::Region;

/// Range of village populations drawn, people (inclusive): rural administrative villages
/// (行政村) typically hold 1,000–3,000 registered residents (Taoyuan, for one: an agricultural
/// population of 835,000 in 451 villages and communities, about 1,850 each; seed 003).
/// A village's population leaves this range only where its incidence requires it.
pub const VILLAGE_POPULATION: (u32, u32) = (1_000, 3_000);

/// Highest incidence given to a poor village, as a fraction `num / den` (40 %; poor villages of
/// the 2014 register mostly had incidence well below half).
const MAX_POOR_INCIDENCE: (u64, u64) = (2, 5);

/// The exit threshold of `region` in percent (3 west, 2 centre and east), the integer form of
/// [`Region::exit_threshold`].
pub(crate) fn threshold_percent(region: Region) -> u64 {
    match region {
        Region::West => 3,
        Region::Centre | Region::East => 2,
    }
}

/// A population drawn uniformly in [`VILLAGE_POPULATION`].
pub(crate) fn draw_population(rng: &mut Stream) -> u64 {
    let (lo, hi) = VILLAGE_POPULATION;
    let span = f64::from(hi - lo + 1);
    u64::from(lo) + ((open01(rng.next_u64()) * span) as u64).min(u64::from(hi - lo))
}

fn to_u32(pop: u64, village: usize) -> Result<u32> {
    u32::try_from(pop).map_err(|_| {
        Error::invalid_parameter(
            "villages",
            village + 1,
            format!("village {} would need a population of {pop}, above the u32 range: use more villages", village + 1),
        )
    })
}

/// Population of a village that is not poor and has `people` registered poor: `drawn`, raised
/// where needed so that incidence is strictly below the threshold (`people × 100 < pop × pct`).
pub(crate) fn non_poor_population(
    people: u64,
    drawn: u64,
    region: Region,
    village: usize,
) -> Result<u32> {
    let pct = threshold_percent(region);
    to_u32(drawn.max(people * 100 / pct + 1), village)
}

/// Population of a poor village with `people ≥ 1` registered poor: `drawn`, moved where needed
/// into the range where incidence is above the threshold and at most 40 %.
pub(crate) fn poor_population(
    people: u64,
    drawn: u64,
    region: Region,
    village: usize,
) -> Result<u32> {
    debug_assert!(people >= 1);
    let pct = threshold_percent(region);
    // pop × pct < people × 100.
    let upper = (people * 100 - 1) / pct;
    // people / pop ≤ 2/5.
    let (num, den) = MAX_POOR_INCIDENCE;
    let lower = (people * den).div_ceil(num);
    to_u32(drawn.clamp(lower, upper), village)
}

/// Split `total` items among groups in proportion to `weights` (all > 0): `starts[j]..starts[j+1]`
/// is group `j`'s range, `starts[j] = ⌊total · Σ_{k<j} w_k / Σ w⌋` in exact integer arithmetic,
/// so the counts always sum to `total`.
pub(crate) fn allocate(total: usize, weights: &[u64]) -> Vec<usize> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    let mut starts = Vec::with_capacity(weights.len() + 1);
    let mut acc: u128 = 0;
    starts.push(0);
    for &w in weights {
        acc += u128::from(w);
        starts.push((total as u128 * acc).checked_div(sum).unwrap_or(0) as usize);
    }
    if let Some(last) = starts.last_mut() {
        *last = total;
    }
    starts
}

/// An integer weight in [2²⁰·lo, 2²⁰·hi) from one uniform draw.
pub(crate) fn draw_weight(rng: &mut Stream, lo: f64, hi: f64) -> u64 {
    let u = open01(rng.next_u64());
    ((lo + (hi - lo) * u) * f64::from(1u32 << 20)) as u64 + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::stream;

    #[test]
    fn integer_thresholds_match_the_registry() {
        for r in Region::ALL {
            assert_eq!(threshold_percent(r) as f64 / 100.0, r.exit_threshold());
        }
    }

    #[test]
    fn populations_put_incidence_on_the_right_side() {
        for region in Region::ALL {
            let thr = region.exit_threshold();
            for people in [0u64, 1, 2, 19, 20, 21, 59, 60, 61, 500, 5_000, 100_000] {
                for drawn in [1_000u64, 2_000, 3_000] {
                    let pop = non_poor_population(people, drawn, region, 0).unwrap();
                    assert!(u64::from(pop) >= people.max(drawn));
                    assert!(people as f64 / f64::from(pop) <= thr, "{people}/{pop}");
                    if people >= 1 {
                        let pop = poor_population(people, drawn, region, 0).unwrap();
                        let inc = people as f64 / f64::from(pop);
                        assert!(inc > thr && inc <= 0.4, "{people}/{pop}");
                    }
                }
            }
        }
        // Boundary: 20 people in the centre need 1,001 people to stay at or below 2 %.
        assert_eq!(
            non_poor_population(20, 900, Region::Centre, 0).unwrap(),
            1_001
        );
        // And at most 999 to be above it.
        assert_eq!(poor_population(20, 3_000, Region::Centre, 0).unwrap(), 999);
        let err = non_poor_population(100_000_000, 1_000, Region::East, 6).unwrap_err();
        assert_eq!(err.column(), Some("villages"));
    }

    #[test]
    fn allocation_is_exact_and_proportional() {
        let starts = allocate(10, &[1, 1, 2]);
        assert_eq!(starts, vec![0, 2, 5, 10]);
        let starts = allocate(7, &[3, 3, 3]);
        assert_eq!(starts, vec![0, 2, 4, 7]);
        let starts = allocate(0, &[5, 9]);
        assert_eq!(starts, vec![0, 0, 0]);
        let w: Vec<u64> = (0..1000)
            .map(|i| draw_weight(&mut stream(1, &[i]), 0.5, 1.5))
            .collect();
        let starts = allocate(123_457, &w);
        assert_eq!(*starts.last().unwrap(), 123_457);
        assert!(starts.windows(2).all(|s| s[0] <= s[1]));
    }

    #[test]
    fn drawn_populations_cover_the_range() {
        let pops: Vec<u64> = (0..5000)
            .map(|i| draw_population(&mut stream(4, &[i])))
            .collect();
        let (lo, hi) = VILLAGE_POPULATION;
        assert!(
            pops.iter()
                .all(|&p| (u64::from(lo)..=u64::from(hi)).contains(&p))
        );
        // 5,000 draws miss the 10 lowest (highest) of 2,001 values with probability e^-25.
        assert!(*pops.iter().min().unwrap() < u64::from(lo) + 10);
        assert!(*pops.iter().max().unwrap() > u64::from(hi) - 10);
    }
}
