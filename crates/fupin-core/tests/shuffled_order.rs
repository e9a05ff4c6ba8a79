//! Ties are never broken by row position (DESIGN decision 9): every policy and selection routine
//! gives the same answer, household by household (matched by id), whatever the order of the
//! registry's rows.

mod common;

use std::collections::BTreeMap;

use fupin_core::dynamics::{IncomeModel, PovertyLine};
use fupin_core::engine::RunConfig;
use fupin_core::measures::MeasureCatalog;
use fupin_core::policy::{
    Amount, Budget, ByCause, Explicit, ExplicitRow, GuaranteeFund, Plan, Policy, Ranking, Uniform,
    plan,
};
use fupin_core::random::mix64;
use fupin_core::registry::{
    Cause, CauseSet, Counties, Households, Ids, Region, Registry, Villages,
};
use fupin_core::scenario::{Scenario, simulate};
use fupin_core::targeting::{
    Checklist, ExitData, ProxyMeansTest, adjust, error_curve, estimated_poor_by_village,
    exit_check_with, quota_selection, select_below, select_by_quota,
};

const YEARS: [i32; 3] = [2016, 2017, 2018];

/// Row orders of `n` rows: reversed, rotated, and three keyed shuffles.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    let mut out = vec![(0..n).rev().collect::<Vec<_>>()];
    let mut rotated: Vec<usize> = (0..n).collect();
    rotated.rotate_left(n / 3);
    out.push(rotated);
    for salt in [1u64, 2, 3] {
        let mut rows: Vec<usize> = (0..n).collect();
        rows.sort_by_key(|&i| mix64(i as u64 ^ salt.wrapping_mul(0x9e37_79b9)));
        out.push(rows);
    }
    out
}

/// A registry with many exact ties: incomes on a 500-yuan grid, a few household types repeated,
/// causes that call for industry credit, health, floors and employment.
fn tied() -> Registry {
    let base = common::registry(12, 10, 2);
    let mut h = base.households().clone();
    let causes = [Cause::Capital, Cause::Illness, Cause::Skills, Cause::Labour];
    for i in 0..h.len() {
        h.income_per_capita[i] = 1500.0 + 500.0 * (i % 4) as f64;
        h.size[i] = 2 + (i % 3) as u16;
        h.labour[i] = 1;
        h.elderly[i] = 0;
        h.students[i] = (i % 2) as u16;
        h.chronic_illness[i] = 0;
        h.disability[i] = 0;
        h.registered[i] = true;
        let c = causes[i % causes.len()];
        let mut set = CauseSet::EMPTY;
        set.insert(c);
        h.causes[i] = set;
        h.primary_cause[i] = Some(c);
    }
    Registry::new(h, base.villages().clone(), base.counties().clone()).unwrap()
}

/// A plan's assignments matched by household id (sorted), and its money.
type Keyed = (
    Vec<(String, u16, i32, Option<i32>, u64, u8)>,
    Vec<Vec<i128>>,
    Vec<usize>,
);

fn keyed(reg: &Registry, p: &Plan) -> Keyed {
    let ids = &reg.households().id;
    let mut rows: Vec<_> = p
        .assignments
        .iter()
        .map(|a| {
            (
                ids.display(a.household as usize),
                a.measure,
                a.start_year,
                a.end_year,
                a.intensity.to_bits(),
                a.slot,
            )
        })
        .collect();
    rows.sort();
    let money = vec![
        p.budget.clone(),
        p.available.clone(),
        p.committed.clone(),
        p.loans_outstanding.clone(),
    ];
    (rows, money, p.unfunded.clone())
}

fn plan_of(reg: &Registry, policy: &Policy, budget: Option<&Budget>) -> Plan {
    plan(
        reg,
        &MeasureCatalog::default(),
        policy,
        budget,
        &YEARS,
        &PovertyLine::national(),
    )
    .unwrap()
}

fn credit_budget(yuan: f64, capital: f64) -> Budget {
    let mut b = Budget::yearly(yuan);
    b.guarantee_fund = GuaranteeFund {
        capital,
        leverage: 10.0,
    };
    b
}

