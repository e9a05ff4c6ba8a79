"""Property-based fuzzing of ``Registry.read_csv``: generated CSV text with ragged rows, bad bytes,
odd headers and bad cells, and arbitrary bytes.

Contract (see ``_fuzz.py``): a registry that writes back to an equal one, or a fupin error — a
:class:`fupin.ValidationError` naming the column and the 1-based data row where the file has them
(row 7 is the seventh household, line 8 of the file).
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from _fuzz import Refused, check_cell_error, check_finite, fuzz, guarded
from hypothesis import strategies as st
from test_fuzz_loaders import valid_households

import fupin


def _cell(x: object) -> str:
    if isinstance(x, float | np.floating):
        return repr(float(x))
    if isinstance(x, bool | np.bool_):
        return "true" if x else "false"
    return str(x)


def to_csv(frame: pd.DataFrame) -> list[list[str]]:
    """Header and data rows as lists of cell text."""
    rows = [list(frame.columns)]
    rows += [[_cell(x) for x in record] for record in frame.itertuples(index=False)]
    return rows


def join(rows: list[list[str]]) -> bytes:
    return "\n".join(",".join(r) for r in rows).encode("utf-8") + b"\n"


@functools.cache
def scratch() -> Path:
    """One scratch directory for the whole module (files are overwritten example by example;
    a fresh pytest temporary directory per example costs more than the example)."""
    path = Path(tempfile.mkdtemp(prefix="fupin-fuzz-csv-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def read(tmp: Path, data: bytes, villages: bytes | None = None) -> object:
    path = tmp / "households.csv"
    path.write_bytes(data)
    vpath = None
    if villages is not None:
        vpath = tmp / "villages.csv"
        vpath.write_bytes(villages)
    return guarded(fupin.Registry.read_csv, path, vpath)


def check_accepted(reg: fupin.Registry, tmp: Path, n_rows: int) -> None:
    """Accepted CSV: every household kept, finite figures, an exact CSV round trip."""
    assert reg.n_households == n_rows
    check_finite(reg.incomes(), "incomes")
    out_h, out_v = tmp / "out_h.csv", tmp / "out_v.csv"
    reg.write_csv(out_h, out_v)
    assert fupin.Registry.read_csv(out_h, out_v) == reg


@fuzz(40, households=valid_households())
def test_valid_csv_round_trips(households: pd.DataFrame) -> None:
    tmp = scratch()
    reg = read(tmp, join(to_csv(households)))
    assert not isinstance(reg, Refused), f"valid CSV refused: {reg}"
    check_accepted(reg, tmp, len(households))
    assert reg == fupin.Registry.from_frame(households)


@st.composite
def mutated_csv(draw: st.DrawFn) -> tuple[bytes, int, str | None, int | None]:
    """A valid file with one mutation; returns the bytes, the number of data rows and, where the
    mutation has one, the column and 1-based data row an error must name (column None: any)."""
    frame = draw(valid_households())
    rows = to_csv(frame)
    n = len(rows) - 1
    k = draw(st.integers(1, n))
    kind = draw(st.sampled_from(["ragged_long", "ragged_short", "bad_utf8", "gbk", "bad_number",
                                 "negative_size", "empty_required", "duplicate_header",
                                 "bom", "header_spaces", "crlf", "quoted", "blank_header"]))
    column, row = None, None
    if kind == "ragged_long":
        rows[k].append("1")
        row = k
    elif kind == "ragged_short":
        rows[k].pop()
        row = k
    elif kind in ("bad_utf8", "gbk"):
        data = join(rows)
        lines = data.split(b"\n")
        junk = b"\xff\xfe" if kind == "bad_utf8" else "贫困".encode("gbk")
        c = rows[0].index("village_id")
        cells = lines[k].split(b",")
        cells[c] = junk + cells[c]
        lines[k] = b",".join(cells)
        return b"\n".join(lines), n, None, k
    elif kind == "bad_number":
        c = rows[0].index("income_per_capita")
        rows[k][c] = draw(st.sampled_from(["abc", "1,5", "NaN", "inf", "-1", "1e400", "--1"]))
        if rows[k][c] == "1,5":
            rows[k][c] = '"1,5"'
        column, row = "income_per_capita", k
    elif kind == "negative_size":
        c = rows[0].index("size")
        rows[k][c] = draw(st.sampled_from(["-1", "0", "2.5", "70000", "9223372036854775808"]))
        if "elderly" in rows[0]:
            rows[k][rows[0].index("elderly")] = "0"
        column, row = "size", k
    elif kind == "empty_required":
        column = draw(st.sampled_from(["household_id", "village_id", "size", "income_per_capita"]))
        rows[k][rows[0].index(column)] = ""
        row = k
    elif kind == "duplicate_header":
        c = draw(st.integers(0, len(rows[0]) - 1))
        rows[0].append(rows[0][c])
        for r in rows[1:]:
            r.append(r[c])
        column = rows[0][c]
        return join(rows), n, column, -1  # -1: the header has no data row
    elif kind == "bom":
        return b"\xef\xbb\xbf" + join(rows), n, None, None
    elif kind == "header_spaces":
        rows[0] = [f" {h} " for h in rows[0]]
    elif kind == "crlf":
        return join(rows).replace(b"\n", b"\r\n"), n, None, None
    elif kind == "quoted":
        rows = [[f'"{c}"' for c in r] for r in rows]
    elif kind == "blank_header":
        rows[0].append("")
        for r in rows[1:]:
            r.append("1")
        return join(rows), n, "", -1
    return join(rows), n, column, row


@fuzz(100, case=mutated_csv())
def test_mutated_csv_accepted_exactly_or_named(case) -> None:
    data, n, column, row = case
    tmp = scratch()
    result = read(tmp, data)
    if not isinstance(result, Refused):
        assert row is None, f"mutated row {row} (column {column!r}) was accepted"
        check_accepted(result, tmp, n)
        return
    assert isinstance(result.error, fupin.ValidationError), result
    if row == -1:  # a header problem: the column named, no data row
        assert result.row is None or 1 <= result.row <= n, result
        if column:
            assert result.column == column, result
    elif row is not None:
        assert result.row == row, (
            f"error names row {result.row!r}, the bad data row is {row}: {result.error}")
        if column is not None:
            check_cell_error(result, column, row)
    else:
        raise AssertionError(f"a harmless change (BOM, spaces, CRLF, quotes) was refused: {result}")


@fuzz(100, data=st.binary(max_size=300))
def test_arbitrary_bytes(data: bytes) -> None:
    tmp = scratch()
    result = read(tmp, data)
    if isinstance(result, Refused):
        if result.row is not None:
            assert result.row >= 1, result
        return
    check_accepted(result, tmp, result.n_households)


HEADER = b"household_id,village_id,size,income_per_capita\n"


@fuzz(80, body=st.lists(st.lists(st.one_of(
    st.sampled_from(["1", "2", "007", "-1", "0", "1.5", "1e308", "nan", "inf", "true", "", " ",
                     "9223372036854775807", "9223372036854775808", "18446744073709551616",
                     "\"a,b\"", "\"", "贫困", "1_000"]),
    st.from_regex(r"[0-9]{1,6}(\.[0-9]{1,3})?", fullmatch=True)), min_size=3, max_size=5),
    min_size=1, max_size=5))
def test_generated_cells(body: list[list[str]]) -> None:
    """Cells of every kind under the required header: an exact registry, or an error that names
    a data row within the file and, for a cell problem, a column of the header."""
    tmp = scratch()
    data = HEADER + "\n".join(",".join(r) for r in body).encode() + b"\n"
    result = read(tmp, data)
    if isinstance(result, Refused):
        assert isinstance(result.error, fupin.ValidationError), result
        if result.row is not None:
            assert 1 <= result.row <= len(body), result
        return
    check_accepted(result, tmp, result.n_households)
    ids = [r[0] for r in body]
    kept = [str(x) for x in result.households()["household_id"]]
    assert kept == ids, f"ids changed: file {ids}, registry {kept}"
