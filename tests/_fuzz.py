"""Shared machinery of the property-based (Hypothesis) fuzz tests, ``tests/test_fuzz_*.py``.

The contract every fuzz test asserts: a public call either succeeds with finite, sane outputs or
raises one of fupin's documented errors (:class:`fupin.ValidationError`, :class:`fupin.FupinError`,
:class:`fupin.FupinIOError`, :class:`fupin.NumericalError`), never another exception type (a
``pyo3_runtime.PanicException``, ``OverflowError``, ``TypeError``, a pandas or pyarrow error …),
never NaN, never a hang.

Budgets. Under pytest the ``ci`` profile runs: a fixed seed (``derandomize=True``), no deadline,
and the ``max_examples`` each test names in :func:`fuzz` (chosen so that all fuzz tests together
stay within 90 s on the 2-core development machine). ``FUPIN_FUZZ_EXAMPLES=N`` selects the
``long`` profile: every fuzz test runs ``N`` examples from a random seed (pass
``--hypothesis-seed`` to pytest to repeat a run); ``scripts/fuzz.sh`` drives it.
``FUPIN_FUZZ_COUNTS=path`` appends one line per example run (the test's name) to ``path``, so a
long run can report the cases run per target.

Failures that the fuzz driver counts carry a marker in their message: ``FUZZ-PANIC`` (a Rust panic
reached Python), ``FUZZ-HANG`` (a call did not return within its watchdog),
``FUZZ-WRONG-ERROR`` (an exception outside fupin's hierarchy), ``FUZZ-NAN`` (a non-finite output
from accepted input).
"""

from __future__ import annotations

import functools
import math
import os
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings

import fupin

LONG_EXAMPLES = int(os.environ.get("FUPIN_FUZZ_EXAMPLES", "0") or 0)
COUNTS_PATH = os.environ.get("FUPIN_FUZZ_COUNTS")
#: ``FUPIN_FUZZ_NO_SHRINK=1``: report failing examples unshrunk (quicker triage, timing).
NO_SHRINK = os.environ.get("FUPIN_FUZZ_NO_SHRINK", "") not in ("", "0")
#: ``FUPIN_FUZZ_TIMING=1``: contract violations do not stop a test (every example runs, as on a
#: branch where all pass), to time the CI budget on a branch that still has defects.
TIMING = os.environ.get("FUPIN_FUZZ_TIMING", "") not in ("", "0")
#: Seconds a single call may take before it counts as a hang (long runs may raise it).
HANG_SECONDS = float(os.environ.get("FUPIN_FUZZ_HANG_SECONDS", "20"))

_COMMON = dict(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
    print_blob=True,
)
settings.register_profile("ci", derandomize=True, database=None, **_COMMON)
settings.register_profile("long", derandomize=False, database=None, **_COMMON)
settings.load_profile("long" if LONG_EXAMPLES > 0 else "ci")

DOCUMENTED = (fupin.ValidationError, fupin.FupinError, fupin.FupinIOError, fupin.NumericalError)


def fuzz(max_examples: int, shrink: bool = True, **strategies: Any) -> Callable:
    """``@given(**strategies)`` with this test's CI budget (``max_examples``), or the long run's;
    ``shrink=False`` for tests whose failures may be hangs (each shrink step would wait for the
    watchdog again)."""

    def decorate(test: Callable) -> Callable:
        name = test.__name__

        @functools.wraps(test)
        def counted(*args: Any, **kwargs: Any) -> Any:
            if COUNTS_PATH:
                with open(COUNTS_PATH, "a", encoding="utf-8") as f:
                    f.write(name + "\n")
            if not TIMING:
                return test(*args, **kwargs)
            try:
                return test(*args, **kwargs)
            except AssertionError:
                return None

        keep = shrink and not NO_SHRINK
        phases = list(Phase) if keep else [Phase.explicit, Phase.reuse, Phase.generate]
        n = LONG_EXAMPLES if LONG_EXAMPLES > 0 else max_examples
        return settings(max_examples=n, phases=phases)(given(**strategies)(counted))

    return decorate


class Refused:
    """A call that raised one of fupin's documented errors."""

    def __init__(self, error: BaseException) -> None:
        self.error = error

    @property
    def column(self) -> Any:
        return getattr(self.error, "column", None)

    @property
    def row(self) -> Any:
        return getattr(self.error, "row", None)

    def __repr__(self) -> str:
        return f"Refused({type(self.error).__name__}: {self.error})"


def outcome(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; return its value, or :class:`Refused` when it raised a documented fupin
    error. Anything else fails the test with a marker naming what crossed the boundary."""
    try:
        return fn(*args, **kwargs)
    except DOCUMENTED as e:
        return Refused(e)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # noqa: BLE001 - the point is to classify everything else
        kind = "FUZZ-PANIC" if type(e).__name__ == "PanicException" else "FUZZ-WRONG-ERROR"
        raise AssertionError(f"{kind}: {type(e).__module__}.{type(e).__name__}: {e}") from e


def guarded(fn: Callable, *args: Any, seconds: float | None = None, **kwargs: Any) -> Any:
    """:func:`outcome` run on a watchdog thread: a call that does not return within ``seconds``
    fails the test (``FUZZ-HANG``) instead of hanging the suite (the stuck thread is abandoned)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = outcome(fn, *args, **kwargs)
        except BaseException as e:  # noqa: BLE001 - re-raised on the test's thread
            box["error"] = e

    t = threading.Thread(target=run, daemon=True, name="fupin-fuzz-watchdog")
    t.start()
    t.join(HANG_SECONDS if seconds is None else seconds)
    if t.is_alive():
        raise AssertionError(f"FUZZ-HANG: {getattr(fn, '__qualname__', fn)} did not return "
                             f"within {HANG_SECONDS if seconds is None else seconds} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


def check_finite(value: Any, what: str) -> None:
    """Every number in ``value`` (a float, array, DataFrame or nested list/dict) is finite."""
    if isinstance(value, float | np.floating):
        assert math.isfinite(value), f"FUZZ-NAN: {what} = {value}"
    elif isinstance(value, np.ndarray):
        if value.dtype.kind == "f":
            assert np.isfinite(value).all(), f"FUZZ-NAN: {what} has non-finite entries: {value}"
    elif hasattr(value, "select_dtypes"):
        numbers = value.select_dtypes("number").to_numpy(dtype=np.float64, na_value=np.nan)
        assert np.isfinite(numbers).all(), f"FUZZ-NAN: {what} has non-finite entries:\n{value}"
    elif isinstance(value, dict):
        for k, v in value.items():
            check_finite(v, f"{what}[{k!r}]")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            check_finite(v, f"{what}[{i}]")


def check_cell_error(result: Any, column: str, row: int) -> None:
    """``result`` is a :class:`Refused` ValidationError naming ``column`` and 1-based ``row``."""
    assert isinstance(result, Refused), f"bad cell {column!r} row {row} was accepted: {result!r}"
    assert isinstance(result.error, fupin.ValidationError), result
    assert (result.column, result.row) == (column, row), (
        f"error names column {result.column!r} row {result.row!r}, the bad cell is "
        f"{column!r} row {row}: {result.error}"
    )
