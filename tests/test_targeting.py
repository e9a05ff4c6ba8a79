"""fupin.targeting from Python, each statistic against an independent computation: the
Alkire–Foster (2011) example by hand, the PMT against closed-form WLS and the HC1 sandwich in
NumPy, targeting errors on hand-worked tables, quotas by hand, exit and record checks rule by rule."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest

import fupin
from fupin import targeting as tg

# ---- Alkire–Foster ---------------------------------------------------------------------------

AF_Y = [[13.1, 14, 4, 1], [15.2, 7, 5, 0], [12.5, 10, 1, 0], [20, 11, 3, 1]]
AF_Z = [13, 12, 3, 1]
# Deprived (y < z) by hand: person 1 none; person 2 in indicators 2 and 4; person 3 in all four;
# person 4 in indicator 2. Scores with equal weights: 0, 1/2, 1, 1/4.


def test_alkire_foster_example_k_half():
    m = tg.mpi(AF_Y, [1, 1, 1, 1], 0.5, cutoffs=AF_Z)
    assert (m.H, m.A, m.M0) == (0.5, 0.75, 0.375)
    assert list(m.poor) == [False, True, True, False]
    np.testing.assert_allclose(m.scores, [0, 0.5, 1, 0.25], rtol=0, atol=1e-15)
    # Censored headcounts: indicator 1 person 3; 2 persons 2, 3; 3 person 3; 4 persons 2, 3.
    np.testing.assert_allclose(m.censored_headcounts, [0.25, 0.5, 0.25, 0.5], atol=1e-15)
    np.testing.assert_allclose(m.uncensored_headcounts, [0.25, 0.75, 0.25, 0.5], atol=1e-15)
    # Contributions 100·wⱼhⱼ/M0 = 100·0.25·h/0.375.
    np.testing.assert_allclose(m.contributions, [100 / 6, 100 / 3, 100 / 6, 100 / 3], rtol=1e-13)
    assert m.contributions.sum() == pytest.approx(100, abs=1e-12)
    # M1, M2 from the normalised gaps (z − y)/z of the poor, by hand.
    g2 = [5 / 12, 1.0]  # person 2: indicators 2 and 4
    g3 = [0.5 / 13, 2 / 12, 2 / 3, 1.0]  # person 3
    m1 = 0.25 * (sum(g2) + sum(g3)) / 4
    m2 = 0.25 * (sum(g * g for g in g2) + sum(g * g for g in g3)) / 4
    assert m.M1 == pytest.approx(m1, rel=1e-14)
    assert m.M2 == pytest.approx(m2, rel=1e-14)
    assert m.summary()["M0"] == 0.375


@pytest.mark.parametrize(
    ("k", "poor", "h", "a"),
    [
        (0.25, [False, True, True, True], 0.75, (0.5 + 1 + 0.25) / 3),  # union: 1 of 4
        (0.75, [False, False, True, False], 0.25, 1.0),  # 3 of 4
        (1.0, [False, False, True, False], 0.25, 1.0),  # intersection
    ],
)
def test_alkire_foster_other_cutoffs(k, poor, h, a):
    m = tg.mpi(AF_Y, [1, 1, 1, 1], k, cutoffs=AF_Z)
    assert list(m.poor) == poor
    assert m.H == pytest.approx(h, abs=1e-15)
    assert m.A == pytest.approx(a, abs=1e-15)
    assert m.M0 == pytest.approx(h * a, abs=1e-15)


def test_alkire_foster_survey_weights_and_groups():
    m = tg.mpi(AF_Y, [1, 1, 1, 1], 0.5, cutoffs=AF_Z, weights=[1, 2, 1, 1])
    # Poor: persons 2 (weight 2, score 1/2) and 3 (weight 1, score 1) of total weight 5.
    assert m.H == pytest.approx(3 / 5, abs=1e-15)
    assert m.A == pytest.approx((2 * 0.5 + 1) / 3, abs=1e-15)
    assert m.M0 == pytest.approx(0.4, abs=1e-15)
    m = tg.mpi(AF_Y, [1, 1, 1, 1], 0.5, cutoffs=AF_Z)
    g = m.by_group(["a", "a", "b", "b"])
    assert list(g.index) == ["a", "b"]
    np.testing.assert_allclose(g["H"], [0.5, 0.5])
    np.testing.assert_allclose(g["A"], [0.5, 1.0])
    np.testing.assert_allclose(g["M0"], [0.25, 0.5])
    np.testing.assert_allclose(g["contribution"], [100 / 3, 200 / 3], rtol=1e-13)
    # Decomposability: M0 = Σ share·M0_g.
    assert (g["population_share"] * g["M0"]).sum() == pytest.approx(m.M0, abs=1e-15)
    np.testing.assert_allclose(g["censored_indicator 1"], [0.5, 0.5])


def test_alkire_foster_boundary_score_equal_to_k_is_poor():
    # 0.15 + 0.15 + 0.2 must reach 0.5, and 0.01 + 0.01 + 0.18 (= 0.19999999999999998) reach 0.2.
    dep = pd.DataFrame({"a": [1, 0], "b": [1, 0], "c": [1, 1], "d": [0, 1]})
    m = tg.mpi(dep, {"a": 0.15, "b": 0.15, "c": 0.2, "d": 0.5}, 0.5)
    assert list(m.poor) == [True, True]
    m = tg.mpi([[1, 1, 1, 0]], [0.01, 0.01, 0.18, 0.8], 0.2)
    assert list(m.poor) == [True]
    m = tg.mpi([[1, 1, 0, 0]], [0.01, 0.01, 0.18, 0.8], 0.2)
    assert list(m.poor) == [False]


def test_mpi_named_indicators_and_errors():
    dep = pd.DataFrame({"housing": [1, 0, 1], "health": [0, 0, 1]})
    m = tg.mpi(dep, None, 0.5)  # equal weights
    assert list(m.contributions.index) == ["housing", "health"]
    assert m.M1 is None
    assert list(m.deprivation.columns) == ["housing", "health"]
    with pytest.raises(fupin.ValidationError) as info:
        tg.mpi(pd.DataFrame({"housing": [1, 2]}), None, 0.5)
    assert (info.value.column, info.value.row, info.value.value) == ("indicator 0", 2, "2")
    with pytest.raises(fupin.ValidationError) as info:
        tg.mpi([[1.0, np.nan]], [1, 1], 0.5, cutoffs=[1, 1])
    assert (info.value.column, info.value.row) == ("indicator 1", 1)
    with pytest.raises(fupin.ValidationError) as info:
        tg.mpi([[1, 0]], [1, 1], 0.0)
    assert info.value.column == "k"
    with pytest.raises(fupin.ValidationError) as info:
        tg.mpi(dep, {"housing": 1.0}, 0.5)
    assert "health" in str(info.value)


# ---- registries for presets, exit checks, record checks --------------------------------------


DEFAULTS = {"elderly": 0, "students": 0, "chronic_illness": 0, "disability": 0, "housing_safe": True,
            "safe_water": True, "insured": True, "inhospitable": False, "head_education_years": 6,
            "registered": True, "weight": 1.0}


def registry(households: list[dict], villages: list[dict] | None = None) -> fupin.Registry:
    """A registry from row dicts; a column some rows give takes the registry's default elsewhere."""
    keys = {k for row in households for k in row}
    rows = []
    for row in households:
        full = {k: DEFAULTS[k] for k in keys if k in DEFAULTS}
        full.update(row)
        if "labour" in keys and "labour" not in row:
            full["labour"] = max(full["size"] - full.get("elderly", 0) - full.get("students", 0), 0)
        rows.append(full)
    h = pd.DataFrame(rows)
    return fupin.Registry.from_frame(h, villages=None if villages is None else pd.DataFrame(villages))


