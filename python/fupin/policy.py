"""Allocation rules: who gets which measure when (大水漫灌 vs 对症下药 vs a planner's table).

A policy is planned before the run under the scenario's budget (``fupin.Scenario(..., policy=...,
budget=...)``): each year recurring commitments (floors, premiums, school costs, interest
subsidies, the second year of a move) are funded first, then the rule's new assignments while their
reservation fits what is left; unspent money is carried over (unless ``carry_over`` is false). A
measure never spends more than its reservation, so no scenario spends more than its budget in any
year (plus what it carried over). :func:`fupin.plan` shows the plan.

* :class:`Uniform` — the same mix for every registered household at one intensity (大水漫灌).
* :class:`ByCause` — measures by cause of poverty, households ranked, funded until the money runs
  out (对症下药, 精准扶贫).
* :class:`Explicit` — a table of household × measure × start year (一户一策).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _args, _native
from ._args import cell_error, field_error, floats
from ._frames import columns_of

__all__ = ["CAUSES", "ByCause", "Explicit", "Policy", "Uniform", "budget_spec"]

#: Cause codes (致贫原因), in code order (the core's ``Cause::ALL``).
CAUSES: tuple[str, ...] = tuple(_native.CAUSES)

#: Rankings by name (``ByCause(ranking=...)``; else a score per household).
_RANKINGS: tuple[str, ...] = tuple(_native.RANKINGS)


class Policy:
    """Base of the allocation rules; a policy is plain data (:meth:`to_dict`), held by the core."""

    __slots__ = ("_handle",)

    def __init__(self, spec: Mapping[str, Any]) -> None:
        # Parsed once by the core (unknown fields, types); measure names are checked against the
        # scenario's catalogue when the policy is put in a Scenario.
        self._handle: _native.Policy = _native.Policy.from_json(json.dumps(dict(spec)))

    @staticmethod
    def _wrap(handle: _native.Policy) -> Policy:
        """The policy of a native handle, as its rule's class."""
        cls = {"uniform": Uniform, "by_cause": ByCause, "explicit": Explicit}[json.loads(handle.to_json())["rule"]]
        p = cls.__new__(cls)
        p._handle = handle
        return p

    @staticmethod
    def from_dict(spec: Mapping[str, Any]) -> Policy:
        """A policy from its dict form (``{"rule": "by_cause", ...}``)."""
        return Policy._wrap(_native.Policy.from_json(json.dumps(dict(spec))))

    @property
    def rule(self) -> str:
        return str(self.to_dict()["rule"])

    def to_dict(self) -> dict[str, Any]:
        return json.loads(self._handle.to_json())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Policy) and self._handle == other._handle

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        spec = self.to_dict()
        fields = ", ".join(f"{k}={v!r}" for k, v in spec.items()
                           if k != "rule" and k != "assignments")
        if "assignments" in spec:
            fields = f"{len(spec['assignments'])} rows"
        return f"{type(self).__name__}({fields})"


class Uniform(Policy):
    """大水漫灌 ("flood irrigation"): every registered household gets the measures of ``mix`` it is
    eligible for, all at one intensity chosen each year so that the year's money (after recurring
    commitments) is spread evenly; later years raise the intensity towards 1 with money left.
    Money scales with intensity (35 % of a grant is 35 % of the grant and of its gain); guarantees
    (safe housing, insurance, schooling) need a full measure. Where the money or the guarantee
    fund runs short, households are funded in household-id order (never in row order).

    ``mix`` defaults to ``["industry", "health", "education"]`` (the usual spread of county
    industry funds plus the two universal programmes; an assumption); ``min_intensity`` (default
    0.01) is the smallest intensity worth assigning.
    """

    __slots__ = ()

    def __init__(self, mix: Sequence[str] | None = None, min_intensity: float = 0.01) -> None:
        spec: dict[str, Any] = {"rule": "uniform", "min_intensity": float(min_intensity)}
        if mix is not None:
            if isinstance(mix, str):
                mix = [mix]
            spec["mix"] = [str(m) for m in mix]
        super().__init__(spec)


