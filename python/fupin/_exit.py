"""Exit standards (脱贫、出列、摘帽), record checks (数据清洗) and dynamic adjustment
(应进必进、应退必退); re-exported by :mod:`fupin.targeting`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from . import _native
from ._args import error, flag_array
from ._frames import numeric_columns
from .lines import poverty_line
from .registry import Registry, table_columns

__all__ = [
    "Adjustment",
    "Checklist",
    "ExitReport",
    "RecordRules",
    "adjust",
    "check_records",
    "exit_check",
]


class Checklist:
    """Exit standards for households, villages and counties, written as data.

    Each level is a list of named conditions ``field op value × unit`` (``op`` one of ``<``,
    ``<=``, ``>``, ``>=``, ``==``, ``!=``; ``unit`` ``absolute`` (default), ``line`` (times the
    poverty line) or ``threshold`` (times the region's exit threshold, 2 %, 3 % in the west)),
    with optional ``or`` alternatives and an ``if_missing`` policy (``error``, ``pass`` — skipped
    and reported unchecked — or ``fail``) for fields the data lack. A province's standard, such as
    Guangxi's "八有一超", is a TOML file::

        name = "guangxi_ba_you_yi_chao"
        [[household]]
        name = "income"
        field = "income_per_capita"
        op = ">"
        value = 1.0
        unit = "line"
        [[household]]
        name = "income_source"
        field = "labour"
        op = ">="
        value = 1
        [[household.or]]
        field = "dibao"
        op = "=="
        value = 1

    ``Checklist()`` (or :meth:`national`) is the national standard (中办、国办《关于建立贫困退出机制
    的意见》, 2016; county error rates from the 2017 assessment rules): households — income per
    person at or above the line, ``housing_safe``, ``insured``, and no school-age ``dropouts``
    when that column is supplied; villages — incidence below the threshold; counties — incidence
    below the threshold and wrong-exit and missed-identification rates below 2 %.
    ``Checklist(spec)`` also takes TOML text or a dict of the same schema.
    """

    __slots__ = ("_native",)

    def __init__(self, spec: str | Mapping[str, Any] | _native.Checklist | None = None) -> None:
        if spec is None:
            self._native = _native.Checklist.national()
        elif isinstance(spec, _native.Checklist):
            self._native = spec
        elif isinstance(spec, str):
            self._native = _native.Checklist.from_toml(spec)
        elif isinstance(spec, Mapping):
            self._native = _native.Checklist.from_json(json.dumps(dict(spec)))
        else:
            raise TypeError(f"a checklist is TOML text or a dict, got {type(spec).__name__}")

    @classmethod
    def national(cls) -> Checklist:
        """The national standard."""
        return cls()

    @classmethod
    def from_toml(cls, text: str) -> Checklist:
        """Parse TOML; errors name the line."""
        return cls(_native.Checklist.from_toml(text))

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Checklist:
        """From a dict of the TOML schema (``name``, ``household``, ``village``, ``county``)."""
        return cls(spec)

    def to_toml(self) -> str:
        """The checklist as TOML."""
        return self._native.to_toml()

    def to_dict(self) -> dict[str, Any]:
        """The checklist as a dict (every default written out)."""
        out: dict[str, Any] = json.loads(self._native.to_json())
        return out

    @property
    def name(self) -> str:
        """Name of the standard."""
        return self._native.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Checklist) and self._native == other._native

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<fupin.targeting.{self._native!r}>"


class RecordRules:
    """Rules of the record checks (数据清洗), written as data (TOML ``[[rules]]`` tables, a dict
    ``{"rules": [...]}`` or a list of rule dicts). Kinds and their parameters:

    ======================= ============================================================
    ``income_above_line``   registered household with income > ``multiple`` × line
    ``size_above``          more than ``max`` members
    ``members_exceed_size`` sum of member counts in ``fields`` above the size
    ``range``               a household ``field`` outside [``min``, ``max``]
    ``duplicate_person``    the same person key in two households (needs ``persons``)
    ``exited_on_floor``     marked exited but still drawing the floor (needs ``exited``, ``floor``)
    ======================= ============================================================

    Each rule may carry a ``name`` (default: its kind). ``RecordRules()`` are the defaults — a
    convention of fupin, no official thresholds exist: income above 3 × the line, more than 12
    members, elderly + students above size, head's schooling above 22 years (``head_education``),
    duplicate persons, exited households on the floor.
    """

    __slots__ = ("_native",)

    def __init__(
        self, spec: str | Mapping[str, Any] | Sequence[Mapping[str, Any]] | _native.RecordRules | None = None
    ) -> None:
        if spec is None:
            self._native = _native.RecordRules.default()
        elif isinstance(spec, _native.RecordRules):
            self._native = spec
        elif isinstance(spec, str):
            self._native = _native.RecordRules.from_toml(spec)
        elif isinstance(spec, Mapping):
            self._native = _native.RecordRules.from_json(json.dumps(dict(spec)))
        elif isinstance(spec, Sequence):
            self._native = _native.RecordRules.from_json(json.dumps({"rules": [dict(cast(Mapping[str, Any], r)) for r in spec]}))
        else:
            raise TypeError(f"record rules are TOML text, a dict or a list, got {type(spec).__name__}")

    @classmethod
    def from_toml(cls, text: str) -> RecordRules:
        """Parse TOML; errors name the line."""
        return cls(_native.RecordRules.from_toml(text))

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any] | Sequence[Mapping[str, Any]]) -> RecordRules:
        """From ``{"rules": [...]}`` or a list of rule dicts."""
        return cls(spec)

    def to_toml(self) -> str:
        """The rules as TOML."""
        return self._native.to_toml()

    def to_dict(self) -> dict[str, Any]:
        """The rules as ``{"rules": [...]}``."""
        out: dict[str, Any] = json.loads(self._native.to_json())
        return out

    @property
    def names(self) -> list[str]:
        """Rule names, in order."""
        return list(self._native.names)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RecordRules) and self._native == other._native

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<fupin.targeting.{self._native!r}>"


@dataclass(frozen=True)
class ExitReport:
    """Result of :func:`exit_check`.

    ``households``: row (1-based), household_id, registered, pass, failing (names of the failing
    conditions); ``villages``: row, village_id, incidence, threshold, pass, failing; ``counties``:
    row, county_id, incidence, threshold, wrong_exit_rate, missed_identification_rate (NaN when not
    measurable), pass, failing. ``unchecked`` lists conditions skipped for missing data as
    ``level.name``.
    """

    year: int
    line: float
    checklist: str
    households: pd.DataFrame
    villages: pd.DataFrame
    counties: pd.DataFrame
    unchecked: list[str]


def _registry(obj: Any, name: str = "registry") -> Registry:
    if not isinstance(obj, Registry):
        raise TypeError(f"{name} must be a fupin.Registry, got {type(obj).__name__}")
    return obj


def _checklist(obj: Any) -> _native.Checklist | None:
    if obj is None:
        return None
    return (obj if isinstance(obj, Checklist) else Checklist(obj))._native


def exit_check(
    registry: Registry,
    year: int,
    line: float | None = None,
    checklist: Checklist | str | Mapping[str, Any] | None = None,
    exited: Any = None,
    extra: Any = None,
    village_extra: Any = None,
    county_extra: Any = None,
) -> ExitReport:
    """Check every household, village and county against the exit standards of ``year``.

    ``line`` is the poverty line of that year (yuan per person per year; default the national
    line of ``year``, :func:`fupin.poverty_line`); ``checklist`` the
    standard (default national, see :class:`Checklist`); ``exited`` marks households already
    declared exited (needed for the wrong-exit rate); ``extra``, ``village_extra`` and
    ``county_extra`` supply columns the registry lacks (``dropouts``, ``electricity``, ``dibao``…)
    as DataFrames or mappings, one row per household, village or county.

    Definitions (people = ``size × weight``): a household passes when every household condition
    holds. A village's incidence is (people of registered households failing the household
    standard + people of unregistered households below the line) / its ``population``; a county's
    the same sums over its villages. Wrong-exit rate (错退率): people in households marked exited
    that fail the standard / people marked exited. Missed-identification rate (漏评率): people of
    unregistered households below the line / people of unregistered households (State Council
    LGOP 2017 rules: both below 2 %).
    """
    reg = _registry(registry)
    ex = None if exited is None else flag_array(exited, "exited")
    if line is None:
        line = poverty_line(int(year))
    r = _native.exit_check(
        reg._native, int(year), float(line), _checklist(checklist), ex,
        numeric_columns(extra, "extra"), numeric_columns(village_extra, "village_extra"),
        numeric_columns(county_extra, "county_extra"),
    )
    return ExitReport(
        year=int(r["year"]),
        line=float(r["line"]),
        checklist=str(r["checklist"]),
        households=pd.DataFrame(dict(r["households"])),
        villages=pd.DataFrame(dict(r["villages"])),
        counties=pd.DataFrame(dict(r["counties"])),
        unchecked=list(r["unchecked"]),
    )


def check_records(
    registry: Registry,
    line: float,
    rules: RecordRules | str | Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    persons: Any = None,
    exited: Any = None,
    floor: Any = None,
) -> pd.DataFrame:
    """Flag suspicious registry records: one row per (household, rule) with ``row`` (1-based),
    ``household_id``, ``rule`` and ``values`` (a dict of the values that triggered it), ordered by
    row then rule. ``rules`` default to :class:`RecordRules` ``()``. ``persons`` (columns ``key`` —
    e.g. an ID-card number — and ``household_id``) enables ``duplicate_person``; ``exited`` and
    ``floor`` (低保) flags per household enable ``exited_on_floor``. Rules whose data are not given
    are skipped and listed in ``.attrs["skipped"]``.
    """
    reg = _registry(registry)
    rr = None if rules is None else (rules if isinstance(rules, RecordRules) else RecordRules(rules))
    keys = households = None
    if persons is not None:
        cols = table_columns(persons, "persons")
        for c in ("key", "household_id"):
            if c not in cols:
                raise error(f"persons needs a `{c}` column (columns: {', '.join(cols)})", column=c)
        keys = [str(k) for k in _values(cols["key"], "key")]
        hid = cols["household_id"]
        households = hid if isinstance(hid, np.ndarray) and hid.dtype.kind == "i" else [
            str(h) for h in _values(hid, "household_id")
        ]
    r = _native.check_records(
        reg._native, float(line), None if rr is None else rr._native, keys, households,
        None if exited is None else flag_array(exited, "exited"),
        None if floor is None else flag_array(floor, "floor"),
    )
    skipped = list(r["skipped"])
    out = pd.DataFrame({c: r[c] for c in ("row", "household_id", "rule", "values")})
    out.attrs["skipped"] = skipped
    return out


def _values(column: Any, name: str) -> list[Any]:
    values = column.tolist() if isinstance(column, np.ndarray) else list(column)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and v != v):
            raise error(f"persons: `{name}` row {i + 1} is missing", column=name, row=i + 1)
    return values


@dataclass(frozen=True)
class Adjustment:
    """Result of :func:`adjust`.

    ``changes``: household_id, old_row, new_row (1-based, missing when absent), change (``enter``,
    ``exit``, ``return``, ``stay_poor``, ``stay_exited``, ``stay_out``, ``left``) and failing (the
    household conditions a ``stay_poor`` household fails) — this year's households in order, then
    last year's that left. ``registered`` and ``exited``: the adjusted status of this year's
    households. Counts ``entered``, ``exits``, ``returned``, ``left``; ``wrong_exit_rate`` (people
    in exited households now below the line / people in exited households) and
    ``missed_identification_rate`` (people outside the register below the line / people outside
    the register), measured before the adjustment, None when a denominator is empty.
    """

    changes: pd.DataFrame
    registered: np.ndarray
    exited: np.ndarray
    entered: int
    exits: int
    returned: int
    left: int
    wrong_exit_rate: float | None
    missed_identification_rate: float | None


def adjust(
    old_registry: Registry,
    exited: Any,
    new_registry: Registry,
    line: float,
    checklist: Checklist | str | Mapping[str, Any] | None = None,
    extra: Any = None,
) -> Adjustment:
    """Adjust the register from last year (``old_registry`` with its ``exited`` marks) to this
    year's data (``new_registry``, matched by ``household_id``; its ``registered`` column is
    ignored): poor households meeting every household condition of ``checklist`` exit (应退必退),
    exited households below ``line`` return (返贫), households outside the register below the
    line enter (应进必进), and last year's households absent this year have left. ``extra``
    supplies household columns for this year (e.g. ``dropouts``).
    """
    old, new = _registry(old_registry, "old_registry"), _registry(new_registry, "new_registry")
    r = _native.adjust(
        old._native, flag_array(exited, "exited"), new._native, float(line), _checklist(checklist),
        numeric_columns(extra, "extra"),
    )
    ch = dict(r["changes"])
    changes = pd.DataFrame(
        {
            "household_id": ch["household_id"],
            "old_row": pd.array(ch["old_row"], dtype="Int64"),
            "new_row": pd.array(ch["new_row"], dtype="Int64"),
            "change": ch["change"],
            "failing": ch["failing"],
        }
    )
    return Adjustment(
        changes=changes,
        registered=r["registered"],
        exited=r["exited"],
        entered=int(r["entered"]),
        exits=int(r["exits"]),
        returned=int(r["returned"]),
        left=int(r["left"]),
        wrong_exit_rate=r["wrong_exit_rate"],
        missed_identification_rate=r["missed_identification_rate"],
    )
