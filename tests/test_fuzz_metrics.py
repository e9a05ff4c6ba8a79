"""Property-based fuzzing of the poverty and inequality measures: generated incomes, weights, lines
and α (subnormal, huge, zero, negative, NaN, text), checked against brute-force sums and their
invariances.

Contract (see ``_fuzz.py``): a finite value within the measure's range, or a
:class:`fupin.ValidationError` (naming the row for a bad element); never NaN from accepted input.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from _fuzz import Refused, check_finite, fuzz, outcome
from hypothesis import strategies as st

import fupin
from fupin import metrics

WILD = [0.0, -0.0, 5e-324, 1e-310, 1e-300, 1e-30, 1e30, 1e300, 1.7e308, -1.0, -5e-324,
        float("nan"), float("inf"), float("-inf")]
nice_income = st.integers(0, 10**7).map(lambda c: c / 100)  # cents up to 100,000 yuan
wild_income = st.one_of(st.floats(0, 1e6), st.sampled_from(WILD), st.floats(width=64))
nice_weight = st.integers(1, 1000).map(lambda c: c / 10)
wild_weight = st.one_of(st.floats(0.01, 100), st.sampled_from(WILD + [1e308, 1e-320]))


@st.composite
def sample(draw: st.DrawFn, income: st.SearchStrategy, weight: st.SearchStrategy,
           max_size: int = 30) -> tuple[list[float], list[float] | None]:
    y = draw(st.lists(income, min_size=1, max_size=max_size))
    w = draw(st.one_of(st.none(), st.lists(weight, min_size=len(y), max_size=len(y))))
    return y, w


def _bad_input(y: list, w: list | None) -> bool:
    """Input every measure must refuse: a non-finite or negative income, a bad weight."""
    if any(not math.isfinite(v) or v < 0 for v in y):
        return True
    return w is not None and any(not math.isfinite(v) or v <= 0 for v in w)


MEASURES = {
    "fgt": lambda y, w, z, a: metrics.fgt(y, z, alpha=a, weights=w),
    "watts": lambda y, w, z, a: metrics.watts(y, z, weights=w),
    "sen": lambda y, w, z, a: metrics.sen(y, z, weights=w),
    "gini": lambda y, w, z, a: metrics.gini(y, weights=w),
    "theil": lambda y, w, z, a: metrics.theil(y, weights=w),
    "mld": lambda y, w, z, a: metrics.mld(y, weights=w),
    "ge": lambda y, w, z, a: metrics.ge(y, a, weights=w),
}
RANGES = {"fgt": (0.0, 1.0), "watts": (0.0, math.inf), "sen": (0.0, 1.0), "gini": (0.0, 1.0),
          "theil": (0.0, math.inf), "mld": (0.0, math.inf), "ge": (0.0, math.inf)}


@fuzz(600, measure=st.sampled_from(sorted(MEASURES)), data=sample(wild_income, wild_weight),
      line=st.one_of(st.floats(0, 1e6), st.sampled_from(WILD)),
      alpha=st.one_of(st.sampled_from([0.0, 1.0, 2.0, 0.5, -1.0, 3.0, 1e6, -1e6, 1e-9]),
                      st.floats(-50, 50), st.sampled_from(WILD)))
def test_measures_finite_or_refused(measure: str, data: tuple, line: float, alpha: float) -> None:
    y, w = data
    value = outcome(MEASURES[measure], y, w, line, alpha)
    if isinstance(value, Refused):
        assert isinstance(value.error, fupin.ValidationError), value
        return
    assert not _bad_input(y, w), f"{measure} accepted bad input: incomes {y}, weights {w}"
    check_finite(value, f"{measure}(incomes={y}, weights={w}, line={line}, alpha={alpha})")
    lo, hi = RANGES[measure]
    assert lo - 1e-12 <= value <= hi + 1e-12, f"{measure} = {value} outside [{lo}, {hi}]"


@fuzz(80, measure=st.sampled_from(sorted(MEASURES)),
      y=st.lists(nice_income, min_size=1, max_size=8), bad=st.integers(0, 7),
      text=st.sampled_from(["abc", "", "1,5", "x1"]))
def test_text_in_incomes_names_the_row(measure: str, y: list, bad: int, text: str) -> None:
    y = list(y)
    bad = bad % len(y)
    y[bad] = text
    value = outcome(MEASURES[measure], y, None, 3000.0, 1.0)
    assert isinstance(value, Refused) and isinstance(value.error, fupin.ValidationError), value
    assert value.row == bad + 1, f"text at row {bad + 1} reported as row {value.row}: {value}"


# ---- brute force on nice input -------------------------------------------------------------


def _w(y: list, w: list | None) -> list[float]:
    return [1.0] * len(y) if w is None else w


def brute(measure: str, y: list, w: list | None, z: float, a: float) -> float | None:
    """The measure's textbook definition summed directly (math.fsum), None where undefined."""
    w = _w(y, w)
    total = math.fsum(w)
    if measure == "fgt":
        return math.fsum(wi * ((z - yi) / z) ** a for yi, wi in zip(y, w) if yi < z) / total
    if measure == "watts":
        if any(yi == 0 and yi < z for yi in y):
            return None
        return math.fsum(wi * math.log(z / yi) for yi, wi in zip(y, w) if yi < z) / total
    if measure == "sen":
        poor = [(yi, wi) for yi, wi in zip(y, w) if yi < z]
        if not poor:
            return 0.0
        pw = math.fsum(wi for _, wi in poor)
        p0 = pw / total
        mp = math.fsum(wi * yi for yi, wi in poor) / pw
        if mp == 0:
            return p0
        gap = (z - mp) / z
        return p0 * (gap + (1 - gap) * _gini([p[0] for p in poor], [p[1] for p in poor]))
    mu = math.fsum(wi * yi for yi, wi in zip(y, w)) / total
    if mu <= 0:
        return None
    if measure == "gini":
        return _gini(y, w)
    if measure == "theil":
        return math.fsum(wi * (yi / mu) * math.log(yi / mu) for yi, wi in zip(y, w) if yi > 0) / total
    if measure == "mld":
        if min(y) == 0:
            return None
        return math.fsum(wi * math.log(mu / yi) for yi, wi in zip(y, w)) / total
    if measure == "ge":
        if a in (0.0, 1.0):
            return brute("mld" if a == 0 else "theil", y, w, z, a)
        if a <= 0 and min(y) == 0:
            return None
        return math.fsum(wi * ((yi / mu) ** a - 1) for yi, wi in zip(y, w)) / total / (a * (a - 1))
    raise AssertionError(measure)


