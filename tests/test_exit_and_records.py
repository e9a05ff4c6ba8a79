"""Exit standards, record checks and the yearly adjustment from Python, rule by rule, each with a
passing and a failing case."""

from __future__ import annotations

import math
import pickle

import pandas as pd
import pytest

import fupin
from fupin import targeting as tg

from _rows import hh, registry

# ---- exit checks -------------------------------------------------------------------------------

LINE = 3000.0


def exit_registry() -> fupin.Registry:
    return registry(
        [
            hh(1, "v1", size=2),                                 # passes
            hh(2, "v1", income_per_capita=2000.0),               # fails income
            hh(3, "v1", housing_safe=False),                     # fails safe_housing
            hh(4, "v1", insured=False),                          # fails medical_insurance
            hh(5, "v2", size=2),                                 # passes
            hh(6, "v2", size=2, income_per_capita=2900.0, registered=False),  # missed poor
            hh(7, "v2", size=3, income_per_capita=8000.0, registered=False),
        ],
        [
            {"village_id": "v1", "county_id": "A", "population": 100, "region": "centre"},
            {"village_id": "v2", "county_id": "B", "population": 100, "region": "west"},
        ],
    )


def test_exit_check_national_rule_by_rule():
    reg = exit_registry()
    r = tg.exit_check(reg, 2018, LINE, exited=[True, False, True, False, False, False, False])
    h = r.households.set_index("household_id")
    assert h["pass"].tolist() == [True, False, False, False, True, False, True]
    assert h.loc[2, "failing"] == ["income"]
    assert h.loc[3, "failing"] == ["safe_housing"]
    assert h.loc[4, "failing"] == ["medical_insurance"]
    assert r.unchecked[0] == "household.compulsory_education"
    v = r.villages.set_index("village_id")
    # v1: registered failing people 1 + 1 + 1 = 3 of 100 ≥ 2 %; v2: missed poor 2 of 100 < 3 %.
    assert v.loc["v1", "incidence"] == pytest.approx(0.03) and not v.loc["v1", "pass"]
    assert v.loc["v1", "failing"] == ["incidence"]
    assert v.loc["v2", "incidence"] == pytest.approx(0.02) and v.loc["v2", "pass"]
    assert v["threshold"].tolist() == [0.02, 0.03]
    c = r.counties.set_index("county_id")
    # A: wrong exits 1 person (household 3) of 3 marked exited; no unregistered households.
    assert c.loc["A", "wrong_exit_rate"] == pytest.approx(1 / 3)
    assert math.isnan(c.loc["A", "missed_identification_rate"])
    assert c.loc["A", "failing"] == ["incidence", "wrong_exit_rate"]
    # B: nobody marked exited (rate 0); missed 2 of 5 unregistered people.
    assert c.loc["B", "wrong_exit_rate"] == 0.0
    assert c.loc["B", "missed_identification_rate"] == pytest.approx(0.4)
    assert c.loc["B", "failing"] == ["missed_identification_rate"]
    # Compulsory education with dropout data: pass at 0, fail at 1.
    r = tg.exit_check(reg, 2018, LINE, extra={"dropouts": [0, 0, 0, 0, 1, 0, 0]})
    assert r.households.loc[4, "failing"] == ["compulsory_education"]
    assert r.households.loc[0, "pass"] and "household.compulsory_education" not in r.unchecked
    # Without exit marks the wrong-exit rate is unmeasurable.
    r = tg.exit_check(reg, 2018, LINE)
    assert r.counties["wrong_exit_rate"].isna().all()
    # The line defaults to the national line of the year.
    assert tg.exit_check(reg, 2016).line == fupin.poverty_line(2016)


CUSTOM = """
name = "custom"

[[household]]
name = "income"
field = "income_per_capita"
op = ">"
value = 1.0
unit = "line"

[[household]]
name = "income_source"
field = "labour"
op = ">="
value = 1

[[household.or]]
field = "dibao"
op = "=="
value = 1

[[household]]
name = "tv"
field = "tv"
op = "=="
value = 1
if_missing = "fail"

[[village]]
name = "roads"
field = "road_share"
op = ">="
value = 0.9
"""


