//! Bindings of `fupin_core::policy`: the policy and budget handles and the cause codes a policy
//! maps to measures. Plans are bound in `scenario.rs` (a plan is made for a scenario).

use fupin_core::Cause;
use fupin_core::policy::{Budget, Policy, Ranking, ValidBudget};
use fupin_core::registry::serde_name;
use pyo3::prelude::*;

use crate::convert::from_json;
use crate::handle::param_handle;

/// `Policy(rule="…")`, the rule being the policy's serde tag.
fn policy_repr(p: &Policy) -> String {
    let value = serde_json::to_value(p).unwrap_or_default();
    format!(
        "Policy(rule={:?})",
        value["rule"].as_str().unwrap_or_default()
    )
}

// Measure names and values are checked against the scenario's catalogue when the policy is put
// in a scenario.
param_handle! { PyPolicy("Policy", Policy), |text| from_json("policy", text), policy_repr, {} }

/// Parse and validate a budget: the one validation a budget gets (a `Budget` handle holds a
/// `ValidBudget`, valid by construction, which scenarios, plans and runs take as it is).
fn parse_budget(text: &str) -> fupin_core::Result<ValidBudget> {
    ValidBudget::new(from_json::<Budget>("budget", text)?)
}

fn budget_repr(b: &ValidBudget) -> String {
    let pools = match b.by_county.len() {
        0 => "one pool".to_string(),
        n => format!("{n} county pools"),
    };
    format!("Budget({pools}, carry_over={})", b.carry_over)
}

param_handle! { PyBudget("Budget", ValidBudget), parse_budget, budget_repr, {} }

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPolicy>()?;
    m.add_class::<PyBudget>()?;
    let causes: Vec<&str> = Cause::ALL.iter().map(|c| c.code()).collect();
    m.add("CAUSES", causes)?;
    let rankings = [Ranking::PoorestFirst, Ranking::NearestLineFirst];
    m.add(
        "RANKINGS",
        rankings.iter().map(serde_name).collect::<Vec<_>>(),
    )?;
    Ok(())
}
