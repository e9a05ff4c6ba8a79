"""Parameter objects are native handles: a Scenario built in Python reaches the engine as handles
(no JSON on the way), a budget is validated once (a Budget handle exists only validated), handles
pickle, compare and show a short repr, and the vocabularies are the core's."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pytest

import fupin
from fupin import _native
from fupin.measures import AssetIncome, Industry
from fupin.policy import ByCause, Explicit, Uniform

YEARS = range(2016, 2019)
KW = {"years": YEARS, "replications": 3, "seed": 11, "progress": False}


@pytest.fixture(scope="module")
def small():
    return fupin.datasets.synthetic(300, 6, seed=2, counties=2)


def scenario() -> fupin.Scenario:
    return fupin.Scenario(
        "drip", policy=ByCause(primary_only=True), budget={2016: 4e5, 2017: 2e5},
        measures=[AssetIncome("pv", payout_per_household=3500)],
        model=fupin.IncomeModel(income={"growth": 0.04}), line={2016: 3100.0})


class _CountingJson:
    """Stands in for the ``json`` module of fupin's parameter modules: counts every call."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __getattr__(self, name: str):
        real = getattr(json, name)

        def counted(*args, **kwargs):
            self.calls.append(name)
            return real(*args, **kwargs)
        return counted


# ---- a Scenario reaches the engine without JSON ------------------------------------------------


def test_a_scenario_built_in_python_reaches_the_engine_without_json(small, monkeypatch):
    s, model = scenario(), fupin.IncomeModel(disaster={"probability": 0.0})
    p = fupin.plan(small, s, years=YEARS, model=model)
    counter = _CountingJson()
    for module in (fupin.engine, fupin.policy, fupin.measures, fupin.dynamics, fupin.planning):
        monkeypatch.setattr(module, "json", counter, raising=False)
    res = fupin.simulate(small, [s, fupin.Scenario("base")], model=model, plans={"drip": p}, **KW)
    assert counter.calls == []  # nothing was written or read as JSON on the way in
    monkeypatch.undo()
    # The same scenario and model read back from their JSON run to the same numbers (the handles
    # carry every parameter).
    again = fupin.simulate(small, [fupin.Scenario.from_json(s.to_json()), fupin.Scenario("base")],
                           model=fupin.IncomeModel.from_json(model.to_json()), **KW)
    assert res.summary().equals(again.summary())


def test_the_native_simulate_takes_handles_not_json(small):
    s = scenario()
    args = (1, len(YEARS), 2, 0)
    with pytest.raises(TypeError):
        _native.simulate(small._native, s.to_json(), fupin.IncomeModel()._handle, 2016, *args[1:])
    with pytest.raises(TypeError):
        _native.simulate(small._native, [s._handle], fupin.IncomeModel().to_json(), 2016,
                         *args[1:])
    res = _native.simulate(small._native, [s._handle], fupin.IncomeModel()._handle, 2016,
                           *args[1:])
    assert res.info()["scenario_names"] == ["drip"]


# ---- a budget is validated once: a Budget handle exists only validated --------------------------


def test_a_budget_handle_is_valid_by_construction():
    with pytest.raises(TypeError):
        _native.Budget()  # no constructor but the validating one
    with pytest.raises(fupin.ValidationError) as err:
        _native.Budget.from_json('{"yearly": -1.0}')
    assert err.value.column == "budget.yearly"
    b = _native.Budget.from_json('{"yearly": 5e5, "carry_over": false}')
    assert json.loads(b.to_json()) == {"yearly": 5e5, "carry_over": False}
    # A scenario takes a budget only as a handle (never as text or a dict to re-parse).
    with pytest.raises(TypeError):
        _native.Scenario("x", policy=ByCause()._handle, budget='{"yearly": 1.0}')
    s = _native.Scenario("x", policy=ByCause()._handle, budget=b)
    assert s.parts()["budget"] == b
    # fupin.Scenario passes a handle through as it is.
    assert fupin.Scenario("x", policy=ByCause(), budget=b).budget == {"yearly": 5e5,
                                                                       "carry_over": False}


# ---- pickle, equality, repr -------------------------------------------------------------------


