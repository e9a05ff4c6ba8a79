//! Every table of `Results` recomputed by a second, direct implementation over stored paths, and
//! validation errors that name the field.

mod common;

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::{Results, RunConfig};
use fupin_core::registry::Registry;
use fupin_core::results::Outcome;
use fupin_core::scenario::{Scenario, simulate};

/// Type-7 percentile, written independently of the engine's.
fn pct(mut v: Vec<f64>, q: f64) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let h = (v.len() - 1) as f64 * q;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

fn weighted_registry() -> Registry {
    let reg = common::registry(9, 11, 3);
    let mut h = reg.households().clone();
    for (i, w) in h.weight.iter_mut().enumerate() {
        *w = [1.0, 0.5, 2.5, 1.25][i % 4];
    }
    Registry::new(h, reg.villages().clone(), reg.counties().clone()).unwrap()
}

#[test]
fn tables_equal_direct_counts_over_paths() {
    let reg = weighted_registry();
    let h = reg.households();
    let n = reg.n_households();
    let (years, reps) = (6usize, 25u32);
    let mut fast = IncomeModel::default();
    fast.income.growth = 0.15;
    let scenarios = [
        Scenario::new("base"),
        Scenario::new("fast").with_model(fast.clone()),
    ];
    let c = RunConfig {
        replications: reps,
        seed: 5,
        threads: Some(2),
        keep_paths: true,
        ..RunConfig::new(2015, years as u32)
    };
    let r: Results = simulate(
        &reg,
        &scenarios,
        &IncomeModel::default(),
        &c,
        &mut |_, _| true,
    )
    .unwrap();
    let summary = r.summary();
    let pop: f64 = reg
        .villages()
        .population
        .iter()
        .map(|&p| f64::from(p))
        .sum();
    let people: f64 = (0..n).map(|i| h.weight[i] * f64::from(h.size[i])).sum();
    let nv = reg.n_villages();
    let nc = reg.n_counties();

    for (s, model) in [IncomeModel::default(), fast].iter().enumerate() {
        let p = r.scenarios[s].paths.as_ref().unwrap();
        let mut direct = vec![vec![[0.0f64; 8]; years]; reps as usize];
        let mut village_hist = vec![vec![0u32; years + 1]; nv];
        let mut county_hist = vec![vec![0u32; years + 1]; nc];
        let mut village_poor = vec![vec![0.0f64; years]; nv];
        let mut first_exit = vec![vec![0u32; years]; n];
        let mut returned = vec![0u32; n];
        for rep in 0..reps {
            let mut vpoor = vec![vec![0.0f64; years]; nv];
            let mut cpoor = vec![vec![0.0f64; years]; nc];
            for i in 0..n {
                let (w, size) = (h.weight[i], f64::from(h.size[i]));
                let mut prev = h.registered[i];
                let mut exited = false;
                let mut ret = false;
                for t in 0..years {
                    let line = model.line.at(2015 + t as i32).unwrap();
                    let j = p.index(rep, i, t);
                    let (y, poor) = (p.income[j], p.poor[j]);
                    let gap = ((line - y) / line).max(0.0);
                    let d = &mut direct[rep as usize][t];
                    d[0] += w * f64::from(u8::from(poor));
                    d[1] += w * size * f64::from(u8::from(poor));
                    d[2] += w * size * f64::from(u8::from(y < line));
                    d[3] += w * size * gap;
                    d[4] += w * size * gap * gap;
                    d[5] += w * f64::from(u8::from(prev && !poor));
                    d[6] += w * f64::from(u8::from(!prev && poor && exited));
                    d[7] += w * size * y;
                    if prev && !poor && !exited {
                        first_exit[i][t] += 1;
                    }
                    ret |= !prev && poor && exited;
                    exited |= prev && !poor;
                    prev = poor;
                    let v = h.village[i] as usize;
                    if poor {
                        vpoor[v][t] += w * size;
                        cpoor[reg.villages().county[v] as usize][t] += w * size;
                    }
                }
                returned[i] += u32::from(ret);
            }
            for v in 0..nv {
                let thr = reg.village_threshold(v);
                let vp = f64::from(reg.villages().population[v]);
                let t = (0..years)
                    .find(|&t| vpoor[v][t] / vp < thr)
                    .unwrap_or(years);
                village_hist[v][t] += 1;
                for t in 0..years {
                    village_poor[v][t] += vpoor[v][t];
                }
            }
            for (cty, hist) in county_hist.iter_mut().enumerate() {
                let cp: f64 = (0..nv)
                    .filter(|&v| reg.villages().county[v] as usize == cty)
                    .map(|v| f64::from(reg.villages().population[v]))
                    .sum();
                let t = (0..years)
                    .find(|&t| cpoor[cty][t] / cp < reg.county_threshold(cty))
                    .unwrap_or(years);
                hist[t] += 1;
            }
        }

        // Per-replicate totals: counts exactly, gap sums to fixed-point precision, income to the fen.
        let measures = [
            (Outcome::PoorHouseholds, 0usize, 1.0),
            (Outcome::PoorPeople, 1, 1.0),
            (Outcome::Fgt0, 2, pop),
            (Outcome::Fgt1, 3, pop),
            (Outcome::Fgt2, 4, pop),
            (Outcome::Exits, 5, 1.0),
            (Outcome::Returns, 6, 1.0),
            (Outcome::MeanIncome, 7, people),
        ];
        for (m, k, denom) in measures {
            let engine = r.replicate_values(s, m);
            for rep in 0..reps as usize {
                for t in 0..years {
                    let want = direct[rep][t][k] / denom;
                    let got = engine[[rep, t]];
                    let tol = match m {
                        Outcome::Fgt1 | Outcome::Fgt2 => 1e-9,
                        Outcome::MeanIncome => 0.006,
                        _ => 0.0,
                    };
                    assert!(
                        (got - want).abs() <= tol,
                        "{m:?} s{s} r{rep} t{t}: {got} vs {want}"
                    );
                }
            }
        }
        // Summary means and bands from the direct counts.
        for t in 0..years {
            let row = s * years + t;
            let col = |k: usize| -> Vec<f64> { direct.iter().map(|d| d[t][k]).collect() };
            let mean = |k: usize| col(k).iter().sum::<f64>() / f64::from(reps);
            assert_eq!(summary.year[row], 2015 + t as i32);
            assert_eq!(summary.scenario[row], scenarios[s].name);
            assert!((summary.poor_households[row] - mean(0)).abs() < 1e-9);
            assert!((summary.poor_people[row] - mean(1)).abs() < 1e-9);
            assert!((summary.headcount_ratio[row] - mean(1) / pop).abs() < 1e-12);
            assert!((summary.poor_people_p5[row] - pct(col(1), 0.05)).abs() < 1e-9);
            assert!((summary.poor_people_p95[row] - pct(col(1), 0.95)).abs() < 1e-9);
            assert!((summary.poor_households_p95[row] - pct(col(0), 0.95)).abs() < 1e-9);
            assert!((summary.exits[row] - mean(5)).abs() < 1e-9);
            assert!((summary.returns[row] - mean(6)).abs() < 1e-9);
        }
        // Villages and counties.
        let vd = r.village_exit_distribution(s);
        let cd = r.county_exit_distribution(s);
        let vm = r.village_mean_poor_people(s);
        for v in 0..nv {
            for t in 0..=years {
                assert_eq!(
                    vd[[v, t]],
                    f64::from(village_hist[v][t]) / f64::from(reps),
                    "village {v}"
                );
            }
            for t in 0..years {
                assert!((vm[[v, t]] - village_poor[v][t] / f64::from(reps)).abs() < 1e-9);
            }
        }
        for cty in 0..nc {
            for t in 0..=years {
                assert_eq!(
                    cd[[cty, t]],
                    f64::from(county_hist[cty][t]) / f64::from(reps)
                );
            }
        }
        let by_year = Results::exited_by_year(&vd);
        assert!((by_year[[0, years - 1]] - (1.0 - vd[[0, years]])).abs() < 1e-12);
        // Households.
        let hp = r.household_exit_probability(s).unwrap();
        let hs = r.household_exit_summary(s).unwrap();
        for i in 0..n {
            let mut acc = 0;
            for t in 0..years {
                acc += first_exit[i][t];
                assert_eq!(hp[[i, t]], f64::from(acc) / f64::from(reps));
            }
            let ever: u32 = first_exit[i].iter().sum();
            assert!(
                (hs.never_exit_share[i] - (1.0 - f64::from(ever) / f64::from(reps))).abs() < 1e-12
            );
            if ever > 0 {
                let year_mean = (0..years)
                    .map(|t| f64::from(first_exit[i][t]) * (2015 + t) as f64)
                    .sum::<f64>()
                    / f64::from(ever);
                assert!((hs.expected_exit_year[i] - year_mean).abs() < 1e-9);
                assert_eq!(
                    hs.return_probability[i],
                    f64::from(returned[i]) / f64::from(ever)
                );
            } else {
                assert!(hs.expected_exit_year[i].is_nan() && hs.return_probability[i].is_nan());
            }
        }
    }
    // Something happened in this test registry: exits, returns, and villages both exiting and not.
    assert!(summary.exits.iter().sum::<f64>() > 0.0);
    assert!(summary.returns.iter().sum::<f64>() > 0.0);
    let vd = r.village_exit_distribution(1);
    assert!(vd.iter().any(|&x| x > 0.0 && x < 1.0));
}