def test_custom_checklist_or_clause_and_missing_field():
    reg = registry([hh(1, labour=1), hh(2, labour=0), hh(3, labour=0), hh(4, income_per_capita=LINE, labour=1)])
    cl = tg.Checklist(CUSTOM)
    r = tg.exit_check(reg, 2019, LINE, checklist=cl, extra={"dibao": [0, 1, 0, 0]},
                      village_extra={"road_share": [0.95]})
    f = r.households["failing"].tolist()
    # tv is missing → fails everywhere; household 3 has neither labour nor dibao; 4 is at the line.
    assert f == [["tv"], ["tv"], ["income_source", "tv"], ["income", "tv"]]
    assert r.villages["pass"].tolist() == [True]
    r = tg.exit_check(reg, 2019, LINE, checklist=cl, extra={"dibao": [0, 1, 0, 0], "tv": [1, 1, 1, 1]},
                      village_extra={"road_share": [0.5]})
    assert r.households["pass"].tolist() == [True, True, False, False]
    assert r.villages["failing"].tolist() == [["roads"]]
    with pytest.raises(fupin.ValidationError) as info:
        tg.exit_check(reg, 2019, LINE, checklist=cl, extra={"tv": [1, 1, 1, 1]})
    assert "dibao" in str(info.value)
    with pytest.raises(fupin.ValidationError) as info:
        tg.exit_check(reg, 2019, LINE, extra={"dropouts": [0, 1]})
    assert info.value.column == "dropouts"


def test_checklist_round_trips():
    nat = tg.Checklist.national()
    assert nat == tg.Checklist() and nat.name == "national"
    assert tg.Checklist.from_toml(nat.to_toml()) == nat
    assert tg.Checklist.from_dict(nat.to_dict()) == nat
    assert pickle.loads(pickle.dumps(nat)) == nat
    d = nat.to_dict()
    d["household"][0]["value"] = 1.2
    assert tg.Checklist(d) != nat
    with pytest.raises(fupin.ValidationError, match="line"):
        tg.Checklist("name = 'x'\n[[household]]\nname = 'a'\nfield = 'size'\nop = '~'\nvalue = 1\n")
    with pytest.raises(fupin.ValidationError):
        tg.Checklist({"name": "x", "household": [{"name": "a", "field": "size", "op": "<", "value": "big"}]})


# ---- record checks -------------------------------------------------------------------------------


def test_record_checks_default_rules_pass_and_fail():
    reg = registry([
        hh(1, income_per_capita=3 * LINE),                       # at 3× the line: passes
        hh(2, income_per_capita=3 * LINE + 1),                   # above: flagged
        hh(3, income_per_capita=10 * LINE, registered=False),    # not registered: passes
        hh(4, size=12), hh(5, size=13),                          # size_above 12
        hh(6, size=3, elderly=2, students=1),                    # equal to size: passes
        hh(7, size=2, elderly=2, students=1, labour=0),          # above size: flagged
        hh(8, head_education_years=22), hh(9, head_education_years=23),
    ])
    out = tg.check_records(reg, LINE)
    assert sorted(out.attrs["skipped"]) == ["duplicate_person", "exited_on_floor"]
    assert list(zip(out["household_id"], out["rule"], strict=True)) == [
        (2, "income_above_line"), (5, "size_above"), (7, "members_exceed_size"),
        (9, "head_education"),
    ]
    assert out["row"].tolist() == [2, 5, 7, 9]
    assert out.loc[1, "values"] == {"size": "13", "max": "12"}
    assert out.loc[2, "values"]["elderly"] == "2"
    # Persons, exit and floor data enable the last two rules.
    persons = pd.DataFrame({"key": ["p1", "p2", "p1", "p3"], "household_id": [1, 2, 3, 3]})
    exited = [False] * 9
    exited[3] = exited[5] = True
    floor = [False] * 9
    floor[3] = floor[7] = True
    out = tg.check_records(reg, LINE, persons=persons, exited=exited, floor=floor)
    assert out.attrs["skipped"] == []
    dup = out[out["rule"] == "duplicate_person"]
    assert dup["household_id"].tolist() == [1, 3]
    assert dup.iloc[0]["values"]["person_key"] == "p1"
    eof = out[out["rule"] == "exited_on_floor"]
    assert eof["household_id"].tolist() == [4]  # exited & floor; 6 exited only; 8 floor only


