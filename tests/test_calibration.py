"""Calibration and projections, as users call them, against independent computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import fupin
from fupin import timelines as tl
from fupin._projections import _summarise

QUIET_HEALTH = {
    "base_probability": 0.0,
    "chronic_probability": 0.0,
    "disability_probability": 0.0,
    "elderly_probability": 0.0,
}


def _panel(reg: fupin.Registry, res: fupin.Results, replicate: int = 0) -> pd.DataFrame:
    hh = reg.households()
    inc = res.paths(res.scenarios[0])["income"][replicate]
    n, t = inc.shape
    first = res.years[0] - 1
    return pd.DataFrame(
        {
            "household_id": np.repeat(hh["household_id"].to_numpy(), t + 1),
            "village_id": np.repeat(hh["village_id"].to_numpy(), t + 1),
            "year": np.tile(np.arange(first, first + t + 1), n),
            "income": np.column_stack([hh["income_per_capita"].to_numpy(), inc]).reshape(-1),
        }
    )


@pytest.fixture(scope="module")
def simulated_panel() -> pd.DataFrame:
    reg = fupin.datasets.synthetic(3000, 30, seed=5)
    model = fupin.IncomeModel(health=QUIET_HEALTH, schooling={"cost_per_student": 0.0})
    res = fupin.simulate(reg, model=model, years=range(2014, 2024), replications=1, seed=2024,
                         keep_paths=True, progress=False)
    return _panel(reg, res)


def test_calibrate_income_recovers_the_simulated_parameters(simulated_panel):
    cal = tl.calibrate_income(simulated_panel, village="village_id", bootstrap=99, seed=1)
    truth = {
        "income.growth": (0.089, 0.01),
        "income.persistence": (0.7, 0.15),
        "income.persistent_sd": (0.15, 0.03),
        "income.transitory_sd": (0.25, 0.04),
        "initial_sd": (0.15, 0.05),
        "disaster.probability": (0.05, 0.03),
        "disaster.income_loss": (0.3, 0.05),
    }
    assert list(cal.table.index) == list(truth)
    for name, (value, max_se) in truth.items():
        est, se = cal.table.loc[name, ["estimate", "std_err"]]
        assert 0 < se < max_se, name
        assert abs(est - value) < 3 * se, (name, est, se, value)
    # The 95 % interval is estimate ± 1.96 se.
    row = cal.table.loc["income.growth"]
    assert row.ci_upper - row.estimate == pytest.approx(1.959964 * row.std_err, rel=1e-6)
    # The model carries the estimates.
    m = cal.model()
    assert m["income"]["growth"] == pytest.approx(cal.table.loc["income.growth", "estimate"])
    assert m["disaster"]["probability"] == pytest.approx(
        cal.table.loc["disaster.probability", "estimate"]
    )
    # Observed covariances are the within-village × year sample covariances of the growths.
    p = simulated_panel.sort_values(["household_id", "year"])
    x = np.log(p["income"].to_numpy()).reshape(3000, 11)
    g = np.diff(x, axis=1)[:, 1:]  # growths of panel years 2…T
    v = p["village_id"].to_numpy()[::11]
    dm = g - pd.DataFrame(g).groupby(v).transform("mean").to_numpy()
    dof = 3000 - len(np.unique(v))
    c = dm.T @ dm / dof
    assert cal.covariances["observed"].iloc[0] == pytest.approx(c[0, 0], rel=1e-9)
    assert cal.covariances["observed"].iloc[1] == pytest.approx(c[0, 1], rel=1e-9)
    assert cal.info["households"] == 3000 and cal.info["clusters"] == 30


def test_flag_columns_give_shares_of_flagged_years():
    rng = np.random.default_rng(4)
    n, years = 200, np.arange(2010, 2016)
    hh = np.repeat(np.arange(n), len(years))
    village = hh % 10
    yr = np.tile(years, n)
    income = np.exp(8 + 0.05 * (yr - 2010) + rng.normal(0, 0.2, len(hh)))
    health = rng.random(len(hh)) < 0.1
    vy = rng.random((10, len(years))) < 0.2
    disaster = vy[village, yr - 2010]
    df = pd.DataFrame({"household_id": hh, "village_id": village, "year": yr, "income": income,
                       "health": health, "disaster": disaster})
    cal = tl.calibrate_income(df, village="village_id", health="health", disaster="disaster",
                              bootstrap=20)
    later = yr > 2010
    assert cal.table.loc["health.shock_rate", "estimate"] == pytest.approx(health[later].mean())
    assert cal.table.loc["disaster.probability", "estimate"] == pytest.approx(vy[:, 1:].mean())
    assert cal.info["flagged"] == vy[:, 1:].sum()


def test_calibrate_income_names_bad_input():
    df = pd.DataFrame({"household_id": ["a"] * 5 + ["b"] * 4, "year": list(range(5)) + list(range(4)),
                       "income": [1.0] * 9})
    with pytest.raises(fupin.ValidationError, match="'b'"):
        tl.calibrate_income(df)
    df = pd.DataFrame({"household_id": [1] * 5, "year": range(5), "income": [1, 2, 0, 3, 4.0]})
    with pytest.raises(fupin.ValidationError, match="row 3"):
        tl.calibrate_income(df)


def test_calibrate_headcount_recovers_growth_from_a_path_of_the_model():
    reg = fupin.datasets.synthetic(4000, 40, seed=9)
    truth = fupin.IncomeModel(income={"growth": 0.07})
    one = fupin.simulate(reg, model=truth, years=range(2016, 2024), replications=1, seed=77,
                         progress=False, household_outputs=False)
    target = one.replicate_values("fgt0").iloc[0]
    cal = tl.calibrate_headcount(
        reg, target, {"income.growth": (0.03, -0.05, 0.25, 0.01)},
        model=truth.replace(income={"growth": 0.03}), measure="fgt0",
        replications=12, seed=3,
    )
    est, se = cal.table.loc["income.growth", ["estimate", "std_err"]]
    assert 0 < se < 0.01
    assert abs(est - 0.07) < 3 * se
    assert cal.model["income"]["growth"] == pytest.approx(est)
    assert list(cal.fit["year"]) == list(range(2016, 2024))
    assert np.allclose(cal.fit["residual"], cal.fit["simulated"] - cal.fit["target"])
    with pytest.raises(fupin.ValidationError, match="income.speed"):
        tl.calibrate_headcount(reg, target, {"income.speed": (0.1, 0, 1)})
    with pytest.raises(fupin.ValidationError, match="consecutive"):
        tl.calibrate_headcount(reg, {2016: 1.0, 2018: 2.0}, {"income.growth": (0.1, 0, 1)})


def test_summary_of_a_hand_made_exit_distribution():
    # Unit 0: exits in 2016 (0.2), 2017 (0.3), 2018 (0.1), not within the run (0.4).
    dist = np.array([[0.2, 0.3, 0.1, 0.4], [1.0, 0.0, 0.0, 0.0]])
    s = _summarise(dist, [2016, 2017, 2018], 100, 2017, 0.90)
    assert s["p_exit"].tolist() == pytest.approx([0.5, 1.0])
    # (0.2·2016 + 0.3·2017 + 0.1·2018)/0.6 = 2016.8333…
    assert s["expected_exit_year"].iloc[0] == pytest.approx(2016 + 5 / 6)
    assert s.loc[0, ["exit_year_p5", "exit_year_median", "exit_year_p95"]].tolist() == [
        2016.0, 2017.0, np.inf]
    # Wilson band for 50/100 at z = 1.6449: 0.5 ± 0.0807.
    z = 1.6448536269514722
    half = z * np.sqrt(0.25 / 100 + z * z / 40000) / (1 + z * z / 100)
    assert s.loc[0, "p_exit_high"] - 0.5 == pytest.approx(half)
    assert s.loc[1, "p_exit_high"] == 1.0
    with pytest.raises(fupin.ValidationError, match="deadline"):
        _summarise(dist, [2016, 2017, 2018], 100, 2020, 0.9)


@pytest.fixture(scope="module")
def run():
    reg = fupin.datasets.synthetic(600, 12, seed=2)
    res = fupin.simulate(reg, years=range(2016, 2021), replications=40, seed=8, keep_paths=True,
                         progress=False)
    return reg, res


def _first_exit_years(reg, res):
    poor = res.paths("baseline")["poor"]
    base = reg.households()["registered"].to_numpy(dtype=bool)
    prev = np.concatenate([np.broadcast_to(base, poor.shape[:2])[:, :, None], poor[:, :, :-1]], 2)
    exit_ = prev & ~poor
    years = np.array(res.years, dtype=float)
    first = np.where(exit_.any(2), years[np.argmax(exit_, 2)], np.inf)
    return first  # replicates × households


def test_household_projections_match_paths(run):
    reg, res = run
    first = _first_exit_years(reg, res)
    proj = tl.exit_projections(res, level="household", deadline=2018)
    assert np.allclose(proj["p_exit"], (first <= 2018).mean(0))
    with np.errstate(invalid="ignore"):
        mean = np.where(np.isfinite(first), first, 0).sum(0) / np.isfinite(first).sum(0)
    ok = np.isfinite(first).any(0)
    assert np.allclose(proj["expected_exit_year"][ok], mean[ok])
    assert proj["expected_exit_year"][~ok].isna().all()
    med = np.array([np.sort(first[:, h])[int(np.ceil(0.5 * 40)) - 1] for h in range(600)])
    assert np.array_equal(proj["exit_year_median"].to_numpy(), med)


def test_at_risk_lists_villages_below_threshold_most_at_risk_first(run):
    _, res = run
    risky = tl.at_risk(res, deadline=2019, threshold=0.5)
    v = res.villages()
    expected = v.loc[v["exited_by_2019"] < 0.5, "village_id"]
    assert sorted(risky["village_id"]) == sorted(expected)
    assert (np.diff(risky["p_miss"]) <= 0).all()
    assert np.allclose(risky["p_miss"], 1 - risky["p_exit"])
    assert "county_id" in risky
    counties = tl.exit_projections(res, level="county")
    assert np.allclose(counties["p_exit"], res.counties()["exited_by_2020"])
    with pytest.raises(fupin.ValidationError, match="level"):
        tl.exit_projections(res, level="township")


def test_simulated_spells_match_first_exits(run):
    reg, res = run
    sp = tl.simulated_spells(res, registry=reg)
    first = _first_exit_years(reg, res)
    registered = reg.households()["registered"].to_numpy(dtype=bool)
    assert len(sp) == 40 * registered.sum()
    hid = reg.households()["household_id"].to_numpy()
    pos = {h: i for i, h in enumerate(hid)}
    cols = np.array([pos[h] for h in sp["household_id"]])
    f = first[sp["replicate"].to_numpy(), cols]
    assert np.array_equal(sp["observed"].to_numpy(), np.isfinite(f))
    want = np.where(np.isfinite(f), f - 2015, 5)
    assert np.array_equal(sp["duration"].to_numpy(), want)
    assert (sp["start_year"] == 2015).all()
