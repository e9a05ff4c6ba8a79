//! The Monte Carlo engine: ns per household-year of the full model, and of a bare "floor" loop that
//! draws the same random numbers and evaluates the same transcendental functions per household-year
//! in the same way (so the ratio shows the engine's overhead: accumulators, status logic, village
//! reductions). `full_model_1_thread_scalar` is the same run with [`fupin_core::simd`] off (SSE2
//! only), to show what the AVX2 compilation brings.
//!
//! Run: `cargo bench -p fupin-benches --bench engine`. Registry: 100,000 households in 1,000
//! villages, 10 years, 4 replicates per iteration (Throughput = households × years × replicates).
//!
//! Criterion times each function over its own stretch of seconds, so on a machine whose speed
//! drifts (a shared VM) the two figures can come from different minutes. After the groups, the
//! bench therefore also runs the floor and the 1-thread engine alternately, [`PAIRS`] times, and
//! prints the median of the per-pair ratios and the ratio of the fastest runs.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fupin_core::dynamics::{HealthShocks, IncomeModel};
use fupin_core::engine::RunConfig;
use fupin_core::fastmath::exp_lanes;
use fupin_core::random::mix64;
use fupin_core::random::purpose;
use fupin_core::random::streams::{
    HOUSEHOLD, Keys, LANES, SparseNormals, VILLAGE, normal_lanes, uniform_lanes,
};
use fupin_core::registry::IdRef;
use fupin_core::registry::{Counties, Households, Ids, Region, Registry, Villages};
use fupin_core::scenario::{Scenario, simulate};

const HOUSEHOLDS: usize = 100_000;
const VILLAGES: usize = 1_000;
const YEARS: u32 = 10;
const REPS: u32 = 4;
/// Alternating floor / engine runs for the ratio printed after the criterion groups.
const PAIRS: usize = 9;

