"""Household × year panels of poverty: :func:`spells` and :func:`person_periods`, the inputs of
the estimators in :mod:`fupin.timelines` (which re-exports both) and of
:func:`fupin.timelines.simulated_spells`. The spells themselves are computed by the Rust core
(``fupin_core::timelines``); this module reads the panel and builds DataFrames. Errors are
:class:`fupin.ValidationError` naming the column, the 1-based row and the value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _native
from ._args import column, error, flags, floats, integers, keys, line_per_row, relabel_households
from ._frames import as_frame

__all__ = ["person_periods", "spells"]


def _panel(
    panel: Any,
    household: str,
    year: str,
    poor: str | None,
    income: str | None,
    line: Any,
) -> tuple[pd.DataFrame, np.ndarray, pd.Index | None, np.ndarray, np.ndarray]:
    frame = as_frame(panel, "panel")
    hh, labels = keys(column(frame, household, "panel"), household, "panel")
    years = integers(column(frame, year, "panel"), year, "panel")
    limits = np.iinfo(np.int32)
    out_of_range = (years < limits.min) | (years > limits.max)
    if out_of_range.any():
        i = int(np.flatnonzero(out_of_range)[0])
        raise error(
            f"panel: column `{year}`, row {i + 1}: value {years[i]} is not a valid year",
            year,
            i + 1,
            years[i],
        )
    if income is not None:
        if line is None:
            raise error(
                "parameter `line`: required with `income` (a number, column or {year: line})", "line"
            )
        y = floats(column(frame, income, "panel"), income, "panel", finite=True)
        z = line_per_row(line, frame, years, year, "panel")
        is_poor = _native.poor_flags(y, z)
    else:
        name = poor or "poor"
        is_poor = flags(column(frame, name, "panel"), name, "panel")
    return frame, hh, labels, years, is_poor


def _kind(kind: str) -> str:
    if kind not in ("exit", "return"):
        raise error(
            f"parameter `kind` = {kind!r}: must be 'exit' or 'return'", "kind", value=repr(kind)
        )
    return kind


def _take(frame: pd.DataFrame, names: Sequence[str], rows: np.ndarray) -> dict[str, Any]:
    return {
        name: column(frame, name, "panel").iloc[rows].reset_index(drop=True) for name in names
    }


def _check_clash(names: Sequence[str], taken: Sequence[str]) -> None:
    for name in names:
        if name in taken:
            raise error(f"column `{name}` would clash with an output column {list(taken)}", name)


def spells(
    panel: Any,
    household: str = "household_id",
    year: str = "year",
    poor: str | None = None,
    *,
    income: str | None = None,
    line: Any = None,
    kind: str = "exit",
    columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Poverty spells from a household × year panel (pandas, polars, pyarrow or a mapping).

    The panel has one row per household and year, in any order; each household's years must be
    consecutive and appear once. Poverty is read from the ``poor`` column (bool or 0/1; default
    ``"poor"``), or computed as ``income < line`` when ``income`` names a column (``line``: a
    number, a column name, or a schedule ``{year: line}``).

    * ``kind="exit"``: from the household's first observed poor year p to its first non-poor year
      e after it (event after e − p years), or censored at the last observed year L after L − p
      years. A household poor in its first observed year may have been poor before: the spell is
      left-truncated and counted from the first observed year. Never-poor households have none.
    * ``kind="return"``: for households with an exit, from the exit year e to the first poor year
      after it, or censored at L.
    * A spell starting in the last observed year has duration 0 and is censored (kept, so nothing
      is dropped silently).

    Returns one row per spell, households in ascending id order: the household id (column named
    as ``household``), ``start_year``, ``duration`` (whole years), ``observed`` (event seen) and
    the ``columns`` asked for, copied from the spell's start year (e.g. ``"primary_cause"`` or
    ``"village_id"`` for :func:`kaplan_meier` by group). Feed ``duration`` and ``observed`` to
    :func:`kaplan_meier`. Text household ids are fine (they are factorised).
    """
    kind = _kind(kind)
    _check_clash(columns, [household, "start_year", "duration", "observed"])
    frame, hh, labels, years, is_poor = _panel(panel, household, year, poor, income, line)
    try:
        sp = _native.spells(hh, years, is_poor, kind)
    except _native.ValidationError as exc:
        raise relabel_households(exc, labels) from None
    ids = sp["household"] if labels is None else labels.take(sp["household"])
    out = pd.DataFrame(
        {
            household: ids,
            "start_year": sp["start_year"],
            "duration": sp["duration"].astype(np.int64),
            "observed": sp["observed"],
        }
    )
    for name, values in _take(frame, columns, sp["start_row"]).items():
        out[name] = values
    out.attrs["kind"] = kind
    return out


def person_periods(
    panel: Any,
    household: str = "household_id",
    year: str = "year",
    poor: str | None = None,
    *,
    income: str | None = None,
    line: Any = None,
    kind: str = "exit",
    covariates: Sequence[str] = (),
    columns: Sequence[str] = (),
) -> pd.DataFrame:
    """Person-period rows (one per household and year at risk) for discrete-time hazard models.

    The panel and spells are as in :func:`spells`. A spell of duration D gives rows for periods
    1, …, D: ``period`` is the number of years at risk so far (time since entering the spell),
    ``year`` (named as the ``year`` argument) the calendar year in which the outcome is seen, and
    ``event`` is True only in the last row of a spell that ends with the event (exit, or return).

    ``covariates`` (numeric columns, finite) and ``columns`` (any columns, e.g. ``"village_id"``
    for clustered errors) are taken from the household's row of the *previous* year: its state
    while at risk, measured before the outcome, so a covariate cannot be a consequence of the exit
    it explains. Fit with ``HazardModel.fit(pp, covariates=[...])``.
    """
    kind = _kind(kind)
    covariates, columns = list(covariates), list(columns)
    _check_clash(covariates + columns, [household, year, "period", "event"])
    frame, hh, labels, years, is_poor = _panel(panel, household, year, poor, income, line)
    cov = None
    if covariates:
        cov = np.column_stack(
            [floats(column(frame, c, "panel"), c, "panel") for c in covariates]
        ).astype(np.float64)
        cov = np.ascontiguousarray(cov)
    try:
        pp = _native.spells(hh, years, is_poor, kind, cov, list(covariates or ()))
    except _native.ValidationError as exc:
        raise relabel_households(exc, labels) from None
    ids = pp["household"] if labels is None else labels.take(pp["household"])
    out = pd.DataFrame(
        {household: ids, year: pp["year"], "period": pp["period"], "event": pp["event"]}
    )
    for j, name in enumerate(covariates):
        out[name] = pp["covariates"][:, j]
    for name, values in _take(frame, columns, pp["source_row"]).items():
        out[name] = values
    out.attrs["kind"] = kind
    return out
