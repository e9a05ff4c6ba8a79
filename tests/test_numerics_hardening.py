"""Issue 12, items 5, 6 and 11 as users meet them: tampered results and plan JSON refused with a
ValidationError naming the field, money beyond the exact range refused naming the household, and
no NaN from extreme but accepted metric inputs (checked against exact rational arithmetic)."""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest

import fupin
from conftest import small_households, small_villages
from fupin.policy import ByCause

KW = dict(years=range(2016, 2019), replications=2, seed=1, progress=False)


def exact_fgt(incomes, line, alpha, weights):
    """FGT(α) for integer α in exact rational arithmetic."""
    z = Fraction(line)
    num = sum(Fraction(w) * ((z - Fraction(y)) / z) ** alpha
              for y, w in zip(incomes, weights) if Fraction(y) < z)
    return num / sum(Fraction(w) for w in weights)


def exact_gini(incomes, weights):
    """The weighted Gini by its double-sum definition, in exact rational arithmetic."""
    ys = [Fraction(y) for y in incomes]
    ws = [Fraction(w) for w in weights]
    pairs = sum(wi * wj * abs(yi - yj) for yi, wi in zip(ys, ws) for yj, wj in zip(ys, ws))
    total = sum(ws)
    return pairs / (2 * total * sum(w * y for y, w in zip(ys, ws)))


# Item 11: metrics.

@pytest.mark.parametrize("w", [5e-324, 1e-310, 1e300, 1e308, 1.7e308])
def test_fgt_and_gini_with_extreme_weights_match_exact_arithmetic(w):
    incomes, weights = [50.0, 80.0, 200.0, 20.0], [w, 2 * w if w < 1e308 else w, w, w]
    for alpha in (0, 1, 2):
        got = fupin.metrics.fgt(incomes, 100.0, alpha=alpha, weights=weights)
        assert got == pytest.approx(float(exact_fgt(incomes, 100.0, alpha, weights)), rel=1e-12)
    assert fupin.metrics.gini(incomes, weights=weights) == pytest.approx(
        float(exact_gini(incomes, weights)), rel=1e-12)


def test_sen_with_huge_weights_is_the_unweighted_value():
    hb = [100.0, 110.0, 150.0, 160.0]
    # Handbook example: P0 = 1/2, mean of the poor 105, Gini of the poor 1/42 → 0.09.
    assert fupin.metrics.sen(hb, 125.0, weights=[1e300] * 4) == pytest.approx(0.09, rel=1e-12)


def test_theil_and_mld_with_subnormal_incomes_are_finite():
    # theil([5e-324, 100]): the tiny row's share is below rounding, so T = ln 2.
    assert fupin.metrics.theil([5e-324, 100.0]) == pytest.approx(math.log(2), rel=1e-12)
    # mld is scale-invariant: ×2^200 makes both incomes ordinary numbers.
    scaled = [1e-310 * 2.0**200, 2.0**200]
    assert fupin.metrics.mld([1e-310, 1.0]) == pytest.approx(
        fupin.metrics.mld(scaled), rel=1e-12)


def test_ge_without_a_finite_answer_is_a_named_error():
    for alpha in (1e6, -1e6):
        with pytest.raises(fupin.ValidationError, match="alpha"):
            fupin.metrics.ge([1.0, 2.0], alpha)
    assert fupin.metrics.ge([3.0, 3.0], 1e6) == 0.0


# Item 6: money beyond the exact range.

def test_an_income_beyond_the_money_range_is_refused_naming_the_row():
    hh = small_households()
    hh.loc[2, "income_per_capita"] = 1e17  # 10^19 fen > 2^63
    reg = fupin.Registry.from_frame(hh, villages=small_villages())
    with pytest.raises(fupin.ValidationError) as info:
        fupin.simulate(reg, [fupin.Scenario("baseline")], **KW)
    assert info.value.column == "income_per_capita"
    assert info.value.row == 3


# Item 5: tampered results and plans.

@pytest.fixture(scope="module")
def run():
    reg = fupin.Registry.from_frame(small_households(), villages=small_villages())
    return fupin.simulate(reg, [fupin.Scenario("baseline")], **KW)


def test_results_json_without_scenarios_is_a_validation_error(run):
    doc = json.loads(run.to_json())
    doc["scenarios"] = []
    with pytest.raises(fupin.ValidationError, match="results.scenarios"):
        fupin.Results.from_json(json.dumps(doc))


def test_results_json_with_a_bad_county_index_is_a_validation_error(run):
    doc = json.loads(run.to_json())
    doc["villages"]["county"][1] = 99
    with pytest.raises(fupin.ValidationError, match=r"results\.villages\.county\[1\]"):
        fupin.Results.from_json(json.dumps(doc))


@pytest.fixture(scope="module")
def county_plan():
    county = fupin.datasets.county("changle", seed=3)
    s = fupin.Scenario("by_cause", policy=ByCause(), budget=2_000_000)
    return county, s, fupin.plan(county, s, years=KW["years"])


@pytest.mark.parametrize("field,value", [
    ("intensity", -1.0), ("intensity", 1e6), ("intensity", 1e300),
    ("start_year", 0), ("start_year", 65_535), ("measure", 500),
])
def test_a_tampered_plan_is_refused_naming_the_field(county_plan, field, value):
    county, s, p = county_plan
    doc = json.loads(p.json)
    doc["assignments"][3][field] = value
    bad = p._replace(json=json.dumps(doc))
    with pytest.raises(fupin.ValidationError) as info:
        fupin.simulate(county, [s], plans={"by_cause": bad}, **KW)
    assert info.value.column == f"plan.assignments[3].{field}"


def test_a_plan_with_negative_loan_capacity_is_refused(county_plan):
    county, s, p = county_plan
    doc = json.loads(p.json)
    doc["loan_capacity"] = -1
    with pytest.raises(fupin.ValidationError, match="plan.loan_capacity"):
        fupin.simulate(county, [s], plans={"by_cause": p._replace(json=json.dumps(doc))}, **KW)
    # The untampered plan runs.
    assert fupin.simulate(county, [s], plans={"by_cause": p}, **KW).spending()["mean"].sum() > 0
