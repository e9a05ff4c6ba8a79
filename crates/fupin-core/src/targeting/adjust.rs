//! Dynamic adjustment (动态调整: 应进必进、应退必退): given last year's registry and status and
//! this year's data, who enters, exits, returns and leaves.
//!
//! Status last year: *poor* (registered, not exited), *exited* (registered and marked exited) or
//! *out* (not registered). This year, households are matched to last year's by `household_id`:
//!
//! | last year | this year | change |
//! | --- | --- | --- |
//! | poor | meets every household condition of the checklist | `Exit` (应退必退) |
//! | poor | does not | `StayPoor` |
//! | exited | income below the line | `Return` (返贫) |
//! | exited | not | `StayExited` |
//! | out, or new this year | income below the line | `Enter` (应进必进) |
//! | out, or new this year | not | `StayOut` |
//! | any | absent this year | `Left` (moved, merged, died) |
//!
//! The `registered` column of this year's registry is ignored: status comes from last year.
//! Rates are measured on this year's data *before* the adjustment (people = `size × weight`):
//! the wrong-exit rate is the share of people in exited households now below the line; the
//! missed-identification rate the share of people outside the register (including new households)
//! below the line. Each is `None` when its denominator is empty.

use serde::{Deserialize, Serialize};

use super::checklist::Checklist;
use super::exit::ExitData;
use super::fields::{Columns, evaluate};
use super::sums::order_free_sum;
use super::validate::{same_len, show};
use crate::error::{Error, Result};
use crate::registry::Registry;

/// What happened to a household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Enters the register.
    Enter,
    /// Exits poverty.
    Exit,
    /// Returns to poverty after an exit.
    Return,
    /// Registered poor, still poor.
    StayPoor,
    /// Exited, still above the line.
    StayExited,
    /// Not registered, not poor.
    StayOut,
    /// Not in this year's data.
    Left,
}

/// One household's change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HouseholdChange {
    /// External household id.
    pub household_id: String,
    /// 1-based row in last year's registry, if it was there.
    pub old_row: Option<usize>,
    /// 1-based row in this year's registry, if it is there.
    pub new_row: Option<usize>,
    /// The change.
    pub change: Change,
    /// Failing household conditions this year (for `StayPoor`; empty otherwise).
    pub failing: Vec<String>,
}

/// Result of [`adjust`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Adjustment {
    /// This year's households in order, then last year's households that left.
    pub changes: Vec<HouseholdChange>,
    /// Registered after the adjustment, one per household of this year's registry.
    pub registered: Vec<bool>,
    /// Marked exited after the adjustment, one per household of this year's registry.
    pub exited: Vec<bool>,
    /// Number of households entering.
    pub entered: usize,
    /// Number exiting.
    pub exits: usize,
    /// Number returning to poverty.
    pub returned: usize,
    /// Number that left.
    pub left: usize,
    /// Wrong-exit rate before adjustment (people).
    pub wrong_exit_rate: Option<f64>,
    /// Missed-identification rate before adjustment (people).
    pub missed_identification_rate: Option<f64>,
}

/// Adjust the register from `old` (with exit marks `exited`, one per household of `old`) to this
/// year's `new` data with poverty line `line` and the household conditions of `checklist`.
///
/// # Errors
/// [`Error::InvalidParameter`] `line` unless positive and finite; [`Error::LengthMismatch`]
/// `exited`; [`Error::InvalidValue`] `exited` for a household marked exited but not registered;
/// the errors of the household conditions (see [`super::exit_check_with`]).
///
/// # Examples
/// ```no_run
/// # fn f(old: &fupin_core::Registry, new: &fupin_core::Registry, exited: &[bool]) -> fupin_core::Result<()> {
/// use fupin_core::targeting::{Checklist, adjust};
/// let a = adjust(old, exited, new, 3535.0, &Checklist::national())?;
/// let (entered, exits, returned) = (a.entered, a.exits, a.returned);
/// # Ok(()) }
/// ```
pub fn adjust(
    old: &Registry,
    exited: &[bool],
    new: &Registry,
    line: f64,
    checklist: &Checklist,
) -> Result<Adjustment> {
    adjust_with(old, exited, new, line, checklist, &ExitData::default())
}