def test_record_rules_as_data_and_errors():
    reg = registry([hh(1, labour=1), hh(2, labour=0)])
    rules = [{"rule": "range", "name": "no_labour", "field": "labour", "min": 1}]
    out = tg.check_records(reg, LINE, rules=rules)
    assert out["household_id"].tolist() == [2] and out.loc[0, "rule"] == "no_labour"
    rr = tg.RecordRules(rules)
    assert tg.RecordRules.from_toml(rr.to_toml()) == rr
    assert tg.RecordRules(rr.to_dict()) == rr
    assert pickle.loads(pickle.dumps(rr)) == rr
    assert tg.RecordRules().names[:3] == ["income_above_line", "size_above", "members_exceed_size"]
    with pytest.raises(fupin.ValidationError) as info:
        tg.RecordRules([{"rule": "range", "field": "shoe_size", "max": 50}])
    assert info.value.column == "rules[0]" and info.value.value == '"shoe_size"'
    with pytest.raises(fupin.ValidationError) as info:
        tg.check_records(reg, LINE, persons={"key": ["a"], "household_id": [99]})
    assert info.value.column == "household_id"
    with pytest.raises(fupin.ValidationError) as info:
        tg.check_records(reg, -1.0)
    assert info.value.column == "line"


# ---- dynamic adjustment --------------------------------------------------------------------------


def test_adjust_enter_exit_return_left():
    old = registry([
        hh(1, income_per_capita=2000.0),                        # poor → exits
        hh(2, income_per_capita=2000.0),                        # poor → stays poor
        hh(3), hh(4),                                           # exited: 3 returns, 4 stays
        hh(5, registered=False), hh(6, registered=False),       # out: 5 enters, 6 stays out
        hh(7, income_per_capita=2000.0),                        # leaves
    ])
    new = registry([
        hh(1, income_per_capita=4000.0, size=2),
        hh(2, income_per_capita=2500.0),
        hh(3, income_per_capita=2000.0, size=3),
        hh(4, size=2),
        hh(5, income_per_capita=1000.0, size=4),
        hh(6, size=5),
        hh(8, income_per_capita=1500.0, size=2),                # new household below the line
    ])
    exited = [False, False, True, True, False, False, False]
    a = tg.adjust(old, exited, new, LINE)
    ch = a.changes.set_index("household_id")
    assert ch["change"].to_dict() == {
        1: "exit", 2: "stay_poor", 3: "return", 4: "stay_exited", 5: "enter", 6: "stay_out",
        8: "enter", 7: "left",
    }
    assert ch.loc[2, "failing"] == ["income"]
    assert pd.isna(ch.loc[8, "old_row"]) and ch.loc[7, "old_row"] == 7 and pd.isna(ch.loc[7, "new_row"])
    assert (a.entered, a.exits, a.returned, a.left) == (2, 1, 1, 1)
    # Wrong exits: 3 of 3 + 2 exited people; missed: 4 + 2 of 4 + 5 + 2 people outside.
    assert a.wrong_exit_rate == pytest.approx(3 / 5)
    assert a.missed_identification_rate == pytest.approx(6 / 11)
    assert a.registered.tolist() == [True, True, True, True, True, False, True]
    with pytest.raises(fupin.ValidationError) as info:
        tg.adjust(old, [False] * 4 + [True] + [False] * 2, new, LINE)
    assert (info.value.column, info.value.row) == ("exited", 5)
