"""Targeting (精准识别): proxy-means tests, quotas, targeting errors, the Alkire–Foster index,
exit standards, record checks and dynamic adjustment.

* :class:`ProxyMeansTest` — weighted least squares of (log) welfare on observable proxies with HC1
  robust standard errors and k-fold cross-validation (Grosh & Baker 1995, *Proxy means tests for
  targeting social programs*, World Bank LSMS WP 118).
* :func:`select`, :func:`select_by_quota` — pick households below a threshold, or fill a total
  quota allocated top-down county → village in proportion to estimated poverty (规模控制).
* :func:`errors`, :func:`error_curve`, :func:`errors_by_group` — inclusion and exclusion errors,
  coverage, leakage and the targeting differential (Cornia & Stewart 1993; Ravallion 2000; Coady,
  Grosh & Hoddinott 2004).
* :func:`mpi`, :func:`five_looks`, :func:`two_assurances_three_guarantees` — the Alkire–Foster
  multidimensional poverty index (Alkire & Foster 2011) and presets for 五看法 and 两不愁三保障.
* :class:`Checklist`, :func:`exit_check`, :class:`RecordRules`, :func:`check_records`,
  :func:`adjust` — exit standards as data (脱贫、出列、摘帽), record checks (数据清洗) and the
  yearly adjustment of the register (应进必进、应退必退).

A low score always means predicted poorer. ``weights`` are always survey weights (finite, > 0, one
per unit); to count people rather than households pass ``size × weight``. Every error is a
:class:`fupin.ValidationError` naming the column, the 1-based row and the value where there is one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _native
from ._convert import codes, error, f64, flags, table, weights as _weights
from ._exit import (
    Adjustment,
    Checklist,
    ExitReport,
    RecordRules,
    adjust,
    check_records,
    exit_check,
)
from .registry import Registry

__all__ = [
    "Adjustment",
    "Checklist",
    "CrossValidation",
    "ExitReport",
    "IndicatorSet",
    "MultidimensionalPoverty",
    "ProxyMeansTest",
    "QuotaSelection",
    "RecordRules",
    "adjust",
    "allocate_quota",
    "check_records",
    "error_curve",
    "errors",
    "errors_by_group",
    "exit_check",
    "five_looks",
    "mpi",
    "select",
    "select_by_quota",
    "two_assurances_three_guarantees",
]

# ---- proxy-means test ----------------------------------------------------------------------


@dataclass(frozen=True)
class CrossValidation:
    """Out-of-sample evaluation of a proxy-means test by k-fold cross-validation.

    ``fold`` is each row's fold (0-based; sizes differ by at most one, assignment a pure function
    of ``seed``), ``predictions`` the out-of-fold predictions; ``r_squared`` and ``rmse`` are
    computed on them with the survey weights (and per fold in ``fold_r_squared``, ``fold_rmse``).
    ``errors`` are the targeting errors of selecting ``prediction < threshold`` against the true
    ``target < threshold`` (see :func:`errors`).
    """

    folds: int
    fold: np.ndarray
    predictions: np.ndarray
    r_squared: float
    rmse: float
    fold_r_squared: np.ndarray
    fold_rmse: np.ndarray
    threshold: float
    errors: pd.Series


class ProxyMeansTest:
    """A fitted proxy-means test (PMT): welfare ≈ Xβ by weighted least squares.

    With survey weights ``w``: ``β = (XᵀWX)⁻¹XᵀWy`` (solved by Householder QR). Reported:

    * ``r_squared`` — weighted ``1 − Σwe² / Σw(y − ȳ_w)²`` (uncentred without an intercept);
      ``adj_r_squared`` — ``1 − (1 − R²)(n − c)/(n − k)``, c = 1 with an intercept;
    * ``coefficients`` — a DataFrame of ``coef``, ``se`` (HC1 robust: the sandwich
      ``n/(n − k) · (XᵀWX)⁻¹ XᵀW diag(e²) WX (XᵀWX)⁻¹``, White 1980 with the MacKinnon & White
      1985 factor, as Stata's ``regress … [pweight=w], vce(robust)``), ``classical_se``
      (``Σwe²/(n − k) · (XᵀWX)⁻¹``), ``t`` = coef/se and ``p`` (two-sided, Student's t with
      n − k degrees of freedom).

    Build one with :meth:`fit`. Categorical proxies (text or categorical columns, or those named
    in ``categorical``) become dummy columns ``name=level`` for every level but the reference
    (the first level in byte-wise order unless given in ``reference``); ``predict`` encodes new
    data with the levels of the fit (an unseen level is an error). Instances pickle.
    """

    __slots__ = (
        "_array_weights", "_design", "_native", "intercept", "log_target", "proxies", "target",
        "weights",
    )

    _native: _native.ProxyMeansTest
    _design: list[tuple[str, list[str] | None, str | None]]
    _array_weights: bool
    target: str
    """The target column."""
    proxies: list[str]
    """The proxy columns, as given (before dummy coding)."""
    log_target: bool
    """Whether the target is the natural log of the column."""
    intercept: bool
    """Whether an intercept was fitted."""
    weights: str | None
    """The weights column, when weights were given by name."""

    @classmethod
    def fit(
        cls,
        data: Any,
        target: str,
        proxies: Sequence[str],
        weights: str | Any = None,
        categorical: Sequence[str] | None = None,
        log_target: bool = True,
        intercept: bool = True,
        reference: Mapping[str, str] | None = None,
    ) -> ProxyMeansTest:
        """Fit ``target`` (log of it with ``log_target``) on ``proxies`` by weighted least squares.

        ``data`` is a pandas/polars/pyarrow table, a mapping of columns or a
        :class:`fupin.Registry` (its households). ``weights`` is a column name or an array of
        survey weights. ``categorical`` names proxies to dummy-code in addition to the text and
        categorical columns, which always are. ``log_target`` takes the natural log of a target
        that must then be positive (a zero income has no log: floor it first).
        """
        if isinstance(proxies, str):
            proxies = [proxies]
        cols = table(data, "data")
        self = object.__new__(cls)
        self.target = str(target)
        self.proxies = [str(p) for p in proxies]
        self.log_target = bool(log_target)
        self.intercept = bool(intercept)
        self.weights = weights if isinstance(weights, str) else None
        self._array_weights = weights is not None and not isinstance(weights, str)
        forced = set(categorical or ())
        unknown = forced - set(self.proxies)
        if unknown:
            raise error(f"categorical {sorted(unknown)} are not among the proxies", column="categorical")
        ref = dict(reference or {})
        self._design = []
        for p in self.proxies:
            values = _column(cols, p)
            if isinstance(values, list) or p in forced:
                self._design.append((p, [], ref.get(p)))
            else:
                self._design.append((p, None, None))
        x, names = self._matrix(cols, fitting=True)
        y = self._target(cols)
        w = self._weight_array(cols, weights)
        self._native = _native.ProxyMeansTest.fit(x, names, y, w, self.intercept)
        return self

    # -- design ---------------------------------------------------------------------------
    def _matrix(self, cols: Mapping[str, Any], fitting: bool = False) -> tuple[np.ndarray, list[str]]:
        blocks: list[np.ndarray] = []
        names: list[str] = []
        n = _n_rows(cols)
        for j, (p, levels, ref) in enumerate(self._design):
            values = _column(cols, p)
            if levels is None:
                if isinstance(values, list):
                    raise error(f"proxy `{p}` was numeric in the fit but is text here", column=p)
                blocks.append(f64(values, p)[:, None])
                names.append(p)
                continue
            text = _labels(values, p)
            if fitting:
                d = _native.dummies(p, text, ref)
                self._design[j] = (p, list(d["levels"]), str(d["reference"]))
            else:
                d = _native.dummies(p, text, ref, levels)
            blocks.append(np.asarray(d["matrix"], dtype=np.float64).reshape(n, -1))
            names.extend(d["names"])
        x = np.hstack(blocks) if blocks else np.empty((n, 0))
        return np.ascontiguousarray(x, dtype=np.float64), names

    def _target(self, cols: Mapping[str, Any]) -> np.ndarray:
        y = f64(_column(cols, self.target), self.target)
        return _native.log_target(self.target, y) if self.log_target else y

    def _weight_array(self, cols: Mapping[str, Any], weights: Any) -> np.ndarray | None:
        if isinstance(weights, str):
            return f64(_column(cols, weights), weights)
        return _weights(weights)

    # -- results --------------------------------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Coefficient names: ``intercept`` first (if fitted), then the design columns."""
        return list(self._native.names)

    @property
    def coefficients(self) -> pd.DataFrame:
        """``coef``, ``se`` (HC1), ``classical_se``, ``t`` (coef/se) and ``p`` by coefficient."""
        m = self._native
        return pd.DataFrame(
            {
                "coef": m.coefficients,
                "se": m.robust_se,
                "classical_se": m.classical_se,
                "t": m.t_values,
                "p": m.p_values,
            },
            index=pd.Index(m.names, name="term"),
        )

    @property
    def covariance(self) -> pd.DataFrame:
        """The HC1 covariance matrix of the coefficients."""
        names = pd.Index(self._native.names, name="term")
        return pd.DataFrame(self._native.robust_covariance, index=names, columns=names)

    @property
    def r_squared(self) -> float:
        """Weighted R² (uncentred without an intercept)."""
        return self._native.r_squared

    @property
    def adj_r_squared(self) -> float:
        """Adjusted R²."""
        return self._native.adj_r_squared

    @property
    def residual_variance(self) -> float:
        """``σ² = (Σwe²/Σw) · n/(n − k)``, invariant to the scale of the weights."""
        return self._native.residual_variance

    @property
    def n_obs(self) -> int:
        """Number of observations."""
        return self._native.n_obs

    def predict(self, data: Any) -> np.ndarray:
        """Predicted target (in log units with ``log_target``) for the rows of ``data``."""
        x, _ = self._matrix(table(data, "data"))
        return self._native.predict(x)

    def cross_validate(
        self,
        data: Any,
        folds: int = 5,
        seed: int = 0,
        threshold: float | None = None,
        line: float | None = None,
        weights: str | Any = None,
    ) -> CrossValidation:
        """k-fold cross-validation of this specification on ``data``; categorical levels are
        those of the fit.

        Give ``threshold`` on the scale of the target (log yuan with ``log_target``) or the
        poverty ``line`` in yuan (its log is taken with ``log_target``). ``weights`` (a column
        name or an array) default to the fit's weights column; a fit weighted by an array needs
        its weights given again here.
        """
        if weights is None:
            if self._array_weights:
                raise error(
                    "this test was fitted with an array of weights: pass weights= for the data "
                    "to cross-validate on",
                    column="weights",
                )
            weights = self.weights
        if (threshold is None) == (line is None):
            raise error("cross_validate needs exactly one of threshold and line", column="threshold")
        if threshold is None:
            assert line is not None
            if not (line > 0 and math.isfinite(line)):
                raise error(f"line must be positive and finite, got {line}", column="line", value=line)
            threshold = math.log(line) if self.log_target else float(line)
        cols = table(data, "data")
        x, names = self._matrix(cols)
        y = self._target(cols)
        w = self._weight_array(cols, weights)
        cv = _native.pmt_cross_validate(
            x, names, y, w, self.intercept, int(folds), int(seed), float(threshold)
        )
        return CrossValidation(
            folds=int(cv["folds"]),
            fold=cv["fold"],
            predictions=cv["predictions"],
            r_squared=float(cv["r_squared"]),
            rmse=float(cv["rmse"]),
            fold_r_squared=cv["fold_r_squared"],
            fold_rmse=cv["fold_rmse"],
            threshold=float(cv["threshold"]),
            errors=pd.Series(cv["errors"], name="errors"),
        )

    def summary(self) -> str:
        """A plain-text report: specification, fit statistics and the coefficient table."""
        y = f"log({self.target})" if self.log_target else self.target
        head = [
            f"Proxy-means test: {y} on {len(self.proxies)} proxies (WLS"
            + (f", weights={self.weights}" if self.weights else "")
            + ")",
            f"observations: {self.n_obs:,}   R²: {self.r_squared:.4f}   "
            f"adjusted R²: {self.adj_r_squared:.4f}   σ²: {self.residual_variance:.4g}",
            "standard errors: HC1 (heteroskedasticity-robust); p from t(n − k)",
            "",
        ]
        return "\n".join(head) + self.coefficients.to_string(float_format=lambda v: f"{v:.4g}")

    def __repr__(self) -> str:
        return (
            f"<fupin.targeting.ProxyMeansTest: {self.target} on {len(self.proxies)} proxies, "
            f"n={self.n_obs:,}, R²={self.r_squared:.4f}>"
        )


def _n_rows(cols: Mapping[str, Any]) -> int:
    for v in cols.values():
        return len(v)
    return 0


def _column(cols: Mapping[str, Any], name: str) -> Any:
    if name not in cols:
        raise error(
            f"column `{name}` is not in the data (columns: {', '.join(map(str, cols))})", column=name
        )
    return cols[name]


def _labels(values: Any, name: str) -> list[str]:
    if isinstance(values, list):
        out = []
        for i, v in enumerate(values):
            if v is None:
                raise error(f"{name}: row {i + 1} is missing", column=name, row=i + 1, value=None)
            out.append(str(v))
        return out
    a = np.asarray(values)
    if a.dtype.kind == "f":
        bad = np.flatnonzero(np.isnan(a))
        if bad.size:
            i = int(bad[0])
            raise error(f"{name}: row {i + 1} is missing", column=name, row=i + 1, value="NaN")
    return [str(v) for v in a.tolist()]


# ---- selection -----------------------------------------------------------------------------


def select(scores: Any, threshold: float) -> np.ndarray:
    """Select the units with ``score < threshold`` (a low score is predicted poorer)."""
    return _native.select_below(f64(scores, "scores"), float(threshold))


def allocate_quota(total: int, poverty: Any, capacity: Any = None) -> np.ndarray:
    """Apportion ``total`` in proportion to ``poverty`` by the largest-remainder (Hamilton)
    method, never above ``capacity``: quotas always sum exactly to ``total`` (Balinski & Young,
    *Fair Representation*, 2001, ch. 2). Ties of remainders go to the lower index."""
    cap = None if capacity is None else np.ascontiguousarray(capacity, dtype=np.int64)
    return _native.allocate_quota(int(total), f64(poverty, "poverty"), cap)


@dataclass(frozen=True)
class QuotaSelection:
    """The result of :func:`select_by_quota`: ``selected`` (one flag per household), and the
    ``villages`` (county, households, poverty, quota) and ``counties`` (poverty, quota) tables."""

    selected: np.ndarray
    villages: pd.DataFrame
    counties: pd.DataFrame


def select_by_quota(
    units: Any,
    scores: Any,
    total: int,
    threshold: float | None = None,
    poverty: Any = None,
    counties: Any = None,
    weights: Any = None,
) -> QuotaSelection:
    """Select ``total`` households: a quota allocated top-down (规模控制) and filled with the
    lowest scores in each village.

    1. Each village's poverty is ``poverty`` if given (a mapping or Series by village, or an
       array in village order), else the weighted number of its households with
       ``score < threshold``.
    2. ``total`` goes to counties in proportion to their poverty (the sum over their villages),
       then each county's quota to its villages in proportion to theirs — largest remainders,
       never more than a village's households (:func:`allocate_quota`).
    3. Each village selects its quota of lowest scores; ties go to the earlier row.

    ``units`` is a :class:`fupin.Registry` (its villages and counties; ``weights`` default to the
    registry's ``weight``) or each household's village label, with ``counties`` each household's
    county label (one county if omitted).
    """
    s = f64(scores, "scores")
    if isinstance(units, Registry):
        h = units._native.households_columns()
        v = units._native.villages_columns()
        village_ids = pd.Index(v["village_id"], name="village")
        vcode = np.ascontiguousarray(village_ids.get_indexer(_as_index(h["village_id"])), dtype=np.int64)
        village_county = np.asarray(v["county_id"], dtype=object)
        if weights is None:
            weights = h["weight"]
        if poverty is None and threshold is not None and weights is h["weight"]:
            q = _native.quota_selection(units._native, s, float(threshold), int(total))
            return _quota_result(
                q["selected"], vcode, village_ids, village_county,
                q["village_poverty"], q["village_quota"],
            )
    else:
        vcode, village_ids = codes(units, "villages")
        hc = np.zeros(len(vcode), dtype=object) if counties is None else _array_of(counties)
        if len(hc) != len(vcode):
            raise error(f"counties has {len(hc)} rows, villages {len(vcode)}", column="counties")
        village_county = np.empty(len(village_ids), dtype=object)
        seen = np.zeros(len(village_ids), dtype=bool)
        for i, (vc, c) in enumerate(zip(vcode, hc, strict=True)):
            if not seen[vc]:
                village_county[vc], seen[vc] = c, True
            elif village_county[vc] != c:
                raise error(
                    f"counties: row {i + 1} puts village {village_ids[vc]!r} in county {c!r}, "
                    f"an earlier row in {village_county[vc]!r}",
                    column="counties", row=i + 1, value=c,
                )
    nv = len(village_ids)
    if poverty is None:
        if threshold is None:
            raise error("select_by_quota needs threshold (or poverty by village)", column="threshold")
        vp = _native.estimated_poor_by_village(s, vcode, float(threshold), _weights(weights), nv)
    elif isinstance(poverty, Mapping | pd.Series):
        ser = pd.Series(poverty)
        missing = [x for x in village_ids if x not in ser.index]
        if missing:
            raise error(f"poverty has no value for village {missing[0]!r}", column="poverty", value=missing[0])
        vp = f64(ser.loc[list(village_ids)].to_numpy(), "poverty")
    else:
        vp = f64(poverty, "poverty")
    ccode, _ = codes(village_county, "county")
    capacity = np.bincount(vcode, minlength=nv).astype(np.int64)
    plan = _native.allocate_top_down(int(total), vp, ccode, capacity, None)
    selected = _native.select_by_quota(s, vcode, plan["village"])
    return _quota_result(selected, vcode, village_ids, village_county, vp, plan["village"])


def _as_index(values: Any) -> pd.Index:
    return pd.Index(values if isinstance(values, list) else np.asarray(values))


def _array_of(values: Any) -> np.ndarray:
    return np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=object)


