//! Determinism and common random numbers: results are a function of (seed, ids, settings) only.

mod common;

use fupin_core::Error;
use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::{Results, RunConfig};
use fupin_core::registry::{Ids, Registry};
use fupin_core::scenario::{Scenario, simulate};

fn config(threads: usize) -> RunConfig {
    RunConfig {
        replications: 12,
        seed: 2016,
        threads: Some(threads),
        keep_paths: true,
        ..RunConfig::new(2015, 6)
    }
}

fn run(reg: &Registry, scenarios: &[Scenario], cfg: &RunConfig) -> Results {
    simulate(reg, scenarios, &IncomeModel::default(), cfg, &mut |_, _| {
        true
    })
    .unwrap()
}

fn two_scenarios() -> Vec<Scenario> {
    let mut m = IncomeModel::default();
    m.income.growth = 0.12;
    vec![
        Scenario::new("baseline"),
        Scenario::new("faster growth").with_model(m),
    ]
}

#[test]
fn identical_for_1_2_and_8_threads() {
    let reg = common::registry(23, 9, 3);
    let one = run(&reg, &two_scenarios(), &config(1));
    for threads in [2, 8] {
        assert_eq!(
            run(&reg, &two_scenarios(), &config(threads)),
            one,
            "{threads} threads"
        );
    }
    // The run did something: people exit, and the faster-growth scenario has fewer poor.
    let s = one.summary();
    let last = one.n_years() - 1;
    assert!(s.exits.iter().sum::<f64>() > 0.0);
    assert!(s.poor_people[one.n_years() + last] < s.poor_people[last]);
}

#[test]
fn shards_by_village_merge_to_the_single_run() {
    let reg = common::registry(17, 8, 4);
    let cfg = config(2);
    let whole = run(&reg, &two_scenarios(), &cfg);
    // Three shards by village index, merged in a scrambled order.
    let shards: Vec<Registry> = (0..3)
        .map(|k| {
            reg.select(&common::rows_where(&reg, |v| v % 3 == k))
                .unwrap()
        })
        .collect();
    let mut merged = run(&shards[2], &two_scenarios(), &cfg);
    merged
        .merge(&run(&shards[0], &two_scenarios(), &cfg))
        .unwrap();
    merged
        .merge(&run(&shards[1], &two_scenarios(), &cfg))
        .unwrap();
    assert_eq!(merged.sorted_by_household(), whole.sorted_by_household());
    // Tables derived from merged sums equal the single run's.
    assert_eq!(merged.summary(), whole.summary());
    assert_eq!(
        merged.county_exit_distribution(1),
        whole.county_exit_distribution(1)
    );
    assert_eq!(
        merged.village_exit_distribution(0),
        whole.village_exit_distribution(0)
    );
    // And through JSON (how shards travel between workers).
    let back = Results::from_json(&merged.to_json().unwrap()).unwrap();
    assert_eq!(back, merged);
}

#[test]
fn merging_a_split_village_or_a_household_twice_is_an_error() {
    let reg = common::registry(4, 6, 2);
    let cfg = config(1);
    let n = reg.n_households();
    let a = reg.select(&(0..n / 2).collect::<Vec<_>>()).unwrap();
    let b = reg.select(&(n / 2..n).collect::<Vec<_>>()).unwrap();
    let mut ra = run(&a, &two_scenarios(), &cfg);
    let e = ra.merge(&run(&b, &two_scenarios(), &cfg)).unwrap_err();
    assert_eq!(e.column(), Some("merge.village"));
    let mut again = run(&reg, &two_scenarios(), &cfg);
    let e = again.merge(&run(&reg, &two_scenarios(), &cfg)).unwrap_err();
    assert_eq!(e.column(), Some("merge.village"));
    let other_seed = RunConfig {
        seed: 1,
        ..cfg.clone()
    };
    let e = run(&a, &two_scenarios(), &cfg)
        .merge(&run(&a, &two_scenarios(), &other_seed))
        .unwrap_err();
    assert_eq!(e.column(), Some("merge.seed"));
}

#[test]
fn household_order_does_not_matter() {
    let reg = common::registry(11, 10, 2);
    let cfg = config(2);
    let forward = run(&reg, &two_scenarios(), &cfg);
    let mut rows: Vec<usize> = (0..reg.n_households()).rev().collect();
    rows.rotate_left(17);
    let shuffled = reg.select(&rows).unwrap();
    let backward = run(&shuffled, &two_scenarios(), &cfg);
    assert_ne!(backward.household_ids, forward.household_ids);
    assert_eq!(
        backward.sorted_by_household(),
        forward.sorted_by_household()
    );
}

