//! The measure specs as one serde enum, their kinds, costs and the random draws they use.

use rand::distr::Distribution;
use rand_distr::StandardNormal;
use serde::{Deserialize, Serialize};

use super::Eligibility;
use super::guarantees::{Education, Health, HousingRenovation, Relocation, WelfareFloor};
use super::income::{AssetIncome, EcologicalCompensation, Employment, Industry};
use crate::dynamics::{YearContext, YearState};
use crate::error::Result;
use crate::registry::Registry;
use crate::units::fen;

/// The kinds of measure (五个一批 and the guarantees).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// 产业扶贫.
    Industry,
    /// 资产收益 (PV, dividend shares).
    AssetIncome,
    /// 转移就业.
    Employment,
    /// 易地扶贫搬迁.
    Relocation,
    /// 危房改造.
    HousingRenovation,
    /// 低保兜底.
    WelfareFloor,
    /// 教育扶贫.
    Education,
    /// 健康扶贫.
    Health,
    /// 生态补偿.
    EcologicalCompensation,
}

impl MeasureKind {
    /// Every kind, in catalogue order.
    pub const ALL: [MeasureKind; 9] = [
        MeasureKind::Industry,
        MeasureKind::AssetIncome,
        MeasureKind::Employment,
        MeasureKind::Relocation,
        MeasureKind::HousingRenovation,
        MeasureKind::WelfareFloor,
        MeasureKind::Education,
        MeasureKind::Health,
        MeasureKind::EcologicalCompensation,
    ];

    /// The code used in files (`industry`, `asset_income`, …); also the default measure's name.
    pub fn code(self) -> &'static str {
        match self {
            MeasureKind::Industry => "industry",
            MeasureKind::AssetIncome => "asset_income",
            MeasureKind::Employment => "employment",
            MeasureKind::Relocation => "relocation",
            MeasureKind::HousingRenovation => "housing_renovation",
            MeasureKind::WelfareFloor => "welfare_floor",
            MeasureKind::Education => "education",
            MeasureKind::Health => "health",
            MeasureKind::EcologicalCompensation => "ecological_compensation",
        }
    }
}

/// One measure's parameters, tagged by `kind` in files:
/// `{"kind": "industry", "grant_per_household": 5000}`; unnamed fields keep the kind's defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MeasureSpec {
    /// Industry support.
    Industry(Industry),
    /// Asset income.
    AssetIncome(AssetIncome),
    /// Employment.
    Employment(Employment),
    /// Relocation.
    Relocation(Relocation),
    /// Housing renovation.
    HousingRenovation(HousingRenovation),
    /// Welfare floor.
    WelfareFloor(WelfareFloor),
    /// Education.
    Education(Education),
    /// Health.
    Health(Health),
    /// Ecological compensation.
    EcologicalCompensation(EcologicalCompensation),
}

/// Yearly cost of a measure to one household at full intensity, yuan: `fixed` is spent for sure,
/// `capped` is the most a random cost (floor top-up, reimbursements, wage subsidy) may take.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Costs {
    /// Deterministic cost.
    pub fixed: f64,
    /// Reserved ceiling of the random cost.
    pub capped: f64,
}

/// What a plan reserves for one assignment in one year, fen (the budget property rests on it: a
/// measure never spends more than `fixed_fen + cap_fen` in a household-year).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Reservation {
    /// Deterministic spending, fen.
    pub fixed_fen: i64,
    /// Ceiling of the random spending, fen.
    pub cap_fen: i64,
}

impl Reservation {
    /// Fixed plus cap, fen.
    pub fn total(&self) -> i64 {
        self.fixed_fen + self.cap_fen
    }
}

/// An assignment active in one household-year, as its measure sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Active {
    /// Years since the start (0 in the start year).
    pub k: u32,
    pub intensity: f64,
    pub start_year: i32,
    /// Bit of the household's memory flags owned by this assignment (< 52).
    pub slot: u32,
    pub size: f64,
    pub labour: u16,
    pub students: u16,
    pub reserved: Reservation,
}

