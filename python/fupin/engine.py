"""Scenarios, the Monte Carlo run, and its results."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _native
from .dynamics import IncomeModel, _read, line_schedule
from .registry import Registry

__all__ = ["Results", "Scenario", "simulate"]


class Scenario:
    """A named way the future may go: the baseline, or one with its own model or line.

    ``model`` replaces the run's :class:`IncomeModel` for this scenario; ``line`` replaces the
    model's poverty line (a number, ``{year: yuan}`` or a schedule dict). Every scenario of a run
    sees the same random draws for the same household, replicate and year (common random numbers),
    so differences between scenarios are differences of policy, not of luck. Scenarios are data:
    :meth:`to_toml` / :meth:`from_toml` save and load them.
    """

    __slots__ = ("_spec",)

    def __init__(
        self,
        name: str,
        *,
        model: IncomeModel | None = None,
        line: float | Mapping[Any, Any] | None = None,
    ) -> None:
        spec: dict[str, Any] = {"name": str(name)}
        if model is not None:
            if not isinstance(model, IncomeModel):
                raise TypeError(f"model must be a fupin.IncomeModel, got {type(model).__name__}")
            spec["model"] = model.to_dict()
        if line is not None:
            spec["line"] = line_schedule(line)
        self._spec = json.loads(_native.scenario_check(json.dumps(spec)))

    @property
    def name(self) -> str:
        return self._spec["name"]

    @property
    def model(self) -> IncomeModel | None:
        spec = self._spec.get("model")
        return None if spec is None else IncomeModel._from_params(spec)

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(self._spec))

    def to_json(self) -> str:
        return json.dumps(self._spec)

    def to_toml(self) -> str:
        return _native.scenario_to_toml(self.to_json())

    @classmethod
    def _from_spec(cls, spec: str, fmt: str) -> Scenario:
        scenario = cls.__new__(cls)
        scenario._spec = json.loads(_native.scenario_check(spec, fmt))
        return scenario

    @classmethod
    def from_json(cls, text_or_path: str | os.PathLike[str]) -> Scenario:
        return cls._from_spec(_read(text_or_path), "json")

    @classmethod
    def from_toml(cls, text_or_path: str | os.PathLike[str]) -> Scenario:
        return cls._from_spec(_read(text_or_path), "toml")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and self._spec == other._spec

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        extra = "".join(f", {k}=…" for k in ("model", "line") if k in self._spec)
        return f"Scenario({self.name!r}{extra})"


def _years(years: Iterable[int] | int) -> tuple[int, int]:
    if isinstance(years, (int, np.integer)):
        raise _native.ValidationError(
            f"years must be a range of calendar years such as range(2016, 2021), got {years}"
        )
    values = [int(y) for y in years]
    if not values:
        raise _native.ValidationError("years is empty; give a range such as range(2016, 2021)")
    for i in range(1, len(values)):
        if values[i] != values[i - 1] + 1:
            raise _native.ValidationError(
                f"years must be consecutive; {values[i]} follows {values[i - 1]}"
            )
    return values[0], len(values)


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
) -> Results:
    """Simulate every household's yearly income under each scenario, ``replications`` times.

    The GIL is released for the whole run, which uses ``threads`` cores (default
    ``FUPIN_NUM_THREADS`` or all); results are identical for any number. ``progress=True`` shows a
    tqdm bar (terminal or notebook), a callable gets ``(done, total)``; Ctrl-C stops the run within
    a fraction of a second and raises ``KeyboardInterrupt``. ``keep_paths=True`` keeps every
    household's path (small registries only). Every random draw is a pure function of (seed,
    household id, replicate, year, purpose): the same seed gives the same results, whatever the
    thread count, household order or sharding of the registry.
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
    first_year, n_years = _years(years)
    callback, bar = _progress_callback(progress, "fupin.simulate")
    try:
        native = _native.simulate(
            registry._native,
            json.dumps([s._spec for s in scenarios]),
            model.to_json(),
            first_year,
            n_years,
            int(replications),
            int(seed),
            threads,
            bool(household_outputs),
            bool(keep_paths),
            callback,
        )
    finally:
        if bar is not None:
            bar.close()
    return Results(native)


