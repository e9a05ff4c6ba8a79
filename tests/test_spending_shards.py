"""Spending by county with bands over replicates, and sharded runs of budgeted policies under the
plan of the whole registry."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import fupin
from fupin.policy import ByCause


@pytest.fixture(scope="module")
def county():
    return fupin.datasets.county("changle", seed=3)


def test_county_spending_has_bands_from_replicates():
    reg = fupin.datasets.synthetic(600, 12, seed=3, counties=3)
    res = fupin.simulate(reg, [fupin.Scenario("u", policy=fupin.policy.Uniform())],
                         years=range(2016, 2019), replications=6, seed=1, progress=False)
    ids, values = res._native.county_spending_values("u")
    values = np.asarray(values)
    assert values.shape[:3] == (3, 6, 3)
    # Counties add up to each replicate's spending exactly (to float rounding of yuan).
    _, per_rep = res.spending_values("u")
    np.testing.assert_allclose(values.sum(axis=0), per_rep, rtol=1e-12)
    tab = res.spending(by=("county", "year"))
    for c, cid in enumerate(ids):
        for t, y in enumerate(range(2016, 2019)):
            per = values[c, :, t, :].sum(axis=1)
            row = tab[(tab["county_id"] == cid) & (tab["year"] == y)]
            if not per.any():
                assert row.empty
                continue
            assert row["mean"].item() == pytest.approx(per.mean(), rel=1e-12)
            assert row["p5"].item() == pytest.approx(np.percentile(per, 5), rel=1e-12)
            assert row["p95"].item() == pytest.approx(np.percentile(per, 95), rel=1e-12)
            assert row["p5"].item() <= row["mean"].item() <= row["p95"].item()
    assert (tab["p95"] > tab["p5"]).any()
    core = pd.DataFrame(res._native.table("county_spending"))
    assert {"p5", "p95"} <= set(core.columns)
    three = res.spending(by=("county", "measure", "year"))
    assert three["mean"].sum() == pytest.approx(tab["mean"].sum(), rel=1e-12)


def test_village_shards_under_the_whole_plan_merge_to_the_whole_run(county):
    s = fupin.Scenario("by_cause", policy=ByCause(), budget=1_200_000)
    years = range(2016, 2020)
    p = fupin.plan(county, s, years=years)
    kw = dict(years=years, replications=4, seed=9, progress=False)
    whole = fupin.simulate(county, [fupin.Scenario("baseline"), s], **kw)
    villages = county.households()["village_id"]
    order = sorted(villages.unique())
    parts = [np.flatnonzero(villages.isin(order[k::3]).to_numpy()) for k in range(3)]
    shards = [fupin.simulate(county.select(rows), [fupin.Scenario("baseline"), s],
                             plans={"by_cause": p}, **kw) for rows in parts]
    merged = shards[0].merge(shards[1]).merge(shards[2])
    for table in ("summary", "villages", "counties"):
        pd.testing.assert_frame_equal(getattr(merged, table)(), getattr(whole, table)())
    pd.testing.assert_frame_equal(merged.spending(), whole.spending())
    pd.testing.assert_frame_equal(merged.spending("county"), whole.spending("county"))
    assert whole.spending()["mean"].sum() > 0
    # Each shard planning its own policy under the same budget would spend more in total.
    naive = [fupin.simulate(county.select(rows), [s], **kw) for rows in parts]
    total = naive[0].merge(naive[1]).merge(naive[2]).spending(())["mean"].item()
    assert total > whole.spending(())["mean"].item() + 1
    with pytest.raises(fupin.ValidationError, match="plans\\[nope\\]"):
        fupin.simulate(county, [s], plans={"nope": p}, **kw)
    with pytest.raises(fupin.ValidationError, match="plan"):
        fupin.simulate(county, [s], plans={"by_cause": p}, **{**kw, "years": range(2016, 2018)})


def test_another_scenarios_plan_is_refused(county):
    years = range(2016, 2019)
    kw = dict(years=years, replications=2, seed=9, progress=False)
    p = fupin.plan(county, fupin.Scenario("a", policy=ByCause(), budget=800_000), years=years)
    richer = fupin.Scenario("a", policy=ByCause(), budget=2_000_000)
    with pytest.raises(fupin.ValidationError, match="scenario\\[a\\]\\.plan.*its budget"):
        fupin.simulate(county, [richer], plans={"a": p}, **kw)
    uniform = fupin.Scenario("a", policy=fupin.policy.Uniform(), budget=800_000)
    with pytest.raises(fupin.ValidationError, match="its policy"):
        fupin.simulate(county, [uniform], plans={"a": p}, **kw)
    # The scenario it was made for runs it.
    own = fupin.simulate(county, [fupin.Scenario("a", policy=ByCause(), budget=800_000)],
                         plans={"a": p}, **kw)
    assert own.spending()["mean"].sum() > 0
