//! Each measure's effect on an eligible household has the documented sign and size, checked
//! against hand computation from the income model's formula (shocks off where the effect is
//! deterministic), and a measure given to one household changes no other household's path.

use fupin_core::dynamics::{IncomeModel, PovertyLine};
use fupin_core::engine::{Paths, RunConfig};
use fupin_core::policy::{Explicit, ExplicitRow, Policy};
use fupin_core::registry::{Counties, Households, Ids, Region, Registry, Villages};
use fupin_core::scenario::{Scenario, simulate};

const LINE: f64 = 3000.0;
const G: f64 = 1.089; // the default income growth

/// Rows: 0 labour 2 of 4 (income 2,000); 1 two elderly, no labour (1,000); 2 inhospitable, unsafe
/// housing, labour 2 of 5 (2,500); 3 two students, labour 1 of 3 (2,200); 4 unsafe housing,
/// income 5,000; 5–9 neighbours.
fn lab(ill: usize) -> Registry {
    let n = 10 + ill;
    let mut h = Households {
        id: Ids::Int((0..n as i64).map(|i| 700 + i).collect()),
        village: vec![0; n],
        size: vec![4, 2, 5, 3, 3],
        income_per_capita: vec![2000.0, 1000.0, 2500.0, 2200.0, 5000.0],
        labour: vec![2, 0, 2, 1, 1],
        elderly: vec![0, 2, 0, 0, 0],
        students: vec![0, 0, 0, 2, 0],
        chronic_illness: vec![0; 5],
        disability: vec![0; 5],
        housing_safe: vec![true, true, false, true, false],
        safe_water: vec![true; n],
        insured: vec![true; 5],
        inhospitable: vec![false, false, true, false, false],
        head_education_years: vec![6; n],
        causes: vec![Default::default(); n],
        primary_cause: vec![None; n],
        weight: vec![1.0; n],
        registered: vec![true; n],
    };
    for i in 5..n {
        let is_ill = i >= 10;
        h.size.push(if is_ill { 3 } else { 2 + (i % 3) as u16 });
        h.income_per_capita.push(if is_ill {
            3600.0 + (i % 7) as f64 * 100.0
        } else {
            1800.0 + 300.0 * i as f64
        });
        h.labour.push(1);
        h.elderly.push(u16::from(is_ill));
        h.students.push(0);
        h.chronic_illness.push(if is_ill { 2 } else { 0 });
        h.disability.push(0);
        h.housing_safe.push(true);
        h.insured.push(true);
        h.inhospitable.push(false);
    }
    let people: u32 = h.size.iter().map(|&s| u32::from(s)).sum();
    let v = Villages {
        id: Ids::Int(vec![1]),
        county: vec![0],
        population: vec![people * 5],
        region: vec![Region::Centre],
        poor: vec![true],
    };
    let c = Counties {
        id: Ids::Int(vec![9]),
        region: vec![Region::Centre],
    };
    Registry::new(h, v, c).unwrap()
}

fn model(shocks: bool) -> IncomeModel {
    let m = IncomeModel {
        line: PovertyLine::constant(LINE),
        ..IncomeModel::default()
    };
    if shocks { m } else { m.without_shocks() }
}

fn explicit(rows: &[(usize, &str)], reg: &Registry) -> Policy {
    Policy::Explicit(Explicit {
        assignments: rows
            .iter()
            .map(|&(r, m)| ExplicitRow {
                household: reg.households().id.display(r),
                measure: m.into(),
                start_year: 2016,
                intensity: 1.0,
            })
            .collect(),
    })
}

/// Paths of the baseline and of the scenario giving `rows` their measures.
fn paths(
    reg: &Registry,
    rows: &[(usize, &str)],
    shocks: bool,
    reps: u32,
) -> (Paths, Paths, fupin_core::engine::Results) {
    let s = Scenario::new("treated").with_policy(explicit(rows, reg), None);
    let cfg = RunConfig {
        replications: reps,
        seed: 5,
        threads: Some(2),
        keep_paths: true,
        ..RunConfig::new(2016, 4)
    };
    let res = simulate(
        reg,
        &[Scenario::new("base"), s],
        &model(shocks),
        &cfg,
        &mut |_, _| true,
    )
    .unwrap();
    let a = res.scenarios[0].paths.clone().unwrap();
    let b = res.scenarios[1].paths.clone().unwrap();
    (a, b, res)
}

