//! Measures behind the guarantees and the floor: Relocation (易地搬迁), HousingRenovation (危房改造),
//! WelfareFloor (低保兜底), Education (教育扶贫) and Health (健康扶贫).
//!
//! A guarantee (safe housing, insurance, schooling) is granted only by a measure given in full
//! (intensity 1): part of a house is no house.

use serde::{Deserialize, Serialize};

use super::Eligibility;
use super::income::MAX_MEASURE_YEARS;
use super::ranges::{money, share, within, years};
use super::spec::{Active, Costs};
use crate::dynamics::YearState;
use crate::error::Result;

/// Whether an assignment is a full measure (intensity 1, up to rounding).
#[inline]
pub(crate) fn full(intensity: f64) -> bool {
    intensity >= 1.0 - 1e-9
}

/// Relocation (易地扶贫搬迁) out of a place where "the land cannot feed its people".
///
/// Cost: `cost_per_person × size`, spread evenly over the `years_to_move` years of the move.
/// Effect, once moved (from `years_to_move` years after the start): safe housing; market income
/// (mostly farm income at the old site) falls by `farm_income_loss`; access to wage jobs adds
/// `wage_gain_per_worker` per member able to work.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Relocation {
    /// Who may receive it. Default: households flagged `inhospitable`.
    pub eligibility: Eligibility,
    /// Cost per person moved, yuan. Default 40,607.77: Xiangning county relocated 7,437 registered
    /// poor people for 302 M yuan (seed 001; 1,132 non-poor people moved as well, so per person of
    /// all movers the cost was 35,243 yuan).
    pub cost_per_person: f64,
    /// Years the move takes. Default 2 (DESIGN.md: 1–2 years).
    pub years_to_move: u32,
    /// Fraction of market income lost by leaving the old land. Default 0.3 (assumption).
    pub farm_income_loss: f64,
    /// Extra yearly income per member able to work from wage jobs near the new site, yuan.
    /// Default 3,000 (assumption).
    pub wage_gain_per_worker: f64,
}

impl Default for Relocation {
    fn default() -> Self {
        Relocation {
            eligibility: Eligibility {
                inhospitable: true,
                ..Eligibility::default()
            },
            cost_per_person: 302_000_000.0 / 7437.0,
            years_to_move: 2,
            farm_income_loss: 0.3,
            wage_gain_per_worker: 3000.0,
        }
    }
}

impl Relocation {
    pub(crate) fn validate(&self, name: &str) -> Result<()> {
        self.eligibility.validate(name)?;
        money(name, "cost_per_person", self.cost_per_person)?;
        years(name, "years_to_move", self.years_to_move, 1, 10)?;
        share(name, "farm_income_loss", self.farm_income_loss)?;
        money(name, "wage_gain_per_worker", self.wage_gain_per_worker)
    }

    pub(crate) fn costs(&self, k: u32, size: f64) -> Costs {
        let fixed = if k < self.years_to_move {
            self.cost_per_person * size / f64::from(self.years_to_move)
        } else {
            0.0
        };
        Costs { fixed, capped: 0.0 }
    }

    pub(crate) fn apply(&self, a: &Active, st: &mut YearState) -> i64 {
        if a.k >= self.years_to_move && full(a.intensity) {
            st.housing_safe = true;
            st.market_income *= 1.0 - self.farm_income_loss;
            st.transfers += f64::from(a.labour) * self.wage_gain_per_worker / a.size;
        }
        a.reserved.fixed_fen
    }
}

/// Housing renovation (危房改造): makes the house safe.
///
/// Cost: `cost_per_household` in the start year. Effect: safe housing from `lag` years after the
/// start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HousingRenovation {
    /// Who may receive it. Default: households with unsafe housing.
    pub eligibility: Eligibility,
    /// Cost per household, yuan. Default 14,000 (assumption: the central subsidy for renovating
    /// registered poor households' houses averaged about 14,000 yuan per household from 2017;
    /// Pingguo renovated 800 houses, seed 004).
    pub cost_per_household: f64,
    /// Years until the house is safe. Default 0 (renovated within the year).
    pub lag: u32,
}

