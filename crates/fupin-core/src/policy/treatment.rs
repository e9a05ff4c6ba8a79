//! A plan executed by the engine: the [`Treatment`] of a scenario with a policy.

use std::sync::Arc;

use super::plan::{Assignment, Plan, plan_valid};
use super::plan_check::check_plan_money;
use crate::dynamics::IncomeModel;
use crate::engine::{Scenario, Treatment, ValidScenario, YearContext, YearState};
use crate::error::Result;
use crate::measures::{Active, MeasureKind, MeasureSpec};
use crate::registry::Registry;

/// Executes a [`Plan`]: each household-year applies the household's active assignments and reports
/// their spending by measure. Spending per assignment-year never exceeds the plan's reservation
/// (recomputed here from the same function and inputs, so it is bit-identical).
#[derive(Debug)]
pub struct PlanTreatment {
    specs: Vec<MeasureSpec>,
    names: Vec<String>,
    /// Assignments of household `r` are `entries[offsets[r]..offsets[r + 1]]`.
    offsets: Vec<u32>,
    entries: Vec<Assignment>,
    basic_oop_share: f64,
}

impl PlanTreatment {
    /// A treatment for `plan` (made for `registry`) under `model` (whose
    /// `health.oop_share_insured` is the share Health reimburses down from).
    pub fn new(plan: &Plan, registry: &Registry, model: &IncomeModel) -> Self {
        let n = registry.n_households();
        let mut offsets = vec![0u32; n + 1];
        for a in &plan.assignments {
            offsets[a.household as usize + 1] += 1;
        }
        for r in 0..n {
            offsets[r + 1] += offsets[r];
        }
        PlanTreatment {
            specs: plan
                .catalog
                .measures
                .iter()
                .map(|m| m.spec.clone())
                .collect(),
            names: plan.catalog.names(),
            offsets,
            entries: plan.assignments.clone(),
            basic_oop_share: model.health.oop_share_insured,
        }
    }
}

impl Treatment for PlanTreatment {
    fn apply(&self, ctx: &YearContext<'_>, state: &mut YearState) {
        let mut spend = vec![0i64; self.names.len()];
        self.apply_tracked(ctx, state, &mut spend);
    }

    fn categories(&self) -> &[String] {
        &self.names
    }

    fn apply_tracked(
        &self,
        ctx: &YearContext<'_>,
        st: &mut YearState,
        by_category: &mut [i64],
    ) -> Option<usize> {
        let r = ctx.household;
        let (lo, hi) = (self.offsets[r] as usize, self.offsets[r + 1] as usize);
        if lo == hi {
            return None;
        }
        let h = ctx.registry.households();
        let mut floor = None;
        for a in &self.entries[lo..hi] {
            if !a.active(ctx.year) {
                continue;
            }
            let m = a.measure as usize;
            let spec = &self.specs[m];
            let k = (ctx.year - a.start_year) as u32;
            let active = Active {
                k,
                intensity: a.intensity,
                start_year: a.start_year,
                slot: u32::from(a.slot),
                size: f64::from(h.size[r]),
                labour: h.labour[r],
                students: h.students[r],
                reserved: spec.reservation(ctx.registry, r, k, ctx.line, a.intensity),
            };
            let fen = spec.apply(&active, self.basic_oop_share, ctx, st);
            by_category[m] += fen;
            st.spending_fen += fen;
            if floor.is_none() && spec.kind() == MeasureKind::WelfareFloor {
                floor = Some(m);
            }
        }
        floor
    }
}

/// The plan of a scenario with a policy, over `years`, with the scenario's catalogue and line
/// (its model override, else `model`). `None` for a scenario without a policy.
///
/// # Errors
/// As [`ValidScenario::new`] and [`plan_valid`].
pub fn plan_scenario(
    registry: &Registry,
    scenario: &Scenario,
    model: &IncomeModel,
    years: &[i32],
) -> Result<Option<Plan>> {
    plan_scenario_valid(
        registry,
        &ValidScenario::new(scenario.clone())?,
        model,
        years,
    )
}

/// As [`plan_scenario`], for a scenario validated when it was made (its budget is not checked
/// again).
///
/// # Errors
/// As [`plan_valid`].
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

/// The treatment that runs a scenario's plan (used by [`crate::engine::simulate`]): its attached
/// [`Scenario::plan`] for the households of `registry`, else its policy planned over `registry`.
///
/// # Errors
/// As [`plan`]; [`crate::Error::InvalidParameter`] naming `scenario[..].policy` if the scenario has
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
    treatment_for_valid(
        registry,
        &ValidScenario::new(scenario.clone())?,
        model,
        years,
    )
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
