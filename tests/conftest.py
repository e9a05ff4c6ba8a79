"""Shared fixtures: a small hand-built registry whose every figure is known."""

from __future__ import annotations

import pandas as pd
import pytest


def small_households() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "household_id": [101, 102, 103, 104, 105, 106, 107, 108],
            "village_id": [1, 1, 1, 2, 2, 3, 3, 3],
            "size": [3, 4, 1, 2, 5, 3, 2, 4],
            "income_per_capita": [2100.0, 3400.0, 1200.0, 2950.0, 4100.0, 2500.0, 0.0, 3300.0],
            "labour": [2, 2, 0, 1, 3, 2, 0, 2],
            "elderly": [0, 1, 1, 1, 0, 0, 2, 1],
            "students": [1, 1, 0, 0, 2, 1, 0, 1],
            "chronic_illness": [1, 0, 1, 0, 0, 1, 1, 0],
            "causes": ["illness;skills", "capital", "illness;labour", "land", "schooling",
                       "illness", "labour;disability", "water;transport"],
            "primary_cause": ["illness", "capital", "labour", "land", "schooling",
                              "illness", "disability", "water"],
            "disability": [0, 0, 0, 0, 0, 0, 1, 0],
            "housing_safe": [True, True, False, True, True, True, False, True],
            "insured": [True, True, True, True, False, True, True, True],
            "weight": [1.0, 1.0, 2.0, 1.0, 1.0, 1.5, 1.0, 1.0],
        }
    )


def small_villages() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "village_id": [1, 2, 3, 4],
            "county_id": ["A", "A", "B", "B"],
            "population": [400, 300, 250, 500],
            "region": ["centre", "centre", "west", "west"],
        }
    )


@pytest.fixture
def households() -> pd.DataFrame:
    return small_households()


@pytest.fixture
def villages() -> pd.DataFrame:
    return small_villages()
