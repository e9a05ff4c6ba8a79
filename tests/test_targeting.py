"""fupin.targeting from Python, each statistic against an independent computation: the
Alkire–Foster (2011) example by hand, the PMT against closed-form WLS and the HC1 sandwich in
NumPy, targeting errors on hand-worked tables, quotas by hand, exit and record checks rule by rule."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pandas as pd
import pytest

import fupin
from fupin import targeting as tg

from _rows import hh, registry

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
    # The core keeps the design; a test pickled before it did (design in the Python slot
    # `_design`, core JSON without `design`) still loads and predicts the same.
    assert a._native.design == [("rooms", None, None), ("labour", None, None),
                                ("roof", ["concrete", "straw", "tile"], "concrete")]
    old = json.loads(a._native.to_json())
    del old["design"]
    slots = {k: getattr(a, k) for k in ("_array_weights", "intercept", "log_target", "proxies",
                                        "target", "weights")}
    slots["_native"] = fupin._native.ProxyMeansTest.from_json(json.dumps(old))
    slots["_design"] = a._native.design
    legacy = object.__new__(tg.ProxyMeansTest)
    legacy.__setstate__((None, slots))
    np.testing.assert_array_equal(legacy.predict(df), a.predict(df))
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
