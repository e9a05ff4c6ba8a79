//! The household model: size, causes of poverty, members, flags and income, drawn so that the
//! attributes agree with the causes.
//!
//! Consistency rules every drawn household satisfies (checked over every household in the tests):
//! - illness (因病) ⇒ `chronic_illness ≥ 1`; disability (因残) ⇒ `disability ≥ 1`;
//! - schooling (因学) ⇒ `students ≥ 1` (only households of two or more name it);
//! - lack of labour (缺劳力) ⇒ `labour ≤ 1` and `elderly ≥ 1`;
//! - lack of skills (缺技术) or of motivation (自身发展动力不足) ⇒ `labour ≥ 1`; lack of skills ⇒
//!   head schooled at most 9 years;
//! - lack of water (缺水) ⇒ no safe drinking water;
//! - `labour + elderly + students ≤ size` (the three are disjoint roles); every count ≤ size;
//! - at least one cause, and the primary cause is one of them.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::random::{Stream, open01};
use crate::registry::{Cause, CauseSet};

/// Probability that a registered household names each cause of poverty (several per household).
///
/// Defaults: illness 0.42 — poverty through illness made up 42 % of registered poor households
/// (National Health and Family Planning Commission with the State Council Leading Group Office of
/// Poverty Alleviation, 2016 survey of the register). After illness, the register's most frequent
/// causes were lack of capital, of skills and of labour (about 35 %, 22 % and 17 % of households in
/// LGOP summaries of the 2014 register); the smaller shares are plausible assumptions of this
/// crate, not published figures. `schooling` applies to households of two or more, `skills` and
/// `motivation` to households with room for a working member. A household that draws no cause at
/// all draws the non-illness causes again (up to 8 times, then `other`), so the realised share of
/// every cause but illness is slightly above its probability; illness is exactly its probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CauseShares {
    /// 因病 (default 0.42).
    pub illness: f64,
    /// 因残 (default 0.10).
    pub disability: f64,
    /// 因学, among households of two or more (default 0.11).
    pub schooling: f64,
    /// 因灾 (default 0.08).
    pub disaster: f64,
    /// 因婚 (default 0.01).
    pub marriage: f64,
    /// 缺土地 (default 0.05).
    pub land: f64,
    /// 缺水 (default 0.03).
    pub water: f64,
    /// 缺技术, among households with room for a worker (default 0.22).
    pub skills: f64,
    /// 缺资金 (default 0.35).
    pub capital: f64,
    /// 缺劳力 (default 0.17).
    pub labour: f64,
    /// 交通条件落后 (default 0.06).
    pub transport: f64,
    /// 自身发展动力不足, among households with room for a worker (default 0.05).
    pub motivation: f64,
    /// 其他 (default 0.03).
    pub other: f64,
}

impl Default for CauseShares {
    fn default() -> Self {
        CauseShares {
            illness: 0.42,
            disability: 0.10,
            schooling: 0.11,
            disaster: 0.08,
            marriage: 0.01,
            land: 0.05,
            water: 0.03,
            skills: 0.22,
            capital: 0.35,
            labour: 0.17,
            transport: 0.06,
            motivation: 0.05,
            other: 0.03,
        }
    }
}

impl CauseShares {
    /// The probabilities in [`Cause`] code order.
    pub fn probabilities(&self) -> [f64; 13] {
        [
            self.illness,
            self.disability,
            self.schooling,
            self.disaster,
            self.marriage,
            self.land,
            self.water,
            self.skills,
            self.capital,
            self.labour,
            self.transport,
            self.motivation,
            self.other,
        ]
    }

    /// Check every probability is a finite number in [0, 1].
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming the cause (`causes.illness`, …) and its value.
    pub fn validate(&self) -> Result<()> {
        for (cause, p) in Cause::ALL.iter().zip(self.probabilities()) {
            if !(p.is_finite() && (0.0..=1.0).contains(&p)) {
                return Err(Error::invalid_parameter(
                    format!("causes.{}", cause.code()),
                    p,
                    "is not a probability in [0, 1]",
                ));
            }
        }
        Ok(())
    }
}

/// Weight of each cause when choosing the primary cause among a household's causes (code order).
/// Assumption of this crate: causes that make a household poor on their own (illness, disability,
/// lack of labour, schooling, disaster) are named primary more often than enabling ones.
const PRIMARY_WEIGHT: [f64; 13] = [
    5.0, 4.0, 3.0, 3.0, 1.0, 1.0, 1.0, 1.5, 1.0, 3.0, 1.0, 1.0, 0.5,
];

