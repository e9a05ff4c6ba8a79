"""Results computed once in the core: spending and loss bands, exit projections, shared
statistics, and one name per outcome — each checked against an independent NumPy computation."""

import itertools
import math
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

import fupin
import fupin.timelines as tl
from fupin import _native
from fupin.policy import ByCause


@pytest.fixture(scope="module")
def res():
    reg = fupin.datasets.synthetic(500, 10, seed=5, counties=2)
    s = fupin.Scenario("drip", policy=ByCause(), budget=800_000)
    return fupin.simulate(reg, [fupin.Scenario("baseline"), s], years=range(2016, 2020),
                          replications=9, seed=4, progress=False)


def _band(per):
    return per.mean(), np.percentile(per, 5), np.percentile(per, 95)


@pytest.mark.parametrize("by", [(), ("year",), ("measure",), ("year", "measure")])
def test_spending_bands_match_numpy_over_replicates(res, by):
    measures, values = res.spending_values("drip")  # replicates × years × measures
    table = res.spending(by=by)
    assert list(table.columns) == ["scenario", *by, "mean", "p5", "p95"]
    assert set(table["scenario"]) == {"drip"}  # no policy, no rows
    axis = {"year": 1, "measure": 2}
    keep = [axis[k] for k in by]
    summed = values.sum(axis=tuple(a for a in (1, 2) if a not in keep), keepdims=True)
    labels = {"year": res.years, "measure": measures}
    rows = list(table.itertuples(index=False))
    expected = []
    for pos in itertools.product(*(range(len(labels[k])) for k in by)):
        idx = [slice(None), 0, 0]
        for k, i in zip(by, pos):
            idx[axis[k]] = i
        expected.append(([labels[k][i] for k, i in zip(by, pos)], _band(summed[tuple(idx)])))
    assert len(rows) == len(expected)
    for row, (lab, band) in zip(rows, expected):
        assert list(row[1:1 + len(by)]) == lab
        assert row[-3:] == pytest.approx(band, rel=1e-12, abs=1e-6)


def test_guarantee_losses_and_flows_wrap_the_core(res):
    t = res.guarantee_losses()
    assert list(t.columns) == ["scenario", "year", "mean", "p5", "p95"]
    values = np.asarray(res._native.values("drip", "guarantee_losses"))
    for j, y in enumerate(res.years):
        row = t[t["year"] == y].iloc[0]
        assert (row["mean"], row["p5"], row["p95"]) == pytest.approx(_band(values[:, j]))
    assert res.guarantee_losses("baseline").empty
    f = res.flows_by_cause()
    assert list(f.columns) == ["scenario", "year", "cause", "exits", "returns"]
    # Exits by cause add up to the summary's exits.
    total = f.groupby(["scenario", "year"])["exits"].sum()
    np.testing.assert_allclose(total.loc["drip"].to_numpy(),
                               res.summary().loc["drip", "exits"].to_numpy(), rtol=1e-12)


def test_village_projections_agree_with_the_village_table(res):
    v = res.villages("drip")
    p = tl.exit_projections(res, level="village", deadline=2018, scenario="drip", conf_level=0.8)
    assert list(p["village_id"]) == list(v["village_id"])
    assert list(p["county_id"]) == list(v["county_id"])
    np.testing.assert_allclose(p["p_exit"], v["exited_by_2018"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(p["p_not_within_run"], v["not_exited"], rtol=0, atol=1e-15)
    # Wilson band at z = Φ⁻¹(0.9) over 9 replicates, by hand.
    z, n, q = NormalDist().inv_cdf(0.9), 9.0, p["p_exit"].to_numpy()
    centre = (q + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(q * (1 - q) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    np.testing.assert_allclose(p["p_exit_low"], np.clip(centre - half, 0, 1), atol=1e-14)
    np.testing.assert_allclose(p["p_exit_high"], np.clip(centre + half, 0, 1), atol=1e-14)
    with pytest.raises(fupin.ValidationError, match="conf_level"):
        tl.exit_projections(res, conf_level=1.0)


def test_old_outcome_name_still_works_with_a_warning(res):
    new = res.replicate_values("fgt0", "drip")
    with pytest.warns(DeprecationWarning, match="fgt0"):
        old = res.replicate_values("income_headcount_ratio", "drip")
    pd.testing.assert_frame_equal(old, new)
    # The summary's fgt0 is the mean over replicates of the per-replicate values.
    np.testing.assert_allclose(res.summary().loc["drip", "fgt0"], new.mean(axis=0), rtol=1e-12)
    assert "fgt0" in fupin.results.MEASURES and "income_headcount_ratio" not in fupin.results.MEASURES


def test_shared_statistics_match_independent_values():
    # Published constants at the conventional levels, NormalDist (AS241) elsewhere.
    assert _native.z_for_level(0.95) == 1.959963984540054
    assert _native.z_for_level(0.90) == 1.6448536269514722
    for level in (0.5, 0.8, 0.975):
        assert _native.z_for_level(level) == pytest.approx(
            NormalDist().inv_cdf(0.5 + level / 2), rel=1e-15)
    with pytest.raises(fupin.ValidationError, match="conf_level"):
        _native.z_for_level(1.5)
    z = np.array([-3.1, -0.4, 0.0, 1.2, 2.5, 6.0])
    expected = [math.erfc(abs(v) / math.sqrt(2)) for v in z]
    np.testing.assert_allclose(_native.two_sided_p_values(z), expected, rtol=1e-15)


def test_outcome_names_come_from_the_core():
    # The documented outcomes (README "Simulation"), in table order; the Python tuple is the
    # core's results::Outcome, not a copy.
    assert fupin.results.MEASURES == (
        "poor_households", "poor_people", "headcount_ratio", "fgt0", "fgt1", "fgt2", "exits",
        "returns", "entrants", "mean_income", "health_spending", "programme_spending",
    )
    assert fupin.results.MEASURES == tuple(fupin._native.OUTCOMES)
