//! A small registry for the tests of this module.

use crate::registry::{CauseSet, Counties, Households, Ids, Region, Registry, Villages};

/// One household's fields, with defaults that pass every exit condition and record rule.
#[derive(Debug, Clone)]
pub(crate) struct H {
    pub village: u32,
    pub size: u16,
    pub income: f64,
    pub labour: u16,
    pub elderly: u16,
    pub students: u16,
    pub chronic: u16,
    pub disability: u16,
    pub housing_safe: bool,
    pub safe_water: bool,
    pub insured: bool,
    pub inhospitable: bool,
    pub education: u8,
    pub causes: CauseSet,
    pub weight: f64,
    pub registered: bool,
}

impl Default for H {
    fn default() -> Self {
        H {
            village: 0,
            size: 4,
            income: 5000.0,
            labour: 2,
            elderly: 1,
            students: 1,
            chronic: 0,
            disability: 0,
            housing_safe: true,
            safe_water: true,
            insured: true,
            inhospitable: false,
            education: 9,
            causes: CauseSet::EMPTY,
            weight: 1.0,
            registered: true,
        }
    }
}

/// Households with ids 101, 102, … in villages of `population` people each; village `v` is in
/// county `county[v]`, every county in `region`.
pub(crate) fn registry(hs: &[H], population: &[u32], county: &[u32], region: Region) -> Registry {
    let households = Households {
        id: Ids::Int((0..hs.len() as i64).map(|i| 101 + i).collect()),
        village: hs.iter().map(|h| h.village).collect(),
        size: hs.iter().map(|h| h.size).collect(),
        income_per_capita: hs.iter().map(|h| h.income).collect(),
        labour: hs.iter().map(|h| h.labour).collect(),
        elderly: hs.iter().map(|h| h.elderly).collect(),
        students: hs.iter().map(|h| h.students).collect(),
        chronic_illness: hs.iter().map(|h| h.chronic).collect(),
        disability: hs.iter().map(|h| h.disability).collect(),
        housing_safe: hs.iter().map(|h| h.housing_safe).collect(),
        safe_water: hs.iter().map(|h| h.safe_water).collect(),
        insured: hs.iter().map(|h| h.insured).collect(),
        inhospitable: hs.iter().map(|h| h.inhospitable).collect(),
        head_education_years: hs.iter().map(|h| h.education).collect(),
        causes: hs.iter().map(|h| h.causes).collect(),
        primary_cause: vec![None; hs.len()],
        weight: hs.iter().map(|h| h.weight).collect(),
        registered: hs.iter().map(|h| h.registered).collect(),
    };
    let nc = county.iter().map(|&c| c as usize + 1).max().unwrap_or(0);
    let villages = Villages {
        id: Ids::Int((0..population.len() as i64).map(|v| 1 + v).collect()),
        county: county.to_vec(),
        population: population.to_vec(),
        region: vec![region; population.len()],
        poor: vec![true; population.len()],
    };
    let counties = Counties {
        id: Ids::Int((0..nc as i64).map(|c| 900 + c).collect()),
        region: vec![region; nc],
    };
    Registry::new(households, villages, counties).unwrap()
}
