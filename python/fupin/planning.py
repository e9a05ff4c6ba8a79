"""The plan of a scenario: who gets which measure from when, and the money committed by year."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple

import pandas as pd

from . import _args, _native
from .dynamics import IncomeModel
from .engine import Scenario
from .registry import Registry

__all__ = ["Plan", "plan"]


class _PlanTables(NamedTuple):
    #: One row per assignment: ``household_id``, ``measure``, ``start_year``, ``end_year`` (the
    #: first year no longer funded; <NA>: funded to the end of the run), ``intensity``.
    assignments: pd.DataFrame
    #: Money reserved by year (rows) × measure (columns), yuan: the most each measure may spend.
    committed: pd.DataFrame
    #: By year: ``budget`` (new money), ``available`` (with carry-over), ``committed`` (all
    #: measures) and ``unspent`` (available − committed; carried over if the budget says so).
    #: ``attrs["unlimited"]`` is true without a budget; ``attrs["unfunded"]`` lists the rows of an
    #: Explicit table that did not fit their year's money or the guarantee fund. Column
    #: ``loans_outstanding``: microcredit outstanding by year (yuan), never above
    #: ``attrs["loan_capacity"]`` (the guarantee fund's capital × leverage; None: unlimited).
    budget: pd.DataFrame
    #: The plan itself, a native handle (``fupin._native.Plan``): pass the plan of the whole
    #: registry to ``fupin.simulate(shard, scenarios, plans={name: plan})`` to simulate a shard
    #: under it, so that merged shard results equal the whole run, budget rationing included.
    #: (After ``plan._replace(json=...)``, the edited JSON text, checked when simulated.)
    native: Any = None


class Plan(_PlanTables):
    """What :func:`plan` returns: the tables ``assignments``, ``committed`` and ``budget``, and the
    plan itself (``native``; :attr:`json` is its JSON form, written when asked for)."""

    __slots__ = ()

    @property
    def json(self) -> str:
        """The plan as the core's JSON (``_replace(json=...)`` gives a plan of edited JSON)."""
        return self.native if isinstance(self.native, str) else self.native.to_json()

    def _replace(self, **fields: Any) -> Plan:  # type: ignore[override]
        if "json" in fields:
            fields["native"] = str(fields.pop("json"))
        return super()._replace(**fields)

    def __repr__(self) -> str:
        if isinstance(self.native, str):
            return f"Plan(edited JSON, {len(self.native)} characters)"
        return repr(self.native)


def plan(
    registry: Registry,
    scenario: Scenario,
    years: Iterable[int] = range(2016, 2021),
    model: IncomeModel | None = None,
) -> Plan:
    """Plan ``scenario``'s policy for ``registry`` over ``years`` under its budget — exactly the
    plan :func:`fupin.simulate` runs (planning happens before the run and needs no draws).

    The floor's reservation depends on the poverty line: the scenario's own line, else
    ``model``'s (default: the national line).

    >>> import fupin
    >>> reg = fupin.datasets.county("changle")
    >>> s = fupin.Scenario("drip", policy=fupin.policy.ByCause(), budget=2_000_000)
    >>> p = fupin.plan(reg, s, years=range(2016, 2019))
    >>> bool((p.budget["committed"] <= p.budget["available"]).all())
    True
    """
    if not isinstance(registry, Registry):
        raise TypeError(f"registry must be a fupin.Registry, got {type(registry).__name__}")
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a fupin.Scenario, got {type(scenario).__name__}")
    model = IncomeModel() if model is None else model
    first_year, n_years = _args.years(years)
    cols, native = _native.plan(registry._native, scenario._handle, model._handle, first_year,
                                n_years)
    assignments = pd.DataFrame({
        "household_id": cols["household_id"],
        "measure": cols["measure"],
        "start_year": cols["start_year"],
        "end_year": pd.array(cols["end_year"], dtype="Int64"),
        "intensity": cols["intensity"],
    })
    committed = pd.DataFrame(cols["committed"], index=pd.Index(cols["years"], name="year"),
                             columns=pd.Index(cols["measures"], name="measure"))
    total = committed.sum(axis=1)
    budget = pd.DataFrame({
        "budget": cols["budget"],
        "available": cols["available"],
        "committed": total.to_numpy(),
    }, index=committed.index)
    budget["unspent"] = budget["available"] - budget["committed"]
    if cols["unlimited"]:
        budget[["budget", "available", "unspent"]] = float("nan")
    budget.attrs["unlimited"] = bool(cols["unlimited"])
    budget.attrs["unfunded"] = list(cols["unfunded"])
    budget["loans_outstanding"] = cols["loans_outstanding"]
    budget.attrs["loan_capacity"] = cols["loan_capacity"]
    return Plan(assignments, committed, budget, native)
