"""Bad inputs get a named error; nothing is silently changed (issue #12, items 6, 8 and 9).

Each test states the value it expects from the input itself (the ids as given, the row that was
bad, the schedule's published range), never from what the code happened to return.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import fupin
from fupin import Registry, ValidationError
from fupin.cli import main


def frame(**columns):
    base = {
        "household_id": [1, 2, 3],
        "village_id": [10, 10, 20],
        "size": [2, 3, 4],
        "income_per_capita": [1000.0, 2000.0, 3000.0],
    }
    base.update(columns)
    return pd.DataFrame(base)


@pytest.fixture(scope="module")
def small():
    return fupin.datasets.county("changle", seed=0).select(list(range(40)))


def run(reg, **kw):
    args = {"years": range(2016, 2018), "replications": 2, "progress": False}
    args.update(kw)
    return fupin.simulate(reg, **args)


# ---- 6. silent changes --------------------------------------------------------------------------

BIG = [2**63, 2**64 - 1, 5]  # the first two do not fit int64


@pytest.mark.parametrize("kind", ["pandas", "numpy", "polars", "pyarrow", "objects"])
def test_uint64_ids_beyond_int64_are_kept_exactly(kind):
    ids = np.array(BIG, dtype=np.uint64)
    data = {"household_id": ids, "village_id": [10, 10, 20], "size": [2, 3, 4],
            "income_per_capita": [1000.0, 2000.0, 3000.0]}
    if kind == "pandas":
        table = pd.DataFrame(data)
    elif kind == "numpy":
        table = data
    elif kind == "polars":
        table = pl.DataFrame(data)
    elif kind == "pyarrow":
        table = pa.table(data)
    else:
        table = frame(household_id=pd.Series(BIG, dtype=object))
    got = Registry.from_frame(table).households()["household_id"]
    assert [str(x) for x in got] == ["9223372036854775808", "18446744073709551615", "5"]


def test_python_ints_beyond_int64_in_a_numeric_column_are_a_named_error():
    with pytest.raises(ValidationError) as e:
        Registry.from_frame(frame(size=pd.Series([2, 2**63, 4], dtype=object)))
    assert (e.value.column, e.value.row) == ("size", 2)


@pytest.mark.parametrize(("slip", "known"), [
    ("wieght", "weight"), ("Weight", "weight"), ("weights", "weight"), ("labor", "labour"),
    ("Elderly ", "elderly"), ("head_education_year", "head_education_years"),
])
def test_a_misspelt_optional_column_is_refused_naming_it_and_the_known_name(slip, known):
    with pytest.raises(ValidationError) as e:
        Registry.from_frame(frame(**{slip: [1, 1, 1]}))
    assert e.value.column == slip
    assert f"`{known}`" in str(e.value)


def test_a_misspelt_column_in_a_csv_file_or_a_villages_table_is_refused(tmp_path):
    frame(wieght=[2.0, 2.0, 2.0]).to_csv(tmp_path / "h.csv", index=False)
    with pytest.raises(ValidationError) as e:
        Registry.read_csv(tmp_path / "h.csv")
    assert e.value.column == "wieght" and "`weight`" in str(e.value)
    villages = pd.DataFrame({"village_id": [10, 20], "populaton": [100, 100]})
    with pytest.raises(ValidationError) as e:
        Registry.from_frame(frame(), villages)
    assert e.value.column == "populaton" and "`population`" in str(e.value)


def test_other_unknown_columns_are_named_in_a_user_warning(tmp_path):
    with pytest.warns(UserWarning, match="`notes`") as record:
        Registry.from_frame(frame(notes=["a", "b", "c"]))
    assert record[0].filename == __file__  # points at the caller's line
    frame(notes=["a", "b", "c"]).to_csv(tmp_path / "h.csv", index=False)
    with pytest.warns(UserWarning, match="`notes`"):
        Registry.read_csv(tmp_path / "h.csv")
    reg = fupin.datasets.county("changle")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every column fupin writes, it reads
        assert Registry.from_frame(reg.households(), reg.villages()) == reg


def test_text_id_010_does_not_match_integer_village_10():
    villages = pd.DataFrame({"village_id": [10, 20]})
    with pytest.raises(ValidationError) as e:
        Registry.from_frame(frame(village_id=["010", "10", "20"]), villages)
    assert (e.value.column, e.value.row, e.value.value) == ("village_id", 1, "010")
    # The text that is the integer's own decimal form still matches it.
    reg = Registry.from_frame(frame(village_id=["10", "10", "20"]), villages)
    assert reg.households()["village_id"].tolist() == [10, 10, 20]


@pytest.mark.parametrize(("argument", "value"), [
    ("replications", 2.7), ("seed", 1.9), ("threads", 2.5), ("years", [2016.5]),
    ("replications", True), ("seed", "3"),
])
def test_fractional_or_non_integer_arguments_are_refused_not_truncated(small, argument, value):
    with pytest.raises(ValidationError) as e:
        run(small, **{argument: value})
    assert e.value.column.startswith(argument)
    assert repr(value if not isinstance(value, list) else value[0]) in str(e.value)


def test_whole_valued_floats_and_numpy_integers_are_the_integers(small):
    expected = run(small, replications=3, seed=4).summary()
    for kw in ({"replications": 3.0, "seed": 4.0}, {"replications": np.int32(3), "seed": np.uint64(4)}):
        pd.testing.assert_frame_equal(run(small, **kw).summary(), expected)


def test_select_refuses_fractions_and_negative_rows(small):
    for rows, name in (([2.7], "rows[0]"), ([0, -1], "rows[1]"), ([0, len(small)], "rows[1]"),
                       ([True, 2], "rows[0]")):
        with pytest.raises(ValidationError) as e:
            small.select(rows)
        assert e.value.column == name


def test_select_with_a_boolean_mask_selects_where_true(small):
    ids = small.households()["household_id"].to_numpy()
    mask = np.zeros(len(small), dtype=bool)
    mask[[1, 4, 7]] = True
    for m in (mask, mask.tolist(), pd.Series(mask)):
        assert small.select(m).households()["household_id"].tolist() == ids[[1, 4, 7]].tolist()
    with pytest.raises(ValidationError, match="one value per row"):
        small.select(mask[:-1])


@pytest.mark.parametrize("column", ["size", "income_per_capita", "weight", "elderly"])
def test_boolean_numeric_columns_are_refused(column):
    with pytest.raises(ValidationError) as e:
        Registry.from_frame(frame(**{column: [True, False, True]}))
    assert (e.value.column, e.value.row) == (column, 1)
    with pytest.raises(ValidationError) as e:
        Registry.from_frame(frame(**{column: pd.array([True, None, True], dtype="boolean")}))
    assert e.value.column == column


def test_boolean_size_in_a_csv_file_is_refused(tmp_path):
    frame(size=["true", "true", "true"]).to_csv(tmp_path / "h.csv", index=False)
    with pytest.raises(ValidationError) as e:
        Registry.read_csv(tmp_path / "h.csv")
    assert e.value.column == "size"


@pytest.mark.parametrize("year", [1990, -5, 2009, 2**40, 2400])
def test_poverty_line_refuses_years_it_has_no_line_for(year):
    with pytest.raises(ValidationError) as e:
        fupin.poverty_line(year)
    assert e.value.column == "year"
    assert "2010–2020" in str(e.value)  # the schedule's range (national line, NBS)


def test_poverty_line_within_and_after_its_schedule():
    # National line: 2,952 yuan in 2016 and about 4,000 in 2020 (NBS; held after 2020).
    assert fupin.poverty_line(2016) == 2952.0
    assert fupin.poverty_line(2016.0) == 2952.0
    assert fupin.poverty_line(2030) == 4000.0
    with pytest.raises(ValidationError):
        fupin.poverty_line(2016.5)
    # A constant line holds in every year, early ones included.
    assert fupin.IncomeModel(line=3000).line(1950) == 3000.0
    with pytest.raises(ValidationError):
        fupin.IncomeModel(line={2016: 3000}).line(2015)


def test_simulate_refuses_years_before_the_line_schedule(small):
    with pytest.raises(ValidationError) as e:
        run(small, years=range(1990, 1993))
    assert (e.value.column, e.value.value) == ("year", "1990")
    s = fupin.Scenario("own line", line={2016: 3000.0})
    with pytest.raises(ValidationError) as e:
        run(small, scenarios=[s], years=range(2015, 2017))
    assert (e.value.column, e.value.value) == ("year", "2015")
    with pytest.raises(ValidationError) as e:
        fupin.plan(small, fupin.Scenario("p", policy=fupin.policy.ByCause(), budget=1e6),
                   years=range(1990, 1992))
    assert e.value.column == "year"


# ---- 8. errors that were not ValidationError ----------------------------------------------------

@pytest.mark.parametrize(("argument", "value"), [
    ("seed", -1), ("seed", 2**64), ("replications", -1), ("replications", 2**32),
    ("replications", 0), ("threads", -1), ("threads", 0),
])
def test_out_of_range_integer_arguments_are_validation_errors(small, argument, value):
    with pytest.raises(ValidationError) as e:
        run(small, **{argument: value})
    assert (e.value.column, e.value.value) == (argument, repr(value))


def test_out_of_range_arguments_elsewhere_are_validation_errors(small):
    for call, name in ((lambda: fupin.poverty_line(2**40), "year"),
                       (lambda: small.select([-1]), "rows[0]"),
                       (lambda: fupin.datasets.county("changle", seed=-1), "seed"),
                       (lambda: fupin.targeting.allocate_quota(-1, [1.0, 2.0]), "total")):
        with pytest.raises(ValidationError) as e:
            call()
        assert e.value.column == name


@pytest.mark.parametrize("kind", ["pandas", "pyarrow"])
def test_duplicate_column_names_are_a_validation_error(kind):
    df = pd.DataFrame([[1, 10, 2, 1000.0, 3]],
                      columns=["household_id", "village_id", "size", "income_per_capita", "size"])
    table = df if kind == "pandas" else pa.Table.from_arrays(
        [pa.array(df.iloc[:, i]) for i in range(5)], names=list(df.columns))
    with pytest.raises(ValidationError) as e:
        Registry.from_frame(table)
    assert e.value.column == "size"


@pytest.mark.parametrize("metric", [
    lambda y: fupin.metrics.fgt(y, 100.0), lambda y: fupin.metrics.gini(y),
    lambda y: fupin.metrics.theil(y), lambda y: fupin.metrics.watts(y, 100.0),
])
def test_metrics_given_text_or_booleans_name_the_row(metric):
    for bad, value in (([50.0, "x", 70.0], "x"), ([50.0, "60", 70.0], "60"),
                       ([50.0, True, 70.0], "True")):
        with pytest.raises(ValidationError) as e:
            metric(np.asarray(bad, dtype=object))
        assert (e.value.column, e.value.row) == ("incomes", 2)
        assert value in str(e.value)


def test_nan_intensity_in_an_explicit_table_is_a_validation_error():
    with pytest.raises(ValidationError) as e:
        fupin.policy.Explicit({"household_id": [1, 2], "measure": ["industry", "health"],
                               "start_year": [2016, 2016], "intensity": [1.0, float("nan")]})
    assert (e.value.column, e.value.row) == ("intensity", 2)
    with pytest.raises(ValidationError) as e:
        fupin.policy.Explicit({"household_id": [1], "measure": ["industry"],
                               "start_year": [2016.5]})
    assert (e.value.column, e.value.row) == ("start_year", 1)


@pytest.mark.parametrize("argv", [
    ["--replications", "-1"], ["--seed", "-1"], ["--threads", "-2"], ["--replications", "70000"],
])
def test_cli_bad_numbers_print_fupin_message_and_exit_2(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["compare", "--county", "changle", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("fupin: ") and "Traceback" not in err
    assert argv[0].lstrip("-") in err


# ---- 9. wrong or missing row, column or value ---------------------------------------------------

def test_a_huge_weight_is_reported_on_its_own_row_with_its_own_value():
    reg = Registry.from_frame(frame(household_id=[1, 2, 3, 4], village_id=[10] * 4, size=[2] * 4,
                                    income_per_capita=[1.0] * 4, weight=[1.0, 1e300, 1.0, 1.0]))
    with pytest.raises(ValidationError) as e:
        run(reg)
    assert (e.value.column, e.value.row, e.value.value) == ("weight", 2, "1e300")


def test_village_population_overflow_blames_the_households_size_row():
    # 65,535 members a household: 65,537 households fill u32::MAX = 65,535 · 65,537 exactly;
    # household 65,538 takes the village over.
    n = 65_538
    df = pd.DataFrame({"household_id": np.arange(n), "village_id": np.ones(n, dtype=np.int64),
                       "size": np.full(n, 65_535), "income_per_capita": np.ones(n)})
    with pytest.raises(ValidationError) as e:
        Registry.from_frame(df)
    assert (e.value.column, e.value.row) == ("size", n)
    assert str(e.value).startswith("households:")


@pytest.mark.parametrize("ids", [[1, None, 3], [1.0, float("nan"), 3.0], ["a", None, "c"]])
def test_a_blank_id_is_shown_empty_not_nan(ids):
    with pytest.raises(ValidationError) as e:
        Registry.from_frame(frame(household_id=ids))
    assert (e.value.column, e.value.row, e.value.value) == ("household_id", 2, "(empty)")


def test_panel_uint64_household_ids_are_kept_and_huge_years_refused():
    ids = np.array([2**63 + 1, 2**63 + 1, 7, 7], dtype=np.uint64)
    panel = pd.DataFrame({"household_id": ids, "year": [2016, 2017, 2016, 2017],
                          "poor": [True, False, True, True]})
    sp = fupin.timelines.spells(panel)
    # Household 7: poor both years (censored after 1); 2^63 + 1: exits after 1 year.
    assert sorted(zip(sp["household_id"].tolist(), sp["observed"].tolist())) == [
        (7, False), (2**63 + 1, True)]
    panel["year"] = [2016.0, 1e20, 2016.0, 2017.0]
    with pytest.raises(ValidationError) as e:
        fupin.timelines.spells(panel)
    assert (e.value.column, e.value.row) == ("year", 2)


def test_metric_scalars_that_are_not_numbers_name_the_argument():
    for call, name in ((lambda: fupin.metrics.fgt([1.0, 2.0], "abc"), "line"),
                       (lambda: fupin.metrics.fgt([1.0, 2.0], 3.0, alpha="x"), "alpha"),
                       (lambda: fupin.metrics.ge([1.0, 2.0], None), "alpha")):
        with pytest.raises(ValidationError) as e:
            call()
        assert e.value.column == name