fn diff(a: &Paths, b: &Paths, r: u32, row: usize, t: usize) -> f64 {
    b.income[b.index(r, row, t)] - a.income[a.index(r, row, t)]
}

fn close(x: f64, y: f64) -> bool {
    (x - y).abs() < 1e-9 * (1.0 + y.abs())
}

#[test]
fn deterministic_measures_add_exactly_what_they_document() {
    let reg = lab(0);
    let (a, b, _) = paths(
        &reg,
        &[
            (0, "asset_income"),
            (3, "education"),
            (2, "relocation"),
            (5, "ecological_compensation"),
        ],
        false,
        2,
    );
    for r in 0..2 {
        for t in 0..4 {
            // PV: nothing in the building year, then 3,000 a household.
            let pv = if t == 0 { 0.0 } else { 3000.0 / 4.0 };
            assert!(close(diff(&a, &b, r, 0, t), pv), "pv t={t}");
            // Education: two students' schooling costs (2 × 1,500 / 3 members); from the fourth
            // year the vocational gain 2 × 0.3 × 3,000 / 3.
            let edu = 1000.0 + if t >= 3 { 600.0 } else { 0.0 };
            assert!(close(diff(&a, &b, r, 3, t), edu), "education t={t}");
            // Relocation: no change during the two-year move; then farm income −30 % and 3,000 per
            // worker (2 of 5 members).
            let market = 2500.0 * G.powi(t as i32 + 1);
            let moved = if t < 2 {
                0.0
            } else {
                -0.3 * market + 2.0 * 3000.0 / 5.0
            };
            assert!(close(diff(&a, &b, r, 2, t), moved), "relocation t={t}");
            // Ecology: a ranger's 10,000 and 1,200 grain-to-green over row 5's 4 members.
            assert_eq!(reg.households().size[5], 4);
            assert!(
                close(diff(&a, &b, r, 5, t), 11_200.0 / 4.0),
                "ecology t={t}"
            );
        }
        // The moved household's housing is safe after the move: poor until then (unsafe), then
        // out if its income allows (2,500 × 0.7 × 1.089³ + 1,200 > 3,000).
        assert!(a.poor[a.index(r, 2, 3)]);
        assert!(b.poor[b.index(r, 2, 1)] && !b.poor[b.index(r, 2, 2)]);
    }
}

#[test]
fn housing_renovation_and_the_floor_give_their_guarantees() {
    let reg = lab(0);
    let (a, b, res) = paths(
        &reg,
        &[(4, "housing_renovation"), (1, "welfare_floor")],
        true,
        40,
    );
    let mut topped = 0;
    for r in 0..40 {
        for t in 0..4 {
            // Income 5,000 with unsafe housing: poor until renovated, out from the first year.
            assert!(a.poor[a.index(r, 4, t)]);
            assert_eq!(b.poor[b.index(r, 4, t)], b.income[b.index(r, 4, t)] < LINE);
            // A floor at the line removes income poverty for its recipient, whatever the draws.
            let y = b.income[b.index(r, 1, t)];
            assert!(y >= LINE - 1e-9, "replicate {r} year {t}: {y}");
            if a.income[a.index(r, 1, t)] < LINE {
                topped += 1;
            }
        }
    }
    assert!(
        topped > 100,
        "the floor was needed in {topped} of 160 household-years"
    );
    // Its spending is the top-up: (line − base income) × 2 members, in fen, summed.
    let sc = &res.scenarios[1];
    let k = sc
        .categories
        .iter()
        .position(|c| c == "welfare_floor")
        .unwrap();
    let k_n = sc.categories.len();
    for r in 0..40u32 {
        for t in 0..4 {
            let base = a.income[a.index(r, 1, t)];
            let expect = if base < LINE {
                ((LINE - base) * 2.0 * 100.0 + 0.5) as i128
            } else {
                0
            };
            let got = sc.spending[(r as usize * 4 + t) * k_n + k]
                / i128::from(fupin_core::units::WEIGHT_SCALE);
            assert!((got - expect).abs() <= 1, "r{r} t{t}: {got} vs {expect}");
        }
    }
}

