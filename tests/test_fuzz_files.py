"""Property-based fuzzing of fupin's documents: scenario files (TOML/JSON), income-model parameters,
plans (JSON) and results (JSON) — generated round trips and mutated (tampered, corrupted) texts.

Contract (see ``_fuzz.py``): a document is either refused with a fupin error, or accepted and then
everything built on it works — round trips are exact, simulations finish with finite tables, no
scenario spends more than its budget — and never a panic, another exception type or a hang.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

import numpy as np
from _fuzz import Refused, check_finite, fuzz, guarded, outcome
from hypothesis import strategies as st

import fupin

YEARS = range(2016, 2019)

# ---- fixtures built once (the same for every example) --------------------------------------


@functools.cache
def registry() -> fupin.Registry:
    """30 households in 3 villages of 2 counties, varied enough for every measure."""
    n = 30
    rng = np.random.default_rng(7)
    households = {
        "household_id": np.arange(1001, 1001 + n),
        "village_id": np.arange(n) % 3 + 1,
        "size": rng.integers(1, 6, n),
        "income_per_capita": rng.uniform(1000, 6000, n).round(2),
        "elderly": np.zeros(n, dtype=np.int64),
        "students": (np.arange(n) % 4 == 0).astype(np.int64),
        "chronic_illness": (np.arange(n) % 3 == 0).astype(np.int64),
        "inhospitable": np.arange(n) % 7 == 0,
        "causes": [["illness", "skills", "capital;labour", "land", "schooling"][i % 5]
                   for i in range(n)],
    }
    villages = {"village_id": [1, 2, 3], "county_id": [1, 1, 2],
                "population": [2000, 1500, 1800], "region": ["centre", "centre", "west"]}
    return fupin.Registry.from_frame(households, villages)


@functools.cache
def scenarios() -> tuple[fupin.Scenario, ...]:
    return (
        fupin.Scenario("base"),
        fupin.Scenario("drip", policy=fupin.policy.ByCause(), budget=60_000),
        fupin.Scenario("flood", policy=fupin.policy.Uniform(), budget={2016: 50_000, 2017: 0}),
        fupin.Scenario("line", line=3500),
    )


@functools.cache
def base_plan() -> fupin.Plan:
    return fupin.plan(registry(), scenarios()[1], years=YEARS)


@functools.cache
def base_results() -> fupin.Results:
    return fupin.simulate(registry(), list(scenarios()[:3]), years=YEARS, replications=3, seed=5,
                          progress=False)


def simulate(reg: fupin.Registry, scenario_list: list, **kwargs: Any) -> Any:
    return guarded(fupin.simulate, reg, scenario_list, years=YEARS, replications=2, seed=1,
                   progress=False, threads=1, **kwargs)


def check_results(res: fupin.Results) -> None:
    """Every table of accepted results is computed, finite where it is a number."""
    for table in ("summary", "villages", "counties", "households", "spending", "flows_by_cause"):
        value = outcome(getattr(res, table))
        if isinstance(value, Refused):
            raise AssertionError(f"accepted results fail in .{table}(): {value}")
        if table in ("summary", "spending"):
            check_finite(value.drop(columns=[c for c in value.columns if "gap" in c]), table)
    again = fupin.Results.from_json(res.to_json())
    assert again == res, "results JSON round trip is not exact"


# ---- JSON mutation ---------------------------------------------------------------------------

ODD_VALUES = [None, True, False, 0, -1, 1, 2, 255, 65535, 65536, 2**31, 2**32, 2**53 + 1,
              2**63 - 1, 2**63, 2**64, -(2**63), 0.5, -0.5, 1e6, 1e30, 1e300, -1e300, 5e-324,
              "", "x", "2016", [], {}, [1], {"a": 1}]


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node[:6]):  # the first few elements of long arrays
            out += _paths(v, (*prefix, i))
        if len(node) > 6:
            out += _paths(node[-1], (*prefix, len(node) - 1))
    return out


def _get(node: Any, path: tuple) -> Any:
    for p in path:
        node = node[p]
    return node


@st.composite
def mutated(draw: st.DrawFn, document: Any, numbers_only: bool = False,
            focus: tuple[str, ...] = ()) -> tuple[Any, str]:
    """A deep copy of ``document`` with 1–3 mutations: a value replaced by an odd one (or a
    neighbour of a number), a key deleted, a list truncated or an element duplicated. Half the
    mutations hit the top-level keys in ``focus`` (indices, ids, money) when it is given."""
    doc = copy.deepcopy(document)
    notes = []
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if focus and draw(st.booleans(), label="focus"):
            paths = [p for p in paths if p[0] in focus] or paths
        if numbers_only:
            paths = [p for p in paths if isinstance(_get(doc, p), int | float)
                     and not isinstance(_get(doc, p), bool)] or paths
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _get(doc, path[:-1]), path[-1]
        op = draw(st.sampled_from(["replace", "replace", "replace", "nudge", "delete", "truncate",
                                   "duplicate"]))
        current = parent[key]
        if op == "nudge" and isinstance(current, int | float) and not isinstance(current, bool):
            parent[key] = current + draw(st.sampled_from([-1, 1, -1000, 10**6, 0.5]))
        elif op == "delete":
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif op == "truncate" and isinstance(current, list) and current:
            parent[key] = current[: draw(st.integers(0, len(current) - 1))]
        elif op == "duplicate" and isinstance(current, list) and current:
            current.append(copy.deepcopy(current[0]))
        else:
            op = "replace"
            parent[key] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))  # never alias
        notes.append(f"{op} {'.'.join(map(str, path))}")
    return doc, "; ".join(notes)


@st.composite
def mutated_text(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few bytes-level edits: a span deleted, a character inserted, a digit
    changed, a line duplicated, or the text cut short."""
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["delete", "insert", "digit", "dupline", "cut"]))
        i = draw(st.integers(0, max(len(text) - 1, 0)))
        if op == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 8)):]
        elif op == "insert":
            text = text[:i] + draw(st.sampled_from(list("0-9.e[]{}\"'=,\n#\\ 贫\x00"))) + text[i:]
        elif op == "digit":
            digits = [j for j, c in enumerate(text) if c.isdigit()]
            if digits:
                j = draw(st.sampled_from(digits))
                text = text[:j] + draw(st.sampled_from(list("0123456789-.e"))) + text[j + 1:]
        elif op == "dupline":
            lines = text.split("\n")
            k = draw(st.integers(0, len(lines) - 1))
            text = "\n".join(lines[: k + 1] + lines[k:])
        else:
            text = text[:i]
    return text


