//! Tampered or corrupted plans are refused with an error naming the field path and value (issue
//! 12, item 5): intensities outside the measures' domain, start years outside the run, negative
//! loan capacity, a measure index past the catalogue, and assignments or money changed after
//! planning (a 2 M-yuan budget used to spend 1.7·10¹² yuan a year).

use std::sync::Arc;

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::RunConfig;
use fupin_core::policy::{Budget, ByCause, Plan, Policy};
use fupin_core::registry::Registry;
use fupin_core::scenario::{Scenario, simulate};
use fupin_core::scenario::{plan_scenario, treatment_for};

const YEARS: [i32; 3] = [2016, 2017, 2018];
const BUDGET: f64 = 2_000_000.0;

fn setup() -> (Registry, Scenario, Plan) {
    let reg = fupin_core::synth::county("changle", 4).unwrap();
    let s = Scenario::new("by_cause").with_policy(
        Policy::ByCause(ByCause::default()),
        Some(Budget::yearly(BUDGET)),
    );
    let p = plan_scenario(&reg, &s, &IncomeModel::default(), &YEARS)
        .unwrap()
        .unwrap();
    assert!(
        p.assignments.len() > 10,
        "the test needs a plan with assignments"
    );
    (reg, s, p)
}

fn cfg() -> RunConfig {
    RunConfig {
        replications: 2,
        seed: 3,
        threads: Some(1),
        ..RunConfig::new(2016, 3)
    }
}

/// The error (field, value) of attaching the tampered plan to the scenario, which must agree with
/// loading the tampered plan's JSON where the defect is in the plan alone.
fn refused(tamper: impl Fn(&mut Plan)) -> (String, String) {
    let (reg, s, mut p) = setup();
    tamper(&mut p);
    let s = s.with_plan(Arc::new(p));
    let e = match treatment_for(&reg, &s, &IncomeModel::default(), &YEARS) {
        Ok(_) => panic!("a tampered plan must be refused"),
        Err(e) => e,
    };
    (
        e.column().unwrap_or_default().to_string(),
        e.value().unwrap_or_default().to_string(),
    )
}

fn refused_on_load(tamper: impl Fn(&mut Plan)) -> (String, String) {
    let (_, _, mut p) = setup();
    tamper(&mut p);
    let e = Plan::from_json(&serde_json::to_string(&p).unwrap()).unwrap_err();
    (
        e.column().unwrap_or_default().to_string(),
        e.value().unwrap_or_default().to_string(),
    )
}

#[test]
fn an_untampered_plan_loads_runs_and_spends_within_its_budget() {
    let (reg, s, p) = setup();
    let back = Plan::from_json(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
    let s = s.with_plan(Arc::new(p));
    let r = simulate(&reg, &[s], &IncomeModel::default(), &cfg(), &mut |_, _| {
        true
    })
    .unwrap();
    // Mean spending of each year (all measures) within the money available: the year's budget
    // plus what earlier years left.
    let spending = r.spending();
    for (t, &y) in YEARS.iter().enumerate() {
        let total: f64 = (0..spending.year.len())
            .filter(|&i| spending.year[i] == y)
            .map(|i| spending.mean[i])
            .sum();
        assert!(
            total > 0.0 && total <= BUDGET * (t + 1) as f64,
            "{y}: {total}"
        );
    }
}

#[test]
fn intensities_outside_the_measures_domain_are_refused() {
    for bad in [-1.0, 0.0, 1e6, 1e300, f64::INFINITY] {
        let (field, value) = refused(|p| p.assignments[3].intensity = bad);
        assert_eq!(field, "plan.assignments[3].intensity", "{bad}");
        assert_eq!(value, bad.to_string());
        if bad.is_finite() {
            let (field, _) = refused_on_load(|p| p.assignments[3].intensity = bad);
            assert_eq!(field, "plan.assignments[3].intensity");
        }
    }
}

#[test]
fn start_years_outside_the_plan_are_refused() {
    for bad in [0, 2015, 2019, 65_535] {
        let (field, value) = refused(|p| p.assignments[3].start_year = bad);
        assert_eq!(
            (field.as_str(), value.as_str()),
            ("plan.assignments[3].start_year", bad.to_string().as_str())
        );
        let (field, _) = refused_on_load(|p| p.assignments[3].start_year = bad);
        assert_eq!(field, "plan.assignments[3].start_year");
    }
    let (field, _) = refused(|p| p.assignments[3].end_year = Some(p.assignments[3].start_year));
    assert_eq!(field, "plan.assignments[3].end_year");
}

#[test]
fn a_measure_index_past_the_catalogue_is_refused() {
    let (field, value) = refused(|p| p.assignments[2].measure = 40);
    assert_eq!(
        (field.as_str(), value.as_str()),
        ("plan.assignments[2].measure", "40")
    );
    let (field, _) = refused_on_load(|p| p.assignments[2].measure = u16::MAX);
    assert_eq!(field, "plan.assignments[2].measure");
}

#[test]
fn negative_or_inflated_money_is_refused() {
    let (field, value) = refused(|p| p.loan_capacity = Some(-5));
    assert_eq!(
        (field.as_str(), value.as_str()),
        ("plan.loan_capacity", "-5")
    );
    let (field, _) = refused_on_load(|p| p.loan_capacity = Some(-5));
    assert_eq!(field, "plan.loan_capacity");
    // More new money than the 2 M-yuan budget gives.
    let (field, _) = refused(|p| {
        for x in p.budget.iter_mut().chain(p.available.iter_mut()) {
            *x *= 1000;
        }
    });
    assert_eq!(field, "plan.budget[0]");
    // Reservations beyond the money available.
    let (field, _) = refused(|p| p.committed[0] = p.available[0] + 1);
    assert_eq!(field, "plan.available[0]");
    // An unlimited plan under a budget.
    let (field, _) = refused(|p| {
        p.unlimited = true;
        p.made_for = None;
    });
    assert_eq!(field, "plan.unlimited");
}

#[test]
fn assignments_changed_after_planning_are_refused() {
    // Every intensity ×50 (within the explicit domain) reserves far more than the plan's money.
    let (field, _) = refused(|p| {
        for a in &mut p.assignments {
            a.intensity *= 50.0;
        }
    });
    assert_eq!(field, "plan.assignments");
    // A duplicated assignment reserves its cost twice.
    let (field, _) = refused(|p| {
        let a = p.assignments[0];
        let id = p.household_ids[0].clone();
        for _ in 0..2000 {
            p.assignments.push(a);
            p.household_ids.push(id.clone());
        }
    });
    assert_eq!(field, "plan.assignments");
}
