//! The guarantee fund: microcredit is granted only within `capital × leverage`, and defaulted
//! loans are losses of the fund, summed exactly by replicate × year.

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::{Results, RunConfig};
use fupin_core::measures::{MeasureSpec, NamedMeasure};
use fupin_core::policy::{Budget, ByCause, Explicit, ExplicitRow, GuaranteeFund, Plan, Policy};
use fupin_core::registry::Registry;
use fupin_core::scenario::plan_scenario;
use fupin_core::scenario::{Scenario, simulate};
use fupin_core::units::WEIGHT_SCALE;

const YEARS: [i32; 4] = [2016, 2017, 2018, 2019];
const UNIT: i128 = 100 * WEIGHT_SCALE as i128;

fn changle() -> Registry {
    fupin_core::synth::county("changle", 3).unwrap()
}

/// Rows with labour (eligible for industry), in registry order.
fn with_labour(reg: &Registry) -> Vec<usize> {
    (0..reg.n_households())
        .filter(|&r| reg.households().labour[r] > 0 && reg.households().registered[r])
        .collect()
}

fn credit_rows(reg: &Registry, rows: &[usize], year: i32) -> Vec<ExplicitRow> {
    let ids = reg.households().id.to_text();
    rows.iter()
        .map(|&r| ExplicitRow {
            household: ids[r].clone(),
            measure: "industry_credit".into(),
            start_year: year,
            intensity: 1.0,
        })
        .collect()
}

fn budget(capital: f64) -> Budget {
    let mut b = Budget::yearly(1e9);
    b.guarantee_fund = GuaranteeFund {
        capital,
        leverage: 10.0,
    };
    b
}

fn plan_of(reg: &Registry, s: &Scenario) -> Plan {
    plan_scenario(reg, s, &IncomeModel::default(), &YEARS)
        .unwrap()
        .unwrap()
}

/// Loans outstanding by year recomputed from the assignments (50,000 yuan for 3 years each).
fn outstanding(reg: &Registry, p: &Plan) -> Vec<i128> {
    let credit = p.catalog.index("industry_credit").unwrap() as u16;
    YEARS
        .iter()
        .map(|&y| {
            p.assignments
                .iter()
                .filter(|a| a.measure == credit && a.start_year <= y && y < a.start_year + 3)
                .map(|a| {
                    let w = (reg.households().weight[a.household as usize] * WEIGHT_SCALE as f64)
                        .round() as i128;
                    w * (50_000.0 * a.intensity * 100.0).floor() as i128
                })
                .sum()
        })
        .collect()
}

#[test]
fn loans_are_granted_in_plan_order_within_the_fund() {
    // Capital 120,000 × 10 backs 24 loans of 50,000: of 30 asked for in 2016 the first 24 are
    // granted; none fits in 2017–2018; in 2019 the 2016 loans are repaid and 10 new ones fit.
    let reg = changle();
    let rows = with_labour(&reg);
    assert!(rows.len() >= 40, "{}", rows.len());
    assert!(rows.iter().all(|&r| reg.households().weight[r] == 1.0));
    let mut table = credit_rows(&reg, &rows[..30], 2016);
    table.extend(credit_rows(&reg, &rows[30..33], 2017));
    table.extend(credit_rows(&reg, &rows[33..43], 2019));
    let s = Scenario::new("credit").with_policy(
        Policy::Explicit(Explicit { assignments: table }),
        Some(budget(120_000.0)),
    );
    let p = plan_of(&reg, &s);
    assert_eq!(p.loan_capacity, Some(1_200_000 * UNIT));
    assert_eq!(p.unfunded, (24..33).collect::<Vec<_>>());
    let granted: Vec<u32> = p.assignments.iter().map(|a| a.household).collect();
    let mut want: Vec<u32> = rows[..24]
        .iter()
        .chain(&rows[33..43])
        .map(|&r| r as u32)
        .collect();
    want.sort_unstable();
    assert_eq!(granted, want);
    assert_eq!(
        p.loans_outstanding_by_year(),
        vec![1_200_000.0, 1_200_000.0, 1_200_000.0, 500_000.0]
    );
    assert_eq!(p.loans_outstanding, outstanding(&reg, &p));
    p.check().unwrap();
}

#[test]
fn by_cause_never_lends_beyond_the_fund() {
    let reg = changle();
    for capital in [0.0, 50_000.0, 333_333.0, 2e6, 1e7] {
        let s = Scenario::new("bc")
            .with_policy(Policy::ByCause(ByCause::default()), Some(budget(capital)));
        let p = plan_of(&reg, &s);
        let cap = p.loan_capacity.unwrap();
        let recomputed = outstanding(&reg, &p);
        assert_eq!(p.loans_outstanding, recomputed);
        assert!(
            recomputed.iter().all(|&v| v <= cap),
            "{capital}: {recomputed:?}"
        );
        if capital == 0.0 {
            assert!(recomputed.iter().all(|&v| v == 0));
        }
        if capital == 50_000.0 {
            // Exactly 10 loans fit and are made (there are more capital-cause households).
            assert_eq!(recomputed[0], 500_000 * UNIT);
        }
    }
}

