//! Exit checks, condition by condition, each with a passing and a failing case.

use super::*;
use crate::registry::Region;
use crate::targeting::checklist::{Condition, IfMissing, Op, Unit};
use crate::targeting::testutil::{H, registry};

const LINE: f64 = 3000.0;

/// Villages 0 (pop 100) and 1 (pop 1000) in county 0; village 2 (pop 100) in county 1.
fn scenario() -> Registry {
    let hs = vec![
        H {
            village: 0,
            ..H::default()
        }, // passes
        H {
            village: 0,
            income: 2000.0,
            ..H::default()
        }, // fails income: 4 people
        H {
            village: 1,
            ..H::default()
        }, // passes
        H {
            village: 1,
            registered: false,
            income: 10_000.0,
            ..H::default()
        }, // not missed
        H {
            village: 2,
            registered: false,
            income: 1000.0,
            size: 2,
            labour: 1,
            elderly: 0,
            students: 0,
            ..H::default()
        }, // missed: 2
        H {
            village: 2,
            insured: false,
            ..H::default()
        }, // fails medical: 4
        H {
            village: 2,
            registered: false,
            income: 8000.0,
            ..H::default()
        }, // not missed
        H {
            village: 2,
            ..H::default()
        }, // passes
    ];
    registry(&hs, &[100, 1000, 100], &[0, 0, 1], Region::Centre)
}

fn exited() -> Vec<bool> {
    vec![true, false, true, false, false, true, false, false]
}

