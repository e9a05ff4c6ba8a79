//! Record checks, rule by rule, each with a flagged and an unflagged case.

use super::*;
use crate::registry::Region;
use crate::targeting::testutil::{H, registry};

const LINE: f64 = 3000.0;

fn only(rule: Rule) -> RecordRules {
    RecordRules {
        rules: vec![RuleSpec { name: None, rule }],
    }
}

fn rows(c: &RecordCheck) -> Vec<usize> {
    c.flags.iter().map(|f| f.row).collect()
}

#[test]
fn income_above_line_flags_registered_rich() {
    let hs = vec![
        H {
            income: 9000.0,
            ..H::default()
        }, // exactly 3 × line: not flagged
        H {
            income: 9001.0,
            ..H::default()
        }, // flagged
        H {
            income: 20_000.0,
            registered: false,
            ..H::default()
        }, // unregistered: not flagged
    ];
    let reg = registry(&hs, &[100], &[0], Region::Centre);
    let c = check_records(
        &reg,
        LINE,
        &only(Rule::IncomeAboveLine { multiple: 3.0 }),
        &RecordData::default(),
    )
    .unwrap();
    assert_eq!(rows(&c), vec![2]);
    assert_eq!(c.flags[0].household_id, "102");
    assert_eq!(c.flags[0].rule, "income_above_line");
    assert_eq!(
        c.flags[0].values[0],
        ("income_per_capita".into(), "9001".into())
    );
}

#[test]
fn size_above_flags_large_households() {
    let hs = vec![
        H {
            size: 12,
            ..H::default()
        },
        H {
            size: 13,
            ..H::default()
        },
    ];
    let reg = registry(&hs, &[100], &[0], Region::Centre);
    let c = check_records(
        &reg,
        LINE,
        &only(Rule::SizeAbove { max: 12 }),
        &RecordData::default(),
    )
    .unwrap();
    assert_eq!(rows(&c), vec![2]);
    assert_eq!(
        c.flags[0].values,
        vec![("size".into(), "13".into()), ("max".into(), "12".into())]
    );
}

#[test]
fn members_exceed_size() {
    let hs = vec![
        H {
            size: 3,
            elderly: 2,
            students: 1,
            labour: 0,
            ..H::default()
        }, // 3 = size: fine
        H {
            size: 3,
            elderly: 2,
            students: 2,
            labour: 0,
            ..H::default()
        }, // 4 > 3
    ];
    let reg = registry(&hs, &[100], &[0], Region::Centre);
    let rule = Rule::MembersExceedSize {
        fields: vec!["elderly".into(), "students".into()],
    };
    let c = check_records(&reg, LINE, &only(rule), &RecordData::default()).unwrap();
    assert_eq!(rows(&c), vec![2]);
    assert_eq!(
        c.flags[0].values.last().unwrap(),
        &("size".to_string(), "3".to_string())
    );
}

#[test]
fn range_flags_outside_bounds() {
    let hs = vec![
        H {
            education: 22,
            ..H::default()
        },
        H {
            education: 23,
            ..H::default()
        },
        H {
            education: 0,
            ..H::default()
        },
    ];
    let reg = registry(&hs, &[100], &[0], Region::Centre);
    let rules = RecordRules::from_toml(
        "[[rules]]\nrule = \"range\"\nname = \"edu\"\nfield = \"head_education_years\"\nmin = 1\nmax = 22\n",
    )
    .unwrap();
    let c = check_records(&reg, LINE, &rules, &RecordData::default()).unwrap();
    assert_eq!(rows(&c), vec![2, 3]);
    assert_eq!(c.flags[0].rule, "edu");
}

