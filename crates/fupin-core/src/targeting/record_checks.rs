//! Record checks (数据清洗): configurable rules that flag suspicious registry records.
//!
//! Rules are data ([`RecordRules`], TOML):
//!
//! ```toml
//! [[rules]]
//! rule = "income_above_line"   # registered household with income > multiple × line
//! multiple = 3.0
//!
//! [[rules]]
//! rule = "range"               # a field outside [min, max]
//! name = "head_education"      # optional; defaults to the rule kind
//! field = "head_education_years"
//! max = 22
//! ```
//!
//! Each flag is one row of a table: 1-based household row, household id, rule name and the values
//! that triggered it. Rules needing data the registry lacks (person keys, exit and floor flags) are
//! skipped, and listed as skipped, when the data are not given.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::checklist::line_of;
use super::fields::household_field;
use super::validate::{same_len, show};
use crate::error::{Error, Result};
use crate::registry::{Ids, Registry};

/// A kind of record check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// A registered household whose income per person exceeds `multiple` × the line.
    IncomeAboveLine {
        /// Multiple of the poverty line.
        multiple: f64,
    },
    /// More than `max` members.
    SizeAbove {
        /// Largest plausible household size.
        max: u16,
    },
    /// The sum of the member counts in `fields` exceeds the size (e.g. elderly + students).
    MembersExceedSize {
        /// Member-count fields to add up.
        fields: Vec<String>,
    },
    /// A household field outside `[min, max]` (either bound optional).
    Range {
        /// Field name (see [`super::HOUSEHOLD_FIELDS`]).
        field: String,
        /// Smallest plausible value.
        #[serde(default)]
        min: Option<f64>,
        /// Largest plausible value.
        #[serde(default)]
        max: Option<f64>,
    },
    /// The same person key in two or more households (needs [`RecordData::persons`]).
    DuplicatePerson,
    /// A household marked exited that still draws the floor (低保兜底) (needs
    /// [`RecordData::exited`] and [`RecordData::floor`]). Households under the floor are not
    /// supposed to leave the register by exit; an exited household still paid looks wrong.
    ExitedOnFloor,
}

impl Rule {
    /// The rule kind as written in TOML.
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::IncomeAboveLine { .. } => "income_above_line",
            Rule::SizeAbove { .. } => "size_above",
            Rule::MembersExceedSize { .. } => "members_exceed_size",
            Rule::Range { .. } => "range",
            Rule::DuplicatePerson => "duplicate_person",
            Rule::ExitedOnFloor => "exited_on_floor",
        }
    }
}

/// A rule with an optional name (defaults to its kind).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSpec {
    /// Name reported in flags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The rule.
    #[serde(flatten)]
    pub rule: Rule,
}

impl RuleSpec {
    /// The name reported in flags.
    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or(self.rule.kind())
    }
}

/// A set of record rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordRules {
    /// The rules, applied in order.
    pub rules: Vec<RuleSpec>,
}

impl Default for RecordRules {
    /// Conventions of this crate (no official thresholds exist; set them per province): income
    /// above 3 × the line, more than 12 members, elderly + students above size, head's schooling
    /// above 22 years, duplicate persons, exited households on the floor.
    fn default() -> Self {
        let r = |rule| RuleSpec { name: None, rule };
        RecordRules {
            rules: vec![
                r(Rule::IncomeAboveLine { multiple: 3.0 }),
                r(Rule::SizeAbove { max: 12 }),
                r(Rule::MembersExceedSize {
                    fields: vec!["elderly".into(), "students".into()],
                }),
                RuleSpec {
                    name: Some("head_education".into()),
                    rule: Rule::Range {
                        field: "head_education_years".into(),
                        min: None,
                        max: Some(22.0),
                    },
                },
                r(Rule::DuplicatePerson),
                r(Rule::ExitedOnFloor),
            ],
        }
    }
}

impl RecordRules {
    /// Parse rules from TOML (`[[rules]]` tables with a `rule` kind) and validate them.
    ///
    /// # Errors
    /// [`Error::Parse`] with the line of a syntax or schema error; [`Error::InvalidParameter`]
    /// naming `rules[i]` for a non-finite or negative multiple, an unknown field, or a range
    /// with min > max.
    pub fn from_toml(text: &str) -> Result<Self> {
        let r: RecordRules = toml::from_str(text).map_err(|e| Error::Parse {
            path: "record rules".into(),
            line: e.span().map_or(0, |s| line_of(text, s.start)),
            message: e.message().to_string(),
        })?;
        r.validate()?;
        Ok(r)
    }

