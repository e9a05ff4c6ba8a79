//! Proxy-means test fit on 100,000 households × 10 proxies (weighted, HC1 standard errors), and
//! the Alkire–Foster index on 1,000,000 households × 6 indicators with cutoffs (M0, M1, M2).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fupin_core::random::{key, open01};
use fupin_core::targeting::{ProxyMeansTest, mpi};
use ndarray::Array2;

const SEED: u64 = 20_160_701;

fn u(i: usize, j: u64) -> f64 {
    open01(key(SEED, &[i as u64, j]))
}

/// Proxies uniform in (0, 5), log income linear in them plus uniform noise, weights in (0.5, 2);
/// a pure function of `SEED`.
fn pmt_data(n: usize, p: usize) -> (Array2<f64>, Vec<String>, Vec<f64>, Vec<f64>) {
    let x = Array2::from_shape_fn((n, p), |(i, j)| 5.0 * u(i, j as u64));
    let y = (0..n)
        .map(|i| 7.0 + (0..p).map(|j| 0.05 * x[[i, j]]).sum::<f64>() + u(i, 100) - 0.5)
        .collect();
    let w = (0..n).map(|i| 0.5 + 1.5 * u(i, 101)).collect();
    let names = (0..p).map(|j| format!("x{j}")).collect();
    (x, names, y, w)
}

fn bench(c: &mut Criterion) {
    let (n, p) = (100_000, 10);
    let (x, names, y, w) = pmt_data(n, p);
    let mut g = c.benchmark_group("targeting");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("pmt_fit_1e5x10_weighted", |b| {
        b.iter(|| ProxyMeansTest::fit(black_box(x.view()), &names, &y, Some(&w), true))
    });

    // Six achievements: three binary (cutoff 1), three cardinal (cutoffs 1, 6, 3,000).
    let m = 1_000_000;
    let a = Array2::from_shape_fn((m, 6), |(i, j)| {
        let v = u(i, 200 + j as u64);
        match j {
            0..=2 => f64::from(v > 0.2),
            3 => (4.0 * v).floor(),
            4 => 12.0 * v,
            _ => 8_000.0 * v,
        }
    });
    let cutoffs = [1.0, 1.0, 1.0, 1.0, 6.0, 3_000.0];
    let weights = [1.0; 6];
    g.throughput(Throughput::Elements(m as u64));
    g.bench_function("mpi_1e6x6_cutoffs", |b| {
        b.iter(|| {
            mpi(
                black_box(a.view()),
                &weights,
                1.0 / 3.0,
                Some(&cutoffs),
                None,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
