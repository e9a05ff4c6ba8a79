//! Tests of the runner: hand-worked groups, empty villages, panics and cancellation.

use std::sync::mpsc;
use std::time::Duration;

use super::*;
use crate::dynamics::{IncomeModel, Treatment, YearContext, YearState};
use crate::registry::{Counties, Households, Ids, Region, Villages};

fn tiny() -> Registry {
    let n = 3;
    let h = Households {
        id: Ids::Int(vec![7, 8, 9]),
        village: vec![0, 1, 1],
        size: vec![2, 3, 4],
        income_per_capita: vec![1000.0, 2000.0, 9000.0],
        labour: vec![1; n],
        elderly: vec![0; n],
        students: vec![0; n],
        chronic_illness: vec![0; n],
        disability: vec![0; n],
        housing_safe: vec![true; n],
        safe_water: vec![true; n],
        insured: vec![true; n],
        inhospitable: vec![false; n],
        head_education_years: vec![6; n],
        causes: vec![Default::default(); n],
        primary_cause: vec![None; n],
        weight: vec![1.0, 0.5, 2.0],
        registered: vec![true; n],
    };
    let v = Villages {
        id: Ids::Int(vec![1, 2, 3]),
        county: vec![0, 1, 1],
        population: vec![10, 20, 5],
        region: vec![Region::Centre, Region::West, Region::West],
        poor: vec![true; 3],
    };
    let c = Counties {
        id: Ids::Int(vec![100, 200]),
        region: vec![Region::Centre, Region::West],
    };
    Registry::new(h, v, c).unwrap()
}

#[test]
fn weight_totals_and_groups_by_hand() {
    let reg = tiny();
    let (hh, people) = weight_totals(&reg).unwrap();
    assert_eq!(hh, (1 << 20) * 7 / 2); // 1 + 0.5 + 2
    assert_eq!(people, (1 << 20) * 2 + (1 << 19) * 3 + (1 << 21) * 4);
    let c = county_groups(&reg);
    assert_eq!(c.population, vec![10, 25]);
    assert_eq!(c.threshold, vec![0.02, 0.03]);
    let v = village_groups(&reg);
    assert_eq!(v.county, vec![0, 1, 1]);
}

#[test]
fn an_empty_village_exits_in_the_first_year() {
    let reg = tiny();
    let cfg = RunConfig {
        replications: 3,
        threads: Some(1),
        ..RunConfig::new(2016, 2)
    };
    let r = run(
        &reg,
        &[Arm::new("a", IncomeModel::default())],
        &cfg,
        &mut |_, _| true,
    )
    .unwrap();
    let s = &r.scenarios[0];
    assert_eq!(s.village_households, vec![1, 2, 0]);
    let d = r.village_exit_distribution(0);
    assert_eq!(d.row(2).to_vec(), vec![1.0, 0.0, 0.0]);
    // Rows of each village's distribution sum to one.
    for v in 0..3 {
        assert!((d.row(v).sum() - 1.0).abs() < 1e-12);
    }
    assert_eq!(s.totals.len(), 3 * 2);
    assert_eq!(s.county_poor.len(), 2 * 3 * 2);
}

/// A treatment that panics on the household of one id, as an out-of-bounds measure index in a
/// hand-made plan would.
#[derive(Debug)]
struct PanicsOn(i64);

impl Treatment for PanicsOn {
    fn apply(&self, ctx: &YearContext<'_>, _: &mut YearState) {
        let ids = [7i64, 8, 9];
        let catalogue: Vec<u16> = vec![0; 2];
        if ids[ctx.household] == self.0 {
            let _ = catalogue[ctx.year_index + 3]; // index out of bounds
        }
    }
}

/// Run `f` on a thread and wait at most `secs` for it: a hang fails the test instead of
/// hanging the suite.
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .expect("the call did not return in time (hang)")
}

#[test]
fn a_panic_in_the_work_is_an_error_not_a_hang() {
    for threads in [1, 3] {
        let r = within(60, move || {
            let cfg = RunConfig {
                replications: 4,
                threads: Some(threads),
                ..RunConfig::new(2016, 3)
            };
            let p = Arm::new("p", IncomeModel::default())
                .with_treatment(std::sync::Arc::new(PanicsOn(8)));
            run(
                &tiny(),
                &[Arm::new("a", IncomeModel::default()), p],
                &cfg,
                &mut |_, _| true,
            )
        });
        match r {
            Err(Error::Internal(m)) => assert!(m.contains("index out of bounds"), "{m}"),
            other => panic!("expected an internal error, got {other:?}"),
        }
    }
}

#[test]
fn a_cancelled_token_stops_the_run() {
    let r = within(60, || {
        let token = crate::cancel::Token::new();
        token.cancel();
        let cfg = RunConfig {
            replications: 4,
            threads: Some(2),
            ..RunConfig::new(2016, 3)
        };
        let reg = tiny(); // built outside the scope: validation polls too
        crate::cancel::scope(&token, || {
            run(
                &reg,
                &[Arm::new("a", IncomeModel::default())],
                &cfg,
                &mut |_, _| true,
            )
        })
    });
    assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
}
