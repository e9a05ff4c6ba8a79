//! Synthetic registries: a million households in parallel, and the Taiqian preset.
//! Fixed seeds; throughput in households per second.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fupin_core::synth::{county, synthetic};

fn bench_synth(c: &mut Criterion) {
    let mut group = c.benchmark_group("synth");
    group.sample_size(10);

    let n = 1_000_000;
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("synthetic_1e6_households", |b| {
        b.iter(|| synthetic(black_box(n), black_box(n / 50), black_box(42)))
    });

    group.throughput(Throughput::Elements(13_710));
    group.bench_function("county_taiqian", |b| {
        b.iter(|| county(black_box("taiqian"), black_box(42)))
    });
    group.finish();
}

criterion_group!(benches, bench_synth);
criterion_main!(benches);
