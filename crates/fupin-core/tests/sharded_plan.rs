//! Sharded runs of budgeted policies: plan once over the whole registry, simulate village shards
//! with that plan, and the merged results equal the whole run exactly.

use std::sync::Arc;

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::{Results, RunConfig};
use fupin_core::measures::{MeasureCatalog, NamedMeasure};
use fupin_core::policy::{Budget, ByCause, Policy};
use fupin_core::registry::Registry;
use fupin_core::scenario::plan_scenario;
use fupin_core::scenario::{Scenario, simulate};

fn run(reg: &Registry, s: &[Scenario]) -> Results {
    let cfg = RunConfig {
        replications: 4,
        seed: 21,
        threads: Some(2),
        ..RunConfig::new(2016, 4)
    };
    simulate(reg, s, &IncomeModel::default(), &cfg, &mut |_, _| true).unwrap()
}

fn thirds(reg: &Registry) -> Vec<Registry> {
    let nv = reg.n_villages();
    (0..3)
        .map(|k| {
            let rows: Vec<usize> = (0..reg.n_households())
                .filter(|&r| reg.households().village[r] as usize * 3 / nv == k)
                .collect();
            reg.select(&rows).unwrap()
        })
        .collect()
}

#[test]
fn three_village_shards_with_the_whole_plan_merge_to_the_whole_run() {
    let reg = fupin_core::synth::county("changle", 3).unwrap();
    let years = [2016, 2017, 2018, 2019];
    let s = Scenario::new("by_cause").with_policy(
        Policy::ByCause(ByCause::default()),
        Some(Budget::yearly(1_200_000.0)),
    );
    let plan = plan_scenario(&reg, &s, &IncomeModel::default(), &years)
        .unwrap()
        .unwrap();
    assert_eq!(plan.household_ids.len(), plan.assignments.len());
    let with_plan = [
        Scenario::new("baseline"),
        s.clone().with_plan(Arc::new(plan)),
    ];
    let whole = run(&reg, &[Scenario::new("baseline"), s.clone()]);
    // Running the whole registry with its own plan attached is the ordinary run.
    assert_eq!(run(&reg, &with_plan), whole);

    let shards = thirds(&reg);
    assert!(shards.iter().all(|x| x.n_households() > 0));
    assert_eq!(
        shards.iter().map(Registry::n_households).sum::<usize>(),
        reg.n_households()
    );
    let mut merged = run(&shards[0], &with_plan);
    for sh in &shards[1..] {
        merged.merge(&run(sh, &with_plan)).unwrap();
    }
    assert_eq!(merged.sorted_by_household(), whole.sorted_by_household());
    assert!(whole.scenarios[1].spending.iter().any(|&x| x > 0));

    // Not vacuous: planning each shard under the same budget spends three budgets.
    let mut naive = run(&shards[0], &[Scenario::new("baseline"), s.clone()]);
    for sh in &shards[1..] {
        naive
            .merge(&run(sh, &[Scenario::new("baseline"), s.clone()]))
            .unwrap();
    }
    assert_ne!(naive.scenarios[1].spending, whole.scenarios[1].spending);
}

#[test]
fn a_plan_for_other_years_or_without_ids_is_refused() {
    let reg = fupin_core::synth::county("changle", 3).unwrap();
    let s = Scenario::new("b").with_policy(
        Policy::ByCause(ByCause::default()),
        Some(Budget::yearly(500_000.0)),
    );
    let plan = plan_scenario(&reg, &s, &IncomeModel::default(), &[2016, 2017])
        .unwrap()
        .unwrap();
    let cfg = RunConfig::new(2016, 4);
    let e = simulate(
        &reg,
        &[s.clone().with_plan(Arc::new(plan.clone()))],
        &IncomeModel::default(),
        &cfg,
        &mut |_, _| true,
    )
    .unwrap_err();
    assert_eq!(e.column(), Some("scenario[b].plan"));
    // A plan made under another poverty line: its floor reservations would not hold.
    let years = [2016, 2017, 2018, 2019];
    let low = IncomeModel {
        line: fupin_core::dynamics::PovertyLine::constant(2000.0),
        ..IncomeModel::default()
    };
    let low_plan = plan_scenario(&reg, &s, &low, &years).unwrap().unwrap();
    let e = simulate(
        &reg,
        &[s.clone().with_plan(Arc::new(low_plan))],
        &IncomeModel::default(),
        &cfg,
        &mut |_, _| true,
    )
    .unwrap_err();
    assert_eq!(e.column(), Some("scenario[b].plan"));
    assert!(e.to_string().contains("poverty lines"), "{e}");
    let mut bare = plan;
    bare.household_ids.clear();
    assert!(!bare.assignments.is_empty());
    let e = bare.for_registry(&reg).unwrap_err();
    assert_eq!(e.column(), Some("plan.household_ids"));
}

#[test]
fn another_scenarios_plan_is_refused_naming_what_differs() {
    let reg = fupin_core::synth::county("changle", 3).unwrap();
    let years = [2016, 2017, 2018, 2019];
    let s = Scenario::new("b").with_policy(
        Policy::ByCause(ByCause::default()),
        Some(Budget::yearly(500_000.0)),
    );
    let plan = Arc::new(
        plan_scenario(&reg, &s, &IncomeModel::default(), &years)
            .unwrap()
            .unwrap(),
    );
    assert_eq!(
        plan.made_for,
        Some((Policy::ByCause(ByCause::default()), s.budget.clone()))
    );
    let refusal = |other: Scenario| {
        let cfg = RunConfig::new(2016, 4);
        simulate(
            &reg,
            &[other.with_plan(plan.clone())],
            &IncomeModel::default(),
            &cfg,
            &mut |_, _| true,
        )
        .unwrap_err()
    };
    let uniform = Scenario::new("b").with_policy(
        Policy::Uniform(Default::default()),
        Some(Budget::yearly(500_000.0)),
    );
    let richer = Scenario::new("b").with_policy(
        Policy::ByCause(ByCause::default()),
        Some(Budget::yearly(900_000.0)),
    );
    let industry = MeasureCatalog::default().get("industry").unwrap().clone();
    let more_measures = s
        .clone()
        .with_measures(vec![NamedMeasure::new("industry_b", industry)]);
    for (other, what) in [
        (uniform, "its policy"),
        (richer, "its budget"),
        (more_measures, "its measure catalogue"),
    ] {
        let e = refusal(other);
        assert_eq!(e.column(), Some("scenario[b].plan"), "{e}");
        assert_eq!(e.value(), Some(what), "{e}");
    }

    // The scenario it was made for runs it, as does a scenario without a policy of its own (the
    // plan is then the whole treatment), and so does a plan saved before plans kept their origin.
    let own = run(&reg, &[s.clone().with_plan(plan.clone())]);
    assert_eq!(own, run(&reg, std::slice::from_ref(&s)));
    let bare = run(&reg, &[Scenario::new("b").with_plan(plan.clone())]);
    assert_eq!(bare.scenarios[0].spending, own.scenarios[0].spending);
    let mut old = (*plan).clone();
    old.made_for = None;
    let old_run = run(&reg, &[s.clone().with_plan(Arc::new(old))]);
    assert_eq!(old_run, own);
}
