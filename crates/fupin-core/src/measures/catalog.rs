//! Named measure specs: the default catalogue and user variants (from TOML, JSON or Python).

use serde::{Deserialize, Serialize};

use super::income::{AssetIncome, Industry};
use super::spec::{MeasureKind, MeasureSpec};
use crate::error::{Error, Result};

/// A measure spec under a name, the unit policies and plans refer to.
///
/// In files the name sits beside the kind and the parameters:
/// `{"name": "pv", "kind": "asset_income", "payout_per_household": 3500}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamedMeasure {
    /// Unique name within a catalogue.
    pub name: String,
    /// Kind and parameters.
    #[serde(flatten)]
    pub spec: MeasureSpec,
}

impl NamedMeasure {
    /// A named spec.
    pub fn new(name: impl Into<String>, spec: MeasureSpec) -> Self {
        NamedMeasure {
            name: name.into(),
            spec,
        }
    }
}

/// The measures a scenario may use, in a fixed order (the order of spending categories).
///
/// [`MeasureCatalog::default`] holds one measure per kind under the kind's code
/// (`industry`, `asset_income`, `employment`, `relocation`, `housing_renovation`, `welfare_floor`,
/// `education`, `health`, `ecological_compensation`) with the documented defaults, plus two
/// variants: `industry_credit` (Industry with a 50,000-yuan guaranteed microcredit loan) and
/// `dividend_shares` (Linfen's asset-income shares). [`MeasureCatalog::with_overrides`] replaces
/// measures by name or appends new ones.
///
/// # Examples
/// ```
/// use fupin_core::measures::{MeasureCatalog, MeasureKind};
/// let text = r#"
/// [[measures]]
/// name = "pv_taiqian"
/// kind = "asset_income"
/// payout_per_household = 3500.0
/// "#;
/// let catalog = MeasureCatalog::default().with_overrides(&MeasureCatalog::from_toml(text)?.measures)?;
/// let pv = catalog.get("pv_taiqian").unwrap();
/// assert_eq!(pv.kind(), MeasureKind::AssetIncome);
/// assert_eq!(catalog.index("industry"), Some(0));
/// # Ok::<(), fupin_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureCatalog {
    /// The measures in order.
    #[serde(default)]
    pub measures: Vec<NamedMeasure>,
}

impl Default for MeasureCatalog {
    fn default() -> Self {
        let mut measures: Vec<NamedMeasure> = MeasureKind::ALL
            .iter()
            .map(|&k| NamedMeasure::new(k.code(), MeasureSpec::default_for(k)))
            .collect();
        measures.push(NamedMeasure::new(
            "industry_credit",
            MeasureSpec::Industry(Industry {
                loan_per_household: 50_000.0,
                ..Industry::default()
            }),
        ));
        measures.push(NamedMeasure::new(
            "dividend_shares",
            MeasureSpec::AssetIncome(AssetIncome::dividend_shares()),
        ));
        MeasureCatalog { measures }
    }
}

/// Most measures in one catalogue.
pub const MAX_MEASURES: usize = 256;

impl MeasureCatalog {
    /// An empty catalogue.
    pub fn empty() -> Self {
        MeasureCatalog {
            measures: Vec::new(),
        }
    }

    /// This catalogue with `overrides` replacing measures of the same name, others appended.
    ///
    /// # Errors
    /// As [`MeasureCatalog::validate`] for the result.
    pub fn with_overrides(&self, overrides: &[NamedMeasure]) -> Result<Self> {
        let mut out = self.clone();
        for m in overrides {
            match out.measures.iter_mut().find(|x| x.name == m.name) {
                Some(slot) => slot.spec = m.spec.clone(),
                None => out.measures.push(m.clone()),
            }
        }
        out.validate()?;
        Ok(out)
    }

    /// Number of measures.
    pub fn len(&self) -> usize {
        self.measures.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.measures.is_empty()
    }

