"""The household registry (建档立卡): households stored column-wise in Rust."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from . import _args, _native
from ._frames import Columns, columns_of, to_frame

__all__ = ["Registry"]


class Registry:
    """A validated registry of households, villages and counties.

    Households need ``household_id``, ``village_id``, ``size`` and ``income_per_capita`` (yuan per
    person per year). Optional columns and their defaults when absent:

    ===================== ====================================================================
    ``county_id``          the village table's county; else one county with id 0
    ``labour``             size − elderly − students (floored at 0)
    ``elderly``            0 (members aged 60+)
    ``students``           0 (members in school)
    ``chronic_illness``    0 (members with a chronic illness)
    ``disability``         0 (members with a disability)
    ``housing_safe``       True
    ``safe_water``         True
    ``insured``            True (basic medical insurance)
    ``inhospitable``       False (relocation candidate)
    ``head_education_years`` 6
    ``causes``             the primary cause alone, else none (codes separated by ``;``)
    ``primary_cause``      the first listed cause in code order
    ``weight``             1.0 (survey weight, > 0; Σ size × weight at most 2^1023 ≈ 9e307)
    ``registered``         True (registered poor household)
    ===================== ====================================================================

    Villages: ``village_id`` (required), ``county_id``, ``population`` (default: members of its
    households), ``region`` (``west``, ``centre``, ``east``; default ``centre``) and ``poor`` (a
    designated poor village; default: registered poor share of population above the exit
    threshold, 3 % in the west and 2 % elsewhere). Without a villages table, villages are the
    distinct ``village_id`` values of the households.

    Every rule is checked on construction; the first violation raises
    :class:`fupin.ValidationError` naming the column, the 1-based row and the value. Numeric
    columns must hold numbers: a true/false column is refused, never read as 1/0. A column that
    is not one of the above but a near miss of one (``wieght``, ``Weight``, ``labor``: equal but
    for case, spaces and ``_``, or one slip away) is refused naming both names; any other column
    fupin does not read is named in a :class:`UserWarning`. Ids match exactly: the text ``"010"``
    is not the integer village ``10`` (the text ``"10"`` is); integer ids beyond int64 (``uint64``
    ids ≥ 2⁶³, big Python ints) are kept exactly, as text ids.
    """

    __slots__ = ("_native",)

    def __init__(self, native: _native.Registry) -> None:
        if not isinstance(native, _native.Registry):
            raise TypeError(
                "use Registry.from_frame, Registry.read_csv or fupin.datasets to build a registry"
            )
        self._native = native

    @classmethod
    def from_frame(cls, households: Any, villages: Any = None) -> Registry:
        """Build a registry from pandas, polars or pyarrow tables (or mappings of columns).

        Parquet and Arrow files load through those libraries, e.g.
        ``Registry.from_frame(pd.read_parquet("households.parquet"))``.
        """
        h = columns_of(households, "households")
        v = None if villages is None else columns_of(villages, "villages")
        return cls(_native.Registry.from_columns(h, v))

    @classmethod
    def read_csv(
        cls, households: str | os.PathLike[str], villages: str | os.PathLike[str] | None = None
    ) -> Registry:
        """Read a registry from CSV files (parsed in Rust). Errors name the file, column and row."""
        return cls(
            _native.Registry.read_csv(
                os.fspath(households), None if villages is None else os.fspath(villages)
            )
        )

    def write_csv(
        self, households: str | os.PathLike[str], villages: str | os.PathLike[str] | None = None
    ) -> None:
        """Write the households (and villages) as CSV; reading them back gives an equal registry."""
        self._native.write_csv(
            os.fspath(households), None if villages is None else os.fspath(villages)
        )

    def households(self, kind: str = "pandas") -> Any:
        """The households as a DataFrame (``kind="polars"`` for polars), every column included."""
        return to_frame(self._native.columns("households"), kind)

    def villages(self, kind: str = "pandas") -> Any:
        """The villages as a DataFrame."""
        return to_frame(self._native.columns("villages"), kind)

    def incomes(self) -> np.ndarray:
        """Per-capita incomes (yuan per person per year) in household order."""
        return self._native.incomes()

    def select(self, rows: Any) -> Registry:
        """A registry of the households at 0-based ``rows`` (villages and counties are kept).

        ``rows`` are whole numbers from 0 to ``len(self) - 1`` (negative rows do not count from
        the end; ``2.7`` is refused, not truncated), or a boolean mask with one value per
        household selecting the rows where it is true. Anything else raises
        :class:`fupin.ValidationError` naming the item.
        """
        return Registry(self._native.select(_args.rows(rows, len(self))))

    @property
    def n_households(self) -> int:
        """Number of households (registered or not)."""
        return int(self._native.counts()["n_households"])

    @property
    def n_villages(self) -> int:
        """Number of villages."""
        return int(self._native.counts()["n_villages"])

    @property
    def n_counties(self) -> int:
        """Number of counties."""
        return int(self._native.counts()["n_counties"])

    @property
    def registered_households(self) -> float:
        """Registered poor households (survey-weighted)."""
        return float(self._native.counts()["registered_households"])

    @property
    def registered_people(self) -> float:
        """Members of registered poor households (survey-weighted)."""
        return float(self._native.counts()["registered_people"])

    @property
    def poor_villages(self) -> int:
        """Designated poor villages (贫困村)."""
        return int(self._native.counts()["poor_villages"])

    def __len__(self) -> int:
        return self.n_households

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Registry) and self._native == other._native

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"<fupin.Registry: {self.n_households:,} households, "
            f"{self.registered_people:,.0f} registered people, {self.n_villages:,} villages "
            f"({self.poor_villages:,} poor), {self.n_counties:,} counties>"
        )

    def _repr_html_(self) -> str:
        return (
            "<b>fupin.Registry</b><table>"
            f"<tr><td>households</td><td>{self.n_households:,}</td></tr>"
            f"<tr><td>registered people</td><td>{self.registered_people:,.0f}</td></tr>"
            f"<tr><td>villages (poor)</td><td>{self.n_villages:,} ({self.poor_villages:,})</td></tr>"
            f"<tr><td>counties</td><td>{self.n_counties:,}</td></tr></table>"
        )


def table_columns(data: Any, what: str) -> Columns:
    """Columns of a frame, a mapping, or a registry's households."""
    if isinstance(data, Registry):
        return dict(data._native.columns("households"))
    return columns_of(data, what)