#[test]
fn validation_errors_name_the_field() {
    let reg = common::registry(3, 4, 1);
    let ok = RunConfig {
        replications: 2,
        threads: Some(1),
        ..RunConfig::new(2016, 3)
    };
    let base = [Scenario::new("a")];
    let go = |m: &IncomeModel, s: &[Scenario], c: &RunConfig| {
        simulate(&reg, s, m, c, &mut |_, _| true).unwrap_err()
    };
    let mut bad = IncomeModel::default();
    bad.health.base_probability = 1.3;
    let e = go(&bad, &base, &ok);
    assert_eq!(e.column(), Some("health.base_probability"));
    assert_eq!(e.value(), Some("1.3"));
    assert!(e.is_validation());
    let e = go(
        &IncomeModel::default(),
        &base,
        &RunConfig {
            replications: 0,
            ..ok.clone()
        },
    );
    assert_eq!(e.column(), Some("replications"));
    let e = go(&IncomeModel::default(), &[], &ok);
    assert_eq!(e.column(), Some("scenarios"));
    let e = go(
        &IncomeModel::default(),
        &[Scenario::new("a"), Scenario::new("a")],
        &ok,
    );
    assert_eq!(e.column(), Some("scenario.name"));
    let e = go(
        &IncomeModel::default(),
        &[Scenario::new("b").with_model(bad)],
        &ok,
    );
    assert_eq!(e.column(), Some("scenario[b].health.base_probability"));
    let big = RunConfig {
        keep_paths: true,
        replications: 10_000,
        ..ok.clone()
    };
    let larger = common::registry(30, 20, 1); // 600 households × 3 years × 10,000 > 10 M
    let Err(e) = simulate(
        &larger,
        &base,
        &IncomeModel::default(),
        &big,
        &mut |_, _| true,
    ) else {
        panic!("expected too many path values");
    };
    assert_eq!(e.column(), Some("keep_paths"));
    // Tiny weights below the fixed-point resolution are an error naming column and row.
    let mut h = reg.households().clone();
    h.weight[2] = 1e-9;
    let tiny = Registry::new(h, reg.villages().clone(), reg.counties().clone()).unwrap();
    let e = simulate(&tiny, &base, &IncomeModel::default(), &ok, &mut |_, _| true).unwrap_err();
    assert_eq!((e.column(), e.row()), (Some("weight"), Some(3)));
    // Household outputs that were not kept.
    let no_hh = RunConfig {
        household_outputs: false,
        ..ok.clone()
    };
    let r = simulate(&reg, &base, &IncomeModel::default(), &no_hh, &mut |_, _| {
        true
    })
    .unwrap();
    assert_eq!(
        r.household_exit_probability(0).unwrap_err().column(),
        Some("household_outputs")
    );
    assert_eq!(
        r.scenario_index("zzz").unwrap_err().column(),
        Some("scenario")
    );
}

