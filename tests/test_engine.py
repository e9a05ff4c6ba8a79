"""The Monte Carlo engine from Python: determinism, common random numbers, accounting, errors,
cancellation and fork safety."""

from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

import fupin

YEARS = range(2016, 2021)


@pytest.fixture(scope="module")
def county():
    return fupin.datasets.county("pingguo", seed=0)  # 4,152 households, 181 villages


@pytest.fixture(scope="module")
def small():
    return fupin.datasets.synthetic(600, 12, seed=3)


def run(reg, scenarios=None, **kw):
    kw.setdefault("replications", 20)
    kw.setdefault("seed", 11)
    kw.setdefault("progress", False)
    return fupin.simulate(reg, scenarios, years=kw.pop("years", YEARS), **kw)


def test_same_seed_same_results_any_thread_count(county):
    one = run(county, threads=1)
    two = run(county, threads=2)
    eight = run(county, threads=8)
    assert one == two == eight
    pd.testing.assert_frame_equal(one.summary(), eight.summary())
    assert run(county, seed=12) != one


def test_household_order_does_not_matter(county):
    whole = run(county)
    rows = np.random.default_rng(0).permutation(county.n_households)
    shuffled = run(county.select(rows))
    pd.testing.assert_frame_equal(whole.summary(), shuffled.summary())
    pd.testing.assert_frame_equal(whole.villages(), shuffled.villages())
    a = whole.households().set_index("household_id").sort_index()
    b = shuffled.households().set_index("household_id").sort_index()
    pd.testing.assert_frame_equal(a, b)


def test_shards_merge_to_the_whole_run(county):
    whole = run(county)
    village = county.households()["village_id"].to_numpy()
    villages = np.unique(village)
    parts = [np.flatnonzero(np.isin(village, villages[k::3])) for k in range(3)]
    shards = [run(county.select(rows)) for rows in parts]
    merged = shards[2].merge(shards[0]).merge(shards[1])
    pd.testing.assert_frame_equal(merged.summary(), whole.summary())
    pd.testing.assert_frame_equal(merged.villages(), whole.villages())
    pd.testing.assert_frame_equal(merged.counties(), whole.counties())


def test_identical_scenarios_share_their_draws(small):
    res = run(small, [fupin.Scenario("a"), fupin.Scenario("b")], keep_paths=True)
    np.testing.assert_array_equal(res.paths("a")["income"], res.paths("b")["income"])
    s = res.summary()
    pd.testing.assert_frame_equal(s.loc["a"], s.loc["b"])


def test_changing_one_household_changes_no_other(small):
    before = run(small, keep_paths=True).paths("baseline")["income"]
    h = small.households()
    h.loc[5, "income_per_capita"] *= 3
    h.loc[5, "chronic_illness"] = h.loc[5, "size"]
    changed = fupin.Registry.from_frame(h, small.villages())
    after = run(changed, keep_paths=True).paths("baseline")["income"]
    others = np.arange(small.n_households) != 5
    np.testing.assert_array_equal(before[:, others, :], after[:, others, :])
    assert not np.array_equal(before[:, 5, :], after[:, 5, :])


