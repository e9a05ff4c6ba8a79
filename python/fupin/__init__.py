"""fupin (扶贫): target poverty-alleviation funds and simulate what they do.

A Rust core (``fupin._native``) does the work; this package is the face analysts use: registries
from CSV, pandas, polars or Arrow; poverty and inequality metrics; targeting; Monte Carlo scenarios
of every household's income; exit timelines.
"""

from __future__ import annotations

from . import _native, datasets, metrics, targeting, timelines
from ._native import FupinError, FupinIOError, NumericalError, ValidationError
from .dynamics import IncomeModel
from .engine import Results, Scenario, simulate
from .lines import poverty_line
from .registry import Registry

__version__: str = _native.__version__

__all__ = [
    "FupinError",
    "FupinIOError",
    "IncomeModel",
    "NumericalError",
    "Registry",
    "Results",
    "Scenario",
    "ValidationError",
    "__version__",
    "datasets",
    "metrics",
    "poverty_line",
    "simulate",
    "targeting",
    "timelines",
]
