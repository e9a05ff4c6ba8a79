//! One group of a poverty profile: its weighted sums and its row.

use serde::{Deserialize, Serialize};

use super::sample::CompensatedSum;
use crate::registry::{Cause, CauseSet};

/// Number of cause codes (the twelve official causes and `other`).
pub const N_CAUSES: usize = Cause::ALL.len();

/// Which group a [`GroupRow`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GroupKey {
    /// Every household of the registry.
    All,
    /// The village with this dense index (`registry.villages()`).
    Village(u32),
    /// The county with this dense index (`registry.counties()`).
    County(u32),
    /// Households citing this cause (or, in [`Profile::primary_causes`](super::Profile::primary_causes), with this primary cause).
    Cause(Cause),
    /// Households citing no cause (or without a primary cause).
    NoCause,
}

/// One row of a poverty profile: one group of households.
///
/// "Weighted" means summed with the survey weight w (1 for a full register). A household of `size`
/// members counts `w` times as a household and `size · w` times as people. A household is poor when
/// its `income_per_capita` y is strictly below the line z; its gap is g = (z − y)/z.
/// Ratios whose denominator is 0 are NaN.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    /// The group.
    pub key: GroupKey,
    /// Its label: the village or county id as text, the cause code, `all` or `none`.
    pub label: String,
    /// Households, weighted: Σ w.
    pub households: f64,
    /// People, weighted: Σ size·w.
    pub people: f64,
    /// Poor households (y < z), weighted.
    pub poor_households: f64,
    /// People in poor households, weighted.
    pub poor_people: f64,
    /// Registered (建档立卡) households, weighted.
    pub registered_households: f64,
    /// People in registered households, weighted.
    pub registered_people: f64,
    /// People in registered households that are poor (y < z), weighted: the numerator of incidence.
    pub poor_registered_people: f64,
    /// Headcount ratio P₀ = poor_people / people (people-based).
    pub fgt0: f64,
    /// Poverty gap index P₁ = Σ size·w·g / people.
    pub fgt1: f64,
    /// Squared poverty gap P₂ = Σ size·w·g² / people.
    pub fgt2: f64,
    /// Rural population (户籍人口) from the villages table: the village's, the sum over a county's
    /// villages, or over all villages for [`GroupKey::All`]; `None` for cause groups.
    pub population: Option<f64>,
    /// Poverty incidence (贫困发生率) = poor_registered_people / population; `None` for cause groups.
    pub incidence: Option<f64>,
    /// Exit threshold of the village or county (3 % west, 2 % elsewhere); `None` for other groups.
    pub exit_threshold: Option<f64>,
    /// Whether incidence is above the exit threshold (not yet meeting the 出列/摘帽 standard);
    /// `None` where there is no threshold, `false` when the incidence is NaN (no population).
    pub above_threshold: Option<bool>,
    /// Households citing each cause (indexed by `Cause as usize`), weighted.
    pub cause_households: [f64; N_CAUSES],
    /// Households citing at least one cause, weighted: the denominator of `cause_shares`.
    pub households_with_cause: f64,
    /// Share of the households citing at least one cause that cite each cause (indexed by
    /// `Cause as usize`). A household may cite several causes, so shares can sum to more than 1.
    /// All 0 when no household of the group cites a cause.
    pub cause_shares: [f64; N_CAUSES],
}

/// Weighted sums of one group.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Sums {
    households: CompensatedSum,
    people: CompensatedSum,
    poor_households: CompensatedSum,
    poor_people: CompensatedSum,
    registered_households: CompensatedSum,
    registered_people: CompensatedSum,
    poor_registered_people: CompensatedSum,
    gap: CompensatedSum,
    gap_squared: CompensatedSum,
    with_cause: CompensatedSum,
    cause: [CompensatedSum; N_CAUSES],
}

/// One household's terms.
#[derive(Debug, Clone, Copy)]
pub(super) struct Terms {
    /// Survey weight w.
    pub(super) weight: f64,
    /// People: size · w.
    pub(super) people: f64,
    /// Income strictly below the line.
    pub(super) poor: bool,
    /// Registered (建档立卡).
    pub(super) registered: bool,
    /// Normalised gap (z − y)/z, 0 when not poor.
    pub(super) gap: f64,
    /// Causes cited.
    pub(super) causes: CauseSet,
}