impl Default for HousingRenovation {
    fn default() -> Self {
        HousingRenovation {
            eligibility: Eligibility {
                unsafe_housing: true,
                ..Eligibility::default()
            },
            cost_per_household: 14_000.0,
            lag: 0,
        }
    }
}

impl HousingRenovation {
    pub(crate) fn validate(&self, name: &str) -> Result<()> {
        self.eligibility.validate(name)?;
        money(name, "cost_per_household", self.cost_per_household)?;
        years(name, "lag", self.lag, 0, MAX_MEASURE_YEARS)
    }

    pub(crate) fn costs(&self, k: u32) -> Costs {
        let fixed = if k == 0 { self.cost_per_household } else { 0.0 };
        Costs { fixed, capped: 0.0 }
    }

    pub(crate) fn apply(&self, a: &Active, st: &mut YearState) -> i64 {
        if a.k >= self.lag && full(a.intensity) {
            st.housing_safe = true;
        }
        a.reserved.fixed_fen
    }
}

/// The welfare floor (低保兜底): each year, net income per person is topped up to
/// `floor_ratio × line`.
///
/// Cost: the gap, random (it follows the draws). The plan reserves
/// `reserve_share × floor_ratio × line × size` per household-year, and the top-up is capped at the
/// reservation, so spending never exceeds it; with `reserve_share` 1 (the default) the cap never
/// binds (the top-up is at most the floor times the household's size) and the floor is exact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WelfareFloor {
    /// Who may receive it. Default: vulnerable households (little or no labour, elderly, disabled).
    pub eligibility: Eligibility,
    /// The floor as a multiple of the poverty line. Default 1: the rural dibao standard raised to
    /// at least the poverty line (两线合一, 国办发〔2016〕70号).
    pub floor_ratio: f64,
    /// Share of the largest possible top-up reserved in the plan (and the cap of the top-up).
    /// Default 1 (a full guarantee).
    pub reserve_share: f64,
}

impl Default for WelfareFloor {
    fn default() -> Self {
        WelfareFloor {
            eligibility: Eligibility {
                vulnerable: true,
                ..Eligibility::default()
            },
            floor_ratio: 1.0,
            reserve_share: 1.0,
        }
    }
}

impl WelfareFloor {
    pub(crate) fn validate(&self, name: &str) -> Result<()> {
        self.eligibility.validate(name)?;
        within(name, "floor_ratio", self.floor_ratio, 0.0, 10.0)?;
        share(name, "reserve_share", self.reserve_share)
    }

    pub(crate) fn costs(&self, line: f64, size: f64) -> Costs {
        Costs {
            fixed: 0.0,
            capped: self.reserve_share * self.floor_ratio * line * size,
        }
    }

    /// Raises the floor and its cap; the engine pays the top-up.
    pub(crate) fn apply(&self, a: &Active, line: f64, st: &mut YearState) -> i64 {
        st.income_floor += a.intensity * self.floor_ratio * line;
        st.floor_cap_fen = if st.floor_cap_fen == i64::MAX {
            a.reserved.cap_fen
        } else {
            st.floor_cap_fen.saturating_add(a.reserved.cap_fen)
        };
        0
    }
}

/// Education (教育扶贫, 雨露计划): pays the schooling costs of the household's students and the
/// compulsory-education guarantee; vocational training raises earnings after a lag.
///
/// Cost: `cost_per_student × students` every year (deterministic). Effect: the household's
/// schooling costs are removed (in proportion to the intensity), the schooling guarantee holds (a
/// full measure), and from `lag` years on income rises by
/// `vocational_share × earnings_gain_per_student` per student.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Education {
    /// Who may receive it. Default: households with students.
    pub eligibility: Eligibility,
    /// Yearly cost per student, yuan. Default 3,000: 雨露计划 paid 3,000 yuan a year per student of
    /// registered poor households in vocational schools (LGOP, 2015).
    pub cost_per_student: f64,
    /// Share of students who take vocational training. Default 0.3 (assumption).
    pub vocational_share: f64,
    /// Extra yearly earnings per trained student, yuan. Default 3,000 (assumption).
    pub earnings_gain_per_student: f64,
    /// Years until the earnings gain. Default 3 (assumption: the length of vocational school).
    pub lag: u32,
}

