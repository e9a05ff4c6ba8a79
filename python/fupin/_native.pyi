"""Type stubs of the native module ``fupin._native`` (checked by ``python -m mypy.stubtest``)."""

import os
from typing import Any, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "FupinError", "FupinIOError", "NumericalError", "Registry", "ValidationError", "__version__",
    "county", "county_presets", "fgt", "ge", "gini", "mld", "poverty_line", "profile", "sen",
    "synthetic", "theil", "watts",
]

__version__: str

class FupinError(Exception):
    """Base class of every error raised by fupin."""

class ValidationError(FupinError, ValueError):
    """Bad input data or parameters; ``column``, ``row`` (1-based) and ``value`` name the cell."""

    column: str | None
    row: int | None
    value: str | None

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
    def households_columns(self) -> dict[str, _Column]: ...
    def villages_columns(self) -> dict[str, _Column]: ...
    def incomes(self) -> npt.NDArray[np.float64]: ...
    def select(self, rows: list[int]) -> Registry: ...
    @property
    def n_households(self) -> int: ...
    @property
    def n_villages(self) -> int: ...
    @property
    def n_counties(self) -> int: ...
    @property
    def registered_households(self) -> float: ...
    @property
    def registered_people(self) -> float: ...
    @property
    def poor_villages(self) -> int: ...
    def __len__(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, ...]: ...

# ---- metrics ---------------------------------------------------------------------------------
_F64 = npt.NDArray[np.float64]

def fgt(incomes: _F64, line: float, alpha: float = 0.0, weights: _F64 | None = None) -> float: ...
def watts(incomes: _F64, line: float, weights: _F64 | None = None) -> float: ...
def sen(incomes: _F64, line: float, weights: _F64 | None = None) -> float: ...
def gini(incomes: _F64, weights: _F64 | None = None) -> float: ...
def theil(incomes: _F64, weights: _F64 | None = None) -> float: ...
def mld(incomes: _F64, weights: _F64 | None = None) -> float: ...
def ge(incomes: _F64, alpha: float, weights: _F64 | None = None) -> float: ...
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
