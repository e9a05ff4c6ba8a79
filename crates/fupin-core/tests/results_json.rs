//! Tampered or corrupted results JSON is refused with an error naming the field (issue 12, item 5),
//! where it used to load and then panic (or divide by zero) in a table.

mod common;

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::{Results, RunConfig};
use fupin_core::registry::Ids;
use fupin_core::scenario::{Scenario, simulate};

fn results() -> Results {
    let reg = common::registry(4, 5, 2);
    let cfg = RunConfig {
        replications: 3,
        seed: 5,
        threads: Some(1),
        keep_paths: true,
        ..RunConfig::new(2016, 3)
    };
    let scenarios = [Scenario::new("a"), Scenario::new("b")];
    simulate(
        &reg,
        &scenarios,
        &IncomeModel::default(),
        &cfg,
        &mut |_, _| true,
    )
    .unwrap()
}

/// Load the results' JSON after `tamper`; the error's field (column) and its value.
fn refused(tamper: impl Fn(&mut Results)) -> (String, String) {
    let mut r = results();
    tamper(&mut r);
    let e =
        Results::from_json(&r.to_json().unwrap()).expect_err("tampered results must be refused");
    (
        e.column().unwrap_or_default().to_string(),
        e.value().unwrap_or_default().to_string(),
    )
}

fn int_ids(ids: &mut Ids) -> &mut Vec<i64> {
    match ids {
        Ids::Int(v) => v,
        Ids::Text(_) => panic!("test registry has integer ids"),
    }
}

#[test]
fn untampered_results_load_and_read() {
    let r = results();
    let back = Results::from_json(&r.to_json().unwrap()).unwrap();
    assert_eq!(back, r);
    assert_eq!(back.village_exit_distribution(0).dim(), (4, 4));
}

#[test]
fn a_village_county_index_past_the_counties_is_refused() {
    let (field, value) = refused(|r| r.villages.county[2] = 7);
    assert_eq!(
        (field.as_str(), value.as_str()),
        ("results.villages.county[2]", "7")
    );
}

#[test]
fn group_tables_of_the_wrong_length_are_refused() {
    let (field, _) = refused(|r| {
        r.counties.population.pop();
    });
    assert_eq!(field, "results.counties.population");
    let (field, _) = refused(|r| r.villages.threshold.push(0.02));
    assert_eq!(field, "results.villages.threshold");
    let (field, value) = refused(|r| r.villages.threshold[1] = -0.5);
    assert_eq!(
        (field.as_str(), value.as_str()),
        ("results.villages.threshold[1]", "-0.5")
    );
}

#[test]
fn settings_out_of_range_are_refused() {
    // Zero replicates would divide every probability by zero (tables emptied to match).
    let (field, _) = refused(|r| {
        r.replications = 0;
        for s in &mut r.scenarios {
            s.totals.clear();
            s.county_poor.clear();
            s.cause_exits.clear();
            s.cause_returns.clear();
            s.exit_spells.clear();
            s.guarantee_losses.clear();
            s.paths = None;
        }
    });
    assert_eq!(field, "results.replications");
    let (field, value) = refused(|r| r.years[1] = 2020);
    assert_eq!(
        (field.as_str(), value.as_str()),
        ("results.years[1]", "2020")
    );
    let (field, _) = refused(|r| r.scenarios.clear());
    assert_eq!(field, "results.scenarios");
    let (field, _) = refused(|r| r.scenarios[1].name = "a".into());
    assert_eq!(field, "results.scenarios.name");
}

#[test]
fn counts_out_of_range_are_refused() {
    // A village counted in more replicates than the run had.
    let (field, _) = refused(|r| r.scenarios[0].village_exit[0] += 1);
    assert_eq!(field, "results.a.village_exit[0]");
    let (field, value) = refused(|r| {
        r.scenarios[1].households.as_mut().unwrap().returned[3] = 9;
    });
    assert_eq!(
        (field.as_str(), value.as_str()),
        ("results.b.households.returned[3]", "9")
    );
    let (field, _) = refused(|r| {
        r.scenarios[1].households.as_mut().unwrap().first_exit[4] = 3;
        r.scenarios[1].households.as_mut().unwrap().first_exit[5] = 1;
    });
    assert_eq!(field, "results.b.households.first_exit[1]");
    let (field, _) = refused(|r| r.scenarios[0].totals[2].poor_people = -1);
    assert_eq!(field, "results.a.totals[2]");
    let (field, _) = refused(|r| r.scenarios[0].village_poor[5].poor_people = -4);
    assert_eq!(field, "results.a.village_poor[5]");
    let (field, _) = refused(|r| {
        r.scenarios[0].paths.as_mut().unwrap().income[0] = -3.0;
    });
    assert_eq!(field, "results.a.paths.income[0]");
    let (field, _) = refused(|r| r.registry_people = -2);
    assert_eq!(field, "results.registry_people");
}

#[test]
fn duplicate_ids_are_refused() {
    let (field, _) = refused(|r| {
        let ids = int_ids(&mut r.household_ids);
        ids[4] = ids[0];
    });
    assert_eq!(field, "results.household_ids[4]");
    let (field, _) = refused(|r| {
        let ids = int_ids(&mut r.villages.ids);
        ids[1] = ids[0];
    });
    assert_eq!(field, "results.villages.ids[1]");
}

/// Village populations whose sum overflows a u64 (found by `scripts/fuzz.sh`, tampered_results):
/// `Results::population` panicked with an add overflow (wrapped in release builds).
#[test]
fn populations_whose_total_overflows_are_refused() {
    let (field, value) = refused(|r| {
        r.villages.population[1] = u64::MAX - 5;
    });
    // Village 0 has at least 1 person, so the running total passes 2^64 − 1 at index 1.
    assert_eq!(
        (field.as_str(), value.as_str()),
        (
            "results.villages.population[1]",
            (u64::MAX - 5).to_string().as_str()
        )
    );
    let (field, _) = refused(|r| {
        r.counties.population[0] = u64::MAX;
        r.counties.population[1] = 1;
    });
    assert_eq!(field, "results.counties.population[1]");
}