/// One drawn household (no heap data; written straight into the registry's columns).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Draw {
    pub income_per_capita: f64,
    pub labour: u16,
    pub elderly: u16,
    pub students: u16,
    pub chronic_illness: u16,
    pub disability: u16,
    pub housing_safe: bool,
    pub safe_water: bool,
    pub insured: bool,
    pub inhospitable: bool,
    pub head_education_years: u8,
    pub causes: CauseSet,
    pub primary_cause: Option<Cause>,
    /// `u / p_unsafe`: the housing is unsafe when below 1; ranking by it picks the households most
    /// at risk when a preset publishes an exact count of unsafe housing.
    pub housing_score: f64,
}

/// Model constants (assumptions of this crate unless a source is named).
pub(crate) mod model {
    /// Median income of a registered household relative to the line, before the labour effect:
    /// with σ = 0.4 about 80 % of registered households fall below the line and most of the rest
    /// lie just above it (registration happened near the line).
    pub const INCOME_MEDIAN_RATIO: f64 = 0.72;
    /// Dispersion of log income.
    pub const INCOME_SIGMA: f64 = 0.40;
    /// Log-income effects: labour share of members (multiplier 0.85 + 0.30 × labour/size), lack of
    /// labour, illness.
    pub const LABOUR_BASE: f64 = 0.85;
    /// See [`LABOUR_BASE`].
    pub const LABOUR_SLOPE: f64 = 0.30;
    /// Log-income shift for households lacking labour.
    pub const LACK_LABOUR_SHIFT: f64 = -0.10;
    /// Log-income shift for households poor through illness.
    pub const ILLNESS_SHIFT: f64 = -0.05;
    /// Probability of unsafe housing: base, with disaster, when inhospitable (added).
    pub const UNSAFE_HOUSING: [f64; 3] = [0.12, 0.25, 0.15];
    /// Probability of an inhospitable location with and without a land, water, transport or
    /// disaster cause.
    pub const INHOSPITABLE: [f64; 2] = [0.25, 0.03];
    /// Probability of unsafe drinking water without the water cause, when inhospitable or not.
    pub const UNSAFE_WATER: [f64; 2] = [0.20, 0.06];
    /// Probability of no medical insurance (new rural cooperative scheme covered nearly all the
    /// registered poor by 2016), with and without illness.
    pub const UNINSURED: [f64; 2] = [0.02, 0.04];
    /// Head's years of schooling (0, 3, 6, 9, 12): households with and without working members.
    pub const EDUCATION_YEARS: [u8; 5] = [0, 3, 6, 9, 12];
    /// Probabilities of [`EDUCATION_YEARS`] for a household with a working member.
    pub const EDUCATION_WORKING: [f64; 5] = [0.12, 0.13, 0.40, 0.28, 0.07];
    /// Probabilities of [`EDUCATION_YEARS`] for an elderly household without labour.
    pub const EDUCATION_ELDERLY: [f64; 5] = [0.35, 0.25, 0.30, 0.09, 0.01];
}

#[inline]
fn uniform(rng: &mut Stream) -> f64 {
    open01(rng.next_u64())
}

#[inline]
fn bernoulli(rng: &mut Stream, p: f64) -> bool {
    uniform(rng) < p
}

/// Members beyond the first with a trait, each with probability `p`.
#[inline]
fn extra_members(rng: &mut Stream, others: u16, p: f64) -> u16 {
    (0..others).filter(|_| bernoulli(rng, p)).count() as u16
}

/// Order in which the non-illness causes are drawn: the causes that reserve a member's role come
/// first in order of priority (lack of labour, schooling), then the rest in code order.
const DRAW_ORDER: [Cause; 12] = [
    Cause::Disability,
    Cause::Labour,
    Cause::Schooling,
    Cause::Disaster,
    Cause::Marriage,
    Cause::Land,
    Cause::Water,
    Cause::Skills,
    Cause::Capital,
    Cause::Transport,
    Cause::Motivation,
    Cause::Other,
];