/// Two identical households (ids 1 and 2), both short of capital: 6,000 yuan fund the industry
/// credit's reserve (50,000 / 10 = 5,000) of one of them, and it must be household 1 — the lower
/// id — in either row order (it went to whichever row came first).
#[test]
fn two_identical_households_credit_goes_to_the_lower_id_in_either_order() {
    let one = |id: i64| {
        let mut set = CauseSet::EMPTY;
        set.insert(Cause::Capital);
        (id, set)
    };
    let build = |order: [i64; 2]| {
        let mut h = Households::default();
        for (id, set) in order.map(one) {
            h.size.push(3);
            h.income_per_capita.push(2000.0);
            h.labour.push(2);
            h.elderly.push(0);
            h.students.push(0);
            h.chronic_illness.push(0);
            h.disability.push(0);
            h.housing_safe.push(true);
            h.safe_water.push(true);
            h.insured.push(true);
            h.inhospitable.push(false);
            h.head_education_years.push(6);
            h.causes.push(set);
            h.primary_cause.push(Some(Cause::Capital));
            h.weight.push(1.0);
            h.registered.push(true);
            h.village.push(0);
            let _ = id;
        }
        h.id = Ids::Int(order.to_vec());
        let v = Villages {
            id: Ids::Int(vec![7]),
            county: vec![0],
            population: vec![100],
            region: vec![Region::Centre],
            poor: vec![true],
        };
        let c = Counties {
            id: Ids::Int(vec![41]),
            region: vec![Region::Centre],
        };
        Registry::new(h, v, c).unwrap()
    };
    let policy = Policy::ByCause(ByCause::default());
    let budget = credit_budget(6000.0, 1e7);
    for order in [[1, 2], [2, 1]] {
        let reg = build(order);
        let p = plan_of(&reg, &policy, Some(&budget));
        let credit = p.catalog.index("industry_credit").unwrap() as u16;
        let got: Vec<String> = p
            .assignments
            .iter()
            .filter(|a| a.measure == credit)
            .map(|a| reg.households().id.display(a.household as usize))
            .collect();
        assert_eq!(got, vec!["1".to_string()], "rows in id order {order:?}");
    }
}

/// Every policy — ByCause under each ranking, Uniform, Explicit — with budgets and a guarantee
/// fund that bind, planned over permuted registries, gives the same plan by household id.
#[test]
fn every_policy_plans_the_same_for_any_row_order() {
    let reg = tied();
    let n = reg.n_households();
    let scores: Vec<f64> = (0..n).map(|i| (i % 5) as f64).collect();
    let ids = reg.households().id.to_text();
    // An explicit table whose rows do not all fit the money.
    let explicit = Explicit {
        assignments: (0..n)
            .step_by(3)
            .map(|i| ExplicitRow {
                household: ids[i].clone(),
                measure: ["industry_credit", "health", "industry"][i % 3].into(),
                start_year: YEARS[i % 2],
                intensity: 1.0,
            })
            .collect(),
    };
    let by_cause = |ranking: Ranking| {
        Policy::ByCause(ByCause {
            ranking,
            ..ByCause::default()
        })
    };
    let uniform = Policy::Uniform(Uniform {
        mix: vec!["industry_credit".into(), "health".into()],
        ..Uniform::default()
    });
    let tight = credit_budget(60_000.0, 60_000.0);
    let mut by_county = credit_budget(0.0, 40_000.0);
    by_county.yearly = None;
    by_county.by_county = BTreeMap::from([
        ("410000".to_string(), Amount::Constant(30_000.0)),
        ("410001".to_string(), Amount::Constant(25_000.0)),
    ]);
    let cases: Vec<(&str, Policy, Budget)> = vec![
        ("poorest", by_cause(Ranking::PoorestFirst), tight.clone()),
        (
            "nearest",
            by_cause(Ranking::NearestLineFirst),
            tight.clone(),
        ),
        (
            "score",
            by_cause(Ranking::Score(scores.clone())),
            tight.clone(),
        ),
        ("by_county", by_cause(Ranking::PoorestFirst), by_county),
        ("uniform", uniform, credit_budget(1e7, 30_000.0)),
        ("explicit", Policy::Explicit(explicit), tight),
    ];
    let mut differ = Vec::new();
    for (name, policy, budget) in &cases {
        let want = keyed(&reg, &plan_of(&reg, policy, Some(budget)));
        assert!(!want.0.is_empty(), "{name}: nothing planned");
        for (k, rows) in permutations(n).into_iter().enumerate() {
            let shuffled = reg.select(&rows).unwrap();
            let policy = match policy {
                Policy::ByCause(b) if matches!(b.ranking, Ranking::Score(_)) => {
                    by_cause(Ranking::Score(rows.iter().map(|&r| scores[r]).collect()))
                }
                p => p.clone(),
            };
            let got = keyed(&shuffled, &plan_of(&shuffled, &policy, Some(budget)));
            if got != want {
                differ.push(format!("{name} (permutation {k})"));
            }
        }
    }
    assert!(differ.is_empty(), "plans differ: {differ:?}");
}

