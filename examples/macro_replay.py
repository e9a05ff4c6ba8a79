"""Macro replay: how close does fupin come to China's published yearly falls in the rural poor
population, 2014–2020?

Published (NBS, national poverty monitoring; millions of poor people at the 2010 line of 2,300
yuan at 2010 prices): 82.49 at the end of 2013, then falls of 12.32, 14.42, 12.40, 12.89, 13.86,
11.09 and 5.51 million in 2014–2020, to zero.

The registry is a **scaled-down** national synthetic registry of the 2013 stock: ``households``
registered households (default 100,000, in 3,000 villages; seeded), each standing for an equal
share of the 82.49 million people (``weight`` = 82.49 M / Σ size, about 275 households each at
3.0 people per household, ≈ 27.5 M households). A full 29.5-million-household registry is within
the engine's reach but takes minutes per run on a laptop, and the SMM below runs dozens; with
uniform weights the national counts are the same in expectation, only noisier.

Three runs, all **without programme effects** (the measures and policies issue is not merged, so
no 五个一批 measure is simulated; every fall below comes from income growth alone):

1. ``baseline``: the default income model (growth 8.9 % a year, the rural average).
2. ``growth fitted``: the growth rate fitted by simulated method of moments to the published path.
3. ``growth fitted, guarantees met``: the same, with the non-income exit conditions (safe housing,
   insurance) treated as met — what the housing-renovation and insurance campaigns achieved.

Run: ``python examples/macro_replay.py`` (about a minute on 2 cores). The README of this folder
records a run and discusses the fit.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import fupin
from fupin import timelines as tl

PUBLISHED_STOCK_2013 = 82.49  # million poor people at the end of 2013
PUBLISHED_FALLS = {2014: 12.32, 2015: 14.42, 2016: 12.40, 2017: 12.89, 2018: 13.86, 2019: 11.09,
                   2020: 5.51}


def published_path() -> pd.Series:
    """Poor people (millions) at the end of each year 2014–2020."""
    stock = PUBLISHED_STOCK_2013 - np.cumsum(list(PUBLISHED_FALLS.values()))
    return pd.Series(np.round(stock, 2) + 0.0, index=list(PUBLISHED_FALLS), name="published")


def national_registry(households: int, villages: int, seed: int) -> fupin.Registry:
    """A synthetic 2013 registry whose weights scale it to 82.49 million people."""
    reg = fupin.datasets.synthetic(households, villages, seed=seed, year=2013)
    h = reg.households()
    h["weight"] = PUBLISHED_STOCK_2013 * 1e6 / float(h["size"].sum())
    return fupin.Registry.from_frame(h, villages=reg.villages())


def poor_millions(res: fupin.Results) -> pd.Series:
    return res.summary()["poor_people"].droplevel(0) / 1e6


def replay(households: int = 100_000, villages: int = 3_000, seed: int = 2013,
           replications: int = 4) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    reg = national_registry(households, villages, seed)
    target = published_path() * 1e6
    years = range(2014, 2021)
    base = fupin.IncomeModel()
    met = base.replace(exit={"require_safe_housing": False, "require_insurance": False})
    out = {"published": published_path()}
    fits = {}
    res = fupin.simulate(reg, model=base, years=years, replications=replications, seed=seed,
                         progress=False, household_outputs=False)
    out["baseline"] = poor_millions(res)
    for label, model in (("growth fitted", base), ("growth fitted, guarantees met", met)):
        cal = tl.calibrate_headcount(
            reg, target, {"income.growth": (0.089, 0.0, 1.0, 0.01)}, model=model,
            replications=replications, seed=seed,
        )
        fits[label] = cal.table
        out[label] = cal.fit.set_index("year")["simulated"] / 1e6
    paths = pd.DataFrame(out)
    stock = pd.DataFrame({k: [PUBLISHED_STOCK_2013] for k in paths}, index=[2013])
    falls = -pd.concat([stock, paths]).diff().loc[2014:]
    table = pd.concat({"poor (million)": paths, "fall (million)": falls}, axis=1)
    return table.round(2), fits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--villages", type=int, default=3_000)
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--seed", type=int, default=2013)
    a = parser.parse_args()
    t = time.perf_counter()
    table, fits = replay(a.households, a.villages, a.seed, a.replications)
    pd.set_option("display.width", 200)
    print(table.to_string())
    for label, fit in fits.items():
        print(f"\n{label}:\n{fit.to_string()}")
    print(f"\n{time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main()