/// Draw the causes of a household of `size`: illness independently, then the other causes (again
/// while none is drawn, up to 8 rounds, then `other`).
fn draw_causes(rng: &mut Stream, size: u16, p: &[f64; 13]) -> CauseSet {
    let mut set = CauseSet::EMPTY;
    if bernoulli(rng, p[Cause::Illness as usize]) {
        set.insert(Cause::Illness);
    }
    for _round in 0..8 {
        let mut reserved = 0u16;
        for c in DRAW_ORDER {
            // Causes that need a member in a role (an elderly member for lack of labour, a student,
            // a worker for skills or motivation) need one not yet reserved by another cause.
            let eligible = match c {
                Cause::Labour => size > reserved,
                Cause::Schooling => size >= 2 && size > reserved,
                Cause::Skills | Cause::Motivation => {
                    !set.contains(Cause::Skills)
                        && !set.contains(Cause::Motivation)
                        && size > reserved
                }
                _ => true,
            };
            if eligible && bernoulli(rng, p[c as usize]) {
                set.insert(c);
                if matches!(
                    c,
                    Cause::Schooling | Cause::Labour | Cause::Skills | Cause::Motivation
                ) {
                    reserved += 1;
                }
            }
        }
        if !set.is_empty() {
            return set;
        }
    }
    set.insert(Cause::Other);
    set
}

fn choose_primary(rng: &mut Stream, set: CauseSet) -> Option<Cause> {
    let total: f64 = set.iter().map(|c| PRIMARY_WEIGHT[c as usize]).sum();
    let mut u = uniform(rng) * total;
    let mut last = None;
    for c in set.iter() {
        u -= PRIMARY_WEIGHT[c as usize];
        last = Some(c);
        if u < 0.0 {
            return Some(c);
        }
    }
    last
}

fn categorical(rng: &mut Stream, p: &[f64; 5]) -> usize {
    let mut u = uniform(rng);
    for (k, pk) in p.iter().enumerate() {
        if u < *pk {
            return k;
        }
        u -= pk;
    }
    p.len() - 1
}

/// Draw everything about a household of `size` (1–8) whose poverty line is `line`.
pub(crate) fn draw(rng: &mut Stream, size: u16, line: f64, shares: &[f64; 13]) -> Draw {
    use model::*;
    let causes = draw_causes(rng, size, shares);
    let primary_cause = choose_primary(rng, causes);
    let has = |c: Cause| causes.contains(c);
    let lack_labour = has(Cause::Labour);
    let worker = has(Cause::Skills) || has(Cause::Motivation);

    // Members: the roles the causes require first, then each remaining member takes a role.
    let mut elderly = u16::from(lack_labour);
    let mut students = u16::from(has(Cause::Schooling));
    let mut labour = u16::from(worker);
    let free = size - elderly - students - labour;
    let (pe, ps, pl) = if lack_labour {
        (0.50, 0.15, 0.0)
    } else {
        (0.15, 0.17, 0.52)
    };
    let mut dependants = 0u16;
    for _ in 0..free {
        let u = uniform(rng);
        if u < pe {
            elderly += 1;
        } else if u < pe + ps {
            students += 1;
        } else if u < pe + ps + pl {
            labour += 1;
        } else {
            dependants += 1;
        }
    }
    // A household short of labour may still have one weak worker.
    if lack_labour && labour == 0 && dependants > 0 && bernoulli(rng, 0.4) {
        labour = 1;
    }
    let chronic_illness = if has(Cause::Illness) {
        1 + extra_members(rng, size - 1, 0.12)
    } else {
        u16::from(bernoulli(rng, 0.06))
    };
    let disability = if has(Cause::Disability) {
        1 + extra_members(rng, size - 1, 0.04)
    } else {
        u16::from(bernoulli(rng, 0.03))
    };

    let place_cause = has(Cause::Land) || has(Cause::Water) || has(Cause::Transport);
    let inhospitable = bernoulli(
        rng,
        if place_cause || has(Cause::Disaster) {
            INHOSPITABLE[0]
        } else {
            INHOSPITABLE[1]
        },
    );
    let p_unsafe = UNSAFE_HOUSING[0]
        + if has(Cause::Disaster) {
            UNSAFE_HOUSING[1]
        } else {
            0.0
        }
        + if inhospitable { UNSAFE_HOUSING[2] } else { 0.0 };
    let housing_score = uniform(rng) / p_unsafe;
    let housing_safe = housing_score >= 1.0;
    let water_draw = bernoulli(
        rng,
        if inhospitable {
            UNSAFE_WATER[0]
        } else {
            UNSAFE_WATER[1]
        },
    );
    let safe_water = !(has(Cause::Water) || water_draw);
    let insured = !bernoulli(
        rng,
        if has(Cause::Illness) {
            UNINSURED[0]
        } else {
            UNINSURED[1]
        },
    );
    let elderly_household = labour == 0 && elderly >= 1;
    let mut head_education_years = EDUCATION_YEARS[categorical(
        rng,
        if elderly_household {
            &EDUCATION_ELDERLY
        } else {
            &EDUCATION_WORKING
        },
    )];
    if has(Cause::Skills) {
        head_education_years = head_education_years.min(9);
    }

    let z: f64 = StandardNormal.sample(rng);
    let log_ratio = INCOME_MEDIAN_RATIO.ln()
        + (LABOUR_BASE + LABOUR_SLOPE * f64::from(labour) / f64::from(size)).ln()
        + if lack_labour { LACK_LABOUR_SHIFT } else { 0.0 }
        + if has(Cause::Illness) {
            ILLNESS_SHIFT
        } else {
            0.0
        }
        + INCOME_SIGMA * z;
    let income_per_capita = (line * log_ratio.exp()).round();

    Draw {
        income_per_capita,
        labour,
        elderly,
        students,
        chronic_illness,
        disability,
        housing_safe,
        safe_water,
        insured,
        inhospitable,
        head_education_years,
        causes,
        primary_cause,
        housing_score,
    }
}