_SUMMARY_COLUMNS = {
    "poor_households_mean": "poor_households",
    "poor_households_p5": "poor_households_p5",
    "poor_households_p95": "poor_households_p95",
    "poor_people_mean": "poor_people",
    "poor_people_p5": "poor_people_p5",
    "poor_people_p95": "poor_people_p95",
    "headcount_ratio": "headcount_ratio",
    "income_headcount_ratio": "fgt0",
    "fgt1": "fgt1",
    "fgt2": "fgt2",
    "exits_mean": "exits",
    "returns_mean": "returns",
    "entrants_mean": "entrants",
    "mean_income": "mean_income",
    "health_spending": "health_spending",
    "programme_spending": "programme_spending",
}

MEASURES = (
    "poor_households", "poor_people", "headcount_ratio", "income_headcount_ratio", "fgt1",
    "fgt2", "exits", "returns", "entrants", "mean_income", "health_spending",
    "programme_spending",
)


class Results:
    """What :func:`simulate` returns: tables by year, village, county and household.

    Means are over replicates; bands are the 5th and 95th percentiles of per-replicate totals
    (NumPy's default interpolation). Poor means failing the exit standard (income below the line or
    a guarantee missing); ``fgt0`` counts income below the line only. Ratios divide by the
    population of the registry's villages: people outside the registry count as non-poor.
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.Results) -> None:
        self._native = native

    @property
    def years(self) -> list[int]:
        return list(self._native.years)

    @property
    def replications(self) -> int:
        return self._native.replications

    @property
    def seed(self) -> int:
        return self._native.seed

    @property
    def scenarios(self) -> list[str]:
        return list(self._native.scenario_names)

    def _names(self, scenario: str | None) -> list[str]:
        if scenario is None:
            return self.scenarios
        if scenario not in self.scenarios:
            raise _native.ValidationError(
                f"no scenario {scenario!r} in these results; they have {self.scenarios}"
            )
        return [scenario]

    def summary(self) -> pd.DataFrame:
        """By scenario and year: poor households and people (mean, 5 % and 95 % bands),
        headcount ratio, FGT0/1/2 of income, exits, returns, entrants, mean income, spending."""
        cols = self._native.summary()
        frame = pd.DataFrame({"scenario": cols["scenario"], "year": cols["year"]})
        for raw, name in _SUMMARY_COLUMNS.items():
            frame[name] = cols[raw]
        return frame.set_index(["scenario", "year"])

    def replicate_values(self, measure: str, scenario: str | None = None) -> pd.DataFrame:
        """Per-replicate totals of one measure (rows: replicates; columns: years)."""
        if measure not in MEASURES:
            raise _native.ValidationError(f"measure must be one of {MEASURES}, got {measure!r}")
        frames = {
            name: pd.DataFrame(self._native.replicate_values(name, measure), columns=self.years)
            for name in self._names(scenario)
        }
        out = pd.concat(frames, names=["scenario", "replicate"])
        out.columns.name = "year"
        return out

    def _groups(self, scenario: str | None, which: str) -> pd.DataFrame:
        frames = []
        for name in self._names(scenario):
            cols = getattr(self._native, which)(name)
            dist = np.asarray(cols.pop("exit_distribution"))
            mean_poor = cols.pop("mean_poor_people", None)
            frame = pd.DataFrame(cols)
            frame.insert(0, "scenario", name)
            cumulative = np.cumsum(dist[:, :-1], axis=1)
            for j, year in enumerate(self.years):
                frame[f"exited_by_{year}"] = cumulative[:, j]
            frame["not_exited"] = dist[:, -1]
            if mean_poor is not None:
                mean_poor = np.asarray(mean_poor)
                for j, year in enumerate(self.years):
                    frame[f"poor_people_{year}"] = mean_poor[:, j]
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def villages(self, scenario: str | None = None) -> pd.DataFrame:
        """By village: probability of having exited (出列: incidence below its threshold) by each
        year (``exited_by_<year>``), of not exiting within the run, and mean poor people by year."""
        return self._groups(scenario, "villages")

    def counties(self, scenario: str | None = None) -> pd.DataFrame:
        """By county: probability of having exited (摘帽) by each year, and of not exiting."""
        return self._groups(scenario, "counties")

    def households(self, scenario: str | None = None) -> pd.DataFrame:
        """By household: probability of having exited (脱贫) by each year, expected first exit year
        given an exit, share of replicates never exiting, probability of returning after an exit."""
        frames = []
        for name in self._names(scenario):
            cols = self._native.households(name)
            exited = np.asarray(cols.pop("exited_by_year"))
            frame = pd.DataFrame({"scenario": name, "household_id": cols["household_id"]})
            for j, year in enumerate(self.years):
                frame[f"exited_by_{year}"] = exited[:, j]
            for key in ("expected_exit_year", "never_exit_share", "return_probability"):
                frame[key] = cols[key]
            frames.append(frame)
        return pd.concat(frames, ignore_index=True)

    def paths(self, scenario: str) -> dict[str, np.ndarray]:
        """Stored paths (``keep_paths=True``): ``income`` and ``poor`` arrays shaped
        (replicates, households, years), households in the registry's order."""
        return dict(self._native.paths(scenario))

    def merge(self, other: Results) -> Results:
        """Combine with the results of another shard of the same run (whole villages per shard);
        exact: the merge equals the run over the whole registry."""
        return Results(self._native.merge(other._native))

    def to_json(self) -> str:
        """Everything, as JSON (exact; :meth:`from_json` reads it back)."""
        return self._native.to_json()

    @classmethod
    def from_json(cls, text: str) -> Results:
        return cls(_native.Results.from_json(text))

    def to_dict(self) -> dict[str, Any]:
        """The run's settings and its tables as plain Python objects."""
        summary = self.summary().reset_index()
        return {
            "years": self.years,
            "replications": self.replications,
            "seed": self.seed,
            "scenarios": self.scenarios,
            "summary": summary.to_dict(orient="records"),
            "villages": self.villages().to_dict(orient="records"),
            "counties": self.counties().to_dict(orient="records"),
        }

    def plot(self, ax: Any = None, measure: str = "poor_people") -> Any:
        """Poor people (or households) by year with the 5–95 % band, one line per scenario."""
        import matplotlib.pyplot as plt

        if measure not in ("poor_people", "poor_households"):
            raise _native.ValidationError("measure must be 'poor_people' or 'poor_households'")
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        summary = self.summary()
        for name in self.scenarios:
            s = summary.loc[name]
            (line,) = ax.plot(s.index, s[measure], marker="o", label=name)
            ax.fill_between(s.index, s[f"{measure}_p5"], s[f"{measure}_p95"],
                            color=line.get_color(), alpha=0.2)
        ax.set_xlabel("year")
        ax.set_ylabel(measure.replace("_", " "))
        ax.set_xticks(self.years)
        ax.legend()
        return ax

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Results) and self._native == other._native

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"<fupin.Results: {len(self.scenarios)} scenario(s) {self.scenarios}, "
            f"years {self.years[0]}–{self.years[-1]}, {self.replications} replicates>"
        )

    def _repr_html_(self) -> str:
        table = self.summary()[["poor_households", "poor_people", "poor_people_p5",
                                "poor_people_p95", "headcount_ratio", "exits", "returns"]]
        return f"<b>{self.__repr__()[1:-1]}</b>" + table.to_html(float_format=lambda x: f"{x:,.3f}")