    /// The rules as TOML.
    ///
    /// # Errors
    /// [`Error::Parse`] if serialisation fails.
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::Parse {
            path: "record rules".into(),
            line: 0,
            message: e.to_string(),
        })
    }

    /// Check parameters and field names.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `rules[i]`.
    pub fn validate(&self) -> Result<()> {
        let known = |f: &str| super::HOUSEHOLD_FIELDS.contains(&f);
        for (i, spec) in self.rules.iter().enumerate() {
            let bad = |value: String, reason: &str| {
                Err(Error::invalid_parameter(
                    format!("rules[{i}]"),
                    value,
                    reason,
                ))
            };
            match &spec.rule {
                Rule::IncomeAboveLine { multiple }
                    if !(multiple.is_finite() && *multiple > 0.0) =>
                {
                    return bad(show(*multiple), "multiple must be positive and finite");
                }
                Rule::MembersExceedSize { fields } => {
                    if let Some(f) = fields.iter().find(|f| !known(f)) {
                        return bad(format!("{f:?}"), "is not a household field");
                    }
                }
                Rule::Range { field, min, max } => {
                    if !known(field) {
                        return bad(format!("{field:?}"), "is not a household field");
                    }
                    if min.is_some_and(|m| !m.is_finite()) || max.is_some_and(|m| !m.is_finite()) {
                        return bad(format!("{min:?}..{max:?}"), "bounds must be finite");
                    }
                    if let (Some(a), Some(b)) = (min, max)
                        && a > b
                    {
                        return bad(format!("[{a}, {b}]"), "min must not exceed max");
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Person keys (e.g. ID-card numbers) and the household each belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Persons {
    /// One key per person.
    pub key: Vec<String>,
    /// The household id of each person (matched to the registry's `household_id`).
    pub household_id: Ids,
}

/// Data for the rules that need more than the registry.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordData<'a> {
    /// Person keys, for `duplicate_person`.
    pub persons: Option<&'a Persons>,
    /// Households marked exited, for `exited_on_floor`.
    pub exited: Option<&'a [bool]>,
    /// Households drawing the floor (低保), for `exited_on_floor`.
    pub floor: Option<&'a [bool]>,
}

/// One suspicious record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// 1-based household row.
    pub row: usize,
    /// External household id.
    pub household_id: String,
    /// Rule name.
    pub rule: String,
    /// The values that triggered the rule, as (name, value) pairs.
    pub values: Vec<(String, String)>,
}

/// Result of [`check_records`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordCheck {
    /// Flags, ordered by row, then by rule order.
    pub flags: Vec<Flag>,
    /// Rules skipped for lack of data.
    pub skipped: Vec<String>,
}

/// Apply `rules` to every household of `registry` with poverty line `line`.
///
/// # Errors
/// [`Error::InvalidParameter`] `line` unless positive and finite, or from
/// [`RecordRules::validate`]; [`Error::LengthMismatch`] for `exited`, `floor` or the person
/// columns; [`Error::UnknownReference`] for a person's household id not in the registry.
///
/// # Examples
/// ```no_run
/// # fn f(reg: &fupin_core::Registry) -> fupin_core::Result<()> {
/// use fupin_core::targeting::{RecordData, RecordRules, check_records};
/// let out = check_records(reg, 3000.0, &RecordRules::default(), &RecordData::default())?;
/// for flag in &out.flags { let _ = (flag.row, &flag.rule); }
/// # Ok(()) }
/// ```
pub fn check_records(
    registry: &Registry,
    line: f64,
    rules: &RecordRules,
    data: &RecordData,
) -> Result<RecordCheck> {
    let table = "check_records";
    if !(line.is_finite() && line > 0.0) {
        return Err(Error::invalid_parameter(
            "line",
            show(line),
            "must be a positive finite poverty line",
        ));
    }
    rules.validate()?;
    let h = registry.households();
    let n = h.len();
    for (name, col) in [("exited", data.exited), ("floor", data.floor)] {
        if let Some(c) = col {
            same_len(table, name, n, c.len())?;
        }
    }
    let field = |f: &str| household_field(registry, f).unwrap_or_default();
    let mut flags: Vec<(usize, usize, Flag)> = Vec::new();
    let mut skipped = Vec::new();
    let mut push = |i: usize, r: usize, name: &str, values: Vec<(String, String)>| {
        flags.push((
            i,
            r,
            Flag {
                row: i + 1,
                household_id: h.id.display(i),
                rule: name.to_string(),
                values,
            },
        ));
    };
    let kv = |k: &str, v: String| (k.to_string(), v);
    for (r, spec) in rules.rules.iter().enumerate() {
        let name = spec.name();
        match &spec.rule {
            Rule::IncomeAboveLine { multiple } => {
                for i in 0..n {
                    let y = h.income_per_capita[i];
                    if h.registered[i] && y > multiple * line {
                        push(
                            i,
                            r,
                            name,
                            vec![
                                kv("income_per_capita", show(y)),
                                kv("line", show(line)),
                                kv("multiple", show(*multiple)),
                            ],
                        );
                    }
                }
            }
            Rule::SizeAbove { max } => {
                for i in 0..n {
                    if h.size[i] > *max {
                        push(
                            i,
                            r,
                            name,
                            vec![
                                kv("size", h.size[i].to_string()),
                                kv("max", max.to_string()),
                            ],
                        );
                    }
                }
            }
            Rule::MembersExceedSize { fields } => {
                let cols: Vec<Vec<f64>> = fields.iter().map(|f| field(f)).collect();
                for i in 0..n {
                    let sum: f64 = cols.iter().map(|c| c[i]).sum();
                    if sum > f64::from(h.size[i]) {
                        let mut v: Vec<(String, String)> = fields
                            .iter()
                            .zip(&cols)
                            .map(|(f, c)| kv(f, show(c[i])))
                            .collect();
                        v.push(kv("size", h.size[i].to_string()));
                        push(i, r, name, v);
                    }
                }
            }
            Rule::Range { field: f, min, max } => {
                let col = field(f);
                for i in 0..n {
                    let x = col[i];
                    if min.is_some_and(|m| x < m) || max.is_some_and(|m| x > m) {
                        let mut v = vec![kv(f, show(x))];
                        if let Some(m) = min {
                            v.push(kv("min", show(*m)));
                        }
                        if let Some(m) = max {
                            v.push(kv("max", show(*m)));
                        }
                        push(i, r, name, v);
                    }
                }
            }
            Rule::DuplicatePerson => match data.persons {
                None => skipped.push(name.to_string()),
                Some(p) => {
                    for (i, key, others) in duplicate_persons(registry, p)? {
                        let others: Vec<String> = others.iter().map(|&o| h.id.display(o)).collect();
                        push(
                            i,
                            r,
                            name,
                            vec![
                                kv("person_key", key),
                                kv("other_households", others.join(";")),
                            ],
                        );
                    }
                }
            },
            Rule::ExitedOnFloor => match (data.exited, data.floor) {
                (Some(ex), Some(fl)) => {
                    for i in 0..n {
                        if ex[i] && fl[i] {
                            push(
                                i,
                                r,
                                name,
                                vec![kv("exited", "true".into()), kv("floor", "true".into())],
                            );
                        }
                    }
                }
                _ => skipped.push(name.to_string()),
            },
        }
    }
    flags.sort_by_key(|(i, r, _)| (*i, *r));
    Ok(RecordCheck {
        flags: flags.into_iter().map(|x| x.2).collect(),
        skipped,
    })
}

/// For each household sharing a person key with another household: (household row, key, the
/// other households' rows), ordered by key then row.
fn duplicate_persons(registry: &Registry, p: &Persons) -> Result<Vec<(usize, String, Vec<usize>)>> {
    let table = "persons";
    same_len(table, "household_id", p.key.len(), p.household_id.len())?;
    let index = registry
        .households()
        .id
        .index()
        .map_err(|_| Error::Numerical {
            what: "registry".into(),
            reason: "household ids are not unique".into(),
        })?;
    let mut by_key: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for (j, key) in p.key.iter().enumerate() {
        let Some(hh) = index.lookup(&p.household_id, j) else {
            return Err(Error::UnknownReference {
                table: table.into(),
                column: "household_id".into(),
                row: j + 1,
                value: p.household_id.display(j),
                target: "household".into(),
            });
        };
        by_key.entry(key.as_str()).or_default().insert(hh);
    }
    let mut out = Vec::new();
    for (key, set) in by_key {
        if set.len() > 1 {
            for &i in &set {
                out.push((
                    i,
                    key.to_string(),
                    set.iter().copied().filter(|&o| o != i).collect(),
                ));
            }
        }
    }
    Ok(out)
}

impl RecordCheck {
    /// The flags as a [`Table`](crate::registry::Table) with external ids from `registry` (the
    /// one checked): `row` (1-based), `household_id`, `rule`. The triggering values stay in
    /// [`Flag::values`].
    pub fn to_table(&self, registry: &Registry) -> crate::registry::Table {
        use crate::registry::{ColumnData as C, Table};
        let fl = &self.flags;
        Table::from_columns(
            "flags",
            [
                ("row", C::whole(fl.iter().map(|f| f.row))),
                (
                    "household_id",
                    C::ids(&registry.households().id, fl.iter().map(|f| f.row - 1)),
                ),
                ("rule", C::text(fl.iter().map(|f| f.rule.clone()))),
            ],
        )
    }
}

#[cfg(test)]
#[path = "record_checks_tests.rs"]
mod tests;