impl Sums {
    pub(super) fn add(&mut self, t: &Terms) {
        self.households.add(t.weight);
        self.people.add(t.people);
        if t.registered {
            self.registered_households.add(t.weight);
            self.registered_people.add(t.people);
        }
        if t.poor {
            self.poor_households.add(t.weight);
            self.poor_people.add(t.people);
            if t.registered {
                self.poor_registered_people.add(t.people);
            }
            self.gap.add(t.people * t.gap);
            self.gap_squared.add(t.people * (t.gap * t.gap));
        }
        if !t.causes.is_empty() {
            self.with_cause.add(t.weight);
            for c in t.causes.iter() {
                self.cause[c as usize].add(t.weight);
            }
        }
    }

    pub(super) fn row(
        &self,
        key: GroupKey,
        label: String,
        population: Option<f64>,
        threshold: Option<f64>,
    ) -> GroupRow {
        let people = self.people.value();
        let per_person = |x: CompensatedSum| {
            if people > 0.0 {
                x.value() / people
            } else {
                f64::NAN
            }
        };
        let poor_registered_people = self.poor_registered_people.value();
        let incidence = population.map(|p| {
            if p > 0.0 {
                poor_registered_people / p
            } else {
                f64::NAN
            }
        });
        let with_cause = self.with_cause.value();
        let cause_households = self.cause.map(CompensatedSum::value);
        let cause_shares = cause_households.map(|c| {
            if with_cause > 0.0 {
                c / with_cause
            } else {
                0.0
            }
        });
        GroupRow {
            key,
            label,
            households: self.households.value(),
            people,
            poor_households: self.poor_households.value(),
            poor_people: self.poor_people.value(),
            registered_households: self.registered_households.value(),
            registered_people: self.registered_people.value(),
            poor_registered_people,
            fgt0: per_person(self.poor_people),
            fgt1: per_person(self.gap),
            fgt2: per_person(self.gap_squared),
            population,
            incidence,
            exit_threshold: threshold,
            above_threshold: threshold.zip(incidence).map(|(t, i)| i > t),
            cause_households,
            households_with_cause: with_cause,
            cause_shares,
        }
    }
}

impl GroupRow {
    /// `rows` of one level of a profile of `registry` as a [`Table`](crate::registry::Table):
    /// `group` (the external id of a village or county, else the label), `households`, `people`,
    /// `poor_households`, `poor_people`, `registered_households`, `registered_people`,
    /// `poor_registered_people`, `fgt0`, `fgt1`, `fgt2`, `population`, `incidence`,
    /// `exit_threshold` (NaN where undefined) and `share_<cause code>` per cause.
    /// `above_threshold` (true, false or undefined) stays a field.
    pub fn table(rows: &[GroupRow], registry: &crate::Registry) -> crate::registry::Table {
        use crate::registry::{Column, ColumnData as C, Table};
        let col = |f: fn(&GroupRow) -> f64| C::floats(rows.iter().map(f));
        let opt = |f: fn(&GroupRow) -> Option<f64>| C::optional(rows.iter().map(f));
        let mut table = Table::from_columns(
            "profile",
            [
                ("group", group_column(rows, registry)),
                ("households", col(|r| r.households)),
                ("people", col(|r| r.people)),
                ("poor_households", col(|r| r.poor_households)),
                ("poor_people", col(|r| r.poor_people)),
                ("registered_households", col(|r| r.registered_households)),
                ("registered_people", col(|r| r.registered_people)),
                ("poor_registered_people", col(|r| r.poor_registered_people)),
                ("fgt0", col(|r| r.fgt0)),
                ("fgt1", col(|r| r.fgt1)),
                ("fgt2", col(|r| r.fgt2)),
                ("population", opt(|r| r.population)),
                ("incidence", opt(|r| r.incidence)),
                ("exit_threshold", opt(|r| r.exit_threshold)),
            ],
        );
        table.columns.extend(Cause::ALL.iter().map(|&cause| Column {
            name: format!("share_{}", cause.code()),
            data: C::floats(rows.iter().map(|r| r.cause_shares[cause as usize])),
        }));
        table
    }
}

