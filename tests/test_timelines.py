"""fupin.timelines from Python: published survival figures, and every estimator against an
independent NumPy computation written here from the textbook definitions."""

from __future__ import annotations

import json
import math
import pickle
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

import fupin
from fupin import timelines as tl

# Freireich et al. (1963), 6-MP arm and placebo arm (weeks of remission; 0 = censored).
MP_TIME = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
MP_EVENT = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]
PLACEBO = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23]


# ---- independent NumPy implementations ------------------------------------------------------


def np_km(t, e, w=None, level=0.95):
    """Kaplan–Meier, Greenwood, log-log bands and the median rules, straight from the formulas."""
    t, e = np.asarray(t, float), np.asarray(e, bool)
    w = np.ones_like(t) if w is None else np.asarray(w, float)
    z = NormalDist().inv_cdf(0.5 * (1 + level))
    rows = []
    s, gw = 1.0, 0.0
    for u in np.unique(t):
        n = w[t >= u].sum()
        d = w[(t == u) & e].sum()
        c = w[(t == u) & ~e].sum()
        if d > 0:
            s = s * (1 - d / n) if n > d else 0.0
            gw = gw + d / (n * (n - d)) if n > d else math.inf
        if s == 0:
            se = lo = hi = math.nan
        elif gw == 0:
            se, lo, hi = 0.0, 1.0, 1.0
        else:
            se = s * math.sqrt(gw)
            theta, sd = math.log(-math.log(s)), math.sqrt(gw) / abs(math.log(s))
            lo, hi = math.exp(-math.exp(theta + z * sd)), math.exp(-math.exp(theta - z * sd))
        rows.append((u, n, d, c, s, se, lo, hi))
    df = pd.DataFrame(
        rows,
        columns=["time", "at_risk", "events", "censored", "survival", "std_err", "ci_lower", "ci_upper"],
    )

    def first(values):
        hit = np.flatnonzero(np.asarray(values) <= 0.5 + 1e-12)
        return float(df.time[hit[0]]) if len(hit) else math.nan

    zero = df.survival.to_numpy() == 0
    median = first(df.survival)
    lo_m = first(np.where(zero, 0.0, df.ci_lower))
    hi_m = first(np.where(zero, 0.0, df.ci_upper))
    return df, (median, lo_m, hi_m)


def np_na(t, e, w=None, level=0.95):
    t, e = np.asarray(t, float), np.asarray(e, bool)
    w = np.ones_like(t) if w is None else np.asarray(w, float)
    z = NormalDist().inv_cdf(0.5 * (1 + level))
    times = np.unique(t)
    n = np.array([w[t >= u].sum() for u in times])
    d = np.array([w[(t == u) & e].sum() for u in times])
    c = np.array([w[(t == u) & ~e].sum() for u in times])
    h = np.cumsum(d / n)
    se = np.sqrt(np.cumsum(d / n**2))
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(h > 0, np.exp(z * se / h), 1.0)
    lo, hi = np.where(h > 0, h / f, 0.0), np.where(h > 0, h * f, 0.0)
    return pd.DataFrame(
        {"time": times, "at_risk": n, "events": d, "censored": c, "cumulative_hazard": h,
         "std_err": se, "ci_lower": lo, "ci_upper": hi}
    )


def np_logrank(t, e, g):
    """k-group log-rank statistic from the hypergeometric moments (Peto & Peto 1972)."""
    t, e, g = np.asarray(t, float), np.asarray(e, bool), np.asarray(g)
    labels = np.unique(g)
    k = len(labels)
    o, ex, v = np.zeros(k), np.zeros(k), np.zeros((k, k))
    for u in np.unique(t[e]):
        nj = np.array([np.sum((t >= u) & (g == lab)) for lab in labels], float)
        dj = np.array([np.sum((t == u) & e & (g == lab)) for lab in labels], float)
        n, d = nj.sum(), dj.sum()
        o += dj
        ex += d * nj / n
        if n > 1:
            v += d * (n - d) / (n - 1) * (np.diag(nj / n) - np.outer(nj, nj) / n**2)
    diff = (o - ex)[: k - 1]
    return float(diff @ np.linalg.solve(v[: k - 1, : k - 1], diff)), o, ex


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


def assert_frame_close(got: pd.DataFrame, want: pd.DataFrame, rtol=1e-12, atol=1e-12):
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want)
    for name in want.columns:
        np.testing.assert_allclose(
            got[name].to_numpy(float), want[name].to_numpy(float), rtol=rtol, atol=atol,
            equal_nan=True, err_msg=name,
        )


