//! A plan executed by the engine: the [`Treatment`] of a scenario with a policy.

use super::plan::{Assignment, Plan};
use crate::dynamics::{IncomeModel, Treatment, YearContext, YearState};
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
