"""Tables in and out: pandas, polars and pyarrow frames, or plain mappings of columns.

Columns cross into Rust as NumPy arrays (int64, float64, bool) or lists of ``str | None``; no
per-row Python loop for numeric columns. Missing numbers become NaN, which the native validation
reports with the column, row and value. Nothing is changed on the way: integers beyond int64
(``uint64`` ids ≥ 2⁶³, big Python ints) cross as their exact decimal text (text ids, kept
exactly); booleans with missing values cross as ``"true"``/``"false"``/None (never as 1/0); two
columns of the same name are a :class:`fupin.ValidationError`. :func:`columns_of` reads a table,
:func:`as_frame` and :func:`numeric_columns` build on it, :func:`to_frame` writes one; the checks
of single columns and arguments live in ``_args``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ._args import error, f64

Columns = dict[str, "np.ndarray | list[str | None]"]


def _module(obj: Any) -> str:
    return type(obj).__module__.split(".")[0]


_INT64 = (-(2**63), 2**63 - 1)


def _duplicate_error(what: str, name: str) -> Exception:
    return error(f"{what}: two columns are named `{name}`; rename or drop one", column=name)


def _check_unique(names: list[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise _duplicate_error(what, name)
        seen.add(name)


def _exact_text(values: Any) -> list[str | None]:
    """Integers as their exact decimal text (for values int64 cannot hold)."""
    return [None if _is_missing(x) else str(int(x)) for x in values]


def _booleans_with_missing(values: list[Any]) -> list[str | None]:
    """Booleans with gaps as text: never 1/0 (a boolean is not a number), missing stays missing."""
    return [None if _is_missing(x) else ("true" if x else "false") for x in values]


def _from_numpy(values: np.ndarray) -> np.ndarray | list[str | None]:
    kind = values.dtype.kind
    if kind == "b":
        return np.ascontiguousarray(values, dtype=np.bool_)
    if kind in "iu":
        if kind == "u" and values.size and values.max() > np.iinfo(np.int64).max:
            return _exact_text(values.tolist())
        return np.ascontiguousarray(values, dtype=np.int64)
    if kind == "f":
        return np.ascontiguousarray(values, dtype=np.float64)
    return _from_objects(values.tolist())


def _is_missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and x != x) or type(x).__name__ in ("NAType", "NaTType")


def _from_objects(values: list[Any]) -> np.ndarray | list[str | None]:
    present = [x for x in values if not _is_missing(x)]
    if present and all(isinstance(x, (bool, np.bool_)) for x in present):
        if len(present) == len(values):
            return np.asarray(values, dtype=np.bool_)
        return _booleans_with_missing(values)
    if present and all(isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) for x in present):
        ints = [x for x in present if isinstance(x, (int, np.integer))]
        if any(not _INT64[0] <= int(x) <= _INT64[1] for x in ints):
            # int64 cannot hold them and float64 would round them: exact text.
            if len(ints) == len(present):
                return _exact_text(values)
            return [None if _is_missing(x) else str(x) for x in values]
        if len(present) == len(values) and len(ints) == len(present):
            return np.asarray(values, dtype=np.int64)
        return np.asarray([np.nan if _is_missing(x) else float(x) for x in values], dtype=np.float64)
    return [None if _is_missing(x) else str(x) for x in values]


def _pandas_column(series: Any) -> np.ndarray | list[str | None]:
    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _from_objects(series.astype(object).tolist())
    if pd.api.types.is_bool_dtype(dtype):
        if series.isna().any():
            return _booleans_with_missing(series.tolist())
        return series.to_numpy(dtype=np.bool_)
    if pd.api.types.is_integer_dtype(dtype):
        if pd.api.types.is_unsigned_integer_dtype(dtype) and len(series) and (
            series.max() > np.iinfo(np.int64).max
        ):
            return _exact_text(series.tolist())
        if series.isna().any():
            return series.to_numpy(dtype=np.float64, na_value=np.nan)
        return series.to_numpy(dtype=np.int64)
    if pd.api.types.is_float_dtype(dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    return _from_objects(series.tolist())


def _polars_column(series: Any) -> np.ndarray | list[str | None]:
    dtype = series.dtype
    if str(dtype) == "Boolean" and series.null_count() > 0:
        return _booleans_with_missing(series.to_list())
    if dtype.is_numeric() or str(dtype) == "Boolean":
        if series.null_count() > 0:
            if str(dtype) == "UInt64" and series.max() > np.iinfo(np.int64).max:
                return _exact_text(series.to_list())
            return series.cast(float).to_numpy()
        return _from_numpy(series.to_numpy())
    return _from_objects(series.to_list())


def _arrow_column(column: Any) -> np.ndarray | list[str | None]:
    import pyarrow as pa

    dtype = column.type
    if pa.types.is_boolean(dtype) and column.null_count > 0:
        return _booleans_with_missing(column.to_pylist())
    if pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_boolean(dtype):
        if column.null_count > 0:
            if pa.types.is_uint64(dtype):
                values = column.to_pylist()
                if any(x is not None and x > np.iinfo(np.int64).max for x in values):
                    return _exact_text(values)
            return np.asarray(
                [np.nan if x is None else float(x) for x in column.to_pylist()], dtype=np.float64
            )
        # A RecordBatch's columns are Arrays, whose to_numpy copies booleans only when asked to.
        return _from_numpy(column.to_numpy(zero_copy_only=False))
    return _from_objects(column.to_pylist())


def columns_of(frame: Any, what: str) -> Columns:
    """Columns of a pandas/polars/pyarrow table or a mapping of array-likes."""
    module = _module(frame)
    if module == "pandas":
        _check_unique([str(name) for name in frame.columns], what)
        return {str(name): _pandas_column(frame.iloc[:, i]) for i, name in enumerate(frame.columns)}
    if module == "polars":
        if type(frame).__name__ == "LazyFrame":
            frame = frame.collect()
        return {name: _polars_column(frame[name]) for name in frame.columns}
    if module == "pyarrow":
        _check_unique(list(frame.column_names), what)
        return {name: _arrow_column(frame.column(i)) for i, name in enumerate(frame.column_names)}
    if isinstance(frame, Mapping):
        _check_unique([str(name) for name in frame], what)
        out: Columns = {}
        for name, values in frame.items():
            if module != "pandas" and _module(values) == "pandas":
                out[str(name)] = _pandas_column(values)
            elif isinstance(values, np.ndarray):
                out[str(name)] = _from_numpy(values)
            else:
                out[str(name)] = _from_objects(list(values))
        return out
    raise TypeError(
        f"{what} must be a pandas, polars or pyarrow table or a mapping of columns, "
        f"got {type(frame).__name__}"
    )


def as_frame(data: Any, what: str) -> pd.DataFrame:
    """A pandas DataFrame from pandas, polars, pyarrow or a mapping of columns."""
    if isinstance(data, pd.DataFrame):
        return data
    return pd.DataFrame(columns_of(data, what))


def numeric_columns(data: Any, what: str) -> dict[str, np.ndarray]:
    """Columns of a frame or mapping as float64 arrays (flags as 1/0); text is an error."""
    if data is None:
        return {}
    if not isinstance(data, Mapping) and _module(data) not in ("pandas", "polars", "pyarrow"):
        raise TypeError(f"{what} must be a DataFrame or a mapping of columns, got {type(data).__name__}")
    return {name: f64(col, name) for name, col in columns_of(data, what).items()}


def to_frame(columns: Mapping[str, Any], kind: str = "pandas") -> Any:
    """Build a DataFrame of the requested kind (``"pandas"`` or ``"polars"``) from columns."""
    if kind == "pandas":
        return pd.DataFrame(dict(columns))
    if kind == "polars":
        import polars as pl

        return pl.DataFrame(dict(columns))
    raise ValueError(f"kind must be 'pandas' or 'polars', got {kind!r}")
