"""Calibration of the income model: to a household × year income panel (by moments) and to a
headcount series (simulated method of moments). The numbers come from ``fupin_core::timelines``
(``calibrate.rs``, ``smm.rs``), whose documentation states the moment conditions in full."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _args, _native
from ._args import column, error, factorize, flags, floats, integers, relabel_households
from ._frames import as_frame
from .dynamics import IncomeModel
from .registry import Registry
from .results import outcome_name

__all__ = ["HeadcountCalibration", "IncomeCalibration", "calibrate_headcount", "calibrate_income"]


def critical_z(conf_level: float) -> float:
    """The two-sided normal critical value of a confidence level in (0, 1) (1.96 for 0.95), from
    the core's shared statistics (``fupin_core::stats::z_for_level``)."""
    return _native.z_for_level(float(conf_level))


def _table(names: list[str], est: np.ndarray, se: np.ndarray, conf_level: float) -> pd.DataFrame:
    z = critical_z(conf_level)
    frame = pd.DataFrame(
        {"estimate": est, "std_err": se, "ci_lower": est - z * se, "ci_upper": est + z * se},
        index=pd.Index(names, name="parameter"),
    )
    frame.attrs["conf_level"] = conf_level
    return frame


@dataclass(frozen=True)
class IncomeCalibration:
    """What :func:`calibrate_income` returns.

    ``table``: one row per parameter (``estimate``, bootstrap ``std_err``, normal ``ci_lower`` /
    ``ci_upper``). ``covariances``: the fitted moments (calendar years of the two growths,
    ``observed`` sample covariance, ``fitted`` model covariance). ``growth``: mean log growth by
    year, observed (unflagged villages) and fitted. ``info``: households, clusters, years,
    flagged village-years, bootstrap replicates used and failed.
    """

    table: pd.DataFrame
    covariances: pd.DataFrame
    growth: pd.DataFrame
    info: dict[str, Any] = field(default_factory=dict)

    def model(self, base: IncomeModel | None = None) -> IncomeModel:
        """``base`` (default :class:`IncomeModel`) with the estimated ``income.*`` and
        ``disaster.*`` fields in place (``initial_sd`` and ``health.shock_rate`` have no field)."""
        base = IncomeModel() if base is None else base
        sections: dict[str, dict[str, float]] = {}
        for name, row in self.table.iterrows():
            section, _, key = str(name).partition(".")
            if section in ("income", "disaster") and math.isfinite(row["estimate"]):
                value = float(row["estimate"])
                if key in ("persistence", "probability", "income_loss"):
                    value = min(max(value, 0.0), 1.0)
                sections.setdefault(section, {})[key] = value
        return base.replace(**sections)

    def __repr__(self) -> str:
        return f"IncomeCalibration({self.info.get('households')} households)\n{self.table}"