#[test]
fn random_income_measures_have_the_documented_distribution() {
    let reg = lab(0);
    let reps = 400u32;
    let (a, b, _) = paths(&reg, &[(0, "industry"), (3, "employment")], false, reps);
    // Industry (row 0, 4 members): nothing in the start year; then a lognormal gain of mean 2,500
    // that survives each producing year with probability 0.9: E = 2,500 · 0.9^k / 4.
    for t in 0..4usize {
        let d: Vec<f64> = (0..reps).map(|r| diff(&a, &b, r, 0, t)).collect();
        assert!(d.iter().all(|&x| x >= -1e-9));
        let mean = d.iter().sum::<f64>() / f64::from(reps);
        if t == 0 {
            assert_eq!(mean, 0.0);
            continue;
        }
        let sd = (d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / f64::from(reps - 1)).sqrt();
        let expect = 2500.0 * 0.9f64.powi(t as i32) / 4.0;
        assert!(
            (mean - expect).abs() < 4.0 * sd / f64::from(reps).sqrt(),
            "t={t}: {mean} vs {expect}"
        );
    }
    // Employment (row 3: one worker of 3 members): either nothing or 10,000 earnings + 3,000
    // subsidy; employed with probability 0.5 in the first year, 0.5·0.85 + 0.5·0.5 in the second.
    for (t, p) in [(0usize, 0.5), (1, 0.675)] {
        let d: Vec<f64> = (0..reps).map(|r| diff(&a, &b, r, 3, t)).collect();
        let employed = d.iter().filter(|&&x| close(x, 13_000.0 / 3.0)).count();
        assert_eq!(
            employed + d.iter().filter(|&&x| x.abs() < 1e-9).count(),
            reps as usize
        );
        let share = employed as f64 / f64::from(reps);
        assert!(
            (share - p).abs() < 4.0 * (p * (1.0 - p) / f64::from(reps)).sqrt(),
            "t={t}: {share}"
        );
    }
}

#[test]
fn health_lowers_the_return_rate_of_ill_households() {
    // 60 households with two chronically ill members and an elderly one, incomes just above the
    // line: health shocks push them back below it.
    let reg = lab(60);
    let ill: Vec<(usize, &str)> = (10..70).map(|r| (r, "health")).collect();
    let (a, b, res) = paths(&reg, &ill, true, 60);
    let rate = |p: &Paths| {
        let (mut exits, mut returns) = (0, 0);
        for r in 0..60 {
            for &(row, _) in &ill {
                let mut was_out = false;
                for t in 0..4 {
                    let poor = p.poor[p.index(r, row, t)];
                    let before = if t == 0 {
                        true
                    } else {
                        p.poor[p.index(r, row, t - 1)]
                    };
                    if before && !poor {
                        exits += 1;
                        was_out = true;
                    }
                    if was_out && !before && poor {
                        returns += 1;
                    }
                }
            }
        }
        f64::from(returns) / f64::from(exits)
    };
    let (base, treated) = (rate(&a), rate(&b));
    assert!(
        treated < base,
        "return rate with health {treated} vs {base}"
    );
    // And it cuts what they pay out of pocket.
    let oop = |s: usize| -> i128 {
        res.scenarios[s]
            .totals
            .iter()
            .map(|c| c.health_oop_fen)
            .sum()
    };
    assert!(oop(1) < oop(0));
}

#[test]
fn a_measure_given_to_one_household_changes_no_other_households_path() {
    let reg = lab(20);
    for (row, measure) in [
        (0, "industry"),
        (3, "employment"),
        (1, "welfare_floor"),
        (10, "health"),
        (2, "relocation"),
    ] {
        let (a, b, _) = paths(&reg, &[(row, measure)], true, 6);
        let mut changed = false;
        for r in 0..6 {
            for h in 0..reg.n_households() {
                for t in 0..4 {
                    let (i, j) = (a.index(r, h, t), b.index(r, h, t));
                    if h == row {
                        changed |= a.income[i] != b.income[j];
                    } else {
                        assert_eq!(a.income[i], b.income[j], "{measure}: household {h}");
                        assert_eq!(a.poor[i], b.poor[j]);
                    }
                }
            }
        }
        assert!(changed, "{measure} changed nothing");
    }
}
