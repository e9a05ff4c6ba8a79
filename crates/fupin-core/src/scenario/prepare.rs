//! A scenario prepared for the engine: its policy planned (or its attached plan checked) into the
//! treatment of its arm.

use std::sync::Arc;

use super::definition::Scenario;
use super::valid::ValidScenario;
use crate::dynamics::{IncomeModel, Treatment};
use crate::engine::Arm;
use crate::error::Result;
use crate::policy::{Plan, PlanTreatment, check_plan_money, plan_valid};
use crate::registry::Registry;

/// The arm of `scenario` in a run over `registry` and `years` under the run's `model`: the
/// scenario's name, its effective model ([`Scenario::effective_model`]), and its treatment — its
/// plan (attached, or its policy planned over `registry`, [`treatment_for`]) or the treatment
/// attached in code.
///
/// # Errors
/// As [`treatment_for`].
pub fn arm_for(
    registry: &Registry,
    scenario: &ValidScenario,
    model: &IncomeModel,
    years: &[i32],
) -> Result<Arm> {
    let treatment = if scenario.policy.is_some() || scenario.plan.is_some() {
        Some(treatment_for_valid(registry, scenario, model, years)?)
    } else {
        scenario.treatment.clone()
    };
    Ok(Arm {
        name: scenario.name.clone(),
        model: scenario.effective_model(model),
        treatment,
    })
}

/// The plan of a scenario with a policy, over `years`, with the scenario's catalogue and line
/// (its model override, else `model`). `None` for a scenario without a policy.
///
/// # Errors
/// As [`ValidScenario::new`] and [`crate::policy::plan`].
pub fn plan_scenario(
    registry: &Registry,
    scenario: &Scenario,
    model: &IncomeModel,
    years: &[i32],
) -> Result<Option<Plan>> {
    let scenario = ValidScenario::new(scenario.clone())?;
    plan_scenario_valid(registry, &scenario, model, years)
}

/// As [`plan_scenario`], for a scenario validated when it was made (its budget is not checked
/// again).
///
/// # Errors
/// As [`crate::policy::plan`].
pub fn plan_scenario_valid(
    registry: &Registry,
    scenario: &ValidScenario,
    model: &IncomeModel,
    years: &[i32],
) -> Result<Option<Plan>> {
    let Some(policy) = &scenario.policy else {
        return Ok(None);
    };
    let m = scenario.effective_model(model);
    let catalog = scenario.catalog()?;
    plan_valid(
        registry,
        &catalog,
        policy,
        scenario.valid_budget(),
        years,
        &m.line,
    )
    .map(Some)
}

/// A plan attached to a scenario that has a policy must have been made for that policy, budget and
/// catalogue: another scenario's plan would run its measures under this scenario's name.
fn check_plan_is_of(scenario: &Scenario, p: &Plan) -> Result<()> {
    let Some(policy) = &scenario.policy else {
        return Ok(());
    };
    let refuse = |what: &str| {
        Err(crate::Error::invalid_parameter(
            format!("scenario[{}].plan", scenario.name),
            what,
            "differs from the scenario's: the plan was made for another scenario",
        ))
    };
    if p.catalog != scenario.catalog()? {
        return refuse("its measure catalogue");
    }
    match &p.made_for {
        Some((made_policy, _)) if made_policy != policy => refuse("its policy"),
        Some((_, made_budget)) if made_budget.as_ref() != scenario.budget.as_ref() => {
            refuse("its budget")
        }
        _ => Ok(()),
    }
}

/// The treatment that runs a scenario's plan (used by [`super::simulate`]): its attached
/// [`Scenario::plan`] for the households of `registry`, else its policy planned over `registry`.
///
/// # Errors
/// As [`crate::policy::plan`]; [`crate::Error::InvalidParameter`] naming `scenario[..].policy` if the scenario has
/// neither, or `scenario[..].plan` if the attached plan's years are not `years`, its poverty
/// lines not the model's, or (for a scenario with a policy) its policy, budget or catalogue not
/// the scenario's; as [`Plan::validate`] for a malformed plan (`plan.assignments[3].intensity`,
/// …); `plan.budget`/`plan.loan_capacity` if its money is not the scenario's budget's; and
/// `plan.assignments` if its assignments reserve more than the plan's reservations (changed after
/// planning).
pub fn treatment_for(
    registry: &Registry,
    scenario: &Scenario,
    model: &IncomeModel,
    years: &[i32],
) -> Result<Arc<dyn Treatment>> {
    let scenario = ValidScenario::new(scenario.clone())?;
    treatment_for_valid(registry, &scenario, model, years)
}

/// As [`treatment_for`], for a scenario validated when it was made.
///
/// # Errors
/// As [`treatment_for`].
pub fn treatment_for_valid(
    registry: &Registry,
    scenario: &ValidScenario,
    model: &IncomeModel,
    years: &[i32],
) -> Result<Arc<dyn Treatment>> {
    let m = scenario.effective_model(model);
    if let Some(p) = &scenario.plan {
        if p.years != years {
            return Err(crate::Error::invalid_parameter(
                format!("scenario[{}].plan", scenario.name),
                format!("{:?}", p.years),
                format!("was made for other years than the run's {years:?}"),
            ));
        }
        // Reservations (the floor's above all) were sized for the plan's lines; under other lines
        // the run would spend more than the budget allows.
        let lines = m.line.lines(years)?;
        if p.lines != lines {
            return Err(crate::Error::invalid_parameter(
                format!("scenario[{}].plan", scenario.name),
                format!("poverty lines {:?}", p.lines),
                format!("were planned for, not the run's {lines:?}; plan under the run's model"),
            ));
        }
        p.validate()?;
        check_plan_is_of(scenario, p)?;
        if let Some(b) = &scenario.budget {
            p.check_budget_money(b)?;
        }
        let mine = p.for_registry(registry)?;
        check_plan_money(&mine, registry)?;
        return Ok(Arc::new(PlanTreatment::new(&mine, registry, &m)));
    }
    match plan_scenario_valid(registry, scenario, model, years)? {
        Some(p) => Ok(Arc::new(PlanTreatment::new(&p, registry, &m))),
        None => Err(crate::Error::invalid_parameter(
            format!("scenario[{}].policy", scenario.name),
            "none",
            "has no policy to plan",
        )),
    }
}