# ---- scenarios -------------------------------------------------------------------------------

names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12)
money = st.one_of(st.integers(0, 10**12), st.floats(0, 1e12), st.sampled_from([-1, -0.5, 1e300,
                                                                                 float("nan")]))
budgets = st.one_of(
    st.none(), money,
    st.dictionaries(st.integers(2010, 2030), money, min_size=1, max_size=3),
    st.builds(lambda y, c: {"yearly": y, "carry_over": c}, money, st.booleans()),
)
policies = st.one_of(
    st.none(), st.just(("by_cause", None)), st.just(("uniform", None)),
    st.tuples(st.just("uniform"),
              st.one_of(st.floats(0, 1), st.sampled_from([-1.0, 0.0, 2.0, float("inf")]))),
)


def make_policy(spec: Any) -> Any:
    if spec is None:
        return None
    rule, min_intensity = spec
    if rule == "by_cause":
        return fupin.policy.ByCause()
    if min_intensity is None:
        return fupin.policy.Uniform()
    return fupin.policy.Uniform(min_intensity=min_intensity)
lines = st.one_of(st.none(), st.floats(0, 10_000), st.sampled_from([-1.0, float("nan"), 1e300]),
                  st.dictionaries(st.integers(2000, 2030), st.floats(0, 10_000), min_size=1,
                                  max_size=3))


@fuzz(120, name=names, policy=policies, budget=budgets, line=lines)
def test_scenario_round_trips(name: str, policy: Any, budget: Any, line: Any) -> None:
    built = outcome(make_policy, policy)
    if isinstance(built, Refused):
        assert isinstance(built.error, fupin.ValidationError), built
        return
    s = outcome(fupin.Scenario, name, policy=built, budget=budget, line=line)
    if isinstance(s, Refused):
        assert isinstance(s.error, fupin.ValidationError), s
        return
    check_finite(s.to_dict(), "scenario")
    assert fupin.read_scenarios(fupin.write_scenarios([s])) == [s]
    assert fupin.Scenario.from_json(s.to_json()) == s
    assert fupin.Scenario.from_toml(s.to_toml()) == s
    assert fupin.read_scenarios(json.dumps({"scenario": [s.to_dict()]})) == [s]


def _check_scenarios_accepted(found: list) -> None:
    """Accepted scenarios round-trip, plan within their budget and simulate to finite tables."""
    assert fupin.read_scenarios(fupin.write_scenarios(found)) == found
    for s in found:
        check_finite(s.to_dict(), "scenario")
    if len({s.name for s in found}) != len(found):
        return
    for s in found[:2]:
        if s.to_dict().get("policy") is None:
            continue
        p = guarded(fupin.plan, registry(), s, years=YEARS)
        if isinstance(p, Refused):
            continue
        check_finite(p.committed, "plan.committed")
        if not p.budget.attrs["unlimited"]:
            over = p.budget["committed"] > p.budget["available"] * (1 + 1e-12) + 1e-6
            assert not over.any(), f"plan commits more than available:\n{p.budget}"
    res = simulate(registry(), found[:2])
    if not isinstance(res, Refused):
        check_results(res)


