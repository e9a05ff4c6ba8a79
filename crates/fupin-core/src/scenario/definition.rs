//! The scenario: a name, optional overrides of the income model and the line, a policy with its
//! budget and measure parameters (or a treatment attached in code, or a plan made beforehand).

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::dynamics::{IncomeModel, PovertyLine, Treatment};
use crate::error::{Error, Result};
use crate::measures::{MeasureCatalog, NamedMeasure};
use crate::policy::{Budget, Plan, Policy};

/// One scenario of a run. All scenarios of a run share common random numbers: the same household,
/// replicate, year and purpose give the same draw in every scenario.
///
/// The serde form holds the name, the overrides, the policy, its budget and measure parameters.
/// [`simulate`](super::simulate) plans a scenario with a `policy` over the registry (see
/// [`crate::policy`]) and runs the plan as its treatment; alternatively a [`Treatment`] may be
/// attached in code (not both).
///
/// # Examples
/// ```
/// use fupin_core::dynamics::PovertyLine;
/// use fupin_core::scenario::Scenario;
/// let base = Scenario::new("baseline");
/// let high_line = Scenario::new("line 4,500").with_line(PovertyLine::constant(4500.0));
/// assert!(base.line.is_none() && high_line.line.is_some());
/// ```
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name shown in results (unique within a run).
    pub name: String,
    /// Replaces the run's income model for this scenario (draws stay common).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<IncomeModel>,
    /// Replaces the model's poverty line for this scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<PovertyLine>,
    /// Who gets which measure when (none: no measures, unless a treatment is attached).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    /// The budget the policy is planned under (none: unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,
    /// Measures replacing those of the default catalogue by name, or added to it
    /// ([`MeasureCatalog::with_overrides`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub measures: Vec<NamedMeasure>,
    /// Measures applied to households, consulted once per household-year (none: the baseline, or
    /// the plan of `policy`).
    #[serde(skip)]
    pub treatment: Option<Arc<dyn Treatment>>,
    /// A plan made beforehand (typically over the whole registry,
    /// [`plan_scenario`](super::plan_scenario)) that the run uses instead of planning `policy` over
    /// the registry it is given: simulate shards with the plan of the whole registry and their
    /// merged results equal the whole run, budget rationing included. Its assignments are matched
    /// by household id ([`Plan::for_registry`]); its years must be the run's.
    #[serde(skip)]
    pub plan: Option<Arc<Plan>>,
}

impl fmt::Debug for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scenario")
            .field("name", &self.name)
            .field("model", &self.model)
            .field("line", &self.line)
            .field("policy", &self.policy)
            .field("budget", &self.budget)
            .field("measures", &self.measures)
            .field("treatment", &self.treatment)
            .field("plan", &self.plan.as_ref().map(|p| p.assignments.len()))
            .finish()
    }
}

impl Scenario {
    /// A baseline scenario (no overrides, no measures).
    pub fn new(name: impl Into<String>) -> Self {
        Scenario {
            name: name.into(),
            ..Scenario::default()
        }
    }

    /// This scenario with its own income model.
    pub fn with_model(mut self, model: IncomeModel) -> Self {
        self.model = Some(model);
        self
    }

    /// This scenario with its own poverty line.
    pub fn with_line(mut self, line: PovertyLine) -> Self {
        self.line = Some(line);
        self
    }

    /// This scenario with a policy planned under `budget` (none: unlimited).
    pub fn with_policy(mut self, policy: Policy, budget: Option<Budget>) -> Self {
        self.policy = Some(policy);
        self.budget = budget;
        self
    }

    /// This scenario with measures replacing or extending the default catalogue.
    pub fn with_measures(mut self, measures: Vec<NamedMeasure>) -> Self {
        self.measures = measures;
        self
    }

    /// The measure catalogue of this scenario: the defaults with `measures` applied.
    ///
    /// # Errors
    /// As [`MeasureCatalog::validate`].
    pub fn catalog(&self) -> Result<MeasureCatalog> {
        MeasureCatalog::default().with_overrides(&self.measures)
    }

    /// This scenario run with `plan` (made beforehand, e.g. over the whole registry) instead of
    /// planning its policy over the registry simulated.
    pub fn with_plan(mut self, plan: Arc<Plan>) -> Self {
        self.plan = Some(plan);
        self
    }

