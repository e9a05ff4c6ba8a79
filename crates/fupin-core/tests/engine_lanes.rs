//! The engine draws and computes households in SIMD lanes; these tests hold it to a plain
//! household-by-household evaluation of the model from the documented keyed draws, and to its own
//! non-AVX2 compilation.

mod common;

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::{Results, RunConfig};
use fupin_core::fastmath::exp;
use fupin_core::random::purpose;
use fupin_core::random::streams::{Draws, HOUSEHOLD, VILLAGE};
use fupin_core::registry::Registry;
use fupin_core::scenario::{Scenario, simulate};
use fupin_core::units::{GAP_SCALE, weight_units};

const START: i32 = 2015;
const YEARS: usize = 6;
const REPS: u32 = 5;
const SEED: u64 = 77;

fn model() -> IncomeModel {
    let mut m = IncomeModel::default();
    // Frequent disasters and health shocks, so that every branch of the model is exercised.
    m.disaster.probability = 0.2;
    m.health.base_probability = 0.3;
    m
}

fn run(reg: &Registry, threads: usize) -> Results {
    let cfg = RunConfig {
        replications: REPS,
        seed: SEED,
        threads: Some(threads),
        keep_paths: true,
        ..RunConfig::new(START, YEARS as u32)
    };
    simulate(
        reg,
        &[Scenario::new("baseline")],
        &model(),
        &cfg,
        &mut |_, _| true,
    )
    .unwrap()
}

/// One household-year evaluated directly from the documented keyed draws.
struct HouseholdYear {
    /// Net income per person.
    income: f64,
    /// Out-of-pocket health spending of the household.
    oop: f64,
    health_shock: bool,
    disaster: bool,
}

/// Household `i`'s years in replicate `r`, one at a time, from [`Draws`] and `fastmath::exp`.
fn evaluate(reg: &Registry, m: &IncomeModel, i: usize, r: u32) -> Vec<HouseholdYear> {
    let (ip, hs) = (m.income, m.health);
    let h = reg.households();
    let hid = h.id.get(i).unwrap().key();
    let vid = reg.villages().id.get(h.village[i] as usize).unwrap().key();
    let p_health = m.health_probability(h.chronic_illness[i], h.disability[i], h.elderly[i]);
    let share = if h.insured[i] {
        hs.oop_share_insured
    } else {
        hs.oop_share_uninsured
    };
    let school = f64::from(h.students[i]) * m.schooling.cost_per_student;
    let (mut persistent, mut var) = (0.0f64, 0.0f64);
    (0..YEARS)
        .map(|t| {
            let year = START + t as i32;
            let d = Draws::at(SEED, HOUSEHOLD, hid, r, year);
            let growth = (1.0 + ip.growth).powi(t as i32 + 1);
            var = ip.persistence * ip.persistence * var + ip.persistent_sd * ip.persistent_sd;
            let correction = -0.5 * var - 0.5 * ip.transitory_sd * ip.transitory_sd;
            let disaster = Draws::at(SEED, VILLAGE, vid, r, year).uniform(purpose::DISASTER)
                < m.disaster.probability;
            let cut = if disaster {
                1.0 - m.disaster.income_loss
            } else {
                1.0
            };
            persistent =
                ip.persistence * persistent + ip.persistent_sd * d.normal(purpose::PERSISTENT);
            let transitory = ip.transitory_sd * d.normal(purpose::TRANSITORY);
            let market =
                h.income_per_capita[i] * growth * exp(persistent + transitory + correction) * cut;
            let medical = if d.uniform(purpose::HEALTH) < p_health {
                hs.cost_median * exp(hs.cost_log_sd * d.normal(purpose::HEALTH_COST))
            } else {
                0.0
            };
            let oop = medical * share;
            HouseholdYear {
                income: (market + 0.0 - (oop + school) * (1.0 / f64::from(h.size[i]))).max(0.0),
                oop,
                health_shock: medical > 0.0,
                disaster,
            }
        })
        .collect()
}