def hh(i: int, village: str = "v1", **kw) -> dict:
    base = {"household_id": i, "village_id": village, "size": 1, "income_per_capita": 5000.0}
    base.update(kw)
    return base


def test_five_looks_preset_by_hand():
    reg = registry([
        hh(1, labour=1),
        hh(2, labour=1, safe_water=False),
        hh(3, labour=0, head_education_years=5),
        hh(4, labour=1, chronic_illness=1, inhospitable=True, head_education_years=3),
    ])
    s = tg.five_looks(reg)
    assert list(s.achievements.columns) == ["housing", "production_means", "labour", "education", "health"]
    assert s.weights.sum() == pytest.approx(1.0)
    m = s.mpi(0.4)  # 2 of 5 looks
    # Deprivations by hand: 1 none; 2 housing; 3 labour + education; 4 production, education, health.
    np.testing.assert_allclose(m.scores, [0, 0.2, 0.4, 0.6], atol=1e-15)
    assert list(m.poor) == [False, False, True, True]
    assert tg.mpi(s, None, 0.4).M0 == m.M0
    t = tg.two_assurances_three_guarantees(reg, 6000.0, dropouts=[0, 1, 0, 0])
    mt = t.mpi(0.5)
    # Everyone is below 6000 (food + clothing = 1/2); household 2 also has a dropout.
    assert list(mt.poor) == [True, True, True, True]
    np.testing.assert_allclose(mt.scores, [0.5, 0.5 + 1 / 6, 0.5, 0.5], atol=1e-15)


