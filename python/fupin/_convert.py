"""Argument normalisation shared by the targeting functions: 1-D float and flag arrays, group
labels to codes, tables to column dicts, and ``ValidationError`` with column/row/value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import _native
from ._frames import Columns, columns_of
from .registry import Registry


def error(
    message: str, column: str | None = None, row: int | None = None, value: Any = None
) -> _native.ValidationError:
    """A :class:`fupin.ValidationError` with its ``column``, ``row`` (1-based) and ``value``."""
    e = _native.ValidationError(message)
    e.column = column
    e.row = row
    e.value = None if value is None else str(value)
    return e


def _array(values: Any) -> np.ndarray:
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
    a = _array(values)
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


def flags(values: Any, name: str) -> np.ndarray:
    """A contiguous 1-D bool array from booleans or 0/1 numbers; anything else is an error."""
    a = _array(values)
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
    a = _array(labels)
    if a.ndim != 1:
        raise error(f"{name} must be one-dimensional, got shape {a.shape}", column=name)
    try:
        c, uniques = pd.factorize(a, sort=True)
    except TypeError:
        c, uniques = pd.factorize(a, sort=False)
    missing = np.flatnonzero(c < 0)
    if missing.size:
        i = int(missing[0])
        raise error(f"{name}: row {i + 1} has no label", column=name, row=i + 1, value=a[i])
    return np.ascontiguousarray(c, dtype=np.int64), pd.Index(uniques, name=name)


def table(data: Any, what: str) -> Columns:
    """Columns of a frame, a mapping, or a registry's households."""
    if isinstance(data, Registry):
        return dict(data._native.households_columns())
    return columns_of(data, what)


def numeric_columns(data: Any, what: str) -> dict[str, np.ndarray]:
    """Columns of a frame or mapping as float64 arrays (flags as 1/0); text is an error."""
    if data is None:
        return {}
    if not isinstance(data, Mapping) and type(data).__module__.split(".")[0] not in (
        "pandas", "polars", "pyarrow",
    ):
        raise TypeError(f"{what} must be a DataFrame or a mapping of columns, got {type(data).__name__}")
    return {name: f64(col, name) for name, col in columns_of(data, what).items()}
