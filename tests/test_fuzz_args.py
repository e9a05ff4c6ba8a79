"""Property-based fuzzing of the targeting helpers (``allocate_quota``, ``select_by_quota``, the
proxy-means test) and of the arguments of ``simulate``, ``plan``, ``poverty_line`` and
``Registry.select`` (ints, floats, negatives, huge ints, bools).

Contract (see ``_fuzz.py``): a result that follows the documented rule exactly (checked against an
exact second implementation, or the value given), or a :class:`fupin.ValidationError` naming the
parameter; nothing truncated, wrapped or replaced by a nearby value; never another exception type.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd
from _fuzz import Refused, check_finite, fuzz, guarded, outcome
from hypothesis import strategies as st
from test_fuzz_files import registry, scenarios

import fupin
from fupin import targeting

# ---- allocate_quota against exact arithmetic -----------------------------------------------


def _hamilton(total: int, shares: list[Fraction], pool: list[int]) -> dict[int, int]:
    s = sum(shares[i] for i in pool)
    exact = {i: total * shares[i] / s for i in pool}
    out = {i: math.floor(exact[i]) for i in pool}
    left = total - sum(out.values())
    # Largest remainder first; ties to the lower index.
    for i in sorted(pool, key=lambda i: (-(exact[i] - out[i]), i))[:left]:
        out[i] += 1
    return out


def exact_quota(total: int, poverty: list[Fraction], capacity: list[int] | None) -> list[int]:
    """The documented rule (``targeting/selection.rs``) in rational arithmetic: Hamilton among
    units with room and positive poverty, capping and re-apportioning the excess; when every such
    unit is full, the rest in proportion to the remaining capacity."""
    n = len(poverty)
    cap = [capacity[i] if capacity is not None else 2**64 for i in range(n)]
    quota = [0] * n
    open_ = [cap[i] > 0 for i in range(n)]
    remaining = total
    while remaining > 0:
        pool = [i for i in range(n) if open_[i] and poverty[i] > 0]
        shares = poverty
        if not pool:
            pool = [i for i in range(n) if open_[i]]
            shares = [Fraction(cap[i] - quota[i]) for i in range(n)]
        excess = 0
        for i, add in _hamilton(remaining, shares, pool).items():
            quota[i] += add
            if quota[i] >= cap[i]:
                excess += quota[i] - cap[i]
                quota[i] = cap[i]
                open_[i] = False
        remaining = excess
    return quota


@fuzz(400, total=st.integers(0, 60),
      poverty=st.lists(st.one_of(st.integers(0, 20), st.sampled_from([0.5, 1.5, 0.1, 0.2, 0.3])),
                       min_size=1, max_size=8),
      capacity=st.one_of(st.none(), st.lists(st.integers(0, 15), min_size=8, max_size=8)))
def test_allocate_quota_is_exact_hamilton(total: int, poverty: list, capacity: list | None) -> None:
    cap = None if capacity is None else capacity[: len(poverty)]
    got = guarded(targeting.allocate_quota, total, poverty, cap)
    feasible = (sum(cap) >= total) if cap is not None else (total == 0 or any(p > 0 for p in poverty))
    if not feasible:
        assert isinstance(got, Refused) and isinstance(got.error, fupin.ValidationError), got
        return
    assert not isinstance(got, Refused), f"feasible allocation refused: {got}"
    expected = exact_quota(total, [Fraction(p) for p in poverty], cap)
    assert list(got) == expected, f"allocate_quota({total}, {poverty}, {cap}) = {list(got)}, " \
                                  f"exact Hamilton {expected}"


@fuzz(100, shrink=False, total=st.one_of(st.integers(-5, 5), st.sampled_from([2**63, 2**64, -(2**63), 2.5,
                                                                 True, float("nan")])),
      poverty=st.lists(st.one_of(st.floats(0, 10), st.sampled_from([-1.0, float("nan"),
                                                                    float("inf"), 1e308])),
                       min_size=1, max_size=5))
def test_allocate_quota_odd_arguments(total: Any, poverty: list) -> None:
    got = guarded(targeting.allocate_quota, total, poverty)
    if isinstance(got, Refused):
        assert isinstance(got.error, fupin.ValidationError), got
        return
    assert isinstance(total, int) and 0 <= total, f"total={total!r} accepted as {sum(got)}"
    assert int(sum(got)) == total, f"quotas {list(got)} do not sum to {total}"
    assert all(math.isfinite(p) and p >= 0 for p in poverty), f"bad poverty accepted: {poverty}"


# ---- selection by quota: exact and independent of row order --------------------------------


@fuzz(80, data=st.data())
def test_select_by_quota_ignores_row_order(data: st.DataObject) -> None:
    """The same households are selected whatever the order of the registry's rows (ties of
    scores broken by a key that does not depend on position)."""
    reg = registry()
    n = reg.n_households
    scores = np.asarray(data.draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), float)
    total = data.draw(st.integers(0, n))
    threshold = data.draw(st.sampled_from([1.5, 2.5, 10.0]))
    order = np.asarray(data.draw(st.permutations(range(n))))
    ids = reg.households()["household_id"].to_numpy()
    a = outcome(targeting.select_by_quota, reg, scores, total, threshold=threshold)
    b = outcome(targeting.select_by_quota, reg.select(order), scores[order], total,
                threshold=threshold)
    if isinstance(a, Refused) or isinstance(b, Refused):
        assert isinstance(a, Refused) and isinstance(b, Refused), (a, b)
        return
    assert int(a.selected.sum()) == total
    chosen_a = set(ids[a.selected].tolist())
    chosen_b = set(ids[order][b.selected].tolist())
    assert chosen_a == chosen_b, (
        f"row order changed the selection: {sorted(chosen_a ^ chosen_b)}")


@fuzz(60, data=st.data())
def test_proxy_means_test_fits_or_refuses(data: st.DataObject) -> None:
    n = data.draw(st.integers(2, 25))
    col = lambda s: data.draw(st.lists(s, min_size=n, max_size=n))  # noqa: E731
    frame = pd.DataFrame({
        "income": col(st.one_of(st.floats(1, 1e5), st.sampled_from([0.0, -1.0, 1e300, 5e-324]))),
        "size": col(st.integers(1, 8)),
        "land": col(st.one_of(st.floats(0, 10), st.sampled_from([float("nan"), 1e308]))),
        "region": col(st.sampled_from(["a", "b", "c"])),
    })
    proxies = data.draw(st.lists(st.sampled_from(["size", "land", "region"]), min_size=1,
                                 max_size=3, unique=True))
    model = outcome(targeting.ProxyMeansTest.fit, frame, target="income", proxies=proxies)
    if isinstance(model, Refused):
        return
    check_finite(outcome(model.predict, frame), "predictions")


# ---- arguments -----------------------------------------------------------------------------

ODD_INTS = [-(2**64), -(2**63) - 1, -(2**63), -(2**31), -2, -1, 0, 1, 2, 3, 7, 2**31 - 1, 2**31,
            2**32, 2**32 + 1, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 2**64 + 1, 10**30]
ODD_OTHERS = [True, False, 0.0, 1.0, 2.0, 2.7, -1.5, 1.9, float("nan"), float("inf"), 1e30,
              np.int64(3), np.float64(2.0), np.uint64(2**64 - 1), "3", None]
odd = st.sampled_from(ODD_INTS + ODD_OTHERS)


def _is_int(v: Any) -> bool:
    """A whole number as fupin documents it (``fupin._args``): Python and NumPy integers and
    whole-valued finite floats (``3.0`` is 3), never booleans, text or fractions."""
    if isinstance(v, bool | np.bool_):
        return False
    if isinstance(v, int | np.integer):
        return True
    return isinstance(v, float | np.floating) and math.isfinite(v) and float(v).is_integer()


@fuzz(150, shrink=False, which=st.sampled_from(["replications", "seed"]), value=odd)
def test_simulate_counts_and_seed(which: str, value: Any) -> None:
    """``replications`` and ``seed`` are taken exactly or refused: never truncated or wrapped."""
    if which == "replications" and _is_int(value) and value > 50:
        value = -value  # a refusal is due either way; do not run 2³¹ replications
    kwargs = {"replications": 2, "seed": 0, which: value}
    res = guarded(fupin.simulate, registry(), [scenarios()[0]], years=range(2016, 2018),
                  progress=False, threads=1, **kwargs)
    if isinstance(res, Refused):
        assert isinstance(res.error, fupin.ValidationError), res
        return
    given = {"replications": res.replications, "seed": res.seed}[which]
    assert _is_int(value) and given == value, f"{which}={value!r} run as {given!r}"


@fuzz(60, shrink=False, value=st.sampled_from([-(2**64), -(2**63), -2, -1, 0, 1, 2, 2**64,
                                                2**63, 1.5, 2.0, True, float("nan"), "2"]))
def test_simulate_threads(value: Any) -> None:
    """``threads`` (not larger counts: this branch would spawn them) is 1, 2 or refused."""
    res = guarded(fupin.simulate, registry(), [scenarios()[0]], years=range(2016, 2018),
                  replications=2, progress=False, threads=value)
    if isinstance(res, Refused):
        assert isinstance(res.error, fupin.ValidationError), res
        return
    assert _is_int(value) and value >= 1, f"threads={value!r} accepted"


years_values = st.one_of(
    st.sampled_from([1990, 2009, 2010, 2016, 2020, 2021, 2099, -5, 0, 65535, 2**31 - 2,
                     2**31]).map(lambda start: range(start, start + 2)),
    st.sampled_from([[2016.5], [2016.0, 2017.0], [2016, 2018], [], [True, 2], ["2016"], 2016,
                     [np.int64(2016), np.int64(2017)], [2**63, 2**63 + 1]]),
)


@fuzz(120, shrink=False, years=years_values, call=st.sampled_from(["simulate", "plan"]))
def test_years_arguments(years: Any, call: str) -> None:
    """Years are consecutive calendar years within the line's schedule (no year silently given
    the nearest scheduled line), taken exactly or refused."""
    if call == "simulate":
        res = guarded(fupin.simulate, registry(), [scenarios()[0]], years=years, replications=2,
                      progress=False, threads=1)
    else:
        res = guarded(fupin.plan, registry(), scenarios()[1], years=years)
    if isinstance(res, Refused):
        assert isinstance(res.error, fupin.ValidationError), res
        return
    values = list(years)
    assert all(_is_int(y) for y in values), f"years {values!r} accepted"
    assert min(values) >= 2010, f"years {values!r} before the line's schedule accepted"
    got = res.years if call == "simulate" else res.committed.index.tolist()
    assert [int(y) for y in got] == values


@fuzz(100, year=st.one_of(st.integers(-10, 2100), st.sampled_from(ODD_INTS + ODD_OTHERS)))
def test_poverty_line_years(year: Any) -> None:
    line = outcome(fupin.poverty_line, year)
    if isinstance(line, Refused):
        assert isinstance(line.error, fupin.ValidationError), line
        return
    assert _is_int(year), f"poverty_line({year!r}) accepted"
    assert year >= 2010, f"poverty_line({year}) before the schedule gave {line}"
    check_finite(line, f"poverty_line({year})")
    assert line > 0


@fuzz(120, rows=st.one_of(
    st.lists(st.sampled_from(ODD_INTS + ODD_OTHERS + list(range(30))), max_size=4),
    st.lists(st.booleans(), min_size=30, max_size=30).map(np.asarray),
    st.lists(st.integers(0, 29), max_size=5).map(lambda v: np.asarray(v, dtype=np.uint64)),
))
def test_registry_select_rows(rows: Any) -> None:
    reg = registry()
    got = outcome(reg.select, rows)
    if isinstance(got, Refused):
        assert isinstance(got.error, fupin.ValidationError), got
        return
    if isinstance(rows, np.ndarray) and rows.dtype == bool:
        # A boolean mask of one value per household selects where it is true (documented).
        assert len(rows) == reg.n_households, f"select(mask of {len(rows)}) accepted"
        rows = np.flatnonzero(rows)
    values = list(np.asarray(rows).ravel()) if isinstance(rows, np.ndarray) else list(rows)
    assert all(_is_int(r) and 0 <= r < reg.n_households for r in values), (
        f"select({rows!r}) accepted")
    ids = reg.households()["household_id"].to_numpy()
    assert got.households()["household_id"].tolist() == [ids[int(r)] for r in values]
