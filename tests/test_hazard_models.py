"""fupin.timelines.HazardModel from Python: discrete-time hazard fits against independent NumPy
Newton–Raphson and Fisher-scoring fits written here, coverage, predictions, pickling and errors."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pandas as pd
import pytest

import fupin
from fupin import timelines as tl

def expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def np_newton_logit(x, y, w=None, iters=100):
    """Newton–Raphson for the (weighted) logit: β, model SEs, log-likelihood, and H⁻¹."""
    w = np.ones(len(y)) if w is None else w
    beta = np.zeros(x.shape[1])
    for _ in range(iters):
        p = expit(x @ beta)
        grad = x.T @ (w * (y - p))
        hess = x.T @ (x * (w * p * (1 - p))[:, None])
        step = np.linalg.solve(hess, grad)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-15:
            break
    p = expit(x @ beta)
    hess = x.T @ (x * (w * p * (1 - p))[:, None])
    cov = np.linalg.inv(hess)
    ll = float(np.sum(w * (y * np.log(p) + (1 - y) * np.log1p(-p))))
    return beta, np.sqrt(np.diag(cov)), ll, cov


def np_fisher_cloglog(x, y, iters=200):
    """Fisher scoring for the cloglog link, h = 1 − exp(−e^η)."""
    beta = np.zeros(x.shape[1])
    beta[:] = 0.0
    for _ in range(iters):
        eta = x @ beta
        h = -np.expm1(-np.exp(eta))
        dh = np.exp(eta - np.exp(eta))
        wt = dh**2 / (h * (1 - h))
        score = x.T @ ((y - h) * dh / (h * (1 - h)))
        info = x.T @ (x * wt[:, None])
        step = np.linalg.solve(info, score)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-15:
            break
    eta = x @ beta
    h = -np.expm1(-np.exp(eta))
    dh = np.exp(eta - np.exp(eta))
    info = x.T @ (x * (dh**2 / (h * (1 - h)))[:, None])
    ll = float(np.sum(y * np.log(h) + (1 - y) * (-np.exp(eta))))
    return beta, np.sqrt(np.diag(np.linalg.inv(info))), ll


# ---- hazard models --------------------------------------------------------------------------

TRUE = {"x1": 0.5, "x2": -0.7, "t1": -1.0, "t2": -0.6, "t3+": -0.9}


def simulate_panel(seed, n, link="logit"):
    """Households poor in 2014; each year at risk they exit with h = link⁻¹(α_t + 0.5·x1 − 0.7·x2),
    x1 measured the year before (time-varying), x2 fixed; village clusters of 20."""
    rng = np.random.default_rng(seed)
    years = 7
    x1 = rng.normal(size=(n, years))
    x2 = (rng.random(n) < 0.4).astype(float)
    alpha = [TRUE["t1"], TRUE["t2"]] + [TRUE["t3+"]] * (years - 3)
    exit_at = np.full(n, years)  # index of the first non-poor year; `years` = never
    for t in range(1, years):
        eta = alpha[t - 1] + TRUE["x1"] * x1[:, t - 1] + TRUE["x2"] * x2
        h = expit(eta) if link == "logit" else -np.expm1(-np.exp(eta))
        leave = (exit_at == years) & (rng.random(n) < h)
        exit_at[leave] = t
    hh = np.repeat(np.arange(n), years)
    k = np.tile(np.arange(years), n)
    return pd.DataFrame(
        {
            "household_id": hh,
            "year": 2014 + k,
            "poor": k < exit_at[hh],
            "x1": x1.ravel(),
            "x2": x2[hh],
            "village": [f"v{i // 20}" for i in hh],
        }
    )


def design_of(pp, k=3):
    dummies = np.zeros((len(pp), k))
    dummies[np.arange(len(pp)), np.minimum(pp.period.to_numpy(), k) - 1] = 1.0
    return np.column_stack([pp.x1, pp.x2, dummies]), pp.event.to_numpy(float)


def test_hazard_matches_numpy_newton_raphson_to_1e8():
    pp = tl.person_periods(simulate_panel(8, 800), covariates=["x1", "x2"], columns=["village"])
    m = tl.HazardModel.fit(pp, covariates=["x1", "x2"], max_period=3)
    assert m.names == ["x1", "x2", "t1", "t2", "t3+"]
    x, y = design_of(pp)
    beta, se, ll, cov = np_newton_logit(x, y)
    np.testing.assert_allclose(m.params.to_numpy(), beta, rtol=0, atol=1e-8)
    np.testing.assert_allclose(m.std_err.to_numpy(), se, rtol=1e-8)
    assert abs(m.log_likelihood - ll) < 1e-8 * abs(ll)
    assert m.n_obs == len(pp) and m.n_events == y.sum()
    # The same fit from arrays.
    a = tl.HazardModel.fit(x, ["x1", "x2", "t1", "t2", "t3+"], event=y)
    np.testing.assert_allclose(a.params.to_numpy(), beta, rtol=0, atol=1e-8)
    # Coefficient table: z, p and Wald intervals from the model SEs.
    c = m.coefficients
    np.testing.assert_allclose(c.z, beta / se, rtol=1e-7)
    np.testing.assert_allclose(c.p_value, [math.erfc(abs(v) / math.sqrt(2)) for v in beta / se], rtol=1e-6)
    np.testing.assert_allclose(c.ci_lower, beta - 1.959963984540054 * se, atol=1e-7)
    np.testing.assert_allclose(c.exp_coef, np.exp(beta), rtol=1e-7)
    # Weighted fit against weighted Newton–Raphson.
    w = np.random.default_rng(2).uniform(0.5, 2.0, len(pp))
    mw = tl.HazardModel.fit(pp, covariates=["x1", "x2"], max_period=3, weights=w)
    bw, sew, llw, _ = np_newton_logit(x, y, w)
    np.testing.assert_allclose(mw.params.to_numpy(), bw, rtol=0, atol=1e-8)
    np.testing.assert_allclose(mw.std_err.to_numpy(), sew, rtol=1e-8)
    assert abs(mw.log_likelihood - llw) < 1e-8 * abs(llw)


def test_cluster_robust_errors_match_numpy_sandwich():
    pp = tl.person_periods(simulate_panel(9, 600), covariates=["x1", "x2"], columns=["village"])
    m = tl.HazardModel.fit(pp, covariates=["x1", "x2"], max_period=3, cluster="village")
    x, y = design_of(pp)
    beta, se, _, cov = np_newton_logit(x, y)
    scores = x * (y - expit(x @ beta))[:, None]
    groups = pp.village.to_numpy()
    labels = np.unique(groups)
    meat = sum(np.outer(u, u) for u in (scores[groups == g].sum(axis=0) for g in labels))
    n, k, g = len(y), x.shape[1], len(labels)
    v = g / (g - 1) * (n - 1) / (n - k) * cov @ meat @ cov
    assert m.n_clusters == g
    np.testing.assert_allclose(m.robust_std_err.to_numpy(), np.sqrt(np.diag(v)), rtol=1e-7)
    c = m.coefficients
    assert "robust_std_err" in c.columns
    np.testing.assert_allclose(c.z, beta / np.sqrt(np.diag(v)), rtol=1e-6)
    np.testing.assert_allclose(m.std_err.to_numpy(), se, rtol=1e-8)


def test_cloglog_matches_numpy_fisher_scoring():
    pp = tl.person_periods(simulate_panel(10, 800, "cloglog"), covariates=["x1", "x2"])
    # Fisher scoring converges only linearly for this non-canonical link, so the exact match uses
    # a tight tolerance; at the default (R's 1e-8 on the deviance) the estimates are within a
    # thousandth of a standard error of the MLE.
    m = tl.HazardModel.fit(pp, covariates=["x1", "x2"], max_period=3, link="cloglog", tol=1e-14)
    assert m.link == "cloglog"
    x, y = design_of(pp)
    beta, se, ll = np_fisher_cloglog(x, y)
    np.testing.assert_allclose(m.params.to_numpy(), beta, rtol=0, atol=1e-8)
    d = tl.HazardModel.fit(pp, covariates=["x1", "x2"], max_period=3, link="cloglog")
    assert np.all(np.abs(d.params.to_numpy() - beta) < 1e-3 * se)
    np.testing.assert_allclose(m.std_err.to_numpy(), se, rtol=1e-6)
    assert abs(m.log_likelihood - ll) < 1e-8 * abs(ll)


@pytest.mark.parametrize("link", ["logit", "cloglog"])
def test_hazard_recovers_known_coefficients(link):
    pp = tl.person_periods(simulate_panel(42, 5000, link), covariates=["x1", "x2"])
    m = tl.HazardModel.fit(pp, covariates=["x1", "x2"], max_period=3, link=link)
    # Each estimate is within 4 standard errors of the truth (a false alarm about 6e-5 of the time
    # per coefficient for a correct estimator); the SEs here are about 0.02–0.04.
    for name, value in TRUE.items():
        assert abs(m.params[name] - value) < 4 * m.std_err[name], (name, m.params[name])
        assert m.std_err[name] < 0.06


def test_hazard_95_percent_intervals_cover_in_at_least_90_of_100():
    covered = {name: 0 for name in TRUE}
    for rep in range(100):
        pp = tl.person_periods(simulate_panel(1000 + rep, 400), covariates=["x1", "x2"])
        ci = tl.HazardModel.fit(pp, covariates=["x1", "x2"], max_period=3).conf_int(0.95)
        for name, value in TRUE.items():
            covered[name] += int(ci.loc[name, "ci_lower"] <= value <= ci.loc[name, "ci_upper"])
    assert all(c >= 90 for c in covered.values()), covered


def test_predictions_and_survival_curves():
    pp = tl.person_periods(simulate_panel(12, 600), covariates=["x1", "x2"])
    m = tl.HazardModel.fit(pp, covariates=["x1", "x2"], max_period=3)
    b = m.params
    # Hazards for person-period rows, against the linear predictor computed here.
    x, _ = design_of(pp)
    h = m.predict_hazard(pp)
    assert isinstance(h, pd.Series) and h.index.equals(pp.index)
    np.testing.assert_allclose(h.to_numpy(), expit(x @ b.to_numpy()), rtol=1e-12)
    by_period = m.predict_hazard(pp[["x1", "x2"]].to_numpy(), period=pp.period.to_numpy())
    np.testing.assert_allclose(by_period, h.to_numpy(), rtol=1e-15)
    np.testing.assert_allclose(m.predict_hazard(x), h.to_numpy(), rtol=1e-15)
    # Survival curves: S(t) = Π (1 − h_s), covariates held fixed; periods ≥ 3 share t3+.
    new = pd.DataFrame({"x1": [0.0, 1.5], "x2": [1.0, 0.0]}, index=["a", "b"])
    s = m.survival_curves(new, horizon=5)
    assert list(s.index) == ["a", "b"] and list(s.columns) == [1, 2, 3, 4, 5]
    for key, row in new.iterrows():
        alpha = [b["t1"], b["t2"], b["t3+"], b["t3+"], b["t3+"]]
        hz = expit(np.array(alpha) + b["x1"] * row.x1 + b["x2"] * row.x2)
        np.testing.assert_allclose(s.loc[key].to_numpy(), np.cumprod(1 - hz), rtol=1e-12)


def test_saturated_baseline_curve_equals_kaplan_meier_of_spells():
    panel = simulate_panel(13, 500)
    sp = tl.spells(panel)
    km = tl.kaplan_meier(sp.duration, sp.observed)
    pp = tl.person_periods(panel)
    m = tl.HazardModel.fit(pp)  # time dummies only, one per period
    s = m.survival_curves(horizon=m.max_period)
    for t in range(1, m.max_period + 1):
        want = km.loc[km.time <= t, "survival"].iloc[-1]
        assert abs(s.loc[0, t] - want) < 1e-8


def test_hazard_model_pickles():
    pp = tl.person_periods(simulate_panel(14, 300), covariates=["x1", "x2"], columns=["village"])
    m = tl.HazardModel.fit(pp, covariates=["x1", "x2"], max_period=3, cluster="village")
    back = pickle.loads(pickle.dumps(m))
    assert back == m
    pd.testing.assert_frame_equal(back.coefficients, m.coefficients)
    pd.testing.assert_frame_equal(back.survival_curves(pp.head(3)), m.survival_curves(pp.head(3)))
    assert "logit" in repr(m) and "clusters" in repr(m)


def test_hazard_model_keeps_its_design_and_loads_models_saved_without_it():
    pp = tl.person_periods(simulate_panel(14, 300), covariates=["x1", "x2"])
    m = tl.HazardModel.fit(pp, covariates=["x1", "x2"], max_period=3)
    native = m._native
    design = native.fields()["design"]
    assert (design["covariates"], design["max_period"], design["period"]) == (["x1", "x2"], 3, "period")
    # By hand: η = [x1, x2, t1, t2, t3+] · β with periods ≥ 3 pooled, h = 1/(1 + e^{−η}).
    t = pp["period"].to_numpy()
    dummies = np.column_stack([np.minimum(t, 3) == k for k in (1, 2, 3)]).astype(float)
    eta = np.column_stack([pp[["x1", "x2"]].to_numpy(), dummies]) @ m.params.to_numpy()
    want = 1.0 / (1.0 + np.exp(-eta))
    np.testing.assert_allclose(native.predict_table({c: pp[c].to_numpy() for c in ("x1", "x2", "period")}), want, rtol=1e-12)
    # A model saved before the core kept its design: JSON without `design`; the pickle of the
    # Python class carries (native, covariates, max_period, period).
    old = json.loads(native.to_json())
    del old["design"]
    bare = fupin._native.HazardModel.from_json(json.dumps(old))
    design = bare.fields()["design"]
    assert (design["covariates"], design["max_period"], design["period"]) == ([], None, None)
    back = tl.HazardModel(bare, ["x1", "x2"], 3, "period")
    assert back == m
    np.testing.assert_allclose(back.predict_hazard(pp), want, rtol=1e-12)


def test_hazard_errors():
    pp = tl.person_periods(simulate_panel(15, 200), covariates=["x1", "x2"])
    with pytest.raises(fupin.ValidationError, match="link"):
        tl.HazardModel.fit(pp, covariates=["x1"], link="probit")
    with pytest.raises(fupin.ValidationError, match="required column `x3` is missing"):
        tl.HazardModel.fit(pp, covariates=["x3"])
    bad = pp.copy()
    bad.loc[6, "x1"] = np.nan
    with pytest.raises(fupin.ValidationError, match=r"column `x1`, row 7: value NaN"):
        tl.HazardModel.fit(bad, covariates=["x1"])
    # Perfect prediction: a covariate equal to the event separates the data.
    sep = pp.assign(leak=pp.event.astype(float))
    with pytest.raises(fupin.NumericalError, match="leak"):
        tl.HazardModel.fit(sep, covariates=["leak"])
    m = tl.HazardModel.fit(pp, covariates=["x1"])
    with pytest.raises(fupin.ValidationError, match="robust"):
        m.conf_int(robust=True)
    with pytest.raises(fupin.ValidationError, match="period"):
        m.predict_hazard(pp[["x1"]].to_numpy())
