"""Every argument check of fupin's Python layer, and the one way it reports bad input.

* :func:`error` builds every :class:`fupin.ValidationError` (or another fupin error) the Python
  layer raises, with ``column``, ``row`` (1-based) and ``value`` set (None where they do not
  apply), as the Rust core's errors carry them. :func:`invalid` names a parameter and its value,
  :func:`field_error` a field of a specification, :func:`cell_error` a cell of a table.
* Scalars and lists: whole numbers in range (seeds, replications, threads, calendar years), runs
  of consecutive years and row selections. Whole-number arguments accept Python and NumPy
  integers and whole-valued floats (``3.0`` is 3); fractions (``2.7``), booleans, text and values
  out of range raise :class:`fupin.ValidationError` naming the argument and the value — nothing
  is truncated, wrapped or clipped.
* Columns of a table (:func:`floats`, :func:`integers`, :func:`flags`, :func:`factorize`,
  :func:`keys`): errors name the table, the column, the 1-based row and the value; numbers written
  as text are read as numbers.
* One-dimensional array arguments (:func:`f64`, :func:`flag_array`, :func:`codes`,
  :func:`weights`): errors name the argument, the 1-based row and the value; text is refused.
* :func:`spec_text`: TOML/JSON text given inline or as a file path.
"""

from __future__ import annotations

import math
import operator
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import _native

# ---- errors -------------------------------------------------------------------------------------


def error(
    message: str,
    column: str | None = None,
    row: int | None = None,
    value: Any = None,
    *,
    kind: type[_native.FupinError] | None = None,
) -> _native.FupinError:
    """A :class:`fupin.ValidationError` (or the fupin error class ``kind``) with ``column``,
    ``row`` (1-based) and ``value`` (as text) set; None where they do not apply."""
    exc = (_native.ValidationError if kind is None else kind)(message)
    exc.column = column
    exc.row = row
    exc.value = None if value is None else str(value)
    return exc