impl Default for Education {
    fn default() -> Self {
        Education {
            eligibility: Eligibility {
                min_students: 1,
                ..Eligibility::default()
            },
            cost_per_student: 3000.0,
            vocational_share: 0.3,
            earnings_gain_per_student: 3000.0,
            lag: 3,
        }
    }
}

impl Education {
    pub(crate) fn validate(&self, name: &str) -> Result<()> {
        self.eligibility.validate(name)?;
        money(name, "cost_per_student", self.cost_per_student)?;
        share(name, "vocational_share", self.vocational_share)?;
        money(
            name,
            "earnings_gain_per_student",
            self.earnings_gain_per_student,
        )?;
        years(name, "lag", self.lag, 0, MAX_MEASURE_YEARS)
    }

    pub(crate) fn costs(&self, students: u16) -> Costs {
        Costs {
            fixed: self.cost_per_student * f64::from(students),
            capped: 0.0,
        }
    }

    pub(crate) fn apply(&self, a: &Active, st: &mut YearState) -> i64 {
        st.schooling_cost = (st.schooling_cost * (1.0 - a.intensity)).max(0.0);
        if full(a.intensity) {
            st.schooling_guaranteed = true;
        }
        if a.k >= self.lag {
            st.transfers += a.intensity
                * f64::from(a.students)
                * self.vocational_share
                * self.earnings_gain_per_student
                / a.size;
        }
        a.reserved.fixed_fen
    }
}

/// Health (健康扶贫): pays the insurance premium (the household is insured) and reimburses health
/// costs down to a target out-of-pocket share.
///
/// Cost: `premium_per_person × size` every year (deterministic) plus reimbursements (random: they
/// follow the health shocks), capped at `reimbursement_cap` per household-year, which the plan
/// reserves. Effect: insured (a full measure); of a health shock's cost the household pays
/// `max(target_oop_share, s − reimbursed / cost)` where `s` is the share it would pay insured
/// (the model's `health.oop_share_insured`, or its current share if lower).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Health {
    /// Who may receive it. Default: any registered household.
    pub eligibility: Eligibility,
    /// Yearly premium per member, yuan. Default 180: the individual contribution to rural resident
    /// medical insurance in 2017 (NHSA and MoF; 150 in 2016, 220 in 2018), paid for poor households.
    pub premium_per_person: f64,
    /// Out-of-pocket share of health costs after reimbursement. Default 0.1: the health poverty
    /// alleviation target of about 10 % out of pocket for poor patients (健康扶贫三年攻坚, 2017).
    pub target_oop_share: f64,
    /// Largest reimbursement per household-year, yuan (reserved in the plan). Default 5,000
    /// (assumption: a medical-assistance ceiling; raise it for a fuller guarantee).
    pub reimbursement_cap: f64,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            eligibility: Eligibility::default(),
            premium_per_person: 180.0,
            target_oop_share: 0.1,
            reimbursement_cap: 5000.0,
        }
    }
}

impl Health {
    pub(crate) fn validate(&self, name: &str) -> Result<()> {
        self.eligibility.validate(name)?;
        money(name, "premium_per_person", self.premium_per_person)?;
        share(name, "target_oop_share", self.target_oop_share)?;
        money(name, "reimbursement_cap", self.reimbursement_cap)
    }

    pub(crate) fn costs(&self, size: f64) -> Costs {
        Costs {
            fixed: self.premium_per_person * size,
            capped: self.reimbursement_cap,
        }
    }

    pub(crate) fn apply(&self, a: &Active, basic_oop_share: f64, st: &mut YearState) -> i64 {
        if full(a.intensity) {
            st.insured = true;
        }
        let base = if st.insured {
            st.oop_share.min(basic_oop_share)
        } else {
            st.oop_share
        };
        st.oop_share = base;
        let mut spent = a.reserved.fixed_fen;
        if st.medical_cost > 0.0 && base > self.target_oop_share {
            let wanted = st.medical_cost * (base - self.target_oop_share) * a.intensity;
            let reimbursed = crate::units::fen(wanted).min(a.reserved.cap_fen);
            st.oop_share = (base - reimbursed as f64 / 100.0 / st.medical_cost).max(0.0);
            spent += reimbursed;
        }
        spent
    }
}
