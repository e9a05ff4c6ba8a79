"""Policies, budgets, measures and comparisons from Python: the budget is never exceeded, a zero
budget is the baseline, one household's measure touches no other household, measures have their
documented effects, paired intervals beat unpaired ones, scenarios round-trip, errors name fields.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import fupin
from fupin.measures import AssetIncome, Industry, WelfareFloor
from fupin.policy import ByCause, Explicit, Uniform

YEARS = range(2016, 2021)
T_975_DF19 = 2.093024054408263  # Student t, 97.5 % quantile, 19 degrees of freedom (t tables)


@pytest.fixture(scope="module")
def county():
    return fupin.datasets.county("pingguo", seed=0)  # 4,152 households


@pytest.fixture(scope="module")
def small():
    return fupin.datasets.synthetic(600, 12, seed=3, counties=3)


@pytest.fixture(scope="module")
def taiqian():
    return fupin.datasets.county("taiqian", seed=0)


def run(reg, scenarios, **kw):
    kw.setdefault("replications", 20)
    kw.setdefault("seed", 5)
    kw.setdefault("progress", False)
    return fupin.simulate(reg, scenarios, years=kw.pop("years", YEARS), **kw)


def floor_for_all() -> WelfareFloor:
    return WelfareFloor(eligibility={"vulnerable": False})


# ---- the budget ---------------------------------------------------------------------------------


def test_no_scenario_spends_more_than_its_budget_in_any_year(county):
    budget = 3_000_000.0
    scenarios = [
        fupin.Scenario("uniform", policy=Uniform(), budget=budget),
        fupin.Scenario("by_cause", policy=ByCause(), budget=budget),
        fupin.Scenario("floor", policy=ByCause(mapping={c: ["welfare_floor"] for c in
                                                        fupin.policy.CAUSES}, guarantees=False),
                       budget=budget, measures=[floor_for_all()]),
        fupin.Scenario("no_carry", policy=ByCause(),
                       budget={"yearly": {2016: 4e6, 2017: 1e6, 2019: 2e6}, "carry_over": False}),
    ]
    res = run(county, scenarios)
    spent = res.replicate_values("programme_spending")
    schedule = {
        "uniform": np.full(5, budget), "by_cause": np.full(5, budget), "floor": np.full(5, budget),
        "no_carry": np.array([4e6, 1e6, 0.0, 2e6, 0.0]),
    }
    for name, money in schedule.items():
        per_rep = spent.loc[name].to_numpy()  # replicates × years, yuan
        assert per_rep.shape == (20, 5)
        # Cumulative spending never exceeds the cumulative budget, in every replicate …
        assert (np.cumsum(per_rep, axis=1) <= np.cumsum(money) + 1e-6).all(), name
        # … and without carry-over no year exceeds its own money.
        if name == "no_carry":
            assert (per_rep <= money + 1e-6).all()
            assert (per_rep[:, [2, 4]] == 0).all()
        # Spending by measure adds up to the total, replicate by replicate (exact fen sums).
        measures, values = res.spending_values(name)
        assert len(measures) == values.shape[2] == 11
        np.testing.assert_allclose(values.sum(axis=2), per_rep, rtol=1e-12, atol=1e-6)
    # The budget binds: the planned commitments use nearly all the money of 2016.
    p = fupin.plan(county, scenarios[1])
    assert p.budget.loc[2016, "committed"] > 0.99 * budget
    assert (p.budget["committed"] <= p.budget["available"] + 1e-6).all()


def test_budgets_by_county_bound_each_county(small):
    counties = sorted(small.villages()["county_id"].astype(str).unique())
    assert len(counties) == 3
    amounts = {counties[0]: 200_000.0, counties[1]: 50_000.0, counties[2]: 0.0}
    s = fupin.Scenario("pools", policy=ByCause(), budget={"by_county": amounts})
    res = run(small, [s])
    by_county = res.spending(by=("county", "year"))
    for c, money in amounts.items():
        rows = by_county[by_county["county_id"] == c].sort_values("year")
        assert (np.cumsum(rows["mean"].to_numpy()) <= money * np.arange(1, 6)[: len(rows)] + 1e-6).all()
        if money == 0:
            assert rows.empty
    total = res.replicate_values("programme_spending").loc["pools"].to_numpy()
    assert (np.cumsum(total, axis=1) <= sum(amounts.values()) * np.arange(1, 6) + 1e-6).all()
    assert total.sum() > 0


def test_a_zero_budget_reproduces_the_baseline_exactly(small):
    scenarios = [fupin.Scenario("baseline"),
                 fupin.Scenario("zero_by_cause", policy=ByCause(), budget=0),
                 fupin.Scenario("zero_uniform", policy=Uniform(), budget={2016: 0, 2018: 0.0})]
    res = run(small, scenarios, keep_paths=True)
    summary = res.summary()
    for name in ("zero_by_cause", "zero_uniform"):
        pd.testing.assert_frame_equal(summary.loc[name], summary.loc["baseline"])
        for key in ("income", "poor"):
            np.testing.assert_array_equal(res.paths(name)[key], res.paths("baseline")[key])
        assert fupin.plan(small, scenarios[1]).assignments.empty
    assert (res.spending()["mean"] == 0).all()


# ---- one household, documented effects ----------------------------------------------------------


def test_a_measure_for_one_household_changes_no_other_household(small):
    h = small.households()
    row = 5
    target = h["household_id"].iloc[row]
    table = pd.DataFrame({"household_id": [target], "measure": ["asset_income"],
                          "start_year": [2016]})
    res = run(small, [fupin.Scenario("baseline"),
                      fupin.Scenario("one", policy=Explicit(table))], keep_paths=True)
    base, one = res.paths("baseline")["income"], res.paths("one")["income"]
    others = np.arange(len(h)) != row
    np.testing.assert_array_equal(one[:, others, :], base[:, others, :])
    # The household itself gets the PV payout of 3,000 yuan a year from the second year (lag 1),
    # spread over its members; nothing in the investment year. Net income is never negative: in
    # years when health costs push the baseline to 0, the payout first fills the hole.
    payout = 3000.0 / h["size"].iloc[row]
    gain = one[:, row, :] - base[:, row, :]
    np.testing.assert_array_equal(gain[:, 0], 0.0)
    positive = base[:, row, 1:] > 0
    assert positive.mean() > 0.8
    np.testing.assert_allclose(gain[:, 1:][positive], payout, rtol=1e-9)
    assert ((gain[:, 1:][~positive] >= 0) & (gain[:, 1:][~positive] <= payout + 1e-9)).all()
    # Its spending is the 24,000-yuan investment in 2016, nothing after.
    spend = res.spending(by="year", scenario="one").set_index("year")["mean"]
    assert spend.to_dict() == {2016: 24_000.0, 2017: 0.0, 2018: 0.0, 2019: 0.0, 2020: 0.0}


def test_a_floor_at_the_line_removes_income_poverty_for_its_recipients(county):
    s = fupin.Scenario("floor", policy=Uniform(mix=["welfare_floor"]))  # unlimited: everyone eligible
    p = fupin.plan(county, s)
    recipients = p.assignments.loc[p.assignments["start_year"] == 2016, "household_id"]
    assert (p.assignments["intensity"] == 1.0).all() and len(recipients) > 100
    res = run(county, [fupin.Scenario("baseline"), s], keep_paths=True, replications=10)
    ids = county.households()["household_id"]
    rows = np.flatnonzero(ids.isin(recipients).to_numpy())
    lines = np.array([fupin.poverty_line(y) for y in YEARS])
    income = res.paths("floor")["income"][:, rows, :]
    assert (income >= lines[None, None, :]).all()
    base = res.paths("baseline")["income"][:, rows, :]
    assert (base < lines[None, None, :]).any()  # the floor did something
    # Non-recipients are untouched.
    others = np.setdiff1d(np.arange(len(ids)), rows)
    np.testing.assert_array_equal(res.paths("floor")["income"][:, others, :],
                                  res.paths("baseline")["income"][:, others, :])


def test_health_lowers_the_return_rate_of_ill_households(county):
    s = fupin.Scenario("health", policy=Uniform(mix=["health"]))
    res = run(county, [fupin.Scenario("baseline"), s], replications=40)
    h = county.households()
    ill = (h["chronic_illness"] > 0) & h["registered"].astype(bool)
    hh = res.households()
    base = hh[hh["scenario"] == "baseline"]["return_probability"].to_numpy()[ill.to_numpy()]
    treated = hh[hh["scenario"] == "health"]["return_probability"].to_numpy()[ill.to_numpy()]
    ok = ~np.isnan(base) & ~np.isnan(treated)
    assert treated[ok].mean() < base[ok]. mean()
    # By primary cause: returns per exit of households poor through illness (more of them exit
    # under Health, so the count of returns is not the measure; the rate is).
    flows = res.flows_by_cause()
    illness = flows[flows["cause"] == "illness"].groupby("scenario")[["exits", "returns"]].sum()
    rate = illness["returns"] / illness["exits"]
    assert rate["health"] < rate["baseline"]


def test_flows_by_cause_add_up_to_exits_and_returns(county):
    res = run(county, [fupin.Scenario("by_cause", policy=ByCause(), budget=2e6)], replications=8)
    flows = res.flows_by_cause().groupby("year")[["exits", "returns"]].sum()
    summary = res.summary().loc["by_cause"]
    np.testing.assert_allclose(flows["exits"], summary["exits"], rtol=1e-12)
    np.testing.assert_allclose(flows["returns"].reindex(summary.index, fill_value=0.0),
                               summary["returns"], rtol=1e-12, atol=1e-12)


# ---- comparison ---------------------------------------------------------------------------------


def test_paired_intervals_are_narrower_than_unpaired_on_the_embedded_county(taiqian):
    budget = 111_650_000
    res = run(taiqian, [fupin.Scenario("uniform", policy=Uniform(), budget=budget),
                        fupin.Scenario("by_cause", policy=ByCause(), budget=budget)],
              replications=20, household_outputs=False)
    c = res.compare("uniform", "by_cause")
    assert set(c["quantity"]) == {"exits", "sustained_exits", "poor_households", "poor_people",
                                  "fgt1", "programme_spending", "cost_per_exit",
                                  "cost_per_sustained_exit"}
    poor = c[c["quantity"] == "poor_people"].set_index("year")
    width = lambda lo, hi: hi - lo  # noqa: E731
    assert (width(poor["paired_low"], poor["paired_high"])
            < width(poor["unpaired_low"], poor["unpaired_high"])).all()
    # An independent computation from the per-replicate totals.
    values = res.replicate_values("poor_people")
    a, b = values.loc["uniform"].to_numpy(), values.loc["by_cause"].to_numpy()
    d = b - a
    se = d.std(axis=0, ddof=1) / np.sqrt(20)
    np.testing.assert_allclose(poor["difference"], d.mean(axis=0), rtol=1e-9)
    np.testing.assert_allclose(poor["mean_a"], a.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(poor["paired_se"], se, rtol=1e-9)
    np.testing.assert_allclose(poor["paired_high"] - poor["difference"], T_975_DF19 * se, rtol=1e-6)
    unpaired = np.sqrt(a.var(axis=0, ddof=1) / 20 + b.var(axis=0, ddof=1) / 20)
    np.testing.assert_allclose(poor["unpaired_se"], unpaired, rtol=1e-9)
    # Cost per exit: cumulative spending over cumulative exits, replicate by replicate.
    spend = res.replicate_values("programme_spending").loc["by_cause"].to_numpy()
    exits = res.replicate_values("exits").loc["by_cause"].to_numpy()
    cost = c[c["quantity"] == "cost_per_exit"]["mean_b"].to_numpy()
    np.testing.assert_allclose(cost, (np.cumsum(spend, 1) / np.cumsum(exits, 1)).mean(0), rtol=1e-9)


def test_spending_tables_match_the_core_and_add_up(county):
    s = fupin.Scenario("by_cause", policy=ByCause(), budget=2e6)
    res = run(county, [fupin.Scenario("baseline"), s], replications=12)
    mine = res.spending()
    core = pd.DataFrame(res._native.spending())
    assert list(mine["scenario"].unique()) == ["by_cause"]
    pd.testing.assert_frame_equal(mine.reset_index(drop=True),
                                  core.rename(columns={})[["scenario", "measure", "year", "mean",
                                                           "p5", "p95"]], check_dtype=False)
    by_year = res.spending("year").set_index("year")["mean"]
    np.testing.assert_allclose(by_year, res.summary().loc["by_cause", "programme_spending"],
                               rtol=1e-12)
    total = res.spending(())
    assert total["mean"].iloc[0] == pytest.approx(by_year.sum(), rel=1e-12)
    by_measure = res.spending("measure").set_index("measure")["mean"]
    assert by_measure.sum() == pytest.approx(by_year.sum(), rel=1e-12)
    county_tab = res.spending("county")
    assert county_tab["mean"].sum() == pytest.approx(by_year.sum(), rel=1e-9)
    with pytest.raises(fupin.ValidationError, match="by must name"):
        res.spending("village")


def test_plot_draws_one_line_per_scenario(small):
    import matplotlib.pyplot as plt

    res = run(small, [fupin.Scenario("a"), fupin.Scenario("b", policy=ByCause(), budget=1e5),
                      fupin.Scenario("c", policy=Uniform(), budget=1e5)], replications=5)
    ax = res.plot()
    assert [line.get_label() for line in ax.get_lines()] == ["a", "b", "c"]
    assert len(ax.collections) == 3  # one band each
    plt.close(ax.figure)


# ---- plans --------------------------------------------------------------------------------------


def test_explicit_plan_by_hand(households, villages):
    reg = fupin.Registry.from_frame(households, villages)
    table = {"household_id": [101, 102, 105], "measure": ["industry", "education", "health"],
             "start_year": [2016, 2016, 2017], "intensity": [1.0, 1.0, 0.5]}
    # Unlimited: industry 3,500 once; education 3,000 × 1 student a year; health at half
    # intensity from 2017: (180 × 5 members + 5,000 reimbursement cap) / 2 = 2,950 a year.
    p = fupin.plan(reg, fupin.Scenario("t", policy=Explicit(table)), years=range(2016, 2019))
    assert p.budget.attrs["unlimited"]
    committed = p.committed[["industry", "education", "health"]]
    assert committed.loc[2016].tolist() == [3500.0, 3000.0, 0.0]
    assert committed.loc[2017].tolist() == [0.0, 3000.0, 2950.0]
    assert committed.loc[2018].tolist() == [0.0, 3000.0, 2950.0]
    assert p.assignments["household_id"].tolist() == [101, 102, 105]
    # 4,000 yuan a year without carry-over: industry fits 2016, education does not (unfunded);
    # in 2017 health (2,950) fits.
    s = fupin.Scenario("tight", policy=Explicit(table), budget={"yearly": 4000, "carry_over": False})
    p = fupin.plan(reg, s, years=range(2016, 2019))
    assert p.budget.attrs["unfunded"] == [1]
    assert p.budget["committed"].tolist() == [3500.0, 2950.0, 2950.0]
    assert p.budget["unspent"].tolist() == [500.0, 1050.0, 1050.0]


def test_by_cause_plan_ranks_households_by_hand(households, villages):
    reg = fupin.Registry.from_frame(households, villages)
    health_only = {c: ["health"] for c in fupin.policy.CAUSES}
    # Health reserves 180 per person plus the 5,000 reimbursement cap, per household and year,
    # counted `weight` times. Poorest first: 107 (0 yuan; 2 people, 5,360), 103 (1,200; 1 person,
    # weight 2: 10,360), 101 (2,100; 3 people: 5,540) = 21,260; then 106 (weight 1.5: 8,310) and
    # every other household (≥ 5,360) do not fit the 100 yuan left.
    s = fupin.Scenario("p", policy=ByCause(mapping=health_only, guarantees=False), budget=21_360)
    p = fupin.plan(reg, s, years=[2016])
    assert p.assignments["household_id"].tolist() == [101, 103, 107]
    assert p.budget.loc[2016, "committed"] == 21_260.0
    # Nearest the line (2,952 in 2016) first: 104 (gap 2; 5,360), 106 (8,310); 101 (5,540) does not
    # fit the 100 left.
    s = fupin.Scenario("n", policy=ByCause(mapping=health_only, ranking="nearest_line_first",
                                           guarantees=False), budget=5_360 + 8_310 + 100)
    p = fupin.plan(reg, s, years=[2016])
    assert p.assignments["household_id"].tolist() == [104, 106]
    # Scores in registry order, highest first: 105 then 102 (size 4: 5,720).
    scores = [0, 5, 0, 0, 9, 0, 0, 0]
    s = fupin.Scenario("s", policy=ByCause(mapping=health_only, ranking=scores, guarantees=False),
                       budget=5_900 + 5_720)
    p = fupin.plan(reg, s, years=[2016])
    assert p.assignments["household_id"].tolist() == [102, 105]
    # A second year: recurring premiums are funded first, so with the same money nobody new.
    p = fupin.plan(reg, s, years=[2016, 2017])
    assert p.assignments["start_year"].tolist() == [2016, 2016]
    assert p.budget["committed"].tolist() == [11_620.0, 11_620.0]


# ---- data: measures, round trips, errors --------------------------------------------------------


def test_measure_catalogue_and_variants():
    cat = fupin.measures.catalog()
    assert list(cat.index) == ["industry", "asset_income", "employment", "relocation",
                               "housing_renovation", "welfare_floor", "education", "health",
                               "ecological_compensation", "industry_credit", "dividend_shares"]
    assert cat.loc["industry", "eligibility"] == "registered; labour ≥ 1"
    assert cat.loc["industry_credit", "parameters"]["loan_per_household"] == 50_000.0
    assert cat.loc["health", "parameters"]["premium_per_person"] == 180.0
    pv = AssetIncome("pv", payout_per_household=3500)
    assert pv.kind == "asset_income" and pv.params["investment_per_household"] == 24_000.0
    assert fupin.measures.Measure("asset_income", "pv", payout_per_household=3500) == pv
    assert fupin.measures.get("asset_income").replace("pv", payout_per_household=3500.0) == pv
    assert fupin.measures.Measure.from_dict(pv.to_dict()) == pv
    assert "pv" in fupin.measures.catalog([pv]).index


def scenarios_for_round_trip(reg):
    ids = reg.households()["household_id"]
    return [
        fupin.Scenario("u", policy=Uniform(mix=["industry", "health"], min_intensity=0.05),
                       budget={2016: 1e6, 2017: 2e6}),
        fupin.Scenario("b", policy=ByCause(mapping={"illness": ["health", "welfare_floor"]},
                                           ranking=np.linspace(0, 1, reg.n_households),
                                           primary_only=True),
                       budget={"yearly": 5e5, "carry_over": False}, line=3000),
        fupin.Scenario("e", policy=Explicit({"household_id": ids[:3], "measure": ["pv"] * 3,
                                             "start_year": [2016, 2017, 2017]}),
                       budget=2e5, measures=[AssetIncome("pv", payout_per_household=3500),
                                             Industry(grant_per_household=5000)],
                       model=fupin.IncomeModel(income={"growth": 0.06})),
        fupin.Scenario("n", policy=ByCause(ranking="nearest_line_first", guarantees=False)),
    ]


def test_scenarios_with_policies_round_trip_through_toml_and_json(small, tmp_path):
    scenarios = scenarios_for_round_trip(small)
    for s in scenarios:
        assert fupin.Scenario.from_toml(s.to_toml()) == s
        assert fupin.Scenario.from_json(s.to_json()) == s
        assert fupin.Scenario.from_dict(s.to_dict()) == s
    path = tmp_path / "scenarios.toml"
    fupin.write_scenarios(scenarios, path)
    back = fupin.read_scenarios(path)
    assert back == scenarios
    assert back[2].measures[0] == AssetIncome("pv", payout_per_household=3500)
    assert back[1].budget == {"yearly": 5e5, "carry_over": False}
    assert isinstance(back[2].policy, Explicit) and len(back[2].policy.table()) == 3
    a = run(small, scenarios, replications=3)
    b = run(small, back, replications=3)
    assert a == b


def test_a_scenario_file_written_by_hand(small):
    text = """