class ByCause(Policy):
    """对症下药 ("the right medicine for the illness"): each registered household gets the measures its
    causes call for, households in ``ranking`` order, each measure funded if the year's money
    allows (else the household waits for a later year).

    ``mapping`` replaces the default measures of the causes it names (``{"illness": ["health",
    "welfare_floor"]}``); the defaults follow the 五个一批 guidance (an assumption): illness → health;
    disability → welfare_floor, health; schooling → education; disaster → asset_income; marriage,
    other → industry; land, transport → relocation, employment; water → relocation, industry;
    skills, motivation → employment; capital → industry_credit; labour → welfare_floor,
    asset_income. Measures a household is not eligible for are skipped.

    ``ranking``: ``"poorest_first"`` (lowest base-year income first; the default),
    ``"nearest_line_first"`` (below the line with the smallest gap first, then those above), or a
    score per household in the registry's row order (highest first). Ties (equal incomes, gaps or
    scores) go to the lower household id, never to the earlier row, so shuffling the registry's
    rows does not change the plan. ``primary_only`` uses only
    the primary cause (else every recorded cause, primary first). ``guarantees`` (default true) also
    fixes failed guarantees: unsafe housing gets relocation or housing renovation, uninsured
    households get health.
    """

    __slots__ = ()

    def __init__(
        self,
        mapping: Mapping[str, Sequence[str] | str] | None = None,
        ranking: str | Sequence[float] | np.ndarray = "poorest_first",
        primary_only: bool = False,
        guarantees: bool = True,
    ) -> None:
        spec: dict[str, Any] = {"rule": "by_cause", "primary_only": bool(primary_only),
                                "guarantees": bool(guarantees)}
        if mapping:
            spec["mapping"] = {str(c): [m] if isinstance(m, str) else [str(x) for x in m]
                               for c, m in mapping.items()}
        if isinstance(ranking, str):
            if ranking not in _RANKINGS:
                raise field_error("policy.ranking", "must be 'poorest_first', 'nearest_line_first' or "
                                  f"a score per household, got {ranking!r}")
            spec["ranking"] = ranking
        else:
            scores = np.asarray(ranking.to_numpy() if isinstance(ranking, pd.Series) else ranking,
                                dtype=np.float64)
            if scores.ndim != 1:
                raise field_error("policy.ranking", "scores must be one number per household")
            spec["ranking"] = {"score": scores.tolist()}
        super().__init__(spec)


class Explicit(Policy):
    """A planner's table of household × measure × start year (一户一策), funded in table order within
    each year while the budget allows (the table's order is the planner's priority; households are
    found by id, so the registry's row order plays no part); rows that do not fit are reported by
    :func:`fupin.plan`.
    Eligibility rules are not applied: the table is the planner's decision.

    ``table``: a pandas, polars or pyarrow table, or a dict of columns, with ``household_id``,
    ``measure``, ``start_year`` and optionally ``intensity`` (default 1: the measure as specified).
    """

    __slots__ = ()

    def __init__(self, table: Any) -> None:
        cols = columns_of(table, "Explicit table")
        for required in ("household_id", "measure", "start_year"):
            if required not in cols:
                raise field_error(required, f"missing column of the Explicit table (has {sorted(cols)})")
        n = len(cols["household_id"])
        what = "Explicit table"
        intensity = (np.ones(n) if "intensity" not in cols
                     else floats(cols["intensity"], "intensity", what, finite=True))
        rows = []
        for i in range(n):
            hid, measure, year = cols["household_id"][i], cols["measure"][i], cols["start_year"][i]
            for name, value in (("household_id", hid), ("measure", measure)):
                if value is None or (isinstance(value, float) and value != value):
                    raise cell_error(what, name, i, value, "is missing")
            if isinstance(year, (bool, np.bool_, str)) or not _whole(year):
                raise cell_error(what, "start_year", i, year, "is not a year")
            start = int(year)  # type: ignore[arg-type]
            if isinstance(hid, (float, np.floating)) and float(hid).is_integer():
                hid = int(hid)
            rows.append({"household": str(hid), "measure": str(measure), "start_year": start,
                         "intensity": float(intensity[i])})
        super().__init__({"rule": "explicit", "assignments": rows})

    def table(self) -> pd.DataFrame:
        """The rows as a DataFrame (``household_id`` as text, as the registry displays it)."""
        rows = self.to_dict().get("assignments", [])
        return pd.DataFrame({
            "household_id": [r["household"] for r in rows],
            "measure": [r["measure"] for r in rows],
            "start_year": [r["start_year"] for r in rows],
            "intensity": [r["intensity"] for r in rows],
        })


