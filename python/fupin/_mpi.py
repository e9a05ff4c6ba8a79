"""The Alkire–Foster multidimensional poverty index and its presets (see :mod:`fupin.targeting`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _native
from ._args import codes, error, f64, weights as _weights
from .registry import Registry, table_columns


# ---- Alkire–Foster -------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorSet:
    """Named indicators with weights and cutoffs, evaluated on a registry (one row per household):
    ``achievements`` (DataFrame), ``weights`` and ``cutoffs`` (Series by indicator; deprived
    when an achievement is strictly below its cutoff), ``labels`` (Chinese names) and ``notes``
    (how each indicator is derived; which are proxies). Pass it to :func:`mpi` or call
    :meth:`mpi`."""

    name: str
    achievements: pd.DataFrame
    weights: pd.Series
    cutoffs: pd.Series
    labels: pd.Series
    notes: list[str] = field(default_factory=list)

    def mpi(self, k: float, weights: Any = None) -> MultidimensionalPoverty:
        """The Alkire–Foster index of this set at cutoff ``k`` with survey ``weights``."""
        return mpi(self, None, k, weights=weights)


def _indicator_set(d: Mapping[str, Any]) -> IndicatorSet:
    names = list(d["indicators"])
    idx = pd.Index(names, name="indicator")
    return IndicatorSet(
        name=str(d["name"]),
        achievements=pd.DataFrame(np.asarray(d["achievements"]), columns=names),
        weights=pd.Series(d["weights"], index=idx, name="weight"),
        cutoffs=pd.Series(d["cutoffs"], index=idx, name="cutoff"),
        labels=pd.Series(list(d["labels"]), index=idx, name="label"),
        notes=list(d["notes"]),
    )


def five_looks(registry: Registry) -> IndicatorSet:
    """The five looks (五看法: housing, production means, labour, education, health; as used in
    Taoyuan county, Hunan), equal weights 1/5, from registry fields:

    ==================== ============================================================ ======
    housing              1 if ``housing_safe`` and ``safe_water``                      1
    production_means     0 if ``inhospitable`` or a cause land/water/capital (a proxy)  1
    labour               ``labour`` (members able to work)                             1
    education            ``head_education_years``                                      6
    health               1 if no member has a chronic illness or disability            1
    ==================== ============================================================ ======
    (achievement; cutoff — deprived when strictly below).
    """
    _check_registry(registry)
    return _indicator_set(_native.five_looks(registry._native))


def two_assurances_three_guarantees(
    registry: Registry, line: float, dropouts: Any = None
) -> IndicatorSet:
    """两不愁三保障: food and clothing (income per person against ``line``; weights 1/4 each),
    compulsory education (no school-age ``dropouts`` per household; without them the proxy
    "not poor because of schooling"), basic medical insurance and safe housing (1/6 each)."""
    _check_registry(registry)
    d = None if dropouts is None else np.ascontiguousarray(f64(dropouts, "dropouts"), dtype=np.int64)
    return _indicator_set(_native.two_assurances_three_guarantees(registry._native, float(line), d))


class MultidimensionalPoverty:
    """An Alkire–Foster index (Alkire & Foster 2011, *J. Public Economics* 95: 476–487).

    ``H`` headcount ratio (weighted share with score ≥ k), ``A`` average intensity among the poor
    (0 when nobody is poor), ``M0 = H × A`` (adjusted headcount ratio), ``M1`` and ``M2`` (adjusted
    gap and squared gap; None unless all cutoffs are positive), ``censored_headcounts`` (share
    poor and deprived in each indicator), ``uncensored_headcounts``, ``contributions`` (percent
    of M0 from each indicator, ``100 · wⱼ hⱼ / M0``, summing to 100), ``scores`` and ``poor`` by
    unit, and ``deprivation`` (the uncensored matrix).
    """

    __slots__ = ("_f", "_native", "indicators")

    def __init__(self, native: _native.Mpi, indicators: list[str]) -> None:
        self._native = native
        self._f: dict[str, Any] = native.fields()
        self.indicators = indicators

    def _series(self, values: Any, name: str) -> pd.Series:
        return pd.Series(values, index=pd.Index(self.indicators, name="indicator"), name=name)

    @property
    def k(self) -> float:
        """The poverty cutoff (a fraction of the total indicator weight)."""
        return self._f["k"]

    @property
    def H(self) -> float:  # noqa: N802 (the published symbol)
        """Headcount ratio."""
        return self._f["h"]

    @property
    def A(self) -> float:  # noqa: N802
        """Average deprivation score among the poor."""
        return self._f["a"]

    @property
    def M0(self) -> float:  # noqa: N802
        """Adjusted headcount ratio H × A."""
        return self._f["m0"]

    @property
    def M1(self) -> float | None:  # noqa: N802
        """Adjusted poverty gap (cardinal indicators with positive cutoffs), else None."""
        return self._f["m1"]

    @property
    def M2(self) -> float | None:  # noqa: N802
        """Adjusted squared poverty gap, else None."""
        return self._f["m2"]

    @property
    def indicator_weights(self) -> pd.Series:
        """Indicator weights normalised to sum to 1."""
        return self._series(self._f["indicator_weights"], "weight")

    @property
    def censored_headcounts(self) -> pd.Series:
        """Share of units poor and deprived in each indicator (weighted)."""
        return self._series(self._f["censored_headcount"], "censored_headcount")

    @property
    def uncensored_headcounts(self) -> pd.Series:
        """Share of units deprived in each indicator, poor or not (weighted)."""
        return self._series(self._f["uncensored_headcount"], "uncensored_headcount")

    @property
    def contributions(self) -> pd.Series:
        """Percent contribution of each indicator to M0 (NaN when M0 = 0)."""
        return self._series(self._f["contribution"], "contribution")

    @property
    def scores(self) -> np.ndarray:
        """Weighted deprivation score cᵢ ∈ [0, 1] of each unit."""
        return self._f["scores"]

    @property
    def poor(self) -> np.ndarray:
        """Identified as multidimensionally poor: cᵢ ≥ k (up to 10⁻⁹ for decimal weight sums)."""
        return self._f["poor"]

    @property
    def deprivation(self) -> pd.DataFrame:
        """The uncensored deprivation matrix."""
        return pd.DataFrame(self._f["deprivation"], columns=self.indicators)

    def by_group(self, groups: Any) -> pd.DataFrame:
        """Decomposition by group (village, county; M0 is subgroup-decomposable,
        ``M0 = Σ_g (N_g/N) M0_g``): population_share, H, A, M0, M1, M2, contribution (percent of
        the overall M0, summing to 100) and ``censored_<indicator>`` by group label."""
        g, labels = codes(groups, "groups")
        d = self._native.by_group(g, len(labels))
        out = pd.DataFrame(
            {
                "population_share": d["population_share"],
                "H": d["h"],
                "A": d["a"],
                "M0": d["m0"],
                "M1": d["m1"],
                "M2": d["m2"],
                "contribution": d["contribution"],
            },
            index=pd.Index(labels, name="group"),
        )
        if self.M1 is None:
            out = out.drop(columns=["M1", "M2"])
        for j, name in enumerate(self.indicators):
            out[f"censored_{name}"] = d["censored_headcount"][:, j]
        return out

    def summary(self) -> pd.Series:
        """k, H, A, M0 (and M1, M2 when defined) as a Series."""
        values: dict[str, float | None] = {"k": self.k, "H": self.H, "A": self.A, "M0": self.M0}
        if self.M1 is not None:
            values.update(M1=self.M1, M2=self.M2)
        return pd.Series(values, name="mpi")

    def __repr__(self) -> str:
        return (
            f"<fupin.targeting.mpi: k={self.k:g}, H={self.H:.4f}, A={self.A:.4f}, "
            f"M0={self.M0:.4f}, {len(self.indicators)} indicators>"
        )


def _by_name(values: Any, names: list[str], what: str) -> np.ndarray:
    if isinstance(values, Mapping | pd.Series):
        ser = pd.Series(values)
        missing = [n for n in names if n not in ser.index]
        if missing:
            raise error(f"{what} has no value for indicator {missing[0]!r}", column=what, value=missing[0])
        return f64(ser.loc[names].to_numpy(), what)
    return f64(values, what)


def mpi(
    indicators: Any,
    indicator_weights: Any,
    k: float,
    cutoffs: Any = None,
    weights: Any = None,
) -> MultidimensionalPoverty:
    """The Alkire–Foster multidimensional poverty index.

    ``indicators`` is ``n × d``: a 2-D array, a DataFrame (its columns name the indicators) or an
    :class:`IndicatorSet`. Without ``cutoffs`` the values are 0/1 deprivations (1 = deprived);
    with cutoffs they are achievements and unit *i* is deprived in *j* when ``yᵢⱼ < zⱼ``
    (strictly, as in Alkire & Foster 2011 §2). ``indicator_weights`` (positive; normalised to sum
    to 1; a mapping by indicator name also works; None means equal weights, or the set's) give
    the score ``cᵢ = Σⱼ wⱼ dᵢⱼ``; a unit is poor when ``cᵢ ≥ k`` with 0 < k ≤ 1 (k = 2 of 4
    equal indicators is 0.5; a score equal to k is poor, with a tolerance of 10⁻⁹ so that
    0.15 + 0.15 + 0.2 reaches 0.5). ``weights`` are survey weights of the units.

    >>> y = [[13.1, 14, 4, 1], [15.2, 7, 5, 0], [12.5, 10, 1, 0], [20, 11, 3, 1]]
    >>> m = mpi(y, [1, 1, 1, 1], 0.5, cutoffs=[13, 12, 3, 1])
    >>> (m.H, m.A, m.M0)
    (0.5, 0.75, 0.375)
    """
    if isinstance(indicators, IndicatorSet):
        if indicator_weights is None:
            indicator_weights = indicators.weights
        if cutoffs is None:
            cutoffs = indicators.cutoffs
        indicators = indicators.achievements
    if isinstance(indicators, Mapping) or type(indicators).__module__.split(".")[0] in (
        "pandas", "polars", "pyarrow",
    ):
        cols = table_columns(indicators, "indicators")
        names = [str(c) for c in cols]
        arrays = [f64(v, str(c)) for c, v in cols.items()]
        x = np.column_stack(arrays) if arrays else np.empty((0, 0))
    else:
        x = np.asarray(indicators, dtype=np.float64)
        if x.ndim != 2:
            raise error(f"indicators must be two-dimensional, got shape {x.shape}", column="indicators")
        names = [f"indicator {j}" for j in range(x.shape[1])]
    x = np.ascontiguousarray(x, dtype=np.float64)
    if indicator_weights is None:
        iw = np.ones(x.shape[1])
    else:
        iw = _by_name(indicator_weights, names, "indicator_weights")
    z = None if cutoffs is None else _by_name(cutoffs, names, "cutoffs")
    native = _native.mpi(x, iw, float(k), z, _weights(weights))
    return MultidimensionalPoverty(native, names)


def _check_registry(registry: Any) -> None:
    if not isinstance(registry, Registry):
        raise TypeError(f"registry must be a fupin.Registry, got {type(registry).__name__}")