def test_summary_equals_a_direct_count_over_paths(small):
    res = run(small, keep_paths=True, replications=15)
    paths = res.paths("baseline")
    h = small.households()
    people = (h["size"] * h["weight"]).to_numpy()
    weight = h["weight"].to_numpy()
    poor = paths["poor"]  # replicates × households × years
    poor_households = np.einsum("rhy,h->ry", poor, weight)
    poor_people = np.einsum("rhy,h->ry", poor, people)
    s = res.summary().loc["baseline"]
    np.testing.assert_allclose(s["poor_households"], poor_households.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(s["poor_people"], poor_people.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(s["poor_people_p5"], np.percentile(poor_people, 5, axis=0), rtol=1e-12)
    np.testing.assert_allclose(s["poor_people_p95"], np.percentile(poor_people, 95, axis=0), rtol=1e-12)
    population = small.villages()["population"].sum()
    line = np.array([fupin.poverty_line(y) for y in YEARS])
    income_poor = np.einsum("rhy,h->ry", paths["income"] < line, people)
    np.testing.assert_allclose(s["fgt0"], income_poor.mean(axis=0) / population, rtol=1e-12)
    assert np.array_equal(res.replicate_values("poor_people").to_numpy(), poor_people)


def test_without_shocks_income_grows_at_the_growth_rate(small):
    model = fupin.IncomeModel().without_shocks()
    res = run(small, model=model, keep_paths=True, replications=2)
    income = res.paths("baseline")["income"][0]
    start = small.incomes()
    g = model["income"]["growth"]
    h = small.households()
    schooling = (h["students"] * model["schooling"]["cost_per_student"] / h["size"]).to_numpy()
    for t in range(len(YEARS)):
        expected = np.maximum(start * (1 + g) ** (t + 1) - schooling, 0.0)
        np.testing.assert_allclose(income[:, t], expected, rtol=1e-12, atol=1e-9)


def test_a_zero_line_means_nobody_income_poor(small):
    res = run(small, [fupin.Scenario("zero", line=0.0)])
    assert (res.summary()["fgt0"] == 0).all()
    assert (res.summary()["fgt1"] == 0).all()


def test_tables_have_every_village_county_and_household(county):
    res = run(county)
    v = res.villages()
    assert len(v) == county.n_villages
    by_year = v[[f"exited_by_{y}" for y in YEARS]].to_numpy()
    assert (np.diff(by_year, axis=1) >= 0).all()
    np.testing.assert_allclose(by_year[:, -1] + v["not_exited"], 1.0, rtol=1e-12)
    assert len(res.counties()) == county.n_counties
    hh = res.households()
    assert len(hh) == county.n_households
    assert ((hh["never_exit_share"] >= 0) & (hh["never_exit_share"] <= 1)).all()


def test_results_round_trip_json_and_pickle(small):
    res = run(small, [fupin.Scenario("a"), fupin.Scenario("b", line=3500)])
    assert fupin.Results.from_json(res.to_json()) == res
    assert pickle.loads(pickle.dumps(res)) == res
    d = res.to_dict()
    assert d["scenarios"] == ["a", "b"] and len(d["summary"]) == 10
    assert "fupin.Results" in repr(res) and "<table" in res._repr_html_()


def test_model_and_scenario_are_data(tmp_path):
    model = fupin.IncomeModel(income={"growth": 0.05}, disaster={"probability": 0.1}, line=3100)
    assert fupin.IncomeModel.from_toml(model.to_toml()) == model
    assert fupin.IncomeModel.from_json(model.to_json()) == model
    (tmp_path / "m.toml").write_text(model.to_toml())
    assert fupin.IncomeModel.from_toml(tmp_path / "m.toml") == model
    assert model.line(2030) == 3100.0
    scenario = fupin.Scenario("floor", model=model, line={2016: 3000, 2018: 3300})
    assert fupin.Scenario.from_toml(scenario.to_toml()) == scenario
    assert fupin.Scenario.from_json(scenario.to_json()) == scenario
    assert scenario.model == model


def test_bad_parameters_name_the_field(small):
    with pytest.raises(fupin.ValidationError) as info:
        fupin.IncomeModel(health={"base_probability": 1.3})
    assert info.value.column == "health.base_probability"
    with pytest.raises(fupin.ValidationError, match="unknown"):
        fupin.IncomeModel(wages={"x": 1})
    with pytest.raises(fupin.ValidationError):
        fupin.IncomeModel.from_toml("[income]\ngrowht = 0.1\n")
    with pytest.raises(fupin.ValidationError, match="consecutive"):
        run(small, years=[2016, 2018])
    with pytest.raises(fupin.ValidationError):
        run(small, replications=0)
    with pytest.raises(fupin.ValidationError):
        run(small, threads=0)
    with pytest.raises(fupin.ValidationError):
        run(small, [fupin.Scenario("a"), fupin.Scenario("a")])
    with pytest.raises(fupin.ValidationError, match="keep_paths"):
        run(small).paths("baseline")
    with pytest.raises(fupin.ValidationError, match="no scenario"):
        run(small).villages("nope")


def test_progress_callback_and_its_exception_cancel(county):
    calls = []
    run(county, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1] > 0

    class Stop(Exception):
        pass

    def stop(done, total):
        raise Stop

    with pytest.raises(Stop):
        run(county, replications=400, threads=1, progress=stop)


def test_ctrl_c_raises_keyboard_interrupt_and_leaves_no_harm(county):
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        run(county, replications=2000, years=range(2016, 2046), threads=1)
    timer.cancel()
    assert time.monotonic() - started < 60
    # The next run works and is unaffected.
    assert run(county) == run(county, threads=2)


def _child(args):
    reg_payload, seed = args
    reg = pickle.loads(reg_payload)
    return fupin.simulate(reg, replications=5, seed=seed, progress=False).to_json()


def test_forked_children_simulate_after_the_parent(small):
    parent = fupin.simulate(small, replications=5, seed=3, progress=False)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        outputs = pool.map(_child, [(pickle.dumps(small), 3), (pickle.dumps(small), 3)])
    for text in outputs:
        assert fupin.Results.from_json(text) == parent