@pytest.mark.parametrize("make", [
    scenario,
    lambda: fupin.Scenario("base"),
    lambda: fupin.IncomeModel(health={"base_probability": 0.1}),
    lambda: Industry("big", grant_per_household=9000),
    lambda: Uniform(mix=["health"], min_intensity=0.5),
    lambda: ByCause(ranking=[3.0, 1.0, 2.0]),
    lambda: Explicit({"household_id": [1, 2], "measure": ["health", "education"],
                      "start_year": [2016, 2017]}),
])
def test_parameter_objects_pickle_and_compare(make):
    a = make()
    back = pickle.loads(pickle.dumps(a))
    assert type(back) is type(a)
    assert back == a and back.to_dict() == a.to_dict()
    assert pickle.loads(pickle.dumps(a._handle)) == a._handle
    assert a != a.to_dict()  # equal only to the same kind of object
    assert len(repr(a)) < 300


def test_handles_differ_when_a_parameter_differs():
    assert Industry(grant_per_household=1) != Industry(grant_per_household=2)
    assert fupin.IncomeModel() != fupin.IncomeModel(income={"growth": 0.0})
    assert fupin.Scenario("a") != fupin.Scenario("b")
    assert Uniform() == Uniform() and Uniform() != ByCause()
    # Maps compare by key, not by order of insertion.
    m1 = ByCause(mapping={"illness": ["health"], "land": ["relocation"]})
    m2 = ByCause(mapping={"land": ["relocation"], "illness": ["health"]})
    assert m1 == m2


def test_a_plan_is_a_handle_with_a_short_repr_and_pickles(small):
    s = scenario()
    p = fupin.plan(small, s, years=YEARS)
    n = len(p.assignments)
    assert n > 0
    text = repr(p)
    assert len(text) < 200 and f"{n} assignments" in text and "2016–2018" in text, text
    assert isinstance(p.native, _native.Plan)
    back = pickle.loads(pickle.dumps(p))
    assert back.native == p.native and back.assignments.equals(p.assignments)
    # The unpickled plan runs to the same numbers as the original.
    a = fupin.simulate(small, [s], plans={"drip": p}, **KW)
    b = fupin.simulate(small, [s], plans={"drip": back}, **KW)
    assert a.summary().equals(b.summary())
    # Its JSON is written only when asked for, and a plan of edited JSON is checked when run.
    assert json.loads(p.json)["years"] == list(YEARS)
    doc = json.loads(p.json)
    doc["assignments"][0]["intensity"] = -1.0
    with pytest.raises(fupin.ValidationError) as err:
        fupin.simulate(small, [s], plans={"drip": p._replace(json=json.dumps(doc))}, **KW)
    assert err.value.column == "plan.assignments[0].intensity"


# ---- vocabularies are the core's --------------------------------------------------------------


def test_vocabularies_are_the_cores():
    # The register's twelve causes plus "other", in code order (建档立卡 codes).
    assert fupin.policy.CAUSES == (
        "illness", "disability", "schooling", "disaster", "marriage", "land", "water", "skills",
        "capital", "labour", "transport", "motivation", "other")
    assert fupin.policy.CAUSES == tuple(_native.CAUSES)
    # Every cause is one the core's ByCause accepts in its mapping; another is refused.
    fupin.Scenario("ok", policy=ByCause(mapping={c: ["health"] for c in fupin.policy.CAUSES}))
    with pytest.raises(fupin.ValidationError):
        fupin.Scenario("bad", policy=ByCause(mapping={"luck": ["health"]}))
    # Kinds: those of the default catalogue's first measures, in catalogue order.
    kinds = [m.kind for m in fupin.measures.defaults()]
    assert fupin.measures.KINDS == tuple(dict.fromkeys(kinds))
    assert fupin.measures.KINDS == tuple(_native.MEASURE_KINDS)
    # The model's sections are the sections of its parameters.
    assert set(_native.INCOME_MODEL_SECTIONS) == set(fupin.IncomeModel().to_dict())
    # A constant line holds from the first year a schedule may name, and not before.
    m = fupin.IncomeModel(line=3000.0)
    assert m.line(_native.FIRST_LINE_YEAR) == 3000.0
    with pytest.raises(fupin.ValidationError):
        m.line(_native.FIRST_LINE_YEAR - 1)
    assert set(_native.RANKINGS) == {"poorest_first", "nearest_line_first"}
    assert np.all([ByCause(ranking=r).to_dict()["ranking"] == r for r in _native.RANKINGS])