def random_censored(seed, n=300):
    """Random durations with many ties (whole numbers 0..14), censoring and weights."""
    rng = np.random.default_rng(seed)
    t = rng.integers(0, 15, n).astype(float)
    e = rng.random(n) < 0.6
    w = rng.uniform(0.2, 3.0, n)
    return t, e, w


# ---- Kaplan–Meier ---------------------------------------------------------------------------


def test_freireich_six_mp_published_survival_and_median():
    km = tl.kaplan_meier(MP_TIME, MP_EVENT)
    assert list(km.columns) == [
        "time", "at_risk", "events", "censored", "survival", "std_err", "ci_lower", "ci_upper"
    ]
    published = {6: 0.8571, 7: 0.8067, 10: 0.7529, 13: 0.6902, 16: 0.6275, 22: 0.5378, 23: 0.4482}
    for time, s in published.items():
        got = float(km.loc[km.time == time, "survival"].iloc[0])
        assert abs(got - s) < 5e-5, (time, got, s)
    assert km.attrs["median"] == 23.0
    # Klein & Moeschberger (2003) Table 4.1A Greenwood SE at t = 6 and 23.
    assert abs(float(km.std_err.iloc[0]) - 0.0764) < 5e-5
    assert abs(float(km.loc[km.time == 23, "std_err"].iloc[0]) - 0.1346) < 5e-5
    # Brookmeyer–Crowley via the log-log band: lower limit 13, upper not reached (R: NA).
    assert km.attrs["median_ci_lower"] == 13.0
    assert math.isnan(km.attrs["median_ci_upper"])
    assert km.attrs["n"] == 21 and km.attrs["conf_level"] == 0.95
    med = tl.median_survival(MP_TIME, MP_EVENT)
    assert med.loc["all", "median"] == 23.0 and med.loc["all", "n"] == 21


def test_freireich_logrank_against_placebo():
    r = tl.logrank(MP_TIME + PLACEBO, MP_EVENT + [1] * 21, ["6-MP"] * 21 + ["placebo"] * 21)
    assert round(r.chi2, 2) == 16.79
    assert r.df == 1
    assert abs(r.p_value - math.erfc(math.sqrt(r.chi2 / 2))) < 1e-12  # χ²(1) tail
    assert list(r.table.index) == ["6-MP", "placebo"]
    assert r.table.loc["6-MP", "observed"] == 9 and r.table.loc["placebo", "observed"] == 21
    chi2, o, ex = np_logrank(MP_TIME + PLACEBO, MP_EVENT + [1] * 21, [0] * 21 + [1] * 21)
    assert abs(r.chi2 - chi2) < 1e-10
    np.testing.assert_allclose(r.table.expected, ex, rtol=1e-12)
    np.testing.assert_allclose(r.table.o_minus_e.sum(), 0.0, atol=1e-12)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kaplan_meier_matches_numpy_with_ties_and_weights(seed):
    t, e, w = random_censored(seed)
    for weights in (None, w):
        for level in (0.95, 0.8):
            km = tl.kaplan_meier(t, e, weights=weights, conf_level=level)
            want, (median, lo, hi) = np_km(t, e, weights, level)
            assert_frame_close(km, want)
            for key, value in (("median", median), ("median_ci_lower", lo), ("median_ci_upper", hi)):
                got = km.attrs[key]
                assert (math.isnan(got) and math.isnan(value)) or got == value, key


def test_kaplan_meier_everyone_fails_and_censoring_only():
    km = tl.kaplan_meier([1, 2, 3, 4, 5], [1] * 5)
    want, med = np_km([1, 2, 3, 4, 5], [1] * 5)
    assert_frame_close(km, want)
    assert km.attrs["median"] == med[0] == 3.0
    km = tl.kaplan_meier([2.0, 3.0], [False, False])
    assert km.survival.tolist() == [1.0, 1.0] and math.isnan(km.attrs["median"])


def test_kaplan_meier_by_group_stacks_separate_fits_with_labels():
    t, e, w = random_censored(7, 240)
    causes = np.array(["illness", "disability", "labour"])[np.arange(240) % 3]
    km = tl.kaplan_meier(t, e, weights=w, groups=causes)
    assert list(km.columns)[0] == "group"
    assert list(pd.unique(km.group)) == ["disability", "illness", "labour"]  # sorted
    for label in ("disability", "illness", "labour"):
        rows = causes == label
        want, (median, lo, hi) = np_km(t[rows], e[rows], w[rows])
        got = km[km.group == label].drop(columns="group").reset_index(drop=True)
        assert_frame_close(got, want)
        assert km.attrs["median"][label] == median or (
            math.isnan(median) and math.isnan(km.attrs["median"][label])
        )
        assert km.attrs["n"][label] == rows.sum()
    med = tl.median_survival(t, e, weights=w, groups=causes)
    assert list(med.index) == ["disability", "illness", "labour"]
    np.testing.assert_array_equal(med["median"].to_numpy(), [km.attrs["median"][g] for g in med.index])


