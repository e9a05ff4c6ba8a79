//! Exit checks (脱贫、出列、摘帽): households, villages and counties against a [`Checklist`].
//!
//! Definitions (people are `size × weight`, summed):
//!
//! * A household passes when every household condition holds.
//! * **Remaining poor** of a village: people of its *registered* households that fail the household
//!   standard (whatever their administrative mark — the assessment checks, it does not trust).
//! * **Missed poor** (漏评): people of *unregistered* households with income below the line.
//! * **Incidence** (贫困发生率) of a village: (remaining poor + missed poor) / its rural registered
//!   population (`population`); of a county, the same sums over its villages (0 when the
//!   population is 0).
//! * **Wrong-exit rate** (错退率) of a county: people in households marked exited (in
//!   [`ExitData::exited`]) that fail the household standard / people in households marked exited;
//!   0 when none is marked exited; not measurable (unchecked) without marks.
//! * **Missed-identification rate** (漏评率): missed poor / people of unregistered households; not
//!   measurable when the county has no unregistered households (a register of the poor alone).
//!
//! The two rates follow the third-party assessments of county exit (State Council LGOP 2017
//! rules: 错退率 and 漏评率 below 2 %), computed here on every household of the registry (with
//! survey weights) rather than on an assessment sample.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::checklist::Checklist;
use super::fields::{Columns, evaluate};
use super::sums::group_sums;
use super::validate::{same_len, show};
use crate::error::{Error, Result};
use crate::registry::Registry;

/// Extra data for an exit check: administrative exit marks and columns the registry lacks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExitData {
    /// Households marked exited (已脱贫), one per household; needed for the wrong-exit rate.
    pub exited: Option<Vec<bool>>,
    /// Extra household columns by name (e.g. `dropouts`, `electricity`, `dibao`), one per household.
    pub household: BTreeMap<String, Vec<f64>>,
    /// Extra village columns by name, one per village.
    pub village: BTreeMap<String, Vec<f64>>,
    /// Extra county columns by name, one per county.
    pub county: BTreeMap<String, Vec<f64>>,
}

/// A household's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdExit {
    /// 1-based row in the registry.
    pub row: usize,
    /// External household id.
    pub household_id: String,
    /// Registered poor.
    pub registered: bool,
    /// Meets every household condition.
    pub pass: bool,
    /// Names of the failing conditions.
    pub failing: Vec<String>,
}

/// A village's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VillageExit {
    /// 1-based row among the villages.
    pub row: usize,
    /// External village id.
    pub village_id: String,
    /// Poverty incidence.
    pub incidence: f64,
    /// Exit threshold of the village's region.
    pub threshold: f64,
    /// Meets every village condition.
    pub pass: bool,
    /// Names of the failing conditions.
    pub failing: Vec<String>,
}

/// A county's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountyExit {
    /// 1-based row among the counties.
    pub row: usize,
    /// External county id.
    pub county_id: String,
    /// Poverty incidence.
    pub incidence: f64,
    /// Exit threshold of the county's region.
    pub threshold: f64,
    /// Wrong-exit rate, when measurable.
    pub wrong_exit_rate: Option<f64>,
    /// Missed-identification rate, when measurable.
    pub missed_identification_rate: Option<f64>,
    /// Meets every county condition.
    pub pass: bool,
    /// Names of the failing conditions.
    pub failing: Vec<String>,
}

/// The result of [`exit_check`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExitReport {
    /// Assessment year (recorded; the caller's `line` is the line of that year).
    pub year: i32,
    /// Poverty line used, yuan per person per year.
    pub line: f64,
    /// Name of the checklist.
    pub checklist: String,
    /// One per household.
    pub households: Vec<HouseholdExit>,
    /// One per village.
    pub villages: Vec<VillageExit>,
    /// One per county.
    pub counties: Vec<CountyExit>,
    /// Conditions skipped somewhere for missing data, as `level.name`.
    pub unchecked: Vec<String>,
}

/// Check households, villages and counties against `checklist` with no extra data (see
/// [`exit_check_with`]).
///
/// # Examples
/// ```no_run
/// # fn f(reg: &fupin_core::Registry) -> fupin_core::Result<()> {
/// use fupin_core::targeting::{Checklist, exit_check};
/// let report = exit_check(reg, 2018, 3535.0, &Checklist::national())?;
/// let exited = report.counties.iter().filter(|c| c.pass).count();
/// # Ok(()) }
/// ```
///
/// # Errors
/// As [`exit_check_with`].
pub fn exit_check(
    registry: &Registry,
    year: i32,
    line: f64,
    checklist: &Checklist,
) -> Result<ExitReport> {
    exit_check_with(registry, year, line, checklist, &ExitData::default())
}