/// The embedded Taiqian county (13,710 households): ByCause and Uniform plans under its real
/// budget and guarantee fund are the same by household id for shuffled rows.
#[test]
fn taiqian_plans_do_not_depend_on_row_order() {
    let reg = fupin_core::synth::county("taiqian", 0).unwrap();
    let n = reg.n_households();
    let budget = credit_budget(20_000_000.0, 10_000_000.0);
    let mut differ = Vec::new();
    for policy in [
        Policy::ByCause(ByCause::default()),
        Policy::Uniform(Uniform::default()),
    ] {
        let want = keyed(&reg, &plan_of(&reg, &policy, Some(&budget)));
        for rows in permutations(n).into_iter().take(2) {
            let shuffled = reg.select(&rows).unwrap();
            let got = keyed(&shuffled, &plan_of(&shuffled, &policy, Some(&budget)));
            if got != want {
                differ.push(format!("{policy:?}"));
            }
        }
    }
    assert!(differ.is_empty(), "plans differ: {differ:?}");
}

/// Simulated results of a rationed ByCause scenario, household by household, are the same for
/// shuffled rows (the engine's draws are keyed by id; the plan now is too).
#[test]
fn simulated_policy_results_do_not_depend_on_row_order() {
    let reg = tied();
    let scenarios = vec![
        Scenario::new("baseline"),
        Scenario::new("by_cause").with_policy(
            Policy::ByCause(ByCause::default()),
            Some(credit_budget(40_000.0, 50_000.0)),
        ),
        Scenario::new("uniform").with_policy(
            Policy::Uniform(Uniform::default()),
            Some(credit_budget(40_000.0, 50_000.0)),
        ),
    ];
    let cfg = RunConfig {
        replications: 4,
        seed: 3,
        threads: Some(2),
        ..RunConfig::new(2016, 3)
    };
    let run = |r: &Registry| {
        simulate(r, &scenarios, &IncomeModel::default(), &cfg, &mut |_, _| {
            true
        })
        .unwrap()
        .sorted_by_household()
    };
    let want = run(&reg);
    for rows in permutations(reg.n_households()).into_iter().take(3) {
        assert!(run(&reg.select(&rows).unwrap()) == want, "results differ");
    }
}