#[test]
fn household_conditions_pass_and_fail() {
    let hs = vec![
        H::default(),
        H {
            income: 2999.0,
            ..H::default()
        },
        H {
            income: LINE,
            ..H::default()
        }, // at the line: passes (poor means strictly below)
        H {
            housing_safe: false,
            ..H::default()
        },
        H {
            insured: false,
            ..H::default()
        },
        H::default(),
    ];
    let reg = registry(&hs, &[1000], &[0], Region::Centre);
    let r = exit_check(&reg, 2018, LINE, &Checklist::national()).unwrap();
    let failing: Vec<Vec<String>> = r.households.iter().map(|h| h.failing.clone()).collect();
    assert_eq!(failing[0], Vec::<String>::new());
    assert_eq!(failing[1], vec!["income"]);
    assert!(failing[2].is_empty());
    assert_eq!(failing[3], vec!["safe_housing"]);
    assert_eq!(failing[4], vec!["medical_insurance"]);
    assert!(r.households[0].pass && !r.households[1].pass);
    assert_eq!(r.households[1].household_id, "102");
    assert_eq!(r.households[1].row, 2);
    // Without a dropouts column compulsory education is unchecked; with it, checked.
    assert!(
        r.unchecked
            .contains(&"household.compulsory_education".to_string())
    );
    let mut data = ExitData::default();
    data.household
        .insert("dropouts".into(), vec![0.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    let r = exit_check_with(&reg, 2018, LINE, &Checklist::national(), &data).unwrap();
    assert!(r.households[0].pass);
    assert_eq!(r.households[5].failing, vec!["compulsory_education"]);
    assert!(!r.unchecked.iter().any(|u| u.starts_with("household")));
}

#[test]
fn village_and_county_conditions_pass_and_fail() {
    let reg = scenario();
    let data = ExitData {
        exited: Some(exited()),
        ..ExitData::default()
    };
    let r = exit_check_with(&reg, 2019, LINE, &Checklist::national(), &data).unwrap();
    // Village incidence: v0 4/100 fails; v1 0/1000 passes; v2 (4 remaining + 2 missed)/100 fails.
    let inc: Vec<f64> = r.villages.iter().map(|v| v.incidence).collect();
    assert_eq!(inc, vec![0.04, 0.0, 0.06]);
    assert_eq!(r.villages[0].failing, vec!["incidence"]);
    assert!(r.villages[1].pass);
    assert!(!r.villages[2].pass);
    // County 0: incidence 4/1100; no wrong exits among 8 exited people; no missed among 4
    // unregistered people → passes everything.
    let c0 = &r.counties[0];
    assert!((c0.incidence - 4.0 / 1100.0).abs() < 1e-15);
    assert_eq!(
        (c0.wrong_exit_rate, c0.missed_identification_rate),
        (Some(0.0), Some(0.0))
    );
    assert!(c0.pass, "{:?}", c0.failing);
    // County 1: incidence 6/100; household 6 (4 people) exited but fails → wrong-exit 1;
    // missed 2 of 6 unregistered people → 1/3. Fails all three.
    let c1 = &r.counties[1];
    assert!((c1.incidence - 0.06).abs() < 1e-15);
    assert_eq!(c1.wrong_exit_rate, Some(1.0));
    assert!((c1.missed_identification_rate.unwrap() - 1.0 / 3.0).abs() < 1e-15);
    assert_eq!(
        c1.failing,
        vec!["incidence", "wrong_exit_rate", "missed_identification_rate"]
    );
    assert_eq!(r.counties[1].county_id, "901");
    assert_eq!((r.year, r.line), (2019, LINE));
}

#[test]
fn west_threshold_is_three_percent() {
    // Incidence exactly 2 %: fails in the centre (not below 2 %), passes in the west (< 3 %).
    let hs = vec![
        H {
            income: 100.0,
            size: 2,
            labour: 1,
            elderly: 0,
            students: 0,
            ..H::default()
        },
        H::default(),
    ];
    for (region, pass) in [(Region::Centre, false), (Region::West, true)] {
        let reg = registry(&hs, &[100], &[0], region);
        let r = exit_check(&reg, 2018, LINE, &Checklist::national()).unwrap();
        assert_eq!(r.villages[0].incidence, 0.02);
        assert_eq!(r.villages[0].pass, pass, "{region}");
        assert_eq!(r.counties[0].pass, pass, "{region}");
    }
}

#[test]
fn unmeasurable_rates_are_unchecked() {
    // A register of the poor alone and no exit marks: both rates unmeasurable.
    let reg = registry(&[H::default()], &[100], &[0], Region::East);
    let r = exit_check(&reg, 2018, LINE, &Checklist::national()).unwrap();
    assert_eq!(r.counties[0].wrong_exit_rate, None);
    assert_eq!(r.counties[0].missed_identification_rate, None);
    assert!(r.counties[0].pass);
    assert!(r.unchecked.contains(&"county.wrong_exit_rate".to_string()));
    assert!(
        r.unchecked
            .contains(&"county.missed_identification_rate".to_string())
    );
}

#[test]
fn missing_policies_and_alternatives() {
    let reg = registry(
        &[
            H::default(),
            H {
                labour: 0,
                ..H::default()
            },
        ],
        &[100],
        &[0],
        Region::East,
    );
    let mut c = Checklist {
        name: "t".into(),
        household: vec![],
        village: vec![],
        county: vec![],
    };
    c.household
        .push(Condition::new("tv", "", "tv", Op::Eq, 1.0, Unit::Absolute));
    let e = exit_check(&reg, 2018, LINE, &c).unwrap_err();
    assert_eq!(
        (e.column(), e.value()),
        (Some("household[0].field"), Some("\"tv\""))
    );
    c.household[0].if_missing = IfMissing::Fail;
    let r = exit_check(&reg, 2018, LINE, &c).unwrap();
    assert_eq!(r.households[0].failing, vec!["tv"]);
    c.household[0].if_missing = IfMissing::Pass;
    let r = exit_check(&reg, 2018, LINE, &c).unwrap();
    assert!(r.households[0].pass);
    assert_eq!(r.unchecked, vec!["household.tv"]);
    // Village and county levels accept supplied columns too.
    c.household.clear();
    c.village.push(Condition::new(
        "road",
        "",
        "road",
        Op::Eq,
        1.0,
        Unit::Absolute,
    ));
    c.county.push(Condition::new(
        "approval",
        "",
        "approval",
        Op::Gt,
        0.9,
        Unit::Absolute,
    ));
    let mut data = ExitData::default();
    data.village.insert("road".into(), vec![0.0]);
    data.county.insert("approval".into(), vec![0.95]);
    let r = exit_check_with(&reg, 2018, LINE, &c, &data).unwrap();
    assert_eq!(r.villages[0].failing, vec!["road"]);
    assert!(r.counties[0].pass);
    data.village.insert("road".into(), vec![1.0]);
    data.county.insert("approval".into(), vec![0.85]);
    let r = exit_check_with(&reg, 2018, LINE, &c, &data).unwrap();
    assert!(r.villages[0].pass);
    assert_eq!(r.counties[0].failing, vec!["approval"]);
}

#[test]
fn ba_you_yi_chao_from_toml() {
    let c = Checklist::from_toml(include_str!("checklists/ba_you_yi_chao.toml")).unwrap();
    let hs = vec![
        H::default(), // all eight + income
        H {
            labour: 0,
            ..H::default()
        }, // no labour but dibao: income source via `or`
        H {
            labour: 0,
            ..H::default()
        }, // no labour, no dibao: fails income_source
        H {
            income: LINE,
            ..H::default()
        }, // "超过" is strict: at the line fails
        H {
            safe_water: false,
            ..H::default()
        },
    ];
    let reg = registry(&hs, &[1000], &[0], Region::West);
    let mut data = ExitData::default();
    data.household.insert("electricity".into(), vec![1.0; 5]);
    data.household
        .insert("road".into(), vec![1.0, 1.0, 1.0, 1.0, 0.0]);
    data.household.insert("tv".into(), vec![1.0; 5]);
    data.household.insert("dropouts".into(), vec![0.0; 5]);
    data.household
        .insert("dibao".into(), vec![0.0, 1.0, 0.0, 0.0, 0.0]);
    let r = exit_check_with(&reg, 2018, LINE, &c, &data).unwrap();
    let failing: Vec<Vec<String>> = r.households.iter().map(|h| h.failing.clone()).collect();
    assert!(failing[0].is_empty() && failing[1].is_empty());
    assert_eq!(failing[2], vec!["income_source"]);
    assert_eq!(failing[3], vec!["income"]);
    assert_eq!(failing[4], vec!["water", "road"]);
    // Village: 3 failing households × 4 people = 12 of 1000 → 1.2 % < 3 %.
    assert!(r.villages[0].pass);
}

#[test]
fn bad_inputs_are_named() {
    let reg = scenario();
    let e = exit_check(&reg, 2018, 0.0, &Checklist::national()).unwrap_err();
    assert_eq!(e.column(), Some("line"));
    let data = ExitData {
        exited: Some(vec![true]),
        ..ExitData::default()
    };
    let e = exit_check_with(&reg, 2018, LINE, &Checklist::national(), &data).unwrap_err();
    assert_eq!(e.column(), Some("exited"));
    let mut data = ExitData::default();
    data.household.insert("dropouts".into(), vec![0.0; 3]);
    let e = exit_check_with(&reg, 2018, LINE, &Checklist::national(), &data).unwrap_err();
    assert_eq!(e.column(), Some("dropouts"));
    let mut data = ExitData::default();
    data.household.insert("size".into(), vec![0.0; 8]);
    assert!(exit_check_with(&reg, 2018, LINE, &Checklist::national(), &data).is_err());
    let mut data = ExitData::default();
    data.village.insert("incidence".into(), vec![0.0; 3]);
    assert!(exit_check_with(&reg, 2018, LINE, &Checklist::national(), &data).is_err());
    let mut data = ExitData::default();
    let mut col = vec![0.0; 8];
    col[6] = f64::NAN;
    data.household.insert("dropouts".into(), col);
    let e = exit_check_with(&reg, 2018, LINE, &Checklist::national(), &data).unwrap_err();
    assert_eq!((e.column(), e.row()), (Some("dropouts"), Some(7)));
}
