"""Type stubs of the native module ``fupin._native`` (checked by ``python -m mypy.stubtest``)."""

import os
from typing import Any, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "FupinError", "FupinIOError", "NumericalError", "Registry", "ValidationError", "__version__",
    "county", "county_presets", "index", "poverty_line", "profile", "synthetic",
    "FIRST_LINE_YEAR", "INCOME_MODEL_SECTIONS", "IncomeModel", "Results", "exit_summary",
    "two_sided_p_values", "z_for_level",
    "HazardModel", "design_matrix", "poor_flags", "spells", "survival",
    "Checklist", "Mpi", "ProxyMeansTest", "RecordRules", "adjust", "allocate_quota",
    "check_records", "dummies", "estimated_poor_by_village", "exit_check",
    "five_looks", "log_target", "mpi", "quota_selection", "select_below", "select_by_quota",
    "targeting_errors",
    "two_assurances_three_guarantees",
    "calibrate_headcount", "calibrate_income",
    "MEASURE_KINDS", "Measure", "default_measures",
    "CAUSES", "RANKINGS", "Budget", "Policy", "OUTCOMES",
    "Plan", "Scenario", "plan", "read_scenarios", "simulate", "write_scenarios",
]

__version__: str

class FupinError(Exception):
    """Base class of every error raised by fupin; ``column``, ``row`` (1-based) and ``value``
    name the offending cell or parameter where there is one, else are None."""

    column: str | None
    row: int | None
    value: str | None

class ValidationError(FupinError, ValueError):
    """Bad input data or parameters; ``column``, ``row`` (1-based) and ``value`` name the cell."""

class FupinIOError(FupinError, OSError):
    """A file could not be read or written."""

class NumericalError(FupinError, ArithmeticError):
    """A numerical procedure failed (singular system, no convergence)."""

_Column = npt.NDArray[np.int64] | npt.NDArray[np.float64] | npt.NDArray[np.bool_] | list[str | None]

