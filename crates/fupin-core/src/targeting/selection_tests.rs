//! Tests of threshold and quota selection.

use proptest::prelude::*;

use super::*;
use crate::registry::Region;
use crate::targeting::testutil::{H, registry};

#[test]
fn threshold_selects_strictly_below() {
    assert_eq!(
        select_below(&[1.0, 2.0, 3.0], 2.0).unwrap(),
        vec![true, false, false]
    );
    let e = select_below(&[1.0, f64::NAN], 2.0).unwrap_err();
    assert_eq!((e.column(), e.row()), (Some("scores"), Some(2)));
    assert!(select_below(&[1.0], f64::NAN).is_err());
}

#[test]
fn hamilton_by_hand() {
    // Exact shares 5.5, 3.2, 1.3 → floors 5, 3, 1 (9); one seat left to the largest remainder 0.5.
    assert_eq!(
        allocate_quota(10, &[5.5, 3.2, 1.3], None).unwrap(),
        vec![6, 3, 1]
    );
    // Shares of 7 in 1:1:1:1 → 1.75 each: floors 4, three seats to the lowest indices.
    assert_eq!(
        allocate_quota(7, &[2.0; 4], None).unwrap(),
        vec![2, 2, 2, 1]
    );
    // A zero-poverty unit gets nothing.
    assert_eq!(allocate_quota(5, &[0.0, 1.0], None).unwrap(), vec![0, 5]);
}

#[test]
fn remainders_equal_in_exact_arithmetic_tie_by_index() {
    // 2 × (4, 1, 1)/6 = 1⅓, ⅓, ⅓: floors 1, 0, 0 and three remainders of exactly ⅓, so the seat
    // left goes to the lowest index. In floating point 2·4/6 − 1 < 2·1/6, which gave [1, 1, 0].
    assert_eq!(
        allocate_quota(2, &[4.0, 1.0, 1.0], None).unwrap(),
        vec![2, 0, 0]
    );
    // Quota selection inherits it through the top-down allocation.
    let plan = allocate_top_down(2, &[4.0, 1.0, 1.0], &[0, 0, 0], &[5, 5, 5], None).unwrap();
    assert_eq!(plan.village, vec![2, 0, 0]);
    // 0.1 + 0.2 ≠ 0.3 in floating point, but the exact shares of 0.1, 0.2 (as the binary
    // fractions they are) are compared exactly: 3 × 0.1/0.3… and 3 × 0.2/0.3… → 1, 2.
    assert_eq!(allocate_quota(3, &[0.1, 0.2], None).unwrap(), vec![1, 2]);
}

/// Brute-force Hamilton in u128 for dyadic weights `k / 2^d` (scaled by 2⁴ to integers).
fn hamilton_by_integers(total: u64, k: &[u64], d: &[u32]) -> Vec<u64> {
    let big: Vec<u128> = k
        .iter()
        .zip(d)
        .map(|(&k, &d)| u128::from(k) << (4 - d))
        .collect();
    let sum: u128 = big.iter().sum();
    let t = u128::from(total);
    let mut q: Vec<u64> = big.iter().map(|&b| (t * b / sum) as u64).collect();
    let rem: Vec<u128> = big.iter().map(|&b| t * b % sum).collect();
    let left = total - q.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..k.len()).collect();
    order.sort_by(|&a, &b| rem[b].cmp(&rem[a]).then(a.cmp(&b)));
    for &i in order.iter().take(left as usize) {
        q[i] += 1;
    }
    q
}

proptest! {
    #[test]
    fn hamilton_agrees_with_exact_integer_arithmetic(
        k in proptest::collection::vec(0u64..12, 1..9),
        d in proptest::collection::vec(0u32..5, 9),
        total in 0u64..40,
    ) {
        prop_assume!(k.iter().any(|&x| x > 0));
        let d = &d[..k.len()];
        let p: Vec<f64> = k.iter().zip(d).map(|(&k, &d)| k as f64 / f64::from(1u32 << d)).collect();
        prop_assert_eq!(allocate_quota(total, &p, None).unwrap(), hamilton_by_integers(total, &k, d));
    }
}

#[test]
fn capacity_redistributes_the_excess() {
    // 12 in proportion 6:3:1 → 7.2, 3.6, 1.2 → 7, 4, 1; cap 3 on the first → excess 4 to the
    // others in proportion 3:1 → 3, 1 → final 3, 7, 2. Both others still have room.
    assert_eq!(
        allocate_quota(12, &[6.0, 3.0, 1.0], Some(&[3, 10, 10])).unwrap(),
        vec![3, 7, 2]
    );
    // When every unit with poverty is full, the rest goes by remaining capacity.
    assert_eq!(
        allocate_quota(6, &[1.0, 0.0, 0.0], Some(&[2, 3, 1])).unwrap(),
        vec![2, 3, 1]
    );
}