fn registry() -> Registry {
    let n = HOUSEHOLDS;
    let r = |i: usize, salt: u64, m: u64| (mix64((i as u64) << 8 ^ salt) % m) as u16;
    let size: Vec<u16> = (0..n).map(|i| 1 + r(i, 1, 6)).collect();
    let min = |a: u16, b: u16| a.min(b);
    let h = Households {
        id: Ids::Int((0..n as i64).map(|i| 1_000_000 + i).collect()),
        village: (0..n).map(|i| (i / (n / VILLAGES)) as u32).collect(),
        income_per_capita: (0..n).map(|i| 1500.0 + f64::from(r(i, 2, 5000))).collect(),
        labour: (0..n).map(|i| min(r(i, 3, 3), size[i])).collect(),
        elderly: (0..n).map(|i| min(r(i, 4, 3), size[i])).collect(),
        students: (0..n).map(|i| min(r(i, 5, 3), size[i])).collect(),
        chronic_illness: (0..n).map(|i| min(r(i, 6, 2), size[i])).collect(),
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
    let mut people = vec![0u32; VILLAGES];
    for i in 0..n {
        people[h.village[i] as usize] += u32::from(h.size[i]);
    }
    let v = Villages {
        id: Ids::Int((0..VILLAGES as i64).collect()),
        county: (0..VILLAGES as u32).map(|v| v / 100).collect(),
        population: people.iter().map(|p| p * 3).collect(),
        region: vec![Region::Centre; VILLAGES],
        poor: vec![true; VILLAGES],
    };
    let c = Counties {
        id: Ids::Int((0..10).collect()),
        region: vec![Region::Centre; 10],
    };
    Registry::new(h, v, c).expect("valid bench registry")
}

/// The floor: the same keyed draws and transcendental functions as the model, computed the same
/// way (over lanes of households, compiled for AVX2 where the CPU has it), nothing else.
fn floor_loop(reg: &Registry, model: &IncomeModel, seed: u64) -> f64 {
    fupin_core::simd::vectorized(
        #[inline(always)]
        || floor_lanes(reg, model, seed),
    )
}

#[inline(always)]
fn floor_lanes(reg: &Registry, model: &IncomeModel, seed: u64) -> f64 {
    let years: Vec<i32> = (2016..2016 + YEARS as i32).collect();
    let keys = Keys::new(seed, &years);
    let h = reg.households();
    let hs = model.health;
    let ip = model.income;
    let parts =
        [purpose::PERSISTENT, purpose::TRANSITORY, purpose::HEALTH].map(|p| keys.purpose_part(p));
    let mut acc = 0.0;
    for v in 0..reg.n_villages() {
        let vk = keys.entity(VILLAGE, v as u64);
        for r in 0..REPS {
            let rk = keys.replicate(vk, r);
            for t in 0..years.len() {
                acc += keys.year(rk, t).uniform(purpose::DISASTER);
            }
        }
    }
    let mut lanes_acc = [0.0f64; LANES];
    // Health costs where a shock happens, drawn over lanes as the engine draws them.
    let mut health = SparseNormals::default();
    let cost_part = keys.purpose_part(purpose::HEALTH_COST);
    for start in (0..h.len()).step_by(LANES) {
        let mut hk = [0u64; LANES];
        let mut m0 = [0.0f64; LANES];
        let mut p = [0.0f64; LANES];
        for l in 0..LANES.min(h.len() - start) {
            let i = start + l;
            hk[l] = keys.entity(HOUSEHOLD, h.id.get(i).map_or(0, IdRef::key));
            m0[l] = h.income_per_capita[i];
            p[l] = model.health_probability(h.chronic_illness[i], h.disability[i], h.elderly[i]);
        }
        for r in 0..REPS {
            let rk = keys.replicate_lanes(&hk, r);
            let mut pers = [0.0f64; LANES];
            for t in 0..years.len() {
                let yk = keys.year_lanes(&rk, t);
                let zp = normal_lanes(&yk, parts[0]);
                let ze = normal_lanes(&yk, parts[1]);
                let u = uniform_lanes(&yk, parts[2]);
                let mut arg = [0.0f64; LANES];
                for l in 0..LANES {
                    pers[l] = ip.persistence * pers[l] + ip.persistent_sd * zp[l];
                    arg[l] = pers[l] + ip.transitory_sd * ze[l];
                }
                let e = exp_lanes(&arg);
                for l in 0..LANES {
                    lanes_acc[l] += m0[l] * e[l];
                    health.push(yk[l], l, u[l] < p[l]);
                }
                if health.is_full() {
                    acc -= health_costs(&mut health, cost_part, hs);
                }
            }
            if !health.is_empty() {
                acc -= health_costs(&mut health, cost_part, hs);
            }
        }
    }
    acc + lanes_acc.iter().sum::<f64>()
}

/// The total cost of the next (up to) [`LANES`] pending health shocks.
#[inline(always)]
fn health_costs(health: &mut SparseNormals, cost_part: u64, hs: HealthShocks) -> f64 {
    let (z, _, count) = health.draw(cost_part);
    let mut exponent = [0.0f64; LANES];
    for l in 0..LANES {
        exponent[l] = hs.cost_log_sd * z[l];
    }
    let cost = exp_lanes(&exponent);
    hs.cost_median * cost[..count].iter().sum::<f64>()
}

fn bench(c: &mut Criterion) {
    let reg = registry();
    let model = IncomeModel::default();
    let mut g = c.benchmark_group("engine");
    g.throughput(Throughput::Elements(
        HOUSEHOLDS as u64 * u64::from(YEARS) * u64::from(REPS),
    ));
    g.sample_size(10);
    g.bench_function("floor_loop_1_thread", |b| {
        b.iter(|| black_box(floor_loop(&reg, &model, 1)))
    });
    // One baseline run of the full model on `threads` threads.
    let full_model = |threads: usize| {
        let cfg = RunConfig {
            replications: REPS,
            seed: 1,
            threads: Some(threads),
            ..RunConfig::new(2016, YEARS)
        };
        simulate(
            &reg,
            &[Scenario::new("baseline")],
            &model,
            &cfg,
            &mut |_, _| true,
        )
        .map(|r| black_box(r.scenarios[0].totals[0].poor_people))
    };
    for threads in [1usize, 2] {
        g.bench_function(format!("full_model_{threads}_threads"), |b| {
            b.iter(|| full_model(threads))
        });
    }
    g.bench_function("full_model_1_thread_scalar", |b| {
        fupin_core::simd::set_enabled(false);
        b.iter(|| full_model(1));
        fupin_core::simd::set_enabled(true);
    });
    g.finish();
    // Only under `cargo bench` (criterion's test mode runs each function once and passes no
    // `--bench`).
    if std::env::args().any(|a| a == "--bench") {
        interleaved_ratio(&reg, &model, &full_model);
    }
}

/// Floor and 1-thread engine timed alternately, so both see the same minutes of the machine.
#[allow(clippy::print_stdout)]
fn interleaved_ratio(
    reg: &Registry,
    model: &IncomeModel,
    full_model: &dyn Fn(usize) -> fupin_core::Result<i64>,
) {
    let per_household_year = 1e9 / (HOUSEHOLDS as f64 * f64::from(YEARS) * f64::from(REPS));
    let time = |f: &dyn Fn()| {
        let t0 = Instant::now();
        f();
        t0.elapsed().as_secs_f64() * per_household_year
    };
    let mut pairs: Vec<(f64, f64)> = (0..PAIRS)
        .map(|_| {
            let floor = time(&|| {
                black_box(floor_loop(reg, model, 1));
            });
            let engine = time(&|| {
                black_box(full_model(1).expect("bench run"));
            });
            (floor, engine)
        })
        .collect();
    let fastest_floor = pairs.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let fastest_engine = pairs.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    pairs.sort_by(|a, b| (a.1 / a.0).total_cmp(&(b.1 / b.0)));
    let (floor, engine) = pairs[PAIRS / 2];
    println!(
        "engine/interleaved ({PAIRS} alternating runs, ns per household-year): median pair \
         floor {floor:.1}, engine {engine:.1}, ratio {:.2}; fastest floor {fastest_floor:.1}, \
         fastest engine {fastest_engine:.1}, ratio {:.2}",
        engine / floor,
        fastest_engine / fastest_floor
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
