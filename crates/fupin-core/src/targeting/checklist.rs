//! Exit standards written as data: a [`Checklist`] of named conditions for households, villages
//! and counties, loadable from TOML.
//!
//! A condition compares a field with a value: `field op value × unit`, where `unit` is `absolute`
//! (the default), `line` (times the poverty line) or `threshold` (times the region's exit
//! threshold: 2 %, 3 % in the west). Optional `or` clauses make alternatives ("has an income
//! source *or* the minimum living guarantee"). A field the data lacks follows `if_missing`:
//! `error` (the default), `pass` (the condition is skipped and reported as unchecked) or `fail`.
//!
//! Fields: households — every numeric or flag column of the registry (`size`,
//! `income_per_capita`, `labour`, `elderly`, `students`, `chronic_illness`, `disability`,
//! `housing_safe`, `safe_water`, `insured`, `inhospitable`, `head_education_years`, `weight`,
//! `registered`; flags read as 1/0) plus any columns supplied in [`super::ExitData`]; villages —
//! `incidence`, `population`, `poor`, plus supplied columns; counties — `incidence`,
//! `wrong_exit_rate`, `missed_identification_rate`, plus supplied columns.
//!
//! A province's standard, e.g. Guangxi's household "八有一超", is a TOML file:
//!
//! ```toml
#![doc = include_str!("checklists/ba_you_yi_chao.toml")]
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Op {
    /// `<`
    #[serde(rename = "<")]
    Lt,
    /// `<=`
    #[serde(rename = "<=")]
    Le,
    /// `>`
    #[serde(rename = ">")]
    Gt,
    /// `>=`
    #[serde(rename = ">=")]
    Ge,
    /// `==` (exact; meant for flags and counts)
    #[serde(rename = "==")]
    Eq,
    /// `!=`
    #[serde(rename = "!=")]
    Ne,
}

impl Op {
    /// Apply the comparison.
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Eq => a == b,
            Op::Ne => a != b,
        }
    }

    /// The operator's symbol.
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }
}

/// What a condition's `value` is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// The value itself.
    #[default]
    Absolute,
    /// Times the poverty line.
    Line,
    /// Times the region's exit threshold (3 % west, 2 % elsewhere).
    Threshold,
}

/// What to do when the data lack a condition's field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IfMissing {
    /// Return an error naming the field.
    #[default]
    Error,
    /// Skip the condition (it passes) and list it as unchecked in the report.
    Pass,
    /// The condition fails.
    Fail,
}

/// One comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clause {
    /// Field name.
    pub field: String,
    /// Comparison.
    pub op: Op,
    /// Value, in `unit`.
    pub value: f64,
    /// Unit of `value`.
    #[serde(default)]
    pub unit: Unit,
}

/// A named condition: the main comparison, or any of the alternatives in `or`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// Name reported when the condition fails.
    pub name: String,
    /// Human-readable label (e.g. the standard's own words).
    #[serde(default)]
    pub label: String,
    /// Field name.
    pub field: String,
    /// Comparison.
    pub op: Op,
    /// Value, in `unit`.
    pub value: f64,
    /// Unit of `value`.
    #[serde(default)]
    pub unit: Unit,
    /// Alternatives: the condition passes when any of them holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub or: Vec<Clause>,
    /// Policy for a field the data lack.
    #[serde(default)]
    pub if_missing: IfMissing,
}

impl Condition {
    /// A condition without alternatives.
    pub fn new(name: &str, label: &str, field: &str, op: Op, value: f64, unit: Unit) -> Self {
        Condition {
            name: name.into(),
            label: label.into(),
            field: field.into(),
            op,
            value,
            unit,
            or: Vec::new(),
            if_missing: IfMissing::Error,
        }
    }

    /// The same condition with another missing-data policy.
    pub fn if_missing(mut self, policy: IfMissing) -> Self {
        self.if_missing = policy;
        self
    }