    /// Index of the measure called `name`.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.measures.iter().position(|m| m.name == name)
    }

    /// The spec called `name`.
    pub fn get(&self, name: &str) -> Option<&MeasureSpec> {
        self.measures
            .iter()
            .find(|m| m.name == name)
            .map(|m| &m.spec)
    }

    /// Index of `name`, or an error naming `field` and listing the known names.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `field` for an unknown measure.
    pub fn require(&self, name: &str, field: &str) -> Result<usize> {
        self.index(name).ok_or_else(|| {
            Error::invalid_parameter(
                field,
                format!("{name:?}"),
                format!(
                    "is not a measure of the catalogue ({})",
                    self.names().join(", ")
                ),
            )
        })
    }

    /// The names in order.
    pub fn names(&self) -> Vec<String> {
        self.measures.iter().map(|m| m.name.clone()).collect()
    }

    /// Check names (non-empty, unique) and every spec.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `measures.name` or `measures[<name>].<field>`.
    pub fn validate(&self) -> Result<()> {
        if self.measures.len() > MAX_MEASURES {
            return Err(Error::invalid_parameter(
                "measures",
                self.measures.len(),
                format!("at most {MAX_MEASURES} measures"),
            ));
        }
        for (i, m) in self.measures.iter().enumerate() {
            if m.name.trim().is_empty() {
                return Err(Error::invalid_parameter(
                    "measures.name",
                    format!("{:?}", m.name),
                    "must not be empty",
                ));
            }
            if self.measures[..i].iter().any(|o| o.name == m.name) {
                return Err(Error::invalid_parameter(
                    "measures.name",
                    format!("{:?}", m.name),
                    "is used by two measures",
                ));
            }
            m.spec.validate(&m.name)?;
        }
        Ok(())
    }

    /// Parse and validate a catalogue from TOML (`[[measures]]` tables).
    ///
    /// # Errors
    /// [`Error::Parse`] for malformed TOML or unknown fields; validation errors as
    /// [`MeasureCatalog::validate`].
    pub fn from_toml(text: &str) -> Result<Self> {
        let c: MeasureCatalog = crate::files::parse_toml(text, "<measures TOML>")?;
        c.validate()?;
        Ok(c)
    }

    /// Parse and validate a catalogue from JSON.
    ///
    /// # Errors
    /// As [`MeasureCatalog::from_toml`].
    pub fn from_json(text: &str) -> Result<Self> {
        let c: MeasureCatalog = crate::files::parse_json(text, "<measures JSON>")?;
        c.validate()?;
        Ok(c)
    }

    /// The catalogue as TOML.
    ///
    /// # Errors
    /// [`Error::Parse`] if serialisation fails.
    pub fn to_toml(&self) -> Result<String> {
        crate::files::write_toml(self, "<measures TOML>")
    }

    /// The catalogue as JSON.
    ///
    /// # Errors
    /// [`Error::Parse`] if serialisation fails.
    pub fn to_json(&self) -> Result<String> {
        crate::files::write_json(self, "<measures JSON>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measures::guarantees::Health;

    #[test]
    fn default_catalogue_validates_and_round_trips() {
        let c = MeasureCatalog::default();
        c.validate().unwrap();
        assert_eq!(c.len(), 11);
        for (i, k) in MeasureKind::ALL.iter().enumerate() {
            assert_eq!(c.measures[i].name, k.code());
            assert_eq!(c.measures[i].spec.kind(), *k);
        }
        let back = MeasureCatalog::from_toml(&c.to_toml().unwrap()).unwrap();
        assert_eq!(back, c);
        let back = MeasureCatalog::from_json(&c.to_json().unwrap()).unwrap();
        assert_eq!(back, c);
    }

    #[test]
    fn missing_fields_take_the_kinds_defaults_and_unknown_fields_fail() {
        let c = MeasureCatalog::from_json(
            r#"{"measures": [{"name": "h", "kind": "health", "premium_per_person": 220}]}"#,
        )
        .unwrap();
        assert_eq!(
            c.get("h"),
            Some(&MeasureSpec::Health(Health {
                premium_per_person: 220.0,
                ..Health::default()
            }))
        );
        let e = MeasureCatalog::from_json(
            r#"{"measures": [{"name": "h", "kind": "health", "premium": 220}]}"#,
        )
        .unwrap_err();
        assert!(matches!(e, Error::Parse { .. }), "{e}");
        let e = MeasureCatalog::from_json(r#"{"measures": [{"name": "h", "kind": "magic"}]}"#)
            .unwrap_err();
        assert!(matches!(e, Error::Parse { .. }), "{e}");
    }

    #[test]
    fn validation_names_measure_and_field() {
        let e = MeasureCatalog::from_toml(
            "[[measures]]\nname = \"risky\"\nkind = \"industry\"\nfailure_probability = 1.5\n",
        )
        .unwrap_err();
        assert_eq!(e.column(), Some("measures[risky].failure_probability"));
        let dup = MeasureCatalog::default()
            .with_overrides(&[])
            .unwrap()
            .measures
            .into_iter()
            .chain([NamedMeasure::new(
                "health",
                MeasureSpec::default_for(MeasureKind::Health),
            )])
            .collect();
        let e = MeasureCatalog { measures: dup }.validate().unwrap_err();
        assert_eq!(e.column(), Some("measures.name"));
    }

    #[test]
    fn overrides_replace_by_name_and_append() {
        let base = MeasureCatalog::default();
        let c = base
            .with_overrides(&[
                NamedMeasure::new(
                    "health",
                    MeasureSpec::Health(Health {
                        reimbursement_cap: 20_000.0,
                        ..Health::default()
                    }),
                ),
                NamedMeasure::new("extra", MeasureSpec::default_for(MeasureKind::Education)),
            ])
            .unwrap();
        assert_eq!(c.len(), base.len() + 1);
        assert_eq!(c.index("health"), base.index("health"));
        assert_eq!(c.index("extra"), Some(base.len()));
        assert_eq!(
            c.require("nope", "policy.mix").unwrap_err().column(),
            Some("policy.mix")
        );
    }
}
