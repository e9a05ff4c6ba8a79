//! The results' tables as core `Table`s: spending bands by any fields against a brute-force sum of
//! the per-replicate values, exit projections against the exit probabilities, names checked.

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::{Results, RunConfig};
use fupin_core::policy::{Budget, ByCause, Policy};
use fupin_core::registry::{ColumnData, Table};
use fupin_core::results::ExitLevel;
use fupin_core::scenario::{Scenario, simulate};

fn run() -> Results {
    let reg = fupin_core::synth::county("changle", 2).unwrap();
    let drip = Scenario::new("drip").with_policy(
        Policy::ByCause(ByCause::default()),
        Some(Budget::yearly(2_000_000.0)),
    );
    let cfg = RunConfig {
        replications: 7,
        seed: 5,
        threads: Some(1),
        ..RunConfig::new(2016, 3)
    };
    let scenarios = [Scenario::new("baseline"), drip];
    simulate(
        &reg,
        &scenarios,
        &IncomeModel::default(),
        &cfg,
        &mut |_, _| true,
    )
    .unwrap()
}

fn floats(t: &Table, name: &str) -> Vec<f64> {
    match t.get(name) {
        Some(ColumnData::Float(v)) => v.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

/// Type-7 percentile by hand: sort, interpolate between the order statistics around q·(n − 1).
fn type7(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    let h = q * (v.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

#[test]
fn spending_by_year_is_the_band_of_per_replicate_sums() {
    let res = run();
    let s = res.scenario_index("drip").unwrap();
    let k_n = res.scenarios[s].categories.len();
    assert!(k_n > 0);
    let t = res.spending_by(&["year"], None).unwrap();
    assert_eq!(t.names(), ["scenario", "year", "mean", "p5", "p95"]);
    assert_eq!(t.nrows(), res.n_years()); // the baseline has no measures, no rows
    let (mean, p5, p95) = (floats(&t, "mean"), floats(&t, "p5"), floats(&t, "p95"));
    for year in 0..res.n_years() {
        let per: Vec<f64> = (0..res.replications as usize)
            .map(|r| (0..k_n).map(|k| res.spending_values(s, k)[[r, year]]).sum())
            .collect();
        let m = per.iter().sum::<f64>() / per.len() as f64;
        assert!((mean[year] - m).abs() <= 1e-9 * m.abs().max(1.0));
        assert!((p5[year] - type7(per.clone(), 0.05)).abs() <= 1e-9 * m.abs().max(1.0));
        assert!((p95[year] - type7(per, 0.95)).abs() <= 1e-9 * m.abs().max(1.0));
    }
    // The whole run's total is the sum over years of the per-replicate sums.
    let total = res.spending_by(&[], Some("drip")).unwrap();
    let sum: f64 = mean.iter().sum();
    assert!((floats(&total, "mean")[0] - sum).abs() <= 1e-9 * sum);
    let e = res.spending_by(&["village"], None).unwrap_err().to_string();
    assert!(e.contains("`by`"), "{e}");
}

#[test]
fn household_projections_agree_with_exit_probabilities() {
    let res = run();
    let s = res.scenario_index("drip").unwrap();
    let p = res
        .exit_projections("drip", ExitLevel::Household, Some(2017), 0.9)
        .unwrap();
    let by_year = res.household_exit_probability(s).unwrap();
    for (i, &x) in floats(&p, "p_exit").iter().enumerate() {
        assert!((x - by_year[[i, 1]]).abs() < 1e-12);
    }
    let never = res.household_exit_summary(s).unwrap().never_exit_share;
    for (a, b) in floats(&p, "p_not_within_run").iter().zip(&never) {
        assert!((a - b).abs() < 1e-12);
    }
    let e = res.table("nope", None).unwrap_err().to_string();
    assert!(e.contains("`table`"), "{e}");
    let v = res.table("villages", Some("drip")).unwrap();
    assert_eq!(
        v.names()[..4],
        ["village_id", "county_id", "population", "threshold"]
    );
    assert!(v.get("exited_by_2018").is_some() && v.get("poor_people_2016").is_some());
}