    /// The main comparison and the alternatives.
    pub fn clauses(&self) -> impl Iterator<Item = Clause> + '_ {
        std::iter::once(Clause {
            field: self.field.clone(),
            op: self.op,
            value: self.value,
            unit: self.unit,
        })
        .chain(self.or.iter().cloned())
    }
}

/// Exit standards for the three levels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checklist {
    /// Name of the standard.
    pub name: String,
    /// Household conditions (脱贫).
    #[serde(default)]
    pub household: Vec<Condition>,
    /// Village conditions (出列).
    #[serde(default)]
    pub village: Vec<Condition>,
    /// County conditions (摘帽).
    #[serde(default)]
    pub county: Vec<Condition>,
}

/// Wrong-exit and missed-identification rates must be below 2 % for a county to exit (《贫困县退出
/// 专项评估检查实施办法（试行）》, State Council LGOP, 2017).
pub const COUNTY_ERROR_RATE_LIMIT: f64 = 0.02;

impl Checklist {
    /// The national standard (中共中央办公厅、国务院办公厅《关于建立贫困退出机制的意见》, 2016;
    /// county error rates from the 2017 assessment rules):
    ///
    /// * household: `income` — income per person at or above the line (不愁吃、不愁穿 are
    ///   judged by income; the poor are those strictly below); `safe_housing` — `housing_safe`;
    ///   `compulsory_education` — a supplied `dropouts` column (school-age children out of school)
    ///   equal to 0; the registry has no such column, so without it the condition is unchecked
    ///   (`if_missing = pass`); `medical_insurance` — `insured`;
    /// * village: `incidence` below the region's threshold (2 %, 3 % in the west);
    /// * county: `incidence` below the threshold, `wrong_exit_rate` and
    ///   `missed_identification_rate` below 2 % (unchecked where they cannot be measured).
    pub fn national() -> Self {
        use Op::*;
        use Unit::*;
        Checklist {
            name: "national".into(),
            household: vec![
                Condition::new(
                    "income",
                    "收入稳定超过国家扶贫标准，不愁吃、不愁穿",
                    "income_per_capita",
                    Ge,
                    1.0,
                    Line,
                ),
                Condition::new(
                    "safe_housing",
                    "住房安全有保障",
                    "housing_safe",
                    Eq,
                    1.0,
                    Absolute,
                ),
                Condition::new(
                    "compulsory_education",
                    "义务教育有保障（无辍学）",
                    "dropouts",
                    Eq,
                    0.0,
                    Absolute,
                )
                .if_missing(IfMissing::Pass),
                Condition::new(
                    "medical_insurance",
                    "基本医疗有保障",
                    "insured",
                    Eq,
                    1.0,
                    Absolute,
                ),
            ],
            village: vec![Condition::new(
                "incidence",
                "贫困发生率降至2%以下（西部3%）",
                "incidence",
                Lt,
                1.0,
                Threshold,
            )],
            county: vec![
                Condition::new(
                    "incidence",
                    "贫困发生率降至2%以下（西部3%）",
                    "incidence",
                    Lt,
                    1.0,
                    Threshold,
                ),
                Condition::new(
                    "wrong_exit_rate",
                    "错退率低于2%",
                    "wrong_exit_rate",
                    Lt,
                    COUNTY_ERROR_RATE_LIMIT,
                    Absolute,
                )
                .if_missing(IfMissing::Pass),
                Condition::new(
                    "missed_identification_rate",
                    "漏评率低于2%",
                    "missed_identification_rate",
                    Lt,
                    COUNTY_ERROR_RATE_LIMIT,
                    Absolute,
                )
                .if_missing(IfMissing::Pass),
            ],
        }
    }

    /// Parse a checklist from TOML (see the module documentation for the format) and validate it.
    ///
    /// # Errors
    /// [`Error::Parse`] with the line of a syntax or schema error; [`Error::InvalidParameter`] from
    /// [`validate`](Self::validate).
    pub fn from_toml(text: &str) -> Result<Self> {
        let c: Checklist = toml::from_str(text).map_err(|e| Error::Parse {
            path: "checklist".into(),
            line: e.span().map_or(0, |s| line_of(text, s.start)),
            message: e.message().to_string(),
        })?;
        c.validate()?;
        Ok(c)
    }