# ---- proxy-means test ------------------------------------------------------------------------


def pmt_data(n: int = 300, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rooms = rng.integers(1, 6, n).astype(float)
    labour = rng.integers(0, 4, n).astype(float)
    school = rng.normal(7, 3, n)
    roof = rng.choice(["tile", "straw", "concrete"], n)
    effect = {"tile": 0.1, "straw": -0.3, "concrete": 0.4}
    log_y = (7.5 + 0.12 * rooms + 0.2 * labour + 0.03 * school
             + np.array([effect[r] for r in roof]) + rng.normal(0, 0.4 + 0.1 * labour, n))
    return pd.DataFrame({
        "income": np.exp(log_y), "rooms": rooms, "labour": labour, "schooling": school,
        "roof": pd.Categorical(roof), "w": rng.uniform(0.5, 2.0, n),
    })


def design(df: pd.DataFrame) -> np.ndarray:
    # Reference level "concrete" (first in byte order); dummies straw, tile.
    return np.column_stack([
        np.ones(len(df)), df["rooms"], df["labour"], df["schooling"],
        (df["roof"] == "straw").astype(float), (df["roof"] == "tile").astype(float),
    ])


def t_sf2(t: float, df: int) -> float:
    """Two-sided p of Student's t by Simpson's rule on the density (independent of statrs)."""
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    x = np.linspace(0, abs(t), 200_001)
    f = c * (1 + x * x / df) ** (-(df + 1) / 2)
    h = x[1] - x[0]
    integral = h / 3 * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())
    return 1 - 2 * integral


def test_pmt_matches_closed_form_wls_and_hc1():
    df = pmt_data()
    pmt = tg.ProxyMeansTest.fit(df, target="income", proxies=["rooms", "labour", "schooling", "roof"],
                                weights="w")
    X, y, w = design(df), np.log(df["income"].to_numpy()), df["w"].to_numpy()
    n, k = X.shape
    xtwx = X.T @ (w[:, None] * X)
    beta = np.linalg.solve(xtwx, X.T @ (w * y))
    e = y - X @ beta
    ybar = np.sum(w * y) / np.sum(w)
    r2 = 1 - np.sum(w * e**2) / np.sum(w * (y - ybar) ** 2)
    bread = np.linalg.inv(xtwx)
    meat = (X * ((w * e) ** 2)[:, None]).T @ X
    hc1 = n / (n - k) * bread @ meat @ bread
    classical = np.sum(w * e**2) / (n - k) * bread
    c = pmt.coefficients
    assert list(c.index) == ["intercept", "rooms", "labour", "schooling", "roof=straw", "roof=tile"]
    np.testing.assert_allclose(c["coef"], beta, rtol=1e-9, atol=1e-12)
    assert pmt.r_squared == pytest.approx(r2, rel=1e-9)
    assert pmt.adj_r_squared == pytest.approx(1 - (1 - r2) * (n - 1) / (n - k), rel=1e-9)
    np.testing.assert_allclose(c["se"], np.sqrt(np.diag(hc1)), rtol=1e-9)
    np.testing.assert_allclose(pmt.covariance.to_numpy(), hc1, rtol=1e-8, atol=1e-14)
    np.testing.assert_allclose(c["classical_se"], np.sqrt(np.diag(classical)), rtol=1e-9)
    np.testing.assert_allclose(c["t"], beta / np.sqrt(np.diag(hc1)), rtol=1e-9)
    for t, p in zip(c["t"], c["p"], strict=True):
        assert p == pytest.approx(t_sf2(t, n - k), abs=1e-9)
    # Prediction is X β on new rows.
    new = pmt_data(20, seed=99)
    np.testing.assert_allclose(pmt.predict(new), design(new) @ beta, rtol=1e-12)
    assert "HC1" in pmt.summary() and "roof=straw" in pmt.summary()