#[test]
fn quota_errors_are_named() {
    let e = allocate_quota(11, &[1.0, 1.0], Some(&[5, 5])).unwrap_err();
    assert_eq!((e.column(), e.value()), (Some("total"), Some("11")));
    let e = allocate_quota(1, &[1.0, -1.0], None).unwrap_err();
    assert_eq!((e.column(), e.row()), (Some("poverty"), Some(2)));
    assert!(allocate_quota(1, &[0.0, 0.0], None).is_err());
    assert_eq!(allocate_quota(0, &[0.0, 0.0], None).unwrap(), vec![0, 0]);
    assert!(allocate_quota(1, &[1.0], Some(&[1, 1])).is_err());
    let e = select_by_quota(&[1.0, 2.0], &[0, 0], &[3], None).unwrap_err();
    assert_eq!(
        (e.column(), e.row(), e.value()),
        (Some("village_quota"), Some(1), Some("3"))
    );
    let e = select_by_quota(&[1.0, 2.0], &[0, 1], &[1], None).unwrap_err();
    assert_eq!((e.column(), e.row()), (Some("household_village"), Some(2)));
    let e = allocate_top_down(2, &[1.0, -2.0], &[0, 0], &[3, 3], None).unwrap_err();
    assert_eq!((e.column(), e.row()), (Some("village_poverty"), Some(2)));
}

proptest! {
    #[test]
    fn quotas_sum_exactly_and_respect_capacity(
        p in proptest::collection::vec(0.0f64..100.0, 1..30),
        caps in proptest::collection::vec(0u64..40, 30),
        frac in 0.0f64..1.0,
    ) {
        let n = p.len();
        let cap = &caps[..n];
        let room: u64 = cap.iter().sum();
        let total = (room as f64 * frac).floor() as u64;
        let q = allocate_quota(total, &p, Some(cap)).unwrap();
        prop_assert_eq!(q.iter().sum::<u64>(), total);
        for i in 0..n {
            prop_assert!(q[i] <= cap[i]);
        }
        // Without capacities every quota is its exact share rounded down or up (quota property).
        if p.iter().any(|x| *x > 0.0) {
            let q = allocate_quota(total, &p, None).unwrap();
            prop_assert_eq!(q.iter().sum::<u64>(), total);
            let s: f64 = p.iter().sum();
            for i in 0..n {
                let exact = total as f64 * p[i] / s;
                prop_assert!(q[i] as f64 >= exact.floor() - 1e-9 && q[i] as f64 <= exact.ceil() + 1e-9);
            }
        }
    }
}

#[test]
fn top_down_by_hand() {
    // Counties: 0 has villages 0, 1 (poverty 3, 1); county 1 has village 2 (poverty 4).
    // 10 → counties 5, 5; county 0: 5 × 3/4 = 3.75, 1.25 → 3, 1, remainder to village 0 → 4, 1.
    let plan = allocate_top_down(10, &[3.0, 1.0, 4.0], &[0, 0, 1], &[10, 10, 10], None).unwrap();
    assert_eq!(plan.county, vec![5, 5]);
    assert_eq!(plan.village, vec![4, 1, 5]);
    // Village 2 holds only 3 households: county 1 capped at 3, the excess 2 goes to county 0.
    let plan = allocate_top_down(10, &[3.0, 1.0, 4.0], &[0, 0, 1], &[10, 10, 3], None).unwrap();
    assert_eq!(plan.county, vec![7, 3]);
    assert_eq!(plan.village.iter().sum::<u64>(), 10);
    // 7 × 3/4 = 5.25, 1.75 → 5, 1, remainder to village 1 (0.75 > 0.25) → 5, 2.
    assert_eq!(plan.village, vec![5, 2, 3]);
}

#[test]
fn lowest_scores_per_village_with_index_ties() {
    let scores = [5.0, 1.0, 3.0, 3.0, 2.0, 9.0];
    let village = [0, 0, 0, 0, 1, 1];
    // Village 0 takes 2: score 1 (row 1), then the tie at 3 goes to the earlier row 2.
    let s = select_by_quota(&scores, &village, &[2, 1], None).unwrap();
    assert_eq!(s, vec![false, true, true, false, true, false]);
}

#[test]
fn quota_selection_on_a_registry() {
    let hs: Vec<H> = (0..8)
        .map(|i| H {
            village: if i < 5 { 0 } else { 1 },
            ..H::default()
        })
        .collect();
    let reg = registry(&hs, &[100, 100], &[0, 0], Region::Centre);
    // Scores: village 0 has 3 below 2.0, village 1 has 1 below.
    let scores = [1.0, 1.5, 1.8, 3.0, 4.0, 0.5, 2.5, 3.5];
    let q = quota_selection(&reg, &scores, 2.0, 4).unwrap();
    assert_eq!(q.village_poverty, vec![3.0, 1.0]);
    assert_eq!(q.plan.village, vec![3, 1]);
    assert_eq!(
        q.selected,
        vec![true, true, true, false, false, true, false, false]
    );
    assert!(quota_selection(&reg, &scores[..3], 2.0, 4).is_err());
    let e = quota_selection(&reg, &scores, 2.0, 9).unwrap_err();
    assert_eq!(e.column(), Some("total"));
}
