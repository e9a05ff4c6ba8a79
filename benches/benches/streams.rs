//! Random streams for the engine, compared by measurement (ns per draw).
//!
//! The engine needs, per household-replicate-year, about four draws keyed by purpose. Candidates:
//! * `counter`: the engine's choice — one SplitMix64 finaliser per household-year to extend the key
//!   chain, one per draw (`Draws::bits`), i.e. `rng::key(seed, [HOUSEHOLD, id, rep, year, purpose])`;
//! * `xoshiro_per_household_replicate`: one Xoshiro256++ stream seeded through `rng::stream` per
//!   household-replicate, drawn sequentially over the years;
//! * `xoshiro_per_household_year`: a Xoshiro256++ stream seeded per household-replicate-year.
//!
//! Normals: rand_distr's ziggurat fed by the counter (`Draws::normal`), the same over lanes of 8
//! households (`normal_lanes`, what the engine runs), and an inverse normal CDF (Acklam's rational
//! approximation) of one counter uniform. `exp`: the platform's libm against `fastmath::exp` over
//! lanes.
//!
//! Run: `cargo bench -p fupin-benches --bench streams`.

#![allow(clippy::needless_range_loop)] // loops over lanes index arrays in step

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fupin_core::random::purpose;
use fupin_core::random::streams::{HOUSEHOLD, Keys, LANES, normal_lanes};
use fupin_core::random::{self as rng, open01};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

const HOUSEHOLDS: u64 = 2_000;
const REPS: u32 = 5;
const YEARS: usize = 10;
const DRAWS: u64 = 4;

fn years() -> Vec<i32> {
    (2016..2016 + YEARS as i32).collect()
}

/// Acklam's inverse normal CDF (relative error < 1.15e-9).
fn inverse_normal(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.02425;
    if p < LOW {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -inverse_normal(1.0 - p)
    }
}

fn uniform_bits(c: &mut Criterion) {
    let mut g = c.benchmark_group("streams/u64");
    g.throughput(Throughput::Elements(
        HOUSEHOLDS * u64::from(REPS) * YEARS as u64 * DRAWS,
    ));
    let keys = Keys::new(42, &years());
    g.bench_function("counter", |b| {
        b.iter(|| {
            let mut acc = 0u64;
            for h in 0..HOUSEHOLDS {
                let hk = keys.entity(HOUSEHOLD, h);
                for r in 0..REPS {
                    let rk = keys.replicate(hk, r);
                    for t in 0..YEARS {
                        let d = keys.year(rk, t);
                        for p in 1..=DRAWS {
                            acc ^= d.bits(p);
                        }
                    }
                }
            }
            black_box(acc)
        })
    });
    g.bench_function("xoshiro_per_household_replicate", |b| {
        b.iter(|| {
            let mut acc = 0u64;
            for h in 0..HOUSEHOLDS {
                for r in 0..REPS {
                    let mut s = rng::stream(42, &[HOUSEHOLD, h, u64::from(r)]);
                    for _ in 0..YEARS as u64 * DRAWS {
                        acc ^= s.next_u64();
                    }
                }
            }
            black_box(acc)
        })
    });
    g.bench_function("xoshiro_per_household_year", |b| {
        b.iter(|| {
            let mut acc = 0u64;
            for h in 0..HOUSEHOLDS {
                for r in 0..REPS {
                    for t in 0..YEARS as u64 {
                        let mut s = rng::stream(42, &[HOUSEHOLD, h, u64::from(r), t]);
                        for _ in 0..DRAWS {
                            acc ^= s.next_u64();
                        }
                    }
                }
            }
            black_box(acc)
        })
    });
    g.finish();
}

