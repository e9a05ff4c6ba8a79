//! Small registries for the measures and policy unit tests.

use crate::registry::{Cause, CauseSet, Counties, Households, Ids, Region, Registry, Villages};

/// Six households in one village of one county:
/// 0 labour 2 (capital); 1 no labour (one of two elderly); 2 disabled, labour 1; 3 two elderly of
/// three; 4 unregistered with two students; 5 inhospitable, unsafe housing, uninsured, illness.
pub fn one_village() -> Registry {
    let cause = |c: Cause| {
        let mut s = CauseSet::EMPTY;
        s.insert(c);
        s
    };
    let h = Households {
        id: Ids::Int(vec![11, 12, 13, 14, 15, 16]),
        village: vec![0; 6],
        size: vec![4, 2, 3, 3, 4, 5],
        income_per_capita: vec![2000.0, 1500.0, 2500.0, 2200.0, 2600.0, 1800.0],
        labour: vec![2, 0, 1, 1, 2, 2],
        elderly: vec![0, 1, 0, 2, 0, 0],
        students: vec![0, 0, 0, 0, 2, 0],
        chronic_illness: vec![0, 1, 0, 0, 0, 1],
        disability: vec![0, 0, 1, 0, 0, 0],
        housing_safe: vec![true, true, true, true, true, false],
        safe_water: vec![true; 6],
        insured: vec![true, true, true, true, true, false],
        inhospitable: vec![false, false, false, false, false, true],
        head_education_years: vec![6; 6],
        causes: vec![
            cause(Cause::Capital),
            cause(Cause::Labour),
            cause(Cause::Disability),
            cause(Cause::Labour),
            cause(Cause::Schooling),
            cause(Cause::Illness),
        ],
        primary_cause: vec![
            Some(Cause::Capital),
            Some(Cause::Labour),
            Some(Cause::Disability),
            Some(Cause::Labour),
            Some(Cause::Schooling),
            Some(Cause::Illness),
        ],
        weight: vec![1.0; 6],
        registered: vec![true, true, true, true, false, true],
    };
    let v = Villages {
        id: Ids::Int(vec![100]),
        county: vec![0],
        population: vec![200],
        region: vec![Region::Centre],
        poor: vec![true],
    };
    let c = Counties {
        id: Ids::Int(vec![7]),
        region: vec![Region::Centre],
    };
    Registry::new(h, v, c).expect("valid test registry")
}

/// `villages` villages of `per_village` households in `counties` counties, varied members, causes,
/// incomes around the line; deterministic.
pub fn varied(villages: usize, per_village: usize, counties: usize) -> Registry {
    let n = villages * per_village;
    let pick = |i: usize, salt: u64, m: u64| {
        (crate::random::mix64(i as u64 ^ salt.wrapping_mul(0x9e37_79b9)) % m) as u16
    };
    let mut h = Households {
        id: Ids::Int((0..n).map(|i| 1000 + 13 * i as i64).collect()),
        village: (0..n).map(|i| (i % villages) as u32).collect(),
        ..Households::default()
    };
    for i in 0..n {
        let size = 1 + pick(i, 1, 6);
        h.size.push(size);
        h.income_per_capita
            .push(1200.0 + f64::from(pick(i, 2, 3000)));
        h.labour.push(pick(i, 3, u64::from(size) + 1));
        h.elderly.push(pick(i, 4, 3).min(size));
        h.students.push(pick(i, 5, 3).min(size));
        h.chronic_illness.push(pick(i, 6, 2).min(size));
        h.disability.push(u16::from(pick(i, 7, 8) == 0));
        h.housing_safe.push(pick(i, 8, 6) != 0);
        h.safe_water.push(true);
        h.insured.push(pick(i, 9, 8) != 0);
        h.inhospitable.push(pick(i, 10, 7) == 0);
        h.head_education_years.push(6);
        let c = Cause::ALL[usize::from(pick(i, 11, 12))];
        let mut set = CauseSet::EMPTY;
        set.insert(c);
        if pick(i, 12, 3) == 0 {
            set.insert(Cause::Illness);
        }
        h.causes.push(set);
        h.primary_cause.push(Some(c));
        h.weight.push(1.0);
        h.registered.push(pick(i, 13, 10) != 0);
    }
    let mut people = vec![0u32; villages];
    for i in 0..n {
        people[h.village[i] as usize] += u32::from(h.size[i]);
    }
    let v = Villages {
        id: Ids::Int((0..villages as i64).map(|v| 500 + v).collect()),
        county: (0..villages).map(|v| (v % counties) as u32).collect(),
        population: people.iter().map(|&p| p * 3 + 5).collect(),
        region: vec![Region::Centre; villages],
        poor: vec![true; villages],
    };
    let c = Counties {
        id: Ids::Int((0..counties as i64).map(|c| 41_000 + c).collect()),
        region: vec![Region::Centre; counties],
    };
    Registry::new(h, v, c).expect("valid test registry")
}
