//! Bindings of `fupin_core::policy`: the policy and budget handles and the cause codes a policy
//! maps to measures. Plans are bound in `scenario.rs` (a plan is made for a scenario).

use fupin_core::Cause;
use fupin_core::policy::{Budget, Policy, Ranking, ValidBudget};
use pyo3::prelude::*;

use crate::convert::from_json;
use crate::handle::param_handle;

/// The `rule` of a policy (its serde tag).
fn rule_of(p: &Policy) -> String {
    serde_json::to_value(p)
        .ok()
        .and_then(|v| v.get("rule").and_then(|r| r.as_str().map(String::from)))
        .unwrap_or_default()
}

fn policy_repr(p: &Policy) -> String {
    format!("Policy(rule={:?})", rule_of(p))
}

// Measure names and values are checked against the scenario's catalogue when the policy is put
// in a scenario.
param_handle! { PyPolicy("Policy", Policy), |text| from_json("policy", text), policy_repr, {
    #[getter]
    fn rule(&self) -> String {
        rule_of(&self.inner)
    }
}}

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
    let rankings: Vec<String> = [Ranking::PoorestFirst, Ranking::NearestLineFirst]
        .iter()
        .filter_map(|r| serde_json::to_value(r).ok()?.as_str().map(String::from))
        .collect();
    m.add("RANKINGS", rankings)?;
    Ok(())
}
