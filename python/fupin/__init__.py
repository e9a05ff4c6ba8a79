"""fupin (扶贫): target poverty-alleviation funds and simulate what they do.

A Rust core (``fupin._native``) does the work; this package is the face analysts use: registries
from CSV, pandas, polars or Arrow; poverty and inequality metrics; targeting; Monte Carlo scenarios
of every household's income under allocation policies and budgets, compared side by side; exit
timelines.
"""

from __future__ import annotations

from . import _native, datasets, measures, metrics, policy, targeting, timelines
from ._native import FupinError, FupinIOError, NumericalError, ValidationError
from .dynamics import IncomeModel
from .engine import Results, Scenario, read_scenarios, simulate, write_scenarios
from .lines import poverty_line
from .planning import Plan, plan
from .registry import Registry

__version__: str = _native.__version__

__all__ = [
    "FupinError",
    "FupinIOError",
    "IncomeModel",
    "NumericalError",
    "Plan",
    "Registry",
    "Results",
    "Scenario",
    "ValidationError",
    "__version__",
    "datasets",
    "measures",
    "metrics",
    "plan",
    "policy",
    "poverty_line",
    "read_scenarios",
    "simulate",
    "targeting",
    "timelines",
    "write_scenarios",
]
