//! Allocation rules: who gets which measure, in what order (serde data).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::measures::MeasureCatalog;
use crate::registry::Cause;

/// An allocation rule, tagged by `rule` in files (`{"rule": "by_cause"}`).
///
/// # Examples
/// ```
/// use fupin_core::policy::Policy;
/// let p: Policy = toml::from_str("rule = \"uniform\"\nmix = [\"industry\"]\n").unwrap();
/// assert!(matches!(p, Policy::Uniform(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Policy {
    /// 大水漫灌: the same mix for every registered household at the same intensity.
    Uniform(Uniform),
    /// 对症下药: measures by cause, households ranked, funded until the budget runs out.
    ByCause(ByCause),
    /// A user table of household × measure × start year.
    Explicit(Explicit),
}

/// 大水漫灌 ("flood irrigation"): every registered household gets the measures of `mix` it is
/// eligible for, all at one intensity chosen each year so that the year's money (after recurring
/// commitments) is spread evenly; later years raise the intensity towards 1 with the money left.
/// Where money or the guarantee fund runs short, households are funded in household-id order
/// (never in row order).
/// Money scales with intensity (a grant of 35 % is 35 % of the grant and of its gain); guarantees
/// need a full measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Uniform {
    /// Measure names. Default `["industry", "health", "education"]` (the usual spread of county
    /// industry funds plus the two universal programmes; an assumption).
    pub mix: Vec<String>,
    /// Smallest intensity worth assigning. Default 0.01.
    pub min_intensity: f64,
}

impl Default for Uniform {
    fn default() -> Self {
        Uniform {
            mix: vec!["industry".into(), "health".into(), "education".into()],
            min_intensity: 0.01,
        }
    }
}

/// The order in which households are funded. Ties (equal incomes, gaps or scores) go to the lower
/// household id — integer ids by value, text ids by their bytes — never to the earlier row, so a
/// plan does not depend on the order of the registry's rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Ranking {
    /// Lowest base-year income per person first (largest poverty gap). The default.
    #[default]
    PoorestFirst,
    /// Households below the line with the smallest gap first, then those above it.
    NearestLineFirst,
    /// A score per household in registry order, highest first.
    Score(Vec<f64>),
}

/// 对症下药 ("the right medicine for the illness"): each registered household gets the measures its
/// causes call for, households in `ranking` order, each measure funded if the year's money allows
/// (else the household waits for a later year).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ByCause {
    /// Cause code → measure names, replacing the default list of that cause
    /// ([`ByCause::default_mapping`]).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub mapping: BTreeMap<String, Vec<String>>,
    /// Funding order.
    pub ranking: Ranking,
    /// Only the primary cause (else every recorded cause, primary first). Default false.
    pub primary_only: bool,
    /// Also fix failed guarantees: unsafe housing gets the first eligible of `relocation`,
    /// `housing_renovation`; uninsured households get `health`. Default true.
    pub guarantees: bool,
}

impl Default for ByCause {
    fn default() -> Self {
        ByCause {
            mapping: BTreeMap::new(),
            ranking: Ranking::PoorestFirst,
            primary_only: false,
            guarantees: true,
        }
    }
}

impl ByCause {
    /// The default measures per cause (an assumption following the 五个一批 guidance: illness →
    /// health; disability → floor, health; schooling → education; disaster → asset income;
    /// marriage, other → industry; land, transport → relocation, employment; water → relocation,
    /// industry; skills, motivation → employment; capital → industry with microcredit; labour →
    /// floor, asset income). Measures a household is not eligible for are skipped.
    pub fn default_mapping() -> BTreeMap<Cause, Vec<String>> {
        let m = |c: Cause, v: &[&str]| (c, v.iter().map(|s| s.to_string()).collect());
        [
            m(Cause::Illness, &["health"]),
            m(Cause::Disability, &["welfare_floor", "health"]),
            m(Cause::Schooling, &["education"]),
            m(Cause::Disaster, &["asset_income"]),
            m(Cause::Marriage, &["industry"]),
            m(Cause::Land, &["relocation", "employment"]),
            m(Cause::Water, &["relocation", "industry"]),
            m(Cause::Skills, &["employment"]),
            m(Cause::Capital, &["industry_credit"]),
            m(Cause::Labour, &["welfare_floor", "asset_income"]),
            m(Cause::Transport, &["relocation", "employment"]),
            m(Cause::Motivation, &["employment"]),
            m(Cause::Other, &["industry"]),
        ]
        .into_iter()
        .collect()
    }

    /// The mapping in use: the defaults with `mapping` applied (validated cause codes).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `policy.mapping` for an unknown cause code.
    pub fn effective_mapping(&self) -> Result<BTreeMap<Cause, Vec<String>>> {
        let mut out = ByCause::default_mapping();
        for (code, measures) in &self.mapping {
            let cause: Cause = code.parse().map_err(|()| {
                Error::invalid_parameter(
                    "policy.mapping",
                    format!("{code:?}"),
                    "is not a cause code (illness, disability, schooling, …)",
                )
            })?;
            out.insert(cause, measures.clone());
        }
        Ok(out)
    }
}

/// One row of an explicit plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplicitRow {
    /// Household id (as text, as the registry displays it).
    pub household: String,
    /// Measure name.
    pub measure: String,
    /// First calendar year of the measure.
    pub start_year: i32,
    /// Intensity (1: the measure as specified). Default 1.
    #[serde(default = "one")]
    pub intensity: f64,
}