/// [`adjust`] with extra household columns for this year (`data.household`, one per household of
/// `new`); the other fields of `data` are not used.
///
/// # Errors
/// As [`adjust`].
pub fn adjust_with(
    old: &Registry,
    exited: &[bool],
    new: &Registry,
    line: f64,
    checklist: &Checklist,
    data: &ExitData,
) -> Result<Adjustment> {
    let table = "adjust";
    if !(line.is_finite() && line > 0.0) {
        return Err(Error::invalid_parameter(
            "line",
            show(line),
            "must be a positive finite poverty line",
        ));
    }
    checklist.validate()?;
    let (ho, hn) = (old.households(), new.households());
    same_len(table, "exited", ho.len(), exited.len())?;
    if let Some(i) = (0..ho.len()).find(|&i| exited[i] && !ho.registered[i]) {
        return Err(Error::invalid_value(
            table,
            "exited",
            i + 1,
            "true",
            "marks a household that is not registered",
        ));
    }
    let cols = Columns {
        level: "household",
        n: hn.len(),
        builtin: Default::default(),
        supplied: &data.household,
        registry: Some(new),
        line,
        threshold: (0..hn.len())
            .map(|i| new.village_threshold(hn.village[i] as usize))
            .collect(),
    };
    cols.check_supplied()?;
    let eval = evaluate(&cols, &checklist.household)?;
    let index = ho.id.index().map_err(|_| Error::Numerical {
        what: "registry".into(),
        reason: "household ids are not unique".into(),
    })?;
    let mut seen = vec![false; ho.len()];
    let mut out = Adjustment {
        changes: Vec::with_capacity(hn.len()),
        registered: vec![false; hn.len()],
        exited: vec![false; hn.len()],
        entered: 0,
        exits: 0,
        returned: 0,
        left: 0,
        wrong_exit_rate: None,
        missed_identification_rate: None,
    };
    // People of exited, wrongly exited, outside and missed households; summed at the end in an
    // order that does not depend on the rows' ([`order_free_sum`]).
    let (mut ex_people, mut wrong_people, mut out_people, mut missed_people) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (i, failing) in eval.failing.into_iter().enumerate() {
        let people = f64::from(hn.size[i]) * hn.weight[i];
        let below = hn.income_per_capita[i] < line;
        let o = index.lookup(&hn.id, i);
        if let Some(o) = o {
            seen[o] = true;
        }
        let (registered, was_exited) = o.map_or((false, false), |o| (ho.registered[o], exited[o]));
        let (change, failing) = if registered && !was_exited {
            if failing.is_empty() {
                (Change::Exit, Vec::new())
            } else {
                (Change::StayPoor, failing)
            }
        } else if was_exited {
            ex_people.push(people);
            if below {
                wrong_people.push(people);
                (Change::Return, Vec::new())
            } else {
                (Change::StayExited, Vec::new())
            }
        } else {
            out_people.push(people);
            if below {
                missed_people.push(people);
                (Change::Enter, Vec::new())
            } else {
                (Change::StayOut, Vec::new())
            }
        };
        match change {
            Change::Enter => out.entered += 1,
            Change::Exit => out.exits += 1,
            Change::Return => out.returned += 1,
            _ => {}
        }
        out.registered[i] = matches!(
            change,
            Change::Enter | Change::Exit | Change::Return | Change::StayPoor | Change::StayExited
        );
        out.exited[i] = matches!(change, Change::Exit | Change::StayExited);
        out.changes.push(HouseholdChange {
            household_id: hn.id.display(i),
            old_row: o.map(|o| o + 1),
            new_row: Some(i + 1),
            change,
            failing,
        });
    }
    for (o, _) in seen.iter().enumerate().filter(|(_, s)| !**s) {
        out.left += 1;
        out.changes.push(HouseholdChange {
            household_id: ho.id.display(o),
            old_row: Some(o + 1),
            new_row: None,
            change: Change::Left,
            failing: Vec::new(),
        });
    }
    let (ex, wrong, outside, missed) = (
        order_free_sum(ex_people),
        order_free_sum(wrong_people),
        order_free_sum(out_people),
        order_free_sum(missed_people),
    );
    out.wrong_exit_rate = (ex > 0.0).then(|| wrong / ex);
    out.missed_identification_rate = (outside > 0.0).then(|| missed / outside);
    Ok(out)
}

