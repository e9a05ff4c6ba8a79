"""Checks of scalar and list arguments shared by every entry point: whole numbers in range (seeds,
replications, threads, calendar years), runs of consecutive years and row selections.

Whole-number arguments accept Python and NumPy integers and whole-valued floats (``3.0`` is 3);
fractions (``2.7``), booleans, text and values out of range raise :class:`fupin.ValidationError`
naming the argument and the value — nothing is truncated, wrapped or clipped.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from ._columns import error

#: Largest seed: seeds are unsigned 64-bit integers.
MAX_SEED = 2**64 - 1
#: Largest number of replicates (``fupin_core::engine::MAX_REPLICATIONS``).
MAX_REPLICATIONS = 65_535
#: A single year crosses as a 64-bit integer; the core says which years it has a line for.
_YEAR_RANGE = (-(2**63), 2**63 - 1)
#: The calendar years a run may span (``fupin_core::dynamics::line::{MIN_YEAR, MAX_YEAR}``).
CALENDAR_YEARS = (1900, 2399)


def _invalid(name: str, value: Any, reason: str) -> Exception:
    shown = repr(value.item() if isinstance(value, np.generic) else value)
    return error(f"parameter `{name}` = {shown}: {reason}", column=name, value=shown)


def whole(value: Any, name: str) -> int:
    """``value`` as an ``int`` if it is a whole number (see the module docstring), else a
    ValidationError naming ``name``."""
    if isinstance(value, (bool, np.bool_)):
        raise _invalid(name, value, "must be a whole number, not a boolean")
    try:
        return operator.index(value)
    except TypeError:
        pass
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isfinite(x) and x.is_integer():
            return int(x)
        raise _invalid(name, value, "must be a whole number (it is not truncated)")
    raise _invalid(name, value, f"must be a whole number, got {type(value).__name__}")


def number(value: Any, name: str) -> float:
    """A real number as ``float`` (the core checks its range); text, booleans and other objects
    are a ValidationError naming ``name``."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise _invalid(name, value, "must be a number")
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise _invalid(name, value, "must be a number") from None


def mapping(value: Any, name: str) -> dict[Any, Any]:
    """``value`` as a ``dict`` if it is a mapping, else a ValidationError naming ``name``."""
    if isinstance(value, Mapping):
        return dict(value)
    raise _invalid(name, value, f"must be a table of year = value, got {type(value).__name__}")


def integer(value: Any, name: str, lo: int, hi: int | None = None) -> int:
    """A whole number in ``lo..=hi`` (no upper bound for ``hi=None`` beyond int64); anything else
    is a ValidationError naming ``name``."""
    x = whole(value, name)
    if hi is None:
        if not lo <= x <= 2**63 - 1:
            raise _invalid(name, value, f"must be ≥ {lo}" if x < lo else "is too large")
    elif not lo <= x <= hi:
        raise _invalid(name, value, f"must be between {lo} and {hi}")
    return x


def seed(value: Any, name: str = "seed") -> int:
    """A seed: a whole number in 0..=2⁶⁴ − 1."""
    return integer(value, name, 0, MAX_SEED)


def replications(value: Any, name: str = "replications") -> int:
    """A number of replicates: 1..=65,535."""
    return integer(value, name, 1, MAX_REPLICATIONS)


def threads(value: Any, name: str = "threads") -> int | None:
    """None (``FUPIN_NUM_THREADS`` or every core) or a whole number ≥ 1 (the core caps it)."""
    if value is None:
        return None
    return integer(value, name, 1)


def year(value: Any, name: str = "year") -> int:
    """A calendar year as a whole number (the core checks the year against what it covers)."""
    return integer(value, name, *_YEAR_RANGE)


def year_key(value: Any, name: str) -> str:
    """A year as a table key (budgets, line schedules): a whole-number year, or its decimal text
    (as JSON and TOML keys are); ``2016.5`` is refused, not truncated."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return str(year(int(value), name))
    return str(year(value, name))


def years(values: Iterable[Any] | Any, name: str = "years") -> tuple[int, int]:
    """``(first year, number of years)`` of consecutive calendar years such as
    ``range(2016, 2021)``; each year a whole number (``[2016.5]`` is refused, not truncated)."""
    if isinstance(values, (int, float, np.integer, np.floating, str, bytes)):
        raise _invalid(name, values, "must be a range of calendar years such as range(2016, 2021)")
    try:
        items = list(values)
    except TypeError:
        raise _invalid(
            name, values, "must be a range of calendar years such as range(2016, 2021)"
        ) from None
    if not items:
        raise _invalid(name, items, "is empty; give a range such as range(2016, 2021)")
    out = [integer(y, f"{name}[{i}]", *CALENDAR_YEARS) for i, y in enumerate(items)]
    for i in range(1, len(out)):
        if out[i] != out[i - 1] + 1:
            raise _invalid(
                name, items, f"must be consecutive years; {out[i]} follows {out[i - 1]}"
            )
    return out[0], len(out)


def rows(values: Any, n: int, name: str = "rows") -> list[int]:
    """0-based row positions in a table of ``n`` rows: whole numbers in ``0..n``, or a boolean
    mask of exactly ``n`` values (the positions where it is true). Booleans are never read as
    row numbers, negative positions do not count from the end, and fractions are not truncated."""
    if isinstance(values, (list, tuple)):
        items: list[Any] = list(values)
        is_mask = bool(items) and all(isinstance(v, (bool, np.bool_)) for v in items)
    else:
        a = np.asarray(values.to_numpy() if hasattr(values, "to_numpy") else values)
        if a.ndim == 0:
            a = a.reshape(1)
        if a.ndim != 1:
            raise _invalid(name, f"an array of shape {a.shape}", "must be one-dimensional")
        is_mask = a.dtype.kind == "b"
        items = a.tolist() if a.dtype.kind in "biuf" else list(a)
    if is_mask:
        if len(items) != n:
            raise _invalid(
                name, f"a boolean mask of {len(items)} values",
                f"a boolean mask must have one value per row ({n})",
            )
        return [i for i, v in enumerate(items) if v]
    out = []
    for i, v in enumerate(items):
        r = whole(v, f"{name}[{i}]")
        if not 0 <= r < n:
            raise _invalid(
                f"{name}[{i}]", v, f"is not a row of a table of {n} rows (0-based: 0 to {n - 1})"
            )
        out.append(r)
    return out