def test_pmt_inputs_agree_and_pickle():
    df = pmt_data(120)
    spec = {"target": "income", "proxies": ["rooms", "labour", "roof"]}
    a = tg.ProxyMeansTest.fit(df, weights=df["w"].to_numpy(), **spec)
    b = tg.ProxyMeansTest.fit(df, weights="w", **spec)
    import polars as pl
    import pyarrow as pa
    pdf = df.assign(roof=df["roof"].astype(str))
    c = tg.ProxyMeansTest.fit(pl.from_pandas(pdf), weights="w", **spec)
    d = tg.ProxyMeansTest.fit(pa.Table.from_pandas(pdf), weights="w", **spec)
    for m in (b, c, d):
        np.testing.assert_array_equal(m.coefficients["coef"], a.coefficients["coef"])
    back = pickle.loads(pickle.dumps(a))
    np.testing.assert_allclose(back.predict(df), a.predict(df), rtol=1e-15)
    assert back.coefficients.index.tolist() == a.coefficients.index.tolist()
    # A numeric column forced categorical; no intercept; no log.
    e = tg.ProxyMeansTest.fit(df, "income", ["labour"], categorical=["labour"], log_target=False,
                              intercept=False)
    assert e.names == ["labour=1.0", "labour=2.0", "labour=3.0"]
    means = df.groupby("labour")["income"].mean()
    # Without an intercept, the reference level's rows have prediction 0; the others their mean.
    np.testing.assert_allclose(e.coefficients["coef"], means.iloc[1:], rtol=1e-9)


def test_pmt_on_a_registry():
    reg = registry([hh(i, income_per_capita=1000.0 + 300 * i, labour=i % 3, size=3 + i % 4)
                    for i in range(12)])
    pmt = tg.ProxyMeansTest.fit(reg, "income_per_capita", ["labour", "size"], weights="weight")
    h = reg.households()
    X = np.column_stack([np.ones(12), h["labour"], h["size"]])
    beta = np.linalg.lstsq(X, np.log(h["income_per_capita"].to_numpy()), rcond=None)[0]
    np.testing.assert_allclose(pmt.coefficients["coef"], beta, rtol=1e-9)


def test_pmt_cross_validation_refits_each_fold():
    df = pmt_data(100)
    pmt = tg.ProxyMeansTest.fit(df, "income", ["rooms", "labour", "roof"], weights="w")
    cv = pmt.cross_validate(df, folds=4, seed=3, line=2500.0)
    assert cv.folds == 4 and cv.threshold == pytest.approx(math.log(2500.0))
    assert sorted(np.bincount(cv.fold)) == [25, 25, 25, 25]
    X, y, w = design(df)[:, [0, 1, 2, 4, 5]], np.log(df["income"].to_numpy()), df["w"].to_numpy()
    pred = np.empty(len(df))
    for f in range(4):
        tr, te = cv.fold != f, cv.fold == f
        xtwx = X[tr].T @ (w[tr, None] * X[tr])
        pred[te] = X[te] @ np.linalg.solve(xtwx, X[tr].T @ (w[tr] * y[tr]))
    np.testing.assert_allclose(cv.predictions, pred, rtol=1e-9)
    rmse = math.sqrt(np.sum(w * (y - pred) ** 2) / np.sum(w))
    assert cv.rmse == pytest.approx(rmse, rel=1e-9)
    want = tg.errors(pred < math.log(2500), y < math.log(2500), w)
    np.testing.assert_allclose(cv.errors[want.index], want, rtol=1e-9)
    assert pmt.cross_validate(df, folds=4, seed=3, line=2500.0).fold.tolist() == cv.fold.tolist()
    # Weights given as an array must be given again; then the result is the same.
    by_array = tg.ProxyMeansTest.fit(df, "income", ["rooms", "labour", "roof"], weights=w)
    with pytest.raises(fupin.ValidationError) as info:
        by_array.cross_validate(df, folds=4, seed=3, line=2500.0)
    assert info.value.column == "weights"
    again = by_array.cross_validate(df, folds=4, seed=3, line=2500.0, weights=w)
    np.testing.assert_array_equal(again.predictions, cv.predictions)


def test_pmt_errors_name_column_row_value():
    df = pmt_data(30)
    df.loc[4, "rooms"] = np.nan
    with pytest.raises(fupin.ValidationError) as info:
        tg.ProxyMeansTest.fit(df, "income", ["rooms"])
    assert (info.value.column, info.value.row) == ("rooms", 5)
    df = pmt_data(30)
    df.loc[2, "income"] = 0.0
    with pytest.raises(fupin.ValidationError) as info:
        tg.ProxyMeansTest.fit(df, "income", ["rooms"])
    assert (info.value.column, info.value.row, info.value.value) == ("income", 3, "0")
    with pytest.raises(fupin.ValidationError) as info:
        tg.ProxyMeansTest.fit(pmt_data(30), "income", ["bedrooms"])
    assert info.value.column == "bedrooms"
    pmt = tg.ProxyMeansTest.fit(pmt_data(30), "income", ["roof"])
    new = pd.DataFrame({"roof": ["tile", "mud"]})
    with pytest.raises(fupin.ValidationError) as info:
        pmt.predict(new)
    assert (info.value.column, info.value.row, info.value.value) == ("roof", 2, '"mud"')
    df = pmt_data(30)
    df["rooms2"] = 2 * df["rooms"]
    with pytest.raises(fupin.ValidationError, match="rooms2"):
        tg.ProxyMeansTest.fit(df, "income", ["rooms", "rooms2"])
    with pytest.raises(fupin.ValidationError):
        pmt.cross_validate(pmt_data(30), folds=1, line=2000.0)


