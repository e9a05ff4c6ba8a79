"""Projections from simulation results: when households (脱贫), villages (出列) and counties (摘帽)
exit, the probability of exit by a deadline with its Monte Carlo band, and who is at risk of
missing it; and poverty spells from stored simulated paths."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ._args import error
from ._calibrate import critical_z
from ._panels import spells
from .engine import Results
from .registry import Registry

__all__ = ["at_risk", "exit_projections", "simulated_spells"]

_LEVELS = {"household": "household_id", "village": "village_id", "county": "county_id"}


def _distribution(results: Results, level: str, scenario: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Units' ids (and county, for villages) and their exit-year distribution: units × (years + 1),
    the share of replicates first exiting in each year, last column not within the run."""
    years = results.years
    if level == "household":
        frame = results.households(scenario)
        cum = frame[[f"exited_by_{y}" for y in years]].to_numpy(dtype=np.float64)
        ids = frame[["household_id"]]
    elif level in ("village", "county"):
        frame = results.villages(scenario) if level == "village" else results.counties(scenario)
        cum = frame[[f"exited_by_{y}" for y in years]].to_numpy(dtype=np.float64)
        ids = frame[["village_id", "county_id"]] if level == "village" else frame[["county_id"]]
    else:
        raise error(
            f"parameter `level` = {level!r}: must be one of {tuple(_LEVELS)}", "level",
            value=repr(level),
        )
    dist = np.diff(np.column_stack([np.zeros(len(cum)), cum, np.ones(len(cum))]), axis=1)
    return ids.reset_index(drop=True), np.clip(dist, 0.0, 1.0)