/// Check households, villages and counties against `checklist` (definitions in the module
/// documentation), using the exit marks and extra columns of `data`.
///
/// # Errors
/// [`Error::InvalidParameter`] `line` unless positive and finite, a checklist that fails
/// [`Checklist::validate`], a condition naming an unknown field with `if_missing = error`, a
/// supplied column named like a built-in field; [`Error::LengthMismatch`] for `exited` or a
/// supplied column of the wrong length; [`Error::InvalidValue`] for a NaN in a supplied column.
pub fn exit_check_with(
    registry: &Registry,
    year: i32,
    line: f64,
    checklist: &Checklist,
    data: &ExitData,
) -> Result<ExitReport> {
    if !(line.is_finite() && line > 0.0) {
        return Err(Error::invalid_parameter(
            "line",
            show(line),
            "must be a positive finite poverty line",
        ));
    }
    checklist.validate()?;
    let h = registry.households();
    let v = registry.villages();
    let (n, nv, nc) = (h.len(), registry.n_villages(), registry.n_counties());
    if let Some(ex) = &data.exited {
        same_len("exit_check", "exited", n, ex.len())?;
    }

    let hcols = Columns {
        level: "household",
        n,
        builtin: BTreeMap::new(),
        supplied: &data.household,
        registry: Some(registry),
        line,
        threshold: (0..n)
            .map(|i| registry.village_threshold(h.village[i] as usize))
            .collect(),
    };
    hcols.check_supplied()?;
    let he = evaluate(&hcols, &checklist.household)?;

    // Village and county sums of people, in an order that does not depend on the rows' (a
    // village at its threshold must not pass or fail by the order of addition).
    let (mut remaining, mut missed) = (Vec::new(), Vec::new());
    let (mut c_unreg, mut c_exited, mut c_wrong) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..n {
        let people = f64::from(h.size[i]) * h.weight[i];
        let vi = h.village[i] as usize;
        let c = registry.county_of(i);
        let fails = !he.failing[i].is_empty();
        if h.registered[i] {
            if fails {
                remaining.push((vi, people));
            }
        } else {
            c_unreg.push((c, people));
            if h.income_per_capita[i] < line {
                missed.push((vi, people));
            }
        }
        if let Some(ex) = &data.exited
            && ex[i]
        {
            c_exited.push((c, people));
            if fails {
                c_wrong.push((c, people));
            }
        }
    }
    let (remaining, missed) = (group_sums(remaining, nv), group_sums(missed, nv));
    let (c_unreg, c_exited, c_wrong) = (
        group_sums(c_unreg, nc),
        group_sums(c_exited, nc),
        group_sums(c_wrong, nc),
    );
    let incidence = |poor: f64, pop: f64| if pop > 0.0 { poor / pop } else { 0.0 };
    let v_inc: Vec<f64> = (0..nv)
        .map(|j| incidence(remaining[j] + missed[j], f64::from(v.population[j])))
        .collect();
    let mut c_poor = vec![0.0; nc];
    let mut c_missed = vec![0.0; nc];
    let mut c_pop = vec![0.0; nc];
    for j in 0..nv {
        let c = v.county[j] as usize;
        c_poor[c] += remaining[j] + missed[j];
        c_missed[c] += missed[j];
        c_pop[c] += f64::from(v.population[j]);
    }
    let c_inc: Vec<f64> = (0..nc).map(|c| incidence(c_poor[c], c_pop[c])).collect();
    let wrong: Vec<Option<f64>> = (0..nc)
        .map(|c| {
            data.exited.as_ref().map(|_| {
                if c_exited[c] > 0.0 {
                    c_wrong[c] / c_exited[c]
                } else {
                    0.0
                }
            })
        })
        .collect();
    let missed_rate: Vec<Option<f64>> = (0..nc)
        .map(|c| (c_unreg[c] > 0.0).then(|| c_missed[c] / c_unreg[c]))
        .collect();

    let mut vb = BTreeMap::new();
    vb.insert("incidence", v_inc.iter().map(|&x| Some(x)).collect());
    vb.insert(
        "population",
        v.population.iter().map(|&x| Some(f64::from(x))).collect(),
    );
    vb.insert(
        "poor",
        v.poor
            .iter()
            .map(|&x| Some(if x { 1.0 } else { 0.0 }))
            .collect(),
    );
    let vcols = Columns {
        level: "village",
        n: nv,
        builtin: vb,
        supplied: &data.village,
        registry: None,
        line,
        threshold: (0..nv).map(|j| registry.village_threshold(j)).collect(),
    };
    vcols.check_supplied()?;
    let ve = evaluate(&vcols, &checklist.village)?;

    let mut cb = BTreeMap::new();
    cb.insert("incidence", c_inc.iter().map(|&x| Some(x)).collect());
    cb.insert("wrong_exit_rate", wrong.clone());
    cb.insert("missed_identification_rate", missed_rate.clone());
    let ccols = Columns {
        level: "county",
        n: nc,
        builtin: cb,
        supplied: &data.county,
        registry: None,
        line,
        threshold: (0..nc).map(|c| registry.county_threshold(c)).collect(),
    };
    ccols.check_supplied()?;
    let ce = evaluate(&ccols, &checklist.county)?;

    let households = he
        .failing
        .into_iter()
        .enumerate()
        .map(|(i, failing)| HouseholdExit {
            row: i + 1,
            household_id: h.id.display(i),
            registered: h.registered[i],
            pass: failing.is_empty(),
            failing,
        })
        .collect();
    let villages = ve
        .failing
        .into_iter()
        .enumerate()
        .map(|(j, failing)| VillageExit {
            row: j + 1,
            village_id: v.id.display(j),
            incidence: v_inc[j],
            threshold: registry.village_threshold(j),
            pass: failing.is_empty(),
            failing,
        })
        .collect();
    let counties = ce
        .failing
        .into_iter()
        .enumerate()
        .map(|(c, failing)| CountyExit {
            row: c + 1,
            county_id: registry.counties().id.display(c),
            incidence: c_inc[c],
            threshold: registry.county_threshold(c),
            wrong_exit_rate: wrong[c],
            missed_identification_rate: missed_rate[c],
            pass: failing.is_empty(),
            failing,
        })
        .collect();
    let mut unchecked = he.unchecked;
    unchecked.extend(ve.unchecked);
    unchecked.extend(ce.unchecked);
    Ok(ExitReport {
        year,
        line,
        checklist: checklist.name.clone(),
        households,
        villages,
        counties,
        unchecked,
    })
}

