"""Poverty and inequality metrics from Python, each against an independent NumPy computation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import fupin
from fupin import metrics

RTOL = 1e-12


def np_fgt(y, z, a, w=None):
    w = np.ones_like(y) if w is None else w
    poor = y < z
    g = np.where(poor, (z - y) / z, 0.0)
    terms = np.where(poor, g**a if a > 0 else 1.0, 0.0)
    return float(np.sum(w * terms) / np.sum(w))


def np_watts(y, z, w=None):
    w = np.ones_like(y) if w is None else w
    poor = y < z
    return float(np.sum(w[poor] * np.log(z / y[poor])) / np.sum(w))


def np_gini(y, w=None):
    # Double-sum definition: G = Σ_i Σ_j w_i w_j |y_i − y_j| / (2 (Σw)² μ).
    w = np.ones_like(y) if w is None else w
    mu = np.sum(w * y) / np.sum(w)
    diff = np.abs(y[:, None] - y[None, :])
    return float(np.sum(w[:, None] * w[None, :] * diff) / (2 * np.sum(w) ** 2 * mu))


def np_theil(y, w=None):
    w = np.ones_like(y) if w is None else w
    mu = np.sum(w * y) / np.sum(w)
    r = y / mu
    t = np.where(r > 0, r * np.log(np.where(r > 0, r, 1.0)), 0.0)
    return float(np.sum(w * t) / np.sum(w))


def np_mld(y, w=None):
    w = np.ones_like(y) if w is None else w
    mu = np.sum(w * y) / np.sum(w)
    return float(np.sum(w * np.log(mu / y)) / np.sum(w))


def np_sen(y, z, w=None):
    # Sen = P0 · [I + (1 − I) · G_p], I the income-gap ratio of the poor, G_p their Gini.
    w = np.ones_like(y) if w is None else w
    poor = y < z
    p0 = np.sum(w[poor]) / np.sum(w)
    mu_p = np.sum(w[poor] * y[poor]) / np.sum(w[poor])
    i = (z - mu_p) / z
    return float(p0 * (i + (1 - i) * np_gini(y[poor], w[poor])))


@pytest.fixture(scope="module")
def sample():
    rng = np.random.default_rng(2016)
    y = rng.lognormal(mean=8.0, sigma=0.6, size=400)
    w = rng.uniform(0.5, 3.0, size=400)
    return y, w


def test_world_bank_handbook_example():
    y = [100, 110, 150, 160]
    assert metrics.fgt(y, 125, alpha=0) == 0.5
    assert metrics.fgt(y, 125, alpha=1) == pytest.approx(0.08, rel=RTOL)
    assert metrics.fgt(y, 125, alpha=2) == pytest.approx(0.0136, rel=RTOL)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("alpha", [0.0, 0.5, 1.0, 2.0, 3.0])
def test_fgt_against_numpy(sample, weighted, alpha):
    y, w = sample
    w = w if weighted else None
    z = float(np.median(y))
    assert metrics.fgt(y, z, alpha=alpha, weights=w) == pytest.approx(np_fgt(y, z, alpha, w), rel=RTOL)


@pytest.mark.parametrize("weighted", [False, True])
def test_other_indices_against_numpy(sample, weighted):
    y, w = sample
    w = w if weighted else None
    z = float(np.quantile(y, 0.4))
    assert metrics.watts(y, z, weights=w) == pytest.approx(np_watts(y, z, w), rel=RTOL)
    assert metrics.gini(y, weights=w) == pytest.approx(np_gini(y, w), rel=RTOL)
    assert metrics.theil(y, weights=w) == pytest.approx(np_theil(y, w), rel=RTOL)
    assert metrics.mld(y, weights=w) == pytest.approx(np_mld(y, w), rel=RTOL)
    assert metrics.ge(y, 1.0, weights=w) == pytest.approx(np_theil(y, w), rel=RTOL)
    assert metrics.sen(y, z, weights=w) == pytest.approx(np_sen(y, z, w), rel=1e-11)


def test_hand_values():
    assert metrics.gini([1, 2, 3, 4]) == pytest.approx(0.25, rel=RTOL)
    # One person holds everything: G = (n − 1)/n.
    assert metrics.gini([0, 0, 0, 10]) == pytest.approx(0.75, rel=RTOL)
    # Watts with line e² and incomes 1, e: (2 + 1)/2... over 3 people including one non-poor.
    e = np.e
    assert metrics.watts([1.0, e, 100.0], e**2) == pytest.approx((2 + 1) / 3, rel=RTOL)
    assert metrics.theil([0.0, 2.0]) == pytest.approx(np.log(2), rel=RTOL)


def test_integer_weights_equal_replication(sample):
    y, _ = sample
    k = np.arange(len(y)) % 3 + 1
    rep = np.repeat(y, k)
    z = float(np.median(y))
    for f in (lambda a, w: metrics.fgt(a, z, 1.0, w), metrics.gini, metrics.theil, metrics.mld):
        assert f(y, k.astype(float)) == pytest.approx(f(rep, None), rel=1e-11)


def test_zero_incomes_behaviour():
    assert metrics.fgt([0.0, 200.0], 100.0, alpha=1) == 0.5
    with pytest.raises(fupin.ValidationError) as info:
        metrics.watts([50.0, 0.0], 100.0)
    assert info.value.row == 2
    with pytest.raises(fupin.ValidationError):
        metrics.mld([0.0, 1.0])


def test_errors_name_row_and_value():
    y = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, float("nan")]
    with pytest.raises(fupin.ValidationError) as info:
        metrics.fgt(y, 3.0)
    assert (info.value.column, info.value.row) == ("incomes", 7)
    with pytest.raises(fupin.ValidationError) as info:
        metrics.gini([1.0, 2.0], weights=[1.0, 0.0])
    assert (info.value.column, info.value.row, info.value.value) == ("weights", 2, "0")
    with pytest.raises(fupin.ValidationError):
        metrics.fgt([1.0, -2.0], 3.0)
    with pytest.raises(fupin.ValidationError):
        metrics.fgt([], 3.0)
    with pytest.raises(fupin.ValidationError):
        metrics.fgt([1.0], 0.0)
    with pytest.raises(fupin.ValidationError):
        metrics.fgt([1.0], 3.0, alpha=-1)
    with pytest.raises(fupin.ValidationError):
        metrics.fgt([1.0, 2.0], 3.0, weights=[1.0])


def test_profile_against_pandas(households, villages):
    reg = fupin.Registry.from_frame(households, villages)
    line = 3000.0
    prof = metrics.profile(reg, line)
    # Independent computation with pandas.
    h = households.copy()
    h["people"] = h["size"] * h["weight"]
    h["poor"] = h["income_per_capita"] < line
    h["gap"] = np.where(h["poor"], (line - h["income_per_capita"]) / line, 0.0)
    by_village = h.groupby("village_id").apply(
        lambda g: pd.Series({
            "households": g["weight"].sum(),
            "people": g["people"].sum(),
            "poor_people": g.loc[g["poor"], "people"].sum(),
            "fgt1": (g["people"] * g["gap"]).sum() / g["people"].sum(),
            "fgt2": (g["people"] * g["gap"] ** 2).sum() / g["people"].sum(),
        }),
        include_groups=False,
    )
    got = prof.loc["village"].loc[[1, 2, 3]]
    for column in by_village.columns:
        np.testing.assert_allclose(got[column].to_numpy(float), by_village[column].to_numpy(), rtol=RTOL)
    population = villages.set_index("village_id")["population"]
    incidence = by_village["poor_people"] / population.loc[[1, 2, 3]]
    np.testing.assert_allclose(got["incidence"].to_numpy(float), incidence.to_numpy(), rtol=RTOL)
    assert prof.loc[("village", 4), "people"] == 0  # a village without registered households
    # Overall equals the metric over each member's income.
    members = np.repeat(h["income_per_capita"].to_numpy(), h["size"].to_numpy())
    mw = np.repeat(h["weight"].to_numpy(), h["size"].to_numpy())
    assert prof.loc[("all", "all"), "fgt2"] == pytest.approx(np_fgt(members, line, 2, mw), rel=RTOL)
    # Cause shares: illness is cited by households 101, 103 (w 2), 106 (w 1.5) out of 9.5.
    assert prof.loc[("all", "all"), "share_illness"] == pytest.approx(4.5 / 9.5, rel=RTOL)
    counties = metrics.profile(reg, line, by="county")
    assert list(counties.index) == ["A", "B"]
    assert counties.loc["B", "exit_threshold"] == 0.03


def test_profile_rejects_bad_level(households):
    reg = fupin.Registry.from_frame(households)
    with pytest.raises(fupin.ValidationError):
        metrics.profile(reg, 3000.0, by="province")