def calibrate_income(
    panel: Any,
    household: str = "household_id",
    year: str = "year",
    income: str = "income",
    *,
    village: str | None = None,
    health: str | None = None,
    disaster: str | None = None,
    jump: float = 0.15,
    bootstrap: int = 199,
    seed: int = 0,
    conf_level: float = 0.95,
) -> IncomeCalibration:
    """Estimate the income model's growth, persistence, volatilities and shock frequencies from a
    balanced household × year panel of incomes (pandas, polars, pyarrow or a mapping).

    The model (as simulated by :func:`fupin.simulate`): ``x = ln income``,
    ``x_it = a_i + t·ln(1+g) + c_t + p_it + ε_it`` with ``p_it = ρ p_i,t−1 + η_it``,
    ``Var η = σ_η²`` (``income.persistent_sd``), ``Var ε = σ_ε²`` (``income.transitory_sd``) and the
    lognormal correction ``c_t = −Var(p_t)/2 − σ_ε²/2``. Moment conditions, for the growths
    ``Δx_t`` of panel years ``t = 2…T`` (the first year is special in both simulated and survey
    data, so ``Var p`` in year 1 is a free parameter, ``initial_sd``)::

        Cov(Δx_s, Δx_t) = P(s,t) − P(s−1,t) − P(s,t−1) + P(s−1,t−1) + σ_ε² (2[s=t] − [t=s+1])
        P(a,b) = ρ^|a−b| Var(p_min(a,b)),   Var p_t = ρ² Var p_{t−1} + σ_η²
        E[Δx_t] = ln(1+g) − (Var p_t − Var p_{t−1})/2

    (ρ, σ_η, σ_ε, initial_sd) minimise the equally weighted distance to the sample covariances
    (Abowd & Card 1989); ``g`` then follows from the mean growths. With ``village`` (a column of
    village ids), growths are demeaned within village × year, which removes village disasters;
    disasters are the village-years flagged in the ``disaster`` column or, without one, those whose
    mean ``x_t − x_0`` falls more than ``jump`` log points below the median village's (the jump
    rule); ``disaster.probability`` is the flagged share and ``disaster.income_loss`` the mean fall
    of flagged village-years. ``health`` (a 0/1 column) gives ``health.shock_rate``, the share of
    household-years with a health shock; incomes should be *market* incomes, before health and
    schooling costs, which the log-normal process does not describe.

    Standard errors: cluster bootstrap (villages, or households without ``village``), ``bootstrap``
    replicates from a seeded stream; ``conf_level`` normal intervals. Needs ≥ 5 consecutive years,
    every household in every year, incomes > 0.

    >>> cal = calibrate_income(panel, village="village_id")           # doctest: +SKIP
    >>> cal.table.loc["income.growth", ["estimate", "std_err"]]        # doctest: +SKIP
    """
    frame = as_frame(panel, "panel")
    hh, labels = factorize(column(frame, household, "panel"), household, "panel")
    years = integers(column(frame, year, "panel"), year, "panel")
    y = floats(column(frame, income, "panel"), income, "panel", finite=True)
    vil = None
    if village is not None:
        vil, _ = factorize(column(frame, village, "panel"), village, "panel")
        vil = np.ascontiguousarray(vil, dtype=np.int64)
    h = None if health is None else flags(column(frame, health, "panel"), health, "panel")
    d = None if disaster is None else flags(column(frame, disaster, "panel"), disaster, "panel")
    try:
        r = _native.calibrate_income(
            np.ascontiguousarray(hh, dtype=np.int64),
            np.ascontiguousarray(years, dtype=np.int64),
            y,
            vil,
            h,
            d,
            float(jump),
            _args.integer(bootstrap, "bootstrap", 0, 2**32 - 1),
            _args.seed(seed),
        )
    except _native.ValidationError as exc:
        raise relabel_households(exc, labels) from None
    table = _table(list(r["name"]), r["estimate"], r["std_err"], conf_level)
    cov = pd.DataFrame(
        {
            "year_s": r["cov_year_s"],
            "year_t": r["cov_year_t"],
            "observed": r["cov_observed"],
            "fitted": r["cov_fitted"],
        }
    )
    growth = pd.DataFrame(
        {"year": r["growth_year"], "observed": r["growth_observed"], "fitted": r["growth_fitted"]}
    )
    info = {
        k: r[k]
        for k in (
            "households", "clusters", "first_year", "last_year", "flagged", "bootstrap_ok",
            "bootstrap_failed",
        )
    }
    return IncomeCalibration(table=table, covariances=cov, growth=growth, info=info)


@dataclass(frozen=True)
class HeadcountCalibration:
    """What :func:`calibrate_headcount` returns.

    ``table``: ``estimate``, sandwich ``std_err``, normal interval, ``at_bound``. ``fit``: by year,
    ``target``, ``simulated`` (mean of ``R`` replicates at the estimate), ``simulated_sd`` (the
    spread of one history across replicates) and ``residual``. ``covariance``: of the estimates.
    ``model``: the income model with the estimates in place. ``info``: objective, iterations,
    evaluations (parameter points simulated), converged, the Jacobian.
    """

    table: pd.DataFrame
    fit: pd.DataFrame
    covariance: pd.DataFrame
    model: IncomeModel
    info: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"HeadcountCalibration\n{self.table}\n{self.fit}"


_MEASURES = ("poor_people", "poor_households", "headcount_ratio", "fgt0")


def _series(target: Any) -> tuple[int, np.ndarray]:
    if isinstance(target, Mapping):
        items = sorted((_args.year(k, "target"), float(v)) for k, v in target.items())
    elif isinstance(target, pd.Series):
        items = [(_args.year(k, "target"), float(v)) for k, v in target.sort_index().items()]
    else:
        raise error(
            "parameter `target`: give a {year: value} dict or a Series indexed by year", "target"
        )
    if not items:
        raise error("parameter `target` is empty", "target")
    years = [k for k, _ in items]
    for a, b in zip(years, years[1:]):
        if b != a + 1:
            raise error(f"parameter `target`: years must be consecutive; {b} follows {a}", "target")
    return years[0], np.array([v for _, v in items], dtype=np.float64)