fn credit_scenario(reg: &Registry, rows: &[usize], failure: f64, lag: u32) -> Scenario {
    let mut credit = fupin_core::measures::MeasureCatalog::default();
    let i = credit.index("industry_credit").unwrap();
    let MeasureSpec::Industry(mut m) = credit.measures[i].spec.clone() else {
        panic!("industry_credit is an Industry measure")
    };
    m.failure_probability = failure;
    m.lag = lag;
    credit.measures[i].spec = MeasureSpec::Industry(m.clone());
    Scenario::new(format!("p{failure} lag{lag}"))
        .with_policy(
            Policy::Explicit(Explicit {
                assignments: credit_rows(reg, rows, 2016),
            }),
            Some(budget(1e7)),
        )
        .with_measures(vec![NamedMeasure {
            name: "industry_credit".into(),
            spec: MeasureSpec::Industry(m),
        }])
}

fn run(reg: &Registry, s: &[Scenario]) -> Results {
    let cfg = RunConfig {
        replications: 5,
        seed: 4,
        threads: Some(2),
        ..RunConfig::new(2016, 4)
    };
    simulate(reg, s, &IncomeModel::default(), &cfg, &mut |_, _| true).unwrap()
}

#[test]
fn defaults_are_losses_of_the_fund() {
    let reg = changle();
    let rows: Vec<usize> = with_labour(&reg)[..12].to_vec();
    let scenarios = [
        // Every venture fails in its first producing year (2017), inside the 3-year term:
        // each of the 12 loans of 50,000 is lost in 2017, in every replicate.
        credit_scenario(&reg, &rows, 1.0, 1),
        // No default risk: no losses.
        credit_scenario(&reg, &rows, 0.0, 1),
        // Failing only after the term (lag 3): the loans were repaid, no losses.
        credit_scenario(&reg, &rows, 1.0, 3),
        // Half the ventures fail each year: losses are whole loans, at most all of them.
        credit_scenario(&reg, &rows, 0.5, 1),
    ];
    let res = run(&reg, &scenarios);
    let v = res.guarantee_loss_values(0);
    for r in 0..5 {
        assert_eq!(v.row(r).to_vec(), vec![0.0, 600_000.0, 0.0, 0.0]);
    }
    assert!(res.guarantee_loss_values(1).iter().all(|&x| x == 0.0));
    assert!(res.guarantee_loss_values(2).iter().all(|&x| x == 0.0));
    let half = res.guarantee_loss_values(3);
    let mut any = false;
    for r in 0..5 {
        let total: f64 = half.row(r).sum();
        assert_eq!(total % 50_000.0, 0.0);
        assert!(total <= 600_000.0);
        assert_eq!(half[[r, 0]], 0.0);
        any |= total > 0.0;
    }
    assert!(any);
    // Losses are not programme spending: spending is the same with and without defaults in 2016.
    let spend = |s: usize| res.scenarios[s].totals[0].spending_fen;
    assert_eq!(spend(0), spend(1));
    let t = res.guarantee_losses();
    assert_eq!(t.scenario.len(), 4 * 4);
    assert_eq!(
        (t.mean[1], t.p5[1], t.p95[1]),
        (600_000.0, 600_000.0, 600_000.0)
    );
}

#[test]
fn losses_merge_exactly_across_village_shards() {
    let reg = changle();
    let rows: Vec<usize> = with_labour(&reg)[..40].to_vec();
    let s = [credit_scenario(&reg, &rows, 0.3, 1)];
    let whole = run(&reg, &s);
    let nv = reg.n_villages();
    let part = |lo: usize, hi: usize| {
        let keep: Vec<usize> = (0..reg.n_households())
            .filter(|&i| (lo..hi).contains(&(reg.households().village[i] as usize)))
            .collect();
        reg.select(&keep).unwrap()
    };
    // Unlimited capacity relative to the loans, so each shard plans the same loans.
    let (a, b) = (part(0, nv / 2), part(nv / 2, nv));
    let sa = [credit_scenario(&a, &rows_in(&reg, &a, &rows), 0.3, 1)];
    let sb = [credit_scenario(&b, &rows_in(&reg, &b, &rows), 0.3, 1)];
    let mut merged = run(&a, &sa);
    merged.merge(&run(&b, &sb)).unwrap();
    merged.scenarios[0].name = whole.scenarios[0].name.clone();
    assert_eq!(
        merged.scenarios[0].guarantee_losses,
        whole.scenarios[0].guarantee_losses
    );
    assert!(whole.scenarios[0].guarantee_losses.iter().any(|&x| x > 0));
}

/// Rows of `shard` holding the households of `rows` of `reg` (registry order).
fn rows_in(reg: &Registry, shard: &Registry, rows: &[usize]) -> Vec<usize> {
    let ids = reg.households().id.to_text();
    let sid = shard.households().id.to_text();
    rows.iter()
        .filter_map(|&r| sid.iter().position(|x| *x == ids[r]))
        .collect()
}
