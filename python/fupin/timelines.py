"""Exit timelines: how long households stay poor, and how long they stay out.

From a household × year panel (:func:`spells`, :func:`person_periods`) to survival estimates
(:func:`kaplan_meier`, :func:`median_survival`, :func:`nelson_aalen`), the :func:`logrank` test
between groups, and discrete-time hazard models (:class:`HazardModel`, logit or complementary
log-log, with time dummies, survey weights and cluster-robust errors). The numbers are computed
by the Rust core (``fupin_core::timelines``); this module normalises arguments and builds
DataFrames.

Conventions shared by every estimator here:

* ``durations`` are finite and ≥ 0; ``observed`` is True (or 1) for an event, False (0) for a
  right-censored time. ``weights`` are survey weights (finite, > 0): every count (at risk, events,
  censored) is a sum of weights, so integer weights give exactly the estimate on replicated rows.
* **Ties**: at a time with both events and censorings the events come first; rows censored at t
  are still at risk at t (Kalbfleisch & Prentice 2002, §1.4).
* Errors are :class:`fupin.ValidationError` naming the column, the 1-based row and the value;
  numerical failures (separation, no convergence) are :class:`fupin.NumericalError`.

References: Kaplan & Meier (1958), JASA 53:457–481; Greenwood (1926); Kalbfleisch & Prentice
(2002), *The Statistical Analysis of Failure Time Data*, 2nd ed.; Klein & Moeschberger (2003),
*Survival Analysis*, 2nd ed.; Brookmeyer & Crowley (1982), Biometrics 38:29–41; Nelson (1972),
Aalen (1978); Mantel (1966), Peto & Peto (1972); Allison (1982), Sociological Methodology 13:61–98;
Prentice & Gloeckler (1978), Biometrics 34:57–67; Cameron & Miller (2015), J. Human Resources
50:317–372.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import _native
from ._args import error, factorize, flags, floats
from ._calibrate import (
    HeadcountCalibration,
    IncomeCalibration,
    calibrate_headcount,
    calibrate_income,
)
from ._hazard import HazardModel
from ._panels import person_periods, spells
from ._projections import at_risk, exit_projections, simulated_spells

__all__ = [
    "HazardModel",
    "HeadcountCalibration",
    "IncomeCalibration",
    "LogRankResult",
    "at_risk",
    "calibrate_headcount",
    "calibrate_income",
    "exit_projections",
    "kaplan_meier",
    "logrank",
    "median_survival",
    "nelson_aalen",
    "person_periods",
    "simulated_spells",
    "spells",
]


def _survival_inputs(
    durations: Any, observed: Any, weights: Any, table: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    d = floats(durations, "durations", table)
    o = flags(observed, "observed", table)
    w = None if weights is None else floats(weights, "weights", table)
    return d, o, w


def _none_to_nan(x: float | None) -> float:
    return math.nan if x is None else float(x)


def kaplan_meier(
    durations: Any,
    observed: Any,
    weights: Any = None,
    conf_level: float = 0.95,
    groups: Any = None,
) -> pd.DataFrame:
    """Kaplan–Meier survival table with Greenwood errors and log-log intervals.

    One row per distinct duration (events or censorings), ascending, with columns ``time``,
    ``at_risk`` (weighted number with duration ≥ time), ``events``, ``censored``, ``survival``
    Ŝ(time) = Π_{tᵢ ≤ time} (1 − dᵢ/nᵢ), ``std_err`` (Greenwood: Var Ŝ = Ŝ² Σ dᵢ/(nᵢ(nᵢ − dᵢ)),
    the standard error of Ŝ itself), ``ci_lower`` and ``ci_upper`` (the log-log, "exponential
    Greenwood" interval Ŝ^{exp(±z σ/log Ŝ)}, σ² the Greenwood sum; it stays in [0, 1]). Where
    Ŝ = 1 the interval is [1, 1]; where Ŝ = 0 the error and interval are NaN (R's NA).

    Weights enter the Greenwood formula as weighted counts (as R's ``survfit`` does with case
    weights): exact for frequency weights, a model-based approximation for sampling weights.

    **Median** (in ``df.attrs``): ``median`` is the smallest time with Ŝ ≤ 0.5 (Klein &
    Moeschberger 2003, §4.5; R averages two times when Ŝ is exactly 0.5 over an interval);
    ``median_ci_lower`` / ``median_ci_upper`` follow Brookmeyer & Crowley (1982) through the
    pointwise bands (the first time the lower, resp. upper, band falls to ≤ 0.5). NaN means
    "not reached within the data" (R's NA). ``attrs`` also holds ``conf_level`` and ``n``.
    :func:`median_survival` returns the same figures as a table, which survives DataFrame
    operations that drop ``attrs``.

    ``groups`` (any labels: cause, village, measure received): one curve per group, stacked with a
    leading ``group`` column (groups in sorted order); ``attrs["median"]`` etc. are then dicts
    ``{group: value}``.

    >>> t = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    >>> e = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    >>> km = kaplan_meier(t, e)              # Freireich et al. (1963), 6-MP arm
    >>> round(float(km.loc[km.time == 6, "survival"].iloc[0]), 4), km.attrs["median"]
    (0.8571, 23.0)
    """
    d, o, w = _survival_inputs(durations, observed, weights, "kaplan_meier")
    level = float(conf_level)
    if groups is None:
        fit = _native.survival("kaplan_meier", d, o, w, None, level)
        frame = pd.DataFrame(fit["table"])
        frame.attrs.update(
            median=_none_to_nan(fit["median"]),
            median_ci_lower=_none_to_nan(fit["median_ci_lower"]),
            median_ci_upper=_none_to_nan(fit["median_ci_upper"]),
            conf_level=fit["conf_level"],
            n=fit["n_rows"],
        )
        return frame
    codes, labels = factorize(groups, "groups", "kaplan_meier")
    by = _native.survival("kaplan_meier", d, o, w, codes, level)
    frames: list[pd.DataFrame] = []
    attrs: dict[str, dict[Any, Any]] = {
        k: {} for k in ("median", "median_ci_lower", "median_ci_upper", "n")
    }
    for code, fit in zip(by["groups"], by["fits"]):
        label = labels[int(code)]
        part = pd.DataFrame(fit["table"])
        part.insert(0, "group", pd.Series([label] * len(part), dtype=labels.dtype))
        frames.append(part)
        for k in ("median", "median_ci_lower", "median_ci_upper"):
            attrs[k][label] = _none_to_nan(fit[k])
        attrs["n"][label] = fit["n_rows"]
    frame = pd.concat(frames, ignore_index=True)
    frame.attrs.update(attrs, conf_level=level)
    return frame


def median_survival(
    durations: Any,
    observed: Any,
    weights: Any = None,
    conf_level: float = 0.95,
    groups: Any = None,
) -> pd.DataFrame:
    """Kaplan–Meier median survival time with its Brookmeyer–Crowley interval, as a table.

    Columns ``n``, ``median``, ``ci_lower``, ``ci_upper`` (NaN: not reached within the data); one
    row (index ``"all"``) or one row per group (index = group labels). Conventions as in
    :func:`kaplan_meier`.
    """
    km = kaplan_meier(durations, observed, weights, conf_level, groups)
    a = km.attrs
    if groups is None:
        return pd.DataFrame(
            {
                "n": [a["n"]],
                "median": [a["median"]],
                "ci_lower": [a["median_ci_lower"]],
                "ci_upper": [a["median_ci_upper"]],
            },
            index=pd.Index(["all"], name="group"),
        )
    labels = list(a["median"])
    return pd.DataFrame(
        {
            "n": [a["n"][g] for g in labels],
            "median": [a["median"][g] for g in labels],
            "ci_lower": [a["median_ci_lower"][g] for g in labels],
            "ci_upper": [a["median_ci_upper"][g] for g in labels],
        },
        index=pd.Index(labels, name="group"),
    )


def nelson_aalen(
    durations: Any,
    observed: Any,
    weights: Any = None,
    conf_level: float = 0.95,
    groups: Any = None,
) -> pd.DataFrame:
    """Nelson–Aalen cumulative hazard Ĥ(t) = Σ_{tᵢ ≤ t} dᵢ/nᵢ, one row per distinct duration.

    Columns ``time``, ``at_risk``, ``events``, ``censored``, ``cumulative_hazard``, ``std_err``
    (the Poisson-type variance Σ dᵢ/nᵢ², Aalen 1978; Klein & Moeschberger 2003, eq. 4.2.4) and
    ``ci_lower``/``ci_upper`` (log-transformed, Ĥ·exp(±z σ/Ĥ), which stays positive; [0, 0]
    before the first event). Ties and weights as in :func:`kaplan_meier`. With ``groups``: one
    table per group stacked under a leading ``group`` column. ``attrs``: ``conf_level``, ``n``.
    """
    d, o, w = _survival_inputs(durations, observed, weights, "nelson_aalen")
    level = float(conf_level)
    if groups is None:
        fit = _native.survival("nelson_aalen", d, o, w, None, level)
        frame = pd.DataFrame(fit["table"])
        frame.attrs.update(conf_level=fit["conf_level"], n=fit["n_rows"])
        return frame
    codes, labels = factorize(groups, "groups", "nelson_aalen")
    if len(codes) != len(d):
        raise error(
            f"nelson_aalen: column `groups` has {len(codes)} rows, expected {len(d)}", "groups"
        )
    frames, n = [], {}
    for code in range(len(labels)):
        rows = codes == code
        fit = _native.survival(
            "nelson_aalen",
            d[rows],
            o[rows],
            None if w is None else np.ascontiguousarray(w[rows]),
            None,
            level,
        )
        part = pd.DataFrame(fit["table"])
        part.insert(0, "group", pd.Series([labels[code]] * len(part), dtype=labels.dtype))
        frames.append(part)
        n[labels[code]] = fit["n_rows"]
    frame = pd.concat(frames, ignore_index=True)
    frame.attrs.update(conf_level=level, n=n)
    return frame


@dataclass(frozen=True)
class LogRankResult:
    """Result of :func:`logrank`.

    ``table`` is indexed by group with columns ``n``, ``observed`` (events O), ``expected`` (E
    under equal survival), ``o_minus_e`` and ``variance`` (the diagonal of Var(O − E));
    ``variance`` is the full k × k covariance of O − E.
    """

    chi2: float
    df: int
    p_value: float
    table: pd.DataFrame
    variance: pd.DataFrame

    def __repr__(self) -> str:
        return f"LogRankResult(chi2={self.chi2:.4f}, df={self.df}, p_value={self.p_value:.4g})"


def logrank(durations: Any, observed: Any, groups: Any) -> LogRankResult:
    """Log-rank test of equal survival across k ≥ 2 groups (Mantel 1966; Peto & Peto 1972).

    At each distinct event time, Eⱼ = Σ d·nⱼ/n and the hypergeometric covariance
    Vⱼₗ = Σ d(n − d)/(n − 1)·nⱼ/n·(δⱼₗ − nₗ/n) (exact for tied event times);
    χ² = (O − E)ᵀ V⁻ (O − E) on k − 1 groups with k − 1 degrees of freedom — the same as R's
    ``survdiff(rho = 0)``.

    There is no ``weights`` argument on purpose: a survey-weighted log-rank test needs a
    design-based variance, and weighted counts in the hypergeometric variance would overstate the
    evidence. Fit a weighted :class:`HazardModel` with ``cluster=`` instead.

    >>> mp = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
    >>> mp_e = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
    >>> pl = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]
    >>> r = logrank(mp + pl, mp_e + [1] * 21, ["6-MP"] * 21 + ["placebo"] * 21)
    >>> round(r.chi2, 2), r.df
    (16.79, 1)
    """
    d = floats(durations, "durations", "logrank")
    o = flags(observed, "observed", "logrank")
    codes, labels = factorize(groups, "groups", "logrank")
    r = _native.survival("logrank", d, o, None, codes)
    index = pd.Index([labels[int(c)] for c in r["groups"]], name="group")
    variance = np.asarray(r["variance"])
    table = pd.DataFrame(
        {
            "n": r["n"],
            "observed": r["observed"],
            "expected": r["expected"],
            "o_minus_e": r["observed"] - r["expected"],
            "variance": np.diag(variance).copy(),
        },
        index=index,
    )
    return LogRankResult(
        chi2=float(r["chi2"]),
        df=int(r["df"]),
        p_value=float(r["p_value"]),
        table=table,
        variance=pd.DataFrame(variance, index=index, columns=index.copy()),
    )