/// Quota selection on a registry with tied scores and tied village poverty: the same households
/// (by id) are selected for any row order.
#[test]
fn quota_selection_does_not_depend_on_row_order() {
    let reg = tied();
    let n = reg.n_households();
    // Scores on a coarse grid (many ties within each village); weights vary, so the village sums
    // are floating-point sums whose value must not depend on the order of addition.
    let mut h = reg.households().clone();
    for i in 0..n {
        h.weight[i] = 0.1 + 0.7 * (i % 3) as f64;
    }
    let reg = Registry::new(h, reg.villages().clone(), reg.counties().clone()).unwrap();
    let scores: Vec<f64> = (0..n).map(|i| (i % 3) as f64).collect();
    let selected_ids = |r: &Registry, s: &[f64], total: u64| {
        let q = quota_selection(r, s, 1.5, total).unwrap();
        let ids = &r.households().id;
        let mut out: Vec<String> = (0..n)
            .filter(|&i| q.selected[i])
            .map(|i| ids.display(i))
            .collect();
        out.sort();
        (
            out,
            q.plan,
            q.village_poverty
                .iter()
                .map(|v| v.to_bits())
                .collect::<Vec<_>>(),
        )
    };
    for total in [7, 25, 50] {
        let want = selected_ids(&reg, &scores, total);
        for rows in permutations(n) {
            let shuffled = reg.select(&rows).unwrap();
            let s: Vec<f64> = rows.iter().map(|&r| scores[r]).collect();
            assert_eq!(selected_ids(&shuffled, &s, total), want, "total {total}");
        }
    }
    // The array form: with ids, equal scores go to the lower id, wherever its row is.
    let ids = Ids::Text(vec!["b".into(), "c".into(), "a".into()]);
    let s = select_by_quota(&[1.0, 1.0, 1.0], &[0, 0, 0], &[1], Some(&ids)).unwrap();
    assert_eq!(s, vec![false, false, true]);
    let dup = Ids::Int(vec![4, 5, 4]);
    let e = select_by_quota(&[1.0, 1.0, 1.0], &[0, 0, 0], &[1], Some(&dup)).unwrap_err();
    assert_eq!((e.column(), e.row()), (Some("ids"), Some(3)));
}

/// Village poverty is a floating-point sum of weights, (0.1 + 0.2) + 0.3 ≠ 0.1 + (0.2 + 0.3): it
/// is summed in a canonical order, not in row order, since it decides the quotas.
#[test]
fn village_poverty_sums_do_not_depend_on_row_order() {
    let w = [0.1, 0.2, 0.3];
    let fwd = estimated_poor_by_village(&[0.0; 3], &[0; 3], 1.0, Some(&w), None).unwrap();
    let w_rev = [0.3, 0.2, 0.1];
    let rev = estimated_poor_by_village(&[0.0; 3], &[0; 3], 1.0, Some(&w_rev), None).unwrap();
    assert_eq!(fwd[0].to_bits(), rev[0].to_bits());
}

/// The targeting-error curve adds weights in score order; equal scores are added in an order of
/// their values, so permuted rows give the same curve to the bit.
#[test]
fn error_curve_does_not_depend_on_row_order() {
    let scores = [1.0, 1.0, 1.0, 2.0, 1.0];
    let poor = [true, true, true, false, false];
    let w = [0.1, 0.2, 0.3, 0.7, 0.4];
    let want = error_curve(&scores, &poor, &[1.5, 3.0], Some(&w)).unwrap();
    for rows in permutations(5) {
        let s: Vec<f64> = rows.iter().map(|&r| scores[r]).collect();
        let p: Vec<bool> = rows.iter().map(|&r| poor[r]).collect();
        let ww: Vec<f64> = rows.iter().map(|&r| w[r]).collect();
        let got = error_curve(&s, &p, &[1.5, 3.0], Some(&ww)).unwrap();
        assert_eq!(format!("{got:?}"), format!("{want:?}"), "rows {rows:?}");
    }
}

/// PMT selection: the fit on permuted rows is identical to the bit, and so is the selection by id.
#[test]
fn pmt_selection_does_not_depend_on_row_order() {
    let reg = fupin_core::synth::county("changle", 1).unwrap();
    let h = reg.households();
    let n = h.len();
    let x = |rows: &[usize]| {
        ndarray::Array2::from_shape_fn((rows.len(), 3), |(k, j)| {
            let r = rows[k];
            match j {
                0 => f64::from(h.size[r]),
                1 => f64::from(h.labour[r]),
                _ => f64::from(h.head_education_years[r]),
            }
        })
    };
    let y = |rows: &[usize]| -> Vec<f64> {
        rows.iter()
            .map(|&r| h.income_per_capita[r].max(1.0).ln())
            .collect()
    };
    let names = ["size", "labour", "education"];
    let all: Vec<usize> = (0..n).collect();
    let fit = ProxyMeansTest::fit(x(&all).view(), &names, &y(&all), None, true).unwrap();
    let pred = fit.predict(x(&all).view()).unwrap();
    let cut = pred.iter().sum::<f64>() / n as f64;
    let chosen = |rows: &[usize], sel: &[bool]| {
        let mut v: Vec<String> = (0..rows.len())
            .filter(|&k| sel[k])
            .map(|k| h.id.display(rows[k]))
            .collect();
        v.sort();
        v
    };
    let want = chosen(&all, &select_below(&pred, cut).unwrap());
    for rows in permutations(n) {
        let f = ProxyMeansTest::fit(x(&rows).view(), &names, &y(&rows), None, true).unwrap();
        assert_eq!(f, fit);
        let p = f.predict(x(&rows).view()).unwrap();
        assert_eq!(chosen(&rows, &select_below(&p, cut).unwrap()), want);
    }
}

