"""fupin's income model written the way an analyst would write it in vectorised NumPy.

This is the baseline the engine is benchmarked against (``bench_engine.py``) and tested to agree with
in distribution (``tests/test_numpy_baseline.py``). It follows the model documented in
``crates/fupin-core/src/dynamics/model.rs`` (and DESIGN.md, "The model"): per household ``h`` and
simulated year ``t = 1, 2, …``

    ln m_t = ln m_0 + t·ln(1 + g) + p_t − v_t/2 + σ_ε ε_t − σ_ε²/2,
    p_t = ρ·p_{t−1} + σ_η η_t,  p_0 = 0,  v_t = Var(p_t) = ρ²·v_{t−1} + σ_η²,

market income is cut by ``disaster.income_loss`` in a year with a disaster in the household's
village (one draw per village-year); a health shock happens with probability
``1 − (1 − base)(1 − chronic)^c (1 − disability)^d (1 − elderly)^e`` and costs
``cost_median · exp(cost_log_sd · z)``, of which the household pays ``oop_share_insured`` or
``oop_share_uninsured``; every student costs ``schooling.cost_per_student``. Net income per person is

    y_t = max(0, m_t·(1 − loss·D_t) − (oop_t + students·cost_per_student) / size).

A household is poor in a year unless it meets the exit standard: ``y_t ≥ line`` and safe housing
and insurance (where required) and the schooling guarantee. It exits (脱贫) when it was poor the
year before and meets the standard; it returns (返贫) when it had exited at some point and fails the
standard after being non-poor. Registered households start poor.

The loops run over replicates and years; each year is a handful of array operations over all
households. Random numbers come from ``numpy.random.default_rng`` (PCG64), not fupin's keyed
streams, so the two implementations agree in distribution, not draw by draw — except with every
shock switched off, when both are deterministic and agree exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Households", "MEASURES", "line_at", "simulate"]

#: The per-replicate aggregates :func:`simulate` returns, by name (each replicates × years).
MEASURES = (
    "poor_households",
    "poor_people",
    "headcount_ratio",
    "fgt0",
    "fgt1",
    "mean_income",
    "exits",
    "returns",
    "health_spending",
)


@dataclass(frozen=True)
class Households:
    """The registry columns the model reads, as NumPy arrays (one element per household)."""

    village: np.ndarray  # int64 index into the village arrays, 0 … n_villages − 1
    size: np.ndarray  # float64, people
    income: np.ndarray  # float64, base-year income per person (m_0)
    elderly: np.ndarray
    students: np.ndarray
    chronic: np.ndarray
    disabled: np.ndarray
    housing_safe: np.ndarray  # bool
    insured: np.ndarray  # bool
    registered: np.ndarray  # bool
    weight: np.ndarray  # float64
    n_villages: int
    population: float  # people in the registry's villages (denominator of the ratios)

    @classmethod
    def from_frames(cls, households: Any, villages: Any) -> Households:
        """From the registry's DataFrames (``Registry.households()``, ``Registry.villages()``)."""
        village_ids = np.asarray(villages["village_id"])
        order = np.argsort(village_ids, kind="stable")
        pos = np.searchsorted(village_ids[order], np.asarray(households["village_id"]))
        village = order[pos].astype(np.int64)
        return cls(
            village=village,
            size=np.asarray(households["size"], dtype=np.float64),
            income=np.asarray(households["income_per_capita"], dtype=np.float64),
            elderly=np.asarray(households["elderly"], dtype=np.float64),
            students=np.asarray(households["students"], dtype=np.float64),
            chronic=np.asarray(households["chronic_illness"], dtype=np.float64),
            disabled=np.asarray(households["disability"], dtype=np.float64),
            housing_safe=np.asarray(households["housing_safe"], dtype=bool),
            insured=np.asarray(households["insured"], dtype=bool),
            registered=np.asarray(households["registered"], dtype=bool),
            weight=np.asarray(households["weight"], dtype=np.float64),
            n_villages=len(village_ids),
            population=float(np.sum(np.asarray(villages["population"], dtype=np.float64))),
        )


def line_at(line: Mapping[str, Any], year: int) -> float:
    """The poverty line in ``year`` from the model's ``line`` section (``schedule``, ``growth_after``):
    the scheduled value; before the first year the first value; after the last year the last value
    grown by ``growth_after`` a year; between scheduled years the previous entry."""
    schedule = {int(y): float(v) for y, v in line["schedule"].items()}
    if year in schedule:
        return schedule[year]
    years = sorted(schedule)
    if year < years[0]:
        return schedule[years[0]]
    if year > years[-1]:
        return schedule[years[-1]] * (1.0 + float(line.get("growth_after", 0.0))) ** (
            year - years[-1]
        )
    return schedule[max(y for y in years if y < year)]


