//! Small registries for the engine's integration tests, built directly with `Registry::new` (no
//! dependency on the synthetic generator).
#![allow(dead_code)]

use fupin_core::random::mix64;
use fupin_core::registry::{Counties, Households, Ids, Region, Registry, Villages};

/// A deterministic registry: `villages` villages in `counties` counties (the last county west),
/// `per_village` households each, varied sizes, members, incomes around the line, some unsafe
/// housing and uninsured households, some unregistered. Household ids are scattered integers.
pub fn registry(villages: usize, per_village: usize, counties: usize) -> Registry {
    let n = villages * per_village;
    let pick =
        |i: usize, salt: u64, m: u64| (mix64(i as u64 ^ salt.wrapping_mul(0x9e37)) % m) as u16;
    let mut h = Households {
        id: Ids::Int((0..n).map(|i| 100_003 + 7919 * i as i64).collect()),
        village: (0..n).map(|i| (i % villages) as u32).collect(),
        ..Households::default()
    };
    for i in 0..n {
        let size = 1 + pick(i, 1, 6);
        h.size.push(size);
        h.income_per_capita
            .push(1500.0 + f64::from(pick(i, 2, 4000)) + 0.25 * f64::from(pick(i, 3, 4)));
        h.labour.push(pick(i, 4, u64::from(size) + 1));
        h.elderly.push(pick(i, 5, 3).min(size));
        h.students.push(pick(i, 6, 3).min(size));
        h.chronic_illness.push(pick(i, 7, 2).min(size));
        h.disability.push(u16::from(pick(i, 8, 10) == 0));
        h.housing_safe.push(pick(i, 9, 10) != 0);
        h.safe_water.push(true);
        h.insured.push(pick(i, 10, 20) != 0);
        h.inhospitable.push(false);
        h.head_education_years.push(6);
        h.causes.push(Default::default());
        h.primary_cause.push(None);
        h.weight.push(1.0);
        h.registered.push(pick(i, 11, 8) != 0);
    }
    let mut people = vec![0u32; villages];
    for i in 0..n {
        people[h.village[i] as usize] += u32::from(h.size[i]);
    }
    let v = Villages {
        id: Ids::Int((0..villages as i64).map(|v| 5000 + v * 3).collect()),
        county: (0..villages).map(|v| (v % counties) as u32).collect(),
        // Registered households are a minority of a village's people.
        population: people.iter().map(|&p| p * 4 + 10).collect(),
        region: (0..villages)
            .map(|v| {
                if v % counties == counties - 1 {
                    Region::West
                } else {
                    Region::Centre
                }
            })
            .collect(),
        poor: vec![true; villages],
    };
    let c = Counties {
        id: Ids::Int((0..counties as i64).map(|c| 410_000 + c).collect()),
        region: (0..counties)
            .map(|c| {
                if c == counties - 1 {
                    Region::West
                } else {
                    Region::Centre
                }
            })
            .collect(),
    };
    Registry::new(h, v, c).expect("valid test registry")
}

/// Rows of `registry` whose village index satisfies `keep`.
pub fn rows_where(registry: &Registry, keep: impl Fn(usize) -> bool) -> Vec<usize> {
    (0..registry.n_households())
        .filter(|&i| keep(registry.households().village[i] as usize))
        .collect()
}
