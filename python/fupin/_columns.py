"""Argument normalisation for column-wise inputs: numbers, 0/1 flags and labels, with errors that
name the column, the 1-based row and the value (as the Rust core's do).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import _native
from ._frames import columns_of


def error(
    message: str, column: str | None = None, row: int | None = None, value: Any = None
) -> _native.ValidationError:
    """A :class:`fupin.ValidationError` with ``column``, ``row`` and ``value`` set."""
    exc = _native.ValidationError(message)
    exc.column = column
    exc.row = row
    exc.value = None if value is None else str(value)
    return exc


def show(value: Any) -> str:
    """A cell as the core prints it: numbers plainly (NaN, inf), text quoted."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, str):
        return repr(value)
    return str(value)


def cell_error(
    table: str, column: str, index: int, value: Any, reason: str
) -> _native.ValidationError:
    """The error for the cell at 0-based position ``index`` (reported 1-based)."""
    shown = show(value)
    return error(
        f"{table}: column `{column}`, row {index + 1}: value {shown} {reason}",
        column,
        index + 1,
        shown,
    )


def as_frame(data: Any, what: str) -> pd.DataFrame:
    """A pandas DataFrame from pandas, polars, pyarrow or a mapping of columns."""
    if isinstance(data, pd.DataFrame):
        return data
    return pd.DataFrame(columns_of(data, what))


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


def integers(values: Any, name: str, table: str) -> np.ndarray:
    """Whole numbers as int64 (floats must be integral; missing values and values int64 cannot
    hold are an error, never wrapped)."""
    s = _series(values)
    if pd.api.types.is_integer_dtype(s.dtype) and not s.isna().any():
        if not (pd.api.types.is_unsigned_integer_dtype(s.dtype) and len(s)
                and s.max() > np.iinfo(np.int64).max):
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
    try:
        codes, labels = pd.factorize(s, sort=True)
    except TypeError:
        codes, labels = pd.factorize(s, sort=False)
    missing = codes < 0
    if missing.any():
        i, v = _first_bad(s, ~missing)
        raise cell_error(table, name, i, v, "is missing")
    return np.ascontiguousarray(codes.astype(np.int64)), pd.Index(labels)


def keys(values: Any, name: str, table: str) -> tuple[np.ndarray, pd.Index | None]:
    """Integer ids as they are; any other ids factorised (``labels`` maps codes back)."""
    s = _series(values)
    if pd.api.types.is_integer_dtype(s.dtype) and not s.isna().any():
        if not (pd.api.types.is_unsigned_integer_dtype(s.dtype) and len(s)
                and s.max() > np.iinfo(np.int64).max):
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
