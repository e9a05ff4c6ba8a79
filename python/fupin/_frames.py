"""Tables in and out: pandas, polars and pyarrow frames, or plain mappings of columns.

Columns cross into Rust as NumPy arrays (int64, float64, bool) or lists of ``str | None``; no
per-row Python loop for numeric columns. Missing numbers become NaN, which the native validation
reports with the column, row and value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

Columns = dict[str, "np.ndarray | list[str | None]"]


def _module(obj: Any) -> str:
    return type(obj).__module__.split(".")[0]


def _from_numpy(values: np.ndarray) -> np.ndarray | list[str | None]:
    kind = values.dtype.kind
    if kind == "b":
        return np.ascontiguousarray(values, dtype=np.bool_)
    if kind in "iu":
        if kind == "u" and values.size and values.max() > np.iinfo(np.int64).max:
            return np.ascontiguousarray(values, dtype=np.float64)
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
        return np.asarray([np.nan if _is_missing(x) else float(x) for x in values], dtype=np.float64)
    if present and all(isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool) for x in present):
        if len(present) == len(values) and all(isinstance(x, (int, np.integer)) for x in present):
            return np.asarray(values, dtype=np.int64)
        return np.asarray([np.nan if _is_missing(x) else float(x) for x in values], dtype=np.float64)
    return [None if _is_missing(x) else str(x) for x in values]


def _pandas_column(series: Any) -> np.ndarray | list[str | None]:
    import pandas as pd

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return _from_objects(series.astype(object).tolist())
    if pd.api.types.is_bool_dtype(dtype):
        if series.isna().any():
            return series.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
        return series.to_numpy(dtype=np.bool_)
    if pd.api.types.is_integer_dtype(dtype):
        if series.isna().any():
            return series.to_numpy(dtype=np.float64, na_value=np.nan)
        return series.to_numpy(dtype=np.int64)
    if pd.api.types.is_float_dtype(dtype):
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    return _from_objects(series.tolist())


def _polars_column(series: Any) -> np.ndarray | list[str | None]:
    dtype = series.dtype
    if dtype.is_numeric() or str(dtype) == "Boolean":
        if series.null_count() > 0:
            return series.cast(float).to_numpy()
        return _from_numpy(series.to_numpy())
    return _from_objects(series.to_list())


def _arrow_column(column: Any) -> np.ndarray | list[str | None]:
    import pyarrow as pa

    dtype = column.type
    if pa.types.is_integer(dtype) or pa.types.is_floating(dtype) or pa.types.is_boolean(dtype):
        if column.null_count > 0:
            return np.asarray(
                [np.nan if x is None else float(x) for x in column.to_pylist()], dtype=np.float64
            )
        return _from_numpy(column.to_numpy())
    return _from_objects(column.to_pylist())


def columns_of(frame: Any, what: str) -> Columns:
    """Columns of a pandas/polars/pyarrow table or a mapping of array-likes."""
    module = _module(frame)
    if module == "pandas":
        return {str(name): _pandas_column(frame[name]) for name in frame.columns}
    if module == "polars":
        if type(frame).__name__ == "LazyFrame":
            frame = frame.collect()
        return {name: _polars_column(frame[name]) for name in frame.columns}
    if module == "pyarrow":
        return {name: _arrow_column(frame.column(name)) for name in frame.column_names}
    if isinstance(frame, Mapping):
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


def to_frame(columns: Mapping[str, Any], kind: str = "pandas") -> Any:
    """Build a DataFrame of the requested kind (``"pandas"`` or ``"polars"``) from columns."""
    if kind == "pandas":
        import pandas as pd

        return pd.DataFrame(dict(columns))
    if kind == "polars":
        import polars as pl

        return pl.DataFrame(dict(columns))
    raise ValueError(f"kind must be 'pandas' or 'polars', got {kind!r}")
