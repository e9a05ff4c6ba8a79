//! Registry fields by name, and condition evaluation over them.

use std::collections::BTreeMap;

use super::checklist::{Clause, Condition, IfMissing, Unit};
use super::validate::same_len;
use crate::error::{Error, Result};
use crate::registry::Registry;

/// Numeric and flag columns of the households that conditions and rules may name.
pub const HOUSEHOLD_FIELDS: [&str; 14] = [
    "size",
    "income_per_capita",
    "labour",
    "elderly",
    "students",
    "chronic_illness",
    "disability",
    "housing_safe",
    "safe_water",
    "insured",
    "inhospitable",
    "head_education_years",
    "weight",
    "registered",
];

/// A registry household column as numbers (flags as 1/0), or `None` for an unknown name.
pub(crate) fn household_field(reg: &Registry, name: &str) -> Option<Vec<f64>> {
    let h = reg.households();
    let count = |v: &[u16]| v.iter().map(|&x| f64::from(x)).collect();
    let flag = |v: &[bool]| v.iter().map(|&x| if x { 1.0 } else { 0.0 }).collect();
    Some(match name {
        "size" => count(&h.size),
        "income_per_capita" => h.income_per_capita.clone(),
        "labour" => count(&h.labour),
        "elderly" => count(&h.elderly),
        "students" => count(&h.students),
        "chronic_illness" => count(&h.chronic_illness),
        "disability" => count(&h.disability),
        "housing_safe" => flag(&h.housing_safe),
        "safe_water" => flag(&h.safe_water),
        "insured" => flag(&h.insured),
        "inhospitable" => flag(&h.inhospitable),
        "head_education_years" => h
            .head_education_years
            .iter()
            .map(|&x| f64::from(x))
            .collect(),
        "weight" => h.weight.clone(),
        "registered" => flag(&h.registered),
        _ => return None,
    })
}

/// The columns available to conditions at one level: computed ones and supplied ones.
pub(crate) struct Columns<'a> {
    pub level: &'static str,
    pub n: usize,
    pub builtin: BTreeMap<&'static str, Vec<Option<f64>>>,
    pub supplied: &'a BTreeMap<String, Vec<f64>>,
    /// Registry households (household level only).
    pub registry: Option<&'a Registry>,
    /// Poverty line.
    pub line: f64,
    /// Exit threshold of each unit.
    pub threshold: Vec<f64>,
}

impl Columns<'_> {
    /// Check supplied columns: lengths, finiteness, no clash with a built-in name.
    pub fn check_supplied(&self) -> Result<()> {
        let table = format!("{} data", self.level);
        for (name, col) in self.supplied {
            same_len(&table, name, self.n, col.len())?;
            let clash = self.builtin.contains_key(name.as_str())
                || (self.registry.is_some() && HOUSEHOLD_FIELDS.contains(&name.as_str()));
            if clash {
                return Err(Error::invalid_parameter(
                    format!("{} data column", self.level),
                    format!("{name:?}"),
                    "has the name of a built-in field",
                ));
            }
            if let Some(i) = col.iter().position(|x| x.is_nan()) {
                return Err(Error::invalid_value(
                    &table,
                    name,
                    i + 1,
                    "NaN",
                    "is not a number",
                ));
            }
        }
        Ok(())
    }

    fn column(&self, field: &str) -> Option<Vec<Option<f64>>> {
        if let Some(c) = self.builtin.get(field) {
            return Some(c.clone());
        }
        if let Some(c) = self.supplied.get(field) {
            return Some(c.iter().map(|&x| Some(x)).collect());
        }
        self.registry
            .and_then(|r| household_field(r, field))
            .map(|c| c.into_iter().map(Some).collect())
    }
}

/// Result of evaluating a list of conditions on every unit of a level.
pub(crate) struct Evaluation {
    /// Names of the failing conditions of each unit.
    pub failing: Vec<Vec<String>>,
    /// Names of conditions skipped (for some unit) for missing data.
    pub unchecked: Vec<String>,
}

/// Evaluate `conditions` on every unit described by `cols`.
pub(crate) fn evaluate(cols: &Columns, conditions: &[Condition]) -> Result<Evaluation> {
    let mut failing = vec![Vec::new(); cols.n];
    let mut unchecked = Vec::new();
    for (ci, cond) in conditions.iter().enumerate() {
        let clauses: Vec<(Clause, Option<Vec<Option<f64>>>)> = cond
            .clauses()
            .map(|cl| {
                let col = cols.column(&cl.field);
                (cl, col)
            })
            .collect();
        let mut skipped = false;
        for i in 0..cols.n {
            let mut any_missing = false;
            let mut holds = false;
            for (cl, col) in &clauses {
                match col.as_ref().and_then(|c| c[i]) {
                    None => any_missing = true,
                    Some(x) => {
                        let scale = match cl.unit {
                            Unit::Absolute => 1.0,
                            Unit::Line => cols.line,
                            Unit::Threshold => cols.threshold[i],
                        };
                        holds |= cl.op.holds(x, cl.value * scale);
                    }
                }
            }
            if holds {
                continue;
            }
            if any_missing {
                match cond.if_missing {
                    IfMissing::Error => {
                        let (cl, col) = clauses
                            .iter()
                            .find(|(_, c)| c.as_ref().and_then(|c| c[i]).is_none())
                            .map(|(cl, c)| (cl.field.clone(), c.is_some()))
                            .unwrap_or_default();
                        return Err(if col {
                            Error::invalid_value(
                                format!("{} exit check", cols.level),
                                cl,
                                i + 1,
                                "missing",
                                format!("cannot be measured for condition `{}`", cond.name),
                            )
                        } else {
                            Error::invalid_parameter(
                                format!("{}[{ci}].field", cols.level),
                                format!("{cl:?}"),
                                format!(
                                    "is neither a {} field nor a supplied column (condition `{}`)",
                                    cols.level, cond.name
                                ),
                            )
                        });
                    }
                    IfMissing::Pass => skipped = true,
                    IfMissing::Fail => failing[i].push(cond.name.clone()),
                }
            } else {
                failing[i].push(cond.name.clone());
            }
        }
        if skipped {
            unchecked.push(format!("{}.{}", cols.level, cond.name));
        }
    }
    Ok(Evaluation { failing, unchecked })
}
