"""The registry as users build it: frames, CSV, validation messages, round trips, pickling."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pandas as pd
import pytest

import fupin


def build(h: pd.DataFrame, v: pd.DataFrame | None = None) -> fupin.Registry:
    return fupin.Registry.from_frame(h, villages=v)


def test_counts_and_defaults(households, villages):
    reg = build(households, villages)
    assert reg.n_households == 8
    assert reg.n_villages == 4
    assert reg.n_counties == 2
    # weighted: 3 + 4 + 2*1 + 2 + 5 + 1.5*3 + 2 + 4
    assert reg.registered_people == pytest.approx(26.5, abs=0)
    assert reg.registered_households == pytest.approx(9.5, abs=0)
    h = reg.households()
    assert list(h["safe_water"]) == [True] * 8  # default
    assert list(h["head_education_years"]) == [6] * 8  # default
    assert list(h["registered"]) == [True] * 8
    assert list(h["county_id"]) == ["A", "A", "A", "A", "A", "B", "B", "B"]
    v = reg.villages()
    # poor by default when registered people / population exceed the threshold:
    # v1: (3+4+2)/400 = 2.25 % > 2 %; v2: 7/300 = 2.3 % > 2 %; v3: 10.5/250 = 4.2 % > 3 %; v4: 0.
    assert list(v["poor"]) == [True, True, True, False]
    assert reg.poor_villages == 3


def test_defaults_without_optional_columns():
    h = pd.DataFrame({"household_id": ["a", "b"], "village_id": ["x", "y"],
                      "size": [4, 2], "income_per_capita": [1000.0, 2000.0]})
    reg = build(h)
    out = reg.households()
    assert list(out["labour"]) == [4, 2]  # size - elderly - students
    assert list(out["county_id"]) == [0, 0]
    v = reg.villages()
    assert list(v["population"]) == [4, 2]
    assert list(v["region"]) == ["centre", "centre"]


def test_frame_round_trip_loses_nothing(households, villages):
    reg = build(households, villages)
    again = build(reg.households(), reg.villages())
    assert again == reg
    pd.testing.assert_frame_equal(again.households(), reg.households())


def test_csv_round_trip_loses_nothing(tmp_path, households, villages):
    reg = build(households, villages)
    reg.write_csv(tmp_path / "h.csv", tmp_path / "v.csv")
    back = fupin.Registry.read_csv(tmp_path / "h.csv", tmp_path / "v.csv")
    assert back == reg
    back.write_csv(tmp_path / "h2.csv", tmp_path / "v2.csv")
    assert (tmp_path / "h.csv").read_text() == (tmp_path / "h2.csv").read_text()
    assert (tmp_path / "v.csv").read_text() == (tmp_path / "v2.csv").read_text()


def test_awkward_floats_survive_csv(tmp_path):
    incomes = [0.1 + 0.2, 1e-7, 2999.9999999999995, 123456789.123]
    h = pd.DataFrame({"household_id": [1, 2, 3, 4], "village_id": [1, 1, 1, 1],
                      "size": [1, 1, 1, 1], "income_per_capita": incomes})
    build(h).write_csv(tmp_path / "h.csv")
    back = fupin.Registry.read_csv(tmp_path / "h.csv")
    assert list(back.incomes()) == incomes


def test_text_ids_with_leading_zeros_survive_csv(tmp_path):
    h = pd.DataFrame({"household_id": ["007", "010"], "village_id": ["01", "01"],
                      "size": [1, 2], "income_per_capita": [1.0, 2.0]})
    build(h).write_csv(tmp_path / "h.csv")
    back = fupin.Registry.read_csv(tmp_path / "h.csv").households()
    assert list(back["household_id"]) == ["007", "010"]
    assert list(back["village_id"]) == ["01", "01"]


def test_polars_and_pyarrow_inputs_equal_pandas(households, villages):
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    reference = build(households, villages)
    assert build(pl.from_pandas(households), pl.from_pandas(villages)) == reference
    assert build(pa.Table.from_pandas(households), pa.Table.from_pandas(villages)) == reference
    assert build(households.to_dict("list"), villages.to_dict("list")) == reference
    out = reference.households(kind="polars")
    assert out.shape == (8, 19)


def test_parquet_through_pandas(tmp_path, households, villages):
    pytest.importorskip("pyarrow")
    households.to_parquet(tmp_path / "h.parquet")
    reg = build(pd.read_parquet(tmp_path / "h.parquet"), villages)
    assert reg == build(households, villages)


def test_pickle_round_trip(households, villages):
    reg = build(households, villages)
    assert pickle.loads(pickle.dumps(reg)) == reg


def test_select_keeps_villages(households, villages):
    reg = build(households, villages)
    sub = reg.select([7, 0])
    assert sub.n_households == 2 and sub.n_villages == 4
    assert list(sub.households()["household_id"]) == [108, 101]


# ---- validation: every rule, from Python, naming column, row and value -------------------------

def expect_error(h, v=None, *, column, row, value_contains, message_contains=""):
    with pytest.raises(fupin.ValidationError) as info:
        build(h, v)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, fupin.FupinError)
    assert err.column == column, str(err)
    assert err.row == row, str(err)
    if value_contains is not None:
        assert value_contains in str(err.value), str(err)
    assert message_contains in str(err), str(err)
    return err


@pytest.mark.parametrize("column", ["household_id", "village_id", "size", "income_per_capita"])
def test_missing_required_column(households, column):
    with pytest.raises(fupin.ValidationError) as info:
        build(households.drop(columns=[column]))
    assert info.value.column == column
    assert info.value.row is None
    assert f"required column `{column}` is missing" in str(info.value)


def test_nan_income_names_row(households):
    households.loc[6, "income_per_capita"] = np.nan
    expect_error(households, column="income_per_capita", row=7, value_contains="NaN")


def test_infinite_income_names_row(households):
    households.loc[2, "income_per_capita"] = math.inf
    expect_error(households, column="income_per_capita", row=3, value_contains="inf")


def test_negative_income(households):
    households.loc[4, "income_per_capita"] = -5.0
    expect_error(households, column="income_per_capita", row=5, value_contains="-5",
                 message_contains="negative")


@pytest.mark.parametrize("size", [0, -2])
def test_zero_or_negative_size(households, size):
    households.loc[3, "size"] = size
    expect_error(households, column="size", row=4, value_contains=str(size))


def test_fractional_size(households):
    households["size"] = households["size"].astype(float)
    households.loc[1, "size"] = 2.5
    expect_error(households, column="size", row=2, value_contains="2.5", message_contains="whole")


def test_labour_above_size(households):
    households.loc[0, "labour"] = 4
    expect_error(households, column="labour", row=1, value_contains="4",
                 message_contains="exceeds the household size 3")


def test_duplicate_household_id(households):
    households.loc[5, "household_id"] = 102
    err = expect_error(households, column="household_id", row=6, value_contains="102")
    assert "first seen in row 2" in str(err)


def test_unknown_village(households, villages):
    households.loc[4, "village_id"] = 99
    expect_error(households, villages, column="village_id", row=5, value_contains="99",
                 message_contains="not a known village")


def test_unknown_cause_code(households):
    households.loc[3, "causes"] = "land;flood"
    expect_error(households, column="causes", row=4, value_contains="flood")


def test_unknown_primary_cause(households):
    households.loc[3, "primary_cause"] = "bad luck"
    expect_error(households, column="primary_cause", row=4, value_contains="bad luck")


def test_primary_cause_must_be_among_causes(households):
    households.loc[1, "primary_cause"] = "illness"
    expect_error(households, column="primary_cause", row=2, value_contains="illness",
                 message_contains="not among")


@pytest.mark.parametrize("weight", [0.0, -1.0, np.nan])
def test_weight_must_be_positive(households, weight):
    households.loc[2, "weight"] = weight
    expect_error(households, column="weight", row=3, value_contains=None)


def test_unknown_region(households, villages):
    villages.loc[1, "region"] = "north"
    expect_error(households, villages, column="region", row=2, value_contains="north")


def test_mixed_regions_in_one_county(households, villages):
    villages.loc[3, "region"] = "east"
    expect_error(households, villages, column="region", row=4, value_contains="east")


def test_population_below_household_members(households, villages):
    villages.loc[2, "population"] = 5
    expect_error(households, villages, column="population", row=3, value_contains="5")


def test_county_disagreeing_with_village(households, villages):
    households["county_id"] = ["A", "A", "A", "A", "A", "B", "B", "A"]
    expect_error(households, villages, column="county_id", row=8, value_contains="A")


def test_bad_flag(households):
    households["housing_safe"] = households["housing_safe"].astype(object)
    households.loc[5, "housing_safe"] = "maybe"
    expect_error(households, column="housing_safe", row=6, value_contains="maybe")


def test_duplicate_village(households, villages):
    villages.loc[3, "village_id"] = 1
    expect_error(households, villages, column="village_id", row=4, value_contains="1")


def test_empty_registry(households):
    with pytest.raises(fupin.ValidationError, match="no rows"):
        build(households.iloc[0:0])


def test_csv_nan_in_row_7_names_row_column_value(tmp_path, households):
    households.loc[6, "income_per_capita"] = np.nan
    households.to_csv(tmp_path / "h.csv", index=False)
    with pytest.raises(fupin.ValidationError) as info:
        fupin.Registry.read_csv(tmp_path / "h.csv")
    assert info.value.row == 7 and info.value.column == "income_per_capita"
    assert "h.csv" in str(info.value)


def test_csv_unknown_village_names_row(tmp_path, households, villages):
    households.loc[2, "village_id"] = 42
    households.to_csv(tmp_path / "h.csv", index=False)
    villages.to_csv(tmp_path / "v.csv", index=False)
    with pytest.raises(fupin.ValidationError) as info:
        fupin.Registry.read_csv(tmp_path / "h.csv", tmp_path / "v.csv")
    assert (info.value.column, info.value.row, info.value.value) == ("village_id", 3, "42")


def test_csv_missing_file_is_io_error(tmp_path):
    with pytest.raises(fupin.FupinIOError) as info:
        fupin.Registry.read_csv(tmp_path / "absent.csv")
    assert isinstance(info.value, OSError)


def test_csv_ragged_row_names_line(tmp_path):
    (tmp_path / "h.csv").write_text(
        "household_id,village_id,size,income_per_capita\n1,1,2,100\n2,1,3\n"
    )
    with pytest.raises(fupin.ValidationError, match="line 3"):
        fupin.Registry.read_csv(tmp_path / "h.csv")


def test_wrong_column_type_is_validation_error(households):
    with pytest.raises(fupin.ValidationError, match="size"):
        fupin._native.Registry.from_columns({"size": object()})
