"""Property-based fuzzing of the registry loaders: ``Registry.from_frame`` (pandas, polars, pyarrow
Table and RecordBatch) and ``Registry.from_frame`` with generated dtypes and values.

Contract (see ``_fuzz.py``): a registry whose every cell is kept exactly (no id, size, income or
weight changed, no column dropped), or a :class:`fupin.ValidationError` naming the offending column
and 1-based row; the same outcome from every kind of frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
from _fuzz import Refused, check_cell_error, check_finite, fuzz, guarded
from hypothesis import strategies as st

import fupin

REQUIRED = ("household_id", "village_id", "size", "income_per_capita")
OPTIONAL = ("county_id", "labour", "elderly", "students", "chronic_illness", "disability",
            "housing_safe", "safe_water", "insured", "inhospitable", "head_education_years",
            "causes", "primary_cause", "weight", "registered")
# Misspellings of optional columns: read as the default, they would silently change the data.
MISSPELT = {"wieght": "weight", "labuor": "labour", "insrued": "insured", "eldery": "elderly",
            "students ": "students", "Weight": "weight"}

# ---- valid frames --------------------------------------------------------------------------


@st.composite
def valid_households(draw: st.DrawFn, min_rows: int = 1, max_rows: int = 6) -> pd.DataFrame:
    """A valid households table: unique ids, villages 1–3, sizes 1–8, members within the size."""
    n = draw(st.integers(min_rows, max_rows))
    ids = draw(st.lists(st.integers(1, 10**6), min_size=n, max_size=n, unique=True))
    size = draw(st.lists(st.integers(1, 8), min_size=n, max_size=n))
    income = draw(st.lists(st.floats(0, 20000, allow_nan=False, width=64), min_size=n, max_size=n))
    frame = {
        "household_id": np.asarray(ids, dtype=np.int64),
        "village_id": np.asarray(draw(st.lists(st.integers(1, 3), min_size=n, max_size=n)),
                                 dtype=np.int64),
        "size": np.asarray(size, dtype=np.int64),
        "income_per_capita": np.asarray(income, dtype=np.float64),
    }
    if draw(st.booleans()):
        frame["weight"] = np.asarray(
            draw(st.lists(st.floats(0.01, 1000), min_size=n, max_size=n)), dtype=np.float64)
    if draw(st.booleans()):
        frame["elderly"] = np.asarray([draw(st.integers(0, s)) for s in size], dtype=np.int64)
    if draw(st.booleans()):
        frame["insured"] = np.asarray(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    if draw(st.booleans()):
        frame["causes"] = draw(st.lists(
            st.sampled_from(["illness", "skills;land", "", "capital;labour;water"]),
            min_size=n, max_size=n))
    return pd.DataFrame(frame)


def kinds(frame: pd.DataFrame) -> dict[str, object]:
    """The same table as pandas, polars, a pyarrow Table and a RecordBatch."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    return {
        "pandas": frame,
        "polars": pl.from_pandas(frame),
        "arrow": table,
        "batch": table.to_batches()[0] if table.num_rows else pa.RecordBatch.from_pandas(frame),
    }


NUMERIC = ("size", "income_per_capita", "weight", "elderly")


def _same(given: object, kept: object, numeric: bool) -> bool:
    """``kept`` is ``given``: ids by their text (``"010"`` is not 10, 2⁶³ is not −2⁶³),
    numbers by value (text cells by the number they spell)."""
    if not numeric or isinstance(given, str) or isinstance(kept, str):
        if numeric:
            try:
                return float(given) == float(kept)  # type: ignore[arg-type]
            except (TypeError, ValueError):
                return False
        if isinstance(given, float) and given.is_integer():
            given = int(given)
        return str(given) == str(kept)
    return bool(given == kept)


def check_registry_keeps(reg: fupin.Registry, frame: pd.DataFrame) -> None:
    """The registry holds exactly the input's ids, sizes, incomes and weights (nothing rounded,
    truncated, clipped or wrapped) and its figures are finite."""
    out = reg.households()
    assert len(out) == len(frame)
    for col in ("household_id", "size", "income_per_capita", "weight", "elderly", "insured"):
        if col not in frame:
            continue
        given = frame[col].tolist()
        kept = out[col].tolist()
        same = [_same(a, b, numeric=col != "household_id") for a, b in zip(given, kept)]
        assert all(same), f"column {col!r} changed: given {given}, registry holds {kept}"
        if col in NUMERIC:
            flags = [x for x in given if isinstance(x, bool | np.bool_)]
            assert not flags, f"booleans accepted as numbers in column {col!r}: {given}"
    check_finite(reg.incomes(), "incomes")
    check_finite(reg.registered_people, "registered_people")


