//! Spending by county per replicate: each county's per-replicate spending equals that county run
//! alone, the band is taken over replicates, and counties add up to the run exactly.

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::{Results, RunConfig};
use fupin_core::policy::{Policy, Uniform};
use fupin_core::registry::Registry;
use fupin_core::results::percentile;
use fupin_core::scenario::{Scenario, simulate};
use fupin_core::synth::SynthConfig;

fn three_counties() -> Registry {
    SynthConfig {
        seed: 8,
        counties: Some(3),
        ..SynthConfig::new(900, 12)
    }
    .generate()
    .unwrap()
}

fn run(reg: &Registry, s: &[Scenario]) -> Results {
    let cfg = RunConfig {
        replications: 7,
        seed: 3,
        threads: Some(2),
        ..RunConfig::new(2016, 3)
    };
    simulate(reg, s, &IncomeModel::default(), &cfg, &mut |_, _| true).unwrap()
}

#[test]
fn county_spending_per_replicate_equals_each_county_run_alone() {
    let reg = three_counties();
    assert_eq!(reg.n_counties(), 3);
    // Unlimited: each household's plan does not depend on the others, so a county alone plans
    // the same measures for its households.
    let s = [Scenario::new("u").with_policy(Policy::Uniform(Uniform::default()), None)];
    let whole = run(&reg, &s);
    let sc = &whole.scenarios[0];
    let k_n = sc.categories.len();
    let (reps, t_n) = (7usize, 3usize);
    assert_eq!(sc.county_spending.len(), 3 * reps * t_n * k_n);
    let mut summed = vec![0i128; sc.spending.len()];
    for c in 0..3 {
        let rows: Vec<usize> = (0..reg.n_households())
            .filter(|&r| reg.county_of(r) == c)
            .collect();
        let alone = run(&reg.select(&rows).unwrap(), &s);
        let own = &alone.scenarios[0].spending;
        let cid = reg.counties().id.display(c);
        let dense = (0..whole.counties.population.len())
            .find(|&i| whole.counties.ids.display(i) == cid)
            .unwrap();
        let block = &sc.county_spending[dense * own.len()..(dense + 1) * own.len()];
        assert_eq!(block, &own[..], "county {cid}");
        assert!(own.iter().any(|&x| x > 0));
        for (a, b) in summed.iter_mut().zip(own) {
            *a += b;
        }
    }
    assert_eq!(summed, sc.spending);

    // The table's band: percentiles over replicates of the county's per-replicate values.
    let table = whole.county_spending();
    let k = 0;
    let c = 0;
    let v = whole.county_spending_values(0, c, k);
    for t in 0..t_n {
        let mut col: Vec<f64> = (0..reps).map(|r| v[[r, t]]).collect();
        if col.iter().all(|&x| x == 0.0) {
            continue;
        }
        let i = (0..table.mean.len())
            .find(|&i| {
                table.county[i] == whole.counties.ids.display(c)
                    && table.year[i] == 2016 + t as i32
                    && table.measure[i] == sc.categories[k]
            })
            .unwrap();
        let mean = col.iter().sum::<f64>() / reps as f64;
        assert!((table.mean[i] - mean).abs() <= 1e-9 * mean.abs().max(1.0));
        assert_eq!(table.p5[i], percentile(&mut col, 0.05));
        assert_eq!(table.p95[i], percentile(&mut col, 0.95));
        assert!(table.p5[i] <= table.mean[i] && table.mean[i] <= table.p95[i]);
    }
}