    /// The checklist as TOML.
    ///
    /// # Errors
    /// [`Error::Parse`] if serialisation fails (it does not for a valid checklist).
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| Error::Parse {
            path: "checklist".into(),
            line: 0,
            message: e.to_string(),
        })
    }

    /// Check names (non-empty, unique within a level) and values (finite).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `household[i].name`, `village[i].value`, ….
    pub fn validate(&self) -> Result<()> {
        for (level, conds) in [
            ("household", &self.household),
            ("village", &self.village),
            ("county", &self.county),
        ] {
            for (i, c) in conds.iter().enumerate() {
                if c.name.trim().is_empty() {
                    return Err(Error::invalid_parameter(
                        format!("{level}[{i}].name"),
                        "\"\"",
                        "is empty",
                    ));
                }
                if conds[..i].iter().any(|d| d.name == c.name) {
                    return Err(Error::invalid_parameter(
                        format!("{level}[{i}].name"),
                        format!("{:?}", c.name),
                        "is used by an earlier condition of the same level",
                    ));
                }
                if c.clauses()
                    .any(|cl| !cl.value.is_finite() || cl.field.trim().is_empty())
                {
                    return Err(Error::invalid_parameter(
                        format!("{level}[{i}]"),
                        format!("{:?}", c.name),
                        "has a clause with an empty field or a non-finite value",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// 1-based line of byte `offset` in `text`.
pub(crate) fn line_of(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_round_trips_through_toml() {
        let c = Checklist::national();
        let back = Checklist::from_toml(&c.to_toml().unwrap()).unwrap();
        assert_eq!(back, c);
        assert_eq!(c.household.len(), 4);
    }

    #[test]
    fn example_ba_you_yi_chao_parses() {
        let c = Checklist::from_toml(include_str!("checklists/ba_you_yi_chao.toml")).unwrap();
        assert_eq!(c.household.len(), 9);
        let src = c
            .household
            .iter()
            .find(|h| h.name == "income_source")
            .unwrap();
        assert_eq!(src.or.len(), 1);
        assert_eq!(src.or[0].field, "dibao");
        assert_eq!(c.household[0].unit, Unit::Line);
    }

    #[test]
    fn ops_compare() {
        let cases = [
            (Op::Lt, [true, false, false]),
            (Op::Le, [true, true, false]),
            (Op::Gt, [false, false, true]),
            (Op::Ge, [false, true, true]),
            (Op::Eq, [false, true, false]),
            (Op::Ne, [true, false, true]),
        ];
        for (op, want) in cases {
            assert_eq!(
                [op.holds(1.0, 2.0), op.holds(2.0, 2.0), op.holds(3.0, 2.0)],
                want,
                "{}",
                op.symbol()
            );
        }
    }

    #[test]
    fn bad_toml_names_the_line_and_bad_names_the_condition() {
        let e = Checklist::from_toml(
            "name = \"x\"\n[[household]]\nname = \"a\"\nfield = \"size\"\nop = \"=~\"\nvalue = 1\n",
        )
        .unwrap_err();
        match e {
            Error::Parse { line, .. } => assert_eq!(line, 5),
            other => panic!("{other}"),
        }
        let dup = "name = \"x\"\n[[village]]\nname = \"a\"\nfield = \"incidence\"\nop = \"<\"\nvalue = 1\n\
                   [[village]]\nname = \"a\"\nfield = \"poor\"\nop = \"==\"\nvalue = 0\n";
        let e = Checklist::from_toml(dup).unwrap_err();
        assert_eq!(e.column(), Some("village[1].name"));
        let mut c = Checklist::national();
        c.county[0].value = f64::NAN;
        assert_eq!(c.validate().unwrap_err().column(), Some("county[0]"));
        c = Checklist::national();
        c.household[1].name = " ".into();
        assert_eq!(
            c.validate().unwrap_err().column(),
            Some("household[1].name")
        );
    }
}
