"""Ties are never broken by row position (DESIGN decision 9): every policy and selection routine
gives the same answer, household by household (matched by id), for shuffled rows; quotas are
apportioned in exact arithmetic (checked against ``fractions.Fraction``)."""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

import fupin
from fupin.policy import ByCause, Explicit, Uniform

YEARS = range(2016, 2019)
FUND = {"capital": 40_000, "leverage": 10}  # 400,000 yuan of loans: 8 credits of 50,000


def permutations(n: int, count: int = 3) -> list[np.ndarray]:
    rng = np.random.default_rng(12)
    return [np.arange(n)[::-1].copy()] + [rng.permutation(n) for _ in range(count - 1)]


def assignments_by_id(reg: fupin.Registry, scenario: fupin.Scenario) -> pd.DataFrame:
    p = fupin.plan(reg, scenario, years=YEARS)
    a = p.assignments.astype({"household_id": str})
    a = a.sort_values(list(a.columns), kind="stable").reset_index(drop=True)
    return a, p.budget, p.committed


def tied_registry(n: int = 90) -> fupin.Registry:
    """Households of a few repeated kinds: incomes on a 500-yuan grid, causes calling for credit,
    health, floors and employment, scattered integer ids."""
    i = np.arange(n)
    causes = np.array(["capital", "illness", "skills", "labour"])[i % 4]
    households = pd.DataFrame({
        "household_id": 7919 * i + 100_003,
        "village_id": i % 6,
        "size": 2 + i % 3,
        "income_per_capita": 1500.0 + 500.0 * (i % 4),
        "labour": np.ones(n, dtype=int),
        "elderly": np.zeros(n, dtype=int),
        "students": i % 2,
        "causes": causes,
        "primary_cause": causes,
        "housing_safe": (i % 5) != 0,
        "insured": (i % 7) != 0,
    })
    villages = pd.DataFrame({
        "village_id": np.arange(6),
        "county_id": ["A", "A", "A", "B", "B", "B"],
        "population": np.full(6, 400),
        "region": ["centre"] * 6,
    })
    return fupin.Registry.from_frame(households, villages)


def two_households(order: list[int]) -> fupin.Registry:
    n = len(order)
    households = pd.DataFrame({
        "household_id": order,
        "village_id": [1] * n,
        "size": [3] * n,
        "income_per_capita": [2000.0] * n,
        "labour": [2] * n,
        "causes": ["capital"] * n,
        "primary_cause": ["capital"] * n,
    })
    villages = pd.DataFrame({"village_id": [1], "county_id": ["C"], "population": [100],
                             "region": ["centre"]})
    return fupin.Registry.from_frame(households, villages)


def test_two_identical_households_credit_goes_to_the_lower_id_in_either_order():
    # Money for one and a half industry credits (as the unlimited plan reserves them) funds one
    # of the two identical households, and it must be the lower id whichever row comes first.
    free = fupin.plan(two_households([1, 2]), fupin.Scenario("u", policy=ByCause()), years=[2016])
    one = free.committed.loc[2016, "industry_credit"] / 2
    assert one > 0
    s = fupin.Scenario("c", policy=ByCause(), budget=1.5 * one)
    for order in ([1, 2], [2, 1]):
        p = fupin.plan(two_households(order), s, years=[2016])
        credit = p.assignments[p.assignments["measure"] == "industry_credit"]
        assert credit["household_id"].tolist() == [1], order


@pytest.mark.parametrize("name", ["poorest", "nearest", "score", "by_county", "uniform",
                                  "explicit"])
def test_every_policy_plans_the_same_for_shuffled_rows(name):
    reg = tied_registry()
    n = reg.n_households
    ids = reg.households()["household_id"].to_numpy()
    scores = (np.arange(n) % 5).astype(float)
    tight = {"yearly": 60_000, "guarantee_fund": FUND}
    table = {"household_id": ids[::3], "measure": ["industry_credit", "health", "industry"] * 10,
             "start_year": [2016, 2017] * 15}

    def scenario(rows):
        policy, budget = {
            "poorest": (ByCause(), tight),
            "nearest": (ByCause(ranking="nearest_line_first"), tight),
            "score": (ByCause(ranking=scores[rows]), tight),
            "by_county": (ByCause(), {"by_county": {"A": 30_000, "B": 25_000},
                                      "guarantee_fund": FUND}),
            "uniform": (Uniform(mix=["industry_credit", "health"]),
                        {"yearly": 1e7, "guarantee_fund": {"capital": 30_000, "leverage": 10}}),
            "explicit": (Explicit(table), tight),
        }[name]
        return fupin.Scenario(name, policy=policy, budget=budget)

    want = assignments_by_id(reg, scenario(np.arange(n)))
    assert len(want[0]) > 0
    for rows in permutations(n):
        got = assignments_by_id(reg.select(rows), scenario(rows))
        pd.testing.assert_frame_equal(got[0], want[0])
        pd.testing.assert_frame_equal(got[1], want[1])
        pd.testing.assert_frame_equal(got[2], want[2])