/// The median income (yuan) the model gives a household, before the random factor: used by tests
/// as the model's documented formula.
#[cfg(test)]
pub(crate) fn median_income(
    line: f64,
    labour: u16,
    size: u16,
    lack_labour: bool,
    ill: bool,
) -> f64 {
    use model::*;
    line * INCOME_MEDIAN_RATIO
        * (LABOUR_BASE + LABOUR_SLOPE * f64::from(labour) / f64::from(size))
        * (if lack_labour { LACK_LABOUR_SHIFT } else { 0.0 }).exp()
        * (if ill { ILLNESS_SHIFT } else { 0.0 }).exp()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::stream;

    #[test]
    fn cause_shares_are_validated() {
        assert!(CauseShares::default().validate().is_ok());
        let bad = CauseShares {
            water: 1.5,
            ..CauseShares::default()
        };
        let err = bad.validate().unwrap_err();
        assert_eq!(err.column(), Some("causes.water"));
        let nan = CauseShares {
            illness: f64::NAN,
            ..CauseShares::default()
        };
        assert_eq!(nan.validate().unwrap_err().column(), Some("causes.illness"));
    }

    #[test]
    fn households_without_any_share_fall_back_to_other() {
        let zero = [0.0; 13];
        for i in 0..50 {
            let d = draw(&mut stream(1, &[i]), 3, 3_000.0, &zero);
            assert_eq!(d.causes.iter().collect::<Vec<_>>(), vec![Cause::Other]);
            assert_eq!(d.primary_cause, Some(Cause::Other));
        }
    }

    #[test]
    fn forced_causes_force_their_consequences() {
        let mut all = [1.0; 13];
        all[Cause::Other as usize] = 0.0;
        for size in 1..=super::super::MAX_SIZE {
            let d = draw(&mut stream(2, &[u64::from(size)]), size, 3_000.0, &all);
            assert!(d.chronic_illness >= 1 && d.disability >= 1);
            assert!(d.labour <= 1 && d.elderly >= 1);
            assert!(!d.safe_water);
            assert_eq!(d.causes.contains(Cause::Schooling), size >= 2);
            if d.causes.contains(Cause::Schooling) {
                assert!(d.students >= 1);
            }
            // Skills needs a free member after lack of labour and schooling reserved theirs.
            assert_eq!(d.causes.contains(Cause::Skills), size >= 3);
            assert!(d.labour + d.elderly + d.students <= size);
        }
    }

    #[test]
    fn primary_choice_follows_the_weights() {
        // Two causes, illness (5) and capital (1): illness is primary 5/6 of the time.
        let mut set = CauseSet::EMPTY;
        set.insert(Cause::Illness);
        set.insert(Cause::Capital);
        let n = 60_000;
        let ill = (0..n)
            .filter(|&i| choose_primary(&mut stream(3, &[i]), set) == Some(Cause::Illness))
            .count() as f64;
        let p = 5.0 / 6.0;
        // 99.9 % binomial interval (z = 3.29).
        let half = 3.29 * (p * (1.0 - p) / n as f64).sqrt();
        assert!((ill / n as f64 - p).abs() < half, "{}", ill / n as f64);
    }
}
