//! Calibration recovers the parameters of panels and headcount paths simulated by the engine from
//! known parameters, within the uncertainty it reports (the "Done when" criterion).

use fupin_core::calibrate::{
    IncomeOptions, IncomePanel, SmmOptions, SmmParameter, SmmTarget, estimate_income_process,
    fit_headcount, set_parameter,
};
use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::RunConfig;
use fupin_core::results::Outcome;
use fupin_core::scenario::{Scenario, simulate};
use fupin_core::synth::synthetic;

/// The default income process and disasters; health shocks and schooling costs off (they enter
/// net income additively; see the calibration docs).
fn truth() -> IncomeModel {
    let mut m = IncomeModel::default();
    m.health.base_probability = 0.0;
    m.health.chronic_probability = 0.0;
    m.health.disability_probability = 0.0;
    m.health.elderly_probability = 0.0;
    m.schooling.cost_per_student = 0.0;
    m
}

#[test]
fn income_process_of_a_simulated_panel_is_recovered_within_three_standard_errors() {
    let reg = synthetic(3000, 30, 5).unwrap();
    let model = truth();
    let years = 10u32;
    let config = RunConfig {
        replications: 1,
        seed: 2024,
        threads: Some(2),
        keep_paths: true,
        household_outputs: false,
        ..RunConfig::new(2014, years)
    };
    let res = simulate(
        &reg,
        &[Scenario::new("baseline")],
        &model,
        &config,
        &mut |_, _| true,
    )
    .unwrap();
    let paths = res.scenarios[0].paths.as_ref().unwrap();
    let h = reg.households();
    let (mut hh, mut yr, mut inc, mut vil) = (vec![], vec![], vec![], vec![]);
    for i in 0..h.len() {
        hh.push(i as u32);
        yr.push(2013);
        inc.push(h.income_per_capita[i]);
        vil.push(h.village[i]);
        for t in 0..years as usize {
            hh.push(i as u32);
            yr.push(2014 + t as i32);
            inc.push(paths.income[paths.index(0, i, t)]);
            vil.push(h.village[i]);
        }
    }
    let panel = IncomePanel {
        household: &hh,
        year: &yr,
        income: &inc,
        village: Some(&vil),
        health: None,
        disaster: None,
    };
    let fit = estimate_income_process(
        &panel,
        &IncomeOptions {
            bootstrap: 99,
            seed: 1,
            ..IncomeOptions::default()
        },
    )
    .unwrap();
    let want = [
        ("income.growth", 0.089, 0.01),
        ("income.persistence", 0.7, 0.15),
        ("income.persistent_sd", 0.15, 0.03),
        ("income.transitory_sd", 0.25, 0.04),
        ("initial_sd", 0.15, 0.05),
        ("disaster.probability", 0.05, 0.03),
        ("disaster.income_loss", 0.3, 0.05),
    ];
    assert_eq!(fit.parameters.len(), want.len());
    for (e, (name, value, max_se)) in fit.parameters.iter().zip(want) {
        assert_eq!(e.name, name);
        assert!(e.std_err > 0.0 && e.std_err < max_se, "{e:?}");
        assert!(
            (e.estimate - value).abs() < 3.0 * e.std_err,
            "{e:?} vs truth {value}"
        );
    }
    assert!(fit.flagged > 0);
    assert_eq!(fit.clusters, 30);
    assert!(fit.bootstrap_ok >= 95);
}

#[test]
fn smm_recovers_growth_and_schooling_cost_from_a_headcount_path_of_the_model() {
    let reg = synthetic(6000, 60, 9).unwrap();
    let mut model = IncomeModel::default();
    model.income.growth = 0.07;
    model.schooling.cost_per_student = 1500.0;
    // The "published" series: one history of the population (one replicate, another seed).
    let config = RunConfig {
        replications: 1,
        seed: 77,
        threads: Some(2),
        household_outputs: false,
        ..RunConfig::new(2016, 8)
    };
    let res = simulate(
        &reg,
        &[Scenario::new("baseline")],
        &model,
        &config,
        &mut |_, _| true,
    )
    .unwrap();
    let target = res.replicate_values(0, Outcome::Fgt0).row(0).to_vec();
    let start = set_parameter(
        &set_parameter(&model, "income.growth", 0.03).unwrap(),
        "schooling.cost_per_student",
        500.0,
    )
    .unwrap();
    let params = [
        SmmParameter {
            name: "income.growth".into(),
            start: 0.03,
            lower: -0.05,
            upper: 0.25,
            step: 0.01,
        },
        SmmParameter {
            name: "schooling.cost_per_student".into(),
            start: 500.0,
            lower: 0.0,
            upper: 6000.0,
            step: 200.0,
        },
    ];
    let fit = fit_headcount(
        &reg,
        &start,
        &params,
        &SmmTarget {
            first_year: 2016,
            values: target.clone(),
            std_err: None,
        },
        &SmmOptions {
            measure: Outcome::Fgt0,
            replications: 16,
            seed: 3,
            threads: Some(2),
            ..SmmOptions::default()
        },
        &mut |_, _| true,
    )
    .unwrap();
    for (j, (truth, max_se)) in [(0.07, 0.01), (1500.0, 400.0)].into_iter().enumerate() {
        assert!(fit.std_err[j] > 0.0 && fit.std_err[j] < max_se, "{fit:?}");
        assert!(
            (fit.estimate[j] - truth).abs() < 3.0 * fit.std_err[j],
            "{} = {} ± {} vs truth {truth}",
            fit.names[j],
            fit.estimate[j],
            fit.std_err[j]
        );
    }
    assert_eq!(fit.target, target);
    assert_eq!(fit.model.income.growth, fit.estimate[0]);
    // The fit is close: every year within 4 replicate standard deviations of the target.
    for (t, (s, want)) in fit.simulated.iter().zip(&target).enumerate() {
        assert!(
            (s - want).abs() < 4.0 * fit.simulated_sd[t],
            "year {t}: {s} vs {want}"
        );
    }
}

#[test]
fn smm_rejects_bad_parameters_by_name() {
    let reg = synthetic(50, 2, 1).unwrap();
    let target = SmmTarget {
        first_year: 2016,
        values: vec![100.0, 90.0],
        std_err: None,
    };
    let param = |name: &str, lower: f64| SmmParameter {
        name: name.into(),
        start: 0.05,
        lower,
        upper: 0.2,
        step: 0.01,
    };
    let run = |p: &[SmmParameter], t: &SmmTarget| {
        fit_headcount(
            &reg,
            &IncomeModel::default(),
            p,
            t,
            &SmmOptions::default(),
            &mut |_, _| true,
        )
        .unwrap_err()
    };
    let e = run(&[param("income.speed", 0.0)], &target);
    assert!(e.to_string().contains("income.speed"), "{e}");
    let e = run(&[param("income.growth", 0.3)], &target);
    assert!(e.to_string().contains("income.growth"), "{e}");
    let three = [
        param("income.growth", 0.0),
        param("income.transitory_sd", 0.0),
        param("income.persistent_sd", 0.0),
    ];
    let e = run(&three, &target);
    assert!(e.to_string().contains("target"), "{e}");
    let bad = SmmTarget {
        std_err: Some(vec![1.0]),
        ..target.clone()
    };
    let e = run(&[param("income.growth", 0.0)], &bad);
    assert!(e.to_string().contains("std_err"), "{e}");
}
