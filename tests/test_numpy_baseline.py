"""The NumPy baseline of benches/python agrees with the engine: exactly without shocks, and in
distribution with them (the two draw different random numbers)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import fupin

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benches" / "python"))
import numpy_model  # noqa: E402

#: Baseline measure name → engine measure name (``Results.replicate_values``).
PAIRS = {
    "poor_households": "poor_households",
    "poor_people": "poor_people",
    "headcount_ratio": "headcount_ratio",
    "fgt0": "fgt0",
    "fgt1": "fgt1",
    "mean_income": "mean_income",
    "exits": "exits",
    "returns": "returns",
    "health_spending": "health_spending",
}


@pytest.fixture(scope="module")
def taiqian():
    reg = fupin.datasets.county("taiqian")
    return reg, numpy_model.Households.from_frames(reg.households(), reg.villages())


@pytest.fixture(scope="module")
def reweighted(taiqian):
    """Taiqian with survey weights 1, 1.25, 1.5, 1.75 (exact in the engine's 2⁻²⁰ fixed point) and
    every seventh household unregistered (starts non-poor)."""
    reg, _ = taiqian
    h = reg.households().copy()
    i = np.arange(len(h))
    h["weight"] = 1.0 + (i % 4) / 4.0
    h["registered"] = i % 7 != 0
    h = h.drop(columns=["causes", "primary_cause"])
    villages = reg.villages()
    reg2 = fupin.Registry.from_frame(h, villages=villages)
    return reg2, numpy_model.Households.from_frames(reg2.households(), reg2.villages())


def engine_values(reg, model, years, replications, seed):
    res = fupin.simulate(
        reg, [fupin.Scenario("baseline")], model=model, years=years,
        replications=replications, seed=seed, progress=False, household_outputs=False,
    )
    return {m: res.replicate_values(e).to_numpy() for m, e in PAIRS.items()}


@pytest.mark.parametrize("registry", ["taiqian", "reweighted"])
def test_without_shocks_both_are_deterministic_and_agree_exactly(registry, request):
    reg, hh = request.getfixturevalue(registry)
    # Years past the schedule's end with a growing line; no guarantee required but schooling.
    model = fupin.IncomeModel(
        line={"schedule": {2016: 2952.0, 2019: 3218.0, 2020: 4000.0}, "growth_after": 0.05},
        exit={"require_safe_housing": False, "schooling_guaranteed": False},
    ).without_shocks()
    for m in (fupin.IncomeModel().without_shocks(), model):
        years = range(2016, 2024)
        ours = numpy_model.simulate(hh, m.to_dict(), list(years), 2, seed=1)
        theirs = engine_values(reg, m, years, 2, seed=5)
        people = float((hh.weight * hh.size).sum())
        for name in PAIRS:
            a, b = ours[name], theirs[name]
            assert a.shape == b.shape == (2, len(years))
            assert np.array_equal(a[0], a[1]) and np.array_equal(b[0], b[1]), name
            if name == "mean_income":
                # The engine sums income in fen, rounded per household: |error| ≤ 0.005 yuan.
                np.testing.assert_allclose(a, b, rtol=0, atol=0.005)
            elif name == "fgt1":
                # The engine's gap is fixed point 10⁻⁹, rounded per person.
                np.testing.assert_allclose(a, b, rtol=0, atol=5e-10 * people / hh.population)
            else:
                np.testing.assert_array_equal(a, b, err_msg=name)
        # Something happens: exits early, returns when the line jumps in 2020.
        assert ours["exits"][0].sum() > 0 and ours["returns"][0].sum() > 0
        assert ours["health_spending"].sum() == 0


def test_with_shocks_the_two_agree_in_distribution(taiqian):
    reg, hh = taiqian
    model = fupin.IncomeModel()
    years, reps = range(2016, 2021), 200
    ours = numpy_model.simulate(hh, model.to_dict(), list(years), reps, seed=2024)
    theirs = engine_values(reg, model, years, reps, seed=7)
    for name in PAIRS:
        a, b = ours[name], theirs[name]
        se = np.sqrt(a.var(axis=0, ddof=1) / reps + b.var(axis=0, ddof=1) / reps)
        diff = a.mean(axis=0) - b.mean(axis=0)
        # Zero-variance cells (no returns in the first year) must agree exactly.
        assert np.all(np.abs(diff) <= 4 * se), (name, diff, se)
        assert np.all((se > 0) | (diff == 0)), name
    # The shocks matter: the shocked run differs from the deterministic one by many s.e.
    flat = numpy_model.simulate(hh, model.without_shocks().to_dict(), list(years), 1, seed=0)
    se = ours["returns"].std(axis=0, ddof=1) / np.sqrt(reps)
    assert np.any(np.abs(ours["returns"].mean(axis=0) - flat["returns"][0]) > 20 * se)


def test_line_schedule_lookup():
    line = {"schedule": {"2014": 2800.0, "2016": 3000.0}, "growth_after": 0.1}
    assert numpy_model.line_at(line, 2010) == 2800.0
    assert numpy_model.line_at(line, 2015) == 2800.0
    assert numpy_model.line_at(line, 2016) == 3000.0
    assert numpy_model.line_at(line, 2018) == pytest.approx(3000.0 * 1.21, rel=1e-12)