    /// This scenario with a treatment.
    pub fn with_treatment(mut self, treatment: Arc<dyn Treatment>) -> Self {
        self.treatment = Some(treatment);
        self
    }

    /// The model this scenario runs: its override, else `run_model`, with its line override.
    pub fn effective_model(&self, run_model: &IncomeModel) -> IncomeModel {
        let mut m = self.model.clone().unwrap_or_else(|| run_model.clone());
        if let Some(line) = &self.line {
            m.line = line.clone();
        }
        m
    }

    /// Check the name and the overrides.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `scenario.name` or the bad model field, prefixed with the
    /// scenario's name (`scenario[by_cause].health.base_probability`).
    pub fn validate(&self) -> Result<()> {
        if self.name.trim().is_empty() {
            return Err(Error::invalid_parameter(
                "scenario.name",
                format!("{:?}", self.name),
                "must not be empty",
            ));
        }
        let prefix = |e: Error| prefixed(&self.name, e);
        if let Some(m) = &self.model {
            m.validate().map_err(prefix)?;
        }
        if let Some(l) = &self.line {
            l.validate().map_err(prefix)?;
        }
        let catalog = self.catalog().map_err(prefix)?;
        if let Some(p) = &self.policy {
            p.validate(&catalog).map_err(prefix)?;
            if self.treatment.is_some() {
                return Err(Error::invalid_parameter(
                    format!("scenario[{}].policy", self.name),
                    "set",
                    "a scenario takes a policy or a treatment attached in code, not both",
                ));
            }
        }
        if let Some(b) = &self.budget {
            b.validate().map_err(prefix)?;
        }
        self.check_budget_has_policy()?;
        if self.plan.is_some() && self.treatment.is_some() {
            return Err(Error::invalid_parameter(
                format!("scenario[{}].plan", self.name),
                "set",
                "a scenario takes a plan or a treatment attached in code, not both",
            ));
        }
        Ok(())
    }
}

impl Scenario {
    /// A budget needs a policy to spend it.
    pub(crate) fn check_budget_has_policy(&self) -> Result<()> {
        if self.budget.is_some() && self.policy.is_none() {
            return Err(Error::invalid_parameter(
                format!("scenario[{}].budget", self.name),
                "set",
                "a budget needs a policy to spend it (give policy=...)",
            ));
        }
        Ok(())
    }
}

/// `e` with its parameter name prefixed by the scenario's (`scenario[by_cause].budget.yearly`).
pub(crate) fn prefixed(scenario: &str, e: Error) -> Error {
    match e {
        Error::InvalidParameter {
            name,
            value,
            reason,
        } => Error::InvalidParameter {
            name: format!("scenario[{scenario}].{name}"),
            value,
            reason,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_round_trips_and_validates() {
        let mut model = IncomeModel::default();
        model.income.growth = 0.05;
        let s = Scenario::new("a")
            .with_model(model.clone())
            .with_line(PovertyLine::constant(3000.0));
        let json = serde_json::to_string(&s).unwrap();
        let back: Scenario = serde_json::from_str(&json).unwrap();
        assert_eq!(back.name, "a");
        assert_eq!(back.model, Some(model.clone()));
        let toml_text = toml::to_string(&s).unwrap();
        let back: Scenario = toml::from_str(&toml_text).unwrap();
        assert_eq!(back.line, Some(PovertyLine::constant(3000.0)));
        let eff = s.effective_model(&IncomeModel::default());
        assert_eq!(eff.income.growth, 0.05);
        assert_eq!(eff.line, PovertyLine::constant(3000.0));
        s.validate().unwrap();

        assert_eq!(
            Scenario::new(" ").validate().unwrap_err().column(),
            Some("scenario.name")
        );
        let mut bad = IncomeModel::default();
        bad.health.base_probability = 1.3;
        let e = Scenario::new("x").with_model(bad).validate().unwrap_err();
        assert_eq!(e.column(), Some("scenario[x].health.base_probability"));
        let e = Scenario::new("y")
            .with_line(PovertyLine::constant(-1.0))
            .validate()
            .unwrap_err();
        assert!(e.column().unwrap().starts_with("scenario[y].line.schedule"));
        // A budget with nothing to spend it (however the scenario was made: code, TOML, JSON).
        let mut idle = Scenario::new("z");
        idle.budget = Some(crate::policy::Budget::yearly(1.0));
        let e = idle.validate().unwrap_err();
        assert_eq!(e.column(), Some("scenario[z].budget"));
    }
}
