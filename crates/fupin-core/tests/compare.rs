//! Paired comparison of scenarios on the embedded Changle township registry: the paired interval
//! is computed as documented (checked against a direct computation with a published t quantile)
//! and is narrower than the unpaired one thanks to common random numbers.

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::RunConfig;
use fupin_core::policy::{Budget, ByCause, Policy, Uniform};
use fupin_core::results::{CompareOptions, Outcome};
use fupin_core::scenario::{Scenario, simulate};

#[test]
fn paired_intervals_are_right_and_narrower_than_unpaired() {
    let reg = fupin_core::synth::county("changle", 2).unwrap();
    let budget = Some(Budget::yearly(1_500_000.0));
    let scenarios = [
        Scenario::new("uniform").with_policy(Policy::Uniform(Uniform::default()), budget.clone()),
        Scenario::new("by_cause").with_policy(Policy::ByCause(ByCause::default()), budget),
    ];
    let cfg = RunConfig {
        replications: 20,
        seed: 3,
        threads: Some(2),
        ..RunConfig::new(2016, 5)
    };
    let res = simulate(
        &reg,
        &scenarios,
        &IncomeModel::default(),
        &cfg,
        &mut |_, _| true,
    )
    .unwrap();
    let c = res
        .compare("uniform", "by_cause", &CompareOptions::default())
        .unwrap();
    assert_eq!(c.quantity.len(), 8 * 5);

    // Direct computation for poor people: d_r = b_r − a_r, t_{0.975}(19) = 2.093024 (t table).
    let a = res.replicate_values(0, Outcome::PoorPeople);
    let b = res.replicate_values(1, Outcome::PoorPeople);
    let mut narrower = 0;
    for t in 0..5 {
        let d: Vec<f64> = (0..20).map(|r| b[[r, t]] - a[[r, t]]).collect();
        let m = d.iter().sum::<f64>() / 20.0;
        let sd = (d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 19.0).sqrt();
        let i = (0..c.quantity.len())
            .find(|&i| c.quantity[i] == "poor_people" && c.year[i] == 2016 + t as i32)
            .unwrap();
        assert!((c.difference[i] - m).abs() < 1e-9);
        assert!((c.paired_se[i] - sd / 20f64.sqrt()).abs() < 1e-9);
        assert!((c.paired_low[i] - (m - 2.093_024_054 * sd / 20f64.sqrt())).abs() < 1e-6);
        let var = |x: &[f64]| {
            let mu = x.iter().sum::<f64>() / 20.0;
            x.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / 19.0
        };
        let (ca, cb) = (a.column(t).to_vec(), b.column(t).to_vec());
        let se_u = ((var(&ca) + var(&cb)) / 20.0).sqrt();
        assert!((c.unpaired_se[i] - se_u).abs() < 1e-9);
        if c.paired_se[i] < c.unpaired_se[i] {
            narrower += 1;
        }
        assert!(c.unpaired_high[i] - c.unpaired_low[i] > 0.0);
    }
    assert_eq!(narrower, 5, "the paired interval is narrower in every year");

    // The same holds for exits and FGT1 in most years.
    for q in ["fgt1", "exits"] {
        let n = (0..c.quantity.len())
            .filter(|&i| c.quantity[i] == q && c.paired_se[i] < c.unpaired_se[i])
            .count();
        assert!(n >= 4, "{q}: paired narrower in {n} of 5 years");
    }
    // Cost per exit: cumulative spending over cumulative exits, replicate by replicate.
    let i = (0..c.quantity.len())
        .find(|&i| c.quantity[i] == "cost_per_exit" && c.year[i] == 2020)
        .unwrap();
    let sp = res.replicate_values(0, Outcome::ProgrammeSpending);
    let ex = res.replicate_values(0, Outcome::Exits);
    let direct: f64 = (0..20)
        .map(|r| sp.row(r).sum() / ex.row(r).sum())
        .sum::<f64>()
        / 20.0;
    assert!((c.mean_a[i] - direct).abs() < 1e-6 * direct);
    assert!(
        res.compare("uniform", "nope", &CompareOptions::default())
            .is_err()
    );
    let bad = CompareOptions {
        level: 1.0,
        ..CompareOptions::default()
    };
    assert_eq!(
        res.compare("uniform", "by_cause", &bad)
            .unwrap_err()
            .column(),
        Some("level")
    );
}