def calibrate_headcount(
    registry: Registry,
    target: Any,
    parameters: Mapping[str, tuple[float, ...]],
    model: IncomeModel | None = None,
    *,
    measure: str = "poor_people",
    target_se: Any = None,
    replications: int = 20,
    seed: int = 0,
    threads: int | None = None,
    max_iterations: int = 30,
    conf_level: float = 0.95,
    progress: Callable[[int, int], Any] | None = None,
) -> HeadcountCalibration:
    """Fit income-model parameters so the simulated ``measure`` path matches ``target``.

    ``target``: ``{year: value}`` or a Series indexed by consecutive years (the simulated years).
    ``parameters``: ``{"income.growth": (start, lower, upper[, step]), ...}`` — dotted numeric
    fields of :class:`IncomeModel`; ``step`` (the finite-difference step, default
    (upper − lower)/30) must move many households across the line. ``measure``: ``poor_people``,
    ``poor_households``, ``headcount_ratio`` or ``fgt0`` (``income_headcount_ratio``, its former
    name, is deprecated).

    Simulated method of moments with **common random numbers**: every evaluation uses ``seed``,
    so the objective is a deterministic, nearly smooth function of the parameters; bounded
    Levenberg–Marquardt minimises Σ wₜ(simulatedₜ − targetₜ)², ``wₜ = 1`` or ``1/target_seₜ²``.
    Standard errors: the SMM sandwich (GᵀWG)⁻¹GᵀWVWG(GᵀWG)⁻¹ with central-difference G; the
    target is taken as one history of the population, so V = (1 + 1/R)·Ω̂ with Ω̂ the covariance
    of one replicate's path (``R = replications``); with ``target_se``, V = diag(se²) + Ω̂/R.
    """
    if not isinstance(registry, Registry):
        raise TypeError(f"registry must be a fupin.Registry, got {type(registry).__name__}")
    model = IncomeModel() if model is None else model
    measure = outcome_name(measure)
    if measure not in _MEASURES:
        raise error(
            f"parameter `measure` = {measure!r}: must be one of {_MEASURES}", "measure",
            value=repr(measure),
        )
    first_year, values = _series(target)
    se = None
    if target_se is not None:
        se_first, se_values = _series(target_se)
        if se_first != first_year or len(se_values) != len(values):
            raise error("parameter `target_se`: must cover the same years as `target`", "target_se")
        se = [float(v) for v in se_values]
    names, start, lower, upper, step = [], [], [], [], []
    for name, spec in dict(parameters).items():
        spec = tuple(float(v) for v in spec)
        if len(spec) not in (3, 4):
            raise error(
                f"parameter `{name}`: give (start, lower, upper) or (start, lower, upper, step)",
                str(name),
            )
        names.append(str(name))
        start.append(spec[0])
        lower.append(spec[1])
        upper.append(spec[2])
        step.append(spec[3] if len(spec) == 4 else (spec[2] - spec[1]) / 30.0)
    r = _native.calibrate_headcount(
        registry._native, model.to_json(), list(zip(names, start, lower, upper, step)), first_year,
        [float(v) for v in values], se, measure, _args.replications(replications),
        _args.seed(seed), _args.threads(threads),
        _args.integer(max_iterations, "max_iterations", 0, 2**32 - 1), progress,
    )
    table = _table(names, r["estimate"], r["std_err"], conf_level)
    table["at_bound"] = list(r["at_bound"])
    fit = pd.DataFrame(
        {
            "year": r["year"],
            "target": r["target"],
            "simulated": r["simulated"],
            "simulated_sd": r["simulated_sd"],
        }
    )
    fit["residual"] = fit["simulated"] - fit["target"]
    cov = pd.DataFrame(np.asarray(r["covariance"]), index=names, columns=names)
    info = {k: r[k] for k in ("objective", "iterations", "evaluations", "converged")}
    info["jacobian"] = np.asarray(r["jacobian"])
    info["measure"] = measure
    info["replications"] = _args.replications(replications)
    fitted = IncomeModel._from_params(json.loads(r["model"]))
    return HeadcountCalibration(table=table, fit=fit, covariance=cov, model=fitted, info=info)
