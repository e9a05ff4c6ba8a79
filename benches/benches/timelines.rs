//! Benchmarks of `fupin_core::timelines`: Kaplan–Meier, panel → person-periods, hazard-model fits.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fupin_core::random as rng;
use fupin_core::timelines::{
    HazardOptions, Link, Panel, SpellKind, TimeDummies, fit_hazard, kaplan_meier,
};
use ndarray::Array2;

/// A seeded panel: `n` households over 2014–2020 with a persistent poor flag and one covariate.
fn panel(n: usize) -> (Vec<i64>, Vec<i32>, Vec<bool>, Array2<f64>) {
    // Uniform draws keyed by (household, year, purpose): no generator state to carry.
    let u = |hh: usize, year: i32, purpose: u64| {
        rng::open01(rng::key(1, &[hh as u64, year as u64, purpose]))
    };
    let (mut h, mut y, mut p, mut c) = (vec![], vec![], vec![], vec![]);
    for hh in 0..n {
        let labour = (4.0 * u(hh, 0, 0)).floor();
        let mut poor = true;
        for year in 2014..2021 {
            h.push(hh as i64);
            y.push(year);
            p.push(poor);
            c.push(labour);
            let exit = 0.15 + 0.05 * labour;
            let draw = u(hh, year, 1);
            poor = if poor { draw >= exit } else { draw < 0.05 };
        }
    }
    let rows = c.len();
    (
        h,
        y,
        p,
        Array2::from_shape_vec((rows, 1), c).expect("shape"),
    )
}

fn benches(c: &mut Criterion) {
    let (h, y, p, cov) = panel(20_000);
    let mut g = c.benchmark_group("timelines");
    g.throughput(Throughput::Elements(h.len() as u64));
    g.bench_function("panel_person_periods_140k_rows", |b| {
        b.iter(|| {
            let panel = Panel::new(black_box(&h), &y, &p).expect("panel");
            panel
                .person_periods(SpellKind::Exit, Some(cov.view()), &["labour".into()])
                .expect("pp")
        })
    });
    let panel = Panel::new(&h, &y, &p).expect("panel");
    let sp = panel.spells(SpellKind::Exit);
    g.throughput(Throughput::Elements(sp.len() as u64));
    g.bench_function("kaplan_meier_20k", |b| {
        b.iter(|| kaplan_meier(black_box(&sp.duration), &sp.observed, None).expect("km"))
    });
    let pp = panel
        .person_periods(SpellKind::Exit, Some(cov.view()), &["labour".into()])
        .expect("pp");
    let (x, names) = pp
        .design(TimeDummies::new(4).expect("dummies"))
        .expect("design");
    let clusters: Vec<i64> = pp.household.iter().map(|h| h / 50).collect();
    g.throughput(Throughput::Elements(pp.len() as u64));
    for link in [Link::Logit, Link::Cloglog] {
        let opts = HazardOptions {
            link,
            ..HazardOptions::default()
        };
        g.bench_function(format!("fit_hazard_{link:?}_clustered"), |b| {
            b.iter(|| {
                fit_hazard(
                    black_box(x.view()),
                    &names,
                    &pp.event,
                    None,
                    Some(&clusters),
                    &opts,
                )
                .expect("fit")
            })
        });
    }
    g.finish();
}

criterion_group!(timelines, benches);
criterion_main!(timelines);
