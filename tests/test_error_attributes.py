"""Every fupin error carries ``column``, ``row`` (1-based) and ``value``: set where the error names a
parameter or a cell, None where it does not, and never an AttributeError.

One test per source that raises (a Python module of python/fupin, or a file of the binding in
crates/fupin-py): each provokes one error whose cell is known by construction and compares the
three attributes with it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import fupin
from fupin import _native, metrics, policy, targeting
from fupin import timelines as tl


def attributes(err: BaseException) -> tuple[object, object, object]:
    return err.column, err.row, err.value  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def small():
    return fupin.datasets.synthetic(60, 3, seed=3)


@pytest.fixture(scope="module")
def results(small):
    return fupin.simulate(small, years=range(2016, 2019), replications=2, seed=1, progress=False)


# ---- the classes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls", [fupin.FupinError, fupin.ValidationError, fupin.FupinIOError, fupin.NumericalError]
)
def test_every_class_defaults_the_attributes_to_none(cls):
    err = cls("raised by hand")
    assert attributes(err) == (None, None, None)
    assert issubclass(cls, fupin.FupinError)


# ---- Python modules -----------------------------------------------------------------------------


def test_args_scalar_parameter_names_itself(small):
    # _args.invalid: a seed of 2.5 is refused, not truncated.
    with pytest.raises(fupin.ValidationError) as info:
        fupin.simulate(small, seed=2.5, progress=False)
    assert attributes(info.value) == ("seed", None, "2.5")


def test_args_array_names_row_and_value():
    # _args.f64 through metrics: the third income is text.
    with pytest.raises(fupin.ValidationError) as info:
        metrics.fgt([1.0, 2.0, "three"], 5.0)
    assert attributes(info.value) == ("incomes", 3, "three")


def test_args_spec_text_io_error_has_the_attributes(tmp_path):
    missing = tmp_path / "absent.toml"
    with pytest.raises(fupin.FupinIOError) as info:
        fupin.IncomeModel.from_toml(str(missing))
    assert attributes(info.value) == (None, None, None)


def test_frames_duplicate_column_is_named():
    frame = pd.DataFrame([[1, 1, 3, 2000.0]], columns=["household_id", "size", "size", "x"])
    with pytest.raises(fupin.ValidationError) as info:
        fupin.Registry.from_frame(frame)
    assert attributes(info.value) == ("size", None, None)


def test_policy_field_is_named():
    with pytest.raises(fupin.ValidationError) as info:
        policy.budget_spec({"yearly": 1e6, "monthly": 5})
    assert attributes(info.value) == ("budget", None, None)
    assert str(info.value).startswith("budget: unknown field 'monthly'")


def test_measures_kind_is_named():
    with pytest.raises(fupin.ValidationError) as info:
        fupin.measures.Measure("teleport")
    assert attributes(info.value) == ("kind", None, "'teleport'")


def test_metrics_level_is_named(small):
    with pytest.raises(fupin.ValidationError) as info:
        metrics.profile(small, 2300, by="province")
    assert attributes(info.value) == ("by", None, "'province'")


def test_dynamics_section_is_named():
    with pytest.raises(fupin.ValidationError) as info:
        fupin.IncomeModel().replace(weather={"rain": 1})
    assert attributes(info.value) == ("weather", None, None)


def test_engine_plan_for_no_scenario_is_named(small):
    with pytest.raises(fupin.ValidationError) as info:
        fupin.simulate(small, plans={"nowhere": object()}, progress=False)
    assert attributes(info.value) == ("plans[nowhere]", None, "'nowhere'")


def test_results_scenario_is_named(results):
    with pytest.raises(fupin.ValidationError) as info:
        results.households("no such scenario")
    assert attributes(info.value) == ("scenario", None, "'no such scenario'")


def test_projections_level_is_named(results):
    # The level is checked by the core (results::ExitLevel), which quotes text values as Rust does.
    with pytest.raises(fupin.ValidationError) as info:
        tl.exit_projections(results, level="township")
    assert attributes(info.value) == ("level", None, '"township"')


def test_panels_cell_is_named():
    panel = pd.DataFrame(
        {"household_id": [1, 1, 2], "year": [2016, 2017, 2016], "poor": [True, "maybe", 0]}
    )
    with pytest.raises(fupin.ValidationError) as info:
        tl.spells(panel)
    assert attributes(info.value) == ("poor", 2, "'maybe'")


def test_timelines_cell_is_named():
    with pytest.raises(fupin.ValidationError) as info:
        tl.kaplan_meier([1.0, "x", 3.0], [True, True, False])
    assert attributes(info.value) == ("durations", 2, "'x'")


def test_calibrate_parameter_is_named(small):
    with pytest.raises(fupin.ValidationError) as info:
        tl.calibrate_headcount(small, {2016: 10.0}, {"income.growth": (0.05, 0.0, 0.1)},
                               measure="misery")
    assert attributes(info.value) == ("measure", None, "'misery'")


def test_hazard_parameter_is_named():
    with pytest.raises(fupin.ValidationError) as info:
        tl.HazardModel.fit(np.ones((4, 1)), event="event")
    assert attributes(info.value) == ("event", None, None)


def test_targeting_flag_cell_is_named():
    with pytest.raises(fupin.ValidationError) as info:
        targeting.errors([True, False, 2], [True, False, True])
    assert attributes(info.value) == ("selected", 3, "2")


def test_exit_persons_column_is_named(small):
    with pytest.raises(fupin.ValidationError) as info:
        targeting.check_records(small, 2300.0, persons={"household_id": [1]})
    assert attributes(info.value) == ("key", None, None)


def test_pmt_missing_proxy_is_named(small):
    with pytest.raises(fupin.ValidationError) as info:
        targeting.ProxyMeansTest.fit(small, "income_per_capita", ["size", "no_such_proxy"])
    assert attributes(info.value) == ("no_such_proxy", None, None)


def test_mpi_indicator_shape_is_named():
    with pytest.raises(fupin.ValidationError) as info:
        targeting.mpi(np.ones((2, 2, 2)), [0.5, 0.5], 0.3)
    assert attributes(info.value) == ("indicators", None, None)


# ---- the binding (crates/fupin-py/src) ----------------------------------------------------------


def test_binding_errors_rs_core_error_names_the_cell():
    frame = pd.DataFrame({"household_id": [1, 2], "village_id": [1, 1], "size": [3, -1],
                          "income_per_capita": [2000.0, 2500.0]})
    with pytest.raises(fupin.ValidationError) as info:
        fupin.Registry.from_frame(frame)
    assert (info.value.column, info.value.row) == ("size", 2)


def test_binding_convert_rs_column_is_named():
    with pytest.raises(fupin.ValidationError) as info:
        _native.Registry.from_columns({"size": object()})
    assert attributes(info.value) == ("size", None, None)


def test_binding_select_rs_code_is_named():
    with pytest.raises(fupin.ValidationError) as info:
        _native.select_by_quota(
            np.array([1.0, 2.0]), np.array([0, -4], dtype=np.int64), np.array([1], dtype=np.int64)
        )
    assert attributes(info.value) == ("household_village", 2, "-4")


def test_binding_mpi_rs_dropout_is_named(small):
    dropouts = np.zeros(small.n_households, dtype=np.int64)
    dropouts[4] = 70_000
    with pytest.raises(fupin.ValidationError) as info:
        _native.two_assurances_three_guarantees(small._native, 2300.0, dropouts)
    assert attributes(info.value) == ("dropouts", 5, "70000")


def test_binding_pmt_rs_dummy_is_named():
    with pytest.raises(fupin.ValidationError) as info:
        _native.dummies("roof", ["mud", "tile"], None, ["mud", "tile"])
    assert attributes(info.value) == ("roof", None, None)


def test_binding_calibrate_rs_year_is_named():
    with pytest.raises(fupin.ValidationError) as info:
        _native.calibrate_income(
            np.array([0, 0], dtype=np.int64),
            np.array([2016, 2**40], dtype=np.int64),
            np.array([1.0, 2.0]),
        )
    assert attributes(info.value) == ("year", 2, str(2**40))


def test_binding_timelines_rs_kind_and_period_are_named():
    hh = np.array([0, 0], dtype=np.int64)
    years = np.array([2016, 2017], dtype=np.int64)
    poor = np.array([True, False])
    with pytest.raises(fupin.ValidationError) as info:
        _native.spells(hh, years, poor, "enter")
    assert attributes(info.value) == ("kind", None, '"enter"')
    with pytest.raises(fupin.ValidationError) as info:
        _native.design_matrix(np.ones((3, 1)), np.array([1, 0, 2], dtype=np.int64), 2)
    assert attributes(info.value) == ("period", 2, "0")
    # Malformed JSON names what was parsed and quotes the text (convert::from_json).
    with pytest.raises(fupin.ValidationError) as info:
        _native.HazardModel.from_json("{")
    assert attributes(info.value) == ("HazardModel", None, "{")
