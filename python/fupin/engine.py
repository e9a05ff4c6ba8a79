"""Scenarios, the Monte Carlo run, and its results."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import _args, _native
from .dynamics import IncomeModel, line_parts
from .measures import Measure
from .policy import Policy, as_budget
from .registry import Registry
from .results import Results

__all__ = ["Results", "Scenario", "read_scenarios", "simulate", "write_scenarios"]


class Scenario:
    """A named way the future may go: the baseline, a policy under a budget, or other assumptions.

    ``policy`` (:class:`fupin.policy.Uniform`, :class:`~fupin.policy.ByCause` or
    :class:`~fupin.policy.Explicit`) decides who gets which measure when, planned before the run
    under ``budget``: yuan a year (``111_650_000``), ``{year: yuan}``, or ``{"yearly": ...,
    "by_county": {county_id: ...}, "carry_over": True}`` (see :func:`fupin.policy.budget_spec`);
    no budget means unlimited money. ``measures`` (a list of :class:`fupin.measures.Measure`)
    replace measures of the default catalogue by name or add new ones. ``model`` replaces the
    run's :class:`IncomeModel` for this scenario; ``line`` replaces the model's poverty line (a
    number, ``{year: yuan}`` or a schedule dict).

    Every scenario of a run sees the same random draws for the same household, replicate and year
    (common random numbers), so differences between scenarios are differences of policy, not of
    luck. Scenarios are data: :meth:`to_toml` / :meth:`from_toml` (and :func:`read_scenarios` /
    :func:`write_scenarios` for files of ``[[scenario]]`` tables) save and load them with their
    policy, budget and measures. A bad value raises :class:`fupin.ValidationError` naming the field
    (``scenario[by_cause].budget.yearly``, ``policy.mix``, ``measures[pv].lag``).
    """

    __slots__ = ("_handle",)

    def __init__(
        self,
        name: str,
        *,
        policy: Policy | None = None,
        budget: Any = None,
        measures: Sequence[Measure] | None = None,
        model: IncomeModel | None = None,
        line: float | Mapping[Any, Any] | None = None,
    ) -> None:
        if model is not None and not isinstance(model, IncomeModel):
            raise TypeError(f"model must be a fupin.IncomeModel, got {type(model).__name__}")
        if policy is not None and not isinstance(policy, Policy):
            raise TypeError(
                "policy must be fupin.policy.Uniform, ByCause or Explicit, "
                f"got {type(policy).__name__}"
            )
        for m in measures or ():
            if not isinstance(m, Measure):
                raise TypeError(
                    f"measures must be fupin.measures.Measure objects, got {type(m).__name__}"
                )
        # The parts are native handles, each validated when it was made; the scenario is
        # assembled in the core (no JSON) and checked once as a whole (names, policy ↔ catalogue).
        self._handle: _native.Scenario = _native.Scenario(
            str(name),
            model=None if model is None else model._handle,
            line=None if line is None else line_parts(line),
            policy=None if policy is None else policy._handle,
            budget=None if budget is None else as_budget(budget),
            measures=[m._handle for m in measures or ()],
        )

    @classmethod
    def _wrap(cls, handle: _native.Scenario) -> Scenario:
        scenario = cls.__new__(cls)
        scenario._handle = handle
        return scenario

    @property
    def name(self) -> str:
        return str(self._handle.parts()["name"])

    @property
    def model(self) -> IncomeModel | None:
        handle = self._handle.parts()["model"]
        return None if handle is None else IncomeModel._wrap(handle)

    @property
    def policy(self) -> Policy | None:
        handle = self._handle.parts()["policy"]
        return None if handle is None else Policy._wrap(handle)

    @property
    def budget(self) -> dict[str, Any] | None:
        """The budget in the core's form (``{"yearly": ..., "carry_over": True}``), or None."""
        handle = self._handle.parts()["budget"]
        return None if handle is None else json.loads(handle.to_json())

    @property
    def measures(self) -> list[Measure]:
        return [Measure._wrap(m) for m in self._handle.parts()["measures"]]

    def to_dict(self) -> dict[str, Any]:
        return json.loads(self._handle.to_json())

    def to_json(self) -> str:
        return self._handle.to_json()

    def to_toml(self) -> str:
        return self._handle.to_toml()

    @classmethod
    def _from_spec(cls, spec: str, fmt: str) -> Scenario:
        return cls._wrap(_native.Scenario.parse(spec, fmt))

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Scenario:
        return cls._from_spec(json.dumps(dict(spec)), "json")

    @classmethod
    def from_json(cls, text_or_path: str | os.PathLike[str]) -> Scenario:
        return cls._from_spec(_args.spec_text(text_or_path), "json")

    @classmethod
    def from_toml(cls, text_or_path: str | os.PathLike[str]) -> Scenario:
        return cls._from_spec(_args.spec_text(text_or_path), "toml")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._handle == other._handle

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        h = self._handle.parts()
        extra = "".join(f", {k}=…" for k in ("model", "line", "measures") if h[k] not in (None, []))
        if h["policy"] is not None:
            extra += f", policy={self.policy!r}"
        if h["budget"] is not None:
            extra += f", budget={self.budget!r}"
        return f"Scenario({self.name!r}{extra})"


