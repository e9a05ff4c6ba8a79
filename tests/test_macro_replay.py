"""The macro replay example runs, and its published series and fall arithmetic are right."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parents[1] / "examples" / "macro_replay.py"


@pytest.fixture(scope="module")
def replay_module():
    spec = importlib.util.spec_from_file_location("macro_replay", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_published_path_adds_up_to_zero(replay_module):
    path = replay_module.published_path()
    # 82.49 − 12.32 = 70.17; − 14.42 = 55.75; … the seven falls sum to the 2013 stock.
    assert path[2014] == pytest.approx(70.17)
    assert path[2015] == pytest.approx(55.75)
    assert path[2020] == pytest.approx(0.0, abs=1e-9)


def test_small_replay_runs_and_reports_falls(replay_module):
    table, fits = replay_module.replay(households=1500, villages=60, replications=2)
    assert list(table.index) == list(range(2014, 2021))
    pub = table[("fall (million)", "published")]
    assert np.allclose(pub, [12.32, 14.42, 12.40, 12.89, 13.86, 11.09, 5.51])
    # Falls are differences of the stock path, starting from 82.49.
    base = table[("poor (million)", "baseline")]
    falls = table[("fall (million)", "baseline")]
    assert falls.iloc[0] == pytest.approx(82.49 - base.iloc[0], abs=0.011)
    assert np.allclose(falls.iloc[1:], -np.diff(base), atol=0.011)
    reg = replay_module.national_registry(1500, 60, 2013)
    h = reg.households()
    assert (h["weight"] * h["size"]).sum() == pytest.approx(82.49e6)
    assert set(fits) == {"growth fitted", "growth fitted, guarantees met"}
