"""The income model: parameters as data (TOML/JSON), validated in Rust."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from typing import Any

from . import _args, _native

__all__ = ["IncomeModel", "line_schedule"]

_SECTIONS = ("income", "health", "disaster", "schooling", "exit", "line")


#: The first calendar year a line may schedule (``fupin_core::dynamics::line::MIN_YEAR``): a
#: constant line is scheduled from it, so it holds in every year.
_FIRST_LINE_YEAR = 1900


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

    __slots__ = ("_params",)

    def __init__(self, **sections: Any) -> None:
        params = json.loads(_native.income_model_default())
        self._params = self._checked(self._apply(params, sections))

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
    def _checked(params: dict[str, Any]) -> dict[str, Any]:
        return json.loads(_native.income_model_check(json.dumps(params)))

    @classmethod
    def _from_params(cls, params: dict[str, Any]) -> IncomeModel:
        model = cls.__new__(cls)
        model._params = cls._checked(params)
        return model

    @classmethod
    def from_dict(cls, params: Mapping[str, Any]) -> IncomeModel:
        """From nested dicts (missing fields take their defaults)."""
        return cls(**dict(params))

    @classmethod
    def from_json(cls, text_or_path: str | os.PathLike[str]) -> IncomeModel:
        """From JSON text or a JSON file."""
        model = cls.__new__(cls)
        model._params = json.loads(_native.income_model_check(_args.spec_text(text_or_path), "json"))
        return model

    @classmethod
    def from_toml(cls, text_or_path: str | os.PathLike[str]) -> IncomeModel:
        """From TOML text or a TOML file (sections ``[income]``, ``[health]``, …)."""
        model = cls.__new__(cls)
        model._params = json.loads(_native.income_model_check(_args.spec_text(text_or_path), "toml"))
        return model

    def to_dict(self) -> dict[str, Any]:
        """All parameters as nested dicts (a copy)."""
        return copy.deepcopy(self._params)

    def to_json(self) -> str:
        return json.dumps(self._params)

    def to_toml(self) -> str:
        return _native.income_model_to_toml(self.to_json())

    def replace(self, **sections: Any) -> IncomeModel:
        """A copy with some sections' fields replaced."""
        return IncomeModel._from_params(self._apply(self._params, sections))

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
        return _native.poverty_line(_args.year(year), json.dumps(self._params["line"]))

    def __getitem__(self, section: str) -> dict[str, Any]:
        return copy.deepcopy(self._params[section])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IncomeModel) and self._params == other._params

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        inc = self._params["income"]
        return (
            f"IncomeModel(growth={inc['growth']}, persistence={inc['persistence']}, "
            f"health p={self._params['health']['base_probability']}, "
            f"disaster p={self._params['disaster']['probability']})"
        )
