"""``fupin.timelines.HazardModel``: discrete-time hazard models for yearly person-period data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import _native
from ._args import column, error, factorize, flags, floats, integers
from ._frames import as_frame

__all__ = ["HazardModel"]


def _p_value(z: np.ndarray) -> np.ndarray:
    """Two-sided normal p-value 2·(1 − Φ(|z|)) = erfc(|z|/√2), from the core's shared statistics."""
    return _native.two_sided_p_values(np.ascontiguousarray(z, dtype=np.float64))


def _matrix(data: Any, names: Sequence[str], table: str) -> np.ndarray:
    frame = as_frame(data, table)
    if not names:
        return np.zeros((len(frame), 0), dtype=np.float64)
    cols = [floats(column(frame, c, table), c, table) for c in names]
    return np.ascontiguousarray(np.column_stack(cols).astype(np.float64))


def _array2(x: Any, name: str) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise error(f"parameter `{name}`: must be numeric ({exc})", name) from None
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise error(f"parameter `{name}`: must be two-dimensional, got shape {a.shape}", name)
    return np.ascontiguousarray(a)


class HazardModel:
    """A fitted discrete-time hazard model: P(event in period t | at risk) = h(η), η = xβ.

    The yearly hazard of exit (or return) is modelled on covariates and time-since-entry dummies
    ``t1``, …, ``t{K-1}``, ``t{K}+`` (the full set replaces the intercept; periods ≥ K pool into
    the last, which avoids separation where few households remain at risk). Allison (1982) shows
    that this binary regression on person-period rows is the maximum-likelihood estimator of the
    discrete-time hazard model.

    * ``link="logit"``: h = 1/(1 + e^{−η}); coefficients are log odds ratios of the yearly hazard.
    * ``link="cloglog"``: h = 1 − exp(−e^η), the grouped-time proportional-hazards model (Prentice &
      Gloeckler 1978); coefficients are log hazard ratios of the underlying continuous hazard.

    Fitted by IRLS (Fisher scoring, = Newton–Raphson for the logit) from R's ``glm`` starting
    values with step halving; convergence needs |ΔD|/(|D| + 0.1) < ``tol`` on the deviance and a
    last relative step < √``tol``. Separation (a covariate or period that predicts the outcome
    perfectly) raises :class:`fupin.NumericalError` naming the coefficient.

    Standard errors are model-based, from the inverse Fisher information (XᵀWX)⁻¹ (R's ``glm``).
    With ``cluster`` (e.g. the village) they are also cluster-robust (sandwich, "CR1":
    c = G/(G − 1)·(N − 1)/(N − K), as R's ``sandwich::vcovCL(type="HC1")`` and Stata's
    ``regress, vce(cluster)``; Cameron & Miller 2015), and then z, p and the intervals in
    :attr:`coefficients` use the robust errors. Survey ``weights`` enter the pseudo-likelihood;
    with sampling weights only the cluster-robust errors are valid.

    Build with :meth:`fit`; the model pickles (through JSON of the core struct). The core model
    keeps its design (covariate columns, time dummies, period column), so it predicts from a
    table by itself; this class normalises the arguments.
    """

    __slots__ = ("_native", "_fields")

    def __init__(
        self,
        native: _native.HazardModel,
        covariates: Sequence[str],
        max_period: int | None,
        period: str | None = "period",
    ) -> None:
        if not isinstance(native, _native.HazardModel):
            raise TypeError("use HazardModel.fit to build a hazard model")
        design = (list(covariates), None if max_period is None else int(max_period), period)
        d = native.fields()["design"]
        if (d["covariates"], d["max_period"], d["period"]) != design:
            native = native.with_design(*design)  # after fit, or a model saved before the core kept its design
        self._native = native

    @classmethod
    def fit(
        cls,
        data: Any,
        covariates: Sequence[str] | None = None,
        *,
        event: Any = "event",
        period: Any = "period",
        max_period: int | None = None,
        link: str = "logit",
        weights: Any = None,
        cluster: Any = None,
        max_iter: int = 50,
        tol: float = 1e-8,
    ) -> HazardModel:
        """Fit the model.

        **Person-period table** (from :func:`fupin.timelines.person_periods`; pandas, polars,
        pyarrow or a mapping): ``covariates`` names numeric columns, ``event`` the 0/1 outcome
        column (default ``"event"``), ``period`` the 1-based period column (default ``"period"``)
        from which the time dummies are built, pooling periods ≥ ``max_period`` (default: the
        largest period, i.e. one dummy per period). ``period=None`` fits without time dummies
        (then include your own constant among the covariates).

        **Arrays**: ``data`` is a 2-D design matrix X (n × k) and ``event`` a length-n 0/1 array;
        ``covariates`` optionally names X's columns (default ``x0``, ``x1``, …). No dummies are
        added unless ``period`` is an array of 1-based periods. X is used as given: add a constant
        column for an intercept.

        ``weights``: survey weights (a column name or an array; finite, > 0). ``cluster``: a
        column name or array of cluster labels (village, household; text is fine) for
        cluster-robust errors; at least two clusters. ``max_iter`` (default 50; R's ``glm`` uses
        25) and ``tol`` (default 1e-8, R's ``glm.control(epsilon)``) control IRLS.
        """
        if isinstance(data, np.ndarray) and data.ndim == 2 or (
            isinstance(data, (list, tuple)) and np.ndim(data) == 2
        ):
            x = _array2(data, "data")
            n, k = x.shape
            names = list(covariates) if covariates is not None else [f"x{j}" for j in range(k)]
            if len(names) != k:
                raise error(
                    f"parameter `covariates`: {len(names)} names for {k} columns of data", "covariates"
                )
            if isinstance(event, str):
                raise error("parameter `event`: must be an array when data is an array", "event")
            y = flags(event, "event", "hazard")
            periods = None if period is None or isinstance(period, str) else period
            frame = None
        else:
            frame = as_frame(data, "person_periods")
            names = list(covariates or [])
            x = _matrix(frame, names, "person_periods")
            y = flags(
                column(frame, event, "person_periods") if isinstance(event, str) else event,
                event if isinstance(event, str) else "event",
                "person_periods",
            )
            periods = period
            if isinstance(period, str):
                periods = column(frame, period, "person_periods")
        covariate_names = list(names)
        if periods is not None:
            pname = period if isinstance(period, str) else "period"
            t = integers(periods, pname, "person_periods")
            if len(t) == 0:
                raise error("person_periods: no rows")
            k_max = int(t.max()) if max_period is None else int(max_period)
            x, dummy_names = _native.design_matrix(x, t, k_max)
            names = names + list(dummy_names)
        else:
            k_max = None
            pname = None
        w = None if weights is None else floats(_resolve(frame, weights), "weights", "hazard")
        g = None
        if cluster is not None:
            g, _ = factorize(_resolve(frame, cluster), "cluster", "hazard")
        native = _native.HazardModel.fit(
            x, names, y, w, g, link, int(max_iter), float(tol)
        )
        return cls(native, covariate_names, k_max, pname)

    # ---- fitted values ----------------------------------------------------------------------

    def _field(self, name: str) -> Any:
        """A field of the native model's dict (read once), arrays and lists copied."""
        try:
            fields = self._fields
        except AttributeError:
            fields = self._fields = self._native.fields()
        value = fields[name]
        return value.copy() if isinstance(value, (np.ndarray, list)) else value

    @property
    def link(self) -> str:
        """``"logit"`` or ``"cloglog"``."""
        return self._field("link")

    @property
    def names(self) -> list[str]:
        """Coefficient names: covariates, then the time dummies."""
        return self._field("names")

    @property
    def covariates(self) -> list[str]:
        """The covariate names (without the time dummies)."""
        return list(self._field("design")["covariates"])

    @property
    def max_period(self) -> int | None:
        """K, the first pooled period of the time dummies; None when fitted without them."""
        return self._field("design")["max_period"]

    @property
    def _covariates(self) -> list[str]:
        return list(self._field("design")["covariates"])

    @property
    def _max_period(self) -> int | None:
        return self._field("design")["max_period"]

    @property
    def _period(self) -> str | None:
        return self._field("design")["period"]

    @property
    def params(self) -> pd.Series:
        """Coefficients β by name."""
        return pd.Series(self._field("coef"), index=self.names, name="coef")

    @property
    def std_err(self) -> pd.Series:
        """Model-based standard errors."""
        return pd.Series(self._field("std_err"), index=self.names, name="std_err")

    @property
    def robust_std_err(self) -> pd.Series | None:
        """Cluster-robust standard errors (None without ``cluster``)."""
        se = self._field("robust_std_err")
        return None if se is None else pd.Series(se, index=self.names, name="robust_std_err")

    @property
    def cov(self) -> pd.DataFrame:
        """Model-based covariance of β (inverse Fisher information)."""
        return pd.DataFrame(self._field("cov"), index=self.names, columns=self.names)

    @property
    def robust_cov(self) -> pd.DataFrame | None:
        """Cluster-robust (CR1) covariance of β (None without ``cluster``)."""
        v = self._field("robust_cov")
        return None if v is None else pd.DataFrame(v, index=self.names, columns=self.names)

    @property
    def log_likelihood(self) -> float:
        """Maximised (weighted) log-likelihood."""
        return self._field("log_likelihood")

    @property
    def n_obs(self) -> int:
        """Number of person-period rows."""
        return self._field("n_obs")

    @property
    def n_events(self) -> float:
        """(Weighted) number of events."""
        return self._field("n_events")

    @property
    def n_clusters(self) -> int | None:
        """Number of clusters (None without ``cluster``)."""
        return self._field("n_clusters")

    @property
    def iterations(self) -> int:
        """IRLS iterations used."""
        return self._field("iterations")

    def conf_int(self, level: float = 0.95, robust: bool | None = None) -> pd.DataFrame:
        """Wald intervals β ± z·se (columns ``ci_lower``, ``ci_upper``). ``robust``: use the
        cluster-robust errors (default: when the model was fitted with clusters)."""
        use_robust = self.n_clusters is not None if robust is None else bool(robust)
        lo, hi = self._native.conf_int(float(level), use_robust)
        return pd.DataFrame({"ci_lower": lo, "ci_upper": hi}, index=self.names)

    @property
    def coefficients(self) -> pd.DataFrame:
        """Coefficient table, one row per name: ``coef``, ``exp_coef`` (odds ratio for the logit,
        hazard ratio for the cloglog), ``std_err``, ``robust_std_err`` (with clusters only), and
        ``z``, ``p_value`` (two-sided, normal) and 95 % ``ci_lower``/``ci_upper`` — from the
        robust errors when the model was fitted with clusters, else the model-based ones."""
        coef = np.asarray(self._field("coef"))
        table = pd.DataFrame({"coef": coef, "exp_coef": np.exp(coef)}, index=self.names)
        table["std_err"] = self._field("std_err")
        robust = self._field("robust_std_err")
        se = np.asarray(self._field("std_err") if robust is None else robust)
        if robust is not None:
            table["robust_std_err"] = robust
        table["z"] = coef / se
        table["p_value"] = _p_value(coef / se)
        ci = self.conf_int(0.95)
        table["ci_lower"] = ci["ci_lower"].to_numpy()
        table["ci_upper"] = ci["ci_upper"].to_numpy()
        return table

    # ---- prediction -------------------------------------------------------------------------

    def _predict(self, data: Any, period: Any) -> tuple[np.ndarray, pd.Index | None]:
        """Hazards for ``data`` (see :meth:`predict_hazard`): a full design matrix is used as
        given; covariates (a table, or an array with ``period``) go to the core, which builds the
        design it kept from the fit."""
        k = len(self.names)
        if isinstance(data, np.ndarray) or isinstance(data, (list, tuple)):
            x = _array2(data, "data")
            if x.shape[1] == k and (self._max_period is None or period is None):
                return self._native.predict_hazard(x), None
            if x.shape[1] != len(self._covariates):
                raise error(
                    f"parameter `data`: {x.shape[1]} columns; the model has {k} coefficients "
                    f"{self.names} or {len(self._covariates)} covariates {self._covariates}",
                    "data",
                )
            columns = {c: np.ascontiguousarray(x[:, j]) for j, c in enumerate(self._covariates)}
            index, n = None, x.shape[0]
        else:
            frame = as_frame(data, "data")
            columns = {c: floats(column(frame, c, "data"), c, "data") for c in self._covariates}
            index, n = frame.index, len(frame)
            if period is None and self._max_period is not None:
                if self._period is None or self._period not in frame.columns:
                    raise error(
                        f"data: required column `{self._period}` is missing (or pass period=)",
                        self._period,
                    )
                period = frame[self._period]
        if self._max_period is None:
            return self._native.predict_table(columns), index
        if period is None:
            raise error("parameter `period`: required to build the time dummies", "period")
        if np.ndim(period) == 0:
            period = np.full(n, period)
        t = integers(period, "period", "data")
        return self._native.predict_table(columns, t), index

    def predict_hazard(self, data: Any, period: Any = None) -> Any:
        """Predicted yearly hazards h(xβ).

        ``data``: a table holding the covariate columns (and the period column used in the fit,
        unless ``period`` — an int or an array — is given), returned as a Series on its index; or
        an array, either the full design (as many columns as coefficients) or the covariates
        alone with ``period``, returned as an array.
        """
        h, index = self._predict(data, period)
        return h if index is None else pd.Series(h, index=index, name="hazard")

    def survival_curves(self, covariates: Any = None, horizon: int | None = None) -> pd.DataFrame:
        """Predicted survival S(t) = Π_{s ≤ t} (1 − h_s), t = 1 … ``horizon``, per household.

        Each row of ``covariates`` (a table with the covariate columns, extra columns ignored, or
        an array with one column per covariate) is a household whose covariates are held constant
        while at risk. For a model without covariates, ``covariates=None`` gives the one baseline
        curve. Returns a DataFrame indexed like ``covariates`` with one column per period
        (``1`` … ``horizon``; default ``max_period``). S is the probability of *not yet* having
        the event (exit, or return) after t years at risk; 1 − S the probability of having it.
        """
        if self._max_period is None:
            raise error("survival_curves needs a model fitted with time dummies (period=...)")
        h = self._max_period if horizon is None else int(horizon)
        if covariates is None:
            if self._covariates:
                raise error(
                    f"parameter `covariates`: required (the model uses {self._covariates})",
                    "covariates",
                )
            c, index = np.zeros((1, 0)), pd.RangeIndex(1)
        elif isinstance(covariates, np.ndarray) or isinstance(covariates, (list, tuple)):
            c = _array2(covariates, "covariates")
            index = pd.RangeIndex(c.shape[0])
        else:
            frame = as_frame(covariates, "covariates")
            c, index = _matrix(frame, self._covariates, "covariates"), frame.index
        s = self._native.survival_curves(c, h, self._max_period)
        return pd.DataFrame(s, index=index, columns=pd.Index(range(1, h + 1), name="period"))

    # ---- plumbing ---------------------------------------------------------------------------

    def __reduce__(self) -> tuple[Any, ...]:
        return (HazardModel, (self._native, self._covariates, self._max_period, self._period))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, HazardModel)
            and self._native == other._native
            and self._covariates == other._covariates
            and self._max_period == other._max_period
            and self._period == other._period
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        clusters = "" if self.n_clusters is None else f", {self.n_clusters} clusters"
        return (
            f"<fupin.timelines.HazardModel: {self.link}, {len(self.names)} coefficients, "
            f"{self.n_obs:,} person-periods, {self.n_events:,.0f} events{clusters}, "
            f"log-likelihood {self.log_likelihood:.4f}>"
        )


def _resolve(frame: pd.DataFrame | None, values: Any) -> Any:
    if isinstance(values, str):
        if frame is None:
            raise error(f"parameter {values!r}: a column name needs a table, not an array", values)
        return column(frame, values, "person_periods")
    return values