#[test]
fn identical_scenarios_have_identical_paths() {
    let reg = common::registry(7, 6, 2);
    let cfg = config(2);
    let r = run(&reg, &[Scenario::new("a"), Scenario::new("b")], &cfg);
    let (a, b) = (&r.scenarios[0], &r.scenarios[1]);
    assert_eq!(a.paths, b.paths);
    assert_eq!(a.totals, b.totals);
    assert_eq!(a.households, b.households);
    // Common random numbers across different models: the scenario with a higher line sees the
    // same incomes, only more of them counted poor.
    let high =
        Scenario::new("high line").with_line(fupin_core::dynamics::PovertyLine::constant(6000.0));
    let r2 = run(&reg, &[Scenario::new("a"), high], &cfg);
    let (pa, ph) = (
        r2.scenarios[0].paths.as_ref().unwrap(),
        r2.scenarios[1].paths.as_ref().unwrap(),
    );
    assert_eq!(pa.income, ph.income);
    assert!(pa.poor.iter().zip(&ph.poor).all(|(&a, &h)| h || !a));
}

/// A treatment that does nothing: the hook itself must not change a single path.
#[derive(Debug)]
struct Nothing;

impl fupin_core::dynamics::Treatment for Nothing {
    fn apply(
        &self,
        _: &fupin_core::dynamics::YearContext<'_>,
        _: &mut fupin_core::dynamics::YearState,
    ) {
    }
}

#[test]
fn a_no_op_treatment_reproduces_the_baseline_exactly() {
    let reg = common::registry(7, 6, 2);
    let r = run(
        &reg,
        &[
            Scenario::new("a"),
            Scenario::new("b").with_treatment(std::sync::Arc::new(Nothing)),
        ],
        &config(2),
    );
    assert_eq!(r.scenarios[0].paths, r.scenarios[1].paths);
    assert_eq!(r.scenarios[0].totals, r.scenarios[1].totals);
    assert_eq!(r.scenarios[0].village_exit, r.scenarios[1].village_exit);
    assert_eq!(r.scenarios[0].households, r.scenarios[1].households);
}

#[test]
fn changing_one_household_changes_no_other() {
    let reg = common::registry(6, 7, 2);
    let cfg = config(2);
    let before = run(&reg, &[Scenario::new("a")], &cfg);
    let k = 11;
    let mut h = reg.households().clone();
    h.income_per_capita[k] *= 3.0;
    h.chronic_illness[k] = h.size[k];
    h.students[k] = 0;
    h.registered[k] = !h.registered[k];
    let changed = Registry::new(h, reg.villages().clone(), reg.counties().clone()).unwrap();
    let after = run(&changed, &[Scenario::new("a")], &cfg);
    let (p0, p1) = (
        before.scenarios[0].paths.as_ref().unwrap(),
        after.scenarios[0].paths.as_ref().unwrap(),
    );
    let mut k_differs = false;
    for r in 0..cfg.replications {
        for i in 0..reg.n_households() {
            for t in 0..p0.years {
                let j = p0.index(r, i, t);
                if i == k {
                    k_differs |= p0.income[j] != p1.income[j];
                } else {
                    assert_eq!(p0.income[j], p1.income[j], "household {i}");
                    assert_eq!(p0.poor[j], p1.poor[j], "household {i}");
                }
            }
        }
    }
    assert!(k_differs);
    let (h0, h1) = (
        before.scenarios[0].households.as_ref().unwrap(),
        after.scenarios[0].households.as_ref().unwrap(),
    );
    for i in (0..reg.n_households()).filter(|&i| i != k) {
        assert_eq!(h0.returned[i], h1.returned[i]);
        assert_eq!(
            h0.first_exit[i * 6..i * 6 + 6],
            h1.first_exit[i * 6..i * 6 + 6]
        );
    }
}

#[test]
fn text_ids_and_seeds() {
    let reg = common::registry(5, 5, 1);
    let mut h = reg.households().clone();
    h.id = Ids::Text((0..h.len()).map(|i| format!("HH-{i:05}")).collect());
    let text = Registry::new(h, reg.villages().clone(), reg.counties().clone()).unwrap();
    let cfg = config(1);
    let a = run(&text, &[Scenario::new("a")], &cfg);
    assert_eq!(a, run(&text, &[Scenario::new("a")], &config(3)));
    // A different seed gives different paths.
    let other = run(&text, &[Scenario::new("a")], &RunConfig { seed: 7, ..cfg });
    assert_ne!(a.scenarios[0].paths, other.scenarios[0].paths);
}

#[test]
fn cancellation_and_progress() {
    let reg = common::registry(30, 20, 3);
    let cfg = RunConfig {
        keep_paths: false,
        replications: 40,
        ..config(2)
    };
    let e = simulate(
        &reg,
        &[Scenario::new("a")],
        &IncomeModel::default(),
        &cfg,
        &mut |_, _| false,
    )
    .unwrap_err();
    assert!(matches!(e, Error::Cancelled));
    let mut seen = Vec::new();
    simulate(
        &reg,
        &[Scenario::new("a")],
        &IncomeModel::default(),
        &cfg,
        &mut |d, t| {
            seen.push((d, t));
            true
        },
    )
    .unwrap();
    let total = reg.n_households() as u64 * 40 * 6;
    assert_eq!(seen.last(), Some(&(total, total)));
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 == total));
}
