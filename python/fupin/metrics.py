"""Poverty and inequality measures, with optional survey weights, and poverty profiles.

Incomes are per-capita (yuan per person per year), finite and ≥ 0; ``weights`` are always survey
weights (finite, > 0, one per income). A person is poor when income is *strictly* below the line.

Zero incomes: allowed by :func:`fgt`, :func:`sen`, :func:`gini`, :func:`theil` (0·ln 0 = 0) and
:func:`ge` with α > 0; an error for :func:`watts` (ln 0 among the poor), :func:`mld` and
:func:`ge` with α ≤ 0. Every error is a :class:`fupin.ValidationError` naming the row and value.
Sums are compensated and chunked in a fixed order: results are identical for any thread count.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import _args, _native
from .registry import Registry

__all__ = ["fgt", "ge", "gini", "mld", "profile", "sen", "theil", "watts"]


def _f64(values: Any, name: str) -> np.ndarray:
    """Numbers as float64; text, booleans and other non-numbers are a ValidationError naming
    ``name``, the 1-based row and the value."""
    array = values if isinstance(values, np.ndarray) else _args.as_array(values)
    if array.dtype.kind == "b" or (
        array.dtype.kind == "O" and any(isinstance(x, (bool, np.bool_)) for x in array.ravel())
    ):
        flat = array.ravel()
        i = next(i for i, x in enumerate(flat) if isinstance(x, (bool, np.bool_)))
        raise _args.error(
            f"{name}: row {i + 1} value {flat[i]!r} is a boolean, not a number",
            column=name, row=i + 1, value=flat[i],
        )
    return _args.f64(array, name)


def _w(weights: Any) -> np.ndarray | None:
    return None if weights is None else _f64(weights, "weights")


def fgt(incomes: Any, line: float, alpha: float = 0.0, weights: Any = None) -> float:
    """Foster–Greer–Thorbecke index P_α = Σ w·((z − y)/z)^α·[y < z] / Σ w.

    ``alpha=0`` is the headcount ratio, 1 the poverty gap index, 2 the squared gap (severity).

    >>> fgt([100, 110, 150, 160], 125, alpha=1)
    0.08
    """
    return _native.index(
        "fgt", _f64(incomes, "incomes"), _args.number(line, "line"), _args.number(alpha, "alpha"),
        _w(weights),
    )


def watts(incomes: Any, line: float, weights: Any = None) -> float:
    """Watts index: Σ w·ln(z / y)·[y < z] / Σ w. Zero incomes below the line are an error."""
    return _native.index("watts", _f64(incomes, "incomes"), _args.number(line, "line"), weights=_w(weights))


def sen(incomes: Any, line: float, weights: Any = None) -> float:
    """Sen index P₀·[I + (1 − I)·G_p] (large-population form; Haughton & Khandker 2009, ch. 4).

    I is the income-gap ratio of the poor and G_p the Gini among the poor.
    """
    return _native.index("sen", _f64(incomes, "incomes"), _args.number(line, "line"), weights=_w(weights))


def gini(incomes: Any, weights: Any = None) -> float:
    """Gini coefficient (population form, no n/(n − 1) correction); the mean must be > 0."""
    return _native.index("gini", _f64(incomes, "incomes"), weights=_w(weights))


def theil(incomes: Any, weights: Any = None) -> float:
    """Theil T index, GE(1) = mean of (y/μ)·ln(y/μ); zero incomes contribute 0."""
    return _native.index("theil", _f64(incomes, "incomes"), weights=_w(weights))


def mld(incomes: Any, weights: Any = None) -> float:
    """Mean log deviation, GE(0) = mean of ln(μ/y); zero incomes are an error."""
    return _native.index("mld", _f64(incomes, "incomes"), weights=_w(weights))


def ge(incomes: Any, alpha: float, weights: Any = None) -> float:
    """Generalized entropy GE(α); α = 1 is Theil T and α = 0 the mean log deviation."""
    return _native.index(
        "ge", _f64(incomes, "incomes"), alpha=_args.number(alpha, "alpha"), weights=_w(weights)
    )


_LEVELS = ("all", "village", "county", "cause", "primary_cause")


def profile(registry: Registry, line: float, by: str | None = None) -> pd.DataFrame:
    """Poverty profile of a registry by village, county and cause of poverty.

    Each household counts ``weight`` times as a household and ``size × weight`` times as people.
    Columns: households, people, poor_households, poor_people, registered_households,
    registered_people, poor_registered_people, fgt0/fgt1/fgt2 (people-based), population,
    incidence (poor registered people / population), exit_threshold, above_threshold (incidence
    above the village's or county's exit threshold) and ``share_<cause>`` (share of households
    citing a cause that cite this one; a household may cite several). Ratios with a zero
    denominator are NaN.

    ``by`` picks one level (``"all"``, ``"village"``, ``"county"``, ``"cause"``,
    ``"primary_cause"``) as a DataFrame indexed by group; by default every level is returned in
    one DataFrame indexed by (level, group).
    """
    if not isinstance(registry, Registry):
        raise TypeError(f"registry must be a fupin.Registry, got {type(registry).__name__}")
    if by is not None and by not in _LEVELS:
        raise _args.error(f"by must be one of {_LEVELS}, got {by!r}", "by", value=repr(by))
    levels = _native.profile(registry._native, _args.number(line, "line"))
    frames = {}
    for level in _LEVELS if by is None else (by,):
        columns = dict(levels[level])
        frame = pd.DataFrame(columns).set_index("group")
        frame["above_threshold"] = frame["above_threshold"].astype("boolean")
        frames[level] = frame
    if by is not None:
        return frames[by]
    return pd.concat(frames, names=["level", "group"])