# ---- selection and targeting errors -----------------------------------------------------------


def test_errors_on_a_hand_worked_table():
    selected = [True, True, True, False, False, False, False, False, False, False]
    poor = [True, True, False, True, True, False, False, False, False, False]
    # SP = 2, SN = 1, EP = 2, EN = 5.
    e = tg.errors(selected, poor)
    assert e["inclusion_error"] == pytest.approx(1 / 3) and e["leakage"] == e["inclusion_error"]
    assert e["exclusion_error"] == pytest.approx(0.5)
    assert e["coverage"] == pytest.approx(0.5)
    assert e["nonpoor_coverage"] == pytest.approx(1 / 6)
    assert e["targeting_differential"] == pytest.approx(0.5 - 1 / 6)
    assert (e["selected_poor"], e["selected_nonpoor"], e["excluded_poor"], e["excluded_nonpoor"]) == (2, 1, 2, 5)
    w = [1, 2, 3, 1, 1, 1, 1, 1, 1, 1]
    # SP = 3, SN = 3, EP = 2, EN = 5.
    e = tg.errors(np.array(selected, dtype=int), poor, weights=w)
    assert e["inclusion_error"] == pytest.approx(0.5)
    assert e["exclusion_error"] == pytest.approx(0.4)
    assert e["targeting_differential"] == pytest.approx(0.6 - 3 / 8)
    e = tg.errors([False, False], [True, False])
    assert math.isnan(e["inclusion_error"]) and e["exclusion_error"] == 1.0


def test_error_curve_and_groups_agree_with_direct_tables():
    rng = np.random.default_rng(1)
    scores = rng.normal(size=60).round(1)  # ties on purpose
    poor = rng.random(60) < 0.4
    w = rng.uniform(0.5, 2, 60)
    thresholds = [-1.0, 0.0, 0.3, 5.0]
    curve = tg.error_curve(scores, poor, thresholds, weights=w)
    for i, t in enumerate(thresholds):
        e = tg.errors(scores < t, poor, w)
        np.testing.assert_allclose(curve.loc[i, e.index].astype(float), e, rtol=1e-12)
        assert curve.loc[i, "selected_share"] == pytest.approx(w[scores < t].sum() / w.sum())
    village = np.array(["b", "a", "c"])[rng.integers(0, 3, 60)]
    sel = scores < 0
    g = tg.errors_by_group(sel, poor, village, weights=w)
    assert list(g.index) == ["a", "b", "c"]
    for v in "abc":
        m = village == v
        sp = w[m & sel & poor].sum()
        sn = w[m & sel & ~poor].sum()
        assert g.loc[v, "inclusion_error"] == pytest.approx(sn / (sp + sn))
        assert g.loc[v, "coverage"] == pytest.approx(sp / w[m & poor].sum())
    with pytest.raises(fupin.ValidationError) as info:
        tg.errors([True, False], [True])
    assert info.value.column == "poor"
    with pytest.raises(fupin.ValidationError) as info:
        tg.errors([1, 2], [True, False])
    assert (info.value.column, info.value.row) == ("selected", 2)
    with pytest.raises(fupin.ValidationError) as info:
        tg.errors([True, False], [True, False], weights=[1.0, -2.0])
    assert (info.value.column, info.value.row) == ("weights", 2)
    assert list(tg.select([1.0, 2.0, 3.0], 2.0)) == [True, False, False]


