//! Hand-worked plans on the six-household test village (line 3,000 yuan, weights 1).

use super::*;
use crate::dynamics::PovertyLine;
use crate::measures::MeasureCatalog;
use crate::measures::testutil::{one_village, varied};
use crate::units::WEIGHT_SCALE;

const UNIT: i128 = 100 * WEIGHT_SCALE as i128;
const YEARS: [i32; 2] = [2016, 2017];

fn plan_with(policy: Policy, budget: Option<Budget>) -> Result<Plan, crate::Error> {
    plan(
        &one_village(),
        &MeasureCatalog::default(),
        &policy,
        budget.as_ref(),
        &YEARS,
        &PovertyLine::constant(3000.0),
    )
}

fn yuan(p: &Plan, t: usize, name: &str) -> f64 {
    p.committed_by_year()[[t, p.catalog.index(name).unwrap()]]
}

fn given(p: &Plan) -> Vec<(u32, String, i32, Option<i32>)> {
    let mut v: Vec<_> = p
        .assignments
        .iter()
        .map(|a| {
            (
                a.household,
                p.catalog.measures[a.measure as usize].name.clone(),
                a.start_year,
                a.end_year,
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn by_cause_funds_the_poorest_first_with_carry_over() {
    // Order by income: rows 1, 5, 0, 3, 2. 2016 (50,000): floor(1) 6,000, PV(1) 24,000,
    // health(5) 5,900; relocation(5) 101,519 does not fit; credit(0) 10,875; 3,225 left.
    // 2017 (53,225): recurring floor 6,000, health 5,900, interest 2,375; then floor(3) 9,000,
    // PV(3) 24,000, health(2) 5,540; 410 left.
    let p = plan_with(
        Policy::ByCause(ByCause::default()),
        Some(Budget::yearly(50_000.0)),
    )
    .unwrap();
    assert_eq!(p.available, vec![50_000 * UNIT, 53_225 * UNIT]);
    assert_eq!(yuan(&p, 0, "welfare_floor"), 6000.0);
    assert_eq!(yuan(&p, 0, "asset_income"), 24_000.0);
    assert_eq!(yuan(&p, 0, "health"), 5900.0);
    assert_eq!(yuan(&p, 0, "industry_credit"), 10_875.0);
    assert_eq!(yuan(&p, 0, "relocation"), 0.0);
    assert_eq!(yuan(&p, 1, "welfare_floor"), 15_000.0);
    assert_eq!(yuan(&p, 1, "asset_income"), 24_000.0);
    assert_eq!(yuan(&p, 1, "health"), 11_440.0);
    assert_eq!(yuan(&p, 1, "industry_credit"), 2375.0);
    assert_eq!(p.committed_by_year().row(1).sum(), 53_225.0 - 410.0);
    let s = |x: &str| x.to_string();
    assert_eq!(
        given(&p),
        vec![
            (0, s("industry_credit"), 2016, None),
            (1, s("asset_income"), 2016, None),
            (1, s("welfare_floor"), 2016, None),
            (2, s("health"), 2017, None),
            (3, s("asset_income"), 2017, None),
            (3, s("welfare_floor"), 2017, None),
            (5, s("health"), 2016, None),
        ]
    );
    p.check().unwrap();
    // Without carry-over 2017 has 50,000: after 14,275 recurring, floor(3) and PV(3) fit, 2,725
    // is left and health(2) (5,540) does not.
    let mut b = Budget::yearly(50_000.0);
    b.carry_over = false;
    let q = plan_with(Policy::ByCause(ByCause::default()), Some(b)).unwrap();
    assert_eq!(q.available[1], 50_000 * UNIT);
    assert_eq!(q.committed_by_year().row(1).sum(), 50_000.0 - 2725.0);
    assert!(!given(&q).iter().any(|g| g.0 == 2));
}

#[test]
fn recurring_commitments_come_first_and_end_when_money_runs_out() {
    // 2017 has 5,000 + 3,225 carried: the floor (6,000) is funded, then health (5,900) and the
    // interest subsidy (2,375) no longer fit and end in 2017.
    let b = Budget::by_year([(2016, 50_000.0), (2017, 5_000.0)].into_iter().collect());
    let p = plan_with(Policy::ByCause(ByCause::default()), Some(b)).unwrap();
    assert_eq!(p.available[1], 8225 * UNIT);
    let g = given(&p);
    assert!(g.contains(&(5, "health".into(), 2016, Some(2017))));
    assert!(g.contains(&(0, "industry_credit".into(), 2016, Some(2017))));
    assert!(g.contains(&(1, "welfare_floor".into(), 2016, None)));
    assert_eq!(p.committed_by_year().row(1).sum(), 6000.0);
    assert_eq!(g.len(), 4);
}

#[test]
fn uniform_spreads_one_intensity_over_every_household() {
    // Health for the five registered households costs 5,720 + 5,360 + 5,540 + 5,540 + 5,900 =
    // 28,060 in full; half of it buys intensity just under one half for everyone.
    let u = Uniform {
        mix: vec!["health".into()],
        ..Uniform::default()
    };
    let p = plan_with(Policy::Uniform(u), Some(Budget::yearly(14_030.0))).unwrap();
    assert_eq!(p.assignments.len(), 5);
    let x = p.assignments[0].intensity;
    // Less a margin of 2 fen per household for rounding: (14,030 − 0.10) / 28,060.
    assert!((x - (14_030.0 - 0.1) / 28_060.0).abs() < 1e-12, "{x}");
    assert!(
        p.assignments
            .iter()
            .all(|a| a.intensity == x && a.start_year == 2016)
    );
    let total: f64 = p.committed_by_year().row(0).sum();
    assert!(total <= 14_030.0 && total > 14_029.0, "{total}");
    // 2017: the premiums and caps recur (funded first), nothing is left for more intensity.
    assert!(p.committed_by_year().row(1).sum() > 14_029.0);
    // With enough money everyone gets the full measure once.
    let u = Uniform {
        mix: vec!["health".into()],
        ..Uniform::default()
    };
    let p = plan_with(Policy::Uniform(u), None).unwrap();
    assert_eq!(p.assignments.len(), 5);
    assert!(p.assignments.iter().all(|a| a.intensity == 1.0));
}

#[test]
fn explicit_rows_are_funded_in_order_and_checked() {
    let row = |h: &str, m: &str, y: i32| ExplicitRow {
        household: h.into(),
        measure: m.into(),
        start_year: y,
        intensity: 1.0,
    };
    let e = Explicit {
        assignments: vec![
            row("12", "asset_income", 2016),
            row("16", "relocation", 2017),
            row("15", "education", 2017),
        ],
    };
    let p = plan_with(Policy::Explicit(e.clone()), Some(Budget::yearly(30_000.0))).unwrap();
    assert_eq!(p.unfunded, vec![1]); // the move costs 101,519 a year
    assert_eq!(yuan(&p, 1, "education"), 6000.0); // two students, not registered: the table decides
    let mut bad = e.clone();
    bad.assignments[0].household = "99".into();
    let err = plan_with(Policy::Explicit(bad), None).unwrap_err();
    assert_eq!(err.column(), Some("policy.assignments[0].household"));
    let mut bad = e;
    bad.assignments[2].start_year = 2015;
    let err = plan_with(Policy::Explicit(bad), None).unwrap_err();
    assert_eq!(err.column(), Some("policy.assignments[2].start_year"));
}

#[test]
fn county_pools_and_scores() {
    let reg = varied(6, 10, 2);
    let mut b = Budget {
        yearly: None,
        ..Budget::yearly(0.0)
    };
    b.by_county
        .insert("41000".into(), Amount::Constant(200_000.0));
    let p = plan(
        &reg,
        &MeasureCatalog::default(),
        &Policy::ByCause(ByCause::default()),
        Some(&b),
        &YEARS,
        &PovertyLine::constant(3000.0),
    )
    .unwrap();
    assert_eq!(p.pools, vec!["41000".to_string(), "41001".to_string()]);
    assert!(!p.assignments.is_empty());
    assert!(
        p.assignments
            .iter()
            .all(|a| reg.county_of(a.household as usize) == 0)
    );
    let by_pool = p.committed_by_pool();
    assert!(by_pool[2] == 0 && by_pool[3] == 0 && by_pool[0] > 0);
    p.check().unwrap();
    b.by_county.insert("999".into(), Amount::Constant(1.0));
    let err = plan(
        &reg,
        &MeasureCatalog::default(),
        &Policy::ByCause(ByCause::default()),
        Some(&b),
        &YEARS,
        &PovertyLine::constant(3000.0),
    )
    .unwrap_err();
    assert_eq!(err.column(), Some("budget.by_county[999]"));
    let short = ByCause {
        ranking: Ranking::Score(vec![1.0; 3]),
        ..ByCause::default()
    };
    let err = plan(
        &reg,
        &MeasureCatalog::default(),
        &Policy::ByCause(short),
        None,
        &YEARS,
        &PovertyLine::constant(3000.0),
    )
    .unwrap_err();
    assert_eq!(err.column(), Some("policy.ranking.score"));
}

#[test]
fn scores_rank_households_and_plans_are_deterministic() {
    // One industry measure each for households ranked by score; money for two.
    let reg = one_village();
    let mut mapping = std::collections::BTreeMap::new();
    for c in crate::registry::Cause::ALL {
        mapping.insert(c.code().to_string(), vec!["industry".to_string()]);
    }
    let policy = Policy::ByCause(ByCause {
        mapping,
        ranking: Ranking::Score(vec![0.0, 9.0, 5.0, 7.0, 0.0, 1.0]),
        guarantees: false,
        ..ByCause::default()
    });
    let run = || {
        plan(
            &reg,
            &MeasureCatalog::default(),
            &policy,
            Some(&Budget::yearly(7000.0)),
            &[2016],
            &PovertyLine::constant(3000.0),
        )
        .unwrap()
    };
    let p = run();
    // Row 1 has no labour (ineligible): rows 3 (score 7) and 2 (score 5) get the grants.
    let rows: Vec<u32> = p.assignments.iter().map(|a| a.household).collect();
    assert_eq!(rows, vec![2, 3]);
    let q = std::thread::scope(|s| s.spawn(run).join().unwrap());
    assert_eq!(p, q);
    let back: Plan = serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
}