@fuzz(150, shrink=False, data=st.data())
def test_tampered_scenario_files(data: st.DataObject) -> None:
    as_json = data.draw(st.booleans(), label="json")
    if as_json:
        doc, how = data.draw(mutated({"scenario": [s.to_dict() for s in scenarios()]}))
        text = json.dumps(doc)
    else:
        text = data.draw(mutated_text(fupin.write_scenarios(list(scenarios()))))
        how = "text edit"
    found = outcome(fupin.read_scenarios, text)
    if isinstance(found, Refused):
        assert isinstance(found.error, fupin.ValidationError | fupin.FupinIOError), (how, found)
        return
    _check_scenarios_accepted(found)


# ---- income model ----------------------------------------------------------------------------


@fuzz(80, shrink=False, data=st.data())
def test_tampered_model_parameters(data: st.DataObject) -> None:
    model = fupin.IncomeModel()
    form = data.draw(st.sampled_from(["dict", "json", "toml"]), label="form")
    if form == "toml":
        result = outcome(fupin.IncomeModel.from_toml, data.draw(mutated_text(model.to_toml())))
    else:
        doc, how = data.draw(mutated(model.to_dict(), numbers_only=True))
        if form == "json":
            result = outcome(fupin.IncomeModel.from_json, json.dumps(doc))
        else:
            result = outcome(fupin.IncomeModel.from_dict, doc)
    if isinstance(result, Refused):
        assert isinstance(result.error, fupin.ValidationError | fupin.FupinIOError), result
        return
    assert fupin.IncomeModel.from_toml(result.to_toml()) == result
    assert fupin.IncomeModel.from_json(result.to_json()) == result
    for year in YEARS:
        check_finite(result.line(year), f"line({year})")
    res = simulate(registry(), [scenarios()[0]], model=result)
    if not isinstance(res, Refused):
        check_results(res)


# ---- plans -----------------------------------------------------------------------------------


PLAN_FOCUS = ("assignments", "years", "lines", "budget", "available", "committed", "unfunded",
              "loan_capacity", "loans_outstanding", "household_ids", "pools")


@fuzz(100, shrink=False, data=st.data())
def test_tampered_plan_json(data: st.DataObject) -> None:
    """A tampered plan is refused, or runs within the money the untampered plan had."""
    plan = base_plan()
    doc, how = data.draw(mutated(json.loads(plan.json), focus=PLAN_FOCUS))
    tampered = plan._replace(json=json.dumps(doc))
    res = simulate(registry(), [scenarios()[1]], plans={"drip": tampered})
    if isinstance(res, Refused):
        assert isinstance(res.error, fupin.ValidationError), (how, res)
        return
    check_results(res)
    _, values = res.spending_values("drip")  # replicates × years × measures
    spent = np.asarray(values).sum(axis=2).max(axis=0)
    available = plan.budget["available"].to_numpy()
    assert (spent <= available + 1.0).all(), (
        f"tampered plan ({how}) spends {spent.tolist()} a year against {available.tolist()}")


# ---- results ---------------------------------------------------------------------------------


RESULTS_FOCUS = ("years", "replications", "villages", "counties", "household_ids",
                 "registry_households", "registry_people")


@fuzz(100, data=st.data())
def test_tampered_results_json(data: st.DataObject) -> None:
    original = base_results()
    doc, how = data.draw(mutated(json.loads(original.to_json()), focus=RESULTS_FOCUS))
    res = guarded(fupin.Results.from_json, json.dumps(doc))
    if isinstance(res, Refused):
        assert isinstance(res.error, fupin.ValidationError), (how, res)
        return
    for table in ("summary", "villages", "counties", "households", "spending", "flows_by_cause",
                  "sustained_exits"):
        value = guarded(getattr(res, table))
        if isinstance(value, Refused):
            raise AssertionError(f"results accepted, then .{table}() fails ({how}): {value}")
    names = res.scenarios
    if len(names) >= 2:
        value = guarded(res.compare, names[0], names[1])
        assert not isinstance(value, Refused), (how, value)
    assert fupin.Results.from_json(res.to_json()) == res


@fuzz(15, data=st.data())
def test_results_round_trip_and_merge_of_shards(data: st.DataObject) -> None:
    """Shards of whole villages, simulated and merged, equal the whole run; JSON is exact."""
    reg = registry()
    villages = reg.households()["village_id"].to_numpy()
    first = data.draw(st.sets(st.sampled_from([1, 2, 3]), min_size=1, max_size=2))
    rows_a = np.flatnonzero(np.isin(villages, list(first)))
    rows_b = np.flatnonzero(~np.isin(villages, list(first)))
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    kwargs = dict(years=YEARS, replications=2, seed=seed, progress=False, threads=1)
    whole = fupin.simulate(reg, [scenarios()[0], scenarios()[3]], **kwargs)
    a = fupin.simulate(reg.select(rows_a), [scenarios()[0], scenarios()[3]], **kwargs)
    b = fupin.simulate(reg.select(rows_b), [scenarios()[0], scenarios()[3]], **kwargs)
    merged = a.merge(b)
    assert fupin.Results.from_json(merged.to_json()) == merged
    check_finite(merged.summary(), "summary")
    assert merged.summary().equals(whole.summary())
