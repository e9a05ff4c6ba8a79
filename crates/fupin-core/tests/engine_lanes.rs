//! The engine draws and computes households in SIMD lanes; these tests hold it to a plain
//! household-by-household evaluation of the model from the documented keyed draws, and to its own
//! non-AVX2 compilation.

mod common;

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::streams::{Draws, HOUSEHOLD, VILLAGE, purpose};
use fupin_core::engine::{Results, RunConfig, Scenario, simulate};
use fupin_core::fastmath::exp;
use fupin_core::registry::Registry;
use fupin_core::rng::id_key;

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

#[test]
fn paths_equal_a_household_by_household_evaluation_bit_for_bit() {
    // 13 households per village: blocks of 8 lanes leave a short block in every village.
    let reg = common::registry(5, 13, 2);
    let results = run(&reg, 2);
    let paths = results.scenarios[0].paths.as_ref().unwrap();
    let m = model();
    let (ip, hs) = (m.income, m.health);
    let h = reg.households();
    let (mut checked, mut shocks, mut disasters) = (0, 0, 0);
    for i in 0..reg.n_households() {
        let hid = id_key(h.id.get(i).unwrap());
        let vid = id_key(reg.villages().id.get(h.village[i] as usize).unwrap());
        let p_health = m.health_probability(h.chronic_illness[i], h.disability[i], h.elderly[i]);
        let share = if h.insured[i] {
            hs.oop_share_insured
        } else {
            hs.oop_share_uninsured
        };
        let school = f64::from(h.students[i]) * m.schooling.cost_per_student;
        for r in 0..REPS {
            let (mut persistent, mut var) = (0.0f64, 0.0f64);
            for t in 0..YEARS {
                let year = START + t as i32;
                let d = Draws::at(SEED, HOUSEHOLD, hid, r, year);
                let growth = (1.0 + ip.growth).powi(t as i32 + 1);
                var = ip.persistence * ip.persistence * var + ip.persistent_sd * ip.persistent_sd;
                let correction = -0.5 * var - 0.5 * ip.transitory_sd * ip.transitory_sd;
                let hit = Draws::at(SEED, VILLAGE, vid, r, year).uniform(purpose::DISASTER)
                    < m.disaster.probability;
                let cut = if hit {
                    1.0 - m.disaster.income_loss
                } else {
                    1.0
                };
                persistent =
                    ip.persistence * persistent + ip.persistent_sd * d.normal(purpose::PERSISTENT);
                let transitory = ip.transitory_sd * d.normal(purpose::TRANSITORY);
                let market = h.income_per_capita[i]
                    * growth
                    * exp(persistent + transitory + correction)
                    * cut;
                let medical = if d.uniform(purpose::HEALTH) < p_health {
                    hs.cost_median * exp(hs.cost_log_sd * d.normal(purpose::HEALTH_COST))
                } else {
                    0.0
                };
                let y = (market + 0.0 - (medical * share + school) * (1.0 / f64::from(h.size[i])))
                    .max(0.0);
                let got = paths.income[paths.index(r, i, t)];
                assert_eq!(
                    got.to_bits(),
                    y.to_bits(),
                    "household {i} replicate {r} year {t}"
                );
                checked += 1;
                shocks += usize::from(medical > 0.0);
                disasters += usize::from(hit);
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
fn the_avx2_and_plain_compilations_give_identical_results() {
    let reg = common::registry(9, 11, 3);
    fupin_core::simd::set_enabled(false);
    let plain = run(&reg, 1);
    fupin_core::simd::set_enabled(true);
    let fast = run(&reg, 1);
    assert_eq!(plain, fast);
    assert!(plain.scenarios[0].totals.iter().any(|c| c.exits > 0));
}
