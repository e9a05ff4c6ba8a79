//! From a household × year panel to poverty spells.
//!
//! Input is three columns of equal length in any row order: a household key (an integer; the
//! Python layer factorises text ids), a calendar year and a poor flag. Each household's years must
//! be consecutive (no gaps) and a household-year must appear once.
//!
//! Definitions (years are whole; a spell is measured in years at risk):
//! - **Exit spell** ([`SpellKind::Exit`]): starts at the household's *first observed* poor year p.
//!   If a later year e is non-poor (the first such), the household exits after e − p years (event).
//!   Otherwise it is censored at the end of observation after L − p years (L = last observed year).
//!   A household poor in its first observed year may have been poor before: the spell is then
//!   left-truncated, and its duration counts from the first observed year (documented limitation).
//!   A household never observed poor has no exit spell.
//! - **Return spell** ([`SpellKind::Return`]): for households with an exit event, starts at the exit
//!   year e; returns after r − e years when r is the first poor year after e (event), otherwise
//!   censored after L − e years.
//! - A spell starting in the last observed year has duration 0 (censored): it is kept (so nothing is
//!   dropped silently) and contributes no person-periods.
//!
//! Person-period rows for discrete-time hazard models are built by [`Panel::person_periods`]
//! (see [`super::person_period`]).

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// Which spell: out of poverty (exit) or back into it (return).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpellKind {
    /// From the first observed poor year to the first non-poor year after it.
    Exit,
    /// From the first exit year to the first poor year after it.
    Return,
}

/// One spell per household that has one, as plain columns (households in ascending key order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spells {
    /// Which kind of spell these are.
    pub kind: SpellKind,
    /// Household key.
    pub household: Vec<i64>,
    /// Year the spell starts (first observed poor year, or exit year for returns).
    pub start_year: Vec<i32>,
    /// Years until the event or censoring (a whole number, ≥ 0).
    pub duration: Vec<f64>,
    /// True when the event (exit, or return) was observed; false when censored.
    pub observed: Vec<bool>,
    /// 0-based input row of the start year (to join household attributes such as cause or village).
    pub start_row: Vec<usize>,
}

impl Spells {
    /// Number of spells.
    pub fn len(&self) -> usize {
        self.household.len()
    }

    /// True when there are no spells.
    pub fn is_empty(&self) -> bool {
        self.household.is_empty()
    }
}

/// A validated panel, sorted by household then year.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    /// Unique household keys, ascending.
    pub(crate) households: Vec<i64>,
    /// Household h occupies sorted positions `offsets[h]..offsets[h + 1]`.
    pub(crate) offsets: Vec<usize>,
    /// Sorted position → 0-based input row.
    pub(crate) rows: Vec<usize>,
    /// Years in sorted order.
    pub(crate) years: Vec<i32>,
    /// Poor flags in sorted order.
    pub(crate) poor: Vec<bool>,
}

/// The position of the first/last event of a spell within one household's sorted rows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpellSpan {
    /// Sorted position of the start year.
    pub start: usize,
    /// Number of years at risk.
    pub duration: usize,
    /// Whether the spell ends with the event.
    pub observed: bool,
}

impl Panel {
    /// Validate and sort a panel.
    ///
    /// Errors: [`Error::Empty`] for no rows; [`Error::LengthMismatch`] naming `year` or `poor`;
    /// [`Error::DuplicateId`] naming column `year`, the 1-based row of the repeat and of the first
    /// occurrence; [`Error::InvalidValue`] naming column `year` and the row after a gap.
    ///
    /// # Examples
    ///
    /// ```
    /// use fupin_core::timelines::{Panel, SpellKind};
    ///
    /// // Household 7 is poor in 2014-2015 and exits in 2016; household 9 stays poor.
    /// let hh = [7, 7, 7, 9, 9, 9];
    /// let year = [2014, 2015, 2016, 2014, 2015, 2016];
    /// let poor = [true, true, false, true, true, true];
    /// let panel = Panel::new(&hh, &year, &poor)?;
    /// let exits = panel.spells(SpellKind::Exit);
    /// assert_eq!(exits.duration, vec![2.0, 2.0]);
    /// assert_eq!(exits.observed, vec![true, false]);
    /// # Ok::<(), fupin_core::Error>(())
    /// ```
    pub fn new(household: &[i64], year: &[i32], poor: &[bool]) -> Result<Panel> {
        let n = household.len();
        if n == 0 {
            return Err(Error::Empty {
                table: "panel".into(),
            });
        }
        for (column, len) in [("year", year.len()), ("poor", poor.len())] {
            if len != n {
                return Err(Error::LengthMismatch {
                    table: "panel".into(),
                    column: column.into(),
                    expected: n,
                    found: len,
                });
            }
        }
        let mut rows: Vec<usize> = (0..n).collect();
        // Stable: among duplicates, the earlier input row comes first.
        rows.sort_by_key(|&i| (household[i], year[i]));
        let mut households = Vec::new();
        let mut offsets = Vec::new();
        for (k, &i) in rows.iter().enumerate() {
            let new_household = k == 0 || household[rows[k - 1]] != household[i];
            if new_household {
                households.push(household[i]);
                offsets.push(k);
                continue;
            }
            let prev = rows[k - 1];
            if year[prev] == year[i] {
                return Err(Error::DuplicateId {
                    table: "panel".into(),
                    column: "year".into(),
                    row: i + 1,
                    value: format!("household {}, year {}", household[i], year[i]),
                    first_row: prev + 1,
                });
            }
            if i64::from(year[i]) != i64::from(year[prev]) + 1 {
                return Err(Error::invalid_value(
                    "panel",
                    "year",
                    i + 1,
                    year[i],
                    format!(
                        "follows year {} (row {}) for household {}: years must be consecutive",
                        year[prev],
                        prev + 1,
                        household[i]
                    ),
                ));
            }
        }
        offsets.push(n);
        Ok(Panel {
            households,
            offsets,
            years: rows.iter().map(|&i| year[i]).collect(),
            poor: rows.iter().map(|&i| poor[i]).collect(),
            rows,
        })
    }