fn one() -> f64 {
    1.0
}

/// A user table of household × measure × start year, funded in table order within each year while
/// the budget allows (eligibility rules are not applied: the table is the planner's decision).
/// The table's order is the planner's stated priority; households are found by id, so the order of
/// the registry's rows plays no part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Explicit {
    /// The rows.
    pub assignments: Vec<ExplicitRow>,
}

/// Largest intensity of an explicit assignment.
pub const MAX_INTENSITY: f64 = 100.0;

impl Policy {
    /// Check the rule against a catalogue (measure names, cause codes, intensities); checks that
    /// need the registry (household ids, score length) happen when planning.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `policy.<field>`.
    pub fn validate(&self, catalog: &MeasureCatalog) -> Result<()> {
        match self {
            Policy::Uniform(u) => {
                for m in &u.mix {
                    catalog.require(m, "policy.mix")?;
                }
                if !(u.min_intensity.is_finite() && u.min_intensity > 0.0 && u.min_intensity <= 1.0)
                {
                    return Err(Error::invalid_parameter(
                        "policy.min_intensity",
                        u.min_intensity,
                        "must lie in (0, 1]",
                    ));
                }
                Ok(())
            }
            Policy::ByCause(b) => {
                for measures in b.effective_mapping()?.values() {
                    for m in measures {
                        catalog.require(m, "policy.mapping")?;
                    }
                }
                if b.guarantees {
                    for m in ["relocation", "housing_renovation", "health"] {
                        catalog.require(m, "policy.guarantees")?;
                    }
                }
                if let Ranking::Score(s) = &b.ranking
                    && let Some((i, v)) = s.iter().enumerate().find(|(_, v)| !v.is_finite())
                {
                    return Err(Error::invalid_parameter(
                        format!("policy.ranking.score[{i}]"),
                        v,
                        "must be finite",
                    ));
                }
                Ok(())
            }
            Policy::Explicit(e) => {
                for (i, r) in e.assignments.iter().enumerate() {
                    catalog.require(&r.measure, &format!("policy.assignments[{i}].measure"))?;
                    if !(r.intensity.is_finite()
                        && r.intensity > 0.0
                        && r.intensity <= MAX_INTENSITY)
                    {
                        return Err(Error::invalid_parameter(
                            format!("policy.assignments[{i}].intensity"),
                            r.intensity,
                            format!("must lie in (0, {MAX_INTENSITY}]"),
                        ));
                    }
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_round_trip_through_toml_and_json() {
        let mut bc = ByCause {
            ranking: Ranking::Score(vec![1.0, 2.5]),
            ..ByCause::default()
        };
        bc.mapping.insert(
            "illness".into(),
            vec!["health".into(), "welfare_floor".into()],
        );
        let policies = [
            Policy::Uniform(Uniform::default()),
            Policy::ByCause(bc),
            Policy::ByCause(ByCause::default()),
            Policy::Explicit(Explicit {
                assignments: vec![ExplicitRow {
                    household: "11".into(),
                    measure: "health".into(),
                    start_year: 2017,
                    intensity: 0.5,
                }],
            }),
        ];
        for p in policies {
            let t = toml::to_string(&p).unwrap();
            assert_eq!(toml::from_str::<Policy>(&t).unwrap(), p, "{t}");
            let j = serde_json::to_string(&p).unwrap();
            assert_eq!(serde_json::from_str::<Policy>(&j).unwrap(), p, "{j}");
            p.validate(&MeasureCatalog::default()).unwrap();
        }
        let p: Policy =
            serde_json::from_str(r#"{"rule": "by_cause", "ranking": "nearest_line_first"}"#)
                .unwrap();
        assert_eq!(
            p,
            Policy::ByCause(ByCause {
                ranking: Ranking::NearestLineFirst,
                ..ByCause::default()
            })
        );
    }

    #[test]
    fn validation_names_the_field() {
        let c = MeasureCatalog::default();
        let e = Policy::Uniform(Uniform {
            mix: vec!["magic".into()],
            ..Uniform::default()
        })
        .validate(&c)
        .unwrap_err();
        assert_eq!(e.column(), Some("policy.mix"));
        let mut bc = ByCause::default();
        bc.mapping.insert("luck".into(), vec![]);
        assert_eq!(
            Policy::ByCause(bc).validate(&c).unwrap_err().column(),
            Some("policy.mapping")
        );
        let bc = ByCause {
            ranking: Ranking::Score(vec![0.0, f64::NAN]),
            ..ByCause::default()
        };
        assert_eq!(
            Policy::ByCause(bc).validate(&c).unwrap_err().column(),
            Some("policy.ranking.score[1]")
        );
        let e = Policy::Explicit(Explicit {
            assignments: vec![ExplicitRow {
                household: "1".into(),
                measure: "health".into(),
                start_year: 2016,
                intensity: 0.0,
            }],
        })
        .validate(&c)
        .unwrap_err();
        assert_eq!(e.column(), Some("policy.assignments[0].intensity"));
        // Every default mapping names a measure of the default catalogue.
        for measures in ByCause::default_mapping().values() {
            for m in measures {
                assert!(c.index(m).is_some(), "{m}");
            }
        }
    }
}
