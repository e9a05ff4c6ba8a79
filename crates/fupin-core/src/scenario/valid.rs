//! A scenario valid by construction: [`ValidScenario`] is made only by validating, and holds its
//! budget as a [`ValidBudget`], so a run ([`super::simulate_valid`]) and the planner
//! ([`super::plan_scenario_valid`]) take it without checking it, or its budget, again.

use std::ops::Deref;
use std::sync::Arc;

use serde::Serialize;

use super::definition::{Scenario, prefixed};
use crate::error::{Error, Result};
use crate::policy::{Plan, ValidBudget};

/// A [`Scenario`] that has passed [`Scenario::validate`], with its budget validated once. It
/// derefs to the scenario and serialises as one.
///
/// # Examples
/// ```
/// use fupin_core::scenario::{Scenario, ValidScenario};
/// use fupin_core::policy::{Budget, ByCause, Policy, ValidBudget};
/// let budget = ValidBudget::new(Budget::yearly(2_000_000.0))?; // validated here, once
/// let s = Scenario::new("drip").with_policy(Policy::ByCause(ByCause::default()), None);
/// let s = ValidScenario::with_budget(s, Some(budget))?;       // the budget is not checked again
/// assert!(s.valid_budget().is_some());
/// assert!(ValidScenario::new(Scenario::new(" ")).is_err());
/// # Ok::<(), fupin_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct ValidScenario {
    scenario: Scenario,
    #[serde(skip)]
    budget: Option<ValidBudget>,
}

impl ValidScenario {
    /// Validate `scenario` (its budget too, once).
    ///
    /// # Errors
    /// As [`Scenario::validate`].
    pub fn new(mut scenario: Scenario) -> Result<Self> {
        let raw = scenario.budget.take();
        scenario.validate()?; // everything but the budget, in the usual order
        let budget = raw
            .map(|b| ValidBudget::new(b).map_err(|e| prefixed(&scenario.name, e)))
            .transpose()?;
        Self::assemble(scenario, budget)
    }

    /// Validate `scenario` with `budget` (replacing its own), which was validated when it was
    /// made and is not checked again.
    ///
    /// # Errors
    /// As [`Scenario::validate`]; `scenario[..].budget` if there is a budget but no policy.
    pub fn with_budget(mut scenario: Scenario, budget: Option<ValidBudget>) -> Result<Self> {
        scenario.budget = None;
        scenario.validate()?;
        Self::assemble(scenario, budget)
    }

    fn assemble(mut scenario: Scenario, budget: Option<ValidBudget>) -> Result<Self> {
        scenario.budget = budget.as_ref().map(|b| b.budget().clone());
        scenario.check_budget_has_policy()?;
        Ok(ValidScenario { scenario, budget })
    }

    /// The budget, validated.
    pub fn valid_budget(&self) -> Option<&ValidBudget> {
        self.budget.as_ref()
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// This scenario run with `plan` made beforehand ([`Scenario::with_plan`]).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] naming `scenario[..].plan` if a treatment is attached.
    pub fn with_plan(&self, plan: Arc<Plan>) -> Result<Self> {
        if self.scenario.treatment.is_some() {
            return Err(Error::invalid_parameter(
                format!("scenario[{}].plan", self.scenario.name),
                "set",
                "a scenario takes a plan or a treatment attached in code, not both",
            ));
        }
        let mut out = self.clone();
        out.scenario.plan = Some(plan);
        Ok(out)
    }
}

impl Deref for ValidScenario {
    type Target = Scenario;

    fn deref(&self) -> &Scenario {
        &self.scenario
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Budget, ByCause, Policy};

    #[test]
    fn errors_name_the_field_as_validate_does() {
        let drip = || Scenario::new("x").with_policy(Policy::ByCause(ByCause::default()), None);
        let mut bad = drip();
        bad.budget = Some(Budget::yearly(-1.0));
        let e = ValidScenario::new(bad).unwrap_err();
        assert_eq!(e.column(), Some("scenario[x].budget.yearly"));
        let mut idle = Scenario::new("z");
        idle.budget = Some(Budget::yearly(1.0));
        let e = ValidScenario::new(idle).unwrap_err();
        assert_eq!(e.column(), Some("scenario[z].budget"));
        let b = ValidBudget::new(Budget::yearly(5.0)).unwrap();
        let e = ValidScenario::with_budget(Scenario::new("z"), Some(b.clone())).unwrap_err();
        assert_eq!(e.column(), Some("scenario[z].budget"));
        let s = ValidScenario::with_budget(drip(), Some(b.clone())).unwrap();
        assert_eq!(s.scenario().budget.as_ref(), Some(b.budget()));
        assert_eq!(s.valid_budget(), Some(&b));
        let mut good = drip();
        good.budget = Some(Budget::yearly(5.0));
        assert_eq!(ValidScenario::new(good).unwrap().valid_budget(), Some(&b));
    }
}
