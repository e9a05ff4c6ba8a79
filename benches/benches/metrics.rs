//! FGT and Gini on one million incomes, unweighted and weighted.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fupin_core::metrics::{fgt, gini};
use fupin_core::random::{key, open01};

const N: usize = 1_000_000;
const SEED: u64 = 20_160_701;
const LINE: f64 = 3_000.0;

/// Log-normal incomes (median 4,000 yuan, σ = 0.7 on the log scale) and weights in (0.5, 2),
/// a pure function of `SEED`.
fn data() -> (Vec<f64>, Vec<f64>) {
    let u = |i: usize, k: u64| open01(key(SEED, &[i as u64, k]));
    let incomes = (0..N)
        .map(|i| {
            let z = (-2.0 * u(i, 0).ln()).sqrt() * (std::f64::consts::TAU * u(i, 1)).cos();
            4000.0 * (0.7 * z).exp()
        })
        .collect();
    let weights = (0..N).map(|i| 0.5 + 1.5 * u(i, 2)).collect();
    (incomes, weights)
}

fn bench(c: &mut Criterion) {
    let (incomes, weights) = data();
    let mut g = c.benchmark_group("metrics_1e6");
    g.throughput(Throughput::Elements(N as u64));
    for alpha in [0.0, 1.0, 2.0, 1.5] {
        g.bench_function(format!("fgt_alpha{alpha}"), |b| {
            b.iter(|| fgt(black_box(&incomes), LINE, alpha, None))
        });
    }
    g.bench_function("fgt_alpha2_weighted", |b| {
        b.iter(|| fgt(black_box(&incomes), LINE, 2.0, Some(&weights)))
    });
    g.bench_function("gini", |b| b.iter(|| gini(black_box(&incomes), None)));
    g.bench_function("gini_weighted", |b| {
        b.iter(|| gini(black_box(&incomes), Some(&weights)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