/// Dynamic adjustment: each household's change (by id) and both rates are the same, to the bit,
/// for any row order of last year's and this year's registries.
#[test]
fn adjustment_does_not_depend_on_row_order() {
    let old = common::registry(6, 9, 2);
    let n = old.n_households();
    let mut h = old.households().clone();
    for i in 0..n {
        h.weight[i] = 0.3 + 0.1 * (i % 7) as f64;
        h.income_per_capita[i] *= if i % 4 == 0 { 0.5 } else { 1.3 };
    }
    // This year: the first five households left.
    let keep: Vec<usize> = (5..n).collect();
    let new = Registry::new(h, old.villages().clone(), old.counties().clone())
        .unwrap()
        .select(&keep)
        .unwrap();
    let exited: Vec<bool> = (0..n)
        .map(|i| old.households().registered[i] && i % 3 == 0)
        .collect();
    let line = 3000.0;
    let summary = |o: &Registry, e: &[bool], nw: &Registry| {
        let a = adjust(o, e, nw, line, &Checklist::national()).unwrap();
        let mut changes: Vec<(String, String, Vec<String>)> = a
            .changes
            .iter()
            .map(|c| {
                (
                    c.household_id.clone(),
                    format!("{:?}", c.change),
                    c.failing.clone(),
                )
            })
            .collect();
        changes.sort();
        let rates = (
            a.wrong_exit_rate.map(f64::to_bits),
            a.missed_identification_rate.map(f64::to_bits),
        );
        (changes, rates, (a.entered, a.exits, a.returned, a.left))
    };
    let want = summary(&old, &exited, &new);
    assert!(want.2.0 + want.2.1 + want.2.2 > 0 && want.2.3 == 5);
    for (p_old, p_new) in permutations(n)
        .into_iter()
        .zip(permutations(new.n_households()))
    {
        let o = old.select(&p_old).unwrap();
        let e: Vec<bool> = p_old.iter().map(|&r| exited[r]).collect();
        let nw = new.select(&p_new).unwrap();
        assert_eq!(summary(&o, &e, &nw), want);
    }
}

/// Exit checks: village and county incidences (weighted sums of people) and every pass/fail are
/// the same, to the bit, for shuffled rows; households match by id.
#[test]
fn exit_check_does_not_depend_on_row_order() {
    let base = common::registry(5, 12, 2);
    let n = base.n_households();
    let mut h = base.households().clone();
    for i in 0..n {
        h.weight[i] = 0.1 * (1 + i % 3) as f64;
    }
    let reg = Registry::new(h, base.villages().clone(), base.counties().clone()).unwrap();
    let exited: Vec<bool> = (0..n)
        .map(|i| reg.households().registered[i] && i % 4 == 0)
        .collect();
    let report = |r: &Registry, e: Vec<bool>| {
        let data = ExitData {
            exited: Some(e),
            ..ExitData::default()
        };
        let rep = exit_check_with(r, 2018, 3500.0, &Checklist::national(), &data).unwrap();
        let mut hh: Vec<String> = rep
            .households
            .iter()
            .map(|x| {
                format!(
                    "{} {} {} {:?}",
                    x.household_id, x.registered, x.pass, x.failing
                )
            })
            .collect();
        hh.sort();
        (
            hh,
            format!("{:?}", rep.villages),
            format!("{:?}", rep.counties),
        )
    };
    let want = report(&reg, exited.clone());
    for rows in permutations(n) {
        let e = rows.iter().map(|&r| exited[r]).collect();
        assert_eq!(report(&reg.select(&rows).unwrap(), e), want);
    }
}