def show(value: Any) -> str:
    """A value as the core prints it: numbers plainly (NaN, inf), text quoted."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def invalid(name: str, value: Any, reason: str) -> _native.FupinError:
    """The error for parameter ``name`` given ``value``: ``parameter `name` = value: reason``."""
    shown = repr(value.item() if isinstance(value, np.generic) else value)
    return error(f"parameter `{name}` = {shown}: {reason}", column=name, value=shown)


def field_error(field: str, message: str) -> _native.FupinError:
    """The error for a field of a specification (``budget.yearly``): ``field: message``."""
    return error(f"{field}: {message}", column=field)


def cell_error(
    table: str, column: str, index: int, value: Any, reason: str
) -> _native.FupinError:
    """The error for the cell at 0-based position ``index`` (reported 1-based)."""
    shown = show(value)
    return error(
        f"{table}: column `{column}`, row {index + 1}: value {shown} {reason}",
        column,
        index + 1,
        shown,
    )


def spec_text(text_or_path: str | os.PathLike[str]) -> str:
    """TOML/JSON text, or the contents of a file given as a path (a ``pathlib.Path``, or a
    one-line string that cannot be TOML or JSON, such as ``"model.toml"``)."""
    if isinstance(text_or_path, os.PathLike):
        return Path(text_or_path).read_text(encoding="utf-8")
    text = str(text_or_path)
    looks_like_data = "\n" in text or "=" in text or text.lstrip().startswith(("{", "["))
    if looks_like_data:
        return text
    try:
        return Path(text).read_text(encoding="utf-8")
    except OSError as err:
        raise error(f"{text}: {err.strerror or err}", kind=_native.FupinIOError) from err


# ---- scalars and lists --------------------------------------------------------------------------

#: Largest seed: seeds are unsigned 64-bit integers.
MAX_SEED = 2**64 - 1
#: Largest number of replicates (``fupin_core::engine::MAX_REPLICATIONS``).
MAX_REPLICATIONS = 65_535
#: A single year crosses as a 64-bit integer; the core says which years it has a line for.
_YEAR_RANGE = (-(2**63), 2**63 - 1)
#: The calendar years a run may span (``fupin_core::dynamics::line::{MIN_YEAR, MAX_YEAR}``).
CALENDAR_YEARS = (1900, 2399)


def whole(value: Any, name: str) -> int:
    """``value`` as an ``int`` if it is a whole number (see the module docstring), else a
    ValidationError naming ``name``."""
    if isinstance(value, (bool, np.bool_)):
        raise invalid(name, value, "must be a whole number, not a boolean")
    try:
        return operator.index(value)
    except TypeError:
        pass
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isfinite(x) and x.is_integer():
            return int(x)
        raise invalid(name, value, "must be a whole number (it is not truncated)")
    raise invalid(name, value, f"must be a whole number, got {type(value).__name__}")


def number(value: Any, name: str) -> float:
    """A real number as ``float`` (the core checks its range); text, booleans and other objects
    are a ValidationError naming ``name``."""
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise invalid(name, value, "must be a number")
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        raise invalid(name, value, "must be a number") from None


def mapping(value: Any, name: str) -> dict[Any, Any]:
    """``value`` as a ``dict`` if it is a mapping, else a ValidationError naming ``name``."""
    if isinstance(value, Mapping):
        return dict(value)
    raise invalid(name, value, f"must be a table of year = value, got {type(value).__name__}")


def integer(value: Any, name: str, lo: int, hi: int | None = None) -> int:
    """A whole number in ``lo..=hi`` (no upper bound for ``hi=None`` beyond int64); anything else
    is a ValidationError naming ``name``."""
    x = whole(value, name)
    if hi is None:
        if not lo <= x <= 2**63 - 1:
            raise invalid(name, value, f"must be ≥ {lo}" if x < lo else "is too large")
    elif not lo <= x <= hi:
        raise invalid(name, value, f"must be between {lo} and {hi}")
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
        raise invalid(name, values, "must be a range of calendar years such as range(2016, 2021)")
    try:
        items = list(values)
    except TypeError:
        raise invalid(
            name, values, "must be a range of calendar years such as range(2016, 2021)"
        ) from None
    if not items:
        raise invalid(name, items, "is empty; give a range such as range(2016, 2021)")
    out = [integer(y, f"{name}[{i}]", *CALENDAR_YEARS) for i, y in enumerate(items)]
    for i in range(1, len(out)):
        if out[i] != out[i - 1] + 1:
            raise invalid(
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
            raise invalid(name, f"an array of shape {a.shape}", "must be one-dimensional")
        is_mask = a.dtype.kind == "b"
        items = a.tolist() if a.dtype.kind in "biuf" else list(a)
    if is_mask:
        if len(items) != n:
            raise invalid(
                name, f"a boolean mask of {len(items)} values",
                f"a boolean mask must have one value per row ({n})",
            )
        return [i for i, v in enumerate(items) if v]
    out = []
    for i, v in enumerate(items):
        r = whole(v, f"{name}[{i}]")
        if not 0 <= r < n:
            raise invalid(
                f"{name}[{i}]", v, f"is not a row of a table of {n} rows (0-based: 0 to {n - 1})"
            )
        out.append(r)
    return out


# ---- columns of a table -----------------------------------------------------------------------


def column(frame: pd.DataFrame, name: str, table: str) -> pd.Series:
    """``frame[name]`` or a ValidationError naming the missing column."""
    if name not in frame.columns:
        raise error(f"{table}: required column `{name}` is missing", name)
    return frame[name]


def _series(values: Any) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    if hasattr(values, "to_pandas") and not isinstance(values, np.ndarray):
        return values.to_pandas().reset_index(drop=True)
    array = np.asarray(values)
    if array.ndim != 1:
        raise error(f"expected a one-dimensional column, got shape {array.shape}")
    return pd.Series(array)


def _first_bad(series: pd.Series, ok: np.ndarray) -> tuple[int, Any]:
    i = int(np.flatnonzero(~ok)[0])
    return i, series.iloc[i]


def floats(values: Any, name: str, table: str, *, finite: bool = False) -> np.ndarray:
    """A contiguous float64 array; text is an error naming the row. Missing values become NaN,
    which is an error here when ``finite`` (else the core reports it)."""
    s = _series(values)
    if pd.api.types.is_bool_dtype(s.dtype) and not s.isna().any():
        out = s.to_numpy(dtype=np.float64)
    else:
        numeric = pd.to_numeric(s, errors="coerce")
        bad = numeric.isna().to_numpy() & ~s.isna().to_numpy()
        if bad.any():
            i, v = _first_bad(s, ~bad)
            raise cell_error(table, name, i, v, "is not a number")
        out = numeric.to_numpy(dtype=np.float64, na_value=np.nan)
    if finite:
        ok = np.isfinite(out)
        if not ok.all():
            i, v = _first_bad(s, ok)
            raise cell_error(table, name, i, v, "must be finite (missing values are not allowed)")
    return np.ascontiguousarray(out)


def _int64_as_is(s: pd.Series) -> bool:
    """Whether a column of integers, none missing, crosses as int64 unchanged (not uint64 values
    int64 cannot hold)."""
    if not pd.api.types.is_integer_dtype(s.dtype) or s.isna().any():
        return False
    return not (pd.api.types.is_unsigned_integer_dtype(s.dtype) and len(s)
                and s.max() > np.iinfo(np.int64).max)


def _factorize(values: Any) -> tuple[np.ndarray, Any]:
    """``pd.factorize`` with the labels sorted where they sort, else in order of appearance."""
    try:
        return pd.factorize(values, sort=True)
    except TypeError:
        return pd.factorize(values, sort=False)


def integers(values: Any, name: str, table: str) -> np.ndarray:
    """Whole numbers as int64 (floats must be integral; missing values and values int64 cannot
    hold are an error, never wrapped)."""
    s = _series(values)
    if _int64_as_is(s):
        return np.ascontiguousarray(s.to_numpy(dtype=np.int64))
    x = floats(s, name, table, finite=True)
    ok = x == np.round(x)
    if not ok.all():
        i, v = _first_bad(s, ok)
        raise cell_error(table, name, i, v, "must be a whole number")
    ok = np.abs(x) < 2.0**63
    if not ok.all():
        i, v = _first_bad(s, ok)
        raise cell_error(table, name, i, v, "is too large for a 64-bit integer")
    return np.ascontiguousarray(x.astype(np.int64))


def _is_flag(v: Any) -> bool:
    if isinstance(v, (bool, np.bool_)):
        return True
    return isinstance(v, (int, float, np.integer, np.floating)) and bool(v == 0 or v == 1)


def flags(values: Any, name: str, table: str) -> np.ndarray:
    """Booleans from bools or 0/1 numbers; anything else (missing included) names its row."""
    s = _series(values)
    if pd.api.types.is_bool_dtype(s.dtype) and not s.isna().any():
        return np.ascontiguousarray(s.to_numpy(dtype=np.bool_))
    objects = s.to_numpy(dtype=object)
    ok = np.fromiter((_is_flag(v) for v in objects), dtype=np.bool_, count=len(objects))
    if not ok.all():
        i, v = _first_bad(s, ok)
        raise cell_error(table, name, i, v, "must be true/false or 1/0")
    return np.ascontiguousarray(np.array([bool(v) for v in objects], dtype=np.bool_))


def factorize(values: Any, name: str, table: str) -> tuple[np.ndarray, pd.Index]:
    """Integer codes and the labels they stand for (labels sorted where they can be)."""
    s = _series(values)
    codes, labels = _factorize(s)
    missing = codes < 0
    if missing.any():
        i, v = _first_bad(s, ~missing)
        raise cell_error(table, name, i, v, "is missing")
    return np.ascontiguousarray(codes.astype(np.int64)), pd.Index(labels)


def keys(values: Any, name: str, table: str) -> tuple[np.ndarray, pd.Index | None]:
    """Integer ids as they are; any other ids factorised (``labels`` maps codes back)."""
    s = _series(values)
    if _int64_as_is(s):
        return np.ascontiguousarray(s.to_numpy(dtype=np.int64)), None
    # Other ids, and uint64 ids int64 cannot hold, are factorised (labels keep them exactly).
    return factorize(s, name, table)


def relabel_households(exc: Exception, labels: pd.Index | None) -> Exception:
    """Rewrite ``household <code>`` in a core message to the household's own id."""
    if labels is None or not exc.args:
        return exc

    def swap(m: re.Match[str]) -> str:
        code = int(m.group(1))
        return f"household {labels[code]!r}" if 0 <= code < len(labels) else m.group(0)

    message = re.sub(r"household (-?\d+)", swap, str(exc.args[0]))
    new = error(message, getattr(exc, "column", None), getattr(exc, "row", None))
    new.value = re.sub(r"household (-?\d+)", swap, str(getattr(exc, "value", "") or "")) or None
    return new


