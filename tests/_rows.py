"""Small registries built row by row for the targeting tests."""

from __future__ import annotations

import pandas as pd

import fupin

DEFAULTS = {"elderly": 0, "students": 0, "chronic_illness": 0, "disability": 0, "housing_safe": True,
            "safe_water": True, "insured": True, "inhospitable": False, "head_education_years": 6,
            "registered": True, "weight": 1.0}


def registry(households: list[dict], villages: list[dict] | None = None) -> fupin.Registry:
    """A registry from row dicts; a column some rows give takes the registry's default elsewhere."""
    keys = {k for row in households for k in row}
    rows = []
    for row in households:
        full = {k: DEFAULTS[k] for k in keys if k in DEFAULTS}
        full.update(row)
        if "labour" in keys and "labour" not in row:
            full["labour"] = max(full["size"] - full.get("elderly", 0) - full.get("students", 0), 0)
        rows.append(full)
    h = pd.DataFrame(rows)
    return fupin.Registry.from_frame(h, villages=None if villages is None else pd.DataFrame(villages))


def hh(i: int, village: str = "v1", **kw) -> dict:
    base = {"household_id": i, "village_id": village, "size": 1, "income_per_capita": 5000.0}
    base.update(kw)
    return base