@fuzz(25, households=valid_households())
def test_valid_frames_load_exactly_from_every_kind(households: pd.DataFrame) -> None:
    registries = {}
    for kind, frame in kinds(households).items():
        reg = guarded(fupin.Registry.from_frame, frame)
        assert not isinstance(reg, Refused), f"valid {kind} table refused: {reg}\n{households}"
        check_registry_keeps(reg, households)
        registries[kind] = reg
    first = registries["pandas"]
    assert all(r == first for r in registries.values())
    # Round trips: the registry's own frame, and its CSV, give the registry back.
    assert fupin.Registry.from_frame(first.households()) == first


# ---- one bad cell in a valid table ---------------------------------------------------------

# Values each column must refuse, naming that column and row.
BAD_CELLS = {
    "size": [0, -1, np.nan, np.inf, 2.5, 70000, 2**40],
    "income_per_capita": [-1.0, -1e-300, np.nan, np.inf, -np.inf],
    "weight": [0.0, -2.0, np.nan, np.inf, -np.inf],
    "elderly": [-1, 99, np.nan, 1.5],
    "insured": [2, -1, 0.5, np.nan],
}
# Values a column may accept (then kept exactly, every figure finite) or refuse naming the cell.
EXTREME_CELLS = {
    "income_per_capita": [1e300, 1.7e308, 5e-324, 1e-310],
    "weight": [1e300, 1e308, 5e-324, 1e-310, 1e-30, 1e30],
}


@st.composite
def one_cell(draw: st.DrawFn, cells: dict[str, list]) -> tuple[pd.DataFrame, str, int]:
    """A valid table with one cell of ``column`` at 0-based ``row`` replaced by a drawn value."""
    frame = draw(valid_households(min_rows=1, max_rows=5)).copy()
    column = draw(st.sampled_from(sorted(cells)))
    value = draw(st.sampled_from(cells[column]))
    row = draw(st.integers(0, len(frame) - 1))
    if column == "size":
        frame = frame.drop(columns=["elderly"], errors="ignore")
    if column not in frame:
        frame[column] = {"weight": 1.0, "elderly": 0, "insured": True}[column]
    values = frame[column].tolist()
    if column == "insured":
        values = [int(v) for v in values]
    values[row] = value
    frame[column] = pd.Series(values)
    return frame, column, row + 1


@fuzz(30, case=one_cell(BAD_CELLS))
def test_a_bad_cell_is_named_by_every_kind(case: tuple[pd.DataFrame, str, int]) -> None:
    frame, column, row = case
    for kind, table in kinds(frame).items():
        result = guarded(fupin.Registry.from_frame, table)
        check_cell_error(result, column, row)


@fuzz(30, case=one_cell(EXTREME_CELLS))
def test_an_extreme_cell_is_kept_or_named(case: tuple[pd.DataFrame, str, int]) -> None:
    frame, column, row = case
    for kind, table in kinds(frame).items():
        result = guarded(fupin.Registry.from_frame, table)
        if isinstance(result, Refused):
            check_cell_error(result, column, row)
        else:
            check_registry_keeps(result, frame)


@fuzz(25, households=valid_households(min_rows=2), data=st.data())
def test_duplicate_id_names_the_second_row(households: pd.DataFrame, data: st.DataObject) -> None:
    first, second = sorted(data.draw(st.lists(st.integers(0, len(households) - 1), min_size=2,
                                              max_size=2, unique=True)))
    households = households.copy()
    households.loc[second, "household_id"] = households.loc[first, "household_id"]
    for kind, table in kinds(households).items():
        check_cell_error(guarded(fupin.Registry.from_frame, table), "household_id", second + 1)


@fuzz(30, households=valid_households(), data=st.data())
def test_missing_or_misspelt_columns_are_named(households: pd.DataFrame,
                                               data: st.DataObject) -> None:
    households = households.copy()
    if data.draw(st.booleans(), label="misspell an optional column"):
        wrong, right = data.draw(st.sampled_from(sorted(MISSPELT.items())))
        households[wrong] = 2.0 if right == "weight" else 1
        result = guarded(fupin.Registry.from_frame, households)
        # Read as absent, the column's default would silently replace the user's values.
        assert isinstance(result, Refused), f"column {wrong!r} was silently ignored"
        assert isinstance(result.error, fupin.ValidationError), result
    else:
        dropped = data.draw(st.sampled_from(REQUIRED))
        result = guarded(fupin.Registry.from_frame, households.drop(columns=[dropped]))
        assert isinstance(result, Refused) and result.column == dropped, result


# ---- arbitrary dtypes and values -----------------------------------------------------------

SPECIAL_FLOATS = [0.0, -0.0, -1.0, 0.5, 2.5, 1e-310, 5e-324, 1e300, 1.7e308, np.nan, np.inf,
                  -np.inf, 2.0**63, 2.0**64]
SPECIAL_INTS = [0, 1, 2, 3, -1, 255, 65535, 65536, 2**31, 2**53 + 1, 2**63 - 1]


