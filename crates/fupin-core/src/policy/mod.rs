//! Allocation rules and budgets: who gets which measure when.
//!
//! A [`Policy`] — [`Uniform`] (大水漫灌), [`ByCause`] (对症下药) or [`Explicit`] (a user table) —
//! is planned before the run under a [`Budget`] (yuan by year, one pool or one per county, with
//! carry-over) into a deterministic [`Plan`]: per household the measures with their start years,
//! per pool and year the money committed by measure. The engine runs the plan through
//! [`PlanTreatment`]. Planning happens before the run because the engine simulates one household
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
mod plan_check;
#[cfg(test)]
mod plan_tests;
mod planner;
mod rules;
mod treatment;
mod valid_budget;

pub use budget::{Amount, Budget, GuaranteeFund};
pub use plan::{Assignment, Plan, plan, plan_valid};
pub use rules::{ByCause, Explicit, ExplicitRow, MAX_INTENSITY, Policy, Ranking, Uniform};
pub use treatment::{
    PlanTreatment, plan_scenario, plan_scenario_valid, treatment_for, treatment_for_valid,
};
pub use valid_budget::ValidBudget;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Parse TOML into `T`, mapping errors to [`Error::Parse`] with the line.
pub(crate) fn parse_toml<T: DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    toml::from_str(text).map_err(|e| Error::Parse {
        path: what.into(),
        line: e
            .span()
            .map_or(0, |s| text[..s.start].lines().count().max(1) as u64),
        message: e.message().to_string(),
    })
}

/// Parse JSON into `T`, mapping errors to [`Error::Parse`] with the line.
pub(crate) fn parse_json<T: DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Parse {
        path: what.into(),
        line: e.line() as u64,
        message: e.to_string(),
    })
}

/// Write `value` as TOML.
pub(crate) fn write_toml<T: Serialize>(value: &T, what: &str) -> Result<String> {
    toml::to_string(value).map_err(|e| Error::Parse {
        path: what.into(),
        line: 0,
        message: e.to_string(),
    })
}

/// Write `value` as pretty JSON.
pub(crate) fn write_json<T: Serialize>(value: &T, what: &str) -> Result<String> {
    serde_json::to_string_pretty(value).map_err(|e| Error::Parse {
        path: what.into(),
        line: 0,
        message: e.to_string(),
    })
}