def read_scenarios(text_or_path: str | os.PathLike[str]) -> list[Scenario]:
    """Scenarios from a TOML file (or text) of ``[[scenario]]`` tables, each with ``name`` and
    optionally ``policy`` (with ``rule``), ``budget``, ``[[scenario.measures]]``, ``model`` and
    ``line`` — the form :func:`write_scenarios` writes. A JSON file ``{"scenario": [...]}`` works
    too (by a ``.json`` suffix or text starting with ``{``)."""
    text = _args.spec_text(text_or_path)
    fmt = "json" if str(text_or_path).endswith(".json") or text.lstrip().startswith("{") else "toml"
    return [Scenario._wrap(s) for s in _native.read_scenarios(text, fmt)]


def write_scenarios(scenarios: Sequence[Scenario], path: str | os.PathLike[str] | None = None) -> str:
    """Scenarios as TOML ``[[scenario]]`` tables (written to ``path`` if given); returns the text."""
    text = _native.write_scenarios([s._handle for s in scenarios])
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _progress_callback(progress: bool | Callable[[int, int], Any] | None, label: str):
    if progress is None or progress is False:
        return None, None
    if callable(progress):
        return progress, None
    from tqdm.auto import tqdm

    bar = tqdm(total=1, desc=label, unit="hh-yr", unit_scale=True, leave=False)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    return update, bar


def simulate(
    registry: Registry,
    scenarios: Scenario | Sequence[Scenario] | None = None,
    model: IncomeModel | None = None,
    years: Iterable[int] = range(2016, 2021),
    replications: int = 100,
    seed: int = 0,
    threads: int | None = None,
    progress: bool | Callable[[int, int], Any] = True,
    household_outputs: bool = True,
    keep_paths: bool = False,
    plans: Mapping[str, Any] | None = None,
) -> Results:
    """Simulate every household's yearly income under each scenario, ``replications`` times.

    The GIL is released for the whole run, which uses ``threads`` cores (default
    ``FUPIN_NUM_THREADS`` or all); results are identical for any number. ``years`` are
    consecutive calendar years covered by every scenario's poverty line (a year before the line's
    schedule is an error); ``replications`` is 1 to 65,535, ``seed`` 0 to 2⁶⁴ − 1, ``threads``
    ≥ 1. Whole-number arguments accept integers and whole-valued floats (``3.0``); fractions,
    booleans and values out of range raise :class:`fupin.ValidationError` naming the argument. ``progress=True`` shows a
    tqdm bar (terminal or notebook), a callable gets ``(done, total)``; Ctrl-C stops the run within
    a fraction of a second and raises ``KeyboardInterrupt``. ``keep_paths=True`` keeps every
    household's path (small registries only). Every random draw is a pure function of (seed,
    household id, replicate, year, purpose): the same seed gives the same results, whatever the
    thread count, household order or sharding of the registry.

    ``plans`` maps scenario names to plans made beforehand with :func:`fupin.plan` (typically over
    the whole registry): those scenarios run that plan — its assignments picked by household id —
    instead of planning their policy over ``registry``. Simulating shards (whole villages or
    counties) with the whole registry's plans and merging (:meth:`Results.merge`) gives exactly the
    whole run, even when a budget is rationed over all households. The plan's years must be
    ``years`` and its poverty lines the model's; for a scenario with a policy, the plan must have
    been made for that policy, budget and measure catalogue (another scenario's plan is refused
    with a :class:`ValidationError`).
    """
    if not isinstance(registry, Registry):
        raise TypeError(f"registry must be a fupin.Registry, got {type(registry).__name__}")
    if scenarios is None:
        scenarios = [Scenario("baseline")]
    elif isinstance(scenarios, Scenario):
        scenarios = [scenarios]
    scenarios = list(scenarios)
    for s in scenarios:
        if not isinstance(s, Scenario):
            raise TypeError(f"scenarios must be fupin.Scenario objects, got {type(s).__name__}")
    model = IncomeModel() if model is None else model
    if not isinstance(model, IncomeModel):
        raise TypeError(f"model must be a fupin.IncomeModel, got {type(model).__name__}")
    first_year, n_years = _args.years(years)
    plans = dict(plans or {})
    names = [s.name for s in scenarios]
    for name, p in plans.items():
        if name not in names:
            raise _args.error(
                f"plans[{name}]: no scenario of that name (scenarios: {names})",
                column=f"plans[{name}]", value=repr(name))
        if not isinstance(getattr(p, "native", None), (str, _native.Plan)):
            raise TypeError(f"plans[{name}] must be a fupin.Plan, got {type(p).__name__}")
    native_plans = [_native_plan(plans[n]) if n in plans else None for n in names] if plans else None
    callback, bar = _progress_callback(progress, "fupin.simulate")
    try:
        native = _native.simulate(
            registry._native,
            [s._handle for s in scenarios],
            model._handle,
            first_year,
            n_years,
            _args.replications(replications),
            _args.seed(seed),
            _args.threads(threads),
            bool(household_outputs),
            bool(keep_paths),
            callback,
            native_plans,
        )
    finally:
        if bar is not None:
            bar.close()
    return Results(native)


def _native_plan(plan: Any) -> _native.Plan:
    """The native plan of a :class:`fupin.Plan`: its handle, or (for a plan whose JSON was edited,
    ``plan._replace(json=...)``) that JSON parsed and validated by the core."""
    native = plan.native
    return native if isinstance(native, _native.Plan) else _native.Plan.from_json(native)