/// The `group` column: a village's or county's external id (integer when the registry's ids are),
/// the label for other groups.
fn group_column(rows: &[GroupRow], registry: &crate::Registry) -> crate::registry::ColumnData {
    use crate::registry::{ColumnData, Ids};
    let int_id = |r: &GroupRow| match r.key {
        GroupKey::Village(v) => match &registry.villages().id {
            Ids::Int(ids) => Some(ids[v as usize]),
            Ids::Text(_) => None,
        },
        GroupKey::County(c) => match &registry.counties().id {
            Ids::Int(ids) => Some(ids[c as usize]),
            Ids::Text(_) => None,
        },
        _ => None,
    };
    match rows.iter().map(int_id).collect::<Option<Vec<i64>>>() {
        Some(ids) if !rows.is_empty() => ColumnData::Int(ids),
        _ => ColumnData::text(rows.iter().map(|r| r.label.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(weight: f64, size: f64, gap: f64, registered: bool, causes: &str) -> Terms {
        Terms {
            weight,
            people: size * weight,
            poor: gap > 0.0,
            registered,
            gap,
            causes: CauseSet::parse(causes).unwrap(),
        }
    }

    #[test]
    fn sums_and_ratios_by_hand() {
        let mut s = Sums::default();
        s.add(&terms(2.0, 3.0, 0.5, true, "illness;water"));
        s.add(&terms(1.0, 4.0, 0.0, false, ""));
        s.add(&terms(0.5, 2.0, 0.25, false, "water"));
        let r = s.row(GroupKey::Village(3), "v".into(), Some(100.0), Some(0.03));
        // People 6 + 4 + 1 = 11; poor people 6 + 1 = 7.
        assert_eq!((r.households, r.people), (3.5, 11.0));
        assert_eq!((r.poor_households, r.poor_people), (2.5, 7.0));
        assert_eq!((r.registered_households, r.registered_people), (2.0, 6.0));
        assert_eq!(r.poor_registered_people, 6.0);
        assert_eq!(r.fgt0, 7.0 / 11.0);
        assert_eq!(r.fgt1, (6.0 * 0.5 + 0.25) / 11.0);
        assert_eq!(r.fgt2, (6.0 * 0.25 + 0.0625) / 11.0);
        assert_eq!(r.incidence, Some(0.06));
        assert_eq!(r.above_threshold, Some(true));
        assert_eq!(r.households_with_cause, 2.5);
        assert_eq!(r.cause_households[Cause::Water as usize], 2.5);
        assert_eq!(r.cause_shares[Cause::Water as usize], 1.0);
        assert_eq!(r.cause_shares[Cause::Illness as usize], 0.8);
        assert_eq!(r.cause_shares[Cause::Land as usize], 0.0);
    }

    #[test]
    fn empty_group_has_nan_ratios_and_zero_shares() {
        let r = Sums::default().row(GroupKey::County(0), "c".into(), Some(0.0), Some(0.02));
        assert!(r.fgt0.is_nan() && r.fgt1.is_nan() && r.fgt2.is_nan());
        assert!(r.incidence.is_some_and(f64::is_nan));
        assert_eq!(r.above_threshold, Some(false));
        assert!(r.cause_shares.iter().all(|&x| x == 0.0));
        let r = Sums::default().row(GroupKey::NoCause, "none".into(), None, None);
        assert_eq!((r.incidence, r.above_threshold), (None, None));
    }

    #[test]
    fn incidence_equal_to_the_threshold_is_not_above() {
        let mut s = Sums::default();
        s.add(&terms(1.0, 2.0, 0.1, true, "land"));
        let r = s.row(GroupKey::Village(0), "v".into(), Some(100.0), Some(0.02));
        assert_eq!((r.incidence, r.above_threshold), (Some(0.02), Some(false)));
    }
}
