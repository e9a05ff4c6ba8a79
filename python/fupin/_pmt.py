"""Proxy-means tests (see :mod:`fupin.targeting`)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import _args, _native
from ._args import error, f64, weights as _weights
from .registry import table_columns


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

    The fitted core model keeps the whole design (proxies, levels, reference levels) and builds
    the design matrix of new data itself; this class normalises the columns it is given.
    """

    __slots__ = (
        "_array_weights", "_native", "intercept", "log_target", "proxies", "target", "weights",
    )

    _native: _native.ProxyMeansTest
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
        cols = table_columns(data, "data")
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
        design: list[tuple[str, list[str] | None, str | None]] = []
        for p in self.proxies:
            values = _column(cols, p)
            if isinstance(values, list) or p in forced:
                design.append((p, [], ref.get(p)))
            else:
                design.append((p, None, None))
        y = self._target(cols)
        w = self._weight_array(cols, weights)
        self._native = _native.ProxyMeansTest.fit_table(
            _proxy_columns(cols, design), design, y, w, self.intercept
        )
        return self

    def __setstate__(self, state: Any) -> None:
        """Unpickle, also a test pickled before the core kept its design (then in `_design`)."""
        _, slots = state
        slots = dict(slots)
        legacy = slots.pop("_design", None)
        for k, v in slots.items():
            object.__setattr__(self, k, v)
        if legacy is not None and not self._native.design:
            self._native = self._native.with_design(legacy)

    # -- design ---------------------------------------------------------------------------
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
        return list(self._native.fields()["names"])

    @property
    def coefficients(self) -> pd.DataFrame:
        """``coef``, ``se`` (HC1), ``classical_se``, ``t`` (coef/se) and ``p`` by coefficient."""
        m = self._native.fields()
        return pd.DataFrame(
            {
                "coef": m["coefficients"],
                "se": m["robust_se"],
                "classical_se": m["classical_se"],
                "t": m["t_values"],
                "p": m["p_values"],
            },
            index=pd.Index(m["names"], name="term"),
        )

    @property
    def covariance(self) -> pd.DataFrame:
        """The HC1 covariance matrix of the coefficients."""
        m = self._native.fields()
        names = pd.Index(m["names"], name="term")
        return pd.DataFrame(m["robust_covariance"], index=names, columns=names)

    @property
    def r_squared(self) -> float:
        """Weighted R² (uncentred without an intercept)."""
        return self._native.fields()["r_squared"]

    @property
    def adj_r_squared(self) -> float:
        """Adjusted R²."""
        return self._native.fields()["adj_r_squared"]

    @property
    def residual_variance(self) -> float:
        """``σ² = (Σwe²/Σw) · n/(n − k)``, invariant to the scale of the weights."""
        return self._native.fields()["residual_variance"]

    @property
    def n_obs(self) -> int:
        """Number of observations."""
        return self._native.fields()["n_obs"]

    def predict(self, data: Any) -> np.ndarray:
        """Predicted target (in log units with ``log_target``) for the rows of ``data``."""
        cols = table_columns(data, "data")
        return self._native.predict_table(_proxy_columns(cols, self._native.design))

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
        cols = table_columns(data, "data")
        y = self._target(cols)
        w = self._weight_array(cols, weights)
        cv = self._native.cross_validate(
            _proxy_columns(cols, self._native.design), y, w, _args.integer(folds, "folds", 0),
            _args.seed(seed), float(threshold),
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


def _proxy_columns(
    cols: Mapping[str, Any], design: Sequence[tuple[str, list[str] | None, str | None]]
) -> dict[str, Any]:
    """The proxy columns of ``cols`` as the core reads them: float64 for numeric proxies, text
    labels for categorical ones."""
    out: dict[str, Any] = {}
    for p, levels, _ in design:
        values = _column(cols, p)
        if levels is None:
            if isinstance(values, list):
                raise error(f"proxy `{p}` was numeric in the fit but is text here", column=p)
            out[p] = f64(values, p)
        else:
            out[p] = _labels(values, p)
    return out


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