def _gini(y: list, w: list) -> float:
    """Σ_i Σ_j w_i w_j |y_i − y_j| / (2 W² μ), in exact rationals."""
    fy = [Fraction(v) for v in y]
    fw = [Fraction(v) for v in w]
    total = sum(fw)
    mu = sum(a * b for a, b in zip(fy, fw)) / total
    if mu == 0:
        return 0.0
    s = sum(wi * wj * abs(yi - yj) for yi, wi in zip(fy, fw) for yj, wj in zip(fy, fw))
    return float(s / (2 * total * total * mu))


@fuzz(300, measure=st.sampled_from(sorted(MEASURES)), data=sample(nice_income, nice_weight, 25),
      line=st.integers(1, 10**7).map(lambda c: c / 100),
      alpha=st.sampled_from([0.0, 1.0, 2.0, 0.5, 3.0, -1.0, -0.5]))
def test_measures_equal_brute_force(measure: str, data: tuple, line: float, alpha: float) -> None:
    y, w = data
    if measure == "fgt":
        alpha = abs(alpha)
    expected = brute(measure, y, w, line, alpha)
    value = outcome(MEASURES[measure], y, w, line, alpha)
    if expected is None:
        assert isinstance(value, Refused), f"{measure}: undefined input accepted, gave {value}"
        return
    assert not isinstance(value, Refused), f"{measure}: defined input refused: {value}"
    assert math.isclose(value, expected, rel_tol=1e-9, abs_tol=1e-12), (
        f"{measure} = {value!r}, brute force {expected!r}")


@fuzz(150, data=sample(nice_income, nice_weight, 25), line=nice_income)
def test_headcount_is_a_weighted_count(data: tuple, line: float) -> None:
    y, w = data
    w_ = _w(y, w)
    poor = sum(Fraction(wi) for yi, wi in zip(y, w_) if yi < line)
    expected = float(poor / sum(Fraction(wi) for wi in w_))
    value = outcome(metrics.fgt, y, line, alpha=0, weights=w)
    if line <= 0:
        assert isinstance(value, Refused) or value == 0.0, value
        return
    if w is None:  # integer counts: the ratio is the correctly rounded quotient
        assert value == expected, f"fgt0 = {value!r}, exact count {expected!r}"
    else:
        assert math.isclose(value, expected, rel_tol=1e-14, abs_tol=0.0), (
            f"fgt0 = {value!r}, exact weighted count {expected!r}")


@fuzz(200, measure=st.sampled_from(sorted(MEASURES)),
      data=sample(st.one_of(nice_income, st.floats(1e-3, 1e9)), nice_weight, 30),
      line=st.floats(1, 1e5), alpha=st.sampled_from([0.0, 1.0, 2.0, 0.5, 3.0]),
      k=st.integers(-30, 30), data2=st.data())
def test_invariance_to_order_and_scale(measure: str, data: tuple, line: float, alpha: float,
                                       k: int, data2: st.DataObject) -> None:
    """Every measure ignores row order, and a power-of-two rescaling of incomes (with the line)
    or of weights, which is exact in floating point."""
    y, w = data
    base = outcome(MEASURES[measure], y, w, line, alpha)
    if isinstance(base, Refused):
        return
    order = data2.draw(st.permutations(range(len(y))), label="order")
    py = [y[i] for i in order]
    pw = None if w is None else [w[i] for i in order]
    c = 2.0 ** k
    variants = {
        "permuted": (py, pw, line),
        "incomes scaled": ([v * c for v in y], w, line * c),
        "weights scaled": (y, None if w is None else [v * c for v in w], line),
    }
    for what, (vy, vw, vz) in variants.items():
        value = outcome(MEASURES[measure], vy, vw, vz, alpha)
        assert not isinstance(value, Refused), f"{measure} {what}: refused {value}"
        assert math.isclose(value, base, rel_tol=1e-13, abs_tol=1e-15), (
            f"{measure} {what} (k={k}): {value!r} != {base!r}")


@fuzz(60, n=st.integers(1, 40), value=st.one_of(nice_income, st.sampled_from([5e-324, 1e300])))
def test_equal_incomes_have_no_inequality(n: int, value: float) -> None:
    y = np.full(n, value)
    for name in ("gini", "theil", "mld"):
        got = outcome(MEASURES[name], y, None, 1.0, 1.0)
        if isinstance(got, Refused):
            assert value == 0.0, f"{name} refused equal incomes {value}: {got}"
            continue
        check_finite(got, name)
        assert abs(got) <= 1e-12, f"{name} of {n} equal incomes {value} = {got}"
