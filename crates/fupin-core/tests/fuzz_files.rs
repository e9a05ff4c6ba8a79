//! Property-based fuzzing of fupin's documents: scenarios (JSON and TOML), the income model's
//! parameters (JSON and TOML), plans (JSON) and results (JSON), each tampered with — values replaced
//! by odd ones, numbers nudged, keys deleted, arrays cut or grown, text edited byte by byte.
//! Contract: `Err(fupin_core::Error)`, or a document that round-trips exactly and on which planning
//! and simulation return `Ok` with finite tables or `Err`; never a panic, never a hang.

mod common;
mod fuzz_support;

use std::sync::{Arc, OnceLock};

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::{Results, RunConfig};
use fupin_core::policy::{Budget, ByCause, Plan, Policy, Uniform};
use fupin_core::registry::Registry;
use fupin_core::scenario::plan_scenario;
use fupin_core::scenario::{Scenario, simulate};
use fuzz_support::{config, count, edit_text, guarded, mutate, replace_number};
use proptest::prelude::*;
use serde_json::Value;

const YEARS: [i32; 3] = [2016, 2017, 2018];
/// Top-level keys of a plan and of results that hold indices, ids and money: half the mutations.
const PLAN_FOCUS: &[&str] = &[
    "assignments",
    "years",
    "lines",
    "budget",
    "available",
    "committed",
    "unfunded",
    "loan_capacity",
    "loans_outstanding",
    "household_ids",
    "pools",
];

fn registry() -> &'static Registry {
    static REG: OnceLock<Registry> = OnceLock::new();
    REG.get_or_init(|| common::registry(3, 8, 2))
}

fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario::new("base"),
        Scenario::new("drip").with_policy(
            Policy::ByCause(ByCause::default()),
            Some(Budget::yearly(60_000.0)),
        ),
        Scenario::new("flood").with_policy(
            Policy::Uniform(Uniform::default()),
            Some(Budget::yearly(40_000.0)),
        ),
    ]
}

fn run_config() -> RunConfig {
    RunConfig {
        replications: 2,
        seed: 3,
        threads: Some(1),
        ..RunConfig::new(YEARS[0], YEARS.len() as u32)
    }
}

/// Simulate on a watchdog thread: `Ok(result)` or a panic/hang message.
fn run(
    scenarios: Vec<Scenario>,
    model: IncomeModel,
) -> Result<fupin_core::Result<Results>, String> {
    guarded(10, move || {
        simulate(
            registry(),
            &scenarios,
            &model,
            &run_config(),
            &mut |_, _| true,
        )
    })
}

fn check_results(res: &Results) {
    let s = res.summary();
    for (name, col) in [
        ("poor_people", &s.poor_people),
        ("mean_income", &s.mean_income),
        ("programme_spending", &s.programme_spending),
        ("fgt1", &s.fgt1),
    ] {
        assert!(
            col.iter().all(|v| v.is_finite()),
            "FUZZ-NAN: summary {name}: {col:?}"
        );
    }
    let again = Results::from_json(&res.to_json().expect("to_json")).expect("from_json");
    assert!(again == *res, "results JSON round trip is not exact");
}

fn base_plan() -> &'static Plan {
    static PLAN: OnceLock<Plan> = OnceLock::new();
    PLAN.get_or_init(|| {
        plan_scenario(registry(), &scenarios()[1], &IncomeModel::default(), &YEARS)
            .expect("plan")
            .expect("a policy")
    })
}

fn base_results() -> &'static Results {
    static RES: OnceLock<Results> = OnceLock::new();
    RES.get_or_init(|| {
        simulate(
            registry(),
            &scenarios(),
            &IncomeModel::default(),
            &run_config(),
            &mut |_, _| true,
        )
        .expect("simulate")
    })
}

fn json_of<T: serde::Serialize>(x: &T) -> Value {
    serde_json::to_value(x).expect("serialize")
}

fn edits() -> impl Strategy<Value = Vec<(u8, usize, usize)>> {
    proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 1..4)
}

fn mutations() -> impl Strategy<Value = Vec<(usize, u8, usize)>> {
    proptest::collection::vec((any::<usize>(), any::<u8>(), any::<usize>()), 1..4)
}

fn apply(doc: &mut Value, focus: &[&str], muts: &[(usize, u8, usize)]) -> String {
    muts.iter()
        .map(|&(c, op, pick)| mutate(doc, focus, c, op, pick))
        .collect::<Vec<_>>()
        .join("; ")
}

/// An accepted scenario: exact JSON and TOML round trips, then planning and a short simulation.
fn check_scenario(s: Scenario, how: &str) {
    let text = serde_json::to_string(&s).expect("to json");
    let back: Scenario = serde_json::from_str(&text).expect("json round trip");
    assert_eq!(serde_json::to_string(&back).expect("json"), text, "{how}");
    if let Ok(toml_text) = toml::to_string(&s) {
        let back: Scenario = toml::from_str(&toml_text).expect("toml round trip");
        assert_eq!(serde_json::to_string(&back).expect("json"), text, "{how}");
    }
    let planned = {
        let s = s.clone();
        guarded(10, move || {
            plan_scenario(registry(), &s, &IncomeModel::default(), &YEARS)
        })
    };
    match planned {
        Err(msg) => panic!("{msg} planning ({how})"),
        Ok(Ok(Some(plan))) => {
            let available = plan.available_by_year();
            let committed = plan.committed_by_year();
            for (t, a) in available.iter().enumerate() {
                let c: f64 = committed.row(t).sum();
                assert!(
                    c.is_finite() && c <= a * (1.0 + 1e-12) + 1e-6 || plan.unlimited,
                    "plan commits {c} of {a} in year {t} ({how})"
                );
            }
        }
        Ok(_) => {}
    }
    match run(vec![s], IncomeModel::default()) {
        Err(msg) => panic!("{msg} simulating ({how})"),
        Ok(Ok(res)) => check_results(&res),
        Ok(Err(_)) => {}
    }
}

