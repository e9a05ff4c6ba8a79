//! Statistical and accounting checks of the engine against independent computations: closed forms,
//! binomial intervals, and a second implementation of every table over stored paths.

mod common;

use std::hint::black_box;
use std::sync::Arc;

use fupin_core::dynamics::{IncomeModel, PovertyLine};
use fupin_core::dynamics::{Treatment, YearContext, YearState};
use fupin_core::engine::{Results, RunConfig};
use fupin_core::registry::Registry;
use fupin_core::results::Outcome;
use fupin_core::scenario::{Scenario, simulate};
use statrs::distribution::{Binomial, DiscreteCDF};

fn cfg(years: u32, reps: u32) -> RunConfig {
    RunConfig {
        replications: reps,
        seed: 99,
        threads: Some(2),
        keep_paths: true,
        ..RunConfig::new(2016, years)
    }
}

fn run(reg: &Registry, model: &IncomeModel, scenarios: &[Scenario], c: &RunConfig) -> Results {
    simulate(reg, scenarios, model, c, &mut |_, _| true).unwrap()
}

/// A model with every shock and cost off.
fn quiet() -> IncomeModel {
    let mut m = IncomeModel::default().without_shocks();
    m.schooling.cost_per_student = 0.0;
    m
}

/// The 99.9 % central interval of Binomial(n, p).
fn binomial_interval(n: u64, p: f64) -> (u64, u64) {
    let b = Binomial::new(p, n).unwrap();
    (b.inverse_cdf(0.0005), b.inverse_cdf(0.9995))
}

#[test]
fn without_shocks_incomes_grow_exactly_at_the_growth_rate() {
    let reg = common::registry(6, 10, 2);
    let mut model = quiet();
    model.income.growth = 0.073;
    let r = run(&reg, &model, &[Scenario::new("a")], &cfg(8, 3));
    let p = r.scenarios[0].paths.as_ref().unwrap();
    let h = reg.households();
    for rep in 0..3 {
        for i in 0..reg.n_households() {
            for t in 0..8 {
                // Evaluated at run time, as the engine does: LLVM may constant-fold a `powi`
                // with constant operands to a value one ulp away from the run-time routine's.
                let factor = black_box(1.073f64).powi(black_box(t as i32 + 1));
                let expected = h.income_per_capita[i] * factor;
                assert_eq!(
                    p.income[p.index(rep, i, t)],
                    expected,
                    "household {i} year {t}"
                );
            }
        }
    }
}

#[test]
fn health_shock_frequency_is_inside_its_binomial_interval() {
    let reg = common::registry(10, 20, 2);
    let mut model = quiet();
    model.health.base_probability = 0.12;
    model.health.cost_median = 1000.0;
    let (years, reps) = (6u32, 40u32);
    let r = run(&reg, &model, &[Scenario::new("a")], &cfg(years, reps));
    let p = r.scenarios[0].paths.as_ref().unwrap();
    let h = reg.households();
    let mut shocks = 0u64;
    for rep in 0..reps {
        for i in 0..reg.n_households() {
            for t in 0..years as usize {
                let clean = h.income_per_capita[i]
                    * model.income.growth.mul_add(1.0, 1.0).powi(t as i32 + 1);
                shocks += u64::from(p.income[p.index(rep, i, t)] < clean);
            }
        }
    }
    let n = reg.n_households() as u64 * u64::from(years) * u64::from(reps);
    let (lo, hi) = binomial_interval(n, 0.12);
    assert!(
        (lo..=hi).contains(&shocks),
        "{shocks} shocks in {n} trials, interval {lo}..={hi}"
    );

    // Probabilities that differ by household: the count's mean and variance are sums over trials.
    let mut model = quiet();
    model.health.base_probability = 0.05;
    model.health.chronic_probability = 0.2;
    model.health.elderly_probability = 0.1;
    model.health.cost_median = 1000.0;
    let r = run(&reg, &model, &[Scenario::new("a")], &cfg(years, reps));
    let p = r.scenarios[0].paths.as_ref().unwrap();
    let (mut count, mut mean, mut var) = (0u64, 0.0, 0.0);
    for i in 0..reg.n_households() {
        let q = 1.0
            - 0.95
                * 0.8f64.powi(i32::from(h.chronic_illness[i]))
                * 0.9f64.powi(i32::from(h.elderly[i]));
        for rep in 0..reps {
            for t in 0..years as usize {
                let clean = h.income_per_capita[i] * (1.0 + model.income.growth).powi(t as i32 + 1);
                count += u64::from(p.income[p.index(rep, i, t)] < clean);
                mean += q;
                var += q * (1.0 - q);
            }
        }
    }
    // 3.29 standard deviations: the normal 99.9 % interval of a sum of ~50,000 Bernoullis.
    assert!(
        (count as f64 - mean).abs() < 3.29 * var.sqrt(),
        "{count} vs {mean} ± {}",
        var.sqrt()
    );
}

#[test]
fn disaster_frequency_and_size() {
    let reg = common::registry(30, 4, 3);
    let mut model = quiet();
    model.disaster.probability = 0.15;
    model.disaster.income_loss = 0.4;
    let (years, reps) = (5u32, 60u32);
    let r = run(&reg, &model, &[Scenario::new("a")], &cfg(years, reps));
    let p = r.scenarios[0].paths.as_ref().unwrap();
    let h = reg.households();
    let mut hit_villages = 0u64;
    for rep in 0..reps {
        for t in 0..years as usize {
            for v in 0..reg.n_villages() {
                let rows: Vec<usize> = common::rows_where(&reg, |x| x == v);
                let hit: Vec<bool> = rows
                    .iter()
                    .map(|&i| {
                        let clean =
                            h.income_per_capita[i] * (1.0 + model.income.growth).powi(t as i32 + 1);
                        let y = p.income[p.index(rep, i, t)];
                        if y == clean {
                            false
                        } else {
                            assert!((y - 0.6 * clean).abs() < 1e-9 * clean, "cut is 40 %");
                            true
                        }
                    })
                    .collect();
                // Every household of the village is hit, or none.
                assert!(hit.iter().all(|&x| x == hit[0]));
                hit_villages += u64::from(hit[0]);
            }
        }
    }
    let n = reg.n_villages() as u64 * u64::from(years) * u64::from(reps);
    let (lo, hi) = binomial_interval(n, 0.15);
    assert!(
        (lo..=hi).contains(&hit_villages),
        "{hit_villages} of {n}, interval {lo}..={hi}"
    );
}

