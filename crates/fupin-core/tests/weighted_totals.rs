//! Weighted totals (Σ size × weight and every partial sum of it) stay finite for every accepted
//! registry: a weight that takes Σ size × weight past 2^1023 is an error naming it (issue 12 mend;
//! `registered_people` used to be `inf` for one household of 2 people with weight 1e308).

mod common;

use fupin_core::registry::Registry;

/// The test registry (8 households) with every household given `people[i] / size[i]` as weight,
/// so that household `i` counts `people[i]` weighted people (up to rounding).
fn with_weighted_people(people: impl Fn(usize) -> f64) -> fupin_core::Result<Registry> {
    let reg = common::registry(2, 4, 1);
    let mut h = reg.households().clone();
    for i in 0..h.weight.len() {
        h.weight[i] = people(i) / f64::from(h.size[i]);
    }
    Registry::new(h, reg.villages().clone(), reg.counties().clone())
}

#[test]
fn the_weight_that_takes_the_total_past_the_bound_is_named() {
    // 2e307 people a household: the first four make 8e307 < 2^1023 ≈ 8.988e307, the fifth 1e308.
    let e = with_weighted_people(|_| 2e307).unwrap_err();
    assert_eq!(e.column(), Some("weight"), "{e}");
    assert_eq!(e.row(), Some(5), "{e}");
    let reg = common::registry(2, 4, 1);
    let expected = format!("{:?}", 2e307 / f64::from(reg.households().size[4]));
    assert_eq!(e.value(), Some(expected.as_str()), "{e}");
}

#[test]
fn one_household_with_weight_1e308_is_refused_not_infinite() {
    // The reproducer: 2 people × 1e308 = 2e308, beyond the largest finite number.
    let reg = common::registry(1, 1, 1);
    let mut h = reg.households().clone();
    h.size[0] = 2;
    h.labour[0] = h.labour[0].min(2);
    h.elderly[0] = h.elderly[0].min(2);
    h.students[0] = h.students[0].min(2);
    h.chronic_illness[0] = h.chronic_illness[0].min(2);
    h.disability[0] = h.disability[0].min(2);
    h.weight[0] = 1e308;
    let e = Registry::new(h, reg.villages().clone(), reg.counties().clone()).unwrap_err();
    assert_eq!(
        (e.column(), e.row(), e.value()),
        (Some("weight"), Some(1), Some("1e308")),
        "{e}"
    );
}

#[test]
fn totals_just_below_the_bound_are_accepted_and_finite() {
    // 1e307 people a household: 8e307 in all, below 2^1023.
    let reg = with_weighted_people(|_| 1e307).unwrap();
    let people = reg.registered_people();
    assert!(people.is_finite(), "{people}");
    // Each household counts 1e307 up to rounding of size × (1e307 / size).
    let registered = (0..8).filter(|&i| reg.households().registered[i]).count() as f64;
    assert!(
        (people / (registered * 1e307) - 1.0).abs() < 1e-14,
        "{people}"
    );
}