#[test]
fn weights_scale_counts_exactly() {
    let reg = common::registry(5, 6, 2);
    let mut h = reg.households().clone();
    h.weight.iter_mut().for_each(|w| *w = 3.0);
    let tripled = Registry::new(h, reg.villages().clone(), reg.counties().clone()).unwrap();
    let c = RunConfig {
        replications: 8,
        threads: Some(1),
        ..RunConfig::new(2016, 4)
    };
    let go = |r: &Registry| {
        simulate(
            r,
            &[Scenario::new("a")],
            &IncomeModel::default(),
            &c,
            &mut |_, _| true,
        )
        .unwrap()
    };
    let (one, three) = (go(&reg), go(&tripled));
    for (a, b) in one.scenarios[0]
        .totals
        .iter()
        .zip(&three.scenarios[0].totals)
    {
        assert_eq!(3 * a.poor_households, b.poor_households);
        assert_eq!(3 * a.poor_people, b.poor_people);
        assert_eq!(3 * a.exits, b.exits);
        assert_eq!(3 * a.fgt1, b.fgt1);
        assert_eq!(3 * a.income_fen, b.income_fen);
    }
    // Same draws: per-household outputs do not depend on weights.
    assert_eq!(one.scenarios[0].households, three.scenarios[0].households);
}
