"""Regression tests for the fuzzers' remaining findings (issue 12, follow-up): weighted totals that
overflowed to inf from accepted input, and a numerically singular proxy-means design accepted with
NaN coefficients."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import fupin

ONE_HOUSEHOLD = {"household_id": [1], "village_id": [1], "size": [2], "income_per_capita": [0.0],
                 "weight": [1e308]}


def test_a_weight_whose_people_overflow_is_refused_naming_it():
    # 2 people × 1e308 = 2e308 > the largest finite number: registered_people was inf.
    with pytest.raises(fupin.ValidationError) as info:
        fupin.Registry.from_frame(ONE_HOUSEHOLD)
    assert (info.value.column, info.value.row, info.value.value) == ("weight", 1, "1e308")


def test_a_weight_whose_people_overflow_is_refused_through_csv(tmp_path):
    path = tmp_path / "households.csv"
    pd.DataFrame(ONE_HOUSEHOLD).to_csv(path, index=False)
    with pytest.raises(fupin.ValidationError) as info:
        fupin.Registry.read_csv(path)
    assert (info.value.column, info.value.row) == ("weight", 1)


def test_weighted_totals_below_the_bound_are_finite_and_exact():
    # Three households of 2 people with weight 1e307: 6e307 people, below 2^1023 ≈ 8.99e307.
    frame = {"household_id": [1, 2, 3], "village_id": [1, 1, 1], "size": [2, 2, 2],
             "income_per_capita": [0.0, 10.0, 20.0], "weight": [1e307] * 3}
    reg = fupin.Registry.from_frame(frame)
    # By hand: 2 × 1e307 per household is exact in binary up to one rounding of 1e307 itself.
    assert reg.registered_people == pytest.approx(6e307, rel=1e-15)
    assert math.isfinite(reg.registered_households)


def test_the_row_that_crosses_the_bound_is_named():
    # Five households of 2 people with weight 1e307: running totals 2e307, 4e307, 6e307, 8e307
    # (below 2^1023 ≈ 8.99e307), then 1e308 on row 5.
    frame = {"household_id": [1, 2, 3, 4, 5], "village_id": [1] * 5, "size": [2] * 5,
             "income_per_capita": [0.0] * 5, "weight": [1e307] * 5}
    with pytest.raises(fupin.ValidationError) as info:
        fupin.Registry.from_frame(frame)
    assert (info.value.column, info.value.row, info.value.value) == ("weight", 5, "1e307")


def pmt_frame(land):
    return pd.DataFrame({"income": [1.0] * 5, "size": [1] * 5, "land": land, "region": ["a"] * 5})


def test_a_numerically_singular_proxy_is_refused_naming_it():
    frame = pmt_frame([0, 0, 0, 0, 1.1372312114029199e-287])
    with pytest.raises((fupin.ValidationError, fupin.NumericalError)) as info:
        fupin.targeting.ProxyMeansTest.fit(frame, target="income", proxies=["land"])
    assert "land" in str(info.value)


def test_a_proxy_in_huge_units_fits_like_the_same_proxy_in_small_units():
    # Least squares is equivariant to a column's unit: land × 1e160 gives the coefficient ÷ 1e160
    # and the same predictions. Squares of 1e160 overflow; the fit gave NaN before equilibration.
    land = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    income = np.exp([1.0, 3.5, 5.0, 6.5, 9.0, 10.5])
    small = pd.DataFrame({"income": income, "size": [1] * 6, "land": land, "region": ["a"] * 6})
    huge = small.assign(land=land * 1e160)
    a = fupin.targeting.ProxyMeansTest.fit(small, target="income", proxies=["land"])
    b = fupin.targeting.ProxyMeansTest.fit(huge, target="income", proxies=["land"])
    pa, pb = np.asarray(a.predict(small)), np.asarray(b.predict(huge))
    assert np.all(np.isfinite(pb))
    np.testing.assert_allclose(pb, pa, rtol=1e-12)
