//! Bindings of `fupin_core::policy`: the policy and budget handles and the cause codes a policy
//! maps to measures. Plans are bound in `scenario.rs` (a plan is made for a scenario).

use fupin_core::Cause;
use fupin_core::policy::{Budget, Policy, Ranking};
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

param_handle!(PyPolicy, "Policy", Policy,
    // Measure names and values are checked against the scenario's catalogue when the policy is
    // put in a scenario.
    parse = |text| from_json("policy", text),
    repr = |p| format!("Policy(rule={:?})", rule_of(p)),
{
    #[getter]
    fn rule(&self) -> String {
        rule_of(&self.inner)
    }
});

/// Parse and validate a budget: the one validation a budget gets in Python (a `Budget` handle is
/// valid by construction).
fn parse_budget(text: &str) -> fupin_core::Result<Budget> {
    let b: Budget = from_json("budget", text)?;
    b.validate()?;
    Ok(b)
}

param_handle!(PyBudget, "Budget", Budget,
    parse = parse_budget,
    repr = |b| format!(
        "Budget({}, carry_over={})",
        if b.by_county.is_empty() { "one pool".to_string() }
        else { format!("{} county pools", b.by_county.len()) },
        b.carry_over
    ),
{});

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