fn normals(c: &mut Criterion) {
    let mut g = c.benchmark_group("streams/normal");
    g.throughput(Throughput::Elements(
        HOUSEHOLDS * u64::from(REPS) * YEARS as u64 * 2,
    ));
    let keys = Keys::new(42, &years());
    g.bench_function("counter_ziggurat", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for h in 0..HOUSEHOLDS {
                let rk0 = keys.entity(HOUSEHOLD, h);
                for r in 0..REPS {
                    let rk = keys.replicate(rk0, r);
                    for t in 0..YEARS {
                        let d = keys.year(rk, t);
                        acc += d.normal(purpose::TRANSITORY) + d.normal(purpose::PERSISTENT);
                    }
                }
            }
            black_box(acc)
        })
    });
    g.bench_function("counter_inverse_cdf", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for h in 0..HOUSEHOLDS {
                let rk0 = keys.entity(HOUSEHOLD, h);
                for r in 0..REPS {
                    let rk = keys.replicate(rk0, r);
                    for t in 0..YEARS {
                        let d = keys.year(rk, t);
                        acc += inverse_normal(open01(d.bits(purpose::TRANSITORY)))
                            + inverse_normal(open01(d.bits(purpose::PERSISTENT)));
                    }
                }
            }
            black_box(acc)
        })
    });
    g.bench_function("counter_ziggurat_lanes", |b| {
        b.iter(|| {
            fupin_core::simd::vectorized(
                #[inline(always)]
                || normals_over_lanes(&keys),
            )
        })
    });
    g.bench_function("xoshiro_ziggurat_per_household_replicate", |b| {
        b.iter(|| {
            let mut acc = 0.0;
            for h in 0..HOUSEHOLDS {
                for r in 0..REPS {
                    let mut s = rng::stream(42, &[HOUSEHOLD, h, u64::from(r)]);
                    for _ in 0..YEARS * 2 {
                        let z: f64 = StandardNormal.sample(&mut s);
                        acc += z;
                    }
                }
            }
            black_box(acc)
        })
    });
    g.finish();
}

/// The engine's way: the same normals as `counter_ziggurat`, bit for bit, for 8 households at
/// once (`normal_lanes`), compiled for AVX2 where the CPU has it.
#[inline(always)]
fn normals_over_lanes(keys: &Keys) -> f64 {
    let parts = [purpose::TRANSITORY, purpose::PERSISTENT].map(|p| keys.purpose_part(p));
    let mut acc = [0.0; LANES];
    for block in 0..HOUSEHOLDS / LANES as u64 {
        let mut hk = [0u64; LANES];
        for (l, k) in hk.iter_mut().enumerate() {
            *k = keys.entity(HOUSEHOLD, block * LANES as u64 + l as u64);
        }
        for r in 0..REPS {
            let rk = keys.replicate_lanes(&hk, r);
            for t in 0..YEARS {
                let yk = keys.year_lanes(&rk, t);
                let (a, b) = (normal_lanes(&yk, parts[0]), normal_lanes(&yk, parts[1]));
                for l in 0..LANES {
                    acc[l] += a[l] + b[l];
                }
            }
        }
    }
    acc.iter().sum()
}

/// `exp` as the engine evaluates it (`fastmath::exp` over lanes) against the platform's libm.
fn exps(c: &mut Criterion) {
    const N: usize = 1 << 16;
    let x: Vec<f64> = (0..N).map(|i| -3.0 + 6.0 * i as f64 / N as f64).collect();
    let mut g = c.benchmark_group("streams/exp");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("libm", |b| {
        b.iter(|| black_box(x.iter().map(|v| v.exp()).sum::<f64>()))
    });
    g.bench_function("fastmath_lanes", |b| {
        b.iter(|| {
            fupin_core::simd::vectorized(
                #[inline(always)]
                || {
                    let mut acc = [0.0; LANES];
                    for chunk in x.chunks_exact(LANES) {
                        let lanes: &[f64; LANES] = chunk.try_into().expect("chunk of LANES");
                        let e = fupin_core::fastmath::exp_lanes(lanes);
                        for l in 0..LANES {
                            acc[l] += e[l];
                        }
                    }
                    black_box(acc.iter().sum::<f64>())
                },
            )
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = uniform_bits, normals, exps
}
criterion_main!(benches);