    /// Number of input rows.
    pub fn n_rows(&self) -> usize {
        self.rows.len()
    }

    /// Number of households.
    pub fn n_households(&self) -> usize {
        self.households.len()
    }

    /// Household keys, ascending.
    pub fn households(&self) -> &[i64] {
        &self.households
    }

    /// The spell of `kind` for household `h` (dense index), if it has one.
    pub(crate) fn span(&self, h: usize, kind: SpellKind) -> Option<SpellSpan> {
        let (lo, hi) = (self.offsets[h], self.offsets[h + 1]);
        let poor = &self.poor[lo..hi];
        let entry = poor.iter().position(|&p| p)?;
        let exit = poor[entry..].iter().position(|&p| !p).map(|k| entry + k);
        let (start, end) = match kind {
            SpellKind::Exit => (entry, exit),
            SpellKind::Return => {
                let e = exit?;
                (e, poor[e..].iter().position(|&p| p).map(|k| e + k))
            }
        };
        let last = poor.len() - 1;
        Some(SpellSpan {
            start: lo + start,
            duration: end.map_or(last - start, |x| x - start),
            observed: end.is_some(),
        })
    }

    /// One spell of `kind` per household that has one (see the module docs for the definitions).
    pub fn spells(&self, kind: SpellKind) -> Spells {
        let mut out = Spells {
            kind,
            household: Vec::new(),
            start_year: Vec::new(),
            duration: Vec::new(),
            observed: Vec::new(),
            start_row: Vec::new(),
        };
        for h in 0..self.n_households() {
            if let Some(s) = self.span(h, kind) {
                out.household.push(self.households[h]);
                out.start_year.push(self.years[s.start]);
                out.duration.push(s.duration as f64);
                out.observed.push(s.observed);
                out.start_row.push(self.rows[s.start]);
            }
        }
        out
    }
}

/// Poor flags from income and a poverty line: `income < line` (strictly below the line is poor).
///
/// `line` holds one value for every row, or a single value for all rows (a schedule by year is
/// mapped to rows by the caller). Income must be finite (it may be negative: net of costs); lines
/// finite and > 0.
pub fn poor_flags(income: &[f64], line: &[f64]) -> Result<Vec<bool>> {
    if income.is_empty() {
        return Err(Error::Empty {
            table: "panel: income".into(),
        });
    }
    if line.len() != 1 && line.len() != income.len() {
        return Err(Error::LengthMismatch {
            table: "panel".into(),
            column: "line".into(),
            expected: income.len(),
            found: line.len(),
        });
    }
    for (i, &l) in line.iter().enumerate() {
        if !l.is_finite() || l <= 0.0 {
            return Err(Error::invalid_value(
                "panel",
                "line",
                i + 1,
                l,
                "must be finite and > 0",
            ));
        }
    }
    income
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            if x.is_finite() {
                Ok(x < line[if line.len() == 1 { 0 } else { i }])
            } else {
                Err(Error::invalid_value(
                    "panel",
                    "income",
                    i + 1,
                    x,
                    "must be finite",
                ))
            }
        })
        .collect()
}

