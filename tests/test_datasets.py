"""Embedded counties and synthetic registries, as users call them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import fupin

# Published figures of the seed reports (shared/seeds, DESIGN.md "Seed facts"); derived figures
# are documented in fupin.datasets.presets().
PUBLISHED = {
    "taiqian": {"households": 13_710, "people": 41_414, "poor_villages": 108},
    "taoyuan": {"people": 80_460, "villages": 451, "poor_villages": 66},
    "pingguo": {"people": 12_621, "villages": 181, "poor_villages": 19},
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_presets_reproduce_published_counts(name):
    reg = fupin.datasets.county(name, seed=0)
    facts = PUBLISHED[name]
    h = reg.households()
    if "households" in facts:
        assert reg.n_households == facts["households"]
    assert h["size"].sum() == facts["people"]
    assert reg.registered_people == facts["people"]
    if "villages" in facts:
        assert reg.n_villages == facts["villages"]
    assert reg.poor_villages == facts["poor_villages"]
    # Poor villages have incidence above their threshold and the others do not.
    prof = fupin.metrics.profile(reg, 1e12, by="village")  # everyone below an absurd line
    v = reg.villages().set_index("village_id")
    incidence = prof["registered_people"] / v["population"]
    threshold = v["region"].map({"west": 0.03, "centre": 0.02, "east": 0.02})
    assert ((incidence > threshold) == v["poor"]).all()


def test_changle_matches_its_report():
    reg = fupin.datasets.county("changle")
    h = reg.households()
    assert (~h["housing_safe"]).sum() == 85  # 85 housing cases in the report
    assert fupin.datasets.presets().loc["changle", "region"] == "east"


def test_chinese_name_and_unknown_name():
    assert fupin.datasets.county("台前县") == fupin.datasets.county("taiqian")
    with pytest.raises(fupin.ValidationError, match="taiqian"):
        fupin.datasets.county("atlantis")


def test_same_seed_same_registry_different_seed_different():
    a = fupin.datasets.county("pingguo", seed=3)
    assert a == fupin.datasets.county("pingguo", seed=3)
    assert a != fupin.datasets.county("pingguo", seed=4)


def test_illness_share_near_the_national_register():
    h = fupin.datasets.county("taoyuan").households()
    ill = h["causes"].fillna("").str.split(";").map(lambda c: "illness" in c)
    n = len(h)
    # 99.9 % binomial interval around 0.42.
    half = 3.29 * np.sqrt(0.42 * 0.58 / n)
    assert abs(ill.mean() - 0.42) < half


def test_causes_consistent_with_members():
    h = fupin.datasets.county("taiqian").households()
    causes = h["causes"].fillna("").str.split(";")
    has = lambda code: causes.map(lambda c: code in c)  # noqa: E731
    assert (h.loc[has("illness"), "chronic_illness"] >= 1).all()
    assert (h.loc[has("disability"), "disability"] >= 1).all()
    assert (h.loc[has("schooling"), "students"] >= 1).all()
    assert (h["labour"] + h["elderly"] + h["students"] <= h["size"]).all()


def test_synthetic_is_deterministic_across_threads():
    one = fupin.datasets.synthetic(20_000, 300, seed=7, threads=1)
    two = fupin.datasets.synthetic(20_000, 300, seed=7, threads=2)
    assert one == two
    assert one.n_households == 20_000 and one.n_villages == 300
    assert one != fupin.datasets.synthetic(20_000, 300, seed=8, threads=2)


def test_synthetic_config_and_errors():
    reg = fupin.datasets.synthetic(5_000, 50, seed=1, counties=5)
    assert reg.n_counties == 5
    with pytest.raises(fupin.ValidationError):
        fupin.datasets.synthetic(0, 10)
    with pytest.raises(fupin.ValidationError):
        fupin.datasets.synthetic(100, 10, counties="many")


def test_poverty_line_schedule():
    assert fupin.poverty_line(2014) == 2800.0
    assert fupin.poverty_line(2016) == 2952.0
    assert fupin.poverty_line(2020) == 4000.0


def test_presets_table():
    table = fupin.datasets.presets()
    assert set(fupin.datasets.COUNTIES) <= set(table.index)
    assert isinstance(table, pd.DataFrame)