def line_per_row(
    line: Any, frame: pd.DataFrame, years: np.ndarray, year_name: str, table: str
) -> np.ndarray:
    """A poverty line per row: one number, a column name, or a schedule ``{year: line}``."""
    if isinstance(line, str):
        return floats(column(frame, line, table), line, table, finite=True)
    if isinstance(line, Mapping):
        schedule = {int(k): float(v) for k, v in line.items()}
        out = np.empty(len(years), dtype=np.float64)
        for i, y in enumerate(years):
            if int(y) not in schedule:
                raise cell_error(table, year_name, i, int(y), "has no poverty line in `line`")
            out[i] = schedule[int(y)]
        return out
    if np.ndim(line) == 0:
        return np.asarray([float(line)], dtype=np.float64)
    return floats(line, "line", table)


# ---- one-dimensional array arguments ------------------------------------------------------------


def as_array(values: Any) -> np.ndarray:
    """A NumPy array of a pandas, polars or array-like argument, values kept as given (missing
    numbers as NaN; a list mixing numbers and text as objects, not all text)."""
    if isinstance(values, pd.Series | pd.Index):
        if pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype):
            if values.isna().any():
                return values.to_numpy(dtype=np.float64, na_value=np.nan)
        return values.to_numpy()
    if type(values).__module__.split(".")[0] == "polars":
        return values.to_numpy()
    a = np.asarray(values)
    if a.dtype.kind in "US" and not isinstance(values, np.ndarray):
        # NumPy turns [0.0, "abc"] into text throughout; keep each element as given so an error
        # names the cell that is text, not the first one.
        return np.asarray(values, dtype=object)
    return a