def test_quota_by_hand():
    assert list(tg.allocate_quota(10, [1, 1, 1])) == [4, 3, 3]
    assert list(tg.allocate_quota(10, [5, 3, 2], capacity=[2, 10, 10])) == [2, 5, 3]
    # Villages a (4 households), b (2) in county X; c (4) in county Y; poverty a=3, b=1, c=4.
    village = ["a"] * 4 + ["b"] * 2 + ["c"] * 4
    county = ["X"] * 6 + ["Y"] * 4
    scores = [5, 1, 3, 2, 9, 8, 4, 4, 1, 7]
    q = tg.select_by_quota(village, scores, total=6, poverty={"a": 3, "b": 1, "c": 4}, counties=county)
    # Counties 4 : 4 → 3 and 3. In X: a 2.25, b 0.75 → floors 2, 0; the seat to b's remainder.
    assert q.counties.loc["X", "quota"] == 3 and q.counties.loc["Y", "quota"] == 3
    assert q.villages["quota"].to_dict() == {"a": 2, "b": 1, "c": 3}
    # Lowest scores within each village; the tie at 4 in c goes to the earlier row.
    assert np.flatnonzero(q.selected).tolist() == [1, 3, 5, 6, 7, 8]
    assert q.selected.sum() == 6
    with pytest.raises(fupin.ValidationError) as info:
        tg.select_by_quota(village, scores, total=11, poverty=[3, 1, 4], counties=county)
    assert info.value.column == "total"
    with pytest.raises(fupin.ValidationError) as info:
        tg.select_by_quota(village, scores, total=3, poverty=[3, 1, 4], counties=["X"] * 3 + ["Y"] * 7)
    assert (info.value.column, info.value.row) == ("counties", 4)


def test_quota_on_a_registry_uses_weighted_poverty():
    rows = [hh(i, village=v, weight=wt) for i, (v, wt) in
            enumerate([("v1", 1.0), ("v1", 1.0), ("v1", 3.0), ("v2", 1.0), ("v2", 1.0), ("v2", 1.0)])]
    villages = [{"village_id": "v1", "county_id": "A"}, {"village_id": "v2", "county_id": "A"}]
    reg = registry(rows, villages)
    scores = [1.0, 9.0, 2.0, 1.0, 1.5, 9.0]
    q = tg.select_by_quota(reg, scores, total=3, threshold=5.0)
    # Estimated poor: v1 = 1 + 3 = 4 (weighted), v2 = 2; 3 × 4/6 = 2, 3 × 2/6 = 1.
    assert q.villages["poverty"].tolist() == [4.0, 2.0]
    assert q.villages["quota"].tolist() == [2, 1]
    assert np.flatnonzero(q.selected).tolist() == [0, 2, 3]
    assert q.counties["quota"].sum() == 3


# ---- exit checks -------------------------------------------------------------------------------

LINE = 3000.0


def exit_registry() -> fupin.Registry:
    return registry(
        [
            hh(1, "v1", size=2),                                 # passes
            hh(2, "v1", income_per_capita=2000.0),               # fails income
            hh(3, "v1", housing_safe=False),                     # fails safe_housing
            hh(4, "v1", insured=False),                          # fails medical_insurance
            hh(5, "v2", size=2),                                 # passes
            hh(6, "v2", size=2, income_per_capita=2900.0, registered=False),  # missed poor
            hh(7, "v2", size=3, income_per_capita=8000.0, registered=False),
        ],
        [
            {"village_id": "v1", "county_id": "A", "population": 100, "region": "centre"},
            {"village_id": "v2", "county_id": "B", "population": 100, "region": "west"},
        ],
    )


def test_exit_check_national_rule_by_rule():
    reg = exit_registry()
    r = tg.exit_check(reg, 2018, LINE, exited=[True, False, True, False, False, False, False])
    h = r.households.set_index("household_id")
    assert h["pass"].tolist() == [True, False, False, False, True, False, True]
    assert h.loc[2, "failing"] == ["income"]
    assert h.loc[3, "failing"] == ["safe_housing"]
    assert h.loc[4, "failing"] == ["medical_insurance"]
    assert r.unchecked[0] == "household.compulsory_education"
    v = r.villages.set_index("village_id")
    # v1: registered failing people 1 + 1 + 1 = 3 of 100 ≥ 2 %; v2: missed poor 2 of 100 < 3 %.
    assert v.loc["v1", "incidence"] == pytest.approx(0.03) and not v.loc["v1", "pass"]
    assert v.loc["v1", "failing"] == ["incidence"]
    assert v.loc["v2", "incidence"] == pytest.approx(0.02) and v.loc["v2", "pass"]
    assert v["threshold"].tolist() == [0.02, 0.03]
    c = r.counties.set_index("county_id")
    # A: wrong exits 1 person (household 3) of 3 marked exited; no unregistered households.
    assert c.loc["A", "wrong_exit_rate"] == pytest.approx(1 / 3)
    assert math.isnan(c.loc["A", "missed_identification_rate"])
    assert c.loc["A", "failing"] == ["incidence", "wrong_exit_rate"]
    # B: nobody marked exited (rate 0); missed 2 of 5 unregistered people.
    assert c.loc["B", "wrong_exit_rate"] == 0.0
    assert c.loc["B", "missed_identification_rate"] == pytest.approx(0.4)
    assert c.loc["B", "failing"] == ["missed_identification_rate"]
    # Compulsory education with dropout data: pass at 0, fail at 1.
    r = tg.exit_check(reg, 2018, LINE, extra={"dropouts": [0, 0, 0, 0, 1, 0, 0]})
    assert r.households.loc[4, "failing"] == ["compulsory_education"]
    assert r.households.loc[0, "pass"] and "household.compulsory_education" not in r.unchecked
    # Without exit marks the wrong-exit rate is unmeasurable.
    r = tg.exit_check(reg, 2018, LINE)
    assert r.counties["wrong_exit_rate"].isna().all()
    # The line defaults to the national line of the year.
    assert tg.exit_check(reg, 2016).line == fupin.poverty_line(2016)