impl Adjustment {
    /// The changes as a [`Table`](crate::registry::Table): `household_id` (the id in this year's
    /// registry `new`, or last year's `old` for households that left; integer when both
    /// registries have integer ids) and `change` (its serde name: `enter`, `exit`, `return`, `stay_poor`, `stay_exited`,
    /// `stay_out`, `left`). Rows and failing conditions stay in
    /// the fields of [`HouseholdChange`].
    pub fn to_table(&self, old: &Registry, new: &Registry) -> crate::registry::Table {
        use crate::registry::{ColumnData as C, Ids, Table};
        let id = |c: &HouseholdChange| match (c.new_row, c.old_row) {
            (Some(r), _) => Some((&new.households().id, r - 1)),
            (None, Some(r)) => Some((&old.households().id, r - 1)),
            (None, None) => None,
        };
        let ints: Option<Vec<i64>> = self
            .changes
            .iter()
            .map(|c| match id(c) {
                Some((Ids::Int(v), r)) => Some(v[r]),
                _ => None,
            })
            .collect();
        let household_id = match ints {
            Some(v) => C::Int(v),
            None => C::text(self.changes.iter().map(|c| c.household_id.clone())),
        };
        Table::from_columns(
            "changes",
            [
                ("household_id", household_id),
                ("change", C::names(self.changes.iter().map(|c| c.change))),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::{Ids, Region};
    use crate::targeting::testutil::{H, registry};

    const LINE: f64 = 3000.0;

    #[test]
    fn every_transition_by_hand() {
        // Last year: 101 poor, 102 poor, 103 exited, 104 exited, 105 out, 106 out, 107 poor.
        let old_h = vec![
            H::default(),
            H::default(),
            H::default(),
            H::default(),
            H {
                registered: false,
                ..H::default()
            },
            H {
                registered: false,
                ..H::default()
            },
            H::default(),
        ];
        let old = registry(&old_h, &[100], &[0], Region::Centre);
        let exited = [false, false, true, true, false, false, false];
        // This year (ids 101..=106 then a new 108; 107 left): 101 meets the standard → exit;
        // 102 lacks insurance → stays poor; 103 falls to 2000 → returns; 104 fine → stays exited;
        // 105 falls to 1000 → enters; 106 fine → stays out; 108 new at 500 → enters.
        let new_h = vec![
            H::default(),
            H {
                insured: false,
                ..H::default()
            },
            H {
                income: 2000.0,
                size: 2,
                labour: 1,
                elderly: 0,
                students: 0,
                ..H::default()
            },
            H::default(),
            H {
                income: 1000.0,
                ..H::default()
            },
            H::default(),
            H {
                income: 500.0,
                registered: false,
                ..H::default()
            },
        ];
        let mut new = registry(&new_h, &[100], &[0], Region::Centre);
        let mut hh = new.households().clone();
        hh.id = Ids::Int(vec![101, 102, 103, 104, 105, 106, 108]);
        new = Registry::new(hh, new.villages().clone(), new.counties().clone()).unwrap();
        let a = adjust(&old, &exited, &new, LINE, &Checklist::national()).unwrap();
        let changes: Vec<Change> = a.changes.iter().map(|c| c.change).collect();
        use Change::*;
        assert_eq!(
            changes,
            vec![
                Exit, StayPoor, Return, StayExited, Enter, StayOut, Enter, Left
            ]
        );
        assert_eq!(a.changes[1].failing, vec!["medical_insurance"]);
        assert_eq!(a.changes[7].household_id, "107");
        assert_eq!(
            (a.changes[7].old_row, a.changes[7].new_row),
            (Some(7), None)
        );
        assert_eq!(a.changes[6].old_row, None);
        assert_eq!((a.entered, a.exits, a.returned, a.left), (2, 1, 1, 1));
        assert_eq!(
            a.registered,
            vec![true, true, true, true, true, false, true]
        );
        assert_eq!(
            a.exited,
            vec![true, false, false, true, false, false, false]
        );
        // Wrong exits: 103 (2 people) of exited 103 + 104 (2 + 4) → 1/3.
        assert!((a.wrong_exit_rate.unwrap() - 1.0 / 3.0).abs() < 1e-15);
        // Missed: 105 and 108 (4 + 4) of out 105, 106, 108 (12) → 2/3.
        assert!((a.missed_identification_rate.unwrap() - 2.0 / 3.0).abs() < 1e-15);
    }

    #[test]
    fn rates_are_none_without_denominators_and_errors_are_named() {
        let reg = registry(&[H::default()], &[100], &[0], Region::Centre);
        let a = adjust(&reg, &[false], &reg, LINE, &Checklist::national()).unwrap();
        assert_eq!(
            (a.wrong_exit_rate, a.missed_identification_rate),
            (None, None)
        );
        assert_eq!(a.changes[0].change, Change::Exit);
        let e = adjust(&reg, &[], &reg, LINE, &Checklist::national()).unwrap_err();
        assert_eq!(e.column(), Some("exited"));
        let e = adjust(&reg, &[false], &reg, -1.0, &Checklist::national()).unwrap_err();
        assert_eq!(e.column(), Some("line"));
        let out = registry(
            &[H {
                registered: false,
                ..H::default()
            }],
            &[100],
            &[0],
            Region::Centre,
        );
        let e = adjust(&out, &[true], &out, LINE, &Checklist::national()).unwrap_err();
        assert_eq!((e.column(), e.row()), (Some("exited"), Some(1)));
    }
}