def _whole(x: Any) -> bool:
    try:
        return math.isfinite(float(x)) and float(x).is_integer()
    except (TypeError, ValueError, OverflowError):
        return False


def _amount(value: Any, field: str) -> float | dict[str, float]:
    if isinstance(value, Mapping):
        out = {}
        for year, yuan in value.items():
            key = _args.year_key(year, f"{field}[{year}]")
            out[key] = _number(yuan, f"{field}[{key}]")
        return out
    return _number(value, field)


def _number(value: Any, field: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise field_error(field, f"{value!r} is not an amount of yuan") from None


def budget_spec(budget: Any) -> dict[str, Any]:
    """A budget as the core's dict: ``111_650_000`` (yuan a year), ``{2016: 5e7, 2017: 6e7}``
    (yuan by year; years not listed get nothing), or ``{"yearly": ..., "by_county": {county_id:
    amount}, "carry_over": True, "guarantee_fund": {"capital": 1e7, "leverage": 10}}`` (one pool,
    or one pool per county; unspent money carried over to the next year unless ``carry_over`` is
    false). The guarantee fund (担保基金) backs microcredit: loans are granted in plan order only
    while the loans outstanding stay within ``capital × leverage``; defaults are its losses
    (:meth:`fupin.Results.guarantee_losses`). Default: Taiqian's 10 M yuan lent out ×10 (seed 000).
    """
    return json.loads(as_budget(budget).to_json())


def as_budget(budget: Any) -> _native.Budget:
    """A budget handle, parsed and validated once by the core (see :func:`budget_spec`)."""
    if isinstance(budget, _native.Budget):
        return budget
    keys = {"yearly", "by_county", "carry_over", "guarantee_fund"}
    if isinstance(budget, Mapping) and set(map(str, budget)) & keys:
        unknown = sorted(set(map(str, budget)) - keys)
        if unknown:
            raise field_error("budget", f"unknown field {unknown[0]!r} (fields: yearly, by_county, "
                              "carry_over, guarantee_fund)")
        spec: dict[str, Any] = {}
        if budget.get("yearly") is not None:
            spec["yearly"] = _amount(budget["yearly"], "budget.yearly")
        if budget.get("by_county"):
            spec["by_county"] = {str(c): _amount(a, f"budget.by_county[{c}]")
                                 for c, a in budget["by_county"].items()}
        if "carry_over" in budget:
            spec["carry_over"] = bool(budget["carry_over"])
        fund = budget.get("guarantee_fund")
        if fund is not None:
            if not isinstance(fund, Mapping):
                raise field_error("budget.guarantee_fund",
                                  f"{fund!r} is not a table of capital and leverage")
            spec["guarantee_fund"] = {
                str(k): _number(v, f"budget.guarantee_fund.{k}") for k, v in fund.items()}
    else:
        spec = {"yearly": _amount(budget, "budget.yearly")}
    return _native.Budget.from_json(json.dumps(spec))