def _summarise(
    dist: np.ndarray, years: list[int], replications: int, deadline: int, conf_level: float
) -> pd.DataFrame:
    """Per unit: P(exit by deadline) with a Wilson band over ``replications`` replicates, expected
    exit year given an exit within the run, and exit-year quantiles (inverse CDF; ``inf``: not
    within the run)."""
    if deadline not in years:
        raise error(
            f"parameter `deadline` = {deadline}: must be one of the simulated years {years}",
            "deadline",
            value=deadline,
        )
    k = years.index(deadline)
    p = dist[:, : k + 1].sum(axis=1)
    n, z = float(replications), critical_z(conf_level)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    within = dist[:, :-1].sum(axis=1)
    yrs = np.asarray(years, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(within > 0, dist[:, :-1] @ yrs / within, np.nan)
    cum = np.cumsum(dist, axis=1)
    out_years = np.append(yrs, np.inf)

    def quantile(q: float) -> np.ndarray:
        idx = np.argmax(cum >= q - 1e-12, axis=1)
        return out_years[idx]

    return pd.DataFrame(
        {
            "p_exit": p,
            "p_exit_low": np.clip(centre - half, 0.0, 1.0),
            "p_exit_high": np.clip(centre + half, 0.0, 1.0),
            "expected_exit_year": expected,
            "exit_year_p5": quantile(0.05),
            "exit_year_median": quantile(0.5),
            "exit_year_p95": quantile(0.95),
            "p_not_within_run": dist[:, -1],
        }
    )


def exit_projections(
    results: Results,
    level: str = "village",
    deadline: int | None = None,
    scenario: str | None = None,
    conf_level: float = 0.90,
) -> pd.DataFrame:
    """Exit projections for every household (脱贫), village (出列) or county (摘帽) of a run.

    One row per unit: its id (villages also carry ``county_id``); ``p_exit``, the share of
    replicates in which it has exited by the end of ``deadline`` (default: the last simulated
    year), with ``p_exit_low`` / ``p_exit_high`` the Wilson score band at ``conf_level`` for a
    proportion from ``results.replications`` replicates (Monte Carlo uncertainty of the
    probability); ``expected_exit_year``, the mean first exit year over replicates in which it
    exits within the run (NaN if never); ``exit_year_p5`` / ``_median`` / ``_p95``, quantiles of
    its first exit year across replicates (the smallest year whose cumulative share reaches the
    quantile; ``inf`` = not within the run); ``p_not_within_run``. Exit of a village or county is
    its first year with incidence below its threshold, as in :meth:`Results.villages`.
    ``scenario``: default the run's first.
    """
    if not isinstance(results, Results):
        raise TypeError(f"results must be fupin.Results, got {type(results).__name__}")
    scenario = results.scenarios[0] if scenario is None else scenario
    results._names(scenario)
    deadline = results.years[-1] if deadline is None else int(deadline)
    ids, dist = _distribution(results, level, scenario)
    table = _summarise(dist, results.years, results.replications, deadline, conf_level)
    out = pd.concat([ids, table], axis=1)
    out.insert(0, "scenario", scenario)
    out.attrs.update(level=level, deadline=deadline, conf_level=conf_level)
    return out


def at_risk(
    results: Results,
    deadline: int = 2019,
    level: str = "village",
    threshold: float = 0.5,
    scenario: str | None = None,
    conf_level: float = 0.90,
) -> pd.DataFrame:
    """Which units will miss the deadline? Those whose probability of having exited by the end
    of ``deadline`` is below ``threshold``, most at risk first (``p_miss`` = 1 − ``p_exit``
    descending), with the columns of :func:`exit_projections`.

    >>> fupin.timelines.at_risk(res, deadline=2019)        # doctest: +SKIP
    """
    if not 0.0 < threshold <= 1.0:
        raise error(
            f"parameter `threshold` = {threshold}: must lie in (0, 1]", "threshold", value=threshold
        )
    table = exit_projections(results, level, deadline, scenario, conf_level)
    table.insert(table.columns.get_loc("p_exit"), "p_miss", 1.0 - table["p_exit"])
    risky = table[table["p_exit"] < threshold]
    key = _LEVELS[level]
    out = risky.sort_values(["p_miss", key], ascending=[False, True], kind="stable")
    out = out.reset_index(drop=True)
    out.attrs.update(table.attrs, threshold=threshold)
    return out


def simulated_spells(
    results: Results,
    scenario: str | None = None,
    kind: str = "exit",
    registry: Registry | None = None,
) -> pd.DataFrame:
    """Poverty spells of every household in every replicate of a run with ``keep_paths=True``.

    The panel of each replicate is the base year (the year before the first simulated one; poor
    if the household is registered — all households when ``registry`` is not given) followed by
    the simulated poor flags; spells are then exactly those of :func:`fupin.timelines.spells` on
    that panel. Returns columns ``replicate``, ``household_id``, ``start_year``, ``duration``,
    ``observed``, ready for :func:`kaplan_meier`.
    """
    if not isinstance(results, Results):
        raise TypeError(f"results must be fupin.Results, got {type(results).__name__}")
    scenario = results.scenarios[0] if scenario is None else scenario
    poor = np.asarray(results.paths(scenario)["poor"], dtype=bool)
    reps, n_h, n_t = poor.shape
    if registry is None:
        base = np.ones(n_h, dtype=bool)
    else:
        base = registry.households()["registered"].to_numpy(dtype=bool)
        if len(base) != n_h:
            raise error(f"registry has {len(base)} households; the run has {n_h}", "registry")
    try:
        ids = results.households(scenario)["household_id"].to_numpy()
    except Exception:  # runs without household outputs: positions stand in for ids
        ids = np.arange(n_h)
    full = np.concatenate([np.broadcast_to(base, (reps, n_h))[:, :, None], poor], axis=2)
    years = np.arange(results.years[0] - 1, results.years[-1] + 1)
    key = np.repeat(np.arange(reps * n_h), n_t + 1)
    panel = pd.DataFrame(
        {"key": key, "year": np.tile(years, reps * n_h), "poor": full.reshape(-1)}
    )
    sp = spells(panel, household="key", year="year", poor="poor", kind=kind)
    out = pd.DataFrame(
        {
            "replicate": (sp["key"].to_numpy() // n_h).astype(np.int64),
            "household_id": ids[sp["key"].to_numpy() % n_h],
            "start_year": sp["start_year"],
            "duration": sp["duration"],
            "observed": sp["observed"],
        }
    )
    out.attrs["kind"] = kind
    return out
