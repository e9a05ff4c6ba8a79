//! Scenarios, prepared into the engine's arms and run.
//!
//! A [`Scenario`] is a name, optional overrides of the income model and the poverty line, and
//! either a policy with its budget and measure parameters, a plan made beforehand, or a treatment
//! attached in code. [`simulate`] checks the scenarios, plans each policy over the registry
//! ([`treatment_for`], [`crate::policy::plan`]) into an [`crate::engine::Arm`]
//! ([`arm_for`]), and runs the arms with [`crate::engine::run`]; the results keep the scenarios'
//! names and order. This module sits above both `policy` and `engine`, which never import each
//! other.

mod definition;
mod file;
mod prepare;
mod valid;

pub use definition::Scenario;
pub use file::ScenarioFile;
pub use prepare::{
    arm_for, plan_scenario, plan_scenario_valid, treatment_for, treatment_for_valid,
};
pub use valid::ValidScenario;

use crate::dynamics::IncomeModel;
use crate::engine::{Arm, Results, RunConfig, check_run, run};
use crate::error::{Error, Result};
use crate::registry::Registry;

/// Simulate every household of `registry` under each scenario for `config.years` years and
/// `config.replications` replicates: check the run, plan each scenario with a policy over the
/// whole registry (or check the plan attached to it, made over a larger registry this one is a
/// shard of), and run the arms ([`crate::engine::run`], which documents progress, cancellation,
/// threads and determinism).
///
/// # Errors
/// Validation errors naming the parameter (`years`, `replications`, `scenario[..].<field>`,
/// `keep_paths`, …) or the registry column (`weight`); planning errors ([`treatment_for`]);
/// [`Error::Cancelled`] when cancelled; [`Error::Internal`] if the thread pool cannot start or the
/// work panics (a bug).
///
/// # Examples
/// ```
/// use fupin_core::dynamics::IncomeModel;
/// use fupin_core::engine::RunConfig;
/// use fupin_core::scenario::{Scenario, simulate};
/// use fupin_core::registry::{Counties, Households, Ids, Region, Registry, Villages};
/// # fn registry() -> fupin_core::Result<Registry> {
/// #     let n = 4;
/// #     let households = Households {
/// #         id: Ids::Int((1..=n as i64).collect()),
/// #         village: vec![0; n],
/// #         size: vec![3; n],
/// #         income_per_capita: vec![2000.0, 2500.0, 3500.0, 5000.0],
/// #         labour: vec![1; n], elderly: vec![0; n], students: vec![0; n],
/// #         chronic_illness: vec![0; n], disability: vec![0; n],
/// #         housing_safe: vec![true; n], safe_water: vec![true; n], insured: vec![true; n],
/// #         inhospitable: vec![false; n], head_education_years: vec![6; n],
/// #         causes: vec![Default::default(); n], primary_cause: vec![None; n],
/// #         weight: vec![1.0; n], registered: vec![true; n],
/// #     };
/// #     let villages = Villages { id: Ids::Int(vec![10]), county: vec![0], population: vec![100],
/// #         region: vec![Region::Centre], poor: vec![true] };
/// #     let counties = Counties { id: Ids::Int(vec![1]), region: vec![Region::Centre] };
/// #     Registry::new(households, villages, counties)
/// # }
/// let registry = registry()?; // four households in one village
/// let config = RunConfig { replications: 20, seed: 7, threads: Some(1), ..RunConfig::new(2016, 5) };
/// let results = simulate(&registry, &[Scenario::new("baseline")], &IncomeModel::default(),
///                        &config, &mut |_, _| true)?;
/// let summary = results.summary();
/// assert_eq!(summary.year, vec![2016, 2017, 2018, 2019, 2020]);
/// assert!(summary.poor_households[4] <= 4.0);
/// # Ok::<(), fupin_core::Error>(())
/// ```
pub fn simulate(
    registry: &Registry,
    scenarios: &[Scenario],
    model: &IncomeModel,
    config: &RunConfig,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<Results> {
    config.validate()?;
    model.validate()?;
    let scenarios = scenarios
        .iter()
        .map(|s| ValidScenario::new(s.clone()))
        .collect::<Result<Vec<_>>>()?;
    run_checked(registry, &scenarios, model, config, progress)
}

/// As [`simulate`], for scenarios validated when they were made ([`ValidScenario`]: their
/// budgets are not checked again).
///
/// # Errors
/// As [`simulate`].
pub fn simulate_valid(
    registry: &Registry,
    scenarios: &[ValidScenario],
    model: &IncomeModel,
    config: &RunConfig,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<Results> {
    config.validate()?;
    model.validate()?;
    run_checked(registry, scenarios, model, config, progress)
}

/// The run once the configuration and the model are checked (the config and model first, so
/// their errors come before any scenario's).
fn run_checked(
    registry: &Registry,
    scenarios: &[ValidScenario],
    model: &IncomeModel,
    config: &RunConfig,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<Results> {
    check_scenarios(scenarios)?;
    check_run(registry, config, scenarios.len())?;
    let years = config.calendar_years();
    let arms: Vec<Arm> = scenarios
        .iter()
        .map(|s| arm_for(registry, s, model, &years))
        .collect::<Result<_>>()?;
    run(registry, &arms, config, progress)
}

/// At least one scenario, each name used once (each is valid by type).
fn check_scenarios(scenarios: &[ValidScenario]) -> Result<()> {
    if scenarios.is_empty() {
        return Err(Error::invalid_parameter(
            "scenarios",
            "[]",
            "needs at least one scenario",
        ));
    }
    for (i, s) in scenarios.iter().enumerate() {
        if scenarios[..i].iter().any(|o| o.name == s.name) {
            return Err(Error::invalid_parameter(
                "scenario.name",
                format!("{:?}", s.name),
                "is used by two scenarios",
            ));
        }
    }
    Ok(())
}