impl Spells {
    /// The columns `household`, `start_year`, `duration`, `observed`, `start_row` (0-based) as a
    /// [`Table`](crate::registry::Table).
    pub fn to_table(&self) -> crate::registry::Table {
        use crate::registry::{ColumnData as C, Table};
        Table::from_columns(
            "spells",
            [
                ("household", C::Int(self.household.clone())),
                ("start_year", C::whole(self.start_year.iter().copied())),
                ("duration", C::floats(self.duration.clone())),
                ("observed", C::flags(self.observed.clone())),
                ("start_row", C::whole(self.start_row.iter().copied())),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows deliberately shuffled. Households:
    /// 1: P P N N P  (exit after 2, return after 2)
    /// 2: N P P P    (exit censored after 2; no return spell)
    /// 3: N N N      (never poor: no spells)
    /// 4: P N N      (exit after 1, return censored after 1)
    /// 5: N N P      (poor only in the last year: exit censored after 0)
    fn example() -> (Vec<i64>, Vec<i32>, Vec<bool>) {
        let mut rows: Vec<(i64, i32, bool)> = Vec::new();
        let flags = [
            (1, "PPNNP"),
            (2, "NPPP"),
            (3, "NNN"),
            (4, "PNN"),
            (5, "NNP"),
        ];
        for (h, s) in flags {
            for (k, c) in s.chars().enumerate() {
                rows.push((h, 2014 + k as i32, c == 'P'));
            }
        }
        // A fixed shuffle: reverse, then interleave.
        rows.reverse();
        let (a, b): (Vec<_>, Vec<_>) = rows.iter().enumerate().partition(|(i, _)| i % 2 == 0);
        let rows: Vec<(i64, i32, bool)> = a.into_iter().chain(b).map(|(_, r)| *r).collect();
        (
            rows.iter().map(|r| r.0).collect(),
            rows.iter().map(|r| r.1).collect(),
            rows.iter().map(|r| r.2).collect(),
        )
    }

    #[test]
    fn exit_and_return_spells_by_hand() {
        let (h, y, p) = example();
        let panel = Panel::new(&h, &y, &p).unwrap();
        assert_eq!(panel.households(), &[1, 2, 3, 4, 5]);
        let ex = panel.spells(SpellKind::Exit);
        assert_eq!(ex.household, vec![1, 2, 4, 5]);
        assert_eq!(ex.start_year, vec![2014, 2015, 2014, 2016]);
        assert_eq!(ex.duration, vec![2.0, 2.0, 1.0, 0.0]);
        assert_eq!(ex.observed, vec![true, false, true, false]);
        for (k, &r) in ex.start_row.iter().enumerate() {
            assert_eq!(
                (h[r], y[r], p[r]),
                (ex.household[k], ex.start_year[k], true)
            );
        }
        let ret = panel.spells(SpellKind::Return);
        assert_eq!(ret.household, vec![1, 4]);
        assert_eq!(ret.start_year, vec![2016, 2015]);
        assert_eq!(ret.duration, vec![2.0, 1.0]);
        assert_eq!(ret.observed, vec![true, false]);
        for (k, &r) in ret.start_row.iter().enumerate() {
            assert_eq!(
                (h[r], y[r], p[r]),
                (ret.household[k], ret.start_year[k], false)
            );
        }
    }

    #[test]
    fn duplicates_gaps_and_lengths_are_errors_naming_rows() {
        let err = Panel::new(&[1, 2, 1], &[2014, 2014, 2014], &[true; 3]).unwrap_err();
        match err {
            Error::DuplicateId { row, first_row, .. } => assert_eq!((row, first_row), (3, 1)),
            other => panic!("{other}"),
        }
        let err = Panel::new(&[1, 1, 1], &[2014, 2017, 2015], &[true; 3]).unwrap_err();
        assert_eq!(err.column(), Some("year"));
        assert_eq!(err.row(), Some(2));
        assert_eq!(err.value(), Some("2017"));
        let err = Panel::new(&[1, 1], &[2014], &[true, true]).unwrap_err();
        assert_eq!(err.column(), Some("year"));
        let err = Panel::new(&[1, 1], &[2014, 2015], &[true]).unwrap_err();
        assert_eq!(err.column(), Some("poor"));
        assert!(matches!(
            Panel::new(&[], &[], &[]).unwrap_err(),
            Error::Empty { .. }
        ));
    }

    #[test]
    fn poor_flags_from_income() {
        assert_eq!(
            poor_flags(&[2000.0, 2800.0, 3000.0, -5.0], &[2800.0]).unwrap(),
            vec![true, false, false, true]
        );
        assert_eq!(
            poor_flags(&[2000.0, 2000.0], &[1000.0, 3000.0]).unwrap(),
            vec![false, true]
        );
        let e = poor_flags(&[1.0, f64::NAN], &[2.0]).unwrap_err();
        assert_eq!((e.column(), e.row()), (Some("income"), Some(2)));
        let e = poor_flags(&[1.0, 2.0], &[2.0, 0.0]).unwrap_err();
        assert_eq!((e.column(), e.row()), (Some("line"), Some(2)));
        assert!(poor_flags(&[1.0, 2.0, 3.0], &[2.0, 1.0]).is_err());
        assert!(poor_flags(&[], &[2.0]).is_err());
    }
}