impl MeasureSpec {
    /// The default spec of a kind.
    pub fn default_for(kind: MeasureKind) -> Self {
        match kind {
            MeasureKind::Industry => MeasureSpec::Industry(Industry::default()),
            MeasureKind::AssetIncome => MeasureSpec::AssetIncome(AssetIncome::default()),
            MeasureKind::Employment => MeasureSpec::Employment(Employment::default()),
            MeasureKind::Relocation => MeasureSpec::Relocation(Relocation::default()),
            MeasureKind::HousingRenovation => {
                MeasureSpec::HousingRenovation(HousingRenovation::default())
            }
            MeasureKind::WelfareFloor => MeasureSpec::WelfareFloor(WelfareFloor::default()),
            MeasureKind::Education => MeasureSpec::Education(Education::default()),
            MeasureKind::Health => MeasureSpec::Health(Health::default()),
            MeasureKind::EcologicalCompensation => {
                MeasureSpec::EcologicalCompensation(EcologicalCompensation::default())
            }
        }
    }

    /// The kind.
    pub fn kind(&self) -> MeasureKind {
        match self {
            MeasureSpec::Industry(_) => MeasureKind::Industry,
            MeasureSpec::AssetIncome(_) => MeasureKind::AssetIncome,
            MeasureSpec::Employment(_) => MeasureKind::Employment,
            MeasureSpec::Relocation(_) => MeasureKind::Relocation,
            MeasureSpec::HousingRenovation(_) => MeasureKind::HousingRenovation,
            MeasureSpec::WelfareFloor(_) => MeasureKind::WelfareFloor,
            MeasureSpec::Education(_) => MeasureKind::Education,
            MeasureSpec::Health(_) => MeasureKind::Health,
            MeasureSpec::EcologicalCompensation(_) => MeasureKind::EcologicalCompensation,
        }
    }

    /// The eligibility rule.
    pub fn eligibility(&self) -> &Eligibility {
        match self {
            MeasureSpec::Industry(m) => &m.eligibility,
            MeasureSpec::AssetIncome(m) => &m.eligibility,
            MeasureSpec::Employment(m) => &m.eligibility,
            MeasureSpec::Relocation(m) => &m.eligibility,
            MeasureSpec::HousingRenovation(m) => &m.eligibility,
            MeasureSpec::WelfareFloor(m) => &m.eligibility,
            MeasureSpec::Education(m) => &m.eligibility,
            MeasureSpec::Health(m) => &m.eligibility,
            MeasureSpec::EcologicalCompensation(m) => &m.eligibility,
        }
    }

    /// Check every parameter; errors name `measures[<name>].<field>`.
    ///
    /// # Errors
    /// [`crate::Error::InvalidParameter`] for the first parameter out of its domain.
    pub fn validate(&self, name: &str) -> Result<()> {
        match self {
            MeasureSpec::Industry(m) => m.validate(name),
            MeasureSpec::AssetIncome(m) => m.validate(name),
            MeasureSpec::Employment(m) => m.validate(name),
            MeasureSpec::Relocation(m) => m.validate(name),
            MeasureSpec::HousingRenovation(m) => m.validate(name),
            MeasureSpec::WelfareFloor(m) => m.validate(name),
            MeasureSpec::Education(m) => m.validate(name),
            MeasureSpec::Health(m) => m.validate(name),
            MeasureSpec::EcologicalCompensation(m) => m.validate(name),
        }
    }

    /// Whether household `row` may receive the measure.
    pub fn eligible(&self, registry: &Registry, row: usize) -> bool {
        self.eligibility().allows(registry, row)
    }

    /// The microcredit loan at `intensity`, fen rounded down, and its term in years (at least 1);
    /// `(0, 0)` for a measure without a loan. Planning checks it against the guarantee fund, and
    /// the engine charges it to the fund when the venture fails within the term.
    pub fn loan(&self, intensity: f64) -> (i64, u32) {
        match self {
            MeasureSpec::Industry(m) if m.loan_per_household > 0.0 => {
                (fen(m.loan_per_household * intensity), m.loan_term())
            }
            _ => (0, 0),
        }
    }

    /// Whether the measure keeps state across years in the household's memory flags.
    pub(crate) fn stateful(&self) -> bool {
        matches!(self, MeasureSpec::Industry(_) | MeasureSpec::Employment(_))
    }

    /// Cost to household `row` in the `k`-th year of the measure (0: the start year) at full
    /// intensity, with the poverty line `line` of that year.
    pub fn costs(&self, registry: &Registry, row: usize, k: u32, line: f64) -> Costs {
        let h = registry.households();
        let size = f64::from(h.size[row]);
        match self {
            MeasureSpec::Industry(m) => m.costs(k),
            MeasureSpec::AssetIncome(m) => m.costs(k, size),
            MeasureSpec::Employment(m) => m.costs(k, h.labour[row]),
            MeasureSpec::Relocation(m) => m.costs(k, size),
            MeasureSpec::HousingRenovation(m) => m.costs(k),
            MeasureSpec::WelfareFloor(m) => m.costs(line, size),
            MeasureSpec::Education(m) => m.costs(h.students[row]),
            MeasureSpec::Health(m) => m.costs(size),
            MeasureSpec::EcologicalCompensation(m) => m.costs(k, h.labour[row]),
        }
    }