impl ExitReport {
    /// The household, village and county results as [`Table`](crate::registry::Table)s with
    /// external ids from `registry` (the one checked): households `row` (1-based),
    /// `household_id`, `registered`, `pass`; villages `row`, `village_id`, `incidence`,
    /// `threshold`, `pass`; counties `row`, `county_id`, `incidence`, `threshold`,
    /// `wrong_exit_rate`, `missed_identification_rate` (NaN when not measurable), `pass`. The
    /// lists of failing conditions stay in the `failing` fields.
    pub fn tables(&self, registry: &Registry) -> [crate::registry::Table; 3] {
        use crate::registry::{ColumnData as C, Table};
        let (hs, vs, cs) = (&self.households, &self.villages, &self.counties);
        let households = Table::from_columns(
            "households",
            [
                ("row", C::whole(hs.iter().map(|x| x.row))),
                (
                    "household_id",
                    C::ids(&registry.households().id, hs.iter().map(|x| x.row - 1)),
                ),
                ("registered", C::flags(hs.iter().map(|x| x.registered))),
                ("pass", C::flags(hs.iter().map(|x| x.pass))),
            ],
        );
        let villages = Table::from_columns(
            "villages",
            [
                ("row", C::whole(vs.iter().map(|x| x.row))),
                (
                    "village_id",
                    C::ids(&registry.villages().id, vs.iter().map(|x| x.row - 1)),
                ),
                ("incidence", C::floats(vs.iter().map(|x| x.incidence))),
                ("threshold", C::floats(vs.iter().map(|x| x.threshold))),
                ("pass", C::flags(vs.iter().map(|x| x.pass))),
            ],
        );
        let counties = Table::from_columns(
            "counties",
            [
                ("row", C::whole(cs.iter().map(|x| x.row))),
                (
                    "county_id",
                    C::ids(&registry.counties().id, cs.iter().map(|x| x.row - 1)),
                ),
                ("incidence", C::floats(cs.iter().map(|x| x.incidence))),
                ("threshold", C::floats(cs.iter().map(|x| x.threshold))),
                (
                    "wrong_exit_rate",
                    C::optional(cs.iter().map(|x| x.wrong_exit_rate)),
                ),
                (
                    "missed_identification_rate",
                    C::optional(cs.iter().map(|x| x.missed_identification_rate)),
                ),
                ("pass", C::flags(cs.iter().map(|x| x.pass))),
            ],
        );
        [households, villages, counties]
    }
}

#[cfg(test)]
#[path = "exit_tests.rs"]
mod tests;
