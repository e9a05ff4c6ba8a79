//! The poverty profile of a registry: counts and FGT indices by village, county and cause.

use serde::{Deserialize, Serialize};

use super::group::{GroupKey, GroupRow, N_CAUSES, Sums, Terms};
use super::sample::check_line;
use crate::error::Result;
use crate::registry::{Cause, Registry};

/// A poverty profile at one poverty line. Each level is a list of [`GroupRow`]s, ready to become
/// one DataFrame per level (one column per field; the arrays become one column per cause).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// The poverty line used, yuan per person per year.
    pub line: f64,
    /// The whole registry.
    pub overall: GroupRow,
    /// One row per village, in the registry's village order (including villages without
    /// households in the registry).
    pub villages: Vec<GroupRow>,
    /// One row per county, in the registry's county order.
    pub counties: Vec<GroupRow>,
    /// One row per cause cited by at least one household, in code order, then `none` if some
    /// households cite no cause. A household counts under every cause it cites.
    pub causes: Vec<GroupRow>,
    /// One row per primary cause held by at least one household, in code order, then `none` if
    /// some households have no primary cause. Each household counts once.
    pub primary_causes: Vec<GroupRow>,
}

/// Index of the `none` group among the cause groups.
const NONE: usize = N_CAUSES;

/// The poverty profile of `registry` at poverty line `line` (yuan per person per year): the
/// household, people and poor counts, FGT(0, 1, 2) weighted by people (each household's
/// per-capita income counted size × weight times), incidence against the exit threshold, and the
/// shares of causes, for the whole registry and by village, county, cause and primary cause.
/// See [`GroupRow`] for every field.
///
/// Incidence is poor registered people over the village's (county's) rural population: people in
/// households that are registered *and* below the line. A village or county is "above threshold"
/// when its incidence exceeds the exit threshold of its region (see
/// [`Region::exit_threshold`](crate::registry::Region::exit_threshold)).
///
/// Sums are compensated and taken in household order, so the profile is exactly reproducible.
///
/// # Errors
/// `line` not finite and > 0 ([`crate::Error::InvalidParameter`]). A registry is valid by
/// construction, so nothing else can fail.
///
/// # Examples
/// ```
/// use fupin_core::metrics::profile;
/// use fupin_core::registry::{ColumnData, Table};
/// use fupin_core::Registry;
///
/// let households = Table::new("households")
///     .with("household_id", ColumnData::Int(vec![1, 2, 3]))?
///     .with("village_id", ColumnData::Int(vec![10, 10, 20]))?
///     .with("size", ColumnData::Int(vec![4, 2, 3]))?
///     .with("income_per_capita", ColumnData::Float(vec![2000.0, 5000.0, 3000.0]))?;
/// let reg = Registry::from_tables(&households, None)?;
/// let p = profile(&reg, 4000.0)?;
/// assert_eq!(p.overall.people, 9.0);
/// assert_eq!(p.overall.poor_people, 7.0);
/// assert_eq!(p.villages[0].fgt0, 4.0 / 6.0);
/// assert_eq!(p.villages[1].label, "20");
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn profile(registry: &Registry, line: f64) -> Result<Profile> {
    check_line(line)?;
    let h = registry.households();
    let v = registry.villages();
    let c = registry.counties();
    let mut all = Sums::default();
    let mut villages = vec![Sums::default(); v.len()];
    let mut counties = vec![Sums::default(); c.len()];
    let mut causes = vec![Sums::default(); N_CAUSES + 1];
    let mut primary = vec![Sums::default(); N_CAUSES + 1];
    let mut cause_seen = [false; N_CAUSES + 1];
    let mut primary_seen = [false; N_CAUSES + 1];
    for i in 0..h.len() {
        crate::cancel::poll(i)?;
        let y = h.income_per_capita[i];
        let weight = h.weight[i];
        let poor = y < line;
        let terms = Terms {
            weight,
            people: f64::from(h.size[i]) * weight,
            poor,
            registered: h.registered[i],
            gap: if poor { (line - y) / line } else { 0.0 },
            causes: h.causes[i],
        };
        let village = h.village[i] as usize;
        all.add(&terms);
        villages[village].add(&terms);
        counties[v.county[village] as usize].add(&terms);
        if terms.causes.is_empty() {
            causes[NONE].add(&terms);
            cause_seen[NONE] = true;
        }
        for cause in terms.causes.iter() {
            causes[cause as usize].add(&terms);
            cause_seen[cause as usize] = true;
        }
        let p = h.primary_cause[i].map_or(NONE, |c| c as usize);
        primary[p].add(&terms);
        primary_seen[p] = true;
    }

    let village_population: Vec<f64> = v.population.iter().map(|&p| f64::from(p)).collect();
    let mut county_population = vec![0u64; c.len()];
    for (j, &county) in v.county.iter().enumerate() {
        county_population[county as usize] += u64::from(v.population[j]);
    }
    let total_population: u64 = county_population.iter().sum();

    let village_rows = villages
        .iter()
        .enumerate()
        .map(|(j, s)| {
            s.row(
                GroupKey::Village(j as u32),
                v.id.display(j),
                Some(village_population[j]),
                Some(registry.village_threshold(j)),
            )
        })
        .collect();
    let county_rows = counties
        .iter()
        .enumerate()
        .map(|(k, s)| {
            s.row(
                GroupKey::County(k as u32),
                c.id.display(k),
                Some(county_population[k] as f64),
                Some(registry.county_threshold(k)),
            )
        })
        .collect();
    let cause_rows = |sums: &[Sums], seen: &[bool; N_CAUSES + 1]| -> Vec<GroupRow> {
        (0..=N_CAUSES)
            .filter(|&k| seen[k])
            .map(|k| match Cause::ALL.get(k) {
                Some(&cause) => {
                    sums[k].row(GroupKey::Cause(cause), cause.code().into(), None, None)
                }
                None => sums[k].row(GroupKey::NoCause, "none".into(), None, None),
            })
            .collect()
    };
    Ok(Profile {
        line,
        overall: all.row(
            GroupKey::All,
            "all".into(),
            Some(total_population as f64),
            None,
        ),
        villages: village_rows,
        counties: county_rows,
        causes: cause_rows(&causes, &cause_seen),
        primary_causes: cause_rows(&primary, &primary_seen),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::fgt;
    use crate::metrics::testutil::assert_close;
    use crate::registry::{ColumnData, Table};

    fn text(v: &[&str]) -> ColumnData {
        ColumnData::Text(
            v.iter()
                .map(|s| (!s.is_empty()).then(|| s.to_string()))
                .collect(),
        )
    }

    /// Six households in three villages of two counties, plus a village without households.
    /// Line 1000: household 2 sits exactly on the line (not poor), household 5 is poor but not
    /// registered, household 4 has zero income and weight 2, household 6 weight 1.5.
    fn registry() -> Registry {
        let households = Table::new("households")
            .with("household_id", ColumnData::Int(vec![1, 2, 3, 4, 5, 6]))
            .unwrap()
            .with("village_id", text(&["V1", "V1", "V1", "V2", "V2", "V3"]))
            .unwrap()
            .with("size", ColumnData::Int(vec![4, 2, 3, 1, 5, 2]))
            .unwrap()
            .with(
                "income_per_capita",
                ColumnData::Float(vec![500.0, 1000.0, 1500.0, 0.0, 800.0, 900.0]),
            )
            .unwrap()
            .with(
                "causes",
                text(&[
                    "illness;land",
                    "illness",
                    "",
                    "disability",
                    "land;schooling",
                    "illness",
                ]),
            )
            .unwrap()
            .with(
                "primary_cause",
                text(&["illness", "illness", "", "disability", "land", "illness"]),
            )
            .unwrap()
            .with(
                "weight",
                ColumnData::Float(vec![1.0, 1.0, 1.0, 2.0, 1.0, 1.5]),
            )
            .unwrap()
            .with(
                "registered",
                ColumnData::Bool(vec![true, true, false, true, false, true]),
            )
            .unwrap();
        let villages = Table::new("villages")
            .with("village_id", text(&["V1", "V2", "V3", "V4"]))
            .unwrap()
            .with("county_id", text(&["C1", "C1", "C2", "C2"]))
            .unwrap()
            .with("population", ColumnData::Int(vec![300, 50, 40, 10]))
            .unwrap()
            .with("region", text(&["centre", "centre", "west", "west"]))
            .unwrap();
        Registry::from_tables(&households, Some(&villages)).unwrap()
    }

    /// households, people, poor households, poor people, registered households, registered
    /// people, poor registered people.
    #[track_caller]
    fn assert_counts(row: &GroupRow, expected: [f64; 7]) {
        let got = [
            row.households,
            row.people,
            row.poor_households,
            row.poor_people,
            row.registered_households,
            row.registered_people,
            row.poor_registered_people,
        ];
        for (g, e) in got.into_iter().zip(expected) {
            assert_close(g, e);
        }
    }

    #[track_caller]
    fn assert_fgt(row: &GroupRow, expected: [f64; 3]) {
        assert_close(row.fgt0, expected[0]);
        assert_close(row.fgt1, expected[1]);
        assert_close(row.fgt2, expected[2]);
    }

    #[track_caller]
    fn assert_causes(row: &GroupRow, with_cause: f64, expected: &[(Cause, f64)]) {
        assert_close(row.households_with_cause, with_cause);
        for cause in Cause::ALL {
            let n = expected.iter().find(|e| e.0 == cause).map_or(0.0, |e| e.1);
            assert_close(row.cause_households[cause as usize], n);
            let share = if with_cause > 0.0 {
                n / with_cause
            } else {
                0.0
            };
            assert_close(row.cause_shares[cause as usize], share);
        }
    }

    #[test]
    fn villages_by_hand() {
        let p = profile(&registry(), 1000.0).unwrap();
        assert_eq!(p.line, 1000.0);
        let labels: Vec<&str> = p.villages.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["V1", "V2", "V3", "V4"]);
        let [v1, v2, v3, v4] = &p.villages[..] else {
            panic!("four villages expected")
        };
        assert_eq!(v1.key, GroupKey::Village(0));
        // V1: poor only household 1 (4 people, gap 0.5); household 2 is on the line.
        assert_counts(v1, [3.0, 9.0, 1.0, 4.0, 2.0, 6.0, 4.0]);
        assert_fgt(v1, [4.0 / 9.0, 2.0 / 9.0, 1.0 / 9.0]);
        assert_eq!(v1.population, Some(300.0));
        assert_close(v1.incidence.unwrap(), 4.0 / 300.0);
        assert_eq!(
            (v1.exit_threshold, v1.above_threshold),
            (Some(0.02), Some(false))
        );
        assert_causes(v1, 2.0, &[(Cause::Illness, 2.0), (Cause::Land, 1.0)]);
        // V2: household 4 (1 person × weight 2, gap 1), household 5 (5 people, gap 0.2).
        assert_counts(v2, [3.0, 7.0, 3.0, 7.0, 2.0, 2.0, 2.0]);
        assert_fgt(v2, [1.0, 3.0 / 7.0, 2.2 / 7.0]);
        assert_close(v2.incidence.unwrap(), 0.04);
        assert_eq!(
            (v2.exit_threshold, v2.above_threshold),
            (Some(0.02), Some(true))
        );
        let v2_causes = [
            (Cause::Disability, 2.0),
            (Cause::Land, 1.0),
            (Cause::Schooling, 1.0),
        ];
        assert_causes(v2, 3.0, &v2_causes);
        // V3 (west): household 6, 2 people × 1.5, gap 0.1.
        assert_counts(v3, [1.5, 3.0, 1.5, 3.0, 1.5, 3.0, 3.0]);
        assert_fgt(v3, [1.0, 0.1, 0.01]);
        assert_close(v3.incidence.unwrap(), 3.0 / 40.0);
        assert_eq!(
            (v3.exit_threshold, v3.above_threshold),
            (Some(0.03), Some(true))
        );
        // V4: no households.
        assert_counts(v4, [0.0; 7]);
        assert!(v4.fgt0.is_nan() && v4.fgt1.is_nan() && v4.fgt2.is_nan());
        assert_eq!((v4.incidence, v4.above_threshold), (Some(0.0), Some(false)));
        assert_causes(v4, 0.0, &[]);
    }

    #[test]
    fn counties_and_overall_by_hand() {
        let p = profile(&registry(), 1000.0).unwrap();
        let [c1, c2] = &p.counties[..] else {
            panic!("two counties expected")
        };
        assert_eq!((c1.label.as_str(), c1.key), ("C1", GroupKey::County(0)));
        assert_counts(c1, [6.0, 16.0, 4.0, 11.0, 4.0, 8.0, 6.0]);
        assert_fgt(c1, [11.0 / 16.0, 5.0 / 16.0, 3.2 / 16.0]);
        assert_eq!(c1.population, Some(350.0));
        assert_close(c1.incidence.unwrap(), 6.0 / 350.0);
        assert_eq!(
            (c1.exit_threshold, c1.above_threshold),
            (Some(0.02), Some(false))
        );
        let c1_causes = [
            (Cause::Illness, 2.0),
            (Cause::Land, 2.0),
            (Cause::Disability, 2.0),
            (Cause::Schooling, 1.0),
        ];
        assert_causes(c1, 5.0, &c1_causes);
        assert_counts(c2, [1.5, 3.0, 1.5, 3.0, 1.5, 3.0, 3.0]);
        assert_eq!(c2.population, Some(50.0));
        assert_close(c2.incidence.unwrap(), 0.06);
        assert_eq!(
            (c2.exit_threshold, c2.above_threshold),
            (Some(0.03), Some(true))
        );

        let all = &p.overall;
        assert_eq!((all.key, all.label.as_str()), (GroupKey::All, "all"));
        assert_counts(all, [7.5, 19.0, 5.5, 14.0, 5.5, 11.0, 9.0]);
        assert_fgt(all, [14.0 / 19.0, 5.3 / 19.0, 3.23 / 19.0]);
        assert_eq!(all.population, Some(400.0));
        assert_close(all.incidence.unwrap(), 9.0 / 400.0);
        assert_eq!((all.exit_threshold, all.above_threshold), (None, None));
        let all_causes = [
            (Cause::Illness, 3.5),
            (Cause::Land, 2.0),
            (Cause::Disability, 2.0),
            (Cause::Schooling, 1.0),
        ];
        assert_causes(all, 6.5, &all_causes);
    }

    #[test]
    fn causes_and_primary_causes_by_hand() {
        let p = profile(&registry(), 1000.0).unwrap();
        let labels: Vec<&str> = p.causes.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(
            labels,
            ["illness", "disability", "schooling", "land", "none"]
        );
        let [illness, disability, schooling, land, none] = &p.causes[..] else {
            panic!("five cause rows expected")
        };
        assert_eq!(illness.key, GroupKey::Cause(Cause::Illness));
        // Households 1, 2, 6.
        assert_counts(illness, [3.5, 9.0, 2.5, 7.0, 3.5, 9.0, 7.0]);
        assert_fgt(illness, [7.0 / 9.0, 2.3 / 9.0, 1.03 / 9.0]);
        assert_eq!((illness.population, illness.incidence), (None, None));
        assert_eq!(
            (illness.exit_threshold, illness.above_threshold),
            (None, None)
        );
        assert_causes(illness, 3.5, &[(Cause::Illness, 3.5), (Cause::Land, 1.0)]);
        assert_counts(disability, [2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0]);
        assert_fgt(disability, [1.0, 1.0, 1.0]);
        assert_counts(schooling, [1.0, 5.0, 1.0, 5.0, 0.0, 0.0, 0.0]);
        assert_fgt(schooling, [1.0, 0.2, 0.04]);
        // Land: households 1 and 5, both poor; each counts here and under their other cause.
        assert_counts(land, [2.0, 9.0, 2.0, 9.0, 1.0, 4.0, 4.0]);
        assert_fgt(land, [1.0, 3.0 / 9.0, 1.2 / 9.0]);
        assert_eq!(none.key, GroupKey::NoCause);
        assert_counts(none, [1.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
        assert_fgt(none, [0.0, 0.0, 0.0]);
        assert_causes(none, 0.0, &[]);

        let labels: Vec<&str> = p.primary_causes.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["illness", "disability", "land", "none"]);
        let [p_illness, p_disability, p_land, p_none] = &p.primary_causes[..] else {
            panic!("four primary rows expected")
        };
        assert_eq!(p_illness, illness);
        assert_eq!(p_disability, disability);
        assert_counts(p_land, [1.0, 5.0, 1.0, 5.0, 0.0, 0.0, 0.0]);
        assert_fgt(p_land, [1.0, 0.2, 0.04]);
        assert_eq!(p_none, none);
        // Primary groups partition the households.
        let total: f64 = p.primary_causes.iter().map(|r| r.people).sum();
        assert_eq!(total, p.overall.people);
    }

    #[test]
    fn overall_fgt_equals_fgt_over_people() {
        // Expand each household into its members: the people-weighted FGT of the profile is the
        // FGT of per-person incomes with the household's weight.
        let reg = registry();
        let h = reg.households();
        let mut incomes = Vec::new();
        let mut weights = Vec::new();
        for i in 0..h.len() {
            for _ in 0..h.size[i] {
                incomes.push(h.income_per_capita[i]);
                weights.push(h.weight[i]);
            }
        }
        for line in [600.0, 1000.0, 1200.0] {
            let p = profile(&reg, line).unwrap();
            for (alpha, got) in [
                (0.0, p.overall.fgt0),
                (1.0, p.overall.fgt1),
                (2.0, p.overall.fgt2),
            ] {
                assert_close(got, fgt(&incomes, line, alpha, Some(&weights)).unwrap());
            }
        }
    }

    #[test]
    fn bad_line_is_an_error() {
        let reg = registry();
        for line in [0.0, -5.0, f64::NAN, f64::INFINITY] {
            let e = profile(&reg, line).unwrap_err();
            assert_eq!(e.column(), Some("line"), "{e}");
        }
    }

    #[test]
    fn a_line_below_every_income_has_no_poor() {
        let p = profile(&registry(), 1e-9).unwrap();
        // Household 4 has zero income: below any positive line.
        assert_counts(&p.overall, [7.5, 19.0, 2.0, 2.0, 5.5, 11.0, 2.0]);
        assert_fgt(&p.overall, [2.0 / 19.0, 2.0 / 19.0, 2.0 / 19.0]);
    }
}
