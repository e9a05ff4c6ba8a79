//! Scenarios: a name, optional overrides of the income model and the line, a policy with its budget
//! and measure parameters (or a treatment attached in code), which the engine consults every
//! household-year.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::dynamics::{IncomeModel, PovertyLine};
use crate::error::{Error, Result};
use crate::measures::{MeasureCatalog, NamedMeasure};
use crate::policy::{Budget, Plan, Policy};
use crate::registry::Registry;

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
/// use fupin_core::engine::Scenario;
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
    /// A plan made beforehand (typically over the whole registry, [`crate::policy::plan_scenario`])
    /// that the run uses instead of planning `policy` over the registry it is given: simulate
    /// shards with the plan of the whole registry and their merged results equal the whole run,
    /// budget rationing included. Its assignments are matched by household id
    /// ([`Plan::for_registry`]); its years must be the run's.
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

/// Where the engine is: one household in one year of one replicate.
#[derive(Debug, Clone, Copy)]
pub struct YearContext<'a> {
    /// The registry being simulated.
    pub registry: &'a Registry,
    /// Row of the household in the registry (0-based).
    pub household: usize,
    /// The household's stream key `rng::key(seed, &[streams::HOUSEHOLD, id_key])`; draw a measure's
    /// randomness with `streams::Keys`/`Draws` under a purpose ≥ `streams::purpose::FIRST_FREE`.
    pub household_key: u64,
    /// The draws of this household-replicate-year (`Draws::bits(purpose)` for new purposes).
    pub draws: super::streams::Draws,
    /// Replicate number (0-based).
    pub replicate: u32,
    /// Calendar year.
    pub year: i32,
    /// Index of the year in the run (0 = first simulated year).
    pub year_index: usize,
    /// The poverty line this year, yuan per person.
    pub line: f64,
}

/// What a treatment may read and change in one household-year, before net income and status are
/// computed. Guarantees carry over to the next year; `memory` carries over within a replicate (it
/// starts at zero), for lags, durations and failures of measures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct YearState {
    /// Market income per person this year after growth, shocks and any disaster, yuan.
    pub market_income: f64,
    /// Total cost of this year's health shock for the household before its share, yuan (0: none).
    pub medical_cost: f64,
    /// Share of `medical_cost` the household pays (set from `insured` at the start of the year).
    pub oop_share: f64,
    /// Schooling costs of the household this year, yuan.
    pub schooling_cost: f64,
    /// Transfers and programme income per person this year, yuan (measures add here).
    pub transfers: f64,
    /// Guaranteed minimum net income per person, yuan (0: none). The engine raises net income to
    /// it and adds the top-up (per person × size, in fen) to `spending_fen` itself, so a floor's
    /// cost follows the draws exactly (低保兜底).
    pub income_floor: f64,
    /// Safe housing (住房安全有保障).
    pub housing_safe: bool,
    /// Basic medical insurance (基本医疗有保障).
    pub insured: bool,
    /// Compulsory education guaranteed (义务教育有保障).
    pub schooling_guaranteed: bool,
    /// Programme spending on this household this year, fen (1/100 yuan); summed exactly by year.
    pub spending_fen: i64,
    /// Most the engine may pay to raise income to `income_floor`, fen for the whole household
    /// (`i64::MAX`: no limit). A floor measure sets it to its reservation, so the top-up never
    /// exceeds what the plan reserved; net income is then `raw + cap / size` when the cap binds.
    pub floor_cap_fen: i64,
    /// Microcredit defaulted this year, fen for the whole household: a loss of the guarantee fund
    /// (not programme spending), summed by the engine by replicate × year.
    pub guarantee_loss_fen: i64,
    /// Scratch state kept across the years of a replicate (zero at the start of each replicate).
    pub memory: [f64; 4],
}

/// Measures applied to households: the engine calls [`Treatment::apply`] once per
/// household-replicate-year, after the shocks are drawn and before net income is computed.
///
/// The loop is household-major (one household's years and replicates at a time, in parallel over
/// villages), so a treatment may depend on the registry, the household's own path so far (through
/// `memory` and the guarantees) and its own draws, but not on other households' states in the same
/// year: budget rationing across households must be decided before the run (a plan of who gets
/// what from when), as the registry's one-household-one-plan (一户一策) practice did.
pub trait Treatment: Send + Sync + fmt::Debug {
    /// Change this household-year's state.
    fn apply(&self, ctx: &YearContext<'_>, state: &mut YearState);

    /// Names of the spending categories (measures) this treatment reports through
    /// [`Treatment::apply_tracked`]; empty (the default) for a treatment that reports only the
    /// total in `spending_fen`.
    fn categories(&self) -> &[String] {
        &[]
    }

    /// As [`Treatment::apply`], also adding this household-year's spending by category (fen) to
    /// `by_category` (one slot per [`Treatment::categories`]; the slots must sum to what is added
    /// to `state.spending_fen`). Returns the category the engine charges the floor's top-up to.
    fn apply_tracked(
        &self,
        ctx: &YearContext<'_>,
        state: &mut YearState,
        by_category: &mut [i64],
    ) -> Option<usize> {
        let _ = by_category;
        self.apply(ctx, state);
        None
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