def test_taiqian_by_cause_plan_and_results_do_not_depend_on_row_order():
    taiqian = fupin.datasets.county("taiqian", seed=0)
    rows = permutations(taiqian.n_households, 2)[1]
    s = fupin.Scenario("drip", policy=ByCause(), budget={"yearly": 20_000_000,
                                                        "guarantee_fund": {"capital": 1e7,
                                                                           "leverage": 10}})
    want = assignments_by_id(taiqian, s)
    got = assignments_by_id(taiqian.select(rows), s)
    for g, w in zip(got, want, strict=True):
        pd.testing.assert_frame_equal(g, w)


def test_simulated_tables_do_not_depend_on_row_order():
    reg = tied_registry()
    scenarios = [
        fupin.Scenario("base"),
        fupin.Scenario("drip", policy=ByCause(), budget={"yearly": 40_000, "guarantee_fund": FUND}),
        fupin.Scenario("flood", policy=Uniform(), budget=40_000),
    ]

    def tables(r):
        res = fupin.simulate(r, scenarios, years=YEARS, replications=4, seed=9, progress=False)
        return res.summary(), res.villages(), res.spending()

    want = tables(reg)
    for rows in permutations(reg.n_households, 2):
        for g, w in zip(tables(reg.select(rows)), want, strict=True):
            pd.testing.assert_frame_equal(g, w)


def test_quota_selection_does_not_depend_on_row_order():
    reg = tied_registry()
    n = reg.n_households
    scores = (np.arange(n) % 3).astype(float)  # many ties in every village

    def chosen(r, s, **kw):
        q = fupin.targeting.select_by_quota(r, s, 20, **kw)
        hid = r.households()["household_id"].to_numpy()
        return sorted(hid[q.selected].tolist()), q.villages

    for kw in ({"threshold": 1.5}, {"poverty": {v: 1.0 for v in range(6)}}):
        want = chosen(reg, scores, **kw)
        for rows in permutations(n):
            got = chosen(reg.select(rows), scores[rows], **kw)
            assert got[0] == want[0]
            pd.testing.assert_frame_equal(got[1], want[1])
    # Labels with ids: the lower id wins a tie, wherever its row is.
    villages = ["v"] * 3
    for order in ([30, 10, 20], [10, 20, 30], [20, 30, 10]):
        q = fupin.targeting.select_by_quota(villages, [1.0, 1.0, 1.0], 1, poverty=[1.0],
                                            ids=order)
        assert np.asarray(order)[q.selected].tolist() == [10]
    with pytest.raises(fupin.ValidationError) as e:
        fupin.targeting.select_by_quota(villages, [1.0] * 3, 1, poverty=[1.0], ids=[1, 2, 1])
    assert (e.value.column, e.value.row) == ("ids", 3)


def test_pmt_fit_and_selection_do_not_depend_on_row_order():
    reg = fupin.datasets.county("changle", seed=1)
    df = reg.households()
    df = df.assign(income=df["income_per_capita"].clip(lower=1.0))
    proxies = ["size", "labour", "head_education_years"]
    fit = fupin.targeting.ProxyMeansTest.fit(df, target="income", proxies=proxies)
    pred = fit.predict(df)
    cut = float(np.median(pred))
    want = sorted(df["household_id"][pred < cut].tolist())
    for rows in permutations(len(df)):
        d = df.iloc[rows].reset_index(drop=True)
        f = fupin.targeting.ProxyMeansTest.fit(d, target="income", proxies=proxies)
        pd.testing.assert_frame_equal(f.coefficients, fit.coefficients, check_exact=True)
        p = f.predict(d)
        assert sorted(d["household_id"][p < cut].tolist()) == want