CUSTOM = """
name = "custom"

[[household]]
name = "income"
field = "income_per_capita"
op = ">"
value = 1.0
unit = "line"

[[household]]
name = "income_source"
field = "labour"
op = ">="
value = 1

[[household.or]]
field = "dibao"
op = "=="
value = 1

[[household]]
name = "tv"
field = "tv"
op = "=="
value = 1
if_missing = "fail"

[[village]]
name = "roads"
field = "road_share"
op = ">="
value = 0.9
"""


def test_custom_checklist_or_clause_and_missing_field():
    reg = registry([hh(1, labour=1), hh(2, labour=0), hh(3, labour=0), hh(4, income_per_capita=LINE, labour=1)])
    cl = tg.Checklist(CUSTOM)
    r = tg.exit_check(reg, 2019, LINE, checklist=cl, extra={"dibao": [0, 1, 0, 0]},
                      village_extra={"road_share": [0.95]})
    f = r.households["failing"].tolist()
    # tv is missing → fails everywhere; household 3 has neither labour nor dibao; 4 is at the line.
    assert f == [["tv"], ["tv"], ["income_source", "tv"], ["income", "tv"]]
    assert r.villages["pass"].tolist() == [True]
    r = tg.exit_check(reg, 2019, LINE, checklist=cl, extra={"dibao": [0, 1, 0, 0], "tv": [1, 1, 1, 1]},
                      village_extra={"road_share": [0.5]})
    assert r.households["pass"].tolist() == [True, True, False, False]
    assert r.villages["failing"].tolist() == [["roads"]]
    with pytest.raises(fupin.ValidationError) as info:
        tg.exit_check(reg, 2019, LINE, checklist=cl, extra={"tv": [1, 1, 1, 1]})
    assert "dibao" in str(info.value)
    with pytest.raises(fupin.ValidationError) as info:
        tg.exit_check(reg, 2019, LINE, extra={"dropouts": [0, 1]})
    assert info.value.column == "dropouts"


def test_checklist_round_trips():
    nat = tg.Checklist.national()
    assert nat == tg.Checklist() and nat.name == "national"
    assert tg.Checklist.from_toml(nat.to_toml()) == nat
    assert tg.Checklist.from_dict(nat.to_dict()) == nat
    assert pickle.loads(pickle.dumps(nat)) == nat
    d = nat.to_dict()
    d["household"][0]["value"] = 1.2
    assert tg.Checklist(d) != nat
    with pytest.raises(fupin.ValidationError, match="line"):
        tg.Checklist("name = 'x'\n[[household]]\nname = 'a'\nfield = 'size'\nop = '~'\nvalue = 1\n")
    with pytest.raises(fupin.ValidationError):
        tg.Checklist({"name": "x", "household": [{"name": "a", "field": "size", "op": "<", "value": "big"}]})


# ---- record checks -------------------------------------------------------------------------------


