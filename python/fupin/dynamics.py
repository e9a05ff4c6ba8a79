"""The income model: parameters as data (TOML/JSON), validated in Rust."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from typing import Any

from . import _args, _native

__all__ = ["IncomeModel", "line_schedule"]

#: The sections of the income model (the core's, in the order of its serde form).
_SECTIONS: tuple[str, ...] = tuple(_native.INCOME_MODEL_SECTIONS)


#: The first calendar year a line may schedule (``fupin_core::dynamics::MIN_YEAR``): a constant
#: line is scheduled from it, so it holds in every year.
_FIRST_LINE_YEAR: int = _native.FIRST_LINE_YEAR


def line_schedule(line: float | Mapping[int, float] | Mapping[str, Any]) -> dict[str, Any]:
    """A poverty line as the model's schedule: a number (the same every year, scheduled from
    1900), ``{year: yuan}``, or an already formed ``{"schedule": {...}, "growth_after": g}``.
    A schedule covers its first year on (later years keep the last line, grown by
    ``growth_after``); years before it have no line and are refused where asked for."""
    if isinstance(line, Mapping):
        if "schedule" in line:
            return {
                "schedule": {
                    _args.year_key(y, "line.schedule"): _args.number(v, f"line.schedule.{y}")
                    for y, v in _args.mapping(line["schedule"], "line.schedule").items()
                },
                "growth_after": _args.number(line.get("growth_after", 0.0), "line.growth_after"),
            }
        return {
            "schedule": {_args.year_key(y, "line"): _args.number(v, f"line.{y}")
                         for y, v in line.items()},
            "growth_after": 0.0,
        }
    return {"schedule": {str(_FIRST_LINE_YEAR): _args.number(line, "line")}, "growth_after": 0.0}


def line_parts(line: float | Mapping[int, float] | Mapping[str, Any]) -> tuple[dict[int, float], float]:
    """A poverty line as the core's parts, ``(schedule by year, growth_after)`` (see
    :func:`line_schedule`)."""
    spec = line_schedule(line)
    return {int(y): v for y, v in spec["schedule"].items()}, spec["growth_after"]


class IncomeModel:
    """The stochastic income model of every household (see DESIGN.md, "The model").

    Per household and year, market income per person follows a log process with growth
    (``income.growth``), an AR(1) persistent component (``persistence``, ``persistent_sd``) and
    transitory shocks (``transitory_sd``), corrected so expected income grows at exactly the growth
    rate. Health shocks strike with a probability that rises with chronic illness, disability and
    old age (``health.*``) and cost a lognormal amount of which the household pays a share (less
    when insured). Village disasters (``disaster.probability``) cut every household's income in the
    village by ``disaster.income_loss`` that year. Each student costs ``schooling.cost_per_student``.
    A household exits (脱贫) when its income is at or above the line (``line``: a schedule by year)
    and the guarantees in ``exit`` hold; it returns (返贫) if it falls back.

    Every parameter has a default with its source in ``fupin-core``'s documentation
    (``crates/fupin-core/src/dynamics/model.rs``). Override sections with dicts::

        IncomeModel(income={"growth": 0.06}, disaster={"probability": 0.0}, line=3000)

    Values are checked in Rust; a bad one raises :class:`fupin.ValidationError` naming the field
    (e.g. ``health.base_probability``).
    """

    __slots__ = ("_handle",)

    def __init__(self, **sections: Any) -> None:
        default = _native.IncomeModel.default()
        self._handle: _native.IncomeModel = (
            default if not sections else self._checked(self._apply(_dict(default), sections)))

    @staticmethod
    def _apply(params: dict[str, Any], sections: Mapping[str, Any]) -> dict[str, Any]:
        params = copy.deepcopy(params)
        for name, value in sections.items():
            if name not in _SECTIONS:
                raise _args.error(
                    f"unknown income-model section {name!r}; expected one of {_SECTIONS}",
                    column=name,
                )
            if name == "line":
                params["line"] = line_schedule(value)
            elif isinstance(value, Mapping):
                params[name] = {**params[name], **dict(value)}
            else:
                raise _args.error(
                    f"income-model section {name!r} must be a dict of fields, got {value!r}",
                    column=name,
                    value=repr(value),
                )
        return params

    @staticmethod
    def _checked(params: dict[str, Any]) -> _native.IncomeModel:
        """The native model of nested dicts: parsed and validated once, by the core."""
        return _native.IncomeModel.from_json(json.dumps(params))

    @classmethod
    def _wrap(cls, handle: _native.IncomeModel) -> IncomeModel:
        model = cls.__new__(cls)
        model._handle = handle
        return model

    @classmethod
    def _from_params(cls, params: dict[str, Any]) -> IncomeModel:
        return cls._wrap(cls._checked(params))

    @classmethod
    def from_dict(cls, params: Mapping[str, Any]) -> IncomeModel:
        """From nested dicts (missing fields take their defaults)."""
        return cls(**dict(params))

    @classmethod
    def from_json(cls, text_or_path: str | os.PathLike[str]) -> IncomeModel:
        """From JSON text or a JSON file."""
        return cls._wrap(_native.IncomeModel.parse(_args.spec_text(text_or_path), "json"))

    @classmethod
    def from_toml(cls, text_or_path: str | os.PathLike[str]) -> IncomeModel:
        """From TOML text or a TOML file (sections ``[income]``, ``[health]``, …)."""
        return cls._wrap(_native.IncomeModel.parse(_args.spec_text(text_or_path), "toml"))

    def to_dict(self) -> dict[str, Any]:
        """All parameters as nested dicts (a copy)."""
        return _dict(self._handle)

    def to_json(self) -> str:
        return self._handle.to_json()

    def to_toml(self) -> str:
        return self._handle.to_toml()

    def replace(self, **sections: Any) -> IncomeModel:
        """A copy with some sections' fields replaced."""
        return IncomeModel._from_params(self._apply(self.to_dict(), sections))

    def without_shocks(self) -> IncomeModel:
        """The same model with every random shock switched off (deterministic growth)."""
        return self.replace(
            income={"persistent_sd": 0.0, "transitory_sd": 0.0},
            health={"base_probability": 0.0, "chronic_probability": 0.0,
                    "disability_probability": 0.0, "elderly_probability": 0.0},
            disaster={"probability": 0.0},
        )

    def line(self, year: int) -> float:
        """The model's poverty line in ``year``, yuan per person per year (a year before the
        line's schedule is a :class:`fupin.ValidationError`)."""
        return self._handle.line(_args.year(year))

    def __getitem__(self, section: str) -> dict[str, Any]:
        return self.to_dict()[section]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IncomeModel) and self._handle == other._handle

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        params = self.to_dict()
        inc = params["income"]
        return (
            f"IncomeModel(growth={inc['growth']}, persistence={inc['persistence']}, "
            f"health p={params['health']['base_probability']}, "
            f"disaster p={params['disaster']['probability']})"
        )


def _dict(handle: _native.IncomeModel) -> dict[str, Any]:
    return json.loads(handle.to_json())