@final
class Registry:
    """A validated household registry (see ``fupin.Registry``)."""

    @staticmethod
    def from_columns(
        households: dict[str, Any],
        villages: dict[str, Any] | None = None,
        households_name: str = "households",
        villages_name: str = "villages",
    ) -> Registry: ...
    @staticmethod
    def read_csv(
        households: str | os.PathLike[str], villages: str | os.PathLike[str] | None = None
    ) -> Registry: ...
    def write_csv(
        self, households: str | os.PathLike[str], villages: str | os.PathLike[str] | None = None
    ) -> None: ...
    def columns(self, table: str) -> dict[str, _Column]: ...
    def incomes(self) -> npt.NDArray[np.float64]: ...
    def select(self, rows: list[int]) -> Registry: ...
    def counts(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

# ---- metrics ---------------------------------------------------------------------------------
_F64 = npt.NDArray[np.float64]

def index(
    index: str,
    incomes: _F64,
    line: float = 0.0,
    alpha: float = 0.0,
    weights: _F64 | None = None,
) -> float: ...
def profile(registry: Registry, line: float) -> dict[str, dict[str, Any]]: ...

# ---- synth, dynamics ------------------------------------------------------------------------
def county(name: str, seed: int = 0) -> Registry: ...
def county_presets() -> str: ...
def synthetic(
    households: int,
    villages: int,
    seed: int = 0,
    config: str | None = None,
    threads: int | None = None,
) -> Registry: ...
def poverty_line(year: int) -> float: ...

# ---- timelines -------------------------------------------------------------------------------
_I64 = npt.NDArray[np.int64]
_Bool = npt.NDArray[np.bool_]
_F64_2D = npt.NDArray[np.float64]

def survival(
    estimator: str,
    durations: _F64,
    observed: _Bool,
    weights: _F64 | None = None,
    groups: _I64 | None = None,
    conf_level: float = 0.95,
) -> dict[str, Any]: ...
def poor_flags(income: _F64, line: _F64) -> _Bool: ...
def spells(
    household: _I64,
    year: _I64,
    poor: _Bool,
    kind: str,
    covariates: _F64_2D | None = None,
    names: list[str] | None = None,
) -> dict[str, Any]: ...
def design_matrix(
    covariates: _F64_2D, periods: _I64, max_period: int
) -> tuple[_F64_2D, list[str]]: ...
@final
class HazardModel:
    """A fitted discrete-time hazard model (see ``fupin.timelines.HazardModel``)."""

    @staticmethod
    def fit(
        x: _F64_2D,
        names: list[str],
        event: _Bool,
        weights: _F64 | None = None,
        clusters: _I64 | None = None,
        link: str = "logit",
        max_iter: int = 50,
        tol: float = 1e-8,
    ) -> HazardModel: ...
    @staticmethod
    def from_json(text: str) -> HazardModel: ...
    def to_json(self) -> str: ...
    def fields(self) -> dict[str, Any]: ...
    def with_design(
        self, covariates: list[str], max_period: int | None = None, period: str | None = None
    ) -> HazardModel: ...
    def predict_table(self, columns: dict[str, Any], periods: _I64 | None = None) -> _F64: ...
    def predict_hazard(self, x: _F64_2D) -> _F64: ...
    def survival_curves(self, covariates: _F64_2D, horizon: int, max_period: int) -> _F64_2D: ...
    def conf_int(self, level: float = 0.95, robust: bool = False) -> tuple[_F64, _F64]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

# ---- engine ----------------------------------------------------------------------------------
_Line = tuple[dict[int, float], float]

FIRST_LINE_YEAR: int
INCOME_MODEL_SECTIONS: list[str]

@final
class IncomeModel:
    """The income model: a frozen handle, validated when made (see ``fupin.IncomeModel``)."""

    @staticmethod
    def from_json(text: str) -> IncomeModel: ...
    @staticmethod
    def default() -> IncomeModel: ...
    @staticmethod
    def parse(text: str, format: str = "json") -> IncomeModel: ...
    def to_json(self) -> str: ...
    def to_toml(self) -> str: ...
    def line(self, year: int) -> float: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class Results:
    """The outcome of ``simulate`` (see ``fupin.Results``)."""

    def table(self, name: str, scenario: str | None = None) -> dict[str, Any]: ...
    def info(self) -> dict[str, Any]: ...
    def values(
        self, scenario: str, name: str, sustained_years: int = 0
    ) -> npt.NDArray[np.float64]: ...
    def exit_projections(
        self, scenario: str, level: str, deadline: int | None, conf_level: float
    ) -> dict[str, Any]: ...
    def paths(self, scenario: str) -> dict[str, Any]: ...
    def compare(self, a: str, b: str, sustained_years: int, level: float) -> dict[str, Any]: ...
    def categories(self, scenario: str) -> list[str]: ...
    def spending(
        self, by: list[str] = ..., scenario: str | None = None
    ) -> dict[str, Any]: ...
    def county_spending_values(self, scenario: str) -> tuple[list[str], npt.NDArray[np.float64]]: ...
    def merge(self, other: Results) -> Results: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Results: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

def exit_summary(
    distribution: npt.NDArray[np.float64],
    years: list[int],
    replications: int,
    deadline: int,
    conf_level: float,
) -> dict[str, Any]: ...

# ---- stats -----------------------------------------------------------------------------------

def z_for_level(level: float) -> float: ...
def two_sided_p_values(z: _F64) -> _F64: ...

# ---- targeting -------------------------------------------------------------------------------

@final
class ProxyMeansTest:
    """A fitted proxy-means test (see ``fupin.targeting.ProxyMeansTest``)."""

    @staticmethod
    def fit_table(
        columns: dict[str, Any],
        proxies: list[tuple[str, list[str] | None, str | None]],
        target: _F64,
        weights: _F64 | None = None,
        intercept: bool = True,
    ) -> ProxyMeansTest: ...
    def with_design(self, proxies: list[tuple[str, list[str] | None, str | None]]) -> ProxyMeansTest: ...
    @property
    def design(self) -> list[tuple[str, list[str] | None, str | None]]: ...
    def predict_table(self, columns: dict[str, Any]) -> _F64: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> ProxyMeansTest: ...
    def fields(self) -> dict[str, Any]: ...
    def cross_validate(
        self,
        columns: dict[str, Any],
        target: _F64,
        weights: _F64 | None = None,
        folds: int = 5,
        seed: int = 0,
        threshold: float = 0.0,
    ) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

def dummies(
    name: str, values: list[str], reference: str | None = None, levels: list[str] | None = None
) -> dict[str, Any]: ...
def log_target(column: str, values: _F64) -> _F64: ...
def select_below(scores: _F64, threshold: float) -> _Bool: ...
def allocate_quota(
    total: int,
    poverty: _F64,
    capacity: _I64 | None = None,
    county: _I64 | None = None,
    n_counties: int | None = None,
) -> dict[str, _I64]: ...
def select_by_quota(
    scores: _F64,
    household_village: _I64,
    village_quota: _I64,
    ids: _I64 | list[str] | None = None,
) -> _Bool: ...
def estimated_poor_by_village(
    scores: _F64,
    household_village: _I64,
    threshold: float,
    weights: _F64 | None = None,
    n_villages: int | None = None,
) -> _F64: ...
def quota_selection(
    registry: Registry, scores: _F64, threshold: float, total: int
) -> dict[str, Any]: ...
def targeting_errors(
    selected: _Bool | _F64,
    poor: _Bool,
    weights: _F64 | None = None,
    thresholds: _F64 | None = None,
    group: _I64 | None = None,
    n_groups: int | None = None,
) -> dict[str, Any]: ...

@final
class Mpi:
    """An Alkire–Foster index (see ``fupin.targeting.mpi``)."""

    def fields(self) -> dict[str, Any]: ...
    def by_group(self, group: _I64, n_groups: int | None = None) -> dict[str, Any]: ...

def mpi(
    indicators: npt.NDArray[np.float64],
    indicator_weights: _F64,
    k: float,
    cutoffs: _F64 | None = None,
    weights: _F64 | None = None,
) -> Mpi: ...
def five_looks(registry: Registry) -> dict[str, Any]: ...
def two_assurances_three_guarantees(
    registry: Registry, line: float, dropouts: _I64 | None = None
) -> dict[str, Any]: ...

@final
class Checklist:
    """Exit standards (see ``fupin.targeting.Checklist``)."""

    @staticmethod
    def national() -> Checklist: ...
    @staticmethod
    def from_toml(text: str) -> Checklist: ...
    @staticmethod
    def from_json(text: str) -> Checklist: ...
    def to_toml(self) -> str: ...
    def to_json(self) -> str: ...
    @property
    def name(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class RecordRules:
    """Rules of the record checks (see ``fupin.targeting.RecordRules``)."""

    @staticmethod
    def default() -> RecordRules: ...
    @staticmethod
    def from_toml(text: str) -> RecordRules: ...
    @staticmethod
    def from_json(text: str) -> RecordRules: ...
    def to_toml(self) -> str: ...
    def to_json(self) -> str: ...
    @property
    def names(self) -> list[str]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

def exit_check(
    registry: Registry,
    year: int,
    line: float,
    checklist: Checklist | None = None,
    exited: _Bool | None = None,
    household: dict[str, _F64] | None = None,
    village: dict[str, _F64] | None = None,
    county: dict[str, _F64] | None = None,
) -> dict[str, Any]: ...
def check_records(
    registry: Registry,
    line: float,
    rules: RecordRules | None = None,
    person_keys: list[str] | None = None,
    person_households: _I64 | list[str] | None = None,
    exited: _Bool | None = None,
    floor: _Bool | None = None,
) -> dict[str, Any]: ...
def adjust(
    old: Registry,
    exited: _Bool,
    new: Registry,
    line: float,
    checklist: Checklist | None = None,
    household: dict[str, _F64] | None = None,
) -> dict[str, Any]: ...

# ---- timelines: calibration ------------------------------------------------------------------

def calibrate_income(
    household: _I64,
    year: _I64,
    income: _F64,
    village: _I64 | None = None,
    health: _Bool | None = None,
    disaster: _Bool | None = None,
    jump: float = 0.15,
    bootstrap: int = 199,
    seed: int = 0,
) -> dict[str, Any]: ...
def calibrate_headcount(
    registry: Registry,
    model: str,
    parameters: list[tuple[str, float, float, float, float]],
    first_year: int,
    target: list[float],
    target_se: list[float] | None,
    measure: str,
    replications: int,
    seed: int,
    threads: int | None,
    max_iterations: int,
    progress: Any = None,
) -> dict[str, Any]: ...

# ---- measures, policy and scenarios -----------------------------------------------------------
MEASURE_KINDS: list[str]
CAUSES: list[str]
OUTCOMES: list[str]
RANKINGS: list[str]

@final
class Measure:
    """One named measure: a frozen handle, validated when made (see ``fupin.measures.Measure``)."""

    @staticmethod
    def from_json(text: str) -> Measure: ...
    def to_json(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

def default_measures() -> list[Measure]: ...
@final
class Policy:
    """An allocation rule: a frozen handle, parsed when made (see ``fupin.policy.Policy``)."""

    @staticmethod
    def from_json(text: str) -> Policy: ...
    def to_json(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class Budget:
    """A budget: a frozen handle, validated once, when made (see ``fupin.policy.budget_spec``)."""

    @staticmethod
    def from_json(text: str) -> Budget: ...
    def to_json(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class Scenario:
    """A scenario assembled from handles and validated once (see ``fupin.Scenario``)."""

    def __new__(
        cls,
        name: str,
        *,
        model: IncomeModel | None = None,
        line: _Line | None = None,
        policy: Policy | None = None,
        budget: Budget | None = None,
        measures: list[Measure] = ...,
    ) -> Scenario: ...
    @staticmethod
    def from_json(text: str) -> Scenario: ...
    @staticmethod
    def parse(text: str, format: str = "json") -> Scenario: ...
    def to_json(self) -> str: ...
    def to_toml(self) -> str: ...
    def parts(self) -> dict[str, Any]: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

@final
class Plan:
    """A plan made for a scenario (see ``fupin.plan``); its repr is a short summary."""

    @staticmethod
    def from_json(text: str) -> Plan: ...
    def to_json(self) -> str: ...
    def __eq__(self, other: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

def read_scenarios(text: str, format: str = "toml") -> list[Scenario]: ...
def write_scenarios(scenarios: list[Scenario]) -> str: ...
def plan(
    registry: Registry, scenario: Scenario, model: IncomeModel, first_year: int, years: int
) -> tuple[dict[str, Any], Plan]: ...
def simulate(
    registry: Registry,
    scenarios: list[Scenario],
    model: IncomeModel,
    first_year: int,
    years: int,
    replications: int,
    seed: int,
    threads: int | None = None,
    household_outputs: bool = True,
    keep_paths: bool = False,
    progress: Any = None,
    plans: list[Plan | None] | None = None,
) -> Results: ...