    /// What a plan reserves for household `row` in the `k`-th year at `intensity` (money scales
    /// with intensity), fen, rounded down.
    pub fn reservation(
        &self,
        registry: &Registry,
        row: usize,
        k: u32,
        line: f64,
        intensity: f64,
    ) -> Reservation {
        let c = self.costs(registry, row, k, line);
        Reservation {
            fixed_fen: fen(c.fixed * intensity),
            cap_fen: fen(c.capped * intensity),
        }
    }

    /// Apply the measure to a household-year; returns the fen spent on it (the floor's top-up is
    /// paid by the engine, within `state.floor_cap_fen`).
    pub(crate) fn apply(
        &self,
        a: &Active,
        basic_oop_share: f64,
        ctx: &YearContext<'_>,
        st: &mut YearState,
    ) -> i64 {
        match self {
            MeasureSpec::Industry(m) => m.apply(a, ctx, st),
            MeasureSpec::AssetIncome(m) => m.apply(a, st),
            MeasureSpec::Employment(m) => m.apply(a, ctx, st),
            MeasureSpec::Relocation(m) => m.apply(a, st),
            MeasureSpec::HousingRenovation(m) => m.apply(a, st),
            MeasureSpec::WelfareFloor(m) => m.apply(a, ctx.line, st),
            MeasureSpec::Education(m) => m.apply(a, st),
            MeasureSpec::Health(m) => m.apply(a, basic_oop_share, st),
            MeasureSpec::EcologicalCompensation(m) => m.apply(a, st),
        }
    }
}

/// Draws of the measures: pure functions of the household's keys, a purpose ≥
/// `random::purpose::FIRST_FREE` and the assignment's start year, so they never disturb the
/// baseline's draws and are common to every scenario giving the household the same measure.
pub mod draw {
    use super::*;
    pub use crate::random::purpose::{EMPLOYMENT, INDUSTRY_FAILURE, INDUSTRY_GAIN};
    use crate::random::{SplitMix, key, open01};

    /// A uniform in (0, 1) for this household-replicate-year, `purpose` and start year.
    #[inline]
    pub(crate) fn yearly(ctx: &YearContext<'_>, purpose: u64, start_year: i32) -> f64 {
        open01(key(ctx.draws.bits(purpose), &[start_year as i64 as u64]))
    }

    /// A standard normal for this household-replicate, `purpose` and start year (the same every
    /// year of the replicate).
    #[inline]
    pub(crate) fn per_replicate_normal(
        ctx: &YearContext<'_>,
        purpose: u64,
        start_year: i32,
    ) -> f64 {
        let k = key(
            ctx.household_key,
            &[u64::from(ctx.replicate), start_year as i64 as u64, purpose],
        );
        StandardNormal.sample(&mut SplitMix { state: k })
    }
}

/// Flags kept in the household's `YearState::memory` across the years of a replicate: one bit per
/// stateful assignment (its `slot`), stored as an integer-valued f64 (exact below 2⁵³).
pub(crate) mod memory {
    use super::YearState;

    /// Industry ventures that failed.
    pub const INDUSTRY_FAILED: usize = 0;
    /// Employment assignments whose workers are employed.
    pub const EMPLOYED: usize = 1;
    /// Number of usable bits (slots) per household.
    pub const SLOTS: u32 = 52;

    #[inline]
    pub fn bit(st: &YearState, word: usize, slot: u32) -> bool {
        (st.memory[word] as u64 >> slot) & 1 == 1
    }

    #[inline]
    pub fn set_bit(st: &mut YearState, word: usize, slot: u32) {
        set_bit_to(st, word, slot, true);
    }

    #[inline]
    pub fn set_bit_to(st: &mut YearState, word: usize, slot: u32, on: bool) {
        let bits = st.memory[word] as u64;
        let bits = if on {
            bits | (1 << slot)
        } else {
            bits & !(1 << slot)
        };
        st.memory[word] = bits as f64;
    }
}