proptest! {
    #![proptest_config(files_config())]

    #[test]
    fn tampered_scenario_json(which in 0usize..3, muts in mutations()) {
        count("tampered_scenario_json");
        let mut doc = json_of(&scenarios()[which]);
        let how = apply(&mut doc, &[], &muts);
        if let Ok(s) = serde_json::from_value::<Scenario>(doc)
            && s.validate().is_ok()
        {
            check_scenario(s, &how);
        }
    }

    #[test]
    fn tampered_scenario_toml(which in 0usize..3, edits in edits()) {
        count("tampered_scenario_toml");
        let text = toml::to_string(&scenarios()[which]).expect("toml");
        let edited = edit_text(&text, &edits);
        if let Ok(s) = toml::from_str::<Scenario>(&edited)
            && s.validate().is_ok()
        {
            check_scenario(s, &edited);
        }
    }

    #[test]
    fn tampered_model(as_toml in any::<bool>(), muts in mutations(), edits in edits()) {
        count("tampered_model");
        let model = IncomeModel::default();
        let (parsed, how) = if as_toml {
            let text = edit_text(&model.to_toml().expect("toml"), &edits);
            (IncomeModel::from_toml(&text), text)
        } else {
            let mut doc = json_of(&model);
            let how = apply(&mut doc, &[], &muts);
            (IncomeModel::from_json(&doc.to_string()), how)
        };
        if let Ok(m) = parsed {
            prop_assert_eq!(&IncomeModel::from_toml(&m.to_toml().expect("toml")).expect("back"), &m);
            prop_assert_eq!(&IncomeModel::from_json(&m.to_json().expect("json")).expect("back"), &m);
            // A tampered schedule may start after a year (then that year has no line: an error).
            for y in YEARS {
                if let Ok(v) = m.line.at(y) {
                    prop_assert!(v.is_finite());
                }
            }
            match run(vec![Scenario::new("base")], m) {
                Err(msg) => prop_assert!(false, "{} with a tampered model ({})", msg, how),
                Ok(Ok(res)) => check_results(&res),
                Ok(Err(_)) => {}
            }
        }
    }
}

proptest! {
    #![proptest_config(files_config())]

    #[test]
    fn tampered_plan(muts in mutations()) {
        count("tampered_plan");
        let mut doc = json_of(base_plan());
        let how = apply(&mut doc, PLAN_FOCUS, &muts);
        let Ok(plan) = serde_json::from_value::<Plan>(doc) else { return Ok(()) };
        let s = scenarios()[1].clone().with_plan(Arc::new(plan));
        match run(vec![s], IncomeModel::default()) {
            Err(msg) => prop_assert!(false, "{} with a tampered plan ({})", msg, how),
            Ok(Ok(res)) => check_results(&res),
            Ok(Err(_)) => {}
        }
    }

    #[test]
    fn tampered_results(muts in mutations(), edits in edits(), text_edit in any::<bool>()) {
        count("tampered_results");
        // Number tokens replaced (half of them in the group tables), or byte-level edits.
        let mut text = base_results().to_json().expect("to_json");
        // The group tables (villages, counties and the county index of each village).
        let groups = text.find("\"villages\"").zip(text.find("\"household_ids\""));
        let how = if text_edit {
            text = edit_text(&text, &edits);
            format!("edits {edits:?}")
        } else {
            for &(choice, op, pick) in &muts {
                let within = if op & 0x80 != 0 { groups } else { None };
                text = replace_number(&text, within, choice, pick);
            }
            format!("numbers {muts:?}")
        };
        let doc = text;
        let Ok(res) = Results::from_json(&doc) else { return Ok(()) };
        let checked = guarded(10, move || {
            // The invariants every consumer relies on: group tables of one length each, and
            // every village in a known county.
            let (v, c) = (&res.villages, &res.counties);
            assert_eq!(v.population.len(), v.ids.len(), "village populations");
            assert_eq!(v.county.len(), v.ids.len(), "village counties");
            assert_eq!(c.population.len(), c.ids.len(), "county populations");
            assert!(
                v.county.iter().all(|&k| (k as usize) < c.ids.len()),
                "a village's county index {:?} is past the {} counties",
                v.county,
                c.ids.len()
            );
            let _ = res.summary();
            for s in 0..res.scenarios.len() {
                let _ = res.village_exit_distribution(s);
                let _ = res.county_exit_distribution(s);
                let _ = res.village_mean_poor_people(s);
                let _ = res.household_exit_summary(s);
            }
            let mut merged = res.clone();
            let _ = merged.merge(&res);
            let again = Results::from_json(&res.to_json().expect("to_json")).expect("from_json");
            again == res
        });
        match checked {
            Err(msg) => prop_assert!(false, "{} on accepted results ({})", msg, how),
            Ok(same) => prop_assert!(same, "round trip of accepted results not exact ({})", how),
        }
    }
}

/// A tampered document may hang the run (each shrink step would wait for the watchdog again):
/// few shrink steps.
fn files_config() -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        max_shrink_iters: 8,
        ..config(150)
    }
}