#[test]
fn duplicate_person_across_households() {
    let reg = registry(
        &[H::default(), H::default(), H::default()],
        &[100],
        &[0],
        Region::Centre,
    );
    let persons = Persons {
        key: vec!["A".into(), "B".into(), "A".into(), "C".into(), "C".into()],
        // A in 101 and 103; B in 102; C twice in 102 (same household: not a duplicate).
        household_id: Ids::Int(vec![101, 102, 103, 102, 102]),
    };
    let data = RecordData {
        persons: Some(&persons),
        ..RecordData::default()
    };
    let c = check_records(&reg, LINE, &only(Rule::DuplicatePerson), &data).unwrap();
    assert_eq!(rows(&c), vec![1, 3]);
    assert_eq!(
        c.flags[0].values,
        vec![
            ("person_key".into(), "A".into()),
            ("other_households".into(), "103".into())
        ]
    );
    // Unknown household and mismatched lengths are named.
    let bad = Persons {
        key: vec!["A".into()],
        household_id: Ids::Int(vec![999]),
    };
    let e = check_records(
        &reg,
        LINE,
        &only(Rule::DuplicatePerson),
        &RecordData {
            persons: Some(&bad),
            ..RecordData::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        (e.column(), e.row(), e.value()),
        (Some("household_id"), Some(1), Some("999"))
    );
    let bad = Persons {
        key: vec!["A".into()],
        household_id: Ids::Int(vec![]),
    };
    assert!(
        check_records(
            &reg,
            LINE,
            &only(Rule::DuplicatePerson),
            &RecordData {
                persons: Some(&bad),
                ..RecordData::default()
            }
        )
        .is_err()
    );
    // Without person data the rule is skipped and says so.
    let c = check_records(
        &reg,
        LINE,
        &only(Rule::DuplicatePerson),
        &RecordData::default(),
    )
    .unwrap();
    assert_eq!(c.skipped, vec!["duplicate_person"]);
}

#[test]
fn exited_on_floor() {
    let reg = registry(
        &[H::default(), H::default(), H::default()],
        &[100],
        &[0],
        Region::Centre,
    );
    let exited = [true, true, false];
    let floor = [false, true, true];
    let data = RecordData {
        exited: Some(&exited),
        floor: Some(&floor),
        ..RecordData::default()
    };
    let c = check_records(&reg, LINE, &only(Rule::ExitedOnFloor), &data).unwrap();
    assert_eq!(rows(&c), vec![2]);
    let data = RecordData {
        exited: Some(&exited),
        ..RecordData::default()
    };
    let c = check_records(&reg, LINE, &only(Rule::ExitedOnFloor), &data).unwrap();
    assert_eq!(c.skipped, vec!["exited_on_floor"]);
    let short = [true];
    let data = RecordData {
        exited: Some(&short),
        floor: Some(&floor),
        ..RecordData::default()
    };
    let e = check_records(&reg, LINE, &only(Rule::ExitedOnFloor), &data).unwrap_err();
    assert_eq!(e.column(), Some("exited"));
}

#[test]
fn default_rules_round_trip_and_order_flags() {
    let r = RecordRules::default();
    assert_eq!(RecordRules::from_toml(&r.to_toml().unwrap()).unwrap(), r);
    let hs = vec![
        H::default(),
        H {
            size: 13,
            elderly: 13,
            students: 1,
            labour: 0,
            income: 10_000.0,
            ..H::default()
        },
    ];
    let reg = registry(&hs, &[100], &[0], Region::Centre);
    let c = check_records(&reg, LINE, &r, &RecordData::default()).unwrap();
    let got: Vec<(usize, &str)> = c.flags.iter().map(|f| (f.row, f.rule.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (2, "income_above_line"),
            (2, "size_above"),
            (2, "members_exceed_size")
        ]
    );
    assert_eq!(c.skipped, vec!["duplicate_person", "exited_on_floor"]);
}

#[test]
fn bad_rules_are_named() {
    let e = RecordRules::from_toml("[[rules]]\nrule = \"income_above_line\"\nmultiple = -1\n")
        .unwrap_err();
    assert_eq!(e.column(), Some("rules[0]"));
    let e = RecordRules::from_toml(
        "[[rules]]\nrule = \"size_above\"\nmax = 5\n[[rules]]\nrule = \"range\"\nfield = \"age\"\n",
    )
    .unwrap_err();
    assert_eq!((e.column(), e.value()), (Some("rules[1]"), Some("\"age\"")));
    let e =
        RecordRules::from_toml("[[rules]]\nrule = \"range\"\nfield = \"size\"\nmin = 3\nmax = 2\n")
            .unwrap_err();
    assert_eq!(e.column(), Some("rules[0]"));
    let e =
        RecordRules::from_toml("[[rules]]\nrule = \"members_exceed_size\"\nfields = [\"kids\"]\n")
            .unwrap_err();
    assert_eq!(e.column(), Some("rules[0]"));
    match RecordRules::from_toml("[[rules]]\n\nrule = \"nonsense\"\n").unwrap_err() {
        Error::Parse { line, .. } => assert!(line >= 1),
        other => panic!("{other}"),
    }
    let reg = registry(&[H::default()], &[100], &[0], Region::Centre);
    let e = check_records(
        &reg,
        f64::NAN,
        &RecordRules::default(),
        &RecordData::default(),
    )
    .unwrap_err();
    assert_eq!(e.column(), Some("line"));
}
