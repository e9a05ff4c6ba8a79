//! Allocation rules and budgets: who gets which measure when.
//!
//! A [`Policy`] — [`Uniform`] (大水漫灌), [`ByCause`] (对症下药) or [`Explicit`] (a user table) —
//! is planned before any draw under a [`Budget`] (yuan by year, one pool or one per county, with
//! carry-over) into a deterministic [`Plan`]: per household the measures with their start years,
//! per pool and year the money committed by measure. The engine runs the plan through
//! [`PlanTreatment`] (a [`Treatment`](crate::dynamics::Treatment)). This module never imports the
//! engine: [`crate::scenario`], above both, plans each scenario and hands the engine its arms.
//! Planning happens before the run because the engine simulates one household
//! at a time (in parallel): rationing across households cannot depend on the draws.
//!
//! **The budget property.** Recurring commitments are funded first each year, new assignments
//! only if their reservation fits, and a measure never spends more than its reservation (random
//! costs are capped at it), so in every replicate and every year each pool's spending is at most
//! its money of that year plus what it carried over, and cumulative spending never exceeds the
//! cumulative budget. See [`plan`] for the steps. Microcredit is backed by the budget's
//! [`GuaranteeFund`]: loans are granted only while the loans outstanding stay within the fund's
//! `capital × leverage`; the budget pays each loan's reserve `loan / leverage` (Industry's
//! `loan_per_household` and `leverage`; the `industry_credit` measure) in its first year, and
//! defaults are losses of the fund, reported by the engine.

mod budget;
mod order;
mod plan;
#[cfg(test)]
mod plan_tests;
mod plan_validate;
mod planner;
mod rules;
mod treatment;
mod valid_budget;

pub use budget::{Amount, Budget, GuaranteeFund};
pub use plan::{Assignment, Plan, plan, plan_valid};
pub(crate) use plan_validate::check_plan_money;
pub use rules::{ByCause, Explicit, ExplicitRow, MAX_INTENSITY, Policy, Ranking, Uniform};
pub use treatment::PlanTreatment;
pub use valid_budget::ValidBudget;