def test_integer_weights_equal_replicated_rows():
    t, e, _ = random_censored(11, 80)
    w = np.random.default_rng(4).integers(1, 5, 80)
    a = tl.kaplan_meier(t, e, weights=w)
    b = tl.kaplan_meier(np.repeat(t, w), np.repeat(e, w))
    assert_frame_close(a, b)
    assert_frame_close(tl.nelson_aalen(t, e, weights=w), tl.nelson_aalen(np.repeat(t, w), np.repeat(e, w)))


# ---- Nelson–Aalen and log-rank --------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 5])
def test_nelson_aalen_matches_numpy(seed):
    t, e, w = random_censored(seed)
    for weights in (None, w):
        na = tl.nelson_aalen(t, e, weights=weights, conf_level=0.9)
        assert_frame_close(na, np_na(t, e, weights, 0.9))
    # By group: the same table per group.
    g = np.where(np.arange(len(t)) % 2 == 0, "east", "west")
    na = tl.nelson_aalen(t, e, groups=g)
    for label in ("east", "west"):
        got = na[na.group == label].drop(columns="group").reset_index(drop=True)
        assert_frame_close(got, np_na(t[g == label], e[g == label]))


def test_logrank_three_groups_matches_numpy():
    t, e, _ = random_censored(21, 200)
    g = np.random.default_rng(3).integers(0, 3, 200)
    t = t + g  # make the groups differ
    r = tl.logrank(t, e, g)
    chi2, o, ex = np_logrank(t, e, g)
    assert r.df == 2
    assert abs(r.chi2 - chi2) < 1e-9 * max(1.0, chi2)
    np.testing.assert_allclose(r.table.observed, o)
    np.testing.assert_allclose(r.table.expected, ex, rtol=1e-12)
    assert abs(r.p_value - math.exp(-r.chi2 / 2)) < 1e-12  # χ²(2) tail is exp(−x/2)


# ---- panels: spells and person-periods ------------------------------------------------------


def hand_panel():
    """Households (text ids), years 2014 onward, P = poor:
    h1: P P N N P   exit after 2 (event), return after 2 (event)
    h2: N P P P     exit censored after 2; no return spell
    h3: N N N       never poor: no spells
    h4: P N N       exit after 1, return censored after 1
    h5: N N P       poor only in the last year: exit censored after 0
    """
    rows = []
    for h, flags_ in (("h1", "PPNNP"), ("h2", "NPPP"), ("h3", "NNN"), ("h4", "PNN"), ("h5", "NNP")):
        for k, c in enumerate(flags_):
            # income 1000 below the 2014–2018 line when poor, 1000 above otherwise
            line = 2800 + 100 * k
            rows.append((h, 2014 + k, c == "P", line - 1000 if c == "P" else line + 1000,
                         100 * int(h[1]) + k, f"v{int(h[1]) % 2}"))
    df = pd.DataFrame(rows, columns=["household_id", "year", "poor", "income", "x", "village"])
    return df.sample(frac=1.0, random_state=3).reset_index(drop=True)


def test_spells_by_hand():
    df = hand_panel()
    ex = tl.spells(df, columns=["x"])
    assert ex.household_id.tolist() == ["h1", "h2", "h4", "h5"]
    assert ex.start_year.tolist() == [2014, 2015, 2014, 2016]
    assert ex.duration.tolist() == [2, 2, 1, 0]
    assert ex.observed.tolist() == [True, False, True, False]
    assert ex.x.tolist() == [100, 201, 400, 502]  # the start year's row
    ret = tl.spells(df, kind="return")
    assert ret.household_id.tolist() == ["h1", "h4"]
    assert ret.start_year.tolist() == [2016, 2015]
    assert ret.duration.tolist() == [2, 1]
    assert ret.observed.tolist() == [True, False]
    # Poverty from income and a yearly line schedule gives the same spells.
    schedule = {2014 + k: 2800 + 100 * k for k in range(5)}
    pd.testing.assert_frame_equal(tl.spells(df, income="income", line=schedule), tl.spells(df))
    # Integer ids pass through unchanged; polars input gives the same result.
    df_int = df.assign(household_id=df.household_id.str[1:].astype(int))
    assert tl.spells(df_int).household_id.tolist() == [1, 2, 4, 5]
    pl = pytest.importorskip("polars")
    pd.testing.assert_frame_equal(tl.spells(pl.from_pandas(df)), tl.spells(df))


