"""fupin.timelines from Python: published survival figures, and every estimator against an
independent NumPy computation written here from the textbook definitions."""

from __future__ import annotations

import math
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


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(tl, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 4 and result.failed == 0
