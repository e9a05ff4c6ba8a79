"""The guarantee fund (担保基金): microcredit within capital × leverage; defaults are its losses."""

from __future__ import annotations

import numpy as np
import pytest

import fupin
from fupin.policy import ByCause, Explicit

YEARS = range(2016, 2020)


@pytest.fixture(scope="module")
def county():
    return fupin.datasets.county("changle", seed=3)


def credit_rows(reg, n, year=2016):
    frame = reg.households()
    ok = frame[(frame["labour"] > 0) & frame["registered"]]
    ids = ok["household_id"].tolist()[:n]
    return {"household_id": ids, "measure": ["industry_credit"] * len(ids),
            "start_year": [year] * len(ids)}


def credit(failure, lag=1):
    return fupin.measures.get("industry_credit").replace(failure_probability=failure, lag=lag)


def test_loans_stay_within_the_fund(county):
    # 120,000 × 10 backs 24 loans of 50,000: of 30 asked for, 24 are granted.
    table = credit_rows(county, 30)
    budget = {"yearly": 1e9, "guarantee_fund": {"capital": 120_000, "leverage": 10}}
    p = fupin.plan(county, fupin.Scenario("c", policy=Explicit(table), budget=budget), years=YEARS)
    assert p.budget.attrs["loan_capacity"] == 1_200_000.0
    assert p.budget.attrs["unfunded"] == list(range(24, 30))
    assert p.budget["loans_outstanding"].tolist() == [1_200_000.0] * 3 + [0.0]
    for capital in (0, 50_000, 1e6):
        s = fupin.Scenario("b", policy=ByCause(),
                           budget={"yearly": 1e9, "guarantee_fund": {"capital": capital}})
        b = fupin.plan(county, s, years=YEARS).budget
        assert (b["loans_outstanding"] <= capital * 10).all()
    with pytest.raises(fupin.ValidationError, match="guarantee_fund.leverage"):
        fupin.Scenario("x", policy=ByCause(),
                       budget={"yearly": 1.0, "guarantee_fund": {"leverage": 0}})


def test_defaults_are_losses_of_the_fund(county):
    table = credit_rows(county, 12)
    mk = lambda name, failure, lag=1: fupin.Scenario(  # noqa: E731
        name, policy=Explicit(table), budget=1e9, measures=[credit(failure, lag)])
    res = fupin.simulate(county, [mk("all fail", 1.0), mk("none fail", 0.0),
                                  mk("after term", 1.0, lag=3), fupin.Scenario("base")],
                         years=YEARS, replications=4, seed=2, progress=False)
    t = res.guarantee_losses()
    assert set(t["scenario"]) == {"all fail", "none fail", "after term"}
    # Every venture fails in 2017, inside the 3-year term: 12 loans of 50,000 lost, every replicate.
    a = t[t["scenario"] == "all fail"]
    assert a["mean"].tolist() == [0.0, 600_000.0, 0.0, 0.0]
    assert a["p5"].tolist() == a["p95"].tolist() == a["mean"].tolist()
    assert (t[t["scenario"] != "all fail"]["mean"] == 0).all()
    values = np.asarray(res._native.values("all fail", "guarantee_losses"))
    assert values.shape == (4, 4)