def _quota_result(
    selected: np.ndarray,
    vcode: np.ndarray,
    village_ids: pd.Index,
    village_county: np.ndarray,
    poverty: np.ndarray,
    quota: np.ndarray,
) -> QuotaSelection:
    nv = len(village_ids)
    villages = pd.DataFrame(
        {
            "county": village_county,
            "households": np.bincount(vcode, minlength=nv),
            "poverty": np.asarray(poverty, dtype=np.float64),
            "quota": np.asarray(quota, dtype=np.int64),
            "selected": np.bincount(vcode, weights=selected.astype(np.float64), minlength=nv).astype(np.int64),
        },
        index=pd.Index(village_ids, name="village"),
    )
    counties = villages.groupby("county", sort=False)[["households", "poverty", "quota", "selected"]].sum()
    return QuotaSelection(selected=np.asarray(selected, dtype=bool), villages=villages, counties=counties)


# ---- targeting errors ----------------------------------------------------------------------

_ERROR_DOC = """
    With survey weights, SP is the weight of the selected poor, SN of the selected non-poor, EP
    of the excluded poor and EN of the excluded non-poor:

    ====================== ============================ ===========================================
    inclusion_error        SN / (SP + SN)               = ``leakage``, E-error (Cornia & Stewart 1993)
    exclusion_error        EP / (SP + EP)               under-coverage, F-error
    coverage               SP / (SP + EP)               1 − exclusion error
    nonpoor_coverage       SN / (SN + EN)
    targeting_differential coverage − nonpoor_coverage  Ravallion (2000); Coady, Grosh & Hoddinott (2004)
    ====================== ============================ ===========================================

    plus the four cells ``selected_poor``, ``selected_nonpoor``, ``excluded_poor``,
    ``excluded_nonpoor``. A ratio with a zero denominator is NaN (undefined, not zero).
"""


