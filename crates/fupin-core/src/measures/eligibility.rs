//! Who may receive a measure: a rule over registry fields, plain serde data.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::registry::{Cause, Registry};

/// An eligibility rule over registry fields. Every condition that is set must hold.
///
/// The defaults of each measure follow DESIGN.md's measures table (Industry and Employment need
/// labour, Relocation an inhospitable location, WelfareFloor a household with little or no labour,
/// elderly or disabled members, Education students); a field left out of a TOML/JSON file keeps the
/// measure's default.
///
/// # Examples
/// ```
/// use fupin_core::measures::Eligibility;
/// let rule = Eligibility { min_labour: 1, ..Eligibility::default() };
/// assert!(rule.validate("industry").is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Eligibility {
    /// Only registered poor households (建档立卡) are eligible. Default true.
    pub registered_only: bool,
    /// Least number of members able to work.
    pub min_labour: u16,
    /// Most members able to work (none: no upper limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_labour: Option<u16>,
    /// Least number of students.
    pub min_students: u16,
    /// Requires the `inhospitable` flag (a relocation candidate).
    pub inhospitable: bool,
    /// Requires unsafe housing (`housing_safe` false).
    pub unsafe_housing: bool,
    /// Requires a vulnerable household: at most `vulnerable_max_labour` members able to work, or a
    /// disabled member, or at least half of the members elderly (DESIGN.md: "little or no labour,
    /// elderly, disabled", the 兜底 population).
    pub vulnerable: bool,
    /// Labour limit of the `vulnerable` condition. Default 0 (no labour).
    pub vulnerable_max_labour: u16,
    /// If non-empty, the household must have at least one of these causes (codes such as
    /// `"illness"`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<String>,
}

impl Default for Eligibility {
    fn default() -> Self {
        Eligibility {
            registered_only: true,
            min_labour: 0,
            max_labour: None,
            min_students: 0,
            inhospitable: false,
            unsafe_housing: false,
            vulnerable: false,
            vulnerable_max_labour: 0,
            causes: Vec::new(),
        }
    }
}

impl Eligibility {
    /// Check the rule; `measure` prefixes the field names of errors (`measures[x].eligibility.…`).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for an unknown cause code or `max_labour < min_labour`.
    pub fn validate(&self, measure: &str) -> Result<()> {
        for c in &self.causes {
            if c.parse::<Cause>().is_err() {
                return Err(Error::invalid_parameter(
                    format!("measures[{measure}].eligibility.causes"),
                    format!("{c:?}"),
                    "is not a cause code (illness, disability, schooling, …)",
                ));
            }
        }
        if let Some(max) = self.max_labour
            && max < self.min_labour
        {
            return Err(Error::invalid_parameter(
                format!("measures[{measure}].eligibility.max_labour"),
                max,
                format!("is below min_labour = {}", self.min_labour),
            ));
        }
        Ok(())
    }

    /// Whether household `row` of `registry` is eligible (assumes a validated rule: unknown cause
    /// codes never match).
    pub fn allows(&self, registry: &Registry, row: usize) -> bool {
        let h = registry.households();
        let labour = h.labour[row];
        if self.registered_only && !h.registered[row] {
            return false;
        }
        if labour < self.min_labour || self.max_labour.is_some_and(|m| labour > m) {
            return false;
        }
        if h.students[row] < self.min_students {
            return false;
        }
        if self.inhospitable && !h.inhospitable[row] {
            return false;
        }
        if self.unsafe_housing && h.housing_safe[row] {
            return false;
        }
        if self.vulnerable {
            let vulnerable = labour <= self.vulnerable_max_labour
                || h.disability[row] > 0
                || 2 * u32::from(h.elderly[row]) >= u32::from(h.size[row]);
            if !vulnerable {
                return false;
            }
        }
        if !self.causes.is_empty() {
            let set = h.causes[row];
            let any = self
                .causes
                .iter()
                .filter_map(|c| c.parse::<Cause>().ok())
                .any(|c| set.contains(c));
            if !any {
                return false;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measures::testutil::one_village;

    #[test]
    fn conditions_follow_the_fields() {
        // Rows: 0 labour 2; 1 no labour; 2 disabled with labour 1; 3 two elderly of three members;
        // 4 unregistered with students; 5 inhospitable with unsafe housing and cause illness.
        let reg = one_village();
        let all: Vec<usize> = (0..reg.n_households()).collect();
        let pick = |rule: &Eligibility| -> Vec<usize> {
            all.iter()
                .copied()
                .filter(|&r| rule.allows(&reg, r))
                .collect()
        };
        assert_eq!(pick(&Eligibility::default()), vec![0, 1, 2, 3, 5]);
        let labour = Eligibility {
            min_labour: 1,
            ..Default::default()
        };
        assert_eq!(pick(&labour), vec![0, 2, 3, 5]);
        let vulnerable = Eligibility {
            vulnerable: true,
            ..Default::default()
        };
        assert_eq!(pick(&vulnerable), vec![1, 2, 3]);
        let students = Eligibility {
            min_students: 1,
            registered_only: false,
            ..Default::default()
        };
        assert_eq!(pick(&students), vec![4]);
        let moved = Eligibility {
            inhospitable: true,
            ..Default::default()
        };
        assert_eq!(pick(&moved), vec![5]);
        let unsafe_housing = Eligibility {
            unsafe_housing: true,
            ..Default::default()
        };
        assert_eq!(pick(&unsafe_housing), vec![5]);
        let ill = Eligibility {
            causes: vec!["illness".into()],
            ..Default::default()
        };
        assert_eq!(pick(&ill), vec![5]);
        let capped = Eligibility {
            max_labour: Some(0),
            ..Default::default()
        };
        assert_eq!(pick(&capped), vec![1]);
    }

    #[test]
    fn validation_names_the_field() {
        let bad = Eligibility {
            causes: vec!["luck".into()],
            ..Default::default()
        };
        assert_eq!(
            bad.validate("x").unwrap_err().column(),
            Some("measures[x].eligibility.causes")
        );
        let bad = Eligibility {
            min_labour: 2,
            max_labour: Some(1),
            ..Default::default()
        };
        assert_eq!(
            bad.validate("y").unwrap_err().column(),
            Some("measures[y].eligibility.max_labour")
        );
    }
}