def column_values(n: int) -> st.SearchStrategy:
    """A column of ``n`` cells of one generated dtype (int64, uint64 incl. ≥ 2⁶³, float with
    NaN/inf/huge/negative, bool, nullable Int64, object with mixed ints/floats/text/None/big ints,
    text ids such as "010")."""
    ints = st.one_of(st.integers(-5, 10), st.sampled_from(SPECIAL_INTS))
    floats = st.one_of(st.floats(-10, 10000), st.sampled_from(SPECIAL_FLOATS))
    texts = st.one_of(st.sampled_from(["010", "10", "7", "", " ", "a", "illness", "疾病", "1e3",
                                       "nan", "true", "NaN", "-3"]),
                      st.text(max_size=4))
    objects = st.one_of(ints, floats, texts, st.none(), st.booleans(),
                        st.sampled_from([2**63, 2**64 + 1, -(2**70)]))
    lists = lambda s: st.lists(s, min_size=n, max_size=n)  # noqa: E731
    return st.one_of(
        lists(ints).map(lambda v: pd.array(v, dtype="int64")),
        lists(st.one_of(st.integers(0, 10), st.sampled_from([2**63, 2**64 - 1]))).map(
            lambda v: pd.array(v, dtype="uint64")),
        lists(floats).map(lambda v: pd.array(v, dtype="float64")),
        lists(st.booleans()).map(lambda v: pd.array(v, dtype="bool")),
        lists(st.one_of(st.none(), st.integers(-3, 10))).map(lambda v: pd.array(v, dtype="Int64")),
        lists(texts).map(lambda v: pd.array(v, dtype=object)),
        lists(objects).map(lambda v: pd.array(v, dtype=object)),
    )


@st.composite
def arbitrary_households(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(1, 5))
    base = draw(valid_households(min_rows=n, max_rows=n))
    names = list(REQUIRED) + draw(st.lists(st.sampled_from(OPTIONAL), max_size=3, unique=True))
    replaced = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
    columns = {}
    for name in names:
        if name in replaced:
            columns[name] = draw(column_values(n), label=name)
        elif name in base:
            columns[name] = base[name]
        else:
            columns[name] = draw(column_values(n), label=name)
    return pd.DataFrame(columns)


def _row_in_range(result: Refused, n: int) -> None:
    if result.row is not None:
        assert 1 <= int(result.row) <= n, f"error names row {result.row} of {n}: {result.error}"


@fuzz(100, households=arbitrary_households())
def test_arbitrary_pandas_columns(households: pd.DataFrame) -> None:
    result = guarded(fupin.Registry.from_frame, households)
    if isinstance(result, Refused):
        assert isinstance(result.error, fupin.ValidationError), result
        assert result.column in set(households.columns) | set(REQUIRED) | {"village_id"}, result
        _row_in_range(result, len(households))
        return
    check_registry_keeps(result, households)
    assert fupin.Registry.from_frame(result.households()) == result


def _convert(frame: pd.DataFrame) -> dict[str, object]:
    """The frame as polars and pyarrow where those libraries can hold it (mixed object columns
    cannot always cross; that is theirs to refuse, not fupin's)."""
    out: dict[str, object] = {}
    try:
        table = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return out
    out["arrow"] = table
    batches = table.to_batches()
    if batches:
        out["batch"] = batches[0]
    try:
        out["polars"] = pl.from_arrow(table)
    except Exception:  # noqa: BLE001 - polars cannot hold every Arrow type
        pass
    return out


@fuzz(50, households=arbitrary_households())
def test_arbitrary_columns_same_outcome_from_polars_and_arrow(households: pd.DataFrame) -> None:
    expected = guarded(fupin.Registry.from_frame, households)
    for kind, table in _convert(households).items():
        result = guarded(fupin.Registry.from_frame, table)
        if isinstance(result, Refused):
            assert isinstance(result.error, fupin.ValidationError), (kind, result)
            _row_in_range(result, len(households))
        else:
            check_registry_keeps(result, households)
        if isinstance(expected, Refused) or isinstance(result, Refused):
            continue
        assert result == expected, f"{kind} gives another registry than pandas"


@fuzz(40, households=valid_households(), data=st.data())
def test_villages_table_matches_ids_exactly(households: pd.DataFrame, data: st.DataObject) -> None:
    """Village ids match by value and type: text "010" is not integer 10."""
    villages = pd.DataFrame({"village_id": [1, 2, 3], "county_id": [1, 1, 2],
                             "population": [10_000, 10_000, 10_000]})
    as_text = data.draw(st.sampled_from(["010", "01", "1.0", " 1", "1"]))
    households = households.copy()
    households["village_id"] = households["village_id"].astype(object)
    households.loc[0, "village_id"] = as_text
    result = guarded(fupin.Registry.from_frame, households, villages)
    if isinstance(result, Refused):
        assert isinstance(result.error, fupin.ValidationError), result
        assert result.column == "village_id", result
        return
    kept = result.households()["village_id"].tolist()
    assert str(kept[0]) == as_text, f"text village id {as_text!r} became {kept[0]!r}"
