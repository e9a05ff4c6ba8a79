//! Properties of policy scenarios run through the engine: the budget is never exceeded, a zero
//! budget is the baseline, results are thread-independent and merge exactly, and the breakdowns
//! add up to the engine's totals.

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::{CAUSE_GROUPS, Results, RunConfig};
use fupin_core::policy::{Budget, ByCause, Explicit, ExplicitRow, Policy, Uniform};
use fupin_core::registry::Registry;
use fupin_core::scenario::plan_scenario;
use fupin_core::scenario::{Scenario, simulate};
use fupin_core::units::WEIGHT_SCALE;
use proptest::prelude::*;

fn changle() -> Registry {
    fupin_core::synth::county("changle", 3).unwrap()
}

fn run(reg: &Registry, scenarios: &[Scenario], reps: u32, threads: usize) -> Results {
    let cfg = RunConfig {
        replications: reps,
        seed: 11,
        threads: Some(threads),
        ..RunConfig::new(2016, 4)
    };
    simulate(
        reg,
        scenarios,
        &IncomeModel::default(),
        &cfg,
        &mut |_, _| true,
    )
    .unwrap()
}

fn floor_all(reg: &Registry) -> Policy {
    let ids = reg.households().id.to_text();
    Policy::Explicit(Explicit {
        assignments: ids
            .iter()
            .map(|id| ExplicitRow {
                household: id.clone(),
                measure: "welfare_floor".into(),
                start_year: 2016,
                intensity: 1.0,
            })
            .collect(),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// Spending of every replicate and year ≤ the money available that year (budget + carry-over),
    /// and cumulative spending ≤ cumulative budget; spending by measure sums to the total.
    #[test]
    fn no_scenario_ever_spends_more_than_its_budget(
        yuan in 0.0f64..400_000.0,
        second in 0.0f64..400_000.0,
        rule in 0usize..3,
        carry in any::<bool>(),
    ) {
        let reg = changle();
        let policy = match rule {
            0 => Policy::Uniform(Uniform::default()),
            1 => Policy::ByCause(ByCause::default()),
            _ => floor_all(&reg),
        };
        let mut budget = Budget::by_year(
            [(2016, yuan), (2017, second), (2018, yuan), (2019, 0.0)].into_iter().collect(),
        );
        budget.carry_over = carry;
        let s = Scenario::new("p").with_policy(policy, Some(budget));
        let years = [2016, 2017, 2018, 2019];
        let plan = plan_scenario(&reg, &s, &IncomeModel::default(), &years).unwrap().unwrap();
        let res = run(&reg, &[s], 4, 2);
        let sc = &res.scenarios[0];
        let k_n = sc.categories.len();
        let total: i128 = sc.totals.iter().map(|c| c.spending_fen).sum();
        // Not vacuous: with money in the first year something is bought.
        prop_assert!(yuan < 30_000.0 || total > 0);
        prop_assert_eq!(total > 0, plan.committed.iter().any(|&c| c > 0) && total > 0);
        for r in 0..4usize {
            let (mut spent, mut budgeted) = (0i128, 0i128);
            for t in 0..4usize {
                let cell = sc.totals[r * 4 + t].spending_fen;
                let by_measure: i128 = sc.spending[(r * 4 + t) * k_n..(r * 4 + t + 1) * k_n].iter().sum();
                prop_assert_eq!(cell, by_measure);
                prop_assert!(cell >= 0);
                prop_assert!(cell <= plan.available[t], "replicate {} year {}: {} > {}", r, t, cell, plan.available[t]);
                spent += cell;
                budgeted += plan.budget[t];
                prop_assert!(spent <= budgeted);
            }
        }
    }
}

#[test]
fn a_zero_budget_reproduces_the_baseline_exactly() {
    let reg = changle();
    let zero =
        |name: &str, p: Policy| Scenario::new(name).with_policy(p, Some(Budget::yearly(0.0)));
    let res = run(
        &reg,
        &[
            Scenario::new("baseline"),
            zero("uniform", Policy::Uniform(Uniform::default())),
            zero("by_cause", Policy::ByCause(ByCause::default())),
            zero("floor", floor_all(&reg)),
        ],
        6,
        2,
    );
    let base = &res.scenarios[0];
    for sc in &res.scenarios[1..] {
        assert_eq!(sc.totals, base.totals, "{}", sc.name);
        assert_eq!(sc.county_poor, base.county_poor);
        assert_eq!(sc.village_exit, base.village_exit);
        assert_eq!(sc.households, base.households);
        assert_eq!(sc.cause_exits, base.cause_exits);
        assert_eq!(sc.exit_spells, base.exit_spells);
        assert!(sc.spending.iter().all(|&x| x == 0));
    }
}

#[test]
fn results_do_not_depend_on_threads_and_round_trip() {
    let reg = changle();
    let scenarios = [
        Scenario::new("baseline"),
        Scenario::new("by_cause").with_policy(
            Policy::ByCause(ByCause::default()),
            Some(Budget::yearly(800_000.0)),
        ),
        Scenario::new("uniform").with_policy(
            Policy::Uniform(Uniform::default()),
            Some(Budget::yearly(800_000.0)),
        ),
    ];
    let one = run(&reg, &scenarios, 5, 1);
    let three = run(&reg, &scenarios, 5, 3);
    assert_eq!(one, three);
    assert!(one.scenarios[1].spending.iter().any(|&x| x > 0));
    let back = Results::from_json(&one.to_json().unwrap()).unwrap();
    assert_eq!(back, one);
    // A table of the wrong length (JSON from elsewhere, or an older layout) is refused on load,
    // naming it, instead of being misread later.
    let mut short = one.clone();
    short.scenarios[1].county_spending.truncate(3);
    let e = Results::from_json(&short.to_json().unwrap()).unwrap_err();
    assert_eq!(e.column(), Some("results.by_cause.county_spending"));
    let mut short = one.clone();
    short.scenarios[2].guarantee_losses.clear();
    let e = Results::from_json(&short.to_json().unwrap()).unwrap_err();
    assert_eq!(e.column(), Some("results.uniform.guarantee_losses"));
    // Scenarios themselves round-trip through TOML and JSON.
    for s in &scenarios {
        let t = toml::to_string(s).unwrap();
        let b: Scenario = toml::from_str(&t).unwrap();
        assert_eq!(b.policy, s.policy, "{t}");
        assert_eq!(b.budget, s.budget);
        let b: Scenario = serde_json::from_str(&serde_json::to_string(s).unwrap()).unwrap();
        assert_eq!(b.policy, s.policy);
    }
}

#[test]
fn breakdowns_add_up_to_the_totals() {
    let reg = changle();
    let s = Scenario::new("by_cause").with_policy(
        Policy::ByCause(ByCause::default()),
        Some(Budget::yearly(1_500_000.0)),
    );
    let res = run(&reg, &[Scenario::new("baseline"), s], 6, 2);
    let t_n = 4;
    for sc in &res.scenarios {
        for r in 0..6 {
            for t in 0..t_n {
                let cell = &sc.totals[r * t_n + t];
                let by_cause: i64 = sc.cause_exits
                    [(r * t_n + t) * CAUSE_GROUPS..(r * t_n + t + 1) * CAUSE_GROUPS]
                    .iter()
                    .sum();
                assert_eq!(by_cause, cell.exits);
                let ret: i64 = sc.cause_returns
                    [(r * t_n + t) * CAUSE_GROUPS..(r * t_n + t + 1) * CAUSE_GROUPS]
                    .iter()
                    .sum();
                assert_eq!(ret, cell.returns);
                let spells: i64 = sc.exit_spells
                    [(r * t_n + t) * (t_n + 1)..(r * t_n + t + 1) * (t_n + 1)]
                    .iter()
                    .sum();
                assert_eq!(spells, cell.exits);
            }
            // Every return closes one spell: returns of the replicate = spells with d ≥ 1.
            let returns: i64 = (0..t_n).map(|t| sc.totals[r * t_n + t].returns).sum();
            let closed: i64 = (0..t_n)
                .flat_map(|t| (1..=t_n).map(move |d| (t, d)))
                .map(|(t, d)| sc.exit_spells[(r * t_n + t) * (t_n + 1) + d])
                .sum();
            assert_eq!(returns, closed);
        }
        // County spending summed over counties = the replicate's spending, exactly.
        let k_n = sc.categories.len();
        let nc = res.counties.population.len();
        for r in 0..6 {
            for t in 0..t_n {
                for k in 0..k_n {
                    let by_county: i128 = (0..nc)
                        .map(|c| sc.county_spending[((c * 6 + r) * t_n + t) * k_n + k])
                        .sum();
                    assert_eq!(sc.spending[(r * t_n + t) * k_n + k], by_county);
                }
            }
        }
    }
    let table = res.spending();
    let total: f64 = table.mean.iter().sum();
    let summary = res.summary();
    let programme: f64 = summary.programme_spending.iter().sum();
    assert!(
        (total - programme).abs() < 1e-6 * programme.max(1.0),
        "{total} vs {programme}"
    );
    let flows = res.flows_by_cause();
    let exits: f64 = flows.exits.iter().sum();
    let exits_summary: f64 = summary.exits.iter().sum();
    assert!((exits - exits_summary).abs() < 1e-9 * exits_summary.max(1.0));
    assert!(!res.county_spending().mean.is_empty());
    // Sustained exits with k = years count every exit not followed by a return at all.
    let sus = res.sustained_exits(1, 10);
    let sc = &res.scenarios[1];
    let w = WEIGHT_SCALE as f64;
    let never: f64 = (0..t_n)
        .map(|t| sc.exit_spells[t * (t_n + 1)] as f64 / w)
        .sum();
    assert!((sus.row(0).sum() - never).abs() < 1e-9);
}

#[test]
fn unlimited_uniform_shards_merge_to_the_whole_run() {
    // Without rationing a plan is per household, so village shards plan the same assignments.
    let reg = changle();
    let s = [Scenario::new("uniform").with_policy(Policy::Uniform(Uniform::default()), None)];
    let whole = run(&reg, &s, 3, 2);
    let nv = reg.n_villages();
    let rows = |keep: &dyn Fn(usize) -> bool| -> Vec<usize> {
        (0..reg.n_households())
            .filter(|&i| keep(reg.households().village[i] as usize))
            .collect()
    };
    let a = reg.select(&rows(&|v| v < nv / 2)).unwrap();
    let b = reg.select(&rows(&|v| v >= nv / 2)).unwrap();
    let mut merged = run(&a, &s, 3, 1);
    merged.merge(&run(&b, &s, 3, 2)).unwrap();
    assert_eq!(merged.sorted_by_household(), whole.sorted_by_household());
}