def _dot(weights: np.ndarray, values: np.ndarray) -> float:
    """Σ weights · values in a single-threaded NumPy loop (``einsum``, not BLAS: a multithreaded
    BLAS would make the baseline use more than one core; single-threaded BLAS ``@`` measured the
    same speed as this)."""
    return float(np.einsum("i,i->", weights, values))


def simulate(
    hh: Households,
    params: Mapping[str, Any],
    years: Sequence[int],
    replications: int,
    seed: int,
) -> dict[str, np.ndarray]:
    """Simulate every household for ``years`` and ``replications`` replicates.

    ``params`` is ``fupin.IncomeModel().to_dict()`` (or any dict of the same shape). Returns a dict
    of replicates × years arrays, one per name in :data:`MEASURES`: weighted poor households and
    poor people (failing the exit standard), headcount ratio and FGT0/FGT1 of income (people over
    the population of the registry's villages), mean net income per person (over the weighted
    people of the registry), exits and returns (weighted households), and out-of-pocket health
    spending (yuan, weighted sum over households).
    """
    inc = params["income"]
    hs = params["health"]
    dis = params["disaster"]
    ex = params["exit"]
    g, rho = float(inc["growth"]), float(inc["persistence"])
    sd_p, sd_e = float(inc["persistent_sd"]), float(inc["transitory_sd"])
    lines = np.array([line_at(params["line"], int(y)) for y in years])
    n_years = len(years)

    # Per-household constants.
    w = hh.weight
    wp = hh.weight * hh.size
    people = wp.sum()
    p_health = 1.0 - (
        (1.0 - hs["base_probability"])
        * (1.0 - hs["chronic_probability"]) ** hh.chronic
        * (1.0 - hs["disability_probability"]) ** hh.disabled
        * (1.0 - hs["elderly_probability"]) ** hh.elderly
    )
    oop_share = np.where(hh.insured, hs["oop_share_insured"], hs["oop_share_uninsured"])
    school = hh.students * float(params["schooling"]["cost_per_student"]) / hh.size
    schooling_ok = bool(ex["schooling_guaranteed"]) | (hh.students == 0)
    guarantees = (
        (hh.housing_safe | (not ex["require_safe_housing"]))
        & (hh.insured | (not ex["require_insurance"]))
        & schooling_ok
    )
    hit = 1.0 - float(dis["income_loss"])

    out = {m: np.zeros((replications, n_years)) for m in MEASURES}
    rng = np.random.default_rng(seed)
    n = len(w)
    for r in range(replications):
        persistent = np.zeros(n)
        poor = hh.registered.copy()
        ever_exited = np.zeros(n, dtype=bool)
        var = 0.0
        for t in range(n_years):
            var = rho * rho * var + sd_p * sd_p
            persistent = rho * persistent + sd_p * rng.standard_normal(n)
            log_shift = persistent + sd_e * rng.standard_normal(n)
            correction = -0.5 * var - 0.5 * sd_e * sd_e
            market = hh.income * (1.0 + g) ** (t + 1) * np.exp(log_shift + correction)
            disaster = rng.random(hh.n_villages) < dis["probability"]
            market *= np.where(disaster, hit, 1.0)[hh.village]
            sick = rng.random(n) < p_health
            medical = np.zeros(n)
            medical[sick] = hs["cost_median"] * np.exp(
                hs["cost_log_sd"] * rng.standard_normal(int(sick.sum()))
            )
            oop = medical * oop_share
            y = np.maximum(market - oop / hh.size - school, 0.0)

            line = lines[t]
            income_poor = y < line
            meets = ~income_poor & guarantees
            exit_ = poor & meets
            returned = ~poor & ~meets & ever_exited
            ever_exited |= exit_
            poor = ~meets
            gap = np.maximum(line - y, 0.0) / line if line > 0 else np.zeros(n)

            out["poor_households"][r, t] = _dot(w, poor)
            out["poor_people"][r, t] = _dot(wp, poor)
            out["fgt0"][r, t] = _dot(wp, income_poor)
            out["fgt1"][r, t] = _dot(wp, gap)
            out["mean_income"][r, t] = _dot(wp, y)
            out["exits"][r, t] = _dot(w, exit_)
            out["returns"][r, t] = _dot(w, returned)
            out["health_spending"][r, t] = _dot(w, oop)
    pop = hh.population
    for m in ("fgt0", "fgt1"):
        out[m] = out[m] / pop if pop > 0 else np.zeros_like(out[m])
    out["headcount_ratio"] = out["poor_people"] / pop if pop > 0 else np.zeros_like(out["fgt0"])
    out["mean_income"] = out["mean_income"] / people if people > 0 else np.zeros_like(out["fgt0"])
    return out