#[test]
fn paths_equal_a_household_by_household_evaluation_bit_for_bit() {
    // 13 households per village: blocks of 8 lanes leave a short block in every village.
    let reg = common::registry(5, 13, 2);
    let results = run(&reg, 2);
    let paths = results.scenarios[0].paths.as_ref().unwrap();
    let m = model();
    let (mut checked, mut shocks, mut disasters) = (0, 0, 0);
    for i in 0..reg.n_households() {
        for r in 0..REPS {
            for (t, hy) in evaluate(&reg, &m, i, r).iter().enumerate() {
                let got = paths.income[paths.index(r, i, t)];
                assert_eq!(
                    got.to_bits(),
                    hy.income.to_bits(),
                    "household {i} replicate {r} year {t}"
                );
                checked += 1;
                shocks += usize::from(hy.health_shock);
                disasters += usize::from(hy.disaster);
            }
        }
    }
    assert_eq!(checked, 65 * 5 * 6);
    assert!(
        shocks > 300 && disasters > 150,
        "{shocks} shocks, {disasters} disasters"
    );
}

#[test]
fn money_and_gap_sums_equal_i128_sums_of_the_direct_evaluation() {
    // Weights 1 take the engine's 64-bit lane sums; weight 700 (× size ≥ 2 is ≥ 1,024) and an
    // income of 10¹⁴ yuan (10¹⁶ fen, above 2⁵²) take its i128 loop; mixed blocks take it too.
    let base = common::registry(5, 13, 2);
    let m = model();
    for variant in ["narrow", "wide weights", "huge income"] {
        let mut h = base.households().clone();
        match variant {
            "wide weights" => {
                for (i, w) in h.weight.iter_mut().enumerate() {
                    *w = if i % 3 == 0 { 700.0 } else { 1.5 };
                }
            }
            "huge income" => h.income_per_capita[7] = 1e14,
            _ => {}
        }
        let reg = Registry::new(h, base.villages().clone(), base.counties().clone()).unwrap();
        let totals = &run(&reg, 1).scenarios[0].totals;
        let h = reg.households();
        let mut expected = vec![[0i128; 4]; REPS as usize * YEARS];
        for i in 0..reg.n_households() {
            let w = i128::from(weight_units(h.weight[i]));
            let wp = w * i128::from(h.size[i]);
            for r in 0..REPS {
                for (t, hy) in evaluate(&reg, &m, i, r).iter().enumerate() {
                    let line = m.line.at(START + t as i32).unwrap();
                    let gap = ((line - hy.income) * (1.0 / line)).max(0.0);
                    let g = i128::from((gap * GAP_SCALE as f64 + 0.5) as i64);
                    let fen = i128::from((hy.income * 100.0 + 0.5) as i64);
                    let oop_fen = i128::from((hy.oop * 100.0 + 0.5) as i64);
                    let cell = &mut expected[r as usize * YEARS + t];
                    cell[0] += wp * g;
                    cell[1] += wp * g * g;
                    cell[2] += wp * fen;
                    cell[3] += w * oop_fen;
                }
            }
        }
        for (c, (got, want)) in totals.iter().zip(&expected).enumerate() {
            let got = [got.fgt1, got.fgt2, got.income_fen, got.health_oop_fen];
            assert_eq!(&got, want, "{variant}: cell {c}");
        }
    }
}

#[test]
fn the_avx2_and_plain_compilations_give_identical_results() {
    let reg = common::registry(9, 11, 3);
    fupin_core::simd::set_enabled(false);
    let plain = run(&reg, 1);
    fupin_core::simd::set_enabled(true);
    let fast = run(&reg, 1);
    assert_eq!(plain, fast);
    assert!(plain.scenarios[0].totals.iter().any(|c| c.exits > 0));
}
