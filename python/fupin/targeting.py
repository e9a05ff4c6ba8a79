"""Targeting (精准识别): proxy-means tests, quotas, targeting errors, the Alkire–Foster index,
exit standards, record checks and dynamic adjustment.

* :class:`ProxyMeansTest` — weighted least squares of (log) welfare on observable proxies with HC1
  robust standard errors and k-fold cross-validation (Grosh & Baker 1995, *Proxy means tests for
  targeting social programs*, World Bank LSMS WP 118).
* :func:`select`, :func:`select_by_quota` — pick households below a threshold, or fill a total
  quota allocated top-down county → village in proportion to estimated poverty (规模控制).
* :func:`errors`, :func:`error_curve`, :func:`errors_by_group` — inclusion and exclusion errors,
  coverage, leakage and the targeting differential (Cornia & Stewart 1993; Ravallion 2000; Coady,
  Grosh & Hoddinott 2004).
* :func:`mpi`, :func:`five_looks`, :func:`two_assurances_three_guarantees` — the Alkire–Foster
  multidimensional poverty index (Alkire & Foster 2011) and presets for 五看法 and 两不愁三保障.
* :class:`Checklist`, :func:`exit_check`, :class:`RecordRules`, :func:`check_records`,
  :func:`adjust` — exit standards as data (脱贫、出列、摘帽), record checks (数据清洗) and the
  yearly adjustment of the register (应进必进、应退必退).

A low score always means predicted poorer. ``weights`` are always survey weights (finite, > 0, one
per unit); to count people rather than households pass ``size × weight``. Every error is a
:class:`fupin.ValidationError` naming the column, the 1-based row and the value where there is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import _args, _native
from ._args import codes, error, f64, flag_array, weights as _weights
from ._exit import (
    Adjustment,
    Checklist,
    ExitReport,
    RecordRules,
    adjust,
    check_records,
    exit_check,
)
from ._mpi import (
    IndicatorSet,
    MultidimensionalPoverty,
    five_looks,
    mpi,
    two_assurances_three_guarantees,
)
from ._pmt import CrossValidation, ProxyMeansTest
from .registry import Registry

__all__ = [
    "Adjustment",
    "Checklist",
    "CrossValidation",
    "ExitReport",
    "IndicatorSet",
    "MultidimensionalPoverty",
    "ProxyMeansTest",
    "QuotaSelection",
    "RecordRules",
    "adjust",
    "allocate_quota",
    "check_records",
    "error_curve",
    "errors",
    "errors_by_group",
    "exit_check",
    "five_looks",
    "mpi",
    "select",
    "select_by_quota",
    "two_assurances_three_guarantees",
]

# ---- selection -----------------------------------------------------------------------------


def select(scores: Any, threshold: float) -> np.ndarray:
    """Select the units with ``score < threshold`` (a low score is predicted poorer)."""
    return _native.select_below(f64(scores, "scores"), float(threshold))


def allocate_quota(total: int, poverty: Any, capacity: Any = None) -> np.ndarray:
    """Apportion ``total`` in proportion to ``poverty`` by the largest-remainder (Hamilton)
    method, never above ``capacity``: quotas always sum exactly to ``total`` (Balinski & Young,
    *Fair Representation*, 2001, ch. 2). Shares and remainders are computed exactly (each float
    is an exact binary fraction), so remainders equal in exact arithmetic are equal; ties of
    remainders go to the lower index (order the units by id to make the index the id order)."""
    cap = None if capacity is None else np.ascontiguousarray(capacity, dtype=np.int64)
    return _native.allocate_quota(_args.integer(total, "total", 0), f64(poverty, "poverty"), cap)["village"]


@dataclass(frozen=True)
class QuotaSelection:
    """The result of :func:`select_by_quota`: ``selected`` (one flag per household), and the
    ``villages`` (county, households, poverty, quota) and ``counties`` (poverty, quota) tables."""

    selected: np.ndarray
    villages: pd.DataFrame
    counties: pd.DataFrame


def select_by_quota(
    units: Any,
    scores: Any,
    total: int,
    threshold: float | None = None,
    poverty: Any = None,
    counties: Any = None,
    weights: Any = None,
    ids: Any = None,
) -> QuotaSelection:
    """Select ``total`` households: a quota allocated top-down (规模控制) and filled with the
    lowest scores in each village.

    1. Each village's poverty is ``poverty`` if given (a mapping or Series by village, or an
       array in village order), else the weighted number of its households with
       ``score < threshold``.
    2. ``total`` goes to counties in proportion to their poverty (the sum over their villages),
       then each county's quota to its villages in proportion to theirs — largest remainders,
       never more than a village's households (:func:`allocate_quota`).
    3. Each village selects its quota of lowest scores.

    ``units`` is a :class:`fupin.Registry` (its villages and counties; ``weights`` default to the
    registry's ``weight``) or each household's village label, with ``counties`` each household's
    county label (one county if omitted).

    Ties are never decided by row position: equal scores go to the lower household id (a
    registry's own ids; with labels, ``ids``, one unique id per household — without them the
    positions serve as ids, the earlier row first), and equal remainders of the apportionment to
    the lower village or county id. With a registry (or with ``ids``), permuting the households
    does not change who is selected.
    """
    s = f64(scores, "scores")
    if isinstance(units, Registry):
        h = units._native.columns("households")
        ids = h["household_id"]
        v = units._native.columns("villages")
        village_ids = pd.Index(v["village_id"], name="village")
        vcode = np.ascontiguousarray(village_ids.get_indexer(_as_index(h["village_id"])), dtype=np.int64)
        village_county = np.asarray(v["county_id"], dtype=object)
        if weights is None:
            weights = h["weight"]
        if poverty is None and threshold is not None and weights is h["weight"]:
            q = _native.quota_selection(units._native, s, float(threshold), _args.integer(total, "total", 0))
            return _quota_result(
                q["selected"], vcode, village_ids, village_county,
                q["village_poverty"], q["village_quota"],
            )
    else:
        vcode, village_ids = codes(units, "villages")
        hc = np.zeros(len(vcode), dtype=object) if counties is None else _array_of(counties)
        if len(hc) != len(vcode):
            raise error(f"counties has {len(hc)} rows, villages {len(vcode)}", column="counties")
        village_county = np.empty(len(village_ids), dtype=object)
        seen = np.zeros(len(village_ids), dtype=bool)
        for i, (vc, c) in enumerate(zip(vcode, hc, strict=True)):
            if not seen[vc]:
                village_county[vc], seen[vc] = c, True
            elif village_county[vc] != c:
                raise error(
                    f"counties: row {i + 1} puts village {village_ids[vc]!r} in county {c!r}, "
                    f"an earlier row in {village_county[vc]!r}",
                    column="counties", row=i + 1, value=c,
                )
    nv = len(village_ids)
    if poverty is None:
        if threshold is None:
            raise error("select_by_quota needs threshold (or poverty by village)", column="threshold")
        vp = _native.estimated_poor_by_village(s, vcode, float(threshold), _weights(weights), nv)
    elif isinstance(poverty, Mapping | pd.Series):
        ser = pd.Series(poverty)
        missing = [x for x in village_ids if x not in ser.index]
        if missing:
            raise error(f"poverty has no value for village {missing[0]!r}", column="poverty", value=missing[0])
        vp = f64(ser.loc[list(village_ids)].to_numpy(), "poverty")
    else:
        vp = f64(poverty, "poverty")
    ccode, _ = codes(village_county, "county")  # counties in id order where ids sort
    capacity = np.bincount(vcode, minlength=nv).astype(np.int64)
    # Villages in id order, so that equal remainders go to the lower village id.
    order = _id_order(village_ids)
    plan = _native.allocate_quota(
        _args.integer(total, "total", 0), vp[order], capacity[order], ccode[order]
    )
    quota = np.empty(nv, dtype=np.int64)
    quota[order] = plan["village"]
    selected = _native.select_by_quota(s, vcode, quota, _tie_ids(ids, len(s)))
    return _quota_result(selected, vcode, village_ids, village_county, vp, quota)


def _id_order(labels: pd.Index) -> np.ndarray:
    """Positions of ``labels`` in id order (their own order when they do not sort)."""
    try:
        return np.asarray(labels.argsort(kind="stable"), dtype=np.int64)
    except TypeError:
        return np.arange(len(labels), dtype=np.int64)


def _tie_ids(ids: Any, n: int) -> np.ndarray | list[str] | None:
    """Household ids for ties as the native call takes them: int64 or text."""
    if ids is None:
        return None
    a = np.asarray(list(ids) if not hasattr(ids, "__len__") else ids)
    if a.ndim != 1 or len(a) != n:
        raise error(f"ids must be one id per household ({n}), got shape {a.shape}", column="ids")
    if a.dtype.kind in "iu" and (a.dtype.kind == "i" or a.max(initial=0) < 2**63):
        return np.ascontiguousarray(a, dtype=np.int64)
    if a.dtype.kind in "fcbmM":
        raise error(f"ids must be integers or text, got {a.dtype}", column="ids")
    return [str(x) for x in a]


def _as_index(values: Any) -> pd.Index:
    return pd.Index(values if isinstance(values, list) else np.asarray(values))


def _array_of(values: Any) -> np.ndarray:
    return np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=object)


def _quota_result(
    selected: np.ndarray,
    vcode: np.ndarray,
    village_ids: pd.Index,
    village_county: np.ndarray,
    poverty: np.ndarray,
    quota: np.ndarray,
) -> QuotaSelection:
    nv = len(village_ids)
    villages = pd.DataFrame(
        {
            "county": village_county,
            "households": np.bincount(vcode, minlength=nv),
            "poverty": np.asarray(poverty, dtype=np.float64),
            "quota": np.asarray(quota, dtype=np.int64),
            "selected": np.bincount(vcode, weights=selected.astype(np.float64), minlength=nv).astype(np.int64),
        },
        index=pd.Index(village_ids, name="village"),
    )
    counties = villages.groupby("county", sort=False)[["households", "poverty", "quota", "selected"]].sum()
    return QuotaSelection(selected=np.asarray(selected, dtype=bool), villages=villages, counties=counties)


# ---- targeting errors ----------------------------------------------------------------------

_ERROR_DOC = """
    With survey weights, SP is the weight of the selected poor, SN of the selected non-poor, EP
    of the excluded poor and EN of the excluded non-poor:

    ====================== ============================ ===========================================
    inclusion_error        SN / (SP + SN)               = ``leakage``, E-error (Cornia & Stewart 1993)
    exclusion_error        EP / (SP + EP)               under-coverage, F-error
    coverage               SP / (SP + EP)               1 − exclusion error
    nonpoor_coverage       SN / (SN + EN)
    targeting_differential coverage − nonpoor_coverage  Ravallion (2000); Coady, Grosh & Hoddinott (2004)
    ====================== ============================ ===========================================

    plus the four cells ``selected_poor``, ``selected_nonpoor``, ``excluded_poor``,
    ``excluded_nonpoor``. A ratio with a zero denominator is NaN (undefined, not zero).
"""


def errors(selected: Any, poor: Any, weights: Any = None) -> pd.Series:
    """Targeting errors of a selection against true poverty status, as a Series.
    """
    e = _native.targeting_errors(flag_array(selected, "selected"), flag_array(poor, "poor"), _weights(weights))
    return pd.Series(e, name="errors", dtype=np.float64)


errors.__doc__ = (errors.__doc__ or "") + _ERROR_DOC


def error_curve(scores: Any, poor: Any, thresholds: Any, weights: Any = None) -> pd.DataFrame:
    """Targeting errors when the units with ``score < t`` are selected, for each threshold ``t``:
    one row per threshold, with ``threshold`` and ``selected_share`` (weighted share selected)
    first, then the columns of :func:`errors`.
    """
    t = f64(thresholds, "thresholds")
    out = pd.DataFrame(
        _native.targeting_errors(f64(scores, "scores"), flag_array(poor, "poor"), _weights(weights), t)
    )
    cells = out[["selected_poor", "selected_nonpoor", "excluded_poor", "excluded_nonpoor"]].sum(axis=1)
    out.insert(0, "selected_share", (out["selected_poor"] + out["selected_nonpoor"]) / cells)
    out.insert(0, "threshold", t)
    return out


def errors_by_group(selected: Any, poor: Any, groups: Any, weights: Any = None) -> pd.DataFrame:
    """Targeting errors within each group (village, county): a DataFrame indexed by group label
    with the columns of :func:`errors`."""
    g, labels = codes(groups, "groups")
    out = _native.targeting_errors(
        flag_array(selected, "selected"), flag_array(poor, "poor"), _weights(weights), group=g, n_groups=len(labels)
    )
    return pd.DataFrame(out, index=pd.Index(labels, name="group"))