def f64(values: Any, name: str) -> np.ndarray:
    """A contiguous 1-D float64 array; text is an error naming ``name``, row and value."""
    a = as_array(values)
    if a.ndim != 1:
        raise error(f"{name} must be one-dimensional, got shape {a.shape}", column=name)
    if a.dtype.kind in "biuf":
        return np.ascontiguousarray(a, dtype=np.float64)
    out = np.empty(len(a), dtype=np.float64)
    for i, x in enumerate(a):
        try:
            if isinstance(x, (str, bytes)):
                raise TypeError
            out[i] = np.nan if x is None or x is pd.NA else float(x)
        except (TypeError, ValueError, OverflowError):
            x = x.item() if isinstance(x, np.generic) else x
            raise error(
                f"{name}: row {i + 1} value {x!r} is not a number", column=name, row=i + 1, value=x
            ) from None
    return out


def flag_array(values: Any, name: str) -> np.ndarray:
    """A contiguous 1-D bool array from booleans or 0/1 numbers; anything else is an error."""
    a = as_array(values)
    if a.ndim != 1:
        raise error(f"{name} must be one-dimensional, got shape {a.shape}", column=name)
    if a.dtype.kind == "b":
        return np.ascontiguousarray(a)
    if a.dtype.kind in "iuf":
        bad = np.flatnonzero(~((a == 0) | (a == 1)))
        if bad.size:
            i = int(bad[0])
            raise error(
                f"{name}: row {i + 1} value {a[i]!r} is not a flag (True/False or 1/0)",
                column=name, row=i + 1, value=a[i],
            )
        return np.ascontiguousarray(a == 1)
    out = np.empty(len(a), dtype=np.bool_)
    for i, x in enumerate(a):
        if isinstance(x, bool | np.bool_) or (isinstance(x, int | np.integer) and x in (0, 1)):
            out[i] = bool(x)
        else:
            raise error(
                f"{name}: row {i + 1} value {x!r} is not a flag (True/False or 1/0)",
                column=name, row=i + 1, value=x,
            )
    return out


def weights(values: Any) -> np.ndarray | None:
    """Survey weights as float64 (validated in Rust), or None."""
    return None if values is None else f64(values, "weights")


def codes(labels: Any, name: str) -> tuple[np.ndarray, pd.Index]:
    """0-based int64 codes of group labels and the labels in code order (sorted when the labels
    sort, else in order of first appearance). A missing label is an error naming its row."""
    a = as_array(labels)
    if a.ndim != 1:
        raise error(f"{name} must be one-dimensional, got shape {a.shape}", column=name)
    c, uniques = _factorize(a)
    missing = np.flatnonzero(c < 0)
    if missing.size:
        i = int(missing[0])
        raise error(f"{name}: row {i + 1} has no label", column=name, row=i + 1, value=a[i])
    return np.ascontiguousarray(c, dtype=np.int64), pd.Index(uniques, name=name)
