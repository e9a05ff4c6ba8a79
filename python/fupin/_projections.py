"""Projections from simulation results: when households (脱贫), villages (出列) and counties (摘帽)
exit, the probability of exit by a deadline with its Monte Carlo band, and who is at risk of
missing it; and poverty spells from stored simulated paths."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import _native
from ._args import error
from ._panels import spells
from .engine import Results
from .registry import Registry

__all__ = ["at_risk", "exit_projections", "simulated_spells"]

_LEVELS = {"household": "household_id", "village": "village_id", "county": "county_id"}


def _summarise(
    dist: np.ndarray, years: list[int], replications: int, deadline: int, conf_level: float
) -> pd.DataFrame:
    """Per unit of an exit-year distribution (units × (years + 1), the last column not within
    the run): P(exit by deadline) with a Wilson band over ``replications`` replicates, expected
    exit year given an exit within the run, and exit-year quantiles (``inf``: not within the
    run) — computed by the core (``fupin_core::engine::exit_summary``)."""
    table = _native.exit_summary(np.ascontiguousarray(dist, dtype=np.float64),
                                 [int(y) for y in years], int(replications), int(deadline),
                                 float(conf_level))
    return pd.DataFrame(table)


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
    ``scenario``: default the run's first. Computed by the core
    (``fupin_core::engine::Results::exit_projections``).
    """
    if not isinstance(results, Results):
        raise TypeError(f"results must be fupin.Results, got {type(results).__name__}")
    scenario = results.scenarios[0] if scenario is None else scenario
    results._names(scenario)
    deadline = results.years[-1] if deadline is None else int(deadline)
    out = pd.DataFrame(
        results._native.exit_projections(scenario, level, deadline, float(conf_level))
    )
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