[[scenario]]
name = "drip"
budget = { yearly = 150000 }
policy = { rule = "by_cause", ranking = "poorest_first" }

[[scenario]]
name = "pv"
budget = { yearly = { 2016 = 100000, 2017 = 50000 } }

[scenario.policy]
rule = "uniform"
mix = ["pv"]

[[scenario.measures]]
name = "pv"
kind = "asset_income"
payout_per_household = 3500
"""
    drip, pv = fupin.read_scenarios(text)
    assert drip == fupin.Scenario("drip", policy=ByCause(), budget=150_000)
    assert pv.measures == [AssetIncome("pv", payout_per_household=3500)]
    assert pv.policy == Uniform(mix=["pv"])
    plan = fupin.plan(small, pv, years=range(2016, 2019))
    assert set(plan.assignments["measure"]) == {"pv"}
    assert plan.budget["budget"].tolist() == [100_000.0, 50_000.0, 0.0]


@pytest.mark.parametrize(
    ("make", "column"),
    [
        (lambda: fupin.Scenario("x", policy=Uniform(mix=["magic"])), "scenario[x].policy.mix"),
        (lambda: fupin.Scenario("x", policy=Uniform(min_intensity=0)),
         "scenario[x].policy.min_intensity"),
        (lambda: fupin.Scenario("x", policy=ByCause(mapping={"luck": ["health"]})),
         "scenario[x].policy.mapping"),
        (lambda: ByCause(ranking="random"), "policy.ranking"),
        (lambda: fupin.Scenario("x", policy=ByCause(), budget=-5), "budget.yearly"),
        (lambda: fupin.Scenario("x", policy=ByCause(), budget={2016: "lots"}),
         "budget.yearly[2016]"),
        (lambda: fupin.Scenario("x", policy=ByCause(), budget={"yearly": 1, "by_county": {"A": 1}}),
         "budget"),
        (lambda: fupin.Scenario("x", policy=ByCause(), budget={"yearly": 1, "carryover": True}),
         "budget"),
        (lambda: fupin.Scenario("x", budget=100), "scenario[x].budget"),
        (lambda: Industry(failure_probability=1.5), "measures[industry].failure_probability"),
        (lambda: AssetIncome("pv", eligibility={"causes": ["luck"]}),
         "measures[pv].eligibility.causes"),
        (lambda: Explicit({"household_id": [1], "measure": ["health"]}), "start_year"),
        (lambda: fupin.Scenario("x", policy=Explicit({"household_id": [1], "measure": ["health"],
                                                      "start_year": [2016], "intensity": [0.0]})),
         "scenario[x].policy.assignments[0].intensity"),
    ],
)
def test_errors_name_the_field(make, column):
    with pytest.raises(fupin.ValidationError) as err:
        make()
    assert err.value.column == column, str(err.value)
    assert column in str(err.value)


def test_a_budget_without_a_policy_is_refused_from_a_file_too():
    text = '[[scenario]]\nname = "x"\n[scenario.budget]\nyearly = 5.0\n'
    with pytest.raises(fupin.ValidationError) as err:
        fupin.read_scenarios(text)
    assert err.value.column == "scenario[x].budget", str(err.value)


def test_errors_found_when_planning_name_the_field(small):
    s = fupin.Scenario("x", policy=Explicit({"household_id": ["nobody"], "measure": ["health"],
                                             "start_year": [2016]}))
    with pytest.raises(fupin.ValidationError) as err:
        fupin.plan(small, s)
    assert err.value.column == "policy.assignments[0].household"
    with pytest.raises(fupin.ValidationError) as err:
        run(small, [s])
    assert "policy.assignments[0].household" in str(err.value)
    scores = fupin.Scenario("x", policy=ByCause(ranking=[1.0, 2.0]))
    with pytest.raises(fupin.ValidationError, match="score"):
        fupin.plan(small, scores)
    with pytest.raises(fupin.ValidationError, match="no policy"):
        fupin.plan(small, fupin.Scenario("base"))
    res = run(small, [fupin.Scenario("a"), fupin.Scenario("b")], replications=3)
    with pytest.raises(fupin.ValidationError) as err:
        res.compare("a", "b", level=1.5)
    assert err.value.column == "level"
    with pytest.raises(fupin.ValidationError, match="no scenario 'c'"):
        res.compare("a", "c")