def errors(selected: Any, poor: Any, weights: Any = None) -> pd.Series:
    """Targeting errors of a selection against true poverty status, as a Series.
    """
    e = _native.targeting_errors(flags(selected, "selected"), flags(poor, "poor"), _weights(weights))
    return pd.Series(e, name="errors", dtype=np.float64)


errors.__doc__ = (errors.__doc__ or "") + _ERROR_DOC


def error_curve(scores: Any, poor: Any, thresholds: Any, weights: Any = None) -> pd.DataFrame:
    """Targeting errors when the units with ``score < t`` are selected, for each threshold ``t``:
    one row per threshold, with ``threshold`` and ``selected_share`` (weighted share selected)
    first, then the columns of :func:`errors`.
    """
    t = f64(thresholds, "thresholds")
    out = pd.DataFrame(
        _native.error_curve(f64(scores, "scores"), flags(poor, "poor"), t, _weights(weights))
    )
    cells = out[["selected_poor", "selected_nonpoor", "excluded_poor", "excluded_nonpoor"]].sum(axis=1)
    out.insert(0, "selected_share", (out["selected_poor"] + out["selected_nonpoor"]) / cells)
    out.insert(0, "threshold", t)
    return out


def errors_by_group(selected: Any, poor: Any, groups: Any, weights: Any = None) -> pd.DataFrame:
    """Targeting errors within each group (village, county): a DataFrame indexed by group label
    with the columns of :func:`errors`."""
    g, labels = codes(groups, "groups")
    out = _native.errors_by_group(
        flags(selected, "selected"), flags(poor, "poor"), g, len(labels), _weights(weights)
    )
    return pd.DataFrame(out, index=pd.Index(labels, name="group"))


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

    __slots__ = ("_native", "indicators")

    def __init__(self, native: _native.Mpi, indicators: list[str]) -> None:
        self._native = native
        self.indicators = indicators

    def _series(self, values: Any, name: str) -> pd.Series:
        return pd.Series(values, index=pd.Index(self.indicators, name="indicator"), name=name)

    @property
    def k(self) -> float:
        """The poverty cutoff (a fraction of the total indicator weight)."""
        return self._native.k

    @property
    def H(self) -> float:  # noqa: N802 (the published symbol)
        """Headcount ratio."""
        return self._native.h

    @property
    def A(self) -> float:  # noqa: N802
        """Average deprivation score among the poor."""
        return self._native.a

    @property
    def M0(self) -> float:  # noqa: N802
        """Adjusted headcount ratio H × A."""
        return self._native.m0

    @property
    def M1(self) -> float | None:  # noqa: N802
        """Adjusted poverty gap (cardinal indicators with positive cutoffs), else None."""
        return self._native.m1

    @property
    def M2(self) -> float | None:  # noqa: N802
        """Adjusted squared poverty gap, else None."""
        return self._native.m2

    @property
    def indicator_weights(self) -> pd.Series:
        """Indicator weights normalised to sum to 1."""
        return self._series(self._native.indicator_weights, "weight")

    @property
    def censored_headcounts(self) -> pd.Series:
        """Share of units poor and deprived in each indicator (weighted)."""
        return self._series(self._native.censored_headcount, "censored_headcount")

    @property
    def uncensored_headcounts(self) -> pd.Series:
        """Share of units deprived in each indicator, poor or not (weighted)."""
        return self._series(self._native.uncensored_headcount, "uncensored_headcount")

    @property
    def contributions(self) -> pd.Series:
        """Percent contribution of each indicator to M0 (NaN when M0 = 0)."""
        return self._series(self._native.contribution, "contribution")

    @property
    def scores(self) -> np.ndarray:
        """Weighted deprivation score cᵢ ∈ [0, 1] of each unit."""
        return self._native.scores

    @property
    def poor(self) -> np.ndarray:
        """Identified as multidimensionally poor: cᵢ ≥ k (up to 10⁻⁹ for decimal weight sums)."""
        return self._native.poor

    @property
    def deprivation(self) -> pd.DataFrame:
        """The uncensored deprivation matrix."""
        return pd.DataFrame(self._native.deprivation, columns=self.indicators)

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
        cols = table(indicators, "indicators")
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