def test_adjustment_does_not_depend_on_row_order():
    old = tied_registry()
    h = old.households()
    h["weight"] = 0.3 + 0.1 * (np.arange(len(h)) % 7)
    h["income_per_capita"] = h["income_per_capita"] * np.where(np.arange(len(h)) % 4 == 0, 2.5, 0.9)
    new = fupin.Registry.from_frame(h.iloc[5:], old.villages())
    exited = (np.arange(len(h)) % 3) == 0

    def summary(o, e, nw):
        a = fupin.targeting.adjust(o, e, nw, 3000.0)
        c = a.changes[["household_id", "change"]].sort_values("household_id").reset_index(drop=True)
        return c, a.wrong_exit_rate, a.missed_identification_rate, (a.entered, a.exits, a.left)

    want = summary(old, exited, new)
    assert want[3][2] == 5
    for p_old, p_new in zip(permutations(old.n_households), permutations(new.n_households),
                            strict=True):
        got = summary(old.select(p_old), exited[p_old], new.select(p_new))
        pd.testing.assert_frame_equal(got[0], want[0])
        assert got[1:] == want[1:]


def test_exit_check_does_not_depend_on_row_order():
    reg = tied_registry()
    h = reg.households()
    n = len(h)
    # Fractional weights: their sums depend on the order of addition.
    h["weight"] = np.array([0.1, 0.2, 0.3, 0.7])[np.arange(n) % 4]
    reg = fupin.Registry.from_frame(h, reg.villages())
    exited = (np.arange(n) % 4) == 0

    def report(r, e):
        rep = fupin.targeting.exit_check(r, 2018, 3500.0, exited=e)
        hh = rep.households.drop(columns="row").astype({"failing": str})
        hh = hh.sort_values("household_id").reset_index(drop=True)
        return hh, rep.villages, rep.counties

    want = report(reg, exited)
    for rows in permutations(n):
        for g, w in zip(report(reg.select(rows), exited[rows]), want, strict=True):
            pd.testing.assert_frame_equal(g, w, check_exact=True)


# ---- exact Hamilton apportionment ------------------------------------------------------------


def hamilton_exact(total: int, poverty: list[Fraction], capacity: list[int] | None) -> list[int]:
    """The documented procedure in exact rationals: largest remainders, ties to the lower index;
    a unit over its capacity is capped and the excess apportioned again among units with room
    (by poverty, or by remaining capacity once every unit with poverty is full)."""
    n = len(poverty)
    cap = capacity if capacity is not None else [None] * n
    quota = [0] * n
    is_open = [c is None or c > 0 for c in cap]
    remaining = total
    while remaining > 0:
        pool = [i for i in range(n) if is_open[i] and poverty[i] > 0]
        shares = poverty
        if not pool:
            pool = [i for i in range(n) if is_open[i]]
            shares = [Fraction(cap[i] - quota[i]) for i in range(n)]
        s = sum(shares[i] for i in pool)
        exact = {i: remaining * shares[i] / s for i in pool}
        seats = {i: exact[i].numerator // exact[i].denominator for i in pool}
        left = remaining - sum(seats.values())
        for i in sorted(pool, key=lambda i: (-(exact[i] - seats[i]), i))[:left]:
            seats[i] += 1
        excess = 0
        for i in pool:
            quota[i] += seats[i]
            if cap[i] is not None and quota[i] >= cap[i]:
                excess += quota[i] - cap[i]
                quota[i] = cap[i]
                is_open[i] = False
        remaining = excess
    return quota


def test_allocate_quota_reproducer():
    # 2 × (4, 1, 1)/6: floors 1, 0, 0 and three remainders of exactly 1/3 → the lower index.
    assert fupin.targeting.allocate_quota(2, [4, 1, 1]).tolist() == [2, 0, 0]
    q = fupin.targeting.select_by_quota(["a"] * 4 + ["b"] + ["c"], [1.0] * 6, 2,
                                        poverty={"a": 4, "b": 1, "c": 1})
    assert q.villages["quota"].tolist() == [2, 0, 0]


def test_allocate_quota_equals_exact_rational_apportionment():
    rng = random.Random(2016)
    pool = [0.0, 0.1, 0.2, 0.3, 1 / 3, 0.5, 1.0, 2.0, 3.0, 4.0, 7.0, 1e-3, 12.5, 1e6]
    for _ in range(1500):
        n = rng.randint(1, 7)
        poverty = [rng.choice(pool) for _ in range(n)]
        if not any(poverty):
            poverty[0] = 1.0
        capacity = [rng.randint(0, 12) for _ in range(n)] if rng.random() < 0.5 else None
        room = sum(capacity) if capacity is not None else 40
        if capacity is not None and not room:
            continue
        total = rng.randint(0, room)
        want = hamilton_exact(total, [Fraction(p) for p in poverty], capacity)
        got = fupin.targeting.allocate_quota(total, poverty, capacity).tolist()
        assert got == want, (total, poverty, capacity)
