"""What :func:`fupin.simulate` returns: tables by year, village, county and household, spending,
flows by cause, and paired comparisons of scenarios."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _args, _native

__all__ = ["MEASURES", "Results", "outcome_name"]


#: The per-year outcomes of a run, in table order (the core's ``results::Outcome``).
MEASURES: tuple[str, ...] = tuple(_native.OUTCOMES)

# Former spellings of outcomes, still accepted with a DeprecationWarning.
_DEPRECATED = {"income_headcount_ratio": "fgt0"}


def outcome_name(name: str) -> str:
    """The one name of an outcome: ``name`` itself, or for a former spelling
    (``income_headcount_ratio``) its current name, with a :class:`DeprecationWarning`."""
    if isinstance(name, str) and name in _DEPRECATED:
        new = _DEPRECATED[name]
        warnings.warn(f"outcome {name!r} is now called {new!r}", DeprecationWarning, stacklevel=3)
        return new
    return name


class Results:
    """What :func:`simulate` returns: tables by year, village, county and household.

    Means are over replicates; bands are the 5th and 95th percentiles of per-replicate totals
    (NumPy's default interpolation). Poor means failing the exit standard (income below the line or
    a guarantee missing); ``fgt0`` counts income below the line only. Ratios divide by the
    population of the registry's villages: people outside the registry count as non-poor.
    """

    __slots__ = ("_native", "_info")

    def __init__(self, native: _native.Results) -> None:
        self._native = native
        self._info: dict[str, Any] = native.info()

    @property
    def years(self) -> list[int]:
        return list(self._info["years"])

    @property
    def replications(self) -> int:
        return int(self._info["replications"])

    @property
    def seed(self) -> int:
        return int(self._info["seed"])

    @property
    def scenarios(self) -> list[str]:
        return list(self._info["scenario_names"])

    def _names(self, scenario: str | None) -> list[str]:
        if scenario is None:
            return self.scenarios
        if scenario not in self.scenarios:
            raise _args.error(
                f"no scenario {scenario!r} in these results; they have {self.scenarios}",
                "scenario",
                value=repr(scenario),
            )
        return [scenario]

    def summary(self) -> pd.DataFrame:
        """By scenario and year: poor households and people (mean, 5 % and 95 % bands),
        headcount ratio, FGT0/1/2 of income, exits, returns, entrants, mean income, spending."""
        return pd.DataFrame(self._native.table("summary")).set_index(["scenario", "year"])

    def replicate_values(self, measure: str, scenario: str | None = None) -> pd.DataFrame:
        """Per-replicate totals of one outcome of :data:`MEASURES` (rows: replicates; columns:
        years). ``income_headcount_ratio`` is the former name of ``fgt0`` (deprecated)."""
        measure = outcome_name(measure)
        if measure not in MEASURES:
            raise _args.error(
                f"measure must be one of {MEASURES}, got {measure!r}", "measure", value=repr(measure)
            )
        frames = {
            name: pd.DataFrame(self._native.values(name, measure), columns=self.years)
            for name in self._names(scenario)
        }
        out = pd.concat(frames, names=["scenario", "replicate"])
        out.columns.name = "year"
        return out

    def _groups(self, scenario: str | None, which: str) -> pd.DataFrame:
        frames = []
        for name in self._names(scenario):
            frame = pd.DataFrame(self._native.table(which, name))
            frame.insert(0, "scenario", name)
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
        return self._groups(scenario, "households")

    def paths(self, scenario: str) -> dict[str, np.ndarray]:
        """Stored paths (``keep_paths=True``): ``income`` and ``poor`` arrays shaped
        (replicates, households, years), households in the registry's order."""
        return dict(self._native.paths(scenario))

    def compare(self, a: str, b: str, sustained_years: int = 2, level: float = 0.95) -> pd.DataFrame:
        """Differences ``b − a`` by quantity and year, with two confidence intervals.

        Quantities: ``exits``, ``sustained_exits`` (exits not followed by a return within
        ``sustained_years`` years; exits near the end of the run count if no return was seen),
        ``poor_households``, ``poor_people``, ``fgt1``, ``programme_spending`` (yuan; called
        ``spending`` before), ``cost_per_exit`` and ``cost_per_sustained_exit`` (spending to the
        year divided by exits to the year, per replicate; NaN where a replicate has none).

        Columns: ``mean_a``, ``mean_b``, ``difference`` (mean of b − a), the **paired** interval
        (``paired_se``, ``paired_low``, ``paired_high``: replicate-wise differences, standard error
        sd(d)/√R, Student t on R − 1 degrees of freedom) and the **unpaired** one (``unpaired_se``
        √(var_a/R + var_b/R), Welch–Satterthwaite degrees of freedom), as if the scenarios had
        been run with independent draws. Both scenarios share their random numbers, so the paired
        interval is the right one and is usually much narrower.
        """
        for name in (a, b):
            self._names(name)
        k = _args.integer(sustained_years, "sustained_years", 0, 2**32 - 1)
        cols = self._native.compare(a, b, k, float(level))
        frame = pd.DataFrame(cols)
        frame.attrs.update({"a": a, "b": b, "level": float(level), "sustained_years": k})
        return frame

    def sustained_exits(self, scenario: str | None = None, sustained_years: int = 2) -> pd.DataFrame:
        """Per-replicate exits of each year not followed by a return within ``sustained_years``
        years (rows: scenario and replicate; columns: years)."""
        k = _args.integer(sustained_years, "sustained_years", 0, 2**32 - 1)
        frames = {
            name: pd.DataFrame(self._native.values(name, "sustained_exits", k), columns=self.years)
            for name in self._names(scenario)
        }
        out = pd.concat(frames, names=["scenario", "replicate"])
        out.columns.name = "year"
        return out

    def spending_values(self, scenario: str) -> tuple[list[str], np.ndarray]:
        """Programme spending of one scenario per replicate, year and measure, yuan: the measure
        names and an array shaped (replicates, years, measures)."""
        self._names(scenario)
        return list(self._native.categories(scenario)), np.asarray(
            self._native.values(scenario, "spending"))

    def spending(
        self,
        by: str | Sequence[str] = ("measure", "year"),
        scenario: str | None = None,
    ) -> pd.DataFrame:
        """Programme spending (yuan) by scenario and ``by``: any of ``"measure"``, ``"year"``
        (e.g. ``("measure", "year")``, the default, ``"year"``, ``"measure"`` or ``()`` for the
        run's total), with the mean over replicates and the 5th and 95th percentiles of the
        per-replicate totals (``p5``, ``p95``). Scenarios without a policy have no rows.

        ``by="county"`` (or ``("county", "year")``, ``("county", "measure", "year")``, …) gives
        the same by county (column ``county_id``; rows with spending only): the run keeps county
        spending per replicate, so county rows carry the band too.
        """
        keys = [by] if isinstance(by, str) else list(by)
        unknown = [k for k in keys if k not in ("measure", "year", "county")]
        if unknown or len(set(keys)) != len(keys):
            raise _args.error(
                f"by must name distinct fields among 'measure', 'year', 'county'; got {by!r}",
                "by",
                value=repr(by),
            )
        self._names(scenario)
        return pd.DataFrame(self._native.spending(keys, scenario))

    def guarantee_losses(self, scenario: str | None = None) -> pd.DataFrame:
        """Microcredit defaults charged to the guarantee fund (担保基金), yuan, by scenario and
        year: the mean over replicates and the 5th and 95th percentiles (``p5``, ``p95``). A loan
        defaults, whole, when its venture fails within the loan's term. Losses are not programme
        spending (the budget pays only the fund's reserve). Scenarios without a policy have no
        rows."""
        frame = pd.DataFrame(self._native.table("guarantee_losses"))
        names = self._names(scenario)
        return frame[frame["scenario"].isin(names)].reset_index(drop=True)

    def flows_by_cause(self, scenario: str | None = None) -> pd.DataFrame:
        """Exits (脱贫) and returns (返贫) by scenario, year and primary cause of poverty (means over
        replicates, households; ``none`` where no primary cause is recorded). Rows with any flow."""
        frame = pd.DataFrame(self._native.table("flows_by_cause"))
        names = self._names(scenario)
        return frame[frame["scenario"].isin(names)].reset_index(drop=True)

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
        """Poor people (or households) by year with the 5–95 % band, one line per scenario, on
        ``ax`` (default: a new figure); returns the axes."""
        import matplotlib.pyplot as plt

        if measure not in ("poor_people", "poor_households"):
            raise _args.error(
                "measure must be 'poor_people' or 'poor_households'", "measure", value=repr(measure)
            )
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
        ax.set_ylim(bottom=0)
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