def test_person_periods_by_hand():
    df = hand_panel()
    pp = tl.person_periods(df, covariates=["x"], columns=["village"])
    assert list(pp.columns) == ["household_id", "year", "period", "event", "x", "village"]
    # h1: at risk 2015, 2016 (exit seen 2016); h2: 2016, 2017 censored; h4: 2015 exit; h5: none.
    assert pp.household_id.tolist() == ["h1", "h1", "h2", "h2", "h4"]
    assert pp.year.tolist() == [2015, 2016, 2016, 2017, 2015]
    assert pp.period.tolist() == [1, 2, 1, 2, 1]
    assert pp.event.tolist() == [False, True, False, False, True]
    # Covariates from the previous year's row: x = 100·h + (year − 2014).
    assert pp.x.tolist() == [100.0, 101.0, 201.0, 202.0, 400.0]
    assert pp.village.tolist() == ["v1", "v1", "v0", "v0", "v0"]
    ret = tl.person_periods(df, kind="return")
    assert ret.household_id.tolist() == ["h1", "h1", "h4"]
    assert ret.event.tolist() == [False, True, False]


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


# ---- errors name column, row and value ------------------------------------------------------


def test_survival_errors_name_column_row_value():
    with pytest.raises(fupin.ValidationError, match=r"durations`, row 3: value NaN") as exc:
        tl.kaplan_meier([1.0, 2.0, np.nan], [1, 1, 0])
    assert exc.value.column == "durations" and exc.value.row == 3
    with pytest.raises(fupin.ValidationError, match=r"`observed`, row 2: value 2") as exc:
        tl.kaplan_meier([1.0, 2.0], [1, 2])
    assert exc.value.column == "observed" and exc.value.row == 2 and exc.value.value == "2"
    with pytest.raises(fupin.ValidationError, match=r"`weights`, row 1: value -1"):
        tl.nelson_aalen([1.0, 2.0], [1, 1], weights=[-1.0, 1.0])
    with pytest.raises(fupin.ValidationError, match=r"`observed` has 1 rows, expected 2"):
        tl.kaplan_meier([1.0, 2.0], [1])
    with pytest.raises(fupin.ValidationError, match=r"`groups`, row 2: value \w+ is missing"):
        tl.kaplan_meier([1.0, 2.0], [1, 1], groups=["a", None])
    with pytest.raises(fupin.ValidationError, match=r"`durations`, row 2: value 'x' is not a number"):
        tl.kaplan_meier(pd.Series([1, "x"], dtype=object), [1, 1])
    with pytest.raises(fupin.ValidationError, match="at least two groups"):
        tl.logrank([1.0, 2.0], [1, 1], ["a", "a"])
    with pytest.raises(fupin.ValidationError, match="conf_level"):
        tl.kaplan_meier([1.0], [1], conf_level=1.5)
    assert issubclass(fupin.ValidationError, ValueError)


def test_panel_errors_name_column_row_value():
    df = hand_panel()
    with pytest.raises(fupin.ValidationError, match=r"required column `poor` is missing"):
        tl.spells(df.drop(columns="poor"))
    bad = df.copy()
    i = int(np.flatnonzero((bad.household_id == "h2") & (bad.year == 2016))[0])
    bad.loc[i, "year"] = 2015
    with pytest.raises(fupin.ValidationError, match=r"household 'h2', year 2015") as exc:
        tl.spells(bad)
    assert exc.value.column == "year"
    bad = df.copy()
    bad.loc[4, "income"] = np.nan
    with pytest.raises(fupin.ValidationError, match=r"`income`, row 5: value NaN") as exc:
        tl.spells(bad, income="income", line=3000)
    assert exc.value.row == 5
    with pytest.raises(fupin.ValidationError, match=r"`year`, row \d+: value 201[5-8] has no poverty line"):
        tl.spells(df, income="income", line={2014: 2800})
    bad = df.astype({"x": float})
    bad.loc[2, "x"] = np.inf
    with pytest.raises(fupin.ValidationError, match=r"column `x`, row 3: value inf") as exc:
        tl.person_periods(bad, covariates=["x"])
    assert exc.value.column == "x" and exc.value.row == 3
    with pytest.raises(fupin.ValidationError, match=r"`poor`, row \d+: value 'yes'"):
        tl.spells(df.astype({"poor": object}).assign(poor=lambda d: d.poor.where(d.index != 0, "yes")))
    with pytest.raises(fupin.ValidationError, match="kind"):
        tl.spells(df, kind="entry")


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


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(tl, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 4 and result.failed == 0