def test_record_checks_default_rules_pass_and_fail():
    reg = registry([
        hh(1, income_per_capita=3 * LINE),                       # at 3× the line: passes
        hh(2, income_per_capita=3 * LINE + 1),                   # above: flagged
        hh(3, income_per_capita=10 * LINE, registered=False),    # not registered: passes
        hh(4, size=12), hh(5, size=13),                          # size_above 12
        hh(6, size=3, elderly=2, students=1),                    # equal to size: passes
        hh(7, size=2, elderly=2, students=1, labour=0),          # above size: flagged
        hh(8, head_education_years=22), hh(9, head_education_years=23),
    ])
    out = tg.check_records(reg, LINE)
    assert sorted(out.attrs["skipped"]) == ["duplicate_person", "exited_on_floor"]
    assert list(zip(out["household_id"], out["rule"], strict=True)) == [
        (2, "income_above_line"), (5, "size_above"), (7, "members_exceed_size"),
        (9, "head_education"),
    ]
    assert out["row"].tolist() == [2, 5, 7, 9]
    assert out.loc[1, "values"] == {"size": "13", "max": "12"}
    assert out.loc[2, "values"]["elderly"] == "2"
    # Persons, exit and floor data enable the last two rules.
    persons = pd.DataFrame({"key": ["p1", "p2", "p1", "p3"], "household_id": [1, 2, 3, 3]})
    exited = [False] * 9
    exited[3] = exited[5] = True
    floor = [False] * 9
    floor[3] = floor[7] = True
    out = tg.check_records(reg, LINE, persons=persons, exited=exited, floor=floor)
    assert out.attrs["skipped"] == []
    dup = out[out["rule"] == "duplicate_person"]
    assert dup["household_id"].tolist() == [1, 3]
    assert dup.iloc[0]["values"]["person_key"] == "p1"
    eof = out[out["rule"] == "exited_on_floor"]
    assert eof["household_id"].tolist() == [4]  # exited & floor; 6 exited only; 8 floor only


def test_record_rules_as_data_and_errors():
    reg = registry([hh(1, labour=1), hh(2, labour=0)])
    rules = [{"rule": "range", "name": "no_labour", "field": "labour", "min": 1}]
    out = tg.check_records(reg, LINE, rules=rules)
    assert out["household_id"].tolist() == [2] and out.loc[0, "rule"] == "no_labour"
    rr = tg.RecordRules(rules)
    assert tg.RecordRules.from_toml(rr.to_toml()) == rr
    assert tg.RecordRules(rr.to_dict()) == rr
    assert pickle.loads(pickle.dumps(rr)) == rr
    assert tg.RecordRules().names[:3] == ["income_above_line", "size_above", "members_exceed_size"]
    with pytest.raises(fupin.ValidationError) as info:
        tg.RecordRules([{"rule": "range", "field": "shoe_size", "max": 50}])
    assert info.value.column == "rules[0]" and info.value.value == '"shoe_size"'
    with pytest.raises(fupin.ValidationError) as info:
        tg.check_records(reg, LINE, persons={"key": ["a"], "household_id": [99]})
    assert info.value.column == "household_id"
    with pytest.raises(fupin.ValidationError) as info:
        tg.check_records(reg, -1.0)
    assert info.value.column == "line"


# ---- dynamic adjustment --------------------------------------------------------------------------


def test_adjust_enter_exit_return_left():
    old = registry([
        hh(1, income_per_capita=2000.0),                        # poor → exits
        hh(2, income_per_capita=2000.0),                        # poor → stays poor
        hh(3), hh(4),                                           # exited: 3 returns, 4 stays
        hh(5, registered=False), hh(6, registered=False),       # out: 5 enters, 6 stays out
        hh(7, income_per_capita=2000.0),                        # leaves
    ])
    new = registry([
        hh(1, income_per_capita=4000.0, size=2),
        hh(2, income_per_capita=2500.0),
        hh(3, income_per_capita=2000.0, size=3),
        hh(4, size=2),
        hh(5, income_per_capita=1000.0, size=4),
        hh(6, size=5),
        hh(8, income_per_capita=1500.0, size=2),                # new household below the line
    ])
    exited = [False, False, True, True, False, False, False]
    a = tg.adjust(old, exited, new, LINE)
    ch = a.changes.set_index("household_id")
    assert ch["change"].to_dict() == {
        1: "exit", 2: "stay_poor", 3: "return", 4: "stay_exited", 5: "enter", 6: "stay_out",
        8: "enter", 7: "left",
    }
    assert ch.loc[2, "failing"] == ["income"]
    assert pd.isna(ch.loc[8, "old_row"]) and ch.loc[7, "old_row"] == 7 and pd.isna(ch.loc[7, "new_row"])
    assert (a.entered, a.exits, a.returned, a.left) == (2, 1, 1, 1)
    # Wrong exits: 3 of 3 + 2 exited people; missed: 4 + 2 of 4 + 5 + 2 people outside.
    assert a.wrong_exit_rate == pytest.approx(3 / 5)
    assert a.missed_identification_rate == pytest.approx(6 / 11)
    assert a.registered.tolist() == [True, True, True, True, True, False, True]
    with pytest.raises(fupin.ValidationError) as info:
        tg.adjust(old, [False] * 4 + [True] + [False] * 2, new, LINE)
    assert (info.value.column, info.value.row) == ("exited", 5)
