//! National-scale run: N households (default 30,000,000) × 10 years × 10 replicates, one scenario.
//! Prints the time to build the registry, the simulation time, ns per household-year per thread,
//! and the peak resident memory (VmHWM from /proc/self/status).
//!
//! ```text
//! cargo run --release -p fupin-core --example national_run -- [households] [threads] [replicates]
//! cargo run --release -p fupin-core --example national_run -- 3000000 1,2,4,8,16 10
//! FUPIN_NUM_THREADS=2 cargo run --release -p fupin-core --example national_run
//! ```
//!
//! Households are generated cheaply from hashed row numbers (200 per village, 60 villages per
//! county), not by the calibrated synthetic generator: this measures the engine, not the data.
#![allow(clippy::print_stdout)]

use std::time::Instant;

use fupin_core::dynamics::IncomeModel;
use fupin_core::engine::RunConfig;
use fupin_core::random::mix64;
use fupin_core::registry::{Counties, Households, Ids, Region, Registry, Villages};
use fupin_core::scenario::{Scenario, simulate};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn build(n: usize) -> fupin_core::Result<Registry> {
    const PER_VILLAGE: usize = 200;
    const PER_COUNTY: usize = 60;
    let nv = n.div_ceil(PER_VILLAGE);
    let nc = nv.div_ceil(PER_COUNTY);
    let r = |i: usize, salt: u64, m: u64| (mix64((i as u64) << 8 ^ salt) % m) as u16;
    let size: Vec<u16> = (0..n).map(|i| 1 + r(i, 1, 6)).collect();
    let h = Households {
        id: Ids::Int((0..n as i64).map(|i| 4_100_000_000 + i).collect()),
        village: (0..n).map(|i| (i / PER_VILLAGE) as u32).collect(),
        income_per_capita: (0..n).map(|i| 1500.0 + f64::from(r(i, 2, 5000))).collect(),
        labour: (0..n).map(|i| r(i, 3, 3).min(size[i])).collect(),
        elderly: (0..n).map(|i| r(i, 4, 3).min(size[i])).collect(),
        students: (0..n).map(|i| r(i, 5, 3).min(size[i])).collect(),
        chronic_illness: (0..n).map(|i| r(i, 6, 2).min(size[i])).collect(),
        disability: (0..n).map(|i| u16::from(r(i, 7, 10) == 0)).collect(),
        housing_safe: (0..n).map(|i| r(i, 8, 10) != 0).collect(),
        safe_water: vec![true; n],
        insured: (0..n).map(|i| r(i, 9, 20) != 0).collect(),
        inhospitable: vec![false; n],
        head_education_years: vec![6; n],
        causes: vec![Default::default(); n],
        primary_cause: vec![None; n],
        weight: vec![1.0; n],
        registered: vec![true; n],
        size,
    };
    let mut people = vec![0u32; nv];
    for i in 0..n {
        people[h.village[i] as usize] += u32::from(h.size[i]);
    }
    let region = |v: usize| {
        if v.is_multiple_of(3) {
            Region::West
        } else {
            Region::Centre
        }
    };
    let v = Villages {
        id: Ids::Int((0..nv as i64).collect()),
        county: (0..nv).map(|v| (v / PER_COUNTY) as u32).collect(),
        population: people.iter().map(|p| p * 4).collect(),
        region: (0..nv)
            .map(|v| region(v / PER_COUNTY * PER_COUNTY))
            .collect(),
        poor: vec![true; nv],
    };
    let c = Counties {
        id: Ids::Int((0..nc as i64).collect()),
        region: (0..nc).map(|c| region(c * PER_COUNTY)).collect(),
    };
    Registry::new(h, v, c)
}

fn main() -> fupin_core::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| {
        args.get(i)
            .and_then(|s| s.replace('_', "").parse::<usize>().ok())
    };
    let n = arg(1).unwrap_or(30_000_000);
    // A comma-separated list ("1,2,4,8,16") runs the same registry once per thread count and
    // prints each speed-up over the first.
    let thread_counts: Vec<Option<usize>> = match args.get(2) {
        Some(list) => list
            .split(',')
            .map(|t| {
                t.trim().parse::<usize>().map(Some).map_err(|_| {
                    fupin_core::Error::invalid_parameter("threads", t, "not a thread count")
                })
            })
            .collect::<fupin_core::Result<_>>()?,
        None => vec![None],
    };
    let reps = arg(3).unwrap_or(10) as u32;
    let t0 = Instant::now();
    let registry = build(n)?;
    let built = t0.elapsed().as_secs_f64();
    println!(
        "registry: {n} households, {} villages, {} counties, built in {built:.1} s (peak RSS {:.0} MB)",
        registry.n_villages(),
        registry.n_counties(),
        peak_rss_mb()
    );
    let hy = n as f64 * 10.0 * f64::from(reps);
    let mut first: Option<f64> = None;
    for threads in thread_counts {
        let config = RunConfig {
            replications: reps,
            seed: 2016,
            threads,
            ..RunConfig::new(2016, 10)
        };
        let used = config.resolved_threads()?;
        let t1 = Instant::now();
        let mut last = 0u64;
        let results = simulate(
            &registry,
            &[Scenario::new("baseline")],
            &IncomeModel::default(),
            &config,
            &mut |done, total| {
                if done * 10 / total.max(1) > last {
                    last = done * 10 / total.max(1);
                    println!("  {:>3} %  {:.1} s", last * 10, t1.elapsed().as_secs_f64());
                }
                true
            },
        )?;
        let secs = t1.elapsed().as_secs_f64();
        let speedup = *first.get_or_insert(secs) / secs;
        println!(
            "simulated {n} households × 10 years × {reps} replicates on {used} threads in {secs:.1} s: \
             {:.1} ns per household-year per thread, {speedup:.2}× the first run",
            secs * 1e9 * used as f64 / hy
        );
        let s = results.summary();
        println!(
            "poor households 2016 {:.0} → 2025 {:.0} (mean of {reps}); peak RSS {:.0} MB; total {:.1} s",
            s.poor_households[0],
            s.poor_households[9],
            peak_rss_mb(),
            t0.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
