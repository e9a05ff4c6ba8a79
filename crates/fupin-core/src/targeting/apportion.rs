//! Exact largest-remainder (Hamilton) apportionment.
//!
//! Every finite `f64` is exactly `m · 2^e` (an integer mantissa `m < 2⁵³`, `e ≥ −1074`), so positive
//! weights `pᵢ = mᵢ · 2^eᵢ` scaled by `2^−min e` are integers `Pᵢ` (big integers: exponents span
//! up to 2,098 bits). A unit's exact share of `total` is `total · Pᵢ / ΣP`: its floor and its
//! remainder `total · Pᵢ mod ΣP` (all remainders over the same denominator) are computed and
//! compared exactly, so remainders equal in exact arithmetic are equal here, and ties go by rank.

use num_bigint::BigUint;

/// `x = m · 2^e` exactly, for finite `x > 0`.
fn parts(x: f64) -> (u64, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), exp - 1075)
    }
}

/// Largest-remainder apportionment of `total` among `pool` (indices into `p`, each `p[i]` finite
/// and > 0): `(unit, seats)` for each unit of `pool`, in `pool`'s order. Seats left after the
/// floors go one each to the largest exact remainders; equal remainders to the lower `rank[i]`.
pub(super) fn hamilton(total: u64, p: &[f64], pool: &[usize], rank: &[usize]) -> Vec<(usize, u64)> {
    let split: Vec<(u64, i32)> = pool.iter().map(|&i| parts(p[i])).collect();
    let Some(e_min) = split.iter().map(|&(_, e)| e).min() else {
        return Vec::new();
    };
    let scaled: Vec<BigUint> = split
        .iter()
        .map(|&(m, e)| BigUint::from(m) << (e - e_min) as usize)
        .collect();
    let sum: BigUint = scaled.iter().sum();
    let total_big = BigUint::from(total);
    let mut seats = Vec::with_capacity(pool.len());
    let mut remainders = Vec::with_capacity(pool.len());
    for s in &scaled {
        let t = s * &total_big;
        // floor(total · Pᵢ / ΣP) ≤ total, so it fits in u64.
        seats.push(u64::try_from(&t / &sum).unwrap_or(total));
        remainders.push(t % &sum);
    }
    let assigned: u64 = seats.iter().sum();
    // Σ floors > total − |pool|, so fewer seats are left than units: one each at most.
    let left = total.saturating_sub(assigned) as usize;
    let mut order: Vec<usize> = (0..pool.len()).collect();
    order.sort_by(|&a, &b| {
        remainders[b]
            .cmp(&remainders[a])
            .then(rank[pool[a]].cmp(&rank[pool[b]]))
    });
    for &o in order.iter().take(left) {
        seats[o] += 1;
    }
    pool.iter().copied().zip(seats).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_exact() {
        for x in [
            1.0,
            0.1,
            3.5,
            5e-324,
            2.2250738585072014e-308,
            f64::MAX,
            1e300,
        ] {
            let (m, e) = parts(x);
            assert!(m < 1 << 53);
            // m · 2^e rebuilt in two steps (each exact) gives x back.
            let half = e / 2;
            assert_eq!(m as f64 * 2f64.powi(half) * 2f64.powi(e - half), x, "{x}");
        }
    }

    #[test]
    fn equal_exact_remainders_tie_by_rank() {
        // 2 × 4/6 = 1.333…, 2 × 1/6 = 0.333… twice: floors 1, 0, 0 and three remainders of
        // exactly 1/3 (in floating point 2·4/6 − 1 < 2·1/6), so the last seat goes by rank.
        let p = [4.0, 1.0, 1.0];
        assert_eq!(
            hamilton(2, &p, &[0, 1, 2], &[0, 1, 2]),
            vec![(0, 2), (1, 0), (2, 0)]
        );
        assert_eq!(
            hamilton(2, &p, &[0, 1, 2], &[2, 0, 1]),
            vec![(0, 1), (1, 1), (2, 0)]
        );
        // Weights 1e300 and 5e-324 side by side: the tiny unit's share is not lost.
        assert_eq!(
            hamilton(1, &[1e300, 5e-324], &[0, 1], &[1, 0]),
            vec![(0, 1), (1, 0)]
        );
    }
}