#[test]
fn mean_income_grows_at_the_growth_rate_with_income_shocks() {
    // The lognormal corrections make E[m_t] = m_0 (1 + g)^t; test the mean ratio in the last year.
    let reg = common::registry(10, 20, 2);
    let mut model = quiet();
    model.income = IncomeModel::default().income;
    let (years, reps) = (6u32, 100u32);
    let r = run(&reg, &model, &[Scenario::new("a")], &cfg(years, reps));
    let p = r.scenarios[0].paths.as_ref().unwrap();
    let h = reg.households();
    let t = years as usize - 1;
    let ratios: Vec<f64> = (0..reps)
        .flat_map(|rep| (0..reg.n_households()).map(move |i| (rep, i)))
        .map(|(rep, i)| {
            p.income[p.index(rep, i, t)]
                / (h.income_per_capita[i] * (1.0 + model.income.growth).powi(years as i32))
        })
        .collect();
    let n = ratios.len() as f64;
    let mean = ratios.iter().sum::<f64>() / n;
    let sd = (ratios.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    assert!(
        (mean - 1.0).abs() < 4.0 * sd / n.sqrt(),
        "mean ratio {mean}, se {}",
        sd / n.sqrt()
    );
}

#[test]
fn with_the_line_at_zero_nobody_is_poor() {
    let reg = common::registry(8, 10, 2);
    let mut model = IncomeModel::default();
    model.exit.require_safe_housing = false;
    model.exit.require_insurance = false;
    let s = Scenario::new("zero line").with_line(PovertyLine::constant(0.0));
    let r = run(&reg, &model, &[s], &cfg(5, 10));
    let sum = r.summary();
    assert!(sum.poor_households.iter().all(|&x| x == 0.0));
    assert!(sum.fgt0.iter().all(|&x| x == 0.0));
    assert!(sum.fgt1.iter().chain(&sum.fgt2).all(|&x| x == 0.0));
    let registered = reg.households().registered.iter().filter(|&&x| x).count() as f64;
    assert_eq!(sum.exits[0], registered);
    assert!(sum.returns.iter().all(|&x| x == 0.0));
    // Every village and county exits in the first year in every replicate.
    assert!(
        r.village_exit_distribution(0)
            .column(0)
            .iter()
            .all(|&x| x == 1.0)
    );
    assert!(
        r.county_exit_distribution(0)
            .column(0)
            .iter()
            .all(|&x| x == 1.0)
    );
}

/// A floor at the line (a test stand-in for 低保兜底): the engine tops net income up to it.
#[derive(Debug)]
struct FloorAtLine;

impl Treatment for FloorAtLine {
    fn apply(&self, ctx: &YearContext<'_>, st: &mut YearState) {
        st.income_floor = ctx.line;
    }
}

#[test]
fn with_a_floor_at_the_line_nobody_is_income_poor() {
    let reg = common::registry(8, 12, 2);
    let model = IncomeModel::default();
    let scenarios = [
        Scenario::new("baseline"),
        Scenario::new("floor").with_treatment(Arc::new(FloorAtLine)),
    ];
    let r = run(&reg, &model, &scenarios, &cfg(5, 15));
    let sum = r.summary();
    let h = reg.households();
    let lacking = (0..h.len())
        .filter(|&i| !(h.housing_safe[i] && h.insured[i]))
        .count() as f64;
    for t in 0..5 {
        let f = 5 + t;
        assert_eq!(sum.fgt0[f], 0.0);
        assert_eq!(sum.fgt1[f], 0.0);
        // Only households lacking a guarantee stay poor (income can be exactly at the line).
        assert_eq!(sum.poor_households[f], lacking);
        assert!(sum.programme_spending[f] > 0.0);
        assert!(sum.fgt0[t] > 0.0);
        assert_eq!(sum.programme_spending[t], 0.0);
    }
    // The floor changes no draw: incomes agree wherever the baseline household was at or above
    // the line, equal the line elsewhere, and the floor's cost is the sum of the top-ups.
    let (b, f) = (
        r.scenarios[0].paths.as_ref().unwrap(),
        r.scenarios[1].paths.as_ref().unwrap(),
    );
    let spend = r.replicate_values(1, Outcome::ProgrammeSpending);
    for rep in 0..15 {
        for t in 0..5 {
            let line = model.line.at(2016 + t as i32).unwrap();
            let mut cost = 0.0;
            for i in 0..reg.n_households() {
                let j = b.index(rep, i, t);
                if b.income[j] >= line {
                    assert_eq!(b.income[j], f.income[j]);
                } else {
                    assert_eq!(f.income[j], line);
                    cost += (line - b.income[j]) * f64::from(h.size[i]);
                }
            }
            // Rounded to the fen per household.
            let tol = 0.005 * reg.n_households() as f64;
            assert!(
                (spend[[rep as usize, t]] - cost).abs() <= tol,
                "{} vs {cost}",
                spend[[rep as usize, t]]
            );
        }
    }
}
